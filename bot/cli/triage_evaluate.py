"""`python -m bot triage evaluate`: the blind corpus through the real pipeline (rules + Rasa).

Each message is sent by a new user who has chosen the message's language, so it is judged as the
bot would judge it in a conversation. The report (docs/TRIAGE.md) gives, per language and
category, recall (urgent or ask), direct-urgent recall for self-harm and immediate danger, and on
calm messages the false-urgent and ask rates, with every miss. `--check` fails under the targets.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.app.runtime import Runtime, build_runtime
from bot.config import Settings
from bot.core.privacy import user_key
from bot.core.risk import NEVER_ASK
from bot.core.types import Incoming

CORPUS = Path("tests/data/triage")
@dataclass(frozen=True)
class Targets:
    """Issue 10's targets, on the test split with the real Rasa."""

    recall: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({"es": 0.98, "qu": 0.95,
                                                                                 "ay": 0.95}))
    direct: float = 0.95  # self-harm and immediate danger reach urgent directly
    false_urgent: float = 0.03
    ask: float = 0.15


TARGETS = Targets()


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    label: str  # urgent | calm
    category: str
    text: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    level: str
    category: str | None
    seconds: float


def load_split(root: Path, split: str) -> list[Case]:
    path = root / CORPUS / f"{split}.jsonl"
    return [Case(d["id"], d["lang"], d["label"], d["category"], d["text"])
            for d in (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())]


def corpus_hash(root: Path, split: str) -> str:
    return hashlib.sha256((root / CORPUS / f"{split}.jsonl").read_bytes()).hexdigest()


async def run_cases(runtime: Runtime, cases: list[Case], *, first_contact: bool = False) -> list[Outcome]:
    """Each message from a new user who chose its language first, or (first_contact) as the very
    first message a new user sends, before any language is chosen."""
    pepper = runtime.settings.user_key_pepper
    run = secrets.token_hex(4)
    outcomes: list[Outcome] = []
    for n, case in enumerate(cases):
        address = f"eval-{run}-{n}"
        key = user_key(pepper, "simulator", address)
        if not first_contact:
            await runtime.pipeline.handle(Incoming("simulator", address, key, f"{address}-0",
                                                   choice=f"lang:{case.lang}"))
        started = time.perf_counter()
        reply = await runtime.pipeline.handle(Incoming("simulator", address, key, f"{address}-1", text=case.text))
        outcomes.append(Outcome(case, reply.risk.level, reply.risk.category, time.perf_counter() - started))
    return outcomes


@dataclass
class Figures:
    recall: dict[str, float]
    direct: dict[str, float]
    false_urgent: dict[str, float]
    ask: dict[str, float]

    def failures(self) -> list[str]:
        out = [f"recall {lang} {value:.3f} < {TARGETS.recall[lang]}"
               for lang, value in self.recall.items() if value < TARGETS.recall[lang]]
        out += [f"direct urgent {key} {value:.3f} < {TARGETS.direct}"
                for key, value in self.direct.items() if value < TARGETS.direct]
        out += [f"false urgent {lang} {value:.3f} > {TARGETS.false_urgent}"
                for lang, value in self.false_urgent.items() if value > TARGETS.false_urgent]
        out += [f"ask on calm {lang} {value:.3f} > {TARGETS.ask}"
                for lang, value in self.ask.items() if value > TARGETS.ask]
        return out


def figures(outcomes: list[Outcome]) -> Figures:
    def share(items: list[Outcome], ok: Any) -> float:
        return sum(1 for o in items if ok(o)) / len(items) if items else 1.0

    langs = sorted({o.case.lang for o in outcomes})
    urgent = {lang: [o for o in outcomes if o.case.lang == lang and o.case.label == "urgent"] for lang in langs}
    calm = {lang: [o for o in outcomes if o.case.lang == lang and o.case.label == "calm"] for lang in langs}
    direct_cases = [o for o in outcomes if o.case.label == "urgent" and o.case.category in NEVER_ASK]
    return Figures(
        recall={lang: share(urgent[lang], lambda o: o.level != "none") for lang in langs},
        direct={category: share([o for o in direct_cases if o.case.category == category],
                                lambda o: o.level == "urgent") for category in NEVER_ASK},
        false_urgent={lang: share(calm[lang], lambda o: o.level == "urgent") for lang in langs},
        ask={lang: share(calm[lang], lambda o: o.level == "ask") for lang in langs},
    )


