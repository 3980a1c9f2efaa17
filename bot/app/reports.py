"""The campaign's figures from `analytics_events` (and `broadcasts`), computed in one place for
`python -m bot report` (bot/cli/report.py) and the console's reports page (bot/web/reports.py).

A report is a set of tables, each with its columns and rows (docs/REPORTS.md describes every one). Counts
of people or events between 1 and REPORT_MIN_CELL - 1 are shown as "<5" (with the setting's number), in
JSON too; a rate, median or 90th percentile computed from fewer events than that is shown the same way.
Weeks are Monday to Sunday in Bolivia (bot/core/analytics.py `week_of`), named by their Monday.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData, Table, case, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.core.analytics import BOLIVIA, REPORT_TABLES
from bot.flows.model import BranchStep, FlowSet, FlowStep, QuizStep
from bot.store.db import AnalyticsRow

VERSION = 1
MENU_FLOW = "main"  # the menu is where every module starts, not a module: it has no funnel
Cell = int | float | str | None


@dataclass
class ReportTable:
    name: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows}

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(["" if cell is None else cell for cell in row] for row in self.rows)
        return out.getvalue()


@dataclass
class Report:
    since: dt.date
    until: dt.date
    min_cell: int
    tables: dict[str, ReportTable]
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "timezone": "America/La_Paz",
            "min_cell": self.min_cell,
            "generated_at": self.generated_at.replace(microsecond=0).isoformat(),
            "tables": {name: table.to_json() for name, table in self.tables.items()},
        }

    def to_csv(self, only: str | None = None) -> str:
        """One table as CSV; without `only`, every table, each under a `# <name>` line and a blank line apart."""
        if only is not None:
            return self.tables[only].to_csv()
        return "\n".join(f"# {name}\n{table.to_csv()}" for name, table in self.tables.items())


class Suppress:
    """Small cells: a count from 1 to min_cell - 1 becomes "<min_cell" (0 disables)."""

    def __init__(self, min_cell: int) -> None:
        self.min_cell = min_cell
        self.hidden = f"<{min_cell}"

    def count(self, n: int) -> Cell:
        return self.hidden if 0 < n < self.min_cell else n

    def small(self, n: int) -> bool:
        return n < self.min_cell

    def figure(self, value: float | None, based_on: int) -> Cell:
        """A rate or a time: hidden when it rests on fewer than min_cell events."""
        if value is None:
            return None
        return self.hidden if based_on < self.min_cell else value


def day_start(day: dt.date) -> dt.datetime:
    """The start of a day in Bolivia, in UTC."""
    return dt.datetime.combine(day, dt.time(), BOLIVIA).astimezone(dt.UTC)


def percentile(values: Sequence[int], share: float) -> int:
    """Nearest-rank percentile of sorted values."""
    return values[max(0, math.ceil(share * len(values)) - 1)]


def build_report(
    engine: Engine,
    since: dt.date,
    until: dt.date,
    *,
    min_cell: int,
    flows: FlowSet | None = None,
    title: Callable[[str], str] | None = None,
    namespace: str | None = None,
) -> Report:
    """Every table for the days `since` to `until` (both included, Bolivian days). `flows` orders each
    module's funnel as its steps are written; `title` names a flow for people (its Spanish title)."""
    hide = Suppress(min_cell)
    start, end = day_start(since), day_start(until + dt.timedelta(days=1))
    in_range = (AnalyticsRow.at >= start, AnalyticsRow.at < end)
    name = title or (lambda flow: flow)
    with Session(engine) as session:

        def rows(by: Sequence[Any], figures: Sequence[Any], kinds: Iterable[str]) -> list[Any]:
            """Events of `kinds` in the period: the columns `by`, and `figures` (aggregates) per group of them;
            without figures, every event's `by` columns."""
            query = select(*by, *figures).where(*in_range, AnalyticsRow.kind.in_(list(kinds)))
            if figures:
                query = query.group_by(*by)
            return list(session.execute(query).all())

        tables = [
            _users(rows, hide),
            _funnels(rows, hide, flows, name),
            _quiz(rows, hide, flows, name),
            _urgent(rows, hide),
            _reply_time(rows, hide),
            _outcomes(rows, hide),
            _subscriptions(rows, hide),
            _broadcasts(session, engine, start, end, hide, namespace),
        ]
    assert tuple(t.name for t in tables) == REPORT_TABLES
    return Report(since, until, min_cell, {t.name: t for t in tables})


