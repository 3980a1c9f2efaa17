"""A counselor in a real browser (Debian's Chromium driven by Playwright) against a running bot:
log in, see an urgent ticket arrive live, take it, reply, see the user's answer, close it; the
simulated user receives the reply and the bot answers again after the close."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis as redis_sync
from playwright.sync_api import expect, sync_playwright

from tests.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "clave-del-navegador-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def bot_server(tmp_path: Path) -> Iterator[str]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run scripts/browser.sh (make test does)")
    port, ns = _free_port(), f"pw{secrets.token_hex(4)}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}", "BOT_NAMESPACE": ns,
           "RASA_URL": "", "REDIS_URL": REDIS_URL, "PORT": str(port), "LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "bot", "counselor", "add", "ana"], input=PASSWORD + "\n", text=True,
                   env=env, cwd=ROOT, check=True, capture_output=True, timeout=60)
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("the bot did not start")
    yield base
    server.terminate()
    server.wait(timeout=10)
    plain = redis_sync.Redis.from_url(REDIS_URL)
    keys = list(plain.scan_iter(match=f"{ns}:*", count=500))
    if keys:
        plain.delete(*keys)
    plain.close()


def user_says(base: str, text: str) -> dict[str, object]:
    response = httpx.post(f"{base}/simulator/api/message", content=json.dumps({"user": "lucia", "text": text}))
    return dict(response.json())


def test_a_counselor_handles_an_urgent_case_in_the_browser(bot_server: str) -> None:
    base = bot_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        page.goto(f"{base}/console")
        expect(page).to_have_url(f"{base}/console/login")
        page.fill("#username", "ana")
        page.fill("#password", "wrong-password")
        page.click("button[type=submit]")
        expect(page.locator("#error")).to_contain_text("wrong username or password")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{base}/console")
        expect(page.locator("#me")).to_contain_text("ana")

        urgent = user_says(base, "me tienen encerrada y no me dejan salir")
        assert urgent["handoff"] and urgent["handoff"]["priority"] == "urgent"  # type: ignore[index]
        card = page.locator("#waiting .ticket.urgent")
        expect(card).to_contain_text("trafficking", timeout=10_000)  # arrives live over SSE
        expect(page.locator("#alert")).to_be_visible()

        card.get_by_role("button", name="Tomar").click()
        expect(page.locator("#transcript")).to_contain_text("me tienen encerrada")
        expect(page.locator("#alert")).to_be_hidden(timeout=10_000)
        page.fill("#text", "Hola, soy Ana del equipo. ¿Estás en un lugar seguro ahora?")
        page.click("#reply button[type=submit]")

        inbox: list[dict[str, object]] = []
        deadline = time.monotonic() + 10
        while not inbox and time.monotonic() < deadline:
            inbox = httpx.get(f"{base}/simulator/api/inbox", params={"user": "lucia"}).json()["messages"]
            time.sleep(0.2)
        assert [m["text"] for m in inbox] == ["Hola, soy Ana del equipo. ¿Estás en un lugar seguro ahora?"]

        answer = user_says(base, "estoy en el baño, tengo el celular")
        assert answer["replies"] == []
        expect(page.locator("#transcript")).to_contain_text("estoy en el baño", timeout=10_000)

        page.select_option("#outcome", "referred_police")
        page.click("#close")
        expect(page.locator("#title")).to_have_text("Elige un caso")
        expect(page.locator("#claimed .ticket")).to_have_count(0, timeout=10_000)
        browser.close()

    after = user_says(base, "menu")
    assert after["understood"]["via"] == "command" and after["replies"]  # type: ignore[index]
