"""Test doubles of the platforms, served over real HTTP: a Telegram Bot API that checks method
parameters like Telegram does, and a fault-injecting proxy in front of Prism (Twilio's spec)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
FILE_BYTES = b"\xff\xd8\xff\xe0 a small photo"
TWILIO_SPEC = ROOT / "tests" / "data" / "twilio" / "twilio_api_v2010.json"
CONTENT_SPEC = ROOT / "tests" / "data" / "twilio" / "twilio_content_v1.json"  # Content API (WhatsApp buttons)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve an ASGI app on a free local port in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class BotApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class TelegramDouble:
    """The Bot API methods the bot uses, with Telegram's limits checked on every call.

    `sent` holds accepted sendMessage/sendPhoto calls, `answered` the callback query ids,
    `refused` the calls that broke a rule (a test asserts it stays empty). `script` holds
    answers to give instead of success (429 with retry_after, 403 blocked, 502)."""

    token: str = "123456:TEST-token"
    sent: list[dict[str, Any]] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    script: list[BotApiError] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    hold: threading.Event | None = None  # sendMessage waits for it (a Bot API that hangs)
    drop_held: bool = False  # when released: the held call fails and is not delivered
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["POST", "GET"]),
                                 Route("/file/bot{token}/{path:path}", self._file)])

    async def _file(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return Response(status_code=401)
        return Response(FILE_BYTES, media_type="image/jpeg")

    async def _endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        method = request.path_params["method"]
        params = await _params(request)
        self.calls.append(method)
        try:
            result = self._call(method, params)
        except BotApiError as exc:
            body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return JSONResponse(body, status_code=exc.code)
        return JSONResponse({"ok": True, "result": result})

    def _call(self, method: str, p: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": 123456, "is_bot": True, "first_name": "Seguros", "username": "seguros_test_bot"}
        if method in ("deleteWebhook", "setWebhook"):
            return True
        if method == "getFile":
            return {"file_id": p["file_id"], "file_unique_id": "uniq", "file_size": len(FILE_BYTES),
                    "file_path": "photos/file_1.jpg"}
        if method == "getUpdates":
            offset = int(p.get("offset") or 0)
            with self.lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                pending = list(self.updates)
            if not pending:
                time.sleep(0.05)
            return pending
        if method == "answerCallbackQuery":
            if not p.get("callback_query_id"):
                self._refuse("answerCallbackQuery without callback_query_id")
            self.answered.append(str(p["callback_query_id"]))
            return True
        if method in ("sendMessage", "sendPhoto", "sendVoice"):
            self._check_send(method, p)
            if self.script:
                raise self.script.pop(0)
            if self.hold is not None:
                self.hold.wait(30)
                if self.drop_held:
                    raise BotApiError(502, "Bad Gateway")
            with self.lock:
                self.sent.append({"method": method, **p})
                message_id = len(self.sent)
            return {"message_id": message_id, "date": int(time.time()), "chat": {"id": int(p["chat_id"]),
                                                                                 "type": "private"}}
        self._refuse(f"unknown method {method}")
        return None

    def _check_send(self, method: str, p: dict[str, Any]) -> None:
        if not str(p.get("chat_id", "")).lstrip("-").isdigit():
            self._refuse(f"{method}: chat_id must be an integer")
        if method == "sendMessage":
            text = str(p.get("text", ""))
            if not text.strip() or len(text) > 4096:
                self._refuse(f"sendMessage: text must be 1-4096 characters (got {len(text)})")
        elif len(str(p.get("caption", ""))) > 1024:
            self._refuse(f"{method}: caption longer than 1024 characters")
        if method == "sendVoice":
            self._check_voice(p)
        markup = p.get("reply_markup")
        if markup is None:
            return
        markup = json.loads(markup) if isinstance(markup, str) else markup
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if not isinstance(rows, list) or not all(isinstance(row, list) and row for row in rows):
            self._refuse("reply_markup.inline_keyboard must be a list of non-empty rows")
            return
        for row in rows:
            for button in row:
                data = str(button.get("callback_data", ""))
                if not button.get("text") or not 1 <= len(data.encode()) <= 64:
                    self._refuse(f"button needs text and 1-64 bytes of callback_data (got {len(data.encode())})")

    def _check_voice(self, p: dict[str, Any]) -> None:
        """sendVoice (core.telegram.org/bots/api#sendvoice): an uploaded OGG/Opus file (or a file_id /
        URL), at most 50 MB; duration, when given, a whole number of seconds."""
        voice = p.get("voice")
        if isinstance(voice, bytes):
            if not voice.startswith(b"OggS") or b"OpusHead" not in voice[:200]:
                self._refuse("sendVoice: the file must be OGG encoded with Opus")
            if len(voice) > 50 * 1024 * 1024:
                self._refuse("sendVoice: files are limited to 50 MB")
        elif not isinstance(voice, str) or not voice:
            self._refuse("sendVoice: voice is required")
        if "duration" in p and not str(p["duration"]).isdigit():
            self._refuse("sendVoice: duration must be an integer")

    def _refuse(self, why: str) -> None:
        self.refused.append(why)
        raise BotApiError(400, f"Bad Request: {why}")

    def texts(self, chat_id: int | str | None = None) -> list[str]:
        return [str(m.get("text", m.get("caption", ""))) for m in self.sent
                if chat_id is None or str(m["chat_id"]) == str(chat_id)]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.sent) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.sent


FAULT_MODES = ("normal", "slow", "errors", "rate_limited", "timeout")


@dataclass(frozen=True)
class Delivery:
    """A message the Bot API took: when (time.time()), to which chat, and its text (or caption)."""

    at: float
    chat_id: str
    text: str


@dataclass
class ChaosBotApi(TelegramDouble):
    """The Bot API double with switchable faults on sendMessage/sendPhoto/sendVoice (the chaos run, scripts/chaos.py).

    `mode` can be switched at any time from another thread:
    - normal: answers at once;
    - slow: waits `slow_seconds`, then takes the message;
    - errors: a share (`error_share`) of sends get a 500 and are not delivered;
    - rate_limited: every send gets a 429 with `retry_after` (Telegram's flood control);
    - timeout: holds the request `hold_seconds`, then answers 504; the message is not delivered.
    The waits are asynchronous, so other requests go on meanwhile. `deliveries` records every message
    taken, with its time; `faults` counts what was injected."""

    mode: str = "normal"
    slow_seconds: float = 2.0
    hold_seconds: float = 4.0
    error_share: float = 0.3
    retry_after: int = 1
    seed: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def switch(self, mode: str) -> None:
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; one of {', '.join(FAULT_MODES)}")
        self.mode = mode

    async def _endpoint(self, request: Request) -> Response:
        method = request.path_params["method"]
        if request.path_params["token"] != self.token or method not in ("sendMessage", "sendPhoto", "sendVoice"):
            return await super()._endpoint(request)
        params = await _params(request)
        self.calls.append(method)
        mode = self.mode
        if mode == "slow":
            self.faults["slow"] += 1
            await asyncio.sleep(self.slow_seconds)
        elif mode == "errors" and self._rng.random() < self.error_share:
            self.faults["500"] += 1
            return _api_error(500, "Internal Server Error")
        elif mode == "rate_limited":
            self.faults["429"] += 1
            return _api_error(429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after)
        elif mode == "timeout":
            self.faults["timeout"] += 1
            await asyncio.sleep(self.hold_seconds)
            return _api_error(504, "Gateway Timeout")
        try:
            result = self._call(method, params)
        except BotApiError as exc:
            return _api_error(exc.code, exc.description, exc.retry_after)
        text = str(params.get("text", params.get("caption", "")))
        self.deliveries.append(Delivery(time.time(), str(params.get("chat_id")), text))
        return JSONResponse({"ok": True, "result": result})


def _api_error(code: int, description: str, retry_after: int | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return JSONResponse(body, status_code=code)


async def _params(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        return dict(json.loads(body)) if body else {}
    form = await request.form()
    params: dict[str, Any] = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    for k, v in form.multi_items():  # uploaded files (sendVoice), as bytes
        if not isinstance(v, str):
            params[k] = await v.read()
    await form.close()
    return params


@dataclass
class FaultProxy:
    """Forwards to Prism; answers the next scripted status codes itself (Twilio's spec declares
    only 201 for creating a message, so Prism cannot be asked for a 429 or a 500)."""

    upstream: str
    script: list[int | tuple[int, int]] = field(default_factory=list)  # status, or (status, Twilio error code)
    forwarded: list[dict[str, str]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._forward, methods=["GET", "POST", "DELETE"])])

    async def _forward(self, request: Request) -> Response:
        body = await request.body()
        if self.script:
            scripted = self.script.pop(0)
            code, twilio_code = scripted if isinstance(scripted, tuple) else (scripted, 20000 + scripted)
            self.answers.append(code)
            return JSONResponse({"code": twilio_code, "message": "injected by the test", "status": code,
                                 "more_info": f"https://www.twilio.com/docs/errors/{twilio_code}"}, status_code=code)
        async with httpx.AsyncClient(timeout=20) as client:
            upstream = await client.request(request.method, f"{self.upstream}{request.url.path}",
                                            params=request.url.query, content=body,
                                            headers={k: v for k, v in request.headers.items()
                                                     if k.lower() in ("authorization", "content-type", "accept")})
        self.answers.append(upstream.status_code)
        if upstream.status_code < 300:
            if request.headers.get("content-type", "").startswith("application/json"):
                form = {"method": request.method, "path": request.url.path, "json": body.decode()}
            elif request.method == "DELETE":
                form = {"method": "DELETE", "path": request.url.path}
            else:
                form = dict(httpx.QueryParams(body.decode()))
            self.forwarded.append(form)
        return Response(upstream.content, status_code=upstream.status_code,
                        media_type=upstream.headers.get("content-type"))


@contextmanager
def prism(spec: Path = TWILIO_SPEC) -> Iterator[str]:
    """Prism serving a Twilio spec (Messages, or CONTENT_SPEC) with request validation errors turned into
    422 answers."""
    binary = os.environ.get("PRISM_BIN") or str(Path.home() / ".cache/seguros-bot/prism/node_modules/.bin/prism")
    if not Path(binary).exists():
        raise RuntimeError(f"Prism is not installed at {binary}: run 'bash scripts/prism.sh install'")
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen([binary, "mock", "--errors", "-h", "127.0.0.1", "-p", str(port), str(spec)],
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                httpx.get(url + "/2010-04-01/Accounts.json", timeout=1)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    output = log.read()
                    raise RuntimeError(f"Prism did not start: {output[-2000:]}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def spec_with_form_arrays(spec: Path = TWILIO_SPEC) -> Path:
    """A copy of a Twilio spec where each array field of a form body states its encoding (form, explode:
    a repeated `MediaUrl=…` parameter, which is what Twilio takes and OpenAPI's default for form bodies).
    Prism does not apply that default and reads a single `MediaUrl` as a string ("must be array")."""
    data = json.loads(spec.read_text(encoding="utf-8"))
    for operations in data.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded")
            if not body:
                continue
            encoding = body.setdefault("encoding", {})
            for name, prop in body.get("schema", {}).get("properties", {}).items():
                if prop.get("type") == "array":
                    encoding.setdefault(name, {"style": "form", "explode": True})
    target = Path(tempfile.gettempdir()) / f"form-arrays-{os.getpid()}-{spec.name}"
    target.write_text(json.dumps(data), encoding="utf-8")
    return target
