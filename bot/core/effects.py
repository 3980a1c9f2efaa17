"""What a turn decided to do outside the conversation state, as data.

A turn only reads (state, NLU, whether a ticket is open, how long the wait is) and returns these;
the pipeline's executor applies them once the turn is decided, idempotently per message id, before
the state commit. A turn redone after `LockLost` decides the same effects again and the executor
skips what the first attempt already wrote: no transcript line is doubled (tests/test_pipeline.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.types import Incoming, Outgoing


@dataclass(frozen=True)
class OpenTicket:
    """Open a ticket for the user, or raise their open one to `priority`. `new_id` is derived from the
    message, so a redone turn finds the ticket its first attempt opened. `note_message`: the message
    goes into the transcript with it (False when a `Relay` of the same message does that)."""

    new_id: str
    msg: Incoming
    lang: str
    priority: str
    category: str | None
    trigger: str | None
    summary: dict[str, str]
    before: tuple[dict[str, Any], ...] = ()  # the conversation of the last minutes, as the user saw it
    note_message: bool = True


@dataclass(frozen=True)
class Relay:
    """The user's message goes to the counselor (text and media); the bot does not answer it."""

    ticket: str
    msg: Incoming


@dataclass(frozen=True)
class RecordReplies:
    """What the bot said on an open ticket, as shown to the user; `safety_index` marks the safety reply."""

    ticket: str
    replies: tuple[Outgoing, ...]
    safety_index: int | None = None


@dataclass(frozen=True)
class ToldWaiting:
    """The user was told, once per ticket, that the person will still write here."""

    ticket: str


@dataclass(frozen=True)
class DeleteUser:
    """"Delete my data": the user's state, address and open ticket with its transcript."""

    user_key: str


@dataclass(frozen=True)
class OptOut:
    """STOP: no campaign message reaches the user until they write again (the channel records it)."""

    user_key: str


@dataclass(frozen=True)
class Subscribe:
    """The user said "Sí" to the weekly tips (or told their city afterwards): what they agreed to, in
    which language, audience and channel, when, and which version of the consent text they read."""

    user_key: str
    lang: str
    audience: str
    channel: str
    city: str | None
    consent_at: float
    text_version: str


@dataclass(frozen=True)
class Unsubscribe:
    """The weekly tips end at once: `reason` is asked (the button), stop (STOP / BAJA), deleted or opted_out."""

    user_key: str
    reason: str


HandoffEffect = OpenTicket | Relay | RecordReplies | ToldWaiting
SubscriptionEffect = Subscribe | Unsubscribe
Effect = HandoffEffect | DeleteUser | OptOut | SubscriptionEffect
