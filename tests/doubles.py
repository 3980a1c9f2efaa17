"""Test doubles of the platforms, served over real HTTP: a Telegram Bot API that checks method
parameters like Telegram does, and a fault-injecting proxy in front of Prism (Twilio's spec)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import threading
import time
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
        if method in ("sendMessage", "sendPhoto"):
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
            self._refuse("sendPhoto: caption longer than 1024 characters")
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


async def _params(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        return dict(json.loads(body)) if body else {}
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


@dataclass
class FaultProxy:
    """Forwards to Prism; answers the next scripted status codes itself (Twilio's spec declares
    only 201 for creating a message, so Prism cannot be asked for a 429 or a 500)."""

    upstream: str
    script: list[int | tuple[int, int]] = field(default_factory=list)  # status, or (status, Twilio error code)
    forwarded: list[dict[str, str]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._forward, methods=["GET", "POST"])])

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
            form = dict(httpx.QueryParams(body.decode()))
            self.forwarded.append(form)
        return Response(upstream.content, status_code=upstream.status_code,
                        media_type=upstream.headers.get("content-type"))


@contextmanager
def prism() -> Iterator[str]:
    """Prism serving Twilio's spec with request validation errors turned into 422 answers."""
    binary = os.environ.get("PRISM_BIN") or str(Path.home() / ".cache/seguros-bot/prism/node_modules/.bin/prism")
    if not Path(binary).exists():
        raise RuntimeError(f"Prism is not installed at {binary}: run 'bash scripts/prism.sh install'")
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen([binary, "mock", "--errors", "-h", "127.0.0.1", "-p", str(port), str(TWILIO_SPEC)],
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
