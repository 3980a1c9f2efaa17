"""The counselor console: login, live queue, take over a conversation, reply, hand back, close.

Every text staff see (pages and API errors) comes from one gettext catalogue, read with Babel
(bot/web/i18n.py: bot/web/locale/es/LC_MESSAGES/console.po) and served to the pages as JSON.
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
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from babel import Locale
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from bot.app.cases import CHOOSABLE_OUTCOMES, CaseError
from bot.app.runtime import Runtime
from bot.content.languages import LANGS, display_name
from bot.core.cancel import stop_if_cancelled
from bot.core.conversation import Conversation
from bot.core.risk import URGENT_CATEGORIES
from bot.core.types import CHANNELS
from bot.delivery.reach import WINDOW_MARGIN, Reach
from bot.handoff.queue import PAGE, Ticket
from bot.store.db import CASE_ROLES, OUTCOMES, ROLES, Case, CaseFilter, utcnow
from bot.store.keys import Keys
from bot.web import i18n
from bot.web.state import cases_of, runtime_of, store_of

COOKIE = "sb_console"
SESSION_SECONDS = 8 * 3600
MAX_FAILED = 5
LOCK_MINUTES = 15
STATIC = Path(__file__).parent / "static"
CATALOGUE: dict[str, str] = i18n.load("es")
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


def category_label(category: str | None) -> str:
    """A risk category's name for staff ("trata / retención"); "" for none."""
    return t(f"category.{category}") if category and f"category.{category}" in CATALOGUE else (category or "")


# What the delivery workers record (English, for logs) → the catalogue's Spanish. First match wins.
_FAILED_REASONS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), key, names) for pattern, key, names in (
        (r"^expired: .*within ([\d.]+) h", "failed.expired", ("hours",)),
        (r"^address unreadable", "failed.address", ()),
        (r"^rate-limited for more than ([\d.]+) h", "failed.rate_limited", ("hours",)),
        (r"^gave up after (\d+) attempts", "failed.gave_up", ("n",)),
        (r"^not sent: (\w+) in the worker, (\d+) times", "failed.worker", ("error", "n")),
        (r"^incoming message not processed \((\w+)\)", "failed.incoming", ("error",)),
        (r"^twilio (?:failed|undelivered) (63016)\b", "failed.outside_window", ("code",)),
        (r"^twilio (?:failed|undelivered) ?(\d*)$", "failed.undelivered", ("code",)),
        (r"blocked the bot", "failed.blocked", ()),
        (r"opted out|\b21610\b", "failed.opted_out", ()),
        (r"recording", "failed.recording", ()),
        (r"not a chat id", "failed.bad_address", ()),
        (r"button payload is longer", "failed.button", ()),
        (r"refused|^telegram error|^twilio \d+ \(code", "failed.refused", ()),
    ))


def failed_reason(reason: str) -> str:
    """Why a message was not delivered, in the staff's language (the technical record stays beside it)."""
    for pattern, key, names in _FAILED_REASONS:
        found = pattern.search(reason)
        if found:
            return t(key, **{name: found.group(i + 1) or "?" for i, name in enumerate(names)})
    return t("failed.other")


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


def _api(handler: Handler, *, post: bool = False,
         roles: tuple[str, ...] = CASE_ROLES) -> Callable[[Request], Awaitable[Response]]:
    """Refuse unauthenticated requests (401), accounts whose role may not use this API (403: campaign staff
    never reach cases or transcripts) and POSTs without the session's CSRF token (403). Case staff using a
    case API are on shift (the heartbeat)."""

    async def wrapped(request: Request) -> Response:
        who = await _who(request)
        if who is None:
            return _error("err.login_first", 401)
        if who.role not in roles:
            return _error("err.forbidden", 403)
        if post and not hmac.compare_digest(request.headers.get("x-csrf-token", ""), who.csrf):
            return _error("err.csrf", 403)
        if roles == CASE_ROLES:
            await runtime_of(request).handoff.heartbeat(who.username)
        try:
            return await handler(request, who)
        except CaseError as refused:  # the case workflow said no: its reason, in the staff's words
            return _error(refused.key, refused.status, **refused.variables)

    return wrapped


