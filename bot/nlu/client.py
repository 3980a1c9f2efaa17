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

URGENT_THRESHOLD = 0.35  # urgent intents go to a person even at moderate confidence
DEFAULT_THRESHOLD = 0.6
NEVER_ACCEPTED = ("out_of_scope", "nlu_fallback")


# Small talk answers short messages only: a long message that reads as "goodbye" is something
# the model did not understand (often a cry for help it has not seen), never a goodbye.
SMALL_TALK = ("greet", "goodbye", "thanks", "affirm", "deny")
SMALL_TALK_MAX_WORDS = 5


@dataclass(frozen=True)
class NluResult:
    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...] = ()


def is_urgent(intent: str) -> bool:
    return intent.startswith("urgent_")


def accept(result: NluResult, text: str = "") -> bool:
    """Whether the bot should act on this intent, with a threshold per kind of intent."""
    if result.intent in NEVER_ACCEPTED:
        return False
    if result.intent in SMALL_TALK and len(text.split()) > SMALL_TALK_MAX_WORDS:
        return False
    threshold = URGENT_THRESHOLD if is_urgent(result.intent) else DEFAULT_THRESHOLD
    return result.confidence >= threshold


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
            result = NluResult(str(intent["name"]), float(intent["confidence"]), ranking)
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
