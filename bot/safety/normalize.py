"""Folding and stemming for the urgent rules: phrases and messages go through the same steps, so
a rule written once sees the inflections, spellings and abbreviations people type.

1. `plain` (bot.core.text): lowercase, no accents, no apostrophe variants.
2. Letters typed one by one are joined ("a y u d a" → "ayuda"); emojis and punctuation become
   spaces; a letter stretched three times or more counts once ("ayudaaaa" → "ayuda").
3. Abbreviations and slang are expanded from the table in content/<lang>/urgent.yml
   ("q" → "que", "toy" → "estoy", "xq" → "porque").
4. A pronoun attached to an infinitive or gerund is split off ("matarme" → "matar me").
5. Each word gets a Snowball Spanish stem ("pegó", "pegaron", "pega" → "peg"), and both the word
   and the stem are folded for spelling: k/q/c/j, s/z, b/v, ll/y, dropped h, hua/wa, doubled
   letters; for Quechua and Aymara phrases also e/i and o/u. The stem comes before the folding, so the folding never
   breaks a stem ("desapareció" and "desaparecida" both keep "desaparec").

Quechua and Aymara words go through the same stemmer; it is a Spanish stemmer, so for them it
only trims a vowel or a few letters, the same way on both sides; their rules use `word*`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from bot.core.text import plain

SPACED_LETTERS = re.compile(r"(?<!\w)(?:\w ){2,}\w(?!\w)")
_NOT_WORD = re.compile(r"[^a-z0-9ñ*=\s]")
_STRETCHED = re.compile(r"([a-zñ])\1{2,}")
_LAUGHING = re.compile("[\U0001F602\U0001F923\U0001F639\U0001F606]")  # 😂 🤣 😹 😆 (not 💀 or 😅: ambiguous)
_CLITIC = re.compile(r"^(\w{2,}?(?:ar|er|ir|ando|iendo))(me|te|se|nos|los|las|lo|la|les|le)$")
# Laughter as typed (jaja, jeje, jsjs, haha, xd, lol), recognised before the spelling is folded: folded,
# "jaja" is "kaka" and so is "caja" (a box). Every laugh becomes one marker no folded word can equal.
_LAUGH = re.compile(r"^(?:(?:[jh][aeiou]){2,}[jh]?|j?(?:sj)+s?|(?:js)+j?|x+d+|lo+l)$")
LAUGH_MARKER = "jajaxd"

def _rules(*pairs: tuple[str, str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), replacement) for pattern, replacement in pairs)


# Before stemming: spellings whose letter depends on the next one, so the stem keeps its folding.
_SPELLING = _rules(
    (r"ñ", "n"),
    (r"ll", "y"),
    (r"hu(?=[aeiou])", "w"),           # huasi → wasi
    (r"qu(?=[ei])", "k"),              # que → ke
    (r"c(?=[ei])", "s"),               # hacer → haser, desaparecida → desaparesida
    (r"z", "s"),
    (r"v", "b"),
    (r"(?<![cs])h", ""),               # hola → ola; keep ch and sh
)
# After stemming, on word and stem alike.
_SOUND = _rules(
    (r"[cqj]", "k"),                   # casa → kasa, yanapaj → yanapak
    (r"(\w)\1+", r"\1"),              # doubled letters
)
# Quechua and Aymara write e/i and o/u interchangeably; Spanish does not ("bien" is not "ven").
_VOWELS = _rules((r"e", "i"), (r"o", "u"), (r"(\w)\1+", r"\1"))
_STEMMER = snowballstemmer.stemmer("spanish")


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a message: `word` folded for spelling, `stem` its folded Spanish stem; the
    `wide_` forms also fold the vowels, for Quechua and Aymara phrases."""

    word: str
    stem: str
    wide_word: str
    wide_stem: str


def _apply(rules: tuple[tuple[re.Pattern[str], str], ...], word: str) -> str:
    for pattern, replacement in rules:
        word = pattern.sub(replacement, word)
    return word


@lru_cache(maxsize=65536)
def analyse_word(token: str) -> Word:
    spelled = _apply(_SPELLING, token)
    word, stem = _apply(_SOUND, spelled), _apply(_SOUND, _STEMMER.stemWord(spelled))
    return Word(word, stem, _apply(_VOWELS, word), _apply(_VOWELS, stem))


def tokens(text: str, abbreviations: Mapping[str, str] = {}) -> list[str]:
    """Steps 1–4: the words of `text`, before stemming and folding."""
    base = _LAUGHING.sub(" jaja ", plain(text))  # a laughing emoji is laughter, as a word
    base = SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), base)
    base = _STRETCHED.sub(r"\1", _NOT_WORD.sub(" ", base))
    words: list[str] = []
    for token in base.split():
        if _LAUGH.match(token):
            words.append(LAUGH_MARKER)
            continue
        expanded = abbreviations.get(token)
        for part in (expanded.split() if expanded else (token,)):
            clitic = _CLITIC.match(part)
            words.extend(clitic.groups() if clitic else (part,))
    return words


def analyse(text: str, abbreviations: Mapping[str, str] = {}) -> list[Word]:
    return [analyse_word(token) for token in tokens(text, abbreviations)]


def fold(text: str) -> str:
    """The widely folded words of `text`, without stemming (how variants are compared)."""
    return " ".join(w.wide_word for w in analyse(text))
