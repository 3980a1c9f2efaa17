"""Durable per-user queues in Redis, shared by every bot process.

Each user has a list of entries; a sorted set holds, per user, when their head entry is due.
A worker claims the first due user atomically and holds a lease on them until it acknowledges,
retries or parks the head entry. So:

- order per user holds across processes (only one head per user is ever in flight);
- a crash loses nothing: when the lease runs out the user is due again and another worker
  takes the same head entry;
- a retry, a per-chat pause or a platform's 429 delays only that user, not the others.

Used for the inbox (webhook → pipeline) and the outboxes (pipeline, console → platform).
A Redis Stream with a consumer group was the first design; it hands one user's entries to
different consumers, which breaks their order across processes, so it was replaced by this.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.core.cancel import stop_if_cancelled
from bot.core.ports import Push

log = logging.getLogger(__name__)

PARKED = 10**15  # score of a user whose entries wait for something (WhatsApp's 24-hour window)

_PUSH = """
if KEYS[3] ~= '' then
  if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[3]) then return 0 end
end
for i = 4, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
return 1
"""

_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[3], 'LIMIT', 0, 20)
for _, member in ipairs(due) do
  local list = ARGV[1] .. member
  local head = redis.call('LINDEX', list, 0)
  if head then
    redis.call('ZADD', KEYS[1], tonumber(ARGV[3]) + tonumber(ARGV[4]), member)
    redis.call('SET', ARGV[2] .. member, ARGV[5], 'PX', ARGV[4])
    return {member, head}
  end
  redis.call('ZREM', KEYS[1], member)
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if first[2] then return {'', first[2]} end
return {}
"""

# KEYS: ready, list, lease; ARGV: member, token, mode, due, new_head
# mode: ack (pop head), retry (replace head, due later), park (keep head, parked), defer (keep head)
_SETTLE = """
if redis.call('GET', KEYS[3]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[3])
local mode = ARGV[3]
if mode == 'ack' then
  redis.call('LPOP', KEYS[2])
  if redis.call('LLEN', KEYS[2]) == 0 then redis.call('ZREM', KEYS[1], ARGV[1]); return 1 end
elseif mode == 'retry' then
  redis.call('LSET', KEYS[2], 0, ARGV[5])
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
return 1
"""

