"""The weekly tips' scheduler, inside the worker processes.

Every worker process runs one `TipScheduler`; one of them at a time is the leader, through a Redis lock
with an expiry (`<ns>:sched:{tips}:leader`, bot/store/keys.py) that the leader renews on every tick. When
the leader stops it releases the lock; when it dies the lock expires; either way another process takes over
within `lock_ttl` + `interval`.

At each tick the leader finds the latest weekly slot (day and local hour of flows/campaign/weekly_tips.yml,
America/La_Paz) and queues the tip of every subscriber who consented before it and has not had that slot's
tip, into the existing outbox (rate limits, retries and the failure record apply unchanged). The durable
mark is the subscription row itself: one conditional UPDATE claims "the tip of this slot" before the tip
is queued, so a subscriber gets at most one tip per week even when two schedulers tick at once (a lock
that expired under a paused leader). A claim whose tip cannot be queued is undone and tried at the next
tick; a subscriber with no address kept (it expired) is skipped for that week.

On WhatsApp a tip carries the approved template of its content key (`whatsapp_template:`, in the subscriber's
language or Spanish), which goes instead of the text outside the 24-hour window; a subscriber outside the
window with no template at all is skipped for that week and counted ("no template").

The leader's tick also advances the broadcasts (bot/app/broadcasts.py), when it was given a runner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable

from redis.asyncio import Redis

from bot.app.broadcasts import BroadcastRunner, campaign_message
from bot.core.types import Choice, Outgoing
from bot.delivery.outbox import Outbox
from bot.delivery.reach import Reach
from bot.dialog.bundle import Bundle
from bot.dialog.pipeline import OPEN
from bot.flows.series import Series
from bot.store.keys import Keys
from bot.store.subscriptions import Due, SqlSubscriptions

log = logging.getLogger(__name__)

STOP_FLOW = "weekly_stop"  # the flow the "no more tips" button opens (flows/weekly_stop.yml)
OPEN_LABEL = "weekly_tips.open"  # "Saber más": opens the tip's module
STOP_LABEL = "weekly_tips.stop"  # "No más consejos"

# Renew the lock only while it is still ours; release it only if it is still ours.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class LeaderLock:
    """One holder at a time across processes; the holder keeps it by renewing before `ttl_ms` ends."""

    def __init__(self, redis: Redis, key: str, ttl_ms: int) -> None:
        self.redis = redis
        self.key = key
        self.ttl_ms = ttl_ms
        self.token = secrets.token_hex(8)

    async def hold(self) -> bool:
        """Take the lock if it is free, renew it if it is ours; True while we lead."""
        return bool(await self.redis.eval(_RENEW, 1, self.key, self.token, str(self.ttl_ms)))

    async def release(self) -> None:
        await self.redis.eval(_RELEASE, 1, self.key, self.token)


class LeaderTask:
    """A periodic job that one worker process runs at a time: `tick` every `interval` seconds (it takes or
    renews `lock` and works only while leading); a failed tick is logged and tried again at the next one;
    the lock is released when the task stops, so another process takes over at once."""

    name = "task"
    lock: LeaderLock
    interval: float
    leading: bool

    async def tick(self) -> int:
        raise NotImplementedError

    async def run(self) -> None:
        try:
            while True:
                try:
                    await self.tick()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # a database or Redis hiccup: logged, tried again at the next tick
                    log.warning("%s: tick failed (%s)", self.name, type(exc).__name__)
                await asyncio.sleep(self.interval)
        finally:
            if self.leading:
                with contextlib.suppress(Exception):
                    await asyncio.shield(self.lock.release())
            self.leading = False


class TipScheduler(LeaderTask):
    name = "tips"

    def __init__(self, redis: Redis, namespace: str, subscriptions: SqlSubscriptions, outbox: Outbox,
                 bundle: Callable[[], Bundle], series: Series | None, *, clock: Callable[[], float] = time.time,
                 interval: float = 10.0, lock_ttl: float = 30.0, batch: int = 500,
                 broadcasts: BroadcastRunner | None = None) -> None:
        self.subscriptions = subscriptions
        self.outbox = outbox
        self.bundle = bundle  # the pipeline's current bundle (a content reload swaps it)
        self.series = series
        self.clock = clock
        self.interval = interval
        self.batch = batch
        self.lock = LeaderLock(redis, Keys(namespace).leader("tips"), int(lock_ttl * 1000))
        self.leading = False
        self.broadcasts = broadcasts  # None: this scheduler sends the weekly tips only
        self.reach = Reach(redis, namespace)

    async def tick(self) -> int:
        """Queue the tips due now and advance the broadcasts if this process leads; returns how many messages
        were queued."""
        was = self.leading
        self.leading = await self.lock.hold()
        if self.leading != was:
            log.info("tips: %s the scheduler's leader", "became" if self.leading else "is no longer")
        if not self.leading:
            return 0
        queued = 0
        if self.series is not None:
            try:
                queued += await self.send_due()
            except Exception as exc:  # the broadcasts still advance; the tips are tried at the next tick
                if self.broadcasts is None:
                    raise
                log.warning("tips: sending the due tips failed (%s)", type(exc).__name__)
        if self.broadcasts is not None:
            queued += await self.broadcasts.advance()
        return queued

    async def send_due(self) -> int:
        """Queue every due tip of the current slot (the claim makes this safe to run twice at once)."""
        if self.series is None:
            return 0
        slot, slot_at = self.series.slot(self.clock())
        queued = skipped = no_template = 0
        while True:
            due = await self.subscriptions.due(slot, slot_at, len(self.series.weeks), self.batch)
            if not due:
                break
            claimed = 0
            for subscriber in due:
                if not await self.subscriptions.claim(subscriber, slot):
                    continue  # another scheduler took it, or it ended meanwhile
                claimed += 1
                messages = self.message(subscriber)
                if subscriber.channel == "whatsapp" and messages[0].template is None and \
                        not await self.reach.window_open(subscriber.user_key):
                    no_template += 1  # outside WhatsApp's window only an approved template may go
                    continue
                try:
                    sent = await self.outbox.enqueue(subscriber.channel, subscriber.user_key, messages)
                except Exception:
                    await self.subscriptions.unclaim(subscriber, slot)
                    raise
                if sent:
                    queued += 1
                else:
                    skipped += 1  # no address kept for the user any more
            if len(due) < self.batch or not claimed:
                break
        if queued or skipped or no_template:
            log.info("tips: slot %s: %d queued, %d skipped (no address), %d skipped (WhatsApp, no template)",
                     slot, queued, skipped, no_template)
        return queued

    def message(self, subscriber: Due) -> list[Outgoing]:
        """The tip of the subscriber's week in their language and audience, with its two buttons (and, on
        WhatsApp, its approved template for outside the 24-hour window)."""
        bundle = self.bundle()
        assert self.series is not None
        tip = self.series.tip(subscriber.week, subscriber.audience)
        assert tip is not None  # `due` only returns subscribers with tips left
        catalog, lang, audience = bundle.catalog, subscriber.lang, subscriber.audience
        choices = (Choice(catalog.text(lang, OPEN_LABEL, audience=audience), f"{OPEN}{tip.open}"),
                   Choice(catalog.text(lang, STOP_LABEL, audience=audience), f"{OPEN}{STOP_FLOW}"))
        message = campaign_message(catalog, tip.say, lang, audience, choices).message
        if subscriber.channel != "whatsapp":
            message = Outgoing(message.text, message.choices)
        return [message]
