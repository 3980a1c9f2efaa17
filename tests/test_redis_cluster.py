"""The bot on a real Redis Cluster: three local `redis-server --cluster-enabled yes` nodes
(scripts/redis_cluster.sh). A script or transaction whose keys are in different slots fails there
with CROSSSLOT, so each test here runs one part of the bot end to end on the cluster: the state
commit (and its recovery when a process dies between its two steps), inbox → pipeline → outbox
delivery, the mailbox's park and sweep, the ticket queue, the rate limits and "delete my data"."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from bot.app.runtime import Runtime, build_runtime, connect_redis
from bot.config import load_settings
from bot.core.conversation import Conversation
from bot.core.types import Incoming, Outgoing
from bot.delivery.inbox import Inbound, Inbox, InboxWorker
from bot.delivery.mailbox import PARKED, Mailbox, Rate, RateLimiter, queue_health
from bot.delivery.outbox import Outbox, OutboxWorker, Pace
from bot.delivery.reach import Reach
from bot.handoff.service import RedisHandoff
from bot.store.addresses import AddressBook
from bot.store.keys import Keys
from bot.store.state import Duplicate, StateStore

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "redis_cluster.sh"


@pytest.fixture(scope="module")
def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh three-node cluster for this module (the script installs redis-server if it is missing)."""
    where = tmp_path_factory.mktemp("redis-cluster")
    started = subprocess.run(["bash", str(SCRIPT), "start", str(where)], capture_output=True, text=True, timeout=120,
                             check=False)
    assert started.returncode == 0, f"scripts/redis_cluster.sh start failed:\n{started.stderr}"
    yield started.stdout.strip().splitlines()[-1]
    subprocess.run(["bash", str(SCRIPT), "stop", str(where)], check=False, timeout=30)


@pytest.fixture
async def cluster(cluster_url: str) -> AsyncIterator[Redis]:
    client = connect_redis(cluster_url)
    assert isinstance(client, RedisCluster), "a redis+cluster:// URL gives a cluster client"
    assert await client.ping() and len(client.get_primaries()) == 3
    yield client
    await client.aclose()


@pytest.fixture
def ns() -> str:
    return f"test:{secrets.token_hex(6)}"


@pytest.fixture
async def runtime(cluster_url: str, ns: str) -> AsyncIterator[Runtime]:
    runtime = await build_runtime(load_settings(redis_url=cluster_url, rasa_url=None), namespace=ns, use_nlu=False)
    yield runtime
    await runtime.aclose()


class Phone:
    """A Telegram sender double with a per-chat and a global pace (one GCRA call over both)."""

    channel = "telegram"

    def __init__(self) -> None:
        self.paces = (Pace("chat", 50.0, per_user=True), Pace("global", 100.0, burst=5))
        self.got: list[tuple[str, str]] = []

    async def send(self, user_key: str, address: str, message: Outgoing) -> None:
        self.got.append((address, message.text))


def test_settings_say_cluster_with_a_flag_or_the_url() -> None:
    flagged = load_settings(redis_url="redis://127.0.0.1:7000/0", redis_cluster=True, rasa_url=None)
    assert (flagged.redis_url, flagged.redis_cluster) == ("redis+cluster://127.0.0.1:7000/0", True)
    by_url = load_settings(redis_url="redis+cluster://127.0.0.1:7000", rasa_url=None)
    assert by_url.redis_cluster
    assert not load_settings(redis_url="redis://127.0.0.1:6379/0", rasa_url=None).redis_cluster


