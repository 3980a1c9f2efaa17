"""What the user sees around a handoff and with old buttons, through the simulator API on the real
Redis: the bot still answers while a normal ticket waits (and says once that a person will write),
stays quiet on urgent and held cases, and answers a button from an older message with a note and
the current choices, as Telegram and WhatsApp render them."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

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
