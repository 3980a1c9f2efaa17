"""The three languages. Babel has `qu` but no `ay`: Aymara is handled explicitly."""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal

LANGS: tuple[str, ...] = ("es", "qu", "ay")
SOURCE_LANG = "es"
# Babel (CLDR) has no Aymara locale: Locale.parse("ay") raises. Aymara uses its own display
# name and Bolivian Spanish locale data for numbers and dates.
_AYMARA_NAME = "Aymar aru"
_BABEL_LOCALE = {"es": "es_BO", "qu": "qu_BO", "ay": "es_BO"}


def babel_locale(lang: str) -> Locale:
    """Locale data for formatting numbers and dates in `lang`."""
    return Locale.parse(_BABEL_LOCALE.get(lang, "es_BO"))


def display_name(lang: str) -> str:
    """The language's name in itself: Español, Runasimi, Aymar aru."""
    if lang == "ay":
        return _AYMARA_NAME
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def format_number(value: int | float, lang: str) -> str:
    return format_decimal(value, locale=babel_locale(lang))
