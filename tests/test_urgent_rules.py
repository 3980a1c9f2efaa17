"""Urgent rules: every case of the evaluation set, recall and false-positive rate per language."""

from __future__ import annotations

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


def test_the_set_is_big_enough() -> None:
    def count(kind: str, lang: str) -> int:
        return len(CASES[kind][lang])

    assert count("urgent", "es") >= 60 and count("not_urgent", "es") >= 60
    for lang in ("qu", "ay"):
        assert count("urgent", lang) >= 20 and count("not_urgent", lang) >= 20
    assert CASES["urgent"]["mixed"]


@pytest.mark.parametrize(("lang", "text", "category"), URGENT, ids=[f"{c[0]}:{c[1]}" for c in URGENT])
def test_urgent_message_is_caught(lang: str, text: str, category: str) -> None:
    hit = RULES.match(text)
    assert hit is not None, f"missed an emergency: {text!r}"
    assert hit.category == category, f"{text!r}: {hit.category} ({hit.phrase}) instead of {category}"


@pytest.mark.parametrize(("lang", "text"), CALM, ids=[f"{c[0]}:{c[1]}" for c in CALM])
def test_a_question_about_a_topic_is_not_an_emergency(lang: str, text: str) -> None:
    hit = RULES.match(text)
    assert hit is None, f"{text!r} raised {hit}"


def test_recall_and_false_positive_rate_per_language() -> None:
    print()
    for lang in ("es", "qu", "ay", "mixed"):
        urgent = CASES["urgent"][lang]
        recall = sum(RULES.match(text) is not None for text, _ in urgent) / len(urgent)
        calm = CASES["not_urgent"].get(lang, [])
        fpr = sum(RULES.match(text) is not None for text in calm) / len(calm) if calm else 0.0
        print(f"urgent rules [{lang}]: recall {recall:.3f} on {len(urgent)}, "
              f"false positives {fpr:.3f} on {len(calm)}")
        assert recall >= 0.97 and fpr <= 0.05


@pytest.mark.parametrize(
    ("a", "b"),
    [("¡AYUDAAA!", "ayuda"), ("a y u d a", "ayuda"), ("yanapt'ita", "yanapt´ita"), ("yanapaj", "yanapaq"),
     ("huasi", "wasi"), ("me quieren llevar", "me kieren yebar"), ("MÉ PÉGÁN", "me pegan"), ("hola", "ola")],
)
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
