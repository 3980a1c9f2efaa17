"""Weekly tips (issue 16, items 1–2): opt-in in the conversation in es/qu/ay, the subscription in the
relational database (SQLite and PostgreSQL), STOP / BAJA / the button / delete / Twilio 21610 ending it, the
scheduler queueing each due tip once (two schedulers at once) with one leader that hands over, and
`content check` on the series file. Real Redis; real databases through the `db_url` fixture."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from bot.app.scheduler import TipScheduler
from bot.core.effects import Subscribe
from bot.core.types import Outgoing
from bot.delivery.outbox import Outbox, OutboxWorker, Pace, Undeliverable
from bot.dialog.check import run_check
from bot.flows.series import SERIES_FILE, load_series
from bot.store.addresses import AddressBook
from bot.store.subscriptions import SqlSubscriptions
from tests.chat import FROZEN_TIME, Chat, chat, payload_of, project_bundle, texts, titles

ROOT = Path(__file__).resolve().parent.parent
LA_PAZ = ZoneInfo("America/La_Paz")


@pytest.fixture
def subs(db_url: str) -> Iterator[SqlSubscriptions]:
    store = SqlSubscriptions.for_url(db_url)
    yield store
    store.close()


def _t(lang: str, key: str, audience: str = "young") -> str:
    return project_bundle().catalog.text(lang, key, audience=audience)


async def _to_consent(c: Chat, user: str, lang: str, audience: str = "young") -> dict[str, Any]:
    """Choose the language and audience, then "Un consejo por semana" from the main menu."""
    await c.send(user, "hola")
    r = await c.send(user, choice=f"lang:{lang}")
    r = await c.send(user, choice=payload_of(r, _t(lang, f"main.audience_{audience}")))
    assert _t(lang, "weekly.title", audience) in titles(r), "the main menu offers the weekly tips"
    return await c.send(user, choice=payload_of(r, _t(lang, "weekly.title", audience)))


@pytest.mark.parametrize("lang", ["es", "qu", "ay"])
async def test_saying_yes_subscribes_in_the_users_language_and_the_city_is_one_optional_tap(
        redis: Redis, namespace: str, subs: SqlSubscriptions, lang: str) -> None:
    async with chat(redis, namespace, subscriptions=subs) as c:
        r = await _to_consent(c, "ana", lang)
        consent = texts(r)[-1]
        assert consent == _t(lang, "weekly.consent")
        for said in ("STOP", "BAJA", "19:00", "8"):  # how to stop, when, how long
            assert said in consent
        assert titles(r) == [_t(lang, "common.yes"), _t(lang, "common.no")]
        assert await subs.get(Chat.key("ana")) is None, "nothing is recorded before the yes"

        r = await c.send("ana", choice=payload_of(r, _t(lang, "common.yes")))
        assert texts(r)[0] == _t(lang, "weekly.subscribed")
        assert texts(r)[1] == _t(lang, "weekly.ask_city")
        assert _t(lang, "weekly.city_el_alto") in titles(r) and _t(lang, "weekly.city_skip") in titles(r)
        row = await subs.get(Chat.key("ana"))
        assert row is not None and row.ended_at is None
        assert (row.lang, row.audience, row.channel, row.city) == (lang, "young", "simulator", None)
        assert row.consent_at.replace(tzinfo=dt.UTC).timestamp() == FROZEN_TIME
        assert row.text_version.startswith("weekly.consent@") and len(row.text_version) == len("weekly.consent@") + 12

        r = await c.send("ana", choice=payload_of(r, _t(lang, "weekly.city_el_alto")))
        assert texts(r) == [_t(lang, "weekly.done")]
        row = await subs.get(Chat.key("ana"))
        assert row is not None and row.city == "el_alto" and row.ended_at is None


@pytest.mark.parametrize("lang", ["es", "qu", "ay"])
async def test_saying_no_records_nothing(redis: Redis, namespace: str, subs: SqlSubscriptions, lang: str) -> None:
    async with chat(redis, namespace, subscriptions=subs) as c:
        r = await _to_consent(c, "beto", lang)
        r = await c.send("beto", choice=payload_of(r, _t(lang, "common.no")))
        assert texts(r) == [_t(lang, "weekly.declined")]
        assert await subs.get(Chat.key("beto")) is None


async def test_only_the_young_are_told_a_caregiver_may_hear_of_the_campaign(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        young = texts(await _to_consent(c, "y", "es", "young"))[-1]
        caregiver = texts(await _to_consent(c, "c", "es", "caregiver"))[-1]
    assert "menos de 18 años" in young and "a quien te cuida" in young
    assert "18" not in caregiver and "su hija o hijo" in caregiver


@pytest.mark.parametrize("word", ["STOP", "baja"])
async def test_stop_or_baja_ends_the_subscription_at_once(redis: Redis, namespace: str, subs: SqlSubscriptions,
                                                          word: str) -> None:
    async with chat(redis, namespace, subscriptions=subs) as c:
        r = await _to_consent(c, "caro", "es")
        await c.send("caro", choice=payload_of(r, "Sí"))
        r = await c.send("caro", word)
        assert texts(r) == [_t("es", "common.stopped")]
        row = await subs.get(Chat.key("caro"))
        assert row is not None and row.ended_at is not None and row.end_reason == "stop"
        # back in the menu, the offer is the consent again (not "you already get them")
        r = await c.send("caro", "menu")
        r = await c.send("caro", choice=payload_of(r, "Un consejo por semana"))
        assert texts(r)[-1] == _t("es", "weekly.consent")


async def test_the_tips_button_and_delete_my_data_end_it_too(redis: Redis, namespace: str,
                                                             subs: SqlSubscriptions) -> None:
    async with chat(redis, namespace, subscriptions=subs) as c:
        r = await _to_consent(c, "dani", "es")
        await c.send("dani", choice=payload_of(r, "Sí"))
        r = await c.send("dani", choice="sys:open:weekly_stop")  # "No más consejos" under a tip
        assert texts(r)[0] == _t("es", "weekly.stopped")
        row = await subs.get(Chat.key("dani"))
        assert row is not None and row.end_reason == "asked"

        r = await _to_consent(c, "eva", "es")
        await c.send("eva", choice=payload_of(r, "Sí"))
        r = await c.send("eva", "borrar mis datos")
        await c.send("eva", choice=payload_of(r, "Sí"))
        assert await subs.get(Chat.key("eva")) is None, "delete my data removes the row"


async def test_a_tips_button_opens_its_module_even_though_the_tip_came_unasked(redis: Redis, namespace: str) -> None:
    async with chat(redis, namespace) as c:
        await _to_consent(c, "fer", "es")
        r = await c.send("fer", choice="sys:open:grooming")
        assert texts(r)[0] == _t("es", "grooming.intro")


class _OptedOut:
    """A WhatsApp sender whose platform answers 21610 (the user opted out there)."""

    channel = "whatsapp"
    paces: tuple[Pace, ...] = ()

    async def send(self, user_key: str, address: str, message: Outgoing) -> None:
        raise Undeliverable("whatsapp: 21610 Attempt to send to unsubscribed recipient", opted_out=True)


async def test_twilio_21610_ends_the_subscription(redis: Redis, namespace: str, subs: SqlSubscriptions) -> None:
    await subs.subscribe(Subscribe("gus", "es", "young", "whatsapp", None, FROZEN_TIME, "weekly.consent@x"))
    book = AddressBook(redis, namespace, "k")
    await book.put("gus", "whatsapp", "+59170000000")
    await Outbox(redis, namespace, book).enqueue("whatsapp", "gus", [Outgoing("hola")])
    await OutboxWorker(redis, namespace, _OptedOut(), book, subscriptions=subs).run_once()
    row = await subs.get("gus")
    assert row is not None and row.end_reason == "opted_out"


# -- the scheduler -----------------------------------------------------------------------------------------
class _Recorder:
    channel = "telegram"
    paces: tuple[Pace, ...] = ()

    def __init__(self) -> None:
        self.sent: list[tuple[str, Outgoing]] = []

    async def send(self, user_key: str, address: str, message: Outgoing) -> None:
        self.sent.append((user_key, message))


def _monday_19h(weeks_later: int = 0) -> float:
    """A Monday 19:05 in La Paz (the series' slot plus five minutes)."""
    return dt.datetime(2026, 11, 30, 19, 5, tzinfo=LA_PAZ).timestamp() + weeks_later * 7 * 86400


def _scheduler(redis: Redis, namespace: str, subs: SqlSubscriptions, book: AddressBook, now: list[float], *,
               interval: float = 30.0, lock_ttl: float = 30.0) -> TipScheduler:
    series = load_series(ROOT / "flows")
    assert series is not None
    return TipScheduler(redis, namespace, subs, Outbox(redis, namespace, book), project_bundle, series,
                        clock=lambda: now[0], interval=interval, lock_ttl=lock_ttl)


async def test_a_due_tip_reaches_a_subscriber_once_even_with_two_schedulers(redis: Redis, namespace: str,
                                                                            subs: SqlSubscriptions) -> None:
    book = AddressBook(redis, namespace, "k")
    await book.put("hana", "telegram", "1001")
    await book.put("ines", "telegram", "1002")
    before = _monday_19h() - 3 * 86400  # subscribed on the Friday before
    await subs.subscribe(Subscribe("hana", "es", "young", "telegram", "el_alto", before, "weekly.consent@x"))
    await subs.subscribe(Subscribe("ines", "es", "caregiver", "telegram", None, _monday_19h() - 60,
                                   "weekly.consent@x"))  # after the slot: her first tip is next week
    now = [_monday_19h()]
    one, two = _scheduler(redis, namespace, subs, book, now), _scheduler(redis, namespace, subs, book, now)
    # both at once, twice, without the lock (as when a paused leader's lock expired), then through it
    await asyncio.gather(one.send_due(), two.send_due(), one.send_due(), two.send_due())
    await asyncio.gather(one.tick(), two.tick())
    sender = _Recorder()
    await OutboxWorker(redis, namespace, sender, book).run_once()
    assert [user for user, _ in sender.sent] == ["hana"]
    tip = sender.sent[0][1]
    assert tip.text == _t("es", "weekly_tips.w1")
    assert [(c.title, c.payload) for c in tip.choices] == [("Saber más", "sys:open:grooming"),
                                                            ("No más consejos", "sys:open:weekly_stop")]

    now[0] = _monday_19h(1)  # a week later: week 2 for hana, week 1 for ines (her caregiver text)
    await asyncio.gather(one.send_due(), two.send_due())
    sender.sent.clear()
    await OutboxWorker(redis, namespace, sender, book).run_once()
    assert sorted((u, m.text) for u, m in sender.sent) == [("hana", _t("es", "weekly_tips.w2")),
                                                           ("ines", _t("es", "weekly_tips.w1", "caregiver"))]
    row = await subs.get("hana")
    assert row is not None and row.tips_sent == 2

    await subs.end("hana", "stop")  # an ended subscription gets nothing more
    now[0] = _monday_19h(2)
    await one.send_due()
    sender.sent.clear()
    await OutboxWorker(redis, namespace, sender, book).run_once()
    assert [u for u, _ in sender.sent] == ["ines"]


async def _until(condition: Any, seconds: float = 3.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def test_one_leader_at_a_time_and_the_lock_moves_when_the_leader_stops_or_dies(redis: Redis,
                                                                                   namespace: str) -> None:
    subs = SqlSubscriptions.for_url("sqlite://")  # no table: ticks fail and are logged; leadership still works
    try:
        await _leadership(redis, namespace, subs)
    finally:
        subs.close()


async def _leadership(redis: Redis, namespace: str, subs: SqlSubscriptions) -> None:
    book = AddressBook(redis, namespace, "k")
    now = [_monday_19h()]
    a = _scheduler(redis, namespace, subs, book, now, interval=0.05, lock_ttl=0.4)
    b = _scheduler(redis, namespace, subs, book, now, interval=0.05, lock_ttl=0.4)
    task_a = asyncio.create_task(a.run())
    await _until(lambda: a.leading)
    task_b = asyncio.create_task(b.run())
    await asyncio.sleep(0.6)  # longer than the lock's expiry: the leader keeps renewing it
    assert a.leading and not b.leading
    task_a.cancel()  # stops: releases the lock
    with contextlib.suppress(asyncio.CancelledError):
        await task_a
    await _until(lambda: b.leading, seconds=0.5)  # well before the lock would have expired

    c = _scheduler(redis, namespace, subs, book, now, interval=0.05, lock_ttl=0.4)
    task_b.cancel()  # b "dies" holding the lock: stopped, then its lock taken again and never renewed
    with contextlib.suppress(asyncio.CancelledError):
        await task_b
    assert await b.lock.hold()  # the dead leader's lock, left to expire
    task_c = asyncio.create_task(c.run())
    await asyncio.sleep(0.15)
    assert not c.leading, "the lock still belongs to the dead leader"
    await _until(lambda: c.leading, seconds=1.5)  # taken over once it expired
    task_c.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task_c


def test_content_check_names_file_and_line_of_a_tip_with_a_missing_text(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    series = flows / SERIES_FILE
    lines = series.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if "weekly_tips.w3, open: job_offers" in line)
    lines[at] = lines[at].replace("weekly_tips.w3", "weekly_tips.nowhere")
    series.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run_check(ROOT / "content", flows, strict=True) == 1
    out = capsys.readouterr().out
    assert f"{series}:{at + 1}: error: week 3, young: the text 'weekly_tips.nowhere' is missing in es" in out

    lines[at] = lines[at].replace("weekly_tips.nowhere", "weekly_tips.w3").replace("job_offers", "no_such_module")
    series.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run_check(ROOT / "content", flows) == 1
    assert f"{series}:{at + 1}: error: week 3, young: the module 'no_such_module' does not exist" in \
        capsys.readouterr().out


def test_the_project_series_checks_clean_and_has_eight_weeks(capsys: pytest.CaptureFixture[str]) -> None:
    series = load_series(ROOT / "flows")
    assert series is not None and len(series.weeks) >= 8
    assert (series.day, series.hour, series.timezone) == (0, 19, "America/La_Paz")
    # the slot is the local Monday 19:00, whatever the server's zone: 23:00 UTC
    slot, at = series.slot(_monday_19h())
    assert slot == "2026-11-30" and dt.datetime.fromtimestamp(at, dt.UTC).hour == 23
    assert series.slot(_monday_19h() - 10 * 60)[0] == "2026-11-23", "before 19:00 it is still last week's slot"
    assert run_check(ROOT / "content", ROOT / "flows", strict=True) == 0
    assert "OK" in capsys.readouterr().out
