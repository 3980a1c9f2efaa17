"""Deterministic urgent rules, edited by campaign staff in content/<lang>/urgent.yml.

They run before NLU on every message (also during a handoff). A phrase is a few words that must
appear in order, with up to three other words between them; a word ending in `*` matches any
ending ("encerr*" matches encerrada, encerrado). Text and phrases are folded the same way
(bot.safety.normalize), and phrases of every language are checked, because people mix languages.
`exclude` phrases mark questions about a topic ("qué es la trata"): their words are removed
before matching, so a question is not an emergency but a question plus a cry for help is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.content.languages import LANGS
from bot.errors import DataError, Problem
from bot.safety.normalize import SPACED_LETTERS, fold
from bot.yamlfile import LineDict, load_yaml

# When several categories match, the first in this order wins: the most specific advice first,
# plain violence (the most general wording) last.
CATEGORIES = ("immediate_danger", "self_harm", "trafficking", "sexual_violence", "image_threat", "missing_person",
              "violence")
MAX_GAP_WORDS = 3


@dataclass(frozen=True)
class UrgentMatch:
    category: str
    phrase: str
    lang: str


@dataclass(frozen=True)
class _Rule:
    category: str
    phrase: str
    lang: str
    pattern: re.Pattern[str]
    compact: re.Pattern[str]  # for "m e p e g a n": the words run together


_FIRST_PERSON = r"(?:mi|mis|nus|istuy|tingu|naya|nuka)"  # folded me, mis, nos, estoy, tengo, qu/ay "I"


def compile_phrase(phrase: str, *, topic_tail: bool = False, compact: bool = False) -> re.Pattern[str]:
    """A phrase as a regex on folded text; `topic_tail` also takes up to 3 following words that
    are not first-person words (for exclusions such as "qué es la trata")."""
    words = fold(phrase).split()
    if not words:
        raise ValueError("empty phrase")
    parts = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in words]
    gap = rf"(?:\s+\S+){{0,{MAX_GAP_WORDS}}}?\s+"
    tail = rf"(?:\s+(?!{_FIRST_PERSON}\b)\S+){{0,3}}" if topic_tail else ""
    if compact:
        return re.compile("".join(parts))
    return re.compile(r"(?<!\w)" + gap.join(parts) + r"(?!\w)" + tail)


class UrgentRules:
    def __init__(self, rules: list[_Rule], excludes: list[re.Pattern[str]]) -> None:
        order = {c: i for i, c in enumerate(CATEGORIES)}
        self.rules = sorted(rules, key=lambda r: order[r.category])
        self.excludes = excludes

    @classmethod
    def load(cls, content_dir: Path) -> UrgentRules:
        rules: list[_Rule] = []
        excludes: list[re.Pattern[str]] = []
        problems: list[Problem] = []
        for lang in LANGS:
            path = content_dir / lang / "urgent.yml"
            if not path.exists():
                problems.append(Problem(path, None, "the urgent phrase list is missing",
                                        "create it: urgent messages in this language would not be recognised"))
                continue
            data = load_yaml(path)
            problems += _read(path, lang, data, rules, excludes)
        if problems:
            raise DataError(problems)
        return cls(rules, excludes)

    def match(self, text: str) -> UrgentMatch | None:
        folded = fold(text[:4000])
        if not folded:
            return None
        for exclude in self.excludes:
            folded = exclude.sub(" ", folded)
        for rule in self.rules:
            if rule.pattern.search(folded):
                return UrgentMatch(rule.category, rule.phrase, rule.lang)
        if SPACED_LETTERS.search(text):  # letters typed one by one: match the words run together
            joined = folded.replace(" ", "")
            for rule in self.rules:
                if rule.compact.search(joined):
                    return UrgentMatch(rule.category, rule.phrase, rule.lang)
        return None


def _read(path: Path, lang: str, data: object, rules: list[_Rule], excludes: list[re.Pattern[str]]) -> list[Problem]:
    if not isinstance(data, LineDict) or data.get("format") != 1:
        return [Problem(path, 1, "the file must start with 'format: 1' and have a 'categories:' section",
                        "copy the structure of content/es/urgent.yml")]
    problems: list[Problem] = []
    categories = data.get("categories")
    if not isinstance(categories, LineDict):
        return [Problem(path, data.line_of("categories"), "'categories' must list the urgent categories",
                        f"use: {', '.join(CATEGORIES)}")]
    for category, body in categories.items():
        line = categories.line_of(category)
        if category not in CATEGORIES:
            problems.append(Problem(path, line, f"unknown category '{category}'",
                                    f"use one of: {', '.join(CATEGORIES)}"))
            continue
        if not isinstance(body, LineDict) or not isinstance(body.get("phrases"), list):
            problems.append(Problem(path, line, f"'{category}' has no list of phrases",
                                    "add 'phrases:' with one '- phrase' per line under it"))
            continue
        if lang != "es" and body.get("review") not in ("draft", "reviewed"):
            problems.append(Problem(path, line, f"'{category}' has no review status",
                                    "add 'review: draft' (only a native speaker's review makes it 'reviewed')"))
        for phrase in body["phrases"]:
            if not isinstance(phrase, str) or not fold(phrase).split():
                problems.append(Problem(path, body.line_of("phrases"), f"an empty or non-text phrase in '{category}'",
                                        "write each phrase as plain words"))
                continue
            rules.append(_Rule(category, phrase, lang, compile_phrase(phrase), compile_phrase(phrase, compact=True)))
    for phrase in data.get("exclude") or []:
        if isinstance(phrase, str) and fold(phrase).split():
            excludes.append(compile_phrase(phrase, topic_tail=True))
    return problems
