"""What an operator would notice when one message is poison, a platform rate-limits us, a WhatsApp
reply waits too long, or the workers stop: on the real Redis, with the outbox, the inbox and /healthz."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync
from redis.asyncio import Redis
from starlette.testclient import TestClient

from bot.app.runtime import Runtime
from bot.channels.telegram import TelegramSender, make_bot
from bot.config import load_settings
from bot.core.types import Outgoing
from bot.delivery.inbox import Inbound, Inbox, InboxWorker
from bot.delivery.mailbox import Mailbox, now_ms
from bot.delivery.outbox import Outbox, OutboxWorker, OutsideWindow, RetryLater, outbox_queue
from bot.store.addresses import AddressBook
from bot.store.keys import Keys
from bot.web.app import create_app
from tests.conftest import REDIS_URL, address_book, drop_namespace
from tests.doubles import BotApiError, TelegramDouble, serve
from tests.test_outbox import RecordingSender, run_until
from tests.test_telegram import SECRET, UPDATES


async def until(done: Callable[[], bool], timeout: float = 6.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


async def until_failed(outbox: Outbox, timeout: float = 6.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while not (failed := await outbox.failed()) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return failed


def rate_limited(after: float) -> RetryLater:
    return RetryLater("429", after=after, rate_limited=True, whole_sender=True)


class PoisonSender(RecordingSender):
    """Raises what nobody foresaw (a bug) for one user's messages; sends the others."""

    def __init__(self, poison_user: str) -> None:
        super().__init__()
        self.poison_user = poison_user

    async def send(self, user_key: str, address: str, message: Outgoing) -> None:
        if user_key == self.poison_user:
            raise ValueError(f"cannot handle {message.text!r} to {address}")
        await super().send(user_key, address, message)


@pytest.fixture
async def book(redis: Redis, namespace: str) -> AddressBook:
    return await address_book(redis, namespace, 5)


async def test_a_poison_message_is_dead_lettered_with_its_type_and_the_next_user_still_gets_theirs(
        redis: Redis, namespace: str, book: AddressBook, caplog: pytest.LogCaptureFixture) -> None:
    outbox = Outbox(redis, namespace, book)
    await outbox.enqueue("telegram", "u1", [Outgoing("secreto de u1")])
    await outbox.enqueue("telegram", "u2", [Outgoing("para u2")])
    sender = PoisonSender("u1")
    worker = OutboxWorker(redis, namespace, sender, book, max_attempts=2)
    caplog.set_level(logging.INFO)
    task = asyncio.create_task(worker.run(concurrency=2, idle=0.005))
    try:
        await until(lambda: bool(sender.sent))
        assert sender.texts() == ["para u2"], "the next user's message went out while u1's failed"
        failed = await until_failed(outbox)  # the retry comes after about a second, then the second failure
        assert [(f["user"], f["error"], f["attempts"]) for f in failed] == [("u1", "ValueError", 2)]
        assert "ValueError" in failed[0]["reason"]
        assert await outbox_queue(redis, namespace, "telegram").pending("u1") == [], "removed from the queue"
        await outbox.enqueue("telegram", "u2", [Outgoing("otra vez")])
        await until(lambda: len(sender.sent) == 2)
        assert sender.texts("u2") == ["para u2", "otra vez"]
        assert not task.done(), "the same loops went on"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    logged = caplog.text + json.dumps(failed)
    assert "secreto" not in logged and "1001" not in logged, "no text, no address in logs or records"


async def test_a_telegram_address_that_is_not_a_chat_id_is_recorded_not_fatal(
        redis: Redis, namespace: str) -> None:
    book = AddressBook(redis, namespace, "k")
    await book.put("bad", "telegram", "not-a-number")
    await book.put("good", "telegram", "555001")
    outbox = Outbox(redis, namespace, book)
    await outbox.enqueue("telegram", "bad", [Outgoing("hola")])
    await outbox.enqueue("telegram", "good", [Outgoing("hola")])
    double = TelegramDouble()
    with serve(double.app()) as url:
        sender = TelegramSender(make_bot(double.token, f"{url}/bot"), chat_rate=50)
        await sender.bot.initialize()
        worker = OutboxWorker(redis, namespace, sender, book, max_attempts=2)
        await run_until([worker], lambda: len(double.sent) == 1, concurrency=2)
        await sender.bot.shutdown()
    assert [m["chat_id"] for m in double.sent] in (["555001"], [555001])
    assert [f["reason"] for f in await outbox.failed()] == ["telegram: the address is not a chat id"]
    assert double.refused == []


async def test_a_burst_of_429s_costs_no_attempt_and_loses_nothing(redis: Redis, namespace: str,
                                                                  book: AddressBook) -> None:
    outbox = Outbox(redis, namespace, book)
    await outbox.enqueue("telegram", "u1", [Outgoing("uno"), Outgoing("dos")])
    sender = RecordingSender(fail=[rate_limited(0.05) for _ in range(6)] + [RetryLater("502", after=0.05)])
    worker = OutboxWorker(redis, namespace, sender, book, max_attempts=2)
    await run_until([worker], lambda: len(sender.sent) == 2, concurrency=2)
    assert sender.texts() == ["uno", "dos"], "six 429s and one 502 with max_attempts=2: delivered, in order"
    assert await outbox.failed() == []


