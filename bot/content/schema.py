"""Content files as typed models, one per kind of file in content/<lang>/ (docs/formats.md).

Three kinds: a content file (texts by key, and contacts, command words and doors where they are
kept: every file but the two below), `glossary.yml` (qu, ay) and `urgent.yml` (format 2). Each model
refuses fields it does not know and values of the wrong type; where a value may be written in two
shapes (an audio file name or its details; one Spanish word or a list) a discriminated union reads it.
`bot.yamlfile.validate`, the mechanism flows use too, maps each error to file and line; the
`*_problem` functions word it for campaign editors. The rules that need more than one value or file
(Spanish first, contacts referred to, doors, recordings on disk, review status per language) stay in
catalog.py, glossary.py and bot/safety/rules.py. `tests/test_content_schema.py` checks that
docs/formats.md lists every field of these models.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag
from pydantic_core import ErrorDetails

from bot.core.risk import URGENT_CATEGORIES
from bot.errors import Problem
from bot.yamlfile import LineDict, locate, validate

FORMAT_VERSION = 1
URGENT_FORMAT = 2
GLOSSARY_FILE = "glossary.yml"
URGENT_FILE = "urgent.yml"
Review = Literal["draft", "reviewed"]
Audience = Literal["young", "caregiver"]  # the one list: flows' `set: {audience: …}` and entry `variants:`
Needs = Literal["staff-confirmation"]  # `needs:` on an entry: a text someone outside the bot must confirm
Command = Literal["menu", "language", "help", "stop", "delete", "person", "audio_on", "audio_off"]
REVIEW_STATES: tuple[str, ...] = get_args(Review)
AUDIENCES: tuple[str, ...] = get_args(Audience)
NEEDS: tuple[str, ...] = get_args(Needs)
COMMANDS: tuple[str, ...] = get_args(Command)
KEY_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"
TEMPLATE_SID_PATTERN = r"^HX[0-9a-fA-F]{32}$"  # a Twilio ContentSid


def _empty_dict(value: Any) -> Any:
    return {} if value is None else value  # `entries:` with nothing under it


def _empty_list(value: Any) -> Any:
    return [] if value is None else value


def _shape(value: Any) -> str | None:
    """How a value is written: a text, a list, or 'name: value' lines (the tag of a shape union)."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    return "details" if isinstance(value, dict) else None


def _urgent_category(name: str) -> str:
    if name not in URGENT_CATEGORIES:
        raise ValueError("not an urgent category")
    return name


