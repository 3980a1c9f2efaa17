"""What the user sees around a handoff and with old buttons, through the simulator API on the real
Redis: the bot still answers while a normal ticket waits (and says once that a person will write),
stays quiet on urgent and held cases, and answers a button from an older message with a note and
the current choices, as Telegram and WhatsApp render them. Staff tools: the module picker (from the
loaded content), the Spanish beside Quechua and Aymara drafts, recordings and simulated files."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from starlette.testclient import TestClient

from bot.flows.engine import FlowEngine
from bot.flows.model import FlowSet
from bot.store.db import Store
from tests import test_console
from tests.test_console import switch_to

app_client = test_console.app_client  # the console's app on the real Redis and a fresh database

Client = tuple[TestClient, Store, str]
STALE = "ya no está activa"
WAITING_NOTE = "Te escribirá por aquí"


def say(client: TestClient, user: str, channel: str = "simulator", **what: str) -> dict[str, Any]:
    response = client.post("/simulator/api/message", content=json.dumps({"user": user, "channel": channel, **what}))
    assert response.status_code == 200, response.text
    return dict(response.json())


def texts(reply: dict[str, Any]) -> list[str]:
    return [str(r["text"]) for r in reply["replies"]]


def transcript(client: TestClient, ticket: str) -> list[dict[str, Any]]:
    csrf = switch_to(client, "sara")  # a supervisor reads any case without taking it
    assert csrf
    return list(client.get(f"/console/api/tickets/{ticket}").json()["transcript"])


def test_while_a_normal_ticket_waits_the_bot_still_answers(app_client: Client) -> None:
    client, _, _ = app_client
    say(client, "rosa", text="hola")
    say(client, "rosa", choice="lang:es")
    ticket = say(client, "rosa", text="persona")["handoff"]["ticket"]
    menu = say(client, "rosa", text="menú")
    assert menu["understood"]["via"] == "command" and menu["replies"][0]["choices"], "the menu, as always"
    assert WAITING_NOTE in texts(menu)[-1], "and once: a person will write here"
    module = say(client, "rosa", text="1")
    assert module["understood"]["via"] == "number" and module["replies"]
    assert not any(WAITING_NOTE in t for t in texts(module)), "said only once"
    lines = transcript(client, ticket)
    said = [line["text"] for line in lines if line["from"] == "user"]
    assert said[-2:] == ["menú", "1"], "the user's messages still reach the case"
    assert any(line["from"] == "bot" and line["choices"] for line in lines), "with what the bot answered"

    csrf = switch_to(client, "ana")
    assert client.post(f"/console/api/tickets/{ticket}/claim", headers={"X-CSRF-Token": csrf}).status_code == 200
    held = say(client, "rosa", text="1")
    assert held["understood"]["via"] == "relay" and held["replies"] == [], "a person holds it: relay only"


def test_an_urgent_ticket_stays_relay_only(app_client: Client) -> None:
    client, _, _ = app_client
    assert say(client, "lucia", text="me tienen encerrada y no me dejan salir")["handoff"]["priority"] == "urgent"
    quiet = say(client, "lucia", text="menu")
    assert quiet["understood"]["via"] == "relay" and quiet["replies"] == []


def _stale_on(client: TestClient, channel: str) -> None:
    user = f"old-buttons-{channel}"
    first = say(client, user, channel, text="hola")
    languages = first["replies"][-1]["choices"]
    say(client, user, channel, choice="lang:es")
    menu = say(client, user, channel, text="menu")
    topic = menu["replies"][-1]["choices"][0]["payload"]
    opened = say(client, user, channel, choice=topic)
    current = [c["payload"] for c in opened["replies"][-1]["choices"]]
    assert opened["understood"]["via"] == "choice" and current

    again = say(client, user, channel, choice=topic)  # the menu's button, from an older message
    assert again["understood"]["intent"] == "stale_choice"
    assert STALE in texts(again)[0]
    assert [c["payload"] for c in again["replies"][-1]["choices"]] == current, "the current choices again"
    if channel == "whatsapp":  # numbered lines (or a synced list): a typed number still maps to them
        assert again["replies"][-1]["whatsapp"]["kind"] in ("numbered", "quick-reply", "list-picker")

    quechua = next(c["payload"] for c in languages if c["payload"] == "lang:qu")
    switched = say(client, user, channel, choice=quechua)
    assert switched["lang"] == "es" and STALE in texts(switched)[0], "an old language button changes nothing"
    still = say(client, user, channel, text="1")
    assert still["understood"]["via"] == "number" and still["lang"] == "es"


def test_an_old_button_is_answered_with_the_current_choices_on_telegram(app_client: Client) -> None:
    _stale_on(app_client[0], "telegram")


def test_an_old_button_is_answered_with_the_current_choices_on_whatsapp(app_client: Client) -> None:
    _stale_on(app_client[0], "whatsapp")


def test_help_from_an_old_danger_question_is_never_refused(app_client: Client) -> None:
    client, _, _ = app_client
    say(client, "eva", text="hola")
    say(client, "eva", choice="lang:es")
    say(client, "eva", text="menu")
    late = say(client, "eva", choice="sys:risk:person")
    assert late["handoff"] and late["handoff"]["priority"] == "urgent"


def modules(client: TestClient) -> list[dict[str, Any]]:
    return list(client.get("/simulator/api/modules").json()["modules"])


def start(client: TestClient, user: str, module: str, lang: str, audience: str = "young") -> dict[str, Any]:
    response = client.post("/simulator/api/start", content=json.dumps(
        {"user": user, "module": module, "lang": lang, "audience": audience}))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_module_picker_comes_from_the_loaded_content(app_client: Client) -> None:
    client, _, _ = app_client
    pipeline = client.app.state.runtime.pipeline  # type: ignore[attr-defined]
    bundle = pipeline.bundle
    listed = modules(client)
    # the weekly tips' opt-in and opt-out are not modules: they start by a branch and an unsubscribe
    assert {m["id"] for m in listed} == set(bundle.flows.flows) - {"main", "weekly", "weekly_stop"}
    grooming = next(m for m in listed if m["id"] == "grooming")
    assert grooming["title"] == {lang: bundle.catalog.text(lang, "grooming.title") for lang in ("es", "qu", "ay")}
    fewer = FlowSet({name: flow for name, flow in bundle.flows.flows.items() if name != "games"})
    pipeline.bundle = replace(bundle, flows=fewer, engine=FlowEngine(fewer))  # as a content reload would
    try:
        assert "games" not in {m["id"] for m in modules(client)}, "a module that is not loaded is not offered"
    finally:
        pipeline.bundle = bundle


def test_staff_jump_into_a_module_in_quechua_and_see_the_spanish_beside_it(app_client: Client) -> None:
    client, _, _ = app_client
    catalog = client.app.state.runtime.pipeline.bundle.catalog  # type: ignore[attr-defined]
    assert say(client, "qori", text="persona")["handoff"], "a case from an earlier try"
    shown = start(client, "qori", "grooming", "qu")
    assert shown["lang"] == "qu" and shown["module"] == "Grooming" and shown["handoff"] is None
    first = shown["replies"][-1]
    assert first["text"] == catalog.text("qu", "grooming.intro", audience="young")
    assert first["key"] == "grooming.intro"
    assert first["gloss"]["text"] == catalog.text("es", "grooming.intro", audience="young"), "the Spanish source"
    assert first["gloss"]["choices"] == [catalog.text("es", k) for k in
                                         ("common.continue", "common.menu", "common.person")]
    assert first["text"] != first["gloss"]["text"]
    onward = say(client, "qori", choice=first["choices"][0]["payload"])
    assert onward["understood"]["via"] == "choice", "a fresh conversation at the module: its buttons are current"
    assert onward["replies"][-1]["key"] == "grooming.signs" and onward["replies"][-1]["gloss"]["text"]

    aymara = start(client, "qori", "help", "ay", "caregiver")["replies"][-1]
    assert aymara["gloss"]["text"] == catalog.text("es", "help.lines", audience="caregiver")
    spanish = start(client, "qori", "help", "es")["replies"][-1]
    assert spanish["key"] == "help.lines" and "gloss" not in spanish, "Spanish needs no gloss"
    missing = client.post("/simulator/api/start", content=json.dumps(
        {"user": "qori", "module": "main", "lang": "qu"}))
    assert missing.status_code == 404 and missing.json()["error"] == "Ese módulo no existe en el contenido cargado."


def test_a_recording_the_bot_sends_is_a_playable_voice_note(app_client: Client) -> None:
    client, _, _ = app_client
    lines = start(client, "lia", "help", "es")["replies"][-1]
    listen = next(c["payload"] for c in lines["choices"] if c["title"] == "Escuchar")
    heard = say(client, "lia", choice=listen)["replies"]
    assert heard[0]["text"] == "" and heard[0]["media"][0]["kind"] == "audio", "a voice note, not an empty bubble"
    url = heard[0]["media"][0]["url"]
    assert url.startswith("/media/audio/") and "ref" not in heard[0]["media"][0]
    played = client.get(url)
    assert played.status_code == 200 and played.headers["content-type"] == "audio/ogg" and played.content


def test_a_simulated_file_gets_the_honest_answer_and_bad_lines_are_refused(app_client: Client) -> None:
    client, _, _ = app_client
    say(client, "eli", text="hola")
    say(client, "eli", choice="lang:es")
    photo = say(client, "eli", media="image")
    assert photo["understood"]["intent"] == "media" and "ver" in photo["replies"][0]["text"].lower()
    for bad in ({"media": "gif"}, {"media": "audio", "choice": "sys:menu"}, {"media": ["audio"]}):
        response = client.post("/simulator/api/message", content=json.dumps({"user": "eli", **bad}))
        assert response.status_code == 400 and "media" in response.json()["error"]
