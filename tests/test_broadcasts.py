"""Broadcasts (issue 16, items 3-4): the dry run's audience and previews, each matching subscriber reached
exactly once (two schedulers at once, a run interrupted mid-way and resumed), cancel, the Spanish fallback,
WhatsApp's 24-hour rule (the approved template outside the window, against Prism; none: skipped and counted),
status callbacks moving the counts, and the CLI's answers to bad input. Real Redis; SQLite and PostgreSQL
through the `db_url` fixture."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.app.broadcasts import BroadcastRunner
from bot.app.scheduler import TipScheduler
from bot.channels.whatsapp import TwilioSender, make_client, record_status
from bot.cli import campaign
from bot.config import Settings, load_settings
from bot.core.effects import Subscribe
from bot.core.types import Outgoing, Template
from bot.delivery import outbox as outbox_module
from bot.delivery.outbox import Outbox, OutboxWorker, Pace, RetryLater
from bot.delivery.reach import Reach
from bot.dialog.bundle import Bundle
from bot.flows.series import load_series
from bot.store.addresses import AddressBook
from bot.store.broadcasts import BroadcastCounters, Segment, SqlBroadcasts
from bot.store.db import Broadcast
from bot.store.subscriptions import SqlSubscriptions
from tests.chat import project_bundle
from tests.conftest import REDIS_URL
from tests.doubles import FaultProxy, prism, serve

ROOT = Path(__file__).resolve().parent.parent
KEY = "weekly_tips.w2"  # any content key without variables will do
SID_ES = "HX" + "e5" * 16
ACCOUNT = "AC" + "0" * 31 + "1"
TOKEN = "twilio-auth-token-for-tests"
SENDER = "whatsapp:+14155238886"


@pytest.fixture
def subs(db_url: str) -> Iterator[SqlSubscriptions]:
    store = SqlSubscriptions.for_url(db_url)
    yield store
    store.close()


@pytest.fixture
def store(subs: SqlSubscriptions) -> SqlBroadcasts:
    return SqlBroadcasts(subs.engine)


@pytest.fixture
def book(redis: Redis, namespace: str) -> AddressBook:
    return AddressBook(redis, namespace, "k")


def _t(lang: str, key: str = KEY, audience: str | None = None) -> str:
    return project_bundle().catalog.text(lang, key, audience=audience)


def _bundle(*, drop: tuple[str, str] | None = None, templates: dict[tuple[str, str], str] | None = None) -> Bundle:
    """The project's bundle with one text removed from a language, or with WhatsApp templates on entries."""
    base = project_bundle()
    entries = {lang: dict(found) for lang, found in base.catalog.entries.items()}
    if drop is not None:
        del entries[drop[0]][drop[1]]
    for (lang, key), sid in (templates or {}).items():
        entries[lang][key] = dataclasses.replace(entries[lang][key], whatsapp_template=sid)
    return dataclasses.replace(base, catalog=dataclasses.replace(base.catalog, entries=entries))


async def _people(subs: SqlSubscriptions, book: AddressBook, *people: tuple[str, str, str, str, str | None]) -> None:
    """Subscribe (user, lang, audience, channel, city) and keep an address for each."""
    for n, (user, lang, audience, channel, city) in enumerate(people):
        await subs.subscribe(Subscribe(user, lang, audience, channel, city, time.time() - 3600, "weekly.consent@x"))
        await book.put(user, channel, f"whatsapp:+5917000{n:04d}" if channel == "whatsapp" else f"10{n}")


class _Phone:
    """A channel double: records what each user got; answers a SID of its own for each message."""

    paces: tuple[Pace, ...] = ()

    def __init__(self, channel: str = "telegram") -> None:
        self.channel = channel
        self.got: list[tuple[str, Outgoing]] = []

    async def send(self, user_key: str, address: str, message: Outgoing) -> str | None:
        self.got.append((user_key, message))
        return f"SM{len(self.got):032x}"

    def per_user(self) -> Counter[str]:
        return Counter(user for user, _ in self.got)


