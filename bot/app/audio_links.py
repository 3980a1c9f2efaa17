"""Recordings of content messages served to Twilio under signed, expiring links.

WhatsApp media goes out by URL: Twilio fetches the file from us when it sends the message. The
link is `/media/audio/<expires>/<signature>/<lang>/<file>`: the signature is an HMAC-SHA256 (secret
AUDIO_URL_SECRET) over the expiry, language and file, so the folder cannot be listed or guessed and
a link stops working after AUDIO_URL_TTL_SECONDS. Only campaign recordings from content/<lang>/audio/
are served (no user data); a bad, expired or unknown link gets the same 404.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from bot.content.audio import AUDIO_DIR, CONTENT_TYPE, REF_PREFIX, resolve

PATH_PREFIX = "/media/audio"


class AudioLinks:
    def __init__(self, secret: str, public_base_url: str, content_dir: Path, *, ttl_seconds: int = 3600,
                 clock: Callable[[], float] = time.time) -> None:
        self.key = secret.encode()
        self.base = public_base_url.rstrip("/")
        self.content_dir = content_dir
        self.ttl = ttl_seconds
        self.clock = clock

    def _signature(self, expires: int, lang: str, file: str) -> str:
        message = f"{expires}\n{lang}\n{file}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:32]

    def url(self, media_ref: str) -> str | None:
        """A link Twilio can fetch for a `content-audio:<lang>/<file>` reference; None if no such file."""
        if resolve(self.content_dir, media_ref) is None:
            return None
        lang, _, file = media_ref.removeprefix(REF_PREFIX).partition("/")
        expires = int(self.clock()) + self.ttl
        return f"{self.base}{PATH_PREFIX}/{expires}/{self._signature(expires, lang, file)}/{lang}/{quote(file)}"

    def verify(self, expires: str, signature: str, lang: str, file: str) -> Path | None:
        """The file a link names, when its signature is right and it has not expired."""
        if not expires.isdigit() or int(expires) < self.clock():
            return None
        if not hmac.compare_digest(self._signature(int(expires), lang, file), signature):
            return None
        return resolve(self.content_dir, f"{REF_PREFIX}{lang}/{file}")

    def routes(self) -> list[Route]:
        async def serve(request: Request) -> Response:
            p = request.path_params
            path = self.verify(p["expires"], p["signature"], p["lang"], p["file"])
            if path is None or path.parent.name != AUDIO_DIR:
                return Response("not found", status_code=404, media_type="text/plain")
            return FileResponse(path, media_type=CONTENT_TYPE,
                                headers={"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"})

        return [Route(PATH_PREFIX + "/{expires}/{signature}/{lang}/{file}", serve, methods=["GET", "HEAD"])]