Word = Annotated[str, Field(pattern=r"\S")]  # text that is not blank
MessageKey = Annotated[str, Field(pattern=KEY_PATTERN)]
Words = Annotated[list[Word], BeforeValidator(_empty_list)]
OneOrMoreWords = Annotated[
    Annotated[Word, Tag("text")] | Annotated[list[Word], Field(min_length=1), Tag("list")],
    Discriminator(_shape),
]
UrgentCategoryName = Annotated[str, AfterValidator(_urgent_category)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# -- content files ----------------------------------------------------------------------------------
class AudioDetails(_Model):
    """A recording with details: `audio: {file: name.ogg, synthetic: true}` (a machine-voice placeholder)."""

    file: Annotated[str, Field(min_length=1)]
    synthetic: bool = False


Audio = Annotated[
    Annotated[Annotated[str, Field(min_length=1)], Tag("text")] | Annotated[AudioDetails, Tag("details")],
    Discriminator(_shape),
]


class EntrySpec(_Model):
    """A message (under its key): the text, and what editors and the checks need to know about it."""

    text: str
    variants: Annotated[dict[Audience, Word], BeforeValidator(_empty_dict)] = Field(default_factory=dict)
    source: str | None = None
    needs: Needs | None = None
    note: str | None = None  # for editors only; never shown
    review: Review | None = None
    audio: Audio | None = None  # a file name in content/<lang>/audio/, or AudioDetails
    whatsapp_template: Annotated[str, Field(pattern=TEMPLATE_SID_PATTERN)] | None = None  # approved, for outside 24 h


class ContactSpec(_Model):
    """A help line (under its id): name, number, what it does, where the number comes from, and whether
    staff checked it live (`checked`: the date they did)."""

    name: Word
    number: Word
    what: str = ""
    source: Word
    verified: bool
    checked: date | str | None = None  # YAML reads 2027-01-15 as a date
    police: bool = False
    review: Review | None = None


class ContentFile(_Model):
    """Any content/<lang>/*.yml but the glossary and the urgent phrases; every section may be in any file."""

    format: Literal[1]
    entries: Annotated[dict[MessageKey, EntrySpec], BeforeValidator(_empty_dict)] = Field(default_factory=dict)
    contacts: Annotated[dict[str, ContactSpec], BeforeValidator(_empty_dict)] = Field(default_factory=dict)
    commands: Annotated[dict[Command, list[Word]], BeforeValidator(_empty_dict)] = Field(default_factory=dict)
    doors: Words = Field(default_factory=list)  # non-police doors named in words
    police_words: Words = Field(default_factory=list)  # police doors named in words


# -- glossaries ---------------------------------------------------------------------------------------
class TermSpec(_Model):
    """A settled term (under the term as written in texts): the Spanish it stands for, what it means,
    where it may or does appear, and its review status."""

    es: OneOrMoreWords
    meaning: Word
    status: Review
    match: Word | None = None  # the word beginning that finds it in texts
    only_in: OneOrMoreWords | None = None  # the only texts it may appear in
    where: OneOrMoreWords | None = None  # for reviewers
    loan: bool = False  # the Spanish word is kept on purpose


class GlossaryFile(_Model):
    """content/qu/glossary.yml, content/ay/glossary.yml: one entry per settled term."""

    format: Literal[1]
    glossary: dict[str, TermSpec]


# -- urgent phrases -----------------------------------------------------------------------------------
class UrgentCategory(_Model):
    """One urgent category: `urgent` phrases (a clear signal) and `ask` phrases (a weak one)."""

    urgent: list[str]
    ask: Annotated[list[str], BeforeValidator(_empty_list)] = Field(default_factory=list)
    review: Review | None = None


class UrgentFile(_Model):
    """content/<lang>/urgent.yml: phrases by category, and the lists that lower them."""

    format: Literal[2]
    categories: dict[UrgentCategoryName, UrgentCategory]
    abbreviations: Annotated[dict[Annotated[str, Field(pattern=r"^\S+$")], str], BeforeValidator(_empty_dict)] = Field(
        default_factory=dict
    )
    exclude: Annotated[list[str], BeforeValidator(_empty_list)] = Field(default_factory=list)
    exclude_questions: Annotated[list[str], BeforeValidator(_empty_list)] = Field(default_factory=list)
    calm_context: Annotated[list[str], BeforeValidator(_empty_list)] = Field(default_factory=list)
    joking: Annotated[list[str], BeforeValidator(_empty_list)] = Field(default_factory=list)


LOWERING = ("exclude", "exclude_questions", "calm_context", "joking")  # UrgentFile's lists that lower phrases
KINDS: dict[str, type[_Model]] = {GLOSSARY_FILE: GlossaryFile, URGENT_FILE: UrgentFile}  # else ContentFile


def model_for(path: Path) -> type[_Model]:
    """The model of a content file, by its name."""
    return KINDS.get(path.name, ContentFile)


# -- reading --------------------------------------------------------------------------------------------
def read_content(path: Path, data: Any) -> tuple[ContentFile | None, list[Problem]]:
    """A content file as written; a broken entry or contact is left out (and reported), the rest is read."""
    if not isinstance(data, LineDict):
        return None, [
            Problem(
                path,
                1,
                "the file is empty or is not a list of 'key: value' lines",
                "start the file with 'format: 1' and an 'entries:' section",
            )
        ]
    return validate(ContentFile, path, data, content_problem, cut=3)


def read_glossary(path: Path, data: Any) -> tuple[GlossaryFile | None, list[Problem]]:
    if not isinstance(data, LineDict) or not isinstance(data.get("glossary"), dict):
        return None, [
            Problem(
                path,
                1,
                "the glossary has no 'glossary:' section of terms",
                "write 'format: 1', then 'glossary:' with one term per key",
            )
        ]
    return validate(GlossaryFile, path, data, glossary_problem, cut=3)


def read_urgent(path: Path, data: Any) -> tuple[UrgentFile | None, list[Problem]]:
    """The urgent phrases, or None: any mistake fails the whole file (the bot does not start without it)."""
    if not isinstance(data, LineDict) or data.get("format") != URGENT_FORMAT:
        return None, [
            Problem(
                path,
                1,
                f"the file must start with 'format: {URGENT_FORMAT}' and have a 'categories:' section",
                "copy the structure of content/es/urgent.yml",
            )
        ]
    return validate(UrgentFile, path, data, urgent_problem)


# -- problems in the words of the format ----------------------------------------------------------------
_EXPECTED = {
    "string_type": "a text",
    "bool_type": "true or false",
    "list_type": "a list ([a, b] or '- a' lines)",
    "dict_type": "'name: value' lines",
    "model_type": "'name: value' lines",
    "date_type": "a date",
    "int_type": "a whole number",
    "union_tag_invalid": "a text or 'name: value' lines",
}


def _found(value: Any) -> str:
    """A value as an editor would describe it."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "'name: value' lines"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _wrong(error: ErrorDetails) -> str:
    """What is wrong with a value, in plain words: "must be a text, not a list"."""
    kind = error["type"]
    if kind == "missing":
        return "is missing"
    if kind in _EXPECTED:
        return f"must be {_EXPECTED[kind]}, not {_found(error.get('input'))}"
    if kind == "literal_error":
        return (
            f"must be {error.get('ctx', {}).get('expected', 'one of the listed values')}, "
            f"not {_found(error.get('input'))}"
        )
    if kind in ("string_pattern_mismatch", "string_too_short", "too_short"):
        return "is empty"
    return str(error["msg"]).removeprefix("Value error, ")


def _fields(model: type[BaseModel]) -> str:
    return ", ".join(model.model_fields)


def _parts(error: ErrorDetails) -> list[str]:
    return [str(part) for part in error["loc"]]


def content_problem(path: Path, data: LineDict, error: ErrorDetails) -> Problem | None:
    loc, kind, found = _parts(error), error["type"], error.get("input")
    line = locate(data, loc).line
    section = loc[0] if loc else ""
    if len(loc) == 1:
        if kind == "extra_forbidden":
            return Problem(path, line, f"unknown section '{section}'", f"use only: {_fields(ContentFile)}")
        if section == "format":
            return Problem(
                path,
                line,
                f"'format' must be {FORMAT_VERSION} (found {data.get('format')!r})",
                f"put 'format: {FORMAT_VERSION}' on the first line",
            )
        if section == "entries":
            return Problem(
                path,
                line,
                "'entries' must be a list of keys with texts",
                "indent each key under 'entries:' by two spaces",
            )
        if section == "contacts":
            return Problem(
                path, line, "'contacts' must list contacts by id", "indent each contact id under 'contacts:'"
            )
        if section == "commands":
            return Problem(path, line, "'commands' must list command words", "write e.g. 'menu: [menu, menú, inicio]'")
    if section in ("doors", "police_words"):
        return Problem(
            path,
            line,
            f"'{section}' must be a list of words",
            f"write e.g. '{section}: [SLIM, Defensoría de la Niñez]'",
        )
    name = loc[1] if len(loc) > 1 else ""
    if section == "commands":
        if loc[2:3] == ["[key]"]:
            return Problem(path, line, f"unknown command '{name}'", f"use one of: {', '.join(COMMANDS)}")
        return Problem(path, line, f"command '{name}' needs a list of words", "write e.g. 'menu: [menu, inicio]'")
    if section == "entries":
        return _entry_problem(path, line, loc, error)
    if section == "contacts":
        return _contact_problem(path, line, loc, error)
    return Problem(
        path, line, f"'{'.'.join(loc)}' {_wrong(error)} (found {_found(found)})", "see docs/formats.md, section Content"
    )


def _entry_problem(path: Path, line: int, loc: list[str], error: ErrorDetails) -> Problem:
    key, kind, found = loc[1], error["type"], error.get("input")
    field = loc[2] if len(loc) > 2 else ""
    if field == "[key]":
        return Problem(
            path,
            line,
            f"the key '{key}' is not a valid message key",
            "use lowercase words joined by dots, e.g. grooming.intro",
        )
    if not field or (field == "text" and kind == "missing"):
        return Problem(path, line, f"'{key}' has no text", "add a line 'text: ...' indented under the key")
    if kind == "extra_forbidden":
        return Problem(path, line, f"'{key}' has an unknown field '{field}'", f"use only: {_fields(EntrySpec)}")
    if field == "text":
        return Problem(
            path,
            line,
            f"'{key}' has no text: 'text' {_wrong(error)}",
            "write the text after 'text:', in quotes if it starts with [ or { or is a number",
        )
    if field == "review":
        return Problem(
            path, line, f"review status {_found(found)} is not known", "write 'review: draft' or 'review: reviewed'"
        )
    if field == "needs":
        return Problem(
            path,
            line,
            f"'{key}' needs {_found(found)}, which is not known",
            f"write 'needs: {NEEDS[0]}' or remove the line",
        )
    if field == "variants" and len(loc) == 3:
        return Problem(
            path,
            line,
            f"'{key}' has 'variants' that are not by audience",
            "write 'variants:' and under it 'caregiver: <text>'",
        )
    if field == "variants":
        audience = loc[3]
        if loc[4:5] == ["[key]"]:
            return Problem(
                path,
                line,
                f"'{key}' has a variant for '{audience}', which is not an audience",
                f"use one of: {', '.join(AUDIENCES)}",
            )
        return Problem(
            path,
            line,
            f"'{key}' has an empty '{audience}' variant",
            "write the text, or remove the variant to use the common text",
        )
    if field == "audio":
        return Problem(
            path,
            line,
            f"'{key}' has an audio entry that is not understood",
            "write 'audio: name.ogg' or 'audio: {file: name.ogg, synthetic: true}'",
        )
    if field == "whatsapp_template":
        return Problem(
            path,
            line,
            f"'{key}': 'whatsapp_template' must be a Twilio ContentSid (HX and 32 hex digits), not {_found(found)}",
            "copy the ContentSid of the approved template from Twilio's Content Template Builder",
        )
    return Problem(
        path, line, f"'{key}': '{field}' {_wrong(error)}", f"an entry takes: {_fields(EntrySpec)} (see docs/formats.md)"
    )


def _contact_problem(path: Path, line: int, loc: list[str], error: ErrorDetails) -> Problem:
    cid, kind = loc[1], error["type"]
    field = loc[2] if len(loc) > 2 else ""
    if not field:
        return Problem(
            path, line, f"contact '{cid}' has no details", "add name, number, what, source and verified under it"
        )
    if kind == "extra_forbidden":
        return Problem(
            path, line, f"contact '{cid}' has an unknown field '{field}'", f"use only: {_fields(ContactSpec)}"
        )
    if field in ("name", "number", "source") and kind in ("missing", "string_pattern_mismatch"):
        return Problem(
            path,
            line,
            f"contact '{cid}' lacks {field}",
            "every number needs its source (from shared/facts/bolivia-services.md)",
        )
    if field == "number":
        return Problem(
            path,
            line,
            f"contact '{cid}': the number must be written in quotes (found {_found(error.get('input'))})",
            "write e.g. 'number: \"800 14 0348\"'",
        )
    if field == "verified":
        return Problem(
            path,
            line,
            f"contact '{cid}' does not say whether staff verified it live",
            "add 'verified: false' until campaign staff call or visit it",
        )
    if field == "police":
        return Problem(
            path,
            line,
            f"contact '{cid}': 'police' must be true or false",
            "write 'police: true' for a police door, or remove the line",
        )
    if field == "review":
        return Problem(
            path,
            line,
            f"review status {_found(error.get('input'))} is not known",
            "write 'review: draft' or 'review: reviewed'",
        )
    if field == "checked":
        return Problem(
            path,
            line,
            f"contact '{cid}': 'checked' {_wrong(error)}",
            "write 'checked: YYYY-MM-DD', the day staff verified it live",
        )
    return Problem(
        path,
        line,
        f"contact '{cid}': '{field}' {_wrong(error)}",
        f"a contact takes: {_fields(ContactSpec)} (see docs/formats.md)",
    )


def glossary_problem(path: Path, data: LineDict, error: ErrorDetails) -> Problem | None:
    loc, kind = _parts(error), error["type"]
    line = locate(data, loc).line
    if len(loc) == 1:
        if kind == "extra_forbidden":
            return Problem(
                path,
                line,
                f"a glossary cannot have '{loc[0]}' at the top level",
                f"the top level takes: {_fields(GlossaryFile)}",
            )
        if loc[0] == "format":
            return Problem(
                path,
                line,
                f"'format' must be {FORMAT_VERSION} (found {data.get('format')!r})",
                f"put 'format: {FORMAT_VERSION}' on the first line",
            )
        return Problem(
            path,
            line,
            "the glossary has no 'glossary:' section of terms",
            "write 'format: 1', then 'glossary:' with one term per key",
        )
    term = loc[1]
    field = loc[2] if len(loc) > 2 else ""
    if not field:
        return Problem(path, line, f"the term '{term}' has no details", "add es, meaning and status under it")
    if kind == "extra_forbidden":
        return Problem(
            path, line, f"the term '{term}' has an unknown field '{field}'", f"use only: {_fields(TermSpec)}"
        )
    if field in ("es", "meaning"):
        return Problem(
            path,
            line,
            f"the term '{term}' lacks its Spanish term or its meaning",
            "add 'es: <Spanish>' and 'meaning: <what it means>'",
        )
    if field == "status":
        return Problem(
            path,
            line,
            f"the term '{term}' has status {_found(error.get('input'))}",
            "write 'status: draft' (only a native speaker's review makes it 'reviewed')",
        )
    return Problem(
        path,
        line,
        f"the term '{term}': '{field}' {_wrong(error)}",
        f"a term takes: {_fields(TermSpec)} (see docs/formats.md)",
    )


def urgent_problem(path: Path, data: LineDict, error: ErrorDetails) -> Problem | None:
    loc, kind = _parts(error), error["type"]
    line = locate(data, loc).line
    section = loc[0]
    if len(loc) == 1 and kind == "extra_forbidden":
        return Problem(
            path,
            line,
            f"the urgent phrases cannot have '{section}' at the top level",
            f"the top level takes: {_fields(UrgentFile)}",
        )
    if section == "categories":
        if len(loc) == 1:
            return Problem(
                path, line, "'categories' must list the urgent categories", f"use: {', '.join(URGENT_CATEGORIES)}"
            )
        category = loc[1]
        field = loc[2] if len(loc) > 2 else ""
        if field == "[key]":
            return Problem(path, line, f"unknown category '{category}'", f"use one of: {', '.join(URGENT_CATEGORIES)}")
        if kind == "extra_forbidden":
            return Problem(
                path, line, f"'{category}' cannot have '{field}'", f"a category takes: {_fields(UrgentCategory)}"
            )
        if not field or (field == "urgent" and len(loc) == 3):
            return Problem(
                path,
                line,
                f"'{category}' has no list of urgent phrases",
                "add 'urgent:' with one '- phrase' per line under it ('ask:' is optional)",
            )
        if field == "review":
            return Problem(
                path,
                line,
                f"'{category}' has review status {_found(error.get('input'))}",
                "write 'review: draft' (only a native speaker's review makes it 'reviewed')",
            )
        if len(loc) == 3:
            return Problem(
                path, line, f"'{field}' in '{category}' must be a list", "write one '- phrase' per line under it"
            )
        return Problem(path, line, f"an empty or non-text phrase in '{category}'", "write each phrase as plain words")
    if section == "abbreviations":
        if len(loc) == 1:
            return Problem(
                path,
                line,
                "'abbreviations' must map a typed word to what it stands for",
                "write lines like 'xq: porque'",
            )
        return Problem(
            path,
            line,
            f"abbreviation '{loc[1]}' must be one typed word mapped to text",
            "write lines like 'xq: porque'",
        )
    if section in LOWERING:
        if len(loc) == 1:
            return Problem(path, line, f"'{section}' must be a list", "one '- phrase' per line")
        return Problem(path, line, f"an empty or non-text phrase in '{section}'", "write each phrase as plain words")
    return Problem(path, line, f"'{'.'.join(loc)}' {_wrong(error)}", "copy the structure of content/es/urgent.yml")


# -- the field tables of docs/formats.md ------------------------------------------------------------------
TABLES: dict[str, tuple[tuple[str, type[_Model]], ...]] = {
    "content-fields": (
        ("a content file", ContentFile),
        ("an entry", EntrySpec),
        ("audio details", AudioDetails),
        ("a contact", ContactSpec),
    ),
    "glossary-fields": (("a glossary file", GlossaryFile), ("a term", TermSpec)),
    "urgent-fields": (("an urgent file", UrgentFile), ("a category", UrgentCategory)),
}


def field_table(name: str) -> str:
    """One kind's models and their fields as a Markdown table: docs/formats.md holds it between the
    `<name>` markers, and tests/test_content_schema.py fails when the two differ."""
    rows = ["| part | fields (required in bold) | what it is |", "|---|---|---|"]
    for what, model in TABLES[name]:
        fields = [f"**{field}**" if info.is_required() else field for field, info in model.model_fields.items()]
        rows.append(f"| ({what}) | {', '.join(fields)} | {' '.join((model.__doc__ or '').split())} |")
    return "\n".join(rows)
