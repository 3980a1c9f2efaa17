"""Seams the pipeline calls through; the safety, NLU and handoff packages implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.effects import HandoffEffect, Subscribe
from bot.core.risk import Risk
from bot.core.types import Outgoing


class Triager(Protocol):
    """Decides urgent / ask / none (bot/safety/triage.py)."""

    def rules(self, text: str) -> Risk: ...
    def acts_alone(self, rule: Risk) -> bool: ...
    def decide(self, rule: Risk, nlu: Intent | None) -> Risk: ...


@dataclass(frozen=True)
class Intent:
    """What the NLU read: the intent the bot may act on (None: unsure, or small talk on a long
    message) and the urgent reading, which triage weighs even when it is not the top intent."""

    name: str | None
    confidence: float
    urgent_category: str | None = None  # the most likely urgent intent's category
    urgent_confidence: float = 0.0  # its confidence
    urgent_score: float = 0.0  # all urgent intents' confidence together


class Understander(Protocol):
    async def understand(self, text: str) -> Intent | None:
        """The accepted intent, or None when NLU is down, unsure or not configured."""
        ...


class LanguageGuesser(Protocol):
    def is_clear(self, text: str, min_prob: float = 0.9) -> str | None: ...


@dataclass(frozen=True)
class WaitEstimate:
    minutes: int | None  # None: nobody on shift


@dataclass(frozen=True)
class TicketPlan:
    ticket: str | None  # the user's open ticket; None: a new one would open
    priority: Literal["urgent", "normal"]  # what the ticket will be (an urgent ticket stays urgent)
    wait: WaitEstimate


class Handoff(Protocol):
    """What a turn may read about tickets, and the one call that applies what it decided."""

    async def plan_ticket(self, user_key: str, priority: str) -> TicketPlan:
        """The user's open ticket and the wait, without changing anything."""
        ...

    async def is_open(self, ticket_id: str) -> bool: ...

    async def while_waiting(self, ticket_id: str) -> str:
        """What the bot does on a user's message to an open ticket: "relay" only (a person holds it, or it
        is urgent), "answer" (a normal ticket waits), or "answer_and_tell" (the same, not yet told)."""
        ...

    async def apply(self, message_id: str, effects: Sequence[HandoffEffect]) -> str | None:
        """Apply a turn's ticket effects in order, once per `message_id` (a redone turn writes nothing
        twice). Returns the id of the ticket an `OpenTicket` opened or raised (None without one)."""
        ...

    async def forget_user(self, user_key: str) -> None: ...


@dataclass(frozen=True)
class Push:
    """Entries for a user's outbox queue, pushed by the state store in the commit's atomic step
    (bot/store/state.py's PUSH_LUA: RPUSH + ZADD NX, the one push script the mailbox uses too)."""

    ready_key: str
    list_key: str
    member: str
    entries: tuple[str, ...]


class OutboxPort(Protocol):
    def prepare(self, channel: str, user_key: str, sealed_to: str, messages: Sequence[Outgoing]) -> Push:
        """The replies of a turn as a push the state store makes atomically with the commit."""
        ...


class Subscriptions(Protocol):
    """The weekly tips' subscriptions (bot/store/subscriptions.py); each call is idempotent, so a turn
    redone after `LockLost` writes nothing twice."""

    async def subscribe(self, sub: Subscribe) -> None:
        """Start (or update the city of) the user's subscription; the first consent time and text stay."""
        ...

    async def end(self, user_key: str, reason: str) -> None:
        """End the user's subscription at once (nothing when there is none)."""
        ...

    async def forget(self, user_key: str) -> None:
        """"Delete my data": remove the user's subscription row."""
        ...
