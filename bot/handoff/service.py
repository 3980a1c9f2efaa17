"""The pipeline's handoff seam on top of the Redis ticket queue.

Tickets and the recent transcript of a conversation that reached a counselor live in Redis
under the bot namespace, with a bounded retention (docs/RETENTION.md: transcripts 90 days after
their last line, as content/*/about.yml promises); the address is never stored here.

A user's turn that opens a ticket makes three round trips, none of them reading another ticket:
open (and place in line), transcript (and "not abandoned"), counselors on shift.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, assert_never

from redis.asyncio import Redis

from bot.core.effects import HandoffEffect, OpenTicket, RecordReplies, Relay, ToldWaiting
from bot.core.ports import TicketPlan, WaitEstimate
from bot.core.types import HandoffInfo, Incoming, Outgoing
from bot.handoff.queue import ABANDON_SECONDS, RETENTION_SECONDS, TicketQueue, estimated_wait

TRANSCRIPT_MAX = 200
SHIFT_HEARTBEAT_SECONDS = 120

# KEYS: transcript, ticket, touched, open prefix; ARGV: max lines, retention, ticket id, now, open ttl,
# message mark ('' for none), told (1: the user was told a person will write), items…
# A message mark already applied (the ticket's `applied`) writes nothing: a redone turn doubles no line.
_RECORD = """
local exists = redis.call('EXISTS', KEYS[2]) == 1
if ARGV[6] ~= '' and exists then
  if redis.call('HGET', KEYS[2], 'applied') == ARGV[6] then return 0 end
  redis.call('HSET', KEYS[2], 'applied', ARGV[6])
end
if ARGV[7] == '1' and exists then redis.call('HSETNX', KEYS[2], 'bot_told', '1') end
for i = 8, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
local status = redis.call('HGET', KEYS[2], 'status')
if status and status ~= 'closed' then
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[5])
  redis.call('EXPIRE', KEYS[4] .. redis.call('HGET', KEYS[2], 'user_key'), ARGV[5])
