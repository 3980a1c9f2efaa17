"""Broadcasts: one message to the active subscriptions of a segment (bot/store/db.py `Broadcast`), and their
live counters in Redis.

The durable mark is the row's `cursor`, the id of the last subscription handled. The orchestrator
(bot/app/broadcasts.py) pages through the recipients by id from the cursor, queues each page into the
outbox, each recipient once (the push sets `mq:{out:<channel>}:bc:<id>:<user>` in the same step), then moves
the cursor with one conditional UPDATE (`cursor = <the old one>`, `state = 'sending'`): a page handled twice
(a worker died before moving the cursor, or two schedulers ran it at once) queues nothing twice, and only
one of them adds the page's counts. Nothing is held per recipient in Python: a page at a time.

What happens after queueing is counted in Redis (`bc:{<id>}:counts`: sent, failed, cancelled by the outbox
worker; delivered, read, failed by Twilio's status callbacks, each status of a message once) and copied into
the row by the scheduler. No text, no address: the row holds the content key and the segment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from redis.asyncio import Redis
from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.store.db import Broadcast, Subscription
from bot.store.keys import Keys

T = TypeVar("T")
SEGMENT_FIELDS = ("lang", "audience", "channel", "city")
CITIES = ("la_paz", "el_alto", "santa_cruz", "san_borja", "other")  # what flows/weekly.yml stores
ACTIVE = ("scheduled", "sending")
COUNTED = ("queued", "skipped_no_template", "skipped_no_address", "fallback_to_spanish")
LIVE = ("sent", "delivered", "read", "failed", "cancelled", "uncertain")  # counted in Redis
HANDLED = ("sent", "failed", "cancelled", "uncertain")  # what left the outbox, one way or another
COUNTS_SECONDS = 30 * 86400  # the live counters outlive any broadcast and its late status callbacks
SID_SECONDS = 7 * 86400  # a sent message's SID → broadcast, as long as wa:{<sid>}:sent
SYNC_DAYS = 8  # a finished broadcast's counters are still copied this long (late delivery and read receipts)


def utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes (stored as UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class SegmentError(ValueError):
    """A segment that cannot be read: the message says which part and what is allowed."""


@dataclass(frozen=True)
class Segment:
    """Who a broadcast goes to: active subscriptions with these values (None: any)."""

    lang: str | None = None
    audience: str | None = None
    channel: str | None = None
    city: str | None = None

    @classmethod
    def parse(cls, text: str) -> Segment:
        """`lang=es,audience=caregiver,channel=whatsapp,city=el_alto` (any of them, in any order; "" = all)."""
        values: dict[str, str] = {}
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            name, sep, value = (s.strip() for s in part.partition("="))
            if not sep or not value:
                raise SegmentError(f"'{part}' is not field=value (e.g. lang=es)")
            if name not in SEGMENT_FIELDS:
                raise SegmentError(f"unknown segment field '{name}' (use {', '.join(SEGMENT_FIELDS)})")
            if name in values:
                raise SegmentError(f"'{name}' is given twice")
            values[name] = value
        return cls(**values)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Segment:
        return cls(**{name: str(data[name]) for name in SEGMENT_FIELDS if data.get(name)})

    def as_json(self) -> dict[str, str]:
        return {name: value for name in SEGMENT_FIELDS if (value := getattr(self, name)) is not None}

    def describe(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.as_json().items()) or "all subscribers"

    def where(self) -> list[ColumnElement[bool]]:
        """The active subscriptions of this segment."""
        conditions: list[ColumnElement[bool]] = [Subscription.ended_at.is_(None)]
        for name, value in self.as_json().items():
            conditions.append(getattr(Subscription, name) == value)
        return conditions


@dataclass(frozen=True)
class Recipient:
    id: int
    user_key: str
    lang: str
    audience: str
    channel: str


class SqlBroadcasts:
    """The broadcasts' rows; each call is one short transaction, run in a thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    async def _run(fn: Callable[[], T]) -> T:
        return await asyncio.to_thread(fn)

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    async def create(
        self, namespace: str, content_key: str, segment: Segment, scheduled_at: float, created_by: str
    ) -> Broadcast:
        def run() -> Broadcast:
            with self._session() as session, session.begin():
                row = Broadcast(
                    namespace=namespace,
                    content_key=content_key,
                    segment=segment.as_json(),
                    scheduled_at=utc(scheduled_at),
                    created_by=created_by[:64],
                    state="scheduled",
                    cursor=0,
                    total=0,
                    queued=0,
                    skipped_no_template=0,
                    skipped_no_address=0,
                    fallback_to_spanish=0,
                    sent=0,
                    delivered=0,
                    read=0,
                    failed=0,
                )
                session.add(row)
            return row

        return await self._run(run)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        def run() -> Broadcast | None:
            with self._session() as session:
                return session.get(Broadcast, broadcast_id)

        return await self._run(run)

    async def recent(self, namespace: str, limit: int = 50) -> list[Broadcast]:
        def run() -> list[Broadcast]:
            with self._session() as session:
                query = (
                    select(Broadcast).where(Broadcast.namespace == namespace).order_by(Broadcast.id.desc()).limit(limit)
                )
                return list(session.scalars(query))

        return await self._run(run)

    async def cancel(self, broadcast_id: int) -> bool:
        """Stop a scheduled or sending broadcast; False when it was already done or cancelled."""

        def run() -> bool:
            with self._session() as session, session.begin():
                result = session.execute(
                    update(Broadcast)
                    .where(Broadcast.id == broadcast_id, Broadcast.state.in_(ACTIVE))
                    .values(state="cancelled", finished_at=dt.datetime.now(dt.UTC))
                )
                return bool(getattr(result, "rowcount", 0) == 1)

        return await self._run(run)

    async def audience(self, segment: Segment) -> dict[str, int]:
        """How many active subscriptions the segment has now, per language."""

        def run() -> dict[str, int]:
            with self._session() as session:
                query = select(Subscription.lang, func.count()).where(*segment.where()).group_by(Subscription.lang)
                return {lang: int(count) for lang, count in session.execute(query).all()}

        return await self._run(run)

    async def active(self, namespace: str, now: float) -> list[Broadcast]:
        """The namespace's broadcasts to work on now: sending, or scheduled and due."""

        def run() -> list[Broadcast]:
            with self._session() as session:
                query = (
                    select(Broadcast)
                    .where(
                        Broadcast.namespace == namespace,
                        Broadcast.state.in_(ACTIVE),
                        Broadcast.scheduled_at <= utc(now),
                    )
                    .order_by(Broadcast.id)
                )
                return list(session.scalars(query))

        return await self._run(run)

    async def start(self, broadcast_id: int) -> Broadcast | None:
        """scheduled → sending: fixes who is in it (subscriptions up to the highest id now) and the total.
        Two schedulers may both try; one UPDATE takes. Returns the row as it is afterwards."""

        def run() -> Broadcast | None:
            with self._session() as session, session.begin():
                row = session.get(Broadcast, broadcast_id)
                if row is None or row.state != "scheduled":
                    return row
                segment = Segment.from_json(row.segment)
                last_id = session.scalar(select(func.max(Subscription.id))) or 0
                total = (
                    session.scalar(
                        select(func.count())
                        .select_from(Subscription)
                        .where(*segment.where(), Subscription.id <= last_id)
                    )
                    or 0
                )
                session.execute(
                    update(Broadcast)
                    .where(Broadcast.id == broadcast_id, Broadcast.state == "scheduled")
                    .values(state="sending", last_id=last_id, total=total, started_at=dt.datetime.now(dt.UTC))
                )
            with self._session() as session:
                return session.get(Broadcast, broadcast_id)

        return await self._run(run)

    async def recipients(self, broadcast: Broadcast, after: int, limit: int) -> list[Recipient]:
        """The next page of recipients after subscription id `after` (ordered by id)."""
        segment = Segment.from_json(broadcast.segment)
        last_id = broadcast.last_id or 0

        def run() -> list[Recipient]:
            query = (
                select(
                    Subscription.id,
                    Subscription.user_key,
                    Subscription.lang,
                    Subscription.audience,
                    Subscription.channel,
                )
                .where(*segment.where(), Subscription.id > after, Subscription.id <= last_id)
                .order_by(Subscription.id)
                .limit(limit)
            )
            with self._session() as session:
                return [Recipient(*row) for row in session.execute(query).all()]

        return await self._run(run)

    async def advance(self, broadcast_id: int, cursor: int, new_cursor: int, counts: Mapping[str, int]) -> bool:
        """Move the cursor from `cursor` to `new_cursor` and add the page's counts, only if the cursor is
        still `cursor` and the broadcast still sending; True for the one caller whose UPDATE took."""

        def run() -> bool:
            values: dict[str, Any] = {"cursor": new_cursor}
            for name in COUNTED:
                if counts.get(name):
                    values[name] = getattr(Broadcast, name) + counts[name]
            with self._session() as session, session.begin():
                result = session.execute(
                    update(Broadcast)
                    .where(Broadcast.id == broadcast_id, Broadcast.state == "sending", Broadcast.cursor == cursor)
                    .values(**values)
                )
                return bool(getattr(result, "rowcount", 0) == 1)

        return await self._run(run)

    async def finish(self, broadcast_id: int, cursor: int) -> bool:
        """sending → done, when every recipient up to `cursor` was handled and no page is left."""

        def run() -> bool:
            with self._session() as session, session.begin():
                result = session.execute(
                    update(Broadcast)
                    .where(Broadcast.id == broadcast_id, Broadcast.state == "sending", Broadcast.cursor == cursor)
                    .values(state="done", finished_at=dt.datetime.now(dt.UTC))
                )
                return bool(getattr(result, "rowcount", 0) == 1)

        return await self._run(run)

    async def to_sync(self, namespace: str, now: float) -> list[int]:
        """Broadcasts whose live counters may still move: sending, or finished in the last SYNC_DAYS."""

        def run() -> list[int]:
            since = utc(now) - dt.timedelta(days=SYNC_DAYS)
            with self._session() as session:
                query = select(Broadcast.id).where(
                    Broadcast.namespace == namespace, or_(Broadcast.state == "sending", Broadcast.finished_at >= since)
                )
                return [int(i) for i in session.scalars(query)]

        return await self._run(run)

    async def sync(self, broadcast_id: int, live: Mapping[str, int]) -> None:
        """Copy the live counters into the row."""
        values = {name: int(live.get(name, 0)) for name in ("sent", "delivered", "read", "failed")}

        def run() -> None:
            with self._session() as session, session.begin():
                session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(**values))

        await self._run(run)


