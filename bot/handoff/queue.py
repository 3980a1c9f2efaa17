"""The counselor ticket queue in Redis: priority then first-in-first-out, atomic claims, leases.

Everything lives in Redis (no process state), so bot restarts lose nothing; with Redis' append-only
file, neither do Redis restarts. Multi-key changes are Lua scripts, so two counselors can never
hold the same ticket and a user never has two open tickets.

Keys under `{ns}:hq:`: `ticket:<id>` (hash), `waiting` (sorted set, score = priority * 1e13 + arrival ms),
`claimed` (sorted set, score = lease end), `open:<user_key>` (the user's open ticket id).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

PRIORITIES = {"urgent": 0, "normal": 1}
_BAND = 10**13  # arrival in ms stays below this, so priority dominates the score


@dataclass(frozen=True)
class Ticket:
    id: str
    user_key: str
    priority: str
    status: str  # waiting | claimed | closed
    lang: str
    channel: str
    category: str | None
    trigger: str | None
    created_at: float
    claimed_by: str | None
    lease_until: float | None

    @classmethod
    def from_hash(cls, data: dict[str, Any]) -> Ticket:
        return cls(
            id=data["id"], user_key=data["user_key"], priority=data["priority"], status=data["status"],
            lang=data.get("lang", "es"), channel=data.get("channel", ""), category=data.get("category") or None,
            trigger=data.get("trigger") or None, created_at=float(data["created_at"]),
            claimed_by=data.get("claimed_by") or None,
            lease_until=float(data["lease_until"]) if data.get("lease_until") else None,
        )


# KEYS: open marker, waiting, ticket prefix; ARGV: new id, priority, rank, now, lang, channel, category, trigger, user
_OPEN = """
local existing = redis.call('GET', KEYS[1])
if existing then
  local key = KEYS[3] .. existing
  local current = tonumber(redis.call('HGET', key, 'rank'))
  if tonumber(ARGV[3]) < current then
    redis.call('HSET', key, 'rank', ARGV[3], 'priority', ARGV[2])
    if ARGV[7] ~= '' then redis.call('HSET', key, 'category', ARGV[7], 'trigger', ARGV[8]) end
    if redis.call('HGET', key, 'status') == 'waiting' then
      local created = tonumber(redis.call('HGET', key, 'created_ms'))
      redis.call('ZADD', KEYS[2], tonumber(ARGV[3]) * 1e13 + created, existing)
    end
  end
  return {existing, 0}
end
local key = KEYS[3] .. ARGV[1]
local created = math.floor(tonumber(ARGV[4]) * 1000)
redis.call('HSET', key, 'id', ARGV[1], 'user_key', ARGV[9], 'priority', ARGV[2], 'rank', ARGV[3],
  'status', 'waiting', 'lang', ARGV[5], 'channel', ARGV[6], 'category', ARGV[7], 'trigger', ARGV[8],
  'created_at', ARGV[4], 'created_ms', created, 'claimed_by', '', 'lease_until', '')
redis.call('ZADD', KEYS[2], tonumber(ARGV[3]) * 1e13 + created, ARGV[1])
redis.call('SET', KEYS[1], ARGV[1])
return {ARGV[1], 1}
"""

# KEYS: waiting, claimed, ticket prefix; ARGV: ticket id or '', counselor, lease end
_CLAIM = """
local id = ARGV[1]
if id == '' then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #first == 0 then return false end
  id = first[1]
end
if redis.call('ZREM', KEYS[1], id) == 0 then return false end
redis.call('HSET', KEYS[3] .. id, 'status', 'claimed', 'claimed_by', ARGV[2], 'lease_until', ARGV[3])
redis.call('ZADD', KEYS[2], tonumber(ARGV[3]), id)
return id
"""

# KEYS: waiting, claimed, ticket prefix; ARGV: id, counselor ('' = anyone), action, lease end / new owner
_CHANGE = """
local key = KEYS[3] .. ARGV[1]
if redis.call('HGET', key, 'status') ~= 'claimed' then return 0 end
if ARGV[2] ~= '' and redis.call('HGET', key, 'claimed_by') ~= ARGV[2] then return 0 end
if ARGV[3] == 'renew' then
  redis.call('HSET', key, 'lease_until', ARGV[4])
  redis.call('ZADD', KEYS[2], tonumber(ARGV[4]), ARGV[1])
elseif ARGV[3] == 'transfer' then
  redis.call('HSET', key, 'claimed_by', ARGV[4])
elseif ARGV[3] == 'release' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HSET', key, 'status', 'waiting', 'claimed_by', '', 'lease_until', '')
  local score = tonumber(redis.call('HGET', key, 'rank')) * 1e13 + tonumber(redis.call('HGET', key, 'created_ms'))
  redis.call('ZADD', KEYS[1], score, ARGV[1])
