"""Content files as typed schemas: every kind loads, mistakes give file:line, docs list every field."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from bot.config import ROOT
from bot.content.catalog import Catalog
from bot.content.glossary import load_glossaries
from bot.content.schema import (
    TABLES,
    AudioDetails,
    ContentFile,
    GlossaryFile,
    UrgentFile,
    field_table,
    model_for,
    read_content,
    read_glossary,
    read_urgent,
)
from bot.core.risk import URGENT_CATEGORIES
from bot.errors import DataError, Problem
from bot.safety.rules import UrgentRules
from bot.yamlfile import load_yaml

CONTENT = ROOT / "content"
READERS: dict[type[Any], Any] = {ContentFile: read_content, GlossaryFile: read_glossary, UrgentFile: read_urgent}

ES = """
format: 1
contacts:
  police_110:
    name: Policía
    number: "110"
    source: hoybolivia.com
    verified: false
entries:
  a.hello:
    text: Hola
  a.bye:
    text: Chau
"""
QU = """
format: 1
entries:
  a.hello:
    text: Imaynalla
    review: draft
  a.bye:
    text: Tupananchiskama
    review: draft
"""


def write(tmp_path: Path, es: str = ES, qu: str = QU) -> Path:
    for lang, text in (("es", es), ("qu", qu), ("ay", qu)):
        (tmp_path / lang).mkdir(exist_ok=True)
        (tmp_path / lang / "a.yml").write_text(dedent(text).lstrip(), encoding="utf-8")
    return tmp_path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def problems_in(tmp_path: Path, es: str) -> tuple[Catalog, list[Problem]]:
    catalog, problems = Catalog.load_with_problems(write(tmp_path, es=es))
    return catalog, [p for p in problems if p.file == tmp_path / "es" / "a.yml"]


@pytest.mark.parametrize("kind", [ContentFile, GlossaryFile, UrgentFile], ids=lambda kind: kind.__name__)
def test_each_content_kind_loads_from_the_shipped_files(kind: type[Any]) -> None:
    paths = [path for path in sorted(CONTENT.glob("*/*.yml")) if model_for(path) is kind]
    specs = []
    for path in paths:
        spec, problems = READERS[kind](path, load_yaml(path))
        assert problems == [] and isinstance(spec, kind), [str(p) for p in problems]
        specs.append(spec)
    if kind is ContentFile:
        assert len(specs) >= 3 * 20, "every module, menu, safety, contacts and tips file of the three languages"
        assert any(spec.contacts and spec.doors and spec.police_words for spec in specs), "contacts.yml"
        assert any("menu" in spec.commands for spec in specs), "common.yml's command words"
        audios = [e.audio for spec in specs for e in spec.entries.values() if e.audio is not None]
        assert any(isinstance(a, AudioDetails) and a.synthetic for a in audios), "audio: {file, synthetic}"
    elif kind is GlossaryFile:
        assert len(specs) == 2 and all(spec.glossary for spec in specs), "qu and ay"
        assert any(isinstance(term.es, list) for spec in specs for term in spec.glossary.values())
        assert any(isinstance(term.es, str) for spec in specs for term in spec.glossary.values())
    else:
        assert len(specs) == 3
        assert all(set(spec.categories) == set(URGENT_CATEGORIES) for spec in specs), "every category, every language"


def test_an_unknown_field_in_an_entry_gives_file_line_and_the_field(tmp_path: Path) -> None:
    catalog, problems = problems_in(tmp_path, ES.replace("    text: Hola\n", "    text: Hola\n    txet: Hola\n"))
    path = tmp_path / "es" / "a.yml"
    [problem] = problems
    assert (problem.file, problem.line) == (path, line_of(path, "txet:")), str(problem)
    assert "'a.hello' has an unknown field 'txet'" in problem.what and "text, variants" in problem.fix
    assert str(problem).startswith(f"{path}:{problem.line}: error:")
    assert catalog.text("es", "a.hello") == "Hola", "the entry is read without the unknown field"


@pytest.mark.parametrize(
    ("old", "new", "at", "words"),
    [
        (
            "    text: Hola\n",
            "    text: [Hola]\n",
            "[Hola]",
            "'a.hello' has no text: 'text' must be a text, not a list",
        ),
        (
            "    text: Hola\n",
            "    text: Hola\n    source: 2025\n",
            "source: 2025",
            "'a.hello': 'source' must be a text, not the number 2025",
        ),
        (
            "    verified: false\n",
            '    verified: false\n    police: "sí"\n',
            "police:",
            "contact 'police_110': 'police' must be true or false",
        ),
        ("    verified: false\n", '    verified: "no"\n', "verified:", "does not say whether staff verified it"),
        ('    number: "110"\n', "    number: 110\n", "number:", "the number must be written in quotes"),
        (
            "  a.bye:\n    text: Chau\n",
            "  a.bye:\n    text: Chau\n    variants: [Chau]\n",
            "variants:",
            "'a.bye' has 'variants' that are not by audience",
        ),
        (
            "  a.bye:\n    text: Chau\n",
            "  a.bye:\n    text: Chau\n    audio: [chau.ogg]\n",
            "audio:",
            "'a.bye' has an audio entry that is not understood",
        ),
    ],
)
def test_a_wrong_type_gives_file_and_line(tmp_path: Path, old: str, new: str, at: str, words: str) -> None:
    _, problems = problems_in(tmp_path, ES.replace(old, new, 1))
    path = tmp_path / "es" / "a.yml"
    found = [p for p in problems if words in p.what]
    assert len(found) == 1, [str(p) for p in problems]
    assert found[0].line == line_of(path, at) and found[0].fix and not found[0].warning


def test_a_broken_entry_does_not_hide_the_rest_of_its_file(tmp_path: Path) -> None:
    catalog, problems = problems_in(tmp_path, ES.replace("    text: Hola\n", "    text: {Hola}\n"))
    assert [p.what for p in problems] == ["'a.hello' has no text: 'text' must be a text, not 'name: value' lines"]
    assert catalog.text("es", "a.bye") == "Chau" and "police_110" in catalog.contacts["es"]
    assert not catalog.has("a.hello")


def test_a_wrong_format_is_reported_and_the_texts_are_still_read(tmp_path: Path) -> None:
    catalog, problems = problems_in(tmp_path, ES.replace("format: 1", "format: 7"))
    assert [(p.what, p.line) for p in problems] == [("'format' must be 1 (found 7)", 1)]
    assert catalog.text("es", "a.bye") == "Chau"


def test_a_typo_in_the_urgent_phrases_is_refused_with_file_and_line(tmp_path: Path) -> None:
    """An `aks:` list used to be ignored without a word: its phrases never matched."""
    for lang in ("es", "qu", "ay"):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "urgent.yml").write_text(
            (CONTENT / lang / "urgent.yml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    broken = tmp_path / "es" / "urgent.yml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("\n    ask:", "\n    aks:", 1), encoding="utf-8")
    with pytest.raises(DataError) as info:
        UrgentRules.load(tmp_path)
    [problem] = info.value.problems
    assert problem.file == broken and problem.line == line_of(broken, "aks:")
    assert "cannot have 'aks'" in problem.what and "urgent, ask, review" in problem.fix


def test_a_glossary_term_of_the_wrong_type_gives_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "qu").mkdir()
    (tmp_path / "ay").mkdir()
    (tmp_path / "ay" / "glossary.yml").write_text("format: 1\nglossary: {}\n", encoding="utf-8")
    path = tmp_path / "qu" / "glossary.yml"
    path.write_text(
        dedent("""
        format: 1
        glossary:
          yanapa:
            es: [ayuda, ayudar]
            meaning: ayuda
            loan: "sí"
            status: draft
          wasi:
            es: casa
            meaning: casa
            status: draft
    """).lstrip(),
        encoding="utf-8",
    )
    terms, problems = load_glossaries(tmp_path)
    [problem] = problems
    assert problem.file == path and problem.line == line_of(path, "loan:")
    assert "the term 'yanapa': 'loan' must be true or false" in problem.what
    assert [t.term for t in terms["qu"]] == ["yanapa", "wasi"], "the term is read without the broken field"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_format_doc_lists_every_field_of_the_content_models(name: str) -> None:
    doc = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    table = doc.split(f"<!-- {name}:start -->\n", 1)[1].split(f"\n<!-- {name}:end -->", 1)[0]
    assert table == field_table(name), f"docs/formats.md is out of date: paste bot.content.schema.field_table({name!r})"
