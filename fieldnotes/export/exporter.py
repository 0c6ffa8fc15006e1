"""One export from request to file: gather, write atomically, record it in the audit trail.

The command line and the app's export dialog both call `export`. The file appears whole or not at
all, and only together with its audit record (the record is written before the finished file is
moved into place), so "who exported what" is always known. Nothing is written when nothing matches.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from fieldnotes import ids
from fieldnotes.db.models import ProjectSettings
from fieldnotes.errors import FieldnotesError, InvalidInput, Refused
from fieldnotes.export.gather import AnnotatedSet, ExportSet, Progress, gather, gather_documents
from fieldnotes.export.pseudonyms import Names, decide
from fieldnotes.project.opening import Project
from fieldnotes.queries.filters import Filters
from fieldnotes.translations import _, said

if TYPE_CHECKING:
    from fieldnotes.export.browser_data import BrowserData
    from fieldnotes.export.cells import Cell, Overview
    from fieldnotes.export.figures import Figures

FORMATS = ("docx", "csv", "xlsx", "html")


class NothingToExport(FieldnotesError):
    """The filters select no excerpts."""


@dataclass
class ExportRequest:
    format: str
    out: Path
    filters: Filters = field(default_factory=Filters)
    exported_by: str = ""
    lang: str = "en"
    context: str | int | None = None
    group_by: str | None = None
    memos: bool = False
    annotated: list[str] = field(default_factory=list)
    pseudonymize: bool | None = None  # None: the project's setting
    replacements: Mapping[str, str] | None = None  # the register's mapping, when the caller has it
    sep: str = ";"
    overwrite: bool = False
    cell: Cell | None = None  # only the excerpts behind this matrix cell (cells.gather_cell)
    overview: str | None = None  # Word: the code matrix by this column (--by) as an overview table
    rollup: bool = True  # the overview's parent rows include their sub-codes (a cell has its own rollup)
    #: exactly these codings (ids), such as the passages a list in the app shows; the filters still apply
    codings: frozenset[str] | None = None
    selection: str | None = None  # what `codings` are, in words (the title page, the audit record)
    merge_coders: bool = True  # Word: a span coded alike by several coders is one excerpt naming them all
    charts: bool = False  # Word: add the figures (heat map, rating trends, co-occurrence; `figures`)


@dataclass
class ExportResult:
    format: str
    path: Path
    excerpts: int
    bytes: int
    pseudonymized: bool
    documents: int = 0
    pseudonymize_requested: bool = False
    names: Names | None = None  # how names were treated (fieldnotes.export.pseudonyms.decide)

    def as_dict(self) -> dict[str, Any]:
        return {"format": self.format, "file": str(self.path), "excerpts": self.excerpts, "bytes": self.bytes,
                "documents": self.documents, "pseudonymized": self.pseudonymized,
                "pseudonymize_requested": self.pseudonymize_requested, "names_replaced": self.pseudonymized}


def _check(request: ExportRequest, project: Project) -> None:
    if request.format not in FORMATS:
        raise InvalidInput(_("unknown export format {format!r}")
                           .format(format=request.format), hint=_("use docx, csv, xlsx or html"))
    if request.annotated and request.format != "docx":
        raise InvalidInput(_("annotated documents are written as Word files only"), hint=_("use `export docx`"))
    if request.annotated and (request.cell or request.overview):
        raise InvalidInput(_("annotated documents have no matrix cell or overview"),
                           hint=_("leave out --cell and --overview, or --annotated"))
    if request.charts and (request.format != "docx" or request.annotated):
        raise InvalidInput(_("charts are a section of the Word report of excerpts"),
                           hint=_("use `export docx` without --annotated"))
    if request.format == "html" and (request.cell or request.codings is not None):
        raise InvalidInput(_("the theme browser holds every cell of the matrix"), hint=_("leave out --cell"))
    if request.overview and request.format != "docx":
        raise InvalidInput(_("the matrix overview is a section of the Word report"), hint=_("use `export docx`"))
    if request.out.is_dir():
        raise InvalidInput(_("{out} is a folder")
                           .format(out=request.out), hint=_("give a file name, e.g. excerpts.docx"))
    if request.out.exists() and not request.overwrite:
        raise Refused(_("{out} already exists")
                      .format(out=request.out), hint=_("choose another name, or add --force to replace it"))
    if project.readonly:
        raise Refused(_("the project is open read-only, so the export could not be recorded in its audit trail"),
                      hint=_("open a writable copy of the project to export"))


def export(project: Project, request: ExportRequest, *, progress: Progress | None = None) -> ExportResult:
    """Write the export described by `request`; raises NothingToExport (and writes nothing) if it is empty."""
    from fieldnotes.export.cells import cell_filters, gather_cell, gather_codings, keep_codings
    from fieldnotes.export.cells import overview as build_overview
    from fieldnotes.export.figures import gather_figures
    from fieldnotes.fileio import atomic_output

    _check(request, project)
    data: ExportSet | AnnotatedSet
    overview: Overview | None = None
    figures: Figures | None = None
    browser: BrowserData | None = None
    cell = request.cell
    with project.read() as session:
        names = decide(session, request.pseudonymize, replacements=request.replacements)
        pseudonymize = names.text
        if request.annotated:
            data = gather_documents(session, request.annotated, request.filters, pseudonymize=pseudonymize,
                                    exported_by=request.exported_by)
            count, documents = data.codings, len(data.documents)
            data.pseudonymized, data.filters = names.replaced, names.filters(data.filters)
        else:
            options: dict[str, Any] = {"pseudonymize": pseudonymize, "context": request.context,
                                       "memos": request.memos, "attributes": request.format != "docx",
                                       "exported_by": request.exported_by}
            if cell is not None:
                data, cell = gather_cell(session, request.filters, cell, **options)
                if request.codings is not None:
                    keep_codings(data, request.codings)
            elif request.codings is not None:
                data = gather_codings(session, request.filters, request.codings, **options)
            else:
                data = gather(session, request.filters, **options)
            data.selection = names.text.optional(request.selection)  # it can name a word or a code
            data.project_id = str(session.scalar(select(ProjectSettings.id)) or "")
            if request.format == "docx":  # a Word report's anchors name it (memo import)
                data.export_id = str(ids.new())
            count, documents = len(data.excerpts), len({e.document for e in data.excerpts})
            if not count and request.codings is not None:
                raise NothingToExport(_("none of the listed excerpts is in the project any more, so no file was "
                                        "written"), hint=_("open the list again"))
            data.pseudonymized, data.filters = names.replaced, names.filters(data.filters)
            if not count and cell is not None:
                raise NothingToExport(_("the cell {row} × {column} holds no excerpts, so no file was written")
                                      .format(row=cell.row, column=cell.column),
                                          hint=_("check it with `fieldnotes matrix --cell ROW COLUMN`"))
            if not count:
                raise NothingToExport(_("no excerpts match these filters, so no file was written"),
                                      hint=_("check them with `fieldnotes excerpts` and the same filters"))
            if request.overview:
                # the cell as asked for: the gathered one's row may be pseudonymised for the title page
                scope = cell_filters(request.filters, request.cell) if request.cell is not None else request.filters
                rollup = cell.rollup if cell is not None else request.rollup
                overview = build_overview(session, scope, request.overview, data.codes, rollup=rollup,
                                          pseudonymize=pseudonymize)
            if request.charts:
                scope = cell_filters(request.filters, cell) if cell is not None else request.filters
                figures = gather_figures(session, scope, data.codes, pseudonymize)
            if request.format == "html":
                from fieldnotes.export.browser_data import gather_browser

                browser = gather_browser(session, request.filters, data, pseudonymize)
    with atomic_output(request.out) as handle:
        _write(request, data, handle, progress, overview, cell, figures, browser)
        handle.flush()
        size = os.fstat(handle.fileno()).st_size
        _record(project, request, data, count, documents, names, cell)
    return ExportResult(request.format, request.out, count, size, names.replaced, documents, names.wanted, names)


def _write(request: ExportRequest, data: ExportSet | AnnotatedSet, handle: Any, progress: Progress | None,
           overview: Overview | None = None, cell: Cell | None = None, figures: Figures | None = None,
           browser: BrowserData | None = None) -> None:
    if isinstance(data, AnnotatedSet):
        from fieldnotes.export.docx_annotated import write_annotated_docx

        write_annotated_docx(data, handle, lang=request.lang, progress=progress)
    elif request.format == "docx":
        from fieldnotes.export.docx_excerpts import write_excerpts_docx

        write_excerpts_docx(data, handle, lang=request.lang, group_by=request.group_by, progress=progress,
                            overview=overview, cell=cell, merge_coders=request.merge_coders, figures=figures)
    elif request.format == "html":
        from fieldnotes.export.browser_data import BrowserData
        from fieldnotes.export.html_browser import write_html

        write_html(data, browser or BrowserData(), handle, lang=request.lang)
    elif request.format == "csv":
        from fieldnotes.export.tables import write_csv

        write_csv(data, handle, lang=request.lang, sep=request.sep, progress=progress)
    else:
        from fieldnotes.export.tables import write_xlsx

        write_xlsx(data, handle, lang=request.lang, progress=progress)


def _record(project: Project, request: ExportRequest, data: ExportSet | AnnotatedSet, count: int, documents: int,
            names: Names, cell: Cell | None = None) -> None:
    """The audit record: the file's name only (never a path, which can hold a user name), and what is in it."""
    from fieldnotes.export.pseudonyms import record

    kind = said("annotated documents") if isinstance(data, AnnotatedSet) else said("excerpts")
    details: dict[str, Any] = {"format": request.format, "file": request.out.name,
                               "filters": request.filters.as_dict(), "excerpts": count, "documents": documents}
    if isinstance(data, AnnotatedSet):
        details["annotated"] = True
    if cell is not None:
        details["cell"] = cell.as_dict()
    if request.codings is not None:
        details["selection"] = request.selection or "listed excerpts"
    if request.overview:
        details["overview"] = request.overview
    if request.charts:
        details["charts"] = True
    if isinstance(data, ExportSet) and data.export_id:
        details["export_id"] = data.export_id  # what `memo import` finds in the report's anchors
    with project.write() as session:
        record(session, coder_name=request.exported_by or None, names=names, details=details,
               summary=said("exported {count} {kind} to {name} ({format})", count=count, kind=kind,
                            name=request.out.name, format=request.format))
