"""One ASGI app: health, platform webhooks, the simulator page, the counselor console; and the
workers that move messages (inbox → pipeline → outbox → platform) unless RUN_WORKERS=false."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram.error import InvalidToken, NetworkError

from bot.channels.inbox import Inbox, InboxWorker
from bot.channels.mailbox import Mailbox, queue_health
from bot.channels.outbox import OutboxWorker, Sender, SimulatorSender, outbox_queue
from bot.channels.simulator import BadLine, Simulator
from bot.channels.telegram import TelegramSender, make_bot, poll
from bot.channels.whatsapp import TwilioSender, make_client
from bot.channels.whatsapp_content import ContentMap
from bot.config import Settings, SettingsError
from bot.core.privacy import user_key
from bot.core.reload import ContentWatcher
from bot.handoff.oncall import OnCallAlerts
from bot.runtime import Runtime, build_runtime
from bot.store.db import Store, make_engine, upgrade
from bot.store.keys import Keys
from bot.web.audio import AudioLinks
from bot.web.console import console_routes
from bot.web.state import runtime_of
from bot.web.webhooks import webhook_routes

log = logging.getLogger(__name__)
MAX_MEDIA = 20_000_000
STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, *, namespace: str | None = None) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await build_runtime(settings, namespace=namespace)
        app.state.runtime = runtime
        await asyncio.to_thread(upgrade, settings.database_url)
        app.state.db = Store(make_engine(settings.database_url))
        app.state.simulator = Simulator(runtime)
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

        reply = await runtime_of(request).pipeline.handle(msg)
        return JSONResponse(to_json(msg.address, channel, reply, simulator.contents))

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

    routes: list[BaseRoute] = [Route("/healthz", healthz), *console_routes(), *webhook_routes(settings),
                               *audio_links(settings).routes()]
    if settings.simulator_enabled:
        routes += [
            Route("/simulator", simulator_page),
            Route("/simulator/api/message", simulator_message, methods=["POST"]),
            Route("/simulator/api/reset", simulator_reset, methods=["POST"]),
            Route("/simulator/api/inbox", simulator_inbox),
        ]
    return Starlette(routes=routes, lifespan=lifespan)


def audio_links(settings: Settings) -> AudioLinks:
    """Signed, expiring links to campaign recordings, for Twilio to fetch (WhatsApp voice notes)."""
    return AudioLinks(settings.audio_url_secret, settings.public_base_url, settings.content_dir,
                      ttl_seconds=settings.audio_url_ttl_seconds)


@dataclass
class Channels:
    """The configured platforms: their senders, and the workers that move messages."""

    settings: Settings
    runtime: Runtime
    telegram: TelegramSender | None = None
    whatsapp: TwilioSender | None = None
    senders: list[Sender] = field(default_factory=list)

    @classmethod
    def start(cls, settings: Settings, runtime: Runtime) -> Channels:
        channels = cls(settings, runtime)
        channels.senders.append(SimulatorSender(runtime.redis, runtime.namespace))
        if settings.telegram_token:
            channels.telegram = TelegramSender(make_bot(settings.telegram_token, settings.telegram_api_base),
                                               global_rate=settings.telegram_global_rate,
                                               chat_rate=settings.telegram_chat_rate,
                                               content_dir=settings.content_dir)
            channels.senders.append(channels.telegram)
        if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from:
            client = make_client(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_base)
            callback = settings.public_url("/webhooks/twilio/status") if settings.twilio_status_callbacks else None
            channels.whatsapp = TwilioSender(client, runtime.redis, runtime.namespace,
                                             sender=settings.twilio_whatsapp_from, status_callback=callback,
                                             template_sid=settings.twilio_template_sid, rate=settings.whatsapp_rate,
                                             contents=ContentMap.for_url(settings.database_url),
                                             audio_url=audio_links(settings).url)
            channels.senders.append(channels.whatsapp)
        return channels

    def names(self) -> list[str]:
        return [sender.channel for sender in self.senders]

    async def check(self) -> None:
        """A wrong Telegram token stops start-up; an unreachable Telegram only warns (the outbox retries)."""
        if self.telegram is None:
            return
        try:
            await self.telegram.bot.initialize()
        except InvalidToken:
            raise SettingsError("TELEGRAM_TOKEN was refused by the Telegram Bot API (check it with @BotFather).")\
                from None
        except NetworkError as exc:
            log.warning("telegram: Bot API not reachable at start (%s); will retry", type(exc).__name__)

    def workers(self, inbox: Inbox) -> list[Coroutine[Any, Any, None]]:
        lease = self.settings.queue_lease_seconds * 1000
        callback = self.telegram.answer_callback if self.telegram else None
        jobs: list[Coroutine[Any, Any, None]] = [
            InboxWorker(inbox, self.runtime.pipeline, on_callback=callback, lease_ms=lease).run()]
        for sender in self.senders:
            worker = OutboxWorker(self.runtime.redis, self.runtime.namespace, sender, self.runtime.addresses,
                                  max_attempts=self.settings.outbox_max_attempts, lease_ms=lease,
                                  max_rate_wait=self.settings.outbox_rate_wait_hours * 3600,
                                  parked_ttl=self.settings.whatsapp_parked_hours * 3600)
            jobs.append(worker.run())
        if self.telegram is not None and self.settings.telegram_mode == "polling":
            jobs.append(poll(self.telegram.bot, inbox))
        if self.telegram is not None and self.settings.oncall_telegram_chat_id is not None:
            jobs.append(self.oncall_alerts().run())
        return jobs

    def oncall_alerts(self) -> OnCallAlerts:
        """Urgent tickets waiting longer than ONCALL_ALERT_MINUTES → the on-call group (no user text)."""
        assert self.telegram is not None and self.settings.oncall_telegram_chat_id is not None
        bot, chat = self.telegram.bot, self.settings.oncall_telegram_chat_id

        async def send(text: str) -> None:
            await bot.send_message(chat, text)

        return OnCallAlerts(self.runtime.redis, self.runtime.namespace, self.runtime.handoff.queue, send,
                            after_minutes=self.settings.oncall_alert_minutes,
                            console_url=self.settings.public_url("/console"))

    async def fetch_media(self, channel: str, ref: str, content_type: str | None) -> tuple[bytes, str]:
        """Download a user's file from its platform (for the counselor); at most MAX_MEDIA bytes."""
        if channel == "telegram" and self.telegram is not None:
            file = await self.telegram.bot.get_file(ref)
            if (file.file_size or 0) > MAX_MEDIA:
                raise ValueError("file too large")
            return bytes(await file.download_as_bytearray()), content_type or "application/octet-stream"
        if channel == "whatsapp" and self.settings.twilio_account_sid:
            allowed = (self.settings.twilio_api_base or "https://api.twilio.com").rstrip("/") + "/"
            if not ref.startswith(allowed):  # only Twilio's own media URLs, never an arbitrary address
                raise ValueError("not a Twilio media URL")
            auth = (self.settings.twilio_account_sid, self.settings.twilio_auth_token or "")
            async with httpx.AsyncClient(auth=auth, follow_redirects=True, timeout=20) as client:
                response = await client.get(ref)
                response.raise_for_status()
            if len(response.content) > MAX_MEDIA:
                raise ValueError("file too large")
            return response.content, response.headers.get("content-type", content_type or "application/octet-stream")
        raise ValueError(f"no {channel} channel configured")

    async def aclose(self) -> None:
        if self.telegram is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.telegram.bot.shutdown(), timeout=5)
        if self.whatsapp is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.whatsapp.aclose(), timeout=5)
