"""Analytics events: what happened in the campaign, never who it was or what anyone wrote.

An event holds the hour, the channel, language, audience and city of the conversation (the city only while
the user is subscribed to the weekly tips), where in a flow, a kind from KINDS, and a short `detail`
(how a message was understood, an urgent category, a case outcome), a `category` (urgent) and a number
(`value`: seconds until a counselor's first reply). No text, no address, no user hash. Where a report
counts distinct people (active users per week) the event carries `actor`: an HMAC of the user's keyed hash
with a random salt of that week (bot/store/analytics.py), which is deleted when the week is over, so actors
of two weeks cannot be linked and nobody can get back from an actor to a user once the week ended.

A turn decides its events as data (bot/dialog/pipeline.py); the state commit appends them to a Redis list
in the same atomic step; the worker's flusher (bot/app/analytics.py) moves them into `analytics_events`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

KINDS = (
    "first_contact",  # a message with no conversation saved (first time, or 30 days after the last one)
    "understood",  # one per message: `detail` says how (VIA), with the week's `actor`
    "fallback",  # not understood: `detail` the reason (stale_choice, media, or the NLU's unsure guess)
    "started",
    "step",
    "completed",  # a flow started; a step reached; the flow's last step reached
    "quiz_right",
    "quiz_wrong",  # the first answer to a quiz question (flow, step)
    "urgent",  # a safety reply: `category`
    "handoff_opened",
    "handoff_claimed",
    "handoff_replied",
    "handoff_closed",  # `detail`: priority / outcome
    "subscribed",
    "unsubscribed",
    "opted_out",  # weekly tips on / off (`detail`: why), STOP
    "broadcast_delivered",
    "broadcast_read",  # `detail`: the broadcast's id
)
# Understood.via (bot/core/types.py) → how staff name it in reports.
VIA = {
    "choice": "button",
    "number": "number",
    "command": "keyword",
    "nlu": "nlu",
    "fallback": "fallback",
    "urgent_rule": "safety",
    "triage": "safety",
    "relay": "relay",
}
# The tables of a report (bot/app/reports.py, docs/REPORTS.md), in the order they are shown.
REPORT_TABLES = ("users", "funnels", "quiz", "urgent", "reply_time", "outcomes", "subscriptions", "broadcasts")
BOLIVIA = dt.timezone(dt.timedelta(hours=-4), "BOT")  # America/La_Paz: no daylight saving time
ACTOR_CHARS = 16


@dataclass(frozen=True, slots=True)
class AnalyticsEvent:
    kind: str
    at: float  # seconds since the epoch; kept to the hour
    channel: str | None = None
    lang: str | None = None
    audience: str | None = None
    city: str | None = None
    flow: str | None = None
    step: str | None = None
    detail: str | None = None
    category: str | None = None
    value: int | None = None
    actor: str | None = None

    def to_list(self) -> list[Any]:
        return [
            self.kind,
            hour(self.at),
            self.channel,
            self.lang,
            self.audience,
            self.city,
            self.flow,
            self.step,
            self.detail,
            self.category,
            self.value,
            self.actor,
        ]

    @classmethod
    def from_list(cls, row: list[Any]) -> AnalyticsEvent:
        kind, at, channel, lang, audience, city, flow, step, detail, category, value, who = row
        if kind not in KINDS:
            raise ValueError(f"unknown analytics kind {kind!r}")

        def text(v: Any) -> str | None:
            return None if v is None else str(v)

        return cls(
            str(kind),
            float(at),
            text(channel),
            text(lang),
            text(audience),
            text(city),
            text(flow),
            text(step),
            text(detail),
            text(category),
            None if value is None else int(value),
            text(who),
        )


def hour(at: float) -> int:
    """The start of the hour (UTC seconds): the only time kept."""
    return int(at // 3600 * 3600)


def week_of(at: float) -> dt.date:
    """The Monday (in Bolivia) of the week `at` falls in: reports and actors' salts use the same weeks."""
    day = dt.datetime.fromtimestamp(at, BOLIVIA).date()
    return day - dt.timedelta(days=day.weekday())


def week_end(at: float) -> float:
    """When the week of `at` ends (next Monday 00:00 in Bolivia), in seconds since the epoch."""
    monday = dt.datetime.combine(week_of(at) + dt.timedelta(days=7), dt.time(), BOLIVIA)
    return monday.timestamp()


def actor(salt: str, user_key: str) -> str:
    """The week's pseudonym of a user: HMAC-SHA256(the week's random salt, keyed hash), shortened."""
    return hmac.new(salt.encode(), user_key.encode(), hashlib.sha256).hexdigest()[:ACTOR_CHARS]


def encode(batch: str, events: list[AnalyticsEvent]) -> str:
    """One turn's events as one entry of the pending list: a batch id (random, once per entry) and rows."""
    return json.dumps({"id": batch, "e": [e.to_list() for e in events]}, separators=(",", ":"))


def decode(raw: str) -> tuple[str, list[AnalyticsEvent]]:
    data = json.loads(raw)
    return str(data["id"]), [AnalyticsEvent.from_list(row) for row in data["e"]]
