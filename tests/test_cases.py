"""The case workflow (bot/app/cases.py) on real Redis and both databases: one record per action,
a repeated or retried close tells the user once and writes the outcome once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from bot.app.cases import CaseError, CaseService
from bot.core.types import Incoming
from bot.delivery.outbox import Outbox
from bot.handoff.service import RedisHandoff
from bot.store.addresses import AddressBook
from bot.store.db import Store, make_engine


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    supervisor: bool = False


@pytest.fixture
async def service(redis: Redis, namespace: str, db_url: str) -> AsyncIterator[tuple[CaseService, Store]]:
    store = Store(make_engine(db_url))
    book = AddressBook(redis, namespace, "k")
    await book.put("u1", "telegram", "1001")
    handoff = RedisHandoff(redis, namespace)
    yield CaseService(handoff, Outbox(redis, namespace, book), store, lambda lang, key: f"[{lang}] {key}"), store
    store.engine.dispose()


async def _queued(redis: Redis, namespace: str) -> int:
    return sum([await redis.llen(key) async for key in redis.scan_iter(match=f"{namespace}:mq:*:u:u1")])


async def test_a_double_close_tells_the_user_once_and_records_one_outcome(
        service: tuple[CaseService, Store], redis: Redis, namespace: str) -> None:
    cases, store = service
    ana = Staff(store.add_counselor("ana", "Ana", "hash", "counselor").id, "ana")
    info, _ = await cases.handoff.open_ticket(Incoming("telegram", "1001", "u1", "m1", text="persona"), lang="es",
                                              priority="normal", category=None, trigger=None)
    ticket = await cases.claim(info.ticket, ana)
    await cases.reply(ticket, ana, "hola, soy Ana")
    await cases.close(ticket, ana, outcome="information_given", note="dudas sobre privacidad")
    with pytest.raises(CaseError) as again:
        await cases.close(ticket, ana, outcome="information_given")
    assert again.value.key == "err.changed"
    assert await _queued(redis, namespace) == 2, "the reply and one 'the person finished' message"
    case = store.case(ticket.id)
    assert case is not None and case.outcome == "information_given" and case.note == "dudas sobre privacidad"
    assert [e.action for e in store.audit_entries(ticket.id)] == ["claim", "reply", "close"]


async def test_a_close_retried_after_the_database_failed_completes_the_record(
        service: tuple[CaseService, Store], redis: Redis, namespace: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cases, store = service
    ana = Staff(store.add_counselor("ana", "Ana", "hash", "counselor").id, "ana")
    info, _ = await cases.handoff.open_ticket(Incoming("telegram", "1001", "u1", "m1", text="persona"), lang="es",
                                              priority="normal", category=None, trigger=None)
    ticket = await cases.claim(info.ticket, ana)
    finish = store.finish_case

    def database_down(*args: object) -> bool:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(store, "finish_case", database_down)
    with pytest.raises(ConnectionError):
        await cases.close(ticket, ana, outcome="referred_defensoria")
    monkeypatch.setattr(store, "finish_case", finish)
    await cases.close(ticket, ana, outcome="referred_defensoria")  # the counselor presses close again
    case = store.case(ticket.id)
    assert case is not None and case.outcome == "referred_defensoria" and case.closed_at is not None
    assert await _queued(redis, namespace) == 1, "the user was told once"


async def test_an_urgent_case_is_not_handed_back_before_a_reply(service: tuple[CaseService, Store]) -> None:
    cases, store = service
    ana = Staff(store.add_counselor("ana", "Ana", "hash", "counselor").id, "ana")
    info, _ = await cases.handoff.open_ticket(Incoming("telegram", "1001", "u1", "m1", text="me pegan"), lang="es",
                                              priority="urgent", category="violence", trigger="me pegan")
    ticket = await cases.claim(info.ticket, ana)
    with pytest.raises(CaseError) as refused:
        await cases.close(ticket, ana, outcome="referred_defensoria", handback=True)
    assert refused.value.key == "err.urgent_handback"
    with pytest.raises(CaseError) as no_outcome:
        await cases.close(ticket, ana, outcome="")
    assert no_outcome.value.key == "err.outcome"
