"""Users are stored under a keyed hash of channel and address, never the address itself."""

from __future__ import annotations

import hashlib
import hmac


def user_key(pepper: str, channel: str, address: str) -> str:
    """HMAC-SHA256(pepper, channel:address), hex, shortened to 32 characters."""
    message = f"{channel}:{address}".encode()
    return hmac.new(pepper.encode(), message, hashlib.sha256).hexdigest()[:32]
