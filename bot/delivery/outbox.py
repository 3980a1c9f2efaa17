"""The durable outbox: every message to a user goes through a per-user queue in Redis.

The pipeline's replies are queued in the same atomic step that saves the conversation; a
counselor's replies are queued by the console. Workers in any bot process send them in order
per user, respecting the platform's rates (shared across processes), and record what finally
failed for supervisors (no text, no address). A message is split for its channel when it is
queued, so each part is sent once.

- A 429 is the platform asking us to wait: the whole sender waits what it said (every process),
  and it spends no attempt; a message that has waited RATE_WAIT_HOURS in all for 429s is recorded
  as failed. Attempts count real failures (5xx, network): back-off, then the failed list.
- A message that makes the sender raise something unforeseen is isolated (mailbox.Guard): retried,
  then recorded as failed with the exception's type; the other users' messages go on.
- A WhatsApp message outside the 24-hour window waits (parked) for the user to write, at most
  `parked_ttl` seconds; then it is dropped and recorded as failed.
- A broadcast's messages (bot/app/broadcasts.py) are queued once per user (`enqueue_broadcast`: the user's
  mark is set in the push's own step) and sent at most once: a worker that died in the middle of sending one
  leaves the mark saying so, and the next worker drops it (counted as uncertain) instead of sending it again.
  Their sent / failed / cancelled counts go to the broadcast's counters; a cancelled broadcast's messages are
  dropped when their turn comes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from redis.asyncio import Redis

from bot.core.ports import Push, Subscriptions
from bot.core.types import Choice, Media, Outgoing, Template
from bot.delivery.mailbox import (
    Claimed,
    Guard,
    Mailbox,
    Rate,
    RateLimiter,
    backoff_seconds,
    drain,
    now_ms,
    work_loop,
)
from bot.delivery.reach import Reach
from bot.delivery.render import render_for
from bot.store.addresses import AddressBook
from bot.store.broadcasts import BroadcastCounters
from bot.store.keys import Keys

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
LEASE_MS = 30_000
FAILED_KEEP = 1000
RATE_WAIT_HOURS = 6.0  # a message that waited this long in all for 429s is recorded as failed
PARKED_HOURS = 25.0  # WhatsApp's 24-hour window and an hour's margin: then a parked message is dropped
BROADCAST_MARK_SECONDS = 30 * 86400  # a broadcast's "queued for this user" mark outlives any broadcast
PUSH_CHUNK = 100  # users per push script of a broadcast's page
CANCEL_CHECK_SECONDS = 1.0  # how often a worker re-reads whether a broadcast was cancelled
SWEEP_SECONDS = 60.0  # how often a worker looks for parked messages whose time ran out


class RetryLater(Exception):
    """A temporary failure: try again, after `after` seconds when the platform said so.

    rate_limited: a 429, the platform asking us to slow down (no attempt is spent); whole_sender:
    the pause holds for every user of this sender, not only this one."""

    def __init__(self, reason: str, after: float | None = None, *, rate_limited: bool = False,
                 whole_sender: bool = False) -> None:
        super().__init__(reason)
        self.after = after
        self.rate_limited = rate_limited
        self.whole_sender = whole_sender


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

    async def send(self, user_key: str, address: str, message: Outgoing) -> str | None:
        """Send one message part (raises RetryLater, Undeliverable or OutsideWindow); the platform's id
        of the message when it gives one (WhatsApp's SID, for status callbacks)."""
        ...


@runtime_checkable
class KnowsWhatWasSent(Protocol):
    """A sender that can ask its platform whether a message was already taken (optional, `was_sent`): then a
    broadcast's message whose worker died mid-send is neither sent twice nor lost."""

    async def was_sent(self, user_key: str, address: str, message: Outgoing) -> bool | None:
        """True: the platform has it; False: it does not; None: it cannot tell."""
        ...


def outbox_queue(redis: Redis, namespace: str, channel: str) -> Mailbox:
    """The per-user queues of one channel's outbox."""
    return Mailbox(redis, namespace, f"out:{channel}")


def failed_key(namespace: str) -> str:
    """The list of messages that were never delivered (or processed), for supervisors."""
    return Keys(namespace).failed


def encode_message(message: Outgoing) -> dict[str, Any]:
    data: dict[str, Any] = {"text": message.text, "choices": [[c.title, c.payload] for c in message.choices],
                            "media": [[m.kind, m.url, m.content_type] for m in message.media]}
    if message.template is not None:
        data["tpl"] = [message.template.sid, message.template.variables]
    return data


def decode_message(data: dict[str, Any]) -> Outgoing:
    template = Template(*data["tpl"]) if data.get("tpl") else None
    return Outgoing(data["text"], tuple(Choice(t, p) for t, p in data.get("choices", [])),
                    tuple(Media(k, u, c) for k, u, c in data.get("media", [])), template)


@dataclass
class Entry:
    to: str  # the sealed (encrypted) "channel\naddress"
    message: dict[str, Any]
    queued_at: float = field(default_factory=time.time)
    attempts: int = 0  # real failures (5xx, network)
    id: str = field(default_factory=lambda: secrets.token_hex(6))
    waited: float = 0.0  # seconds waited because of 429s
    limited: int = 0  # 429s met
    broadcast: int = 0  # the broadcast this message belongs to (its counters), 0: none

    def dumps(self) -> str:
        data: dict[str, Any] = {"id": self.id, "to": self.to, "msg": self.message, "at": self.queued_at,
                                "n": self.attempts}
        if self.limited:
            data.update(w=round(self.waited, 3), r=self.limited)
        if self.broadcast:
            data["bc"] = self.broadcast
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def loads(cls, raw: str) -> Entry:
        data = json.loads(raw)
        return cls(data["to"], data["msg"], float(data["at"]), int(data["n"]), data["id"],
                   float(data.get("w", 0.0)), int(data.get("r", 0)), int(data.get("bc", 0)))


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

    def entries(self, channel: str, sealed_to: str, messages: Sequence[Outgoing], broadcast: int = 0) -> list[str]:
        """Queue entries for `messages`, split as `channel` shows them."""
        return [Entry(sealed_to, encode_message(part), broadcast=broadcast).dumps()
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

    async def enqueue_broadcast(self, channel: str, items: Sequence[tuple[str, Sequence[Outgoing]]],
                                broadcast: int) -> list[bool | None]:
        """Queue a broadcast's messages to many users (user, messages), each once: per user None when no address
        is known, True when queued now, False when this broadcast was already queued for them (the mark is set in
        the push's own step). Two round trips for the lot: the addresses (kept sealed as they are), the push."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for user, _ in items:
                pipe.get(self.addresses.key(user))
            sealed: list[Any] = await pipe.execute()
        mailbox = self.mailbox(channel)
        todo = [(user, self.entries(channel, found.decode() if isinstance(found, bytes) else found, messages,
                                    broadcast), mailbox.keys.broadcast(broadcast, user))
                for (user, messages), found in zip(items, sealed, strict=True) if found is not None]
        pushed: list[bool] = []
        for start in range(0, len(todo), PUSH_CHUNK):
            pushed += await mailbox.push_once(todo[start:start + PUSH_CHUNK], BROADCAST_MARK_SECONDS)
        done = iter(pushed)
        return [None if found is None else next(done) for found in sealed]

    async def broadcast_queued(self, channel: str, user_key: str, broadcast: int) -> bool:
        """Whether this broadcast was already queued for the user."""
        return bool(await self.redis.exists(self.mailbox(channel).keys.broadcast(broadcast, user_key)))

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


class OutboxWorker:
    def __init__(self, redis: Redis, namespace: str, sender: Sender, addresses: AddressBook, *,
                 max_attempts: int = MAX_ATTEMPTS, lease_ms: int = LEASE_MS,
                 max_rate_wait: float = RATE_WAIT_HOURS * 3600, parked_ttl: float = PARKED_HOURS * 3600,
                 subscriptions: Subscriptions | None = None) -> None:
        self.redis = redis
        self.subscriptions = subscriptions  # a platform opt-out (Twilio 21610) ends the weekly tips too
        self.ns = namespace
        self.sender = sender
        self.channel = sender.channel
        self.addresses = addresses
        self.mailbox = outbox_queue(redis, namespace, sender.channel)
        self.max_attempts = max_attempts
        self.lease_ms = lease_ms
        self.max_rate_wait = max_rate_wait
        self.parked_ttl = parked_ttl
        self.limiter = RateLimiter(redis)
        self.rate_keys = Keys(namespace).rates(self.channel)  # one hash tag: every rate in one GCRA call
        self.pause_key = self.rate_keys.paused
        self.reach = Reach(redis, namespace)
        self.counters = BroadcastCounters(redis, namespace)  # a broadcast's sent / failed / cancelled
        self._cancelled: dict[int, tuple[float, bool]] = {}  # broadcast → (when checked, cancelled?)
        self.guard = Guard(f"outbox {self.channel}", max_attempts, self._dead_letter)

    async def run(self, concurrency: int = 4, idle: float = 0.05) -> None:
        """Send forever (until cancelled) with `concurrency` users in flight in this process."""
        await asyncio.gather(self._sweep_forever(), *(self._loop(idle) for _ in range(concurrency)))

    async def _loop(self, idle: float) -> None:
        await work_loop(self.mailbox, self.process, lease_ms=self.lease_ms, idle=idle, guard=self.guard)

    async def run_once(self) -> int:
        """Send everything due now (tests and tools); returns how many parts were sent."""
        await self.sweep()
        return await drain(self.mailbox, self.process, lease_ms=self.lease_ms, guard=self.guard)

    async def _dead_letter(self, claimed: Claimed, attempts: int, error: str) -> None:
        entry_id = ""
        with contextlib.suppress(ValueError, KeyError, TypeError):
            entry_id = str(json.loads(claimed.head)["id"])
        await record_failure(self.redis, self.ns, channel=self.channel, user=claimed.member, entry=entry_id,
                             reason=f"not sent: {error} in the worker, {attempts} times", attempts=attempts,
                             error=error)

    async def sweep(self) -> int:
        """Drop the parked messages whose time ran out (recorded as failed); how many were dropped."""
        dropped = 0
        for member, count in await self.mailbox.expire_parked():
            dropped += count
            log.info("outbox %s: %d parked message(s) expired", self.channel, count)
            await record_failure(self.redis, self.ns, channel=self.channel, user=member, expired=count,
                                 reason=f"expired: the user did not write within {self.parked_ttl / 3600:g} h")
        return dropped

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception as exc:  # a sweep that fails now is done at the next one
                log.warning("outbox %s: parked sweep failed (%s)", self.channel, type(exc).__name__)
            await asyncio.sleep(SWEEP_SECONDS)

    async def process(self, claimed: Claimed) -> int:
        entry = Entry.loads(claimed.head)
        user = claimed.member
        rates = [(self.rate_keys.pace(pace.name, user if pace.per_user else None), Rate(pace.per_second, pace.burst))
                 for pace in self.sender.paces]
        wait = await self.limiter.wait_ms(rates, pause_key=self.pause_key)
        if wait > 0:
            await self.mailbox.defer(claimed, now_ms() + wait)
            return 0
        if entry.broadcast and await self._broadcast_cancelled(entry.broadcast):
            await self.mailbox.ack(claimed)  # the broadcast was cancelled while this waited its turn
            await self.counters.add(entry.broadcast, "cancelled")
            return 0
        skip = await self.reach.skip_reason(user, entry.queued_at)
        if skip:
            await self._fail(claimed, entry, skip)
            return 0
        address = self.addresses.open(entry.to)
        if address is None:
            await self._fail(claimed, entry, "address unreadable (ADDRESS_KEY changed?)")
            return 0
        message = decode_message(entry.message)
        if entry.broadcast and not await self._sending(claimed, entry, address[1], message):
            return 0
        try:
            platform_id = await self.sender.send(user, address[1], message)
        except OutsideWindow:
            await self._not_sent(claimed, entry)
            await self.mailbox.park(claimed, ttl_ms=int(self.parked_ttl * 1000))
            return 0
        except Undeliverable as exc:
            if exc.blocked:
                await self.reach.mark_blocked(user)
            if exc.opted_out:
                await self.reach.mark_opted_out(user)
                if self.subscriptions is not None:
                    await self.subscriptions.end(user, "opted_out")
            await self._fail(claimed, entry, str(exc))
            return 0
        except RetryLater as exc:
            await self._not_sent(claimed, entry)
            if exc.rate_limited:
                return await self._rate_limited(claimed, entry, exc)
            entry.attempts += 1
            if entry.attempts >= self.max_attempts:
                await self._fail(claimed, entry, f"gave up after {entry.attempts} attempts: {exc}")
                return 0
            delay = exc.after if exc.after is not None else backoff_seconds(entry.attempts)
            log.warning("outbox %s: temporary failure (%s), attempt %d, next in %.1f s",
                        self.channel, str(exc)[:80], entry.attempts, delay)
            await self.mailbox.retry(claimed, entry.dumps(), now_ms() + int(delay * 1000))
            return 0
        except Exception:
            await self._not_sent(claimed, entry)  # isolated and retried (mailbox.Guard): not a send in doubt
            raise
        await self.mailbox.ack(claimed)
        if entry.broadcast:
            await self.counters.sent(entry.broadcast, platform_id)
        return 1

    async def _sending(self, claimed: Claimed, entry: Entry, address: str, message: Outgoing) -> bool:
        """Whether to send a broadcast's message now. Its mark (set when it was queued) says "sending this entry"
        while it goes out; finding that already written means a worker died in the middle of sending it. A sender
        that can tell whether the platform took it (`was_sent`) is asked; otherwise it may have reached the user,
        so it is dropped (counted as `uncertain`) rather than sent twice."""
        mark = self.mailbox.keys.broadcast(entry.broadcast, claimed.member)
        before = await self.redis.set(mark, f"s:{entry.id}", xx=True, keepttl=True, get=True)
        if _text(before) != f"s:{entry.id}":
            return True
        taken = None
        if isinstance(self.sender, KnowsWhatWasSent):
            taken = await self.sender.was_sent(claimed.member, address, message)
        if taken is False:
            return True  # the platform never got it: send it now
        await self.mailbox.ack(claimed)
        if taken:
            await self.counters.sent(entry.broadcast, None)
        else:
            log.warning("outbox %s: a broadcast's message was being sent when its worker stopped; not sent again",
                        self.channel)
            await self.counters.add(entry.broadcast, "uncertain")
        return False

    async def _not_sent(self, claimed: Claimed, entry: Entry) -> None:
        """It did not go out (it waits, is retried or failed): a later try is not a send in doubt."""
        if entry.broadcast:
            await self.redis.set(self.mailbox.keys.broadcast(entry.broadcast, claimed.member), "q", xx=True,
                                 keepttl=True)

    async def _broadcast_cancelled(self, broadcast: int) -> bool:
        """Read at most once a second per broadcast: a cancel takes effect within a second."""
        now = time.monotonic()
        checked = self._cancelled.get(broadcast)
        if checked is None or now - checked[0] >= CANCEL_CHECK_SECONDS:
            checked = (now, await self.counters.cancelled(broadcast))
            self._cancelled[broadcast] = checked
        return checked[1]

    async def _rate_limited(self, claimed: Claimed, entry: Entry, exc: RetryLater) -> int:
        """Wait what the platform said (or 2, 4, 8 … s when it did not say); no attempt is spent."""
        entry.limited += 1
        delay = exc.after if exc.after is not None else backoff_seconds(entry.limited + 1)
        if entry.waited + delay > self.max_rate_wait:
            await self._fail(claimed, entry, f"rate-limited for more than {self.max_rate_wait / 3600:g} h in all")
            return 0
        entry.waited += delay
        if exc.whole_sender:
            await self.limiter.pause(self.pause_key, delay)
        log.info("outbox %s: rate-limited (%s), waiting %.1f s (%.0f s in all)", self.channel, str(exc)[:40],
                 delay, entry.waited)
        await self.mailbox.retry(claimed, entry.dumps(), now_ms() + int(delay * 1000))
        return 0

    async def _fail(self, claimed: Claimed, entry: Entry, reason: str) -> None:
        log.warning("outbox %s: message dropped: %s", self.channel, reason[:120])
        await record_failure(self.redis, self.ns, channel=self.channel, user=claimed.member, entry=entry.id,
                             reason=reason, queued_at=entry.queued_at, attempts=entry.attempts)
        await self.mailbox.ack(claimed)
        if entry.broadcast:
            await self.counters.add(entry.broadcast, "failed")


class SimulatorSender:
    """The simulated user's phone: messages wait in a list the simulator page polls."""

    channel = "simulator"
    paces: tuple[Pace, ...] = ()

    def __init__(self, redis: Redis, namespace: str) -> None:
        self.redis = redis
        self.ns = namespace

    async def send(self, user_key: str, address: str, message: Outgoing) -> str | None:
        key = Keys(self.ns).simulator_inbox(user_key)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, json.dumps(encode_message(message), ensure_ascii=False))
            pipe.ltrim(key, -100, -1)
            pipe.expire(key, 86400)
            await pipe.execute()
        return None


def _text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
