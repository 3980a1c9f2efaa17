"""The weekly tips' subscriptions in the relational database (bot/store/db.py `Subscription`).

The pipeline reaches it only through its executor (`bot/core/ports.py: Subscriptions`), after a turn has
decided; the scheduler (bot/app/scheduler.py) reads who is due and claims each tip here, so a tip goes to a
subscriber at most once per weekly slot even when two schedulers run at once: the claim is one conditional
UPDATE, and only the process whose UPDATE changed the row sends.
No message text, no address, no phone number: the row holds the user's keyed hash only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.effects import Subscribe
from bot.store.db import Subscription, make_engine

T = TypeVar("T")


@dataclass(frozen=True)
class Due:
    """A subscriber whose next tip is due in a slot: `week` is 0 for the first tip of the series."""

    user_key: str
    lang: str
    audience: str
    channel: str
    week: int
    last_slot: str | None = None


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


class SqlSubscriptions:
    """Implements `bot.core.ports.Subscriptions`, and the scheduler's reads and claims."""

    def __init__(self, engine: Engine, *, sqlite_file: Path | None = None) -> None:
        self.engine = engine
        self.sqlite_file = sqlite_file  # an SQLite database is never created here (the migrations do that)

    @classmethod
    def for_url(cls, url: str) -> SqlSubscriptions:
        path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
        return cls(make_engine(url), sqlite_file=path)

    def exists(self) -> bool:
        """False for an SQLite file that was never created (`python -m bot db upgrade` creates it)."""
        return self.sqlite_file is None or self.sqlite_file.exists()

    def close(self) -> None:
        self.engine.dispose()

    @staticmethod
    async def _run(fn: Callable[[], T]) -> T:
        return await asyncio.to_thread(fn)

    # -- the conversation's effects -----------------------------------------------------------------------
    async def subscribe(self, sub: Subscribe) -> None:
        await self._run(lambda: self._subscribe(sub))

    def _subscribe(self, sub: Subscribe) -> None:
        if not self.exists():
            raise RuntimeError("the database does not exist: run `python -m bot db upgrade`")
        for _ in range(2):  # a concurrent first insert of the same user: the second try updates it
            try:
                with Session(self.engine) as session, session.begin():
                    row = session.scalar(select(Subscription).where(Subscription.user_key == sub.user_key))
                    if row is None:
                        session.add(Subscription(user_key=sub.user_key, lang=sub.lang, audience=sub.audience,
                                                 channel=sub.channel, city=sub.city, consent_at=_utc(sub.consent_at),
                                                 text_version=sub.text_version, tips_sent=0))
                        return
                    if row.ended_at is not None:  # subscribed again: a new consent, the series goes on
                        row.consent_at, row.text_version = _utc(sub.consent_at), sub.text_version
                        row.ended_at = row.end_reason = None
                    row.lang, row.audience, row.channel = sub.lang, sub.audience, sub.channel
                    if sub.city is not None:
                        row.city = sub.city
                    return
            except IntegrityError:
                continue

    async def end(self, user_key: str, reason: str) -> None:
        def run() -> None:
            if not self.exists():
                return  # no database: no subscription to end
            with Session(self.engine) as session, session.begin():
                session.execute(update(Subscription)
                                .where(Subscription.user_key == user_key, Subscription.ended_at.is_(None))
                                .values(ended_at=dt.datetime.now(dt.UTC), end_reason=reason[:16]))
        await self._run(run)

    async def forget(self, user_key: str) -> None:
        def run() -> None:
            if not self.exists():
                return
            with Session(self.engine) as session, session.begin():
                session.execute(delete(Subscription).where(Subscription.user_key == user_key))
        await self._run(run)

    async def get(self, user_key: str) -> Subscription | None:
        def run() -> Subscription | None:
            with Session(self.engine) as session:
                return session.scalar(select(Subscription).where(Subscription.user_key == user_key))
        return await self._run(run)

    async def totals(self) -> tuple[int, int]:
        """The active subscriptions now, and the tips sent so far to every subscription (ended ones too)."""
        def run() -> tuple[int, int]:
            if not self.exists():
                return 0, 0
            query = select(func.count().filter(Subscription.ended_at.is_(None)),
                           func.coalesce(func.sum(Subscription.tips_sent), 0))
            with Session(self.engine) as session:
                active, sent = session.execute(query).one()
            return int(active or 0), int(sent or 0)
        return await self._run(run)

    # -- the scheduler ------------------------------------------------------------------------------------
    async def due(self, slot: str, slot_at: float, weeks: int, limit: int = 500) -> list[Due]:
        """Active subscribers who consented before the slot, have not had this slot's tip, and have tips
        left in a series of `weeks`."""
        def run() -> list[Due]:
            if not self.exists():
                return []
            query = (select(Subscription.user_key, Subscription.lang, Subscription.audience, Subscription.channel,
                            Subscription.tips_sent, Subscription.last_slot)
                     .where(Subscription.ended_at.is_(None), Subscription.consent_at < _utc(slot_at),
                            Subscription.tips_sent < weeks,
                            or_(Subscription.last_slot.is_(None), Subscription.last_slot < slot))
                     .order_by(Subscription.id).limit(limit))
            with Session(self.engine) as session:
                return [Due(*row) for row in session.execute(query).all()]
        return await self._run(run)

    async def claim(self, due: Due, slot: str) -> bool:
        """Mark the tip of `slot` as sent to the user; True only for the one caller whose update took."""
        def run() -> bool:
            with Session(self.engine) as session, session.begin():
                result = session.execute(
                    update(Subscription)
                    .where(Subscription.user_key == due.user_key, Subscription.ended_at.is_(None),
                           Subscription.tips_sent == due.week,
                           or_(Subscription.last_slot.is_(None), Subscription.last_slot < slot))
                    .values(last_slot=slot, tips_sent=due.week + 1))
                return bool(getattr(result, "rowcount", 0) == 1)
        return await self._run(run)

    async def unclaim(self, due: Due, slot: str) -> None:
        """Undo a claim whose tip could not be queued (it is tried again at the next tick)."""
        def run() -> None:
            with Session(self.engine) as session, session.begin():
                session.execute(update(Subscription)
                                .where(Subscription.user_key == due.user_key, Subscription.last_slot == slot,
                                       Subscription.tips_sent == due.week + 1)
                                .values(last_slot=due.last_slot, tips_sent=due.week))
        await self._run(run)