def _runner(
    redis: Redis,
    namespace: str,
    store: SqlBroadcasts,
    book: AddressBook,
    bundle: Bundle | None = None,
    outbox: Outbox | None = None,
    **options: Any,
) -> BroadcastRunner:
    chosen = bundle or project_bundle()
    return BroadcastRunner(redis, namespace, store, outbox or Outbox(redis, namespace, book), lambda: chosen, **options)


async def _create(store: SqlBroadcasts, namespace: str, to: str, key: str = KEY, at: float | None = None) -> Broadcast:
    return await store.create(namespace, key, Segment.parse(to), at if at is not None else time.time() - 1, "test")


async def _to_the_end(runner: BroadcastRunner, store: SqlBroadcasts, broadcast_id: int) -> Broadcast:
    for _ in range(50):
        await runner.advance()
        row = await store.get(broadcast_id)
        assert row is not None
        if row.state != "sending" and row.state != "scheduled":
            return row
    raise AssertionError("the broadcast did not finish")


def _settings(db_url: str) -> Settings:
    return load_settings(redis_url=REDIS_URL, rasa_url=None, database_url=db_url)


async def _cli(db_url: str, namespace: str, *argv: str, answer: str = "") -> tuple[int, str]:
    out = io.StringIO()
    args = campaign.parser().parse_args([*argv, "--namespace", namespace])
    code = await campaign.run(args, _settings(db_url), out, ask=lambda prompt: answer)
    return code, out.getvalue()


CAREGIVERS_EL_ALTO = "audience=caregiver,channel=whatsapp,city=el_alto"


async def _el_alto(subs: SqlSubscriptions, book: AddressBook) -> None:
    await _people(
        subs,
        book,
        ("ana", "es", "caregiver", "whatsapp", "el_alto"),
        ("beto", "es", "caregiver", "whatsapp", "el_alto"),
        ("cusi", "qu", "caregiver", "whatsapp", "el_alto"),
        ("dani", "es", "young", "whatsapp", "el_alto"),  # another audience
        ("eva", "es", "caregiver", "telegram", "el_alto"),  # another channel
        ("fer", "es", "caregiver", "whatsapp", "santa_cruz"),  # another city
        ("gus", "es", "caregiver", "whatsapp", "el_alto"),
    )
    await subs.end("gus", "stop")  # no longer subscribed


# -- dry run -------------------------------------------------------------------------------------------------
async def test_a_dry_run_counts_the_segment_and_previews_each_language_and_sends_nothing(
    redis: Redis, namespace: str, subs: SqlSubscriptions, store: SqlBroadcasts, book: AddressBook, db_url: str
) -> None:
    await _el_alto(subs, book)
    code, out = await _cli(db_url, namespace, "broadcast", "--message", KEY, "--to", CAREGIVERS_EL_ALTO, "--dry-run")
    assert code == 0
    assert f"to {CAREGIVERS_EL_ALTO} (namespace {namespace}): 3 subscribers" in out
    assert "es — 2 subscribers" in out and "qu — 1 subscribers" in out and "ay — 0 subscribers" in out
    assert _t("es", KEY, "caregiver") in out and _t("qu", KEY, "caregiver") in out, "each language's text"
    assert _t("es", KEY, "young") not in out, "the caregivers' variant only"
    assert "no template: those recipients are skipped" in out, "the project has no WhatsApp template for it"
    assert out.rstrip().endswith("Dry run: nothing was sent.")
    assert await store.recent(namespace) == []
    assert await Outbox(redis, namespace, book).mailbox("whatsapp").size() == 0


