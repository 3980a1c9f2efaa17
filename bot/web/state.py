"""Typed access to what the app's lifespan puts on `app.state` (Starlette keeps it untyped)."""

from __future__ import annotations

from starlette.requests import Request

from bot.channels.inbox import Inbox
from bot.runtime import Runtime
from bot.store.db import Store


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def store_of(request: Request) -> Store:
    store: Store = request.app.state.db
    return store


def inbox_of(request: Request) -> Inbox:
    inbox: Inbox = request.app.state.inbox
    return inbox
