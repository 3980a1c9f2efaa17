"""Broadcast benchmark: N simulated subscribers, one broadcast, a worker process sending it to a channel double
that holds a configured rate; real Redis and PostgreSQL (SQLite with --db sqlite).

    .venv/bin/python scripts/bench_broadcast.py [--subscribers 100000] [--rate 1000] [--kill 2]

Prints the sending time against the ideal (subscribers / rate), the worker's resident memory over the run and its
peak, and, from the double's own record of who received what, duplicates and missing recipients. With --kill K
the worker is SIGKILLed K times mid-way (at even fractions of the run) and started again at once, as a supervisor
would: the broadcast resumes from its durable cursor. Figures only: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from redis.asyncio import Redis  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bot.app.broadcasts import BroadcastRunner  # noqa: E402
from bot.app.runtime import connect_redis  # noqa: E402
from bot.app.scheduler import TipScheduler  # noqa: E402
from bot.core.types import Outgoing  # noqa: E402
from bot.delivery.outbox import Outbox, OutboxWorker, Pace  # noqa: E402
from bot.dialog.bundle import Bundle  # noqa: E402
from bot.store.addresses import AddressBook  # noqa: E402
from bot.store.broadcasts import BroadcastCounters, Segment, SqlBroadcasts  # noqa: E402
from bot.store.db import Subscription, make_engine, upgrade  # noqa: E402
from bot.store.subscriptions import SqlSubscriptions  # noqa: E402

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
SECRET = "bench-address-key"
KEY = "weekly_tips.w2"
LANGS = ("es", "es", "es", "qu", "ay")  # most subscribers write Spanish
LEASE_MS = 3000  # the worker's lease on a message: a killed worker's message returns after it
LOCK_TTL = 2.0  # the scheduler's leader lock: a killed leader is replaced after it


def received_key(ns: str) -> str:
    """The double's record (a hash: user → how many times it got the broadcast); bench keys, in the namespace."""
    return f"{ns}:bench:{{phone}}:got"


def times_key(ns: str) -> str:
    return f"{ns}:bench:{{phone}}:times"


class Phone:
    """The channel double: a Telegram-like sender at `rate` messages a second (the outbox's own pacing), which
    writes down each recipient and the first and last send time."""

    channel = "telegram"

    def __init__(self, redis: Redis, ns: str, rate: float, burst: int) -> None:
        self.redis = redis
        self.ns = ns
        self.paces: tuple[Pace, ...] = (Pace("sender", rate, burst=burst),)

    async def send(self, user_key: str, address: str, message: Outgoing) -> str | None:
        now = repr(time.time())
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hincrby(received_key(self.ns), user_key, 1)
            pipe.hsetnx(times_key(self.ns), "first", now)
            pipe.hset(times_key(self.ns), "last", now)
            await pipe.execute()
        return None


class PhoneThatKnows(Phone):
    """The same double, answering the worker's "did you already get this?" (as a platform's message log can): a
    broadcast's message whose worker was killed mid-send is then neither sent twice nor lost."""

    async def was_sent(self, user_key: str, address: str, message: Outgoing) -> bool | None:
        return bool(await self.redis.hexists(received_key(self.ns), user_key))


# -- the worker process ------------------------------------------------------------------------------------
async def worker(ns: str, db_url: str, rate: float, burst: int, concurrency: int, lookup: bool) -> None:
    redis = connect_redis(REDIS_URL)
    book = AddressBook(redis, ns, SECRET)
    outbox = Outbox(redis, ns, book)
    bundle = Bundle.load(ROOT / "content", ROOT / "flows")
    engine = make_engine(db_url)
    runner = BroadcastRunner(
        redis, ns, SqlBroadcasts(engine), outbox, lambda: bundle, max_ahead=max(2000, int(rate * 4))
    )
    scheduler = TipScheduler(
        redis,
        ns,
        SqlSubscriptions(engine),
        outbox,
        lambda: bundle,
        None,
        interval=0.5,
        lock_ttl=LOCK_TTL,
        broadcasts=runner,
    )
    phone = (PhoneThatKnows if lookup else Phone)(redis, ns, rate, burst)
    sender = OutboxWorker(redis, ns, phone, book, lease_ms=LEASE_MS)
    print("ready", flush=True)
    await asyncio.gather(scheduler.run(), sender.run(concurrency=concurrency))


