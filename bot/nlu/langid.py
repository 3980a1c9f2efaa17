"""Offline language identification for es / qu / ay: a character 1–4-gram naive Bayes model
trained at start from the project's own texts (content and NLU examples). No downloads.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.content.languages import LANGS
from bot.core.text import plain

_ORDERS = (1, 2, 3, 4)


def _clean(text: str) -> str:
    cleaned = re.sub(r"\{[^}]*\}", " ", plain(text))  # template variables are not language
    return re.sub(r"\s+", " ", re.sub(r"[^a-z ]+", " ", cleaned)).strip()


def _grams(text: str) -> Iterable[str]:
    for word in _clean(text).split():
        padded = f" {word} "
        for n in _ORDERS:
            for i in range(len(padded) - n + 1):
                yield padded[i:i + n]


class LanguageIdentifier:
    def __init__(self, samples: dict[str, list[str]]) -> None:
        self.counts: dict[str, Counter[str]] = {lang: Counter() for lang in LANGS}
        for lang, texts in samples.items():
            for text in texts:
                self.counts[lang].update(_grams(text))
        self.totals = {lang: sum(c.values()) for lang, c in self.counts.items()}
        self.vocab = len(set().union(*self.counts.values())) or 1
        # Equal priors: Spanish has more text, but a short Quechua greeting must not lose to that.
        self.priors = {lang: math.log(1 / len(LANGS)) for lang in LANGS}

    @classmethod
    def from_project(cls, root: Path) -> LanguageIdentifier:
        """Train on content/<lang>/*.yml texts and nlu/data/<lang>.yml examples (missing files are fine)."""
        samples: dict[str, list[str]] = {lang: [] for lang in LANGS}
        for lang in LANGS:
            for path in sorted((root / "content" / lang).glob("*.yml")):
                samples[lang] += list(_texts(_load(path)))
            nlu = root / "nlu" / "data" / f"{lang}.yml"
            if nlu.exists():
                samples[lang] += list(_examples(_load(nlu)))
        return cls(samples)

    def scores(self, text: str) -> dict[str, float]:
        grams = list(_grams(text))
        if not grams:
            return {lang: 1 / len(LANGS) for lang in LANGS}
        logp = {}
        for lang in LANGS:
            counts, total = self.counts[lang], self.totals[lang] + self.vocab
            logp[lang] = self.priors[lang] + sum(math.log((counts[g] + 1) / total) for g in grams)
        top = max(logp.values())
        exp = {lang: math.exp(v - top) for lang, v in logp.items()}
        norm = sum(exp.values())
        return {lang: v / norm for lang, v in exp.items()}

    def predict(self, text: str) -> tuple[str, float]:
        scores = self.scores(text)
        lang = max(scores, key=lambda k: scores[k])
        return lang, scores[lang]

    def is_clear(self, text: str, min_prob: float = 0.9) -> str | None:
        lang, prob = self.predict(text)
        return lang if prob >= min_prob else None


def _load(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None


def _texts(data: object) -> Iterable[str]:
    """Entry texts, except those that repeat the trilingual language question."""
    if not isinstance(data, dict):
        return
    entries = data.get("entries")
    if isinstance(entries, dict):
        for key, entry in entries.items():
            if not key.startswith("language.") and isinstance(entry, dict) and isinstance(entry.get("text"), str):
                yield entry["text"]
    categories = data.get("categories")
    if isinstance(categories, dict):
        for body in categories.values():
            if isinstance(body, dict):
                yield from (p for p in body.get("phrases", []) if isinstance(p, str))


def _examples(data: object) -> Iterable[str]:
    if not isinstance(data, dict):
        return
    for item in data.get("nlu", []) or []:
        if isinstance(item, dict) and isinstance(item.get("examples"), str):
            for line in item["examples"].splitlines():
                line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip().lstrip("-").strip())
                if line:
                    yield line