end
return 1
"""

# KEYS: waiting, claimed, ticket prefix, open prefix; ARGV: id, counselor ('' = anyone), now
_CLOSE = """
local key = KEYS[3] .. ARGV[1]
local status = redis.call('HGET', key, 'status')
if not status or status == 'closed' then return 0 end
if ARGV[2] ~= '' and status == 'claimed' and redis.call('HGET', key, 'claimed_by') ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', key, 'status', 'closed', 'closed_at', ARGV[3])
local user = redis.call('HGET', key, 'user_key')
local marker = KEYS[4] .. user
if redis.call('GET', marker) == ARGV[1] then redis.call('DEL', marker) end
return 1
"""


class TicketQueue:
    def __init__(self, redis: Redis, namespace: str, clock: Callable[[], float] = time.time,
                 closed_ttl_seconds: int = 90 * 86400) -> None:
        self.redis = redis
        self.prefix = f"{namespace}:hq:"
        self.clock = clock
        self.closed_ttl = closed_ttl_seconds
        self._open = redis.register_script(_OPEN)
        self._claim = redis.register_script(_CLAIM)
        self._change = redis.register_script(_CHANGE)
        self._close = redis.register_script(_CLOSE)

    @property
    def _keys(self) -> list[str]:
        return [self.prefix + "waiting", self.prefix + "claimed", self.prefix + "ticket:"]

    async def open(self, user_key: str, *, priority: str, lang: str, channel: str, category: str | None = None,
                   trigger: str | None = None) -> tuple[Ticket, bool]:
        """The user's open ticket (raised to `priority` if higher), or a new one. True if new."""
        if priority not in PRIORITIES:
            raise ValueError(f"unknown priority {priority!r}")
        result = await self._open(
            keys=[self.prefix + "open:" + user_key, self.prefix + "waiting", self.prefix + "ticket:"],
            args=[uuid.uuid4().hex, priority, PRIORITIES[priority], repr(self.clock()), lang, channel,
                  category or "", (trigger or "")[:200], user_key])
        ticket = await self.get(_text(result[0]))
        assert ticket is not None
        return ticket, bool(int(result[1]))

    async def get(self, ticket_id: str) -> Ticket | None:
        data = await self.redis.hgetall(self.prefix + "ticket:" + ticket_id)
        return Ticket.from_hash({_text(k): _text(v) for k, v in data.items()}) if data else None

    async def open_for_user(self, user_key: str) -> Ticket | None:
        ticket_id = await self.redis.get(self.prefix + "open:" + user_key)
        return await self.get(_text(ticket_id)) if ticket_id else None

    async def waiting(self) -> list[Ticket]:
        ids = await self.redis.zrange(self.prefix + "waiting", 0, -1)
        return [t for t in [await self.get(_text(i)) for i in ids] if t is not None]

    async def claimed(self) -> list[Ticket]:
        ids = await self.redis.zrange(self.prefix + "claimed", 0, -1)
        return [t for t in [await self.get(_text(i)) for i in ids] if t is not None]

    async def claim_next(self, counselor_id: str, lease_seconds: float) -> Ticket | None:
        return await self._claim_id("", counselor_id, lease_seconds)

    async def claim(self, ticket_id: str, counselor_id: str, lease_seconds: float) -> Ticket | None:
        return await self._claim_id(ticket_id, counselor_id, lease_seconds)

    async def _claim_id(self, ticket_id: str, counselor_id: str, lease_seconds: float) -> Ticket | None:
        claimed = await self._claim(keys=self._keys, args=[ticket_id, counselor_id, repr(self.clock() + lease_seconds)])
        return await self.get(_text(claimed)) if claimed else None

    async def renew(self, ticket_id: str, counselor_id: str, lease_seconds: float) -> bool:
        return bool(await self._change(keys=self._keys, args=[ticket_id, counselor_id, "renew",
                                                              repr(self.clock() + lease_seconds)]))

    async def release(self, ticket_id: str, counselor_id: str) -> bool:
        """Back to waiting, in its original place."""
        return bool(await self._change(keys=self._keys, args=[ticket_id, counselor_id, "release", ""]))

    async def transfer(self, ticket_id: str, from_id: str, to_id: str) -> bool:
        return bool(await self._change(keys=self._keys, args=[ticket_id, from_id, "transfer", to_id]))

    async def close(self, ticket_id: str, counselor_id: str = "") -> bool:
        done = bool(await self._close(keys=[*self._keys, self.prefix + "open:"],
                                      args=[ticket_id, counselor_id, repr(self.clock())]))
        if done:
            await self.redis.expire(self.prefix + "ticket:" + ticket_id, self.closed_ttl)
        return done

    async def requeue_expired(self) -> int:
        """Tickets whose counselor's lease ran out go back to waiting, in their original place."""
        expired = await self.redis.zrangebyscore(self.prefix + "claimed", 0, self.clock())
        count = 0
        for ticket_id in expired:
            count += int(await self._change(keys=self._keys, args=[_text(ticket_id), "", "release", ""]))
        return count


def estimated_wait(position: int, counselors_on_shift: int, avg_handle_seconds: float = 600) -> float | None:
    """Seconds until a counselor is likely free for the ticket at `position` (0 = next); None if nobody is on shift."""
    if counselors_on_shift <= 0:
        return None
    return (position // counselors_on_shift + 1) * avg_handle_seconds / 2


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
