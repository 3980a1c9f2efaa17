"""The review loop (conversation-driven development): what the NLU was unsure about, labelled by staff.

Messages whose intent the bot did not act on are kept for 30 days in Redis, scrubbed of phone
numbers, e-mail addresses, URLs and long digit runs before they are stored, with no user key,
address or channel: only the scrubbed text, the model's best guess and its confidence.
`python -m bot nlu review --export review.csv --as <user>` gives a sheet (text, language, best
guess, confidence, count of similar, an empty label column); `--import` adds the labelled lines to
nlu/data/review.yml after validation, never to the blind test set. Both are for admins and
supervisors and are written to the audit log (bot/__main__.py).
"""

from __future__ import annotations

import csv
import json
import logging
import re
import secrets
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.content.languages import LANGS
from bot.core.text import fold
from bot.errors import Problem
from bot.store.keys import Keys

log = logging.getLogger(__name__)

RETENTION_SECONDS = 30 * 86400
MAX_TEXT = 500
COLUMNS = ("text", "language", "best_guess", "confidence", "count", "label")
REVIEW_FILE = Path("nlu") / "data" / "review.yml"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|bo|io|ly|me|info|co)\b(?:/\S*)?",
                  re.IGNORECASE)
_PHONE = re.compile(r"\+?\d[\d\s().-]{4,}\d")
_DIGITS = re.compile(r"\d{5,}")


def scrub(text: str) -> str:
    """The text without e-mail addresses, URLs, phone numbers (6+ digits with separators) or runs of
    5+ digits; short numbers (ages, "110") stay, they carry meaning and identify no one."""
    text = _EMAIL.sub("<email>", text)
    text = _URL.sub("<url>", text)
    text = _PHONE.sub(lambda m: "<número>" if sum(c.isdigit() for c in m.group()) >= 6 else m.group(), text)
    return " ".join(_DIGITS.sub("<número>", text).split())[:MAX_TEXT]


class ReviewLog:
    """Unsure NLU readings in one Redis sorted set (scored by time), pruned to 30 days."""

    def __init__(self, redis: Redis, namespace: str, clock: Callable[[], float] = time.time) -> None:
        self.redis = redis
        self.key = Keys(namespace).nlu_review
        self.clock = clock

    async def record(self, text: str, guess: str, confidence: float) -> None:
        """Keep one unsure reading; a Redis failure is logged (without the text) and ignored."""
        cleaned = scrub(text)
        if not cleaned:
            return
        now = self.clock()
        entry = json.dumps({"id": secrets.token_hex(6), "text": cleaned, "guess": guess,
                            "confidence": round(confidence, 3)}, ensure_ascii=False)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zadd(self.key, {entry: now})
                pipe.zremrangebyscore(self.key, "-inf", now - RETENTION_SECONDS)
                pipe.expire(self.key, RETENTION_SECONDS)
                await pipe.execute()
        except RedisError as exc:
            log.warning("nlu review: not recorded (%s)", type(exc).__name__)

    async def entries(self) -> list[dict[str, object]]:
        await self.redis.zremrangebyscore(self.key, "-inf", self.clock() - RETENTION_SECONDS)
        raw = await self.redis.zrange(self.key, 0, -1)
        return [json.loads(item) for item in raw if isinstance(item, str | bytes)]


def sheet(entries: Iterable[dict[str, object]], language: Callable[[str], str]) -> list[dict[str, str]]:
    """One row per distinct text (folded), most frequent first: what staff label."""
    groups: dict[str, list[dict[str, object]]] = {}
    for entry in entries:
        groups.setdefault(fold(str(entry["text"])), []).append(entry)
    rows = []
    for items in sorted(groups.values(), key=lambda group: -len(group)):
        guesses = [str(item["guess"]) for item in items]
        best = max(set(guesses), key=guesses.count)
        mean = sum(float(str(item["confidence"])) for item in items) / len(items)
        text = str(items[0]["text"])
        rows.append({"text": text, "language": language(text), "best_guess": best, "confidence": f"{mean:.2f}",
                     "count": str(len(items)), "label": ""})
    return rows


def write_sheet(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


@dataclass(frozen=True)
class Labelled:
    lang: str
    intent: str
    text: str


def _norm(text: str) -> str:
    text = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w ]", " ", text).split())


def read_labels(path: Path, intents: set[str], blind: Iterable[str]) -> tuple[list[Labelled], list[Problem]]:
    """The labelled rows of a sheet, validated: a known intent, a known language, scrubbed text, and
    never a message of the blind test set. Rows without a label are skipped."""
    blind_texts = {_norm(text) for text in blind}
    labelled: list[Labelled] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"text", "language", "label"} <= set(reader.fieldnames):
            return [], [Problem(path, 1, "the sheet has no text, language and label columns",
                                "export a new sheet with `python -m bot nlu review --export`")]
        for number, row in enumerate(reader, start=2):
            label = (row.get("label") or "").strip()
            if not label:
                continue
            text, lang = scrub(row.get("text") or ""), (row.get("language") or "").strip()
            if label in intents and label.split("/")[0] + "/about" in intents and "/" not in label:
                label += "/about"  # a topic without a kind of question: a statement about it
            if label not in intents:
                problems.append(Problem(path, number, f"'{label}' is not an intent of the NLU model",
                                        "use an intent of nlu/domain.yml, or <topic>/<kind> for a question"))
            elif lang not in LANGS:
                problems.append(Problem(path, number, f"unknown language '{lang}'", f"use one of {', '.join(LANGS)}"))
            elif not text or "\n" in text:
                problems.append(Problem(path, number, "the text is empty or spans lines", "write one message a row"))
            elif _norm(text) in blind_texts:
                problems.append(Problem(path, number, "this message is in the blind test set (nlu/eval)",
                                        "leave it out: the blind set is never used for training"))
            else:
                labelled.append(Labelled(lang, label, text))
    return labelled, problems


def add_to_training(root: Path, labelled: list[Labelled]) -> int:
    """Merge labelled lines into nlu/data/review.yml (the only file this loop writes); returns how many
    were new."""
    path = root / REVIEW_FILE
    by_intent: dict[str, list[str]] = {}
    if path.exists():
        current = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("- intent: "):
                current = line.removeprefix("- intent: ").strip()
            elif line.startswith("    - ") and current:
                by_intent.setdefault(current, []).append(line.removeprefix("    - "))
    seen = {(intent, _norm(text)) for intent, texts in by_intent.items() for text in texts}
    added = 0
    for item in labelled:
        example = " ".join(item.text.replace("[", "(").replace("]", ")").split())
        if (item.intent, _norm(example)) not in seen:
            seen.add((item.intent, _norm(example)))
            by_intent.setdefault(item.intent, []).append(example)
            added += 1
    lines = ["# Labelled by campaign staff through `python -m bot nlu review --import` (validated, scrubbed).",
             'version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {text}" for text in by_intent[intent]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return added


REVIEWERS = ("admin", "supervisor")
