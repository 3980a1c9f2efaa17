"""The console's reports page: the campaign's figures as charts, with a CSV download per chart.

For campaign staff, supervisors and admins (counselors get 403). The figures come from bot/app/reports.py,
the same code as `python -m bot report`, with the same small-cell suppression (REPORT_MIN_CELL). Before
counting, the events still waiting in Redis are flushed (exactly once, like the workers' flusher), so the
page shows what happened until a moment ago. Every view and download is in the audit log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app.analytics import AnalyticsFlusher
from bot.app.reports import Report, build_report
from bot.content.languages import LANGS
from bot.core.analytics import BOLIVIA, REPORT_TABLES
from bot.core.risk import URGENT_CATEGORIES
from bot.core.types import CHANNELS
from bot.store.analytics import SqlAnalytics
from bot.store.db import OUTCOMES, REPORT_ROLES
from bot.web.console import Who, _api, _error, category_label, language_name, role_page, t
from bot.web.state import runtime_of, store_of

log = logging.getLogger(__name__)
DEFAULT_WEEKS = 12
MAX_DAYS = 800


async def reports_page(request: Request) -> Response:
    return await role_page(request, "reports.html", REPORT_ROLES, "app.title")


def _period(request: Request) -> tuple[dt.date, dt.date] | str:
    """`since` and `until` from the query (Bolivian days, both included), or the catalogue key of what is wrong."""
    today = dt.datetime.now(BOLIVIA).date()
    try:
        until = dt.date.fromisoformat(request.query_params["until"]) if request.query_params.get("until") else today
        since = (
            dt.date.fromisoformat(request.query_params["since"])
            if request.query_params.get("since")
            else until - dt.timedelta(weeks=DEFAULT_WEEKS) + dt.timedelta(days=1)
        )
    except ValueError:
        return "err.bad_date"
    if since > until or (until - since).days > MAX_DAYS:
        return "err.bad_period"
    return since, until


async def _report(request: Request, since: dt.date, until: dt.date) -> Report:
    runtime = runtime_of(request)
    engine = store_of(request).engine
    if runtime.analytics is not None:
        try:  # what happened until a moment ago (the workers' flusher runs every few seconds anyway)
            await AnalyticsFlusher(
                runtime.redis,
                runtime.namespace,
                runtime.analytics,
                SqlAnalytics(engine),
                keep_days=runtime.settings.analytics_retention_days,
            ).flush()
        except (RedisError, OSError) as exc:
            log.warning("reports: waiting events not flushed (%s)", type(exc).__name__)
    bundle = runtime.pipeline.bundle

    def title(flow: str) -> str:
        known = bundle.flows.flows.get(flow)
        return bundle.catalog.text("es", known.title) if known and bundle.catalog.has(known.title) else flow

    return await asyncio.to_thread(
        build_report, engine, since, until, min_cell=runtime.settings.report_min_cell, flows=bundle.flows, title=title
    )


def _labels() -> dict[str, dict[str, str]]:
    """What the codes in the tables are called, in Spanish, for the charts."""
    return {
        "lang": {lang: language_name(lang) for lang in LANGS},
        "channel": {c: t(f"channel.{c}") for c in CHANNELS},
        "category": {c: category_label(c) for c in URGENT_CATEGORIES},
        "outcome": {o: t(f"outcome.{o}") for o in OUTCOMES},
        "priority": {p: t(f"priority.{p}") for p in ("urgent", "normal")},
    }


async def report_api(request: Request, who: Who) -> Response:
    period = _period(request)
    if isinstance(period, str):
        return _error(period, 400)
    report = await _report(request, *period)
    await asyncio.to_thread(
        store_of(request).audit, who.username, "report", None, f"{period[0].isoformat()}..{period[1].isoformat()}"
    )
    body: dict[str, Any] = {**report.to_json(), "labels": _labels()}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def report_csv(request: Request, who: Who) -> Response:
    table = request.path_params["table"]
    if table not in REPORT_TABLES:
        return _error("err.no_table", 404)
    period = _period(request)
    if isinstance(period, str):
        return _error(period, 400)
    report = await _report(request, *period)
    await asyncio.to_thread(
        store_of(request).audit,
        who.username,
        "report_csv",
        None,
        f"{table} {period[0].isoformat()}..{period[1].isoformat()}",
    )
    name = f"informe-{table}-{period[0].isoformat()}-{period[1].isoformat()}.csv"
    return Response(
        report.to_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def report_routes() -> list[BaseRoute]:
    return [
        Route("/console/reports", reports_page, methods=["GET"]),
        Route("/console/api/reports", _api(report_api, roles=REPORT_ROLES)),
        Route("/console/api/reports/{table}.csv", _api(report_csv, roles=REPORT_ROLES)),
    ]
