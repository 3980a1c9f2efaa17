"""A Redis restart costs the bot's client a short wait, not an error per pooled connection (issue 11, D4)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.app.runtime import REDIS_HEALTH_CHECK_SECONDS, connect_redis
from tests.test_ticket_queue import _start, own_redis  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent
POOL = 12  # connections in the pool when Redis dies


async def _fill_pool(client: Redis) -> None:
    """Use several connections at once, so the pool holds POOL of them (all dead after the restart)."""
    await asyncio.gather(*(client.set(f"k{i}", f"v{i}") for i in range(POOL)))
    await asyncio.gather(*(client.blpop([f"nothing{i}"], timeout=0.05) for i in range(POOL)))


def _kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


async def _restart_later(port: int, folder: Path, down: float) -> subprocess.Popen[bytes]:
    await asyncio.sleep(down)
    return await asyncio.to_thread(_start, port, folder)


async def test_the_bots_client_carries_on_through_a_redis_restart(own_redis: tuple[int, Path]) -> None:  # noqa: F811
    port, folder = own_redis
    proc = _start(port, folder)
    client = connect_redis(f"redis://127.0.0.1:{port}/0")
    try:
        await _fill_pool(client)
        _kill(proc)
        started = time.monotonic()
        restart = asyncio.create_task(_restart_later(port, folder, down=0.5))
        # While Redis is down and right after it is back: every pooled connection is dead.
        values = await asyncio.gather(*(client.get(f"k{i}") for i in range(POOL)))
        elapsed = time.monotonic() - started
        proc = await restart
        assert values == [f"v{i}" for i in range(POOL)], "no error surfaced, the data came back (append-only file)"
        assert elapsed < 3, f"back within a couple of seconds, took {elapsed:.1f} s"
        # An idle connection after a second restart is checked (PING) and redialled before use.
        _kill(proc)
        proc = _start(port, folder)
        await asyncio.sleep(REDIS_HEALTH_CHECK_SECONDS + 0.2)
        assert await client.get("k0") == "v0"
    finally:
        await client.aclose()
        proc.kill()
        proc.wait()


async def test_a_client_built_without_retries_fails_in_the_same_restart(own_redis: tuple[int, Path]  # noqa: F811
                                                                       ) -> None:
    """The control: what the bot did before (Redis.from_url with defaults) surfaces the restart as errors."""
    port, folder = own_redis
    proc = _start(port, folder)
    client = Redis.from_url(f"redis://127.0.0.1:{port}/0", decode_responses=True, socket_connect_timeout=3)
    try:
        await _fill_pool(client)
        _kill(proc)
        restart = asyncio.create_task(_restart_later(port, folder, down=0.5))
        results = await asyncio.gather(*(client.get(f"k{i}") for i in range(POOL)), return_exceptions=True)
        proc = await restart
        assert any(isinstance(r, RedisConnectionError) for r in results)
    finally:
        await client.aclose()
        proc.kill()
        proc.wait()


def test_every_client_the_bot_builds_retries_connection_errors() -> None:
    connection = connect_redis("redis://127.0.0.1:6379/0").connection_pool.make_connection()
    assert connection.retry.get_retries() >= 5
    assert connection.health_check_interval == REDIS_HEALTH_CHECK_SECONDS
    built_elsewhere = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "bot").rglob("*.py"))
                       if path.name != "runtime.py"
                       for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                       if re.search(r"\bRedis\(|\.from_url\(|ConnectionPool\(", line)]
    assert not built_elsewhere, f"build Redis clients with bot.app.runtime.connect_redis: {built_elsewhere}"
