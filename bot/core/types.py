"""Channel-neutral message types. No SDK object passes a channel adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from bot.core.risk import NO_RISK, Risk

Channel = Literal["simulator", "telegram", "whatsapp"]
CHANNELS: tuple[Channel, ...] = ("simulator", "telegram", "whatsapp")
Via = Literal["choice", "number", "command", "urgent_rule", "triage", "nlu", "fallback", "relay"]


@dataclass(frozen=True, slots=True)
class Media:
    """An attachment: kind is image, audio, video, document, sticker, location or contact.
    `url` is where it can be fetched (Twilio), a platform file id (Telegram) or "lat,lon"."""

    kind: str
    url: str | None = None
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from a user, already verified and parsed by its channel adapter."""

    channel: Channel
    address: str
    user_key: str
    external_id: str
    text: str | None = None
    choice: str | None = None
    media: tuple[Media, ...] = ()
    edited: bool = False  # the user edited an earlier message (Telegram)
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class Template:
    """An approved WhatsApp template (Twilio ContentSid) and its ContentVariables (JSON): what a campaign
    message becomes outside WhatsApp's 24-hour window. Other channels ignore it."""

    sid: str
    variables: str = ""


@dataclass(frozen=True, slots=True)
class Outgoing:
    text: str
    choices: tuple[Choice, ...] = ()
    media: tuple[Media, ...] = ()
    template: Template | None = None  # a tip or broadcast: how it goes outside WhatsApp's window


@dataclass(frozen=True, slots=True)
class Understood:
    via: Via
    intent: str | None = None
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class HandoffInfo:
    ticket: str
    priority: Literal["urgent", "normal"]


@dataclass(frozen=True, slots=True)
class Reply:
    """What the pipeline returns for one Incoming."""

    lang: str
    replies: tuple[Outgoing, ...]
    understood: Understood
    handoff: HandoffInfo | None = None
    duplicate: bool = False
    risk: Risk = NO_RISK
    opted_out: bool = False  # STOP: the channel records that campaign messages must not reach the user
