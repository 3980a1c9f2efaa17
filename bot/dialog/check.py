"""`python -m bot content check`: every problem with file, line, what and how to fix it."""

from __future__ import annotations

from pathlib import Path

from bot.content.glossary import glossary_problems, load_glossaries
from bot.dialog.audience import audience_problems, label_problems
from bot.dialog.bundle import Bundle
from bot.flows.intents import IntentActions, domain_intents
from bot.flows.series import check_series


def run_check(content_dir: Path, flows_dir: Path, *, strict: bool = False) -> int:
    bundle, problems = Bundle.load_with_problems(content_dir, flows_dir)
    glossaries, glossary_read = load_glossaries(content_dir)
    problems += glossary_read
    intents, intents_read = IntentActions.load_with_problems(flows_dir / "nlu" / "intents.yml")
    problems += intents_read
    if bundle is not None:
        problems += audience_problems(bundle) + label_problems(bundle) + glossary_problems(bundle.catalog, glossaries)
        keys = {lang: set(entries) for lang, entries in bundle.catalog.entries.items()}
        steps = {name: set(flow.steps) for name, flow in bundle.flows.flows.items()}
        problems += intents.problems(steps, keys, domain_intents())
        problems += check_series(flows_dir, keys, set(bundle.flows.flows))  # the weekly tips
    errors = [p for p in problems if not p.warning]
    warnings = [p for p in problems if p.warning]
    for problem in errors + warnings:
        print(problem)
    failed = bool(errors) or (strict and bool(warnings))
    summary = f"{len(errors)} error(s), {len(warnings)} warning(s)"
    print(("FAILED: " if failed else "OK: ") + summary + (" (warnings count as errors)" if strict else ""))
    return 1 if failed else 0
