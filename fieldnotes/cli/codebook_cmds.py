"""Commands for the codebook file: list, import, export, diff."""

from __future__ import annotations

from pathlib import Path

from fieldnotes.cli.context import Context
from fieldnotes.errors import FieldnotesError
from fieldnotes.translations import _, said


def list_codes(ctx: Context) -> int:
    from fieldnotes.codebook.sync import listing

    with ctx.project(readonly=True).read() as session:
        codes = listing(session)
    if not ctx.args.retired:
        codes = [c for c in codes if not c["retired"]]
    lines = []
    for code in codes:
        mark = "" if code["codable"] else " (category)"
        key = f"[{code['shortcut']}] " if code["shortcut"] else "    "
        scale = f" scale {code['scale'][0]}-{code['scale'][1]}" if code["scale"] else ""
        lines.append(f"{key}{'  ' * code['depth']}{code['name']}{mark}{scale}  ({code['theme_codings']})")
    if not codes:
        lines = [_("the codebook is empty; add codes with `fieldnotes codebook import FILE`")]
    ctx.emit(codes, lines)
    return 0


def _read(path: str):  # type: ignore[no-untyped-def]
    """A codebook from YAML, or from a REFI-QDA codebook (.qdc) or project (.qdpx)."""
    from fieldnotes.codebook import yamlfile

    source = Path(path)
    if source.suffix.lower() in (".qdc", ".qdpx"):
        from fieldnotes.refi.qdc import read_qdc

        return read_qdc(source)
    if source.suffix.lower() not in (".yaml", ".yml"):
        raise FieldnotesError(_("{source}: codebooks are read from .yaml, .qdc or .qdpx files").format(source=source))
    return yamlfile.read(source)


def diff_codebook(ctx: Context) -> int:
    from fieldnotes.codebook import sync

    book = _read(ctx.args.file)
    with ctx.project(readonly=True).read() as session:
        result = sync.diff(session, book)
    ctx.emit(result.as_dict(), result.lines())
    return 0


def import_codebook(ctx: Context) -> int:
    from fieldnotes.codebook import sync
    from fieldnotes.db import coders, history

    book = _read(ctx.args.file)
    project = ctx.project()
    if ctx.args.dry_run:
        with project.read() as session:
            result = sync.diff(session, book)
        ctx.emit(result.as_dict() | {"dry_run": True}, [_("dry run; nothing was changed"), *result.lines()])
        return 0
    coder = ctx.coder_name()
    with project.write() as session:
        with history.change(session, coder_id=coders.coder_id(coder), action="codebook.import",
                            summary=said("imported codebook {name}", name=Path(ctx.args.file).name)):
            coders.ensure_coder(session, coder)
            result = sync.apply(session, book, coder_id=coders.coder_id(coder))
    ctx.emit(result.as_dict(), result.lines())
    return 0


def export_codebook(ctx: Context) -> int:
    from fieldnotes.export.codebook import export_codebook as export

    project = ctx.project()
    info = export(project, Path(ctx.args.file), coder_name=ctx.coder_name(),
                  pseudonymize=getattr(ctx.args, "pseudonymize", None), force=bool(ctx.args.force))
    done = (_("wrote {count} codes to {target} (REFI-QDA codebook)") if info["format"] == "qdc"
            else _("wrote {value} codes to {target}"))
    ctx.emit(info, [done.format(count=info["codes"], value=info["codes"], target=info["file"]), info["names"]])
    return 0
