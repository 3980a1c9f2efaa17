"""Golden conversations typed in free text, understood by the real Rasa model (RASA_URL, RASA_TOKEN):
questions a module answers get that answer, interruptions offer the way back (issue 13).

Same format as tests/golden/ (`--update` rewrites the expectations; review the diff). The files
live in tests/golden_nlu/ because they need the NLU server.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from redis.asyncio import Redis

from bot.nlu.client import RasaClient
from bot.nlu.understander import RasaUnderstander
from tests.chat import chat
from tests.test_golden import _Dumper, observed, resolve_send

GOLDEN = Path(__file__).parent / "golden_nlu"
SCENARIOS = sorted(GOLDEN.glob("*.yml"))
RASA_URL = os.environ.get("RASA_URL")
RASA_TOKEN = os.environ.get("RASA_TOKEN")
pytestmark = pytest.mark.rasa


def test_a_direct_answer_scenario_per_module_and_language() -> None:
    seen = set()
    for path in SCENARIOS:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for turn in data["turns"]:
            intent = turn.get("expect", {}).get("intent", "")
            if "/" in intent:
                seen.add((turn["expect"]["lang"], intent.split("/")[0]))
    modules = {"grooming", "sextortion", "job_offers", "privacy", "cyberbullying", "caregivers"}
    assert {("es", m) for m in modules} <= seen
    assert any(lang == "qu" for lang, _ in seen) and any(lang == "ay" for lang, _ in seen)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_golden_free_text(path: Path, redis: Redis, namespace: str, request: pytest.FixtureRequest) -> None:
    if not RASA_URL:
        pytest.fail("RASA_URL is not set: run the suite with `make test`, which trains and serves the model")
    update = bool(request.config.getoption("update_golden"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    nlu = RasaUnderstander(RasaClient(RASA_URL, RASA_TOKEN, timeout=10))
    try:
        async with chat(redis, namespace, nlu=nlu) as c:
            previous: dict[str, Any] | None = None
            for number, turn in enumerate(data["turns"], start=1):
                send = resolve_send(turn["send"], previous)
                result = await c.send(data.get("user", "ana"), send.get("text"), choice=send.get("choice"),
                                      channel=data.get("channel", "simulator"))
                got = observed(result)
                got.pop("confidence", None)
                if update:
                    turn["expect"] = got
                else:
                    assert got == turn["expect"], f"{path.name}, turn {number} ({turn['send']})"
                previous = result
    finally:
        await nlu.aclose()
    if update:
        path.write_text(yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120),
                        encoding="utf-8")
