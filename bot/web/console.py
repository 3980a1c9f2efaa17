"""The counselor console: login, live queue, take over a conversation, reply, hand back, close.

Sessions live in Redis (`{ns}:console:session:<id>`) behind an HttpOnly, SameSite=Strict cookie;
every POST needs the session's CSRF token in `X-CSRF-Token`. Accounts lock for 15 minutes after
5 failed logins. Every view, claim, reply, transfer, hand-back and close is written to the audit
log; no phone number is ever shown, only the user's keyed hash (shortened).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from bot.channels.reach import WINDOW_MARGIN, Reach
from bot.core.cancel import stop_if_cancelled
from bot.core.types import Outgoing
from bot.handoff.queue import PAGE, Ticket
from bot.runtime import Runtime
from bot.store.db import OUTCOMES, utcnow
from bot.web.state import runtime_of, store_of

COOKIE = "sb_console"
SESSION_SECONDS = 8 * 3600
LEASE_SECONDS = 15 * 60
MAX_FAILED = 5
LOCK_MINUTES = 15
STATIC = Path(__file__).parent / "static"
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Who:
    id: int
    username: str
    role: str
    csrf: str

    @property
    def supervisor(self) -> bool:
        return self.role in ("supervisor", "admin")


def _session_key(runtime: Runtime, sid: str) -> str:
    return f"{runtime.namespace}:console:session:{sid}"


async def _who(request: Request) -> Who | None:
    sid = request.cookies.get(COOKIE)
    if not sid:
        return None
    runtime = runtime_of(request)
    raw = await runtime.redis.get(_session_key(runtime, sid))
    if raw is None:
        return None
    data = json.loads(raw)
    return Who(data["id"], data["username"], data["role"], data["csrf"])


Handler = Callable[[Request, Who], Awaitable[Response]]


def _api(handler: Handler, *, post: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """Refuse unauthenticated requests (401) and POSTs without the session's CSRF token (403)."""

    async def wrapped(request: Request) -> Response:
        who = await _who(request)
        if who is None:
            return JSONResponse({"error": "log in first"}, status_code=401)
        if post and not hmac.compare_digest(request.headers.get("x-csrf-token", ""), who.csrf):
            return JSONResponse({"error": "missing or wrong CSRF token"}, status_code=403)
        await runtime_of(request).handoff.heartbeat(who.username)
        return await handler(request, who)

    return wrapped