end
return 1
"""




class RedisHandoff:
    def __init__(self, redis: Redis, namespace: str, *, retention_seconds: int = RETENTION_SECONDS,
                 abandon_seconds: int = ABANDON_SECONDS, clock: Callable[[], float] = time.time) -> None:
        self.redis = redis
        self.ns = namespace
        self.queue = TicketQueue(redis, namespace, clock=clock, closed_ttl_seconds=retention_seconds,
                                 abandon_seconds=abandon_seconds)
        self.retention = retention_seconds
        self.clock = clock
        self._record = redis.register_script(_RECORD)

    def _transcript_key(self, ticket_id: str) -> str:
        return self.queue.keys.transcript(ticket_id)

    def _shift_key(self) -> str:
        return self.queue.keys.onshift

    async def plan_ticket(self, user_key: str, priority: str) -> TicketPlan:
        ticket, ahead, effective = await self.queue.plan(user_key, priority)
        seconds = estimated_wait(ahead or 0, await self.counselors_on_shift())
        return TicketPlan(ticket, "urgent" if effective == "urgent" else "normal",
                          WaitEstimate(None if seconds is None else max(1, math.ceil(seconds / 60))))

    async def apply(self, message_id: str, effects: Sequence[HandoffEffect]) -> str | None:
        opened: str | None = None
        lines: dict[str, list[str]] = {}
        told: set[str] = set()
        for effect in effects:
            match effect:
                case OpenTicket():
                    result = await self.queue.open_fast(
                        effect.msg.user_key, priority=effect.priority, lang=effect.lang, channel=effect.msg.channel,
                        category=effect.category, trigger=effect.trigger, new_id=effect.new_id)
                    opened = result.id
                    if effect.note_message:
                        lines.setdefault(opened, []).extend(
                            [*(self._earlier(line) for line in effect.before), self._meta(effect.summary),
                             self._line("user", effect.msg.text or "", _files(effect.msg))])
                case Relay():
                    lines.setdefault(effect.ticket, []).append(self._relayed(effect.msg))
                case RecordReplies():
                    lines.setdefault(effect.ticket, []).extend(self._replies(effect.replies, effect.safety_index))
                case ToldWaiting():
                    told.add(effect.ticket)
                case _:
                    assert_never(effect)
        for ticket_id in lines.keys() | told:
            await self._append(ticket_id, lines.get(ticket_id, []), mark=message_id, told=ticket_id in told)
        return opened

    async def open_ticket(self, msg: Incoming, *, lang: str, priority: str, category: str | None,
                          trigger: str | None, summary: dict[str, str] | None = None,
                          ) -> tuple[HandoffInfo, WaitEstimate]:
        """Open (or raise) the user's ticket with the message in its transcript, outside a turn
        (the console's tools and tests); a turn plans and applies instead."""
        plan = await self.plan_ticket(msg.user_key, priority)
        ticket = await self.apply(msg.external_id, [OpenTicket(
            uuid.uuid4().hex, msg, lang, priority, category, trigger, summary or {"channel": msg.channel})])
        assert ticket is not None
        return HandoffInfo(ticket, plan.priority), plan.wait

    async def is_open(self, ticket_id: str) -> bool:
        return await self.queue.status(ticket_id) not in (None, "closed")

    async def relay(self, ticket_id: str, msg: Incoming) -> None:
        await self._append(ticket_id, [self._relayed(msg)])

    async def forget_user(self, user_key: str) -> None:
        ticket = await self.queue.open_for_user(user_key)
        if ticket is not None:
            await self.redis.delete(self._transcript_key(ticket.id))
            await self.queue.close(ticket.id, ticket.claimed_by or "user-deleted", reason="user-deleted")

    async def transcript(self, ticket_id: str) -> list[dict[str, Any]]:
        raw = await self.redis.lrange(self._transcript_key(ticket_id), 0, -1)
        return [json.loads(item) for item in raw]

    async def while_waiting(self, ticket_id: str) -> str:
        status, priority, told = await self.redis.hmget(self.queue.ticket_key(ticket_id), "status", "priority",
                                                        "bot_told")
        if _str(status) != "waiting" or _str(priority) != "normal":
            return "relay"
        return "answer" if told else "answer_and_tell"

    def _replies(self, replies: Sequence[Outgoing], safety_index: int | None) -> list[str]:
        """What the bot said to the user in a turn on this ticket, with the choices as they were shown;
        `safety_index` marks the safety reply, which the console highlights."""
        return [json.dumps({"from": "bot", "text": r.text[:4000], "choices": [c.title for c in r.choices],
                            "safety": i == safety_index, "files": [], "at": self.clock()})
                for i, r in enumerate(replies)]

    def _relayed(self, msg: Incoming) -> str:
        return self._line("user", ("[editado] " if msg.edited else "") + (msg.text or ""), _files(msg))

    def _earlier(self, line: dict[str, Any]) -> str:
        """A line of the conversation before the ticket opened (kept for minutes in the user's state)."""
        return json.dumps({"from": line.get("from", "user"), "text": str(line.get("text", ""))[:4000],
                           "choices": list(line.get("choices", [])),
                           "files": [{"kind": f.get("kind"), "ref": None, "type": None} for f in line.get("files", [])],
                           "at": float(line.get("at", 0.0)), "before_ticket": True})

    async def activity(self, ticket_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """Per ticket: transcript lines so far and when the last one was written (one round trip)."""
        if not ticket_ids:
            return {}
        async with self.redis.pipeline(transaction=False) as pipe:
            for ticket_id in ticket_ids:
                pipe.llen(self._transcript_key(ticket_id))
                pipe.lindex(self._transcript_key(ticket_id), -1)
            rows = await pipe.execute()
        result: dict[str, dict[str, float]] = {}
        for n, ticket_id in enumerate(ticket_ids):
            last = json.loads(rows[2 * n + 1]) if rows[2 * n + 1] else {}
            result[ticket_id] = {"lines": int(rows[2 * n]), "last_at": float(last.get("at", 0.0))}
        return result

    async def on_shift(self) -> list[str]:
        """Usernames of the staff whose console reported in the last two minutes."""
        names = await self.redis.zrangebyscore(self._shift_key(), self.clock() - SHIFT_HEARTBEAT_SECONDS, "+inf")
        return sorted(n.decode() if isinstance(n, bytes) else str(n) for n in names)

    async def counselors_on_shift(self) -> int:
        now = self.clock()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(self._shift_key(), 0, now - SHIFT_HEARTBEAT_SECONDS)
            pipe.zcard(self._shift_key())
            _, count = await pipe.execute()
        return int(count)

    async def heartbeat(self, counselor_id: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self._shift_key(), {counselor_id: self.clock()})
            pipe.expire(self._shift_key(), SHIFT_HEARTBEAT_SECONDS)  # nobody on shift: nothing kept
            await pipe.execute()

    async def record(self, ticket_id: str, who: str, text: str,
                     files: list[dict[str, str | None]] | None = None, *, by: str | None = None) -> None:
        """Append to the ticket's transcript (bounded, expires with the retention period). `files`
        are the platform's references to the user's media, fetched only when a counselor opens them;
        `by` is the staff member who wrote a counselor line or an internal note."""
        await self._append(ticket_id, [self._line(who, text, files, by)])

    def _line(self, who: str, text: str, files: list[dict[str, str | None]] | None = None,
              by: str | None = None) -> str:
        line: dict[str, object] = {"from": who, "text": text[:4000], "files": files or [], "at": self.clock()}
        if by:
            line["by"] = by
        return json.dumps(line)

    def _meta(self, summary: dict[str, str]) -> str:
        """Where the user was when the ticket opened (channel, lang, audience, at), as data."""
        return json.dumps({"from": "system", "text": "", "meta": dict(summary), "files": [], "at": self.clock()})

    async def _append(self, ticket_id: str, lines: list[str], *, mark: str = "", told: bool = False) -> None:
        """One round trip: the lines, the transcript's expiry, and the ticket marked as not abandoned;
        with a message `mark`, nothing when that message's lines were already written."""
        await self._record(keys=[self._transcript_key(ticket_id), self.queue.ticket_key(ticket_id),
                                 self.queue.touched_key, self.queue.keys.open_prefix],
                           args=[TRANSCRIPT_MAX, self.retention, ticket_id, repr(self.clock()), self.queue.open_ttl,
                                 mark, "1" if told else "0", *lines])


def _files(msg: Incoming) -> list[dict[str, str | None]]:
    return [{"kind": m.kind, "ref": m.url, "type": m.content_type} for m in msg.media]


def _str(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")