async def _db(request: Request, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(fn, *args, **kwargs)


# -- pages ---------------------------------------------------------------------------------------
def _page(name: str) -> HTMLResponse:
    """A page with its {{key}} texts filled from the catalogue (escaped)."""
    source = (STATIC / name).read_text(encoding="utf-8")
    return HTMLResponse(_KEY.sub(lambda m: html.escape(t(m.group(1))), source), headers={"Cache-Control": "no-cache"})


async def role_page(request: Request, name: str, roles: Collection[str], title_key: str) -> Response:
    """A page for some roles only: the login for nobody, a short refusal for another role."""
    who = await _who(request)
    if who is None:
        return RedirectResponse("/console/login", status_code=303)
    if who.role not in roles:
        title, refused = html.escape(t(title_key)), html.escape(t("err.forbidden"))
        return HTMLResponse(f'<!doctype html><html lang="es"><title>{title}</title><p>{refused}</p>', status_code=403)
    return _page(name)


async def staff_css(request: Request) -> Response:
    """The frame shared by the staff pages (reports, campaign)."""
    return FileResponse(STATIC / "staff.css", media_type="text/css", headers={"Cache-Control": "no-cache"})


async def icons(request: Request) -> Response:
    """The line icons shared by the console and the simulator pages."""
    return FileResponse(STATIC / "icons.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"})


async def login_page(request: Request) -> Response:
    return _page("login.html")


async def strings(request: Request) -> Response:
    """The catalogue for the pages (public: no secrets in it)."""
    return JSONResponse(CATALOGUE, headers={"Cache-Control": "no-cache"})


async def console_page(request: Request) -> Response:
    who = await _who(request)
    if who is None:
        return RedirectResponse("/console/login", status_code=303)
    if who.role not in CASE_ROLES:  # campaign staff: their figures, never the cases
        return RedirectResponse("/console/reports", status_code=303)
    return _page("console.html")


async def me(request: Request, who: Who) -> Response:
    """Who is signed in (any role): name, role and the session's CSRF token."""
    return JSONResponse({"username": who.username, "role": who.role, "role_label": t(f"role.{who.role}"),
                         "csrf": who.csrf})


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
        "category_label": category_label(ticket.category),
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
        snapshot["failed_deliveries"] = [{**f, "reason_text": failed_reason(str(f.get("reason", ""))),
                                           "detail": t("failed.detail", detail=f.get("reason", ""))}
                                          for f in reversed(await runtime.outbox.failed(limit=20))]
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


async def _own_ticket(request: Request, who: Who) -> Ticket:
    return await cases_of(request).owned(request.path_params["ticket"], who)


async def claim(request: Request, who: Who) -> Response:
    ticket = await cases_of(request).claim(request.path_params["ticket"], who)
    return JSONResponse(_ticket_json(ticket, time.time()))


async def ticket_detail(request: Request, who: Who) -> Response:
    found = await _own_ticket(request, who)
    runtime = runtime_of(request)
    await _db(request, store_of(request).audit, who.username, "view", found.id)
    transcript = await runtime.handoff.transcript(found.id)
    meta: dict[str, str] = {}
    for item in transcript:  # the counselor opens media through /media; references stay on the server
        item["files"] = [_file_json(f, found.channel) for f in item.get("files", [])]
        if item.get("from") == "bot" and not item.get("text") and not item.get("choices") and not item["files"]:
            item["files"] = [{"kind": "audio", "label": t("media.recording"), "open": False, "location": None}]
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
                         "category": category_label(c.category)}
                        for c in await _db(request, store_of(request).closed_cases_of, found.user_key)
                        if c.ticket_id != found.id]}
    activity = await runtime.handoff.activity([found.id])
    return JSONResponse({"ticket": _ticket_json(found, time.time(), activity.get(found.id)), "case": case,
                         "transcript": transcript, "window": await _window(runtime, found)})


DOWNLOADABLE = ("audio", "image", "video", "document", "sticker")


