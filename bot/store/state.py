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

from bot.core.conversation import Conversation

_BEGIN = """
if redis.call('EXISTS', KEYS[2]) == 1 then return {'busy'} end
if ARGV[4] == '1' and KEYS[1] ~= '' then
  if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[3]) then return {'dup'} end
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
local state = redis.call('GET', KEYS[3])
if state then return {'ok', state} end
return {'ok'}
"""

_COMMIT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[3]) end
end
redis.call('DEL', KEYS[1])
return 1
"""

_ABORT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if KEYS[2] ~= '' then redis.call('DEL', KEYS[2]) end
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
        check_dedup, delay = "1", 0.002
        while True:
            args: list[str | int] = [token, self.lock_ms, self.dedup_seconds, check_dedup]
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

    async def commit(self, session: Session, state: Conversation | None, sealed_address: str = "") -> bool:
        """Save state and the encrypted reply address (state None: the user's data was deleted),
        and release the lock."""
        payload = json.dumps(state.to_json(), separators=(",", ":")) if state is not None else ""
        keys = [self.key("u", session.user_key, "lock"), self.state_key(session.user_key),
                self.key("u", session.user_key, "addr")]
        done = await self._commit(keys=keys, args=[session.token, payload, self.ttl, sealed_address])
        return bool(done)

    async def abort(self, session: Session) -> None:
        """Release the lock and forget the dedup mark so a platform retry is processed."""
        await self._abort(keys=[self.key("u", session.user_key, "lock"), session.dedup_key], args=[session.token])

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