# -- exactly once ----------------------------------------------------------------------------------------------
async def test_each_matching_subscriber_gets_it_once_with_two_schedulers_at_once(
    redis: Redis, namespace: str, subs: SqlSubscriptions, store: SqlBroadcasts, book: AddressBook
) -> None:
    people = [(f"u{n}", ("es", "qu", "ay")[n % 3], ("young", "caregiver")[n % 2], "telegram", None) for n in range(23)]
    await _people(subs, book, *people, ("w0", "es", "young", "whatsapp", None))  # not in the segment
    row = await _create(store, namespace, "channel=telegram")
    one = _runner(redis, namespace, store, book, batch=4)
    two = _runner(redis, namespace, store, book, batch=4)
    await asyncio.gather(one.advance(), two.advance(), one.advance(), two.advance())  # as two leaders would
    done = await _to_the_end(one, store, row.id)
    phone = _Phone()
    await OutboxWorker(redis, namespace, phone, book).run_once()
    assert phone.per_user() == Counter({f"u{n}": 1 for n in range(23)}), "each once, nobody else"
    texts = {user: message.text for user, message in phone.got}
    assert texts["u1"] == _t("qu", KEY, "caregiver") and texts["u2"] == _t("ay", KEY, "young")
    assert (done.state, done.total, done.queued, done.fallback_to_spanish) == ("done", 23, 23, 0)
    await one.advance()  # the scheduler copies the live counters into the row
    row_after = await store.get(row.id)
    assert row_after is not None and row_after.sent == 23


async def test_the_scheduler_leaders_tick_advances_a_due_broadcast_and_not_one_scheduled_later(
    redis: Redis, namespace: str, subs: SqlSubscriptions, store: SqlBroadcasts, book: AddressBook
) -> None:
    await _people(subs, book, ("ana", "es", "young", "telegram", None))
    now = [time.time()]
    runner = BroadcastRunner(
        redis, namespace, store, Outbox(redis, namespace, book), project_bundle, clock=lambda: now[0]
    )
    scheduler = TipScheduler(
        redis, namespace, subs, Outbox(redis, namespace, book), project_bundle, None, broadcasts=runner
    )
    later = await _create(store, namespace, "", at=now[0] + 3600)
    assert await scheduler.tick() == 0
    row = await store.get(later.id)
    assert row is not None and row.state == "scheduled"
    now[0] += 3601
    assert await scheduler.tick() == 1
    row = await store.get(later.id)
    assert row is not None and row.state == "done"


class _Killed(Exception):
    """A worker process dying (here: in the middle of a page)."""


class _DiesAfter(Outbox):
    def __init__(self, redis: Redis, namespace: str, book: AddressBook, pushes: int) -> None:
        super().__init__(redis, namespace, book)
        self.left = pushes

    async def enqueue_broadcast(
        self, channel: str, items: Sequence[tuple[str, Sequence[Outgoing]]], broadcast: int
    ) -> list[bool | None]:
        """Queues the first `pushes` recipients it is given, then dies."""
        done = await super().enqueue_broadcast(channel, items[: self.left], broadcast)
        self.left -= len(done)
        if len(done) < len(items):
            raise _Killed()
        return done


