"""The counselor console: login, live queue, take over a conversation, reply, hand back, close.

Every text staff see (pages and API errors) comes from one catalogue, static/i18n/es.json.
Sessions live in Redis (`<ns>:console:{<id>}:session`) behind an HttpOnly, SameSite=Strict cookie;
every POST needs the session's CSRF token in `X-CSRF-Token`. Accounts lock for 15 minutes after
5 failed logins. Every view, claim, reply, transfer, hand-back and close is written to the audit
log; no phone number is ever shown, only the user's keyed hash (shortened).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import html
import json
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from babel import Locale
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from bot.channels.reach import WINDOW_MARGIN, Reach
from bot.content.languages import LANGS, display_name
from bot.core.cancel import stop_if_cancelled
from bot.core.conversation import Conversation
from bot.core.risk import CATEGORY_LABELS_ES
from bot.core.types import Outgoing
from bot.handoff.queue import PAGE, Ticket
from bot.runtime import Runtime
from bot.store.db import OUTCOMES, utcnow
from bot.store.keys import Keys
from bot.web.state import runtime_of, store_of

COOKIE = "sb_console"
SESSION_SECONDS = 8 * 3600
LEASE_SECONDS = 15 * 60
MAX_FAILED = 5
LOCK_MINUTES = 15
STATIC = Path(__file__).parent / "static"
CATALOGUE: dict[str, str] = json.loads((STATIC / "i18n" / "es.json").read_text(encoding="utf-8"))
CHOOSABLE_OUTCOMES = tuple(o for o in OUTCOMES if o != "handback")  # a hand-back is an action, not a result
MAX_REPLY, MAX_NOTE = 4000, 2000
_KEY = re.compile(r"\{\{([a-z0-9_.?]+)\}\}")
_hasher = PasswordHasher()


def t(key: str, **variables: object) -> str:
    """A console text from the catalogue, with its {placeholders} filled."""
    text = CATALOGUE.get(key, key)
    for name, value in variables.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def _error(key: str, status: int, **variables: object) -> JSONResponse:
    """An API error staff can read: the Spanish text and a stable code for the page and tests."""
    return JSONResponse({"error": t(key, **variables), "code": key}, status_code=status)


def language_name(lang: str) -> str:
    """The language's Spanish name and its own name: "quechua (Runasimi)"."""
    spanish = Locale.parse("es").languages.get(lang, lang)
    native = display_name(lang)
    return spanish if spanish.lower() == native.lower() else f"{spanish} ({native})"


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
    return Keys(runtime.namespace).console_session(sid)


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
            return _error("err.login_first", 401)
        if post and not hmac.compare_digest(request.headers.get("x-csrf-token", ""), who.csrf):
            return _error("err.csrf", 403)
        await runtime_of(request).handoff.heartbeat(who.username)
        return await handler(request, who)

    return wrapped


