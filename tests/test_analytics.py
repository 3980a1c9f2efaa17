"""Analytics without personal data, on the real Redis and on SQLite and PostgreSQL: a conversation through the
real pipeline records what happened (never what was written, the address or the user's hash), the flusher
stores each event exactly once, reports hide small cells, and only campaign staff, supervisors and admins
see them (campaign staff never see a case)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync
from argon2 import PasswordHasher
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from bot.__main__ import main as cli
from bot.app.analytics import AnalyticsFlusher
from bot.app.reports import build_report
from bot.app.runtime import Runtime, build_runtime
from bot.config import load_settings
from bot.core.analytics import KINDS, REPORT_TABLES, AnalyticsEvent, encode, week_of
from bot.core.privacy import user_key
from bot.core.types import Incoming, Reply
from bot.store.analytics import AnalyticsLog, SqlAnalytics
from bot.store.db import AnalyticsRow, Store, make_engine, upgrade
from bot.store.keys import Keys
from bot.web.app import create_app
from tests.conftest import REDIS_URL, Clock, drop_namespace

ADDRESS = "+59171234567"
PASSWORD = "una-clave-larga-123"
MONDAY = 1_795_492_800.0  # 2026-11-23 12:00 in Bolivia (a Monday)


@pytest.fixture
async def bot(db_url: str, namespace: str) -> AsyncIterator[Runtime]:
    """The bot's parts on a migrated database (SQLite, then PostgreSQL), no NLU, a clock the test moves."""
    runtime = await build_runtime(
        load_settings(redis_url=REDIS_URL, rasa_url=None, database_url=db_url), namespace=namespace, use_nlu=False
    )
    runtime.pipeline.clock = Clock(MONDAY)
    yield runtime
    await runtime.aclose()


