"""Build the running parts from settings: Redis, content, pipeline and its seams."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.channels.outbox import Outbox
from bot.config import Settings
from bot.core.bundle import Bundle
from bot.core.pipeline import Pipeline
from bot.handoff.service import RedisHandoff
from bot.nlu.langid import LanguageIdentifier
from bot.nlu.understander import RasaUnderstander
from bot.safety.rules import UrgentRules
from bot.store.addresses import AddressBook
from bot.store.state import StateStore

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    namespace: str
    redis: Redis
    pipeline: Pipeline
    handoff: RedisHandoff
    nlu: RasaUnderstander | None
    addresses: AddressBook
    outbox: Outbox

    async def aclose(self) -> None:
        if self.nlu is not None:
            await self.nlu.aclose()
        await self.redis.aclose()


async def build_runtime(settings: Settings, *, namespace: str | None = None, use_nlu: bool = True) -> Runtime:
    """Connect and load everything; a broken content file or unreachable Redis stops here."""
    ns = namespace or settings.bot_namespace
    redis = Redis.from_url(settings.redis_url, decode_responses=True, socket_connect_timeout=3)
    await redis.ping()
    bundle = Bundle.load(settings.content_dir, settings.flows_dir)
    handoff = RedisHandoff(redis, ns)
    nlu: RasaUnderstander | None = None
    if use_nlu and settings.rasa_url:
        from bot.nlu.client import RasaClient

        nlu = RasaUnderstander(RasaClient(settings.rasa_url, settings.rasa_token, timeout=settings.rasa_timeout))
    root = settings.content_dir.parent
    addresses = AddressBook(redis, ns, settings.address_key, ttl_seconds=settings.state_ttl_days * 86400)
    outbox = Outbox(redis, ns, addresses)
    pipeline = Pipeline(
        store=StateStore(redis, ns, ttl_seconds=settings.state_ttl_days * 86400),
        bundle=bundle,
        handoff=handoff,
        urgent=UrgentRules.load(settings.content_dir),
        nlu=nlu,
        langid=LanguageIdentifier.from_project(root),
        addresses=addresses,
        outbox=outbox,
    )
    return Runtime(settings, ns, redis, pipeline, handoff, nlu, addresses, outbox)
