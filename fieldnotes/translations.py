"""Interface language: the gettext catalogs in `fieldnotes/locale/`, Danish and English, for the library,
the command line and the app alike.

Source strings are English; the Danish catalog translates them. One current language for the process:
`use(lang)` chooses it (the command line as it starts, the app when it starts and when the person switches),
and `_()`, `pgettext()`, `said()` and the `format_*` functions answer in it. Numbers and dates are
formatted with Babel, so Danish reads 2,9, 5.111 and "18. marts 2025", English 2.9, 5,111 and
"18 March 2025". Machine formats (JSON, CSV values, file names) never go through here: they stay ISO.

Which language: `choose()` -- `--lang`, then FIELDNOTES_LANG, then the person's own setting
(`fieldnotes config set language`), then the project's `language`, then the system locale, then English.
"""

from __future__ import annotations

import datetime as dt
import gettext
import locale
import os
import re
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from fieldnotes.resources import package_file

LANGUAGES = ("da", "en")
DOMAIN = "fieldnotes"
#: Babel's locale for each interface language
LOCALES = {"da": "da_DK", "en": "en_GB"}


@lru_cache(maxsize=4)
def translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(package_file("locale")), languages=[lang], fallback=True)


def translator(lang: str) -> gettext.NullTranslations:
    return translations(lang if lang in LANGUAGES else "en")


# --- the current language -------------------------------------------------------------------------
_lang = "en"
_current = translator("en")


def use(lang: str | None) -> str:
    """Make `lang` the language of everything shown from now on; returns the language in force."""
    global _lang, _current
    _lang = lang if lang in LANGUAGES else "en"
    _current = translator(_lang)
    return _lang


def current() -> str:
    return _lang


@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """Speak `lang` within the block (an export in another language than the interface), then as before."""
    before = _lang
    use(lang or _lang)
    try:
        yield
    finally:
        use(before)


class _NumberFormatter(string.Formatter):
    """`str.format` that writes numbers the current language's way: `{n}` of 5111 is 5.111 in Danish and
    5,111 in English, `{x:.1f}` of 2.9 is 2,9 and 2.9. Other fields format as usual."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return super().format_field(value, format_spec)
        if format_spec in ("", ",", "d", ",d"):
            return format_number(value)
        fixed = re.fullmatch(r",?\.(\d+)f", format_spec)
        if fixed:
            return format_decimal(value, int(fixed.group(1)))
        return super().format_field(value, format_spec)


_FORMATTER = _NumberFormatter()


class Message(str):
    """A translated message; its `format()` writes numbers in the language's own way (`_NumberFormatter`).
    A year or an id is passed as text (`str(year)`) to keep it as it is."""

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> str:
        return _FORMATTER.vformat(str(self), args, kwargs)


def _(message: str) -> str:
    """The message in the current language (one marked with `NP_()` in its context)."""
    if _CONTEXT in message:
        context, _mark, text = message.partition(_CONTEXT)
        return pgettext(context, text)
    return Message(_current.gettext(message))


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; `_()` translates it where it is shown."""
    return message


_CONTEXT = "\x04"  # gettext's own separator of a context and its message


def NP_(context: str, message: str) -> str:
    """`N_()` with a context: `NP_("verb", "Code")` in a key binding becomes "Kod" where `_()` shows it."""
    return context + _CONTEXT + message


def pgettext(context: str, message: str) -> str:
    """A string whose translation depends on its use: `pgettext("verb", "Code")` is "Kod", `_("Code")` "Kode"."""
    return Message(_current.pgettext(context, message))


def ngettext(one: str, many: str, n: int) -> str:
    """`one` or `many` by the count `n` (Danish and English share the rule: n != 1 is plural)."""
    return Message(_current.ngettext(one, many, n))


@lru_cache(maxsize=4)
def _sources(lang: str) -> dict[str, tuple[str, str]]:
    """Each message as shown in `lang`, mapped to its (context, source message); "" for no context."""
    catalog: dict[Any, Any] = getattr(translations("da"), "_catalog", {})
    out: dict[str, tuple[str, str]] = {}
    for key, text in catalog.items():
        if not (isinstance(key, str) and key and isinstance(text, str) and text):
            continue  # the header, and plural forms (counts are data, reloaded anyway)
        context, _mark, message = key.rpartition("\x04")
        out.setdefault(message if lang == "en" else text, (context, message))
    return out


def retranslated(text: str, before: str) -> str | None:
    """Interface text that was shown in language `before`, now in the current language; None when `text` is
    no message of the catalog (a title, a code, a number: content, which the screen reloads itself)."""
    found = _sources(before if before in LANGUAGES else "en").get(text)
    if found is None:
        return None
    context, message = found
    return pgettext(context, message) if context else _(message)


# --- structured messages ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Said:
    """A message kept as its English template and its values, so it can be shown later in any language
    (the event log's summaries, undo toasts). `str()` gives the English text."""

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None  # the template for a count (`values["n"]` or `["count"]`) other than 1 (`said_n`)

    def render(self, translate: bool = True) -> str:
        values = {key: value.render(translate) if isinstance(value, Said) else value
                  for key, value in self.values.items()}
        if self.plural is not None:
            n = values["n"] if "n" in values else values.get("count", 1)
            count = n if isinstance(n, int) else 1
            if translate:
                text = ngettext(self.template, self.plural, count)
            else:
                text = self.template if count == 1 else self.plural
        else:
            text = _(self.template) if translate else self.template
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):  # a damaged template in stored data: show it as written
            return self.template.format_map(_Keep(values))

    def __str__(self) -> str:
        return self.render(translate=False)

    def as_json(self) -> dict[str, Any]:
        out = {"text": self.template, "values": {k: _json_value(v) for k, v in self.values.items()}}
        return out | ({"plural": self.plural} if self.plural is not None else {})


