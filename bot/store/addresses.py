"""Where to reply: each user's channel address, stored encrypted under their keyed hash.

The address (a phone number or chat id) is needed to send a reply, so it is kept, but only
encrypted with ADDRESS_KEY (Fernet), with the same TTL as the conversation, and never logged.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from redis.asyncio import Redis

from bot.store.keys import Keys


def fernet_for(secret: str) -> Fernet:
    """A Fernet key derived from any secret string (so .env can hold a plain passphrase)."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


class AddressBook:
    def __init__(self, redis: Redis, namespace: str, secret: str, ttl_seconds: int = 30 * 86400) -> None:
        self.redis = redis
        self.ns = namespace
        self.keys = Keys(namespace)
        self.fernet = fernet_for(secret)
        self.ttl = ttl_seconds

    def key(self, user_key: str) -> str:
        return self.keys.user(user_key, "addr")

    def seal(self, channel: str, address: str) -> str:
        return self.fernet.encrypt(f"{channel}\n{address}".encode()).decode()

    async def put(self, user_key: str, channel: str, address: str) -> None:
        await self.redis.set(self.key(user_key), self.seal(channel, address), ex=self.ttl)

    def open(self, sealed: str | bytes) -> tuple[str, str] | None:
        """(channel, address) from a sealed value; None when it was sealed under another key."""
        try:
            channel, address = self.fernet.decrypt(sealed).decode().split("\n", 1)
        except (InvalidToken, ValueError):
            return None
        return channel, address

    async def get(self, user_key: str) -> tuple[str, str] | None:
        raw = await self.redis.get(self.key(user_key))
        return None if raw is None else self.open(raw)
