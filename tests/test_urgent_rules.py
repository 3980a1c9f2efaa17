"""Urgent rules: inflections, spellings, levels and exclusions, and the hand-written regression set.

The figures that matter are on the blind corpus (tests/test_triage_corpus.py, docs/TRIAGE.md);
this file pins behaviour a reader of content/<lang>/urgent.yml relies on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.errors import DataError
from bot.safety.normalize import fold
from bot.safety.rules import UrgentRules

ROOT = Path(__file__).resolve().parent.parent
CASES = yaml.safe_load((ROOT / "tests" / "data" / "urgent_cases.yml").read_text(encoding="utf-8"))
RULES = UrgentRules.load(ROOT / "content")
URGENT = [(lang, text, category) for lang, items in CASES["urgent"].items() for text, category in items]
CALM = [(lang, text) for lang, items in CASES["not_urgent"].items() for text in items]


def level(text: str) -> str:
    hit = RULES.match(text)
    return hit.level if hit else "none"


@pytest.mark.parametrize(("lang", "text", "category"), URGENT, ids=[f"{c[0]}:{c[1]}" for c in URGENT])
def test_an_urgent_message_of_the_regression_set_is_never_ignored(lang: str, text: str, category: str) -> None:
    assert level(text) != "none", f"missed an emergency: {text!r}"


@pytest.mark.parametrize(("lang", "text"), CALM, ids=[f"{c[0]}:{c[1]}" for c in CALM])
def test_a_question_about_a_topic_never_opens_an_urgent_ticket(lang: str, text: str) -> None:
    assert level(text) != "urgent", f"{text!r} raised {RULES.match(text)}"


@pytest.mark.parametrize(("text", "category"), [
    ("mi padrastro me pegó ayer", "violence"),            # past tense of "me pega"
    ("me pegaron otra vez", "violence"),
    ("mi tio me tocó las partes", "sexual_violence"),
    ("mi hermanita desapareció desde el lunes", "missing_person"),
    ("mi desaparecida hija", "missing_person"),
    ("q hago toy encerrada y no m dejan salir", "trafficking"),  # abbreviations
    ("quiero quitarme la vida", "self_harm"),              # clitic attached
    ("me quiero quitar la vida", "self_harm"),
    ("AUXILIOOOOO", "immediate_danger"),                   # stretched letters
    ("a y u d e n m e", "immediate_danger"),               # letters one by one
    ("subieron mi pack al grupo del cole", "image_threat"),  # teen words
    ("la señora se quedó con mi carnet y dice que le debo", "trafficking"),
])
def test_inflections_spellings_and_slang_are_seen(text: str, category: str) -> None:
    hit = RULES.match(text)
    assert hit is not None and hit.category == category, f"{text!r}: {hit}"


def test_self_harm_wins_over_violence_when_both_match() -> None:
    hit = RULES.match("mi papa me pega y ya no quiero vivir")
    assert hit is not None and (hit.category, hit.level) == ("self_harm", "urgent")


def test_a_threat_is_not_read_as_self_harm() -> None:
    hit = RULES.match("me quieren matar")
    assert hit is not None and hit.category == "immediate_danger"


@pytest.mark.parametrize("text", [
    "me muero de risa con ese video",
    "mi mama me va a matar cuando vea mi libreta",
    "auxilio no entiendo la tarea de mate",
    "no puedo salir de este chat",
    "que es la trata de personas",
])
def test_idioms_schoolwork_and_questions_never_open_an_urgent_ticket(text: str) -> None:
    assert level(text) != "urgent", RULES.match(text)


def test_an_exclusion_lowers_a_clear_signal_to_a_question_never_to_nothing() -> None:
    assert level("me quiero morir de verguenza") == "ask"
    assert level("que es esto me tienen encerrada") == "urgent"  # a question plus a cry for help


def test_context_never_lowers_a_clear_self_harm_signal() -> None:
    assert level("tengo tarea pero ya no quiero vivir") == "urgent"
    assert level("tengo tarea y mi papa me pega") == "ask"  # other categories: one level down


@pytest.mark.parametrize("text", ["mi mama me va a matar jajaja", "me quiero morir xd",
                                  "mi ñaño me va a matar 😂", "jsjsjs me quiero matar", "me quiero matar jejeje",
                                  "me quiero matar JAJAJAAAA"])
def test_laughter_turns_a_clear_signal_into_a_question_never_into_nothing(text: str) -> None:
    assert level(text) == "ask"
    assert level(re.sub(r"(?i)ja+ja+ja+|jejeje|xd|😂|jsjsjs", "", text)) == "urgent"


def test_laughter_needs_a_laugh_not_a_word_that_folds_like_one() -> None:
    assert level("se cayo con el casco y me va a matar") == "urgent"  # "casco" is not "jasj…"
    assert level("me comi el queque y me quiero matar") == "urgent"  # "queque" is not "jeje"
    assert level("me tome todas las pastillas de la caja") == "urgent"  # "caja" is not "jaja"


@pytest.mark.parametrize(("a", "b"), [
    ("¡AYUDAAA!", "ayuda"), ("a y u d a", "ayuda"), ("yanapt'ita", "yanapt´ita"), ("yanapaj", "yanapaq"),
    ("huasi", "wasi"), ("me quieren llevar", "me kieren yebar"), ("MÉ PÉGÁN", "me pegan"), ("hola", "ola")])
def test_folding_makes_variants_equal(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_a_broken_urgent_file_names_file_and_line(tmp_path: Path) -> None:
    for lang in ("es", "qu", "ay"):
        (tmp_path / lang).mkdir()
        text = (ROOT / "content" / lang / "urgent.yml").read_text(encoding="utf-8")
        (tmp_path / lang / "urgent.yml").write_text(text, encoding="utf-8")
    broken = tmp_path / "qu" / "urgent.yml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("  violence:", "  violencia:"), encoding="utf-8")
    with pytest.raises(DataError) as info:
        UrgentRules.load(tmp_path)
    problem = info.value.problems[0]
    assert problem.file == broken and "violencia" in problem.what and problem.line
    lines = broken.read_text(encoding="utf-8").splitlines()
    assert lines[problem.line - 1].strip() == "violencia:"
