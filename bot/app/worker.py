"""`python -m bot worker`: the workers without the web server (inbox → pipeline → outbox → platforms,
Telegram polling, on-call alerts, content reload). Run as many as needed beside `RUN_WORKERS=false`
web processes; they share the work through Redis (leases per user), so any number is safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.app.runtime import build_runtime
from bot.app.wiring import Channels
from bot.config import Settings
from bot.delivery.inbox import Inbox
from bot.dialog.reload import ContentWatcher
from bot.store.db import upgrade

log = logging.getLogger(__name__)


async def run_workers(settings: Settings, *, namespace: str | None = None, stop: asyncio.Event | None = None) -> int:
    """Run until SIGTERM / SIGINT (or `stop` is set); what a worker held returns to its queue when
    its lease ends, so stopping loses nothing."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    await asyncio.to_thread(upgrade, settings.database_url)  # subscriptions, cases: the schema is current
    runtime = await build_runtime(settings, namespace=namespace)
    channels = Channels.start(settings, runtime)
    try:
        await channels.check()
        inbox = Inbox(runtime.redis, runtime.namespace, settings.user_key_pepper, runtime.addresses)
        watcher = ContentWatcher(runtime.pipeline, settings.content_dir, settings.flows_dir)
        tasks = [asyncio.create_task(watcher.run(), name="content-watcher"),
                 *(asyncio.create_task(job) for job in channels.workers(inbox))]
        log.info("workers ready: namespace=%s nlu=%s channels=%s", runtime.namespace,
                 "on" if runtime.nlu else "off", ",".join(channels.names()))
        print(f"Workers running for {', '.join(channels.names())} (Ctrl+C stops them).", flush=True)
        await stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=5)
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        await channels.aclose()
        await runtime.aclose()
    return 0
