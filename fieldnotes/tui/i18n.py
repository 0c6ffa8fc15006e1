"""The app's interface language. Strings are written in English and translated with gettext."""

from __future__ import annotations

from fieldnotes.translations import format_number, translator

_current = translator("en")
_lang = "en"


def use(lang: str) -> None:
    global _current, _lang
    _current = translator(lang)
    _lang = lang


def number(value: float, decimals: int = 0) -> str:
    """A number as the interface language writes it (Danish: 5.111 and 2,9)."""
    return format_number(value, _lang, decimals)


def _(message: str) -> str:
    return _current.gettext(message)


def pgettext(context: str, message: str) -> str:
    """A string whose translation depends on its use: `pgettext("verb", "Code")` is "Kod", `_("Code")` "Kode"."""
    return _current.pgettext(context, message)


def kind_label(kind: str) -> str:
    """A document kind in the interface language."""
    return _(kind)


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; `_()` translates it where it is shown."""
    return message


# the document kinds, marked for the catalog
N_("interview"), N_("observation"), N_("minutes"), N_("document")
