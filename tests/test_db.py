"""Case records and the audit log on SQLite and on PostgreSQL, through the Alembic migrations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.store.db import Store, make_engine


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    engine = make_engine(db_url)
    yield Store(engine)
    engine.dispose()


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
