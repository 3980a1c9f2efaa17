"""The inbox on the real Redis: a turn is done once even when a worker dies after it, or when
Redis fails in the middle of it; messages of one user are handled in the order they came."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.app.runtime import Runtime
from bot.delivery.inbox import Inbound, Inbox, InboxWorker
from bot.delivery.outbox import outbox_queue


def _inbox(runtime: Runtime) -> Inbox:
    return Inbox(runtime.redis, runtime.namespace, runtime.settings.user_key_pepper, runtime.addresses)


async def _queued(runtime: Runtime, inbox: Inbox, address: str) -> list[str]:
    user = inbox.user_key("telegram", address)
    return await outbox_queue(runtime.redis, runtime.namespace, "telegram").pending(user)


async def test_a_worker_dying_after_the_turn_does_not_double_the_reply(runtime: Runtime, redis: Redis) -> None:
    inbox = _inbox(runtime)
    assert await inbox.accept(Inbound("telegram", "9001", "u1", text="hola"))
    dying = InboxWorker(inbox, runtime.pipeline, lease_ms=300)
    real_ack = inbox.mailbox.ack
    calls = 0

    async def crash_on_first_ack(*args: Any, **kwargs: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("the process died here")
        return await real_ack(*args, **kwargs)

    inbox.mailbox.ack = crash_on_first_ack  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        await dying.run_once()
    assert len(await _queued(runtime, inbox, "9001")) == 1, "the turn's reply was queued with the state"
    await asyncio.sleep(0.35)  # the lease runs out; another worker takes the message again
    assert await InboxWorker(inbox, runtime.pipeline, lease_ms=300).run_once() == 1
    assert len(await _queued(runtime, inbox, "9001")) == 1, "recognised as done: no second reply"
    assert await inbox.mailbox.size() == 0


async def test_a_redis_failure_inside_the_turn_is_retried_and_answered_once(runtime: Runtime) -> None:
    inbox = _inbox(runtime)
    await inbox.accept(Inbound("telegram", "9002", "u2", text="hola"))
    store = runtime.pipeline.store
    real_commit = store.commit

    async def fail_once(*args: Any, **kwargs: Any) -> bool:
        store.commit = real_commit  # type: ignore[method-assign]
        raise ConnectionError("redis went away")

    store.commit = fail_once  # type: ignore[method-assign]
    worker = InboxWorker(inbox, runtime.pipeline)
    assert await worker.run_once() == 0
    assert await _queued(runtime, inbox, "9002") == []
    await asyncio.sleep(1.3)  # the first retry comes after about a second
    assert await worker.run_once() == 1
    assert len(await _queued(runtime, inbox, "9002")) == 1


async def test_one_users_messages_are_handled_in_order(runtime: Runtime) -> None:
    inbox = _inbox(runtime)
    await inbox.accept(Inbound("telegram", "9003", "a", text="hola"))
    await inbox.accept(Inbound("telegram", "9003", "b", choice="lang:es"))
    await inbox.accept(Inbound("telegram", "9003", "c", text="2"))
    workers = [InboxWorker(inbox, runtime.pipeline) for _ in range(3)]
    await asyncio.gather(*(w.run_once() for w in workers))
    state = await runtime.pipeline.store.load(inbox.user_key("telegram", "9003"))
    assert state is not None and state.lang == "es", "the language was chosen before '2' was read"
    queued = await _queued(runtime, inbox, "9003")
    assert len(queued) >= 3 and "idioma" in queued[0], "language question, then the answers to the next two"
