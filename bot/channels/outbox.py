"""The durable outbox: every message to a user goes through a per-user queue in Redis.

The pipeline's replies are queued in the same atomic step that saves the conversation; a
counselor's replies are queued by the console. Workers in any bot process send them in order
per user, respecting the platform's rates (shared across processes), retry with back-off on a
429, a 5xx or a network error, and record what finally failed for supervisors (no text, no
address). A message is split for its channel when it is queued, so each part is sent once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from redis.asyncio import Redis

from bot.channels.mailbox import Claimed, Mailbox, Rate, RateLimiter, drain, now_ms, work_loop
from bot.channels.reach import Reach
from bot.channels.render import render_for
from bot.core.ports import Push
from bot.core.types import Choice, Media, Outgoing
from bot.store.addresses import AddressBook

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
LEASE_MS = 30_000
FAILED_KEEP = 1000


class RetryLater(Exception):
    """A temporary failure (429, 5xx, network): try again, after `after` seconds when the platform said so."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class Undeliverable(Exception):
    """The platform will never take this message (blocked, opted out, bad request): record and drop it."""

    def __init__(self, reason: str, *, blocked: bool = False, opted_out: bool = False) -> None:
        super().__init__(reason)
        self.blocked = blocked
        self.opted_out = opted_out


class OutsideWindow(Exception):
    """WhatsApp's 24-hour window is closed: the user's messages wait until they write again."""


@dataclass(frozen=True)
class Pace:
    """A rate the sender must hold: per_user (one key per user) or one key for the whole sender."""

    name: str
    per_second: float
    per_user: bool = False
    burst: int = 0


class Sender(Protocol):
    channel: str
    paces: tuple[Pace, ...]

    async def send(self, user_key: str, address: str, message: Outgoing) -> None:
        """Send one message part (raises RetryLater, Undeliverable or OutsideWindow)."""
        ...


def outbox_queue(redis: Redis, namespace: str, channel: str) -> Mailbox:
    """The per-user queues of one channel's outbox."""
    return Mailbox(redis, namespace, f"out:{channel}")


def failed_key(namespace: str) -> str:
    """The list of messages that were never delivered (or processed), for supervisors."""
    return f"{namespace}:outbox:failed"


def encode_message(message: Outgoing) -> dict[str, Any]:
    return {"text": message.text, "choices": [[c.title, c.payload] for c in message.choices],
            "media": [[m.kind, m.url, m.content_type] for m in message.media]}


def decode_message(data: dict[str, Any]) -> Outgoing:
    return Outgoing(data["text"], tuple(Choice(t, p) for t, p in data.get("choices", [])),
                    tuple(Media(k, u, c) for k, u, c in data.get("media", [])))


