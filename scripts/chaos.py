"""The chaos run: real bot processes, their own Redis and a Bot API double with faults, under a bounded load.

    .venv/bin/python scripts/chaos.py                  # 500 users × 4 messages, about 70 s
    .venv/bin/python scripts/chaos.py --short          # 170 users × 4, under a minute (tests/test_chaos.py)
    .venv/bin/python scripts/chaos.py --users 100 --messages-per-user 6 --seed 7 --json out.json

What runs, all on 127.0.0.1 and all removed at the end (also on Ctrl-C or a failure):
- its own redis-server (append-only file, fsync every second) in a temporary folder, on a free port;
- a Telegram Bot API double (tests/doubles.py ChaosBotApi) that can be slow, answer 500s, 429s with
  retry_after, or hold a send and answer 504 without delivering it;
- three `python -m bot serve` processes: one web-only (RUN_WORKERS=false) that receives the webhooks,
  and two worker processes that process and send.

Each simulated user has a real conversation (a greeting, a language, who they are, a module; with
--messages-per-user 12 some walks go on through the module to its quiz), chosen by a seeded random
walk over the bot's own buttons, typed numbers and words. The expected replies come from a reference
run of the same sequences through the same pipeline with no faults, in-process, on a separate
namespace; users whose walk would reach a counselor or the safety triage are re-drawn (their replies
depend on other users' tickets, so they are not repeatable). Content and flows are copied first and
every process reads the copy, so an edit to content/ during the run (the bot reloads what it sees
change) does not change the expected texts.
The load posts Telegram updates to the web-only process with the secret header, one user's updates in
order, retrying a non-200 with back-off as Telegram does, and re-sends a share of updates (same update_id).
Meanwhile, on a schedule: a worker is SIGKILLed and restarted, Redis is SIGKILLed and restarted on the
same port and folder, and the double goes through each fault mode for a few seconds.

Then faults are cleared, the queues drain (bounded), and it prints delivered / expected, lost, doubled,
out-of-order, stuck (queued or dead-lettered, read from Redis), webhook and end-to-end latencies, the
faults injected, and whether any log line holds a message text, a chat id or a secret. Exit 1 when
anything was lost, stuck, out of order or unexpected, doubles exceed 0.5 %, a webhook answered 500, or a
log leaked. Not covered: a Bot API slower than the bot's send read timeout (65 s) — a bounded run cannot
wait that long —, WhatsApp, the web process being killed, a disk or power loss (Redis is killed, not the
machine).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app.runtime import build_runtime, connect_redis_sync  # noqa: E402
from bot.channels.telegram import SEND_READ_TIMEOUT  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.core.privacy import user_key  # noqa: E402
from bot.core.types import Incoming  # noqa: E402
from bot.delivery.render import render_for  # noqa: E402
from bot.store.keys import Keys  # noqa: E402
from tests.doubles import ChaosBotApi, Delivery, free_port, serve  # noqa: E402

DOUBLE_BOUND = 0.005  # doubles come only from a kill in the send instant: at most 0.5 % of the parts
# (a killed worker holds at most 4 sends, its outbox loops: --short is sized so that one kill fits the bound)
LEASE_SECONDS = 3
FIRST_WORDS = ("hola", "Hola", "buenas", "menu", "buenos días")
LATER_WORDS = ("menu", "gracias", "hola", "ok", "no entiendo")
CHAT_BASE = 5_550_000_000  # chat ids are CHAT_BASE + user: distinctive, so a leak in a log is found
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Plan:
    users: int
    messages: int
    concurrency: int
    seed: int
    duration: float  # seconds over which users arrive and the faults happen
    fault_seconds: float  # how long each fault mode of the double lasts
    worker_kills: int
    duplicate_share: float
    drain_timeout: float

    def schedule(self) -> list[tuple[float, str, str]]:
        """(seconds from the start, what, argument): the faults, spread over the load."""
        events: list[tuple[float, str, str]] = [(0.10, "kill_worker", "0"), (0.20, "mode", "slow"),
                                                (0.32, "mode", "errors"), (0.45, "kill_redis", ""),
                                                (0.57, "mode", "rate_limited"), (0.70, "mode", "timeout")]
        if self.worker_kills > 1:
            events.append((0.84, "kill_worker", "1"))
        return [(round(at * self.duration, 2), what, arg) for at, what, arg in events]


def make_plan(args: argparse.Namespace) -> Plan:
    short = bool(args.short)
    users = args.users if args.users is not None else (170 if short else 500)
    duration = args.duration if args.duration is not None else (26.0 if short else 60.0)
    return Plan(users=users, messages=args.messages_per_user, concurrency=args.concurrency, seed=args.seed,
                duration=duration, fault_seconds=2.5 if short else 4.0, worker_kills=1 if short else 2,
                duplicate_share=args.duplicates, drain_timeout=args.drain_timeout or (60.0 if short else 120.0))


# ---------------------------------------------------------------- conversations and their reference


@dataclass
class Step:
    text: str | None = None
    choice: str | None = None


@dataclass
class User:
    index: int
    steps: list[Step]
    expected: list[list[str]]  # per step, the texts of the reply's parts as Telegram gets them
    accepted: list[float | None] = field(default_factory=list)  # when each step's webhook answered 200

    @property
    def chat_id(self) -> int:
        return CHAT_BASE + self.index

    def flat(self) -> list[str]:
        return [part for parts in self.expected for part in parts]


def _next_step(rng: random.Random, first: bool, choices: list[str]) -> Step:
    if first or not choices:
        return Step(text=rng.choice(FIRST_WORDS if first else LATER_WORDS))
    roll = rng.random()
    pick = 0 if rng.random() < 0.5 else rng.randrange(len(choices))  # "continue" is often first: go deeper
    if roll < 0.55:
        return Step(choice=choices[pick])
    if roll < 0.85:
        return Step(text=str(pick + 1))
    return Step(text=rng.choice(LATER_WORDS))


def snapshot(project: Path) -> Path:
    """A copy of the content and flows for this run: the reference and every process read the same texts,
    even if someone edits content/ meanwhile (the bot reloads content it sees change)."""
    for part in ("content", "flows", "nlu/data"):
        if (ROOT / part).exists():
            shutil.copytree(ROOT / part, project / part)
    return project


async def reference(plan: Plan, redis_url: str, pepper: str, address_key: str, project: Path) -> list[User]:
    """Every user's messages and the replies they must get, through the real pipeline with no faults.

    The walk is drawn from each user's own seeded generator, so it is the same in every run with the
    same seed; a walk that reaches a counselor, the safety triage or a turn with no reply is drawn again."""
    settings = load_settings(_env_file=None, redis_url=redis_url, rasa_url=None, user_key_pepper=pepper,
                             address_key=address_key, log_level="WARNING", content_dir=project / "content",
                             flows_dir=project / "flows")
    ns = f"chaos-ref-{secrets.token_hex(3)}"
    runtime = await build_runtime(settings, namespace=ns, use_nlu=False)
    gate = asyncio.Semaphore(16)

    async def walk(index: int) -> User:
        rng = random.Random(f"{plan.seed}:{index}")
        async with gate:
            for attempt in range(50):
                address = f"{CHAT_BASE + index}-{attempt}"
                key = user_key(pepper, "telegram", address)
                steps: list[Step] = []
                expected: list[list[str]] = []
                choices: list[str] = []
                for n in range(plan.messages):
                    step = _next_step(rng, n == 0, choices)
                    reply = await runtime.pipeline.handle(Incoming(
                        channel="telegram", address=address, user_key=key, external_id=f"ref-{address}-{n}",
                        text=step.text, choice=step.choice))
                    parts = [part.text for out in reply.replies for part in render_for("telegram", out)]
                    if reply.handoff is not None or reply.risk.level != "none" or not parts or reply.duplicate:
                        break
                    steps.append(step)
                    expected.append(parts)
                    choices = [c.payload for out in reply.replies for c in out.choices]
                else:
                    return User(index, steps, expected, [None] * len(steps))
        raise RuntimeError(f"no repeatable conversation found for user {index} in 50 draws")

    try:
        return list(await asyncio.gather(*(walk(i) for i in range(plan.users))))
    finally:
        keys = [k async for k in runtime.redis.scan_iter(match=f"{ns}:*", count=1000)]
        for i in range(0, len(keys), 500):
            await runtime.redis.delete(*keys[i:i + 500])
        await runtime.aclose()


def update_for(user: User, n: int, update_id: int) -> dict[str, Any]:
    step = user.steps[n]
    person = {"id": user.chat_id, "is_bot": False, "first_name": "Chaos", "language_code": "es"}
    chat = {"id": user.chat_id, "type": "private", "first_name": "Chaos"}
    if step.choice is not None:
        return {"update_id": update_id, "callback_query": {
            "id": f"{update_id}", "from": person, "chat_instance": "1", "data": step.choice,
            "message": {"message_id": 10 * n + 1, "date": int(time.time()), "chat": chat, "text": "…"}}}
    return {"update_id": update_id, "message": {"message_id": 10 * n, "date": int(time.time()), "chat": chat,
                                                "from": person, "text": step.text}}


# ---------------------------------------------------------------- processes


def _die_with_parent() -> None:
    """Linux: the child is killed if this script dies without cleaning up (SIGKILL, a crash)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class ChildProcess:
    """A process the run starts, kills (SIGKILL, as a crash) and stops (SIGTERM, then SIGKILL)."""

    proc: subprocess.Popen[bytes] | None = None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


