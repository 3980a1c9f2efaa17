"""The counselor console end to end through the ASGI app, on the real Redis and a real database."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis as redis_sync
from argon2 import PasswordHasher
from sqlalchemy import update
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from bot.config import load_settings
from bot.store.db import Case, Store, make_engine, upgrade
from bot.store.keys import Keys
from bot.web.app import create_app
from tests.conftest import REDIS_URL

PASSWORD = "una-clave-larga-123"


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[tuple[TestClient, Store, str]]:
    ns = f"test:{secrets.token_hex(6)}"
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    store = Store(make_engine(url))
    for name, role in (("ana", "counselor"), ("bea", "counselor"), ("sara", "supervisor")):
        store.add_counselor(name, name.title(), PasswordHasher().hash(PASSWORD), role)
    settings = load_settings(database_url=url, redis_url=REDIS_URL, rasa_url=None)
    with TestClient(create_app(settings, namespace=ns), base_url="http://testserver") as client:
        yield client, store, ns
    plain = redis_sync.Redis.from_url(REDIS_URL)
    keys = list(plain.scan_iter(match=f"{ns}:*", count=500))
    if keys:
        plain.delete(*keys)
    plain.close()


def login(client: TestClient, username: str) -> str:
    response = client.post("/console/api/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    assert "httponly" in response.headers["set-cookie"].lower() and "samesite=strict" in response.headers[
        "set-cookie"].lower()
    return str(response.json()["csrf"])


def switch_to(client: TestClient, username: str) -> str:
    """Log in as someone else on the same client (same event loop as the app's connections)."""
    client.cookies.clear()
    return login(client, username)


def user_says(client: TestClient, user: str, text: str) -> dict[str, object]:
    response = client.post("/simulator/api/message", content=json.dumps({"user": user, "text": text}))
    assert response.status_code == 200
    return dict(response.json())


def test_every_console_page_and_api_refuses_strangers(app_client: tuple[TestClient, Store, str]) -> None:
    client, _, _ = app_client
    for path in ("/console/api/queue", "/console/api/events", "/console/api/canned", "/console/api/tickets/x"):
        assert client.get(path).status_code == 401, path
    for action in ("claim", "reply", "transfer", "close", "handback", "note"):
        assert client.post(f"/console/api/tickets/x/{action}", json={}).status_code == 401, action
    assert client.post("/console/api/logout", json={}).status_code == 401
    client.cookies.set("sb_console", "forged-session-id", path="/console")
    assert client.get("/console/api/queue").status_code == 401, "an unknown session id is refused"
    client.cookies.clear()
    response = client.get("/console", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/login"


def test_five_wrong_passwords_lock_the_account(app_client: tuple[TestClient, Store, str]) -> None:
    client, store, _ = app_client
    for _ in range(5):
        assert client.post("/console/api/login", json={"username": "bea", "password": "nope"}).status_code == 401
    locked = client.post("/console/api/login", json={"username": "bea", "password": PASSWORD})
    assert locked.status_code == 423
    assert [e.action for e in store.audit_entries()].count("login_failed") == 5


def test_a_counselor_takes_an_urgent_case_replies_and_closes_it(app_client: tuple[TestClient, Store, str]) -> None:
    client, store, _ = app_client
    first = user_says(client, "lucia", "me tienen encerrada y no me dejan salir")
    ticket = first["handoff"]["ticket"]  # type: ignore[index]
    csrf = login(client, "ana")

    queue = client.get("/console/api/queue").json()
    waiting = queue["waiting"][0]
    assert waiting["id"] == ticket and waiting["priority"] == "urgent" and waiting["category"] == "trafficking"
    assert "lucia" not in json.dumps(queue), "no address in the console"
    with client.stream("GET", "/console/api/events") as events:
        lines = []
        for line in events.iter_lines():
            lines.append(line)
            if line.startswith("data:"):
                break
    assert "event: queue" in lines and ticket in lines[-1]

    assert client.post(f"/console/api/tickets/{ticket}/claim").status_code == 403, "no CSRF token"
    assert client.post(f"/console/api/tickets/{ticket}/claim", headers={"X-CSRF-Token": csrf}).status_code == 200

    ana_cookies = dict(client.cookies)
    bea_csrf = switch_to(client, "bea")
    assert client.post(f"/console/api/tickets/{ticket}/claim", headers={"X-CSRF-Token": bea_csrf}).status_code == 409
    assert client.get(f"/console/api/tickets/{ticket}").status_code == 409, "not hers to read"
    client.cookies.clear()
    client.cookies.update(ana_cookies)

    detail = client.get(f"/console/api/tickets/{ticket}").json()
    assert any(m["from"] == "user" and "encerrada" in m["text"] for m in detail["transcript"])

    sent = client.post(f"/console/api/tickets/{ticket}/reply", headers={"X-CSRF-Token": csrf},
                       json={"text": "Hola, soy Ana. ¿Estás en un lugar seguro?"})
    assert sent.status_code == 200
    inbox: list[dict[str, object]] = []
    deadline = time.monotonic() + 5
    while not inbox and time.monotonic() < deadline:
        inbox = client.get("/simulator/api/inbox", params={"user": "lucia"}).json()["messages"]
        time.sleep(0.1)
    assert [m["text"] for m in inbox] == ["Hola, soy Ana. ¿Estás en un lugar seguro?"]

    answer = user_says(client, "lucia", "si, estoy en el baño")
    assert answer["replies"] == [] and answer["understood"]["via"] == "relay"  # type: ignore[index]
    detail = client.get(f"/console/api/tickets/{ticket}").json()
    assert detail["transcript"][-1] == {**detail["transcript"][-1], "from": "user", "text": "si, estoy en el baño"}

    closed = client.post(f"/console/api/tickets/{ticket}/close", headers={"X-CSRF-Token": csrf},
                         json={"outcome": "referred_police", "note": "llamó al 110"})
    assert closed.status_code == 200
    case = store.case(ticket)
    assert case is not None and case.outcome == "referred_police" and case.closed_at is not None
    actions = [e.action for e in store.audit_entries(ticket)]
    assert actions[:2] == ["claim", "view"] and "reply" in actions and actions[-1] == "close"

    back = user_says(client, "lucia", "hola")
    assert back["understood"]["via"] != "relay" and back["replies"], "the bot answers again"


def test_supervisor_sees_everyone_and_a_transfer_moves_the_case(app_client: tuple[TestClient, Store, str]) -> None:
    client, _, _ = app_client
    ticket = user_says(client, "rosa", "persona")["handoff"]["ticket"]  # type: ignore[index]
    csrf = login(client, "ana")
    client.post(f"/console/api/tickets/{ticket}/claim", headers={"X-CSRF-Token": csrf})
    moved = client.post(f"/console/api/tickets/{ticket}/transfer", headers={"X-CSRF-Token": csrf}, json={"to": "bea"})
    assert moved.status_code == 200
    assert client.get("/console/api/queue").json()["claimed"] == [], "ana no longer holds it"
    switch_to(client, "sara")
    claimed = client.get("/console/api/queue").json()["claimed"]
    assert [(t["id"], t["claimed_by"]) for t in claimed] == [(ticket, "bea")]


def test_supervisors_see_failed_deliveries_and_counselors_do_not(app_client: tuple[TestClient, Store, str]) -> None:
    client, _, ns = app_client
    plain = redis_sync.Redis.from_url(REDIS_URL)
    plain.rpush(Keys(ns).failed, json.dumps({"channel": "telegram", "user": "ab12cd34ef56", "entry": "e1",
                                                   "reason": "telegram: the user blocked the bot",
                                                   "failed_at": time.time()}))
    plain.close()
    login(client, "ana")
    assert "failed_deliveries" not in client.get("/console/api/queue").json()
    switch_to(client, "sara")
    failed = client.get("/console/api/queue").json()["failed_deliveries"]
    assert [(f["channel"], f["reason"]) for f in failed] == [("telegram", "telegram: the user blocked the bot")]
    assert failed[0]["reason_text"] == "La persona bloqueó el bot.", "why, in Spanish from the catalogue"
    assert failed[0]["detail"] == "Detalle técnico: telegram: the user blocked the bot"


def csrf_post(client: TestClient, csrf: str, path: str, body: dict[str, object] | None = None) -> httpx.Response:
    return client.post(f"/console/api/{path}", headers={"X-CSRF-Token": csrf}, json=body or {})


def test_the_case_shows_what_the_user_saw_in_readable_spanish(app_client: tuple[TestClient, Store, str]) -> None:
    client, _, _ = app_client
    ticket = user_says(client, "lucia", "me tienen encerrada y no me dejan salir")["handoff"]["ticket"]  # type: ignore[index]
    csrf = login(client, "ana")
    assert csrf_post(client, csrf, f"tickets/{ticket}/claim").status_code == 200
    detail = client.get(f"/console/api/tickets/{ticket}").json()
    card = detail["ticket"]
    assert (card["lang_name"], card["channel_name"], card["category_label"]) == (
        "español", "Simulador", "trata / retención")
    assert "encerr" in card["trigger"]
    lines = detail["transcript"]
    assert [line["from"] for line in lines] == ["system", "user", "bot", "bot"]
    assert lines[0]["meta"]["channel"] == "simulator" and not any(
        line["text"].startswith("[channel=") for line in lines), "no debug line for staff"
    safety = [line for line in lines if line.get("safety")]
    assert len(safety) == 1 and "110" in safety[0]["text"], "the safety reply, with its numbers, is marked"
    assert all(isinstance(line["at"], float) for line in lines)
    assert detail["case"]["counselor_replied"] is False and detail["case"]["audience_label"] == "no lo dijo"


def test_hand_back_and_close_need_an_outcome_and_urgent_needs_a_reply_first(
        app_client: tuple[TestClient, Store, str]) -> None:
    client, store, _ = app_client
    ticket = user_says(client, "lucia", "tengo miedo, me quieren matar")["handoff"]["ticket"]  # type: ignore[index]
    csrf = login(client, "ana")
    csrf_post(client, csrf, f"tickets/{ticket}/claim")
    for action in ("handback", "close"):
        refused = csrf_post(client, csrf, f"tickets/{ticket}/{action}")
        assert refused.status_code == 400 and refused.json()["error"] == "Elige un resultado.", action
    assert csrf_post(client, csrf, f"tickets/{ticket}/handback", {"outcome": "handback"}).status_code == 400
    early = csrf_post(client, csrf, f"tickets/{ticket}/handback",
                      {"outcome": "information_given", "supervisor_confirm": True})
    assert early.status_code == 409 and early.json()["code"] == "err.urgent_handback", "a counselor cannot confirm"
    assert client.get("/simulator/api/inbox", params={"user": "lucia"}).json()["messages"] == []
    switch_to(client, "sara")
    sara = login(client, "sara")
    assert csrf_post(client, sara, f"tickets/{ticket}/handback", {"outcome": "information_given"}).status_code == 409
    done = csrf_post(client, sara, f"tickets/{ticket}/handback",
                     {"outcome": "information_given", "supervisor_confirm": True})
    assert done.status_code == 200
    case = store.case(ticket)
    assert case is not None and case.outcome == "information_given" and case.closed_at is not None
    assert [e.action for e in store.audit_entries(ticket)][-1] == "handback"


def test_a_replied_urgent_case_can_be_handed_back_by_its_counselor(app_client: tuple[TestClient, Store, str]) -> None:
    client, _, _ = app_client
    ticket = user_says(client, "lucia", "me tienen encerrada y no me dejan salir")["handoff"]["ticket"]  # type: ignore[index]
    csrf = login(client, "ana")
    csrf_post(client, csrf, f"tickets/{ticket}/claim")
    assert csrf_post(client, csrf, f"tickets/{ticket}/reply", {"text": "Hola, soy Ana."}).status_code == 200
    back = csrf_post(client, csrf, f"tickets/{ticket}/handback", {"outcome": "referred_felcv", "note": "ok"})
    assert back.status_code == 200


def test_notes_and_whispers_stay_with_staff(app_client: tuple[TestClient, Store, str]) -> None:
    client, _, _ = app_client
    ticket = user_says(client, "rosa", "persona")["handoff"]["ticket"]  # type: ignore[index]
    csrf = login(client, "ana")
    csrf_post(client, csrf, f"tickets/{ticket}/claim")
    assert csrf_post(client, csrf, f"tickets/{ticket}/note", {"text": "parece tranquila"}).json()["kind"] == "note"
    assert csrf_post(client, csrf, f"tickets/{ticket}/note", {"text": " "}).status_code == 400
    sara = switch_to(client, "sara")
    whisper = csrf_post(client, sara, f"tickets/{ticket}/note", {"text": "pregúntale la ciudad"})
    assert whisper.json()["kind"] == "whisper"
    assert csrf_post(client, sara, f"tickets/{ticket}/reply", {"text": "Hola, soy Sara."}).status_code == 200
    lines = client.get(f"/console/api/tickets/{ticket}").json()["transcript"]
    assert [(line["from"], line.get("by")) for line in lines[-3:]] == [
        ("note", "ana"), ("whisper", "sara"), ("counselor", "sara")], "the supervisor's reply carries her name"
    inbox: list[dict[str, object]] = []
    deadline = time.monotonic() + 5
    while not inbox and time.monotonic() < deadline:
        inbox = client.get("/simulator/api/inbox", params={"user": "rosa"}).json()["messages"]
        time.sleep(0.1)
    assert [m["text"] for m in inbox] == ["Hola, soy Sara."], "notes never reach the user"


def test_the_queue_lists_colleagues_on_shift_outcomes_and_unread_lines(
        app_client: tuple[TestClient, Store, str]) -> None:
    client, _, _ = app_client
    ticket = user_says(client, "rosa", "persona")["handoff"]["ticket"]  # type: ignore[index]
    login(client, "bea")
    client.get("/console/api/queue")
    csrf = switch_to(client, "ana")
    csrf_post(client, csrf, f"tickets/{ticket}/claim")
    before = client.get("/console/api/queue").json()
    assert before["on_shift_names"] == ["ana", "bea"] and before["mine"] == 1
    assert "handback" not in [o["id"] for o in before["outcomes"]]
    assert {"id": "referred_felcv", "label": "Derivado a la FELCV"} in before["outcomes"]
    user_says(client, "rosa", "sigo aquí")
    after = client.get("/console/api/queue").json()
    assert after["claimed"][0]["lines"] == before["claimed"][0]["lines"] + 1, "a new message shows as unread"


def test_errors_and_pages_are_in_spanish_from_the_catalogue(app_client: tuple[TestClient, Store, str]) -> None:
    client, _, _ = app_client
    wrong = client.post("/console/api/login", json={"username": "ana", "password": "nope"})
    assert wrong.json() == {"error": "Usuario o contraseña incorrectos.", "code": "err.wrong_login"}
    page = client.get("/console/login").text
    assert "{{" not in page and "<h1>Consola del equipo</h1>" in page and "Contraseña" in page
    login(client, "ana")
    console = client.get("/console").text
    assert "{{" not in console and console.count("<h1") == 1
    strings = client.get("/console/strings").json()
    assert strings["outcome.no_response"] == "La persona no respondió"
    canned = client.get("/console/api/canned", params={"lang": "qu"}).json()["replies"]
    assert canned and all(r["gloss"] and r["gloss"] != r["text"] for r in canned), "Spanish beside the Quechua draft"


def choose(client: TestClient, user: str, payload: str) -> list[dict[str, Any]]:
    response = client.post("/simulator/api/message", content=json.dumps({"user": user, "choice": payload}))
    return list(response.json()["replies"])


def test_the_case_shows_what_the_user_was_answering_and_their_earlier_cases(
        app_client: tuple[TestClient, Store, str]) -> None:
    client, _, _ = app_client
    client.post("/simulator/api/message", content=json.dumps({"user": "nina", "text": "hola"}))
    young = choose(client, "nina", "lang:es")[-1]["choices"][0]["payload"]  # "Soy joven"
    topic = choose(client, "nina", young)[-1]["choices"][0]  # the first topic of the menu
    shown = choose(client, "nina", topic["payload"])[-1]
    ticket = user_says(client, "nina", "persona")["handoff"]["ticket"]  # type: ignore[index]
    csrf = login(client, "ana")
    csrf_post(client, csrf, f"tickets/{ticket}/claim")
    case = client.get(f"/console/api/tickets/{ticket}").json()["case"]
    assert case["before"] == {"text": shown["text"], "choices": [c["title"] for c in shown["choices"]]}
    assert "/" not in case["where"] and case["history"] == [], "a place staff can read, no flow/step ids"
    csrf_post(client, csrf, f"tickets/{ticket}/close", {"outcome": "referred_sos_digital", "note": "pidió números"})

    again = user_says(client, "nina", "persona")["handoff"]["ticket"]  # type: ignore[index]
    csrf_post(client, csrf, f"tickets/{again}/claim")
    history = client.get(f"/console/api/tickets/{again}").json()["case"]["history"]
    assert [(h["outcome"], h["note"]) for h in history] == [("Derivado a S.O.S. Digital", "pidió números")]


def _closed_case(client: TestClient, csrf: str, user: str, text: str, outcome: str) -> str:
    ticket = str(user_says(client, user, text)["handoff"]["ticket"])  # type: ignore[index]
    assert csrf_post(client, csrf, f"tickets/{ticket}/claim").status_code == 200
    if outcome:
        assert csrf_post(client, csrf, f"tickets/{ticket}/reply", {"text": "Hola, soy del equipo."}).status_code == 200
        closed = csrf_post(client, csrf, f"tickets/{ticket}/close", {"outcome": outcome, "note": "sin datos"})
        assert closed.status_code == 200
    return ticket


def test_staff_search_cases_by_their_data_never_by_what_was_written(
        app_client: tuple[TestClient, Store, str]) -> None:
    client, store, _ = app_client
    csrf = login(client, "ana")
    urgent = _closed_case(client, csrf, "lucia", "me tienen encerrada y no me dejan salir", "referred_felcv")
    normal = _closed_case(client, csrf, "rosa", "persona", "information_given")
    still = _closed_case(client, csrf, "nina", "persona", "")
    old = _closed_case(client, csrf, "eva", "persona", "no_response")
    with Session(store.engine) as session:  # a case from last year
        session.execute(update(Case).where(Case.ticket_id == old).values(
            opened_at=dt.datetime(2024, 3, 10, 15, tzinfo=dt.UTC)))
        session.commit()

    def found(**filters: str) -> list[str]:
        response = client.get("/console/api/cases", params=filters)
        assert response.status_code == 200, response.text
        return [c["ticket"] for c in response.json()["cases"]]

    assert set(found()) == {urgent, normal, still, old}
    assert found(outcome="referred_felcv") == [urgent]
    assert found(category="trafficking", priority="urgent") == [urgent]
    assert found(status="open") == [still]
    assert set(found(status="closed")) == {urgent, normal, old}
    assert set(found(lang="es", channel="simulator", counselor="ana")) == {urgent, normal, still, old}
    assert found(counselor="bea") == []
    assert found(**{"from": "2024-03-10", "to": "2024-03-10"}) == [old], "a day in Bolivia, both ends included"
    assert old not in found(**{"from": "2025-01-01"})
    person = client.get("/console/api/cases", params={"outcome": "referred_felcv"}).json()["cases"][0]
    assert found(user=person["user"]) == [urgent], "the code shown on the case finds the person's cases"
    assert (person["outcome_label"], person["category_label"], person["lang_name"], person["channel_name"],
            person["counselor"], person["priority_label"]) == (
        "Derivado a la FELCV", "trata / retención", "español", "Simulador", "ana", "URGENTE")
    row = client.get("/console/api/cases", params={"status": "open"}).json()["cases"][0]
    assert row["open"] and row["can_open"] and row["closed_at"] is None and not row["lost"]
    client.post("/simulator/api/reset", content=json.dumps({"user": "nina"}))  # she deleted her data
    row = client.get("/console/api/cases", params={"status": "open"}).json()["cases"][0]
    assert row["lost"] and not row["open"] and not row["can_open"], "never shown as open when it is gone"
    assert found(text="encerrada") == found(), "no search over message text: an unknown field changes nothing"

    bad = client.get("/console/api/cases", params={"from": "10/03/2024"})
    assert bad.status_code == 400 and bad.json()["error"] == "Escribe la fecha como AAAA-MM-DD."
    assert client.get("/console/api/cases", params={"user": "lucia"}).json()["code"] == "err.bad_user"
    assert client.get("/console/api/cases", params={"outcome": "solved"}).json()["error"] == \
        "Ese filtro no es válido."
    assert [e.action for e in store.audit_entries()].count("search") >= 10, "every search is in the audit log"
    options = client.get("/console/api/cases/options").json()
    assert {"id": "handback", "label": "Devuelto al bot"} in options["outcomes"]
    assert options["counselors"] == ["ana", "bea", "sara"]


def test_media_in_a_case_is_a_labelled_item_with_a_way_to_open_it(app_client: tuple[TestClient, Store, str]) -> None:
    client, _, _ = app_client
    tickets = {}
    for channel in ("simulator", "telegram"):
        user = f"voz-{channel}"
        for step in ({"text": "hola"}, {"choice": "lang:es"}):
            client.post("/simulator/api/message", content=json.dumps({"user": user, "channel": channel, **step}))
        offer = client.post("/simulator/api/message", content=json.dumps(
            {"user": user, "channel": channel, "media": "audio", "text": "escúchame por favor"})).json()
        assert offer["understood"]["intent"] == "media" and "escuchar" in offer["replies"][0]["text"]
        yes = offer["replies"][0]["choices"][0]["payload"]
        opened = client.post("/simulator/api/message", content=json.dumps(
            {"user": user, "channel": channel, "choice": yes})).json()
        tickets[channel] = opened["handoff"]["ticket"]
    csrf = login(client, "ana")
    for channel, ticket in tickets.items():
        csrf_post(client, csrf, f"tickets/{ticket}/claim")
        lines = client.get(f"/console/api/tickets/{ticket}").json()["transcript"]
        with_file = [line for line in lines if line["files"]]
        assert with_file and all(line["from"] == "user" for line in with_file)
        file = with_file[-1]["files"][0]  # on the message that opened the case
        assert (file["kind"], file["label"]) == ("audio", "Nota de voz"), "never an empty line"
        assert file["open"] is (channel == "telegram"), "a real platform's file opens through the console"
        assert file["simulated"] is (channel == "simulator")
        assert "ref" not in file, "the platform's reference stays on the server"
        assert any(line["from"] == "user" and line["text"] == "escúchame por favor" for line in lines), "the caption"
    missing = client.get(f"/console/api/tickets/{tickets['telegram']}/media", params={"item": 0})
    assert missing.status_code == 404 and missing.json()["error"] == "Ese archivo no está en esta conversación."


def test_a_recording_the_bot_sent_while_the_case_waited_is_named_not_blank(
        app_client: tuple[TestClient, Store, str]) -> None:
    client, _, _ = app_client
    user_says(client, "teo", "hola")
    choose(client, "teo", "lang:es")
    ticket = user_says(client, "teo", "persona")["handoff"]["ticket"]  # type: ignore[index]
    menu = user_says(client, "teo", "menú")["replies"]  # the bot still answers while a normal case waits
    audience = next(r for r in menu if r["choices"])["choices"][0]["payload"]  # type: ignore[index]
    groups = choose(client, "teo", audience)[-1]["choices"]
    topics = choose(client, "teo", groups[2]["payload"])[-1]["choices"]  # "pedir ayuda"
    lines = choose(client, "teo", topics[0]["payload"])[-1]  # the help lines, with a recording
    listen = next(c["payload"] for c in lines["choices"] if c["title"] == "Escuchar")
    assert choose(client, "teo", listen)[0]["text"] == ""
    csrf = login(client, "ana")
    csrf_post(client, csrf, f"tickets/{ticket}/claim")
    said = client.get(f"/console/api/tickets/{ticket}").json()["transcript"]
    voice = [line for line in said if line["from"] == "bot" and not line["text"]]
    assert voice and voice[-1]["files"] == [{"kind": "audio", "label": "Nota de voz del bot (grabación de la campaña)",
                                             "open": False, "location": None}]
