"""Golden conversations: YAML transcripts replayed through the pipeline on the real Redis.

Each file in tests/golden/ is one scenario: what the user sends and what the bot should answer
(texts, choices, language, how it understood). `pytest tests/test_golden.py --update`
rewrites the expectations from the bot's current answers; review the diff before committing.
Clock and ticket ids are frozen or masked so transcripts are stable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from redis.asyncio import Redis

from bot.core.types import Media
from tests.chat import chat

GOLDEN = Path(__file__).parent / "golden"


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as readable `|` blocks."""


_Dumper.add_representer(
    str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|" if "\n" in v else None))
SCENARIOS = sorted(GOLDEN.glob("*.yml"))


def observed(result: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"lang": result["lang"], "via": result["understood"]["via"]}
    if result["understood"]["intent"]:
        out["intent"] = result["understood"]["intent"]
    out["replies"] = [
        {"text": r["text"], **({"choices": [c["title"] for c in r["choices"]]} if r["choices"] else {})}
        for r in result["replies"]
    ]
    if result["handoff"]:
        out["handoff"] = result["handoff"]["priority"]
        if result.get("ticket_files"):  # the user's media the case holds for the counselor to open
            out["case_media"] = result["ticket_files"]
    if result["risk"]["level"] != "none":
        out["risk"] = result["risk"]
    return out


def resolve_send(send: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """`tap: <title>` presses the button with that title in the previous answer."""
    if "tap" not in send:
        return send
    assert previous is not None, "tap needs a previous answer"
    for reply in previous["replies"]:
        for choice in reply["choices"]:
            if choice["title"] == send["tap"]:
                return {"choice": choice["payload"]}
    raise AssertionError(f"no button titled {send['tap']!r} in the previous answer")


def test_there_is_a_golden_scenario_per_language() -> None:
    langs = set()
    for path in SCENARIOS:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        langs |= {turn["expect"]["lang"] for turn in data["turns"] if "expect" in turn}
    assert {"es", "qu", "ay"} <= langs


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_golden_conversation(path: Path, redis: Redis, namespace: str, request: pytest.FixtureRequest) -> None:
    update = bool(request.config.getoption("update_golden"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    async with chat(redis, namespace) as c:
        previous: dict[str, Any] | None = None
        for number, turn in enumerate(data["turns"], start=1):
            send = resolve_send(turn["send"], previous)
            media = tuple(Media(m["kind"], m.get("url"), m.get("type")) for m in send.get("media", ()))
            result = await c.send(data.get("user", "ana"), send.get("text"), choice=send.get("choice"),
                                  channel=data.get("channel", "simulator"), media=media)
            if result["handoff"]:
                lines = await c.handoff.transcript(result["handoff"]["ticket"])
                result["ticket_files"] = [f"{f['kind']} {f['ref']}" for line in lines if line.get("from") == "user"
                                          for f in line.get("files", []) if f.get("ref")]
            got = observed(result)
            if update:
                turn["expect"] = got
            else:
                assert got == turn["expect"], f"{path.name}, turn {number} ({turn['send']})"
            previous = result
    if update:
        path.write_text(yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120),
                        encoding="utf-8")
