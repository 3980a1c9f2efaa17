"""Conversation state on the real Redis: TTLs, dedup, per-user lock, two processes as one."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.core.conversation import Conversation
from bot.store.keys import Keys
from bot.store.state import Duplicate, LockTimeout, StateStore


async def test_state_is_saved_with_a_ttl_and_under_the_namespace(redis: Redis, namespace: str) -> None:
    store = StateStore(redis, namespace, ttl_seconds=1234)
    session = await store.begin("u1", "telegram", "m1")
    assert session.is_new
    session.state.lang = "qu"
    await store.commit(session, session.state)
    assert (await store.load("u1")) == Conversation(lang="qu")
    ttl = await redis.ttl(Keys(namespace).user("u1", "state"))
    assert 1200 < ttl <= 1234
    assert all(k.startswith(namespace) for k in await redis.keys(f"{namespace}:*"))


async def test_a_repeated_delivery_is_refused(redis: Redis, namespace: str) -> None:
    store = StateStore(redis, namespace)
    session = await store.begin("u1", "whatsapp", "SM1")
    await store.commit(session, session.state)
    with pytest.raises(Duplicate):
        await store.begin("u1", "whatsapp", "SM1")
    other = await store.begin("u1", "telegram", "SM1")  # same id on another channel is another message
    await store.commit(other, other.state)


async def test_an_aborted_message_can_be_retried(redis: Redis, namespace: str) -> None:
    store = StateStore(redis, namespace)
    session = await store.begin("u1", "whatsapp", "SM9")
    await store.abort(session)
    retry = await store.begin("u1", "whatsapp", "SM9")
    await store.commit(retry, retry.state)


async def test_two_processes_serialise_messages_of_one_user(redis: Redis, namespace: str) -> None:
    """Two stores (two bot processes) each add to a counter 50 times; none is lost."""
    other_client = Redis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    stores = [StateStore(redis, namespace), StateStore(other_client, namespace)]

    async def bump(store: StateStore, i: int) -> None:
        session = await store.begin("same-user", "simulator", f"id-{i}")
        count = int(session.state.vars.get("n", "0"))
        await asyncio.sleep(0)  # let the other process try to interleave
        session.state.vars["n"] = str(count + 1)
        await store.commit(session, session.state)

    await asyncio.gather(*(bump(stores[i % 2], i) for i in range(100)))
    await other_client.aclose()
    state = await stores[0].load("same-user")
    assert state is not None and state.vars["n"] == "100"


async def test_a_lock_held_too_long_times_out(redis: Redis, namespace: str) -> None:
    store = StateStore(redis, namespace, lock_wait=0.1)
    await store.begin("u1", "simulator", "a")
    with pytest.raises(LockTimeout):
        await store.begin("u1", "simulator", "b")


async def test_delete_user_removes_their_keys_only(redis: Redis, namespace: str) -> None:
    store = StateStore(redis, namespace)
    for user in ("u1", "u2"):
        session = await store.begin(user, "simulator", f"x-{user}")
        await store.commit(session, session.state)
    await store.delete_user("u1")
    assert await store.load("u1") is None
    assert await store.load("u2") is not None