async def _db(request: Request, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(fn, *args, **kwargs)


# -- pages ---------------------------------------------------------------------------------------
async def login_page(request: Request) -> Response:
    return FileResponse(STATIC / "login.html")


async def console_page(request: Request) -> Response:
    if await _who(request) is None:
        return RedirectResponse("/console/login", status_code=303)
    return FileResponse(STATIC / "console.html")


async def login(request: Request) -> Response:
    try:
        body = await request.json()
        username, password = str(body["username"]), str(body["password"])
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": "send username and password"}, status_code=400)
    store, runtime = store_of(request), runtime_of(request)
    counselor = await _db(request, store.counselor, username)
    now = utcnow()
    if counselor is not None and counselor.locked_until and _aware(counselor.locked_until) > now:
        await _db(request, store.audit, username, "login_locked")
        return JSONResponse({"error": f"account locked for {LOCK_MINUTES} minutes after {MAX_FAILED} failed logins"},
                            status_code=423)
    ok = False
    if counselor is not None and counselor.active:
        try:
            ok = _hasher.verify(counselor.password_hash, password)
        except (VerifyMismatchError, InvalidHashError):
            ok = False
    if not ok:
        if counselor is not None:
            failed = counselor.failed_logins + 1
            locked = now + dt.timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED else None
            await _db(request, store.update_counselor, counselor.id, failed_logins=0 if locked else failed,
                      locked_until=locked)
        await _db(request, store.audit, username[:64], "login_failed")
        return JSONResponse({"error": "wrong username or password"}, status_code=401)
    assert counselor is not None
    await _db(request, store.update_counselor, counselor.id, failed_logins=0, locked_until=None)
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    await runtime.redis.set(_session_key(runtime, sid), json.dumps(
        {"id": counselor.id, "username": counselor.username, "role": counselor.role, "csrf": csrf}),
        ex=SESSION_SECONDS)
    await _db(request, store.audit, counselor.username, "login")
    response = JSONResponse({"username": counselor.username, "role": counselor.role, "csrf": csrf})
    response.set_cookie(COOKIE, sid, max_age=SESSION_SECONDS, httponly=True, samesite="strict", path="/console",
                        secure=runtime.settings.public_base_url.startswith("https://"))
    return response


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# -- API -----------------------------------------------------------------------------------------
def _ticket_json(ticket: Ticket, now: float) -> dict[str, Any]:
    return {"id": ticket.id, "priority": ticket.priority, "status": ticket.status, "lang": ticket.lang,
            "channel": ticket.channel, "category": ticket.category, "trigger": ticket.trigger,
            "waiting_seconds": int(now - ticket.created_at), "claimed_by": ticket.claimed_by,
            "user": ticket.user_key[:8]}


async def _queue_snapshot(runtime: Runtime, who: Who) -> dict[str, Any]:
    queue = runtime.handoff.queue
    await queue.requeue_expired()
    await queue.close_abandoned()
    now = time.time()
    claimed = [t for t in await queue.claimed() if who.supervisor or t.claimed_by == who.username]
    snapshot = {"me": {"username": who.username, "role": who.role, "csrf": who.csrf},
                "waiting": [_ticket_json(t, now) for t in await queue.waiting(limit=PAGE)],  # the first page
                "counts": await queue.counts(),  # all of them, per priority (ZCOUNT, no ticket read)
                "claimed": [_ticket_json(t, now) for t in claimed],
                "on_shift": await runtime.handoff.counselors_on_shift()}
    if who.supervisor:  # messages the platforms never took (no text, no address in these records)
        snapshot["failed_deliveries"] = list(reversed(await runtime.outbox.failed(limit=20)))
    return snapshot


async def queue_api(request: Request, who: Who) -> Response:
    return JSONResponse(await _queue_snapshot(runtime_of(request), who))


async def events(request: Request, who: Who) -> Response:
    """Server-Sent Events: the queue, sent again whenever it changes (checked every second)."""
    runtime = runtime_of(request)

    async def stream() -> AsyncIterator[str]:
        last = ""
        for _ in range(3600):
            stop_if_cancelled()
            if await request.is_disconnected():
                break
            snapshot = await _queue_snapshot(runtime, who)
            body = json.dumps({k: v for k, v in snapshot.items() if k != "me"}, sort_keys=True)
            tickets = snapshot["waiting"] + snapshot["claimed"]
            shape = json.dumps([[t["id"], t["priority"], t["status"], t["claimed_by"]] for t in tickets])
            if shape != last:
                last = shape
                yield f"event: queue\ndata: {body}\n\n"
            await asyncio.sleep(1)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


async def _own_ticket(request: Request, who: Who) -> Ticket | Response:
    ticket = await runtime_of(request).handoff.queue.get(request.path_params["ticket"])
    if ticket is None:
        return JSONResponse({"error": "no such ticket"}, status_code=404)
    if ticket.claimed_by != who.username and not who.supervisor:
        return JSONResponse({"error": "take the ticket first"}, status_code=409)
    return ticket


async def claim(request: Request, who: Who) -> Response:
    runtime, store = runtime_of(request), store_of(request)
    ticket = await runtime.handoff.queue.claim(request.path_params["ticket"], who.username, LEASE_SECONDS)
    if ticket is None:
        return JSONResponse({"error": "someone else took it or it is closed"}, status_code=409)
    await _db(request, store.open_case, ticket.id, ticket.user_key, ticket.lang, ticket.channel, ticket.priority,
              ticket.category, who.id)
    await _db(request, store.audit, who.username, "claim", ticket.id)
    return JSONResponse(_ticket_json(ticket, time.time()))


async def ticket_detail(request: Request, who: Who) -> Response:
    found = await _own_ticket(request, who)
    if isinstance(found, Response):
        return found
    runtime = runtime_of(request)
    await _db(request, store_of(request).audit, who.username, "view", found.id)
    transcript = await runtime.handoff.transcript(found.id)
    for item in transcript:  # the counselor opens media through /media; references stay on the server
        item["files"] = [{"kind": f["kind"], "location": f["ref"] if f["kind"] == "location" else None}
                         for f in item.get("files", [])]
    return JSONResponse({"ticket": _ticket_json(found, time.time()), "transcript": transcript,
                         "window": await _window(runtime, found)})


async def _window(runtime: Runtime, ticket: Ticket) -> dict[str, Any] | None:
    """WhatsApp's 24-hour window for this user: a reply outside it waits until they write."""
    if ticket.channel != "whatsapp":
        return None
    reach = Reach(runtime.redis, runtime.namespace)
    left = await reach.window_left(ticket.user_key)
    return {"open": left > WINDOW_MARGIN, "closes_in_minutes": int(left // 60)}


async def media(request: Request, who: Who) -> Response:
    """A file the user sent during the handoff, fetched from the platform for the counselor."""
    found = await _own_ticket(request, who)
    if isinstance(found, Response):
        return found
    runtime = runtime_of(request)
    try:
        item = int(request.query_params["item"])
        n = int(request.query_params.get("n", "0"))
        file = (await runtime.handoff.transcript(found.id))[item]["files"][n]
    except (KeyError, ValueError, IndexError, TypeError):
        return JSONResponse({"error": "no such file in this conversation"}, status_code=404)
    channels = getattr(request.app.state, "channels", None)
    if file["kind"] in ("location", "contact", "other") or not file.get("ref") or channels is None:
        return JSONResponse({"error": "nothing to download for this item"}, status_code=404)
    await _db(request, store_of(request).audit, who.username, "view_media", found.id, file["kind"])
    try:
        data, content_type = await channels.fetch_media(found.channel, file["ref"], file.get("type"))
    except Exception as exc:
        return JSONResponse({"error": f"the platform did not give the file ({type(exc).__name__})"}, status_code=502)
    return Response(data, media_type=content_type, headers={"Cache-Control": "no-store",
                                                             "Content-Disposition": "inline",
                                                             "X-Content-Type-Options": "nosniff"})


async def reply(request: Request, who: Who) -> Response:
    found = await _own_ticket(request, who)
    if isinstance(found, Response):
        return found
    try:
        text = str((await request.json())["text"]).strip()
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": "send {\"text\": \"…\"}"}, status_code=400)
    if not text or len(text) > 4000:
        return JSONResponse({"error": "write between 1 and 4000 characters"}, status_code=400)
    runtime = runtime_of(request)
    queued = await runtime.outbox.enqueue(found.channel, found.user_key, [Outgoing(text)])
    if not queued:
        return JSONResponse({"error": "the user's address is no longer kept (they deleted their data)"},
                            status_code=409)
    await runtime.handoff.record(found.id, "counselor", text)
    await runtime.handoff.queue.renew(found.id, found.claimed_by or who.username, LEASE_SECONDS)
    await _db(request, store_of(request).audit, who.username, "reply", found.id, f"{len(text)} characters")
    window = await _window(runtime, found)
    if window is not None and not window["open"]:
        return JSONResponse({"sent": False, "queued": True, "warning": "Fuera de la ventana de 24 horas de WhatsApp: "
                             "la respuesta espera a que la persona escriba (se le envía una invitación)."})
    return JSONResponse({"sent": True})


async def transfer(request: Request, who: Who) -> Response:
    found = await _own_ticket(request, who)
    if isinstance(found, Response):
        return found
    try:
        target = str((await request.json())["to"])
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": "send {\"to\": \"<username>\"}"}, status_code=400)
    colleague = await _db(request, store_of(request).counselor, target)
    if colleague is None or not colleague.active:
        return JSONResponse({"error": "no active colleague with that username"}, status_code=400)
    if not await runtime_of(request).handoff.queue.transfer(found.id, found.claimed_by or "", target):
        return JSONResponse({"error": "the ticket changed meanwhile"}, status_code=409)
    await _db(request, store_of(request).audit, who.username, "transfer", found.id, f"to {target}")
    return JSONResponse({"transferred": target})


async def close(request: Request, who: Who) -> Response:
    found = await _own_ticket(request, who)
    if isinstance(found, Response):
        return found
    handback = request.path_params["action"] == "handback"
    try:
        body = await request.json() if not handback else {}
    except ValueError:
        body = {}
    outcome = "handback" if handback else str(body.get("outcome", ""))
    if outcome not in OUTCOMES:
        return JSONResponse({"error": f"outcome must be one of {', '.join(OUTCOMES)}"}, status_code=400)
    runtime = runtime_of(request)
    if not await runtime.handoff.queue.close(found.id, found.claimed_by or ""):
        return JSONResponse({"error": "the ticket changed meanwhile"}, status_code=409)
    text = runtime.pipeline.bundle.catalog.text(found.lang, "handoff.handback")
    await runtime.outbox.enqueue(found.channel, found.user_key, [Outgoing(text)])
    await _db(request, store_of(request).close_case, found.id, outcome, str(body.get("note", "")))
    await _db(request, store_of(request).audit, who.username, "handback" if handback else "close", found.id, outcome)
    return JSONResponse({"closed": True, "outcome": outcome})


async def canned(request: Request, who: Who) -> Response:
    lang = request.query_params.get("lang", "es")
    catalog = runtime_of(request).pipeline.bundle.catalog
    keys = sorted(k for k in catalog.entries["es"] if k.startswith("canned."))
    return JSONResponse({"lang": lang, "replies": [{"key": k, "text": catalog.text(lang, k)} for k in keys]})


async def logout(request: Request, who: Who) -> Response:
    runtime = runtime_of(request)
    sid = request.cookies.get(COOKIE, "")
    await runtime.redis.delete(_session_key(runtime, sid))
    await _db(request, store_of(request).audit, who.username, "logout")
    response = JSONResponse({"logged_out": True})
    response.delete_cookie(COOKIE, path="/console")
    return response


def console_routes() -> list[BaseRoute]:
    return [
        Route("/console/login", login_page, methods=["GET"]),
        Route("/console/api/login", login, methods=["POST"]),
        Route("/console", console_page, methods=["GET"]),
        Route("/console/api/queue", _api(queue_api)),
        Route("/console/api/events", _api(events)),
        Route("/console/api/canned", _api(canned)),
        Route("/console/api/tickets/{ticket}", _api(ticket_detail)),
        Route("/console/api/tickets/{ticket}/media", _api(media)),
        Route("/console/api/tickets/{ticket}/claim", _api(claim, post=True), methods=["POST"]),
        Route("/console/api/tickets/{ticket}/reply", _api(reply, post=True), methods=["POST"]),
        Route("/console/api/tickets/{ticket}/transfer", _api(transfer, post=True), methods=["POST"]),
        Route("/console/api/tickets/{ticket}/{action:str}", _api(close, post=True), methods=["POST"]),
        Route("/console/api/logout", _api(logout, post=True), methods=["POST"]),
    ]
