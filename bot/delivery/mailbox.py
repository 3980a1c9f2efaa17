"""Durable per-user queues in Redis, shared by every bot process.

Each user has a list of entries; a sorted set holds, per user, when their head entry is due.
A worker claims the first due user atomically and holds a lease on them until it acknowledges,
retries or parks the head entry. So:

- order per user holds across processes (only one head per user is ever in flight);
- a crash loses nothing: when the lease runs out the user is due again and another worker
  takes the same head entry;
- a retry, a per-chat pause or a platform's 429 delays only that user, not the others;
- an entry that makes its worker raise (a bug, input nobody foresaw) is isolated: counted
  against that entry alone, retried with back-off, then handed to the dead-letter callback
  (the failed list supervisors see, with the exception's type) and removed, so the loops
  of every process go on with the other users;
- every loop writes when it last made progress, so /healthz can tell a queue that is
  waiting for workers from one whose workers are gone or hung.

Used for the inbox (webhook → pipeline) and the outboxes (pipeline, console → platform).
All keys of one queue share its Redis Cluster hash tag (`<ns>:mq:{<queue>}:…`, bot/store/keys.py): the
scripts walk the sorted set and read each user's list in one step.
A Redis Stream with a consumer group was the first design; it hands one user's entries to
different consumers, which breaks their order across processes, so it was replaced by this.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import secrets
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.core.cancel import stop_if_cancelled
from bot.core.ports import Push
from bot.store.keys import Keys
from bot.store.state import PUSH_LUA

log = logging.getLogger(__name__)

PARKED = 10**15  # score of a user whose entries wait for something (WhatsApp's 24-hour window)
STRIKE_SECONDS = 7 * 86400  # how long a failing entry's count of failures is kept
ALIVE_SECONDS = 86400  # a loop's "last progress" mark outlives any stall worth reporting
BEAT_MS = 1000  # a process writes its progress mark at most once a second per queue
HOLD_MS = 300_000  # a worker renews its lease while it works, at most this long (then another may take over)
PARKED_MARGIN_MS = 600_000  # Redis drops an expired parked queue this long after the sweep should have
# Errors of the connection to Redis (or of the network under it): the entry is not at fault. It comes
# back when its lease ends; it still counts, so an entry that somehow always causes one is not retried for ever.
INFRA_ERRORS: tuple[type[Exception], ...] = (ConnectionError, TimeoutError, RedisConnectionError, RedisTimeoutError)
REDIS_DOWN: tuple[type[Exception], ...] = (OSError, RedisError, *INFRA_ERRORS)  # a loop pauses a second on these

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

# KEYS: ready, list, lease, parked; ARGV: member, token, mode, due, new_head, parked until (ms, 0: for ever), ttl ms
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
elseif mode == 'park' and tonumber(ARGV[6]) > 0 then
  redis.call('ZADD', KEYS[4], ARGV[6], ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[7])
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
return 1
"""

# KEYS: ready, parked, list; ARGV: member, now, PARKED
_UNPARK = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) >= tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('PERSIST', KEYS[3])
  return 1
end
return 0
"""

# KEYS: ready, parked; ARGV: now, list prefix, limit. Drops parked queues whose time ran out: {member, entries}…
_EXPIRE_PARKED = """
local out = {}
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))) do
  redis.call('ZREM', KEYS[2], member)
  local score = redis.call('ZSCORE', KEYS[1], member)
  if score and tonumber(score) >= tonumber(ARGV[4]) then
    local list = ARGV[2] .. member
    table.insert(out, member)
    table.insert(out, redis.call('LLEN', list))
    redis.call('DEL', list)
    redis.call('ZREM', KEYS[1], member)
  end
end
return out
"""

# KEYS: ready, then per member its list and its once-mark; ARGV: now, mark ttl s, then per member: member, count,
# entries. Appends each member's entries unless its mark was set already (then nothing): 1 or 0 per member.
_PUSH_ONCE = """
local out = {}
local a = 3
for i = 2, #KEYS, 2 do
  local member, count = ARGV[a], tonumber(ARGV[a + 1])
  a = a + 2
  if redis.call('SET', KEYS[i + 1], '1', 'NX', 'EX', ARGV[2]) then
    for j = 0, count - 1 do redis.call('RPUSH', KEYS[i], ARGV[a + j]) end
    redis.call('ZADD', KEYS[1], 'NX', ARGV[1], member)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
  a = a + count
