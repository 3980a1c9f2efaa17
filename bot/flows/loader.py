"""Load and validate flows/*.yml; every problem names file, line and a fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.errors import DataError, Problem
from bot.flows.model import ACTIONS, STEP_TYPES, WAITING_TYPES, Flow, FlowSet, Option, Step
from bot.yamlfile import LineDict, load_yaml

FORMAT_VERSION = 1
STEP_FIELDS = {
    "message": {"say", "next"},
    "menu": {"say", "choices"},
    "quiz": {"say", "answers", "next"},
    "quiz_result": {"say", "next"},
    "flow": {"flow"},
    "counselor": {"say", "next"},
    "subscribe": {"say", "next"},
    "unsubscribe": {"say", "next"},
    "language": {"lang", "next", "say"},
    "branch": {"on", "cases", "default"},
    "end": {"say"},
}
REQUIRED = {
    "message": {"say", "next"}, "menu": {"say", "choices"}, "quiz": {"say", "answers", "next"},
    "quiz_result": {"say", "next"}, "flow": {"flow"}, "language": {"lang"},
    "branch": {"on", "cases", "default"},
}


def load_flows(flows_dir: Path, content_keys: set[str] | None = None) -> FlowSet:
    flows, problems = load_flows_with_problems(flows_dir, content_keys)
    if problems:
        raise DataError(problems)
    return flows


def load_flows_with_problems(flows_dir: Path,
                             content_keys: set[str] | None = None) -> tuple[FlowSet, list[Problem]]:
    problems: list[Problem] = []
    flows: dict[str, Flow] = {}
    for path in sorted(flows_dir.glob("*.yml")):
        try:
            data = load_yaml(path)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        flow, found = _read_flow(path, data)
        problems += found
        if flow is not None:
            flows[flow.name] = flow
    flowset = FlowSet(flows)
    problems += _check_references(flowset, content_keys)
    return flowset, problems


def _read_flow(path: Path, data: Any) -> tuple[Flow | None, list[Problem]]:
    if not isinstance(data, LineDict):
        return None, [Problem(path, 1, "the file is empty or not a flow",
                              "start with 'format: 1', 'flow: <name>', 'title:', 'start:' and 'steps:'")]
    problems: list[Problem] = []
    if data.get("format") != FORMAT_VERSION:
        problems.append(Problem(path, data.line_of("format"),
                                f"'format' must be {FORMAT_VERSION} (found {data.get('format')!r})",
                                f"put 'format: {FORMAT_VERSION}' on the first line"))
    for key in ("flow", "title", "start", "steps"):
        if key not in data:
            problems.append(Problem(path, data.line, f"the flow has no '{key}'", f"add '{key}:' at the top level"))
    if problems:
        return None, problems
    name = str(data["flow"])
    if name != path.stem:
        problems.append(Problem(path, data.line_of("flow"), f"the flow is called '{name}' but the file is {path.name}",
                                f"write 'flow: {path.stem}' or rename the file to {name}.yml"))
    steps_data = data["steps"]
    if not isinstance(steps_data, LineDict) or not steps_data:
        return None, [*problems, Problem(path, data.line_of("steps"), "'steps' must list the steps by name",
                                          "indent each step name under 'steps:'")]
    steps: dict[str, Step] = {}
    for step_id, raw in steps_data.items():
        step, found = _read_step(path, step_id, raw, steps_data.line_of(step_id))
        problems += found
        if step is not None:
            steps[step_id] = step
    start = str(data["start"])
    if start not in steps_data:
        problems.append(Problem(path, data.line_of("start"), f"the start step '{start}' does not exist",
                                f"use one of: {', '.join(steps_data)}"))
    quiz_steps = tuple(s.id for s in steps.values() if s.type == "quiz")
    return Flow(name, str(data["title"]), start, steps, path, quiz_steps), problems


def _read_step(path: Path, step_id: str, raw: Any, line: int) -> tuple[Step | None, list[Problem]]:
    if not isinstance(raw, LineDict):
        return None, [Problem(path, line, f"step '{step_id}' has no details", "add 'type:' and its fields under it")]
    kind = raw.get("type")
    if kind not in STEP_TYPES:
        return None, [Problem(path, raw.line_of("type"), f"step '{step_id}' has unknown type {kind!r}",
                              f"use one of: {', '.join(STEP_TYPES)}")]
    problems: list[Problem] = []
    allowed = STEP_FIELDS[kind] | {"type"}
    for key in raw:
        if key not in allowed:
            problems.append(Problem(path, raw.line_of(key), f"a '{kind}' step cannot have '{key}'",
                                    f"a '{kind}' step takes: {', '.join(sorted(STEP_FIELDS[kind]))}"))
    for key in sorted(REQUIRED.get(kind, set()) - set(raw)):
        problems.append(Problem(path, raw.line, f"step '{step_id}' ({kind}) needs '{key}'", f"add '{key}:'"))
    options: list[Option] = []
    list_key = "choices" if kind == "menu" else "answers" if kind == "quiz" else None
    if list_key and list_key in raw:
        items = raw[list_key]
        if not isinstance(items, list) or not items:
            problems.append(Problem(path, raw.line_of(list_key), f"'{list_key}' must be a list",
                                    "write each one on its own line starting with '- label:'"))
        else:
            for item in items:
                option, found = _read_option(path, step_id, kind, item, raw.line_of(list_key))
                problems += found
                if option:
                    options.append(option)
            if kind == "quiz" and options and not any(o.correct for o in options):
                problems.append(Problem(path, raw.line_of(list_key), f"quiz '{step_id}' has no correct answer",
                                        "add 'correct: true' to the right answer"))
    cases: tuple[tuple[str, str], ...] = ()
    if kind == "branch" and isinstance(raw.get("cases"), dict):
        cases = tuple((str(k), str(v)) for k, v in raw["cases"].items())
    if problems:
        return None, problems
    return Step(step_id, kind, line, say=_opt(raw, "say"), next=_opt(raw, "next"), options=tuple(options),
                flow=_opt(raw, "flow"), lang=_opt(raw, "lang"), on=_opt(raw, "on"), cases=cases,
                default=_opt(raw, "default")), problems


def _opt(raw: LineDict, key: str) -> str | None:
    value = raw.get(key)
    return None if value is None else str(value)


def _read_option(path: Path, step_id: str, kind: str, item: Any, line: int) -> tuple[Option | None, list[Problem]]:
    if not isinstance(item, LineDict) or "label" not in item:
        return None, [Problem(path, line, f"a choice in '{step_id}' has no label",
                              "start each choice with '- label: <content key>'")]
    line = item.line
    if kind == "menu":
        targets = [k for k in ("goto", "flow", "action") if k in item]
        if len(targets) != 1:
            return None, [Problem(path, line, f"a choice in '{step_id}' must have exactly one of goto, flow, action",
                                  "say where the choice leads: 'goto: <step>', 'flow: <flow>' or 'action: counselor'")]
        if "action" in item and item["action"] not in ACTIONS:
            return None, [Problem(path, item.line_of("action"), f"unknown action {item['action']!r}",
                                  f"use one of: {', '.join(ACTIONS)}")]
        set_values = item.get("set") or {}
        if not isinstance(set_values, dict):
            return None, [Problem(path, item.line_of("set"), "'set' must be 'name: value' pairs",
                                  "write e.g. 'set: {audience: young}'")]
        return Option(str(item["label"]), goto=_opt(item, "goto"), flow=_opt(item, "flow"),
                      action=_opt(item, "action"),
                      set=tuple((str(k), str(v)) for k, v in set_values.items()), line=line), []
    if "feedback" not in item:
        return None, [Problem(path, line, f"an answer in quiz '{step_id}' has no feedback",
                              "add 'feedback: <content key>' so every answer gets a reply")]
    return Option(str(item["label"]), correct=bool(item.get("correct", False)),
                  feedback=str(item["feedback"]), line=line), []


def _check_references(flowset: FlowSet, content_keys: set[str] | None) -> list[Problem]:
    problems: list[Problem] = []
    for flow in flowset.flows.values():
        path = flow.file

        def check_step(ref: str | None, line: int, what: str, flow: Flow = flow, path: Path = path) -> None:
            if ref is not None and ref not in flow.steps:
                problems.append(Problem(path, line, f"{what} leads to the step '{ref}', which does not exist",
                                        f"use one of: {', '.join(flow.steps)}"))

        def check_flow(ref: str | None, line: int, what: str, path: Path = path) -> None:
            if ref is not None and ref not in flowset.flows:
                problems.append(Problem(path, line, f"{what} leads to the flow '{ref}', which does not exist",
                                        f"use one of: {', '.join(sorted(flowset.flows))}"))

        def check_key(key: str | None, line: int, path: Path = path) -> None:
            if key is not None and content_keys is not None and key not in content_keys:
                problems.append(Problem(path, line, f"the text '{key}' does not exist in content/es",
                                        f"add '{key}' to a file in content/es (and qu, ay) or fix the spelling"))

        check_key(flow.title, 1)
        for step in flow.steps.values():
            check_step(step.next, step.line, f"step '{step.id}'")
            check_step(step.default, step.line, f"step '{step.id}'")
            for _, target in step.cases:
                check_step(target, step.line, f"step '{step.id}'")
            check_flow(step.flow, step.line, f"step '{step.id}'")
            check_key(step.say, step.line)
            if step.type in WAITING_TYPES and not step.options:
                continue
            for option in step.options:
                line = option.line or step.line
                check_step(option.goto, line, f"a choice of '{step.id}'")
                check_flow(option.flow, line, f"a choice of '{step.id}'")
                check_key(option.label, line)
                check_key(option.feedback, line)
    return problems
