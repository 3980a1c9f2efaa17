"""Build the running parts from settings: Redis, content, pipeline and its seams."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

import redis as redis_sync
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry as SyncRetry

from bot.config import Settings, is_cluster_url
from bot.delivery.outbox import Outbox
from bot.dialog.bundle import Bundle
from bot.dialog.pipeline import Pipeline
from bot.handoff.service import RedisHandoff
from bot.nlu.langid import LanguageIdentifier
from bot.nlu.understander import RasaUnderstander
from bot.safety.rules import UrgentRules
from bot.safety.triage import Triage
from bot.store.addresses import AddressBook
from bot.store.analytics import AnalyticsLog
from bot.store.state import StateStore
from bot.store.subscriptions import SqlSubscriptions

log = logging.getLogger(__name__)

# A Redis restart (or failover) must cost a command a short wait, not an error per pooled connection.
# Only connection errors are retried: the command never reached a live server, so repeating it is safe
# (a timeout is not retried: the command may have run). 0.1, 0.2, 0.4 … capped at 1 s: about 5 s in all.
REDIS_RETRIES = 8
REDIS_BACKOFF = {"base": 0.05, "cap": 1.0}
REDIS_HEALTH_CHECK_SECONDS = 5  # a connection idle longer than this is PINGed (and redialled) before use
REDIS_MAX_CONNECTIONS = 100
REDIS_POOL_WAIT_SECONDS = 5.0  # a burst waits for a free connection instead of failing at once


def redis_options() -> dict[str, Any]:
    """What every Redis client of the bot is built with (async and sync alike)."""
    return {"decode_responses": True, "socket_connect_timeout": 3, "socket_keepalive": True,
            "health_check_interval": REDIS_HEALTH_CHECK_SECONDS, "retry_on_error": [RedisConnectionError]}


def plain_url(url: str) -> str:
    """redis+cluster://… (how settings mark a Redis Cluster) as the redis://… the client parses."""
    return url.replace("+cluster://", "://", 1)


def connect_redis(url: str) -> Redis:
    """The bot's Redis client: health checks, reconnects with back-off, a pool that waits when busy.

    A redis+cluster:// URL (settings write it for REDIS_CLUSTER=true) gives a RedisCluster client with the
    same retry and health options (a pool per node, REDIS_MAX_CONNECTIONS each). It offers every command
    the bot uses (scripts, pipelines, transactions on one hash tag), so it is typed as Redis."""
    retry = Retry(ExponentialBackoff(**REDIS_BACKOFF), REDIS_RETRIES, supported_errors=(RedisConnectionError,))
    if is_cluster_url(url):
        cluster = RedisCluster.from_url(plain_url(url), retry=retry, max_connections=REDIS_MAX_CONNECTIONS,
                                        **redis_options())
        return cast(Redis, cluster)
    pool = BlockingConnectionPool.from_url(url, retry=retry, max_connections=REDIS_MAX_CONNECTIONS,
                                           timeout=REDIS_POOL_WAIT_SECONDS, **redis_options())
    return Redis.from_pool(pool)


def connect_redis_sync(url: str) -> redis_sync.Redis:
    """The same for the few synchronous tools (cleanup after a bench)."""
    retry = SyncRetry(ExponentialBackoff(**REDIS_BACKOFF), REDIS_RETRIES, supported_errors=(RedisConnectionError,))
    if is_cluster_url(url):
        cluster = redis_sync.RedisCluster.from_url(plain_url(url), retry=retry, **redis_options())
        return cast(redis_sync.Redis, cluster)
    return redis_sync.Redis.from_url(url, retry=retry, **redis_options())


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
    subscriptions: SqlSubscriptions | None = None  # the weekly tips (relational database)
    analytics: AnalyticsLog | None = None  # analytics events waiting for the flusher (bot/app/analytics.py)

    async def aclose(self) -> None:
        if self.nlu is not None:
            await self.nlu.aclose()
        if self.subscriptions is not None:
            self.subscriptions.close()
        await self.redis.aclose()


async def build_runtime(settings: Settings, *, namespace: str | None = None, use_nlu: bool = True) -> Runtime:
    """Connect and load everything; a broken content file or unreachable Redis stops here."""
    ns = namespace or settings.bot_namespace
    redis = connect_redis(settings.redis_url)
    await redis.ping()
    bundle = Bundle.load(settings.content_dir, settings.flows_dir)
    handoff = RedisHandoff(redis, ns, retention_seconds=settings.handoff_retention_days * 86400,
                           abandon_seconds=settings.ticket_abandon_days * 86400)
    nlu: RasaUnderstander | None = None
    if use_nlu and settings.rasa_url:
        from bot.nlu.client import RasaClient
        from bot.nlu.review import ReviewLog

        nlu = RasaUnderstander(RasaClient(settings.rasa_url, settings.rasa_token, timeout=settings.rasa_timeout),
                               review=ReviewLog(redis, ns))  # unsure readings, scrubbed, for staff to label
    root = settings.content_dir.parent
    addresses = AddressBook(redis, ns, settings.address_key, ttl_seconds=settings.state_ttl_days * 86400)
    outbox = Outbox(redis, ns, addresses)
    subscriptions = SqlSubscriptions.for_url(settings.database_url)
    analytics = AnalyticsLog(redis, ns)
    pipeline = Pipeline(
        store=StateStore(redis, ns, ttl_seconds=settings.state_ttl_days * 86400),
        bundle=bundle,
        handoff=handoff,
        triage=Triage(UrgentRules.load(settings.content_dir)),
        nlu=nlu,
        langid=LanguageIdentifier.from_project(root),
        addresses=addresses,
        outbox=outbox,
        subscriptions=subscriptions,
        analytics=analytics,
    )
    return Runtime(settings, ns, redis, pipeline, handoff, nlu, addresses, outbox, subscriptions, analytics)
