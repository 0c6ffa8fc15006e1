"""`fieldnotes matrix --csv|--xlsx`: the code matrix written to a file.

An export like any other: the rows' code names, the column labels (municipalities, activities,
attribute values) and the filters on the workbook's second sheet go through the exports' one
decision about names (`fieldnotes.export.pseudonyms.decide`), and the file is recorded in the audit
trail with that choice. The file appears only once its record is written.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from fieldnotes.analysis.matrix import Matrix
from fieldnotes.errors import Refused
from fieldnotes.export.pseudonyms import Names, decide, record
from fieldnotes.project.opening import Project
from fieldnotes.queries.filters import Filters
from fieldnotes.translations import N_, _, said

FORMATS = ("csv", "xlsx")


def pseudonymized(table: Matrix, names: Names) -> Matrix:
    """The table with names replaced in its row paths and column labels (refused if two labels would merge)."""
    rename = names.text
    if not rename.active:
        return table
    rows = {path: rename(path) for path in table.rows}
    columns = {label: rename(label) for label in table.columns}
    for kind, mapping in ((N_("rows"), rows), (N_("columns"), columns)):
        if len(set(mapping.values())) != len(mapping):
            raise Refused(_("two of the matrix's {kind} would get the same label once names are replaced, so "
                            "nothing was written").format(kind=_(kind)),
                          hint=_("check the pseudonym register for a pseudonym that is also a label in the project"))
    return dataclasses.replace(
        table, rows=[rows[p] for p in table.rows], columns=[columns[c] for c in table.columns],
        cells={rows[p]: {columns[c]: v for c, v in values.items()} for p, values in table.cells.items()},
        row_totals={rows[p]: v for p, v in table.row_totals.items()},
        column_totals={columns[c]: v for c, v in table.column_totals.items()},
        column_documents={columns.get(c, c): v for c, v in table.column_documents.items()})


def export_matrix(project: Project, target: Path, fmt: str, *, filters: Filters, by: str, measure: str,
                  rollup: bool, lang: str, coder_name: str, pseudonymize: bool | None = None,
                  force: bool = False) -> dict[str, Any]:
    """Build the matrix, write it as CSV or XLSX and record the export; returns what was written."""
    from fieldnotes.analysis import matrix_tables as tables
    from fieldnotes.analysis.columns import phase_start
    from fieldnotes.analysis.matrix import matrix
    from fieldnotes.export.labels import Labels
    from fieldnotes.fileio import atomic_output

    if fmt not in FORMATS:
        raise ValueError(fmt)
    if target.exists() and not force:
        raise Refused(_("{target} already exists").format(target=target), hint=_("add --force to overwrite it"))
    if project.readonly:
        raise Refused(_("the project is open read-only, so the export could not be recorded in its audit trail"),
                      hint=_("open a writable copy of the project to export"))
    with project.read() as session:
        names = decide(session, pseudonymize)
        table = pseudonymized(matrix(session, filters, by, measure, rollup), names)
        start = phase_start(session, "phase") if filters.phases else None
    # the filters in the sheet's language, a phase with its months ("Faser: Fase 2 (aug. 2025–jan. 2026)")
    data = (tables.csv_bytes(table, lang=lang) if fmt == "csv"
            else tables.xlsx_bytes(table, lang=lang, filters=Labels(lang).filter_facts(names.filters(filters), start)))
    with atomic_output(target) as handle:
        handle.write(data)
        with project.write() as session:
            record(session, coder_name=coder_name, names=names,
                   details={"what": "matrix", "format": fmt, "file": target.name, "by": table.by,
                            "measure": table.measure, "rollup": rollup, "filters": filters.as_dict()},
                   summary=said("matrix ({measure} by {by}) to {file}", measure=table.measure, by=table.by,
                                file=target.name))
    return {"file": str(target), "format": fmt, "rows": len(table.rows), "columns": len(table.columns),
            "pseudonymized": names.replaced, "names_replaced": names.replaced, "names": names.line()}
