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
    verified: false
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
    verified: false
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


DOORS_ES = """
format: 1
doors: [Mujer Segura, escribe PERSONA]
contacts:
  police_110:
    name: Policía
    number: "110"
    source: hoybolivia.com
    verified: false
    police: true
  sos:
    name: S.O.S. Digital
    number: "+591 62342430"
    source: elpotosi.net
    verified: false
entries:
  a.only_police:
    text: Si estás en peligro, llama al {number:police_110}.
  a.with_contact:
    text: Llama al {number:police_110} o al {contact:sos}.
  a.with_word:
    text: Llama al {number:police_110}; para hablar con calma, Mujer Segura.
  a.law:
    text: La Ley 1636 castiga el grooming.
  a.intro:
    text: Te cuento qué hacer.
    variants:
      caregiver: Le cuento qué hacer.
"""


def _problems(tmp_path: Path, es: str) -> list[str]:
    qu = "format: 1\nentries: {}\n"
    _, problems = Catalog.load_with_problems(write(tmp_path, es=es, qu=qu, ay=qu))
    return [p.what for p in problems if p.file == tmp_path / "es" / "a.yml"]


def test_a_text_that_sends_people_to_the_police_must_offer_another_door(tmp_path: Path) -> None:
    found = _problems(tmp_path, DOORS_ES)
    assert any("'a.only_police' sends people to the police and offers no other door" in w for w in found)
    assert not any("a.with_contact" in w or "a.with_word" in w for w in found)


def test_a_law_needs_its_source_in_every_language(tmp_path: Path) -> None:
    assert any("'a.law' cites a law" in w for w in _problems(tmp_path, DOORS_ES))
    sourced = DOORS_ES.replace("castiga el grooming.\n", "castiga el grooming.\n    source: swissinfo.ch\n")
    assert not any("a.law" in w for w in _problems(tmp_path, sourced))
    qu = "format: 1\nentries:\n  a.law:\n    text: Ley 1636 groomingta castigan.\n    review: draft\n"
    _, problems = Catalog.load_with_problems(write(tmp_path, es=sourced, qu=qu, ay=qu))
    assert any(p.file == tmp_path / "qu" / "a.yml" and "'a.law' cites a law" in p.what for p in problems)


@pytest.mark.parametrize(
    ("new", "words"),
    [
        ("    police: true\n", "does not say whether staff verified"),
        ("    verified: false\n    checked: '2026-11-22'\n    police: true\n",
         "has a 'checked' date but is not verified"),
        ("    verified: true\n    police: true\n", "is verified but has no date"),
    ],
)
def test_no_contact_carries_a_date_nobody_checked(tmp_path: Path, new: str, words: str) -> None:
    es = DOORS_ES.replace("    verified: false\n    police: true\n", new, 1)
    assert any(words in w for w in _problems(tmp_path, es))


def test_the_audience_picks_its_variant_and_others_get_the_common_text(tmp_path: Path) -> None:
    catalog, _ = Catalog.load_with_problems(write(tmp_path, es=DOORS_ES, qu="format: 1\nentries: {}\n",
                                                  ay="format: 1\nentries: {}\n"))
    assert catalog.text("es", "a.intro", audience="caregiver") == "Le cuento qué hacer."
    assert catalog.text("es", "a.intro", audience="young") == "Te cuento qué hacer."
    assert catalog.text("es", "a.intro") == "Te cuento qué hacer."
    assert catalog.text("qu", "a.intro", audience="caregiver") == "Le cuento qué hacer."  # no qu text: Spanish


@pytest.mark.parametrize(
    ("variant", "words"),
    [
        ("      abuela: Le cuento.\n", "variant for 'abuela', which is not an audience"),
        ("      caregiver: Le cuento a las {hora}.\n", "(variant caregiver) uses ['{hora}']"),
    ],
)
def test_variants_are_checked(tmp_path: Path, variant: str, words: str) -> None:
    es = DOORS_ES.replace("      caregiver: Le cuento qué hacer.\n", variant)
    assert any(words in w for w in _problems(tmp_path, es))


def test_texts_that_need_staff_confirmation_are_listed(tmp_path: Path) -> None:
    es = DOORS_ES.replace("    text: Te cuento qué hacer.\n",
                          "    text: Te cuento qué hacer.\n    needs: staff-confirmation\n")
    catalog, _ = Catalog.load_with_problems(write(tmp_path, es=es, qu="format: 1\nentries: {}\n",
                                                  ay="format: 1\nentries: {}\n"))
    assert [e.key for e in catalog.needing()] == ["a.intro"]
    assert {c.id for c in catalog.unverified_contacts()} == {"police_110", "sos"}
    wrong = es.replace("needs: staff-confirmation", "needs: someday")
    assert any("needs 'someday'" in w for w in _problems(tmp_path, wrong))