# -- the live counters in Redis ----------------------------------------------------------------------------

# KEYS: the message's wa:{<sid>}:bc hash; ARGV: status. The counters this status adds (each once per message):
# delivered (also when "read" comes first), read, failed (failed or undelivered); and the broadcast id.
_STATUS = """
local id = redis.call('HGET', KEYS[1], 'id')
if not id then return {} end
local out = {id}
local status = ARGV[1]
local wanted = {}
if status == 'delivered' then wanted = {'delivered'}
elseif status == 'read' then wanted = {'delivered', 'read'}
elseif status == 'failed' or status == 'undelivered' then wanted = {'failed'} end
for _, name in ipairs(wanted) do
  if redis.call('HSETNX', KEYS[1], name, '1') == 1 then table.insert(out, name) end
end
return out
"""


class BroadcastCounters:
    """`bc:{<id>}:counts` (sent, delivered, read, failed, cancelled, and the `stop` flag) and the SID → broadcast
    map for status callbacks (`wa:{<sid>}:bc`)."""

    def __init__(self, redis: Redis, namespace: str) -> None:
        self.redis = redis
        self.keys = Keys(namespace)
        self._status = redis.register_script(_STATUS)

    async def add(self, broadcast_id: int, name: str, amount: int = 1) -> None:
        key = self.keys.broadcast(broadcast_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(key, name, amount)
            pipe.expire(key, COUNTS_SECONDS)
            await pipe.execute()

    async def get(self, broadcast_id: int) -> dict[str, int]:
        raw: dict[Any, Any] = await self.redis.hgetall(self.keys.broadcast(broadcast_id))
        return {_text(k): int(v) for k, v in raw.items() if _text(k) in LIVE}

    async def cancel(self, broadcast_id: int) -> None:
        """What is still in the outbox for this broadcast is dropped when its turn comes (counted as cancelled)."""
        key = self.keys.broadcast(broadcast_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, "stop", "1")
            pipe.expire(key, COUNTS_SECONDS)
            await pipe.execute()

    async def cancelled(self, broadcast_id: int) -> bool:
        return await self.redis.hget(self.keys.broadcast(broadcast_id), "stop") is not None

    async def sent(self, broadcast_id: int, sid: str | None) -> None:
        """One message of the broadcast went out; its SID (WhatsApp) maps to it for the status callbacks. One
        round trip; the counters' expiry is renewed by the scheduler (`touch`)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hincrby(self.keys.broadcast(broadcast_id), "sent", 1)
            if sid:
                pipe.hset(self.keys.whatsapp(sid, "bc"), "id", str(broadcast_id))
                pipe.expire(self.keys.whatsapp(sid, "bc"), SID_SECONDS)
            await pipe.execute()

    async def touch(self, broadcast_id: int) -> None:
        await self.redis.expire(self.keys.broadcast(broadcast_id), COUNTS_SECONDS)

    async def status(self, sid: str, status: str) -> None:
        """A status callback: count delivered / read / failed for the SID's broadcast, each once."""
        found: list[Any] = await self._status(keys=[self.keys.whatsapp(sid, "bc")], args=[status])
        if not found:
            return
        broadcast_id = int(_text(found[0]))
        for name in found[1:]:
            await self.add(broadcast_id, _text(name))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
