"""Sweep the triage thresholds (bot/safety/triage.py NluThresholds) on a dev split of the blind corpus.

Development only: reads each message once through the rules and the served Rasa model, then decides
it again under every threshold combination (no pipeline, no Redis), so a choice is a table, not a hunch.
Never run it on the frozen test split: `python scripts/triage_sweep.py round7a` (Rasa served, RASA_URL).
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.cli.triage_evaluate import Case, load_split
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
    triage = Triage(rules, t)
    urgent = [r for r in readings if r.case.label == "urgent"]
    calm = [r for r in readings if r.case.label == "calm"]

    def level(r: Reading) -> str:
        if triage.acts_alone(r.rule):
            return "urgent"
        return triage.decide(r.rule, r.nlu).level

    levels = {id(r): level(r) for r in readings}
    direct = [r for r in urgent if r.case.category in NEVER_ASK]
    return {
        "recall": sum(levels[id(r)] != "none" for r in urgent) / max(1, len(urgent)),
        "direct": sum(levels[id(r)] == "urgent" for r in direct) / max(1, len(direct)),
        "false_urgent": sum(levels[id(r)] == "urgent" for r in calm) / max(1, len(calm)),
        "ask_calm": sum(levels[id(r)] == "ask" for r in calm) / max(1, len(calm)),
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
