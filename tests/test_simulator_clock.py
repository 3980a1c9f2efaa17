"""Scripted tests of time (issue 16, item 7): the simulator's `clock` and `broadcast` lines. A `clock` line
moves the simulated time, runs the scheduler (weekly tips, broadcasts) and the delivery as of then, and answers
what reached the simulated users. Real Redis; SQLite."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app.cases import CaseService
from bot.app.runtime import build_runtime
from bot.app.simulator import Simulator
from bot.config import load_settings
from bot.store.db import Store, upgrade
from tests.chat import project_bundle
from tests.conftest import REDIS_URL

WEDNESDAY = "2026-12-02T10:00:00-04:00"
MONDAY_19 = "2026-12-07T19:00:00-04:00"  # the tips' slot: Monday 19:00, America/La_Paz


def _t(key: str, audience: str = "young") -> str:
    return project_bundle().catalog.text("es", key, audience=audience)


@pytest.fixture
async def sim(namespace: str, tmp_path: Path) -> AsyncIterator[Simulator]:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    runtime = await build_runtime(
        load_settings(redis_url=REDIS_URL, rasa_url=None, database_url=url), namespace=namespace, use_nlu=False
    )
    simulator = Simulator(runtime)
    yield simulator
    await simulator.aclose()
    await runtime.aclose()


async def say(sim: Simulator, **line: Any) -> dict[str, Any]:
    return await sim.handle_line(json.dumps(line, ensure_ascii=False))


def payload(answer: dict[str, Any], title: str) -> str:
    return next(c["payload"] for part in answer["replies"] for c in part["choices"] if c["title"] == title)


async def subscribe(sim: Simulator, user: str, audience: str = "young", city: str | None = None) -> None:
    """Spanish, the audience, "Un consejo por semana", Sí (and the city, if given)."""
    await say(sim, user=user, text="hola")
    r = await say(sim, user=user, choice="lang:es")
    r = await say(sim, user=user, choice=payload(r, _t(f"main.audience_{audience}")))
    r = await say(sim, user=user, choice=payload(r, _t("weekly.title", audience)))
    r = await say(sim, user=user, choice=payload(r, _t("common.yes")))
    assert r["replies"][0]["text"] == _t("weekly.subscribed", audience)
    if city is not None:
        await say(sim, user=user, choice=payload(r, _t(f"weekly.city_{city}", audience)))


async def test_the_next_monday_at_19_pushes_the_weekly_tip_once(sim: Simulator) -> None:
    assert (await say(sim, clock=WEDNESDAY))["pushed"] == []
    await subscribe(sim, "ana")
    r = await say(sim, clock="2026-12-07T18:59:00-04:00")
    assert r == {"clock": "2026-12-07T18:59:00-04:00", "pushed": []}, "nothing before the slot"
    r = await say(sim, clock=MONDAY_19)
    assert [(p["user"], p["kind"], p["text"]) for p in r["pushed"]] == [("ana", "tip", _t("weekly_tips.w1"))]
    assert [c["title"] for c in r["pushed"][0]["choices"]] == [_t("weekly_tips.open"), _t("weekly_tips.stop")]
    assert (await say(sim, clock=MONDAY_19))["pushed"] == [], "the same time again pushes nothing"
    r = await say(sim, clock="2026-12-14T19:00:00-04:00")
    assert [(p["user"], p["text"]) for p in r["pushed"]] == [("ana", _t("weekly_tips.w2"))], "a week later: week 2"


async def test_a_broadcast_reaches_the_matching_subscribers_once_on_the_next_clock(sim: Simulator) -> None:
    await say(sim, clock=WEDNESDAY)
    await subscribe(sim, "ana", city="el_alto")
    await subscribe(sim, "beto", city="la_paz")
    await subscribe(sim, "caro", audience="caregiver", city="el_alto")
    r = await say(sim, broadcast={"message": "weekly_tips.w3", "to": {"city": "el_alto", "audience": "young"}})
    assert r["broadcast"]["recipients"] == 1 and isinstance(r["broadcast"]["id"], int)
    r = await say(sim, clock="2026-12-02T10:05:00-04:00")
    assert [(p["user"], p["kind"], p["text"]) for p in r["pushed"]] == [("ana", "broadcast", _t("weekly_tips.w3"))]
    assert (await say(sim, clock="2026-12-02T10:10:00-04:00"))["pushed"] == [], "once"


@dataclass
class _Counselor:
    id: int = 1
    username: str = "ana.consejera"
    supervisor: bool = True


async def test_a_counselors_reply_shows_as_kind_counselor(sim: Simulator) -> None:
    await say(sim, clock=WEDNESDAY)
    await say(sim, user="eva", text="hola")
    await say(sim, user="eva", choice="lang:es")
    r = await say(sim, user="eva", text="persona")
    assert r["handoff"] is not None, r
    runtime = sim.runtime
    assert runtime.subscriptions is not None
    cases = CaseService(runtime.handoff, runtime.outbox, Store(runtime.subscriptions.engine), lambda lang, key: key)
    ticket = await cases.claim(r["handoff"]["ticket"], _Counselor())
    await cases.reply(ticket, _Counselor(), "Hola, soy Ana. ¿Cómo estás?")
    r = await say(sim, clock="2026-12-02T10:01:00-04:00")
    assert [(p["user"], p["kind"], p["text"]) for p in r["pushed"]] == [
        ("eva", "counselor", "Hola, soy Ana. ¿Cómo estás?")
    ]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"clock": "next monday"}', "not an ISO-8601 time"),
        ('{"clock": 1800000000}', "ISO-8601 time as text"),
        ('{"clock": "2026-12-07T19:00:00-04:00", "user": "ana"}', 'only "clock"'),
        ('{"broadcast": {"message": "no.such.key"}}', "unknown message key"),
        ('{"broadcast": {"to": {"lang": "es"}}}', '"message" is required'),
        ('{"broadcast": {"message": "weekly_tips.w1", "to": {"city": "paris"}}}', "city=paris is not known"),
        ('{"broadcast": {"message": "weekly_tips.w1", "to": "lang=es"}}', '"to" is an object'),
        ('{"broadcast": "weekly_tips.w1"}', "a broadcast line is"),
    ],
)
async def test_malformed_clock_and_broadcast_lines_are_answered_clearly(sim: Simulator, line: str, says: str) -> None:
    r = await sim.handle_line(line)
    assert says in r["error"] and r["line"] == line


async def test_time_never_goes_backwards_and_nothing_is_lost_around_bad_lines(sim: Simulator) -> None:
    out = io.StringIO()
    script = [
        json.dumps({"clock": MONDAY_19}),
        "{not json",
        json.dumps({"clock": WEDNESDAY}),
        json.dumps({"user": "ana", "text": "hola"}),
        json.dumps({"clock": MONDAY_19}),
    ]
    await sim.run(io.StringIO("\n".join(script) + "\n"), out)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(answers) == len(script), "one answer per line"
    assert "not valid JSON" in answers[1]["error"]
    assert "never goes backwards" in answers[2]["error"] and "2026-12-07T19:00:00-04:00" in answers[2]["error"]
    assert answers[3]["user"] == "ana" and answers[3]["replies"]
    assert answers[4] == {"clock": MONDAY_19, "pushed": []}
