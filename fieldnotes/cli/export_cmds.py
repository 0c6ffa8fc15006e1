"""Handlers of `export docx|csv|xlsx`: build the request, show progress, print the summary."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldnotes.cli.context import Context
from fieldnotes.cli.filters_args import filters_from
from fieldnotes.errors import InvalidInput
from fieldnotes.translations import _, format_decimal, format_number, ngettext


def _size(n: int) -> str:
    """A file size as a reader writes it: 812 bytes, 14,2 KB (Danish) / 14.2 KB (English)."""
    if n < 1024:
        return _("{n} bytes").format(n=n)
    size = n / 1024
    return f"{format_decimal(size, 1)} KB" if size < 1024 else f"{format_decimal(size / 1024, 1)} MB"


def _progress() -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A progress line on stderr when a person is watching it; nothing in scripts."""
    if not sys.stderr.isatty():
        return None, lambda: None
    shown = [False]

    from fieldnotes.cli.terminal import raw

    out = raw(sys.stderr)  # its own carriage return and erase-line sequence

    def show(done: int, total: int) -> None:
        shown[0] = True
        out.write("\r" + _("writing… {done}/{total}").format(done=done, total=total))
        out.flush()

    def finish() -> None:
        if shown[0]:
            out.write("\r\x1b[K")
            out.flush()

    return show, finish


def _export(ctx: Context, fmt: str) -> int:
    from fieldnotes.analysis.columns import parse_by
    from fieldnotes.coding.excerpts import parse_context
    from fieldnotes.export.cells import Cell
    from fieldnotes.export.exporter import ExportRequest, export

    args = ctx.args
    rollup = not getattr(args, "no_rollup", False)
    cell = getattr(args, "cell", None)
    overview = getattr(args, "overview", None)
    if overview:
        overview = str(parse_by(overview))  # a wrong BY is refused before anything is read
    project = ctx.project()
    request = ExportRequest(
        format=fmt, out=Path(args.out), filters=filters_from(args), exported_by=ctx.coder_name(), lang=ctx.lang,
        context=parse_context(args.context), group_by=getattr(args, "group_by", None),
        memos=bool(getattr(args, "memos", False)), annotated=list(getattr(args, "annotated", None) or []),
        pseudonymize=args.pseudonymize, sep=getattr(args, "sep", ";"), overwrite=args.force,
        cell=Cell(str(parse_by(cell[0])), cell[1], cell[2], rollup) if cell else None, overview=overview,
        rollup=rollup, merge_coders=bool(getattr(args, "merge_coders", True)),
        charts=bool(getattr(args, "charts", False)))
    progress, finish = _progress()
    try:
        result = export(project, request, progress=progress)
    finally:
        finish()
    names = result.names.line() if result.names is not None else ""  # JSON stays English
    said_names = result.names.line(_) if result.names is not None else ""
    n = result.excerpts
    what = (ngettext("{count} coding as a comment", "{count} codings as comments", n) if request.annotated else
            ngettext("{count} excerpt", "{count} excerpts", n)).format(count=format_number(n))
    documents = ngettext("{count} document", "{count} documents", result.documents).format(
        count=format_number(result.documents))
    message = _("wrote {out}: {what} from {documents}, {size}").format(out=args.out, what=what, documents=documents,
                                                                       size=_size(result.bytes))
    ctx.emit(result.as_dict() | {"names": names}, [message, said_names])
    return 0


def export_docx(ctx: Context) -> int:
    take_out(ctx.args)
    return _export(ctx, "docx")


def take_out(args: Any) -> None:
    """`export docx --annotated DOC OUT`: argparse gives OUT to the list of documents; a last item ending in
    .docx is the file to write (either order works). Without it, say in one line where OUT goes."""
    annotated = list(getattr(args, "annotated", None) or [])
    if args.out is not None:
        return
    if len(annotated) >= 2 and annotated[-1].lower().endswith(".docx"):
        args.out = annotated.pop()
        args.annotated = annotated
        return
    raise InvalidInput(_("export docx: name the file to write (OUT), e.g. `export docx OUT --annotated DOC...` or "
                         "`export docx --annotated DOC... OUT.docx`"))


def export_csv(ctx: Context) -> int:
    return _export(ctx, "csv")


def export_xlsx(ctx: Context) -> int:
    return _export(ctx, "xlsx")


def export_html(ctx: Context) -> int:
    return _export(ctx, "html")
