"""A scripted chat through the real pipeline on the real Redis, for tests."""

from __future__ import annotations

import itertools
import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from bot.app.simulator import to_json
from bot.core.ports import Subscriptions, Understander
from bot.core.privacy import user_key
from bot.core.types import Channel, Incoming, Media
from bot.dialog.bundle import Bundle
from bot.dialog.pipeline import Pipeline
from bot.handoff.service import RedisHandoff
from bot.nlu.langid import LanguageIdentifier
from bot.safety.rules import UrgentRules
from bot.safety.triage import Triage
from bot.store.addresses import AddressBook
from bot.store.state import StateStore

ROOT = Path(__file__).resolve().parent.parent
FROZEN_TIME = 1_790_000_000.0
_bundle: Bundle | None = None
_langid: LanguageIdentifier | None = None
_rules: UrgentRules | None = None


def project_bundle() -> Bundle:
    global _bundle
    if _bundle is None:
        _bundle = Bundle.load(ROOT / "content", ROOT / "flows")
    return _bundle


def project_langid() -> LanguageIdentifier:
    global _langid
    if _langid is None:
        _langid = LanguageIdentifier.from_project(ROOT)
    return _langid


def project_rules() -> UrgentRules:
    global _rules
    if _rules is None:
        _rules = UrgentRules.load(ROOT / "content")
    return _rules


class Chat:
    """Send messages as one or more users and get the simulator's JSON for each."""

    def __init__(self, pipeline: Pipeline, handoff: RedisHandoff) -> None:
        self.pipeline = pipeline
        self.handoff = handoff
        self._ids = itertools.count(1)
        self._run = secrets.token_hex(4)  # platform ids are unique across bot processes too

    async def send(self, user: str, text: str | None = None, *, choice: str | None = None,
                   channel: Channel = "simulator", external_id: str | None = None,
                   media: tuple[Media, ...] = ()) -> dict[str, Any]:
        msg = Incoming(channel=channel, address=user, user_key=self.key(user),
                       external_id=external_id or f"t-{self._run}-{next(self._ids)}", text=text, choice=choice,
                       media=media)
        reply = await self.pipeline.handle(msg)
        result = to_json(user, channel, reply)
        result["duplicate"] = reply.duplicate
        return result

    @staticmethod
    def key(user: str) -> str:
        return user_key("test-pepper", "simulator", user)


@asynccontextmanager
async def chat(redis: Redis, namespace: str, *, nlu: Understander | None = None,
               bundle: Bundle | None = None, subscriptions: Subscriptions | None = None) -> AsyncIterator[Chat]:
    handoff = RedisHandoff(redis, namespace, clock=lambda: FROZEN_TIME)
    pipeline = Pipeline(store=StateStore(redis, namespace), bundle=bundle or project_bundle(), handoff=handoff,
                        triage=Triage(project_rules()), nlu=nlu, langid=project_langid(),
                        addresses=AddressBook(redis, namespace, "test-address-key"), clock=lambda: FROZEN_TIME,
                        subscriptions=subscriptions)
    yield Chat(pipeline, handoff)


def texts(result: dict[str, Any]) -> list[str]:
    return [r["text"] for r in result["replies"]]


def titles(result: dict[str, Any]) -> list[str]:
    return [c["title"] for r in result["replies"] for c in r["choices"]]


def payload_of(result: dict[str, Any], title: str) -> str:
    for reply in result["replies"]:
        for c in reply["choices"]:
            if c["title"] == title:
                return str(c["payload"])
    raise AssertionError(f"no choice titled {title!r} in {json.dumps(result, ensure_ascii=False)}")