class RedisServer(ChildProcess):
    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed: run 'bash scripts/redis.sh' (it installs it with "
                             "apt-get when it can) or 'sudo apt-get install redis-server'.")
        self.binary = binary
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--appendonly", "yes",
             "--appendfsync", "everysec", "--save", "", "--dir", str(self.folder),
             "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=_die_with_parent)  # main thread only: see _die_with_parent

    async def wait(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not await asyncio.to_thread(_ping, self.port):
            if (self.proc is not None and self.proc.poll() is not None) or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start; see {self.folder / 'redis.log'}")
            await asyncio.sleep(0.05)


class BotProcess(ChildProcess):
    """`python -m bot serve` with its own port; its output goes to a log file (appended across restarts)."""

    def __init__(self, role: str, env: dict[str, str], folder: Path) -> None:
        self.role = role
        self.env = env
        self.folder = folder
        self.log = folder / f"{role}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.started = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        self.started += 1
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(self.port)],
                                         cwd=self.folder, env={**self.env, "PORT": str(self.port)}, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_die_with_parent)

    async def wait(self, client: httpx.AsyncClient, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(self.url + "/healthz", timeout=2)).status_code == 200:
                    return
            if (self.proc is not None and self.proc.poll() is not None) or time.monotonic() > deadline:
                raise RuntimeError(f"the {self.role} process did not start; see {self.log}")
            await asyncio.sleep(0.1)

    async def health(self, client: httpx.AsyncClient) -> int:
        """/healthz's status after the run: 200 unless Redis is down or a queue stalled."""
        try:
            return (await client.get(self.url + "/healthz", timeout=5)).status_code
        except httpx.HTTPError:
            return 0


