"""The outbox on the real Redis: once and in order per user, across workers and crashes; retries
and back-off; rates held across processes; blocked, opted-out and out-of-window users."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable

import pytest
from redis.asyncio import Redis

from bot.core.types import Choice, Outgoing
from bot.delivery.mailbox import PARKED, Claimed
from bot.delivery.outbox import (
    Outbox,
    OutboxWorker,
    OutsideWindow,
    Pace,
    RetryLater,
    SimulatorSender,
    Undeliverable,
    outbox_queue,
)
from bot.store.addresses import AddressBook
from bot.store.keys import Keys
from tests.conftest import address_book


class RecordingSender:
    """Test double: records what was sent and when; can fail a number of times first."""

    channel = "telegram"

    def __init__(self, fail: list[Exception] | None = None, paces: tuple[Pace, ...] = (),
                 delay: float = 0.0) -> None:
        self.sent: list[tuple[str, str, Outgoing, float]] = []
        self.fail = list(fail or [])
        self.paces = paces
        self.delay = delay

    async def send(self, user_key: str, address: str, message: Outgoing) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append((user_key, address, message, time.monotonic()))

    def texts(self, user: str | None = None) -> list[str]:
        return [m.text for u, _, m, _ in self.sent if user is None or u == user]


async def run_until(workers: list[OutboxWorker], done: Callable[[], bool], *, concurrency: int,
                    timeout: float = 6.0) -> None:
    """Run the workers side by side (as separate processes would) until `done()` or the timeout."""
    tasks = [asyncio.create_task(w.run(concurrency=concurrency, idle=0.005)) for w in workers]
    try:
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@pytest.fixture
async def book(redis: Redis, namespace: str) -> AddressBook:
    return await address_book(redis, namespace, 40)


async def test_messages_are_delivered_once_in_order_with_the_address(redis: Redis, namespace: str,
                                                                      book: AddressBook) -> None:
    await Outbox(redis, namespace, book).enqueue("telegram", "u1",
                                                 [Outgoing("uno"), Outgoing("dos", (Choice("A", "a"),))])
    sender = RecordingSender()
    worker = OutboxWorker(redis, namespace, sender, book)
    assert await worker.run_once() == 2
    assert await worker.run_once() == 0
    assert [(u, a, m.text) for u, a, m, _ in sender.sent] == [("u1", "1001", "uno"), ("u1", "1001", "dos")]
    assert sender.sent[1][2].choices == (Choice("A", "a"),)


async def test_a_long_message_is_split_for_the_channel_when_queued(redis: Redis, namespace: str,
                                                                   book: AddressBook) -> None:
    paragraphs = "\n\n".join(f"Párrafo {n}: " + "palabra " * 60 for n in range(12))  # ~6,000 characters
    await Outbox(redis, namespace, book).enqueue("whatsapp", "u1", [Outgoing(paragraphs, (Choice("Sí", "y"),))])
    sender = RecordingSender()
    sender.channel = "whatsapp"
    await OutboxWorker(redis, namespace, sender, book).run_once()
    assert len(sender.sent) >= 4 and all(len(m.text) <= 1600 for _, _, m, _ in sender.sent)
    assert sender.sent[-1][2].text.endswith("1. Sí"), "choices are numbered on the last part"
    assert "".join(sender.texts()).replace("\n", "").replace(" ", "") .startswith("Párrafo0:")


async def test_a_message_a_crashed_worker_took_is_delivered_once_by_another(redis: Redis, namespace: str,
                                                                             book: AddressBook) -> None:
    await Outbox(redis, namespace, book).enqueue("telegram", "u1", [Outgoing("hola"), Outgoing("¿cómo estás?")])
    mailbox = outbox_queue(redis, namespace, "telegram")
    taken = await mailbox.claim("crashed-worker", lease_ms=300)  # claims the head, then "dies"
    assert isinstance(taken, Claimed)
    survivor_sender = RecordingSender()
    survivor = OutboxWorker(redis, namespace, survivor_sender, book)
    assert await survivor.run_once() == 0, "the user is leased: nobody else sends out of order"
    await asyncio.sleep(0.35)
    assert await survivor.run_once() == 2
    assert survivor_sender.texts() == ["hola", "¿cómo estás?"]
    assert await mailbox.ack(taken) is False, "the dead worker's late acknowledgement changes nothing"
    assert await survivor.run_once() == 0


async def test_order_per_user_holds_with_several_workers(redis: Redis, namespace: str, book: AddressBook) -> None:
    outbox = Outbox(redis, namespace, book)
    for n in range(15):
        for user in ("u1", "u2", "u3"):
            await outbox.enqueue("telegram", user, [Outgoing(f"{user}-{n}")])
    sender = RecordingSender(delay=0.002)
    workers = [OutboxWorker(redis, namespace, sender, book) for _ in range(3)]
    await run_until(workers, lambda: len(sender.sent) == 45, concurrency=3)
    for user in ("u1", "u2", "u3"):
        assert sender.texts(user) == [f"{user}-{n}" for n in range(15)]


async def test_a_429_waits_the_time_the_platform_asked_and_a_5xx_backs_off(redis: Redis, namespace: str,
                                                                         book: AddressBook) -> None:
    outbox = Outbox(redis, namespace, book)
    await outbox.enqueue("telegram", "u1", [Outgoing("primero"), Outgoing("segundo")])
    await outbox.enqueue("telegram", "u2", [Outgoing("otro usuario")])
    sender = RecordingSender(fail=[RetryLater("telegram 429", after=0.3)])
    worker = OutboxWorker(redis, namespace, sender, book)
    await worker.run_once()
    assert sender.texts() == ["otro usuario"], "u1 waits; u2 is not held up behind u1"
    await asyncio.sleep(0.35)
    await worker.run_once()
    assert sender.texts("u1") == ["primero", "segundo"]

    await outbox.enqueue("telegram", "u3", [Outgoing("tras un 500")])
    sender.fail = [RetryLater("twilio 500")]
    before = time.time()
    await worker.run_once()
    due = await redis.zscore(outbox_queue(redis, namespace, "telegram").ready, "u3")
    assert due is not None and due / 1000 - before >= 0.7, "the first retry waits about a second"


async def test_after_the_last_attempt_the_failure_is_recorded_for_supervisors(redis: Redis, namespace: str,
                                                                           book: AddressBook) -> None:
    outbox = Outbox(redis, namespace, book)
    await outbox.enqueue("telegram", "u2", [Outgoing("nunca llega")])
    sender = RecordingSender(fail=[RetryLater("500", after=0)] * 3)
    worker = OutboxWorker(redis, namespace, sender, book, max_attempts=3)
    for _ in range(3):
        await worker.run_once()
    failed = await outbox.failed()
    assert [(f["user"], f["attempts"]) for f in failed] == [("u2", 3)]
    assert "nunca" not in json.dumps(failed) and "1002" not in json.dumps(failed), "no text, no address"
    assert await outbox_queue(redis, namespace, "telegram").pending("u2") == []


async def test_rates_hold_across_workers(redis: Redis, namespace: str, book: AddressBook) -> None:
    outbox = Outbox(redis, namespace, book)
    for n in range(20):
        await outbox.enqueue("telegram", f"u{n}", [Outgoing(f"m{n}")])
    await outbox.enqueue("telegram", "u30", [Outgoing("a"), Outgoing("b"), Outgoing("c")])
    paces = (Pace("chat", 5.0, per_user=True), Pace("global", 20.0))
    senders = [RecordingSender(paces=paces), RecordingSender(paces=paces)]
    await run_until([OutboxWorker(redis, namespace, s, book) for s in senders],
                    lambda: sum(len(s.sent) for s in senders) == 23, concurrency=4)
    times = sorted(t for s in senders for *_, t in s.sent)
    assert len(times) == 23
    for i in range(len(times) - 20):
        assert times[i + 20] - times[i] >= 0.95, "never more than 20 in any second, across both workers"
    chat = sorted(t for s in senders for u, _, _, t in s.sent if u == "u30")
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(chat)), "one chat: at most 5 per second"


async def test_blocked_and_opted_out_users_get_nothing_more(redis: Redis, namespace: str, book: AddressBook) -> None:
    outbox = Outbox(redis, namespace, book)
    await outbox.enqueue("telegram", "u1", [Outgoing("uno"), Outgoing("dos")])
    sender = RecordingSender(fail=[Undeliverable("blocked", blocked=True)])
    worker = OutboxWorker(redis, namespace, sender, book)
    await worker.run_once()
    assert sender.texts() == [] and await redis.exists(Keys(namespace).user("u1", "inactive"))
    assert len(await outbox.failed()) == 2

    await outbox.enqueue("telegram", "u2", [Outgoing("antes de STOP")])
    await redis.set(Keys(namespace).user("u2", "optout"), repr(time.time()))
    await outbox.enqueue("telegram", "u2", [Outgoing("después de STOP")])
    await worker.run_once()
    assert sender.texts("u2") == ["antes de STOP"], "the confirmation queued before STOP still goes"


async def test_outside_the_window_messages_wait_until_the_user_writes(redis: Redis, namespace: str,
                                                                     book: AddressBook) -> None:
    outbox = Outbox(redis, namespace, book)
    await outbox.enqueue("telegram", "u1", [Outgoing("respuesta de la consejera")])
    sender = RecordingSender(fail=[OutsideWindow()])
    worker = OutboxWorker(redis, namespace, sender, book)
    await worker.run_once()
    mailbox = outbox_queue(redis, namespace, "telegram")
    assert await redis.zscore(mailbox.ready, "u1") == PARKED
    assert await worker.run_once() == 0
    assert await mailbox.unpark("u1")
    assert await worker.run_once() == 1 and sender.texts() == ["respuesta de la consejera"]


async def test_a_message_to_a_user_without_address_is_not_queued(redis: Redis, namespace: str,
                                                                 book: AddressBook) -> None:
    assert await Outbox(redis, namespace, book).enqueue("telegram", "nobody", [Outgoing("hola")]) == 0


async def test_the_simulator_sender_fills_the_simulated_phone(redis: Redis, namespace: str) -> None:
    await SimulatorSender(redis, namespace).send("u1", "ana", Outgoing("Hola, soy Ana del equipo"))
    inbox = await redis.lrange(Keys(namespace).simulator_inbox("u1"), 0, -1)
    assert [json.loads(item)["text"] for item in inbox] == ["Hola, soy Ana del equipo"]
