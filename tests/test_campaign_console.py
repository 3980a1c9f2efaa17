"""The console's campaign page, on the real Redis and on SQLite and PostgreSQL: campaign staff create and cancel
broadcasts through the same checked, audited functions as `python -m bot campaign`; the live count is the
segment's; bad input is answered in Spanish; supervisors only look; counselors are refused; small counts are
hidden as in the reports."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from bot.config import load_settings
from bot.core.effects import Subscribe
from bot.store.broadcasts import SqlBroadcasts
from bot.store.db import Store, make_engine
from bot.store.subscriptions import SqlSubscriptions
from bot.web.app import create_app
from tests.conftest import REDIS_URL, drop_namespace

PASSWORD = "una-clave-larga-123"
KEY = "weekly_tips.w2"
# (lang, audience, channel, city) of each subscriber; the caregivers of El Alto on WhatsApp are six.
PEOPLE = [
    *[("es", "caregiver", "whatsapp", "el_alto")] * 5,
    ("qu", "caregiver", "whatsapp", "el_alto"),
    ("es", "young", "whatsapp", "el_alto"),
    ("es", "caregiver", "telegram", "el_alto"),
    ("es", "caregiver", "whatsapp", "santa_cruz"),
    ("ay", "young", "telegram", None),
]
EL_ALTO = {"audience": "caregiver", "channel": "whatsapp", "city": "el_alto"}


@pytest.fixture
def app(db_url: str) -> Iterator[tuple[TestClient, Store, str]]:
    ns = f"test:{secrets.token_hex(6)}"
    store = Store(make_engine(db_url))
    for name, role in (("ana", "counselor"), ("carla", "campaign"), ("sara", "supervisor")):
        store.add_counselor(name, name.title(), PasswordHasher().hash(PASSWORD), role)
    subs = SqlSubscriptions(store.engine)
    for n, (lang, audience, channel, city) in enumerate(PEOPLE):
        sub = Subscribe(f"user{n}", lang, audience, channel, city, time.time() - 3600, "weekly.consent@x")
        asyncio.run(subs.subscribe(sub))
    asyncio.run(subs.end("user9", "stop"))  # no longer subscribed
    settings = load_settings(database_url=db_url, redis_url=REDIS_URL, rasa_url=None, run_workers=False)
    with TestClient(create_app(settings, namespace=ns), base_url="http://testserver") as client:
        yield client, store, ns
    store.engine.dispose()
    drop_namespace(ns)


def login(client: TestClient, username: str) -> dict[str, str]:
    client.cookies.clear()
    response = client.post("/console/api/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": str(response.json()["csrf"])}


def later(hours: int) -> str:
    """A time in Bolivia `hours` from now, as the form's datetime-local field sends it."""
    return (dt.datetime.now(ZoneInfo("America/La_Paz")) + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_campaign_staff_confirm_then_create_a_broadcast_that_the_list_shows_and_the_audit_records(
    app: tuple[TestClient, Store, str],
) -> None:
    client, store, ns = app
    csrf = login(client, "carla")
    assert "Nuevo envío" in client.get("/console/campaign").text
    at = later(2)
    checked = client.post("/console/api/campaign/broadcasts", headers=csrf, json={"key": KEY, **EL_ALTO, "at": at})
    assert checked.status_code == 200
    summary = checked.json()["confirm"]
    assert summary["recipients"] == 6 and summary["segment"] == "madre, padre o persona a cargo · WhatsApp · El Alto"
    assert summary["when"] == f"el {at.replace('T', ' ')} (hora de Bolivia)"
    assert client.get("/console/api/campaign").json()["broadcasts"] == [], "nothing is created before the confirm"

    created = client.post(
        "/console/api/campaign/broadcasts", headers=csrf, json={"key": KEY, **EL_ALTO, "at": at, "confirm": True}
    )
    assert created.status_code == 201
    number = created.json()["created"]
    row = asyncio.run(SqlBroadcasts(store.engine).get(number))
    assert row is not None and row.namespace == ns and row.state == "scheduled" and row.created_by == "carla"
    assert row.segment == EL_ALTO and row.content_key == KEY
    listed = client.get("/console/api/campaign").json()
    shown = [(b["id"], b["message"], b["state_label"], b["scheduled_at"], b["active"]) for b in listed["broadcasts"]]
    assert shown == [(number, KEY, "programado", at.replace("T", " "), True)]
    assert listed["series"]["weeks"] == 8 and listed["series"]["active"] == 9
    assert listed["can_edit"] is True and KEY in listed["keys"]
    audit = [(e.actor, e.action, e.detail) for e in store.audit_entries() if e.action.startswith("broadcast")]
    assert audit == [
        (
            "carla",
            "broadcast_create",
            f"#{number} {KEY} to audience=caregiver,channel=whatsapp,"
            f"city=el_alto at {at.replace('T', ' ')} (La Paz time)",
        )
    ], "audited as the CLI does"


def test_a_cancel_stops_it_once_and_is_audited(app: tuple[TestClient, Store, str]) -> None:
    client, store, _ = app
    csrf = login(client, "carla")
    body = {"key": KEY, "lang": "es", "at": later(3), "confirm": True}
    number = client.post("/console/api/campaign/broadcasts", headers=csrf, json=body).json()["created"]
    assert client.post(f"/console/api/campaign/broadcasts/{number}/cancel", headers={}).status_code == 403, "CSRF"
    done = client.post(f"/console/api/campaign/broadcasts/{number}/cancel", headers=csrf)
    assert done.status_code == 200 and done.json() == {"cancelled": number}
    shown = client.get("/console/api/campaign").json()["broadcasts"][0]
    assert shown["state_label"] == "cancelado" and shown["active"] is False
    again = client.post(f"/console/api/campaign/broadcasts/{number}/cancel", headers=csrf)
    assert again.status_code == 409
    assert again.json()["error"] == "Ese envío ya está cancelado: no hay nada que cancelar."
    assert client.post("/console/api/campaign/broadcasts/999999/cancel", headers=csrf).json()["code"] == (
        "campaign.err_no_broadcast"
    )
    assert [e.action for e in store.audit_entries() if e.action.startswith("broadcast")] == [
        "broadcast_create",
        "broadcast_cancel",
    ]


def test_the_live_count_is_the_segments_and_small_counts_are_hidden(app: tuple[TestClient, Store, str]) -> None:
    client, _, _ = app
    login(client, "carla")
    counted = client.get("/console/api/campaign/count", params=EL_ALTO).json()
    assert counted["total"] == 6 and counted["segment"] == "madre, padre o persona a cargo · WhatsApp · El Alto"
    assert counted["per_lang"] == {"es": 5, "qu": "<5", "ay": 0}, "one Quechua speaker is not shown as 1"
    everyone = client.get("/console/api/campaign/count").json()
    assert everyone["total"] == 9 and everyone["segment"] == "todas las suscripciones", "the ended one is not counted"
    assert client.get("/console/api/campaign/count", params={"channel": "telegram"}).json()["total"] == "<5"
    assert client.get("/console/api/campaign/count", params={"city": "san_borja"}).json()["total"] == 0
    preview = client.get("/console/api/campaign/preview", params={"key": KEY, "audience": "caregiver"}).json()
    assert [lang["lang"] for lang in preview["langs"]] == ["es", "qu", "ay"]
    spanish = preview["langs"][0]["variants"][0]
    assert spanish["audiences"] == ["madre, padre o persona a cargo"]
    assert spanish["whatsapp"] == spanish["telegram"], "no buttons to number on WhatsApp"
    assert spanish["whatsapp"][0].strip() and preview["langs"][0]["template"] is None


@pytest.mark.parametrize(
    ("body", "code", "shown"),
    [
        ({"key": "no.such.key"}, "campaign.err_unknown_key", "El mensaje «no.such.key» no existe"),
        ({"key": "about.quiz_result"}, "campaign.err_needs_variables", "necesita datos de cada persona"),
        ({"key": KEY, "lang": "fr"}, "campaign.err_unknown_value", "El valor elegido en «Idioma» no existe"),
        ({"key": KEY, "city": "el_alto,lang=es"}, "campaign.err_unknown_value", "«Ciudad»"),
        ({"key": KEY, "at": "mañana a las 6"}, "campaign.err_bad_time", "AAAA-MM-DD HH:MM"),
        ({"key": KEY, "at": "2020-01-01T10:00"}, "campaign.err_past_time", "ya pasaron"),
        ({"key": KEY, "city": "san_borja"}, "campaign.err_nobody", "Nadie en este segmento"),
    ],
)
def test_bad_input_is_answered_in_spanish_and_creates_nothing(
    app: tuple[TestClient, Store, str], body: dict[str, str], code: str, shown: str
) -> None:
    client, _, _ = app
    csrf = login(client, "carla")
    refused = client.post("/console/api/campaign/broadcasts", headers=csrf, json={**body, "confirm": True})
    assert refused.status_code == 400 and refused.json()["code"] == code
    assert shown in refused.json()["error"]
    assert client.get("/console/api/campaign").json()["broadcasts"] == []


def test_supervisors_only_look_and_counselors_are_refused(app: tuple[TestClient, Store, str]) -> None:
    client, _, _ = app
    login(client, "ana")
    assert client.get("/console/campaign").status_code == 403
    for path in ("/console/api/campaign", "/console/api/campaign/count", f"/console/api/campaign/preview?key={KEY}"):
        refused = client.get(path)
        assert refused.status_code == 403 and refused.json()["code"] == "err.forbidden", path
    csrf = login(client, "ana")
    assert client.post("/console/api/campaign/broadcasts", headers=csrf, json={"key": KEY}).status_code == 403

    csrf = login(client, "sara")
    seen = client.get("/console/api/campaign")
    assert seen.status_code == 200 and seen.json()["can_edit"] is False
    made = client.post("/console/api/campaign/broadcasts", headers=csrf, json={"key": KEY, "confirm": True})
    assert made.status_code == 403 and client.get("/console/api/campaign").json()["broadcasts"] == []
