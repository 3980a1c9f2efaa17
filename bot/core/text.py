"""Small text helpers for the fast path (command words and menu numbers)."""

from __future__ import annotations

import re
import unicodedata

_NUMBER_RE = re.compile(r"^\s*#?(\d{1,2})\s*[.)\-]?\s*$")
MAX_TEXT_CHARS = 4000


def fold(text: str) -> str:
    """Lowercase, strip accents and apostrophe variants, collapse spaces, drop edge punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    no_marks = re.sub(r"['´’`‘]", "", no_marks)
    no_marks = re.sub(r"\s+", " ", no_marks)
    return no_marks.strip(" .,;:!?¡¿\"()*")


def menu_number(text: str) -> int | None:
    """'2', '2.', ' 2 ' → 2; anything else → None."""
    match = _NUMBER_RE.match(text)
    return int(match.group(1)) if match else None
