"""Flow definitions: typed models of flows/*.yml, one class per step type (docs/formats.md).

Each model forbids fields it does not know, so a typo ("sayy:") is an error with file and line
(bot/flows/loader.py maps pydantic's error locations to YAML lines). The engine dispatches on the
step classes; `tests/test_flow_engine.py` checks docs/formats.md names every step type and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

FORMAT_VERSION = 1
Action = Literal["counselor", "subscribe", "unsubscribe", "language"]
ACTIONS: tuple[str, ...] = get_args(Action)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    _line: int = PrivateAttr(0)

    @property
    def line(self) -> int:
        return self._line


class MenuChoice(_Model):
    """A menu choice: a content key and exactly one of goto (a step), flow, action."""

    label: str
    goto: str | None = None
    flow: str | None = None
    action: Action | None = None
    set: dict[str, str] = Field(default_factory=dict)  # state variables it remembers, e.g. {audience: young}

    @model_validator(mode="after")
    def _one_target(self) -> MenuChoice:
        if sum(target is not None for target in (self.goto, self.flow, self.action)) != 1:
            raise ValueError("a choice must have exactly one of goto, flow, action")
        return self


class QuizAnswer(_Model):
    """A quiz answer: a content key, its feedback, and whether it is the right one."""

    label: str
    feedback: str  # every answer gets a reply
    correct: bool = False


class _Step(_Model):
    _id: str = PrivateAttr("")

    @property
    def id(self) -> str:
        return self._id

    @property
    def options(self) -> tuple[MenuChoice | QuizAnswer, ...]:
        """What the user can pick (menu choices, quiz answers); none for the other steps."""
        return ()


class MessageStep(_Step):
    """Send a text, go on at once."""

    type: Literal["message"]
    say: str
    next: str


class MenuStep(_Step):
    """Send a text with choices and wait."""

    type: Literal["menu"]
    say: str
    choices: tuple[MenuChoice, ...] = Field(min_length=1)

    @property
    def options(self) -> tuple[MenuChoice, ...]:
        return self.choices


class QuizStep(_Step):
    """A question with answers, feedback on each; the first answer counts."""

    type: Literal["quiz"]
    say: str
    answers: tuple[QuizAnswer, ...] = Field(min_length=1)
    next: str

    @property
    def options(self) -> tuple[QuizAnswer, ...]:
        return self.answers

    @model_validator(mode="after")
    def _one_correct(self) -> QuizStep:
        if not any(answer.correct for answer in self.answers):
            raise ValueError("the quiz has no correct answer")
        return self


class QuizResultStep(_Step):
    """A text with {score} and {total} of this flow's quiz."""

    type: Literal["quiz_result"]
    say: str
    next: str


class FlowStep(_Step):
    """Jump: start another flow."""

    type: Literal["flow"]
    flow: str


class CounselorStep(_Step):
    """Ask for a person (a ticket), optionally with a text."""

    type: Literal["counselor"]
    say: str | None = None
    next: str | None = None


class SubscribeStep(_Step):
    """Subscribe the user to the weekly tips; `consent`: the content key of the text they agreed to."""

    type: Literal["subscribe"]
    say: str | None = None
    next: str | None = None
    consent: str | None = None


class UnsubscribeStep(_Step):
    """Unsubscribe the user from campaign messages."""

    type: Literal["unsubscribe"]
    say: str | None = None
    next: str | None = None


class LanguageStep(_Step):
    """Set the language (`lang`: es, qu or ay)."""

    type: Literal["language"]
    lang: str
    say: str | None = None
    next: str | None = None


class BranchStep(_Step):
    """Go to a step by a state variable."""

    type: Literal["branch"]
    on: str
    cases: dict[str, str]
    default: str


class EndStep(_Step):
    """End the flow, optionally with a text."""

    type: Literal["end"]
    say: str | None = None


Step = (MessageStep | MenuStep | QuizStep | QuizResultStep | FlowStep | CounselorStep | SubscribeStep
        | UnsubscribeStep | LanguageStep | BranchStep | EndStep)
STEP_CLASSES: tuple[type[_Step], ...] = get_args(Step)
STEP_TYPES: tuple[str, ...] = tuple(get_args(cls.model_fields["type"].annotation)[0] for cls in STEP_CLASSES)
WaitingStep = MenuStep | QuizStep  # steps that wait for the user's pick


class FlowFile(_Model):
    """One flows/<name>.yml as written."""

    format: Literal[1]
    flow: str
    title: str  # content key: the module's name in menus
    start: str
    steps: dict[str, Annotated[Step, Field(discriminator="type")]] = Field(min_length=1)


def say_of(step: Step) -> str | None:
    """The content key a step says, if any."""
    return None if isinstance(step, FlowStep | BranchStep) else step.say


def next_of(step: Step) -> str | None:
    """The step that follows, for the steps that go on by themselves."""
    return None if isinstance(step, MenuStep | FlowStep | BranchStep | EndStep) else step.next


def fields_of(step_type: str) -> dict[str, Any]:
    """The fields a step type takes (for messages and the format check), `type` excluded."""
    cls = STEP_CLASSES[STEP_TYPES.index(step_type)]
    return {name: info for name, info in cls.model_fields.items() if name != "type"}


def step_table() -> str:
    """The step types and their fields as a Markdown table: docs/formats.md holds it between the
    `step-fields` markers, and tests/test_flow_engine.py fails when the two differ."""
    rows = ["| type | fields (required in bold) | what it does |", "|---|---|---|"]
    for cls, name in zip(STEP_CLASSES, STEP_TYPES, strict=True):
        fields = [f"**{field}**" if info.is_required() else field for field, info in fields_of(name).items()]
        doc = " ".join((cls.__doc__ or "").split())
        rows.append(f"| `{name}` | {', '.join(fields) or '—'} | {doc} |")
    items: tuple[tuple[str, type[_Model]], ...] = (("a menu choice", MenuChoice), ("a quiz answer", QuizAnswer))
    for what, model in items:
        fields = [f"**{field}**" if info.is_required() else field for field, info in model.model_fields.items()]
        rows.append(f"| ({what}) | {', '.join(fields)} | {' '.join((model.__doc__ or '').split())} |")
    return "\n".join(rows)


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
                if say := say_of(step):
                    keys.add(say)
                for option in step.options:
                    keys.add(option.label)
                    if isinstance(option, QuizAnswer):
                        keys.add(option.feedback)
        return keys
