"""Counselor accounts, case records and the audit log (SQLAlchemy; SQLite by default, PostgreSQL in
production). The schema is managed by Alembic migrations in bot/store/migrations.

No message text and no phone number is stored here: cases hold the ticket, the user's keyed hash,
language, channel, category, outcome and the counselor's note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ROLES = ("counselor", "supervisor", "admin", "campaign")
CASE_ROLES = ("counselor", "supervisor", "admin")  # who may see, take or be given cases (never `campaign`)
REPORT_ROLES = ("campaign", "supervisor", "admin")  # who may see the campaign's figures (bot/app/reports.py)
OUTCOMES = ("information_given", "referred_police", "referred_felcv", "referred_defensoria",
            "referred_sos_digital", "no_response", "handback", "other")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class Counselor(Base):
    __tablename__ = "counselors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="counselor")
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64), unique=True)
    user_key: Mapped[str] = mapped_column(String(64), index=True)
    lang: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("counselors.id"), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    detail: Mapped[str | None] = mapped_column(String(255), nullable=True)


class AnalyticsRow(Base):
    """One analytics event (bot/core/analytics.py): the hour and its week (Monday, Bolivia), the conversation's
    channel, language, audience and city, where in a flow, what happened. No text, no address, no user hash;
    `actor` is a pseudonym that changes every week (only on "understood" events, to count people).
    Kept ANALYTICS_RETENTION_DAYS (docs/RETENTION.md)."""

    __tablename__ = "analytics_events"
    __table_args__ = (Index("ix_analytics_events_kind_at", "kind", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    week: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)
    audience: Mapped[str | None] = mapped_column(String(16), nullable=True)
    city: Mapped[str | None] = mapped_column(String(32), nullable=True)
    flow: Mapped[str | None] = mapped_column(String(64), nullable=True)
    step: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(64), nullable=True)
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str | None] = mapped_column(String(16), nullable=True)


class AnalyticsBatch(Base):
    """A pending-list entry already stored (its random id): what makes the flusher's inserts exactly-once."""

    __tablename__ = "analytics_batches"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    flushed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class WhatsAppContent(Base):
    """One Content resource (quick-reply or list-picker) made by `whatsapp sync-content`: its shape's key
    ("buttons:<n>", or a list's fingerprint of titles and ids), the hash of what was sent to create it,
    and Twilio's SID."""

    __tablename__ = "whatsapp_contents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    sid: Mapped[str] = mapped_column(String(34))
    kind: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(128))
    button: Mapped[str | None] = mapped_column(String(32), nullable=True)
    synced_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Subscription(Base):
    """A user's opt-in to the weekly tips, keyed by their keyed hash (never an address or a phone number).
    `ended_at` set: stopped (`end_reason`: asked, stop, deleted, opted_out). `tips_sent` and `last_slot` (the
    local date of the last weekly slot served) are the durable mark that sends each tip at most once."""

    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_key: Mapped[str] = mapped_column(String(64), unique=True)
    lang: Mapped[str] = mapped_column(String(8))
    audience: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(32), nullable=True)
    consent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    text_version: Mapped[str] = mapped_column(String(80))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    end_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    tips_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_slot: Mapped[str | None] = mapped_column(String(10), nullable=True)


BROADCAST_STATES = ("scheduled", "sending", "done", "cancelled")