class Person:
    """Someone writing to the bot on WhatsApp, through the real pipeline."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.key = user_key(runtime.settings.user_key_pepper, "whatsapp", ADDRESS)
        self.n = 0
        self.last: Reply | None = None

    async def says(self, text: str | None = None, choice: str | None = None) -> Reply:
        self.n += 1
        msg = Incoming(
            channel="whatsapp", address=ADDRESS, user_key=self.key, external_id=f"SM{self.n}", text=text, choice=choice
        )
        self.last = await self.runtime.pipeline.handle(msg)
        return self.last


def sql(runtime: Runtime) -> SqlAnalytics:
    assert runtime.subscriptions is not None
    return SqlAnalytics(runtime.subscriptions.engine)


def flusher(runtime: Runtime) -> AnalyticsFlusher:
    assert runtime.analytics is not None
    return AnalyticsFlusher(runtime.redis, runtime.namespace, runtime.analytics, sql(runtime), keep_days=400)


def stored(runtime: Runtime) -> list[AnalyticsRow]:
    assert runtime.subscriptions is not None
    with Session(runtime.subscriptions.engine) as session:
        return list(session.scalars(select(AnalyticsRow).order_by(AnalyticsRow.id)))


async def pending(runtime: Runtime) -> list[str]:
    return [str(raw) for raw in await runtime.redis.lrange(Keys(runtime.namespace).analytics_pending, 0, -1)]


async def test_a_conversation_is_counted_without_text_address_or_user_hash(bot: Runtime) -> None:
    ana = Person(bot)
    said = ["hola", "xyz qwerty zzz", "me tienen encerrada y no me dejan salir"]
    await ana.says(said[0])
    await ana.says(choice="lang:es")
    await ana.says("1")  # young person (a typed number)
    for payload in (
        "f:main:menu_young:0",
        "f:main:young_online:0",
        "f:grooming:intro:0",
        "f:grooming:signs:0",
        "f:grooming:how_common:0",
        "f:grooming:what_to_do:0",
        "f:grooming:law:0",
        "f:grooming:q1:1",
        "f:grooming:q1:0",  # wrong, then an old button: only the first counts
        "f:grooming:q2:0",
        "f:grooming:q3:0",
    ):
        await ana.says(choice=payload)
    await ana.says(said[1])  # not understood, at the last step of the module
    await ana.says("menu")
    for payload in ("f:main:menu_young:5", "f:weekly:consent:0", "f:weekly:ask_city:1"):  # tips, from El Alto
        await ana.says(choice=payload)
    await ana.says("stop")
    urgent = await ana.says(said[2])
    assert urgent.risk.level == "urgent"

    raw = await pending(bot)
    assert len(raw) == ana.n, "one entry per turn, committed with the state"
    text = "\n".join(raw)
    for secret in (*said, ADDRESS, ADDRESS[1:], ana.key, ana.key[:12], "whatsapp:+591"):
        assert secret not in text, f"{secret!r} reached the analytics events"
    events = [event for entry in raw for event in json.loads(entry)["e"]]
    kinds = [AnalyticsEvent.from_list(e) for e in events]
    by_kind: dict[str, list[AnalyticsEvent]] = {}
    for event in kinds:
        by_kind.setdefault(event.kind, []).append(event)
    assert len(by_kind["first_contact"]) == 1
    assert [e.detail for e in by_kind["understood"]][:4] == ["fallback", "button", "number", "button"]
    assert {"keyword", "fallback", "safety"} <= {e.detail for e in by_kind["understood"]}
    assert [(e.flow, e.step) for e in by_kind["quiz_wrong"]] == [("grooming", "q1")]
    assert [(e.flow, e.step) for e in by_kind["quiz_right"]] == [("grooming", "q2"), ("grooming", "q3")]
    assert ("grooming", "done") in [(e.flow, e.step) for e in by_kind["completed"]]
    assert [(e.flow, e.step, e.detail) for e in by_kind["fallback"]] == [
        ("grooming", "q2", "stale_choice"),
        ("grooming", "done", None),
    ], "where people got stuck, and why"
    assert "grooming" in [e.flow for e in by_kind["started"]]
    assert [e.city for e in by_kind["subscribed"]] == [None], "the city is asked after the consent"
    assert any(e.city == "el_alto" for e in by_kind["step"]), "while subscribed, events carry the city"
    assert [e.detail for e in by_kind["opted_out"]] == ["stop"]
    assert [e.category for e in by_kind["urgent"]] == ["trafficking"]
    assert [(e.detail, e.category) for e in by_kind["handoff_opened"]] == [("urgent", "trafficking")]
    assert all(e.at % 3600 == 0 for e in kinds), "the hour, nothing finer"
    actors = {e.actor for e in kinds if e.actor}
    assert len(actors) == 1 and len(actors.pop() or "") == 16, "one pseudonym for the person this week"
    assert {e.kind for e in kinds if e.actor} == {"first_contact", "understood"}
    assert {e.channel for e in kinds} == {"whatsapp"} and {e.audience for e in kinds if e.lang} >= {"young"}

    assert await flusher(bot).flush() == len(events)
    rows = stored(bot)
    assert len(rows) == len(events) and await pending(bot) == []
    columns = [c.name for c in AnalyticsRow.__table__.columns]
    for row in rows:
        values = json.dumps([str(getattr(row, c)) for c in columns])
        assert ana.key not in values and ADDRESS[1:] not in values

    bot.pipeline.clock = Clock(MONDAY + 7 * 86400)  # next week: another pseudonym, not linkable
    await ana.says("menu")
    entry = json.loads((await pending(bot))[-1])
    understood = AnalyticsEvent.from_list(next(e for e in entry["e"] if e[0] == "understood"))
    assert understood.actor and understood.actor not in {r.actor for r in rows}
    salt = Keys(bot.namespace).analytics_salt(week_of(MONDAY + 7 * 86400).isoformat())
    assert 0 < await bot.redis.ttl(salt) <= 8 * 86400, "the week's salt is deleted a day after its week"


def entry(n: int, kind: str = "understood", **fields: Any) -> str:
    events = [
        AnalyticsEvent(
            kind, MONDAY, "telegram", "es", "young", None, None, None, "button", None, None, f"actor{n:011d}", **fields
        )
    ]
    return encode(f"batch{n:011d}", events)


async def test_the_flusher_stores_each_entry_exactly_once(bot: Runtime) -> None:
    assert bot.analytics is not None
    key = Keys(bot.namespace).analytics_pending
    await bot.redis.rpush(key, *(entry(n) for n in range(1200)), "not json")
    first = flusher(bot)
    first.batch = 500
    # A flusher that died after its insert, before removing the entries: they are read again, not stored again.
    head = await bot.analytics.peek(500)
    assert sql(bot).store(head) == (500, 0)
    assert await first.flush() == 700
    assert len(stored(bot)) == 1200 and await pending(bot) == []

    # Two flushers at the same moment (a lock that expired under a paused leader): still once each.
    await bot.redis.rpush(key, *(entry(n) for n in range(2000, 2600)))
    second = flusher(bot)
    results = await asyncio.gather(first.flush(), second.flush(), return_exceptions=True)
    assert sum(r for r in results if isinstance(r, int)) <= 600
    await first.flush()  # whatever a refused insert left (IntegrityError) is stored by the next tick
    assert len(stored(bot)) == 1800 and await pending(bot) == []
    assert len({r.actor for r in stored(bot)}) == 1800

    assert await first.tick() == 0, "it leads (the lock) and nothing waits"
    bot.pipeline.clock = Clock(MONDAY + 500 * 86400)
    first.sql = SqlAnalytics(first.sql.engine, clock=lambda: MONDAY + 500 * 86400)
    first._purged_at = 0.0
    await first.tick()
    assert stored(bot) == [], f"events older than {first.keep_days} days are deleted"


def synthetic(engine_sql: SqlAnalytics) -> None:
    """Seven people active in one week (two of them new), two in the next; quiz answers; case times."""
    events: list[AnalyticsEvent] = []
    week2 = MONDAY + 7 * 86400
    for n in range(7):
        if n < 2:
            events.append(AnalyticsEvent("first_contact", MONDAY, "whatsapp", None, actor=f"a{n}"))
        events.append(AnalyticsEvent("understood", MONDAY, "whatsapp", "es", "young", detail="button", actor=f"a{n}"))
    for n in range(2):
        events.append(AnalyticsEvent("understood", week2, "telegram", "qu", "caregiver", detail="nlu", actor=f"b{n}"))
    for n in range(10):
        events.append(
            AnalyticsEvent(
                "quiz_right" if n < 8 else "quiz_wrong", MONDAY, "whatsapp", "es", flow="grooming", step="q1"
            )
        )
    events.append(AnalyticsEvent("quiz_wrong", MONDAY, "whatsapp", "es", flow="grooming", step="q2"))
    events += [AnalyticsEvent("started", MONDAY, "whatsapp", "es", flow="grooming")] * 6
    events.append(AnalyticsEvent("completed", MONDAY, "whatsapp", "es", flow="grooming", step="done"))
    for minutes in (1, 2, 3, 4, 5, 30):
        events.append(
            AnalyticsEvent(
                "handoff_replied", MONDAY, "whatsapp", "es", detail="urgent", category="trafficking", value=minutes * 60
            )
        )
    events.append(AnalyticsEvent("urgent", MONDAY, "whatsapp", "es", category="self_harm"))
    events.append(AnalyticsEvent("handoff_closed", MONDAY, "whatsapp", "es", detail="referred_felcv"))
    events.append(AnalyticsEvent("subscribed", MONDAY, "whatsapp", "es", city="el_alto"))
    engine_sql.store([encode(secrets.token_hex(8), events)])


def table(report: dict[str, Any], name: str) -> list[dict[str, Any]]:
    found = report["tables"][name]
    return [dict(zip(found["columns"], row, strict=True)) for row in found["rows"]]


async def test_reports_hide_small_cells_and_keep_their_shape(bot: Runtime) -> None:
    synthetic(sql(bot))
    engine = sql(bot).engine
    since, until = dt.date(2026, 11, 1), dt.date(2026, 12, 31)
    report = build_report(engine, since, until, min_cell=5, flows=bot.pipeline.bundle.flows).to_json()
    assert list(report["tables"]) == list(REPORT_TABLES)
    assert report["min_cell"] == 5 and report["since"] == "2026-11-01" and report["until"] == "2026-12-31"
    for name, found in report["tables"].items():
        assert all(len(row) == len(found["columns"]) for row in found["rows"]), name
    assert table(report, "users") == [
        {"week": "2026-11-23", "lang": "es", "channel": "whatsapp", "new_users": "<5", "active_users": 7},
        {"week": "2026-11-30", "lang": "qu", "channel": "telegram", "new_users": 0, "active_users": "<5"},
    ]
    assert table(report, "quiz") == [
        {"flow": "grooming", "flow_title": "grooming", "step": "q1", "answers": 10, "right": 8, "right_rate": 80.0},
        {
            "flow": "grooming",
            "flow_title": "grooming",
            "step": "q2",
            "answers": "<5",
            "right": "<5",
            "right_rate": "<5",
        },
    ]
    funnel = {(r["stage"], r["step"]): r["count"] for r in table(report, "funnels")}
    assert funnel[("started", None)] == 6 and funnel[("completed", None)] == "<5"
    assert funnel[("step", "signs")] == 0, "every step of the module, in order, even unreached"
    stages = [(r["stage"], r["step"]) for r in table(report, "funnels")]
    assert stages.index(("step", "q1")) < stages.index(("quiz", "q1")) < stages.index(("step", "q2"))
    assert table(report, "reply_time") == [
        {"priority": "urgent", "category": None, "replies": 6, "median_minutes": 3.0, "p90_minutes": 30.0},
        {"priority": "urgent", "category": "trafficking", "replies": 6, "median_minutes": 3.0, "p90_minutes": 30.0},
    ]
    assert table(report, "urgent") == [{"week": "2026-11-23", "category": "self_harm", "cases": "<5"}]
    assert table(report, "outcomes") == [{"outcome": "referred_felcv", "cases": "<5", "urgent_cases": 0}]
    assert table(report, "subscriptions")[0]["subscribed"] == "<5"
    assert table(report, "broadcasts") == []

    shown = build_report(engine, since, until, min_cell=0).to_json()
    assert table(shown, "users")[1]["active_users"] == 2 and table(shown, "urgent")[0]["cases"] == 1
    assert "<" not in json.dumps(shown["tables"])
    assert build_report(engine, dt.date(2027, 1, 1), dt.date(2027, 1, 31), min_cell=5).tables["users"].rows == []


def test_the_report_command_prints_json_and_csv(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(db_url)
    synthetic(SqlAnalytics(engine))
    engine.dispose()
    ns = f"test:{secrets.token_hex(6)}"
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("RASA_URL", "")
    monkeypatch.setenv("REPORT_MIN_CELL", "5")
    waiting = encode("waiting000000001", [AnalyticsEvent("urgent", MONDAY, "telegram", "es", category="trafficking")])
    plain = redis_sync.Redis.from_url(REDIS_URL)
    plain.rpush(Keys(ns).analytics_pending, waiting)  # what a `simulate --namespace` run left in Redis
    try:
        assert cli(["report", "--since", "2026-11-01", "--until", "2026-12-31", "--namespace", ns]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert list(printed["tables"]) == list(REPORT_TABLES)
        assert [r["category"] for r in table(printed, "urgent")] == ["self_harm", "trafficking"]
        assert plain.llen(Keys(ns).analytics_pending) == 0, "flushed into the database first"
        assert table(printed, "users")[1]["active_users"] == "<5"
        assert table(printed, "funnels")[0]["flow_title"] == "Grooming", "the module's Spanish title"
        assert (
            cli(
                [
                    "report",
                    "--since",
                    "2026-11-01",
                    "--until",
                    "2026-12-31",
                    "--format",
                    "csv",
                    "--table",
                    "quiz",
                    "--namespace",
                    ns,
                ]
            )
            == 0
        )
        assert capsys.readouterr().out.splitlines() == [
            "flow,flow_title,step,answers,right,right_rate",
            "grooming,Grooming,q1,10,8,80.0",
            "grooming,Grooming,q2,<5,<5,<5",
        ]
        assert cli(["report", "--since", "2026-11-01", "--format", "csv", "--namespace", ns]) == 0
        whole = capsys.readouterr().out
        assert [line for line in whole.splitlines() if line.startswith("# ")] == [f"# {t}" for t in REPORT_TABLES]
    finally:
        plain.close()
        drop_namespace(ns)


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Store, str]]:
    ns = f"test:{secrets.token_hex(6)}"
    store = Store(make_engine(db_url))
    for name, role in (("ana", "counselor"), ("carla", "campaign"), ("sara", "supervisor")):
        store.add_counselor(name, name.title(), PasswordHasher().hash(PASSWORD), role)
    settings = load_settings(database_url=db_url, redis_url=REDIS_URL, rasa_url=None)
    with TestClient(create_app(settings, namespace=ns), base_url="http://testserver") as client:
        yield client, store, ns
    store.engine.dispose()
    drop_namespace(ns)


def login(client: TestClient, username: str) -> str:
    client.cookies.clear()
    response = client.post("/console/api/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf"])


def test_campaign_staff_see_reports_never_cases_and_counselors_no_reports(app: tuple[TestClient, Store, str]) -> None:
    client, store, _ = app
    said = client.post(
        "/simulator/api/message",
        content=json.dumps({"user": "lucia", "text": "me tienen encerrada y no me dejan salir"}),
    ).json()
    ticket = said["handoff"]["ticket"]
    csrf = {"X-CSRF-Token": login(client, "ana")}
    assert client.post(f"/console/api/tickets/{ticket}/claim", headers=csrf).status_code == 200
    given = client.post(f"/console/api/tickets/{ticket}/transfer", headers=csrf, json={"to": "carla"})
    assert given.status_code == 400 and given.json()["code"] == "err.no_colleague", (
        "a case never goes to campaign staff"
    )
    for text in ("Hola, soy Ana.", "¿Estás en un lugar seguro?"):
        assert client.post(f"/console/api/tickets/{ticket}/reply", headers=csrf, json={"text": text}).status_code == 200
    assert (
        client.post(
            f"/console/api/tickets/{ticket}/close", headers=csrf, json={"outcome": "referred_felcv"}
        ).status_code
        == 200
    )
    assert client.get("/console/api/reports").status_code == 403, "counselors do not see reports"
    assert client.get("/console/api/reports/users.csv").status_code == 403
    assert client.get("/console/reports").status_code == 403

    csrf = {"X-CSRF-Token": login(client, "carla")}
    for path in (
        "/console/api/queue",
        "/console/api/events",
        "/console/api/canned",
        "/console/api/cases",
        "/console/api/cases/options",
        f"/console/api/tickets/{ticket}",
        f"/console/api/tickets/{ticket}/media?item=0",
    ):
        refused = client.get(path)
        assert refused.status_code == 403 and refused.json()["code"] == "err.forbidden", path
    for action in ("claim", "reply", "note", "transfer", "close"):
        assert client.post(f"/console/api/tickets/{ticket}/{action}", headers=csrf, json={}).status_code == 403
    landing = client.get("/console", follow_redirects=False)
    assert landing.status_code == 303 and landing.headers["location"] == "/console/reports"
    assert "Informes de la campaña" in client.get("/console/reports").text
    assert client.get("/console/api/me").json()["role_label"] == "campaña"

    report = client.get("/console/api/reports").json()
    assert list(report["tables"]) == list(REPORT_TABLES) and report["labels"]["outcome"]["referred_felcv"]
    assert table(report, "outcomes") == [{"outcome": "referred_felcv", "cases": "<5", "urgent_cases": "<5"}]
    assert [r["replies"] for r in table(report, "reply_time")] == ["<5", "<5"], "the first reply only, once"
    assert table(report, "urgent")[0]["category"] == "trafficking"
    assert "lucia" not in json.dumps(report) and ticket not in json.dumps(report)
    csv = client.get("/console/api/reports/outcomes.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert csv.text.splitlines() == ["outcome,cases,urgent_cases", "referred_felcv,<5,<5"]
    assert client.get("/console/api/reports?since=2026-12-31&until=2026-01-01").json()["code"] == "err.bad_period"
    assert client.get("/console/api/reports/nope.csv").status_code == 404
    assert [e.action for e in store.audit_entries() if e.actor == "carla"][-2:] == ["report", "report_csv"]

    login(client, "sara")
    assert client.get("/console/api/reports").status_code == 200, "supervisors see reports"
    assert client.get("/console/api/queue").json()["on_shift_names"] == ["ana", "sara"], (
        "campaign staff are never counted as counselors on shift"
    )


async def test_a_duplicate_message_records_nothing_twice_and_actors_last_a_week(redis: Redis, namespace: str) -> None:
    runtime = await build_runtime(load_settings(redis_url=REDIS_URL, rasa_url=None), namespace=namespace, use_nlu=False)
    try:
        ana = Person(runtime)
        await ana.says("hola")
        ana.n -= 1  # the platform sends the same message again
        again = await ana.says("hola")
        assert again.duplicate
        assert len(await pending(runtime)) == 1
    finally:
        await runtime.aclose()
    log = AnalyticsLog(redis, namespace)
    assert await log.actor("u", MONDAY) == await log.actor("u", MONDAY + 3 * 86400), "the same week"
    assert await log.actor("u", MONDAY) != await AnalyticsLog(redis, namespace).actor("v", MONDAY)


def test_docs_reports_describe_every_table_column_and_kind(tmp_path: Path) -> None:
    """docs/REPORTS.md is the contract of the JSON: a table, column or event kind it does not name fails."""
    docs = (Path(__file__).resolve().parent.parent / "docs" / "REPORTS.md").read_text(encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    engine = make_engine(url)
    report = build_report(engine, dt.date(2026, 1, 1), dt.date(2026, 1, 2), min_cell=5)
    engine.dispose()
    missing = [
        f"{name}.{column}"
        for name, found in report.tables.items()
        for column in (name, *found.columns)
        if f"`{column}`" not in docs
    ]
    assert missing == [], f"describe these in docs/REPORTS.md: {missing}"
    assert [kind for kind in KINDS if f"`{kind}`" not in docs] == []