@dataclass
class Entry:
    to: str  # the sealed (encrypted) "channel\naddress"
    message: dict[str, Any]
    queued_at: float = field(default_factory=time.time)
    attempts: int = 0
    id: str = field(default_factory=lambda: secrets.token_hex(6))

    def dumps(self) -> str:
        return json.dumps({"id": self.id, "to": self.to, "msg": self.message, "at": self.queued_at,
                           "n": self.attempts}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def loads(cls, raw: str) -> Entry:
        data = json.loads(raw)
        return cls(data["to"], data["msg"], float(data["at"]), int(data["n"]), data["id"])


class Outbox:
    def __init__(self, redis: Redis, namespace: str, addresses: AddressBook) -> None:
        self.redis = redis
        self.ns = namespace
        self.addresses = addresses
        self._mailboxes: dict[str, Mailbox] = {}

    def mailbox(self, channel: str) -> Mailbox:
        if channel not in self._mailboxes:
            self._mailboxes[channel] = outbox_queue(self.redis, self.ns, channel)
        return self._mailboxes[channel]

    def entries(self, channel: str, sealed_to: str, messages: Sequence[Outgoing]) -> list[str]:
        """Queue entries for `messages`, split as `channel` shows them."""
        return [Entry(sealed_to, encode_message(part)).dumps()
                for message in messages for part in render_for(channel, message)]

    def prepare(self, channel: str, user_key: str, sealed_to: str, messages: Sequence[Outgoing]) -> Push:
        """A push the pipeline makes in the same atomic step that saves the conversation."""
        return self.mailbox(channel).prepare(user_key, self.entries(channel, sealed_to, messages))

    async def enqueue(self, channel: str, user_key: str, messages: Sequence[Outgoing]) -> int:
        """Queue messages to a user outside a turn (a counselor's reply); 0 when no address is known."""
        found = await self.addresses.get(user_key)
        if found is None:
            return 0
        entries = self.entries(channel, self.addresses.seal(*found), messages)
        await self.mailbox(channel).push(user_key, entries)
        return len(entries)

    async def failed(self, limit: int = 100) -> list[dict[str, Any]]:
        return [json.loads(item) for item in await self.redis.lrange(failed_key(self.ns), -limit, -1)]


async def record_failure(redis: Redis, namespace: str, *, channel: str, user: str, reason: str,
                         **details: object) -> None:
    """A message that will not be delivered (or processed), for supervisors: no text, no address,
    the user's key shortened. The list keeps the last FAILED_KEEP."""
    record = json.dumps({"channel": channel, "user": user[:12], "reason": reason[:200], "failed_at": time.time(),
                         **details})
    async with redis.pipeline(transaction=True) as pipe:
        pipe.rpush(failed_key(namespace), record)
        pipe.ltrim(failed_key(namespace), -FAILED_KEEP, -1)
        await pipe.execute()


def backoff_seconds(attempts: int) -> float:
    """1, 2, 4 … 300 s, with jitter so retries of many users do not arrive together."""
    base: float = min(300.0, 2.0 ** max(0, attempts - 1))
    return base * random.uniform(0.8, 1.2)


class OutboxWorker:
    def __init__(self, redis: Redis, namespace: str, sender: Sender, addresses: AddressBook, *,
                 max_attempts: int = MAX_ATTEMPTS, lease_ms: int = LEASE_MS) -> None:
        self.redis = redis
        self.ns = namespace
        self.sender = sender
        self.channel = sender.channel
        self.addresses = addresses
        self.mailbox = outbox_queue(redis, namespace, sender.channel)
        self.max_attempts = max_attempts
        self.lease_ms = lease_ms
        self.limiter = RateLimiter(redis)
        self.reach = Reach(redis, namespace)

    async def run(self, concurrency: int = 4, idle: float = 0.05) -> None:
        """Send forever (until cancelled) with `concurrency` users in flight in this process."""
        await asyncio.gather(*(self._loop(idle) for _ in range(concurrency)))

    async def _loop(self, idle: float) -> None:
        await work_loop(self.mailbox, self.process, lease_ms=self.lease_ms, idle=idle, label=f"outbox {self.channel}")

    async def run_once(self) -> int:
        """Send everything due now (tests and tools); returns how many parts were sent."""
        return await drain(self.mailbox, self.process, lease_ms=self.lease_ms)

    async def process(self, claimed: Claimed) -> int:
        entry = Entry.loads(claimed.head)
        user = claimed.member
        rates = [(f"{self.ns}:rl:{self.channel}:{pace.name}" + (f":{user}" if pace.per_user else ""),
                  Rate(pace.per_second, pace.burst)) for pace in self.sender.paces]
        wait = await self.limiter.wait_ms(rates)
        if wait > 0:
            await self.mailbox.defer(claimed, now_ms() + wait)
            return 0
        skip = await self.reach.skip_reason(user, entry.queued_at)
        if skip:
            await self._fail(claimed, entry, skip)
            return 0
        address = self.addresses.open(entry.to)
        if address is None:
            await self._fail(claimed, entry, "address unreadable (ADDRESS_KEY changed?)")
            return 0
        try:
            await self.sender.send(user, address[1], decode_message(entry.message))
        except OutsideWindow:
            await self.mailbox.park(claimed)
            return 0
        except Undeliverable as exc:
            if exc.blocked:
                await self.reach.mark_blocked(user)
            if exc.opted_out:
                await self.reach.mark_opted_out(user)
            await self._fail(claimed, entry, str(exc))
            return 0
        except RetryLater as exc:
            entry.attempts += 1
            if entry.attempts >= self.max_attempts:
                await self._fail(claimed, entry, f"gave up after {entry.attempts} attempts: {exc}")
                return 0
            delay = exc.after if exc.after is not None else backoff_seconds(entry.attempts)
            log.warning("outbox %s: temporary failure (%s), attempt %d, next in %.1f s",
                        self.channel, str(exc)[:80], entry.attempts, delay)
            await self.mailbox.retry(claimed, entry.dumps(), now_ms() + int(delay * 1000))
            return 0
        await self.mailbox.ack(claimed)
        return 1

    async def _fail(self, claimed: Claimed, entry: Entry, reason: str) -> None:
        log.warning("outbox %s: message dropped: %s", self.channel, reason[:120])
        await record_failure(self.redis, self.ns, channel=self.channel, user=claimed.member, entry=entry.id,
                             reason=reason, queued_at=entry.queued_at, attempts=entry.attempts)
        await self.mailbox.ack(claimed)


class SimulatorSender:
    """The simulated user's phone: messages wait in a list the simulator page polls."""

    channel = "simulator"
    paces: tuple[Pace, ...] = ()

    def __init__(self, redis: Redis, namespace: str) -> None:
        self.redis = redis
        self.ns = namespace

    async def send(self, user_key: str, address: str, message: Outgoing) -> None:
        key = f"{self.ns}:sim:inbox:{user_key}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, json.dumps(encode_message(message), ensure_ascii=False))
            pipe.ltrim(key, -100, -1)
            pipe.expire(key, 86400)
            await pipe.execute()
