"""Interface language: gettext catalogs in `fieldnotes/locale/`, Danish and English.

Source strings are English; the Danish catalog translates them. `--lang` wins, then FIELDNOTES_LANG,
then the locale, then English.
"""

from __future__ import annotations

import gettext
import locale
import os
from functools import lru_cache

from fieldnotes.resources import package_file

LANGUAGES = ("da", "en")
DOMAIN = "fieldnotes"


def default_language() -> str:
    explicit = os.environ.get("FIELDNOTES_LANG")
    if explicit in LANGUAGES:
        return explicit
    for env in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(env, "")
        if value:
            return "da" if value.lower().startswith("da") else "en"
    try:
        current = locale.getlocale()[0] or ""
    except ValueError:
        current = ""
    return "da" if current.lower().startswith("da") else "en"


@lru_cache(maxsize=4)
def translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(package_file("locale")), languages=[lang], fallback=True)


def translator(lang: str) -> gettext.NullTranslations:
    return translations(lang if lang in LANGUAGES else "en")


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """A number as the language writes it: 5.111 and 2,9 in Danish, 5,111 and 2.9 in English."""
    text = f"{value:,.{decimals}f}"
    if lang == "da":
        text = text.translate(str.maketrans(",.", ".,"))
    return text
