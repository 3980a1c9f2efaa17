"""How each channel shows a neutral Outgoing: limits, splitting and plain-text choices."""

from __future__ import annotations

from bot.core.limits import TELEGRAM_TEXT, TEXT_LIMITS
from bot.core.types import Outgoing


def split_text(text: str, limit: int) -> list[str]:
    """Split so each part fits `limit`, at the last paragraph, line or word boundary that fits (a word
    longer than `limit` is cut)."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _numbered_lines(out: Outgoing) -> str:
    return "\n".join(f"{i}. {c.title}" for i, c in enumerate(out.choices, start=1))


def numbered(out: Outgoing) -> str:
    """The text with choices as numbered lines ("1. …"); a typed number maps back."""
    if not out.choices:
        return out.text
    return out.text + "\n\n" + _numbered_lines(out)


def unnumbered(part: Outgoing) -> str | None:
    """A WhatsApp part's text without its numbered choices (for buttons or a list instead); None when
    the part has no choices or its text does not end with them."""
    if not part.choices:
        return None
    lines = _numbered_lines(part)
    if part.text == lines:
        return ""
    return part.text.removesuffix("\n\n" + lines) if part.text.endswith("\n\n" + lines) else None


def render_for(channel: str, out: Outgoing) -> list[Outgoing]:
    """Outgoing messages as the channel will show them; choices stay on the last part."""
    limit = TEXT_LIMITS.get(channel, TELEGRAM_TEXT)
    text = numbered(out) if channel == "whatsapp" else out.text
    parts = split_text(text, limit)
    result = [Outgoing(part) for part in parts[:-1]]
    result.append(Outgoing(parts[-1], out.choices, out.media, out.template))
    return result
