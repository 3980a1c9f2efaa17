"""Bad input at the edge, through the real ASGI app: malformed Telegram updates and Twilio forms
(Hypothesis, over 2,000 of them) never get a 500 and a refused request stores nothing; bodies too
large are refused before they are read whole, chunked or not; an unsigned form is not even read."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from bot.config import load_settings
from bot.delivery.inbox import Inbound
from bot.web.app import create_app
from bot.web.webhooks import MAX_BODY, MAX_FORM
from tests.conftest import REDIS_URL, drop_namespace
from tests.test_telegram import SECRET, UPDATES
from tests.test_whatsapp import ACCOUNT, FORMS, PUBLIC, TOKEN

FUZZ = settings(max_examples=1100, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


class App:
    """The app with both webhooks, no workers, and a record of what reached the inbox."""

    def __init__(self, client: TestClient, ns: str) -> None:
        self.client = client
        self.ns = ns
        self.accepted: list[Inbound] = []
        inbox = client.app.state.inbox  # type: ignore[attr-defined]
        real_accept = inbox.accept

        async def accept(item: Inbound) -> bool:
            self.accepted.append(item)
            return bool(await real_accept(item))

        inbox.accept = accept

    def telegram(self, body: bytes) -> Any:
        return self.client.post("/webhooks/telegram", content=body,
                                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"})

    def twilio(self, body: bytes, signature: str | None, path: str = "/webhooks/twilio/whatsapp") -> Any:
        headers: dict[str, str | bytes] = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature is not None:
            headers["X-Twilio-Signature"] = signature.encode("utf-8")  # whatever a caller sends, as bytes
        return self.client.post(path, content=body, headers=headers)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    ns = f"test:{secrets.token_hex(6)}"
    tmp = tmp_path_factory.mktemp("fuzz")
    config = load_settings(database_url=f"sqlite:///{tmp / 'f.db'}", redis_url=REDIS_URL, rasa_url=None,
                           run_workers=False, telegram_token="123456:TEST-token", telegram_webhook_secret=SECRET,
                           telegram_api_base="http://127.0.0.1:9/bot", public_base_url=PUBLIC,
                           twilio_account_sid=ACCOUNT, twilio_auth_token=TOKEN,
                           twilio_whatsapp_from="whatsapp:+14155238886")
    with TestClient(create_app(config, namespace=ns), base_url="https://testserver") as client:
        yield App(client, ns)
    drop_namespace(ns)


# -- strategies ------------------------------------------------------------------------------------

SURROGATES = st.sampled_from(["\ud800", "a\udfffb", "\udbff", "hola \ud83d"])
TEXTS = st.one_of(st.text(max_size=30), SURROGATES)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                    st.floats(allow_nan=False, allow_infinity=False), TEXTS)
JSONISH = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(TEXTS, inner, max_size=4)), max_leaves=12)
FIELDS = ["update_id", "message", "edited_message", "callback_query", "chat", "id", "type", "text", "caption",
          "photo", "sticker", "voice", "document", "location", "latitude", "longitude", "file_id", "mime_type",
          "data", "contact"]


def _mutate(value: Any, path: list[str], new: Any) -> Any:
    """A copy of a valid update with the field at `path` (as deep as it goes) replaced by `new`."""
    if not path or not isinstance(value, dict):
        return new
    head, rest = path[0], path[1:]
    copy = dict(value)
    copy[head] = _mutate(copy.get(head), rest, new) if head in copy else new
    return copy


@st.composite
def telegram_bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 5))
    if kind == 0:  # any JSON at all
        return json.dumps(draw(JSONISH)).encode()
    if kind == 1:  # raw bytes
        return draw(st.binary(max_size=200))
    if kind == 2:  # deep nesting, arrays or objects
        depth = draw(st.integers(20, 5000))
        return (b"[" * depth + b"]" * depth) if draw(st.booleans()) else (b'{"a":' * depth + b"1" + b"}" * depth)
    update = draw(st.sampled_from(sorted(UPDATES)))
    path = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4))
    mutated = _mutate(UPDATES[update], path, draw(JSONISH))
    if kind == 3:
        return json.dumps(mutated).encode()
    if kind == 4:  # a valid update with a chat id that is not an integer
        message = dict(UPDATES["text"]["message"])
        message["chat"] = {**message["chat"], "id": draw(st.one_of(st.text(max_size=12), st.floats(), st.booleans(),
                                                                  st.just("555001"), st.just(1.5)))}
        return json.dumps({"update_id": draw(st.integers(0, 10**6)), "message": message}).encode()
    body = json.dumps(mutated).encode()  # truncated JSON
    return body[: draw(st.integers(0, max(0, len(body) - 1)))]


FORM_KEYS = ["MessageSid", "From", "Body", "NumMedia", "MediaUrl0", "MediaContentType0", "Latitude", "Longitude",
             "ButtonPayload", "MessageStatus", "ErrorCode", "To", "AccountSid"]


@st.composite
def twilio_requests(draw: st.DrawFn) -> tuple[bytes, str | None, str]:
    path = draw(st.sampled_from(["/webhooks/twilio/whatsapp", "/webhooks/twilio/status"]))
    kind = draw(st.integers(0, 3))
    if kind == 0:  # raw bytes, signed with whatever
        return draw(st.binary(max_size=300)), draw(st.one_of(st.none(), st.text(max_size=30))), path
    base = dict(draw(st.sampled_from(sorted(FORMS.values(), key=lambda f: f["MessageSid"]))))
    for key in draw(st.lists(st.sampled_from(FORM_KEYS), max_size=4)):
        if draw(st.booleans()):
            base.pop(key, None)
        else:
            base[key] = draw(st.text(max_size=40))
    extra = draw(st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=3))
    form = {**base, **extra}
    body = urlencode(form).encode()
    if kind == 1:  # properly signed: the form itself must be checked
        signature: str | None = RequestValidator(TOKEN).compute_signature(PUBLIC + path, form)
    elif kind == 2:  # signed, but with invalid UTF-8 or a truncated encoding inside
        body = body + draw(st.sampled_from([b"&Body=%FF%FE", b"&Body=%ED%A0%80", b"&%", b"&Body=\xff"]))
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, form)
    else:  # unsigned or badly signed
        signature = draw(st.one_of(st.none(), st.just(""), st.text(max_size=30)))
    return body, signature, path


# -- the fuzz runs ---------------------------------------------------------------------------------

@FUZZ
@given(body=telegram_bodies())
def test_malformed_telegram_updates_never_get_a_500_and_refused_ones_store_nothing(app: App, body: bytes) -> None:
    before = len(app.accepted)
    response = app.telegram(body)
    event(f"status {response.status_code}")  # --hypothesis-show-statistics: how the run spread
    assert response.status_code in (200, 400), response.text
    if response.status_code != 200 or response.json().get("ignored"):
        assert len(app.accepted) == before, "a refused or ignored update was stored"
    for item in app.accepted[before:]:
        assert item.address.lstrip("-").isdigit(), "only an integer chat id is stored"
        assert item.text is None or isinstance(item.text, str)
        (item.text or "").encode("utf-8")  # storable: no lone surrogate


@FUZZ
@given(request=twilio_requests())
def test_malformed_twilio_forms_never_get_a_500_and_refused_ones_store_nothing(
        app: App, request: tuple[bytes, str | None, str]) -> None:
    body, signature, path = request
    before = len(app.accepted)
    response = app.twilio(body, signature, path)
    event(f"status {response.status_code}")
    assert response.status_code in (200, 400, 403), response.text
    if response.status_code != 200:
        assert len(app.accepted) == before, "a refused form was stored"
    for item in app.accepted[before:]:
        assert item.address.startswith("whatsapp:+") and item.address[10:].isdigit()


# -- bodies too large: refused before they are read whole --------------------------------------------

async def _raw_post(client: TestClient, path: str, headers: list[tuple[bytes, bytes]], chunk: bytes,
                    chunks: int) -> tuple[int, int]:
    """POST straight into the ASGI app, the body in `chunks` chunks (chunked: no Content-Length unless
    given); returns the status and how many bytes the app pulled."""
    pulled = 0
    sent = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled, sent
        if sent >= chunks:
            return {"type": "http.disconnect"}
        sent += 1
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": sent < chunks}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "https",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 50000), "server": ("testserver", 443)}
    await client.app(scope, receive, send)  # type: ignore[arg-type]
    return status, pulled


CHUNK = b"x" * 65536


def test_a_chunked_telegram_body_over_the_limit_is_refused_before_it_is_read_whole(app: App) -> None:
    headers = [(b"x-telegram-bot-api-secret-token", SECRET.encode()), (b"content-type", b"application/json")]
    status, pulled = app.client.portal.call(_raw_post, app.client, "/webhooks/telegram", headers, CHUNK, 800)
    assert status == 413 and pulled <= MAX_BODY + len(CHUNK), "50 MB offered, about 1 MB read"
    declared = [*headers, (b"content-length", b"52428800")]
    status, pulled = app.client.portal.call(_raw_post, app.client, "/webhooks/telegram", declared, CHUNK, 800)
    assert (status, pulled) == (413, 0), "a declared length over the limit: nothing read"


def test_twilio_bodies_unsigned_are_not_read_and_signed_large_ones_are_cut_short(app: App) -> None:
    form = [(b"content-type", b"application/x-www-form-urlencoded")]
    status, pulled = app.client.portal.call(_raw_post, app.client, "/webhooks/twilio/whatsapp", form, CHUNK, 640)
    assert (status, pulled) == (403, 0), "no signature: refused before a byte of the 41 MB is read"
    signed = [*form, (b"x-twilio-signature", b"c2lnbmVkLWJ1dC1mYWtl")]
    status, pulled = app.client.portal.call(_raw_post, app.client, "/webhooks/twilio/whatsapp", signed, CHUNK, 640)
    assert status == 413 and pulled <= MAX_FORM + len(CHUNK), "signed or not, a body over the limit is cut short"


def test_the_edge_cases_of_the_issue_get_a_400(app: App) -> None:
    """The inputs of issue 11 that reached a 500 or the queue: deep nesting, a lone surrogate, no chat,
    a text that is not a string, a chat id that is not a number, a From that is not a WhatsApp number."""
    before = len(app.accepted)
    message = UPDATES["text"]["message"]
    for body in [b"[" * 100_000, json.dumps({"update_id": 1, "message": {**message, "text": "\ud800"}}).encode(),
                 json.dumps({"update_id": 2, "message": {"message_id": 1, "text": "hola"}}).encode(),
                 json.dumps({"update_id": 3, "message": {**message, "text": {"a": 1}}}).encode(),
                 json.dumps({"update_id": 4,
                             "message": {**message, "chat": {"id": "abc", "type": "private"}}}).encode()]:
        assert app.telegram(body).status_code == 400
    form = {**FORMS["text"], "From": "whatsapp:abc"}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + "/webhooks/twilio/whatsapp", form)
    assert app.twilio(urlencode(form).encode(), signature).status_code == 400
    assert len(app.accepted) == before
