"""Async HTTP client for the Rasa server: short timeout, circuit breaker, small cache.

When Rasa is slow or down the client answers None at once (the bot then works without NLU) and
tries again after `reset_after` seconds, so it recovers by itself. Message text is never logged.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bot.core.text import plain

log = logging.getLogger(__name__)

# The one place for NLU thresholds: the confidence from which the bot acts on an intent, per family
# of intents. Chosen on blind dev data the model never saw, never on the blind test set: first the
# held-out seeds, now the tune half of the NLU dev rounds (`python -m bot nlu evaluate --tune
# nlu/dev/round1_tune.jsonl`, nlu/dev/README.md). Topic 0.5 there: precision 0.93, coverage 0.71
# (0.7: 0.94 / 0.67; 0.4: 0.90 / 0.74 — a wrong module costs the user more than a menu); "answer" is
# the ResponseSelector's confidence for a direct answer (0.2: precision 0.96). "other" is
# out_of_scope (a kind word and the menu). The urgent threshold belongs to triage's calibration
# (bot/safety/triage.py) and stays low: urgent intents go to a person even at moderate confidence.
SMALL_TALK = ("greet", "goodbye", "thanks", "affirm", "deny")
COMMANDS = ("menu", "change_language", "talk_to_person", "delete_my_data", "stop", "help_lines")
TOPICS = ("grooming", "sextortion", "job_offers", "privacy", "cyberbullying", "caregivers")
THRESHOLDS = {"urgent": 0.35, "small_talk": 0.4, "command": 0.4, "topic": 0.5, "other": 0.6, "answer": 0.2}
NEVER_ACCEPTED = ("nlu_fallback",)  # out_of_scope is acted on: a kind word and the menu
# Small talk answers short messages only: a long message that reads as "goodbye" is something
# the model did not understand (often a cry for help it has not seen), never a goodbye.
SMALL_TALK_MAX_WORDS = 5
URGENT_THRESHOLD = THRESHOLDS["urgent"]


@dataclass(frozen=True)
class NluResult:
    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...] = ()
    # the ResponseSelector's ranking of retrieval intents (`grooming/signs`, ...), best first
    answers: tuple[tuple[str, float], ...] = ()

    def answer(self) -> tuple[str, float] | None:
        """The best `<intent>/<kind>` of this result's own intent, if any."""
        prefix = self.intent + "/"
        own = [(name, conf) for name, conf in self.answers if name.startswith(prefix)]
        return max(own, key=lambda item: item[1]) if own else None


def is_urgent(intent: str) -> bool:
    return intent.startswith("urgent_")


def family(intent: str) -> str:
    """urgent, small_talk, command, topic or other (the key of THRESHOLDS)."""
    if is_urgent(intent):
        return "urgent"
    if intent in SMALL_TALK:
        return "small_talk"
    if intent in COMMANDS:
        return "command"
    if intent.split("/")[0] in TOPICS:
        return "topic"
    return "other"


def accept(result: NluResult, text: str = "") -> bool:
    """Whether the bot should act on this intent, with a threshold per family of intents."""
    if result.intent in NEVER_ACCEPTED:
        return False
    if result.intent in SMALL_TALK and len(text.split()) > SMALL_TALK_MAX_WORDS:
        return False
    return result.confidence >= THRESHOLDS[family(result.intent)]


def urgent_reading(result: NluResult) -> tuple[str | None, float, float]:
    """(most likely urgent category, its confidence, all urgent intents' confidence together)."""
    ranking = result.ranking or ((result.intent, result.confidence),)
    urgent = [(name.removeprefix("urgent_"), conf) for name, conf in ranking if is_urgent(name)]
    if not urgent:
        return None, 0.0, 0.0
    category, confidence = max(urgent, key=lambda item: item[1])
    return category, confidence, sum(conf for _, conf in urgent)


class RasaClient:
    def __init__(self, base_url: str, token: str | None, timeout: float = 1.0, failure_threshold: int = 3,
                 reset_after: float = 10.0, cache_size: int = 512, clock: Callable[[], float] = time.monotonic,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.token = token
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self.cache_size = cache_size
        self.clock = clock
        self.failures = 0
        self.open_until = 0.0
        self._cache: OrderedDict[str, NluResult] = OrderedDict()
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)

    @property
    def circuit_open(self) -> bool:
        return self.failures >= self.failure_threshold and self.clock() < self.open_until

    async def parse(self, text: str) -> NluResult | None:
        key = plain(text)[:1000]
        if not key:
            return None
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if self.circuit_open:
            return None
        params = {"token": self.token} if self.token else {}
        try:
            response = await self._http.post("/model/parse", json={"text": key}, params=params)
            response.raise_for_status()
            body = response.json()
            intent = body["intent"]
            ranking = tuple((str(item["name"]), float(item["confidence"])) for item in body.get("intent_ranking") or ())
            result = NluResult(str(intent["name"]), float(intent["confidence"]), ranking, _answers(body))
        except (httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
            self.failures += 1
            if self.failures >= self.failure_threshold:
                self.open_until = self.clock() + self.reset_after
            log.warning("nlu: Rasa unavailable (%s, %d failures in a row)", type(exc).__name__, self.failures)
            return None
        if self.failures:
            log.info("nlu: Rasa answers again")
        self.failures = 0
        self._cache[key] = result
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result

    async def aclose(self) -> None:
        await self._http.aclose()


def _answers(body: dict[str, object]) -> tuple[tuple[str, float], ...]:
    """The ResponseSelector's ranking from a /model/parse body (empty when the model has none)."""
    selector = body.get("response_selector")
    default = selector.get("default") if isinstance(selector, dict) else None
    ranking = default.get("ranking") if isinstance(default, dict) else None
    if not isinstance(ranking, list):
        return ()
    return tuple((str(item["intent_response_key"]), float(item["confidence"])) for item in ranking
                 if isinstance(item, dict) and "intent_response_key" in item)
