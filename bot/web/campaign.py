"""The console's campaign page: the broadcasts with their progress and delivery figures, the weekly tip series,
a form to create a broadcast (a content key with its preview per language and channel, a segment with a live
count, an optional time in Bolivia, a confirm step) and a cancel button.

Campaign staff and admins act; supervisors may look; counselors get 403. Creating and cancelling go through
the same functions as `python -m bot campaign` (bot/app/broadcasts.py: `check_key`, `parse_segment`,
`parse_at`, `create_broadcast`, `cancel_broadcast`), so both are checked and audited alike; what they refuse
reaches staff in Spanish from the catalogue. Counts between 1 and REPORT_MIN_CELL - 1 show as "<5", as in
the reports (bot/app/reports.py `Suppress`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app.broadcasts import (
    ALLOWED,
    BadRequest,
    campaign_message,
    cancel_broadcast,
    check_key,
    create_broadcast,
    local_time,
    parse_at,
    parse_segment,
)
from bot.app.reports import Suppress
from bot.content.catalog import AUDIENCES, Catalog
from bot.content.languages import LANGS, SOURCE_LANG
from bot.core.types import Outgoing
from bot.delivery.render import render_for
from bot.errors import DataError
from bot.flows.series import load_series
from bot.store.broadcasts import SEGMENT_FIELDS, BroadcastCounters, Segment, SqlBroadcasts, aware
from bot.store.db import REPORT_ROLES, Broadcast
from bot.store.subscriptions import SqlSubscriptions
from bot.web.console import Who, _api, _error, language_name, role_page, t
from bot.web.state import runtime_of, store_of

log = logging.getLogger(__name__)
VIEW_ROLES = REPORT_ROLES  # campaign staff, supervisors and admins see the page
EDIT_ROLES = ("campaign", "admin")  # who may create and cancel broadcasts
PREVIEW_CHANNELS = ("whatsapp", "telegram")
# What bot/app/broadcasts.py refuses (its `code`) → the catalogue's Spanish.
ERRORS = {
    "unknown_key": "campaign.err_unknown_key",
    "needs_variables": "campaign.err_needs_variables",
    "bad_segment": "campaign.err_bad_segment",
    "unknown_value": "campaign.err_unknown_value",
    "bad_time": "campaign.err_bad_time",
    "past_time": "campaign.err_past_time",
}
STATES = {
    "scheduled": "campaign.state_scheduled",
    "sending": "campaign.state_sending",
    "done": "campaign.state_done",
    "cancelled": "campaign.state_cancelled",
}
CITY_NAMES = {
    "la_paz": "campaign.city_la_paz",
    "el_alto": "campaign.city_el_alto",
    "santa_cruz": "campaign.city_santa_cruz",
    "san_borja": "campaign.city_san_borja",
    "other": "campaign.city_other",
}
DAYS = (
    "campaign.day_monday",
    "campaign.day_tuesday",
    "campaign.day_wednesday",
    "campaign.day_thursday",
    "campaign.day_friday",
    "campaign.day_saturday",
    "campaign.day_sunday",
)
FIELD_NAMES = {
    "lang": "campaign.field_lang",
    "audience": "campaign.field_audience",
    "channel": "campaign.field_channel",
    "city": "campaign.field_city",
}


def _refused(exc: BadRequest) -> JSONResponse:
    variables = dict(exc.variables)
    if "field" in variables:
        variables["field"] = t(FIELD_NAMES.get(variables["field"], variables["field"]))
    return _error(ERRORS.get(exc.code, "campaign.err_bad_request"), 400, **variables)


async def campaign_page(request: Request) -> Response:
    return await role_page(request, "campaign.html", VIEW_ROLES, "campaign.title")


def _value_name(field: str, value: str) -> str:
    if field == "lang":
        return language_name(value)
    if field == "audience":
        return t(f"audience.{value}")
    if field == "channel":
        return t(f"channel.{value}")
    return t(CITY_NAMES[value]) if value in CITY_NAMES else value


def segment_label(segment: Segment) -> str:
    """ "español · WhatsApp · El Alto", or "todas las suscripciones"."""
    parts = [_value_name(name, value) for name, value in segment.as_json().items()]
    return " · ".join(parts) or t("campaign.everyone")


def _broadcast_json(row: Broadcast, live: dict[str, int], hide: Suppress) -> dict[str, Any]:
    figure = {name: max(int(getattr(row, name)), live.get(name, 0)) for name in ("sent", "delivered", "read", "failed")}
    return {
        "id": row.id,
        "message": row.content_key,
        "segment": segment_label(Segment.from_json(row.segment)),
        "state": row.state,
        "state_label": t(STATES.get(row.state, row.state)),
        "scheduled_at": local_time(aware(row.scheduled_at).timestamp()),
        "created_by": row.created_by,
        "total": None if row.state == "scheduled" else hide.count(row.total),  # fixed when sending starts
        **{name: hide.count(value) for name, value in figure.items()},
        "skipped_no_template": hide.count(row.skipped_no_template),
        "fallback_to_spanish": hide.count(row.fallback_to_spanish),
        "active": row.state in ("scheduled", "sending"),
    }


def _options(catalog: Catalog) -> dict[str, Any]:
    keys = []
    for key in sorted(catalog.entries[SOURCE_LANG]):
        try:
            check_key(catalog, key)
        except BadRequest:
            continue  # a text with variables cannot be broadcast
        keys.append(key)
    return {
        "keys": keys,
        "segment": {name: [{"id": v, "label": _value_name(name, v)} for v in ALLOWED[name]] for name in SEGMENT_FIELDS},
    }


async def campaign_api(request: Request, who: Who) -> Response:
    """The broadcasts (latest first), the weekly tip series and what the form can offer."""
    runtime, store = runtime_of(request), store_of(request)
    hide = Suppress(runtime.settings.report_min_cell)
    broadcasts = SqlBroadcasts(store.engine)
    counters = BroadcastCounters(runtime.redis, runtime.namespace)
    rows = await broadcasts.recent(runtime.namespace)
    listed = [_broadcast_json(row, await counters.get(row.id), hide) for row in rows]
    try:
        series = load_series(runtime.settings.flows_dir)
    except DataError:
        series = None
    active, tips_sent = await SqlSubscriptions(store.engine).totals()
    body = {
        "can_edit": who.role in EDIT_ROLES,
        "min_cell": hide.min_cell,
        "broadcasts": listed,
        "series": None
        if series is None
        else {
            "name": series.name,
            "weeks": len(series.weeks),
            "when": t("campaign.series_when", day=t(DAYS[series.day]), hour=f"{series.hour:02d}:00"),
            "active": hide.count(active),
            "tips_sent": hide.count(tips_sent),
        },
        **_options(runtime.pipeline.bundle.catalog),
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _parts(channel: str, message: Outgoing) -> list[str]:
    return [part.text for part in render_for(channel, message)]


async def preview(request: Request, who: Who) -> Response:
    """A content key as each language's subscribers get it (per audience when the texts differ), on WhatsApp
    and on Telegram, and which approved template goes outside WhatsApp's 24-hour window."""
    catalog = runtime_of(request).pipeline.bundle.catalog
    key = request.query_params.get("key", "").strip()
    try:
        check_key(catalog, key)
    except BadRequest as exc:
        return _refused(exc)
    audience = request.query_params.get("audience") or None
    audiences = [audience] if audience in AUDIENCES else list(AUDIENCES)
    langs = []
    for lang in LANGS:
        variants: dict[str, dict[str, Any]] = {}
        for who_gets in audiences:
            message = campaign_message(catalog, key, lang, who_gets).message
            found = variants.setdefault(
                message.text,
                {"audiences": [], **{channel: _parts(channel, Outgoing(message.text)) for channel in PREVIEW_CHANNELS}},
            )
            found["audiences"].append(t(f"audience.{who_gets}"))
        shown = campaign_message(catalog, key, lang, audiences[0])
        template = shown.template
        langs.append(
            {
                "lang": lang,
                "lang_name": language_name(lang),
                "fallback": key not in catalog.entries.get(lang, {}),
                "variants": list(variants.values()),
                "template": None if template is None else {"sid": template.sid, "fallback": shown.template_fallback},
            }
        )
    return JSONResponse({"key": key, "langs": langs})


