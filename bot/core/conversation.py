"""The small per-user state kept in Redis: language, flow position, quiz answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The conversation's last minutes (what the user wrote and what the bot answered) are kept apart from
# the state, under the user's key, for RECENT_SECONDS and at most RECENT_LINES lines: if a ticket opens,
# the counselor sees what came before it; otherwise they expire (docs/RETENTION.md).
RECENT_SECONDS = 15 * 60
RECENT_LINES = 12


@dataclass
class Conversation:
    lang: str | None = None
    flow: str | None = None
    step: str | None = None
    vars: dict[str, str] = field(default_factory=dict)
    quiz: dict[str, dict[str, bool]] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)  # payloads of the last choices offered
    subscribed: bool = True
    ticket: str | None = None
    updated_at: float = 0.0
    # The last "are you in danger now?" question: {"at": time, "category": ..., "answer": "" | "no"}
    risk_asked: dict[str, str | float] = field(default_factory=dict)
    # Media sent outside a handoff (bot/core/media.py): {"at": when the offer of a person was made,
    # "answer": "" | "no", "files": platform references kept until answered, for at most 10 minutes}
    media_offer: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> Conversation:
        return Conversation(self.lang, self.flow, self.step, dict(self.vars),
                            {k: dict(v) for k, v in self.quiz.items()}, list(self.pending),
                            self.subscribed, self.ticket, self.updated_at, dict(self.risk_asked),
                            {k: list(v) if isinstance(v, list) else v for k, v in self.media_offer.items()})

    def to_json(self) -> dict[str, Any]:
        """The fields as a dict for json.dumps at once (shallow: `asdict`'s deep copy cost more than the
        rest of a button turn's Python; see `python -m bot bench`)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Conversation:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
