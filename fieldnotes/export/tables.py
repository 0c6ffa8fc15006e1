"""Coded excerpts as a table: one row per excerpt, for Excel, R or pandas.

Columns: the code path split into levels, the document and its cases, the document's and its cases'
attributes, where in the document, coder, rating, memo, text and context. CSV headers are the stable
field names of `fieldnotes excerpts --json` (scripts rely on them); the XLSX sheet, made for people,
has them in the export's language, real dates, frozen headers and filters.

CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads æ, ø, å as mojibake) and ';' as
the separator by default, which is what Excel expects where the decimal mark is a comma (Denmark);
English-language Excel wants ','. Cells that Excel would run as a formula (starting with = + - @)
get a leading apostrophe in CSV; XLSX stores them as text, unchanged.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import IO, Any

from fieldnotes.coding.excerpts import Excerpt
from fieldnotes.export.gather import CodeEntry, ExportSet, Progress
from fieldnotes.export.labels import Labels

SEPARATORS = {";": ";", ",": ",", "tab": "\t", "\t": "\t"}
EXCEL_CELL_LIMIT = 32_767
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(_FORMULA_START)
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header
    label: str  # the XLSX header, in the export's language
    value: Callable[[Excerpt], Any]
    width: float = 14
    wrap: bool = False
    #: "code" or "document" when the value is the same for every excerpt of one code or one document:
    #: such cells are worked out (and written out) once per code or document, not once per excerpt
    per: str = "excerpt"
    attr: str | None = None  # the value is this attribute of the excerpt, as it is
    kind: str = "text"  # what the attribute holds: text, number, bool, or list (of texts, joined with "; ")


def _levels(path: str) -> list[str]:
    return path.split("/")


def _attribute(name: str, label: str, width: float = 14, wrap: bool = False, kind: str = "text") -> Column:
    return Column(name, label, attrgetter(name), width, wrap, attr=name, kind=kind)


def _phase_cell(data: ExportSet, _: Labels) -> Callable[[Excerpt], Any]:
    """For a person: an excerpt's phase with its months, "Fase 2 (aug. 2025–jan. 2026)"."""
    return lambda e: None if e.phase is None else _.phase(e.phase, data.fieldwork_start)


def columns(data: ExportSet, _: Labels, *, machine: bool = False) -> list[Column]:
    """The table's columns for this export (level and attribute columns depend on what is in it). For a
    machine format (CSV) the listed values stay as stored, in English: a document kind is `minutes`, a case
    `municipality: Fjordby`, a phase `2`; for a person (XLSX) they are in the export's language, and a
    phase carries its months."""

    def kind(e: Excerpt) -> Any:
        return e.kind if machine else _.kind(e.kind)

    def case_type(name: str) -> str:
        return name if machine or name != "municipality" else _("municipality")
    depth = max((len(_levels(e.code_path)) for e in data.excerpts), default=1)
    codes: dict[str, CodeEntry] = data.codes_by_id()
    doc_attrs = sorted({k for values in data.document_attributes.values() for k in values}, key=str.casefold)
    case_attrs = sorted({(case_type, k) for (case_type, _name), values in data.case_attributes.items()
                         for k in values}, key=lambda pair: (pair[0], pair[1].casefold()))

    def level(index: int) -> Callable[[Excerpt], Any]:
        return lambda e: (_levels(e.code_path)[index] if index < len(_levels(e.code_path)) else None)

    def doc_attr(name: str) -> Callable[[Excerpt], Any]:
        return lambda e: data.document_attributes.get(e.document, {}).get(name)

    def case_attr(case_type: str, name: str) -> Callable[[Excerpt], Any]:
        def value(e: Excerpt) -> Any:
            found = [data.case_attributes.get((t, n), {}).get(name)
                     for t, n in data.document_cases.get(e.document, []) if t == case_type]
            found = [v for v in found if v is not None]
            if not found:
                return None
            return found[0] if len(found) == 1 else "; ".join(str(v) for v in found)
        return value

    def rating_label(e: Excerpt) -> Any:
        if e.rating is None:
            return None
        code = codes.get(e.code)
        return code.rating_label(e.rating) if code else None

    out = [Column(f"code_level_{i + 1}", _("Level {n}", n=i + 1), level(i), 22, per="code") for i in range(depth)]
    out += [
        Column("code_path", _("Code path"), attrgetter("code_path"), 34, per="code"),
        Column("document_title", _("Document"), attrgetter("document_title"), 30, per="document"),
        Column("kind", _("Kind"), kind, 12, per="document"),
        Column("date", _("Date"), attrgetter("date"), 12, per="document"),
        Column("phase", _("Phase"), attrgetter("phase") if machine else _phase_cell(data, _), 8 if machine else 24,
               per="document"),
        Column("activity", _("Activity"), attrgetter("activity"), 18, per="document"),
        Column("municipality", _("Municipality"), attrgetter("municipality"), 14, per="document"),
        Column("cases", _("Cases"),
               lambda e: "; ".join(f"{case_type(t)}: {n}" for t, n in data.document_cases.get(e.document, [])), 24,
               per="document"),
    ]
    out += [Column(f"attr:{name}", name, doc_attr(name), 14, per="document") for name in doc_attrs]
    out += [Column(f"{t}:{name}", f"{case_type(t)}: {name}", case_attr(t, name), 14,
                   per="document") for t, name in case_attrs]
    out += [
        _attribute("speaker", _("Speaker"), 18),
        _attribute("speaker_role", _("Role"), 14),
        _attribute("paragraph", _("Paragraph"), 10, kind="number"),
        _attribute("timestamp", _("Time"), 10),
        _attribute("start", _("Start"), 8, kind="number"),
        _attribute("end", _("End"), 8, kind="number"),
        _attribute("coder", _("Coder"), 16),
        _attribute("rating", _("Rating"), 8, kind="number"),
        Column("rating_label", _("Rating label"), rating_label, 20),
        _attribute("memo", _("Memo"), 30, wrap=True),
        Column("overlapping", _("Also coded"), lambda e: "; ".join(e.overlapping), 24, attr="overlapping",
               kind="list"),
        _attribute("needs_review", _("Needs review"), 10, kind="bool"),
        _attribute("text", _("Excerpt"), 60, wrap=True),
    ]
    if data.context is not None:
        out += [_attribute("context_before", _("Context before"), 30, wrap=True),
                _attribute("context_after", _("Context after"), 30, wrap=True)]
    # plain attributes next to the excerpt's own: read with them in one call
    out += [_attribute("document", _("Document id"), 12), _attribute("code", _("Code id"), 12),
            _attribute("id", _("Coding id"), 12)]
    return out


