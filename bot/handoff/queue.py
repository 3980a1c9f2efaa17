"""The counselor ticket queue in Redis: priority then first-in-first-out, atomic claims, leases.

Everything lives in Redis (no process state), so bot restarts lose nothing; with Redis' append-only
file, neither do Redis restarts. Multi-key changes are Lua scripts, so two counselors can never
hold the same ticket and a user never has two open tickets.

Keys under `<ns>:hq:{hq}:` (bot/store/keys.py; one Redis Cluster hash tag, so any script may touch any of
them): `ticket:<id>` (hash), `waiting` (sorted set, score = priority * 1e13 + arrival ms), `claimed` (sorted
set, score = lease end), `touched` (sorted set, score = last activity of each open ticket), `open:<user_key>`
(the user's open ticket id).

Every operation a user's turn makes is O(log n) in the number of tickets: opening returns the
ticket's place (ZRANK) and the queue's size; counts per priority are ZCOUNTs over the score bands.
Only the console reads ticket hashes, a bounded page at a time.

Retention (docs/RETENTION.md): an open ticket untouched (no message either way, no claim) for
`abandon_seconds` is closed as abandoned; a closed ticket's hash expires `closed_ttl_seconds` after
closing, like its transcript. Open tickets and markers carry a TTL of both together as a backstop.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.store.keys import Keys

PRIORITIES = {"urgent": 0, "normal": 1}
_BAND = 10**13  # arrival in ms stays below this, so priority dominates the score
DAY = 86400
RETENTION_SECONDS = 90 * DAY  # closed tickets and transcripts: what content/*/about.yml promises
ABANDON_SECONDS = 30 * DAY  # like the conversation state: after that the user's state no longer points here
PAGE = 100  # tickets the console reads at a time


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


@dataclass(frozen=True)
class Opened:
    """What a user's turn needs after opening (or raising) a ticket, without reading any other ticket."""

    id: str
    created: bool
    priority: str
    position: int | None  # 0 = next in line; None when a counselor already holds it
    waiting: int  # tickets waiting in all


# KEYS: open marker, waiting, ticket prefix, touched, claimed
# ARGV: new id, priority, rank, now, lang, channel, category, trigger, user, open ttl
_OPEN = """
local id = redis.call('GET', KEYS[1])
local created = 0
local key
if id then
  key = KEYS[3] .. id
  local status = redis.call('HGET', key, 'status')
  if not status or status == 'closed' then
    if not status then  -- the hash expired: drop what still points to it
      redis.call('ZREM', KEYS[2], id)
      redis.call('ZREM', KEYS[5], id)
      redis.call('ZREM', KEYS[4], id)
    end
    id = false
  end
end
if id then
  local current = tonumber(redis.call('HGET', key, 'rank'))
  if tonumber(ARGV[3]) < current then
    redis.call('HSET', key, 'rank', ARGV[3], 'priority', ARGV[2])
    if ARGV[7] ~= '' then redis.call('HSET', key, 'category', ARGV[7], 'trigger', ARGV[8]) end
    if redis.call('HGET', key, 'status') == 'waiting' then
      local arrived = tonumber(redis.call('HGET', key, 'created_ms'))
      redis.call('ZADD', KEYS[2], tonumber(ARGV[3]) * 1e13 + arrived, id)
    end
  end
else
  id = ARGV[1]
  key = KEYS[3] .. id
  created = 1
  local arrived = math.floor(tonumber(ARGV[4]) * 1000)
  redis.call('HSET', key, 'id', id, 'user_key', ARGV[9], 'priority', ARGV[2], 'rank', ARGV[3],
    'status', 'waiting', 'lang', ARGV[5], 'channel', ARGV[6], 'category', ARGV[7], 'trigger', ARGV[8],
    'created_at', ARGV[4], 'created_ms', arrived, 'claimed_by', '', 'lease_until', '')
  redis.call('ZADD', KEYS[2], tonumber(ARGV[3]) * 1e13 + arrived, id)
  redis.call('SET', KEYS[1], id)
end
redis.call('EXPIRE', key, ARGV[10])
redis.call('EXPIRE', KEYS[1], ARGV[10])
redis.call('ZADD', KEYS[4], ARGV[4], id)
local position = redis.call('ZRANK', KEYS[2], id)
if not position then position = -1 end
return {id, created, redis.call('HGET', key, 'priority'), position, redis.call('ZCARD', KEYS[2])}
"""

