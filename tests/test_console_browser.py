"""Counselors in a real browser (Debian's Chromium driven by Playwright) against a running bot:
the whole urgent case, a queue that cannot hide an urgent case, per-case form state, two
counselors and a supervisor at once, and an axe-core accessibility audit of every page.
Screenshots at 390, 820 and 1280 px wide go to test-results/console/ (not committed)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import redis as redis_sync
from argon2 import PasswordHasher
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from sqlalchemy.orm import Session

from bot.content.catalog import Catalog
from bot.store.db import Store, Subscription, make_engine, upgrade
from bot.store.keys import Keys
from tests.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
AXE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "seguros-bot" / "axe-core-4.10.3" / \
    "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-results" / "console"
PASSWORD = "clave-del-navegador-1"
STAFF = (("ana", "counselor"), ("bea", "counselor"), ("sara", "supervisor"))
CAMPAIGN = ("carla", "campaign")  # reports only, never a case
DATABASE: dict[str, str] = {}  # the running bot's database URL (tests that put rows in it)
# Records the console's alerts instead of ringing a real speaker and desktop (a test double, page side).
ALERT_RECORDER = """
window.__notified = []; window.__beeps = 0;
window.Notification = class { constructor(title, o) { window.__notified.push({title, body: (o || {}).body}); }
  static get permission() { return 'granted'; } static requestPermission() { return Promise.resolve('granted'); } };
const RealAudio = window.AudioContext;
window.AudioContext = class extends RealAudio {
  createOscillator() { window.__beeps++; return super.createOscillator(); } };
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wipe(ns: str) -> None:
    plain = redis_sync.Redis.from_url(REDIS_URL)
    keys = list(plain.scan_iter(match=f"{ns}:*", count=500))
    if keys:
        plain.delete(*keys)
    plain.close()


@pytest.fixture(scope="module")
def running_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """One bot process for the module (starting one costs seconds); each test gets an empty queue."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run scripts/browser.sh (make test does)")
    port, ns = _free_port(), f"pw{secrets.token_hex(4)}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('console') / 'console.db'}",
           "BOT_NAMESPACE": ns, "RASA_URL": "", "REDIS_URL": REDIS_URL, "PORT": str(port), "LOG_LEVEL": "WARNING"}
    upgrade(env["DATABASE_URL"])  # accounts straight in the database (the CLI has its own test)
    DATABASE["url"] = env["DATABASE_URL"]
    store = Store(make_engine(env["DATABASE_URL"]))
    for name, role in (*STAFF, CAMPAIGN):
        store.add_counselor(name, name.title(), PasswordHasher().hash(PASSWORD), role)
    store.engine.dispose()
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("the bot did not start")
    yield base, ns
    server.terminate()
    server.wait(timeout=10)
    _wipe(ns)


@pytest.fixture
def bot_server(running_bot: tuple[str, str]) -> Iterator[str]:
    base, ns = running_bot
    _wipe(ns)  # no ticket, session or shift of another test
    yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = _launch(p)
        yield launched
        launched.close()


@pytest.fixture(autouse=True)
def _close_pages(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test's pages close with it, so none keeps polling the shared bot."""
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()