def _file_json(file: dict[str, Any], channel: str) -> dict[str, Any]:
    """A file in the transcript as staff see it: a labelled item ("Nota de voz"), and whether the console
    can fetch it from the platform (never the platform's reference itself)."""
    kind = str(file.get("kind", "other"))
    label = t(f"media.{kind}") if f"media.{kind}" in CATALOGUE else t("media.other")
    return {"kind": kind, "label": label, "location": file.get("ref") if kind == "location" else None,
            "open": kind in DOWNLOADABLE and bool(file.get("ref")) and channel != "simulator",
            "simulated": channel == "simulator" and kind in DOWNLOADABLE}


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
    text = await _body(request, "text")
    if text is None:
        return _error("err.send_text", 400)
    await cases_of(request).reply(found, who, text)
    window = await _window(runtime_of(request), found)
    if window is not None and not window["open"]:
        return JSONResponse({"sent": False, "queued": True, "warning": t("window.closed")})
    return JSONResponse({"sent": True})


async def _body(request: Request, field: str) -> str | None:
    """A text field of the JSON body, stripped; None when the body has no such field."""
    try:
        return str((await request.json())[field]).strip()
    except (ValueError, KeyError, TypeError):
        return None


async def note(request: Request, who: Who) -> Response:
    """An internal note (a supervisor's is a whisper): in the case's transcript for staff, never sent."""
    found = await _own_ticket(request, who)
    kind = await cases_of(request).note(found, who, await _body(request, "text") or "")
    return JSONResponse({"saved": True, "kind": kind})


async def transfer(request: Request, who: Who) -> Response:
    found = await _own_ticket(request, who)
    target = await _body(request, "to")
    if target is None:
        return _error("err.send_to", 400)
    await cases_of(request).transfer(found, who, target)
    return JSONResponse({"transferred": target})


async def close(request: Request, who: Who) -> Response:
    found = await _own_ticket(request, who)
    action = request.path_params["action"]
    if action not in ("close", "handback"):
        return _error("err.no_ticket", 404)
    try:
        body = await request.json()
        body = body if isinstance(body, dict) else {}
    except ValueError:
        body = {}
    outcome, confirmed = str(body.get("outcome", "")), body.get("supervisor_confirm") is True
    await cases_of(request).close(found, who, outcome=outcome, note=str(body.get("note", "")),
                                  handback=action == "handback", supervisor_confirm=confirmed)
    return JSONResponse({"closed": True, "outcome": outcome})


BOLIVIA = dt.timezone(dt.timedelta(hours=-4), "BOT")  # no daylight saving time
SEARCH_LIMIT = 50
_USER_PREFIX = re.compile(r"[0-9a-f]{4,32}")


def _day(value: str, *, after: bool = False) -> dt.datetime:
    """The start of a day in Bolivia ("2025-03-01"), in UTC; `after`: the start of the next day."""
    day = dt.date.fromisoformat(value)
    start = dt.datetime.combine(day + dt.timedelta(days=1 if after else 0), dt.time(), BOLIVIA)
    return start.astimezone(dt.UTC)


def _case_filter(params: Any) -> CaseFilter | str:
    """The search's filters from the query string, or the catalogue key of what is wrong."""
    def pick(name: str, allowed: tuple[str, ...]) -> str | None:
        value = str(params.get(name, "")).strip()
        if value and value not in allowed:
            raise LookupError(name)
        return value or None

    try:
        opened_from = _day(params["from"]) if params.get("from") else None
        opened_before = _day(params["to"], after=True) if params.get("to") else None
    except ValueError:
        return "err.bad_date"
    user = str(params.get("user", "")).strip().lower()
    if user and not _USER_PREFIX.fullmatch(user):
        return "err.bad_user"
    try:
        return CaseFilter(opened_from=opened_from, opened_before=opened_before,
                          status=pick("status", ("open", "closed")), outcome=pick("outcome", OUTCOMES),
                          category=pick("category", URGENT_CATEGORIES), lang=pick("lang", LANGS),
                          channel=pick("channel", CHANNELS), priority=pick("priority", ("urgent", "normal")),
                          counselor=str(params.get("counselor", "")).strip()[:64] or None, user_prefix=user or None)
    except LookupError:
        return "err.bad_filter"