# KEYS: open marker, waiting, ticket prefix; ARGV: rank, priority. Read only: the user's open ticket (or '')
# and how many tickets wait ahead of it (-1: a counselor holds it), for a new ticket those ahead of its
# place; and the priority it would have.
_PLAN = """
local id = redis.call('GET', KEYS[1])
local rank = tonumber(ARGV[1])
if id then
  local s = redis.call('HMGET', KEYS[3] .. id, 'status', 'rank', 'created_ms', 'priority')
  if s[1] and s[1] ~= 'closed' then
    local priority = s[4]
    if tonumber(s[2]) > rank then priority = ARGV[2] end
    if s[1] ~= 'waiting' then return {id, -1, priority} end
    local score = math.min(rank, tonumber(s[2])) * 1e13 + tonumber(s[3])
    return {id, redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. string.format('%.0f', score)), priority}
  end
end
return {'', redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. string.format('%.0f', (rank + 1) * 1e13)), ARGV[2]}
"""

# KEYS: ticket, touched, open prefix; ARGV: id, now, open ttl. Someone acted on an open ticket.
_TOUCH = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'closed' then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[3] .. redis.call('HGET', KEYS[1], 'user_key'), ARGV[3])
return 1
"""

# KEYS: waiting, claimed, ticket prefix, touched, open prefix; ARGV: ticket id or '', counselor, lease end, now, ttl
_CLAIM = """
local id = ARGV[1]
if id == '' then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #first == 0 then return false end
  id = first[1]
end
if redis.call('ZREM', KEYS[1], id) == 0 then return false end
local key = KEYS[3] .. id
redis.call('HSET', key, 'status', 'claimed', 'claimed_by', ARGV[2], 'lease_until', ARGV[3])
redis.call('ZADD', KEYS[2], tonumber(ARGV[3]), id)
redis.call('ZADD', KEYS[4], ARGV[4], id)
redis.call('EXPIRE', key, ARGV[5])
redis.call('EXPIRE', KEYS[5] .. redis.call('HGET', key, 'user_key'), ARGV[5])
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

# KEYS: waiting, claimed, ticket prefix, open prefix, touched
# ARGV: id, counselor ('' = anyone), now, closed ttl, reason
_CLOSE = """
local key = KEYS[3] .. ARGV[1]
local status = redis.call('HGET', key, 'status')
if not status or status == 'closed' then return 0 end
if ARGV[2] ~= '' and status == 'claimed' and redis.call('HGET', key, 'claimed_by') ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('HSET', key, 'status', 'closed', 'closed_at', ARGV[3], 'closed_reason', ARGV[5])
redis.call('EXPIRE', key, ARGV[4])
local marker = KEYS[4] .. redis.call('HGET', key, 'user_key')
if redis.call('GET', marker) == ARGV[1] then redis.call('DEL', marker) end
return 1
"""

# KEYS: waiting, claimed, ticket prefix, open prefix, touched; ARGV: cutoff, now, closed ttl, limit
_ABANDON = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[4]))
for _, id in ipairs(ids) do
  local key = KEYS[3] .. id
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[5], id)
  local status = redis.call('HGET', key, 'status')
  if status and status ~= 'closed' then
    redis.call('HSET', key, 'status', 'closed', 'closed_at', ARGV[2], 'closed_reason', 'abandoned',
      'claimed_by', '', 'lease_until', '')
    redis.call('EXPIRE', key, ARGV[3])
    local marker = KEYS[4] .. redis.call('HGET', key, 'user_key')
    if redis.call('GET', marker) == id then redis.call('DEL', marker) end
  end
end
return #ids
"""


# KEYS: ticket; ARGV: now. 1 the first time a counselor replied on an existing ticket.
_FIRST_REPLY = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'replied_at', ARGV[1])
"""


