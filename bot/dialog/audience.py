"""Checks that need both content and flows: audiences and choice titles per channel.

The limits themselves live in bot/dialog/bundle.py (one place for channel limits); this module
applies them to what the bundle's own check does not see: audience variants, and the stricter
quick-reply limit that docs/formats.md states for steps with up to three choices.
"""

from __future__ import annotations

from bot.content.catalog import AUDIENCES, Entry
from bot.core.limits import WHATSAPP_BUTTON_TITLE, WHATSAPP_BUTTONS, WHATSAPP_LIST_TITLE
from bot.dialog.bundle import Bundle
from bot.errors import Problem
from bot.flows.model import MenuChoice


def audience_problems(bundle: Bundle) -> list[Problem]:
    """A flow may only remember an audience that content knows (variants are chosen by it)."""
    problems: list[Problem] = []
    for flow in bundle.flows.flows.values():
        for step in flow.steps.values():
            for option in step.options:
                for name, value in (option.set.items() if isinstance(option, MenuChoice) else ()):
                    if name == "audience" and value not in AUDIENCES:
                        problems.append(Problem(flow.file, option.line or step.line,
                                                f"a choice of '{step.id}' sets the audience '{value}', which "
                                                "content does not know",
                                                f"use one of: {', '.join(AUDIENCES)}"))
    return problems


def label_problems(bundle: Bundle) -> list[Problem]:
    """Every choice title, in every language and audience variant, within WhatsApp's limit for how
    the step is shown: up to 3 choices are quick-reply buttons (20 characters), more are a list (24).
    Telegram documents no limit for button text."""
    catalog = bundle.catalog
    problems: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    for flow in bundle.flows.flows.values():
        for step in flow.steps.values():
            buttons = len(step.options) <= WHATSAPP_BUTTONS
            limit = WHATSAPP_BUTTON_TITLE if buttons else WHATSAPP_LIST_TITLE
            shape = "a quick-reply button" if buttons else "a list row"
            for option in step.options:
                for lang, entries in catalog.entries.items():
                    entry: Entry | None = entries.get(option.label) or catalog.entries["es"].get(option.label)
                    if entry is None:
                        continue
                    for audience, text in (("", entry.text), *entry.variants):
                        if len(text) <= limit or (entry.key, lang, audience) in seen:
                            continue
                        seen.add((entry.key, lang, audience))
                        which = f" (variant {audience})" if audience else ""
                        problems.append(Problem(entry.file, entry.line,
                                                f"the choice '{entry.key}'{which} has {len(text)} characters in "
                                                f"{lang}; WhatsApp shows it as {shape} of at most {limit}",
                                                f"shorten it to {limit} characters (see docs/formats.md)"))
    return problems