async def test_the_state_commit_saves_dedups_and_queues_the_replies_once(cluster: Redis, ns: str) -> None:
    store = StateStore(cluster, ns)
    assert store.split_commit, "a cluster client commits in two steps (docs/REDIS.md)"
    outbox = Outbox(cluster, ns, AddressBook(cluster, ns, "k"))
    session = await store.begin("u1", "telegram", "m1")
    session.state.lang = "qu"
    push = outbox.prepare("telegram", "u1", "sealed", [Outgoing("Allillanchu"), Outgoing("Imaynalla")])
    assert await store.commit(session, session.state, "sealed", push)
    assert await store.load("u1") == Conversation(lang="qu")
    assert len(await outbox.mailbox("telegram").pending("u1")) == 2
    assert not await cluster.exists(Keys(ns).user("u1", "staged")), "the staged copy is gone once pushed"
    with pytest.raises(Duplicate):
        await store.begin("u1", "telegram", "m1")
    assert len(await outbox.mailbox("telegram").pending("u1")) == 2


async def test_a_process_dying_between_the_two_steps_of_the_commit_loses_no_reply_and_doubles_none(
        runtime: Runtime, cluster: Redis) -> None:
    inbox = Inbox(runtime.redis, runtime.namespace, runtime.settings.user_key_pepper, runtime.addresses)
    store = runtime.pipeline.store
    real_flush = store._flush
    calls = 0

    async def die_at_the_first_push(user_key: str, staged: str) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("the process died between the two steps")
        await real_flush(user_key, staged)

    store._flush = die_at_the_first_push  # type: ignore[method-assign]
    assert await inbox.accept(Inbound("telegram", "9001", "m1", text="hola"))
    worker = InboxWorker(inbox, runtime.pipeline)
    assert await worker.run_once() == 0, "the turn failed after its state was saved"
    user = inbox.user_key("telegram", "9001")
    queue = runtime.outbox.mailbox("telegram")
    assert await queue.pending(user) == [] and await cluster.exists(Keys(runtime.namespace).user(user, "staged"))
    await asyncio.sleep(1.3)  # the inbox retries the message after its back-off
    assert await worker.run_once() == 1
    replies = await queue.pending(user)
    assert replies, "the staged replies were pushed when the message came back"
    await inbox.accept(Inbound("telegram", "9001", "m2", text="hola"))
    assert await worker.run_once() == 1
    assert len(await queue.pending(user)) == 2 * len(replies), "the next turn's replies, once, after the first"


async def test_inbox_pipeline_outbox_deliver_on_the_cluster(runtime: Runtime) -> None:
    inbox = Inbox(runtime.redis, runtime.namespace, runtime.settings.user_key_pepper, runtime.addresses)
    for n, address in enumerate(("7001", "7002", "7003")):
        assert await inbox.accept(Inbound("telegram", address, f"m{n}", text="hola"))
    assert not await inbox.accept(Inbound("telegram", "7001", "m0", text="hola")), "a platform retry is dropped"
    assert await InboxWorker(inbox, runtime.pipeline).run_once() == 3
    phone = Phone()
    sender = OutboxWorker(runtime.redis, runtime.namespace, phone, runtime.addresses)
    deadline = time.monotonic() + 10
    while {a for a, _ in phone.got} != {"7001", "7002", "7003"}:
        assert time.monotonic() < deadline, phone.got
        await sender.run_once()
        await asyncio.sleep(0.02)
    assert all(text for _, text in phone.got)
    health = await queue_health(runtime.redis, {"inbox": inbox.mailbox, "telegram": sender.mailbox}, 60)
    assert health["inbox"]["queued_users"] == 0


async def test_a_parked_queue_waits_for_the_user_and_expires_on_the_cluster(cluster: Redis, ns: str) -> None:
    box = Mailbox(cluster, ns, "out:whatsapp")
    await box.push("u1", ["a", "b"])
    claimed = await box.claim("t", 5000)
    assert claimed is not None and not isinstance(claimed, int) and claimed.head == "a"
    assert await box.strike(claimed) == 1
    assert await box.extend(claimed, 5000)
    assert await box.park(claimed, ttl_ms=1)
    assert await cluster.zscore(box.ready, "u1") == PARKED
    assert await box.unpark("u1")
    claimed = await box.claim("t", 5000)
    assert claimed is not None and not isinstance(claimed, int)
    assert await box.park(claimed, ttl_ms=1)
    await asyncio.sleep(0.01)
    assert await box.expire_parked() == [("u1", 2)]
    assert await box.size() == 0 and not await cluster.exists(box.list_key("u1"))


