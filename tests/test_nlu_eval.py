"""The blind NLU test set stays frozen and out of training; the evaluation reads the bot's way."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

from bot.cli.nlu_evaluate import BLIND, Case, Parsed, load_blind, macro_f1, question_rows, read, split
from bot.config import ROOT
from bot.nlu.client import NluResult, _answers

EVAL = ROOT / "nlu" / "eval"


def _norm(text: str) -> str:
    text = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w ]", " ", text).split())


def test_the_blind_set_is_frozen_with_its_hash_in_the_readme() -> None:
    readme = (EVAL / "README.md").read_text(encoding="utf-8")
    for name in ("blind.jsonl", "BRIEF.md"):
        digest = hashlib.sha256((EVAL / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in readme, f"{name} changed: the blind set is frozen"


def test_the_blind_set_covers_every_intent_in_every_language() -> None:
    cases = load_blind(ROOT / BLIND)
    counts = Counter((c.lang, c.intent) for c in cases)
    intents = {c.intent for c in cases}
    assert len(intents) == 18 and not any(i.startswith("urgent_") for i in intents)
    assert all(counts[("es", i)] >= 15 and counts[("qu", i)] >= 8 and counts[("ay", i)] >= 8 for i in intents)


def test_no_blind_sentence_is_in_the_training_data() -> None:
    """Short messages ("hola", "si", "q es la verificacion en dos pasos") are written alike by anyone;
    longer ones must never be copied."""
    lines = (EVAL / "blind.jsonl").read_text(encoding="utf-8").splitlines()
    blind = {_norm(json.loads(line)["text"]) for line in lines}
    blind = {b for b in blind if len(b.split()) >= 7}
    training = set()
    for path in (ROOT / "nlu" / "data").glob("*.yml"):
        training |= {_norm(line.strip()[2:]) for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip().startswith("- ")}
    assert blind and not blind & training
    seeds = (ROOT / "scripts" / "nlu_seeds.py").read_text(encoding="utf-8")
    assert "nlu/eval" not in seeds and "blind" not in seeds.lower()


def test_the_dev_split_holds_out_whole_seeds_and_names_the_question_kind() -> None:
    train, dev = split(ROOT)
    assert {c.lang for c in dev} == {"es", "qu", "ay"}
    kinds = Counter(c.question for c in dev if c.intent == "grooming")
    assert kinds[None] and kinds["what_is"] and all("/" not in c.intent for c in dev)
    for lang in ("es", "qu", "ay"):
        trained = {ex for examples in train[lang].values() for ex in examples}
        assert not {c.text for c in dev if c.lang == lang} & trained, lang
    assert "grooming/signs" in train["es"] and "grooming" not in train["es"]


def test_evaluation_counts_what_the_bot_acts_on() -> None:
    body_answers = (("grooming/about", 0.1), ("grooming/signs", 0.8))
    sure = read(NluResult("grooming", 0.95, (("grooming", 0.95),), body_answers), "como se si es grooming")
    assert (sure.acted, sure.answer) == ("grooming", "grooming/signs")
    unsure = read(NluResult("grooming", 0.3, (("grooming", 0.3),), body_answers), "algo")
    assert unsure.acted == "none" and unsure.answer is None
    off_topic = read(NluResult("out_of_scope", 0.9, (("out_of_scope", 0.9),)), "quien gano")
    assert off_topic.acted == "none", "a kind word and the menu: the right outcome for out_of_scope"
    long_bye = read(NluResult("goodbye", 0.99, (("goodbye", 0.99),)), "chau " * 8)
    assert long_bye.acted == "none"


def test_question_figures_need_the_topic_and_the_specific_answer() -> None:
    cases = [Case("es", "grooming", "a", "signs"), Case("es", "grooming", "b", "what_is"), Case("es", "grooming", "c")]
    parsed = [Parsed("grooming", 0.9, "grooming", "grooming/signs"), Parsed("grooming", 0.9, "grooming", None),
              Parsed("grooming", 0.9, "grooming", None)]
    assert question_rows(cases, parsed)[0] == "| es | 2 | 1.000 | 0.500 | 1 |"
    assert macro_f1([("a", "a"), ("b", "a")]) == (2 / 3 + 0) / 2


def test_the_response_selector_ranking_is_read_from_rasa() -> None:
    body = {"response_selector": {"default": {"ranking": [
        {"id": 1, "confidence": 0.7, "intent_response_key": "sextortion/is_crime"},
        {"id": 2, "confidence": 0.2, "intent_response_key": "grooming/is_crime"}]}}}
    result = NluResult("grooming", 0.9, (), _answers(body))
    assert result.answer() == ("grooming/is_crime", 0.2)
    assert _answers({}) == ()


def test_seed_kinds_come_from_explicit_lists_or_patterns(tmp_path: Path) -> None:
    from bot.cli.nlu_evaluate import _seeds_module

    seeds = _seeds_module(ROOT)
    assert seeds.kind_of("sextortion", "es delito pasar fotos intimas") == "is_crime"
    assert seeds.kind_of("grooming", "grooming ima ninantaq") == "what_is"
    assert seeds.kind_of("privacy", "kuns lurä facebookaj lunthatapxitu") == "what_to_do"
    assert seeds.kind_of("cyberbullying", "me hacen memes en el colegio") == "about"
