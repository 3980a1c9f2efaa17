"""The outbox on the real Redis: delivered once, survives a worker crash, failures are recorded."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.channels.outbox import MAX_ATTEMPTS, Outbox, OutboxWorker, SendError, SimulatorSender
from bot.core.types import Choice, Outgoing
from bot.store.addresses import AddressBook


class RecordingSender:
    """Test double: records what was sent; can fail a number of times first."""

    def __init__(self, fail_times: int = 0) -> None:
        self.sent: list[tuple[str, str | None, Outgoing]] = []
        self.fail_times = fail_times

    async def send(self, user_key: str, address: str | None, message: Outgoing) -> None:
        if self.fail_times > 0:
            self.fail_times -= 1
            raise SendError("platform answered 500")
        self.sent.append((user_key, address, message))


async def test_messages_are_delivered_once_in_order_with_the_address(redis: Redis, namespace: str) -> None:
    book = AddressBook(redis, namespace, "k")
    await book.put("u1", "telegram", "12345")
    await Outbox(redis, namespace).enqueue("telegram", "u1", [Outgoing("uno"), Outgoing("dos", (Choice("A", "a"),))])
    sender = RecordingSender()
    worker = OutboxWorker(redis, namespace, "telegram", sender, book)
    assert await worker.run_once(block_ms=10) == 2
    assert await worker.run_once(block_ms=10) == 0
    assert [(k, a, m.text) for k, a, m in sender.sent] == [("u1", "12345", "uno"), ("u1", "12345", "dos")]
    assert sender.sent[1][2].choices == (Choice("A", "a"),)


async def test_a_message_a_crashed_worker_took_is_delivered_by_another(redis: Redis, namespace: str) -> None:
    outbox = Outbox(redis, namespace)
    await outbox.enqueue("simulator", "u1", [Outgoing("hola")])
    crashed = OutboxWorker(redis, namespace, "simulator", RecordingSender(), None, consumer="a")
    await crashed.ensure_group()
    await redis.xreadgroup("senders", "a", {outbox.stream("simulator"): ">"}, count=10)  # read, then "crash"
    survivor_sender = RecordingSender()
    survivor = OutboxWorker(redis, namespace, "simulator", survivor_sender, None, consumer="b")
    assert await survivor.run_once(block_ms=10, idle_ms=0) == 1
    assert await survivor.run_once(block_ms=10, idle_ms=0) == 0
    assert [m.text for _, _, m in survivor_sender.sent] == ["hola"]


async def test_failures_are_retried_then_recorded_for_supervisors(redis: Redis, namespace: str) -> None:
    outbox = Outbox(redis, namespace)
    await outbox.enqueue("whatsapp", "u1", [Outgoing("hola")])
    flaky = RecordingSender(fail_times=2)
    worker = OutboxWorker(redis, namespace, "whatsapp", flaky, None)
    for _ in range(3):
        await worker.run_once(block_ms=10, idle_ms=0)
    assert [m.text for _, _, m in flaky.sent] == ["hola"], "delivered after two failures"
    await outbox.enqueue("whatsapp", "u2", [Outgoing("nunca")])
    broken = OutboxWorker(redis, namespace, "whatsapp", RecordingSender(fail_times=99), None)
    for _ in range(MAX_ATTEMPTS + 1):
        await broken.run_once(block_ms=10, idle_ms=0)
    failed = await outbox.failed()
    assert [f["user_key"] for f in failed] == ["u2"]


async def test_the_simulator_sender_fills_the_simulated_phone(redis: Redis, namespace: str) -> None:
    await SimulatorSender(redis, namespace).send("u1", None, Outgoing("Hola, soy Ana del equipo"))
    inbox = await redis.lrange(f"{namespace}:sim:inbox:u1", 0, -1)
    assert inbox == ['{"text": "Hola, soy Ana del equipo", "choices": []}']
