"""Typed access to what the app's lifespan puts on `app.state` (Starlette keeps it untyped)."""

from __future__ import annotations

from starlette.requests import Request

from bot.app.cases import CaseService
from bot.app.runtime import Runtime
from bot.delivery.inbox import Inbox
from bot.store.db import Store


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def store_of(request: Request) -> Store:
    store: Store = request.app.state.db
    return store


def cases_of(request: Request) -> CaseService:
    """The case workflow on this app's runtime and database (made once, on first use)."""
    cases: CaseService | None = getattr(request.app.state, "cases", None)
    if cases is None:
        runtime = runtime_of(request)
        cases = CaseService(runtime.handoff, runtime.outbox, store_of(request),
                            lambda lang, key: runtime.pipeline.bundle.catalog.text(lang, key), runtime.analytics)
        request.app.state.cases = cases
    return cases


def inbox_of(request: Request) -> Inbox:
    inbox: Inbox = request.app.state.inbox
    return inbox
