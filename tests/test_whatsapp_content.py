"""WhatsApp buttons and lists: `whatsapp sync-content` against Prism serving Twilio's Content API spec,
on SQLite and PostgreSQL; the sender's ContentSid + ContentVariables against Prism serving the Messages
spec (every request validated); taps coming back as ButtonPayload and ListId; numbered text whenever a
message's choices have no current SID."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from bot.app.simulator import to_json
from bot.channels.whatsapp import parse_form
from bot.channels.whatsapp_content import (
    ContentApi,
    ContentMap,
    Found,
    Shape,
    SyncReport,
    choice_key,
    shapes,
    sync_contents,
)
from bot.cli.content_tools import preview
from bot.content.languages import LANGS
from bot.core.risk import NO_RISK
from bot.core.types import Choice, Outgoing, Reply, Understood
from bot.delivery.inbox import InboxWorker
from bot.delivery.outbox import OutboxWorker
from bot.delivery.render import render_for
from bot.dialog.bundle import Bundle, whatsapp_shape
from bot.flows.engine import payload_for
from bot.store.db import WhatsAppContent, make_engine, upgrade
from bot.web.app import create_app
from tests.conftest import drop_namespace
from tests.doubles import CONTENT_SPEC, ROOT, FaultProxy, prism, serve
from tests.test_whatsapp import ACCOUNT, SENDER, TOKEN, _settings, message, post


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as readable `|` blocks."""


_Dumper.add_representer(
    str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None))
GOLDEN = ROOT / "tests" / "data" / "twilio" / "whatsapp_taps.yml"


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return Bundle.load(ROOT / "content", ROOT / "flows")


# -- shapes and limits ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("titles", "kind"), [
    (["Sí", "No", "Hablar con alguien"], "quick-reply"),
    (["Seguir", "No, llamo a la Policía"], "list-picker"),  # 22 characters: too long for a button, fine in a list
    ([f"Tema {i}" for i in range(9)], "list-picker"),
    ([f"Tema {i}" for i in range(11)], None),
    (["Un título de veinticinco c"], None),
])
def test_each_message_gets_the_shape_its_titles_fit(titles: list[str], kind: str | None) -> None:
    assert whatsapp_shape(titles) == kind


def test_every_message_with_choices_in_every_language_has_a_shape(bundle: Bundle) -> None:
    found = shapes(bundle)
    catalog = bundle.catalog
    for lang in LANGS:
        for flow in bundle.flows.flows.values():
            for step in flow.steps.values():
                if step.options:
                    choices = [Choice(catalog.text(lang, o.label), payload_for(flow.name, step.id, i))
                               for i, o in enumerate(step.options)]
                    assert choice_key(choices) in found.by_key, f"{flow.name}.{step.id} {lang}"
    assert found.numbered == [], "every current message fits a button or list shape"
    assert {k for k in found.by_key if k.startswith("buttons:")} <= {"buttons:1", "buttons:2", "buttons:3"}
    lists = [s for s in found.by_key.values() if s.kind == "list-picker"]
    assert {s.button for s in lists} == {catalog.text(lang, "common.menu") for lang in LANGS}


def _copy_project(tmp_path: Path) -> tuple[Path, Path]:
    content, flows = tmp_path / "content", tmp_path / "flows"
    shutil.copytree(ROOT / "content", content)
    shutil.copytree(ROOT / "flows", flows)
    return content, flows


