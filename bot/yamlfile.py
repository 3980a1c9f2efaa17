"""YAML loading that remembers line numbers, so errors can name file and line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from bot.errors import DataError, Problem


class LineDict(dict[str, Any]):
    """A mapping from a YAML file that knows the line of itself and of each key."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
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