def _case_row(case: Case, holder: str | None, live: str | None, who: Who) -> dict[str, Any]:
    """One search result: the case's data in Spanish (no message text: none is stored with cases)."""
    still_open = case.closed_at is None and live not in (None, "closed")
    return {"ticket": case.ticket_id, "user": case.user_key[:8], "opened_at": _aware(case.opened_at).isoformat(),
            "closed_at": _aware(case.closed_at).isoformat() if case.closed_at else None, "open": still_open,
            "lost": case.closed_at is None and not still_open,  # closed without an outcome (abandoned, deleted)
            "priority": case.priority, "priority_label": t(f"priority.{case.priority}"),
            "category_label": category_label(case.category) or t("card.no_category"),
            "lang_name": language_name(case.lang) if case.lang in LANGS else case.lang,
            "channel_name": t(f"channel.{case.channel}"), "counselor": holder,
            "outcome_label": t(f"outcome.{case.outcome}") if case.outcome else "", "note": case.note or "",
            "can_open": still_open and (who.supervisor or holder == who.username)}


async def search(request: Request, who: Who) -> Response:
    """Cases by their data (dates, status, outcome, risk, language, channel, counselor, the keyed user
    shown on the case); never by what anyone wrote. Every search is in the audit log."""
    found = _case_filter(request.query_params)
    if isinstance(found, str):
        return _error(found, 400)
    store, runtime = store_of(request), runtime_of(request)
    rows, total = await _db(request, store.search_cases, found, SEARCH_LIMIT)
    live = await asyncio.gather(*(runtime.handoff.queue.status(c.ticket_id) for c, _ in rows if c.closed_at is None))
    status = dict(zip([c.ticket_id for c, _ in rows if c.closed_at is None], live, strict=True))
    used = {k: v for k, v in request.query_params.items() if v and k in (
        "from", "to", "status", "outcome", "category", "lang", "channel", "priority", "counselor", "user")}
    await _db(request, store.audit, who.username, "search", None, json.dumps(used, sort_keys=True)[:255])
    return JSONResponse({"total": total, "cases": [_case_row(c, holder, status.get(c.ticket_id), who)
                                                   for c, holder in rows]})


async def search_options(request: Request, who: Who) -> Response:
    """What the search can filter on, with the names staff read."""
    staff = await _db(request, store_of(request).counselors)
    return JSONResponse({
        "outcomes": [{"id": o, "label": t(f"outcome.{o}")} for o in OUTCOMES],
        "categories": [{"id": c, "label": category_label(c)} for c in URGENT_CATEGORIES],
        "langs": [{"id": lang, "label": language_name(lang)} for lang in LANGS],
        "channels": [{"id": c, "label": t(f"channel.{c}")} for c in CHANNELS],
        "priorities": [{"id": p, "label": t(f"priority.{p}")} for p in ("urgent", "normal")],
        "counselors": [c.username for c in staff if c.role in CASE_ROLES]})


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
        Route("/console/icons.js", icons, methods=["GET"]),
        Route("/console/staff.css", staff_css, methods=["GET"]),
        Route("/console/api/login", login, methods=["POST"]),
        Route("/console", console_page, methods=["GET"]),
        Route("/console/api/queue", _api(queue_api)),
        Route("/console/api/events", _api(events)),
        Route("/console/api/canned", _api(canned)),
        Route("/console/api/cases", _api(search)),
        Route("/console/api/cases/options", _api(search_options)),
        Route("/console/api/tickets/{ticket}", _api(ticket_detail)),
        Route("/console/api/tickets/{ticket}/media", _api(media)),
        Route("/console/api/tickets/{ticket}/claim", _api(claim, post=True), methods=["POST"]),
        Route("/console/api/tickets/{ticket}/reply", _api(reply, post=True), methods=["POST"]),
        Route("/console/api/tickets/{ticket}/transfer", _api(transfer, post=True), methods=["POST"]),
        Route("/console/api/tickets/{ticket}/note", _api(note, post=True), methods=["POST"]),
        Route("/console/api/tickets/{ticket}/{action:str}", _api(close, post=True), methods=["POST"]),
        Route("/console/api/me", _api(me, roles=ROLES)),
        Route("/console/api/logout", _api(logout, post=True, roles=ROLES), methods=["POST"]),
    ]
