"""The pipeline's NLU seam on top of the Rasa HTTP client."""

from __future__ import annotations

from bot.core.ports import Intent
from bot.nlu.client import RasaClient, accept


class RasaUnderstander:
    def __init__(self, client: RasaClient) -> None:
        self.client = client

    async def understand(self, text: str) -> Intent | None:
        result = await self.client.parse(text)
        if result is None or not accept(result):
            return None
        return Intent(result.intent, result.confidence)

    async def aclose(self) -> None:
        await self.client.aclose()