# -- the driver ----------------------------------------------------------------------------------------------
def rss_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in kB; (0, 0) once it is gone."""
    try:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    except (OSError, ValueError):
        return 0, 0
    return int(fields.get("VmRSS", "0 kB").split()[0]), int(fields.get("VmHWM", "0 kB").split()[0])


def database(kind: str, tmp: Path) -> tuple[str, str | None]:
    """A new database: PostgreSQL (if reachable, unless --db sqlite) or an SQLite file; and the PG name to drop."""
    if kind != "sqlite":
        name = f"bench_{secrets.token_hex(4)}"
        try:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            return f"{PG}/{name}", name
        except psycopg.OperationalError as exc:
            if kind == "postgresql":
                raise
            print(f"PostgreSQL not reachable ({exc}); using SQLite", file=sys.stderr)
    return f"sqlite:///{tmp / 'bench.db'}", None


async def populate(redis: Redis, ns: str, db_url: str, n: int) -> None:
    engine = make_engine(db_url)
    consent = time.time() - 3600
    import datetime as dt

    at = dt.datetime.fromtimestamp(consent, dt.UTC)
    with engine.begin() as conn:
        for start in range(0, n, 5000):
            conn.execute(
                insert(Subscription),
                [
                    {
                        "user_key": f"b{i:07d}",
                        "lang": LANGS[i % len(LANGS)],
                        "audience": ("young", "caregiver")[i % 2],
                        "channel": "telegram",
                        "city": None,
                        "consent_at": at,
                        "text_version": "weekly.consent@bench",
                        "tips_sent": 0,
                    }
                    for i in range(start, min(n, start + 5000))
                ],
            )
    engine.dispose()
    book = AddressBook(redis, ns, SECRET)
    for start in range(0, n, 2000):
        async with redis.pipeline(transaction=False) as pipe:
            for i in range(start, min(n, start + 2000)):
                pipe.set(book.key(f"b{i:07d}"), book.seal("telegram", str(10_000_000 + i)), ex=86400)
            await pipe.execute()


def start_worker(ns: str, db_url: str, args: argparse.Namespace) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--worker",
            ns,
            db_url,
            "--rate",
            str(args.rate),
            "--burst",
            str(args.burst),
            "--concurrency",
            str(args.concurrency),
            *(["--no-lookup"] if args.no_lookup else []),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.readline()  # "ready": the content is loaded
    return process


async def drive(args: argparse.Namespace) -> int:
    n, ns = args.subscribers, f"bench-bc-{secrets.token_hex(4)}"
    redis = connect_redis(REDIS_URL)
    with tempfile.TemporaryDirectory() as tmp:
        db_url, pg_name = database(args.db, Path(tmp))
        try:
            upgrade(db_url)
            t0 = time.monotonic()
            await populate(redis, ns, db_url, n)
            print(
                f"{n:,} subscribers and addresses written in {time.monotonic() - t0:.1f} s "
                f"({'PostgreSQL' if pg_name else 'SQLite'}, Redis {REDIS_URL})"
            )
            return await measure(redis, ns, db_url, args)
        finally:
            keys = [k async for k in redis.scan_iter(match=f"{ns}:*", count=1000)]
            for start in range(0, len(keys), 1000):
                await redis.delete(*keys[start : start + 1000])
            await redis.aclose()
            if pg_name:
                with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE "{pg_name}" WITH (FORCE)')


async def measure(redis: Redis, ns: str, db_url: str, args: argparse.Namespace) -> int:
    n = args.subscribers
    engine = make_engine(db_url)
    store, counters = SqlBroadcasts(engine), BroadcastCounters(redis, ns)
    row = await store.create(ns, KEY, Segment(channel="telegram"), time.time(), "bench")
    process = start_worker(ns, db_url, args)
    kills_at = [n * (k + 1) // (args.kill + 1) for k in range(args.kill)]
    peak_kb, samples, kills = 0, [], 0
    mailbox = Outbox(redis, ns, AddressBook(redis, ns, SECRET)).mailbox("telegram")
    deadline = time.monotonic() + n / args.rate * 3 + 120
    try:
        while time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            got = int(await redis.hlen(received_key(ns)))
            rss, hwm = rss_kb(process.pid)
            peak_kb = max(peak_kb, hwm)
            if rss and (not samples or got - samples[-1][0] >= n // 10):
                samples.append((got, rss))
            if kills < len(kills_at) and got >= kills_at[kills]:
                process.send_signal(signal.SIGKILL)
                process.wait()
                kills += 1
                print(f"  worker SIGKILLed at {got:,}/{n:,} recipients; started again")
                process = start_worker(ns, db_url, args)
            current = await store.get(row.id)
            if got >= n and current is not None and current.state == "done" and await mailbox.size() == 0:
                break
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    times = await redis.hgetall(times_key(ns))
    received = {k: int(v) async for k, v in _hscan(redis, received_key(ns))}
    duplicates = sum(count - 1 for count in received.values())
    missing = n - len(received)
    ideal = n / args.rate
    duration = float(times["last"]) - float(times["first"]) if times else float("nan")
    final = await store.get(row.id)
    live = await counters.get(row.id)
    engine.dispose()
    print(
        f"broadcast to {n:,} subscribers at {args.rate:g}/s (burst {args.burst}), worker concurrency "
        f"{args.concurrency}, {args.kill} SIGKILL(s), {'no ' if args.no_lookup else ''}lookup of a send in doubt"
    )
    print(
        f"  sending time {duration:.2f} s (first to last message), ideal {ideal:.2f} s: "
        f"{(duration / ideal - 1) * 100:+.2f} % ({n / duration:,.1f}/s achieved)"
    )
    print("  worker RSS (MB) at recipients reached: " + ", ".join(f"{g:,}: {kb / 1024:.0f}" for g, kb in samples))
    print(f"  worker peak RSS {peak_kb / 1024:.0f} MB")
    if final is not None:
        print(
            f"  row: state {final.state}, total {final.total:,}, queued {final.queued:,}, cursor {final.cursor:,}; "
            f"live counters: sent {live.get('sent', 0):,}, failed {live.get('failed', 0):,}, not sent again after "
            f"a kill mid-send {live.get('uncertain', 0):,}"
        )
    print(f"  duplicates {duplicates}, missing {missing}")
    return 0 if duplicates == 0 and missing == 0 else 1


async def _hscan(redis: Redis, key: str):  # type: ignore[no-untyped-def]
    async for field, value in redis.hscan_iter(key, count=5000):
        yield field, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=1000.0, help="the channel's rate, messages a second")
    parser.add_argument(
        "--burst",
        type=int,
        default=1,
        help="messages the channel's pace lets go early (0: none; a late send is then lost time)",
    )
    parser.add_argument("--kill", type=int, default=0, help="SIGKILL the worker this many times mid-way")
    parser.add_argument(
        "--no-lookup",
        action="store_true",
        help="the double cannot say whether it already got a message: one a kill caught mid-send is dropped",
    )
    parser.add_argument("--concurrency", type=int, default=16, help="messages in flight in the worker")
    parser.add_argument("--db", choices=["auto", "postgresql", "sqlite"], default="auto")
    parser.add_argument("--worker", nargs=2, metavar=("NAMESPACE", "DB_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(worker(args.worker[0], args.worker[1], args.rate, args.burst, args.concurrency, not args.no_lookup))
        return 0
    return asyncio.run(drive(args))


if __name__ == "__main__":
    sys.exit(main())
