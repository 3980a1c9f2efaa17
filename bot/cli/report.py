"""`python -m bot report --since DATE [--until DATE] --format json|csv [--table NAME] [--namespace NS]`:
the campaign's figures (bot/app/reports.py; every table is described in docs/REPORTS.md).

Events still waiting in Redis are moved into the database first (the same exactly-once flush the workers
run), so a report right after a `simulate --namespace` run sees that run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.analytics import BOLIVIA, REPORT_TABLES

if TYPE_CHECKING:  # the heavy parts are imported when a report runs, not when `python -m bot` parses its arguments
    from bot.flows.model import FlowSet
    from bot.store.analytics import SqlAnalytics


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", required=True, type=dt.date.fromisoformat, help="first day (YYYY-MM-DD, Bolivia)")
    parser.add_argument("--until", type=dt.date.fromisoformat, help="last day, included (default: today)")
    parser.add_argument("--format", default="json", choices=["json", "csv"])
    parser.add_argument(
        "--table", choices=REPORT_TABLES, help="csv: only this table (default: all, each under '# name')"
    )
    parser.add_argument(
        "--namespace",
        help="the Redis namespace whose waiting events to flush first "
        "(default: BOT_NAMESPACE; e.g. what `simulate --namespace` used)",
    )


def _titles(settings: Settings) -> tuple[FlowSet | None, Callable[[str], str] | None]:
    """The flows (funnel order) and their Spanish titles; a report without them when content does not load."""
    from bot.dialog.bundle import Bundle
    from bot.errors import DataError

    try:
        bundle = Bundle.load(settings.content_dir, settings.flows_dir)
    except DataError:
        return None, None
    flows = bundle.flows

    def title(flow: str) -> str:
        known = flows.flows.get(flow)
        return bundle.catalog.text("es", known.title) if known and bundle.catalog.has(known.title) else flow

    return flows, title


async def _flush(settings: Settings, namespace: str, sql: SqlAnalytics) -> int:
    from bot.app.analytics import AnalyticsFlusher
    from bot.app.runtime import connect_redis
    from bot.store.analytics import AnalyticsLog

    redis = connect_redis(settings.redis_url)
    try:
        flusher = AnalyticsFlusher(
            redis, namespace, AnalyticsLog(redis, namespace), sql, keep_days=settings.analytics_retention_days
        )
        return await flusher.flush()
    finally:
        await redis.aclose()


def run(settings: Settings, args: argparse.Namespace) -> int:
    from redis.exceptions import RedisError

    from bot.app.reports import build_report
    from bot.store.analytics import SqlAnalytics
    from bot.store.db import make_engine, upgrade

    until = args.until or dt.datetime.now(BOLIVIA).date()
    if until < args.since:
        print("--until is before --since", file=sys.stderr)
        return 2
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        try:
            asyncio.run(_flush(settings, args.namespace or settings.bot_namespace, SqlAnalytics(engine)))
        except (RedisError, OSError) as exc:  # no Redis: the report covers what the workers already stored
            print(f"events waiting in Redis were not included ({type(exc).__name__})", file=sys.stderr)
        flows, title = _titles(settings)
        report = build_report(
            engine,
            args.since,
            until,
            min_cell=settings.report_min_cell,
            flows=flows,
            title=title,
            namespace=args.namespace,
        )
    finally:
        engine.dispose()
    if args.format == "json":
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(report.to_csv(args.table))
    return 0