async def test_a_run_interrupted_mid_way_resumes_from_its_cursor_without_duplicates_or_gaps(
    redis: Redis,
    namespace: str,
    subs: SqlSubscriptions,
    store: SqlBroadcasts,
    book: AddressBook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _people(subs, book, *[(f"u{n}", "es", "young", "telegram", None) for n in range(25)])
    row = await _create(store, namespace, "lang=es")
    dying = _runner(redis, namespace, store, book, outbox=_DiesAfter(redis, namespace, book, 13), batch=10)
    with pytest.raises(_Killed):  # the first page is queued and recorded; the second dies after 3 of 10
        await dying.advance()
    mid = await store.get(row.id)
    assert mid is not None and mid.state == "sending" and mid.queued == 10

    real_advance = SqlBroadcasts.advance

    async def dies_before_the_cursor_moves(self: SqlBroadcasts, *args: Any) -> bool:
        monkeypatch.setattr(SqlBroadcasts, "advance", real_advance)
        raise _Killed()

    monkeypatch.setattr(SqlBroadcasts, "advance", dies_before_the_cursor_moves)
    with pytest.raises(_Killed):  # the whole second page is queued, then the worker dies before recording it
        await _runner(redis, namespace, store, book, batch=10).advance()

    done = await _to_the_end(_runner(redis, namespace, store, book, batch=10), store, row.id)
    phone = _Phone()
    await OutboxWorker(redis, namespace, phone, book).run_once()
    assert phone.per_user() == Counter({f"u{n}": 1 for n in range(25)})
    assert (done.state, done.total, done.queued, done.cursor) == ("done", 25, 25, mid.last_id)


class _DiesWhileSending(BaseException):
    """The process dies inside the platform call (no handler runs, the lease is left to expire)."""


class _Flaky(_Phone):
    """Answers a 5xx to the first try of each message; the process dies during the second one's call (after the
    platform took it); later calls go through."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def send(self, user_key: str, address: str, message: Outgoing) -> str | None:
        self.calls += 1
        if self.calls == 1:
            raise RetryLater("twilio 500", after=0)
        sid = await super().send(user_key, address, message)
        if self.calls == 2:
            raise _DiesWhileSending()
        return sid


async def test_a_worker_dying_while_sending_a_broadcast_message_does_not_send_it_twice(
    redis: Redis, namespace: str, subs: SqlSubscriptions, store: SqlBroadcasts, book: AddressBook
) -> None:
    await _people(subs, book, ("ana", "es", "young", "telegram", None), ("beto", "es", "young", "telegram", None))
    row = await _create(store, namespace, "")
    await _to_the_end(_runner(redis, namespace, store, book), store, row.id)
    phone = _Flaky()
    with pytest.raises(_DiesWhileSending):  # a 5xx for the first (retried), then death while sending it again
        await OutboxWorker(redis, namespace, phone, book, lease_ms=50).run_once()
    await asyncio.sleep(0.1)  # the dead worker's lease runs out
    await OutboxWorker(redis, namespace, phone, book, lease_ms=50).run_once()
    assert sorted(phone.per_user().items()) == [("ana", 1), ("beto", 1)], "nobody twice, nobody left out"
    assert await BroadcastCounters(redis, namespace).get(row.id) == {"sent": 1, "uncertain": 1}


class _DiesBeforeThePlatformHasIt(_Phone):
    """The process dies during the first call, before the platform took the message; it can say what it got."""

    def __init__(self) -> None:
        super().__init__()
        self.died = False

    async def send(self, user_key: str, address: str, message: Outgoing) -> str | None:
        if not self.died:
            self.died = True
            raise _DiesWhileSending()
        return await super().send(user_key, address, message)

    async def was_sent(self, user_key: str, address: str, message: Outgoing) -> bool | None:
        return user_key in self.per_user()


async def test_a_sender_that_can_tell_what_it_got_sends_a_message_caught_by_a_death_exactly_once(
    redis: Redis, namespace: str, subs: SqlSubscriptions, store: SqlBroadcasts, book: AddressBook
) -> None:
    await _people(subs, book, ("ana", "es", "young", "telegram", None))
    row = await _create(store, namespace, "")
    await _to_the_end(_runner(redis, namespace, store, book), store, row.id)
    phone = _DiesBeforeThePlatformHasIt()
    with pytest.raises(_DiesWhileSending):
        await OutboxWorker(redis, namespace, phone, book, lease_ms=50).run_once()
    await asyncio.sleep(0.1)  # the dead worker's lease runs out
    await OutboxWorker(redis, namespace, phone, book, lease_ms=50).run_once()
    assert phone.per_user() == Counter({"ana": 1}), "asked, the platform had not got it: sent once, not dropped"
    assert await BroadcastCounters(redis, namespace).get(row.id) == {"sent": 1}


async def test_cancel_stops_the_pages_and_drops_what_still_waits(
    redis: Redis,
    namespace: str,
    subs: SqlSubscriptions,
    store: SqlBroadcasts,
    book: AddressBook,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox_module, "CANCEL_CHECK_SECONDS", 0.0)  # a worker notices a cancel within a second
    await _people(subs, book, *[(f"u{n}", "es", "young", "telegram", None) for n in range(12)])
    row = await _create(store, namespace, "")
    runner = _runner(redis, namespace, store, book, batch=4, max_ahead=4)
    await runner.advance()  # one page waits in the outbox; the rest waits for the channel to catch up
    phone = _Phone()
    worker = OutboxWorker(redis, namespace, phone, book)
    await worker.run_once()
    await runner.advance()
    assert len(phone.got) == 4

    code, out = await _cli(db_url, namespace, "cancel", str(row.id))
    assert code == 0 and f"Broadcast #{row.id} cancelled" in out
    await worker.run_once()
    await runner.advance()
    await worker.run_once()
    assert len(phone.got) == 4, "nothing more went out"
    code, out = await _cli(db_url, namespace, "status", str(row.id))
    assert code == 0 and ": cancelled" in out and "queued 8" in out and "dropped when cancelled 4" in out
    code, out = await _cli(db_url, namespace, "cancel", str(row.id))
    assert code == 1 and "already cancelled" in out


async def test_a_missing_translation_goes_in_spanish_and_is_counted(
    redis: Redis, namespace: str, subs: SqlSubscriptions, store: SqlBroadcasts, book: AddressBook
) -> None:
    await _people(
        subs,
        book,
        ("ana", "es", "young", "telegram", None),
        ("cusi", "qu", "young", "telegram", None),
        ("mama", "ay", "young", "telegram", None),
    )
    row = await _create(store, namespace, "")
    bundle = _bundle(drop=("qu", KEY))
    done = await _to_the_end(_runner(redis, namespace, store, book, bundle), store, row.id)
    phone = _Phone()
    await OutboxWorker(redis, namespace, phone, book).run_once()
    assert dict((user, m.text) for user, m in phone.got) == {"ana": _t("es"), "cusi": _t("es"), "mama": _t("ay")}
    assert (done.queued, done.fallback_to_spanish) == (3, 1)

    out = io.StringIO()
    cli = campaign.Campaign(_settings("sqlite://"), namespace, out)
    cli.preview(bundle.catalog, KEY, Segment(), {"es": 1, "qu": 1, "ay": 1})
    assert "qu — 1 subscribers (no Runasimi text: they get the Spanish, counted as a fallback)" in out.getvalue()


# -- WhatsApp's 24-hour window -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def twilio_mock() -> Iterator[str]:
    with prism() as url:
        yield url


@pytest.fixture
async def twilio(twilio_mock: str, redis: Redis, namespace: str) -> AsyncIterator[tuple[TwilioSender, FaultProxy]]:
    fault = FaultProxy(twilio_mock)
    with serve(fault.app()) as url:
        sender = TwilioSender(
            make_client(ACCOUNT, TOKEN, url),
            redis,
            namespace,
            sender=SENDER,
            status_callback="https://bot.example/webhooks/twilio/status",
            rate=1000,
        )
        yield sender, fault
        await sender.aclose()


async def test_whatsapp_outside_the_window_sends_the_approved_template_and_without_one_skips_and_counts(
    redis: Redis,
    namespace: str,
    subs: SqlSubscriptions,
    store: SqlBroadcasts,
    book: AddressBook,
    twilio: tuple[TwilioSender, FaultProxy],
) -> None:
    sender, fault = twilio
    await _people(
        subs,
        book,
        ("open", "es", "caregiver", "whatsapp", None),
        ("closed", "es", "caregiver", "whatsapp", None),
        ("quechua", "qu", "caregiver", "whatsapp", None),
    )
    reach = Reach(redis, namespace)
    await reach.user_wrote("open")  # wrote an hour ago: inside the window; the others wrote days ago or never
    await redis.set(reach.key("closed", "last_in"), repr(time.time() - 25 * 3600))
    bundle = _bundle(templates={("es", KEY): SID_ES})  # a Spanish template only
    row = await _create(store, namespace, "channel=whatsapp")
    done = await _to_the_end(_runner(redis, namespace, store, book, bundle), store, row.id)
    await OutboxWorker(redis, namespace, sender, book).run_once()

    by_to = {form["To"]: form for form in fault.forwarded}
    assert len(fault.forwarded) == 3 and set(fault.answers) == {201}, "Prism accepted every request (Twilio's spec)"
    free = by_to["whatsapp:+59170000000"]
    assert free["Body"] == _t("es", KEY, "caregiver") and "ContentSid" not in free, "inside the window: the text"
    for to in ("whatsapp:+59170000001", "whatsapp:+59170000002"):  # the Quechua speaker gets the Spanish one
        assert fault_template(by_to[to]) == (SID_ES, {"1": _t("es", KEY, "caregiver")}) and "Body" not in by_to[to]
    assert (done.queued, done.skipped_no_template, done.fallback_to_spanish) == (3, 0, 1)

    second = await _create(store, namespace, "channel=whatsapp", key="weekly_tips.w3")  # no template at all
    done = await _to_the_end(_runner(redis, namespace, store, book, bundle), store, second.id)
    await OutboxWorker(redis, namespace, sender, book).run_once()
    assert (done.total, done.queued, done.skipped_no_template) == (3, 1, 2)
    assert len(fault.forwarded) == 4 and fault.forwarded[-1]["To"] == "whatsapp:+59170000000"


def fault_template(form: dict[str, str]) -> tuple[str, dict[str, str]]:
    return form.get("ContentSid", ""), json.loads(form.get("ContentVariables", "{}"))


async def test_a_weekly_tip_outside_the_window_carries_its_template_and_without_one_is_skipped(
    redis: Redis, namespace: str, subs: SqlSubscriptions, book: AddressBook
) -> None:
    await _people(subs, book, ("ana", "es", "young", "whatsapp", None), ("tele", "es", "young", "telegram", None))
    series = load_series(ROOT / "flows")
    assert series is not None
    now = [time.time() + 8 * 86400]  # a slot after the subscriptions; ana last wrote more than 24 h before it

    async def week(bundle: Bundle) -> tuple[list[tuple[str, Outgoing]], list[tuple[str, Outgoing]]]:
        scheduler = TipScheduler(
            redis, namespace, subs, Outbox(redis, namespace, book), lambda: bundle, series, clock=lambda: now[0]
        )
        await scheduler.send_due()
        whatsapp, telegram = _Phone("whatsapp"), _Phone("telegram")
        await OutboxWorker(redis, namespace, whatsapp, book).run_once()
        await OutboxWorker(redis, namespace, telegram, book).run_once()
        now[0] += 7 * 86400
        return whatsapp.got, telegram.got

    whatsapp, telegram = await week(project_bundle())  # the project has no template for week 1
    assert whatsapp == [] and [user for user, _ in telegram] == ["tele"], "ana is skipped: no template"
    whatsapp, telegram = await week(_bundle(templates={("es", "weekly_tips.w2"): SID_ES}))
    assert [user for user, _ in whatsapp] == ["ana"] and [user for user, _ in telegram] == ["tele"]
    tip = whatsapp[0][1]
    text = _t("es", "weekly_tips.w2", "young")
    assert tip.text.startswith(text) and len(tip.choices) == 2
    assert tip.template == Template(SID_ES, json.dumps({"1": text}, ensure_ascii=False))
    assert telegram[0][1].template is None, "Telegram has no window"


# -- status callbacks ----------------------------------------------------------------------------------------
async def test_twilio_status_callbacks_move_the_broadcasts_delivered_read_and_failed(
    redis: Redis, namespace: str, subs: SqlSubscriptions, store: SqlBroadcasts, book: AddressBook, db_url: str
) -> None:
    await _people(subs, book, *[(f"u{n}", "es", "young", "whatsapp", None) for n in range(4)])
    for n in range(4):
        await Reach(redis, namespace).user_wrote(f"u{n}")
    row = await _create(store, namespace, "")
    runner = _runner(redis, namespace, store, book)
    await _to_the_end(runner, store, row.id)
    phone = _Phone("whatsapp")
    await OutboxWorker(redis, namespace, phone, book).run_once()
    sids = [f"SM{n:032x}" for n in range(1, 5)]

    async def status(sid: str, value: str, code: str = "") -> None:
        await record_status(redis, namespace, {"MessageSid": sid, "MessageStatus": value, "ErrorCode": code})

    await status(sids[0], "delivered")
    await status(sids[0], "delivered")  # Twilio may call again: counted once
    await status(sids[0], "read")
    await status(sids[1], "read")  # a read receipt before its delivery receipt: delivered too
    await status(sids[2], "sent")
    await status(sids[3], "undelivered", "30008")
    await status("SM" + "f" * 32, "delivered")  # not a broadcast's message
    await runner.advance()
    synced = await store.get(row.id)
    assert synced is not None
    assert (synced.sent, synced.delivered, synced.read, synced.failed) == (4, 2, 2, 1)
    code, out = await _cli(db_url, namespace, "status", str(row.id))
    assert code == 0 and "sent 4  delivered 2  read 2  failed 1" in out


# -- the CLI ---------------------------------------------------------------------------------------------------
async def test_the_cli_asks_then_shows_progress_until_every_message_is_sent(
    redis: Redis,
    namespace: str,
    subs: SqlSubscriptions,
    store: SqlBroadcasts,
    book: AddressBook,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _people(subs, book, *[(f"u{n}", "es", "young", "telegram", None) for n in range(3)])
    code, out = await _cli(db_url, namespace, "broadcast", "--message", KEY, "--to", "lang=es", answer="n")
    assert code == 1 and out.rstrip().endswith("Not sent.") and await store.recent(namespace) == []

    monkeypatch.setattr(campaign, "POLL_SECONDS", 0.05)
    scheduler = TipScheduler(
        redis,
        namespace,
        subs,
        Outbox(redis, namespace, book),
        project_bundle,
        None,
        interval=0.05,
        broadcasts=_runner(redis, namespace, store, book),
    )
    phone = _Phone()

    async def send_forever() -> None:
        worker = OutboxWorker(redis, namespace, phone, book)
        while True:
            await worker.run_once()
            await asyncio.sleep(0.02)

    jobs = [asyncio.create_task(scheduler.run()), asyncio.create_task(send_forever())]
    try:
        code, out = await asyncio.wait_for(
            _cli(db_url, namespace, "broadcast", "--message", KEY, "--to", "lang=es", answer="y"), timeout=20
        )
    finally:
        for job in jobs:
            job.cancel()
        for job in jobs:
            with contextlib.suppress(asyncio.CancelledError):
                await job
    assert code == 0
    assert "sent 3/3" in out and ": done" in out and "total 3  queued 3  sent 3" in out
    assert phone.per_user() == Counter({"u0": 1, "u1": 1, "u2": 1})

    code, out = await _cli(db_url, namespace, "broadcast", "--message", KEY, "--at", "2099-12-01 18:00", "--yes")
    assert code == 0 and "scheduled at 2099-12-01 18:00 (La Paz time)" in out
    code, out = await _cli(db_url, namespace, "list")
    assert code == 0 and out.splitlines()[0].split()[1] == "scheduled" and "done" in out.splitlines()[1]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["broadcast", "--message", "no.such_key"], "unknown message key 'no.such_key'"),
        (["broadcast", "--message", "weekly_tip.w1"], "(did you mean 'weekly_tips.w1'?)"),
        (["broadcast", "--message", "about.quiz_result"], "needs {score}, {total}"),
        (["broadcast", "--message", KEY, "--to", "colour=red"], "unknown segment field 'colour'"),
        (["broadcast", "--message", KEY, "--to", "lang=fr"], "lang=fr is not known (use es, qu, ay)"),
        (["broadcast", "--message", KEY, "--to", "lang"], "'lang' is not field=value"),
        (["broadcast", "--message", KEY, "--at", "mañana"], "is not a date and time: write it as YYYY-MM-DD HH:MM"),
        (["broadcast", "--message", KEY, "--at", "2020-01-01 10:00"], "is in the past"),
        (["status", "999999"], "no broadcast #999999 in namespace"),
        (["broadcast", "--to", "lang=es"], "the following arguments are required: --message"),
        (["status", "seven"], "invalid int value: 'seven'"),
    ],
)
def test_bad_input_gets_one_clear_line_and_exit_code_2(
    argv: list[str], said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    try:
        code = campaign.main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert said in err and len(err.strip().splitlines()) == 1, err
