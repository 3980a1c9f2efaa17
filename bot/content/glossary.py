"""Per-language glossaries (`content/qu/glossary.yml`, `content/ay/glossary.yml`): one place where
a Quechua or Aymara term is settled, and checks that texts follow it.

Two checks: a text that writes a Spanish word the glossary has a native term for (a warning: the
reviewer decides), and a restricted term (`only_in:`) used outside the texts where it is right
(an error: e.g. qu *pakallapi* means "in secret" and must never stand for "confidential").
Spanish quoted in a text ("se busca señorita") is left alone: it is quoted on purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.catalog import Catalog
from bot.content.languages import LANGS, SOURCE_LANG
from bot.content.schema import GLOSSARY_FILE, read_glossary
from bot.errors import Problem
from bot.yamlfile import LineDict, load_yaml_files

QUOTED_RE = re.compile(r"\"[^\"]*\"|“[^”]*”")


@dataclass(frozen=True)
class Term:
    term: str
    lang: str
    es: tuple[str, ...]
    meaning: str
    status: str
    file: Path
    line: int
    loan: bool = False  # the Spanish word is kept on purpose (e.g. "confidencial")
    match: str | None = None  # a word beginning that finds the term in texts
    only_in: tuple[str, ...] = ()  # the term may appear only in these texts


def load_glossaries(content_dir: Path) -> tuple[dict[str, list[Term]], list[Problem]]:
    terms: dict[str, list[Term]] = {}
    problems: list[Problem] = []
    for lang in LANGS:
        if lang == SOURCE_LANG:
            continue
        path = content_dir / lang / GLOSSARY_FILE
        if not path.exists():
            problems.append(Problem(path, None, f"there is no glossary for '{lang}'",
                                    "create it: one entry per settled term (see docs/formats.md)", warning=True))
            continue
        for _, data in load_yaml_files([path], problems):
            found, read_problems = _read(path, lang, data)
            terms[lang] = found
            problems += read_problems
    return terms, problems


def _words(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _read(path: Path, lang: str, data: Any) -> tuple[list[Term], list[Problem]]:
    """The terms as written; the file's shape is `GlossaryFile` (bot/content/schema.py)."""
    spec, problems = read_glossary(path, data)
    if spec is None:
        return [], problems
    section: LineDict = data["glossary"]
    terms = [Term(term, lang, _words(item.es), item.meaning, item.status, path, section.line_of(term), item.loan,
                  item.match, _words(item.only_in)) for term, item in spec.glossary.items()]
    return terms, problems


def _has_word(text: str, word: str, *, prefix: bool = False) -> bool:
    tail = r"\w*" if prefix else r"(?!\w)"
    return re.search(rf"(?<!\w){re.escape(word.casefold())}{tail}", text.casefold()) is not None


def glossary_problems(catalog: Catalog, glossaries: dict[str, list[Term]]) -> list[Problem]:
    problems: list[Problem] = []
    for lang, terms in glossaries.items():
        for entry in catalog.entries[lang].values():
            texts = [QUOTED_RE.sub("", t) for t in entry.texts()]
            for term in terms:
                if term.only_in and term.match and entry.key not in term.only_in \
                        and any(_has_word(t, term.match, prefix=True) for t in texts):
                    problems.append(Problem(
                        entry.file, entry.line,
                        f"'{entry.key}' uses '{term.match}…' ({term.term}: {term.meaning}) outside the texts "
                        "where the glossary allows it",
                        f"use the right term here (see {term.file.name}: {term.term}), or add "
                        f"'{entry.key}' to its only_in list if this really means '{', '.join(term.es)}'"))
                if term.loan:
                    continue
                spanish = next((w for w in term.es if any(_has_word(t, w, prefix=True) for t in texts)), None)
                if spanish is not None:
                    problems.append(Problem(entry.file, entry.line,
                                            f"'{entry.key}' writes the Spanish '{spanish}'; the {lang} glossary's "
                                            f"term is '{term.term}'",
                                            f"write '{term.term}' (or change the glossary first)", warning=True))
    return problems