def _summary(outcomes: list[Outcome], fig: Figures) -> list[str]:
    lines = ["| language | urgent msgs | recall (urgent or ask) | target | calm msgs | "
             "false urgent | target | ask on calm | target |", "|---|---|---|---|---|---|---|---|---|"]
    for lang in sorted(fig.recall):
        n_u = sum(1 for o in outcomes if o.case.lang == lang and o.case.label == "urgent")
        n_c = sum(1 for o in outcomes if o.case.lang == lang and o.case.label == "calm")
        lines.append(f"| {lang} | {n_u} | {fig.recall[lang]:.3f} | ≥ {TARGETS.recall[lang]} | {n_c} | "
                     f"{fig.false_urgent[lang]:.3f} | ≤ {TARGETS.false_urgent} | {fig.ask[lang]:.3f} | "
                     f"≤ {TARGETS.ask} |")
    lines += ["", "Direct urgent (no question first), all languages: " + ", ".join(
        f"{c} {v:.3f}" for c, v in fig.direct.items()) + f" (target ≥ {TARGETS.direct})", ""]
    return lines


def report(outcomes: list[Outcome], split: str, digest: str, nlu: bool, first: list[Outcome] | None = None) -> str:
    fig = figures(outcomes)
    lines = [f"# Triage evaluation ({split} split)", "",
             "Written by `python -m bot triage evaluate --split " + split + "`. The corpus was written blind "
             "(see tests/data/triage/README.md); rules and thresholds were tuned on the dev split only.", "",
             f"- corpus: `tests/data/triage/{split}.jsonl`, sha256 `{digest}`",
             f"- NLU: {'real Rasa server' if nlu else 'OFF (rules only)'}", ""]
    lines += ["## Summary", "", "Each message sent by a new user right after choosing its language.", ""]
    lines += _summary(outcomes, fig)
    failures = fig.failures()
    lines += ["Targets: " + ("all met." if not failures else "NOT met: " + "; ".join(failures)), ""]
    if first:
        lines += ["## As the very first message", "",
                  "The same messages sent as a new user's first message, before any language is chosen "
                  "(the language question comes after the safety reply or the danger question).", ""]
        lines += _summary(first, figures(first))
    lines += ["## Per language and category", "", "| language | label | category | n | urgent | ask | none |",
              "|---|---|---|---|---|---|---|"]
    groups: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for o in outcomes:
        groups[(o.case.lang, o.case.label, o.case.category)][o.level] += 1
    for (lang, label, category), counts in sorted(groups.items()):
        n = sum(counts.values())
        lines.append(f"| {lang} | {label} | {category} | {n} | {counts['urgent'] / n:.2f} | "
                     f"{counts['ask'] / n:.2f} | {counts['none'] / n:.2f} |")
    times = sorted(o.seconds for o in outcomes)
    lines += ["", f"Turn time with the NLU call (this machine): p50 {1000 * times[len(times) // 2]:.1f} ms, "
              f"p99 {1000 * times[int(len(times) * 0.99)]:.1f} ms.", ""]
    lines += ["## Misses (urgent messages that got no question and no ticket)", ""]
    lines += [f"- `{o.case.id}` {o.case.lang}/{o.case.category}: {o.case.text}"
              for o in outcomes if o.case.label == "urgent" and o.level == "none"] or ["- none"]
    lines += ["", "## False urgent (calm messages that opened an urgent ticket)", ""]
    lines += [f"- `{o.case.id}` {o.case.lang}/{o.case.category} → {o.category}: {o.case.text}"
              for o in outcomes if o.case.label == "calm" and o.level == "urgent"] or ["- none"]
    return "\n".join(lines) + "\n"


async def evaluate(settings: Settings, root: Path, split: str, *, use_nlu: bool = True) -> tuple[list[Outcome], str]:
    ns = f"{settings.bot_namespace}:triage-eval:{secrets.token_hex(4)}"
    runtime = await build_runtime(settings, namespace=ns, use_nlu=use_nlu)
    try:
        cases = load_split(root, split)
        outcomes = await run_cases(runtime, cases)
        first = await run_cases(runtime, cases, first_contact=True)
    finally:
        keys = [k async for k in runtime.redis.scan_iter(match=f"{ns}:*", count=1000)]
        for i in range(0, len(keys), 500):
            await runtime.redis.delete(*keys[i:i + 500])
        await runtime.aclose()
    text = report(outcomes, split, corpus_hash(root, split), use_nlu and runtime.nlu is not None, first)
    return outcomes, text


def main(settings: Settings, root: Path, split: str, *, write: bool, check: bool, use_nlu: bool) -> int:
    outcomes, text = asyncio.run(evaluate(settings, root, split, use_nlu=use_nlu))
    summary = text.split("## Per language")[0]  # both summaries
    print(summary)
    if write:
        (root / "docs" / ("TRIAGE.md" if split == "test" else f"TRIAGE-{split}.md")).write_text(text, encoding="utf-8")
    failures = figures(outcomes).failures()
    return 1 if (check and failures) else 0