end
return out
"""

# KEYS: ready, lease; ARGV: member, token, due, lease ms. Keeps a lease while its worker is still working.
_EXTEND = """
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 1
"""

DeadLetter = Callable[["Claimed", int, str], Awaitable[None]]


@dataclass(frozen=True)
class Guard:
    """How a queue's worker isolates an entry that makes it raise: `max_attempts` failures of that
    entry, then `dead_letter(claimed, attempts, exception type)` records it and it is removed."""

    label: str
    max_attempts: int
    dead_letter: DeadLetter


def backoff_seconds(attempts: int) -> float:
    """1, 2, 4 … 300 s, with jitter so retries of many users do not arrive together."""
    base: float = min(300.0, 2.0 ** max(0, attempts - 1))
    return base * random.uniform(0.8, 1.2)


def _where(exc: BaseException) -> str:
    """file:line of the innermost frame: enough to find a bug, with nothing of the message or its data."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 2)[-1]}:{last.lineno}"


async def _isolate(mailbox: Mailbox, claimed: Claimed, exc: Exception, guard: Guard) -> None:
    """Count a failure against this entry; retry it later, or hand it to the dead-letter callback."""
    kind = type(exc).__name__
    attempts = await mailbox.strike(claimed)
    if attempts >= guard.max_attempts:
        log.error("%s: an entry failed %d times (%s at %s); moved to the failed list", guard.label, attempts,
                  kind, _where(exc))
        await guard.dead_letter(claimed, attempts, kind)
        await mailbox.ack(claimed)
        return
    if isinstance(exc, INFRA_ERRORS):  # comes back when the lease ends (Redis may be gone right now)
        return
    delay = backoff_seconds(attempts)
    log.warning("%s: an entry failed (%s at %s), attempt %d of %d, next in %.0f s", guard.label, kind,
                _where(exc), attempts, guard.max_attempts, delay)
    await mailbox.defer(claimed, now_ms() + int(delay * 1000))


