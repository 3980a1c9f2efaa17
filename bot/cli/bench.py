"""`python -m bot bench`: many simulated users, button and number traffic, real Redis.

Prints messages per second, p50/p99 latency of the pipeline and peak memory per process.
Several worker processes share one Redis namespace, as bot processes do in production.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import secrets
import statistics
import time
from dataclasses import dataclass

from bot.config import Settings
from bot.core.privacy import user_key
from bot.core.types import Incoming

SCRIPT: tuple[tuple[str, str], ...] = (
    ("choice", "lang:es"), ("text", "1"), ("text", "1"), ("text", "1"), ("text", "2"), ("text", "menu"),
    ("text", "1"), ("text", "1"), ("text", " 1 "), ("text", "2."), ("text", "menu"),
)


@dataclass
class WorkerResult:
    latencies: list[float]
    seconds: float
    max_rss_kb: int


def _worker(settings: Settings, namespace: str, worker: int, users: int, messages: int, concurrency: int,
            queue: multiprocessing.Queue[WorkerResult]) -> None:
    queue.put(asyncio.run(_drive(settings, namespace, worker, users, messages, concurrency)))


async def _drive(settings: Settings, namespace: str, worker: int, users: int, messages: int,
                 concurrency: int) -> WorkerResult:
    from bot.app.runtime import build_runtime

    runtime = await build_runtime(settings, namespace=namespace, use_nlu=False)
    latencies: list[float] = []
    per_user = max(1, messages // users)
    names = [f"bench-{worker}-{i}" for i in range(users)]
    semaphore = asyncio.Semaphore(concurrency)

    async def user_session(name: str) -> None:
        key = user_key(settings.user_key_pepper, "simulator", name)
        async with semaphore:
            for n in range(per_user):
                kind, value = SCRIPT[n % len(SCRIPT)]
                msg = Incoming(channel="simulator", address=name, user_key=key, external_id=f"{name}-{n}",
                               text=value if kind == "text" else None, choice=value if kind == "choice" else None)
                started = time.perf_counter()
                await runtime.pipeline.handle(msg)
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(user_session(name) for name in names))
    seconds = time.perf_counter() - started
    await runtime.aclose()
    return WorkerResult(latencies, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def run_bench(settings: Settings, *, users: int, messages: int, concurrency: int, workers: int) -> int:
    namespace = f"{settings.bot_namespace}:bench:{secrets.token_hex(4)}"
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[WorkerResult] = ctx.Queue()
    per_worker_users = max(1, users // workers)
    per_worker_messages = messages // workers
    procs = [ctx.Process(target=_worker, args=(settings, namespace, w, per_worker_users, per_worker_messages,
                                                concurrency, queue)) for w in range(workers)]
    wall = time.perf_counter()
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    wall = time.perf_counter() - wall
    _cleanup(settings, namespace)
    latencies = sorted(x for r in results for x in r.latencies)
    total = len(latencies)
    busiest = max(r.seconds for r in results)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(total - 1, int(total * 0.99))] * 1000
    print(f"bench: {total} messages, {users} users, {workers} worker process(es), concurrency {concurrency} each")
    print(f"throughput: {total / busiest:,.0f} messages/s (wall clock incl. start-up {wall:.1f} s)")
    print(f"latency: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {latencies[-1] * 1000:.2f} ms")
    print(f"peak memory per worker: {max(r.max_rss_kb for r in results) / 1024:.0f} MiB")
    return 0


def _cleanup(settings: Settings, namespace: str) -> None:
    from bot.app.runtime import connect_redis_sync

    client = connect_redis_sync(settings.redis_url)
    keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
    for i in range(0, len(keys), 1000):
        client.delete(*keys[i:i + 1000])
    client.close()