def bot_env(project: Path, redis_url: str, api: str, token: str, secret: str, namespace: str, pepper: str,
            address_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "ONCALL_", "TELEGRAM_", "RASA_"))}
    env.update({
        "PYTHONPATH": str(ROOT), "ENVIRONMENT": "development", "REDIS_URL": redis_url, "BOT_NAMESPACE": namespace,
        "CONTENT_DIR": str(project / "content"), "FLOWS_DIR": str(project / "flows"),
        "RASA_URL": "", "USER_KEY_PEPPER": pepper, "ADDRESS_KEY": address_key,
        "TELEGRAM_TOKEN": token, "TELEGRAM_WEBHOOK_SECRET": secret, "TELEGRAM_API_BASE": f"{api}/bot",
        "TELEGRAM_MODE": "webhook", "TELEGRAM_GLOBAL_RATE": "200", "TELEGRAM_CHAT_RATE": "10",
        "QUEUE_LEASE_SECONDS": str(LEASE_SECONDS), "LOG_LEVEL": "WARNING", "SIMULATOR_ENABLED": "false",
    })
    return env


# ---------------------------------------------------------------- the load


@dataclass
class LoadStats:
    statuses: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    gave_up: int = 0
    duplicates_sent: int = 0
    duplicates_stored: int = 0  # a re-sent update the webhook stored again (must stay 0)