def _set_text(path: Path, key: str, text: str) -> int:
    """Give a content entry a new one-line text; returns the entry's line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index(f"  {key}:")
    assert lines[at + 1].startswith("    text:")
    lines[at + 1] = f"    text: {json.dumps(text, ensure_ascii=False)}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return at + 1


def test_content_check_reports_what_fits_no_whatsapp_shape_with_file_and_line(tmp_path: Path) -> None:
    content, flows = _copy_project(tmp_path)
    common = content / "qu" / "common.yml"
    line = _set_text(common, "common.menu", "Akllanakunata qhawariy")
    main = content / "es" / "main.yml"
    body_line = _set_text(main, "main.menu", "¿Sobre qué quieres saber? " + "Mucho texto. " * 80)
    _, problems = Bundle.load_with_problems(content, flows)
    label = next(p for p in problems if "opens WhatsApp lists" in p.what)
    assert (label.file, label.line, label.warning) == (common, line, False) and "in qu" in label.what
    body = next(p for p in problems if "buttons and lists allow 1024" in p.fix)
    assert (body.file, body.line, body.warning) == (main, body_line, True) and "'main.menu' in es" in body.what


def test_a_long_text_keeps_buttons_on_its_last_part_and_a_body_over_1024_goes_numbered() -> None:
    contents = ContentMap(None)
    found = Found("HX" + "1" * 32, "quick-reply", None)
    choices = (Choice("Seguir", "f:about:who:0"), Choice("Menú", "f:about:who:1"))
    long = Outgoing("\n\n".join(["Un párrafo largo sobre cómo cuidarte en línea. " * 8] * 5) + "\n\nÚltimo.", choices)
    parts = render_for("whatsapp", long)
    assert len(parts) == 2 and not parts[0].choices
    last = contents.interactive(parts[-1], found)
    assert last is not None and last.body.endswith("Último.") and "1. Seguir" not in last.body
    assert json.loads(last.variables()) == {"1": last.body, "2": "Seguir", "3": "Menú",
                                            "4": "f:about:who:0", "5": "f:about:who:1"}
    wordy = render_for("whatsapp", Outgoing("Texto. " * 150, choices))  # 1,050 characters: fits 1,600, not 1,024
    assert len(wordy) == 1 and contents.interactive(wordy[0], found) is None and contents.fallbacks == 1


# -- receiving -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("extra", "choice", "text"), [
    ({"Body": "Privacidad y cuentas", "ListId": "f:main:menu:3", "ListTitle": "Privacidad y cuentas"},
     "f:main:menu:3", None),
    ({"Body": "Seguir", "ButtonText": "Seguir", "ButtonPayload": "f:privacy:intro:0"}, "f:privacy:intro:0", None),
    ({"Body": "2"}, None, "2"),  # a typed number still works
])
def test_taps_on_buttons_and_list_items_come_back_as_the_same_payloads(extra: dict[str, str], choice: str | None,
                                                                       text: str | None) -> None:
    item = parse_form(message(1, "", **extra))
    assert (item.choice, item.text) == (choice, text)


# -- the sync against Prism (Content API spec) --------------------------------------------------------------

@pytest.fixture(scope="module")
def content_mock() -> Iterator[str]:
    with prism(CONTENT_SPEC) as url:
        yield url


@pytest.fixture
def content_api(content_mock: str) -> Iterator[tuple[FaultProxy, str]]:
    fault = FaultProxy(content_mock)
    with serve(fault.app()) as url:
        yield fault, url


def run_sync(bundle: Bundle, engine: Engine, api_url: str | None, *, dry_run: bool = False) -> SyncReport:
    async def go() -> SyncReport:
        api = ContentApi(ACCOUNT, TOKEN, api_url) if api_url else None
        try:
            return await sync_contents(bundle, engine, api, dry_run=dry_run)
        finally:
            if api is not None:
                await api.aclose()

    return asyncio.run(go())


def rows(engine: Engine) -> dict[str, WhatsAppContent]:
    with Session(engine) as session:
        return {r.fingerprint: r for r in session.scalars(select(WhatsAppContent))}


def distinct_sids(engine: Engine) -> None:
    """Prism answers every create with the spec's one example SID; Twilio gives each resource its own."""
    with Session(engine) as session:
        for row in session.scalars(select(WhatsAppContent)):
            row.sid = "HX" + hashlib.sha256(row.fingerprint.encode()).hexdigest()[:32]
        session.commit()


