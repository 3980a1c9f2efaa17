"""`python -m bot campaign broadcast | list | status ID | cancel ID`: broadcasts to subscribers (bot/app/broadcasts.py).

    python -m bot campaign broadcast --message KEY --to lang=es,audience=caregiver,channel=whatsapp,city=el_alto
        [--at "2026-12-01 18:00"] [--dry-run] [--yes] [--namespace NS] [--as NAME]

`broadcast` prints the audience size and a preview per language; without --dry-run it asks for confirmation
(--yes skips it), creates the broadcast and shows its progress until it is done (the workers send it: their
scheduler's leader queues it into the outbox); with --at in the future it returns at once. Ctrl+C stops only
the watching. Bad input is answered in one line with exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import time
from collections.abc import Callable
from typing import TextIO

from bot.app.broadcasts import (
    BadRequest,
    campaign_message,
    cancel_broadcast,
    check_key,
    create_broadcast,
    local_time,
    parse_at,
    parse_segment,
)
from bot.app.runtime import connect_redis
from bot.config import Settings, SettingsError, load_settings
from bot.content.catalog import AUDIENCES, Catalog
from bot.content.languages import LANGS, display_name
from bot.errors import DataError
from bot.store.broadcasts import HANDLED, BroadcastCounters, Segment, SqlBroadcasts, aware
from bot.store.db import Broadcast, Store, make_engine, upgrade

BAD_INPUT = 2
YES = ("y", "yes", "s", "si", "sí")  # the confirmation, in English or Spanish
POLL_SECONDS = 1.0
NOBODY_SECONDS = 30.0  # a broadcast nobody picked up by then: say that the workers may not be running


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """One line (not the usage), exit code 2."""
        self.exit(BAD_INPUT, f"{self.prog}: {message}\n")


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="python -m bot campaign", description="broadcasts to the weekly tips' subscribers")
    sub = top.add_subparsers(dest="action", required=True, parser_class=_Parser)
    send = sub.add_parser("broadcast", help="send a content key to a segment of subscribers")
    send.add_argument("--message", required=True, metavar="KEY", help="a content key of content/es")
    send.add_argument(
        "--to",
        default="",
        metavar="SEGMENT",
        help="lang=es,audience=caregiver,channel=whatsapp,city=el_alto (any of them; none: all)",
    )
    send.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'", help="when, La Paz time (default: now)")
    send.add_argument("--dry-run", action="store_true", help="print the audience and previews; send nothing")
    send.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    sub.add_parser("list", help="the latest broadcasts")
    status = sub.add_parser("status", help="one broadcast's progress and delivery figures")
    status.add_argument("id", type=int)
    cancel = sub.add_parser("cancel", help="stop a scheduled or sending broadcast")
    cancel.add_argument("id", type=int)
    for command in (send, *(sub.choices[name] for name in ("list", "status", "cancel"))):
        command.add_argument("--namespace", help="Redis namespace of the workers (as simulate --namespace)")
    for command in (send, cancel):
        command.add_argument("--as", dest="user", help="who does it, for the audit log (default: your system user)")
    return top


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return BAD_INPUT
    return asyncio.run(run(args, settings))


async def run(
    args: argparse.Namespace, settings: Settings, out: TextIO | None = None, ask: Callable[[str], str] | None = None
) -> int:
    """One parsed command; bad input: one line on stderr and BAD_INPUT."""
    try:
        return await Campaign(settings, args.namespace or settings.bot_namespace, out or sys.stdout, ask).run(args)
    except BadRequest as exc:
        print(f"campaign: {exc}", file=sys.stderr)
        return BAD_INPUT
    except DataError as exc:
        print("The content files have problems:\n", exc, file=sys.stderr)
        return 1


class Campaign:
    def __init__(
        self, settings: Settings, namespace: str, out: TextIO, ask: Callable[[str], str] | None = None
    ) -> None:
        self.settings = settings
        self.ns = namespace
        self.out = out
        self.ask = ask or _ask

    def say(self, line: str = "", end: str = "\n") -> None:
        self.out.write(line + end)
        self.out.flush()

    async def run(self, args: argparse.Namespace) -> int:
        if args.action == "broadcast":  # bad input is refused before anything is opened
            catalog = Catalog.load(self.settings.content_dir)
            check_key(catalog, args.message)
            segment = parse_segment(args.to)
            at = parse_at(args.at, time.time()) if args.at else None
        await asyncio.to_thread(upgrade, self.settings.database_url)
        engine = make_engine(self.settings.database_url)
        redis = connect_redis(self.settings.redis_url)
        try:
            store, counters = SqlBroadcasts(engine), BroadcastCounters(redis, self.ns)
            if args.action == "broadcast":
                return await self.broadcast(
                    store,
                    counters,
                    engine_store=Store(engine),
                    catalog=catalog,
                    key=args.message,
                    segment=segment,
                    at=at,
                    dry_run=args.dry_run,
                    yes=args.yes,
                    user=args.user or getpass.getuser(),
                )
            if args.action == "list":
                return await self.show_list(store, counters)
            row = await store.get(args.id)
            if row is None or row.namespace != self.ns:
                raise BadRequest(f"no broadcast #{args.id} in namespace '{self.ns}' (see: campaign list)")
            if args.action == "status":
                self.status(row, await counters.get(row.id))
                return 0
            return await self.cancel(store, counters, Store(engine), row, args.user or getpass.getuser())
        finally:
            await redis.aclose()
            engine.dispose()

    # -- broadcast ----------------------------------------------------------------------------------------
    async def broadcast(
        self,
        store: SqlBroadcasts,
        counters: BroadcastCounters,
        *,
        engine_store: Store,
        catalog: Catalog,
        key: str,
        segment: Segment,
        at: float | None,
        dry_run: bool,
        yes: bool,
        user: str,
    ) -> int:
        per_lang = await store.audience(segment)
        total = sum(per_lang.values())
        self.say(f"Broadcast '{key}' to {segment.describe()} (namespace {self.ns}): {total:,} subscribers")
        self.preview(catalog, key, segment, per_lang)
        if dry_run:
            self.say("Dry run: nothing was sent.")
            return 0
        if total == 0:
            self.say("Nobody to send to: nothing was created.")
            return 1
        when = f"at {local_time(at)} (La Paz time)" if at is not None else "now"
        if not yes and self.ask(f"Send it to {total:,} subscribers {when}? [y/N] ").strip().lower() not in YES:
            self.say("Not sent.")
            return 1
        row = await create_broadcast(store, engine_store, self.ns, key, segment, at, user, now=time.time())
        if at is not None and at > time.time():
            self.say(f"Broadcast #{row.id} scheduled {when}. Follow it with: python -m bot campaign status {row.id}")
            return 0
        self.say(f"Broadcast #{row.id} created; the workers send it (Ctrl+C stops watching, not sending).")
        try:
            return await self.watch(store, counters, row.id)
        except (KeyboardInterrupt, asyncio.CancelledError):
            self.say(f"\nStopped watching; #{row.id} goes on (campaign status {row.id}, campaign cancel {row.id}).")
            return 0

    def preview(self, catalog: Catalog, key: str, segment: Segment, per_lang: dict[str, int]) -> None:
        """Per language: how many, and the text they get (the audience's variant), as WhatsApp shows it."""
        audiences = [segment.audience] if segment.audience else list(AUDIENCES)
        for lang in LANGS:
            if segment.lang and lang != segment.lang:
                continue
            count = per_lang.get(lang, 0)
            own = key in catalog.entries[lang]
            note = "" if own else f" (no {display_name(lang)} text: they get the Spanish, counted as a fallback)"
            self.say(f"  {lang} — {count:,} subscribers{note}")
            texts: dict[str, list[str]] = {}  # text → the audiences that get it
            for audience in audiences:
                texts.setdefault(campaign_message(catalog, key, lang, audience).message.text, []).append(audience)
            for text, who in texts.items():
                label = f"[{', '.join(who)}] " if len(texts) > 1 else ""
                for line in text.splitlines() or [""]:
                    self.say(f"      {label}{line}")
                    label = " " * len(label)
            if segment.channel in (None, "whatsapp"):
                template = campaign_message(catalog, key, lang, segment.audience)
                if template.template is None:
                    self.say("      WhatsApp outside the 24-hour window: no template: those recipients are skipped")
                else:
                    whose = "the Spanish template" if template.template_fallback else "template"
                    self.say(f"      WhatsApp outside the 24-hour window: {whose} {template.template.sid}")

    async def watch(self, store: SqlBroadcasts, counters: BroadcastCounters, broadcast_id: int) -> int:
        """A progress line (sent / total, rate, time left) until every queued message is sent or failed."""
        started, waited_hint = time.monotonic(), False
        samples: list[tuple[float, int]] = []
        tty = self.out.isatty()
        last_line_at = 0.0
        while True:
            row = await store.get(broadcast_id)
            if row is None:
                return 1
            live = await counters.get(broadcast_id)
            sent, handled = live.get("sent", 0), sum(live.get(name, 0) for name in HANDLED)
            now = time.monotonic()
            samples = [(t, n) for t, n in samples if now - t <= 30] + [(now, sent)]
            rate = (
                (samples[-1][1] - samples[0][1]) / (samples[-1][0] - samples[0][0])
                if samples[-1][0] > samples[0][0]
                else 0.0
            )
            left = max(0, row.total - row.skipped_no_template - row.skipped_no_address - handled)
            eta = f"{left / rate:,.0f} s left" if rate > 0 else "time left unknown"
            line = (
                f"#{row.id} {row.state}: sent {sent:,}/{row.total:,} ({rate:,.1f}/s, {eta}); "
                f"failed {live.get('failed', 0):,}, skipped {row.skipped_no_template + row.skipped_no_address:,}"
            )
            finished = row.state == "cancelled" or (row.state == "done" and handled >= row.queued)
            if tty:
                self.say("\r" + line.ljust(100), end="\n" if finished else "")
            elif finished or now - last_line_at >= 5:
                self.say(line)
                last_line_at = now
            if finished:
                self.status(row, live)
                return 0
            if row.state == "scheduled" and not waited_hint and now - started > NOBODY_SECONDS:
                waited_hint = True
                self.say(f"\nNo worker has started it yet: is `python -m bot worker` running for namespace {self.ns}?")
            await asyncio.sleep(POLL_SECONDS)

    # -- list, status, cancel -----------------------------------------------------------------------------
    async def show_list(self, store: SqlBroadcasts, counters: BroadcastCounters) -> int:
        rows = await store.recent(self.ns)
        if not rows:
            self.say(f"No broadcasts in namespace {self.ns}.")
        for row in rows:
            live = await counters.get(row.id)
            self.say(
                f"#{row.id:<5} {row.state:<9} {local_time(aware(row.scheduled_at).timestamp())}  "
                f"sent {max(row.sent, live.get('sent', 0)):>7,}/{row.total:<7,} {row.content_key} → "
                f"{Segment.from_json(row.segment).describe()}"
            )
        return 0

    def status(self, row: Broadcast, live: dict[str, int]) -> None:
        figure = {name: max(getattr(row, name), live.get(name, 0)) for name in ("sent", "delivered", "read", "failed")}
        self.say(f"#{row.id} '{row.content_key}' to {Segment.from_json(row.segment).describe()}: {row.state}")
        self.say(f"  by {row.created_by}, at {local_time(aware(row.scheduled_at).timestamp())} (La Paz time)")
        self.say(
            f"  total {row.total:,}  queued {row.queued:,}  sent {figure['sent']:,}  delivered "
            f"{figure['delivered']:,}  read {figure['read']:,}  failed {figure['failed']:,}"
        )
        self.say(
            f"  skipped: no template {row.skipped_no_template:,}, no address {row.skipped_no_address:,}; "
            f"fallback to Spanish {row.fallback_to_spanish:,}; dropped when cancelled "
            f"{live.get('cancelled', 0):,}; not sent again after a worker died sending it "
            f"{live.get('uncertain', 0):,}"
        )

    async def cancel(
        self, store: SqlBroadcasts, counters: BroadcastCounters, audit: Store, row: Broadcast, user: str
    ) -> int:
        if not await cancel_broadcast(store, counters, audit, row.id, user):
            self.say(f"Broadcast #{row.id} is already {row.state}: nothing to cancel.")
            return 1
        self.say(f"Broadcast #{row.id} cancelled: nothing more is queued, and what still waits is dropped.")
        return 0


def _ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        print(prompt, end="", flush=True)
        return sys.stdin.readline()
    try:
        return input(prompt)
    except EOFError:
        return ""