async def test_a_429_pauses_every_user_of_the_sender(redis: Redis, namespace: str, book: AddressBook) -> None:
    outbox = Outbox(redis, namespace, book)
    await outbox.enqueue("telegram", "u1", [Outgoing("uno")])
    sender = RecordingSender(fail=[rate_limited(0.5)])
    worker = OutboxWorker(redis, namespace, sender, book)
    assert await worker.run_once() == 0
    await outbox.enqueue("telegram", "u2", [Outgoing("otro")])
    assert await worker.run_once() == 0, "the platform asked the whole bot to wait"
    await asyncio.sleep(0.55)
    await worker.run_once()
    assert sorted(sender.texts()) == ["otro", "uno"]


async def test_waiting_on_429s_is_capped_then_recorded(redis: Redis, namespace: str, book: AddressBook) -> None:
    outbox = Outbox(redis, namespace, book)
    await outbox.enqueue("telegram", "u1", [Outgoing("nunca")])
    sender = RecordingSender(fail=[rate_limited(0.06) for _ in range(10)])
    worker = OutboxWorker(redis, namespace, sender, book, max_rate_wait=0.1)
    await run_until([worker], lambda: False, concurrency=1, timeout=0.5)
    failed = await outbox.failed()
    assert len(failed) == 1 and failed[0]["reason"].startswith("rate-limited for more than")
    assert failed[0]["attempts"] == 0 and sender.sent == []


async def test_a_parked_whatsapp_reply_expires_and_is_recorded(redis: Redis, namespace: str,
                                                                book: AddressBook) -> None:
    outbox = Outbox(redis, namespace, book)
    await outbox.enqueue("whatsapp", "u1", [Outgoing("respuesta de la consejera")])
    await outbox.enqueue("whatsapp", "u2", [Outgoing("otra respuesta")])
    sender = RecordingSender(fail=[OutsideWindow(), OutsideWindow()])
    sender.channel = "whatsapp"
    worker = OutboxWorker(redis, namespace, sender, book, parked_ttl=0.3)
    await worker.run_once()
    mailbox = outbox_queue(redis, namespace, "whatsapp")
    assert await redis.pttl(mailbox.list_key("u1")) > 0, "Redis itself drops it even if no worker runs"
    assert await mailbox.unpark("u2"), "u2 wrote again in time"
    assert await redis.pttl(mailbox.list_key("u2")) == -1
    await asyncio.sleep(0.35)
    await worker.run_once()
    assert sender.texts() == ["otra respuesta"]
    assert not await redis.exists(mailbox.list_key("u1")) and await redis.zscore(mailbox.ready, "u1") is None
    failed = await outbox.failed()
    assert [(f["user"], f["expired"]) for f in failed] == [("u1", 1)]
    assert "did not write" in failed[0]["reason"]


async def test_a_slow_send_keeps_its_lease_and_is_not_sent_twice(redis: Redis, namespace: str,
                                                                 book: AddressBook) -> None:
    outbox = Outbox(redis, namespace, book)
    await outbox.enqueue("telegram", "u1", [Outgoing("lento")])
    slow = RecordingSender(delay=0.8)
    workers = [OutboxWorker(redis, namespace, slow, book, lease_ms=300) for _ in range(2)]
    await run_until(workers, lambda: False, concurrency=2, timeout=1.2)
    assert slow.texts() == ["lento"], "the lease (0.3 s) was renewed while the send took 0.8 s"


# -- the inbox -------------------------------------------------------------------------------------

async def test_a_poison_incoming_entry_is_dead_lettered_and_the_next_user_is_answered(runtime: Runtime) -> None:
    inbox = Inbox(runtime.redis, runtime.namespace, runtime.settings.user_key_pepper, runtime.addresses)
    await inbox.mailbox.push("poisoned-user", ["{not json"])
    assert await inbox.accept(Inbound("telegram", "9101", "p1", text="hola"))
    worker = InboxWorker(inbox, runtime.pipeline, max_attempts=2)
    user = inbox.user_key("telegram", "9101")
    replies = outbox_queue(runtime.redis, runtime.namespace, "telegram")
    task = asyncio.create_task(worker.run(concurrency=2, idle=0.01))
    try:
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline and not (await replies.pending(user) and await runtime.outbox.failed()
                                                   and not await inbox.mailbox.pending("poisoned-user")):
            await asyncio.sleep(0.05)  # dead-lettered, then removed: wait for both, not only the record
        assert not task.done(), "the loops survived the poison entry"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert await replies.pending(user), "the next user was answered"
    failed = await runtime.outbox.failed()
    assert [(f["user"], f["error"]) for f in failed] == [("poisoned-use", "JSONDecodeError")]
    assert await inbox.mailbox.pending("poisoned-user") == []


