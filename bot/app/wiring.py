"""The platforms a deployment runs: their senders and the workers that move messages. Built by the web
app's start-up and by `python -m bot worker` alike (bot/app/worker.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx
from telegram.error import InvalidToken, NetworkError

from bot.app.analytics import AnalyticsFlusher
from bot.app.audio_links import AudioLinks
from bot.app.broadcasts import BroadcastRunner
from bot.app.runtime import Runtime
from bot.app.scheduler import TipScheduler
from bot.channels.telegram import TelegramSender, make_bot, poll
from bot.channels.whatsapp import TwilioSender, make_client
from bot.channels.whatsapp_content import ContentMap
from bot.config import Settings, SettingsError
from bot.delivery.inbox import Inbox, InboxWorker
from bot.delivery.outbox import OutboxWorker, Sender, SimulatorSender
from bot.flows.series import load_series
from bot.handoff.oncall import OnCallAlerts
from bot.store.analytics import SqlAnalytics
from bot.store.broadcasts import SqlBroadcasts

log = logging.getLogger(__name__)
MAX_MEDIA = 20_000_000


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
                                  parked_ttl=self.settings.whatsapp_parked_hours * 3600,
                                  subscriptions=self.runtime.subscriptions)
            jobs.append(worker.run())
        scheduler = self.tip_scheduler()
        if scheduler is not None:
            jobs.append(scheduler.run())
        flusher = self.analytics_flusher()
        if flusher is not None:
            jobs.append(flusher.run())
        if self.telegram is not None and self.settings.telegram_mode == "polling":
            jobs.append(poll(self.telegram.bot, inbox))
        if self.telegram is not None and self.settings.oncall_telegram_chat_id is not None:
            jobs.append(self.oncall_alerts().run())
        return jobs

    def tip_scheduler(self) -> TipScheduler | None:
        """The weekly tips (flows/campaign/weekly_tips.yml) and the broadcasts (`python -m bot campaign`):
        every worker process runs one scheduler, one leads."""
        series = load_series(self.settings.flows_dir)
        subscriptions = self.runtime.subscriptions
        if subscriptions is None:
            return None
        pipeline = self.runtime.pipeline
        broadcasts = BroadcastRunner(self.runtime.redis, self.runtime.namespace, SqlBroadcasts(subscriptions.engine),
                                     self.runtime.outbox, lambda: pipeline.bundle)
        return TipScheduler(self.runtime.redis, self.runtime.namespace, subscriptions, self.runtime.outbox,
                            lambda: pipeline.bundle, series, broadcasts=broadcasts)

    def analytics_flusher(self) -> AnalyticsFlusher | None:
        """Analytics events: Redis → `analytics_events` (bot/app/analytics.py); every worker process runs one."""
        runtime = self.runtime
        if runtime.analytics is None or runtime.subscriptions is None:
            return None
        return AnalyticsFlusher(runtime.redis, runtime.namespace, runtime.analytics,
                                SqlAnalytics(runtime.subscriptions.engine),
                                keep_days=self.settings.analytics_retention_days)

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
