"""Load and validate flows/*.yml; every problem names file, line and a fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic_core import ErrorDetails

from bot.errors import DataError, Problem
from bot.flows.model import (
    ACTIONS,
    FORMAT_VERSION,
    STEP_TYPES,
    BranchStep,
    Flow,
    FlowFile,
    FlowSet,
    FlowStep,
    MenuChoice,
    QuizAnswer,
    QuizStep,
    SubscribeStep,
    fields_of,
    next_of,
    say_of,
)
from bot.yamlfile import LineDict, load_yaml_files, locate, validate


def load_flows(flows_dir: Path, content_keys: set[str] | None = None) -> FlowSet:
    flows, problems = load_flows_with_problems(flows_dir, content_keys)
    if problems:
        raise DataError(problems)
    return flows


def load_flows_with_problems(flows_dir: Path,
                             content_keys: set[str] | None = None) -> tuple[FlowSet, list[Problem]]:
    problems: list[Problem] = []
    flows: dict[str, Flow] = {}
    for path, data in load_yaml_files(sorted(flows_dir.glob("*.yml")), problems):
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
    spec, problems = validate(FlowFile, path, data, _problem)
    if spec is None:
        return None, problems
    if spec.flow != path.stem:
        problems.append(Problem(path, data.line_of("flow"),
                                f"the flow is called '{spec.flow}' but the file is {path.name}",
                                f"write 'flow: {path.stem}' or rename the file to {spec.flow}.yml"))
    if spec.start not in spec.steps:
        problems.append(Problem(path, data.line_of("start"), f"the start step '{spec.start}' does not exist",
                                f"use one of: {', '.join(spec.steps)}"))
    steps_data: LineDict = data["steps"]
    for step_id, step in spec.steps.items():  # where each one was written, for later messages
        raw = steps_data[step_id]
        step._id, step._line = step_id, steps_data.line_of(step_id)
        items = raw.get("choices") or raw.get("answers") or []
        for option, item in zip(step.options, items, strict=True):
            option._line = item.line if isinstance(item, LineDict) else step.line
    quiz_steps = tuple(step_id for step_id, step in spec.steps.items() if isinstance(step, QuizStep))
    return Flow(spec.flow, spec.title, spec.start, dict(spec.steps), path, quiz_steps), problems


def _problem(path: Path, data: LineDict, error: ErrorDetails) -> Problem | None:
    """A pydantic error as a Problem: the YAML line of what it points at, in the words of the format
    (None for an error that only repeats others: a list left empty because each of its items failed)."""
    loc = [str(part) for part in error["loc"]]
    spot = locate(data, loc)  # where: the keys that exist in the file, in order (the union's tag is skipped)
    line, node, where = spot.line, spot.node, spot.where
    step_id, kind = "", ""
    if len(where) >= 2 and where[0] == "steps":
        step_id = where[1]
        raw = data["steps"].get(step_id)
        kind = str(raw.get("type")) if isinstance(raw, LineDict) else ""
    key = loc[-1] if loc else ""
    inside = where[2] if len(where) > 2 else ""  # choices / answers / a field of the step
    kind_of_error = error["type"]
    if not step_id:
        if kind_of_error == "missing":
            return Problem(path, data.line, f"the flow has no '{key}'", f"add '{key}:' at the top level")
        if key == "format":
            return Problem(path, line, f"'format' must be {FORMAT_VERSION} (found {data.get('format')!r})",
                           f"put 'format: {FORMAT_VERSION}' on the first line")
        if key == "steps":
            return Problem(path, line, "'steps' must list the steps by name", "indent each step name under 'steps:'")
        if kind_of_error == "extra_forbidden":
            return Problem(path, line, f"a flow file cannot have '{key}' at the top level",
                           "the top level takes: format, flow, title, start, steps")
        return Problem(path, line, f"'{key}': {error['msg']}", "see docs/formats.md, section Flows")
    if kind_of_error == "union_tag_invalid":
        return Problem(path, data["steps"][step_id].line_of("type"), f"step '{step_id}' has unknown type {kind!r}",
                       f"use one of: {', '.join(STEP_TYPES)}")
    if kind_of_error == "union_tag_not_found":
        return Problem(path, line, f"step '{step_id}' has no 'type'",
                       f"add 'type:' (one of: {', '.join(STEP_TYPES)})")
    if kind_of_error == "model_type" and len(where) == 2:
        return Problem(path, line, f"step '{step_id}' has no details", "add 'type:' and its fields under it")
    if inside in ("choices", "answers") and len(where) > 3:
        what = "a choice" if inside == "choices" else "an answer"
        if kind_of_error == "missing" and key == "feedback":
            return Problem(path, line, f"an answer in quiz '{step_id}' has no feedback",
                           "add 'feedback: <content key>' so every answer gets a reply")
        if kind_of_error == "missing" and key == "label":
            return Problem(path, line, f"{what} in '{step_id}' has no label",
                           "start each one with '- label: <content key>'")
        if kind_of_error == "extra_forbidden":
            takes = "label, goto | flow | action, set" if inside == "choices" else "label, feedback, correct"
            return Problem(path, line, f"{what} in '{step_id}' cannot have '{key}'", f"{what} takes: {takes}")
        if key == "action":
            return Problem(path, line, f"unknown action {node!r}", f"use one of: {', '.join(ACTIONS)}")
        if key == "set":
            return Problem(path, line, "'set' must be 'name: value' pairs", "write e.g. 'set: {audience: young}'")
        if kind_of_error == "value_error":
            return Problem(path, line, f"{what} in '{step_id}': {_reason(error)}",
                           "say where the choice leads: 'goto: <step>', 'flow: <flow>' or 'action: counselor'")
    takes = ", ".join(fields_of(kind)) if kind in STEP_TYPES else ""
    if kind_of_error == "extra_forbidden":
        return Problem(path, line, f"a '{kind}' step cannot have '{key}'", f"a '{kind}' step takes: {takes}")
    if kind_of_error == "missing":
        return Problem(path, line, f"step '{step_id}' ({kind}) needs '{key}'", f"add '{key}:'")
    if key in ("choices", "answers") and kind_of_error == "too_short" and isinstance(node, list) and node:
        return None
    if key in ("choices", "answers") and kind_of_error in ("too_short", "tuple_type"):
        return Problem(path, line, f"'{key}' must be a list",
                       "write each one on its own line starting with '- label:'")
    if kind_of_error == "value_error" and kind == "quiz":
        return Problem(path, line, f"quiz '{step_id}' has no correct answer", "add 'correct: true' to the right answer")
    if kind_of_error == "value_error":
        return Problem(path, line, f"step '{step_id}': {_reason(error)}", f"a '{kind}' step takes: {takes}")
    return Problem(path, line, f"step '{step_id}', '{key}': {error['msg']}", f"a '{kind}' step takes: {takes}")


def _reason(error: ErrorDetails) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


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
            check_step(next_of(step), step.line, f"step '{step.id}'")
            if isinstance(step, BranchStep):
                check_step(step.default, step.line, f"step '{step.id}'")
                for target in step.cases.values():
                    check_step(target, step.line, f"step '{step.id}'")
            if isinstance(step, FlowStep):
                check_flow(step.flow, step.line, f"step '{step.id}'")
            check_key(say_of(step), step.line)
            if isinstance(step, SubscribeStep):
                check_key(step.consent, step.line)
            for option in step.options:
                line = option.line or step.line
                check_key(option.label, line)
                if isinstance(option, MenuChoice):
                    check_step(option.goto, line, f"a choice of '{step.id}'")
                    check_flow(option.flow, line, f"a choice of '{step.id}'")
                elif isinstance(option, QuizAnswer):
                    check_key(option.feedback, line)
    return problems
