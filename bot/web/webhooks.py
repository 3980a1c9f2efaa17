"""Platform webhooks: verify, parse, store durably in the inbox, then answer.

Nothing is processed inside the request: the answer (200) means "stored", so a crash after it
loses nothing, and the platform's retries of the same update or MessageSid are recognised.
"""

from __future__ import annotations

import hmac
import json
import logging

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.telegram import BadUpdate, parse_update
from bot.channels.whatsapp import BadForm, parse_form, record_status, signature_ok
from bot.config import Settings
from bot.web.state import inbox_of, runtime_of

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _unavailable(channel: str, exc: Exception) -> Response:
    log.warning("%s webhook: could not store the message (%s); the platform will retry", channel,
                type(exc).__name__)
    return JSONResponse({"error": "temporarily unavailable"}, status_code=503)


def webhook_routes(settings: Settings) -> list[BaseRoute]:
    routes: list[BaseRoute] = []

    async def telegram(request: Request) -> Response:
        secret = (settings.telegram_webhook_secret or "").encode()
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not secret or not hmac.compare_digest(given, secret):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            item = parse_update(json.loads(body))
        except (ValueError, BadUpdate) as exc:  # JSONDecodeError is a ValueError
            message = str(exc) if isinstance(exc, BadUpdate) else "body is not JSON"
            return JSONResponse({"error": message}, status_code=400)
        if item is None:
            return JSONResponse({"ok": True, "ignored": True})
        try:
            stored = await inbox_of(request).accept(item)
        except (RedisError, OSError) as exc:
            return _unavailable("telegram", exc)
        return JSONResponse({"ok": True, "duplicate": not stored})

    async def _twilio_form(request: Request) -> dict[str, str] | Response:
        if int(request.headers.get("content-length", "0") or 0) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, status_code=413)
        form = await request.form()
        params = {key: value for key, value in form.multi_items() if isinstance(value, str)}
        url = settings.public_url(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
        if not signature_ok(settings.twilio_auth_token or "", url, params, request.headers.get("X-Twilio-Signature")):
            return JSONResponse({"error": "forbidden: bad or missing X-Twilio-Signature"}, status_code=403)
        return params

    async def whatsapp(request: Request) -> Response:
        params = await _twilio_form(request)
        if isinstance(params, Response):
            return params
        try:
            item = parse_form(params)
        except BadForm as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        try:
            await inbox_of(request).accept(item)
        except (RedisError, OSError) as exc:
            return _unavailable("whatsapp", exc)
        return Response(EMPTY_TWIML, media_type="text/xml")

    async def whatsapp_status(request: Request) -> Response:
        params = await _twilio_form(request)
        if isinstance(params, Response):
            return params
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
