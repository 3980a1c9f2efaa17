"""WhatsApp through Twilio end to end: signed webhooks in, replies out through the REST API to
Stoplight Prism serving Twilio's own spec (every request validated), on the real Redis."""

from __future__ import annotations

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
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from bot.channels.whatsapp import BadForm, parse_form
from bot.config import Settings, load_settings
from bot.core.privacy import user_key
from bot.store.db import Store, make_engine
from bot.store.keys import Keys, slot_tag
from bot.web.app import create_app
from tests.conftest import REDIS_URL, drop_namespace, inbox_length
from tests.doubles import FaultProxy, prism, serve

ACCOUNT = "AC" + "0" * 31 + "1"
TOKEN = "twilio-auth-token-for-tests"
PUBLIC = "https://bot.seguros.example"  # what Twilio calls; the app sits behind a TLS-terminating proxy
USER = "whatsapp:+59170000001"
SENDER = "whatsapp:+14155238886"

FORMS: dict[str, dict[str, str]] = {
    "text": {"MessageSid": "SM00000000000000000000000000000001", "AccountSid": ACCOUNT, "From": USER, "To": SENDER,
             "Body": "hola", "NumMedia": "0", "ProfileName": "Ana", "WaId": "59170000001"},
    "image": {"MessageSid": "SM00000000000000000000000000000002", "AccountSid": ACCOUNT, "From": USER, "To": SENDER,
              "Body": "", "NumMedia": "1", "MediaContentType0": "image/jpeg",
              "MediaUrl0": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages/MM1/Media/ME1"},
    "voice_note": {"MessageSid": "SM00000000000000000000000000000003", "AccountSid": ACCOUNT, "From": USER,
                   "To": SENDER, "Body": "", "NumMedia": "1", "MediaContentType0": "audio/ogg",
                   "MediaUrl0": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages/MM2/Media/ME2"},
    "location": {"MessageSid": "SM00000000000000000000000000000004", "AccountSid": ACCOUNT, "From": USER,
                 "To": SENDER, "Body": "", "NumMedia": "0", "Latitude": "-16.5", "Longitude": "-68.15"},
    "quick_reply": {"MessageSid": "SM00000000000000000000000000000005", "AccountSid": ACCOUNT, "From": USER,
                    "To": SENDER, "Body": "Español", "ButtonText": "Español", "ButtonPayload": "lang:es",
                    "NumMedia": "0"},
}


@pytest.mark.parametrize(("name", "text", "choice", "media"), [
    ("text", "hola", None, []), ("image", None, None, ["image"]), ("voice_note", None, None, ["audio"]),
    ("location", None, None, ["location"]), ("quick_reply", None, "lang:es", []),
])
def test_recorded_messages_are_read(name: str, text: str | None, choice: str | None, media: list[str]) -> None:
    item = parse_form(FORMS[name])
    assert (item.address, item.text, item.choice, [m.kind for m in item.media]) == (USER, text, choice, media)
    assert item.external_id == FORMS[name]["MessageSid"]


@pytest.mark.parametrize("form", [{}, {"From": USER}, {"MessageSid": "SM1", "From": "+59170000001"},
                                  {**FORMS["image"], "NumMedia": "muchos"}])
def test_malformed_forms_are_refused(form: dict[str, str]) -> None:
    with pytest.raises(BadForm):
        parse_form(form)


def sign(path: str, form: dict[str, str], base: str = PUBLIC) -> str:
    return str(RequestValidator(TOKEN).compute_signature(base + path, form))


def post(client: TestClient, form: dict[str, str], signature: str | None = "auto",
         path: str = "/webhooks/twilio/whatsapp") -> Any:
    headers = {}
    if signature == "auto":
        headers["X-Twilio-Signature"] = sign(path, form)
    elif signature is not None:
        headers["X-Twilio-Signature"] = signature
    return client.post(path, data=form, headers=headers)


def message(n: int, body: str, **extra: str) -> dict[str, str]:
    return {**FORMS["text"], "MessageSid": f"SM{n:032d}", "Body": body, **extra}




def _settings(tmp_path: Path, api: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {"database_url": f"sqlite:///{tmp_path / 'wa.db'}", "redis_url": REDIS_URL,
                              "rasa_url": None, "public_base_url": PUBLIC, "twilio_account_sid": ACCOUNT,
                              "twilio_auth_token": TOKEN, "twilio_whatsapp_from": SENDER, "twilio_api_base": api}
    return load_settings(**{**values, **extra})


USER_KEY = user_key("dev-only-pepper-change-me", "whatsapp", USER)


@pytest.fixture
def webhook_only(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    ns = f"test:{secrets.token_hex(6)}"
    settings = _settings(tmp_path, "http://127.0.0.1:9", run_workers=False)
    with TestClient(create_app(settings, namespace=ns), base_url="http://10.0.0.5:8080") as client:
        yield client, ns
    drop_namespace(ns)


def stored(ns: str) -> int:
    return inbox_length(ns, USER_KEY)


@pytest.mark.parametrize(("signature", "status"), [
    ("auto", 200),
    (None, 403),
    ("", 403),
    ("bm90IGEgc2lnbmF0dXJl", 403),
    (sign("/webhooks/twilio/whatsapp", FORMS["text"], base="http://10.0.0.5:8080"), 403),  # the internal URL
])
def test_the_signature_over_the_public_url_is_required(webhook_only: tuple[TestClient, str],
                                                       signature: str | None, status: int) -> None:
    client, ns = webhook_only
    response = post(client, FORMS["text"], signature)
    assert response.status_code == status
    assert stored(ns) == (1 if status == 200 else 0)
    if status == 200:
        assert response.headers["content-type"].startswith("text/xml") and "<Response>" in response.text


def test_a_tampered_form_is_refused(webhook_only: tuple[TestClient, str]) -> None:
    client, ns = webhook_only
    signature = sign("/webhooks/twilio/whatsapp", FORMS["text"])
    assert post(client, {**FORMS["text"], "Body": "otra cosa"}, signature).status_code == 403
    assert stored(ns) == 0


@pytest.mark.parametrize("name", ["text", "image", "voice_note", "location", "quick_reply"])
def test_every_kind_is_stored_once_even_when_twilio_retries(webhook_only: tuple[TestClient, str], name: str) -> None:
    client, ns = webhook_only
    assert post(client, FORMS[name]).status_code == 200
    assert post(client, FORMS[name]).status_code == 200
    assert stored(ns) == 1


@pytest.mark.parametrize("form", [{"From": USER, "Body": "hola"},
                                  {"MessageSid": "SM9", "From": "+591700", "Body": "x"}])
def test_a_malformed_signed_form_gets_a_400_and_nothing_is_stored(webhook_only: tuple[TestClient, str],
                                                                 form: dict[str, str]) -> None:
    client, ns = webhook_only
    response = post(client, form)
    assert response.status_code == 400 and "MessageSid" in response.json()["error"]
    assert stored(ns) == 0


# -- against Prism ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def twilio_mock() -> Iterator[str]:
    with prism() as url:
        yield url


@pytest.fixture
def proxy(twilio_mock: str) -> Iterator[tuple[FaultProxy, str]]:
    fault = FaultProxy(twilio_mock)
    with serve(fault.app()) as url:
        yield fault, url


@pytest.fixture
def whatsapp(tmp_path: Path, proxy: tuple[FaultProxy, str]) -> Iterator[tuple[TestClient, FaultProxy, str]]:
    fault, url = proxy
    ns = f"test:{secrets.token_hex(6)}"
    settings = _settings(tmp_path, url, twilio_template_sid="HX" + "a" * 32)
    with TestClient(create_app(settings, namespace=ns), base_url="https://testserver") as client:  # behind TLS
        yield client, fault, ns
    drop_namespace(ns)


def wait_for(fault: FaultProxy, count: int, timeout: float = 10.0) -> list[dict[str, str]]:
    deadline = time.monotonic() + timeout
    while len(fault.forwarded) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return fault.forwarded


def test_a_conversation_goes_out_through_the_rest_api_and_prism_accepts_every_request(
        whatsapp: tuple[TestClient, FaultProxy, str]) -> None:
    client, fault, _ = whatsapp
    assert post(client, message(1, "hola")).status_code == 200
    first = wait_for(fault, 1)[0]
    assert (first["To"], first["From"]) == (USER, SENDER)
    assert first["StatusCallback"] == f"{PUBLIC}/webhooks/twilio/status"
    assert "1. Español" in first["Body"] and "2. Runasimi" in first["Body"], "choices as numbered lines"
    assert post(client, message(2, "2")).status_code == 200  # the user answers with a number
    replies = wait_for(fault, 3)
    assert replies[1]["Body"] == client.app.state.runtime.pipeline.bundle.catalog.text(  # type: ignore[attr-defined]
        "qu", "language.changed"), "the number picked Runasimi"
    assert all(len(r["Body"]) <= 1600 for r in replies)
    assert set(fault.answers) == {201}, "Prism validated every request against Twilio's spec"


def test_429_and_500_are_retried_with_back_off(whatsapp: tuple[TestClient, FaultProxy, str]) -> None:
    client, fault, _ = whatsapp
    fault.script = [429, 500]
    started = time.monotonic()
    post(client, message(3, "hola"))
    sent = wait_for(fault, 1, timeout=15)
    assert len(sent) == 1 and fault.answers == [429, 500, 201]
    assert time.monotonic() - started >= 2.0, "waited about 1 s, then about 2 s"
    time.sleep(0.3)
    assert len(fault.forwarded) == 1, "delivered once"


def _plain() -> redis_sync.Redis:
    return redis_sync.Redis.from_url(REDIS_URL, decode_responses=True)


def _wait_key(key: str, timeout: float = 10.0) -> bool:
    plain = _plain()
    try:
        deadline = time.monotonic() + timeout
        while not plain.exists(key) and time.monotonic() < deadline:
            time.sleep(0.05)
        return bool(plain.exists(key))
    finally:
        plain.close()


def test_error_21610_and_stop_mark_the_user_opted_out_and_writing_again_opts_in(
        whatsapp: tuple[TestClient, FaultProxy, str]) -> None:
    client, fault, ns = whatsapp
    fault.script = [(400, 21610)]
    post(client, message(4, "hola"))
    assert _wait_key(Keys(ns).user(USER_KEY, "optout"))
    post(client, message(5, "hola"))  # writing again opts in (as START does)
    wait_for(fault, 1)
    assert not _plain().exists(Keys(ns).user(USER_KEY, "optout"))

    post(client, message(6, "stop"))
    replies = wait_for(fault, 2)
    assert len(replies) == 2, "the STOP confirmation still goes out"
    assert _wait_key(Keys(ns).user(USER_KEY, "optout"))


def test_status_callbacks_update_delivery_and_record_failures(whatsapp: tuple[TestClient, FaultProxy, str]) -> None:
    client, fault, ns = whatsapp
    path = "/webhooks/twilio/status"
    delivered = {"MessageSid": "SM" + "d" * 32, "MessageStatus": "delivered", "AccountSid": ACCOUNT}
    assert post(client, delivered, path=path).status_code == 200
    assert _plain().get(Keys(ns).whatsapp('SM' + 'd' * 32, "status")) == "delivered"
    assert post(client, {**delivered, "MessageStatus": "read"}, signature="bad", path=path).status_code == 403

    post(client, message(9, "hola"))  # a reply goes out; Twilio will report on it by its SID alone
    wait_for(fault, 1)
    sent = [key for key in _plain().scan_iter(Keys(ns).whatsapp("*", "sent"))]
    assert len(sent) == 1 and _plain().get(sent[0]) == USER_KEY, "the SID of what we sent maps to its user"
    sid = slot_tag(sent[0])
    failed = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "63016"}
    assert post(client, failed, path=path).status_code == 200
    records = [json.loads(r) for r in _plain().lrange(Keys(ns).failed, 0, -1)]
    assert [r["reason"] for r in records] == ["twilio undelivered 63016"]
    assert not _plain().exists(Keys(ns).user(USER_KEY, "last_in")), "Twilio says the window is closed"


def test_outside_the_24_hour_window_a_template_invites_and_the_reply_waits(
        whatsapp: tuple[TestClient, FaultProxy, str]) -> None:
    client, fault, ns = whatsapp
    post(client, message(7, "hola"))
    wait_for(fault, 1)
    plain = _plain()
    plain.set(Keys(ns).user(USER_KEY, "last_in"), repr(time.time() - 25 * 3600))  # a day passes
    runtime_outbox = client.app.state.runtime.outbox  # type: ignore[attr-defined]
    from bot.core.types import Outgoing

    assert client.portal.call(runtime_outbox.enqueue, "whatsapp", USER_KEY,  # type: ignore[union-attr]
                              [Outgoing("Hola, soy la consejera. ¿Sigues ahí?")]) == 1
    invitation = wait_for(fault, 2)[1]
    assert invitation["ContentSid"] == "HX" + "a" * 32 and "Body" not in invitation
    time.sleep(0.5)
    assert len(fault.forwarded) == 2, "the free-form reply waits"
    post(client, message(8, "sí, aquí estoy"))
    bodies = [f.get("Body", "") for f in wait_for(fault, 4)]
    assert "Hola, soy la consejera. ¿Sigues ahí?" in bodies, "it goes out once the user writes"
    assert set(fault.answers) == {201}
    plain.close()


def test_prism_refuses_a_request_that_breaks_twilios_spec(twilio_mock: str) -> None:
    """The check above means something: Prism answers 422 to a message without its required To."""
    response = httpx.post(f"{twilio_mock}/2010-04-01/Accounts/{ACCOUNT}/Messages.json", data={"Body": "hola"},
                          auth=(ACCOUNT, TOKEN), timeout=10)
    assert response.status_code == 422


def test_the_console_warns_when_a_reply_would_fall_outside_the_window(
        whatsapp: tuple[TestClient, FaultProxy, str], tmp_path: Path) -> None:
    client, fault, ns = whatsapp
    Store(make_engine(f"sqlite:///{tmp_path / 'wa.db'}")).add_counselor(
        "ana", "Ana", PasswordHasher().hash("una-clave-larga-123"), "counselor")
    post(client, message(20, "me tienen encerrada y no me dejan salir"))
    wait_for(fault, 2)
    csrf = client.post("/console/api/login", json={"username": "ana", "password": "una-clave-larga-123"}).json()["csrf"]
    ticket = client.get("/console/api/queue").json()["waiting"][0]
    assert ticket["priority"] == "urgent" and ticket["channel"] == "whatsapp"
    client.post(f"/console/api/tickets/{ticket['id']}/claim", headers={"X-CSRF-Token": csrf})
    assert client.get(f"/console/api/tickets/{ticket['id']}").json()["window"]["open"] is True
    _plain().set(Keys(ns).user(USER_KEY, "last_in"), repr(time.time() - 24 * 3600 + 60))  # a minute left
    assert client.get(f"/console/api/tickets/{ticket['id']}").json()["window"]["open"] is False
    answer = client.post(f"/console/api/tickets/{ticket['id']}/reply", json={"text": "Estoy aquí contigo."},
                         headers={"X-CSRF-Token": csrf}).json()
    assert answer["sent"] is False and "24 horas" in answer["warning"]


def test_media_are_fetched_only_from_twilio(whatsapp: tuple[TestClient, FaultProxy, str]) -> None:
    """A media URL in a transcript is fetched with our Twilio credentials: never from another host."""
    client, _, _ = whatsapp
    channels = client.app.state.channels  # type: ignore[attr-defined]
    for url in ("http://169.254.169.254/latest/meta-data/", "https://api.twilio.com.evil.example/x"):
        with pytest.raises(ValueError, match="not a Twilio media URL"):
            client.portal.call(channels.fetch_media, "whatsapp", url, None)  # type: ignore[union-attr]
