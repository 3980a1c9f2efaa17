"""The simulator: JSON lines in, one JSON line out per input, through the real pipeline."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.channels.render import render_for
from bot.channels.whatsapp_content import ContentMap, view_json
from bot.core.privacy import user_key
from bot.core.types import CHANNELS, Channel, Incoming, Reply
from bot.runtime import Runtime


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
        channel = data.get("channel", "simulator")
        if not isinstance(user, str) or not user:
            raise BadLine('"user" is required and must be text')
        if (text is None) == (choice is None):
            raise BadLine('give exactly one of "text" or "choice"')
        if not isinstance(text or choice, str):
            raise BadLine('"text" and "choice" must be text')
        if channel not in CHANNELS:
            raise BadLine(f'"channel" must be one of {", ".join(CHANNELS)}')
        self.counter += 1
        pepper = self.runtime.settings.user_key_pepper
        return Incoming(channel=channel, address=user, user_key=user_key(pepper, "simulator", user),
                        external_id=f"sim-{self.run_id}-{self.counter}", text=text, choice=choice), channel

    async def handle_line(self, line: str) -> dict[str, Any]:
        try:
            msg, channel = self.parse(line)
        except BadLine as exc:
            return {"error": str(exc), "line": line[:200]}
        reply = await self.runtime.pipeline.handle(msg)
        return to_json(msg.address, channel, reply, self.contents)

    async def run(self, lines: TextIO, out: TextIO) -> None:
        for line in lines:
            if not line.strip():
                continue
            result = await self.handle_line(line)
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            out.flush()


def to_json(user: str, channel: str, reply: Reply, contents: ContentMap | None = None) -> dict[str, Any]:
    """The reply as `channel` shows it; on WhatsApp each part says whether its choices are buttons, a
    list (a synced SID exists) or numbered lines."""
    replies = [part for out in reply.replies for part in render_for(channel, out)]
    if channel == "whatsapp":
        found = contents or ContentMap(None)
        shown = [view_json(r, found.shown(r)) for r in replies]
    else:
        shown = [{"text": r.text, "choices": [{"title": c.title, "payload": c.payload} for c in r.choices]}
                 for r in replies]
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