async def _keep_lease(mailbox: Mailbox, claimed: Claimed, lease_ms: int) -> None:
    """Renew the lease while the entry is being worked on (a slow send must not be taken over and
    sent twice), up to HOLD_MS: a worker hung for longer is taken over."""
    step = max(lease_ms // 3, 1)
    held = 0
    while held + step < max(HOLD_MS, lease_ms):
        await asyncio.sleep(step / 1000)
        held += step
        try:
            if not await mailbox.extend(claimed, lease_ms):
                return
        except REDIS_DOWN:
            continue


async def run_one(mailbox: Mailbox, process: Callable[[Claimed], Awaitable[int]], claimed: Claimed, *,
                  lease_ms: int, guard: Guard | None) -> int:
    """Process one claimed entry. Whatever it raises is isolated to it (see Guard); connection errors
    are re-raised after counting, for the caller to pause."""
    keeper = asyncio.create_task(_keep_lease(mailbox, claimed, lease_ms))
    try:
        return await process(claimed)
    except Exception as exc:
        if guard is None:
            raise
        await _isolate(mailbox, claimed, exc, guard)
        if isinstance(exc, INFRA_ERRORS):
            raise
        return 0
    finally:
        keeper.cancel()
        await asyncio.gather(keeper, return_exceptions=True)


async def work_loop(mailbox: Mailbox, process: Callable[[Claimed], Awaitable[int]], *, lease_ms: int,
                    idle: float, guard: Guard | None = None, label: str = "queue") -> None:
    """Claim and process due heads forever (until cancelled). Nothing ends it: a failing entry is
    isolated (see Guard; without one its lease runs out and it is retried), a Redis outage pauses it."""
    token = secrets.token_hex(8)
    label = guard.label if guard is not None else label
    while True:
        stop_if_cancelled()
        try:
            claimed = await mailbox.claim(token, lease_ms)
            await mailbox.beat()
            if isinstance(claimed, Claimed):
                await run_one(mailbox, process, claimed, lease_ms=lease_ms, guard=guard)
                continue
            await asyncio.sleep(idle if claimed is None else min(idle, claimed / 1000))
        except REDIS_DOWN as exc:
            stop_if_cancelled()
            log.warning("%s: redis unavailable (%s); retrying", label, type(exc).__name__)
            await asyncio.sleep(1)
        except Exception as exc:  # isolating an entry failed in an unforeseen way: log, pause, go on
            stop_if_cancelled()
            log.error("%s: %s at %s outside any entry; going on", label, type(exc).__name__, _where(exc))
            await asyncio.sleep(1)


async def drain(mailbox: Mailbox, process: Callable[[Claimed], Awaitable[int]], *, lease_ms: int,
                guard: Guard | None = None) -> int:
    """Process every head due now (tests and tools); returns the sum of what `process` returned."""
    done = 0
    token = secrets.token_hex(8)
    while isinstance(claimed := await mailbox.claim(token, lease_ms), Claimed):
        done += await run_one(mailbox, process, claimed, lease_ms=lease_ms, guard=guard)
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
        self.keys = Keys(namespace).queue(name)
        self.prefix = self.keys.prefix
        self.ready = self.keys.ready
        self.parked = self.keys.parked  # member → when its parked entries expire (ms)
        self.alive = self.keys.alive  # when a worker loop last made progress (ms)
        self._push = redis.register_script(PUSH_LUA)
        self._push_once = redis.register_script(_PUSH_ONCE)
        self._claim = redis.register_script(_CLAIM)
        self._settle = redis.register_script(_SETTLE)
        self._unpark = redis.register_script(_UNPARK)
        self._extend = redis.register_script(_EXTEND)
        self._expire_parked = redis.register_script(_EXPIRE_PARKED)
        self._beat_at = 0

    def list_key(self, member: str) -> str:
        return self.keys.list(member)

    def lease_key(self, member: str) -> str:
        return self.keys.lease(member)

    def prepare(self, member: str, entries: list[str]) -> Push:
        return Push(self.ready, self.list_key(member), member, tuple(entries))

    async def push(self, member: str, entries: list[str], *, dedup_key: str = "", dedup_seconds: int = 86400,
                   due_ms: int | None = None) -> bool:
        """Append entries to the member's queue; False (and nothing stored) when dedup_key was already seen
        (a key of this queue's hash tag: `keys.seen(…)`)."""
        keys = [self.ready, self.list_key(member), *([dedup_key] if dedup_key else [])]
        args: list[Any] = [member, due_ms if due_ms is not None else now_ms(), dedup_seconds, *entries]
        return bool(await self._push(keys=keys, args=args))

    async def push_once(self, items: list[tuple[str, list[str], str]], mark_seconds: int) -> list[bool]:
        """Many members at once (a broadcast's page), each (member, entries, once-mark key of this queue's tag):
        one script call; per member, False when its mark was already set (nothing appended)."""
        if not items:
            return []
        keys = [self.ready]
        args: list[Any] = [now_ms(), mark_seconds]
        for member, entries, mark in items:
            keys += [self.list_key(member), mark]
            args += [member, len(entries), *entries]
        return [bool(done) for done in await self._push_once(keys=keys, args=args)]

    async def claim(self, token: str, lease_ms: int) -> Claimed | int | None:
        """The first due member's head entry, leased to `token`; else ms until the next is due (None: empty)."""
        now = now_ms()
        args: list[Any] = [self.keys.list_prefix, self.keys.lease_prefix, now, lease_ms, token]
        result: list[Any] = await self._claim(keys=[self.ready], args=args)
        if not result:
            return None
        member = _text(result[0])
        if not member:
            return max(0, int(float(_text(result[1]))) - now)
        return Claimed(member, _text(result[1]), token)

    def strike_key(self, claimed: Claimed) -> str:
        digest = hashlib.sha1(claimed.head.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        return self.keys.strike(claimed.member, digest)

    async def _settle_as(self, claimed: Claimed, mode: str, due_ms: int, new_head: str = "",
                         parked_until: int = 0, ttl_ms: int = 0) -> bool:
        keys = [self.ready, self.list_key(claimed.member), self.lease_key(claimed.member), self.parked]
        args: list[Any] = [claimed.member, claimed.token, mode, due_ms, new_head, parked_until, ttl_ms]
        return bool(await self._settle(keys=keys, args=args))

    async def strike(self, claimed: Claimed) -> int:
        """Count one more failure of this very entry (the count follows the entry, not the user)."""
        key = self.strike_key(claimed)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, STRIKE_SECONDS)
            count, _ = await pipe.execute()
        return int(count)

    async def extend(self, claimed: Claimed, lease_ms: int) -> bool:
        """Keep holding the head; False when the lease was lost (another worker has it now)."""
        keys = [self.ready, self.lease_key(claimed.member)]
        return bool(await self._extend(keys=keys, args=[claimed.member, claimed.token, now_ms() + lease_ms,
                                                        lease_ms]))

    async def beat(self) -> None:
        """Mark that a worker loop of this queue made progress (written at most once a second)."""
        now = now_ms()
        if now - self._beat_at < BEAT_MS:
            return
        self._beat_at = now
        await self.redis.set(self.alive, now, ex=ALIVE_SECONDS)

    async def ack(self, claimed: Claimed, next_due_ms: int | None = None) -> bool:
        """Done with the head; the member's next entry is due at next_due_ms (default now)."""
        return await self._settle_as(claimed, "ack", next_due_ms if next_due_ms is not None else now_ms())

    async def retry(self, claimed: Claimed, new_head: str, due_ms: int) -> bool:
        return await self._settle_as(claimed, "retry", due_ms, new_head)

    async def defer(self, claimed: Claimed, due_ms: int) -> bool:
        return await self._settle_as(claimed, "defer", due_ms)

    async def park(self, claimed: Claimed, ttl_ms: int | None = None) -> bool:
        """Keep the member's entries until `unpark` (the user wrote); with ttl_ms, they expire then:
        `expire_parked` removes them (Redis itself, a little later, if no worker runs)."""
        if ttl_ms is None:
            return await self._settle_as(claimed, "park", PARKED)
        return await self._settle_as(claimed, "park", PARKED, parked_until=now_ms() + ttl_ms,
                                     ttl_ms=ttl_ms + PARKED_MARGIN_MS)

    async def unpark(self, member: str) -> bool:
        keys = [self.ready, self.parked, self.list_key(member)]
        return bool(await self._unpark(keys=keys, args=[member, now_ms(), PARKED]))

    async def expire_parked(self, limit: int = 100) -> list[tuple[str, int]]:
        """Remove parked queues whose time ran out; (member, how many entries) for each."""
        out: list[Any] = await self._expire_parked(keys=[self.ready, self.parked],
                                                   args=[now_ms(), self.keys.list_prefix, limit, PARKED])
        return [(_text(out[i]), int(out[i + 1])) for i in range(0, len(out), 2)]

    async def pending(self, member: str) -> list[str]:
        return [_text(item) for item in await self.redis.lrange(self.list_key(member), 0, -1)]

    async def size(self) -> int:
        return int(await self.redis.zcard(self.ready))


async def queue_health(redis: Redis, queues: dict[str, Mailbox], stall_seconds: float) -> dict[str, dict[str, Any]]:
    """Per queue, in one round trip: seconds since a worker loop last made progress, how long the
    longest-waiting due entry has waited for a worker (retries, leased and parked entries are not due),
    how many users have entries, and `stalled`: work is waiting and no loop progressed for stall_seconds."""
    now = now_ms()
    async with redis.pipeline(transaction=False) as pipe:
        for queue in queues.values():
            pipe.get(queue.alive)
            pipe.zrange(queue.ready, 0, 0, withscores=True)
            pipe.zcard(queue.ready)
        results = await pipe.execute()
    report: dict[str, dict[str, Any]] = {}
    for n, name in enumerate(queues):
        alive, first, users = results[3 * n: 3 * n + 3]
        since = round((now - int(float(_text(alive)))) / 1000, 1) if alive is not None else None
        waiting = round(max(0.0, now - float(first[0][1])) / 1000, 1) if first else 0.0
        stalled = waiting > stall_seconds and (since is None or since > stall_seconds)
        report[name] = {"last_progress_seconds": since, "oldest_waiting_seconds": waiting,
                        "queued_users": int(users), "stalled": stalled}
    return report


# KEYS: [a pause key: until when the platform asked the whole sender to wait], then one per rate (all of
# one sender's hash tag, bot/store/keys.py RateKeys); ARGV: now, has pause (0/1), then (interval ms, burst ms)
# per rate. Takes a unit of every rate only when all of them allow it (so a user waiting on one rate does not
# burn the others).
_GCRA = """
local now = tonumber(ARGV[1])
local first = 1
if ARGV[2] == '1' then
  first = 2
  local paused = tonumber(redis.call('GET', KEYS[1]) or 0)
  if paused > now then return paused - now end
end
local wait = 0
local tats = {}
for i = first, #KEYS do
  local burst = tonumber(ARGV[2 * (i - first) + 4])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  tats[i] = tat
  if tat - burst > now and tat - burst - now > wait then wait = tat - burst - now end
end
if wait > 0 then return wait end
for i = first, #KEYS do
  local next_tat = tats[i] + tonumber(ARGV[2 * (i - first) + 3])
  redis.call('SET', KEYS[i], next_tat, 'PX', math.floor(next_tat - now + 1000))
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
        self.redis = redis
        self._script = redis.register_script(_GCRA)

    async def wait_ms(self, rates: list[tuple[str, Rate]], pause_key: str = "") -> int:
        """0 and one unit of every rate taken, or how many ms to wait before asking again."""
        if not rates and not pause_key:
            return 0
        args: list[int] = [now_ms(), 1 if pause_key else 0]
        for _, rate in rates:
            args += [rate.interval_ms, rate.burst * rate.interval_ms]
        keys = [*([pause_key] if pause_key else []), *(key for key, _ in rates)]
        return int(await self._script(keys=keys, args=args))

    async def pause(self, pause_key: str, seconds: float) -> None:
        """The platform asked the whole sender to wait: every process holds off until then."""
        ms = max(1, int(seconds * 1000))
        await self.redis.set(pause_key, now_ms() + ms, px=ms)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
