"""`python -m bot worker`: the workers without the web server answer what any webhook accepted."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from redis.asyncio import Redis

from bot.app.runtime import build_runtime
from bot.app.worker import run_workers
from bot.config import load_settings
from bot.core.privacy import user_key
from bot.delivery.inbox import Inbound, Inbox
from bot.store.keys import Keys
from tests.conftest import REDIS_URL


async def test_a_workers_only_process_answers_and_stops_cleanly(redis: Redis, namespace: str, tmp_path: Path) -> None:
    settings = load_settings(redis_url=REDIS_URL, rasa_url=None, telegram_token=None, twilio_account_sid=None,
                             database_url=f"sqlite:///{tmp_path / 'bot.db'}")
    stop = asyncio.Event()
    workers = asyncio.create_task(run_workers(settings, namespace=namespace, stop=stop))
    web_side = await build_runtime(settings, namespace=namespace, use_nlu=False)  # a RUN_WORKERS=false web process
    try:
        inbox = Inbox(web_side.redis, namespace, settings.user_key_pepper, web_side.addresses)
        assert await inbox.accept(Inbound("simulator", "ana", "w-1", text="hola"))
        box = Keys(namespace).simulator_inbox(user_key(settings.user_key_pepper, "simulator", "ana"))
        deadline = time.monotonic() + 20
        while not await redis.llen(box) and time.monotonic() < deadline and not workers.done():
            await asyncio.sleep(0.05)
        sent = [json.loads(item) for item in await redis.lrange(box, 0, -1)]
        assert sent, "the worker took the message from the inbox, ran the turn and sent the reply"
        assert [title for title, _ in sent[0]["choices"]] == ["Español", "Runasimi", "Aymar aru"]
    finally:
        stop.set()
        assert await asyncio.wait_for(workers, timeout=15) == 0
        await web_side.aclose()
