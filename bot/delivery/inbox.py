"""The durable inbox between the webhooks and the pipeline.

A webhook verifies and parses the platform's request, then `Inbox.accept` dedups it by the
platform's id and stores it in the user's queue in one atomic step, and only then answers
200. Workers (in any process) run the pipeline on each message in order per user; the turn's
replies are queued in the outbox in the same atomic step that saves the conversation, so a
crash anywhere between receiving and replying ends with the reply sent once.

A turn that fails is retried with back-off, MAX_ATTEMPTS times, then recorded for supervisors
(the failed list, with the exception's type); an entry that makes the worker itself raise is
isolated the same way (mailbox.Guard). Either way the other users' messages go on.
A Telegram button press is acknowledged in the background (bounded), never inside the turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from redis.asyncio import Redis

from bot.core.privacy import user_key
from bot.core.types import CHANNELS, Channel, Incoming, Media
from bot.delivery.mailbox import Claimed, Guard, Mailbox, backoff_seconds, drain, now_ms, work_loop
from bot.delivery.outbox import Outbox, record_failure
from bot.delivery.reach import Reach
from bot.dialog.pipeline import Pipeline
from bot.store.addresses import AddressBook

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
LEASE_MS = 30_000
CALLBACK_TIMEOUT = 10.0  # seconds an acknowledgement of a button press may take, in the background
CALLBACKS_IN_FLIGHT = 100  # more waiting than this (a Bot API that hangs): skip acknowledging (it is cosmetic)


@dataclass(frozen=True)
class Inbound:
    """A verified, parsed platform message, before it is stored."""

    channel: Channel
    address: str
    external_id: str
    text: str | None = None
    choice: str | None = None
    media: tuple[Media, ...] = ()
    edited: bool = False
    callback_id: str | None = None  # Telegram: the button press to acknowledge
    received_at: float = field(default_factory=time.time)


class Inbox:
    def __init__(self, redis: Redis, namespace: str, pepper: str, addresses: AddressBook) -> None:
        self.redis = redis
        self.ns = namespace
        self.pepper = pepper
        self.addresses = addresses
        self.mailbox = Mailbox(redis, namespace, "in")

    def user_key(self, channel: str, address: str) -> str:
        return user_key(self.pepper, channel, address)

    async def accept(self, item: Inbound) -> bool:
        """Store the message durably; False when this platform id was already accepted."""
        entry = json.dumps({
            "ch": item.channel, "id": item.external_id, "to": self.addresses.seal(item.channel, item.address),
            "text": item.text, "choice": item.choice, "media": [[m.kind, m.url, m.content_type] for m in item.media],
            "edited": item.edited, "cb": item.callback_id, "at": item.received_at, "n": 0,
        }, ensure_ascii=False, separators=(",", ":"))
        dedup = self.mailbox.keys.seen(item.channel, item.external_id)  # the queue's hash tag: one script
        return await self.mailbox.push(self.user_key(item.channel, item.address), [entry], dedup_key=dedup)


CallbackAnswerer = Callable[[str], Awaitable[None]]


class InboxWorker:
    """Runs the pipeline on stored messages; `on_callback` acknowledges Telegram button presses."""

    def __init__(self, inbox: Inbox, pipeline: Pipeline, *, on_callback: CallbackAnswerer | None = None,
                 max_attempts: int = MAX_ATTEMPTS, lease_ms: int = LEASE_MS) -> None:
        self.inbox = inbox
        self.redis = inbox.redis
        self.ns = inbox.ns
        self.pipeline = pipeline
        self.on_callback = on_callback
        self.max_attempts = max_attempts
        self.lease_ms = lease_ms
        self.reach = Reach(inbox.redis, inbox.ns)
        self.outbox = Outbox(inbox.redis, inbox.ns, inbox.addresses)
        self.guard = Guard("inbox", max_attempts, self._dead_letter)
        self.callbacks: set[asyncio.Task[None]] = set()

    async def run(self, concurrency: int = 8, idle: float = 0.05) -> None:
        try:
            await asyncio.gather(*(self._loop(idle) for _ in range(concurrency)))
        finally:
            for task in list(self.callbacks):
                task.cancel()

    async def _loop(self, idle: float) -> None:
        await work_loop(self.inbox.mailbox, self.process, lease_ms=self.lease_ms, idle=idle, guard=self.guard)

    async def run_once(self) -> int:
        """Process every message due now (tests and tools); returns how many were processed."""
        return await drain(self.inbox.mailbox, self.process, lease_ms=self.lease_ms, guard=self.guard)

    async def callbacks_answered(self) -> None:
        """Wait for the button acknowledgements started so far (tests, shutdown)."""
        await asyncio.gather(*self.callbacks, return_exceptions=True)

    async def _dead_letter(self, claimed: Claimed, attempts: int, error: str) -> None:
        channel = "?"
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            found = json.loads(claimed.head).get("ch")
            channel = found if found in CHANNELS else channel
        await record_failure(self.redis, self.ns, channel=channel, user=claimed.member, attempts=attempts,
                             reason=f"incoming message not processed ({error})", error=error)

    def _acknowledge(self, callback_id: str) -> None:
        """Acknowledge a button press outside the turn: the turn never waits for the Bot API."""
        if self.on_callback is None:
            return
        if len(self.callbacks) >= CALLBACKS_IN_FLIGHT:
            log.warning("inbox: %d button acknowledgements still waiting; skipping one", len(self.callbacks))
            return
        task = asyncio.create_task(self._answer(self.on_callback, callback_id))
        self.callbacks.add(task)
        task.add_done_callback(self.callbacks.discard)

    @staticmethod
    async def _answer(on_callback: CallbackAnswerer, callback_id: str) -> None:
        try:
            await asyncio.wait_for(on_callback(callback_id), CALLBACK_TIMEOUT)
        except Exception as exc:  # the spinner on the button is cosmetic; the message still counts
            log.warning("inbox: could not acknowledge a button press (%s)", type(exc).__name__)

    async def process(self, claimed: Claimed) -> int:
        data = json.loads(claimed.head)
        found = self.inbox.addresses.open(data["to"])
        if found is None or data["ch"] not in CHANNELS:
            log.error("inbox: unreadable entry dropped (ADDRESS_KEY changed?)")
            await self.inbox.mailbox.ack(claimed)
            return 0
        user = claimed.member
        msg = Incoming(channel=data["ch"], address=found[1], user_key=user, external_id=data["id"],
                       text=data["text"], choice=data["choice"],
                       media=tuple(Media(k, u, c) for k, u, c in data["media"]), edited=bool(data["edited"]),
                       received_at=datetime.fromtimestamp(float(data["at"]), UTC))
        if data.get("cb") and not data.get("n"):  # only on the first try: a retry's query id is stale
            self._acknowledge(str(data["cb"]))
        try:
            await self.reach.user_wrote(user)
            await self.outbox.mailbox(msg.channel).unpark(user)  # what waited for the window goes out
            reply = await self.pipeline.handle(msg, deliver=True)
            if reply.opted_out:
                await self.reach.mark_opted_out(user)
        except Exception as exc:
            attempts = int(data.get("n", 0)) + 1
            if attempts >= self.max_attempts:
                log.error("inbox: message dropped after %d attempts (%s)", attempts, type(exc).__name__)
                await record_failure(self.redis, self.ns, channel=msg.channel, user=user, attempts=attempts,
                                     reason=f"incoming message not processed ({type(exc).__name__})",
                                     error=type(exc).__name__)
                await self.inbox.mailbox.ack(claimed)
                return 0
            data["n"] = attempts
            log.warning("inbox: turn failed (%s), attempt %d", type(exc).__name__, attempts)
            await self.inbox.mailbox.retry(claimed, json.dumps(data, ensure_ascii=False),
                                           now_ms() + int(backoff_seconds(attempts) * 1000))
            return 0
        await self.inbox.mailbox.ack(claimed)
        return 1
