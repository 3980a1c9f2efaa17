"""Hot reload: the running bot picks up edited content and flows without a restart.

A broken edit keeps the last good version; the problems are logged (file, line, what), never
the texts themselves.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.core.cancel import stop_if_cancelled
from bot.dialog.bundle import Bundle
from bot.dialog.pipeline import Pipeline

log = logging.getLogger(__name__)


def snapshot(*folders: Path) -> dict[Path, float]:
    return {p: p.stat().st_mtime for folder in folders for p in folder.rglob("*.yml") if p.is_file()}


class ContentWatcher:
    def __init__(self, pipeline: Pipeline, content_dir: Path, flows_dir: Path, interval: float = 2.0) -> None:
        self.pipeline = pipeline
        self.content_dir = content_dir
        self.flows_dir = flows_dir
        self.interval = interval
        self._seen = snapshot(content_dir, flows_dir)
        self.reloads = 0
        self.failures = 0

    def check_once(self) -> bool:
        """Reload if anything changed; True when a new version is live."""
        current = snapshot(self.content_dir, self.flows_dir)
        if current == self._seen:
            return False
        self._seen = current
        bundle, problems = Bundle.load_with_problems(self.content_dir, self.flows_dir)
        if bundle is None:
            self.failures += 1
            for problem in problems:
                if not problem.warning:
                    log.error("content reload refused, keeping the last good version: %s", problem)
            return False
        self.pipeline.bundle = bundle
        self.reloads += 1
        log.info("content reloaded (%d flows)", len(bundle.flows.flows))
        return True

    async def run(self) -> None:
        while True:
            stop_if_cancelled()
            await asyncio.sleep(self.interval)
            try:
                await asyncio.to_thread(self.check_once)
            except OSError as exc:
                log.error("content reload failed: %s", exc)
