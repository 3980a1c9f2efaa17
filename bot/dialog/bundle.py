"""Content, flows and command words loaded together, so a reload swaps them as one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.content.catalog import Catalog, Entry
from bot.core.limits import (
    TELEGRAM_CALLBACK_BYTES,
    TELEGRAM_TEXT,
    WHATSAPP_BODY,
    WHATSAPP_BUTTON_TITLE,
    WHATSAPP_BUTTONS,
    WHATSAPP_CONTENT_BODY,
    WHATSAPP_LIST_ITEMS,
    WHATSAPP_LIST_TITLE,
)
from bot.core.text import fold
from bot.errors import DataError, Problem
from bot.flows.engine import FlowEngine
from bot.flows.loader import load_flows_with_problems
from bot.flows.model import FlowSet, say_of

ANSWER_LABELS = ("common.yes", "common.no", "common.person")  # typed instead of tapped, in any language


@dataclass(frozen=True)
class Bundle:
    catalog: Catalog
    flows: FlowSet
    engine: FlowEngine
    commands: dict[str, str]  # folded word -> command name
    answer_words: dict[str, str]  # folded yes / no / person label, in any language -> its label key

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
        answer_words = {fold(catalog.text(lang, key)): key for key in ANSWER_LABELS for lang in catalog.entries}
        return cls(catalog, flows, FlowEngine(flows), commands, answer_words), problems


WHATSAPP_LIST_BUTTON_KEY = "common.menu"  # the content key of the label that opens a list


def whatsapp_shape(titles: Sequence[str]) -> str | None:
    """How WhatsApp shows these choices: "quick-reply" (1-3 titles of at most 20 characters),
    "list-picker" (up to 10 of at most 24; also 1-3 that are too long for buttons) or None
    (numbered text)."""
    if not titles or len(titles) > WHATSAPP_LIST_ITEMS:
        return None
    if len(titles) <= WHATSAPP_BUTTONS and all(len(t) <= WHATSAPP_BUTTON_TITLE for t in titles):
        return "quick-reply"
    if all(len(t) <= WHATSAPP_LIST_TITLE for t in titles):
        return "list-picker"
    return None


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
                prompt = say_of(step)
                say = lookup(prompt) if prompt else None
                if say is None:
                    continue
                if len(say.text) > WHATSAPP_CONTENT_BODY:
                    problems.append(Problem(say.file, say.line, f"'{say.key}' in {lang} has {len(say.text)} characters",
                                            f"WhatsApp buttons and lists allow {WHATSAPP_CONTENT_BODY}: shorten it, "
                                            "or it goes as numbered text", warning=True))
                numbered = len(say.text) + sum(len(e.text) + 6 for e in titles if e is not None)
                if numbered > WHATSAPP_BODY or len(say.text) > TELEGRAM_TEXT:
                    problems.append(Problem(say.file, say.line,
                                            f"'{say.key}' in {lang} is {numbered} characters with its choices",
                                            f"WhatsApp allows {WHATSAPP_BODY}: shorten it or split it in two"))
    for entries in catalog.entries.values():
        label = entries.get(WHATSAPP_LIST_BUTTON_KEY)
        if label is not None and len(label.text) > WHATSAPP_BUTTON_TITLE:
            problems.append(Problem(label.file, label.line,
                                    f"'{label.key}' opens WhatsApp lists and has {len(label.text)} characters in "
                                    f"{label.lang}", f"WhatsApp allows {WHATSAPP_BUTTON_TITLE}: shorten it"))
    seen: set[tuple[Path, int | None, str]] = set()
    unique = []
    for problem in problems:
        key = (problem.file, problem.line, problem.what)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique
