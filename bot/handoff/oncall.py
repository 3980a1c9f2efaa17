"""Alert the on-call counselors' Telegram group when an urgent ticket waits too long.

The alert says how long, in which language and channel, and the category; never the user's
words, the trigger phrase or any identifier. One alert per ticket across every bot process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.core.cancel import stop_if_cancelled
from bot.handoff.queue import PAGE, Ticket, TicketQueue

log = logging.getLogger(__name__)
CATEGORY_NAMES = {
    "immediate_danger": "peligro inmediato", "violence": "violencia", "sexual_violence": "violencia sexual",
    "trafficking": "trata / retención", "image_threat": "amenaza con imágenes", "self_harm": "autolesión",
    "missing_person": "persona desaparecida",
}
Send = Callable[[str], Awaitable[None]]


def alert_text(ticket: Ticket, now: float, console_url: str) -> str:
    minutes = max(0, int((now - ticket.created_at) // 60))
    category = CATEGORY_NAMES.get(ticket.category or "", "sin categoría")
    return (f"Caso URGENTE sin atender hace {minutes} min · {category} · idioma {ticket.lang} · {ticket.channel}.\n"
            f"Entra a la consola: {console_url}")


class OnCallAlerts:
    def __init__(self, redis: Redis, namespace: str, queue: TicketQueue, send: Send, *, after_minutes: float,
                 console_url: str, clock: Callable[[], float] = time.time) -> None:
        self.redis = redis
        self.ns = namespace
        self.queue = queue
        self.send = send
        self.after = after_minutes * 60
        self.console_url = console_url
        self.clock = clock

    async def check_once(self) -> int:
        """Alert for each urgent ticket waiting longer than the limit and not alerted yet."""
        sent = 0
        now = self.clock()
        await self.queue.close_abandoned()
        for ticket in await self._overdue(now):
            if ticket.priority != "urgent" or now - ticket.created_at < self.after:
                continue
            key = self.queue.keys.alerted(ticket.id)
            if not await self.redis.set(key, "1", nx=True, ex=7 * 86400):
                continue  # another process alerted already
            try:
                await self.send(alert_text(ticket, now, self.console_url))
            except Exception as exc:
                await self.redis.delete(key)  # try again on the next round
                log.warning("on-call alert not sent (%s); retrying", type(exc).__name__)
                continue
            sent += 1
        return sent

    async def _overdue(self, now: float) -> list[Ticket]:
        """Urgent tickets older than the limit, a page at a time (a score range: never the whole queue)."""
        found: list[Ticket] = []
        while True:
            page = await self.queue.overdue_urgent(now - self.after, offset=len(found), limit=PAGE)
            found += page
            if len(page) < PAGE:
                return found

    async def run(self, every: float = 30.0) -> None:
        while True:
            stop_if_cancelled()
            try:
                await self.check_once()
            except (ConnectionError, OSError, RedisError) as exc:
                log.warning("on-call alerts: redis unavailable (%s)", type(exc).__name__)
            await asyncio.sleep(every)
