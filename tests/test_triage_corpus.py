"""The blind corpus through the real pipeline and the real Rasa server (issue 10).

The corpus is frozen: its hash must match tests/data/triage/README.md. The floors below are the
figures measured on the test split when the rules and thresholds were last tuned (on dev only),
less a small margin: they catch a regression. The issue's targets are higher and are reported,
met or not, in docs/TRIAGE.md (`python -m bot triage evaluate`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.triage_evaluate import corpus_hash, evaluate, figures
from bot.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.integration, pytest.mark.rasa]
RECALL_FLOOR = {"es": 0.97, "qu": 0.95, "ay": 0.95}
DIRECT_FLOOR = {"self_harm": 0.94, "immediate_danger": 0.87}  # just under stop 22: README.md there
FALSE_URGENT_CEILING = 0.06
ASK_CEILING = 0.15


def test_the_test_split_is_the_frozen_one() -> None:
    readme = (ROOT / "tests" / "data" / "triage" / "README.md").read_text(encoding="utf-8")
    frozen = re.search(r"`test.jsonl` sha256: `([0-9a-f]{64})`", readme)
    assert frozen and corpus_hash(ROOT, "test") == frozen.group(1), "test.jsonl changed: it must stay frozen"


async def test_blind_test_split_through_the_real_pipeline_and_rasa() -> None:
    if not os.environ.get("RASA_URL"):
        pytest.fail("RASA_URL is not set: run the suite with `make test`, which trains and serves the model")
    outcomes, report = await evaluate(load_settings(), ROOT, "test")
    print("\n" + report.split("## Per language")[0])
    fig = figures(outcomes)
    for lang, floor in RECALL_FLOOR.items():
        assert fig.recall[lang] >= floor, f"recall {lang} {fig.recall[lang]:.3f} fell under {floor}"
        assert fig.false_urgent[lang] <= FALSE_URGENT_CEILING, f"false urgent {lang} {fig.false_urgent[lang]:.3f}"
        assert fig.ask[lang] <= ASK_CEILING, f"ask on calm {lang} {fig.ask[lang]:.3f}"
    for category, floor in DIRECT_FLOOR.items():
        assert fig.direct[category] >= floor, f"direct urgent {category} {fig.direct[category]:.3f} fell under {floor}"


def _texts(path: Path) -> set[str]:
    return {" ".join(json.loads(line)["text"].lower().split())
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def test_the_nlu_learns_from_the_dev_split_only_and_is_in_sync_with_it() -> None:
    corpus = ROOT / "nlu" / "data" / "corpus.yml"
    assert subprocess.run([sys.executable, str(ROOT / "scripts" / "nlu_corpus.py"), "--check"]).returncode == 0, \
        "nlu/data/corpus.yml is not what scripts/nlu_corpus.py writes from dev.jsonl"
    trained = {" ".join(line.strip()[2:].lower().split()) for line in corpus.read_text(encoding="utf-8").splitlines()
               if line.startswith("    - ")}
    test = _texts(ROOT / "tests" / "data" / "triage" / "test.jsonl")
    assert trained and not trained & test, "a message of the frozen test split is in the NLU training data"
    for held_out in sorted((ROOT / "tests" / "data" / "triage").glob("round*b.jsonl")):
        assert not trained & _texts(held_out), f"{held_out.name} is held out: it must not be in the training data"
    for tuned in sorted((ROOT / "tests" / "data" / "triage").glob("round*a.jsonl")):
        assert _texts(tuned) & trained, f"{tuned.name} was tuned on, then joins the training data"
    seeds = set()
    for name in ("es", "qu", "ay"):
        seeds |= {" ".join(line.strip()[2:].lower().split())
                  for line in (ROOT / "nlu" / "data" / f"{name}.yml").read_text(encoding="utf-8").splitlines()
                  if line.startswith("    - ")}
    shared = {text for text in seeds & test if len(text.split()) > 2}  # "ok", "allillanchu" are everyone's words
    assert not shared, f"messages of the frozen test split are in the NLU seed data: {sorted(shared)[:3]}"
