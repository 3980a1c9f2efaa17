"""The staff interface's texts (console, login, simulator; pages and API errors) as a gettext catalogue.

Source language Spanish. Every message has a stable key as its context (`msgctxt "err.wrong_login"`),
the Spanish text as its msgid and the translation as its msgstr:

    bot/web/locale/console.pot                    the template (msgstr empty), made from the Spanish
    bot/web/locale/es/LC_MESSAGES/console.po      Spanish: edit the texts here
    bot/web/locale/<lang>/LC_MESSAGES/console.po  another language (e.g. made with `msginit` or Poedit)

After editing the Spanish, `python -m bot.web.i18n` rewrites the template from it and merges it into the
other languages (a changed Spanish text marks their translation fuzzy; fuzzy and empty ones fall back to
the Spanish). Placeholders like `{name}` stay as they are in every language.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "console"
SOURCE = "es"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def template_path() -> Path:
    return LOCALE_DIR / f"{DOMAIN}.pot"


def read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def load(lang: str = SOURCE) -> dict[str, str]:
    """key → text in `lang`, each missing, empty or fuzzy translation in Spanish."""
    texts = {str(m.context): str(m.string or m.id) for m in read(po_path(SOURCE), SOURCE) if m.id and m.context}
    if lang != SOURCE and po_path(lang).exists():
        for message in read(po_path(lang), lang):
            if message.id and message.context in texts and message.string and not message.fuzzy:
                texts[str(message.context)] = str(message.string)
    return texts


def languages() -> list[str]:
    """The languages that have a catalogue (Spanish first)."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return [SOURCE, *(lang for lang in found if lang != SOURCE)]


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, omit_header=False)


def _entries(spanish: Catalog) -> list[tuple[str, str, list[str]]]:
    """(key, Spanish text, translator comments) in file order; the text is the msgstr (what was edited)."""
    return [(str(m.context), str(m.string or m.id), list(m.auto_comments)) for m in spanish if m.id and m.context]


def _catalog(spanish: Catalog, lang: str | None) -> Catalog:
    return Catalog(locale=lang, domain=DOMAIN, project=spanish.project, version=spanish.version,
                   creation_date=spanish.creation_date, msgid_bugs_address=spanish.msgid_bugs_address,
                   fuzzy=False)


def template(spanish: Catalog) -> Catalog:
    """The template: every Spanish text as a msgid with an empty translation, its key as context."""
    pot = _catalog(spanish, None)
    pot.header_comment = ("# Staff interface of the bot (console, login, simulator). Source language: Spanish.\n"
                          "# Made from es/LC_MESSAGES/console.po by `python -m bot.web.i18n`: do not edit by hand.")
    for key, text, comments in _entries(spanish):
        pot.add(text, "", context=key, auto_comments=comments,
                flags=("python-brace-format",) if PLACEHOLDER.search(text) else ())
    return pot


def sync() -> list[Path]:
    """Spanish msgids = their texts; the template rewritten from them; other languages merged with it."""
    spanish = read(po_path(SOURCE), SOURCE)
    fresh = _catalog(spanish, SOURCE)
    fresh.header_comment = spanish.header_comment
    for key, text, comments in _entries(spanish):
        fresh.add(text, text, context=key, auto_comments=comments,
                  flags=("python-brace-format",) if PLACEHOLDER.search(text) else ())
    pot = template(fresh)
    _write(fresh, po_path(SOURCE))
    _write(pot, template_path())
    written = [po_path(SOURCE), template_path()]
    for lang in languages()[1:]:
        other = read(po_path(lang), lang)
        other.update(pot, update_header_comment=False)
        _write(other, po_path(lang))
        written.append(po_path(lang))
    return written


if __name__ == "__main__":
    for path in sync():
        print(f"wrote {path}", file=sys.stderr)
