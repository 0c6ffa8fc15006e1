"""Commands for the codebook file: list, import, export, diff."""

from __future__ import annotations

from pathlib import Path

from fieldnotes.cli.context import Context
from fieldnotes.errors import FieldnotesError


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
        lines = ["the codebook is empty; add codes with `fieldnotes codebook import FILE`"]
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
        raise FieldnotesError(f"{source}: codebooks are read from .yaml, .qdc or .qdpx files")
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
        ctx.emit(result.as_dict() | {"dry_run": True}, ["dry run; nothing was changed", *result.lines()])
        return 0
    coder = ctx.coder_name()
    with project.write() as session:
        with history.change(session, coder_id=coders.coder_id(coder), action="codebook.import",
                            summary=f"imported codebook {Path(ctx.args.file).name}"):
            coders.ensure_coder(session, coder)
            result = sync.apply(session, book, coder_id=coders.coder_id(coder))
    ctx.emit(result.as_dict(), result.lines())
    return 0


def export_codebook(ctx: Context) -> int:
    from fieldnotes.codebook import sync, yamlfile
    from fieldnotes.fileio import write_atomic

    target = Path(ctx.args.file)
    if target.suffix.lower() not in (".yaml", ".yml", ".qdc"):
        raise FieldnotesError(f"{target}: write codebooks to a .yaml or .qdc file")
    if target.exists() and not ctx.args.force:
        raise FieldnotesError(f"{target} already exists", hint="add --force to overwrite it")
    project = ctx.project(readonly=True)
    if target.suffix.lower() == ".qdc":
        from fieldnotes.refi.writing import write_qdc

        with project.read() as session:
            count = write_qdc(session, target)
        ctx.emit({"file": str(target), "codes": count}, f"wrote {count} codes to {target} (REFI-QDA codebook)")
        return 0
    with project.read() as session:
        tree = sync.export_tree(session)
        name = project.settings(session).name
    write_atomic(target, yamlfile.dump(name, tree).encode("utf-8"))
    ctx.emit({"file": str(target), "codes": _count(tree)}, f"wrote {_count(tree)} codes to {target}")
    return 0


def _count(tree: list[dict]) -> int:  # type: ignore[type-arg]
    return sum(1 + _count(node.get("children", [])) for node in tree)
