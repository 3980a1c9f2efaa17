"""One ASGI app: health, platform webhooks, the simulator page, the counselor console; and the
workers that move messages (inbox → pipeline → outbox → platform) unless RUN_WORKERS=false."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app.runtime import build_runtime
from bot.app.simulator import BadLine, Simulator
from bot.app.wiring import Channels, audio_links
from bot.config import Settings
from bot.core.privacy import user_key
from bot.delivery.inbox import Inbox
from bot.delivery.mailbox import Mailbox, queue_health
from bot.delivery.outbox import outbox_queue
from bot.dialog.reload import ContentWatcher
from bot.store.db import Store, make_engine, upgrade
from bot.store.keys import Keys
from bot.web.campaign import campaign_routes
from bot.web.console import console_routes
from bot.web.reports import report_routes
from bot.web.simulator_api import page as simulator_page
from bot.web.simulator_api import simulator_routes, with_audio_links
from bot.web.state import runtime_of
from bot.web.webhooks import webhook_routes

log = logging.getLogger(__name__)
MAX_MEDIA = 20_000_000


def create_app(settings: Settings, *, namespace: str | None = None) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await build_runtime(settings, namespace=namespace)
        app.state.runtime = runtime
        await asyncio.to_thread(upgrade, settings.database_url)
        app.state.db = Store(make_engine(settings.database_url))
        app.state.simulator = Simulator(runtime)
        app.state.audio_links = audio_links(settings)
        app.state.inbox = Inbox(runtime.redis, runtime.namespace, settings.user_key_pepper, runtime.addresses)
        watcher = ContentWatcher(runtime.pipeline, settings.content_dir, settings.flows_dir)
        channels = Channels.start(settings, runtime)
        await channels.check()
        app.state.channels = channels
        tasks = [asyncio.create_task(watcher.run(), name="content-watcher")]
        if settings.run_workers:
            tasks += [asyncio.create_task(job, name=getattr(job, "__qualname__", "worker"))
                      for job in channels.workers(app.state.inbox)]
        log.info("bot ready: namespace=%s nlu=%s channels=%s workers=%s", runtime.namespace,
                 "on" if runtime.nlu else "off", ",".join(channels.names()), settings.run_workers)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            # Bounded: what a worker held goes back to the queue when its lease ends, so nothing waits on it.
            _, pending = await asyncio.wait(tasks, timeout=5)
            if pending:  # a cancel lost inside a library call: ask once more before closing what they use
                for task in pending:
                    task.cancel()
                _, pending = await asyncio.wait(pending, timeout=1)
            for task in pending:
                frames = task.get_stack(limit=3)
                where = frames[-1].f_code.co_qualname if frames else "?"
                log.warning("background task %s did not stop when cancelled twice (at %s)", task.get_name(), where)
            await channels.aclose()
            await runtime.aclose()
            app.state.db.engine.dispose()

    async def healthz(request: Request) -> Response:
        """Redis, and per queue (inbox, one outbox per channel): when a worker loop last made progress
        and how long the longest-waiting message has waited. 503 when Redis is down, or when a queue
        has work and no worker (in any process) progressed for WORKER_STALL_SECONDS. One round trip."""
        runtime = runtime_of(request)
        queues: dict[str, Mailbox] | None = getattr(request.app.state, "health_queues", None)
        if queues is None:
            channels: Channels = request.app.state.channels
            queues = {"inbox": Mailbox(runtime.redis, runtime.namespace, "in")}
            queues.update({name: outbox_queue(runtime.redis, runtime.namespace, name) for name in channels.names()})
            request.app.state.health_queues = queues
        try:
            report = await queue_health(runtime.redis, queues, settings.worker_stall_seconds)
        except Exception:
            log.warning("healthz: redis unreachable")
            return JSONResponse({"status": "down", "redis": "down"}, status_code=503)
        stalled = sorted(name for name, queue in report.items() if queue["stalled"])
        body = {"status": "stalled" if stalled else "ok", "redis": "ok", "nlu": "configured" if runtime.nlu else "off",
                "flows": len(runtime.pipeline.bundle.flows.flows), "queues": report}
        if stalled:
            log.warning("healthz: no progress for %d s with work waiting: %s", settings.worker_stall_seconds,
                        ", ".join(stalled))
            return JSONResponse(body, status_code=503)
        return JSONResponse(body)

    async def simulator_message(request: Request) -> Response:
        simulator: Simulator = request.app.state.simulator
        body = await request.body()
        if len(body) > 64_000:
            return JSONResponse({"error": "message too large"}, status_code=413)
        try:
            msg, channel = simulator.parse(body.decode("utf-8", errors="replace"))
        except BadLine as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        from bot.app.simulator import to_json

        runtime = runtime_of(request)
        reply = await runtime.pipeline.handle(msg)
        result = to_json(msg.address, channel, reply, simulator.contents, catalog=runtime.pipeline.bundle.catalog)
        return JSONResponse(with_audio_links(result, request.app.state.audio_links))

    async def simulator_reset(request: Request) -> Response:
        runtime = runtime_of(request)
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
        runtime = runtime_of(request)
        user = request.query_params.get("user", "")
        if not user:
            return JSONResponse({"error": "give ?user=<name>"}, status_code=400)
        key = Keys(runtime.namespace).simulator_inbox(user_key(runtime.settings.user_key_pepper, 'simulator', user))
        async with runtime.redis.pipeline(transaction=True) as pipe:
            pipe.lrange(key, 0, -1)
            pipe.delete(key)
            items, _ = await pipe.execute()
        return JSONResponse({"messages": [json.loads(item) for item in items]})

    routes: list[BaseRoute] = [Route("/healthz", healthz), *console_routes(), *report_routes(), *campaign_routes(),
                               *webhook_routes(settings),
                               *audio_links(settings).routes()]
    if settings.simulator_enabled:
        routes += [
            Route("/simulator", simulator_page),
            *simulator_routes(),
            Route("/simulator/api/message", simulator_message, methods=["POST"]),
            Route("/simulator/api/reset", simulator_reset, methods=["POST"]),
            Route("/simulator/api/inbox", simulator_inbox),
        ]
    return Starlette(routes=routes, lifespan=lifespan)