class _Keep(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def said(template: str, **values: Any) -> Said:
    """A message to show later in the reader's language: `said("coded {code}", code=name)`. Values may be
    text, numbers, or other `Said` messages (an undo says what it undid)."""
    return Said(template, values)


def said_n(one: str, many: str, n: int, *, count_as: str = "n", **values: Any) -> Said:
    """`said()` with a count: `said_n("{n} code", "{n} codes", n)` takes `ngettext`'s form for `n`. The count is
    the value `n`, or `count` (`count_as="count"`, to share a message the app already has)."""
    return Said(one, {count_as: n, **values}, many)


def _json_value(value: Any) -> Any:
    if isinstance(value, Said):
        return value.as_json()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def from_json(data: Any) -> Said | None:
    """A `Said` stored by `Said.as_json()`; None for anything else (old entries)."""
    if not (isinstance(data, dict) and isinstance(data.get("text"), str)):
        return None
    values = data.get("values")
    values = values if isinstance(values, dict) else {}
    plural = data.get("plural")
    return Said(data["text"], {k: (from_json(v) or v) if isinstance(v, dict) else v for k, v in values.items()},
                plural if isinstance(plural, str) else None)


# --- numbers and dates ---------------------------------------------------------------------------------
def _locale(lang: str | None = None) -> str:
    return LOCALES.get(lang or _lang, LOCALES[_lang])


def format_number(value: int | float, lang: str | None = None) -> str:
    """A count or a measure as a reader writes it: 5.111 and 2,9 in Danish, 5,111 and 2.9 in English."""
    from babel.numbers import format_decimal as babel_decimal

    return str(babel_decimal(value, locale=_locale(lang)))


def format_decimal(value: float, digits: int = 1, lang: str | None = None) -> str:
    """A decimal with exactly `digits` places (2,90 / 2.90 with digits=2)."""
    from babel.numbers import format_decimal as babel_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(babel_decimal(value, format=pattern, locale=_locale(lang)))


def format_percent(value: float, digits: int = 0, lang: str | None = None) -> str:
    """A share (0.25) as a percentage: "25 %" in Danish, "25%" in English."""
    from babel import Locale
    from babel.numbers import format_percent as babel_percent

    pattern = Locale.parse(_locale(lang)).percent_formats[None].pattern  # "#,##0 %" in Danish
    if digits > 0:
        pattern = pattern.replace("0", "0." + "0" * digits, 1) if "." not in pattern else pattern
    return str(babel_percent(value, format=pattern, locale=_locale(lang)))


def format_date(value: dt.date | str | None, style: str = "long", lang: str | None = None) -> str:
    """A date as a reader writes it: "18. marts 2025" / "18 March 2025" (long), "18.03.2025" / "18/03/2025"
    (short). Empty for no date."""
    if value is None or value == "":
        return ""
    from babel.dates import format_date as babel_date

    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if isinstance(day, dt.datetime):
        day = day.date()
    danish = (lang or _lang) == "da"
    pattern = ("d. MMMM y" if danish else "d MMMM y") if style == "long" else None
    return str(babel_date(day, format=pattern or "short", locale=_locale(lang)))


def format_period(first: dt.date, last: dt.date, lang: str | None = None) -> str:
    """A span of months as the language writes it (Babel's intervals): "feb.–jul. 2025", "aug. 2025–jan. 2026"
    in Danish, "Feb – Jul 2025" in English; with days when the span does not start on the first."""
    from babel.dates import format_interval

    skeleton = "yMMM" if first.day == 1 else "yMMMd"
    return str(format_interval(first, last, skeleton, locale=_locale(lang)))


def format_datetime(value: dt.datetime, with_seconds: bool = False, style: str = "long") -> str:
    """A moment in local time: "18. marts 2025 14.05" / "18 March 2025 14:05" (long), "18.03.2025 14.05" /
    "18/03/2025 14:05" (short: one width, for columns)."""
    from babel.dates import format_time

    moment = value.astimezone() if value.tzinfo else value
    clock = format_time(moment, format="HH:mm:ss" if with_seconds else "HH:mm", locale=_locale())
    if _lang == "da":
        clock = clock.replace(":", ".")
    return f"{format_date(moment.date(), style)} {clock}"


# --- choosing the language -----------------------------------------------------------------------------
def system_language() -> str:
    """The system locale's language: LC_ALL, LC_MESSAGES, LANG, then Python's locale; English otherwise."""
    for env in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(env, "")
        if value:
            return "da" if value.lower().startswith("da") else "en"
    try:
        here = locale.getlocale()[0] or ""
    except ValueError:
        here = ""
    return "da" if here.lower().startswith("da") else "en"


def personal_language() -> str | None:
    """The person's own setting (`fieldnotes config set language`), if any."""
    from fieldnotes import preferences

    value = preferences.load().get("language")
    return value if value in LANGUAGES else None


def decided(explicit: str | None = None) -> str | None:
    """The language chosen above the project's: `--lang`, FIELDNOTES_LANG, the person's setting; None if
    none of them chose one."""
    for candidate in (explicit, os.environ.get("FIELDNOTES_LANG")):
        if candidate in LANGUAGES:
            return str(candidate)
    return personal_language()


def choose(explicit: str | None = None, project: str | None = None) -> str:
    """The language by precedence: `--lang`, FIELDNOTES_LANG, the person's setting, the project's
    language, the system locale, English."""
    return decided(explicit) or (project if project in LANGUAGES else None) or system_language()