async def post_until_accepted(client: httpx.AsyncClient, url: str, secret: str, body: bytes, gate: asyncio.Semaphore,
                              stats: LoadStats, deadline: float) -> tuple[float | None, dict[str, Any]]:
    """Post like Telegram: retry a non-200 (or no answer) with back-off; when it was accepted and the answer."""
    attempt = 0
    while True:
        async with gate:
            started = time.perf_counter()
            try:
                response = await client.post(url, content=body, timeout=10,
                                             headers={SECRET_HEADER: secret, "Content-Type": "application/json"})
                status = str(response.status_code)
            except httpx.HTTPError as exc:
                response, status = None, type(exc).__name__
        stats.statuses[status] += 1
        if response is not None and response.status_code == 200:
            stats.latencies_ms.append((time.perf_counter() - started) * 1000)
            return time.time(), dict(response.json())
        attempt += 1
        if time.monotonic() > deadline:
            stats.gave_up += 1
            return None, {}
        await asyncio.sleep(min(8.0, 0.25 * 2 ** attempt) * random.uniform(0.8, 1.2))


async def drive(plan: Plan, users: list[User], url: str, secret: str, stats: LoadStats) -> None:
    gate = asyncio.Semaphore(plan.concurrency)
    rng = random.Random(plan.seed)
    spread = max(1.0, plan.duration - plan.messages * 0.9 - 2)
    starts = {u.index: rng.uniform(0, spread) for u in users}
    deadline = time.monotonic() + plan.duration + 120
    began = time.monotonic()
    extra: list[asyncio.Task[None]] = []

    async def resend(body: bytes, delay: float) -> None:
        await asyncio.sleep(delay)
        stats.duplicates_sent += 1
        _, answer = await post_until_accepted(client, url, secret, body, gate, stats, deadline)
        if answer and not answer.get("duplicate"):
            stats.duplicates_stored += 1

    async def one(user: User) -> None:
        own = random.Random(f"{plan.seed}:load:{user.index}")
        await asyncio.sleep(max(0.0, began + starts[user.index] - time.monotonic()))
        for n in range(len(user.steps)):
            update_id = (user.index + 1) * 1000 + n
            body = json.dumps(update_for(user, n, update_id), ensure_ascii=False).encode()
            user.accepted[n], _ = await post_until_accepted(client, url, secret, body, gate, stats, deadline)
            if own.random() < plan.duplicate_share:
                extra.append(asyncio.create_task(resend(body, own.uniform(0.1, 3.0))))
            await asyncio.sleep(own.uniform(0.3, 1.5))

    limits = httpx.Limits(max_connections=plan.concurrency, max_keepalive_connections=plan.concurrency)
    async with httpx.AsyncClient(limits=limits) as client:
        await asyncio.gather(*(one(u) for u in users))
        await asyncio.gather(*extra)


# ---------------------------------------------------------------- the faults


@dataclass
class Injected:
    worker_kills: int = 0
    worker_restart_seconds: list[float] = field(default_factory=list)
    redis_kills: int = 0
    redis_down_seconds: list[float] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    began_at: float = 0.0  # time.time() when the load began


async def chaos(plan: Plan, workers: list[BotProcess], redis: RedisServer, double: ChaosBotApi,
                client: httpx.AsyncClient, injected: Injected, say: Callable[[str], None]) -> None:
    began = time.monotonic()
    for at, what, arg in plan.schedule():
        await asyncio.sleep(max(0.0, began + at - time.monotonic()))
        if what == "kill_worker":
            worker = workers[int(arg) % len(workers)]
            worker.kill()
            injected.worker_kills += 1
            t0 = time.monotonic()
            worker.start()
            await worker.wait(client)
            injected.worker_restart_seconds.append(time.monotonic() - t0)
            say(f"  {at:5.1f} s  SIGKILL {worker.role}; back in {time.monotonic() - t0:.1f} s")
        elif what == "kill_redis":
            t0 = time.monotonic()
            redis.kill()
            injected.redis_kills += 1
            await asyncio.sleep(0.5)
            redis.start()
            await redis.wait()
            injected.redis_down_seconds.append(time.monotonic() - t0)
            say(f"  {at:5.1f} s  SIGKILL redis-server; answering again in {time.monotonic() - t0:.1f} s")
        else:
            double.switch(arg)
            injected.modes.append(arg)
            say(f"  {at:5.1f} s  Bot API {arg} for {plan.fault_seconds:g} s")
            await asyncio.sleep(plan.fault_seconds)
            double.switch("normal")


# ---------------------------------------------------------------- results


@dataclass
class ChatResult:
    lost: int = 0
    doubled: int = 0
    unexpected: int = 0
    out_of_order: bool = False


