"""Conversation state in Redis: namespaced keys with TTLs, dedup and a per-user lock.

Two round trips per message: `begin` (dedup, lock, load) and `commit` (save, unlock), each
an atomic Lua script, so several bot processes on one Redis behave as one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from bot.core.cancel import stop_if_cancelled
from bot.core.conversation import RECENT_SECONDS, Conversation
from bot.core.ports import Push
from bot.store.keys import Keys, same_slot

# The dedup mark is checked under the user's lock and only set when the turn commits, so a
# process that dies mid-turn leaves no mark and the platform's retry (or the inbox) redoes it.
# KEYS: lock, state, staged, recent, [dedup]; ARGV: token, lock ms.
# Returns {status, state or '', staged or '', recent or ''}.
_BEGIN = """
local staged = redis.call('GET', KEYS[3]) or ''
if redis.call('EXISTS', KEYS[1]) == 1 then return {'busy', '', '', ''} end
if #KEYS >= 5 and redis.call('EXISTS', KEYS[5]) == 1 then return {'dup', '', staged, ''} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {'ok', redis.call('GET', KEYS[2]) or '', staged, redis.call('GET', KEYS[4]) or ''}
"""

# KEYS: lock, state, addr, staged, dedup (the lock again when there is none), recent, analytics list (the lock
# again when the events are pushed apart: Redis Cluster), [outbox ready, outbox list]
# ARGV: token, state, ttl, sealed addr, dedup ttl, has dedup, staged batch, staged ttl, recent ('-': keep,
# '': drop), recent ttl, analytics entry ('': none), analytics cap, outbox member, now ms, outbox entries…
_COMMIT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[3]) end
end
if ARGV[6] == '1' then redis.call('SET', KEYS[5], '1', 'EX', ARGV[5]) end
if ARGV[7] ~= '' then redis.call('SET', KEYS[4], ARGV[7], 'EX', ARGV[8]) end
if ARGV[2] == '' or ARGV[9] == '' then redis.call('DEL', KEYS[6])
elseif ARGV[9] ~= '-' then redis.call('SET', KEYS[6], ARGV[9], 'EX', ARGV[10]) end
if ARGV[11] ~= '' then
  redis.call('RPUSH', KEYS[7], ARGV[11])
  redis.call('LTRIM', KEYS[7], -tonumber(ARGV[12]), -1)
end
if #KEYS >= 9 and #ARGV >= 15 then
  for i = 15, #ARGV do redis.call('RPUSH', KEYS[9], ARGV[i]) end
  redis.call('ZADD', KEYS[8], 'NX', ARGV[14], ARGV[13])
end
redis.call('DEL', KEYS[1])
return 1
"""

# The push into a user's queue (bot/delivery/mailbox.py uses it too): KEYS: ready, list, [dedup mark];
# ARGV: member, due ms, dedup ttl, entries… Nothing is stored when the mark was already set.
PUSH_LUA = """
if #KEYS >= 3 then
  if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[3]) then return 0 end
end
for i = 4, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
return 1
"""

# KEYS: lock; ARGV: token
_ABORT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""