def test_sync_creates_every_shape_once_and_later_only_what_changed(
        content_api: tuple[FaultProxy, str], db_url: str, tmp_path: Path) -> None:
    fault, url = content_api
    engine = make_engine(db_url)
    content, flows = _copy_project(tmp_path)
    bundle = Bundle.load(content, flows)
    wanted = shapes(bundle).by_key

    report = run_sync(bundle, engine, url, dry_run=True)
    assert len(report.created) == len(wanted) and fault.forwarded == [] and rows(engine) == {}, "a dry run does nothing"

    report = run_sync(bundle, engine, url)
    assert len(report.created) == len(wanted) and not report.deleted
    assert set(fault.answers) == {201}, "Prism validated every create against Twilio's Content API spec"
    assert len(fault.forwarded) == len(wanted)
    sent = [json.loads(f["json"]) for f in fault.forwarded]
    assert {next(iter(s["types"])) for s in sent} == {"twilio/quick-reply", "twilio/list-picker"}
    assert all(s["language"] in LANGS and "{{1}}" in json.dumps(s["types"]) for s in sent), "the body is a variable"
    assert set(rows(engine)) == set(wanted)

    fault.forwarded.clear()
    report = run_sync(bundle, engine, url)
    assert (report.created, report.updated, report.deleted, report.unchanged) == ([], [], [], len(wanted))
    assert fault.forwarded == [], "nothing changed: nothing is re-created"

    distinct_sids(engine)
    with Session(engine) as session:  # a resource for choices that no content has any more
        session.add(WhatsAppContent(fingerprint="f" * 64, content_hash="0" * 64, sid="HX" + "e" * 32,
                                    kind="quick-reply", lang="es", name="old.step"))
        session.commit()
    before = rows(engine)
    _set_text(content / "es" / "common.yml", "common.menu", "Ver opciones")  # a Spanish choice and list label
    changed = shapes(Bundle.load(content, flows)).by_key
    report = run_sync(Bundle.load(content, flows), engine, url)
    relabelled = [k for k, s in changed.items() if k in before and before[k].content_hash != s.content_hash]
    new = [k for k in changed if k not in before]
    gone = [k for k in before if k not in changed]
    assert relabelled and all(changed[k].kind == "list-picker" and changed[k].lang == "es" for k in relabelled)
    assert new == [], "button titles are variables: a changed title needs no new resource"
    assert "f" * 64 in gone and all(before[k].lang == "es" for k in gone)
    assert (len(report.created), len(report.updated), len(report.deleted)) == (len(new), len(relabelled), len(gone))
    assert report.unchanged == len(changed) - len(new) - len(relabelled)
    deleted = sorted(f["path"].rsplit("/", 1)[1] for f in fault.forwarded if f.get("method") == "DELETE")
    assert deleted == sorted(before[k].sid for k in relabelled + gone), "each replaced or unused resource is deleted"
    assert set(fault.answers) <= {201, 204}
    assert set(rows(engine)) == set(changed)
    assert all(rows(engine)[k].button == "Ver opciones" for k in relabelled)
    engine.dispose()


