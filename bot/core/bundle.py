"""Content, flows and command words loaded together, so a reload swaps them as one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content.catalog import Catalog
from bot.core.text import fold
from bot.errors import DataError, Problem
from bot.flows.engine import FlowEngine
from bot.flows.loader import load_flows_with_problems
from bot.flows.model import FlowSet


@dataclass(frozen=True)
class Bundle:
    catalog: Catalog
    flows: FlowSet
    engine: FlowEngine
    commands: dict[str, str]  # folded word -> command name

    @classmethod
    def load(cls, content_dir: Path, flows_dir: Path, *, strict: bool = False) -> Bundle:
        bundle, problems = cls.load_with_problems(content_dir, flows_dir)
        blocking = [p for p in problems if strict or not p.warning]
        if blocking or bundle is None:
            raise DataError(blocking)
        return bundle

    @classmethod
    def load_with_problems(cls, content_dir: Path, flows_dir: Path) -> tuple[Bundle | None, list[Problem]]:
        catalog, problems = Catalog.load_with_problems(content_dir)
        flows, flow_problems = load_flows_with_problems(flows_dir, set(catalog.entries["es"]))
        problems += flow_problems
        if "main" not in flows.flows:
            problems.append(Problem(flows_dir / "main.yml", None, "there is no main menu flow",
                                    "create flows/main.yml: the bot starts every conversation there"))
        commands: dict[str, str] = {}
        for _lang, name, word in catalog.command_words():
            folded = fold(word)
            if commands.get(folded, name) != name:
                problems.append(Problem(content_dir, None, f"the word '{word}' is used for two commands",
                                        "give each command its own words"))
            commands[folded] = name
        if any(not p.warning for p in problems):
            return None, problems
        return cls(catalog, flows, FlowEngine(flows), commands), problems
