"""Shared fixtures. Integration tests use the real Redis at REDIS_URL (default 127.0.0.1:6379)."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
import redis as redis_sync
from redis.asyncio import Redis

from bot.app.runtime import Runtime, build_runtime
from bot.config import load_settings
from bot.store.addresses import AddressBook
from bot.store.db import upgrade
from bot.store.keys import Keys

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update", "--update-golden", action="store_true", dest="update_golden",
                     help="rewrite tests/golden/*.yml from the bot's answers")


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        await client.ping()
    except Exception as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc}. Start it (make redis) and run again.")
    yield client
    await client.aclose()


@pytest.fixture
async def namespace(redis: Redis) -> AsyncIterator[str]:
    ns = f"test:{secrets.token_hex(6)}"
    yield ns
    keys = [k async for k in redis.scan_iter(match=f"{ns}:*", count=500)]
    if keys:
        await redis.delete(*keys)


@pytest.fixture
async def runtime(namespace: str) -> AsyncIterator[Runtime]:
    """The bot's parts on the test's namespace, urgent rules only (no NLU)."""
    runtime = await build_runtime(load_settings(redis_url=REDIS_URL, rasa_url=None), namespace=namespace,
                                  use_nlu=False)
    yield runtime
    await runtime.aclose()


async def address_book(redis: Redis, namespace: str, users: int) -> AddressBook:
    """Telegram addresses 100<n> for users u0 … u<users-1>."""
    book = AddressBook(redis, namespace, "k")
    for n in range(users):
        await book.put(f"u{n}", "telegram", f"100{n}")
    return book


PG = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new database, migrated to the newest revision: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bot.db'}"
        upgrade(url)
        yield url
        return
    name = f"test_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(f"{PG}/postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG}: {exc}")
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        upgrade(f"{PG}/{name}")
        yield f"{PG}/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def drop_namespace(ns: str) -> None:
    """Delete every Redis key of a test's namespace (for tests that run the app in a TestClient)."""
    plain = redis_sync.Redis.from_url(REDIS_URL)
    try:
        keys = list(plain.scan_iter(match=f"{ns}:*", count=500))
        if keys:
            plain.delete(*keys)
    finally:
        plain.close()


def inbox_length(ns: str, user: str) -> int:
    """Messages of one user waiting in the inbox (tests that run the webhooks without workers)."""
    plain = redis_sync.Redis.from_url(REDIS_URL)
    try:
        return int(plain.llen(Keys(ns).queue("in").list(user)))
    finally:
        plain.close()


class Clock:
    """A clock the test moves by hand (`clock.now += 60`)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
