"""The bot against a real Rasa server (started by `make test`: RASA_URL and RASA_TOKEN).

Rasa going away is simulated by cutting a TCP proxy that stands between the bot and the real
server: the bot sees exactly what it sees when Rasa dies (connection refused), and the server
does not need 20 seconds to restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from urllib.parse import urlparse

import pytest
from redis.asyncio import Redis

from bot.nlu.client import RasaClient
from bot.nlu.understander import RasaUnderstander
from tests.chat import chat, texts, titles

RASA_URL = os.environ.get("RASA_URL")
RASA_TOKEN = os.environ.get("RASA_TOKEN")
pytestmark = pytest.mark.rasa


@pytest.fixture(autouse=True)
def _needs_rasa() -> None:
    if not RASA_URL:
        pytest.fail("RASA_URL is not set: run the suite with `make test`, which trains and serves the model")


class CuttableProxy:
    """A TCP proxy to Rasa that can be cut (connections refused) and restored."""

    def __init__(self, target: str) -> None:
        parsed = urlparse(target)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 5005
        self.server: asyncio.Server | None = None
        self.listen_port = 0
        self.open: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.listen_port)
        self.listen_port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.open):  # kept-alive connections die too, as when Rasa is killed
            writer.close()
        self.open.clear()
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        self.open |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def proxy() -> AsyncIterator[CuttableProxy]:
    assert RASA_URL
    p = CuttableProxy(RASA_URL)
    await p.start()
    yield p
    if p.server is not None:
        p.server.close()


@pytest.mark.parametrize(
    ("text", "intent"),
    [("me ofrecieron trabajo en argentina es seguro?", "job_offers"),
     ("quiero hablar con una persona", "talk_to_person"),
     ("imaynallam kachkanki", "greet"), ("runawan rimayta munani", "talk_to_person"), ("kamisaki", "greet"),
     ("jaqimpi parlañ munta", "talk_to_person"),
     ("me quitaron mi carnet y no me dejan salir de la casa donde trabajo", "urgent_trafficking")],
)
async def test_the_trained_model_understands_each_language(text: str, intent: str) -> None:
    assert RASA_URL
    client = RasaClient(RASA_URL, RASA_TOKEN, timeout=5)
    result = await client.parse(text)
    await client.aclose()
    assert result is not None, "Rasa did not answer"
    assert result.intent == intent, result


@pytest.mark.parametrize(("lang", "text"), [("es", "un adulto me escribe mucho por instagram"),
                                            ("qu", "groomingmanta yachayta munani"),
                                            ("ay", "grooming tuqit yatiñ munta")])
async def test_free_text_reaches_a_module_through_nlu(redis: Redis, namespace: str, lang: str, text: str) -> None:
    assert RASA_URL
    nlu = RasaUnderstander(RasaClient(RASA_URL, RASA_TOKEN, timeout=5))
    async with chat(redis, namespace, nlu=nlu) as c:
        await c.send("ana", "hola")
        await c.send("ana", choice=f"lang:{lang}")
        await c.send("ana", "1")
        result = await c.send("ana", text)
    await nlu.aclose()
    assert result["understood"]["via"] == "nlu" and result["understood"]["intent"] == "grooming"
    assert 0.6 <= result["understood"]["confidence"] <= 1.0
    assert result["lang"] == lang and texts(result)


async def test_rasa_going_away_mid_conversation_and_coming_back(redis: Redis, namespace: str,
                                                              proxy: CuttableProxy) -> None:
    nlu = RasaUnderstander(RasaClient(f"http://127.0.0.1:{proxy.listen_port}", RASA_TOKEN, timeout=2,
                                      failure_threshold=2, reset_after=0.5))
    async with chat(redis, namespace, nlu=nlu) as c:
        await c.send("ana", "hola")
        menu = await c.send("ana", choice="lang:es")
        before = await c.send("ana", "quiero hablar de grooming, un adulto me escribe")
        assert before["understood"]["via"] == "nlu"

        await proxy.cut()  # Rasa is gone
        free = await c.send("ana", "quiero saber mas de las redes sociales")
        assert free["understood"]["via"] == "fallback" and "No entendí" in texts(free)[0]
        number = await c.send("ana", "1")
        assert number["understood"]["via"] == "number"
        command = await c.send("ana", "menu")
        assert command["understood"]["via"] == "command" and titles(command)
        button = await c.send("ana", choice=menu["replies"][-1]["choices"][0]["payload"])
        assert button["understood"]["via"] == "choice"
        urgent = await c.send("bea", "me tienen encerrada y no me dejan salir")
        assert urgent["understood"]["via"] == "urgent_rule" and urgent["handoff"]["priority"] == "urgent"

        await proxy.start()  # Rasa is back on the same port
        await asyncio.sleep(0.6)  # the circuit breaker tries again after reset_after
        after = await c.send("ana", "un adulto me escribe mucho por instagram")
    await nlu.aclose()
    assert after["understood"]["via"] == "nlu" and after["understood"]["intent"] == "grooming"
