"""`python -m bot content check`: every problem with file, line, what and how to fix it."""

from __future__ import annotations

from pathlib import Path

from bot.core.bundle import Bundle


def run_check(content_dir: Path, flows_dir: Path, *, strict: bool = False) -> int:
    _bundle, problems = Bundle.load_with_problems(content_dir, flows_dir)
    errors = [p for p in problems if not p.warning]
    warnings = [p for p in problems if p.warning]
    for problem in errors + warnings:
        print(problem)
    failed = bool(errors) or (strict and bool(warnings))
    summary = f"{len(errors)} error(s), {len(warnings)} warning(s)"
    print(("FAILED: " if failed else "OK: ") + summary + (" (warnings count as errors)" if strict else ""))
    return 1 if failed else 0
