"""WhatsApp buttons and lists through Twilio's Content API, kept in sync with the content files.

Every message with choices has a *shape*, and `python -m bot whatsapp sync-content` makes one
Content resource per shape; the message's text is always the variable {{1}}:

- buttons (`twilio/quick-reply`, 1-3 titles of at most 20 characters): one resource per number of
  buttons, titles and ids being variables too, so every button message in every language uses one
  of three resources and editing a title needs no sync;
- lists (`twilio/list-picker`, up to 10 items of at most 24, or 1-3 too long for buttons): one
  resource per list, items fixed, under a button label in the list's language (`common.menu`).
  The sender tells a list's language by its items, so a list needs a sync when an item changes.

The database maps each shape's key to the resource's SID and to the hash of what was sent to
create it: a resource is re-created only when that hash changes, and deleted when no message uses
it. A message whose choices have no current SID (a list changed and not synced yet, titles that fit
no shape) goes as numbered text, as before, and is counted.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.content.languages import LANGS, display_name
from bot.core.limits import WHATSAPP_BUTTON_TITLE, WHATSAPP_CONTENT_BODY
from bot.core.types import Choice, Outgoing
from bot.delivery.render import unnumbered
from bot.dialog.bundle import WHATSAPP_LIST_BUTTON_KEY, Bundle, whatsapp_shape
from bot.dialog.pipeline import RISK_ANSWERS
from bot.flows.engine import payload_for
from bot.store.db import WhatsAppContent, make_engine, upgrade, utcnow

log = logging.getLogger(__name__)
CONTENT_API = "https://content.twilio.com"
REFRESH_SECONDS = 60.0  # how soon a running sender sees a sync
API_TIMEOUT = 30.0
SYNC_CONCURRENCY = 4  # Content API calls in flight during a sync
# The delete confirmation the pipeline offers (its other choices come from the flows, RISK_ANSWERS and
# the language names), as (label key, payload).
DELETE_CHOICES = (("common.yes", "sys:delete:yes"), ("common.no", "sys:delete:no"))
_NAME = re.compile(r"[^a-z0-9_]+")


def fingerprint(items: Iterable[tuple[str, str]]) -> str:
    """What identifies a list: its (title, id) pairs in order."""
    return hashlib.sha256(json.dumps([list(i) for i in items], ensure_ascii=False).encode()).hexdigest()


def shape_key(items: Sequence[tuple[str, str]]) -> str | None:
    """The key of the resource that shows these choices: "buttons:<n>", a list's fingerprint, or None
    (numbered text)."""
    kind = whatsapp_shape([title for title, _ in items])
    if kind == "quick-reply":
        return f"buttons:{len(items)}"
    return fingerprint(items) if kind == "list-picker" else None


def choice_key(choices: Sequence[Choice]) -> str | None:
    return shape_key([(c.title, c.payload) for c in choices])


@dataclass(frozen=True)
class Shape:
    """One Content resource to have: its key, kind, (title, id) pairs (variables for buttons), the
    list's button label; lang and name say where it was first used (for people, and the resource's
    language)."""

    key: str
    kind: str
    items: tuple[tuple[str, str], ...]
    button: str | None
    lang: str
    name: str

    @classmethod
    def buttons(cls, count: int) -> Shape:
        """Titles are the variables 2..count+1, ids the next ones (see Interactive.variables)."""
        items = tuple((f"{{{{{2 + i}}}}}", f"{{{{{2 + count + i}}}}}") for i in range(count))
        return cls(f"buttons:{count}", "quick-reply", items, None, "es", f"buttons_{count}")

    def types(self) -> dict[str, Any]:
        if self.kind == "quick-reply":
            return {"twilio/quick-reply": {"body": "{{1}}", "actions": [
                {"type": "QUICK_REPLY", "title": title, "id": payload} for title, payload in self.items]}}
        return {"twilio/list-picker": {"body": "{{1}}", "button": self.button or "",
                                       "items": [{"id": payload, "item": title} for title, payload in self.items]}}

    def samples(self) -> dict[str, str]:
        """Default values of the variables (Twilio's placeholders when one is not sent)."""
        if self.kind == "quick-reply":
            count = len(self.items)
            return {"1": "...", **{str(2 + i): "..." for i in range(count)},
                    **{str(2 + count + i): f"choice_{i + 1}" for i in range(count)}}
        return {"1": "..."}

    @property
    def content_hash(self) -> str:
        """Changes exactly when the resource would be created differently (not with its name)."""
        data = {"language": self.lang, "types": self.types()}
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    def friendly_name(self) -> str:
        if self.kind == "quick-reply":
            return f"seguros_{self.name}"
        return _NAME.sub("_", f"seguros_{self.lang}_{self.name}".lower())[:90] + f"_{self.key[:8]}"

    def request(self) -> dict[str, Any]:
        """The Content API's create body."""
        return {"friendly_name": self.friendly_name(), "language": self.lang, "variables": self.samples(),
                "types": self.types()}


@dataclass
class Shapes:
    """Every shape the bot can send, by key; `uses` counts the messages each serves; `as_list` notes the
    1-3 choice messages that go as a list because a title is longer than a button allows."""

    by_key: dict[str, Shape] = field(default_factory=dict)
    uses: Counter[str] = field(default_factory=Counter)
    as_list: list[str] = field(default_factory=list)
    numbered: list[str] = field(default_factory=list)


def shapes(bundle: Bundle) -> Shapes:
    """The shapes of every message with choices in every language (and every audience's variant of
    the labels): the flows' menus and quizzes, the language question and offer, "are you in danger
    now?" and the delete confirmation. When two
    languages have the same choices (untranslated titles, language names), the first language's
    list label is used for both."""
    catalog = bundle.catalog
    found = Shapes()

    def add(lang: str, name: str, items: Sequence[tuple[str, str]]) -> None:
        kind = whatsapp_shape([title for title, _ in items])
        if kind is None:
            found.numbered.append(f"{name} ({lang})")
            return
        if kind == "quick-reply":
            shape = Shape.buttons(len(items))
        else:
            if len(items) <= 3:
                found.as_list.append(f"{name} ({lang})")
            label = catalog.text(lang, WHATSAPP_LIST_BUTTON_KEY)
            shape = Shape(fingerprint(items), "list-picker", tuple(items), label, lang, name)
        found.uses[shape.key] += 1
        found.by_key.setdefault(shape.key, shape)

    def audiences(lang: str, keys: Iterable[str]) -> list[str | None]:
        """None (the common text) and every audience with its own variant of one of these labels."""
        entries = [catalog.entry(lang, key) for key in keys]
        return [None, *sorted({audience for e in entries if e is not None for audience, _ in e.variants})]

    def add_labelled(lang: str, name: str, labels: Sequence[tuple[str, str]]) -> None:
        for audience in audiences(lang, [key for key, _ in labels]):
            add(lang, name, [(catalog.text(lang, key, audience=audience), payload) for key, payload in labels])

    for lang in LANGS:
        for flow in bundle.flows.flows.values():
            for step in flow.steps.values():
                if step.options:
                    add_labelled(lang, f"{flow.name}.{step.id}", [
                        (o.label, payload_for(flow.name, step.id, i)) for i, o in enumerate(step.options)])
        add(lang, "risk.ask", [(catalog.text(lang, key), payload) for key, payload in RISK_ANSWERS.items()])
        add_labelled(lang, "delete_confirm", DELETE_CHOICES)
    for guess in (None, *LANGS):  # the language question: the default order, or a guessed language first
        order = [guess] + [lang for lang in LANGS if lang != guess] if guess else list(LANGS)
        add("es", "language.ask." + "_".join(order), [(display_name(lang), f"lang:{lang}") for lang in order])
    for offered in LANGS:
        for current in LANGS:
            if offered != current:
                add(offered, f"language.offer.{offered}_{current}", [(display_name(offered), f"lang:{offered}"),
                                                (display_name(current), f"lang:{current}")])
    return found


# -- the Content API ------------------------------------------------------------------------------------

class ContentApiError(Exception):
    """Twilio refused a Content API call (status, Twilio's code and message; never user data)."""


class ContentApi:
    """The two calls the sync makes: create a resource, delete one."""

    def __init__(self, account_sid: str, auth_token: str, base: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.client = httpx.AsyncClient(base_url=(base or CONTENT_API).rstrip("/"), auth=(account_sid, auth_token),
                                        timeout=API_TIMEOUT, transport=transport)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def create(self, shape: Shape) -> str:
        response = await self.client.post("/v1/Content", json=shape.request())
        if response.status_code != 201:
            raise ContentApiError(f"creating {shape.name} ({shape.lang}): {_twilio_error(response)}")
        sid = str(response.json().get("sid") or "")
        if not re.fullmatch(r"HX[0-9a-fA-F]{32}", sid):
            raise ContentApiError(f"creating {shape.name} ({shape.lang}): Twilio answered without a content SID")
        return sid

    async def delete(self, sid: str) -> None:
        response = await self.client.delete(f"/v1/Content/{sid}")
        if response.status_code not in (204, 404):  # 404: already gone
            raise ContentApiError(f"deleting {sid}: {_twilio_error(response)}")


def _twilio_error(response: httpx.Response) -> str:
    try:
        data = response.json()
        return f"HTTP {response.status_code}, code {data.get('code')}: {str(data.get('message', ''))[:200]}"
    except ValueError:
        return f"HTTP {response.status_code}"


# -- the sync --------------------------------------------------------------------------------------------

@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    shapes: Shapes = field(default_factory=Shapes)

    def lines(self, dry_run: bool) -> list[str]:
        verb = "would be " if dry_run else ""
        out = [f"{verb}created: {item}" for item in self.created]
        out += [f"{verb}re-created (changed): {item}" for item in self.updated]
        out += [f"{verb}deleted (no longer used): {item}" for item in self.deleted]
        out += [f"sent as a list (a title is longer than a button's {WHATSAPP_BUTTON_TITLE} characters): {name}"
                for name in self.shapes.as_list]
        out += [f"sent as numbered text (titles fit no button or list): {name}" for name in self.shapes.numbered]
        out.append(f"{'dry run: ' if dry_run else ''}{len(self.created)} created, {len(self.updated)} re-created, "
                   f"{len(self.deleted)} deleted, {self.unchanged} unchanged; "
                   f"{sum(self.shapes.uses.values())} messages with choices in {len(LANGS)} languages")
        return out


def _describe(shape: Shape) -> str:
    if shape.kind == "quick-reply":
        return f"{shape.name} (quick-reply, {len(shape.items)} buttons, every language)"
    return f"{shape.name} ({shape.lang}, list-picker, {len(shape.items)} choices)"


async def run_sync(settings: Settings, *, dry_run: bool) -> int:
    """`python -m bot whatsapp sync-content [--dry-run]`: migrate the database, sync, print what was done."""
    bundle = Bundle.load(settings.content_dir, settings.flows_dir)
    api: ContentApi | None = None
    if not dry_run:
        if not (settings.twilio_account_sid and settings.twilio_auth_token):
            print("Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN first (or use --dry-run).", file=sys.stderr)
            return 2
        api = ContentApi(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_content_api_base)
        await asyncio.to_thread(upgrade, settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        report = await sync_contents(bundle, engine, api, dry_run=dry_run)
    except (ContentApiError, httpx.HTTPError) as exc:
        print(f"whatsapp sync-content stopped: {str(exc) or type(exc).__name__}. What was done so far is recorded; "
              "run it again to finish.", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
        if api is not None:
            await api.aclose()
    for line in report.lines(dry_run):
        print(line)
    return 0


async def sync_contents(bundle: Bundle, engine: Engine, api: ContentApi | None, *, dry_run: bool = False) -> SyncReport:
    """Create what is missing, re-create what changed (new first, then the old one is deleted), delete
    what is no longer used. With dry_run (or no api) nothing is called or written: the report says
    what would be done. Each resource is recorded as soon as it exists, so a sync that stops half-way
    is finished by the next one."""
    wanted = shapes(bundle)
    report = SyncReport(shapes=wanted)
    rows = await asyncio.to_thread(_rows, engine, dry_run)
    changes: list[tuple[Shape, str | None]] = []
    for key, shape in wanted.by_key.items():
        row = rows.get(key)
        if row is not None and row.content_hash == shape.content_hash:
            report.unchanged += 1
            continue
        (report.created if row is None else report.updated).append(_describe(shape))
        changes.append((shape, row.sid if row is not None else None))
    unused = [row for key, row in rows.items() if key not in wanted.by_key]
    report.deleted += [f"{row.name} ({row.lang}, {row.kind}) {row.sid}" for row in unused]
    if dry_run or api is None:
        return report
    slots = asyncio.Semaphore(SYNC_CONCURRENCY)

    async def replace(shape: Shape, old: str | None) -> None:
        async with slots:
            sid = await api.create(shape)
            await asyncio.to_thread(_record, engine, shape, sid)
            if old and old != sid:
                await api.delete(old)

    async def remove(row: WhatsAppContent) -> None:
        async with slots:
            await api.delete(row.sid)
            await asyncio.to_thread(_forget, engine, row.fingerprint)

    await _all([replace(shape, old) for shape, old in changes])
    await _all([remove(row) for row in unused])  # only once everything new exists
    return report


async def _all(jobs: Sequence[Coroutine[Any, Any, None]]) -> None:
    """Run every job (SYNC_CONCURRENCY at a time); then raise the first failure, if any."""
    for result in await asyncio.gather(*jobs, return_exceptions=True):
        if isinstance(result, BaseException):
            raise result


def _rows(engine: Engine, dry_run: bool) -> dict[str, WhatsAppContent]:
    try:
        with Session(engine, expire_on_commit=False) as session:
            return {row.fingerprint: row for row in session.scalars(select(WhatsAppContent))}
    except SQLAlchemyError:
        if dry_run:  # a database never migrated: nothing synced yet (a dry run does not migrate it)
            return {}
        raise


def _record(engine: Engine, shape: Shape, sid: str) -> None:
    with Session(engine) as session:
        row = session.scalar(select(WhatsAppContent).where(WhatsAppContent.fingerprint == shape.key))
        if row is None:
            row = WhatsAppContent(fingerprint=shape.key)
            session.add(row)
        row.content_hash, row.sid, row.kind, row.lang = shape.content_hash, sid, shape.kind, shape.lang
        row.name, row.button, row.synced_at = shape.name[:128], shape.button, utcnow()
        session.commit()


def _forget(engine: Engine, key: str) -> None:
    with Session(engine) as session:
        session.execute(delete(WhatsAppContent).where(WhatsAppContent.fingerprint == key))
        session.commit()


# -- looking SIDs up (sender, preview, simulator) ------------------------------------------------------------

@dataclass(frozen=True)
class Found:
    sid: str
    kind: str
    button: str | None


@dataclass(frozen=True)
class Interactive:
    """A message part as WhatsApp shows it with buttons or a list: its body (text without the numbered
    choices), the resource and the choices."""

    body: str
    found: Found
    choices: tuple[Choice, ...]

    def variables(self) -> str:
        """ContentVariables: the body; for buttons also the titles, then the ids (Shape.buttons)."""
        values = {"1": self.body}
        if self.found.kind == "quick-reply":
            count = len(self.choices)
            for i, choice in enumerate(self.choices):
                values[str(2 + i)], values[str(2 + count + i)] = choice.title, choice.payload
        return json.dumps(values, ensure_ascii=False)


class ContentMap:
    """The synced SIDs by shape key, read from the database and re-read every REFRESH_SECONDS.
    A database without the table (not migrated) or unreachable means no SIDs: numbered text."""

    def __init__(self, engine: Engine | None, *, refresh: float = REFRESH_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.refresh = refresh
        self.clock = clock
        self._sids: dict[str, Found] = {}
        self._loaded_at: float | None = None
        self.fallbacks = 0  # messages with choices sent as numbered text for want of a current SID
        self._told: set[str] = set()

    @classmethod
    def for_url(cls, url: str) -> ContentMap:
        """A map over the bot's database; an SQLite file that does not exist is not created."""
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            return cls(None)
        return cls(make_engine(url))

    def load(self) -> dict[str, Found]:
        if self.engine is None:
            return {}
        try:
            with Session(self.engine) as session:
                rows = session.execute(select(WhatsAppContent.fingerprint, WhatsAppContent.sid,
                                              WhatsAppContent.kind, WhatsAppContent.button)).all()
        except SQLAlchemyError as exc:
            log.warning("whatsapp contents: cannot read the SIDs (%s); choices go as numbered text",
                        type(exc).__name__)
            return {}
        return {key: Found(sid, kind, button) for key, sid, kind, button in rows}

    def _stale(self) -> bool:
        return self._loaded_at is None or self.clock() - self._loaded_at >= self.refresh

    def _set(self, sids: dict[str, Found]) -> None:
        self._sids, self._loaded_at = sids, self.clock()

    def find(self, choices: Sequence[Choice]) -> Found | None:
        if self._stale():
            self._set(self.load())
        key = choice_key(choices)
        return self._sids.get(key) if key else None

    async def afind(self, choices: Sequence[Choice]) -> Found | None:
        if self._stale():
            self._set(await asyncio.to_thread(self.load))
        key = choice_key(choices)
        return self._sids.get(key) if key else None

    def shown(self, part: Outgoing) -> Interactive | None:
        """How WhatsApp shows the part (previews): buttons or a list, or None for numbered text."""
        return as_interactive(part, self.find(part.choices)) if part.choices else None

    def interactive(self, part: Outgoing, found: Found | None) -> Interactive | None:
        """The part with buttons or a list, or None when it goes as numbered text (counted)."""
        if not part.choices:
            return None
        interactive = as_interactive(part, found)
        if interactive is not None:
            return interactive
        self.fallbacks += 1
        key = choice_key(part.choices) or f"{len(part.choices)} choices"
        if key not in self._told:  # once per shape: the count is what staff need, not a line per message
            self._told.add(key)
            log.info("whatsapp: a message with %d choices goes as numbered text (%s); %d so far",
                     len(part.choices), "no current content SID: run whatsapp sync-content" if found is None
                     else "its body does not fit", self.fallbacks)
        return None


def as_interactive(part: Outgoing, found: Found | None) -> Interactive | None:
    body = unnumbered(part)
    if found is None or not body or not body.strip() or len(body) > WHATSAPP_CONTENT_BODY:
        return None
    return Interactive(body, found, part.choices)


def view_lines(part: Outgoing, interactive: Interactive | None) -> list[str]:
    """The part as WhatsApp shows it, for previews: buttons, or a list behind its button, or the
    numbered text."""
    if interactive is None:
        return part.text.splitlines() or [""]
    lines = interactive.body.splitlines() or [""]
    if interactive.found.kind == "quick-reply":
        lines.append("  ".join(f"[{c.title}]" for c in interactive.choices))
    else:
        lines.append(f"[☰ {interactive.found.button or ''}]")
        lines += [f"  ○ {c.title}" for c in interactive.choices]
    return lines


def view_json(part: Outgoing, interactive: Interactive | None) -> dict[str, Any]:
    """The part for the simulator's JSON: the text WhatsApp shows and how the choices appear."""
    choices = [{"title": c.title, "payload": c.payload} for c in part.choices]
    if interactive is None:
        return {"text": part.text, "choices": choices, "whatsapp": {"kind": "numbered" if part.choices else "text"}}
    return {"text": interactive.body, "choices": choices,
            "whatsapp": {"kind": interactive.found.kind, "button": interactive.found.button,
                         "sid": interactive.found.sid}}