Encoder = Callable[[Any], Any]


def _reader(getters: list[Callable[[Excerpt], Any]]) -> Callable[[Excerpt], list[Any]]:
    def read(excerpt: Excerpt) -> list[Any]:
        return [get(excerpt) for get in getters]

    return read


def encoded_rows(data: ExportSet, cols: list[Column], encoders: list[Encoder],
                 join: Callable[[list[Any]], Any]) -> Iterator[list[Any]]:
    """Each excerpt's row as runs of encoded cells (`join` of each run's `encoders[i](value)`).

    Runs of columns that are the same for every excerpt of one code or one document are encoded once
    per code or document and reused; runs of plain attributes are read with one `attrgetter`. A row of
    a quarter of a million excerpts thus costs a few calls, not one per column.
    """
    runs: list[tuple[str, list[int]]] = []
    for index, column in enumerate(cols):
        kind = column.per if column.per != "excerpt" else ("attr" if column.attr else "excerpt")
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(index)
        else:
            runs.append((kind, [index]))
    plan: list[tuple[str, Any, Any]] = []  # (kind, how to read the values, encoders)
    for kind, members in runs:
        encode = [encoders[i] for i in members]
        if kind == "attr" and len(members) > 1:
            read: Callable[[Excerpt], Any] = attrgetter(*[cols[i].attr or "" for i in members])
        else:
            read = _reader([cols[i].value for i in members])
        plan.append((kind, read, encode))
    caches: list[dict[str, Any]] = [{} for _ in plan]
    for excerpt in data.excerpts:
        row = []
        for (kind, read, encode), cache in zip(plan, caches, strict=True):
            if kind == "code" or kind == "document":
                key = excerpt.code if kind == "code" else excerpt.document
                found = cache.get(key)
                if found is None:
                    found = cache[key] = join([enc(v) for enc, v in zip(encode, read(excerpt), strict=True)])
                row.append(found)
            else:
                row.append(join([enc(v) for enc, v in zip(encode, read(excerpt), strict=True)]))
        yield row


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = "; ".join(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_text(value: Any) -> Any:
    """A text cell (None is written empty); a formula-like text gets a leading apostrophe."""
    if value and value[0] in _FORMULA_FIRST:
        return "'" + value
    return value


def _csv_list(value: Any) -> Any:
    return _csv_text("; ".join(value) if type(value) is list else value)


def _csv_bool(value: Any) -> Any:
    return None if value is None else ("true" if value else "false")


def _identity(value: Any) -> Any:
    return value


def _csv_encoders(cols: list[Column]) -> list[Encoder]:
    """Each column's CSV encoder: plain attributes by what they hold, the rest by their value."""
    by_kind = {"text": _csv_text, "number": _identity, "bool": _csv_bool, "list": _csv_list}
    return [by_kind[c.kind] if c.attr else _csv_cell for c in cols]


def write_csv(data: ExportSet, handle: IO[bytes], *, lang: str = "en", sep: str = ";",
              progress: Progress | None = None) -> None:
    """UTF-8 with BOM, CRLF rows, fields with newlines or separators quoted."""
    if sep not in SEPARATORS:
        raise ValueError(f"sep must be one of {sorted(SEPARATORS)}")
    cols = columns(data, Labels(lang), machine=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATORS[sep], lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.key for c in cols])
    handle.write(codecs.BOM_UTF8)
    total = len(data.excerpts)
    for index, row in enumerate(encoded_rows(data, cols, _csv_encoders(cols), list), 1):
        writer.writerow(chain.from_iterable(row))
        if index % PROGRESS_EVERY == 0:
            handle.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
            if progress:
                progress(index, total)
    handle.write(buffer.getvalue().encode())


