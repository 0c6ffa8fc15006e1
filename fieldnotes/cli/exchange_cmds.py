"""Handlers of the REFI-QDA exchange commands (export-qdpx, export-qdc, import)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldnotes.cli.context import Context
from fieldnotes.errors import FieldnotesError
from fieldnotes.translations import _


def _export_lines(info: dict[str, Any]) -> list[str]:
    from fieldnotes.refi.report import local, shown

    what = (_("{documents} documents, {codes} codes, {codings} codings, {memos} memos").format(**info)
            if info["format"] == "qdpx" else _("{codes} codes").format(**info))
    lines = [_("wrote {file} ({what})").format(file=info['file'], what=what)]
    lines.append(local(info["names"]))  # "names replaced: yes (…)" in the interface language; JSON: English
    lines += [_("skipped: {item}").format(item=shown(item)) for item in info.get("skipped", [])]
    return lines


def export_qdpx(ctx: Context) -> int:
    """Reads ctx.args: out, pseudonymize (None/True/False), utf16_positions, force."""
    from fieldnotes.refi.writing import export_qdpx as export

    args = ctx.args
    project = ctx.project()
    info = export(project, Path(args.out), coder_name=ctx.coder_name(),
                  pseudonymize=getattr(args, "pseudonymize", None),
                  utf16=bool(getattr(args, "utf16_positions", False)), force=bool(getattr(args, "force", False)))
    ctx.emit(info, _export_lines(info))
    return 0


def export_qdc(ctx: Context) -> int:
    """Reads ctx.args: out, pseudonymize (None/True/False), force."""
    from fieldnotes.refi.writing import export_qdc as export

    args = ctx.args
    project = ctx.project()
    info = export(project, Path(args.out), coder_name=ctx.coder_name(),
                  pseudonymize=getattr(args, "pseudonymize", None), force=bool(getattr(args, "force", False)))
    ctx.emit(info, _export_lines(info))
    return 0


def import_file(ctx: Context) -> int:
    """Reads ctx.args: file (or paths, a list, from `fieldnotes import`), positions, dry_run."""
    from fieldnotes.refi.loading import import_exchange_file
    from fieldnotes.refi.report import local

    args = ctx.args
    files = [args.file] if getattr(args, "file", None) else list(getattr(args, "paths", []) or [])
    if not files:
        raise FieldnotesError(_("no file given"), hint=_("fieldnotes exchange import FILE.qdpx"))
    project = ctx.project()
    coder = ctx.coder_name()
    results = []
    lines: list[str] = []
    for name in files:
        summary = import_exchange_file(project, Path(name), coder_name=coder,
                                       positions=getattr(args, "positions", None) or "auto",
                                       dry_run=bool(getattr(args, "dry_run", False)))
        results.append(summary)
        lines += [local(line) for line in (summary["title"], *summary["notes"])]  # JSON keeps the English
    ctx.emit(results[0] if len(results) == 1 else results, lines)
    return 0
