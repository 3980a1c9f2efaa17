"""Content, flows and command words loaded together, so a reload swaps them as one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content.catalog import Catalog, Entry
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
        problems += channel_limit_problems(catalog, flows)
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


WHATSAPP_BODY = 1600
WHATSAPP_LIST_TITLE = 24
WHATSAPP_LIST_ITEMS = 10
TELEGRAM_TEXT = 4096
TELEGRAM_CALLBACK_BYTES = 64


def channel_limit_problems(catalog: Catalog, flows: FlowSet) -> list[Problem]:
    """What WhatsApp and Telegram would refuse or cut: body length with the numbered choices,
    choice titles, number of choices, callback data size; checked in every language."""
    problems: list[Problem] = []
    for flow in flows.flows.values():
        for step in flow.steps.values():
            if len(step.options) > WHATSAPP_LIST_ITEMS:
                problems.append(Problem(flow.file, step.line, f"step '{step.id}' offers {len(step.options)} choices",
                                        f"WhatsApp lists show at most {WHATSAPP_LIST_ITEMS}: split the menu"))
            for index, option in enumerate(step.options):
                payload = f"f:{flow.name}:{step.id}:{index}"
                if len(payload.encode()) > TELEGRAM_CALLBACK_BYTES:
                    problems.append(Problem(flow.file, option.line or step.line,
                                            f"the button id '{payload}' is longer than Telegram's 64 bytes",
                                            "use shorter flow and step names"))
            for lang, entries in catalog.entries.items():
                def lookup(key: str, entries: dict[str, Entry] = entries) -> Entry | None:
                    return entries.get(key) or catalog.entries["es"].get(key)

                titles = [lookup(o.label) for o in step.options]
                for entry in titles:
                    if entry is not None and len(entry.text) > WHATSAPP_LIST_TITLE:
                        problems.append(Problem(entry.file, entry.line,
                                                f"the button '{entry.key}' has {len(entry.text)} characters in {lang}",
                                                f"WhatsApp shows at most {WHATSAPP_LIST_TITLE}: shorten it"))
                say = lookup(step.say) if step.say else None
                if say is None:
                    continue
                numbered = len(say.text) + sum(len(e.text) + 6 for e in titles if e is not None)
                if numbered > WHATSAPP_BODY or len(say.text) > TELEGRAM_TEXT:
                    problems.append(Problem(say.file, say.line,
                                            f"'{say.key}' in {lang} is {numbered} characters with its choices",
                                            f"WhatsApp allows {WHATSAPP_BODY}: shorten it or split it in two"))
    seen: set[tuple[Path, int | None, str]] = set()
    unique = []
    for problem in problems:
        key = (problem.file, problem.line, problem.what)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique
