"""Tools for campaign staff: coverage status, PO round trip for translators, flow preview."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from babel.messages import pofile
from babel.messages.catalog import Catalog as PoCatalog

from bot.channels.whatsapp_content import ContentMap, view_lines
from bot.content.catalog import Catalog, Entry
from bot.content.languages import LANGS, SOURCE_LANG, display_name
from bot.core.conversation import Conversation
from bot.core.types import Choice, Outgoing
from bot.delivery.render import render_for
from bot.dialog.bundle import Bundle
from bot.errors import DataError, Problem
from bot.flows.engine import Pick, Say, StartFlow
from bot.flows.model import MenuChoice, QuizStep
from bot.yamlfile import LineDict, load_yaml

DRAFT_HEADER = "# BORRADOR: textos por revisar por una persona hablante nativa (review: draft).\n"


# -- status ---------------------------------------------------------------------------------------
def status_table(catalog: Catalog) -> str:
    """Per language and module: reviewed / draft / missing (falls back to Spanish)."""
    lines: list[str] = []
    source = catalog.entries[SOURCE_LANG]
    modules = sorted({e.file.stem for e in source.values()})
    for lang in LANGS:
        lines.append(f"\n{display_name(lang)} ({lang})")
        lines.append(f"{'module':<16}{'total':>7}{'reviewed':>10}{'draft':>7}{'missing':>9}{'coverage':>10}")
        totals = [0, 0, 0, 0]
        for module in modules:
            keys = [k for k, e in source.items() if e.file.stem == module]
            found = [catalog.entries[lang].get(k) for k in keys]
            if lang == SOURCE_LANG:
                reviewed, draft = len(keys), 0
            else:
                reviewed = sum(1 for e in found if e is not None and e.review == "reviewed")
                draft = sum(1 for e in found if e is not None and e.review != "reviewed")
            missing = sum(1 for e in found if e is None)
            row = [len(keys), reviewed, draft, missing]
            totals = [a + b for a, b in zip(totals, row, strict=True)]
            lines.append(f"{module:<16}{row[0]:>7}{row[1]:>10}{row[2]:>7}{row[3]:>9}"
                         f"{100 * (row[0] - row[3]) / max(row[0], 1):>9.0f}%")
        lines.append(f"{'ALL':<16}{totals[0]:>7}{totals[1]:>10}{totals[2]:>7}{totals[3]:>9}"
                     f"{100 * (totals[0] - totals[3]) / max(totals[0], 1):>9.0f}%")
    lines += audio_lines(catalog)
    needing = catalog.needing()
    if needing:
        lines.append("\nNeeds staff confirmation (do not launch until confirmed)")
        lines += [f"  {e.lang}  {e.key}  {e.needs}  {e.file.parent.name}/{e.file.name}:{e.line}" for e in needing]
    unverified = [c for c in catalog.unverified_contacts() if c.lang == SOURCE_LANG]
    if unverified:
        lines.append("\nContacts not verified live (verify before launch)")
        lines += [f"  {c.id}  {c.number}  source: {c.source}" for c in unverified]
    return "\n".join(lines).lstrip("\n")


def audio_lines(catalog: Catalog) -> list[str]:
    """Recordings per language and module: messages with audio (of them synthetic placeholders)."""
    source = catalog.entries[SOURCE_LANG]
    modules = sorted({e.file.stem for e in source.values()})
    header = f"{'module':<16}{'messages':>9}" + "".join(f"{lang + ' audio':>10}" for lang in LANGS)
    rows: list[str] = []
    totals = [0] * (len(LANGS) + 1)
    for module in modules:
        keys = [k for k, e in source.items() if e.file.stem == module]
        counts = []
        for lang in LANGS:
            found = [catalog.entries[lang].get(k) for k in keys]
            counts.append(sum(1 for e in found if e is not None and e.audio))
        totals = [a + b for a, b in zip(totals, [len(keys), *counts], strict=True)]
        if any(counts):
            rows.append(f"{module:<16}{len(keys):>9}" + "".join(f"{n:>10}" for n in counts))
    synthetic = [e for lang in LANGS for e in catalog.entries[lang].values() if e.audio and e.audio_synthetic]
    lines = ["\nAudio (recordings in content/<lang>/audio/; 'Escuchar' appears where one exists)", header, *rows,
             f"{'ALL':<16}{totals[0]:>9}" + "".join(f"{n:>10}" for n in totals[1:])]
    if synthetic:
        lines.append("Synthetic placeholders (replace with a person's recording before launch)")
        lines += [f"  {e.lang}  {e.key}  {e.lang}/audio/{e.audio}" for e in synthetic]
    return lines


# -- PO round trip -------------------------------------------------------------------------------------
def export_po(catalog: Catalog, lang: str) -> bytes:
    """A PO file: msgctxt = key, msgid = Spanish, msgstr = translation; drafts are 'fuzzy'."""
    po = PoCatalog(locale=lang if lang != "ay" else None, project="Seguros en casa y en linea",
                   language_team=f"{display_name(lang)} <{lang}>")
    for key, es in catalog.entries[SOURCE_LANG].items():
        entry = catalog.entries[lang].get(key)
        flags = () if entry is not None and entry.review == "reviewed" else ("fuzzy",)
        location = [(f"content/{lang}/{es.file.name}", entry.line if entry else 0)]
        po.add(es.text, entry.text if entry else "", context=key, flags=flags, locations=location)
    buffer = io.BytesIO()
    pofile.write_po(buffer, po, width=0)
    text = buffer.getvalue()
    if lang == "ay":  # Babel has no Aymara locale: set the header by hand
        text = text.replace(b'"Language: \\n"', b'"Language: ay\\n"', 1)
        if b'"Language: ay' not in text:
            text = text.replace(b'"MIME-Version', b'"Language: ay\\n"\n"MIME-Version', 1)
    return text


def import_po(content_dir: Path, lang: str, data: bytes, *, po_name: str = "import.po") -> list[Problem]:
    """Validate every entry, then write them into content/<lang>/ files. Nothing is written on error."""
    if lang == SOURCE_LANG:
        return [Problem(Path(po_name), None, "Spanish is the source language", "import only qu or ay")]
    catalog = Catalog.load(content_dir)
    po = pofile.read_po(io.BytesIO(data))
    problems: list[Problem] = []
    updates: dict[str, tuple[str, str]] = {}
    for message in po:
        if not message.id:
            continue
        key = message.context or ""
        es = catalog.entries[SOURCE_LANG].get(key)
        line = getattr(message, "lineno", None)
        if es is None:
            problems.append(Problem(Path(po_name), line, f"'{key}' is not a message of the bot",
                                    "do not change msgctxt; export a fresh PO file"))
            continue
        text = str(message.string or "").strip()
        if not text:
            continue  # untranslated: keep what the content file has
        current = catalog.entries[lang].get(key)
        review = "draft" if "fuzzy" in message.flags else "reviewed"
        if current is not None and current.review == "reviewed" and review == "draft" and current.text == text:
            review = "reviewed"
        probe = Catalog()
        probe.entries[SOURCE_LANG] = {key: es}
        probe.entries[lang] = {key: Entry(key, lang, text, Path(po_name), line or 0, review)}
        probe.contacts = catalog.contacts
        for found in probe.cross_check():
            if not found.warning and found.file == Path(po_name):
                problems.append(found)
        updates[key] = (text, review)
    if problems:
        return problems
    by_file: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for key, value in updates.items():
        by_file[catalog.entries[SOURCE_LANG][key].file.name][key] = value
    for file_name, entries in by_file.items():
        _merge_into(content_dir / lang / file_name, entries)
    return []


def _merge_into(path: Path, updates: dict[str, tuple[str, str]]) -> None:
    data: dict[str, Any] = {"format": 1, "entries": {}}
    if path.exists():
        loaded = load_yaml(path)
        if isinstance(loaded, LineDict):
            data = _plain(loaded)
    entries = data.setdefault("entries", {}) or {}
    for key, (text, review) in updates.items():
        entry = dict(entries.get(key) or {})
        entry["text"] = text
        entry["review"] = review
        entries[key] = entry
    data["entries"] = entries
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(DRAFT_HEADER + body, encoding="utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# -- preview --------------------------------------------------------------------------------------
def preview(bundle: Bundle, flow: str, lang: str, channel: str, contents: ContentMap | None = None) -> str:
    """A readable transcript of a flow as the channel shows it: 'Seguir' through the messages,
    the right answer in each quiz (with the feedback of every answer listed). On WhatsApp, choices
    with a synced SID in `contents` show as buttons or a list, the others as numbered lines."""
    if flow not in bundle.flows.flows:
        raise DataError([Problem(Path("flows") / f"{flow}.yml", None, f"there is no flow '{flow}'",
                                 f"use one of: {', '.join(sorted(bundle.flows.flows))}")])
    engine, catalog = bundle.engine, bundle.catalog
    state = Conversation(lang=lang, vars={"audience": "young"})
    state, events = engine.handle(state, StartFlow(flow))
    lines: list[str] = [f"== {flow} · {display_name(lang)} · {channel}"]
    seen: set[tuple[str | None, str | None]] = set()
    for _ in range(60):
        says = [e for e in events if isinstance(e, Say)]
        for say in says:
            text = catalog.text(lang, say.key, dict(say.variables))
            choices = tuple(Choice(catalog.text(lang, c.label), c.payload) for c in say.choices)
            for part in render_for(channel, Outgoing(text, choices)):
                if channel == "whatsapp" and contents is not None:
                    lines.append("BOT:  " + "\n      ".join(view_lines(part, contents.shown(part))))
                    continue
                lines.append("BOT:  " + part.text.replace("\n", "\n      "))
                if part.choices and channel != "whatsapp":
                    lines.append("      " + "  ".join(f"[{c.title}]" for c in part.choices))
            entry = catalog.entries[lang].get(say.key)
            if entry is not None and entry.audio:  # the pipeline adds "Escuchar" where there are choices
                lines.append(f"      (audio: {lang}/audio/{entry.audio}"
                             + (", synthetic placeholder)" if entry.audio_synthetic else ")"))
        position = (state.flow, state.step)
        if state.flow != flow or position in seen or not says or not says[-1].choices:
            break
        seen.add(position)
        step = bundle.flows.flows[flow].steps[state.step or ""]
        if isinstance(step, QuizStep):
            for answer in step.answers:
                mark = "✔" if answer.correct else "✘"
                lines.append(f"      {mark} {catalog.text(lang, answer.label)} → {catalog.text(lang, answer.feedback)}")
            index = next(i for i, o in enumerate(step.answers) if o.correct)
        else:
            index = next((i for i, o in enumerate(step.options) if isinstance(o, MenuChoice) and o.goto), -1)
            if index < 0:
                break
        lines.append(f"USER: [{catalog.text(lang, step.options[index].label)}]")
        state, events = engine.handle(state, Pick(flow, step.id, index))
    return "\n".join(lines)