E = AnalyticsRow
Rows = Callable[..., list[Any]]


def _users(rows: Rows, hide: Suppress) -> ReportTable:
    """New and active people per week, language and channel. Each person-week (the week's pseudonym) counts
    once, under the language they used that week (the first in alphabetical order if several)."""
    per_person = rows(
        (E.week, E.actor, E.channel),
        (func.min(E.lang), func.max(case((E.kind == "first_contact", 1), else_=0))),
        ("understood", "first_contact"),
    )
    active: Counter[tuple[str, str, str]] = Counter()
    new: Counter[tuple[str, str, str]] = Counter()
    for week, actor, channel, lang, first in per_person:
        if actor is None:
            continue
        key = (week.isoformat(), lang or "", channel or "")
        active[key] += 1
        new[key] += int(first or 0)
    table = ReportTable("users", ["week", "lang", "channel", "new_users", "active_users"])
    table.rows = [
        [week, lang or None, channel or None, hide.count(new[(week, lang, channel)]), hide.count(n)]
        for (week, lang, channel), n in sorted(active.items())
    ]
    return table


def _flow_steps(flows: FlowSet | None, flow: str) -> list[str]:
    """The steps of a flow that count in a funnel, in the order they are written."""
    known = flows.flows.get(flow) if flows else None
    if known is None:
        return []
    return [sid for sid, step in known.steps.items() if not isinstance(step, BranchStep | FlowStep)]


def _funnels(rows: Rows, hide: Suppress, flows: FlowSet | None, name: Callable[[str], str]) -> ReportTable:
    """Each module: how many times it started, each step was reached (quiz questions answered), completed."""
    counted = rows(
        (E.flow, E.step, E.kind), (func.count(),), ("started", "step", "completed", "quiz_right", "quiz_wrong")
    )
    by_flow: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for flow, step, kind, n in counted:
        if flow and flow != MENU_FLOW:
            stage = "quiz" if kind in ("quiz_right", "quiz_wrong") else kind
            key = (stage, step or "")
            by_flow[flow][key] = by_flow[flow].get(key, 0) + int(n)
    table = ReportTable("funnels", ["flow", "flow_title", "stage", "step", "count"])
    for flow in sorted(by_flow, key=lambda f: (-by_flow[f].get(("started", ""), 0), f)):
        counts = by_flow[flow]
        order = _flow_steps(flows, flow)
        quiz = {sid for sid in order if flows and isinstance(flows.flows[flow].steps[sid], QuizStep)}
        stages: list[tuple[str, str]] = [("started", "")]
        for sid in order or sorted({s for stage, s in counts if stage == "step"}):
            stages.append(("step", sid))
            if sid in quiz or ("quiz", sid) in counts:
                stages.append(("quiz", sid))
        stages.append(("completed", ""))
        completed = sum(n for (stage, _), n in counts.items() if stage == "completed")
        for stage, sid in stages:
            n = completed if stage == "completed" else counts.get((stage, sid), 0)
            table.rows.append([flow, name(flow), stage, sid or None, hide.count(n)])
    return table


def _quiz(rows: Rows, hide: Suppress, flows: FlowSet | None, name: Callable[[str], str]) -> ReportTable:
    """Per quiz question: first answers, right ones and the share right (which messages fail to teach)."""
    counted = rows((E.flow, E.step, E.kind), (func.count(),), ("quiz_right", "quiz_wrong"))
    right: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    for flow, step, kind, n in counted:
        total[(flow or "", step or "")] += int(n)
        if kind == "quiz_right":
            right[(flow or "", step or "")] += int(n)

    def order(key: tuple[str, str]) -> tuple[str, int, str]:
        steps = _flow_steps(flows, key[0])
        return key[0], steps.index(key[1]) if key[1] in steps else len(steps), key[1]

    table = ReportTable("quiz", ["flow", "flow_title", "step", "answers", "right", "right_rate"])
    for key in sorted(total, key=order):
        n, ok = total[key], right[key]
        rate = round(100 * ok / n, 1) if n else None
        table.rows.append(
            [
                key[0],
                name(key[0]),
                key[1],
                hide.count(n),
                hide.count(ok) if not hide.small(n) else hide.figure(ok, n),
                hide.figure(rate, n),
            ]
        )
    return table


