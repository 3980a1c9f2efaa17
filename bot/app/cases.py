"""What a counselor does with a case: claim, reply, note, transfer, hand back, close.

One owner for the case workflow, so the console's HTTP handlers are a few lines each. Each action
changes Redis (the ticket queue, the transcript, the outbox) and then writes the relational record
(case and audit together, one transaction). A repeated close — a double click, a retry after the
database failed — finds the ticket already closed by this counselor and only completes the record;
the user is told once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Protocol

from bot.core.analytics import AnalyticsEvent
from bot.core.types import Outgoing
from bot.delivery.outbox import Outbox
from bot.handoff.queue import Ticket
from bot.handoff.service import RedisHandoff
from bot.store.analytics import AnalyticsLog
from bot.store.db import CASE_ROLES, OUTCOMES, Store

log = logging.getLogger(__name__)

LEASE_SECONDS = 15 * 60
MAX_REPLY, MAX_NOTE = 4000, 2000
CHOOSABLE_OUTCOMES = tuple(o for o in OUTCOMES if o != "handback")  # a hand-back is an action, not a result


class CaseError(Exception):
    """A refused action: `key` names the staff message in the console's catalogue."""

    def __init__(self, key: str, status: int, **variables: object) -> None:
        super().__init__(key)
        self.key, self.status, self.variables = key, status, variables


class Staff(Protocol):
    """Who acts (the console's signed-in account)."""

    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def supervisor(self) -> bool: ...


class CaseService:
    def __init__(self, handoff: RedisHandoff, outbox: Outbox, store: Store,
                 text: Callable[[str, str], str], analytics: AnalyticsLog | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.handoff, self.queue, self.outbox, self.store = handoff, handoff.queue, outbox, store
        self.text = text  # (lang, content key) → the bot's text, from the bundle loaded now
        self.analytics = analytics  # claims, first replies and closes are counted (no text, no user)
        self.clock = clock

    async def _count(self, ticket: Ticket, kind: str, detail: str | None, value: int | None = None) -> None:
        """An analytics event about a case, after the action is done; a failure to count never undoes it."""
        if self.analytics is None:
            return
        event = AnalyticsEvent(kind, self.clock(), ticket.channel, ticket.lang, detail=detail,
                               category=ticket.category, value=value)
        try:
            await self.analytics.append([event])
        except Exception as exc:
            log.warning("analytics: %s not counted (%s)", kind, type(exc).__name__)

    async def _db(self, fn: Callable[..., object], *args: object) -> object:
        return await asyncio.to_thread(fn, *args)

    async def owned(self, ticket_id: str, who: Staff) -> Ticket:
        """The ticket, when `who` holds it (or supervises)."""
        ticket = await self.queue.get(ticket_id)
        if ticket is None:
            raise CaseError("err.no_ticket", 404)
        if ticket.claimed_by != who.username and not who.supervisor:
            raise CaseError("err.take_first", 409)
        return ticket

    async def claim(self, ticket_id: str, who: Staff) -> Ticket:
        ticket = await self.queue.claim(ticket_id, who.username, LEASE_SECONDS)
        if ticket is None:
            raise CaseError("err.taken", 409)
        await self._db(self.store.claim_case, ticket.id, ticket.user_key, ticket.lang, ticket.channel,
                       ticket.priority, ticket.category, who.id, who.username)
        await self._count(ticket, "handoff_claimed", ticket.priority)
        return ticket

    async def reply(self, ticket: Ticket, who: Staff, text: str) -> None:
        """Send through the user's own channel and keep it in the transcript."""
        if not text or len(text) > MAX_REPLY:
            raise CaseError("err.length", 400, max=MAX_REPLY)
        if not await self.outbox.enqueue(ticket.channel, ticket.user_key, [Outgoing(text)]):
            raise CaseError("err.address_gone", 409)
        await self.handoff.record(ticket.id, "counselor", text, by=who.username)
        await self.queue.renew(ticket.id, ticket.claimed_by or who.username, LEASE_SECONDS)
        await self._db(self.store.audit, who.username, "reply", ticket.id, f"{len(text)} characters")
        if await self.queue.first_reply(ticket.id):  # how long the person waited for a human answer
            await self._count(ticket, "handoff_replied", ticket.priority,
                              max(0, round(self.clock() - ticket.created_at)))

    async def note(self, ticket: Ticket, who: Staff, text: str) -> str:
        """An internal note (a supervisor's in a colleague's case is a whisper); never sent to the user."""
        if not text or len(text) > MAX_NOTE:
            raise CaseError("err.length", 400, max=MAX_NOTE)
        kind = "whisper" if who.supervisor and ticket.claimed_by != who.username else "note"
        await self.handoff.record(ticket.id, kind, text, by=who.username)
        await self._db(self.store.audit, who.username, kind, ticket.id, f"{len(text)} characters")
        return kind

    async def transfer(self, ticket: Ticket, who: Staff, target: str) -> None:
        colleague = await asyncio.to_thread(self.store.counselor, target)
        if colleague is None or not colleague.active or colleague.role not in CASE_ROLES:  # never to campaign staff
            raise CaseError("err.no_colleague", 400)
        if not await self.queue.transfer(ticket.id, ticket.claimed_by or "", target):
            raise CaseError("err.changed", 409)
        await self._db(self.store.audit, who.username, "transfer", ticket.id, f"to {target}")

    async def close(self, ticket: Ticket, who: Staff, *, outcome: str, note: str = "", handback: bool = False,
                    supervisor_confirm: bool = False) -> None:
        """Close, or hand back to the bot (the user is told the person finished). Both need an outcome;
        an urgent case is never handed back before a counselor replied, unless a supervisor confirms."""
        if outcome not in CHOOSABLE_OUTCOMES:  # what happened must be on record
            raise CaseError("err.outcome", 400)
        if handback and ticket.priority == "urgent" and not (who.supervisor and supervisor_confirm):
            # "tengo miedo" must never be answered by "the person finished": a reply first, or a supervisor's word
            lines = await self.handoff.transcript(ticket.id)
            if not any(line.get("from") == "counselor" for line in lines):
                raise CaseError("err.urgent_handback", 409)
        closed_now = await self.queue.close(ticket.id, ticket.claimed_by or "")
        if closed_now:
            await self.outbox.enqueue(ticket.channel, ticket.user_key,
                                      [Outgoing(self.text(ticket.lang, "handoff.handback"))])
        elif (await self.queue.status(ticket.id)) != "closed":
            raise CaseError("err.changed", 409)
        recorded = await asyncio.to_thread(self.store.finish_case, ticket.id, outcome, note[:MAX_NOTE], who.username,
                                           "handback" if handback else "close")
        if not recorded and not closed_now:  # someone (or an earlier click) finished it already
            raise CaseError("err.changed", 409)
        if recorded:
            await self._count(ticket, "handoff_closed", outcome)
