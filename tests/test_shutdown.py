"""A shutdown always ends: background loops stop even when a library swallows their cancellation.

redis-py 8.1 can lose the CancelledError of a task cancelled mid-command (seen in CI: the app's
workers ran on after shutdown and the test process never ended). These tests stand in for that
library with a call that swallows the cancellation, the same way, every time."""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis

from bot.delivery.mailbox import work_loop
from bot.handoff.oncall import OnCallAlerts
from bot.store.state import StateStore
from tests.conftest import REDIS_URL


class Swallower:
    """What the library did: a cancel that lands inside the call is caught and the call returns.

    It swallows the first cancel only, so a failing test ends (a second cancel stops the task)."""

    def __init__(self) -> None:
        self.swallowed = 0

    async def call(self, result: Any = None) -> Any:
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            if self.swallowed:
                raise
            self.swallowed += 1
        return result


class SwallowingMailbox:
    def __init__(self, library: Swallower) -> None:
        self.library = library

    async def claim(self, token: str, lease_ms: int) -> None:
        return await self.library.call(None)  # type: ignore[no-any-return]


async def cancel_and_wait(task: asyncio.Task[Any], library: Swallower) -> None:
    await asyncio.sleep(0.02)  # the loop is inside the call now
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=2)
    if not done:
        task.cancel()
        await asyncio.wait([task], timeout=2)
    assert library.swallowed >= 1, "the stand-in library swallowed the cancellation"
    assert done, "the loop went on after it was cancelled"
    assert task.cancelled()


async def test_a_worker_loop_stops_when_its_cancellation_is_swallowed() -> None:
    async def process(claimed: Any) -> int:
        return 0

    library = Swallower()
    loop = asyncio.create_task(work_loop(SwallowingMailbox(library), process, lease_ms=1000,  # type: ignore[arg-type]
                                         idle=0.01, label="test"))
    await cancel_and_wait(loop, library)


async def test_several_worker_loops_under_gather_all_stop() -> None:
    """The workers run 4–8 loops under one gather; the whole group must end."""
    async def process(claimed: Any) -> int:
        return 0

    libraries = [Swallower() for _ in range(8)]  # each loop's command swallows its cancel

    async def workers() -> None:
        await asyncio.gather(*(work_loop(SwallowingMailbox(library), process, lease_ms=1000,  # type: ignore[arg-type]
                                         idle=0.001, label="test") for library in libraries))

    await cancel_and_wait(asyncio.create_task(workers()), libraries[0])


async def test_the_on_call_alert_loop_stops_when_its_cancellation_is_swallowed() -> None:
    library = Swallower()

    class Queue:
        async def close_abandoned(self) -> int:
            return await library.call(0)  # type: ignore[no-any-return]

        async def overdue_urgent(self, before: float, offset: int = 0, limit: int = 100) -> list[Any]:
            return await library.call([])  # type: ignore[no-any-return]

    async def send(text: str) -> None:
        raise AssertionError("nothing to alert")

    alerts = OnCallAlerts(None, "test", Queue(), send, after_minutes=5,  # type: ignore[arg-type]
                          console_url="http://localhost/console")
    await cancel_and_wait(asyncio.create_task(alerts.run(every=0.0)), library)


async def test_waiting_for_a_users_lock_stops_when_cancelled() -> None:
    """A turn waiting for another turn's lock does not outlive a shutdown either."""
    store = StateStore(Redis.from_url(REDIS_URL), "test", lock_wait=60.0)  # never connects: begin is replaced

    library = Swallower()

    async def locked_by_another_turn(*, keys: list[str], args: list[Any]) -> list[Any]:
        return await library.call(["locked"])  # type: ignore[no-any-return]

    store._begin = locked_by_another_turn  # type: ignore[assignment]
    await cancel_and_wait(asyncio.create_task(store.begin("user", "simulator", "m1")), library)
