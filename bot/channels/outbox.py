"""The durable outbox: every message sent outside a webhook turn (a counselor's reply) goes
through a Redis Stream per channel with a consumer group, so a crash does not lose it.

A worker reads with XREADGROUP, sends, then acknowledges. Entries that a dead worker left
unacknowledged are taken over with XAUTOCLAIM; after MAX_ATTEMPTS deliveries an entry is moved
to `{ns}:outbox:failed` (visible to supervisors). Order per user holds with one worker per
channel; several workers share the group.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot.core.types import Choice, Outgoing
from bot.store.addresses import AddressBook

log = logging.getLogger(__name__)
GROUP = "senders"
MAX_ATTEMPTS = 5
IDLE_MS = 30_000


class SendError(Exception):
    """The platform refused or failed; the entry is retried later."""


class Sender(Protocol):
    async def send(self, user_key: str, address: str | None, message: Outgoing) -> None: ...


def _encode(message: Outgoing) -> str:
    return json.dumps({"text": message.text, "choices": [[c.title, c.payload] for c in message.choices]},
                      ensure_ascii=False)


def _decode(raw: str) -> Outgoing:
    data = json.loads(raw)
    return Outgoing(data["text"], tuple(Choice(t, p) for t, p in data.get("choices", [])))


class Outbox:
    def __init__(self, redis: Redis, namespace: str) -> None:
        self.redis = redis
        self.ns = namespace

    def stream(self, channel: str) -> str:
        return f"{self.ns}:outbox:{channel}"

    async def enqueue(self, channel: str, user_key: str, messages: Sequence[Outgoing]) -> list[str]:
        ids = []
        for message in messages:
            entry_id = await self.redis.xadd(self.stream(channel), {"user_key": user_key, "message": _encode(message),
                                                                    "queued_at": repr(time.time())})
            ids.append(entry_id if isinstance(entry_id, str) else entry_id.decode())
        return ids

    async def failed(self) -> list[dict[str, Any]]:
        return [json.loads(item) for item in await self.redis.lrange(f"{self.ns}:outbox:failed", 0, -1)]


class OutboxWorker:
    def __init__(self, redis: Redis, namespace: str, channel: str, sender: Sender, addresses: AddressBook | None,
                 consumer: str = "worker") -> None:
        self.outbox = Outbox(redis, namespace)
        self.redis = redis
        self.channel = channel
        self.stream = self.outbox.stream(channel)
        self.sender = sender
        self.addresses = addresses
        self.consumer = consumer

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run_once(self, block_ms: int = 1000, idle_ms: int = IDLE_MS) -> int:
        """Deliver what is waiting (and what a dead worker left behind); returns messages sent."""
        await self.ensure_group()
        autoclaim: Any = await self.redis.xautoclaim(self.stream, GROUP, self.consumer, min_idle_time=idle_ms,
                                                     start_id="0-0", count=50)
        claimed = autoclaim[1]
        fresh: Any = await self.redis.xreadgroup(GROUP, self.consumer, {self.stream: ">"}, count=50, block=block_ms)
        entries = list(claimed) + [e for _, items in fresh for e in items]
        sent = 0
        for entry_id, fields in entries:
            sent += await self._deliver(entry_id, fields)
        return sent

    async def _deliver(self, entry_id: Any, fields: dict[Any, Any]) -> int:
        data = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
                for k, v in fields.items()}
        user_key = data["user_key"]
        address = None
        if self.addresses is not None:
            found = await self.addresses.get(user_key)
            address = found[1] if found else None
        try:
            await self.sender.send(user_key, address, _decode(data["message"]))
        except SendError as exc:
            pending = await self.redis.xpending_range(self.stream, GROUP, min=entry_id, max=entry_id, count=1)
            deliveries = int(pending[0]["times_delivered"]) if pending else 1
            log.warning("outbox %s: delivery failed (%s), attempt %d", self.channel, type(exc).__name__, deliveries)
            if deliveries >= MAX_ATTEMPTS:
                await self.redis.rpush(f"{self.outbox.ns}:outbox:failed", json.dumps(
                    {"channel": self.channel, "user_key": user_key, "entry": str(entry_id), "reason": str(exc)[:200]}))
                await self.redis.xack(self.stream, GROUP, entry_id)
                await self.redis.xdel(self.stream, entry_id)
            return 0
        await self.redis.xack(self.stream, GROUP, entry_id)
        await self.redis.xdel(self.stream, entry_id)
        return 1


class SimulatorSender:
    """The simulated user's phone: messages wait in a list the simulator page polls."""

    def __init__(self, redis: Redis, namespace: str) -> None:
        self.redis = redis
        self.ns = namespace

    async def send(self, user_key: str, address: str | None, message: Outgoing) -> None:
        key = f"{self.ns}:sim:inbox:{user_key}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, _encode(message))
            pipe.ltrim(key, -100, -1)
            pipe.expire(key, 86400)
            await pipe.execute()
