"""Write a golden scenario that walks a whole module: `python scripts/golden_module.py grooming es [user] [channel]`.

It only writes what the user sends (taps on the buttons a person would press: Seguir through the
messages, every quiz answered with its first option, back to the menu at the end). Fill in the
bot's answers with `pytest tests/test_golden.py --update-golden` and read the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from bot.content.languages import display_name
from bot.dialog.bundle import Bundle

ROOT = Path(__file__).resolve().parent.parent


def main(flow: str, lang: str, user: str = "ana", channel: str = "simulator") -> None:
    bundle = Bundle.load(ROOT / "content", ROOT / "flows")
    catalog, module = bundle.catalog, bundle.flows.flows[flow]
    main_flow = bundle.flows.flows["main"]
    menu = main_flow.steps["menu_young"]
    turns = [{"send": {"text": "hola"}}, {"send": {"tap": display_name(lang)}}, {"send": {"text": "1"}}]
    direct = next((o for o in menu.options if o.flow == flow), None)
    if direct is None:  # the main menu groups topics: tap the group, then the module
        group = next(o for o in menu.options
                     if o.goto and any(c.flow == flow for c in main_flow.steps[o.goto].options))
        turns.append({"send": {"tap": catalog.text(lang, group.label)}})
    turns.append({"send": {"tap": catalog.text(lang, module.title)}})
    step = module.steps[module.start]
    seen = set()
    while step.id not in seen:
        seen.add(step.id)
        if step.type == "menu":
            option = next((o for o in step.options if o.goto), None)
            if option is None:
                break
            turns.append({"send": {"tap": catalog.text(lang, option.label)}})
            step = module.steps[option.goto or ""]
        elif step.type == "quiz":
            turns.append({"send": {"tap": catalog.text(lang, step.options[0].label)}})
            step = module.steps[step.next or ""]
        elif step.next:
            step = module.steps[step.next]
        else:
            break
    turns.append({"send": {"text": "menu"}})
    data = {"scenario": f"{display_name(lang)}: the whole {flow} module, quiz included, back to the menu",
            "user": user, "channel": channel, "turns": turns}
    out = ROOT / "tests" / "golden" / f"{lang}_{flow}.yml"
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