def test_the_sync_command_reports_and_a_refused_create_stops_it_cleanly(
        content_api: tuple[FaultProxy, str], tmp_path: Path) -> None:
    fault, url = content_api
    db = tmp_path / "cli.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TOKEN,
           "TWILIO_WHATSAPP_FROM": SENDER, "TWILIO_CONTENT_API_BASE": url}
    command = [sys.executable, "-m", "bot", "whatsapp", "sync-content"]
    dry = subprocess.run([*command, "--dry-run"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    lists = re.compile(r"created: main\.\w+ \(es, list-picker, \d+ choices\)")  # the main menu
    assert dry.returncode == 0 and lists.search(dry.stdout) and "would be created: " in dry.stdout
    assert fault.forwarded == []
    fault.script = [(400, 20001)]  # Twilio refuses the first create
    stopped = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert stopped.returncode == 1 and "code 20001" in stopped.stderr and "run it again" in stopped.stderr
    total = int(re.findall(r"(\d+) created", dry.stdout)[-1])
    assert len(rows(make_engine(f"sqlite:///{db}"))) == total - 1, "what was created is recorded"
    finished = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    summary = finished.stdout.splitlines()[-1]
    assert finished.returncode == 0 and "would be" not in finished.stdout
    assert summary.startswith(f"1 created, 0 re-created, 0 deleted, {total - 1} unchanged"), "the rerun finishes it"
    assert fault.answers.count(400) == 1 and set(fault.answers) == {400, 201}
    assert len(rows(make_engine(f"sqlite:///{db}"))) == total


# -- sending, against Prism (Messages spec) ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def twilio_mock() -> Iterator[str]:
    with prism() as url:
        yield url


@pytest.fixture(scope="module")
def synced_once(bundle: Bundle, content_mock: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database synced through Prism once for the tests below (each gets its own copy)."""
    path = tmp_path_factory.mktemp("synced") / "wa.db"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    with serve(FaultProxy(content_mock).app()) as url:
        run_sync(bundle, engine, url)
    distinct_sids(engine)
    engine.dispose()
    return path


@pytest.fixture
def synced_db(synced_once: Path, tmp_path: Path) -> str:
    """The bot's database (the app below uses tmp_path/wa.db) with every shape synced."""
    shutil.copy(synced_once, tmp_path / "wa.db")
    return f"sqlite:///{tmp_path / 'wa.db'}"


class WhatsApp:
    """The bot's app (no background workers) and Prism behind a fault proxy; `turn` posts a signed webhook
    and runs the inbox and outbox once, returning what went to Twilio."""

    def __init__(self, client: TestClient, fault: FaultProxy, ns: str) -> None:
        self.client, self.fault, self.ns = client, fault, ns
        app: Any = client.app
        runtime, channels = app.state.runtime, app.state.channels
        self.sender = channels.whatsapp
        self.inbox = InboxWorker(app.state.inbox, runtime.pipeline)
        self.outbox = OutboxWorker(runtime.redis, runtime.namespace, channels.whatsapp, runtime.addresses)
        self.count = 0

    def turn(self, **form: str) -> list[dict[str, str]]:
        self.count += 1
        before = len(self.fault.forwarded)
        assert post(self.client, message(self.count, **form)).status_code == 200
        assert self.client.portal.call(self.inbox.run_once) == 1  # type: ignore[union-attr]
        self.client.portal.call(self.outbox.run_once)  # type: ignore[union-attr]
        return self.fault.forwarded[before:]


@pytest.fixture
def whatsapp_app(tmp_path: Path, twilio_mock: str) -> Iterator[WhatsApp]:
    fault = FaultProxy(twilio_mock)
    with serve(fault.app()) as url:
        ns = f"test:{secrets.token_hex(6)}"
        settings = _settings(tmp_path, url, run_workers=False, whatsapp_rate=1000)
        with TestClient(create_app(settings, namespace=ns), base_url="https://testserver") as client:
            yield WhatsApp(client, fault, ns)
        drop_namespace(ns)


def shown(sent: dict[str, str], by_sid: dict[str, WhatsAppContent], bundle: Bundle) -> dict[str, Any]:
    """A message as the user sees it: the resource's buttons or list (from what the sync created), or text."""
    if "ContentSid" not in sent:
        return {"text": sent["Body"]}
    kind, button, items = choices_of(sent, by_sid, bundle)
    body = json.loads(sent["ContentVariables"])["1"]
    if kind == "quick-reply":
        return {"buttons": body, "choices": [t for t, _ in items]}
    return {"list": body, "button": button, "choices": [t for t, _ in items]}


_SHAPES: dict[int, dict[str, Shape]] = {}


def _shapes(bundle: Bundle) -> dict[str, Shape]:
    if id(bundle) not in _SHAPES:
        _SHAPES[id(bundle)] = shapes(bundle).by_key
    return _SHAPES[id(bundle)]


def choices_of(sent: dict[str, str], by_sid: dict[str, WhatsAppContent],
               bundle: Bundle) -> tuple[str, str | None, list[tuple[str, str]]]:
    """What WhatsApp shows for a content message: the resource's kind, list label and (title, id) pairs,
    the variables filled in as Twilio fills them."""
    shape = _shapes(bundle)[by_sid[sent["ContentSid"]].fingerprint]
    values = json.loads(sent["ContentVariables"])
    fill = [(values.get(title.strip("{}"), title), values.get(id_.strip("{}"), id_)) for title, id_ in shape.items]
    return shape.kind, shape.button, fill


def tap_form(previous: list[dict[str, str]], title: str, by_sid: dict[str, WhatsAppContent],
             bundle: Bundle) -> dict[str, str]:
    """What Twilio posts when the user taps `title` in the last message with buttons or a list."""
    for sent in reversed(previous):
        if "ContentSid" in sent:
            kind, _, items = choices_of(sent, by_sid, bundle)
            for item_title, item_id in items:
                if item_title == title:
                    if kind == "quick-reply":
                        return {"body": title, "ButtonText": title, "ButtonPayload": item_id}
                    return {"body": title, "ListId": item_id, "ListTitle": title}
            raise AssertionError(f"no choice {title!r} in the last buttons or list: {[t for t, _ in items]}")
    raise AssertionError("no message with buttons or a list to tap")


def test_a_conversation_tapped_through_buttons_and_lists_matches_its_transcript(
        synced_db: str, whatsapp_app: WhatsApp, bundle: Bundle, request: pytest.FixtureRequest) -> None:
    """Every choice in the script is tapped (ButtonPayload for buttons, ListId for list items) on what
    the resource shows, in es, qu and ay; every message with choices goes out as buttons or a list."""
    wa = whatsapp_app
    engine = make_engine(synced_db)
    by_sid = {r.sid: r for r in rows(engine).values()}
    engine.dispose()
    golden = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    update = bool(request.config.getoption("update_golden"))
    for conversation in golden["conversations"]:
        previous: list[dict[str, str]] = []
        for turn in conversation["turns"]:
            form = tap_form(previous, turn["tap"], by_sid, bundle) if "tap" in turn else {"body": turn["text"]}
            previous = wa.turn(From=conversation["from"], **form)
            got = [shown(s, by_sid, bundle) for s in previous]
            if update:
                turn["bot"] = got
            else:
                assert got == turn["bot"], f"{conversation['name']}: after {turn.get('tap') or turn.get('text')!r}"
    if update:
        header = "".join(line + "\n" for line in GOLDEN.read_text(encoding="utf-8").splitlines()
                         if line.startswith("#"))
        GOLDEN.write_text(header + yaml.dump(golden, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110),
                          encoding="utf-8")
    with_choices = [f for f in wa.fault.forwarded if "ContentSid" in f]
    assert len(with_choices) > 20 and all("Body" not in f for f in with_choices)
    assert wa.sender.contents.fallbacks == 0, "no message with choices went as numbered text"
    assert set(wa.fault.answers) == {201}, "Prism validated every send against Twilio's Messages spec"


def test_without_a_current_sid_choices_go_as_numbered_text_and_are_counted(whatsapp_app: WhatsApp) -> None:
    wa = whatsapp_app  # the database is migrated but nothing was synced
    first = wa.turn(body="hola")
    assert len(first) == 1 and "ContentSid" not in first[0]
    assert "1. Español" in first[0]["Body"] and "3. Aymar aru" in first[0]["Body"]
    assert wa.sender.contents.fallbacks == 1
    second = wa.turn(body="1")  # the typed number picks Español
    assert any("seguimos en español" in s["Body"] for s in second)
    assert set(wa.fault.answers) == {201}


def test_content_twilio_refuses_goes_as_numbered_text_instead(synced_db: str, whatsapp_app: WhatsApp) -> None:
    wa = whatsapp_app
    wa.fault.script = [(400, 21655)]  # e.g. the resource was deleted by a sync this process has not seen yet
    sent = wa.turn(body="hola")
    assert wa.fault.answers == [400, 201]
    assert len(sent) == 1 and "ContentSid" not in sent[0] and "1. Español" in sent[0]["Body"]


# -- preview and simulator -------------------------------------------------------------------------------------

def test_preview_and_simulator_show_buttons_and_lists_only_when_synced(bundle: Bundle, synced_db: str) -> None:
    synced = ContentMap(make_engine(synced_db))
    with_sids = preview(bundle, "about", "es", "whatsapp", synced)
    assert "[Seguir]  [Menú]  [Hablar con alguien]" in with_sids
    assert "1. Seguir" not in with_sids
    menu = preview(bundle, "main", "qu", "whatsapp", synced)
    label = bundle.catalog.text("qu", "common.menu")
    assert f"[☰ {label}]" in menu and "  ○ Runawan rimay" in menu and "9. " not in menu
    without = preview(bundle, "about", "es", "whatsapp", ContentMap(None))
    assert "1. Seguir" in without and "[Seguir]  [Menú]" not in without

    catalog = bundle.catalog
    step = next(s for s in bundle.flows.flows["main"].steps.values() if len(s.options) > 3)  # the main menu
    out = Outgoing(catalog.text("es", step.say or ""), tuple(
        Choice(catalog.text("es", o.label), payload_for("main", step.id, i)) for i, o in enumerate(step.options)))
    reply = Reply("es", (out,), Understood("choice"), risk=NO_RISK)
    shown_synced = to_json("ana", "whatsapp", reply, synced)["replies"][-1]
    assert shown_synced["whatsapp"]["kind"] == "list-picker" and shown_synced["whatsapp"]["button"] == "Menú"
    assert shown_synced["text"] == out.text and len(shown_synced["choices"]) == len(step.options)
    plain = to_json("ana", "whatsapp", reply, ContentMap(None))["replies"][-1]
    assert plain["whatsapp"]["kind"] == "numbered" and plain["text"] == render_for("whatsapp", out)[-1].text
    with Session(make_engine(synced_db)) as session:  # a changed label without a sync: no current SID
        session.execute(update(WhatsAppContent).values(fingerprint="0" * 64)
                        .where(WhatsAppContent.fingerprint == choice_key(out.choices)))
        session.commit()
    assert to_json("ana", "whatsapp", reply, ContentMap(make_engine(synced_db)))["replies"][-1]["whatsapp"][
        "kind"] == "numbered"
