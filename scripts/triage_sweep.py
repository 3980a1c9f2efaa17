"""Sweep the triage thresholds (bot/safety/triage.py NluThresholds) on a dev split of the blind corpus.

Development only: reads each message once through the rules and the served Rasa model, then decides
it again under every threshold combination (no pipeline, no Redis), so a choice is a table, not a hunch.
Never run it on the frozen test split: `python scripts/triage_sweep.py round7a` (Rasa served, RASA_URL).
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from bot.cli.triage_evaluate import Case, Outcome, figures, load_split
from bot.config import Settings
from bot.core.ports import Intent
from bot.core.risk import NEVER_ASK, Risk
from bot.nlu.client import RasaClient
from bot.nlu.understander import RasaUnderstander
from bot.safety.rules import UrgentRules
from bot.safety.triage import NluThresholds, Triage

ROOT = Path(__file__).resolve().parent.parent
GRID = {
    "urgent": (0.5, 0.6, 0.7, 0.8, 0.9),
    "ask": (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    "top": (0.2, 0.3, 0.4, 0.5),
    "calm": (0.1, 0.2, 0.3),
}


@dataclass(frozen=True)
class Reading:
    case: Case
    rule: Risk
    nlu: Intent | None


def score(readings: list[Reading], t: NluThresholds, rules: UrgentRules) -> dict[str, float]:
    """The evaluation's own figures (bot.cli.triage_evaluate.figures), all languages pooled."""
    triage = Triage(rules, t)

    def level(r: Reading) -> str:
        return "urgent" if triage.acts_alone(r.rule) else triage.decide(r.rule, r.nlu).level

    fig = figures([Outcome(replace(r.case, lang="all"), level(r), None, 0.0) for r in readings])
    direct = [r for r in readings if r.case.label == "urgent" and r.case.category in NEVER_ASK]
    by_category = Counter(r.case.category for r in direct)
    return {
        "recall": fig.recall.get("all", 1.0),
        "direct": sum(fig.direct[c] * n for c, n in by_category.items()) / max(1, len(direct)),
        "false_urgent": fig.false_urgent.get("all", 0.0),
        "ask_calm": fig.ask.get("all", 0.0),
    }


async def read_all(settings: Settings, cases: list[Case], rules: UrgentRules) -> list[Reading]:
    client = RasaClient(settings.rasa_url or "http://127.0.0.1:5005", token=settings.rasa_token, timeout=10)
    understander = RasaUnderstander(client)
    triage = Triage(rules)
    try:
        return [Reading(c, triage.rules(c.text), await understander.understand(c.text)) for c in cases]
    finally:
        await understander.aclose()


def main(split: str) -> int:
    if split == "test":
        print("the test split is frozen: sweep a dev split", file=sys.stderr)
        return 2
    settings = Settings()
    rules = UrgentRules.load(ROOT / "content")
    readings = asyncio.run(read_all(settings, load_split(ROOT, split), rules))
    now = NluThresholds()
    base = score(readings, now, rules)
    print(f"now {now}: " + " ".join(f"{k} {v:.3f}" for k, v in base.items()))
    rows = []
    for values in itertools.product(*GRID.values()):
        t = NluThresholds(**dict(zip(GRID, values, strict=True)), dismiss=now.dismiss)
        s = score(readings, t, rules)
        rows.append((s["false_urgent"] <= 0.03, s["recall"] + s["direct"] - 2 * s["false_urgent"] - 0.5 * s["ask_calm"],
                     values, s))
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    print(" ".join(GRID) + " | recall direct false_urgent ask_calm")
    for _, _, values, s in rows[:int(sys.argv[2]) if len(sys.argv) > 2 else 25]:
        print(" ".join(f"{v:.1f}" for v in values) + " | " + " ".join(f"{v:.3f}" for v in s.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "round7a"))
