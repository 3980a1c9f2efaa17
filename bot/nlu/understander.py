"""The pipeline's NLU seam on top of the Rasa HTTP client."""

from __future__ import annotations

from bot.core.ports import Intent
from bot.nlu.client import RasaClient, accept, urgent_reading


class RasaUnderstander:
    def __init__(self, client: RasaClient) -> None:
        self.client = client

    async def understand(self, text: str) -> Intent | None:
        """None when Rasa is down; otherwise the intent to act on (if any) and the urgent reading."""
        result = await self.client.parse(text)
        if result is None:
            return None
        category, confidence, score = urgent_reading(result)
        name = result.intent if accept(result, text) else None
        return Intent(name, result.confidence, category, confidence, score)

    async def aclose(self) -> None:
        await self.client.aclose()
