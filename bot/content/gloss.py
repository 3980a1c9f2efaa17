"""Which content key a rendered text came from, and that key's Spanish (the simulator's gloss).

Quechua and Aymara texts are drafts: campaign staff trying them in the simulator need to see the
Spanish source beside each reply. The pipeline returns rendered text only, so the gloss is found the
other way round: every text of a language (and its audience variants) is indexed, exact texts by value
and texts with variables ({wait}, {score}) as patterns; a variable's value is glossed in turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.catalog import VAR_RE, Catalog
from bot.content.languages import SOURCE_LANG


@dataclass(frozen=True)
class Gloss:
    key: str
    spanish: str


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    names: tuple[str, ...]
    key: str
    audience: str | None


class Glosser:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._exact: dict[str, dict[str, tuple[str, str | None]]] = {}
        self._patterns: dict[str, list[_Pattern]] = {}

    def _index(self, lang: str) -> None:
        if lang in self._exact:
            return
        exact: dict[str, tuple[str, str | None]] = {}
        patterns: list[_Pattern] = []
        for key, entry in self.catalog.entries.get(lang, {}).items():
            for audience, template in ((None, entry.text), *entry.variants):
                shown = self.catalog.render(template, lang, {})  # contacts filled; plain {variables} stay
                names = tuple(m.group(1) for m in VAR_RE.finditer(shown) if m.group(2) is None)
                if not names:
                    exact.setdefault(shown.strip(), (key, audience))
                    continue
                patterns.append(_Pattern(re.compile(_regex(shown), re.DOTALL), names, key, audience))
        self._exact[lang], self._patterns[lang] = exact, patterns

    def find(self, lang: str, text: str, *, depth: int = 0) -> Gloss | None:
        """The key `text` was rendered from in `lang` and the same message in Spanish; None when the
        text is not from the catalogue (a counselor's words, a language name)."""
        text = text.strip()
        if not text or lang not in self.catalog.entries:
            return None
        self._index(lang)
        found = self._exact[lang].get(text)
        if found is not None:
            return Gloss(found[0], self._spanish(found[0], found[1], {}))
        for pattern in self._patterns[lang]:
            match = pattern.regex.fullmatch(text)
            if match is None:
                continue
            values: dict[str, str] = {}
            for name, value in zip(pattern.names, match.groups(), strict=True):
                inner = self.find(lang, value, depth=depth + 1) if depth < 2 else None
                values[name] = inner.spanish if inner is not None else value
            return Gloss(pattern.key, self._spanish(pattern.key, pattern.audience, values))
        return None

    def _spanish(self, key: str, audience: str | None, variables: dict[str, str]) -> str:
        entry = self.catalog.entries[SOURCE_LANG].get(key)
        if entry is None:
            return ""
        return self.catalog.render(entry.text_for(audience), SOURCE_LANG, variables)


def _regex(template: str) -> str:
    """A template's text with each plain {variable} as a group (an unknown contact stays literal)."""
    parts, last = [], 0
    for match in VAR_RE.finditer(template):
        parts.append(re.escape(template[last:match.start()]))
        parts.append("(.+?)" if match.group(2) is None else re.escape(match.group(0)))
        last = match.end()
    parts.append(re.escape(template[last:]))
    return "".join(parts)


_last: tuple[Catalog, Glosser] | None = None


def glosser_for(catalog: Catalog) -> Glosser:
    """One index per loaded catalogue (a content reload brings a new catalogue, and a new index)."""
    global _last
    if _last is None or _last[0] is not catalog:
        _last = (catalog, Glosser(catalog))
    return _last[1]
