"""The counselor queue on the real Redis: order, one ticket per user, atomic claims, leases, restarts."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.core.types import Incoming
from bot.handoff.queue import DAY, TicketQueue, estimated_wait
from bot.handoff.service import RedisHandoff
from bot.store.keys import Keys
from tests.conftest import Clock


async def test_urgent_first_then_first_come_first_served(redis: Redis, namespace: str) -> None:
    clock = Clock()
    queue = TicketQueue(redis, namespace, clock=clock)
    order = []
    for user, priority in (("a", "normal"), ("b", "urgent"), ("c", "normal"), ("d", "urgent")):
        clock.now += 1
        ticket, created = await queue.open(user, priority=priority, lang="es", channel="telegram")
        assert created
        order.append(ticket.user_key)
    assert [t.user_key for t in await queue.waiting()] == ["b", "d", "a", "c"]


async def test_one_open_ticket_per_user_and_urgent_raises_it(redis: Redis, namespace: str) -> None:
    clock = Clock()
    queue = TicketQueue(redis, namespace, clock=clock)
    first, _ = await queue.open("early", priority="normal", lang="es", channel="whatsapp")
    clock.now += 5
    await queue.open("other", priority="urgent", lang="qu", channel="telegram")
    clock.now += 5
    again, created = await queue.open("early", priority="urgent", lang="es", channel="whatsapp",
                                      category="violence", trigger="me pega*")
    assert not created and again.id == first.id
    assert again.priority == "urgent" and again.category == "violence"
    assert [t.user_key for t in await queue.waiting()] == ["early", "other"], "keeps its original arrival"
    lower, _ = await queue.open("early", priority="normal", lang="es", channel="whatsapp")
    assert lower.priority == "urgent", "a normal request never lowers an urgent ticket"


async def test_fifty_counselors_claiming_at_once_never_share_a_ticket(redis: Redis, namespace: str) -> None:
    queue = TicketQueue(redis, namespace)
    for i in range(10):
        await queue.open(f"user{i}", priority="normal", lang="es", channel="simulator")
    other = Redis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    queues = [queue, TicketQueue(other, namespace)]
    results = await asyncio.gather(*(queues[i % 2].claim_next(f"c{i}", 60) for i in range(50)))
    await other.aclose()
    claimed = [t for t in results if t is not None]
    assert len(claimed) == 10 and len({t.id for t in claimed}) == 10
    assert await queue.waiting() == []


async def test_an_expired_lease_returns_the_ticket_to_its_place(redis: Redis, namespace: str) -> None:
    clock = Clock()
    queue = TicketQueue(redis, namespace, clock=clock)
    a, _ = await queue.open("a", priority="normal", lang="es", channel="simulator")
    clock.now += 1
    await queue.open("b", priority="normal", lang="es", channel="simulator")
    claimed = await queue.claim(a.id, "ana", lease_seconds=30)
    assert claimed is not None and claimed.claimed_by == "ana"
    clock.now += 20
    assert await queue.renew(a.id, "ana", 30)
    assert not await queue.renew(a.id, "bea", 30), "only the holder renews"
    clock.now += 29
    assert await queue.requeue_expired() == 0
    clock.now += 2
    assert await queue.requeue_expired() == 1
    assert [t.user_key for t in await queue.waiting()] == ["a", "b"]


async def test_transfer_release_and_close(redis: Redis, namespace: str) -> None:
    queue = TicketQueue(redis, namespace)
    ticket, _ = await queue.open("u", priority="urgent", lang="ay", channel="telegram")
    await queue.claim_next("ana", 60)
    assert not await queue.transfer(ticket.id, "bea", "carla")
    assert await queue.transfer(ticket.id, "ana", "bea")
    assert not await queue.close(ticket.id, "ana"), "only the holder closes"
    assert await queue.close(ticket.id, "bea")
    assert await queue.open_for_user("u") is None
    new, created = await queue.open("u", priority="normal", lang="ay", channel="telegram")
    assert created and new.id != ticket.id


async def test_a_new_process_sees_the_same_queue(redis: Redis, namespace: str) -> None:
    await TicketQueue(redis, namespace).open("u", priority="urgent", lang="es", channel="simulator")
    fresh = Redis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    waiting = await TicketQueue(fresh, namespace).waiting()
    await fresh.aclose()
    assert [t.user_key for t in waiting] == ["u"]


def test_estimated_wait_is_honest_when_nobody_is_on_shift() -> None:
    assert estimated_wait(0, 0) is None
    assert estimated_wait(0, 2) == 300
    assert estimated_wait(4, 2) == 900


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed: run 'make redis' (scripts/redis.sh installs it)")
    yield _free_port(), tmp_path


def _start(port: int, folder: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--appendonly", "yes",
                             "--appendfsync", "always", "--save", "", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


async def test_tickets_survive_a_redis_crash_with_the_append_only_file(own_redis: tuple[int, Path]) -> None:
    port, folder = own_redis
    proc = _start(port, folder)
    try:
        client = Redis(port=port, decode_responses=True)
        queue = TicketQueue(client, "crash")
        ids = [(await queue.open(f"u{i}", priority="urgent" if i % 2 else "normal", lang="es",
                                 channel="simulator"))[0].id for i in range(6)]
        await queue.claim_next("ana", 60)
        await client.aclose()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc = _start(port, folder)
        client = Redis(port=port, decode_responses=True)
        queue = TicketQueue(client, "crash")
        waiting, claimed = await queue.waiting(), await queue.claimed()
        await client.aclose()
    finally:
        proc.kill()
        proc.wait()
    assert sorted(t.id for t in waiting + claimed) == sorted(ids), "nothing lost, nothing doubled"
    assert len(claimed) == 1 and claimed[0].claimed_by == "ana"


async def test_opening_a_ticket_reads_no_other_ticket_and_knows_its_place(redis: Redis, namespace: str) -> None:
    clock = Clock()
    handoff = RedisHandoff(redis, namespace, clock=clock)
    for i in range(30):
        clock.now += 1
        await handoff.queue.open(f"filler{i}", priority="urgent" if i % 10 == 0 else "normal", lang="es",
                                 channel="whatsapp")
    await handoff.heartbeat("ana")
    commands: list[str] = []
    original = redis.execute_command

    async def recording(*args: Any, **options: Any) -> Any:
        commands.append(str(args[0]).upper())
        return await original(*args, **options)

    redis.execute_command = recording  # type: ignore[method-assign]
    try:
        clock.now += 1
        info, wait = await handoff.open_ticket(Incoming("telegram", "5", "u-new", "m1", text="me pegan"), lang="es",
                                               priority="urgent", category="violence", trigger="me pegan", summary=None)
    finally:
        redis.execute_command = original  # type: ignore[method-assign]
    assert "HGETALL" not in commands and "ZRANGE" not in commands, commands
    assert len(commands) <= 3, f"one round trip to open, one for the transcript: {commands}"
    assert await handoff.queue.position(info.ticket) == 3, "behind the three older urgent tickets"
    assert wait.minutes == 20, "position 3, one counselor on shift: (3 + 1) * 600 s / 2"
    assert await handoff.queue.counts() == {"urgent": 4, "normal": 27, "claimed": 0}
    assert [t.user_key for t in await handoff.queue.waiting(limit=2)] == ["filler0", "filler10"]


async def test_open_and_closed_tickets_expire(redis: Redis, namespace: str) -> None:
    handoff = RedisHandoff(redis, namespace, retention_seconds=90 * DAY, abandon_seconds=30 * DAY)
    queue = handoff.queue
    info, _ = await handoff.open_ticket(Incoming("telegram", "5", "u1", "m1", text="persona"), lang="es",
                                        priority="normal", category=None, trigger=None, summary=None)
    prefix = Keys(namespace).tickets.prefix
    for key in (f"ticket:{info.ticket}", "open:u1"):
        assert 119 * DAY < await redis.ttl(prefix + key) <= 120 * DAY, key
    assert 89 * DAY < await redis.ttl(f"{prefix}transcript:{info.ticket}") <= 90 * DAY
    assert await queue.close(info.ticket, "")
    assert 89 * DAY < await redis.ttl(f"{prefix}ticket:{info.ticket}") <= 90 * DAY
    assert not await redis.exists(f"{prefix}open:u1")
    assert await redis.zscore(f"{prefix}touched", info.ticket) is None


async def test_a_ticket_nobody_touches_for_thirty_days_is_closed_as_abandoned(redis: Redis, namespace: str) -> None:
    clock = Clock()
    handoff = RedisHandoff(redis, namespace, clock=clock, abandon_seconds=30 * DAY)
    queue = handoff.queue
    quiet, _ = await queue.open("quiet", priority="normal", lang="es", channel="telegram")
    talking, _ = await queue.open("talking", priority="urgent", lang="qu", channel="whatsapp")
    clock.now += 20 * DAY
    await handoff.relay(talking.id, Incoming("whatsapp", "+5917", "talking", "m2", text="sigo aqui"))
    clock.now += 11 * DAY
    assert await queue.close_abandoned() == 1
    assert await queue.close_abandoned() == 0
    closed = await redis.hgetall(Keys(namespace).tickets.ticket(quiet.id))
    assert closed["status"] == "closed" and closed["closed_reason"] == "abandoned"
    assert await queue.open_for_user("quiet") is None and not await handoff.is_open(quiet.id)
    assert [t.id for t in await queue.waiting()] == [talking.id], "the user kept writing: not abandoned"
    again, created = await queue.open("quiet", priority="normal", lang="es", channel="telegram")
    assert created and again.id != quiet.id


async def test_a_ticket_whose_hash_expired_leaves_no_trace_in_the_queue(redis: Redis, namespace: str) -> None:
    queue = TicketQueue(redis, namespace)
    gone, _ = await queue.open("u", priority="urgent", lang="es", channel="telegram")
    other, _ = await queue.open("v", priority="normal", lang="es", channel="telegram")
    await redis.delete(Keys(namespace).tickets.ticket(gone.id))  # as if its TTL ran out
    assert [t.id for t in await queue.waiting()] == [other.id]
    assert await queue.counts() == {"urgent": 0, "normal": 1, "claimed": 0}, "dropped from the index when read"
    fresh, created = await queue.open("u", priority="urgent", lang="es", channel="telegram")
    assert created and fresh.id != gone.id
