"""Telegram end to end: recorded updates through the real webhook, the real Redis and pipeline,
to a local Bot API double that checks parameters as Telegram does."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from bot.channels.telegram import BadUpdate, parse_update, secret_ok
from bot.config import Settings, load_settings
from bot.core.privacy import user_key
from bot.store.db import Store, make_engine
from bot.store.keys import Keys
from bot.web.app import create_app
from tests.conftest import REDIS_URL, drop_namespace, inbox_length
from tests.doubles import FILE_BYTES, BotApiError, TelegramDouble, serve

UPDATES: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "telegram" / "updates.json").read_text(encoding="utf-8"))
SECRET = "s3cret-token-for-tests_0123"
CHAT = 555001


@pytest.mark.parametrize(("name", "text", "choice", "media", "edited"), [
    ("text", "hola", None, [], False),
    ("start_command", "/start", None, [], False),
    ("button_press", None, "lang:qu", [], False),
    ("sticker", None, None, ["sticker"], False),
    ("photo_with_caption", "mira esto", None, ["image"], False),
    ("voice_note", None, None, ["audio"], False),
    ("location", None, None, ["location"], False),
    ("document", None, None, ["document"], False),
    ("edited_message", "me pegan en mi casa", None, [], True),
    ("contact", None, None, ["contact"], False),
])
def test_recorded_updates_are_read(name: str, text: str | None, choice: str | None, media: list[str],
                                   edited: bool) -> None:
    item = parse_update(UPDATES[name])
    assert item is not None
    assert (item.address, item.text, item.choice, [m.kind for m in item.media], item.edited) == (
        str(CHAT), text, choice, media, edited)
    assert item.external_id == f"u{UPDATES[name]['update_id']}"


def test_the_largest_photo_size_is_kept_and_group_chats_are_ignored() -> None:
    photo = parse_update(UPDATES["photo_with_caption"])
    assert photo is not None and photo.media[0].url == "AgACAgEAAxk-large"
    assert parse_update(UPDATES["group_message"]) is None


@pytest.mark.parametrize("body", [[], "hola", {"update_id": "700001"}, {"message": {"text": "hola"}},
                                  {"update_id": 5, "message": {"text": "sin chat"}}])
def test_malformed_updates_are_refused(body: Any) -> None:
    with pytest.raises(BadUpdate):
        parse_update(body)


@pytest.fixture
def telegram() -> Iterator[tuple[TelegramDouble, str]]:
    double = TelegramDouble()
    with serve(double.app()) as url:
        yield double, url


def _settings(tmp_path: Path, api: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {"database_url": f"sqlite:///{tmp_path / 'tg.db'}", "redis_url": REDIS_URL,
                              "rasa_url": None, "telegram_token": TelegramDouble.token,
                              "telegram_webhook_secret": SECRET, "telegram_api_base": f"{api}/bot"}
    return load_settings(**{**values, **extra})


@pytest.fixture
def bot(tmp_path: Path, telegram: tuple[TelegramDouble, str]) -> Iterator[tuple[TestClient, TelegramDouble, str]]:
    double, url = telegram
    ns = f"test:{secrets.token_hex(6)}"
    settings = _settings(tmp_path, url, telegram_chat_rate=50.0)  # the per-chat pace is tested in test_outbox
    with TestClient(create_app(settings, namespace=ns)) as client:
        yield client, double, ns
    drop_namespace(ns)




def post(client: TestClient, update: dict[str, Any], secret: str | None = SECRET, raw: bytes | None = None) -> Any:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post("/webhooks/telegram", content=raw if raw is not None else json.dumps(update), headers=headers)


def with_id(name: str, update_id: int) -> dict[str, Any]:
    return {**UPDATES[name], "update_id": update_id}


def stored(ns: str) -> int:
    return inbox_length(ns, user_key('dev-only-pepper-change-me', 'telegram', str(CHAT)))


@pytest.fixture
def webhook_only(tmp_path: Path, telegram: tuple[TelegramDouble, str]) -> Iterator[tuple[TestClient, str]]:
    _, url = telegram
    ns = f"test:{secrets.token_hex(6)}"
    with TestClient(create_app(_settings(tmp_path, url, run_workers=False), namespace=ns)) as client:
        yield client, ns
    drop_namespace(ns)


@pytest.mark.parametrize(("secret", "status"), [(SECRET, 200), ("wrong-secret-0000000000", 403), ("", 403),
                                                (None, 403), (SECRET[:-1], 403)])
def test_the_secret_token_is_required(webhook_only: tuple[TestClient, str], secret: str | None,
                                      status: int) -> None:
    client, ns = webhook_only
    assert post(client, UPDATES["text"], secret).status_code == status
    assert stored(ns) == (1 if status == 200 else 0)


@pytest.mark.parametrize(("configured", "given"), [(None, ""), ("", ""), (None, None), (SECRET, None),
                                                   (SECRET, SECRET.upper())])
def test_the_channel_refuses_a_webhook_without_the_configured_secret(configured: str | None,
                                                                     given: str | None) -> None:
    """The check lives in bot/channels/telegram.py: no configured secret means no request is trusted."""
    assert not secret_ok(configured, given)
    assert secret_ok(SECRET, SECRET)


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"update_id": "x"}', b'{"message": {}}', b"\xff\xfe"])
def test_malformed_bodies_get_a_clear_400_and_nothing_is_stored(webhook_only: tuple[TestClient, str],
                                                                raw: bytes) -> None:
    client, ns = webhook_only
    response = post(client, {}, raw=raw)
    assert response.status_code == 400 and response.json()["error"]
    assert stored(ns) == 0


def test_a_repeated_update_is_stored_once(webhook_only: tuple[TestClient, str]) -> None:
    client, ns = webhook_only
    first, second = post(client, UPDATES["text"]), post(client, UPDATES["text"])
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    assert stored(ns) == 1


def test_a_conversation_through_the_webhook_reaches_the_bot_api(bot: tuple[TestClient, TelegramDouble, str]) -> None:
    client, double, _ = bot
    assert post(client, with_id("text", 1)).status_code == 200
    ask = double.wait_for(1)[0]
    assert "idioma" in ask["text"]
    buttons = json.loads(ask["reply_markup"])["inline_keyboard"]
    assert [row[0]["callback_data"] for row in buttons] == ["lang:es", "lang:qu", "lang:ay"]

    press = {"update_id": 2, "callback_query": {**UPDATES["button_press"]["callback_query"], "data": "lang:es"}}
    assert post(client, press).status_code == 200
    sent = double.wait_for(3)
    assert "4382bfdwdsb323b2d9" in double.answered, "the button press was acknowledged"
    assert sent[1]["text"].startswith("Listo, seguimos en español")
    assert "reply_markup" in sent[2], "the main menu comes with its buttons"
    assert double.refused == [], "every call met the Bot API's rules"


def test_media_get_a_kind_reply_in_the_users_language(bot: tuple[TestClient, TelegramDouble, str]) -> None:
    client, double, _ = bot
    post(client, with_id("text", 10))
    double.wait_for(1)
    post(client, {"update_id": 11, "callback_query": {**UPDATES["button_press"]["callback_query"], "data": "lang:qu"}})
    double.wait_for(3)
    for n, name in enumerate(("sticker", "voice_note", "location"), start=12):
        post(client, with_id(name, n))
    replies = double.wait_for(6)[3:]
    assert len(replies) == 3 and all("qillqa" in r["text"] for r in replies), "Quechua: 'I can only read text'"


def test_an_edited_message_is_checked_for_danger(bot: tuple[TestClient, TelegramDouble, str]) -> None:
    client, double, _ = bot
    post(client, with_id("edited_message", 20))
    texts = [m["text"] for m in double.wait_for(2)]
    assert any("110" in t for t in texts), "'me pegan en mi casa', even as an edit, gets the safety reply"


def test_a_429_waits_retry_after_and_the_message_arrives_once(bot: tuple[TestClient, TelegramDouble, str]) -> None:
    client, double, _ = bot
    double.script.append(BotApiError(429, "Too Many Requests: retry after 1", retry_after=1))
    started = time.monotonic()
    post(client, with_id("text", 30))
    sent = double.wait_for(1, timeout=15)
    assert len(sent) == 1 and time.monotonic() - started >= 1.0
    time.sleep(0.3)
    assert len(double.sent) == 1


def test_a_user_who_blocked_the_bot_is_marked_inactive(bot: tuple[TestClient, TelegramDouble, str]) -> None:
    client, double, ns = bot
    double.script.append(BotApiError(403, "Forbidden: bot was blocked by the user"))
    post(client, with_id("text", 40))
    key = Keys(ns).user(user_key('dev-only-pepper-change-me', 'telegram', str(CHAT)), "inactive")
    plain = redis_sync.Redis.from_url(REDIS_URL)
    try:
        deadline = time.monotonic() + 10
        while not plain.exists(key) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert plain.exists(key)
        post(client, with_id("text", 41))  # they unblocked and wrote again
        assert double.wait_for(1)[0]["text"], "writing again makes them reachable"
        assert not plain.exists(key)
    finally:
        plain.close()


def test_polling_mode_reads_updates_without_a_webhook(tmp_path: Path, telegram: tuple[TelegramDouble, str]) -> None:
    double, url = telegram
    double.updates.append(with_id("text", 50))
    ns = f"test:{secrets.token_hex(6)}"
    settings = _settings(tmp_path, url, telegram_mode="polling", telegram_webhook_secret=None)
    with TestClient(create_app(settings, namespace=ns)) as client:
        assert "idioma" in double.wait_for(1)[0]["text"]
        assert "deleteWebhook" in double.calls
        assert client.post("/webhooks/telegram", content="{}").status_code == 404, "no webhook in polling mode"
    drop_namespace(ns)


def test_during_a_handoff_media_reach_the_counselor(bot: tuple[TestClient, TelegramDouble, str],
                                                   tmp_path: Path) -> None:
    client, double, _ = bot
    store = Store(make_engine(f"sqlite:///{tmp_path / 'tg.db'}"))
    store.add_counselor("ana", "Ana", PasswordHasher().hash("una-clave-larga-123"), "counselor")
    post(client, with_id("text", 60))
    post(client, {**with_id("text", 61), "message": {**UPDATES["text"]["message"], "text": "me pegan en mi casa"}})
    assert any("110" in t for t in [m["text"] for m in double.wait_for(3)]), "ask, safety text, a person will write"
    sent_before = len(double.sent)
    post(client, with_id("photo_with_caption", 62))
    post(client, with_id("location", 63))
    csrf = client.post("/console/api/login", json={"username": "ana", "password": "una-clave-larga-123"}).json()["csrf"]
    deadline = time.monotonic() + 10
    while True:
        ticket = client.get("/console/api/queue").json()["waiting"][0]["id"]
        client.post(f"/console/api/tickets/{ticket}/claim", headers={"X-CSRF-Token": csrf})
        transcript = client.get(f"/console/api/tickets/{ticket}").json()["transcript"]
        if len([m for m in transcript if m["files"]]) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    photo = next(i for i, m in enumerate(transcript) if m["text"] == "mira esto")
    assert transcript[photo]["files"] == [{"kind": "image", "label": "Foto", "location": None, "open": True,
                                           "simulated": False}]
    assert transcript[-1]["files"] == [{"kind": "location", "label": "Ubicación", "location": "-16.5,-68.15",
                                        "open": False, "simulated": False}]
    assert "AgACAgEAAxk" not in json.dumps(transcript), "platform file ids stay on the server"
    file = client.get(f"/console/api/tickets/{ticket}/media?item={photo}&n=0")
    assert file.status_code == 200 and file.content == FILE_BYTES
    client.cookies.clear()
    assert client.get(f"/console/api/tickets/{ticket}/media?item={photo}&n=0").status_code == 401
    assert len(double.sent) == sent_before, "the bot stays quiet during the handoff"


def test_the_webhook_is_registered_from_the_command_line(telegram: tuple[TelegramDouble, str],
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    double, url = telegram
    for name, value in {"TELEGRAM_TOKEN": double.token, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                        "TELEGRAM_API_BASE": f"{url}/bot", "PUBLIC_BASE_URL": "https://bot.seguros.example"}.items():
        monkeypatch.setenv(name, value)
    assert main(["telegram", "set-webhook"]) == 0
    assert "https://bot.seguros.example/webhooks/telegram" in capsys.readouterr().out
    assert "setWebhook" in double.calls
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:8080")
    assert main(["telegram", "set-webhook"]) == 2, "Telegram only calls https addresses"
