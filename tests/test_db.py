"""Case records and the audit log on SQLite and on PostgreSQL, through the Alembic migrations."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bot.store.db import Store, make_engine, upgrade

PG = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cases.db'}"
        upgrade(url)
        yield Store(make_engine(url))
        return
    name = f"test_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(f"{PG}/postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG}: {exc}")
    admin.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(f"{PG}/{name}")
    try:
        upgrade(f"{PG}/{name}")
        yield Store(engine)
    finally:
        engine.dispose()
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def test_cases_and_audit_entries_are_kept(store: Store) -> None:
    ana = store.add_counselor("ana", "Ana", "hash", "counselor")
    store.open_case("t1", "userkey", "qu", "telegram", "urgent", "violence", ana.id)
    store.audit("ana", "claim", "t1")
    store.close_case("t1", "referred_felcv", "derivada a la FELCV")
    store.audit("ana", "close", "t1", "referred_felcv")
    case = store.case("t1")
    assert case is not None and case.outcome == "referred_felcv" and case.claimed_by == ana.id
    assert [e.action for e in store.audit_entries("t1")] == ["claim", "close"]


def test_unknown_roles_and_outcomes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="role"):
        store.add_counselor("x", "X", "hash", "boss")
    with pytest.raises(ValueError, match="outcome"):
        store.close_case("t1", "solved", "")


def test_lockout_fields_round_trip(store: Store) -> None:
    bea = store.add_counselor("bea", "Bea", "hash", "supervisor")
    store.update_counselor(bea.id, failed_logins=3)
    found = store.counselor("bea")
    assert found is not None and found.failed_logins == 3 and found.role == "supervisor"
