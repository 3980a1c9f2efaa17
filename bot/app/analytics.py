"""The analytics flusher, inside the worker processes next to the weekly tips' scheduler.

Turns append their events to a Redis list in the state commit (bot/store/state.py); the flusher moves them
into the relational table `analytics_events` in batches (bot/store/analytics.py: each entry stored exactly
once, whatever dies when) and deletes events older than ANALYTICS_RETENTION_DAYS once an hour. Every worker
process runs one; one leads at a time through `<ns>:sched:{analytics}:leader` (the same lock as the tips'
scheduler). A second flusher at the same moment (a lock that expired under a paused leader, or
`python -m bot report`, which flushes before it counts) is safe: it stores nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis

from bot.app.scheduler import LeaderLock, LeaderTask
from bot.store.analytics import AnalyticsLog, SqlAnalytics
from bot.store.keys import Keys

log = logging.getLogger(__name__)
BATCH = 500  # entries (turns) per transaction
MAX_BATCHES = 200  # per tick: a backlog is worked off over several ticks, never in one endless loop


class AnalyticsFlusher(LeaderTask):
    name = "analytics"

    def __init__(
        self,
        redis: Redis,
        namespace: str,
        analytics: AnalyticsLog,
        sql: SqlAnalytics,
        *,
        keep_days: int,
        interval: float = 5.0,
        lock_ttl: float = 30.0,
        batch: int = BATCH,
        purge_every: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.analytics = analytics
        self.sql = sql
        self.keep_days = keep_days
        self.interval = interval
        self.batch = batch
        self.purge_every = purge_every
        self.clock = clock
        self.lock = LeaderLock(redis, Keys(namespace).leader("analytics"), int(lock_ttl * 1000))
        self.leading = False
        self._purged_at = 0.0

    async def tick(self) -> int:
        """Flush what waits (and purge old events, hourly) if this process leads; returns events stored."""
        self.leading = await self.lock.hold()
        if not self.leading:
            return 0
        stored = await self.flush()
        if self.clock() - self._purged_at >= self.purge_every:
            deleted = await asyncio.to_thread(self.sql.purge, self.keep_days)
            self._purged_at = self.clock()
            if deleted:
                log.info("analytics: %d events older than %d days deleted", deleted, self.keep_days)
        return stored

    async def flush(self) -> int:
        """Move the pending entries into the database, a batch at a time; returns how many events were stored."""
        stored = 0
        for _ in range(MAX_BATCHES):
            entries = await self.analytics.peek(self.batch)
            if not entries:
                break
            inserted, unreadable = await asyncio.to_thread(self.sql.store, entries)
            if unreadable:
                log.warning("analytics: %d unreadable entries dropped", unreadable)
            await self.analytics.drop(entries)  # only if still at the head (another flusher may have taken them)
            stored += inserted
            if len(entries) < self.batch:
                break
        return stored