class Broadcast(Base):
    """One message (a content key) to the active subscriptions of a segment (JSON: lang, audience, channel,
    city; a missing field matches all), from `scheduled_at`, for the workers of one Redis `namespace`.
    `cursor` is the durable mark: every subscription with an id up to it was handled (queued or skipped);
    `last_id` is the highest subscription id when sending started (later subscribers are not included).
    queued, skipped_* and fallback_to_spanish are written with the cursor; sent, delivered, read and failed
    are copied from the live counters in Redis (bot/store/broadcasts.py)."""

    __tablename__ = "broadcasts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(64))
    content_key: Mapped[str] = mapped_column(String(128))
    segment: Mapped[dict[str, str]] = mapped_column(JSON)
    scheduled_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    state: Mapped[str] = mapped_column(String(16), index=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    last_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    queued: Mapped[int] = mapped_column(Integer, default=0)
    skipped_no_template: Mapped[int] = mapped_column(Integer, default=0)
    skipped_no_address: Mapped[int] = mapped_column(Integer, default=0)
    fallback_to_spanish: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    read: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def upgrade(url: str) -> None:
    """Run the Alembic migrations up to the newest version."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


@dataclass(frozen=True)
class CaseFilter:
    """What the console's case search filters on: the case's own data, never what was written.
    Each field None: not filtered. `user_prefix`: the start of the user's keyed hash (as shown)."""

    opened_from: dt.datetime | None = None
    opened_before: dt.datetime | None = None
    status: str | None = None  # "open" | "closed"
    outcome: str | None = None
    category: str | None = None
    lang: str | None = None
    channel: str | None = None
    priority: str | None = None
    counselor: str | None = None  # username
    user_prefix: str | None = None


class Store:
    """The few queries the console needs; each call is short and synchronous (run in a thread)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def counselor(self, username: str) -> Counselor | None:
        with Session(self.engine) as session:
            return session.scalar(select(Counselor).where(Counselor.username == username))

    def counselor_by_id(self, counselor_id: int) -> Counselor | None:
        with Session(self.engine) as session:
            return session.get(Counselor, counselor_id)

    def add_counselor(self, username: str, display_name: str, password_hash: str, role: str) -> Counselor:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        with Session(self.engine, expire_on_commit=False) as session:
            counselor = Counselor(username=username, display_name=display_name, password_hash=password_hash,
                                  role=role)
            session.add(counselor)
            session.commit()
            return counselor

    def counselors(self) -> list[Counselor]:
        with Session(self.engine) as session:
            return list(session.scalars(select(Counselor).order_by(Counselor.username)))

    def update_counselor(self, counselor_id: int, **values: object) -> None:
        with Session(self.engine) as session:
            counselor = session.get(Counselor, counselor_id)
            if counselor is None:
                return
            for name, value in values.items():
                setattr(counselor, name, value)
            session.commit()

    def audit(self, actor: str, action: str, ticket_id: str | None = None, detail: str | None = None) -> None:
        with Session(self.engine) as session:
            session.add(AuditEntry(actor=actor, action=action, ticket_id=ticket_id, detail=(detail or "")[:255]))
            session.commit()

    def audit_entries(self, ticket_id: str | None = None) -> list[AuditEntry]:
        with Session(self.engine) as session:
            query = select(AuditEntry).order_by(AuditEntry.id)
            if ticket_id is not None:
                query = query.where(AuditEntry.ticket_id == ticket_id)
            return list(session.scalars(query))

    def open_case(self, ticket_id: str, user_key: str, lang: str, channel: str, priority: str,
                  category: str | None, counselor_id: int) -> None:
        with Session(self.engine) as session:
            case = session.scalar(select(Case).where(Case.ticket_id == ticket_id))
            if case is None:
                case = Case(ticket_id=ticket_id, user_key=user_key, lang=lang, channel=channel, priority=priority,
                            category=category)
                session.add(case)
            case.claimed_by = counselor_id
            session.commit()

    def close_case(self, ticket_id: str, outcome: str, note: str) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
        with Session(self.engine) as session:
            case = session.scalar(select(Case).where(Case.ticket_id == ticket_id))
            if case is None:
                return
            case.closed_at, case.outcome, case.note = utcnow(), outcome, note[:2000]
            session.commit()

    def claim_case(self, ticket_id: str, user_key: str, lang: str, channel: str, priority: str,
                   category: str | None, counselor_id: int, actor: str) -> None:
        """Open (or reassign) the case of a claimed ticket and audit the claim, in one transaction."""
        with Session(self.engine) as session, session.begin():
            case = session.scalar(select(Case).where(Case.ticket_id == ticket_id))
            if case is None:
                case = Case(ticket_id=ticket_id, user_key=user_key, lang=lang, channel=channel, priority=priority,
                            category=category)
                session.add(case)
            case.claimed_by = counselor_id
            session.add(AuditEntry(actor=actor, action="claim", ticket_id=ticket_id))

    def finish_case(self, ticket_id: str, outcome: str, note: str, actor: str, action: str) -> bool:
        """Record the outcome of a closed (or handed back) case and audit it, in one transaction.
        False when the case was already finished (a repeated request writes nothing twice)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
        with Session(self.engine) as session, session.begin():
            case = session.scalar(select(Case).where(Case.ticket_id == ticket_id))
            if case is not None and case.closed_at is not None:
                return False
            if case is not None:
                case.closed_at, case.outcome, case.note = utcnow(), outcome, note[:2000]
            session.add(AuditEntry(actor=actor, action=action, ticket_id=ticket_id, detail=outcome))
            return True

    def case(self, ticket_id: str) -> Case | None:
        with Session(self.engine) as session:
            return session.scalar(select(Case).where(Case.ticket_id == ticket_id))

    def search_cases(self, found: CaseFilter, limit: int = 50) -> tuple[list[tuple[Case, str | None]], int]:
        """Cases matching every given filter, newest first, with the username of who held each; and how
        many match in all."""
        query = select(Case, Counselor.username).outerjoin(Counselor, Case.claimed_by == Counselor.id)
        conditions = []
        if found.opened_from is not None:
            conditions.append(Case.opened_at >= found.opened_from)
        if found.opened_before is not None:
            conditions.append(Case.opened_at < found.opened_before)
        if found.status == "open":
            conditions.append(Case.closed_at.is_(None))
        elif found.status == "closed":
            conditions.append(Case.closed_at.is_not(None))
        for column, value in ((Case.outcome, found.outcome), (Case.category, found.category),
                              (Case.lang, found.lang), (Case.channel, found.channel),
                              (Case.priority, found.priority), (Counselor.username, found.counselor)):
            if value is not None:
                conditions.append(column == value)
        if found.user_prefix:
            conditions.append(Case.user_key.startswith(found.user_prefix, autoescape=True))
        query = query.where(*conditions)
        with Session(self.engine) as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.execute(query.order_by(Case.opened_at.desc(), Case.id.desc()).limit(limit)).all()
            return [(case, username) for case, username in rows], int(total)

    def closed_cases_of(self, user_key: str, limit: int = 10) -> list[Case]:
        """The user's earlier closed cases, newest first (the console's contact history)."""
        with Session(self.engine) as session:
            return list(session.scalars(select(Case).where(Case.user_key == user_key, Case.closed_at.is_not(None))
                                        .order_by(Case.closed_at.desc()).limit(limit)))
