"""Folding for urgent-phrase matching: text and phrases are folded the same way, so matching
survives case, accents, repeated letters, spaced letters, apostrophe variants, common Spanish
misspellings and Quechua/Aymara spelling variants. It is deliberately aggressive: a missed
emergency is far worse than an extra ticket.
"""

from __future__ import annotations

import re
import unicodedata

SPACED_LETTERS = re.compile(r"\b(?:\w ){2,}\w\b")
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"[^a-z0-9*\s]", " "),        # punctuation → space
        (r"(\w)\1+", r"\1"),          # ayudaaa → ayuda, llevar → levar (same on both sides)
        (r"hu(?=[aeiou])", "w"),       # huasi → wasi
        (r"qu(?=[ei])", "k"),          # que → ke
        (r"c(?=[ei])", "s"),           # hacer → haser
        (r"[cqj]", "k"),               # casa → kasa, yanapaj → yanapak, q ↔ j ↔ k
        (r"z", "s"),
        (r"v", "b"),
        (r"(?<![cs])h", ""),           # hola → ola; keep ch and sh
        (r"e", "i"),                   # Quechua e ↔ i
        (r"o", "u"),                   # Quechua o ↔ u
        (r"(\w)\1+", r"\1"),
        (r"\s+", " "),
    )
)


_APOSTROPHES = re.compile(r"['´’`‘ʼ]")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", text.lower()))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("ll", "y")
    plain = SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), plain)  # "a y u d a" → "ayuda"
    for pattern, replacement in _RULES:
        plain = pattern.sub(replacement, plain)
    return plain.strip()
