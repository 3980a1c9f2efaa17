"""The simulator: JSON lines in, one JSON line out per input, through the real pipeline."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.app.broadcasts import LOCAL_ZONE, BadRequest, BroadcastRunner, check_key, create_broadcast, parse_segment
from bot.app.runtime import Runtime
from bot.app.scheduler import TipScheduler
from bot.channels.whatsapp_content import ContentMap, view_json
from bot.content.catalog import Catalog
from bot.content.gloss import Gloss, glosser_for
from bot.content.languages import SOURCE_LANG
from bot.core.privacy import user_key
from bot.core.types import CHANNELS, Channel, Incoming, Media, Outgoing, Reply
from bot.delivery.mailbox import Claimed
from bot.delivery.outbox import Entry, OutboxWorker, Pace
from bot.delivery.render import render_for
from bot.flows.series import load_series
from bot.store.addresses import AddressBook
from bot.store.broadcasts import SqlBroadcasts
from bot.store.db import Store
from bot.store.subscriptions import Due, SqlSubscriptions

# What a simulated user can send instead of (or with) text: a stand-in for the file, never a real one.
MEDIA_TYPES = {"audio": "audio/ogg", "image": "image/jpeg", "video": "video/mp4", "document": "application/pdf"}


class BadLine(ValueError):
    pass


@dataclass
class Simulator:
    runtime: Runtime
    counter: int = 0
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    contents: ContentMap | None = None  # WhatsApp buttons and lists: the synced SIDs (default: the bot's database)
    now: float | None = None  # the simulated time; None: the wall clock, until the first `clock` line
    _time: _SimulatedTime | None = None  # the scheduler and the delivery, built by the first `clock` line

    def __post_init__(self) -> None:
        if self.contents is None:
            self.contents = ContentMap.for_url(self.runtime.settings.database_url)

    def clock(self) -> float:
        return time.time() if self.now is None else self.now

    def parse(self, line: str) -> tuple[Incoming, Channel]:
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadLine(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
        if not isinstance(data, dict):
            raise BadLine('each line must be an object like {"user": "ana", "text": "hola"}')
        user, text, choice = data.get("user"), data.get("text"), data.get("choice")
        channel, kind = data.get("channel", "simulator"), data.get("media")
        if not isinstance(user, str) or not user:
            raise BadLine('"user" is required and must be text')
        if kind is not None and (not isinstance(kind, str) or kind not in MEDIA_TYPES or choice is not None):
            raise BadLine(f'"media" is one of {", ".join(MEDIA_TYPES)}, with an optional "text" (its caption)')
        if kind is None and (text is None) == (choice is None):
            raise BadLine('give exactly one of "text" or "choice"')
        not_text = any(v is not None and not isinstance(v, str) for v in (text, choice))
        if not_text or (kind is None and not (text or choice)):
            raise BadLine('"text" and "choice" must be text')
        if channel not in CHANNELS:
            raise BadLine(f'"channel" must be one of {", ".join(CHANNELS)}')
        self.counter += 1
        pepper = self.runtime.settings.user_key_pepper
        external_id = f"sim-{self.run_id}-{self.counter}"
        media = (Media(kind, f"sim-file-{external_id}", MEDIA_TYPES[kind]),) if kind else ()
        return Incoming(
            channel=channel,
            address=user,
            user_key=user_key(pepper, "simulator", user),
            external_id=external_id,
            text=text or None,
            choice=choice,
            media=media,
        ), channel

    async def handle_line(self, line: str) -> dict[str, Any]:
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and ("clock" in data or "broadcast" in data):
            try:
                return await (self.set_clock(data) if "clock" in data else self.broadcast(data))
            except BadLine as exc:
                return {"error": str(exc), "line": line[:200]}
        try:
            msg, channel = self.parse(line)
        except BadLine as exc:
            return {"error": str(exc), "line": line[:200]}
        reply = await self.runtime.pipeline.handle(msg)
        return to_json(msg.address, channel, reply, self.contents, catalog=self.runtime.pipeline.bundle.catalog)

    async def set_clock(self, data: dict[str, Any]) -> dict[str, Any]:
        """`{"clock": "2026-12-07T19:00-04:00"}`: the simulated time becomes that (the pipeline's, the scheduler's
        and the broadcasts' clock); what waited for a simulated user is delivered, the scheduler's tick runs as of
        that time (weekly tips, broadcasts) and what it queued is delivered too."""
        if set(data) != {"clock"}:
            raise BadLine('a clock line has only "clock", e.g. {"clock": "2026-12-07T19:00:00-04:00"}')
        when = parse_clock(data["clock"])
        if self.now is not None and when < self.now:
            raise BadLine(f"time never goes backwards: the simulated time is already {iso(self.now)}")
        if self._time is None:
            self._time = _SimulatedTime.build(self.runtime, self.clock)
        self.now = when
        self.runtime.pipeline.clock = self.clock
        pushed = await self._time.deliver("counselor")  # queued since the last line: a counselor's replies
        await self._time.scheduler.tick()
        pushed += await self._time.deliver("tip")  # broadcasts' messages say so themselves
        return {"clock": iso(when), "pushed": pushed}

    async def broadcast(self, data: dict[str, Any]) -> dict[str, Any]:
        """`{"broadcast": {"message": KEY, "to": {"lang": "es", ...}}}`: a broadcast created now (simulated time)
        as `python -m bot campaign broadcast --yes` creates it; the next `clock` line sends it."""
        spec = data["broadcast"]
        if set(data) != {"broadcast"} or not isinstance(spec, dict) or not set(spec) <= {"message", "to"}:
            raise BadLine('a broadcast line is {"broadcast": {"message": "<content key>", "to": {"lang": "es"}}}')
        key, to = spec.get("message"), spec.get("to", {})
        if not isinstance(key, str) or not key:
            raise BadLine('"broadcast": "message" is required: a content key of content/es')
        if not isinstance(to, dict) or not all(isinstance(v, str) and v for v in to.values()):
            raise BadLine('"broadcast": "to" is an object of lang, audience, channel and city, e.g. {"lang": "es"}')
        subscriptions = self.runtime.subscriptions
        if subscriptions is None:
            raise BadLine("broadcasts need the relational database (DATABASE_URL)")
        store = SqlBroadcasts(subscriptions.engine)
        try:
            check_key(self.runtime.pipeline.bundle.catalog, key)
            segment = parse_segment(",".join(f"{name}={value}" for name, value in to.items()))
            row = await create_broadcast(
                store,
                Store(subscriptions.engine),
                self.runtime.namespace,
                key,
                segment,
                None,
                "simulator",
                now=self.clock(),
            )
        except BadRequest as exc:
            raise BadLine(f'"broadcast": {str(exc).removeprefix("--to: ")}') from None
        recipients = sum((await store.audience(segment)).values())
        return {"broadcast": {"id": row.id, "recipients": recipients}}

    async def run(self, lines: TextIO, out: TextIO) -> None:
        for line in lines:
            if not line.strip():
                continue
            result = await self.handle_line(line)
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            out.flush()
        await self.aclose()

    async def aclose(self) -> None:
        """Let go of the scheduler's lead (a run after this one on the same namespace leads at once)."""
        if self._time is not None and self._time.scheduler.leading:
            await self._time.scheduler.lock.release()
            self._time.scheduler.leading = False


def parse_clock(value: object) -> float:
    """An ISO-8601 time; without an offset it is La Paz time."""
    if not isinstance(value, str) or not value:
        raise BadLine('"clock" is an ISO-8601 time as text, e.g. "2026-12-07T19:00:00-04:00"')
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadLine(f'"clock": "{value[:40]}" is not an ISO-8601 time (e.g. "2026-12-07T19:00:00-04:00")') from None
    return (when if when.tzinfo is not None else when.replace(tzinfo=ZoneInfo(LOCAL_ZONE))).timestamp()


def iso(seconds: float) -> str:
    """A simulated time as the answers show it: La Paz time with its offset."""
    return dt.datetime.fromtimestamp(seconds, ZoneInfo(LOCAL_ZONE)).isoformat()


class _Phone:
    """The simulated users' phones on one channel: what the outbox delivers is kept for the `clock` answer."""

    paces: tuple[Pace, ...] = ()

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.kind = "tip"  # what the message being sent is (set per message by `_Delivery`)
        self.got: list[dict[str, Any]] = []

    async def send(self, user_key: str, address: str, message: Outgoing) -> str | None:
        self.got.append(
            {
                "user": address,
                "text": message.text,
                "choices": [{"title": c.title, "payload": c.payload} for c in message.choices],
                "kind": self.kind,
            }
        )
        return None


class _Delivery(OutboxWorker):
    """The outbox worker of one channel, sending to the simulated phones; a broadcast's message says so."""

    def __init__(self, runtime: Runtime, phone: _Phone) -> None:
        super().__init__(runtime.redis, runtime.namespace, phone, runtime.addresses)
        self.phone = phone
        self.kind = "tip"

    async def process(self, claimed: Claimed) -> int:
        self.phone.kind = "broadcast" if Entry.loads(claimed.head).broadcast else self.kind
        return await super().process(claimed)


class _Reachable(SqlSubscriptions):
    """The subscriptions as the simulator's scheduler sees them: only subscribers with an address in its namespace
    (its simulated users). The table is shared by every namespace: a `clock` line must never claim the week's tip
    of a real subscriber (or another run's)."""

    def __init__(self, inner: SqlSubscriptions, addresses: AddressBook) -> None:
        super().__init__(inner.engine, sqlite_file=inner.sqlite_file)
        self.addresses = addresses

    async def due(self, slot: str, slot_at: float, weeks: int, limit: int = 500) -> list[Due]:
        found = await super().due(slot, slot_at, weeks, limit)
        return [due for due in found if await self.addresses.get(due.user_key) is not None]


@dataclass
class _SimulatedTime:
    """The scheduler's tick and the outbox's delivery, on the simulator's clock."""

    scheduler: TipScheduler
    delivery: list[_Delivery]

    @classmethod
    def build(cls, runtime: Runtime, clock: Callable[[], float]) -> _SimulatedTime:
        if runtime.subscriptions is None:
            raise BadLine("the simulated clock needs the relational database (DATABASE_URL)")
        pipeline = runtime.pipeline
        subscriptions = _Reachable(runtime.subscriptions, runtime.addresses)
        broadcasts = BroadcastRunner(
            runtime.redis,
            runtime.namespace,
            SqlBroadcasts(subscriptions.engine),
            runtime.outbox,
            lambda: pipeline.bundle,
            clock=clock,
        )
        scheduler = TipScheduler(
            runtime.redis,
            runtime.namespace,
            subscriptions,
            runtime.outbox,
            lambda: pipeline.bundle,
            load_series(runtime.settings.flows_dir),
            clock=clock,
            broadcasts=broadcasts,
        )
        return cls(scheduler, [_Delivery(runtime, _Phone(channel)) for channel in CHANNELS])

    async def deliver(self, kind: str) -> list[dict[str, Any]]:
        """Send what waits in the outbox now; messages that are not a broadcast's count as `kind`."""
        pushed: list[dict[str, Any]] = []
        for worker in self.delivery:
            worker.kind = kind
            await worker.run_once()
            pushed += worker.phone.got
            worker.phone.got = []
        return pushed


def to_json(
    user: str, channel: str, reply: Reply, contents: ContentMap | None = None, *, catalog: Catalog | None = None
) -> dict[str, Any]:
    """The reply as `channel` shows it; on WhatsApp each part says whether its choices are buttons, a
    list (a synced SID exists) or numbered lines. A part with a recording says so (`media`). With the
    `catalog`, each message says which content key it came from (`key`) and, in Quechua and Aymara,
    that key's Spanish (`gloss`: text and choices) on its last part."""
    shown: list[dict[str, Any]] = []
    found = contents or ContentMap(None)
    for out in reply.replies:
        parts = render_for(channel, out)
        for part in parts:
            if channel == "whatsapp":
                shown.append(view_json(part, found.shown(part)))
            else:
                shown.append(
                    {"text": part.text, "choices": [{"title": c.title, "payload": c.payload} for c in part.choices]}
                )
            if part.media:
                shown[-1]["media"] = [{"kind": m.kind, "ref": m.url} for m in part.media]
        if catalog is not None:
            shown[-1].update(_source(catalog, reply.lang, out))
    return {
        "user": user,
        "lang": reply.lang,
        "replies": shown,
        "handoff": None
        if reply.handoff is None
        else {"ticket": reply.handoff.ticket, "priority": reply.handoff.priority},
        "understood": {
            "via": reply.understood.via,
            "intent": reply.understood.intent,
            "confidence": reply.understood.confidence,
        },
        "risk": {"level": reply.risk.level, "category": reply.risk.category},
    }


def _source(catalog: Catalog, lang: str, out: Outgoing) -> dict[str, Any]:
    """The content key a message came from and, for a Quechua or Aymara text, its Spanish. The reply's
    language is tried first (a safety reply before the language is chosen may be in another one)."""
    glosser = glosser_for(catalog)
    order = (lang, *(other for other in catalog.entries if other != lang))

    def find(text: str) -> tuple[str, Gloss] | None:
        for candidate in order:
            found = glosser.find(candidate, text)
            if found is not None:
                return candidate, found
        return None

    text = find(out.text)
    choices = [find(c.title) for c in out.choices]
    result: dict[str, Any] = {"key": text[1].key if text else None}
    if any(found is not None and found[0] != SOURCE_LANG for found in (text, *choices)):
        result["gloss"] = {
            "text": text[1].spanish if text and text[0] != SOURCE_LANG else None,
            "choices": [c[1].spanish if c and c[0] != SOURCE_LANG else None for c in choices],
        }
    return result
