"""Pure helpers, without Redis: splitting for a channel, folding, menu numbers, the YAML loader."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.text import fold, menu_number, plain
from bot.core.types import Choice, Outgoing
from bot.delivery.render import numbered, render_for, split_text, unnumbered
from bot.errors import DataError
from bot.yamlfile import LineDict, load_yaml


@given(st.text(alphabet=st.sampled_from("ab \n"), max_size=400), st.integers(min_value=5, max_value=60))
def test_split_parts_fit_and_lose_no_word(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(len(part) <= limit for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split()), "no character lost or added"
    words_fit = all(len(word) <= limit for word in text.split())
    assert not words_fit or " ".join(" ".join(parts).split()) == " ".join(text.split()), "no word cut that fits"


def test_split_cuts_at_the_last_boundary_that_fits_and_never_inside_a_word() -> None:
    assert split_text("uno dos\n\ntres", 10) == ["uno dos", "tres"]
    assert split_text("uno\ndos tres cuatro", 12) == ["uno\ndos", "tres cuatro"]
    assert split_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


def test_whatsapp_shows_choices_as_numbers_on_the_last_part_only() -> None:
    out = Outgoing("palabra " * 300, (Choice("Sí", "y"), Choice("No", "n")))
    parts = render_for("whatsapp", out)
    assert len(parts) > 1 and all(not p.choices for p in parts[:-1])
    assert parts[-1].text.endswith("\n\n1. Sí\n2. No") and parts[-1].choices == out.choices
    assert unnumbered(Outgoing(numbered(Outgoing("¿Seguimos?", out.choices)), out.choices)) == "¿Seguimos?"
    assert render_for("telegram", Outgoing("hola", out.choices))[0].text == "hola"


@pytest.mark.parametrize(("typed", "number"), [("2", 2), (" 2. ", 2), ("#3", 3), ("1)", 1), ("10", 10),
                                              ("dos", None), ("2 por favor", None), ("123", None), ("", None)])
def test_menu_numbers(typed: str, number: int | None) -> None:
    assert menu_number(typed) == number


def test_folding_ignores_case_accents_apostrophes_and_edge_punctuation() -> None:
    assert plain("  K’ITA   Menú ") == "kita menu"
    assert fold("¡MENÚ!") == "menu" and fold("¿Ayúda?") == "ayuda"


def test_the_yaml_loader_knows_lines_and_refuses_duplicates_and_yes_no_booleans(tmp_path: Path) -> None:
    good = tmp_path / "good.yml"
    good.write_text("a: 1\nb:\n  on: no\n", encoding="utf-8")
    data = load_yaml(good)
    assert isinstance(data, LineDict) and data.line_of("b") == 2 and data["b"]["on"] == "no"
    twice = tmp_path / "twice.yml"
    twice.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_yaml(twice)
    assert info.value.problems[0].line == 2 and "appears twice" in info.value.problems[0].what
