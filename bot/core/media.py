"""Media a user sends outside a handoff: the bot cannot listen to or look at it, so it offers a person.

The bot never downloads the user's file. It keeps only the platform's reference (a Telegram file id,
a Twilio media URL) in the conversation state for MEDIA_OFFER_QUIET_SECONDS, so that a "Sí", a
"PERSONA" or an urgent message in that time opens a ticket with the media attached; the console
fetches it through the platform only when a counselor clicks it. A "No" forgets the references.
"""

from __future__ import annotations

from typing import Any

from bot.core.types import Incoming, Media

# The offer of a person is made at most once in this many seconds of a conversation.
MEDIA_OFFER_QUIET_SECONDS = 600
# Kinds a person can usefully see or hear; stickers, locations and contacts keep the plain answer.
OFFER_KINDS = ("audio", "image", "video", "document")
MEDIA_YES, MEDIA_NO = "sys:media:yes", "sys:media:no"
MAX_KEPT = 10  # references kept per conversation while the offer waits (the newest win)


def offerable(msg: Incoming) -> tuple[Media, ...]:
    """The media in this message a person could see or hear."""
    return tuple(m for m in msg.media if m.kind in OFFER_KINDS and m.url)


def offer_key(media: tuple[Media, ...]) -> str:
    """The answer's wording: "I cannot listen" for voice notes only, "I cannot see" otherwise."""
    return "media.offer_audio" if all(m.kind == "audio" for m in media) else "media.offer_file"


def to_refs(media: tuple[Media, ...]) -> list[dict[str, str]]:
    return [{"kind": m.kind, "url": m.url or "", "type": m.content_type or ""} for m in media]


def from_refs(refs: Any) -> tuple[Media, ...]:
    if not isinstance(refs, list):
        return ()
    return tuple(Media(str(r.get("kind", "document")), str(r.get("url") or "") or None,
                       str(r.get("type") or "") or None) for r in refs if isinstance(r, dict))


def merge(kept: tuple[Media, ...], new: tuple[Media, ...]) -> tuple[Media, ...]:
    """Kept and new references without repeats, the newest MAX_KEPT."""
    seen: dict[str | None, Media] = {}
    for m in (*kept, *new):
        seen.setdefault(m.url, m)
    return tuple(seen.values())[-MAX_KEPT:]
