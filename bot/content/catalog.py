"""Content catalog: messages by stable key per language, with variables and review status.

Files live in `content/<lang>/*.yml` (see docs/formats.md). Missing Quechua or Aymara text
falls back to Spanish and every fallback is counted so staff can see what is missing.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.languages import LANGS, SOURCE_LANG
from bot.errors import DataError, Problem
from bot.yamlfile import LineDict, load_yaml

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
REVIEW_STATES = ("draft", "reviewed")
COMMANDS = ("menu", "language", "help", "stop", "delete", "person")
SKIP_FILES = {"urgent.yml"}  # urgent phrase lists are read by bot.safety
VAR_RE = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([a-z0-9_]+))?\}")
PHONE_RE = re.compile(r"(?<![\w{:])\+?\d[\d \-]{4,}\d(?![\w}])")
STAT_RE = re.compile(r"\d+\s*%|\b\d+\s+de\s+cada\s+\d+", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    key: str
    lang: str
    text: str
    file: Path
    line: int
    review: str | None = None
    source: str | None = None

    @property
    def variables(self) -> set[str]:
        return {m.group(0) for m in VAR_RE.finditer(self.text)}


@dataclass(frozen=True)
class Contact:
    id: str
    lang: str
    name: str
    number: str
    what: str
    source: str
    checked: str
    file: Path
    line: int
    review: str | None = None


@dataclass
class Catalog:
    entries: dict[str, dict[str, Entry]] = field(default_factory=lambda: {lang: {} for lang in LANGS})
    contacts: dict[str, dict[str, Contact]] = field(default_factory=lambda: {lang: {} for lang in LANGS})
    commands: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    fallbacks: Counter[tuple[str, str]] = field(default_factory=Counter)

    # -- loading -------------------------------------------------------------------------
    @classmethod
    def load(cls, content_dir: Path, *, strict: bool = False) -> Catalog:
        """Load every language; raise DataError on errors (and warnings when strict)."""
        catalog, problems = cls.load_with_problems(content_dir)
        blocking = [p for p in problems if strict or not p.warning]
        if blocking:
            raise DataError(blocking)
        for problem in problems:
            log.warning("content: %s", problem)
        return catalog

    @classmethod
    def load_with_problems(cls, content_dir: Path) -> tuple[Catalog, list[Problem]]:
        catalog = cls()
        problems: list[Problem] = []
        for lang in LANGS:
            lang_dir = content_dir / lang
            if not lang_dir.is_dir():
                problems.append(Problem(lang_dir, None, f"the folder for language '{lang}' is missing",
                                        f"create {lang_dir} with the same files as content/es"))
                continue
            for path in sorted(lang_dir.glob("*.yml")):
                if path.name in SKIP_FILES:
                    continue
                try:
                    data = load_yaml(path)
                except DataError as exc:
                    problems.extend(exc.problems)
                    continue
                problems.extend(catalog._read_file(path, lang, data))
        problems.extend(catalog.cross_check())
        return catalog, problems

    def _read_file(self, path: Path, lang: str, data: Any) -> list[Problem]:
        problems: list[Problem] = []
        if not isinstance(data, LineDict):
            return [Problem(path, 1, "the file is empty or is not a list of 'key: value' lines",
                            "start the file with 'format: 1' and an 'entries:' section")]
        if data.get("format") != FORMAT_VERSION:
            problems.append(Problem(path, data.line_of("format"),
                                    f"'format' must be {FORMAT_VERSION} (found {data.get('format')!r})",
                                    f"put 'format: {FORMAT_VERSION}' on the first line"))
        known = {"format", "entries", "contacts", "commands"}
        for key in data:
            if key not in known:
                problems.append(Problem(path, data.line_of(key), f"unknown section '{key}'",
                                        "use only: format, entries, contacts, commands"))
        problems += self._read_entries(path, lang, data.get("entries"), data)
        problems += self._read_contacts(path, lang, data.get("contacts"), data)
        problems += self._read_commands(path, lang, data.get("commands"), data)
        return problems

    def _needs_review(self, lang: str) -> bool:
        return lang != SOURCE_LANG

    def _check_review(self, path: Path, lang: str, item: LineDict, what: str) -> list[Problem]:
        review = item.get("review")
        if not self._needs_review(lang):
            return []
        if review is None:
            return [Problem(path, item.line, f"{what} has no review status",
                            "add 'review: draft' (only a native speaker's review makes it 'reviewed')")]
        if review not in REVIEW_STATES:
            return [Problem(path, item.line_of("review"), f"review status '{review}' is not known",
                            "write 'review: draft' or 'review: reviewed'")]
        return []

    def _read_entries(self, path: Path, lang: str, entries: Any, parent: LineDict) -> list[Problem]:
        if entries is None:
            return []
        if not isinstance(entries, LineDict):
            return [Problem(path, parent.line_of("entries"), "'entries' must be a list of keys with texts",
                            "indent each key under 'entries:' by two spaces")]
        problems: list[Problem] = []
        for key, item in entries.items():
            line = entries.line_of(key)
            if not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", key):
                problems.append(Problem(path, line, f"the key '{key}' is not a valid message key",
                                        "use lowercase words joined by dots, e.g. grooming.intro"))
            if not isinstance(item, LineDict) or not isinstance(item.get("text"), str):
                problems.append(Problem(path, line, f"'{key}' has no text",
                                        "add a line 'text: ...' indented under the key"))
                continue
            for field_name in item:
                if field_name not in {"text", "review", "source", "note"}:
                    problems.append(Problem(path, item.line_of(field_name),
                                            f"'{key}' has an unknown field '{field_name}'",
                                            "use only: text, review, source, note"))
            problems += self._check_review(path, lang, item, f"'{key}'")
            if key in self.entries[lang]:
                first = self.entries[lang][key]
                problems.append(Problem(path, line, f"the key '{key}' is already used in "
                                        f"{first.file.name}:{first.line}",
                                        "give one of them another name"))
                continue
            self.entries[lang][key] = Entry(key, lang, item["text"].strip(), path, line,
                                            item.get("review"), item.get("source"))
        return problems

    def _read_contacts(self, path: Path, lang: str, contacts: Any, parent: LineDict) -> list[Problem]:
        if contacts is None:
            return []
        if not isinstance(contacts, LineDict):
            return [Problem(path, parent.line_of("contacts"), "'contacts' must list contacts by id",
                            "indent each contact id under 'contacts:'")]
        problems: list[Problem] = []
        for cid, item in contacts.items():
            line = contacts.line_of(cid)
            if not isinstance(item, LineDict):
                problems.append(Problem(path, line, f"contact '{cid}' has no details",
                                        "add name, number, what, source and checked under it"))
                continue
            missing = [f for f in ("name", "number", "source", "checked") if not item.get(f)]
            if missing:
                problems.append(Problem(path, line, f"contact '{cid}' lacks {', '.join(missing)}",
                                        "every number needs its source and the date it was checked"))
                continue
            problems += self._check_review(path, lang, item, f"contact '{cid}'")
            self.contacts[lang][cid] = Contact(
                cid, lang, str(item["name"]), str(item["number"]), str(item.get("what", "")),
                str(item["source"]), str(item["checked"]), path, line, item.get("review"))
        return problems

    def _read_commands(self, path: Path, lang: str, commands: Any, parent: LineDict) -> list[Problem]:
        if commands is None:
            return []
        if not isinstance(commands, LineDict):
            return [Problem(path, parent.line_of("commands"), "'commands' must list command words",
                            "write e.g. 'menu: [menu, menú, inicio]'")]
        problems: list[Problem] = []
        words: dict[str, tuple[str, ...]] = {}
        for name, value in commands.items():
            if name not in COMMANDS:
                problems.append(Problem(path, commands.line_of(name), f"unknown command '{name}'",
                                        f"use one of: {', '.join(COMMANDS)}"))
                continue
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                problems.append(Problem(path, commands.line_of(name), f"command '{name}' needs a list of words",
                                        "write e.g. 'menu: [menu, inicio]'"))
                continue
            words[name] = tuple(v.strip() for v in value)
        self.commands[lang] = words
        return problems

    # -- cross-language checks ---------------------------------------------------------------
    def cross_check(self) -> list[Problem]:
        problems: list[Problem] = []
        source = self.entries[SOURCE_LANG]
        for lang in LANGS:
            contact_numbers = {c.number for c in self.contacts[lang].values()}
            for entry in self.entries[lang].values():
                problems += self._check_text(entry, contact_numbers)
            if lang == SOURCE_LANG:
                continue
            for key, es_entry in source.items():
                other = self.entries[lang].get(key)
                if other is None:
                    problems.append(Problem(
                        es_entry.file.parent.parent / lang / es_entry.file.name, None,
                        f"the message '{key}' has no {lang} text (Spanish is shown instead)",
                        f"add '{key}' with its translation and 'review: draft'", warning=True))
                elif other.variables != es_entry.variables:
                    problems.append(Problem(
                        other.file, other.line,
                        f"'{key}' uses {sorted(other.variables) or 'no variables'} but Spanish uses "
                        f"{sorted(es_entry.variables) or 'no variables'}",
                        "use exactly the same {…} variables as the Spanish text"))
            for key, entry in self.entries[lang].items():
                if key not in source:
                    problems.append(Problem(entry.file, entry.line,
                                            f"'{key}' does not exist in Spanish",
                                            "remove it or add it to the Spanish files first", warning=True))
            for cid in self.contacts[SOURCE_LANG]:
                if cid not in self.contacts[lang] and self.contacts[SOURCE_LANG]:
                    c = self.contacts[SOURCE_LANG][cid]
                    problems.append(Problem(c.file.parent.parent / lang / c.file.name, None,
                                            f"contact '{cid}' is missing in {lang}",
                                            "copy it from the Spanish contacts file and translate name and what",
                                            warning=True))
        return problems

    def _check_text(self, entry: Entry, contact_numbers: set[str]) -> list[Problem]:
        problems: list[Problem] = []
        for match in VAR_RE.finditer(entry.text):
            kind, ref = match.group(1), match.group(2)
            if ref is not None:
                if kind not in ("contact", "number"):
                    problems.append(Problem(entry.file, entry.line, f"'{match.group(0)}' is not a known variable",
                                            "write {contact:<id>} or {number:<id>}"))
                elif ref not in self.contacts[entry.lang] and ref not in self.contacts[SOURCE_LANG]:
                    problems.append(Problem(entry.file, entry.line,
                                            f"'{entry.key}' refers to contact '{ref}', which is not in contacts.yml",
                                            "use an id from contacts.yml or add the contact there with its source"))
        plain = VAR_RE.sub("", entry.text)
        phone = PHONE_RE.search(plain)
        literal = [n for n in contact_numbers if re.search(rf"(?<!\d){re.escape(n)}(?!\d)", plain)]
        if phone or literal:
            found = phone.group(0) if phone else literal[0]
            problems.append(Problem(entry.file, entry.line,
                                    f"'{entry.key}' writes the number '{found}' directly in the text",
                                    "numbers live only in contacts.yml: write {number:<id>} or {contact:<id>}"))
        if STAT_RE.search(plain) and not entry.source and not (
            entry.lang != SOURCE_LANG and self.entries[SOURCE_LANG].get(entry.key, entry).source
        ):
            problems.append(Problem(entry.file, entry.line, f"'{entry.key}' gives a figure without a source",
                                    "add 'source: ...' naming where the figure comes from "
                                    "(only figures from the facts file may be used)"))
        return problems

    # -- lookup -----------------------------------------------------------------------------
    def has(self, key: str) -> bool:
        return key in self.entries[SOURCE_LANG]

    def entry(self, lang: str, key: str) -> Entry | None:
        found = self.entries.get(lang, {}).get(key)
        if found is None and lang != SOURCE_LANG:
            found = self.entries[SOURCE_LANG].get(key)
            if found is not None:
                self.fallbacks[(lang, key)] += 1
        return found

    def text(self, lang: str, key: str, variables: dict[str, str] | None = None) -> str:
        """Render a message; a missing key renders as a visible marker and is logged."""
        entry = self.entry(lang, key)
        if entry is None:
            log.error("content: missing message key %s", key)
            return f"[{key}]"
        return self.render(entry.text, lang, variables or {})

    def render(self, text: str, lang: str, variables: dict[str, str]) -> str:
        def substitute(match: re.Match[str]) -> str:
            kind, ref = match.group(1), match.group(2)
            if ref is not None:
                contact = self.contacts.get(lang, {}).get(ref) or self.contacts[SOURCE_LANG].get(ref)
                if contact is None:
                    return match.group(0)
                return contact.number if kind == "number" else f"{contact.name}: {contact.number}"
            return variables.get(kind, match.group(0))

        return VAR_RE.sub(substitute, text)

    def command_words(self) -> Iterable[tuple[str, str, str]]:
        """(language, command, word) for every command word."""
        for lang, commands in self.commands.items():
            for name, words in commands.items():
                for word in words:
                    yield lang, name, word
