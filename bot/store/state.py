"""Conversation state in Redis: namespaced keys with TTLs, dedup and a per-user lock.

Two round trips per message: `begin` (dedup, lock, load) and `commit` (save, unlock), each
an atomic Lua script, so several bot processes on one Redis behave as one.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.core.cancel import stop_if_cancelled
from bot.core.conversation import Conversation
from bot.core.ports import Push

# The dedup mark is checked under the user's lock and only set when the turn commits, so a
# process that dies mid-turn leaves no mark and the platform's retry (or the inbox) redoes it.
_BEGIN = """
if redis.call('EXISTS', KEYS[2]) == 1 then return {'busy'} end
if KEYS[1] ~= '' and redis.call('EXISTS', KEYS[1]) == 1 then return {'dup'} end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
local state = redis.call('GET', KEYS[3])
if state then return {'ok', state} end
return {'ok'}
"""

# KEYS: lock, state, addr, dedup, [outbox ready, outbox list]
# ARGV: token, state, ttl, sealed addr, dedup ttl, outbox member, now ms, outbox entries…
_COMMIT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[3]) end
end
if KEYS[4] ~= '' then redis.call('SET', KEYS[4], '1', 'EX', ARGV[5]) end
if #KEYS >= 6 and #ARGV >= 8 then
  for i = 8, #ARGV do redis.call('RPUSH', KEYS[6], ARGV[i]) end
  redis.call('ZADD', KEYS[5], 'NX', ARGV[7], ARGV[6])
end
redis.call('DEL', KEYS[1])
return 1
"""

_ABORT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


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


class StateStore:
    def __init__(self, redis: Redis, namespace: str, *, ttl_seconds: int = 30 * 86400,
                 dedup_seconds: int = 86400, lock_ms: int = 10_000, lock_wait: float = 8.0) -> None:
        self.redis = redis
        self.ns = namespace
        self.ttl = ttl_seconds
        self.dedup_seconds = dedup_seconds
        self.lock_ms = lock_ms
        self.lock_wait = lock_wait
        self._begin = redis.register_script(_BEGIN)
        self._commit = redis.register_script(_COMMIT)
        self._abort = redis.register_script(_ABORT)

    def key(self, *parts: str) -> str:
        return ":".join((self.ns, *parts))

    def state_key(self, user_key: str) -> str:
        return self.key("u", user_key, "state")

    async def begin(self, user_key: str, channel: str, external_id: str | None) -> Session:
        """Dedup the delivery, take the user's lock and load the state (waits for the lock)."""
        token = secrets.token_hex(8)
        dedup_key = self.key("dedup", channel, external_id) if external_id else ""
        keys = [dedup_key, self.key("u", user_key, "lock"), self.state_key(user_key)]
        deadline = time.monotonic() + self.lock_wait
        delay = 0.002
        while True:
            stop_if_cancelled()
            args: list[str | int] = [token, self.lock_ms]
            result: list[Any] = await self._begin(keys=keys, args=args)
            status = _text(result[0])
            if status == "dup":
                raise Duplicate()
            if status == "ok":
                raw = result[1] if len(result) > 1 else None
                state = Conversation.from_json(json.loads(raw)) if raw else Conversation()
                return Session(user_key, token, dedup_key, state, raw is None)
            if time.monotonic() > deadline:
                raise LockTimeout()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)

    async def commit(self, session: Session, state: Conversation | None, sealed_address: str = "",
                     outbox: Push | None = None) -> bool:
        """In one atomic step: save state and the encrypted reply address (state None: the user's
        data was deleted), mark the message processed, queue the replies, release the lock.
        False when the lock was lost (the turn took longer than the lock): nothing was saved."""
        payload = json.dumps(state.to_json(), separators=(",", ":")) if state is not None else ""
        keys = [self.key("u", session.user_key, "lock"), self.state_key(session.user_key),
                self.key("u", session.user_key, "addr"), session.dedup_key]
        args: list[Any] = [session.token, payload, self.ttl, sealed_address, self.dedup_seconds]
        if outbox is not None and outbox.entries:
            keys += [outbox.ready_key, outbox.list_key]
            args += [outbox.member, int(time.time() * 1000), *outbox.entries]
        done = await self._commit(keys=keys, args=args)
        return bool(done)

    async def abort(self, session: Session) -> None:
        """Release the lock; no dedup mark was set, so a platform retry is processed."""
        await self._abort(keys=[self.key("u", session.user_key, "lock")], args=[session.token])

    async def load(self, user_key: str) -> Conversation | None:
        raw = await self.redis.get(self.state_key(user_key))
        return Conversation.from_json(json.loads(raw)) if raw else None

    async def delete_user(self, user_key: str) -> int:
        """Delete everything kept under this user's key, except the lock held by the caller."""
        keys = [k async for k in self.redis.scan_iter(match=self.key("u", user_key, "*"), count=100)]
        keys = [k for k in keys if not _text(k).endswith(":lock")]
        return int(await self.redis.delete(*keys)) if keys else 0


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
