"""The counselor queue under load: an urgent message's safety-reply turn with a full queue vs an empty one.

Fills one namespace with N waiting tickets (default 20,000; one in ten urgent) and leaves another
empty, then sends the same urgent message from fresh users through the real pipeline (state,
urgent rules, ticket, wait estimate, transcript, outbox, commit) on the real Redis, one turn at a
time, and prints p50/p99 of each. Prints figures; it is not a timed test.

    .venv/bin/python scripts/bench_queue.py [--tickets 20000] [--turns 500]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app.runtime import Runtime, build_runtime
from bot.config import load_settings
from bot.core.privacy import user_key
from bot.core.types import Incoming

URGENT_TEXT = "me pegan en mi casa"


async def fill(runtime: Runtime, tickets: int, batch: int = 50) -> float:
    queue = runtime.handoff.queue
    started = time.perf_counter()
    for first in range(0, tickets, batch):
        await asyncio.gather(*(queue.open(f"filler-{i}", priority="urgent" if i % 10 == 0 else "normal", lang="es",
                                          channel="whatsapp") for i in range(first, min(tickets, first + batch))))
    return time.perf_counter() - started


async def urgent_turns(runtime: Runtime, turns: int, warmup: int = 20) -> list[float]:
    pepper = runtime.settings.user_key_pepper
    latencies: list[float] = []
    run = secrets.token_hex(3)
    for n in range(warmup + turns):
        name = f"urgent-{run}-{n}"
        msg = Incoming(channel="simulator", address=name, user_key=user_key(pepper, "simulator", name),
                       external_id=f"{name}-1", text=URGENT_TEXT)
        started = time.perf_counter()
        reply = await runtime.pipeline.handle(msg, deliver=True)
        elapsed = time.perf_counter() - started
        if reply.handoff is None or reply.handoff.priority != "urgent":
            raise SystemExit(f"{URGENT_TEXT!r} did not open an urgent ticket: check content/es urgent rules")
        if n >= warmup:
            latencies.append(elapsed)
    return latencies


def summary(latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000, ordered[-1] * 1000


async def drop(runtime: Runtime, namespace: str) -> None:
    keys = [k async for k in runtime.redis.scan_iter(match=f"{namespace}:*", count=1000)]
    for i in range(0, len(keys), 1000):
        await runtime.redis.delete(*keys[i:i + 1000])


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=20_000, help="waiting tickets in the full queue")
    parser.add_argument("--turns", type=int, default=500, help="urgent turns measured per queue")
    args = parser.parse_args()
    settings = load_settings(rasa_url=None)
    base = f"{settings.bot_namespace}:benchq:{secrets.token_hex(4)}"
    results: dict[str, tuple[float, float, float]] = {}
    for label, tickets in (("empty queue", 0), (f"{args.tickets:,} waiting", args.tickets)):
        namespace = f"{base}:{tickets}"
        runtime = await build_runtime(settings, namespace=namespace, use_nlu=False)
        try:
            if tickets:
                seconds = await fill(runtime, tickets)
                counts = await runtime.handoff.queue.counts() if hasattr(runtime.handoff.queue, "counts") else {}
                print(f"filled {tickets:,} tickets in {seconds:.1f} s {counts}")
            results[label] = summary(await urgent_turns(runtime, args.turns))
        finally:
            await drop(runtime, namespace)
            await runtime.aclose()
    print(f"urgent safety-reply turn through the pipeline, {args.turns} turns each (Redis {settings.redis_url}):")
    for label, (p50, p99, worst) in results.items():
        print(f"  {label:>18}: p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   max {worst:6.2f} ms")
    (_, empty_p99, _), (_, full_p99, _) = results.values()
    print(f"p99 full / empty: {full_p99 / empty_p99:.2f}x (target: within 1.20x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
