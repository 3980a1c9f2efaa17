"""Analytics events (bot/core/analytics.py) on their way from a turn to the relational database.

Redis side (`AnalyticsLog`): the state commit appends each turn's events as one entry to
`<ns>:an:{an}:pending` (bot/store/state.py, in the commit's atomic step); events that do not come from a
turn (a counselor claims, replies, closes) are appended here. The list is capped (ANALYTICS_PENDING_MAX).
The week's salt for pseudonymous actors is `<ns>:an:{an}:salt:<monday>`, random, gone a day after its week.

Database side (`SqlAnalytics`): the flusher (bot/app/analytics.py) reads entries from the head of the list,
inserts their events and one marker per entry (`analytics_batches`, its random id as primary key) in one
transaction, and then removes the entries it read, only if they are still at the head. An entry whose
marker exists is never inserted again, so a flusher that dies after the insert, or two flushers at once,
store every event exactly once (tests/test_analytics.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Sequence

from redis.asyncio import Redis
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.core.analytics import AnalyticsEvent, actor, decode, encode, week_end, week_of
from bot.store.db import AnalyticsBatch, AnalyticsRow
from bot.store.keys import Keys
from bot.store.state import ANALYTICS_PENDING_MAX

log = logging.getLogger(__name__)
MARKER_DAYS = 7  # a marker is needed only until its entry left the list (seconds after the insert, normally)

# KEYS: salt; ARGV: a new random salt, its TTL. The week's salt (made by the first process that needs it).
_SALT = """
local salt = redis.call('GET', KEYS[1])
if salt then return salt end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return ARGV[1]
"""
# KEYS: pending; ARGV: the first entry read, how many were read. Removes them only if they are still at the
# head (entries are unique and leave only from the head, so the head tells whether they are still there).
_DROP = """
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then
  redis.call('LTRIM', KEYS[1], tonumber(ARGV[2]), -1)
  return 1
end
return 0
"""


class AnalyticsLog:
    def __init__(self, redis: Redis, namespace: str) -> None:
        self.redis = redis
        self.keys = Keys(namespace)
        self._salt = redis.register_script(_SALT)
        self._drop = redis.register_script(_DROP)
        self._salts: dict[str, str] = {}  # this week's salt, once read (one round trip per process and week)

    async def actor(self, user_key: str, at: float) -> str:
        """The user's pseudonym for the week of `at` (the same in every process during that week)."""
        week = week_of(at).isoformat()
        salt = self._salts.get(week)
        if salt is None:
            ttl = int(week_end(at) - at) + 86400
            salt = str(await self._salt(keys=[self.keys.analytics_salt(week)], args=[secrets.token_hex(16), ttl]))
            self._salts = {week: salt}
        return actor(salt, user_key)

    async def append(self, events: Sequence[AnalyticsEvent]) -> None:
        """Events from outside a turn (the console's case actions), as one entry."""
        if not events:
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(self.keys.analytics_pending, encode(secrets.token_hex(8), list(events)))
            pipe.ltrim(self.keys.analytics_pending, -ANALYTICS_PENDING_MAX, -1)
            await pipe.execute()

    async def peek(self, limit: int) -> list[str]:
        """The oldest `limit` entries, left in place."""
        return [str(raw) for raw in await self.redis.lrange(self.keys.analytics_pending, 0, limit - 1)]

    async def drop(self, entries: Sequence[str]) -> bool:
        """Remove `entries` (what `peek` returned) if they are still the head of the list."""
        if not entries:
            return False
        return bool(await self._drop(keys=[self.keys.analytics_pending], args=[entries[0], len(entries)]))

    async def waiting(self) -> int:
        return int(await self.redis.llen(self.keys.analytics_pending))


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _row(event: AnalyticsEvent) -> dict[str, object]:
    at = _utc(event.at // 3600 * 3600)
    return {
        "at": at,
        "week": week_of(event.at),
        "kind": event.kind,
        "channel": event.channel,
        "lang": event.lang,
        "audience": event.audience,
        "city": event.city,
        "flow": event.flow,
        "step": event.step,
        "detail": event.detail,
        "category": event.category,
        "value": event.value,
        "actor": event.actor,
    }


class SqlAnalytics:
    """The `analytics_events` table: inserts (exactly once per entry), retention."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock

    def store(self, entries: Iterable[str]) -> tuple[int, int]:
        """Insert the events of every entry not stored before, with its marker, in one transaction.
        Returns (events inserted, entries that could not be read). Raises IntegrityError when another
        flusher stored one of them at the same moment (nothing is inserted; the next read skips them)."""
        batches: dict[str, list[AnalyticsEvent]] = {}
        unreadable = 0
        for raw in entries:
            try:
                batch, events = decode(raw)
            except (ValueError, KeyError, TypeError, IndexError):
                unreadable += 1
                continue
            batches.setdefault(batch, events)
        if not batches:
            return 0, unreadable
        with Session(self.engine) as session, session.begin():
            done = set(session.scalars(select(AnalyticsBatch.id).where(AnalyticsBatch.id.in_(list(batches)))))
            new = {batch: events for batch, events in batches.items() if batch not in done}
            if not new:
                return 0, unreadable
            now = _utc(self.clock())
            session.execute(insert(AnalyticsBatch), [{"id": batch, "flushed_at": now} for batch in new])
            rows = [_row(event) for events in new.values() for event in events]
            if rows:
                session.execute(insert(AnalyticsRow), rows)
            return len(rows), unreadable

    def purge(self, keep_days: int) -> int:
        """Delete events older than `keep_days` and markers no longer needed; returns the events deleted."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            gone = session.execute(delete(AnalyticsRow).where(AnalyticsRow.at < _utc(now - keep_days * 86400)))
            session.execute(delete(AnalyticsBatch).where(AnalyticsBatch.flushed_at < _utc(now - MARKER_DAYS * 86400)))
            return int(getattr(gone, "rowcount", 0) or 0)
