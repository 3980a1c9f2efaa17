"""Whether and how a user can be reached: blocked the bot, opted out (STOP), when they last wrote
(WhatsApp's 24-hour window) and whether the window's invitation template went out.

The keys live under the user's own prefix and hash tag (`<ns>:u:{<user>}:…`, bot/store/keys.py), so "delete my
data" removes them and one transaction may touch several of them on Redis Cluster.
"""

from __future__ import annotations

import time
from typing import Literal

from redis.asyncio import Redis

from bot.store.keys import Keys

WINDOW_SECONDS = 24 * 3600
WINDOW_MARGIN = 120  # do not start a message that could arrive after the window closed
LAST_IN_SECONDS = 30 * 86400  # when the user last wrote: kept as long as their state (docs/RETENTION.md)
Flag = Literal["last_in", "optout", "inactive", "tpl"]


class Reach:
    def __init__(self, redis: Redis, namespace: str) -> None:
        self.redis = redis
        self.ns = namespace
        self.keys = Keys(namespace)

    def key(self, user: str, flag: Flag) -> str:
        return self.keys.user(user, flag)

    async def user_wrote(self, user: str) -> None:
        """Writing makes a user reachable again (unblocked, opted in) and opens the window."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self.key(user, "inactive"), self.key(user, "optout"), self.key(user, "tpl"))
            pipe.set(self.key(user, "last_in"), repr(time.time()), ex=LAST_IN_SECONDS)
            await pipe.execute()

    async def mark_opted_out(self, user: str) -> None:
        await self.redis.set(self.key(user, "optout"), repr(time.time()), ex=365 * 86400)

    async def mark_blocked(self, user: str) -> None:
        await self.redis.set(self.key(user, "inactive"), repr(time.time()), ex=30 * 86400)

    async def skip_reason(self, user: str, queued_at: float) -> str | None:
        """Why a message queued at `queued_at` must not go out, or None."""
        inactive, optout = await self.redis.mget(self.key(user, "inactive"), self.key(user, "optout"))
        if inactive is not None:
            return "the user blocked the bot"
        if optout is not None and queued_at > float(optout):
            return "the user opted out (STOP)"
        return None

    async def window_left(self, user: str) -> float:
        """Seconds left in WhatsApp's window for free-form messages (0 when closed or unknown)."""
        last = await self.redis.get(self.key(user, "last_in"))
        return max(0.0, WINDOW_SECONDS - (time.time() - float(last))) if last is not None else 0.0

    async def window_open(self, user: str) -> bool:
        return await self.window_left(user) > WINDOW_MARGIN

    async def windows_open(self, users: list[str]) -> list[bool]:
        """`window_open` for many users, in one round trip (a broadcast's page)."""
        if not users:
            return []
        now = time.time()
        async with self.redis.pipeline(transaction=False) as pipe:
            for user in users:
                pipe.get(self.key(user, "last_in"))
            found = await pipe.execute()
        return [last is not None and WINDOW_SECONDS - (now - float(last)) > WINDOW_MARGIN for last in found]

    async def close_window(self, user: str) -> None:
        await self.redis.delete(self.key(user, "last_in"))

    async def claim_invitation(self, user: str) -> bool:
        """True once per closed window: the invitation template may be sent now."""
        return bool(await self.redis.set(self.key(user, "tpl"), "1", nx=True, ex=7 * 86400))

    async def release_invitation(self, user: str) -> None:
        await self.redis.delete(self.key(user, "tpl"))
