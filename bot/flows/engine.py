"""The flow engine: pure `(state, event) -> (state, events)`. It never touches a channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from bot.core.conversation import Conversation
from bot.flows.model import (
    BranchStep,
    CounselorStep,
    EndStep,
    Flow,
    FlowSet,
    FlowStep,
    LanguageStep,
    MenuChoice,
    MenuStep,
    MessageStep,
    QuizAnswer,
    QuizResultStep,
    QuizStep,
    Step,
    SubscribeStep,
    UnsubscribeStep,
    say_of,
)

MAX_STEPS_PER_TURN = 40


# -- events in ---------------------------------------------------------------------------
@dataclass(frozen=True)
class StartFlow:
    flow: str


@dataclass(frozen=True)
class Pick:
    """The user picked option `index` of step `step` in flow `flow`."""

    flow: str
    step: str
    index: int


# -- events out ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ChoiceRef:
    label: str  # content key
    payload: str


@dataclass(frozen=True)
class Say:
    key: str
    variables: tuple[tuple[str, str], ...] = ()
    choices: tuple[ChoiceRef, ...] = ()


@dataclass(frozen=True)
class RequestCounselor:
    reason: str = "asked"


@dataclass(frozen=True)
class SetLanguage:
    lang: str | None  # None: ask the user


@dataclass(frozen=True)
class SetSubscription:
    subscribed: bool
    consent: str | None = None  # the content key of the text the user agreed to (a subscribe step's)


@dataclass(frozen=True)
class FlowEnded:
    flow: str


# What analytics count (bot/core/analytics.py); they change nothing the user sees.
@dataclass(frozen=True)
class FlowStarted:
    flow: str


@dataclass(frozen=True)
class StepReached:
    """A step that says or does something was reached; `last`: nothing in its flow comes after it (the
    module was completed)."""

    flow: str
    step: str
    last: bool = False


@dataclass(frozen=True)
class QuizAnswered:
    """The first answer to a quiz question in this run of the flow (the one that counts)."""

    flow: str
    step: str
    correct: bool


Event = (Say | RequestCounselor | SetLanguage | SetSubscription | FlowEnded | FlowStarted | StepReached
         | QuizAnswered)


def payload_for(flow: str, step: str, index: int) -> str:
    return f"f:{flow}:{step}:{index}"


def parse_payload(payload: str) -> Pick | None:
    parts = payload.split(":")
    if len(parts) != 4 or parts[0] != "f" or not parts[3].isdigit():
        return None
    return Pick(parts[1], parts[2], int(parts[3]))


class FlowEngine:
    def __init__(self, flows: FlowSet) -> None:
        self.flows = flows
        self.last_steps = {name: _last_steps(flow) for name, flow in flows.flows.items()}

    def handle(self, state: Conversation, event: StartFlow | Pick) -> tuple[Conversation, list[Event]]:
        """Apply one event; returns the new state and what should happen, in order."""
        new = state.copy()
        events: list[Event] = []
        if isinstance(event, StartFlow):
            if event.flow not in self.flows.flows:
                return state, []
            flow = self.flows.flows[event.flow]
            new.quiz.pop(flow.name, None)
            events.append(FlowStarted(flow.name))
            self._run(new, flow, flow.start, events)
        else:
            self._pick(new, event, events)
        return new, events

    def valid_pick(self, pick: Pick) -> bool:
        flow = self.flows.flows.get(pick.flow)
        step = flow.steps.get(pick.step) if flow else None
        return step is not None and 0 <= pick.index < len(step.options)

    def current_choices(self, state: Conversation) -> tuple[ChoiceRef, ...]:
        """The choices of the step the user is waiting on (to repeat them after a fallback)."""
        flow = self.flows.flows.get(state.flow or "")
        step = flow.steps.get(state.step or "") if flow else None
        if flow is None or step is None:
            return ()
        return self._choices(flow, step)

    def current_prompt(self, state: Conversation) -> str | None:
        flow = self.flows.flows.get(state.flow or "")
        step = flow.steps.get(state.step or "") if flow else None
        return say_of(step) if step else None

    # -- internals ----------------------------------------------------------------------------
    def _pick(self, state: Conversation, pick: Pick, events: list[Event]) -> None:
        if not self.valid_pick(pick):
            return
        flow = self.flows.flows[pick.flow]
        step = flow.steps[pick.step]
        option = step.options[pick.index]
        if isinstance(step, QuizStep) and isinstance(option, QuizAnswer):
            answers = state.quiz.setdefault(flow.name, {})
            if step.id not in answers:  # the first answer counts
                answers[step.id] = option.correct
                events.append(QuizAnswered(flow.name, step.id, option.correct))
            events.append(Say(option.feedback))
            self._run(state, flow, step.next, events)
        elif isinstance(option, MenuChoice):
            self._follow(state, flow, option, events)

    def _follow(self, state: Conversation, flow: Flow, option: MenuChoice, events: list[Event]) -> None:
        for name, value in option.set.items():
            state.vars[name] = value
        if option.goto:
            self._run(state, flow, option.goto, events)
        elif option.flow:
            target = self.flows.flows[option.flow]
            state.quiz.pop(target.name, None)
            events.append(FlowStarted(target.name))
            self._run(state, target, target.start, events)
        elif option.action == "counselor":
            events.append(RequestCounselor())
        elif option.action in ("subscribe", "unsubscribe"):
            events.append(SetSubscription(option.action == "subscribe"))
        elif option.action == "language":
            events.append(SetLanguage(None))

    def _run(self, state: Conversation, flow: Flow, step_id: str | None, events: list[Event]) -> None:
        """Run steps from step_id until one waits for the user or the flow ends."""
        for _ in range(MAX_STEPS_PER_TURN):
            if step_id is None:
                break
            step = flow.steps[step_id]
            state.flow, state.step = flow.name, step.id
            if not isinstance(step, BranchStep | FlowStep):  # routing steps are not part of a funnel
                events.append(StepReached(flow.name, step.id, step.id in self.last_steps.get(flow.name, ())))
            match step:
                case MenuStep() | QuizStep():
                    events.append(Say(step.say, choices=self._choices(flow, step)))
                    return
                case BranchStep():
                    step_id = step.cases.get(state.vars.get(step.on, ""), step.default)
                    continue
                case FlowStep():
                    flow = self.flows.flows[step.flow]
                    state.quiz.pop(flow.name, None)
                    events.append(FlowStarted(flow.name))
                    step_id = flow.start
                    continue
                case QuizResultStep():
                    score = sum(1 for ok in state.quiz.get(flow.name, {}).values() if ok)
                    events.append(Say(step.say, (("score", str(score)), ("total", str(len(flow.quiz_steps))))))
                case MessageStep():
                    events.append(Say(step.say))
                case CounselorStep():
                    self._say(step.say, events)
                    events.append(RequestCounselor())
                case SubscribeStep() | UnsubscribeStep():
                    self._say(step.say, events)
                    events.append(SetSubscription(isinstance(step, SubscribeStep),
                                                  step.consent if isinstance(step, SubscribeStep) else None))
                case LanguageStep():
                    self._say(step.say, events)
                    events.append(SetLanguage(step.lang))
                case EndStep():
                    self._say(step.say, events)
                    break
                case _:
                    assert_never(step)
            step_id = step.next
        state.flow, state.step = None, None
        events.append(FlowEnded(flow.name))

    @staticmethod
    def _say(key: str | None, events: list[Event]) -> None:
        if key:
            events.append(Say(key))

    @staticmethod
    def _choices(flow: Flow, step: Step) -> tuple[ChoiceRef, ...]:
        return tuple(ChoiceRef(o.label, payload_for(flow.name, step.id, i)) for i, o in enumerate(step.options))


def _last_steps(flow: Flow) -> frozenset[str]:
    """The steps after which nothing in the same flow follows (reaching one completes the module): no `goto`,
    `next` or branch leads on from them. Routing steps (branch, flow) are never last."""
    last = set()
    for step_id, step in flow.steps.items():
        if isinstance(step, BranchStep | FlowStep):
            continue
        following = [o.goto for o in step.options if isinstance(o, MenuChoice) and o.goto]
        if not isinstance(step, MenuStep | EndStep) and step.next:
            following.append(step.next)
        if not following:
            last.add(step_id)
    return frozenset(last)