# KEYS: staged; ARGV: the batch id and a newline (a later turn may have staged another batch meanwhile)
_UNSTAGE = """
local staged = redis.call('GET', KEYS[1])
if staged and string.sub(staged, 1, #ARGV[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


# At most this many turns' analytics entries wait for the flusher (bot/app/analytics.py); when it has not run
# for that long the oldest are dropped, so Redis cannot fill up with them (docs/RETENTION.md).
ANALYTICS_PENDING_MAX = 200_000


class Duplicate(Exception):
    """This platform message id was already processed."""


class LockTimeout(Exception):
    """Another message of the same user held the lock too long."""


@dataclass
class Session:
    user_key: str
    token: str
    dedup_key: str
    state: Conversation
    is_new: bool
    recent: tuple[dict[str, Any], ...] = ()  # the last minutes of the conversation (shown if a ticket opens)


class StateStore:
    """On one Redis the commit is one script. On Redis Cluster (`split_commit`, set by itself for a
    RedisCluster client) the user's keys and the outbox queue live in different slots, so the commit
    takes two atomic steps: the user's slot (state, address, dedup mark, and the replies staged under
    `u:{<user>}:staged`), then the queue's slot (the push, made once per batch by a `pushed:` mark);
    the staged copy is then dropped. A process that dies between the two leaves the staged batch, and
    the next `begin` of that user (the inbox's redelivery of the same message, or their next one)
    pushes it first: the replies go out once, in order (docs/REDIS.md)."""

    def __init__(self, redis: Redis, namespace: str, *, ttl_seconds: int = 30 * 86400,
                 dedup_seconds: int = 86400, lock_ms: int = 10_000, lock_wait: float = 8.0,
                 split_commit: bool | None = None) -> None:
        self.redis = redis
        self.ns = namespace
        self.keys = Keys(namespace)
        self.ttl = ttl_seconds
        self.dedup_seconds = dedup_seconds
        self.lock_ms = lock_ms
        self.lock_wait = lock_wait
        self.split_commit = isinstance(redis, RedisCluster) if split_commit is None else split_commit
        self._begin = redis.register_script(_BEGIN)
        self._commit = redis.register_script(_COMMIT)
        self._abort = redis.register_script(_ABORT)
        self._push = redis.register_script(PUSH_LUA)
        self._unstage = redis.register_script(_UNSTAGE)

    def state_key(self, user_key: str) -> str:
        return self.keys.user(user_key, "state")

    async def begin(self, user_key: str, channel: str, external_id: str | None) -> Session:
        """Dedup the delivery, take the user's lock and load the state (waits for the lock)."""
        token = secrets.token_hex(8)
        dedup_key = self.keys.dedup(user_key, channel, external_id) if external_id else ""
        keys = [self.keys.user(user_key, "lock"), self.state_key(user_key), self.keys.user(user_key, "staged"),
                self.keys.user(user_key, "recent")]
        if dedup_key:
            keys.append(dedup_key)
        deadline = time.monotonic() + self.lock_wait
        delay = 0.002
        while True:
            stop_if_cancelled()
            args: list[str | int] = [token, self.lock_ms]
            status, raw, staged, recent = [*(_text(v) for v in await self._begin(keys=keys, args=args)),
                                           "", "", ""][:4]
            if staged:  # a split commit that stopped half-way: its replies go out first
                try:
                    await self._flush(user_key, staged)
                except BaseException:
                    if status == "ok":  # free the user for the retry (else the lock expires)
                        with contextlib.suppress(Exception):
                            await self._abort(keys=[keys[0]], args=[token])
                    raise
            if status == "dup":
                raise Duplicate()
            if status == "ok":
                state = Conversation.from_json(json.loads(raw)) if raw else Conversation()
                return Session(user_key, token, dedup_key, state, not raw, tuple(json.loads(recent)) if recent else ())
            if time.monotonic() > deadline:
                raise LockTimeout()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)

    async def commit(self, session: Session, state: Conversation | None, sealed_address: str = "",
                     outbox: Push | None = None, recent: Sequence[dict[str, Any]] | None = None,
                     analytics: str = "") -> bool:
        """In one atomic step: save state and the encrypted reply address (state None: the user's
        data was deleted), the conversation's last minutes (`recent`; None keeps them, empty drops
        them; they expire after RECENT_SECONDS), mark the message processed, queue the replies,
        append the turn's analytics entry (bot/core/analytics.py `encode`) to the pending list,
        release the lock.
        False when the lock was lost (the turn took longer than the lock): nothing was saved.
        (On Redis Cluster the replies are queued by a second step, and the analytics entry is appended
        after the commit: a process that dies in between loses that turn's events; see the class.)"""
        payload = json.dumps(state.to_json(), separators=(",", ":")) if state is not None else ""
        user = session.user_key
        lock = self.keys.user(user, "lock")
        pending = self.keys.analytics_pending
        keys = [lock, self.state_key(user), self.keys.user(user, "addr"), self.keys.user(user, "staged"),
                session.dedup_key or lock, self.keys.user(user, "recent"), lock if self.split_commit else pending]
        inline = "" if self.split_commit else analytics
        kept = "-" if recent is None else json.dumps(list(recent), separators=(",", ":")) if recent else ""
        args: list[Any] = [session.token, payload, self.ttl, sealed_address, self.dedup_seconds,
                           "1" if session.dedup_key else "0"]
        staged = ""
        if outbox is not None and outbox.entries and self.split_commit:
            batch = secrets.token_hex(8)
            staged = batch + "\n" + json.dumps([outbox.ready_key, outbox.list_key, outbox.member,
                                                same_slot(outbox.ready_key, "pushed", batch), outbox.entries])
            args += [staged, self.dedup_seconds, kept, RECENT_SECONDS, inline, ANALYTICS_PENDING_MAX]
        elif outbox is not None and outbox.entries:
            keys += [outbox.ready_key, outbox.list_key]
            args += ["", 0, kept, RECENT_SECONDS, inline, ANALYTICS_PENDING_MAX, outbox.member,
                     int(time.time() * 1000), *outbox.entries]
        else:
            args += ["", 0, kept, RECENT_SECONDS, inline, ANALYTICS_PENDING_MAX]
        done = bool(await self._commit(keys=keys, args=args))
        if done and analytics and self.split_commit:  # another slot: appended on its own (at most once)
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.rpush(pending, analytics)
                pipe.ltrim(pending, -ANALYTICS_PENDING_MAX, -1)
                await pipe.execute()
        if done and staged:
            await self._flush(user, staged)
        return done

    async def _flush(self, user_key: str, staged: str) -> None:
        """Push a staged batch into the outbox queue (once, whoever gets here first) and drop it."""
        batch, raw = staged.split("\n", 1)
        ready, list_key, member, mark, entries = json.loads(raw)
        await self._push(keys=[ready, list_key, mark], args=[member, int(time.time() * 1000), self.dedup_seconds,
                                                             *entries])
        await self._unstage(keys=[self.keys.user(user_key, "staged")], args=[batch + "\n"])

    async def abort(self, session: Session) -> None:
        """Release the lock; no dedup mark was set, so a platform retry is processed."""
        await self._abort(keys=[self.keys.user(session.user_key, "lock")], args=[session.token])

    async def load(self, user_key: str) -> Conversation | None:
        raw = await self.redis.get(self.state_key(user_key))
        return Conversation.from_json(json.loads(raw)) if raw else None

    async def delete_user(self, user_key: str) -> int:
        """Delete everything kept under this user's key, except the lock held by the caller
        (one DEL: the keys share the user's hash tag)."""
        return int(await self.redis.delete(*self.keys.user_data(user_key)))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
