"""YAML loading that remembers line numbers, so errors can name file and line.

`validate` reads a parsed file into a typed pydantic model (flows, content, glossaries, urgent
phrases) and turns each validation error into a Problem at the YAML line it points at (`locate`);
the wording comes from the caller, in the words of its format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.errors import DataError, Problem


class LineDict(dict[str, Any]):
    """A mapping from a YAML file that knows the line of itself and of each key."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


M = TypeVar("M", bound=BaseModel)
# Puts one validation error in the words of the file's format (None: it only repeats another error).
Explain = Callable[[Path, LineDict, ErrorDetails], Problem | None]


try:  # libyaml parses about ten times faster (content and flows load at every start); same data and lines
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # a PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _Loader(_SafeLoader):
    """SafeLoader where only true/false are booleans (YAML 1.1 also reads on/off/yes/no as
    booleans, which would turn a step's `on:` or an answer "no" into True/False)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool):
            raise yaml.MarkedYAMLError(problem="a key must be plain text", problem_mark=key_node.start_mark)
        key = str(key)
        if key in mapping:
            raise yaml.MarkedYAMLError(
                problem=f"the key '{key}' appears twice (first on line {mapping.key_lines[key]})",
                problem_mark=key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml_files(paths: Iterable[Path], problems: list[Problem]) -> Iterator[tuple[Path, Any]]:
    """Each file that parses, with its data; a file that does not adds its problems and is skipped
    (so a check reports every broken file at once)."""
    for path in paths:
        try:
            data = load_yaml(path)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        yield path, data


def load_yaml(path: Path) -> Any:
    """Parse a YAML file; syntax errors become a DataError with file, line and a fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError([Problem(path, None, "the file is not saved as UTF-8 text",
                                 "save it again with UTF-8 encoding")]) from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = (exc.problem or "the file is not valid YAML").strip()
        raise DataError([Problem(
            path, line, f"the file cannot be read: {what}",
            "check the indentation (spaces, not tabs), that every 'key: value' has a space after "
            "the colon, and put texts containing ':' or '#' inside quotes",
        )]) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(path, None, f"the file cannot be read: {exc}",
                                 "check the YAML syntax")]) from None


@dataclass(frozen=True)
class Spot:
    """Where a validation error points in a YAML file."""

    line: int
    node: Any  # the value written there
    where: tuple[str, ...]  # the keys (and list positions) of the error's location found in the file, in order


def locate(data: LineDict, loc: Sequence[str | int]) -> Spot:
    """The deepest part of `loc` written in the file and its line. Parts that are not in the file (a
    tagged union's tag, '[key]' for a dict key, a missing field) are skipped, so the line is that of
    the nearest thing an editor can see."""
    line: int = data.line
    node: Any = data
    where: list[str] = []
    for part in (str(p) for p in loc):
        if isinstance(node, LineDict) and part in node:
            line, node = node.line_of(part), node[part]
            where.append(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            line = node.line if isinstance(node, LineDict) else line
            where.append(part)
    return Spot(line, node, tuple(where))


def validate(model: type[M], path: Path, data: LineDict, explain: Explain, *,
             cut: int | None = None) -> tuple[M | None, list[Problem]]:
    """The file as `model`, or None, and every error as a Problem (`explain`, at its line).

    With `cut`, a file with errors still gives what is sound: each broken part is cut off at that
    depth (3: one field of one entry; a field that cannot be cut takes its entry with it) and the rest
    is read again, so one typo does not hide the file's other texts. A wrong fixed value at the top
    (`format: 7`) is read as the expected one meanwhile. The problems are those of the file as written."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors()
    problems = [problem for error in errors if (problem := explain(path, data, error))]
    if cut is None:
        return None, problems
    current = data
    for _ in range(4):  # each round cuts something; a required field cut takes its item in the next
        cuts: set[tuple[str, ...]] = set()
        for error in errors:
            top = str(error["loc"][0]) if len(error["loc"]) == 1 else ""
            if top and (fixed := _fixed_value(model, top)) is not None:
                current = _replaced(current, top, fixed)
                continue
            where = locate(current, error["loc"]).where
            if not where:
                return None, problems
            cuts.add(where[:cut])
        # deepest and last first, so a cut never moves the list positions of the ones still to do
        for where in sorted(cuts, key=lambda w: tuple((int(p), "") if p.isdigit() else (-1, p) for p in w),
                            reverse=True):
            current = _without(current, where)
        try:
            return model.model_validate(current), problems
        except ValidationError as exc:
            errors = exc.errors()
    return None, problems


def _fixed_value(model: type[BaseModel], name: str) -> Any:
    """The value of a top-level field that takes one fixed value (`format: Literal[1]`), else None."""
    info = model.model_fields.get(name)
    if info is None or get_origin(info.annotation) is not Literal or len(get_args(info.annotation)) != 1:
        return None
    return get_args(info.annotation)[0]


def _copy(node: Any) -> Any:
    if isinstance(node, LineDict):
        copied = LineDict()
        copied.update(node)
        copied.line, copied.key_lines = node.line, dict(node.key_lines)
        return copied
    return list(node) if isinstance(node, list) else node


def _replaced(data: LineDict, key: str, value: Any) -> LineDict:
    copied: LineDict = _copy(data)
    copied[key] = value
    return copied


def _without(node: Any, where: Sequence[str]) -> Any:
    """A copy of `node` without the part at `where` (the copies share what is not on the way)."""
    copied = _copy(node)
    head, rest = where[0], where[1:]
    index: Any = int(head) if isinstance(copied, list) else head
    if rest:
        copied[index] = _without(copied[index], rest)
    else:
        del copied[index]
    return copied