def _launch(p: Playwright) -> Browser:
    return p.chromium.launch(executable_path=CHROMIUM, args=[
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"])


def user_says(base: str, text: str, user: str = "lucia") -> dict[str, Any]:
    response = httpx.post(f"{base}/simulator/api/message", content=json.dumps({"user": user, "text": text}))
    return dict(response.json())


def inbox_of(base: str, user: str, timeout: float = 10) -> list[str]:
    deadline, inbox = time.monotonic() + timeout, []
    while not inbox and time.monotonic() < deadline:
        inbox = httpx.get(f"{base}/simulator/api/inbox", params={"user": user}).json()["messages"]
        time.sleep(0.2)
    return [str(m["text"]) for m in inbox]


def open_console(browser: Browser, base: str, username: str, width: int = 1280, height: int = 800) -> Page:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.add_init_script(ALERT_RECORDER)
    page.goto(f"{base}/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/console")
    expect(page.locator("#me")).to_contain_text(username)
    return page


def audit(page: Page, name: str) -> None:
    """axe-core's WCAG 2.1 A/AA and best-practice rules: no serious or critical violation."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag', values:
        ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})).violations
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{name}: {bad}"


def test_a_counselor_handles_an_urgent_case_safely(bot_server: str, browser: Browser) -> None:
    base = bot_server
    page = browser.new_page()
    page.add_init_script(ALERT_RECORDER)
    page.goto(f"{base}/console")
    expect(page).to_have_url(f"{base}/console/login")
    page.fill("#username", "ana")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator("#error")).to_have_text("Usuario o contraseña incorrectos.")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/console")
    expect(page).to_have_title("Consola · Seguros en casa y en línea")

    urgent = user_says(base, "me tienen encerrada y no me dejan salir")
    assert urgent["handoff"] and urgent["handoff"]["priority"] == "urgent"
    card = page.locator("#urgentList .ticket.urgent")
    expect(card).to_contain_text("trata / retención", timeout=10_000)  # arrives live, in Spanish
    expect(card).to_contain_text("URGENTE")
    expect(page.locator("#alert")).to_be_visible()
    expect(page).to_have_title("(1) Consola · Seguros en casa y en línea")
    page.wait_for_function("window.__notified.length === 1 && window.__beeps > 0")
    assert page.evaluate("window.__notified[0].title") == "Caso urgente en espera"

    card.get_by_role("button", name="Tomar").click()
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text("me tienen encerrada")
    safety = transcript.locator(".from-bot.safety")
    expect(safety).to_contain_text("110")  # the safety reply the user got, with its numbers, highlighted
    expect(safety).to_contain_text("respuesta de seguridad")
    expect(transcript.locator(".from-system")).to_contain_text("Simulador")
    expect(transcript.locator("time").first).to_be_visible()
    facts = page.locator("#facts")
    for shown in ("español", "Simulador", "trata / retención", "«me tienen encerr", "no lo dijo"):
        expect(facts).to_contain_text(shown)
    expect(page.locator("#noReply")).to_be_visible()
    expect(page.locator("#alert")).to_be_hidden(timeout=10_000)

    page.click("#handback")  # an urgent case nobody answered cannot go back to the bot
    dialog = page.locator("#confirm")
    expect(dialog).to_be_visible()
    page.click("#confirmOk")
    expect(page.locator("#confirmError")).to_have_text("Elige un resultado.")
    page.select_option("#outcome", "information_given")
    page.click("#confirmOk")
    expect(page.locator("#confirmError")).to_contain_text("confirmación de una persona de supervisión")
    page.click("#confirmCancel")
    expect(dialog).to_be_hidden()
    assert inbox_of(base, "lucia", timeout=1) == [], "nothing was sent to her"

    page.fill("#text", "Hola, soy Ana del equipo.")
    page.press("#text", "Shift+Enter")
    page.locator("#text").press_sequentially("¿Estás en un lugar seguro ahora?")
    page.press("#text", "Enter")  # Enter sends
    assert inbox_of(base, "lucia") == ["Hola, soy Ana del equipo.\n¿Estás en un lugar seguro ahora?"]
    expect(page.locator("#text")).to_have_value("")
    expect(page.locator("#noReply")).to_be_hidden()
    expect(transcript.locator(".from-counselor")).to_contain_text("ana (equipo)")

    page.fill("#noteText", "Dice que está en el baño")
    page.click("#noteForm button[type=submit]")
    expect(transcript.locator(".from-note")).to_contain_text("no se envía")

    answer = user_says(base, "estoy en el baño, tengo el celular")
    assert answer["replies"] == []
    expect(transcript).to_contain_text("estoy en el baño", timeout=10_000)
    expect(page.locator("#announce")).to_have_text("Nuevo mensaje de la persona: estoy en el baño, tengo el celular")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "urgent-case-1280.png"))

    page.click("#close")
    expect(page.locator("#outcome")).to_have_value("")  # nothing carried over from the first dialog
    page.select_option("#outcome", "referred_police")
    page.click("#confirmOk")
    expect(page.locator("#title")).to_have_text("Elige un caso")
    expect(page.locator("#claimed .ticket")).to_have_count(0, timeout=10_000)
    assert len(inbox_of(base, "lucia")) == 1, "the closing notice"
    after = user_says(base, "menu")
    assert after["understood"]["via"] == "command" and after["replies"]


def test_an_urgent_case_is_never_hidden_and_forms_belong_to_their_case(bot_server: str, browser: Browser) -> None:
    base = bot_server
    tickets = [user_says(base, "persona", user=f"u{n}")["handoff"]["ticket"] for n in range(30)]  # a busy night
    page = open_console(browser, base, "ana")
    expect(page.locator("#waiting .ticket")).to_have_count(30, timeout=10_000)
    first, second = (page.locator(f"#waiting [data-ticket='{tickets[n]}']") for n in (0, 1))
    first.get_by_role("button", name="Tomar").click()
    expect(page.locator("#claimed .ticket")).to_have_count(1, timeout=10_000)
    page.fill("#text", "borrador para el primer caso")
    page.fill("#noteText", "nota del primer caso")
    first_title = page.locator("#title").inner_text()
    second.get_by_role("button", name="Tomar").click()
    expect(page.locator("#claimed .ticket")).to_have_count(2, timeout=10_000)
    expect(page.locator("#title")).not_to_have_text(first_title)
    expect(page.locator("#text")).to_have_value("")  # never the other case's words
    expect(page.locator("#noteText")).to_have_value("")
    page.locator(f"#claimed [data-ticket='{tickets[0]}']").get_by_role("button", name="Abrir").click()
    expect(page.locator("#title")).to_have_text(first_title)
    expect(page.locator("#text")).to_have_value("borrador para el primer caso")
    expect(page.locator("#noteText")).to_have_value("nota del primer caso")

    page.locator("#normalBox").evaluate("box => box.scrollTop = box.scrollHeight")  # scrolled to the end
    user_says(base, "quiero matarme", user="urgente")
    urgent = page.locator("#urgentList .ticket.urgent")
    expect(urgent).to_be_in_viewport(timeout=10_000)
    expect(page.locator("#nUrgent")).to_have_text("1")
    expect(page.locator("#nMine")).to_have_text("2")
    expect(page.locator("#claimed")).to_be_in_viewport()

    # A message in my other case shows an unread badge on it and in the title; not in the open one.
    user_says(base, "¿sigue ahí alguien?", user="u1")
    user_says(base, "hola?", user="u0")
    expect(page.locator(f"#claimed [data-ticket='{tickets[1]}'] .badge")).to_have_text("1", timeout=10_000)
    expect(page.locator(f"#claimed [data-ticket='{tickets[0]}'] .badge")).to_have_count(0)
    expect(page).to_have_title("(2) Consola · Seguros en casa y en línea")  # one unread, one urgent waiting
    for width in (390, 820, 1280):
        page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"queue-and-case-{width}.png"), full_page=width != 1280)
        if width == 390:
            size = page.locator("#reply button[type=submit]").bounding_box()
            assert size is not None and size["height"] >= 44 and size["width"] >= 44, "touch targets"
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the phone"


def test_two_counselors_and_a_supervisor_at_once(bot_server: str, browser: Browser) -> None:
    base = bot_server
    ticket = user_says(base, "persona", user="rosa")["handoff"]["ticket"]
    ana, bea, sara = (open_console(browser, base, name) for name, _ in STAFF)
    ana.locator(f"[data-ticket='{ticket}']").get_by_role("button", name="Tomar").click()
    expect(bea.locator(f"#waiting [data-ticket='{ticket}']")).to_have_count(0, timeout=10_000)
    expect(sara.locator(f"#claimed [data-ticket='{ticket}']")).to_contain_text("lo atiende ana", timeout=10_000)
    expect(sara.locator("#mineH")).to_have_text("Casos abiertos (todo el equipo)")

    sara.locator(f"#claimed [data-ticket='{ticket}']").get_by_role("button", name="Abrir").click()
    sara.fill("#noteText", "Pregúntale en qué ciudad está")
    sara.click("#noteForm button[type=submit]")
    expect(ana.locator("#transcript .from-whisper")).to_contain_text("Nota de supervisión de sara", timeout=10_000)
    assert inbox_of(base, "rosa", timeout=1) == [], "a whisper is never sent"

    expect(ana.locator("#transferTo option")).to_have_text(["Elige a un colega…", "bea", "sara"], timeout=10_000)
    ana.select_option("#transferTo", "bea")
    ana.click("#transfer")
    expect(ana.locator("#transferNote")).to_have_text("Caso transferido a bea.")
    expect(ana.locator("#title")).to_have_text("Elige un caso", timeout=10_000)
    expect(bea.locator(f"#claimed [data-ticket='{ticket}']")).to_have_count(1, timeout=10_000)
    expect(bea.locator("#nMine")).to_have_text("1")
    bea.locator(f"#claimed [data-ticket='{ticket}']").get_by_role("button", name="Abrir").click()
    expect(bea.locator("#transcript .from-whisper")).to_contain_text("Pregúntale en qué ciudad está")


def test_every_console_page_passes_an_accessibility_audit(bot_server: str, browser: Browser) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run scripts/browser.sh (make test does)")
    base = bot_server
    user_says(base, "me tienen encerrada y no me dejan salir")
    user_says(base, "persona", user="rosa")
    for width in (390, 1280):
        page = browser.new_context(viewport={"width": width, "height": 844}).new_page()
        page.goto(f"{base}/console/login")
        audit(page, f"login at {width}px")
        if width == 390:
            page.screenshot(path=str(SHOTS / "login-390.png"))
        page.close()
    for name in ("ana", "sara"):
        page = open_console(browser, base, name)
        busy = "#urgentList .ticket" if name == "ana" else "#claimed .ticket"  # ana took it: sara sees who holds it
        expect(page.locator(busy)).to_have_count(1, timeout=10_000)
        expect(page.locator("h1")).to_have_count(1)
        audit(page, f"queue of {name}")
        if name == "ana":
            page.locator("#urgentList .ticket").get_by_role("button", name="Tomar").click()
        else:
            page.locator("#waiting .ticket").get_by_role("button", name="Tomar").click()
        expect(page.locator("#transcript .msg").first).to_be_visible()
        audit(page, f"case of {name}")
        page.click("#close")
        audit(page, f"close dialog of {name}")
        for label in ("#canned", "#text", "#noteText", "#transferTo", "#fLang", "#fChannel", "#outcome"):
            assert page.locator(label).evaluate("e => e.labels.length") >= 1, f"{label} has a label"


def test_the_simulator_works_on_a_phone(bot_server: str, browser: Browser) -> None:
    base = bot_server
    page = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True).new_page()
    page.goto(f"{base}/simulator")
    page.fill("#user", "movil")
    page.dispatch_event("#user", "change")
    page.fill("#text", "hola")
    page.press("#text", "Enter")
    spanish = page.locator("#log .choices button", has_text="Español")
    expect(spanish).to_be_visible()
    size = spanish.bounding_box()
    assert size is not None and size["height"] >= 44, "a choice is a finger's size"
    expect(page.locator("#log .meta")).to_have_count(0)  # preview: no debug lines
    spanish.click()
    page.fill("#text", "me tienen encerrada y no me dejan salir")
    page.press("#text", "Enter")
    safety = page.locator("#log .bot.urgent")
    expect(safety).to_have_count(1)
    expect(safety.locator("a[href='tel:110']")).to_be_visible()  # numbers are tappable
    expect(page.locator("#text")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "nothing wider than the phone"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "simulator-360.png"))
    page.select_option("#mode", "debug")
    expect(page.locator("#log .meta").last).to_contain_text("urgent_rule")
    mine = page.locator("#log .msg").count()

    page.fill("#user", "otra")  # another user: another conversation
    page.dispatch_event("#user", "change")
    expect(page.locator("#log .msg")).to_have_count(0)
    page.select_option("#channel", "whatsapp")
    page.fill("#text", "hola")
    page.press("#text", "Enter")
    expect(page.locator("#log .bot").first).to_contain_text("1. Español")  # what WhatsApp shows: numbered lines
    expect(page.locator("#log .bot .choices button")).to_have_count(0)
    page.fill("#user", "movil")
    page.dispatch_event("#user", "change")
    expect(page.locator("#log .msg")).to_have_count(mine)
    expect(page.locator("#log .bot.urgent")).to_have_count(1)
    for width in (390, 820, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        page.screenshot(path=str(SHOTS / f"simulator-{width}.png"))


def simulator_page(browser: Browser, base: str, user: str, width: int = 390, height: int = 844) -> Page:
    page = browser.new_context(viewport={"width": width, "height": height}, has_touch=width < 500).new_page()
    page.goto(f"{base}/simulator")
    page.fill("#user", user)
    page.dispatch_event("#user", "change")
    return page


def test_staff_try_a_module_in_quechua_with_the_spanish_beside_it(bot_server: str, browser: Browser) -> None:
    base = bot_server
    listed = httpx.get(f"{base}/simulator/api/modules").json()["modules"]
    expected = httpx.post(f"{base}/simulator/api/start", content=json.dumps(
        {"user": "reference", "module": "grooming", "lang": "qu", "audience": "young"})).json()["replies"][-1]
    page = simulator_page(browser, base, "staff-qu")
    page.click("#tools summary")
    expect(page.locator("#module option")).to_have_count(len(listed))  # the loaded modules, not a fixed list
    page.select_option("#moduleLang", "qu")
    page.select_option("#module", "grooming")
    page.select_option("#moduleAudience", "young")
    page.click("#moduleForm button[type=submit]")
    expect(page.locator("#log .start")).to_contain_text("Grooming")
    bubble = page.locator("#log .bot").last
    expect(bubble).to_contain_text(expected["text"][:60])
    expect(bubble).to_have_attribute("lang", "qu")
    expect(page.locator("#lang")).to_have_text("qu")
    expect(page.locator("#log .gloss")).to_have_count(0)  # off until staff ask for it
    page.check("#gloss")
    gloss = bubble.locator(".gloss")
    expect(gloss).to_contain_text("En español:")
    expect(gloss).to_contain_text(expected["gloss"]["text"][:60])
    expect(gloss).to_have_attribute("lang", "es")
    expect(bubble.locator(".choices button").first).to_contain_text("Seguir")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the phone"
    size = page.locator("#tools summary").bounding_box()
    assert size is not None and size["height"] >= 44, "the tools open with a finger"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "simulator-module-gloss-390.png"), full_page=True)
    audit(page, "simulator with the module picker and the Spanish gloss")

    bubble.locator(".choices button").first.click()  # the module's own buttons are current
    expect(page.locator("#log .bot")).to_have_count(2)
    expect(page.locator("#log .bot").last.locator(".gloss")).to_contain_text("Señales")
    page.uncheck("#gloss")
    expect(page.locator("#log .gloss")).to_have_count(0)
    for width in (820, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        page.screenshot(path=str(SHOTS / f"simulator-module-{width}.png"))


def test_voice_notes_and_photos_are_labelled_in_the_simulator_and_the_console(
        bot_server: str, browser: Browser) -> None:
    base = bot_server
    page = simulator_page(browser, base, "voz", width=1280, height=800)
    page.select_option("#channel", "telegram")
    page.fill("#text", "hola")
    page.press("#text", "Enter")
    page.locator("#log .choices button", has_text="Español").click()
    expect(page.locator("#log .bot")).to_have_count(3)
    page.click("#attach")
    expect(page.locator("#attachRow")).to_be_visible()
    page.fill("#text", "escúchame por favor")
    page.click("#attachRow [data-kind=audio]")
    sent = page.locator("#log .user").last
    expect(sent.locator(".media")).to_have_text("Nota de voz")
    expect(sent).to_contain_text("escúchame por favor")
    expect(page.locator("#attachRow")).to_be_hidden()
    offer = page.locator("#log .bot").last
    expect(offer).to_contain_text("No puedo escuchar audios")
    offer.get_by_role("button", name="Sí").click()
    expect(page.locator("#log .bot").last).to_contain_text("Una persona del equipo")
    audit(page, "simulator with a voice note")

    console = open_console(browser, base, "ana")
    console.locator("#waiting .ticket").get_by_role("button", name="Tomar").click()
    item = console.locator("#transcript .from-user .file").last
    expect(item).to_contain_text("Nota de voz")  # never an empty line
    link = item.get_by_role("link", name="escuchar audio")
    expect(link).to_have_attribute("href", re.compile(r"^/console/api/tickets/[0-9a-f]+/media\?item=\d+&n=0$"))
    said = console.locator("#transcript .from-user", has_text="escúchame por favor")
    expect(said.locator(".file")).to_contain_text("Nota de voz")  # the caption under its voice note
    expect(said.locator(".caption")).to_have_text("escúchame por favor")
    SHOTS.mkdir(parents=True, exist_ok=True)
    console.screenshot(path=str(SHOTS / "case-with-voice-note-1280.png"))
    audit(console, "case with a voice note")

    page.select_option("#channel", "simulator")  # a recording the bot sends can be played
    page.click("#reset")
    page.click("#tools summary")
    page.select_option("#moduleLang", "es")
    page.select_option("#module", "help")
    page.click("#moduleForm button[type=submit]")
    page.locator("#log .bot").last.get_by_role("button", name="Escuchar").click()
    recording = page.locator("#log .bot").last
    expect(recording).to_contain_text("Nota de voz del bot")
    src = recording.locator("audio").get_attribute("src")
    assert src and src.startswith("/media/audio/")
    assert page.request.get(f"{base}{src}").headers["content-type"] == "audio/ogg"


def test_staff_search_cases_and_read_failed_deliveries_in_spanish(
        running_bot: tuple[str, str], bot_server: str, browser: Browser) -> None:
    base, ns = bot_server, running_bot[1]
    with httpx.Client(base_url=base) as api:
        csrf = api.post("/console/api/login", json={"username": "ana", "password": PASSWORD}).json()["csrf"]
        for user, text, outcome in (("lucia", "me tienen encerrada y no me dejan salir", "referred_felcv"),
                                    ("rosa", "persona", "information_given"), ("nina", "persona", "")):
            ticket = user_says(base, text, user=user)["handoff"]["ticket"]
            headers = {"X-CSRF-Token": csrf}
            assert api.post(f"/console/api/tickets/{ticket}/claim", headers=headers).status_code == 200
            if outcome:
                api.post(f"/console/api/tickets/{ticket}/reply", headers=headers, json={"text": "Hola."})
                closed = api.post(f"/console/api/tickets/{ticket}/close", headers=headers, json={"outcome": outcome})
                assert closed.status_code == 200
    plain = redis_sync.Redis.from_url(REDIS_URL)
    plain.rpush(Keys(ns).failed, json.dumps({"channel": "whatsapp", "user": "ab12cd34ef56", "entry": "SM1",
                                                   "reason": "twilio undelivered 63016", "failed_at": time.time()}))
    plain.close()

    page = open_console(browser, base, "sara", width=390, height=844)
    page.click("#searchOpen")
    expect(page.locator("#search")).to_be_visible()
    expect(page.locator("#case")).to_be_hidden()
    page.select_option("#sOutcome", label="Derivado a la FELCV")
    page.click("#searchForm button[type=submit]")
    results = page.locator("#results li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("trata / retención")
    expect(results.first).to_contain_text("URGENTE")
    expect(results.first).to_contain_text("Derivado a la FELCV")
    expect(page.locator("#searchStatus")).to_have_text("Casos encontrados: 1.")
    code = results.first.locator("strong").inner_text()
    results.first.get_by_role("button", name=re.compile("Sus casos")).click()
    expect(page.locator("#sUser")).to_have_value(code)
    page.fill("#sFrom", "2001-01-01")
    page.fill("#sTo", "2001-01-31")
    page.click("#searchForm button[type=submit]")
    expect(page.locator("#searchStatus")).to_have_text("Ningún caso con estos filtros.")
    page.click("#sClear")
    page.select_option("#sStatus", "open")
    page.click("#searchForm button[type=submit]")
    open_now = results.filter(has_text="sigue abierto")  # (earlier tests' cases were left without an outcome)
    expect(open_now).to_have_count(1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "search-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the phone"
    audit(page, "case search of a supervisor")
    still_open = open_now.locator("strong").inner_text()
    open_now.get_by_role("button", name="Abrir").click()
    expect(page.locator("#case")).to_be_visible()
    expect(page.locator("#title")).to_have_text(f"Caso {still_open}")

    failed = page.locator("#failed li")
    expect(failed).to_contain_text("WhatsApp no lo entregó: fuera de la ventana de 24 horas (código 63016).")
    expect(failed).to_have_attribute("title", "Detalle técnico: twilio undelivered 63016")
    expect(failed).not_to_contain_text("undelivered")

    wide = open_console(browser, base, "ana")
    wide.click("#searchOpen")
    user_says(base, "quiero matarme", user="urgente")  # while searching, an urgent case still shows
    expect(wide.locator("#urgentList .ticket.urgent")).to_be_in_viewport(timeout=10_000)
    expect(wide.locator("#alert")).to_be_visible()
    wide.screenshot(path=str(SHOTS / "search-1280.png"))


def test_campaign_staff_read_the_reports_as_charts_and_download_each_as_csv(
        bot_server: str, browser: Browser) -> None:
    base = bot_server
    for n in range(6):  # six young people open the grooming module (cells of 5 or more show their number)
        user = f"joven{n}"
        user_says(base, "hola", user=user)
        for choice in ("lang:es", "f:main:ask_audience:0", "f:main:menu_young:0", "f:main:young_online:0"):
            httpx.post(f"{base}/simulator/api/message", content=json.dumps({"user": user, "choice": choice}))
    user_says(base, "me tienen encerrada y no me dejan salir", user="urgente")

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/console/login")
    page.fill("#username", CAMPAIGN[0])
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/console/reports")  # campaign staff land on the figures, never the queue
    expect(page.locator("#status")).to_contain_text("Informe del", timeout=15_000)
    expect(page.locator("#me")).to_have_text("carla (campaña)")
    expect(page.locator("#back")).to_be_hidden()
    charts = page.locator("section.chart")
    expect(charts).to_have_count(8)
    users = page.locator("section.chart", has=page.locator("#h-users"))
    row = users.locator("ul.bars > li", has_text="español").filter(has_text="Simulador")
    active = int(row.first.locator(".value").first.inner_text().replace(".", ""))
    assert active >= 6, "the six people of this test are counted"
    assert float(row.first.locator("svg.bar rect").first.get_attribute("width") or 0) > 0, "a bar is drawn"
    grooming = page.locator("section.chart", has=page.locator("#h-funnels")).locator(
        "ul.bars[aria-label='Grooming'] > li", has_text="Empezaron el módulo")
    assert int(grooming.locator(".value").inner_text()) >= 6
    urgent = page.locator("section.chart", has=page.locator("#h-urgent"))
    expect(urgent).to_contain_text("trata / retención")
    expect(urgent.locator(".value").first).to_have_text("<5")  # one case: too few to show
    expect(page.locator("#suppressed")).to_contain_text("«<5»")
    assert page.locator("svg.bar rect[class^=s]").count() >= 10

    link = users.get_by_role("link", name="Descargar CSV: Personas nuevas y activas por semana")
    href = link.get_attribute("href") or ""
    assert href.startswith("/console/api/reports/users.csv?since=")
    csv = page.request.get(f"{base}{href}")
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text().splitlines()[0] == "week,lang,channel,new_users,active_users"
    assert "joven" not in csv.text() and "encerrada" not in page.content(), "no person, no words"

    audit(page, "reports of campaign staff")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (390, 820, 1280):
        page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
        page.screenshot(path=str(SHOTS / f"reports-{width}.png"), full_page=width != 1280)
        if width == 390:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the phone"
            expect(page.locator("#back")).to_be_hidden()  # no way back to cases for campaign staff, on a phone too
            audit(page, "reports on a phone")
    assert page.request.get(f"{base}/console/api/queue").status == 403, "campaign staff never see cases"

    counselor = open_console(browser, base, "ana")
    expect(counselor.locator("#reportsLink")).to_be_hidden()
    assert counselor.goto(f"{base}/console/reports").status == 403  # type: ignore[union-attr]
    supervisor = open_console(browser, base, "sara")
    supervisor.locator("#reportsLink").click()
    expect(supervisor).to_have_url(f"{base}/console/reports")
    expect(supervisor.locator("section.chart")).to_have_count(8, timeout=15_000)
    expect(supervisor.locator("#back")).to_be_visible()


def test_campaign_staff_create_a_broadcast_through_the_form_on_a_phone_and_a_desktop(
        bot_server: str, browser: Browser) -> None:
    base = bot_server
    engine = make_engine(DATABASE["url"])
    with Session(engine) as session, session.begin():  # six young people of La Paz took the tips in Spanish
        session.add_all(Subscription(user_key=f"sub{n}-{secrets.token_hex(4)}", lang="es", audience="young",
                                     channel="simulator", city="la_paz", consent_at=dt.datetime.now(dt.UTC),
                                     text_version="weekly.consent@x", tips_sent=0) for n in range(6))
    engine.dispose()
    key = "weekly_tips.w3"
    spanish = Catalog.load(ROOT / "content").text("es", key, audience="young")
    later = (dt.datetime.now(ZoneInfo("America/La_Paz")) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    created: list[str] = []
    for width, at in ((390, later), (1280, "")):
        page = browser.new_context(viewport={"width": width, "height": 844 if width == 390 else 900}).new_page()
        page.goto(f"{base}/console/login")
        page.fill("#username", CAMPAIGN[0])
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{base}/console/reports")
        page.locator("#campaignLink").click()
        expect(page).to_have_url(f"{base}/console/campaign")
        expect(page.locator("#create")).to_be_visible()
        expect(page.locator("#series")).to_contain_text("Semanas de la serie")
        page.select_option("#key", key)
        expect(page.locator("#previewBody .lang")).to_have_count(3)  # Spanish, Quechua, Aymara
        expect(page.locator("#previewBody .bubble.whatsapp").first).to_contain_text(spanish.splitlines()[0][:40])
        expect(page.locator("#previewBody .bubble.telegram").first).to_be_visible()
        page.select_option("#sLang", "es")
        page.select_option("#sAudience", "young")
        page.select_option("#sCity", "la_paz")
        expect(page.locator("#count")).to_have_text("Destinatarios ahora: 6")
        page.select_option("#sChannel", "whatsapp")  # nobody: the count follows the form
        expect(page.locator("#count")).to_have_text("Destinatarios ahora: 0")
        page.select_option("#sChannel", "")
        expect(page.locator("#count")).to_have_text("Destinatarios ahora: 6")
        if at:
            page.fill("#at", at)
        page.click("#review")
        expect(page.locator("#confirmBox")).to_be_visible()
        expect(page.locator("#confirmText")).to_contain_text(f"«{key}» a 6 personas")
        audit(page, f"campaign form with its confirm step at {width}px")
        page.click("#confirmOk")
        expect(page.locator("#formStatus")).to_contain_text("creado")
        number = re.sub(r"\D", "", page.locator("#formStatus").inner_text())
        created.append(number)
        item = page.locator(f"#broadcasts li[data-broadcast='{number}']")
        expect(item).to_contain_text(key)
        expect(item).to_contain_text("español · joven · La Paz")
        if at:
            expect(item).to_contain_text("programado")
            expect(item).to_contain_text(at.replace("T", " "))
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"campaign-{width}.png"), full_page=True)
        if width == 390:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the phone"
            size = page.locator("#key").bounding_box()
            assert size is not None and size["height"] >= 44, "touch targets"
        audit(page, f"campaign page at {width}px")
    assert len(set(created)) == 2
    counselor = open_console(browser, base, "ana")
    assert counselor.goto(f"{base}/console/campaign").status == 403  # type: ignore[union-attr]