async def test_a_button_acknowledgement_does_not_hold_up_the_turn(runtime: Runtime) -> None:
    inbox = Inbox(runtime.redis, runtime.namespace, runtime.settings.user_key_pepper, runtime.addresses)
    await inbox.accept(Inbound("telegram", "9102", "b1", choice="lang:es", callback_id="cb-1"))
    answered: list[str] = []

    async def slow_bot_api(callback_id: str) -> None:
        await asyncio.sleep(1.0)
        answered.append(callback_id)

    worker = InboxWorker(inbox, runtime.pipeline, on_callback=slow_bot_api)
    started = time.monotonic()
    assert await worker.run_once() == 1
    assert time.monotonic() - started < 0.8, "the turn did not wait for answerCallbackQuery"
    await worker.callbacks_answered()
    assert answered == ["cb-1"]


# -- /healthz --------------------------------------------------------------------------------------

@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    ns = f"test:{secrets.token_hex(6)}"
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'h.db'}", redis_url=REDIS_URL, rasa_url=None,
                             run_workers=False, worker_stall_seconds=5)
    with TestClient(create_app(settings, namespace=ns)) as client:
        yield client, ns
    drop_namespace(ns)


def test_healthz_turns_503_when_a_queue_has_work_and_no_worker_progresses(web: tuple[TestClient, str]) -> None:
    client, ns = web
    first = client.get("/healthz")
    assert first.status_code == 200
    assert set(first.json()["queues"]) == {"inbox", "simulator"}
    plain = redis_sync.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        inq = Keys(ns).queue("in")
        plain.rpush(inq.list("someone"), "{}")
        plain.zadd(inq.ready, {"someone": now_ms() - 30_000})  # waiting for 30 s
        stalled = client.get("/healthz")
        assert stalled.status_code == 503
        inbox = stalled.json()["queues"]["inbox"]
        assert inbox["stalled"] is True and inbox["oldest_waiting_seconds"] >= 29
        assert inbox["last_progress_seconds"] is None, "no worker ever ran"
        plain.set(inq.alive, now_ms() - 1000)  # a worker is busy and progressing
        busy = client.get("/healthz")
        assert busy.status_code == 200 and busy.json()["queues"]["inbox"]["last_progress_seconds"] < 5
        plain.set(inq.alive, now_ms() - 60_000)  # the workers stopped a minute ago
        assert client.get("/healthz").status_code == 503
    finally:
        plain.close()


def test_healthz_shows_the_workers_progressing(tmp_path: Path) -> None:
    ns = f"test:{secrets.token_hex(6)}"
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'h.db'}", redis_url=REDIS_URL, rasa_url=None)
    try:
        with TestClient(create_app(settings, namespace=ns)) as client:
            deadline = time.monotonic() + 5
            queues: dict[str, Any] = {}
            while time.monotonic() < deadline:
                response = client.get("/healthz")
                queues = response.json()["queues"]
                if all(q["last_progress_seconds"] is not None for q in queues.values()):
                    break
                time.sleep(0.1)
            assert response.status_code == 200
            assert all(q["last_progress_seconds"] < 5 and not q["stalled"] for q in queues.values())
    finally:
        drop_namespace(ns)


async def test_a_mailbox_beat_is_written_at_most_once_a_second(redis: Redis, namespace: str) -> None:
    mailbox = Mailbox(redis, namespace, "in")
    await mailbox.beat()
    first = await redis.get(mailbox.alive)
    await mailbox.beat()
    assert await redis.get(mailbox.alive) == first


def test_telegram_429s_with_retry_after_do_not_spend_the_only_attempt(tmp_path: Path) -> None:
    """Through the real app and the Bot API double: OUTBOX_MAX_ATTEMPTS=1 and two 429s in a row."""
    double = TelegramDouble()
    double.script = [BotApiError(429, "Too Many Requests: retry after 1", retry_after=1) for _ in range(2)]
    ns = f"test:{secrets.token_hex(6)}"
    with serve(double.app()) as url:
        settings = load_settings(database_url=f"sqlite:///{tmp_path / 'tg.db'}", redis_url=REDIS_URL, rasa_url=None,
                                 telegram_token=double.token, telegram_webhook_secret=SECRET,
                                 telegram_api_base=f"{url}/bot", telegram_chat_rate=50.0, outbox_max_attempts=1)
        try:
            with TestClient(create_app(settings, namespace=ns)) as client:
                response = client.post("/webhooks/telegram", content=json.dumps(UPDATES["text"]),
                                       headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                assert response.status_code == 200
                sent = double.wait_for(1, timeout=15)
                assert len(sent) == 1 and "idioma" in sent[0]["text"], "delivered after two 429s"
                records = client.portal.call(client.app.state.runtime.outbox.failed)  # type: ignore[attr-defined]
                assert records == []
        finally:
            drop_namespace(ns)