def compare(expected: list[str], received: list[str]) -> ChatResult:
    """Per chat: parts missing, extra copies, texts never expected, and whether the order differs
    (comparing the received parts without extra copies with the expected ones without the missing)."""
    want, got = Counter(expected), Counter(received)
    result = ChatResult(lost=sum((want - got).values()),
                        doubled=sum(max(0, got[t] - want[t]) for t in got if t in want),
                        unexpected=sum(n for t, n in got.items() if t not in want))
    seen: Counter[str] = Counter()
    kept_received = []
    for text in received:
        seen[text] += 1
        if seen[text] <= want[text]:
            kept_received.append(text)
    seen = Counter()
    kept_expected = []
    for text in expected:
        seen[text] += 1
        if seen[text] <= got[text]:
            kept_expected.append(text)
    result.out_of_order = kept_received != kept_expected
    return result


def end_to_end(user: User, received: list[Delivery]) -> list[float]:
    """Seconds from each step's webhook 200 to the first part of its reply reaching the Bot API."""
    flat = user.flat()
    first_seen: dict[int, float] = {}
    position = 0
    for delivery in received:
        if position < len(flat) and delivery.text == flat[position]:
            first_seen[position] = delivery.at
            position += 1
    out = []
    offset = 0
    for n, parts in enumerate(user.expected):
        accepted = user.accepted[n]
        if accepted is not None and offset in first_seen:
            out.append(max(0.0, first_seen[offset] - accepted))
        offset += len(parts)
    return out


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def queue_state(redis_url: str, namespace: str) -> dict[str, int]:
    """What is still in the queues or was dead-lettered (the console's failed list)."""
    client = connect_redis_sync(redis_url)
    try:
        def entries(pattern: str) -> int:
            return sum(int(client.llen(k)) for k in client.scan_iter(match=pattern, count=1000))

        keys = Keys(namespace)
        return {"inbox": entries(keys.queue("in").list("*")), "outbox": entries(keys.queue("out:*").list("*")),
                "dead_lettered": int(client.llen(keys.failed)),
                "ready_users": int(client.zcard(keys.queue("in").ready))
                + sum(int(client.zcard(k)) for k in client.scan_iter(match=keys.queue("out:*").ready))}
    finally:
        client.close()


def failed_reasons(redis_url: str, namespace: str) -> Counter[str]:
    client = connect_redis_sync(redis_url)
    try:
        return Counter(str(json.loads(item).get("reason", "?"))[:80]
                       for item in client.lrange(Keys(namespace).failed, 0, -1))
    finally:
        client.close()


