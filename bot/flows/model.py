"""Flow definitions: data read from flows/*.yml (see docs/formats.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

STEP_TYPES = ("message", "menu", "quiz", "quiz_result", "flow", "counselor", "subscribe",
              "unsubscribe", "language", "branch", "end")
ACTIONS = ("counselor", "subscribe", "unsubscribe", "language")
WAITING_TYPES = ("menu", "quiz")


@dataclass(frozen=True)
class Option:
    """A menu choice (goto / flow / action) or a quiz answer (correct, feedback)."""

    label: str
    goto: str | None = None
    flow: str | None = None
    action: str | None = None
    set: tuple[tuple[str, str], ...] = ()
    correct: bool = False
    feedback: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Step:
    id: str
    type: str
    line: int
    say: str | None = None
    next: str | None = None
    options: tuple[Option, ...] = ()
    flow: str | None = None
    lang: str | None = None
    on: str | None = None
    cases: tuple[tuple[str, str], ...] = ()
    default: str | None = None


@dataclass(frozen=True)
class Flow:
    name: str
    title: str
    start: str
    steps: dict[str, Step]
    file: Path
    quiz_steps: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class FlowSet:
    flows: dict[str, Flow]

    def content_keys(self) -> set[str]:
        keys: set[str] = set()
        for flow in self.flows.values():
            keys.add(flow.title)
            for step in flow.steps.values():
                if step.say:
                    keys.add(step.say)
                for option in step.options:
                    keys.add(option.label)
                    if option.feedback:
                        keys.add(option.feedback)
        return keys