def _joining(write: Encoder) -> Encoder:
    def cell(value: Any) -> Any:
        return write("; ".join(value) if type(value) is list else value)

    return cell


def _shortener(_: Labels) -> Callable[[str], str]:
    """A text longer than an Excel cell holds, cut to fit with a note of its full length."""

    def shorten(value: str) -> str:
        return value[: EXCEL_CELL_LIMIT - 40] + " […] " + _("({n} characters in all)", n=_.number(len(value)))
    return shorten


def write_xlsx(data: ExportSet, handle: IO[bytes], *, lang: str = "en", progress: Progress | None = None) -> None:
    """A sheet of excerpts (frozen header, filters, dates as dates) and a sheet describing the export.

    Written by our own streaming SpreadsheetML writer (`sheetml`): a row of XML per excerpt, straight
    into the zip, which is what makes a table of a quarter of a million excerpts take seconds.
    """
    from fieldnotes.export.sheetml import BOLD, TOP, WRAP, Sheet, write_book

    _ = Labels(lang)
    cols = columns(data, _)
    total = len(data.excerpts)

    excerpts_sheet = Sheet(_("Excerpts"), [], widths=[c.width for c in cols], header=[c.label for c in cols],
                           styles=[WRAP if c.wrap else TOP for c in cols], dates=[c.key == "date" for c in cols],
                           freeze_header=True, autofilter=True, row_count=total, shorten=_shortener(_), prepared=True)

    writers = excerpts_sheet.cell_writers()
    for at, column in enumerate(cols):
        if column.kind == "list":
            writers[at] = _joining(writers[at])

    def rows() -> Any:
        joined = "".join
        for index, row in enumerate(encoded_rows(data, cols, writers, joined), 1):
            yield joined(row)
            if progress and index % PROGRESS_EVERY == 0:
                progress(index, total)

    excerpts_sheet.rows = rows()

    def facts() -> Any:  # read after the excerpts are written: it says how many cells were shortened
        local = data.exported_at.astimezone()
        out: list[tuple[str, Any]] = [(_("Project"), data.project_name)]
        out += _.filter_facts(data.filters, data.fieldwork_start)
        if data.selection:
            out.append((_("Selection"), data.selection))
        out += [(_("Exported"), f"{_.date(local.date())}, {local:%H:%M}"), (_("Exported by"), data.exported_by),
                (_("Excerpts"), total), (_("Pseudonymised"), _("yes") if data.pseudonymized else _("no"))]
        if excerpts_sheet.shortened:
            out.append((_("Shortened cells"), _("{n} cells were longer than Excel allows and were shortened",
                                                n=excerpts_sheet.shortened)))
        yield from out

    about = Sheet(_("About"), facts(), widths=[22, 80], styles=[TOP, WRAP], first_column_style=BOLD)
    # more than 2 GB of XML needs the zip's 64-bit fields; a cell's text is a few bytes more as XML
    large = sum(len(e.text) + len(e.context_before) + len(e.context_after) for e in data.excerpts) > 1 << 29
    write_book(handle, [excerpts_sheet, about], large=large)