async def test_the_ticket_queue_on_the_cluster(cluster: Redis, ns: str) -> None:
    handoff = RedisHandoff(cluster, ns)
    msg = Incoming("telegram", "5", "u1", "m1", text="me pegan")
    info, _ = await handoff.open_ticket(msg, lang="es", priority="normal", category=None, trigger=None,
                                        summary={"channel": "telegram", "lang": "es"})
    again, _ = await handoff.open_ticket(Incoming("telegram", "5", "u1", "m1b", text="me pegan fuerte"), lang="es",
                                         priority="urgent", category="violence", trigger="pegan", summary=None)
    assert again.ticket == info.ticket and again.priority == "urgent", "one open ticket per user, raised"
    other, _ = await handoff.open_ticket(Incoming("telegram", "6", "u2", "m2", text="ayuda"), lang="es",
                                         priority="normal", category=None, trigger=None, summary=None)
    assert await handoff.queue.counts() == {"urgent": 1, "normal": 1, "claimed": 0}
    assert await handoff.while_waiting(other.ticket) == "answer_and_tell"
    await handoff.heartbeat("ana")
    assert await handoff.counselors_on_shift() == 1
    claimed = await handoff.queue.claim_next("ana", 60)
    assert claimed is not None and claimed.id == info.ticket
    await handoff.record(info.ticket, "counselor", "Hola, soy Ana.", by="ana")
    lines = [line["from"] for line in await handoff.transcript(info.ticket)]
    assert lines == ["system", "user", "system", "user", "counselor"], lines
    assert await handoff.queue.transfer(info.ticket, "ana", "eva")
    assert await handoff.queue.close(info.ticket, "eva")
    assert await handoff.queue.open_for_user("u1") is None
    await handoff.forget_user("u2")
    assert await handoff.queue.counts() == {"urgent": 0, "normal": 0, "claimed": 0}


async def test_the_rate_limits_and_the_pause_on_the_cluster(cluster: Redis, ns: str) -> None:
    rates = Keys(ns).rates("telegram")
    limiter = RateLimiter(cluster)
    chat, overall = Rate(1.0), Rate(1000.0, burst=10)

    def paces(user: str) -> list[tuple[str, Rate]]:
        return [(rates.pace("chat", user), chat), (rates.pace("global"), overall)]

    assert await limiter.wait_ms(paces("u1"), pause_key=rates.paused) == 0
    assert 900 <= await limiter.wait_ms(paces("u1"), pause_key=rates.paused) <= 1000, "one a second per chat"
    assert await limiter.wait_ms(paces("u2")) == 0, "another chat goes on"
    await limiter.pause(rates.paused, 2.0)
    assert await limiter.wait_ms(paces("u3"), pause_key=rates.paused) > 1500, "the whole sender waits"


async def test_reach_and_delete_my_data_on_the_cluster(cluster: Redis, ns: str) -> None:
    reach, store, book = Reach(cluster, ns), StateStore(cluster, ns), AddressBook(cluster, ns, "k")
    await book.put("u1", "telegram", "42")
    await reach.user_wrote("u1")
    await reach.mark_opted_out("u1")
    assert await reach.skip_reason("u1", time.time()) == "the user opted out (STOP)"
    assert await reach.claim_invitation("u1")
    session = await store.begin("u1", "telegram", "m1")
    assert await store.delete_user("u1") == 4
    assert await store.commit(session, None)
    assert await book.get("u1") is None and await reach.window_left("u1") == 0
    assert await reach.skip_reason("u1", time.time()) is None