def scan_logs(logs: list[Path], users: list[User], secrets_: list[str]) -> tuple[list[str], Counter[str], int]:
    """Leaks (file:line and what kind, never the line), the warnings and errors by shape, lines read."""
    needles: dict[str, str] = {s: "a secret" for s in secrets_}
    for user in users:
        needles[str(user.chat_id)] = "a chat id"
        for step in user.steps:
            if step.text and len(step.text) >= 5:
                needles[step.text] = "a user's text"
        for part in user.flat():
            head = part.strip()[:40]
            if len(head) >= 20:
                needles[head] = "a reply's text"
    pattern = re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))
    leaks: list[str] = []
    shapes: Counter[str] = Counter()
    lines = 0
    for log in logs:
        if not log.exists():
            continue
        for number, line in enumerate(log.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            lines += 1
            found = pattern.search(line)
            if found:
                leaks.append(f"{log.name}:{number}: {needles[found.group(0)]}")
            level = next((lv for lv in ("ERROR", "WARNING", "Traceback") if lv in line), None)
            if level:
                shape = re.sub(r"\d+(\.\d+)?", "N", line.split(f"{level} ", 1)[-1])[:110]
                shapes[shape] += 1
    return leaks, shapes, lines


# ---------------------------------------------------------------- the run


async def run(plan: Plan, folder: Path, say: Callable[[str], None], keep: bool = False) -> dict[str, Any]:
    redis = RedisServer(folder / "redis")
    processes: list[BotProcess] = []
    namespace = f"chaos-{secrets.token_hex(3)}"
    try:
        redis.start()
        await redis.wait()
        return await _run(plan, folder, say, redis, namespace, processes)
    finally:
        for process in processes:
            process.stop()
        if not keep:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(drop_keys, redis.url, namespace)
        redis.stop()


def drop_keys(redis_url: str, namespace: str) -> None:
    client = connect_redis_sync(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
        for i in range(0, len(keys), 500):
            client.delete(*keys[i:i + 500])
    finally:
        client.close()


async def _run(plan: Plan, folder: Path, say: Callable[[str], None], redis: RedisServer, namespace: str,
               processes: list[BotProcess]) -> dict[str, Any]:
    double = ChaosBotApi(seed=plan.seed)
    secret = secrets.token_urlsafe(24).replace("-", "_")
    pepper, address_key = secrets.token_hex(16), secrets.token_hex(16)
    say(f"chaos run: {plan.users} users × {plan.messages} messages, seed {plan.seed}, load over "
        f"{plan.duration:g} s; own Redis on port {redis.port} (append-only, fsync every second)")
    t0 = time.monotonic()
    project = snapshot(folder / "project")
    users = await reference(plan, redis.url, pepper, address_key, project)
    expected_parts = sum(len(u.flat()) for u in users)
    say(f"reference run (no faults, in-process): {plan.users * plan.messages} turns → {expected_parts} reply "
        f"parts expected, {time.monotonic() - t0:.1f} s")
    with serve(double.app()) as api:
        env = bot_env(project, redis.url, api, double.token, secret, namespace, pepper, address_key)
        web = BotProcess("web", {**env, "RUN_WORKERS": "false", "DATABASE_URL": f"sqlite:///{folder}/web.db"},
                         folder)
        workers = [BotProcess(f"worker-{n}", {**env, "RUN_WORKERS": "true",
                                              "DATABASE_URL": f"sqlite:///{folder}/worker-{n}.db"}, folder)
                   for n in (1, 2)]
        processes += [web, *workers]
        try:
            async with httpx.AsyncClient() as client:
                for process in processes:
                    process.start()
                await asyncio.gather(*(p.wait(client) for p in processes))
                say(f"web-only process on :{web.port}, workers on :{workers[0].port} and :{workers[1].port}; "
                    "load and faults:")
                stats = LoadStats()
                injected = Injected()
                load_began = time.monotonic()
                injected.began_at = time.time()
                await asyncio.gather(drive(plan, users, f"{web.url}/webhooks/telegram", secret, stats),
                                     chaos(plan, workers, redis, double, client, injected, say))
                double.switch("normal")
                load_seconds = time.monotonic() - load_began
                drain_began = time.monotonic()
                state = await drain(plan, redis.url, namespace)
                drain_seconds = time.monotonic() - drain_began
                health = {p.role: await p.health(client) for p in processes}
        finally:
            for process in processes:
                process.stop()
        deliveries = list(double.deliveries)
        refused = list(double.refused)
    result = report(plan, users, deliveries, refused, stats, injected, double, state, redis, namespace,
                    [p.log for p in processes], [secret, pepper, address_key, double.token],
                    load_seconds, drain_seconds)
    result["healthz_after"] = health
    if any(status != 200 for status in health.values()):
        result["failures"].append("/healthz not 200 after the run")
    return result


async def drain(plan: Plan, redis_url: str, namespace: str) -> dict[str, int]:
    """Wait (bounded) until no queue holds anything: then nothing more will be sent."""
    deadline = time.monotonic() + plan.drain_timeout
    while True:
        try:
            state = await asyncio.to_thread(queue_state, redis_url, namespace)
        except Exception:  # Redis still coming back: ask again
            state = {"inbox": -1, "outbox": -1, "dead_lettered": 0, "ready_users": -1}
        if (state["inbox"] == 0 and state["outbox"] == 0) or time.monotonic() > deadline:
            return state
        await asyncio.sleep(0.5)


def report(plan: Plan, users: list[User], deliveries: list[Delivery], refused: list[str], stats: LoadStats,
           injected: Injected, double: ChaosBotApi, state: dict[str, int], redis: RedisServer, namespace: str,
           logs: list[Path], secret_values: list[str], load_seconds: float, drain_seconds: float) -> dict[str, Any]:
    by_chat: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        by_chat.setdefault(delivery.chat_id, []).append(delivery)
    totals = ChatResult()
    out_of_order_chats = 0
    e2e: list[float] = []
    expected_parts = 0
    doubles_at: list[float] = []  # seconds into the load when each extra copy was sent
    mismatches: list[dict[str, Any]] = []  # the test's own texts, for finding a cause (never the bot's logs)
    for user in users:
        received = sorted(by_chat.get(str(user.chat_id), []), key=lambda d: d.at)
        flat = user.flat()
        expected_parts += len(flat)
        chat = compare(flat, [d.text for d in received])
        if (chat.lost or chat.doubled or chat.unexpected or chat.out_of_order) and len(mismatches) < 10:
            mismatches.append({"chat": user.chat_id, "steps": [[s.text, s.choice] for s in user.steps],
                               "expected": [t[:60] for t in flat], "received": [d.text[:60] for d in received]})
        if chat.doubled:
            want, seen = Counter(flat), Counter[str]()
            for delivery in received:
                seen[delivery.text] += 1
                if delivery.text in want and seen[delivery.text] > want[delivery.text]:
                    doubles_at.append(round(delivery.at - injected.began_at, 1))
        totals.lost += chat.lost
        totals.doubled += chat.doubled
        totals.unexpected += chat.unexpected
        out_of_order_chats += int(chat.out_of_order)
        e2e += end_to_end(user, received)
    known = {str(u.chat_id) for u in users}
    strangers = sum(len(v) for k, v in by_chat.items() if k not in known)
    leaks, shapes, log_lines = scan_logs(logs, users, secret_values)
    stuck = max(0, state["inbox"]) + max(0, state["outbox"]) + state["dead_lettered"]
    if state["inbox"] < 0:
        stuck += 1  # Redis never answered during the drain: count it as stuck rather than hide it
    reasons = failed_reasons(redis.url, namespace) if state["dead_lettered"] else Counter()
    webhook_500 = sum(n for s, n in stats.statuses.items() if s.isdigit() and int(s) >= 500 and s != "503")
    result = {
        "users": plan.users, "messages_per_user": plan.messages, "seed": plan.seed,
        "updates": sum(len(u.steps) for u in users), "duplicates_sent": stats.duplicates_sent,
        "duplicates_stored_again": stats.duplicates_stored,
        "expected": expected_parts, "delivered": expected_parts - totals.lost,
        "sent_in_all": len(deliveries), "lost": totals.lost, "doubled": totals.doubled,
        "doubled_share": round(totals.doubled / max(1, expected_parts), 5),
        "doubles_at_s": sorted(doubles_at), "unexpected": totals.unexpected + strangers,
        "out_of_order_chats": out_of_order_chats, "stuck": stuck, "queues_after_drain": state,
        "dead_letter_reasons": dict(reasons), "refused_by_bot_api": len(refused),
        "webhook": {"statuses": dict(stats.statuses), "p50_ms": round(percentile(stats.latencies_ms, 0.5), 1),
                    "p99_ms": round(percentile(stats.latencies_ms, 0.99), 1), "gave_up": stats.gave_up,
                    "answered_5xx_not_503": webhook_500},
        "end_to_end": {"p50_s": round(percentile(e2e, 0.5), 3), "p99_s": round(percentile(e2e, 0.99), 3),
                       "max_s": round(max(e2e, default=float("nan")), 3), "measured": len(e2e)},
        "faults": {"worker_kills": injected.worker_kills, "redis_kills": injected.redis_kills,
                   "worker_restart_s": [round(s, 1) for s in injected.worker_restart_seconds],
                   "redis_down_s": [round(s, 1) for s in injected.redis_down_seconds],
                   "modes": injected.modes, "slow_sends": double.faults["slow"],
                   "answered_500": double.faults["500"], "answered_429": double.faults["429"],
                   "timeouts_504": double.faults["timeout"], "slow_seconds": double.slow_seconds,
                   "hold_seconds": double.hold_seconds, "retry_after": double.retry_after},
        "logs": {"lines": log_lines, "leaks": leaks[:50], "leak_count": len(leaks),
                 "warnings_and_errors": dict(shapes.most_common(12))},
        "load_seconds": round(load_seconds, 1), "drain_seconds": round(drain_seconds, 1),
        "mismatched_chats": mismatches,
    }
    failures = []
    if totals.lost:
        failures.append("lost")
    if stuck:
        failures.append("stuck")
    if out_of_order_chats:
        failures.append("out of order")
    if result["unexpected"]:
        failures.append("unexpected messages")
    if totals.doubled > DOUBLE_BOUND * expected_parts:
        failures.append("too many doubles")
    if webhook_500:
        failures.append("webhook answered 500")
    if stats.gave_up or stats.duplicates_stored:
        failures.append("webhook not accepted" if stats.gave_up else "a re-sent update stored twice")
    if leaks:
        failures.append("log leak")
    if refused:
        failures.append("Bot API refused a call")
    result["failures"] = failures
    return result


def print_report(r: dict[str, Any], say: Callable[[str], None]) -> None:
    f, w, e = r["faults"], r["webhook"], r["end_to_end"]
    say("")
    say(f"faults injected: {f['worker_kills']} worker SIGKILL(s) (back in {f['worker_restart_s']} s), "
        f"{f['redis_kills']} Redis SIGKILL(s) (answering again in {f['redis_down_s']} s); Bot API: "
        f"{f['slow_sends']} slow sends ({f['slow_seconds']:g} s), {f['answered_500']} × 500, "
        f"{f['answered_429']} × 429 (retry_after {f['retry_after']}), {f['timeouts_504']} held "
        f"{f['hold_seconds']:g} s then 504")
    say(f"load: {r['updates']} updates + {r['duplicates_sent']} re-sent duplicates in {r['load_seconds']} s; "
        f"drain {r['drain_seconds']} s")
    say(f"webhook: answers {w['statuses']}; p50 {w['p50_ms']} ms, p99 {w['p99_ms']} ms (200s); "
        f"given up {w['gave_up']}; re-sent duplicates stored again {r['duplicates_stored_again']}")
    again = f", sent again at {r['doubles_at_s']} s into the load" if r["doubled"] else ""
    say(f"delivered {r['delivered']} / {r['expected']} expected reply parts; lost {r['lost']}, doubled "
        f"{r['doubled']} ({100 * r['doubled_share']:.2f} %{again}), out-of-order chats {r['out_of_order_chats']}, "
        f"unexpected {r['unexpected']}")
    q = r["queues_after_drain"]
    say(f"stuck {r['stuck']}: inbox {q['inbox']}, outbox {q['outbox']}, dead-lettered {q['dead_lettered']}"
        + (f" {r['dead_letter_reasons']}" if r["dead_letter_reasons"] else ""))
    say(f"/healthz after the run: {r.get('healthz_after')}")
    say(f"end-to-end (webhook 200 → first part at the Bot API): p50 {e['p50_s']} s, p99 {e['p99_s']} s, "
        f"max {e['max_s']} s over {e['measured']} messages")
    logs = r["logs"]
    say(f"logs: {logs['lines']} lines from 3 processes; "
        + (f"{logs['leak_count']} LEAK(S): {logs['leaks'][:5]}" if logs["leak_count"]
           else "no message text, chat id or secret"))
    for shape, count in logs["warnings_and_errors"].items():
        say(f"  {count:5d} × {shape}")
    say(f"not exercised: a Bot API slower than the bot's send read timeout ({SEND_READ_TIMEOUT:g} s), "
        "WhatsApp, a kill of the web process, a disk or power loss")
    say("RESULT: " + ("PASS" if not r["failures"] else "FAIL — " + ", ".join(r["failures"])))


@contextlib.contextmanager
def workspace(keep: bool) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="seguros-chaos-"))
    try:
        yield folder
    finally:
        if keep:
            print(f"kept {folder} (logs, Redis files)", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--users", type=int, help="simulated users (default 500; 170 with --short)")
    parser.add_argument("--messages-per-user", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32, help="webhook requests in flight")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--short", action="store_true", help="170 users, faults of 2.5 s, one worker kill (CI)")
    parser.add_argument("--duration", type=float, help="seconds over which users arrive (default 60; 26 short)")
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of updates sent twice")
    parser.add_argument("--drain-timeout", type=float, help="seconds to wait for the queues to empty")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, Redis files)")
    args = parser.parse_args(argv)
    plan = make_plan(args)

    def say(line: str) -> None:
        print(line, flush=True)

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # also when started in the background (SIGINT ignored)
    with workspace(args.keep) as folder:
        try:
            result = asyncio.run(run(plan, folder, say, args.keep))
        except KeyboardInterrupt:
            print("interrupted; cleaned up", file=sys.stderr)
            return 130
        print_report(result, say)
        if args.json:
            args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
