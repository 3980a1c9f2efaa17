"""The content catalog: lookups, variables, fallback to Spanish, and checks with file and line."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from bot.content.catalog import Catalog
from bot.content.languages import display_name, format_number
from bot.errors import DataError

ES = """
format: 1
commands:
  menu: [menu, menú]
contacts:
  police_110:
    name: Policía
    number: "110"
    source: hoybolivia.com
    checked: "2026-11-22"
entries:
  a.hello:
    text: Hola {name}
  a.call:
    text: Llama al {number:police_110}
"""
QU = """
format: 1
contacts:
  police_110:
    name: Policía
    number: "110"
    source: hoybolivia.com
    checked: "2026-11-22"
    review: draft
entries:
  a.hello:
    text: Imaynalla {name}
    review: draft
"""


def write(tmp_path: Path, es: str = ES, qu: str = QU, ay: str = QU) -> Path:
    for lang, text in (("es", es), ("qu", qu), ("ay", ay)):
        (tmp_path / lang).mkdir(exist_ok=True)
        (tmp_path / lang / "a.yml").write_text(dedent(text).lstrip(), encoding="utf-8")
    return tmp_path


def test_texts_render_variables_and_contacts(tmp_path: Path) -> None:
    catalog = Catalog.load(write(tmp_path))
    assert catalog.text("qu", "a.hello", {"name": "Ana"}) == "Imaynalla Ana"
    assert catalog.text("es", "a.call") == "Llama al 110"


def test_missing_translation_falls_back_to_spanish_and_is_counted(tmp_path: Path) -> None:
    catalog, problems = Catalog.load_with_problems(write(tmp_path))
    assert any(p.warning and "'a.call' has no qu text" in p.what for p in problems)
    assert catalog.text("ay", "a.call") == "Llama al 110"
    assert catalog.fallbacks[("ay", "a.call")] == 1
    with pytest.raises(DataError):
        Catalog.load(tmp_path, strict=True)


@pytest.mark.parametrize(
    ("lang", "broken", "line", "words"),
    [
        ("qu", QU.replace("    review: draft\n", "", 2), 11, "no review status"),
        ("qu", QU.replace("review: draft\n", "review: revisado\n", 1), 8, "review status 'revisado' is not known"),
        ("qu", QU.replace("Imaynalla {name}", "Imaynalla {nombre}"), 11, "uses ['{nombre}'] but Spanish uses"),
        ("es", ES.replace("Hola {name}", "Llama al 800 14 0348"), 11, "writes the number '800 14 0348'"),
        ("es", ES.replace("Hola {name}", "Llama al 110 ya"), 11, "writes the number '110'"),
        ("es", ES.replace("Hola {name}", "7 de cada 10 chicas"), 11, "gives a figure without a source"),
        ("es", ES.replace("{number:police_110}", "{number:felcv}"), 13, "refers to contact 'felcv'"),
        ("es", ES.replace("    source: hoybolivia.com\n", ""), 5, "lacks source"),
        ("es", ES.replace("  a.call:", "  a.hello:"), 13, "appears twice"),
        ("es", ES.replace("    text: Hola {name}", "    text: [Hola {name}"), 11, "cannot be read"),
    ],
)
def test_each_broken_file_names_file_line_and_fix(tmp_path: Path, lang: str, broken: str, line: int,
                                                  words: str) -> None:
    kwargs = {lang: broken}
    if lang == "qu":
        kwargs["ay"] = QU
    _, problems = Catalog.load_with_problems(write(tmp_path, **kwargs))
    matching = [p for p in problems if words in p.what]
    assert matching, f"expected a problem saying {words!r}, got: {[str(p) for p in problems]}"
    problem = matching[0]
    assert problem.file == tmp_path / lang / "a.yml"
    assert problem.line is not None and abs(problem.line - line) <= 1, str(problem)
    assert problem.fix


def test_languages_have_their_own_names_and_aymara_works_without_babel_locale() -> None:
    assert [display_name(lang) for lang in ("es", "qu", "ay")] == ["Español", "Runasimi", "Aymar aru"]
    assert format_number(1234.5, "ay") == format_number(1234.5, "es")