class TicketQueue:
    def __init__(self, redis: Redis, namespace: str, clock: Callable[[], float] = time.time,
                 closed_ttl_seconds: int = RETENTION_SECONDS, abandon_seconds: int = ABANDON_SECONDS) -> None:
        self.redis = redis
        self.keys = Keys(namespace).tickets
        self.prefix = self.keys.prefix
        self.clock = clock
        self.closed_ttl = closed_ttl_seconds
        self.abandon = abandon_seconds
        self.open_ttl = abandon_seconds + closed_ttl_seconds  # backstop: the sweep closes it well before
        self._plan = redis.register_script(_PLAN)
        self._open = redis.register_script(_OPEN)
        self._touch = redis.register_script(_TOUCH)
        self._claim = redis.register_script(_CLAIM)
        self._change = redis.register_script(_CHANGE)
        self._close = redis.register_script(_CLOSE)
        self._abandon = redis.register_script(_ABANDON)
        self._replied = redis.register_script(_FIRST_REPLY)

    @property
    def _keys(self) -> list[str]:
        return [self.keys.waiting, self.keys.claimed, self.keys.ticket_prefix]

    @property
    def touched_key(self) -> str:
        return self.keys.touched

    def ticket_key(self, ticket_id: str) -> str:
        return self.keys.ticket(ticket_id)

    async def open(self, user_key: str, *, priority: str, lang: str, channel: str, category: str | None = None,
                   trigger: str | None = None) -> tuple[Ticket, bool]:
        """The user's open ticket (raised to `priority` if higher), or a new one. True if new."""
        opened = await self.open_fast(user_key, priority=priority, lang=lang, channel=channel, category=category,
                                      trigger=trigger)
        ticket = await self.get(opened.id)
        assert ticket is not None
        return ticket, opened.created

    async def plan(self, user_key: str, priority: str) -> tuple[str | None, int | None, str]:
        """Without changing anything: the user's open ticket (None: a new one would open), how many
        tickets would wait ahead of it at `priority` (None: a counselor already holds it), and the
        priority it would have (an urgent ticket stays urgent)."""
        ticket, ahead, effective = await self._plan(
            keys=[self.keys.open(user_key), self.keys.waiting, self.keys.ticket_prefix],
            args=[PRIORITIES[priority], priority])
        return _text(ticket) or None, None if int(ahead) < 0 else int(ahead), _text(effective)

    async def open_fast(self, user_key: str, *, priority: str, lang: str, channel: str, category: str | None = None,
                        trigger: str | None = None, new_id: str | None = None) -> Opened:
        """Like `open`, in one O(log n) round trip: the ticket's place in line instead of its hash.
        `new_id`: the id a new ticket gets (a turn derives it from the message, so a redone turn
        cannot open a second ticket); the user's open ticket keeps its own."""
        if priority not in PRIORITIES:
            raise ValueError(f"unknown priority {priority!r}")
        result = await self._open(
            keys=[self.keys.open(user_key), self.keys.waiting, self.keys.ticket_prefix,
                  self.touched_key, self.keys.claimed],
            args=[new_id or uuid.uuid4().hex, priority, PRIORITIES[priority], repr(self.clock()), lang, channel,
                  category or "", (trigger or "")[:200], user_key, self.open_ttl])
        position = int(result[3])
        return Opened(_text(result[0]), bool(int(result[1])), _text(result[2]), position if position >= 0 else None,
                      int(result[4]))

    async def touch(self, ticket_id: str) -> bool:
        """Someone wrote on an open ticket: it is not abandoned (keeps its TTLs fresh). False if closed."""
        return bool(await self._touch(keys=[self.ticket_key(ticket_id), self.touched_key, self.keys.open_prefix],
                                      args=[ticket_id, repr(self.clock()), self.open_ttl]))

    async def first_reply(self, ticket_id: str) -> bool:
        """Mark that a counselor replied on the ticket; True only the first time (for the time-to-first-reply
        figure in reports). A field of the ticket's own hash: it lives and goes with the ticket."""
        return bool(await self._replied(keys=[self.ticket_key(ticket_id)], args=[repr(self.clock())]))

    async def get(self, ticket_id: str) -> Ticket | None:
        data = await self.redis.hgetall(self.ticket_key(ticket_id))
        return Ticket.from_hash({_text(k): _text(v) for k, v in data.items()}) if data else None

    async def status(self, ticket_id: str) -> str | None:
        value = await self.redis.hget(self.ticket_key(ticket_id), "status")
        return _text(value) if value is not None else None

    async def open_for_user(self, user_key: str) -> Ticket | None:
        ticket_id = await self.redis.get(self.keys.open(user_key))
        return await self.get(_text(ticket_id)) if ticket_id else None

    async def waiting(self, limit: int | None = None) -> list[Ticket]:
        """Waiting tickets in order; the first `limit` of them (the console reads a page, never all)."""
        ids = await self.redis.zrange(self.keys.waiting, 0, -1 if limit is None else max(0, limit - 1))
        return await self._tickets([_text(i) for i in ids], "waiting")

    async def claimed(self, limit: int | None = None) -> list[Ticket]:
        ids = await self.redis.zrange(self.keys.claimed, 0, -1 if limit is None else max(0, limit - 1))
        return await self._tickets([_text(i) for i in ids], "claimed")

    async def overdue_urgent(self, arrived_before: float, *, offset: int = 0, limit: int = PAGE) -> list[Ticket]:
        """Urgent tickets waiting since before `arrived_before`, oldest first (urgent scores are the arrival ms)."""
        ids = await self.redis.zrangebyscore(self.keys.waiting, "-inf", int(arrived_before * 1000),
                                             start=offset, num=limit)
        return await self._tickets([_text(i) for i in ids], "waiting")

    async def _tickets(self, ids: list[str], index: str) -> list[Ticket]:
        """The hashes of `ids` in one round trip; ids whose hash expired are dropped from the index."""
        if not ids:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for ticket_id in ids:
                pipe.hgetall(self.ticket_key(ticket_id))
            rows: list[dict[Any, Any]] = await pipe.execute()
        gone = [ticket_id for ticket_id, row in zip(ids, rows, strict=True) if not row]
        if gone:
            await self.redis.zrem(self.prefix + index, *gone)
        return [Ticket.from_hash({_text(k): _text(v) for k, v in row.items()}) for row in rows if row]

    async def position(self, ticket_id: str) -> int | None:
        """0 = next in line; None when not waiting."""
        rank: Any = await self.redis.zrank(self.keys.waiting, ticket_id)
        return None if rank is None else int(rank)

    async def counts(self) -> dict[str, int]:
        """Waiting tickets per priority (ZCOUNT over each priority's score band) and claimed ones."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for rank in PRIORITIES.values():
                pipe.zcount(self.keys.waiting, rank * _BAND, f"({(rank + 1) * _BAND}")
            pipe.zcard(self.keys.claimed)
            values = [int(v) for v in await pipe.execute()]
        return {**dict(zip(PRIORITIES, values, strict=False)), "claimed": values[-1]}

    async def claim_next(self, counselor_id: str, lease_seconds: float) -> Ticket | None:
        return await self._claim_id("", counselor_id, lease_seconds)

    async def claim(self, ticket_id: str, counselor_id: str, lease_seconds: float) -> Ticket | None:
        return await self._claim_id(ticket_id, counselor_id, lease_seconds)

    async def _claim_id(self, ticket_id: str, counselor_id: str, lease_seconds: float) -> Ticket | None:
        now = self.clock()
        claimed = await self._claim(keys=[*self._keys, self.touched_key, self.keys.open_prefix],
                                    args=[ticket_id, counselor_id, repr(now + lease_seconds), repr(now),
                                          self.open_ttl])
        return await self.get(_text(claimed)) if claimed else None

    async def renew(self, ticket_id: str, counselor_id: str, lease_seconds: float) -> bool:
        return bool(await self._change(keys=self._keys, args=[ticket_id, counselor_id, "renew",
                                                              repr(self.clock() + lease_seconds)]))

    async def release(self, ticket_id: str, counselor_id: str) -> bool:
        """Back to waiting, in its original place."""
        return bool(await self._change(keys=self._keys, args=[ticket_id, counselor_id, "release", ""]))

    async def transfer(self, ticket_id: str, from_id: str, to_id: str) -> bool:
        return bool(await self._change(keys=self._keys, args=[ticket_id, from_id, "transfer", to_id]))

    async def close(self, ticket_id: str, counselor_id: str = "", reason: str = "closed") -> bool:
        """Closed tickets leave every index; the hash expires after the retention period."""
        return bool(await self._close(keys=[*self._keys, self.keys.open_prefix, self.touched_key],
                                       args=[ticket_id, counselor_id, repr(self.clock()), self.closed_ttl, reason]))

    async def close_abandoned(self, limit: int = PAGE) -> int:
        """Close open tickets nobody touched for `abandon_seconds` (at most `limit` per call, oldest first)."""
        now = self.clock()
        return int(await self._abandon(keys=[*self._keys, self.keys.open_prefix, self.touched_key],
                                       args=[repr(now - self.abandon), repr(now), self.closed_ttl, limit]))

    async def requeue_expired(self) -> int:
        """Tickets whose counselor's lease ran out go back to waiting, in their original place."""
        expired = await self.redis.zrangebyscore(self.keys.claimed, 0, self.clock())
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
