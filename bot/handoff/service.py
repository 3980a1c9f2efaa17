"""The pipeline's handoff seam on top of the Redis ticket queue.

Tickets and the recent transcript of a conversation that reached a counselor live in Redis
under the bot namespace, with a bounded retention; the address is never stored here.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis

from bot.core.ports import WaitEstimate
from bot.core.types import HandoffInfo, Incoming
from bot.handoff.queue import TicketQueue, estimated_wait

TRANSCRIPT_MAX = 200
SHIFT_HEARTBEAT_SECONDS = 120


class RedisHandoff:
    def __init__(self, redis: Redis, namespace: str, *, retention_seconds: int = 90 * 86400,
                 clock: Callable[[], float] = time.time) -> None:
        self.redis = redis
        self.ns = namespace
        self.queue = TicketQueue(redis, namespace, clock=clock)
        self.retention = retention_seconds
        self.clock = clock

    def _transcript_key(self, ticket_id: str) -> str:
        return f"{self.ns}:hq:transcript:{ticket_id}"

    def _shift_key(self) -> str:
        return f"{self.ns}:hq:onshift"

    async def open_ticket(self, msg: Incoming, *, lang: str, priority: str, category: str | None,
                          trigger: str | None, summary: str) -> tuple[HandoffInfo, WaitEstimate]:
        ticket, _created = await self.queue.open(msg.user_key, priority=priority, lang=lang, channel=msg.channel,
                                                 category=category, trigger=trigger)
        await self.record(ticket.id, "bot", f"[{summary}]")
        await self.record(ticket.id, "user", msg.text or "", _files(msg))
        info = HandoffInfo(ticket.id, "urgent" if ticket.priority == "urgent" else "normal")
        return info, await self._wait(ticket.id)

    async def is_open(self, ticket_id: str) -> bool:
        ticket = await self.queue.get(ticket_id)
        return ticket is not None and ticket.status != "closed"

    async def relay(self, ticket_id: str, msg: Incoming) -> None:
        text = ("[editado] " if msg.edited else "") + (msg.text or "")
        await self.record(ticket_id, "user", text, _files(msg))

    async def forget_user(self, user_key: str) -> None:
        ticket = await self.queue.open_for_user(user_key)
        if ticket is not None:
            await self.redis.delete(self._transcript_key(ticket.id))
            await self.queue.close(ticket.id, ticket.claimed_by or "user-deleted")

    async def transcript(self, ticket_id: str) -> list[dict[str, Any]]:
        raw = await self.redis.lrange(self._transcript_key(ticket_id), 0, -1)
        return [json.loads(item) for item in raw]

    async def counselors_on_shift(self) -> int:
        now = self.clock()
        await self.redis.zremrangebyscore(self._shift_key(), 0, now - SHIFT_HEARTBEAT_SECONDS)
        return int(await self.redis.zcard(self._shift_key()))

    async def heartbeat(self, counselor_id: str) -> None:
        await self.redis.zadd(self._shift_key(), {counselor_id: self.clock()})

    async def _wait(self, ticket_id: str) -> WaitEstimate:
        waiting = await self.queue.waiting()
        position = next((i for i, t in enumerate(waiting) if t.id == ticket_id), 0)
        seconds = estimated_wait(position, await self.counselors_on_shift())
        return WaitEstimate(None if seconds is None else max(1, math.ceil(seconds / 60)))

    async def record(self, ticket_id: str, who: str, text: str,
                     files: list[dict[str, str | None]] | None = None) -> None:
        """Append to the ticket's transcript (bounded, expires with the retention period). `files`
        are the platform's references to the user's media, fetched only when a counselor opens them."""
        key = self._transcript_key(ticket_id)
        item = json.dumps({"from": who, "text": text[:4000], "files": files or [], "at": self.clock()})
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, item)
            pipe.ltrim(key, -TRANSCRIPT_MAX, -1)
            pipe.expire(key, self.retention)
            await pipe.execute()


def _files(msg: Incoming) -> list[dict[str, str | None]]:
    return [{"kind": m.kind, "ref": m.url, "type": m.content_type} for m in msg.media]
