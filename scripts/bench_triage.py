"""How long the urgent rules and the triage decision take per message (no I/O): prints p50/p99.

    .venv/bin/python scripts/bench_triage.py
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from bot.core.ports import Intent
from bot.safety.rules import UrgentRules
from bot.safety.triage import Triage

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    triage = Triage(UrgentRules.load(ROOT / "content"))
    texts = [json.loads(line)["text"] for line in (ROOT / "tests/data/triage/dev.jsonl").read_text().splitlines()]
    nlu = Intent("out_of_scope", 0.5, "violence", 0.3, 0.4)
    for text in texts:  # warm the word cache as a running bot would be
        triage.decide(triage.rules(text), nlu)
    times = []
    for _ in range(5):
        for text in texts:
            started = time.perf_counter()
            triage.decide(triage.rules(text), nlu)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(f"{len(times)} decisions: p50 {statistics.median(times):.3f} ms, p99 {times[int(len(times) * 0.99)]:.3f} ms, "
          f"max {times[-1]:.3f} ms")


if __name__ == "__main__":
    main()
