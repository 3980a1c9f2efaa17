"""One ASGI app: health, the simulator page (and later webhooks and the console)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.outbox import OutboxWorker, SimulatorSender
from bot.channels.simulator import BadLine, Simulator
from bot.config import Settings
from bot.core.privacy import user_key
from bot.core.reload import ContentWatcher
from bot.runtime import Runtime, build_runtime
from bot.store.db import Store, make_engine, upgrade
from bot.web.console import console_routes

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, *, namespace: str | None = None) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await build_runtime(settings, namespace=namespace)
        app.state.runtime = runtime
        await asyncio.to_thread(upgrade, settings.database_url)
        app.state.db = Store(make_engine(settings.database_url))
        app.state.simulator = Simulator(runtime)
        watcher = ContentWatcher(runtime.pipeline, settings.content_dir, settings.flows_dir)
        tasks = [asyncio.create_task(watcher.run()), asyncio.create_task(_deliver_simulator(runtime))]
        log.info("bot ready: namespace=%s nlu=%s", runtime.namespace, "on" if runtime.nlu else "off")
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await runtime.aclose()

    async def healthz(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        try:
            await runtime.redis.ping()
        except Exception:
            log.warning("healthz: redis unreachable")
            return JSONResponse({"status": "down", "redis": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "redis": "ok", "nlu": "configured" if runtime.nlu else "off",
                             "flows": len(runtime.pipeline.bundle.flows.flows)})

    async def simulator_page(request: Request) -> Response:
        return FileResponse(STATIC / "simulator.html")

    async def simulator_message(request: Request) -> Response:
        simulator: Simulator = request.app.state.simulator
        body = await request.body()
        if len(body) > 64_000:
            return JSONResponse({"error": "message too large"}, status_code=413)
        try:
            msg, channel = simulator.parse(body.decode("utf-8", errors="replace"))
        except BadLine as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        from bot.channels.simulator import to_json

        reply = await request.app.state.runtime.pipeline.handle(msg)
        return JSONResponse(to_json(msg.address, channel, reply))

    async def simulator_reset(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        try:
            user = json.loads(await request.body())["user"]
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": 'send {"user": "<name>"}'}, status_code=400)
        key = user_key(runtime.settings.user_key_pepper, "simulator", str(user))
        await runtime.handoff.forget_user(key)
        await runtime.pipeline.store.delete_user(key)
        return JSONResponse({"reset": True})

    async def simulator_inbox(request: Request) -> Response:
        """Messages sent to a simulated user outside a turn (a counselor's replies), oldest first."""
        runtime: Runtime = request.app.state.runtime
        user = request.query_params.get("user", "")
        if not user:
            return JSONResponse({"error": "give ?user=<name>"}, status_code=400)
        key = f"{runtime.namespace}:sim:inbox:{user_key(runtime.settings.user_key_pepper, 'simulator', user)}"
        async with runtime.redis.pipeline(transaction=True) as pipe:
            pipe.lrange(key, 0, -1)
            pipe.delete(key)
            items, _ = await pipe.execute()
        return JSONResponse({"messages": [json.loads(item) for item in items]})

    routes: list[BaseRoute] = [Route("/healthz", healthz), *console_routes()]
    if settings.simulator_enabled:
        routes += [
            Route("/simulator", simulator_page),
            Route("/simulator/api/message", simulator_message, methods=["POST"]),
            Route("/simulator/api/reset", simulator_reset, methods=["POST"]),
            Route("/simulator/api/inbox", simulator_inbox),
        ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _deliver_simulator(runtime: Runtime) -> None:
    """Deliver outbox messages for simulated users (a counselor's replies) to the simulator page."""
    worker = OutboxWorker(runtime.redis, runtime.namespace, "simulator",
                          SimulatorSender(runtime.redis, runtime.namespace), None, consumer=secrets.token_hex(4))
    while True:
        try:
            await worker.run_once(block_ms=1000)
        except (ConnectionError, OSError, RedisError) as exc:
            log.warning("simulator outbox: %s", type(exc).__name__)
            await asyncio.sleep(1)
