"""Broadcasts: one content key to the active subscribers of a segment, queued into the outbox by the scheduler's
leader (bot/app/scheduler.py calls `BroadcastRunner.advance` at every tick).

A due broadcast starts (scheduled → sending: who is in it is fixed, bot/store/broadcasts.py) and advances a
page of recipients at a time from its durable cursor. Each recipient's message is queued once (the outbox's
push sets the broadcast's mark for the user in the same step) and the cursor moves with one conditional
UPDATE, so a worker that dies mid-page, or two leaders at once, queue nobody twice and skip nobody. The
runner keeps at most `max_ahead` of a broadcast's messages waiting in the outbox (the channel's rate sets
the pace); a cancel stops the pages and drops what still waits.

The text is the recipient's language (a missing translation: Spanish, counted). On WhatsApp, outside the
24-hour window since the user last wrote, only an approved template may go: the content key's
`whatsapp_template` in the recipient's language, else the Spanish one (counted as a fallback to Spanish);
with none the recipient is skipped and counted as "no template". The message also carries its template when
the window is open, in case the window closes before its turn (bot/channels/whatsapp.py sends it then).
Telegram has no window.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from bot.content.catalog import AUDIENCES, VAR_RE, Catalog
from bot.content.languages import LANGS, SOURCE_LANG
from bot.core.types import CHANNELS, Choice, Outgoing, Template
from bot.delivery.outbox import Outbox
from bot.delivery.reach import Reach
from bot.dialog.bundle import Bundle
from bot.store.broadcasts import CITIES, HANDLED, BroadcastCounters, Recipient, Segment, SegmentError, SqlBroadcasts
from bot.store.db import Broadcast, Store

log = logging.getLogger(__name__)
BATCH = 500  # recipients per page
MAX_AHEAD = 5000  # a broadcast's messages waiting in the outbox at most (sent at the channel's rate)
BUDGET_SECONDS = 5.0  # one tick works on broadcasts at most this long (the leader's lock is renewed per tick)
LOCAL_ZONE = "America/La_Paz"  # `--at` is the campaign's local time
ALLOWED = {"lang": LANGS, "audience": AUDIENCES, "channel": CHANNELS, "city": CITIES}


class BadRequest(ValueError):
    """A broadcast that cannot be made as asked: one line saying what and how to fix it (English, for the CLI),
    and a stable `code` with its `variables` that the console turns into its own (Spanish) text."""

    def __init__(self, message: str, code: str = "bad_request", **variables: str) -> None:
        super().__init__(message)
        self.code = code
        self.variables = variables


def check_key(catalog: Catalog, key: str) -> None:
    """A broadcast sends a text of the content (any key of content/es) that needs no variable."""
    entry = catalog.entries[SOURCE_LANG].get(key)
    if entry is None:
        close = difflib.get_close_matches(key, list(catalog.entries[SOURCE_LANG]), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise BadRequest(
            f"unknown message key '{key}': it is not in content/{SOURCE_LANG}{hint}", "unknown_key", name=key
        )
    needed = sorted({f"{{{m.group(1)}}}" for text in entry.texts() for m in VAR_RE.finditer(text) if not m.group(2)})
    if needed:
        raise BadRequest(
            f"the message '{key}' needs {', '.join(needed)}: a broadcast sends texts without variables",
            "needs_variables",
            name=key,
            variables=", ".join(needed),
        )


def parse_segment(text: str) -> Segment:
    """`lang=es,audience=caregiver,channel=whatsapp,city=el_alto`, every value checked."""
    try:
        segment = Segment.parse(text)
    except SegmentError as exc:
        raise BadRequest(f"--to: {exc}", "bad_segment") from None
    for name, value in segment.as_json().items():
        if value not in ALLOWED[name]:
            raise BadRequest(
                f"--to: {name}={value} is not known (use {', '.join(ALLOWED[name])})", "unknown_value", field=name
            )
    return segment


def parse_at(text: str, now: float) -> float:
    """`2026-12-01 18:00`, La Paz time, not in the past (a minute's grace)."""
    try:
        local = dt.datetime.strptime(text.strip().replace("T", " "), "%Y-%m-%d %H:%M")
    except ValueError:
        raise BadRequest(
            f"--at '{text}' is not a date and time: write it as YYYY-MM-DD HH:MM (La Paz time)", "bad_time"
        ) from None
    at = local.replace(tzinfo=ZoneInfo(LOCAL_ZONE)).timestamp()
    if at < now - 60:
        raise BadRequest(
            f"--at '{text}' is in the past (La Paz time now: {local_time(now)})", "past_time", now=local_time(now)
        )
    return at


def local_time(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, ZoneInfo(LOCAL_ZONE)).strftime("%Y-%m-%d %H:%M")


async def create_broadcast(
    broadcasts: SqlBroadcasts,
    audit: Store,
    namespace: str,
    key: str,
    segment: Segment,
    at: float | None,
    user: str,
    *,
    now: float,
) -> Broadcast:
    """Create a checked broadcast (`at` None: now) and write it to the audit log. The one way to create one:
    `python -m bot campaign broadcast` and the console's campaign page both call it."""
    when = f"at {local_time(at)} (La Paz time)" if at is not None else "now"
    row = await broadcasts.create(namespace, key, segment, at if at is not None else now, user)
    detail = f"#{row.id} {key} to {segment.describe()} {when}"
    await asyncio.to_thread(audit.audit, user, "broadcast_create", None, detail)
    return row


async def cancel_broadcast(
    broadcasts: SqlBroadcasts, counters: BroadcastCounters, audit: Store, broadcast_id: int, user: str
) -> bool:
    """Stop a scheduled or sending broadcast: no more pages, and what still waits in the outbox is dropped;
    written to the audit log. False when it was already done or cancelled. The CLI and the console call it."""
    if not await broadcasts.cancel(broadcast_id):
        return False
    await counters.cancel(broadcast_id)
    await asyncio.to_thread(audit.audit, user, "broadcast_cancel", None, f"#{broadcast_id}")
    return True


@dataclass(frozen=True)
class CampaignMessage:
    """A campaign text for one language and audience: the message (with its WhatsApp template, if any), whether
    the text is Spanish for want of a translation, and whether the template is the Spanish one."""

    message: Outgoing
    text_fallback: bool
    template_fallback: bool

    @property
    def template(self) -> Template | None:
        return self.message.template


def campaign_message(
    catalog: Catalog, key: str, lang: str, audience: str | None, choices: tuple[Choice, ...] = ()
) -> CampaignMessage:
    """The text of `key` in `lang` (or Spanish) for `audience`, with the approved WhatsApp template of that
    language (or the Spanish one); the template's {{1}} is the text in the template's language."""
    own = catalog.entries.get(lang, {}).get(key)
    source = catalog.entries[SOURCE_LANG].get(key)
    entry = own or source
    if entry is None:
        raise KeyError(key)
    text = catalog.render(entry.text_for(audience), entry.lang, {})
    template: Template | None = None
    template_fallback = False
    for found in (own, source):
        if found is not None and found.whatsapp_template:
            variables = json.dumps({"1": catalog.render(found.text_for(audience), found.lang, {})}, ensure_ascii=False)
            template = Template(found.whatsapp_template, variables)
            template_fallback = found.lang != lang
            break
    return CampaignMessage(Outgoing(text, choices, template=template), own is None, template_fallback)


class BroadcastRunner:
    def __init__(
        self,
        redis: Redis,
        namespace: str,
        broadcasts: SqlBroadcasts,
        outbox: Outbox,
        bundle: Callable[[], Bundle],
        *,
        clock: Callable[[], float] = time.time,
        batch: int = BATCH,
        max_ahead: int = MAX_AHEAD,
        budget_seconds: float = BUDGET_SECONDS,
    ) -> None:
        self.ns = namespace
        self.broadcasts = broadcasts
        self.outbox = outbox
        self.bundle = bundle  # the pipeline's current bundle (a content reload swaps it)
        self.clock = clock
        self.batch = batch
        self.max_ahead = max_ahead
        self.budget = budget_seconds
        self.counters = BroadcastCounters(redis, namespace)
        self.reach = Reach(redis, namespace)

    async def advance(self) -> int:
        """Work on every due or sending broadcast of the namespace; returns how many messages were queued."""
        queued = 0
        deadline = time.monotonic() + self.budget
        for broadcast in await self.broadcasts.active(self.ns, self.clock()):
            queued += await self.run(broadcast, deadline)
        for broadcast_id in await self.broadcasts.to_sync(self.ns, self.clock()):
            await self.broadcasts.sync(broadcast_id, await self.counters.get(broadcast_id))
            await self.counters.touch(broadcast_id)
        return queued

    async def run(self, broadcast: Broadcast, deadline: float | None = None) -> int:
        """Start the broadcast if it is due, then queue pages from its cursor until it is done, `max_ahead`
        messages wait in the outbox, or the deadline passes."""
        if not self.bundle().catalog.has(broadcast.content_key):  # removed by a content change: it waits
            log.warning("broadcast %d: its message key is not in the content; waiting", broadcast.id)
            return 0
        if broadcast.state == "scheduled":
            started = await self.broadcasts.start(broadcast.id)
            if started is None:
                return 0
            broadcast = started
            if broadcast.state == "sending":
                log.info("broadcast %d: started, %d recipients", broadcast.id, broadcast.total)
        queued = 0
        cursor, in_outbox = broadcast.cursor, broadcast.queued
        while broadcast.state == "sending" and (deadline is None or time.monotonic() < deadline):
            live = await self.counters.get(broadcast.id)
            if in_outbox - sum(live.get(name, 0) for name in HANDLED) >= self.max_ahead:
                break  # enough waits in the outbox: the channel's rate sets the pace
            page = await self.broadcasts.recipients(broadcast, cursor, self.batch)
            if not page:
                if await self.broadcasts.finish(broadcast.id, cursor):
                    log.info("broadcast %d: every recipient handled", broadcast.id)
                break
            counts = await self._queue_page(broadcast, page)
            if await self.broadcasts.advance(broadcast.id, cursor, page[-1].id, counts):
                cursor, in_outbox = page[-1].id, in_outbox + counts["queued"]
                queued += counts["queued"]
                continue
            fresh = await self.broadcasts.get(broadcast.id)  # another leader moved it, or it was cancelled
            if fresh is None:
                break
            broadcast, cursor, in_outbox = fresh, fresh.cursor, fresh.queued
        return queued

    async def _queue_page(self, broadcast: Broadcast, page: list[Recipient]) -> Counter[str]:
        """Queue one page (each recipient once); what happened, counted: queued, fallback_to_spanish,
        skipped_no_template, skipped_no_address. A few round trips for the page, not per recipient."""
        counts: Counter[str] = Counter()
        catalog = self.bundle().catalog
        texts: dict[tuple[str, str], CampaignMessage] = {}  # per language and audience: at most six
        whatsapp = [r.user_key for r in page if r.channel == "whatsapp"]
        window = dict(zip(whatsapp, await self.reach.windows_open(whatsapp), strict=True))
        by_channel: dict[str, list[tuple[str, Outgoing, bool]]] = {}
        for recipient in page:
            shape = (recipient.lang, recipient.audience)
            if shape not in texts:
                texts[shape] = campaign_message(catalog, broadcast.content_key, *shape)
            text, fallback = texts[shape], texts[shape].text_fallback
            message = text.message
            if recipient.channel != "whatsapp":
                message = Outgoing(message.text, message.choices)  # no window: no template
            elif not window[recipient.user_key]:  # outside the 24 hours only an approved template may go
                if text.template is None:
                    if await self.outbox.broadcast_queued(recipient.channel, recipient.user_key, broadcast.id):
                        counts["queued"] += 1  # it was queued while the window was open (a page done again)
                        counts["fallback_to_spanish"] += int(fallback)
                    else:
                        counts["skipped_no_template"] += 1
                    continue
                fallback = fallback or text.template_fallback
            by_channel.setdefault(recipient.channel, []).append((recipient.user_key, message, fallback))
        for channel, items in by_channel.items():
            done = await self.outbox.enqueue_broadcast(
                channel, [(user, [message]) for user, message, _ in items], broadcast.id
            )
            for (_, _, fallback), queued in zip(items, done, strict=True):
                if queued is None:
                    counts["skipped_no_address"] += 1
                else:  # queued now, or already by an earlier try of this page: counted once, with the cursor
                    counts["queued"] += 1
                    counts["fallback_to_spanish"] += int(fallback)
        return counts
