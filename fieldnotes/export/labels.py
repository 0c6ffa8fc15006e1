"""The words of exported files (headings, labels, dates) in Danish or English.

They live in the app's gettext catalog (`fieldnotes/locale/`), so a translator finds every visible
string in one place. Exporters bind `_ = labels.Labels(lang)` and call `_("...")` with a literal, which
is also how `python -m tests.catalogs update` finds the strings.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fieldnotes.translations import format_date, format_number, translator

if TYPE_CHECKING:
    from fieldnotes.queries.filters import Filters


def N_(message: str) -> str:
    """Mark a string for the catalog where it is defined; `Labels` translates it where it is shown."""
    return message


#: document kinds as readers see them
KINDS = {"interview": N_("interview"), "observation": N_("observation"), "minutes": N_("minutes"),
         "document": N_("document")}

#: the keys of `Filters.describe()` as readers see them
FILTER_NAMES = {
    "codes": N_("Codes"),
    "municipalities": N_("Municipalities"),
    "cases": N_("Cases"),
    "kinds": N_("Kinds"),
    "activities": N_("Activities"),
    "phases": N_("Phases"),
    "coders": N_("Coders"),
    "documents": N_("Documents"),
    "dates": N_("Dates"),
    "rating": N_("Rating"),
    "containing": N_("Containing"),
}

#: MacQueen's codebook fields, in the order a codebook entry shows them
CODEBOOK_FIELDS = (
    ("short", N_("Short definition")),
    ("definition", N_("Definition")),
    ("when_to_use", N_("When to use")),
    ("when_not_to_use", N_("When not to use")),
    ("example", N_("Example")),
)


AND = N_("{first} and {last}")

#: the locale Babel formats dates in, per export language
BABEL_LOCALES = {"da": "da_DK", "en": "en_GB"}


class Labels:
    """`_("English text", name=value)`: the text in the export's language, with `{name}` filled in."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in ("da", "en") else "en"
        self._translations = translator(self.lang)

    def __call__(self, message: str, **values: object) -> str:
        text = self._translations.gettext(message)
        return text.format(**values) if values else text

    def count(self, n: int, one: str, many: str) -> str:
        """`one`/`many` hold `{n}`; Danish and English share the plural rule (n != 1)."""
        return self(one if n == 1 else many, n=format_number(n, lang=self.lang))

    def kind(self, kind: str | None) -> str:
        return self(KINDS[kind]) if kind in KINDS else (kind or "")

    def filter_name(self, key: str) -> str:
        return self(FILTER_NAMES[key]) if key in FILTER_NAMES else key

    def filter_facts(self, filters: Filters, start: dt.date | None = None) -> list[tuple[str, str]]:
        """`filters.describe()` as readers see it: names and words in the export's language, the phases
        with their months when the fieldwork `start` is given ("Fase 2 (aug. 2025–jan. 2026)")."""
        out = []
        for key, value in filters.describe():
            if key == "codes" and not filters.descendants:
                value = ", ".join(filters.codes) + " (" + self("without sub-codes") + ")"
            elif key == "phases" and start is not None:
                value = ", ".join(self.phase(phase, start) for phase in filters.phases)
            out.append((self.filter_name(key), value))
        return out

    def join(self, items: list[str]) -> str:
        """'Anna, Jonas and Lise' ('Anna, Jonas og Lise' in Danish)."""
        if len(items) <= 1:
            return "".join(items)
        return self(AND, first=", ".join(items[:-1]), last=items[-1])

    def period(self, start: dt.date, end: dt.date) -> str:
        """Two dates as a span, months abbreviated as the language writes them: '1. aug. 2025 – 31. jan. 2026'."""
        from babel.dates import format_date

        locale = BABEL_LOCALES[self.lang]
        return f"{format_date(start, 'medium', locale=locale)} – {format_date(end, 'medium', locale=locale)}"

    def phase(self, phase: int | str, start: dt.date | None, *, two_lines: bool = False) -> str:
        """A phase with its months where space is short (chart axes, sheet cells): 'Fase 1 (feb.–jul. 2025)',
        or on two lines; 'Fase 1' without a fieldwork start."""
        from fieldnotes.analysis.columns import phase_label

        return phase_label(str(phase), start, two_lines=two_lines, lang=self.lang)

    def date(self, value: dt.date | str | None) -> str:
        """A date as a reader writes it: '10. marts 2025', '10 March 2025'."""
        if value is None or value == "":
            return ""
        return format_date(value, lang=self.lang)

    def number(self, value: float) -> str:
        """A number in the export's language: 5.111 and 2,9 in Danish."""
        return format_number(value, lang=self.lang)
