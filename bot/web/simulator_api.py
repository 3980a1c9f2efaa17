"""Staff tools of the simulator page: its texts from the console's catalogue, a module picker that
starts any campaign module of the loaded content in any language, and playable bot recordings.

The modules come from the content bundle the bot serves (every flow but the main menu, named by its
title in each language), so a new module appears here when its flow file does.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app.audio_links import AudioLinks
from bot.app.simulator import Simulator, to_json
from bot.content.catalog import AUDIENCES
from bot.content.languages import LANGS
from bot.core.conversation import Conversation
from bot.core.privacy import user_key
from bot.core.types import CHANNELS, Incoming
from bot.dialog.bundle import Bundle
from bot.dialog.pipeline import BACK
from bot.web.console import _error, _page, language_name, t
from bot.web.state import runtime_of

MAIN_FLOW = "main"


async def page(request: Request) -> Response:
    return _page("simulator.html")


def module_list(bundle: Bundle) -> list[dict[str, Any]]:
    """Every module a user can be in (flows other than the main menu whose start waits for an answer),
    sorted by Spanish title, with its title in each language."""
    catalog, found = bundle.catalog, []
    for flow in bundle.flows.flows.values():
        start = flow.steps.get(flow.start)
        if flow.name == MAIN_FLOW or start is None or start.type not in ("menu", "quiz") \
                or not bundle.engine.current_prompt(Conversation(flow=flow.name, step=flow.start)):
            continue
        titles = {lang: catalog.text(lang, flow.title) if catalog.has(flow.title) else flow.name for lang in LANGS}
        found.append({"id": flow.name, "title": titles})
    return sorted(found, key=lambda m: str(m["title"]["es"]).casefold())


async def modules(request: Request) -> Response:
    bundle = runtime_of(request).pipeline.bundle
    return JSONResponse({
        "modules": module_list(bundle),
        "langs": [{"id": lang, "name": language_name(lang)} for lang in LANGS],
        "audiences": [{"id": a, "label": t(f"audience.{a}")} for a in AUDIENCES]})


async def start(request: Request) -> Response:
    """A fresh conversation for the simulated user, in `lang` (and `audience`), at the start of `module`:
    the module's first message comes back as any reply does, through the pipeline."""
    try:
        body = json.loads(await request.body())
        user, module, lang = str(body["user"]), str(body["module"]), str(body["lang"])
        audience, channel = body.get("audience") or None, str(body.get("channel", "simulator"))
    except (ValueError, KeyError, TypeError):
        return _error("err.bad_filter", 400)
    runtime = runtime_of(request)
    flow = runtime.pipeline.bundle.flows.flows.get(module)
    if not user or flow is None or module not in {m["id"] for m in module_list(runtime.pipeline.bundle)}:
        return _error("err.no_module", 404)
    if lang not in LANGS or audience not in (None, *AUDIENCES) or channel not in CHANNELS:
        return _error("err.bad_filter", 400)
    key = user_key(runtime.settings.user_key_pepper, "simulator", user)
    await runtime.handoff.forget_user(key)  # as "Reiniciar": no case, no state of the last try
    await runtime.pipeline.store.delete_user(key)
    payload = f"{BACK}{flow.name}:{flow.start}"  # "back to" the module's first step: its message and choices
    session = await runtime.pipeline.store.begin(key, channel, None)
    state = Conversation(lang=lang, vars={"audience": audience} if audience else {}, pending=[payload])
    await runtime.pipeline.store.commit(session, state)
    simulator: Simulator = request.app.state.simulator
    simulator.counter += 1
    msg = Incoming(channel=channel, address=user, user_key=key, choice=payload,
                   external_id=f"sim-{simulator.run_id}-{simulator.counter}")
    reply = await runtime.pipeline.handle(msg)
    result = to_json(user, channel, reply, simulator.contents, catalog=runtime.pipeline.bundle.catalog)
    result["module"] = runtime.pipeline.bundle.catalog.text("es", flow.title)
    return JSONResponse(with_audio_links(result, request.app.state.audio_links))


def with_audio_links(result: dict[str, Any], links: AudioLinks | None) -> dict[str, Any]:
    """A recording the bot sends gets a link the page can play (signed and expiring, like WhatsApp's)."""
    for part in result.get("replies", []):
        for media in part.get("media", []):
            url = links.url(str(media.get("ref") or "")) if links is not None and media.get("kind") == "audio" \
                else None
            media["url"] = urlsplit(url).path if url else None
            media.pop("ref", None)
    return result


def simulator_routes() -> list[BaseRoute]:
    return [Route("/simulator/api/modules", modules), Route("/simulator/api/start", start, methods=["POST"])]