_UNPARK = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) >= tonumber(ARGV[3]) then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]); return 1 end
return 0
"""


async def work_loop(mailbox: Mailbox, process: Callable[[Claimed], Awaitable[int]], *, lease_ms: int,
                    idle: float, label: str) -> None:
    """Claim and process due heads forever (until cancelled); a Redis outage pauses, never ends it."""
    token = secrets.token_hex(8)
    while True:
        stop_if_cancelled()
        try:
            claimed = await mailbox.claim(token, lease_ms)
            if isinstance(claimed, Claimed):
                await process(claimed)
                continue
            await asyncio.sleep(idle if claimed is None else min(idle, claimed / 1000))
        except (ConnectionError, OSError, RedisError) as exc:
            log.warning("%s: redis unavailable (%s); retrying", label, type(exc).__name__)
            await asyncio.sleep(1)


async def drain(mailbox: Mailbox, process: Callable[[Claimed], Awaitable[int]], *, lease_ms: int) -> int:
    """Process every head due now (tests and tools); returns the sum of what `process` returned."""
    done = 0
    token = secrets.token_hex(8)
    while isinstance(claimed := await mailbox.claim(token, lease_ms), Claimed):
        done += await process(claimed)
    return done


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Claimed:
    member: str
    head: str
    token: str


class Mailbox:
    def __init__(self, redis: Redis, namespace: str, name: str) -> None:
        self.redis = redis
        self.prefix = f"{namespace}:mq:{name}"
        self.ready = f"{self.prefix}:ready"
        self._push = redis.register_script(_PUSH)
        self._claim = redis.register_script(_CLAIM)
        self._settle = redis.register_script(_SETTLE)
        self._unpark = redis.register_script(_UNPARK)

    def list_key(self, member: str) -> str:
        return f"{self.prefix}:u:{member}"

    def lease_key(self, member: str) -> str:
        return f"{self.prefix}:lease:{member}"

    def prepare(self, member: str, entries: list[str]) -> Push:
        return Push(self.ready, self.list_key(member), member, tuple(entries))

    async def push(self, member: str, entries: list[str], *, dedup_key: str = "", dedup_seconds: int = 86400,
                   due_ms: int | None = None) -> bool:
        """Append entries to the member's queue; False (and nothing stored) when dedup_key was already seen."""
        keys = [self.ready, self.list_key(member), dedup_key]
        args: list[Any] = [member, due_ms if due_ms is not None else now_ms(), dedup_seconds, *entries]
        return bool(await self._push(keys=keys, args=args))

    async def claim(self, token: str, lease_ms: int) -> Claimed | int | None:
        """The first due member's head entry, leased to `token`; else ms until the next is due (None: empty)."""
        now = now_ms()
        result: list[Any] = await self._claim(keys=[self.ready],
                                              args=[f"{self.prefix}:u:", f"{self.prefix}:lease:", now, lease_ms, token])
        if not result:
            return None
        member = _text(result[0])
        if not member:
            return max(0, int(float(_text(result[1]))) - now)
        return Claimed(member, _text(result[1]), token)

    async def _settle_as(self, claimed: Claimed, mode: str, due_ms: int, new_head: str = "") -> bool:
        keys = [self.ready, self.list_key(claimed.member), self.lease_key(claimed.member)]
        return bool(await self._settle(keys=keys, args=[claimed.member, claimed.token, mode, due_ms, new_head]))

    async def ack(self, claimed: Claimed, next_due_ms: int | None = None) -> bool:
        """Done with the head; the member's next entry is due at next_due_ms (default now)."""
        return await self._settle_as(claimed, "ack", next_due_ms if next_due_ms is not None else now_ms())

    async def retry(self, claimed: Claimed, new_head: str, due_ms: int) -> bool:
        return await self._settle_as(claimed, "retry", due_ms, new_head)

    async def defer(self, claimed: Claimed, due_ms: int) -> bool:
        return await self._settle_as(claimed, "defer", due_ms)

    async def park(self, claimed: Claimed) -> bool:
        return await self._settle_as(claimed, "park", PARKED)

    async def unpark(self, member: str) -> bool:
        return bool(await self._unpark(keys=[self.ready], args=[member, now_ms(), PARKED]))

    async def pending(self, member: str) -> list[str]:
        return [_text(item) for item in await self.redis.lrange(self.list_key(member), 0, -1)]

    async def size(self) -> int:
        return int(await self.redis.zcard(self.ready))


# KEYS: one per rate; ARGV: now, then (interval ms, burst ms) per key. Takes a unit of every
# rate only when all of them allow it (so a user waiting on one rate does not burn the others).
_GCRA = """
local now = tonumber(ARGV[1])
local wait = 0
local tats = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  tats[i] = tat
  if tat - burst > now and tat - burst - now > wait then wait = tat - burst - now end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local next_tat = tats[i] + tonumber(ARGV[2 * i])
  redis.call('SET', key, next_tat, 'PX', math.floor(next_tat - now + 1000))
end
return 0
"""


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int = 0

    @property
    def interval_ms(self) -> int:
        return max(1, int(1000 / self.per_second))


class RateLimiter:
    """Rates shared by every process (generic cell rate algorithm, all rates in one Lua call)."""

    def __init__(self, redis: Redis) -> None:
        self._script = redis.register_script(_GCRA)

    async def wait_ms(self, rates: list[tuple[str, Rate]]) -> int:
        """0 and one unit of every rate taken, or how many ms to wait before asking again."""
        if not rates:
            return 0
        args: list[int] = [now_ms()]
        for _, rate in rates:
            args += [rate.interval_ms, rate.burst * rate.interval_ms]
        return int(await self._script(keys=[key for key, _ in rates], args=args))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
