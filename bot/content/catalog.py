"""Content catalog: messages by stable key per language, with variables and review status.

Files live in `content/<lang>/*.yml` (see docs/formats.md); their shape is bot/content/schema.py's
`ContentFile`, and this module adds the rules across fields, files and languages. Missing Quechua or Aymara text
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

from bot.content import audio as recordings
from bot.content.languages import LANGS, SOURCE_LANG
from bot.content.schema import AUDIENCES as AUDIENCES
from bot.content.schema import COMMANDS as COMMANDS
from bot.content.schema import FORMAT_VERSION as FORMAT_VERSION
from bot.content.schema import GLOSSARY_FILE, URGENT_FILE, AudioDetails, ContactSpec, EntrySpec, read_content
from bot.content.schema import NEEDS as NEEDS
from bot.content.schema import REVIEW_STATES as REVIEW_STATES
from bot.errors import DataError, Problem
from bot.yamlfile import LineDict, load_yaml_files

log = logging.getLogger(__name__)

SKIP_FILES = {URGENT_FILE, GLOSSARY_FILE}  # read by bot.safety and bot.content.glossary
VAR_RE = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([a-z0-9_]+))?\}")
PHONE_RE = re.compile(r"(?<![\w{:])\+?\d[\d \-]{4,}\d(?![\w}])")
STAT_RE = re.compile(r"\d+\s*%|\b\d+\s+de\s+cada\s+\d+", re.IGNORECASE)
# A law by number or the "48 hours" rule is a claim too: it needs its source beside it, in every language.
CLAIM_RE = re.compile(r"\bley\s+\d{3,4}\b|\b48\b", re.IGNORECASE)
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
TEMPLATE_SID_RE = re.compile(r"HX[0-9a-fA-F]{32}")
ENTRY_FIELDS = ("text", "review", "source", "note", "variants", "needs", "audio", "whatsapp_template")


@dataclass(frozen=True)
class Entry:
    key: str
    lang: str
    text: str
    file: Path
    line: int
    review: str | None = None
    source: str | None = None
    variants: tuple[tuple[str, str], ...] = ()  # (audience, text): e.g. caregivers addressed as usted
    needs: str | None = None
    audio: str | None = None  # a recording of the text in content/<lang>/audio/ (bot/content/audio.py)
    audio_synthetic: bool = False  # a machine-voice placeholder, to be replaced by a native speaker's recording
    whatsapp_template: str | None = None  # an approved template (Twilio ContentSid) for outside the 24-hour window

    @property
    def variables(self) -> set[str]:
        return {m.group(0) for m in VAR_RE.finditer(self.text)}

    def text_for(self, audience: str | None) -> str:
        """The variant for this audience, else the common text."""
        return dict(self.variants).get(audience or "", self.text)

    def texts(self) -> list[str]:
        return [self.text, *(text for _, text in self.variants)]


@dataclass(frozen=True)
class Contact:
    id: str
    lang: str
    name: str
    number: str
    what: str
    source: str
    verified: bool
    file: Path
    line: int
    review: str | None = None
    checked: str | None = None  # the date staff checked it live; only with verified: true
    police: bool = False  # a police door (110, the FELCV line): texts naming it must offer another door


@dataclass
class Catalog:
    entries: dict[str, dict[str, Entry]] = field(default_factory=lambda: {lang: {} for lang in LANGS})
    contacts: dict[str, dict[str, Contact]] = field(default_factory=lambda: {lang: {} for lang in LANGS})
    commands: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    doors: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lang -> non-police doors named in words
    police_words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lang -> police doors named in words
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
            files = [path for path in sorted(lang_dir.glob("*.yml")) if path.name not in SKIP_FILES]
            for path, data in load_yaml_files(files, problems):
                problems.extend(catalog._read_file(path, lang, data))
        problems.extend(catalog.cross_check())
        return catalog, problems

    def _read_file(self, path: Path, lang: str, data: Any) -> list[Problem]:
        """The file's shape is its model's (bot/content/schema.py); here the rules a model cannot see:
        review status per language, one key per language, recordings on disk, contact dates."""
        spec, problems = read_content(path, data)
        if spec is None:
            return problems
        problems += self._read_entries(path, lang, spec.entries, data.get("entries"))
        problems += self._read_contacts(path, lang, spec.contacts, data.get("contacts"))
        self.commands.setdefault(lang, {}).update(  # a file may add its own (media.yml: audio_on/off)
            {name: tuple(word.strip() for word in words) for name, words in spec.commands.items()})
        for table, words in ((self.doors, spec.doors), (self.police_words, spec.police_words)):
            if words:
                table[lang] = table.get(lang, ()) + tuple(word.strip() for word in words)
        return problems

    def _needs_review(self, lang: str) -> bool:
        return lang != SOURCE_LANG

    def _check_review(self, path: Path, lang: str, item: LineDict, what: str) -> list[Problem]:
        """A Quechua or Aymara text or contact says whether a native speaker reviewed it (a wrong value
        is the model's problem, reported already)."""
        if not self._needs_review(lang) or "review" in item:
            return []
        return [Problem(path, item.line, f"{what} has no review status",
                        "add 'review: draft' (only a native speaker's review makes it 'reviewed')")]

    def _read_entries(self, path: Path, lang: str, entries: dict[str, EntrySpec], written: LineDict) -> list[Problem]:
        problems: list[Problem] = []
        for key, spec in entries.items():
            item: LineDict = written[key]
            line = written.line_of(key)
            problems += self._check_review(path, lang, item, f"'{key}'")
            if key in self.entries[lang]:
                first = self.entries[lang][key]
                problems.append(Problem(path, line, f"the key '{key}' is already used in "
                                        f"{first.file.name}:{first.line}",
                                        "give one of them another name"))
                continue
            audio, synthetic, found = self._read_audio(path, lang, key, spec.audio, item.line_of("audio"))
            problems += found
            variants = tuple((audience, text.strip()) for audience, text in spec.variants.items())
            self.entries[lang][key] = Entry(key, lang, spec.text.strip(), path, line, spec.review, spec.source,
                                            variants, spec.needs, audio, synthetic, spec.whatsapp_template)
        return problems

    @staticmethod
    def _read_audio(path: Path, lang: str, key: str, raw: str | AudioDetails | None,
                    line: int) -> tuple[str | None, bool, list[Problem]]:
        """`audio: file.ogg`, or `audio: {file: file.ogg, synthetic: true}`; the file is checked for
        what Telegram and WhatsApp accept (bot/content/audio.py)."""
        if raw is None:
            return None, False, []
        where = f"content/{lang}/{recordings.AUDIO_DIR}/"
        file, synthetic = (raw, False) if isinstance(raw, str) else (raw.file, raw.synthetic)
        audio_dir = path.parent / recordings.AUDIO_DIR
        target = (audio_dir / file).resolve()
        if file.startswith("/") or not target.is_relative_to(audio_dir.resolve()):
            return None, False, [Problem(path, line, f"'{key}': the audio file must be inside {where}",
                                         f"put the file in {where} and write only its name")]
        problems = []
        if synthetic and lang != SOURCE_LANG:
            problems.append(Problem(path, line, f"'{key}': a synthetic voice is not allowed in '{lang}'",
                                    "only a recording by a native speaker; remove the audio until there is one"))
        for what in recordings.problems_of(audio_dir / file):
            problems.append(Problem(path, line, f"'{key}': the audio {where}{file}: {what}",
                                    "record or convert it: python -m bot content audio-convert IN "
                                    f"{where}{file}"))
        if problems:
            return None, False, problems
        return file, synthetic, []

    def _read_contacts(self, path: Path, lang: str, contacts: dict[str, ContactSpec],
                       written: LineDict) -> list[Problem]:
        problems: list[Problem] = []
        for cid, spec in contacts.items():
            item: LineDict = written[cid]
            line = written.line_of(cid)
            checked = None if spec.checked is None else str(spec.checked)  # YAML may read a date
            if spec.verified and not (checked and DATE_RE.fullmatch(checked)):
                problems.append(Problem(path, line, f"contact '{cid}' is verified but has no date",
                                        "add 'checked: YYYY-MM-DD', the day staff verified it live"))
            if not spec.verified and checked is not None:
                problems.append(Problem(path, item.line_of("checked"),
                                        f"contact '{cid}' has a 'checked' date but is not verified",
                                        "remove 'checked' (no date without a live check) or verify it"))
            problems += self._check_review(path, lang, item, f"contact '{cid}'")
            self.contacts[lang][cid] = Contact(
                cid, lang, spec.name, spec.number, spec.what, spec.source, spec.verified, path, line, spec.review,
                checked if spec.verified else None, spec.police)
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
                else:
                    problems += self._compare_with_spanish(other, es_entry)
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

    @staticmethod
    def _compare_with_spanish(other: Entry, es_entry: Entry) -> list[Problem]:
        problems: list[Problem] = []
        es_audiences = {audience for audience, _ in es_entry.variants}
        for audience, text in (("", other.text), *other.variants):
            found = {m.group(0) for m in VAR_RE.finditer(text)}
            if found != es_entry.variables:
                what = f"'{other.key}'" + (f" (variant {audience})" if audience else "")
                problems.append(Problem(
                    other.file, other.line,
                    f"{what} uses {sorted(found) or 'no variables'} but Spanish uses "
                    f"{sorted(es_entry.variables) or 'no variables'}",
                    "use exactly the same {…} variables as the Spanish text"))
            if audience and audience not in es_audiences:
                problems.append(Problem(other.file, other.line,
                                        f"'{other.key}' has a {audience} variant that Spanish does not have",
                                        "add the variant to the Spanish text first, or remove it", warning=True))
        return problems

    def _check_text(self, entry: Entry, contact_numbers: set[str]) -> list[Problem]:
        problems: list[Problem] = []
        for audience, text in (("", entry.text), *entry.variants):
            where = f"'{entry.key}'" + (f" (variant {audience})" if audience else "")
            problems += self._check_one_text(entry, where, text, contact_numbers)
        if entry.variants and entry.lang == SOURCE_LANG:
            for audience, text in entry.variants:
                found = {m.group(0) for m in VAR_RE.finditer(text)}
                if found != entry.variables:
                    problems.append(Problem(entry.file, entry.line,
                                            f"'{entry.key}' (variant {audience}) uses {sorted(found) or 'no variables'}"
                                            f" but its common text uses {sorted(entry.variables) or 'no variables'}",
                                            "use the same {…} variables in every variant"))
        return problems

    def _check_one_text(self, entry: Entry, where: str, text: str, contact_numbers: set[str]) -> list[Problem]:
        problems: list[Problem] = []
        refs: list[Contact] = []
        for match in VAR_RE.finditer(text):
            kind, ref = match.group(1), match.group(2)
            if ref is not None:
                contact = self.contacts[entry.lang].get(ref) or self.contacts[SOURCE_LANG].get(ref)
                if kind not in ("contact", "number"):
                    problems.append(Problem(entry.file, entry.line, f"'{match.group(0)}' is not a known variable",
                                            "write {contact:<id>} or {number:<id>}"))
                elif contact is None:
                    problems.append(Problem(entry.file, entry.line,
                                            f"'{entry.key}' refers to contact '{ref}', which is not in contacts.yml",
                                            "use an id from contacts.yml or add the contact there with its source"))
                else:
                    refs.append(contact)
        plain = VAR_RE.sub("", text)
        phone = PHONE_RE.search(plain)
        literal = [n for n in contact_numbers if re.search(rf"(?<!\d){re.escape(n)}(?!\d)", plain)]
        if phone or literal:
            found = phone.group(0) if phone else literal[0]
            problems.append(Problem(entry.file, entry.line,
                                    f"'{entry.key}' writes the number '{found}' directly in the text",
                                    "numbers live only in contacts.yml: write {number:<id>} or {contact:<id>}"))
        if STAT_RE.search(plain) and not entry.source:
            problems.append(Problem(entry.file, entry.line, f"'{entry.key}' gives a figure without a source",
                                    "add 'source: ...' naming where the figure comes from "
                                    "(only figures from the facts file may be used)"))
        elif CLAIM_RE.search(plain) and not entry.source:
            problems.append(Problem(entry.file, entry.line, f"'{entry.key}' cites a law or the 48-hour rule "
                                    "without a source", "add 'source: ...' from shared/facts/bolivia-services.md",
                                    warning=True))
        police_words = self.police_words.get(entry.lang) or self.police_words.get(SOURCE_LANG, ())
        names_police = any(c.police for c in refs) or any(_has_word(plain, w) for w in police_words)
        if names_police and not self._offers_other_door(entry.lang, plain, refs):
            problems.append(Problem(entry.file, entry.line,
                                    f"{where} sends people to the police and offers no other door",
                                    "add a door that is not the police (a contact such as Mujer Segura or "
                                    "S.O.S. Digital, or a word from 'doors:' in contacts.yml) and say that "
                                    "if one place does not help, they may go to another", warning=True))
        return problems

    def _offers_other_door(self, lang: str, plain: str, refs: list[Contact]) -> bool:
        if any(not c.police for c in refs):
            return True
        words = self.doors.get(lang) or self.doors.get(SOURCE_LANG, ())
        folded = plain.casefold()
        return any(word.casefold() in folded for word in words)

    def unverified_contacts(self) -> list[Contact]:
        """Every number staff have not verified live yet ("verify before launch")."""
        return [c for lang in LANGS for c in self.contacts[lang].values() if not c.verified]

    def needing(self) -> list[Entry]:
        """Texts flagged `needs:` (e.g. a protocol campaign staff must confirm)."""
        return [e for lang in LANGS for e in self.entries[lang].values() if e.needs]

    # -- lookup -----------------------------------------------------------------------------
    def has(self, key: str) -> bool:
        return key in self.entries[SOURCE_LANG]

    def audio(self, lang: str, key: str) -> str | None:
        """The reference of the recording of this message in this language (never another language's)."""
        entry = self.entries.get(lang, {}).get(key)
        return recordings.ref(lang, entry.audio) if entry is not None and entry.audio else None

    def entry(self, lang: str, key: str) -> Entry | None:
        found = self.entries.get(lang, {}).get(key)
        if found is None and lang != SOURCE_LANG:
            found = self.entries[SOURCE_LANG].get(key)
            if found is not None:
                self.fallbacks[(lang, key)] += 1
        return found

    def text(self, lang: str, key: str, variables: dict[str, str] | None = None,
             audience: str | None = None) -> str:
        """Render a message, in the audience's variant when it has one (else the common text);
        a missing key renders as a visible marker and is logged."""
        entry = self.entry(lang, key)
        if entry is None:
            log.error("content: missing message key %s", key)
            return f"[{key}]"
        return self.render(entry.text_for(audience), lang, variables or {})

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


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word.casefold())}", text.casefold()) is not None
