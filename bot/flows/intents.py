"""What the bot does with each intent the NLU reads: data in flows/nlu/intents.yml.

Each intent names at most one flow or command, and optionally a content key said first. `content
check` verifies every flow exists and every key exists in every language, so an intent can never
lead to a missing text. The file sits in a subfolder of flows/ so that it ships with the flows
(the flow loader reads only flows/*.yml).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import ROOT
from bot.errors import DataError, Problem
from bot.yamlfile import LineDict, load_yaml

DEFAULT_PATH = ROOT / "flows" / "nlu" / "intents.yml"
COMMANDS = ("language", "person", "delete", "stop", "menu", "help")
AT_STEP = ("interrupt", "keep")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class IntentAction:
    intent: str
    flow: str | None = None  # start this flow (from inside another module: with an offer to go back)
    command: str | None = None  # one of COMMANDS
    say: str | None = None  # a content key said first
    at_step: str = "interrupt"  # "keep": while a step waits for an answer, keep it (a bare "ok" or "no")
    line: int | None = None


@dataclass(frozen=True)
class Answer:
    """A direct answer to a question the NLU read as `<topic>/<kind>` (a Rasa retrieval intent)."""

    name: str
    step: str | None = None  # a step of the topic's flow whose message is the answer
    say: str | None = None  # or a content key, followed by "continue the module" / "menu"
    line: int | None = None

    @property
    def topic(self) -> str:
        return self.name.split("/")[0]


@dataclass(frozen=True)
class IntentActions:
    file: Path
    actions: dict[str, IntentAction]
    answers: dict[str, Answer] = field(default_factory=dict)

    def get(self, intent: str) -> IntentAction | None:
        return self.actions.get(intent)

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> IntentActions:
        actions, problems = cls.load_with_problems(path)
        if problems:
            raise DataError(problems)
        return actions

    @classmethod
    def load_with_problems(cls, path: Path = DEFAULT_PATH) -> tuple[IntentActions, list[Problem]]:
        if not path.exists():
            return cls(path, {}), [Problem(path, None, "the intent actions file is missing",
                                           "restore flows/nlu/intents.yml from the repository")]
        try:
            data: Any = load_yaml(path)
        except DataError as exc:
            return cls(path, {}), exc.problems
        if not isinstance(data, LineDict) or not isinstance(data.get("intents"), LineDict):
            return cls(path, {}), [Problem(path, 1, "the file has no 'intents:' section",
                                           "write 'format: 1' and 'intents:' with one line per intent")]
        problems: list[Problem] = []
        if data.get("format") != FORMAT_VERSION:
            problems.append(Problem(path, data.line_of("format"), f"'format' must be {FORMAT_VERSION}",
                                    f"put 'format: {FORMAT_VERSION}' on the first line"))
        intents: LineDict = data["intents"]
        actions: dict[str, IntentAction] = {}
        for name, body in intents.items():
            line = intents.line_of(name)
            if not isinstance(body, LineDict):
                problems.append(Problem(path, line, f"intent '{name}' has no action",
                                        "give it 'flow:', 'command:' and/or 'say:'"))
                continue
            unknown = set(body) - {"flow", "command", "say", "at_step"}
            if unknown:
                problems.append(Problem(path, line, f"intent '{name}' has unknown fields {sorted(unknown)}",
                                        "use only flow, command, say and at_step"))
            flow, command, say = body.get("flow"), body.get("command"), body.get("say")
            at_step = str(body.get("at_step", "interrupt"))
            if flow and command:
                problems.append(Problem(path, line, f"intent '{name}' has both a flow and a command",
                                        "keep one of them"))
            if not (flow or command or say):
                problems.append(Problem(path, line, f"intent '{name}' does nothing",
                                        "give it 'flow:', 'command:' or 'say:'"))
            if command is not None and command not in COMMANDS:
                problems.append(Problem(path, body.line_of("command"), f"unknown command '{command}'",
                                        f"use one of: {', '.join(COMMANDS)}"))
            if at_step not in AT_STEP:
                problems.append(Problem(path, body.line_of("at_step"), f"unknown at_step '{at_step}'",
                                        f"use one of: {', '.join(AT_STEP)}"))
            actions[str(name)] = IntentAction(str(name), str(flow) if flow else None,
                                              str(command) if command else None, str(say) if say else None,
                                              at_step, line)
        answers, answer_problems = _read_answers(path, data.get("answers"), data.line_of("answers"))
        return cls(path, actions, answers), problems + answer_problems

    def problems(self, flows: dict[str, set[str]], content: dict[str, set[str]],
                 intents: set[str] | None) -> list[Problem]:
        """Flows or steps that do not exist, keys missing in a language, intents the NLU does not know.
        `flows`: flow name -> its step names."""
        problems: list[Problem] = []
        for answer in self.answers.values():
            action = self.actions.get(answer.topic)
            if action is None or not action.flow:
                problems.append(Problem(self.file, answer.line, f"answer '{answer.name}' belongs to no topic with "
                                        "a flow", f"add '{answer.topic}: {{flow: ...}}' under intents"))
            elif answer.step and answer.step not in flows.get(action.flow, set()):
                problems.append(Problem(self.file, answer.line, f"answer '{answer.name}' names the step "
                                        f"'{answer.step}', which flow '{action.flow}' does not have",
                                        f"name a step of flows/{action.flow}.yml"))
            for lang, keys in sorted(content.items()):
                if answer.say and answer.say not in keys:
                    problems.append(Problem(self.file, answer.line, f"answer '{answer.name}' says '{answer.say}', "
                                            f"which is missing in {lang}", f"add '{answer.say}' to content/{lang}/"))
        for action in self.actions.values():
            if action.flow and action.flow not in flows:
                problems.append(Problem(self.file, action.line, f"intent '{action.intent}' starts the flow "
                                        f"'{action.flow}', which does not exist", "name a flow in flows/"))
            for lang, keys in sorted(content.items()):
                if action.say and action.say not in keys:
                    problems.append(Problem(self.file, action.line, f"intent '{action.intent}' says "
                                            f"'{action.say}', which is missing in {lang}",
                                            f"add '{action.say}' to content/{lang}/"))
            if intents is not None and action.intent not in intents:
                problems.append(Problem(self.file, action.line, f"'{action.intent}' is not an intent of the NLU "
                                        "model", "add it to nlu/domain.yml and nlu/data, or remove it here"))
        return problems


def _read_answers(path: Path, data: Any, line: int) -> tuple[dict[str, Answer], list[Problem]]:
    if data is None:
        return {}, []
    if not isinstance(data, LineDict):
        return {}, [Problem(path, line, "'answers' must list '<topic>/<kind>: {step: ...}' or '{say: ...}'",
                            "indent one answer a line under 'answers:'")]
    answers: dict[str, Answer] = {}
    problems: list[Problem] = []
    for name, body in data.items():
        where = data.line_of(name)
        step = body.get("step") if isinstance(body, dict) else None
        say = body.get("say") if isinstance(body, dict) else None
        if "/" not in str(name) or bool(step) == bool(say):
            problems.append(Problem(path, where, f"answer '{name}' must be '<topic>/<kind>' with one of step or say",
                                    "write e.g. 'grooming/signs: {step: signs}' or '{say: answers.grooming.signs}'"))
            continue
        answers[str(name)] = Answer(str(name), str(step) if step else None, str(say) if say else None, where)
    return answers, problems


def domain_intents(path: Path = ROOT / "nlu" / "domain.yml") -> set[str] | None:
    """The intents of nlu/domain.yml (None when the file is not there, as in the bot's image)."""
    if not path.exists():
        return None
    data = load_yaml(path)
    names = data.get("intents") if isinstance(data, dict) else None
    return {str(n) for n in names} if isinstance(names, list) else set()
