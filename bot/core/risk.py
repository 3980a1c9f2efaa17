"""The one owner of the safety categories and the triage levels.

Every module that names an urgent category (rules, NLU intents, replies, console, on-call alerts,
the evaluation) imports it from here, so adding a category is one edit plus its texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# When several categories match, the first in this order wins: self-harm and immediate danger
# first (their replies must never be the generic one), then the most specific advice, plain
# violence (the most general wording) last.
URGENT_CATEGORIES: tuple[str, ...] = (
    "self_harm", "immediate_danger", "trafficking", "sexual_violence", "grooming", "image_threat",
    "missing_person", "violence",
)
# A clear signal in these categories is never lowered to a question.
NEVER_ASK: tuple[str, ...] = ("self_harm", "immediate_danger")
# Short Spanish names for staff screens and alerts (never shown to users).
CATEGORY_LABELS_ES: dict[str, str] = {
    "self_harm": "autolesión / suicidio", "immediate_danger": "peligro inmediato",
    "trafficking": "trata / retención", "sexual_violence": "violencia sexual",
    "grooming": "grooming con encuentro o amenaza", "image_threat": "amenaza con imágenes",
    "missing_person": "persona desaparecida", "violence": "violencia",
}

# "Are you in danger now?" is asked at most once in this many seconds of a conversation.
RISK_QUESTION_QUIET_SECONDS = 600

Level = Literal["urgent", "ask", "none"]
LEVEL_ORDER: dict[str, int] = {"none": 0, "ask": 1, "urgent": 2}


@dataclass(frozen=True, slots=True)
class Risk:
    """The triage decision for one message: act now (urgent), ask first (ask) or nothing."""

    level: Level = "none"
    category: str | None = None
    source: str | None = None  # "rule", "nlu" or "answer": what raised it (diagnostics, no text)
    trigger: str | None = None  # the rule phrase that matched, for the counselor (never the user's words)

    def __post_init__(self) -> None:
        if self.category is not None and self.category not in URGENT_CATEGORIES:
            raise ValueError(f"unknown urgent category {self.category!r}")


NO_RISK = Risk()


def higher(a: Risk, b: Risk) -> Risk:
    """The more serious of two decisions; on a tie the earlier category in URGENT_CATEGORIES."""
    if LEVEL_ORDER[a.level] != LEVEL_ORDER[b.level]:
        return a if LEVEL_ORDER[a.level] > LEVEL_ORDER[b.level] else b
    if a.category is None or b.category is None:
        return a if a.category is not None else b
    return a if URGENT_CATEGORIES.index(a.category) <= URGENT_CATEGORIES.index(b.category) else b
