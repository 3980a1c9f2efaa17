"""Platform webhooks: verify, parse, store durably in the inbox, then answer.

Nothing is processed inside the request: the answer (200) means "stored", so a crash after it
loses nothing, and the platform's retries of the same update or MessageSid are recognised.

Input is read strictly, and never reaches a 500: the body is read as a stream and refused (413)
as soon as it passes the limit, with or without a Content-Length; Telegram's JSON is parsed with a
nesting limit and checked against typed models; Twilio's signature header is required before the
body is read, and the (small, bounded) form is checked against the signature before anything in it
is used. A refused request (400, 403, 413) stores nothing.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from redis.exceptions import RedisError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.telegram import SECRET_HEADER, BadUpdate, parse_update, secret_ok
from bot.channels.whatsapp import BadForm, parse_form, read_form, record_status, signature_ok
from bot.config import Settings
from bot.web.state import inbox_of, runtime_of

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000  # Telegram: an update with a 4,096-character text and its entities is far below
MAX_FORM = 64_000  # Twilio: a message form is a few kilobytes
MAX_DEPTH = 32  # JSON nesting: a Telegram update nests about 8 deep
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# A JSON string; an unterminated one runs to the end of the text (so no text is scanned twice).
_STRINGS = re.compile(r'"(?:[^"\\]++|\\.?)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]++")


class Refused(Exception):
    """A request refused before anything was stored: its status and a short reason (no input echoed)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def response(self) -> Response:
        return JSONResponse({"error": self.reason}, status_code=self.status)


async def read_body(request: Request, limit: int) -> bytes:
    """The body, read as a stream: 413 before more than `limit` bytes are read, whatever the headers say."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isascii() or not declared.isdigit():
            raise Refused(400, "bad Content-Length")
        if int(declared) > limit:
            raise Refused(413, "body too large")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Refused(413, "body too large")
            chunks.append(chunk)
    except ClientDisconnect:
        raise Refused(400, "the client went away") from None
    return b"".join(chunks)


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON text (strings skipped), in linear time."""
    depth = deepest = 0
    for char in _NOT_BRACKETS.sub("", _STRINGS.sub("", text)):
        depth += 1 if char in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(body: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """JSON in strict UTF-8, at most max_depth deep, without NaN or Infinity; Refused(400) otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    if nesting_depth(text) > max_depth:
        raise Refused(400, f"JSON nested deeper than {max_depth}")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError; so is an int of 5,000 digits
        raise Refused(400, "body is not JSON") from None


def _unavailable(channel: str, exc: Exception) -> Response:
    log.warning("%s webhook: could not store the message (%s); the platform will retry", channel,
                type(exc).__name__)
    return JSONResponse({"error": "temporarily unavailable"}, status_code=503)


def webhook_routes(settings: Settings) -> list[BaseRoute]:
    routes: list[BaseRoute] = []

    async def telegram(request: Request) -> Response:
        if not secret_ok(settings.telegram_webhook_secret, request.headers.get(SECRET_HEADER)):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        try:
            item = parse_update(parse_json(await read_body(request, MAX_BODY)))
        except Refused as exc:
            return exc.response()
        except BadUpdate as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if item is None:
            return JSONResponse({"ok": True, "ignored": True})
        try:
            stored = await inbox_of(request).accept(item)
        except (RedisError, OSError) as exc:
            return _unavailable("telegram", exc)
        return JSONResponse({"ok": True, "duplicate": not stored})

    async def _twilio_form(request: Request) -> dict[str, str]:
        """The signed form, or Refused: no signature → 403 before the body is read; a body over MAX_FORM
        → 413 before it is read whole; a bad signature → 403 before any field is used."""
        signature = request.headers.get("X-Twilio-Signature")
        if not signature:
            raise Refused(403, "forbidden: bad or missing X-Twilio-Signature")
        if not request.headers.get("content-type", "").lower().startswith("application/x-www-form-urlencoded"):
            raise Refused(400, "expected application/x-www-form-urlencoded")
        body = await read_body(request, MAX_FORM)
        try:
            params = read_form(body)
        except BadForm as exc:
            raise Refused(400, str(exc)) from None
        url = settings.public_url(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
        if not signature_ok(settings.twilio_auth_token or "", url, params, signature):
            raise Refused(403, "forbidden: bad or missing X-Twilio-Signature")
        return params

    async def whatsapp(request: Request) -> Response:
        try:
            item = parse_form(await _twilio_form(request))
        except Refused as exc:
            return exc.response()
        except BadForm as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        try:
            await inbox_of(request).accept(item)
        except (RedisError, OSError) as exc:
            return _unavailable("whatsapp", exc)
        return Response(EMPTY_TWIML, media_type="text/xml")

    async def whatsapp_status(request: Request) -> Response:
        try:
            params = await _twilio_form(request)
        except Refused as exc:
            return exc.response()
        runtime = runtime_of(request)
        try:
            await record_status(runtime.redis, runtime.namespace, params)
        except BadForm as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except (RedisError, OSError) as exc:
            return _unavailable("whatsapp status", exc)
        return Response(EMPTY_TWIML, media_type="text/xml")

    if settings.telegram_enabled and settings.telegram_mode == "webhook":
        routes.append(Route("/webhooks/telegram", telegram, methods=["POST"]))
    if settings.whatsapp_enabled:
        routes.append(Route("/webhooks/twilio/whatsapp", whatsapp, methods=["POST"]))
        routes.append(Route("/webhooks/twilio/status", whatsapp_status, methods=["POST"]))
    return routes