def _segment(body: dict[str, Any]) -> Segment:
    """The form's four fields ("" or missing: any) as the CLI's `--to`, read by the same function."""
    given = {name: str(body.get(name) or "").strip() for name in SEGMENT_FIELDS}
    for name, value in given.items():
        if "," in value or "=" in value:
            raise BadRequest(f"{name}={value} is not known", "unknown_value", field=name)
    return parse_segment(",".join(f"{name}={value}" for name, value in given.items() if value))


async def count(request: Request, who: Who) -> Response:
    """How many active subscriptions the segment has now (live, as the form changes), in all and per language."""
    try:
        segment = _segment(dict(request.query_params))
    except BadRequest as exc:
        return _refused(exc)
    runtime = runtime_of(request)
    hide = Suppress(runtime.settings.report_min_cell)
    per_lang = await SqlBroadcasts(store_of(request).engine).audience(segment)
    return JSONResponse(
        {
            "total": hide.count(sum(per_lang.values())),
            "per_lang": {lang: hide.count(per_lang.get(lang, 0)) for lang in LANGS},
            "segment": segment_label(segment),
        },
        headers={"Cache-Control": "no-store"},
    )


async def create(request: Request, who: Who) -> Response:
    """Check a broadcast; with `"confirm": true`, create it. Without, answer what would be created."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _error("campaign.err_bad_request", 400)
    runtime = runtime_of(request)
    now = time.time()
    try:
        key = str(body.get("key") or "").strip()
        check_key(runtime.pipeline.bundle.catalog, key)
        segment = _segment(body)
        at_text = str(body.get("at") or "").strip()
        at = parse_at(at_text, now) if at_text else None
    except BadRequest as exc:
        return _refused(exc)
    broadcasts = SqlBroadcasts(store_of(request).engine)
    total = sum((await broadcasts.audience(segment)).values())
    if total == 0:
        return _error("campaign.err_nobody", 400)
    hide = Suppress(runtime.settings.report_min_cell)
    summary = {
        "key": key,
        "segment": segment_label(segment),
        "recipients": hide.count(total),
        "when": t("campaign.when_at", at=local_time(at)) if at is not None else t("campaign.when_now"),
    }
    if body.get("confirm") is not True:
        return JSONResponse({"confirm": summary})
    row = await create_broadcast(
        broadcasts, store_of(request), runtime.namespace, key, segment, at, who.username, now=now
    )
    return JSONResponse({"created": row.id, **summary}, status_code=201)


async def cancel(request: Request, who: Who) -> Response:
    runtime = runtime_of(request)
    broadcasts = SqlBroadcasts(store_of(request).engine)
    try:
        broadcast_id = int(request.path_params["broadcast"])
    except ValueError:
        return _error("campaign.err_no_broadcast", 404)
    row = await broadcasts.get(broadcast_id)
    if row is None or row.namespace != runtime.namespace:
        return _error("campaign.err_no_broadcast", 404)
    counters = BroadcastCounters(runtime.redis, runtime.namespace)
    if not await cancel_broadcast(broadcasts, counters, store_of(request), row.id, who.username):
        return _error("campaign.err_not_active", 409, state=t(STATES.get(row.state, row.state)))
    return JSONResponse({"cancelled": row.id})


def campaign_routes() -> list[BaseRoute]:
    return [
        Route("/console/campaign", campaign_page, methods=["GET"]),
        Route("/console/api/campaign", _api(campaign_api, roles=VIEW_ROLES)),
        Route("/console/api/campaign/preview", _api(preview, roles=VIEW_ROLES)),
        Route("/console/api/campaign/count", _api(count, roles=VIEW_ROLES)),
        Route("/console/api/campaign/broadcasts", _api(create, post=True, roles=EDIT_ROLES), methods=["POST"]),
        Route(
            "/console/api/campaign/broadcasts/{broadcast}/cancel",
            _api(cancel, post=True, roles=EDIT_ROLES),
            methods=["POST"],
        ),
    ]