def _urgent(rows: Rows, hide: Suppress) -> ReportTable:
    """Safety replies (urgent situations) per week and risk category."""
    counted = rows((E.week, E.category), (func.count(),), ("urgent",))
    table = ReportTable("urgent", ["week", "category", "cases"])
    table.rows = [
        [week.isoformat(), category, hide.count(int(n))]
        for week, category, n in sorted(counted, key=lambda r: (r[0], r[1] or ""))
    ]
    return table


def _reply_time(rows: Rows, hide: Suppress) -> ReportTable:
    """Minutes from a case opening to a counselor's first reply: median and 90th percentile, per priority
    and category (urgent cases by category; normal ones together), and for all urgent cases."""
    replies = rows((E.detail, E.category, E.value), (), ("handoff_replied",))
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for priority, category, seconds in replies:
        if seconds is None:
            continue
        if priority == "urgent":
            groups[("urgent", category or "")].append(int(seconds))
            groups[("urgent", "*")].append(int(seconds))
        else:
            groups[("normal", "*")].append(int(seconds))
    table = ReportTable("reply_time", ["priority", "category", "replies", "median_minutes", "p90_minutes"])
    for (priority, category), values in sorted(groups.items(), key=lambda g: (g[0][0] != "urgent", g[0][1])):
        values.sort()
        n = len(values)
        table.rows.append(
            [
                priority,
                None if category == "*" else category or None,
                hide.count(n),
                hide.figure(round(percentile(values, 0.5) / 60, 1), n),
                hide.figure(round(percentile(values, 0.9) / 60, 1), n),
            ]
        )
    return table


def _outcomes(rows: Rows, hide: Suppress) -> ReportTable:
    """Closed cases by outcome (and how many were urgent)."""
    counted = rows(
        (E.detail,), (func.count(), func.sum(case((E.category.is_not(None), 1), else_=0))), ("handoff_closed",)
    )
    table = ReportTable("outcomes", ["outcome", "cases", "urgent_cases"])
    table.rows = [
        [outcome, hide.count(int(n)), hide.count(int(urgent or 0))]
        for outcome, n, urgent in sorted(counted, key=lambda r: (-int(r[1]), r[0] or ""))
    ]
    return table


def _subscriptions(rows: Rows, hide: Suppress) -> ReportTable:
    """Weekly tips per week: new subscriptions, ended by the user (button or deleted data), and STOP."""
    counted = rows((E.week, E.kind), (func.count(),), ("subscribed", "unsubscribed", "opted_out"))
    weeks: dict[str, Counter[str]] = defaultdict(Counter)
    for week, kind, n in counted:
        weeks[week.isoformat()][kind] += int(n)
    table = ReportTable("subscriptions", ["week", "subscribed", "unsubscribed", "opted_out"])
    table.rows = [
        [week, hide.count(c["subscribed"]), hide.count(c["unsubscribed"]), hide.count(c["opted_out"])]
        for week, c in sorted(weeks.items())
    ]
    return table


BROADCAST_COUNTS = ("total", "queued", "sent", "delivered", "read", "failed")


def _broadcasts(
    session: Session, engine: Engine, start: dt.datetime, end: dt.datetime, hide: Suppress, namespace: str | None
) -> ReportTable:
    """Each broadcast scheduled in the period: recipients and what the platforms reported (when the
    `broadcasts` table exists; an empty table otherwise)."""
    table = ReportTable("broadcasts", ["broadcast", "message", "scheduled_at", "state", *BROADCAST_COUNTS])
    if not inspect(engine).has_table("broadcasts"):
        return table
    found = Table("broadcasts", MetaData(), autoload_with=engine)
    counts = [c for c in BROADCAST_COUNTS if c in found.c]
    if not {"id", "content_key", "scheduled_at", "state"} <= set(found.c.keys()):
        return table
    query = select(
        found.c.id, found.c.content_key, found.c.scheduled_at, found.c.state, *(found.c[c] for c in counts)
    ).where(found.c.scheduled_at >= start, found.c.scheduled_at < end)
    if namespace is not None and "namespace" in found.c:
        query = query.where(found.c.namespace == namespace)
    for row in session.execute(query.order_by(found.c.scheduled_at, found.c.id)).all():
        values = dict(zip(counts, row[4:], strict=True))
        at = row[2] if row[2].tzinfo else row[2].replace(tzinfo=dt.UTC)
        table.rows.append(
            [
                row[0],
                row[1],
                at.astimezone(BOLIVIA).replace(microsecond=0).isoformat(),
                row[3],
                *(hide.count(int(values.get(c) or 0)) if c in values else None for c in BROADCAST_COUNTS),
            ]
        )
    return table
