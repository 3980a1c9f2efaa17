"""Killing the bot between receiving a message and sending its reply: the reply is still sent,
once, after restart. Real bot processes (`python -m bot serve`), real Redis, the Bot API double."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis as redis_sync

from tests.conftest import REDIS_URL
from tests.doubles import TelegramDouble, free_port, serve
from tests.test_telegram import SECRET, UPDATES

ROOT = Path(__file__).resolve().parent.parent


class BotProcess:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(self.port)], cwd=ROOT,
                                     env={**env, "PORT": str(self.port)}, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the bot did not start")
            time.sleep(0.1)

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


@pytest.fixture
def bot_env(tmp_path: Path) -> Iterator[tuple[dict[str, str], TelegramDouble]]:
    double = TelegramDouble()
    ns = f"test:{secrets.token_hex(6)}"
    with serve(double.app()) as url:
        env = {**os.environ, "REDIS_URL": REDIS_URL, "BOT_NAMESPACE": ns.replace(":", "-"), "RASA_URL": "",
               "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "TELEGRAM_TOKEN": double.token,
               "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE": f"{url}/bot", "QUEUE_LEASE_SECONDS": "2",
               "LOG_LEVEL": "WARNING"}
        yield env, double
    plain = redis_sync.Redis.from_url(REDIS_URL)
    keys = list(plain.scan_iter(match=f"{env['BOT_NAMESPACE']}:*", count=500))
    if keys:
        plain.delete(*keys)
    plain.close()


def test_a_message_accepted_by_a_process_that_dies_is_answered_once_after_restart(
        bot_env: tuple[dict[str, str], TelegramDouble]) -> None:
    env, double = bot_env
    web_only = BotProcess({**env, "RUN_WORKERS": "false"})  # receives, stores, answers 200 … and dies
    response = httpx.post(web_only.url + "/webhooks/telegram", content=json.dumps(UPDATES["text"]),
                          headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=10)
    assert response.status_code == 200
    web_only.kill()
    assert double.sent == []

    restarted = BotProcess(env)
    try:
        sent = double.wait_for(1, timeout=20)
        assert len(sent) == 1 and "idioma" in sent[0]["text"]
        # Telegram retries the same update after the crash: still one answer.
        httpx.post(restarted.url + "/webhooks/telegram", content=json.dumps(UPDATES["text"]),
                   headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=10)
        time.sleep(1.0)
        assert len(double.sent) == 1
    finally:
        restarted.kill()


def test_a_process_killed_mid_send_leaves_the_reply_to_the_next_one(
        bot_env: tuple[dict[str, str], TelegramDouble]) -> None:
    env, double = bot_env
    held = threading.Event()
    double.hold = held  # the Bot API hangs: the worker is stuck before Telegram answers
    first = BotProcess(env)
    httpx.post(first.url + "/webhooks/telegram", content=json.dumps(UPDATES["text"]),
               headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=10)
    deadline = time.monotonic() + 10
    while "sendMessage" not in double.calls and time.monotonic() < deadline:
        time.sleep(0.05)
    first.kill()
    double.drop_held = True  # the dead process's request never reached Telegram
    held.set()
    double.hold = None
    second = BotProcess(env)
    try:
        sent = double.wait_for(1, timeout=20)
        assert len(sent) == 1 and "idioma" in sent[0]["text"], "the new process sent the reply"
        time.sleep(1.0)
        assert len(double.sent) == 1
    finally:
        second.kill()
