"""Table and REFI-QDA export benchmarks on a tier project.

    python -m benchmarks --tier typical --only exchange

- every coded excerpt to CSV, and to XLSX, end to end (query, write, fsync, audit record), the way
  `fieldnotes export` does it;
- the whole project as a REFI-QDA .qdpx (project XML, one source file per document, zip, audit
  record).

Each export records itself in the audit trail, so these run on a scratch copy of the tier project,
never on the cached one. There is no side-by-side baseline here (the issue fixes baselines for Word
export and search only); the Word figures are in bench_export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.backends import current
from benchmarks.measure import Figure, figure


def figures(project_path: str, tier: str, scratch: Path) -> list[Figure]:
    from fieldnotes.coding.excerpts import count_excerpts
    from fieldnotes.export.exporter import ExportRequest, export
    from fieldnotes.project.opening import open_project
    from fieldnotes.refi.writing import export_qdpx

    copy = current().copy(project_path, scratch / "exchange.db")
    project = open_project(copy)
    runs = 5
    out: list[Figure] = []
    counter = {"n": 0}

    def target(suffix: str) -> Path:
        counter["n"] += 1
        path = scratch / f"export-{counter['n']}{suffix}"
        return path

    try:
        with project.read() as session:
            count = count_excerpts(session)

        def csv_export() -> None:
            export(project, ExportRequest("csv", target(".csv"), exported_by="Anna Krogh", lang="da"))

        out.append(figure(f"export csv: all {count:,} excerpts, end to end", csv_export, runs=runs,
                          note="query + write + fsync + audit record"))

        def xlsx_export() -> None:
            export(project, ExportRequest("xlsx", target(".xlsx"), exported_by="Anna Krogh", lang="da"))

        out.append(figure(f"export xlsx: all {count:,} excerpts, end to end", xlsx_export, runs=runs,
                          note="query + write + fsync + audit record"))

        stats: dict[str, Any] = {}

        def qdpx_export() -> None:
            stats.update(export_qdpx(project, target(".qdpx"), coder_name="Anna Krogh"))

        qdpx = figure("export REFI-QDA: the whole project as .qdpx", qdpx_export, runs=runs)
        qdpx.note = (f"{stats.get('documents', 0):,} documents, {stats.get('codings', 0):,} codings, "
                       f"project XML + sources zipped + audit record")
        out.append(qdpx)
    finally:
        project.close()
        current().remove(copy)
    return out
