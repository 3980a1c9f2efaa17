"""The pipeline's NLU seam on top of the Rasa HTTP client."""

from __future__ import annotations

from bot.core.ports import Intent
from bot.nlu.client import THRESHOLDS, RasaClient, accept, urgent_reading
from bot.nlu.review import ReviewLog


class RasaUnderstander:
    def __init__(self, client: RasaClient, review: ReviewLog | None = None) -> None:
        self.client = client
        self.review = review  # unsure readings are kept (scrubbed, 30 days) for staff to label

    async def understand(self, text: str) -> Intent | None:
        """None when Rasa is down; otherwise the intent to act on (if any) and the urgent reading."""
        result = await self.client.parse(text)
        if result is None:
            return None
        category, confidence, score = urgent_reading(result)
        name = result.intent if accept(result, text) else None
        if name is None and self.review is not None:
            await self.review.record(text, result.intent, result.confidence)
        answer = result.answer() if name else None
        if answer is not None and not answer[0].endswith("/about") and answer[1] >= THRESHOLDS["answer"]:
            name = answer[0]  # a question the module answers: `<topic>/<kind>` names the direct answer
        return Intent(name, result.confidence, category, confidence, score)

    async def aclose(self) -> None:
        await self.client.aclose()
