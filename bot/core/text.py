"""Text normalisation, owned here and nowhere else.

`plain` is the base every reader of user text starts from (command words, the NLU client's cache
key and request, language identification, the urgent rules): lowercase, no accents, no apostrophe
variants, one space. The urgent rules build their stronger folding and stemming on top of it
(bot/safety/normalize.py).
"""

from __future__ import annotations

import re
import unicodedata

_NUMBER_RE = re.compile(r"^\s*#?(\d{1,2})\s*[.)\-]?\s*$")
_APOSTROPHES = re.compile(r"['´’`‘ʼ]")
_SPACES = re.compile(r"\s+")
MAX_TEXT_CHARS = 4000


def plain(text: str) -> str:
    """Lowercase, strip accents and apostrophe variants (k'ita = kita), collapse white space."""
    decomposed = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", text.lower()))
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", no_marks).strip()


def fold(text: str) -> str:
    """`plain` without edge punctuation: how command words are compared."""
    return plain(text).strip(" .,;:!?¡¿\"()*")


def menu_number(text: str) -> int | None:
    """'2', '2.', ' 2 ' → 2; anything else → None."""
    match = _NUMBER_RE.match(text)
    return int(match.group(1)) if match else None