async def _db(request: Request, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(fn, *args, **kwargs)


# -- pages ---------------------------------------------------------------------------------------
def _page(name: str) -> HTMLResponse:
    """A page with its {{key}} texts filled from the catalogue (escaped)."""
    source = (STATIC / name).read_text(encoding="utf-8")
    return HTMLResponse(_KEY.sub(lambda m: html.escape(t(m.group(1))), source), headers={"Cache-Control": "no-cache"})


async def login_page(request: Request) -> Response:
    return _page("login.html")


async def strings(request: Request) -> Response:
    """The catalogue for the pages (public: no secrets in it)."""
    return JSONResponse(CATALOGUE, headers={"Cache-Control": "no-cache"})


async def console_page(request: Request) -> Response:
    if await _who(request) is None:
        return RedirectResponse("/console/login", status_code=303)
    return _page("console.html")


async def login(request: Request) -> Response:
    try:
        body = await request.json()
        username, password = str(body["username"]), str(body["password"])
    except (ValueError, KeyError, TypeError):
        return _error("err.send_credentials", 400)
    store, runtime = store_of(request), runtime_of(request)
    counselor = await _db(request, store.counselor, username)
    now = utcnow()
    if counselor is not None and counselor.locked_until and _aware(counselor.locked_until) > now:
        await _db(request, store.audit, username, "login_locked")
        return _error("err.locked", 423, minutes=LOCK_MINUTES, max=MAX_FAILED)
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
        return _error("err.wrong_login", 401)
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
def _readable_trigger(trigger: str | None) -> str | None:
    """The rule that matched, without its matching marks ("=quiero matar me" → "quiero matar me")."""
    return trigger.lstrip("=").replace("*", "…").strip() if trigger else None


def _ticket_json(ticket: Ticket, now: float, activity: dict[str, float] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": ticket.id, "priority": ticket.priority, "status": ticket.status, "lang": ticket.lang,
        "lang_name": language_name(ticket.lang), "channel": ticket.channel,
        "channel_name": t(f"channel.{ticket.channel}"), "category": ticket.category,
        "category_label": CATEGORY_LABELS_ES.get(ticket.category or "", ticket.category or ""),
        "trigger": _readable_trigger(ticket.trigger), "created_at": ticket.created_at,
        "waiting_seconds": int(now - ticket.created_at),
        "claimed_by": ticket.claimed_by, "user": ticket.user_key[:8]}
    if activity is not None:  # cases someone holds: lines so far (unread badges) and last activity
        data["lines"] = int(activity.get("lines", 0))
        data["last_at"] = activity.get("last_at") or ticket.created_at
    return data


async def _queue_snapshot(runtime: Runtime, who: Who) -> dict[str, Any]:
    queue = runtime.handoff.queue
    await queue.requeue_expired()
    await queue.close_abandoned()
    now = time.time()
    claimed = [c for c in await queue.claimed() if who.supervisor or c.claimed_by == who.username]
    activity = await runtime.handoff.activity([c.id for c in claimed])
    on_shift = await runtime.handoff.on_shift()
    snapshot = {"me": {"username": who.username, "role": who.role, "csrf": who.csrf},
                "now": now,
                "waiting": [_ticket_json(w, now) for w in await queue.waiting(limit=PAGE)],  # the first page
                "counts": await queue.counts(),  # all of them, per priority (ZCOUNT, no ticket read)
                "mine": sum(1 for c in claimed if c.claimed_by == who.username),
                "claimed": [_ticket_json(c, now, activity.get(c.id)) for c in claimed],
                "on_shift": len(on_shift), "on_shift_names": on_shift,
                "outcomes": [{"id": o, "label": t(f"outcome.{o}")} for o in CHOOSABLE_OUTCOMES]}
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
            shape = json.dumps([[x["id"], x["priority"], x["status"], x["claimed_by"], x.get("lines")] for x in tickets]
                               + [snapshot["on_shift_names"], len(snapshot.get("failed_deliveries", []))])
            if shape != last:
                last = shape
                yield f"event: queue\ndata: {body}\n\n"
            await asyncio.sleep(1)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


async def _own_ticket(request: Request, who: Who) -> Ticket | Response:
    ticket = await runtime_of(request).handoff.queue.get(request.path_params["ticket"])
    if ticket is None:
        return _error("err.no_ticket", 404)
    if ticket.claimed_by != who.username and not who.supervisor:
        return _error("err.take_first", 409)
    return ticket


async def claim(request: Request, who: Who) -> Response:
    runtime, store = runtime_of(request), store_of(request)
    ticket = await runtime.handoff.queue.claim(request.path_params["ticket"], who.username, LEASE_SECONDS)
    if ticket is None:
        return _error("err.taken", 409)
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
    meta: dict[str, str] = {}
    for item in transcript:  # the counselor opens media through /media; references stay on the server
        item["files"] = [{"kind": f["kind"], "location": f["ref"] if f["kind"] == "location" else None}
                         for f in item.get("files", [])]
        if item.get("from") == "system":
            meta = item.get("meta", {})
            lang = meta.get("lang", "?")
            meta["lang_name"] = language_name(lang) if lang in LANGS else t("case.no_lang")
    audience = meta.get("audience", "?")
    case = {"audience": audience, "audience_label": t(f"audience.{audience}") if f"audience.{audience}" in CATALOGUE
            else audience, **_position(runtime, meta),
            "counselor_replied": any(i.get("from") == "counselor" for i in transcript),
            "history": [{"opened_at": c.opened_at.isoformat(), "closed_at": c.closed_at.isoformat() if c.closed_at
                         else None, "outcome": t(f"outcome.{c.outcome}"), "note": c.note or "",
                         "category": CATEGORY_LABELS_ES.get(c.category or "", "")}
                        for c in await _db(request, store_of(request).closed_cases_of, found.user_key)
                        if c.ticket_id != found.id]}
    activity = await runtime.handoff.activity([found.id])
    return JSONResponse({"ticket": _ticket_json(found, time.time(), activity.get(found.id)), "case": case,
                         "transcript": transcript, "window": await _window(runtime, found)})


def _position(runtime: Runtime, meta: dict[str, str]) -> dict[str, Any]:
    """Where the user was when the case opened, and the bot's message they were answering, rebuilt
    from the flow position (no earlier text is stored): {"where": …, "before": {"text", "choices"} | None}."""
    flow_id, _, step_id = meta.get("at", "menu").partition("/")
    if not step_id:
        return {"where": t("where.menu"), "before": None}
    bundle = runtime.pipeline.bundle
    lang = meta.get("lang", "es") if meta.get("lang") in LANGS else "es"
    audience = meta.get("audience") if meta.get("audience") not in (None, "?") else None
    title = f"{flow_id}.title"
    where = bundle.catalog.text("es", title) if bundle.catalog.has(title) else flow_id
    state = Conversation(lang=lang, flow=flow_id, step=step_id)
    key = bundle.engine.current_prompt(state)
    if not key or not bundle.catalog.has(key):
        return {"where": where, "before": None}
    choices = [bundle.catalog.text(lang, c.label, audience=audience) for c in bundle.engine.current_choices(state)]
    return {"where": where, "before": {"text": bundle.catalog.text(lang, key, audience=audience), "choices": choices}}


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
        return _error("err.no_file", 404)
    channels = getattr(request.app.state, "channels", None)
    if file["kind"] in ("location", "contact", "other") or not file.get("ref") or channels is None:
        return _error("err.nothing_to_download", 404)
    await _db(request, store_of(request).audit, who.username, "view_media", found.id, file["kind"])
    try:
        data, content_type = await channels.fetch_media(found.channel, file["ref"], file.get("type"))
    except Exception as exc:
        return _error("err.platform_file", 502, kind=type(exc).__name__)
    return Response(data, media_type=content_type, headers={"Cache-Control": "no-store",
                                                             "Content-Disposition": "inline",
                                                             "X-Content-Type-Options": "nosniff"})


async def reply(request: Request, who: Who) -> Response:
    found = await _own_ticket(request, who)
    if isinstance(found, Response):
        return found
    text = await _text_field(request)
    if text is None:
        return _error("err.send_text", 400)
    if not text or len(text) > MAX_REPLY:
        return _error("err.length", 400, max=MAX_REPLY)
    runtime = runtime_of(request)
    queued = await runtime.outbox.enqueue(found.channel, found.user_key, [Outgoing(text)])
    if not queued:
        return _error("err.address_gone", 409)
    await runtime.handoff.record(found.id, "counselor", text, by=who.username)
    await runtime.handoff.queue.renew(found.id, found.claimed_by or who.username, LEASE_SECONDS)
    await _db(request, store_of(request).audit, who.username, "reply", found.id, f"{len(text)} characters")
    window = await _window(runtime, found)
    if window is not None and not window["open"]:
        return JSONResponse({"sent": False, "queued": True, "warning": t("window.closed")})
    return JSONResponse({"sent": True})


async def _text_field(request: Request) -> str | None:
    try:
        return str((await request.json())["text"]).strip()
    except (ValueError, KeyError, TypeError):
        return None


async def note(request: Request, who: Who) -> Response:
    """An internal note (a supervisor's is a whisper): in the case's transcript for staff, never sent."""
    found = await _own_ticket(request, who)
    if isinstance(found, Response):
        return found
    text = await _text_field(request)
    if not text or len(text) > MAX_NOTE:
        return _error("err.length", 400, max=MAX_NOTE)
    kind = "whisper" if who.supervisor and found.claimed_by != who.username else "note"
    await runtime_of(request).handoff.record(found.id, kind, text, by=who.username)
    await _db(request, store_of(request).audit, who.username, kind, found.id, f"{len(text)} characters")
    return JSONResponse({"saved": True, "kind": kind})


async def transfer(request: Request, who: Who) -> Response:
    found = await _own_ticket(request, who)
    if isinstance(found, Response):
        return found
    try:
        target = str((await request.json())["to"])
    except (ValueError, KeyError, TypeError):
        return _error("err.send_to", 400)
    colleague = await _db(request, store_of(request).counselor, target)
    if colleague is None or not colleague.active:
        return _error("err.no_colleague", 400)
    if not await runtime_of(request).handoff.queue.transfer(found.id, found.claimed_by or "", target):
        return _error("err.changed", 409)
    await _db(request, store_of(request).audit, who.username, "transfer", found.id, f"to {target}")
    return JSONResponse({"transferred": target})


async def close(request: Request, who: Who) -> Response:
    found = await _own_ticket(request, who)
    if isinstance(found, Response):
        return found
    action = request.path_params["action"]
    if action not in ("close", "handback"):
        return _error("err.no_ticket", 404)
    handback = action == "handback"
    try:
        body = await request.json()
        body = body if isinstance(body, dict) else {}
    except ValueError:
        body = {}
    outcome = str(body.get("outcome", ""))
    if outcome not in CHOOSABLE_OUTCOMES:  # both need a result: what happened must be on record
        return _error("err.outcome", 400)
    runtime = runtime_of(request)
    if handback and found.priority == "urgent" and not (who.supervisor and body.get("supervisor_confirm") is True):
        # "tengo miedo" must never be answered by "the person finished": a reply first, or a supervisor's word
        lines = await runtime.handoff.transcript(found.id)
        if not any(line.get("from") == "counselor" for line in lines):
            return _error("err.urgent_handback", 409)
    if not await runtime.handoff.queue.close(found.id, found.claimed_by or ""):
        return _error("err.changed", 409)
    text = runtime.pipeline.bundle.catalog.text(found.lang, "handoff.handback")
    await runtime.outbox.enqueue(found.channel, found.user_key, [Outgoing(text)])
    await _db(request, store_of(request).close_case, found.id, outcome, str(body.get("note", ""))[:MAX_NOTE])
    await _db(request, store_of(request).audit, who.username, "handback" if handback else "close", found.id, outcome)
    return JSONResponse({"closed": True, "outcome": outcome})


async def canned(request: Request, who: Who) -> Response:
    lang = request.query_params.get("lang", "es")
    catalog = runtime_of(request).pipeline.bundle.catalog
    keys = sorted(k for k in catalog.entries["es"] if k.startswith("canned."))
    return JSONResponse({"lang": lang, "replies": [  # the Spanish beside Quechua and Aymara drafts
        {"key": k, "text": catalog.text(lang, k), "gloss": catalog.text("es", k) if lang != "es" else None}
        for k in keys]})


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
        Route("/console/strings", strings, methods=["GET"]),
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
        Route("/console/api/tickets/{ticket}/note", _api(note, post=True), methods=["POST"]),
        Route("/console/api/tickets/{ticket}/{action:str}", _api(close, post=True), methods=["POST"]),
        Route("/console/api/logout", _api(logout, post=True), methods=["POST"]),
    ]
