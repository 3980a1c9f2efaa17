"""The simulator: JSON lines in, one JSON line out per input, through the real pipeline."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.app.runtime import Runtime
from bot.channels.whatsapp_content import ContentMap, view_json
from bot.content.catalog import Catalog
from bot.content.gloss import Gloss, glosser_for
from bot.content.languages import SOURCE_LANG
from bot.core.privacy import user_key
from bot.core.types import CHANNELS, Channel, Incoming, Media, Outgoing, Reply
from bot.delivery.render import render_for

# What a simulated user can send instead of (or with) text: a stand-in for the file, never a real one.
MEDIA_TYPES = {"audio": "audio/ogg", "image": "image/jpeg", "video": "video/mp4", "document": "application/pdf"}


class BadLine(ValueError):
    pass


@dataclass
class Simulator:
    runtime: Runtime
    counter: int = 0
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    contents: ContentMap | None = None  # WhatsApp buttons and lists: the synced SIDs (default: the bot's database)

    def __post_init__(self) -> None:
        if self.contents is None:
            self.contents = ContentMap.for_url(self.runtime.settings.database_url)

    def parse(self, line: str) -> tuple[Incoming, Channel]:
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadLine(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
        if not isinstance(data, dict):
            raise BadLine('each line must be an object like {"user": "ana", "text": "hola"}')
        user, text, choice = data.get("user"), data.get("text"), data.get("choice")
        channel, kind = data.get("channel", "simulator"), data.get("media")
        if not isinstance(user, str) or not user:
            raise BadLine('"user" is required and must be text')
        if kind is not None and (not isinstance(kind, str) or kind not in MEDIA_TYPES or choice is not None):
            raise BadLine(f'"media" is one of {", ".join(MEDIA_TYPES)}, with an optional "text" (its caption)')
        if kind is None and (text is None) == (choice is None):
            raise BadLine('give exactly one of "text" or "choice"')
        not_text = any(v is not None and not isinstance(v, str) for v in (text, choice))
        if not_text or (kind is None and not (text or choice)):
            raise BadLine('"text" and "choice" must be text')
        if channel not in CHANNELS:
            raise BadLine(f'"channel" must be one of {", ".join(CHANNELS)}')
        self.counter += 1
        pepper = self.runtime.settings.user_key_pepper
        external_id = f"sim-{self.run_id}-{self.counter}"
        media = (Media(kind, f"sim-file-{external_id}", MEDIA_TYPES[kind]),) if kind else ()
        return Incoming(channel=channel, address=user, user_key=user_key(pepper, "simulator", user),
                        external_id=external_id, text=text or None, choice=choice, media=media), channel

    async def handle_line(self, line: str) -> dict[str, Any]:
        try:
            msg, channel = self.parse(line)
        except BadLine as exc:
            return {"error": str(exc), "line": line[:200]}
        reply = await self.runtime.pipeline.handle(msg)
        return to_json(msg.address, channel, reply, self.contents, catalog=self.runtime.pipeline.bundle.catalog)

    async def run(self, lines: TextIO, out: TextIO) -> None:
        for line in lines:
            if not line.strip():
                continue
            result = await self.handle_line(line)
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            out.flush()


def to_json(user: str, channel: str, reply: Reply, contents: ContentMap | None = None, *,
            catalog: Catalog | None = None) -> dict[str, Any]:
    """The reply as `channel` shows it; on WhatsApp each part says whether its choices are buttons, a
    list (a synced SID exists) or numbered lines. A part with a recording says so (`media`). With the
    `catalog`, each message says which content key it came from (`key`) and, in Quechua and Aymara,
    that key's Spanish (`gloss`: text and choices) on its last part."""
    shown: list[dict[str, Any]] = []
    found = contents or ContentMap(None)
    for out in reply.replies:
        parts = render_for(channel, out)
        for part in parts:
            if channel == "whatsapp":
                shown.append(view_json(part, found.shown(part)))
            else:
                shown.append({"text": part.text,
                              "choices": [{"title": c.title, "payload": c.payload} for c in part.choices]})
            if part.media:
                shown[-1]["media"] = [{"kind": m.kind, "ref": m.url} for m in part.media]
        if catalog is not None:
            shown[-1].update(_source(catalog, reply.lang, out))
    return {
        "user": user,
        "lang": reply.lang,
        "replies": shown,
        "handoff": None if reply.handoff is None else {"ticket": reply.handoff.ticket,
                                                       "priority": reply.handoff.priority},
        "understood": {"via": reply.understood.via, "intent": reply.understood.intent,
                       "confidence": reply.understood.confidence},
        "risk": {"level": reply.risk.level, "category": reply.risk.category},
    }


def _source(catalog: Catalog, lang: str, out: Outgoing) -> dict[str, Any]:
    """The content key a message came from and, for a Quechua or Aymara text, its Spanish. The reply's
    language is tried first (a safety reply before the language is chosen may be in another one)."""
    glosser = glosser_for(catalog)
    order = (lang, *(other for other in catalog.entries if other != lang))

    def find(text: str) -> tuple[str, Gloss] | None:
        for candidate in order:
            found = glosser.find(candidate, text)
            if found is not None:
                return candidate, found
        return None

    text = find(out.text)
    choices = [find(c.title) for c in out.choices]
    result: dict[str, Any] = {"key": text[1].key if text else None}
    if any(found is not None and found[0] != SOURCE_LANG for found in (text, *choices)):
        result["gloss"] = {"text": text[1].spanish if text and text[0] != SOURCE_LANG else None,
                           "choices": [c[1].spanish if c and c[0] != SOURCE_LANG else None for c in choices]}
    return result
