"""Commands for material: import, docs, show."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from fieldnotes.cli.context import Context
from fieldnotes.cli.filters_args import filters_from
from fieldnotes.dates import parse_date
from fieldnotes.errors import InvalidInput
from fieldnotes.translations import _, format_date, format_number


def _attrs(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise InvalidInput(_("--attr {pair!r} is not KEY=VALUE").format(pair=pair))
        key, value = pair.split("=", 1)
        if not key.strip():
            raise InvalidInput(_("--attr {pair!r} has no key").format(pair=pair))
        out[key.strip()] = value.strip()
    return out


class _ProgressLine:
    """A one-line progress display on stderr for long batches (only on a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()

    def __call__(self, index: int, total: int, name: str) -> None:
        if not self.enabled or total < 20:
            return
        from fieldnotes.cli.terminal import raw
        from fieldnotes.text import terminal_safe

        width = 30
        done = int(width * (index + 1) / total)
        shown = terminal_safe(name[:40], one_line=True)
        out = raw(sys.stderr)  # its own carriage returns; the file's name is escaped
        out.write(f"\r[{'#' * done}{'.' * (width - done)}] {index + 1}/{total} {shown:<40}")
        if index + 1 == total:
            out.write("\r" + " " * 100 + "\r")
        out.flush()


def import_files(ctx: Context) -> int:
    from fieldnotes.importing.batch import Options, import_paths

    args = ctx.args
    options = Options(
        kind=args.kind,
        municipalities=args.municipality,
        date=parse_date(args.date) if args.date else None,
        title=args.title,
        activity=args.activity,
        attributes=_attrs(args.attr),
        manifest=Path(args.manifest) if args.manifest else None,
        strict=args.strict,
        allow_duplicate=args.allow_duplicate,
    )
    project = ctx.project()
    coder = ctx.coder_name()
    from fieldnotes.db.coders import coder_id
    from fieldnotes.importing.batch import FileResult

    given = [Path(p) for p in args.paths]
    exchange = [p for p in given if p.suffix.lower() in (".qdpx", ".qdc") and p.is_file()]
    material = [p for p in given if p not in exchange]
    exchanged: list[FileResult] = []
    for path in exchange:  # REFI-QDA projects and codebooks are merged in, as `fieldnotes exchange import`
        from fieldnotes.errors import FieldnotesError
        from fieldnotes.refi.loading import import_exchange_file

        try:
            summary = import_exchange_file(project, path, coder_name=coder)
        except FieldnotesError as error:
            exchanged.append(FileResult(path.name, "failed", str(error)))
            continue
        exchanged.append(FileResult(path.name, "imported", "", None, summary["title"], list(summary["notes"])))
    report = import_paths(project, material, options, coder_id=coder_id(coder), coder_name=coder,
                          progress=_ProgressLine(not ctx.json)) if material else None
    if report is None:
        from fieldnotes.importing.batch import Report

        report = Report()
    report.results[:0] = exchanged
    summary = report.as_dict()
    for line in _report_table(summary, failed=True):  # the reasons files failed are errors: stderr
        ctx.note(line)
    ctx.emit(summary, _report_table(summary, failed=False))
    return 1 if report.failed else 0


def _report_table(report: dict[str, Any], *, failed: bool) -> list[str]:
    """The lines of the failed files (`failed`), or of the others and the summary."""
    from fieldnotes.refi.report import local

    lines = []
    symbol = {"imported": "+", "skipped": "=", "failed": "!"}
    shown = {"imported": _("imported"), "skipped": _("skipped"), "failed": _("failed")}
    width = max(len(word) for word in shown.values())
    for row in report["files"]:
        if (row["status"] == "failed") != failed:
            continue
        detail = local(row["reason"] or (row["document_title"] or ""))  # a REFI-QDA import's title and notes
        lines.append(f"{symbol[row['status']]} {shown[row['status']]:<{width}} {row['file']}  {detail}")
        for note in row["notes"]:
            lines.append(_("           note: {note}").format(note=local(note)))
    if failed:
        return lines
    lines.append(_("{imported} imported, {skipped} skipped, {failed} failed").format(
        imported=report["imported"], skipped=report["skipped"], failed=report["failed"])
        + (_("; new cases: {cases}").format(cases=", ".join(report["created_cases"])) if report["created_cases"]
           else ""))
    return lines


def kind_name(kind: str | None) -> str:
    """A document kind in the interface language (JSON keeps the stored English value)."""
    return _(kind) if kind in ("interview", "observation", "minutes", "document") else (kind or "")


def list_documents(ctx: Context) -> int:
    from sqlalchemy import select

    from fieldnotes.db.models import Document
    from fieldnotes.documents.store import listing
    from fieldnotes.queries.filters import document_ids

    filters = filters_from(ctx.args)
    with ctx.project(readonly=True).read() as session:
        allowed = document_ids(session, filters)
        query = select(Document).order_by(Document.date, Document.title)
        docs = [d for d in session.scalars(query) if allowed is None or d.id in allowed]
        rows = listing(session, docs)
    from fieldnotes.text import fit

    lines = [
        f"{r['id'][:8]}  {format_date(r['date'], 'short') or '----------':<10}  {kind_name(r['kind']):<11} "
        f"{fit(r['municipality'] or '-', 24):<24} {format_number(r['codings']):>4}  {r['title']}"
        for r in rows
    ] or [_("no documents; import some with `fieldnotes import FOLDER`")]
    ctx.emit(rows, lines)
    return 0


def show_document(ctx: Context) -> int:
    from fieldnotes.coding.excerpts import codings_of_document
    from fieldnotes.documents.store import listing, resolve

    with ctx.project(readonly=True).read() as session:
        doc = resolve(session, ctx.args.document)
        if not ctx.json:
            sys.stdout.write(doc.text if doc.text.endswith("\n") else doc.text + "\n")
            return 0
        info = listing(session, [doc])[0]
        info.update({
            "text": doc.text,
            "sha256": doc.sha256,
            "speakers": doc.speakers,
            "turns": [{"speaker": t.speaker, "start": t.start, "end": t.end, "timestamp": t.timestamp}
                      for t in doc.turns],
            "codings": codings_of_document(session, doc.id),
        })
    ctx.emit(info)
    return 0
