"""Loops that run until cancelled must also stop when a library swallows the cancellation.

redis-py (seen with 8.1 on Python 3.11) can lose the CancelledError of a task cancelled while a
command is in flight under several concurrent tasks: the command returns normally and the task
goes on for ever, so a shutdown (or a test client's exit) waits without end. The task still
counts the request (`Task.cancelling()`), so every long-running loop calls `stop_if_cancelled`
after each step and ends the way a cancelled task should."""

from __future__ import annotations

import asyncio


def stop_if_cancelled() -> None:
    """Raise CancelledError when this task was asked to stop but the request got lost on the way."""
    task = asyncio.current_task()
    if task is not None and task.cancelling() > 0:
        raise asyncio.CancelledError()
