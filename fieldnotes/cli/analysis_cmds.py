"""Commands of the analysis: matrix, cooccurrence, ratings, words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldnotes.cli.context import Context
from fieldnotes.cli.filters_args import filters_from


def _excerpt_lines(found: list[Any], context: str | int | None) -> list[str]:
    """Excerpts as `fieldnotes excerpts` prints them."""
    lines = []
    for e in found:
        where = " · ".join(x for x in (e.document_title, e.municipality, e.date, e.speaker, e.coder) if x)
        rating = f" [{e.rating}]" if e.rating is not None else ""
        lines.append(f"{e.code_path}{rating}  ({where})")
        body = (e.context_before + "«" + e.text + "»" + e.context_after) if context is not None else e.text
        lines.extend("    " + line for line in body.splitlines())
        if e.memo:
            lines.append(f"    memo: {e.memo}")
    lines.append(f"{len(found)} excerpt(s)")
    return lines


def _show_excerpts(ctx: Context, found: list[Any], context: str | int | None, limit: int | None) -> int:
    if limit is not None:
        found = found[:limit]
    ctx.emit([e.as_dict() for e in found], _excerpt_lines(found, context))
    return 0


# --- matrix --------------------------------------------------------------------------------------


def matrix(ctx: Context) -> int:
    from fieldnotes.analysis import matrix_tables
    from fieldnotes.analysis.matrix import cell_excerpts
    from fieldnotes.analysis.matrix import matrix as build
    from fieldnotes.coding.excerpts import parse_context

    args = ctx.args
    filters = filters_from(args)
    rollup = not args.no_rollup
    if args.cell:
        context = parse_context(args.context)
        with ctx.project(readonly=True).read() as session:
            found = cell_excerpts(session, filters, args.by, args.cell[0], args.cell[1], rollup, context=context)
        return _show_excerpts(ctx, found, context, args.limit)
    if args.csv or args.xlsx:
        from fieldnotes.export.matrix_files import export_matrix

        kind = "csv" if args.csv else "xlsx"
        info = export_matrix(ctx.project(), Path(args.csv or args.xlsx), kind, filters=filters, by=args.by,
                             measure=args.measure, rollup=rollup, lang=ctx.lang, coder_name=ctx.coder_name(),
                             pseudonymize=args.pseudonymize, force=args.force)
        ctx.emit(info, [f"wrote the matrix to {args.csv or args.xlsx}", info["names"]])
        return 0
    with ctx.project(readonly=True).read() as session:
        table = build(session, filters, args.by, args.measure, rollup)
    lines = [matrix_tables.title(table, ctx.lang), *matrix_tables.text_table(table, lang=ctx.lang)]
    ctx.emit(table.as_dict(), lines)
    return 0


# --- co-occurrence -------------------------------------------------------------------------------


def cooccurrence(ctx: Context) -> int:
    from fieldnotes.analysis.cooccurrence import cooccurrence as build
    from fieldnotes.analysis.cooccurrence import pair_excerpts
    from fieldnotes.coding.excerpts import parse_context

    args = ctx.args
    filters = filters_from(args)
    if args.pair:
        context = parse_context(args.context)
        with ctx.project(readonly=True).read() as session:
            found = pair_excerpts(session, filters, args.within, args.pair[0], args.pair[1], context=context)
        return _show_excerpts(ctx, found, context, args.limit)
    with ctx.project(readonly=True).read() as session:
        result = build(session, filters, args.within)
    pairs = result.pairs[: args.limit] if args.limit is not None else result.pairs
    data = result.as_dict()
    data["pairs"] = [p.as_dict() for p in pairs]
    unit = {"overlap": "overlaps", "turn": "turns", "paragraph": "paragraphs"}[result.within]
    lines = [f"{p.count:>6} {unit:<10} {p.documents:>4} doc(s)  {p.code_a_path}  ×  {p.code_b_path}" for p in pairs]
    lines.append(f"{len(result.pairs)} pair(s) of codes meet ({result.within})")
    ctx.emit(data, lines)
    return 0


# --- ratings -------------------------------------------------------------------------------------


def ratings(ctx: Context) -> int:
    from fieldnotes.analysis.ratings import rating_grid
    from fieldnotes.analysis.ratings import ratings as build

    args = ctx.args
    filters = filters_from(args)
    if args.per:
        with ctx.project(readonly=True).read() as session:
            grid = rating_grid(session, args.code, filters, args.per, args.by or "phase",
                               descendants=not args.no_descendants)
        return _rating_grid(ctx, grid)
    with ctx.project(readonly=True).read() as session:
        result = build(session, args.code, filters, args.by or "municipality", descendants=not args.no_descendants)

    def row(stats: Any) -> str:
        mean = "-" if stats.mean is None else f"{stats.mean:.2f}"
        median = "-" if stats.median is None else f"{stats.median:g}"
        spread = " ".join(f"{point}:{n}" for point, n in stats.distribution.items())
        return f"{stats.label:<28} {stats.count:>6} {mean:>6} {median:>6}   {spread}"

    lines = [f"ratings of {', '.join(result.codes)} (scale {result.scale[0]}–{result.scale[1]}) by {result.by}",
             f"{'':<28} {'n':>6} {'mean':>6} {'median':>6}   distribution"]
    lines += [row(stats) for stats in result.columns]
    lines.append(row(result.total))
    ctx.emit(result.as_dict(), lines)
    return 0


def _rating_grid(ctx: Context, grid: Any) -> int:
    """The small multiples as text: one line per row, each column's mean (n), and the trend."""
    from fieldnotes.analysis import charts

    low, high = grid.scale
    width = max([8, *(len(row) for row in grid.rows)])
    lines = [f"ratings of {', '.join(grid.codes)} (scale {low}–{high}): mean (n) by {grid.columns_by}, "
             f"one line per {grid.rows_by}",
             " " * width + "".join(f"{column:>11}" for column in grid.columns) + "   trend"]
    for row in grid.rows:
        cells = [grid.cells[row][column] for column in grid.columns]
        shown = "".join(f"{'-' if c.mean is None else f'{c.mean:.2f}':>6} ({c.count:>2})" for c in cells)
        first, last = charts.first_and_last(grid.means(row))
        lines.append(f"{row:<{width}}{shown}   {charts.sparkline(grid.means(row), low, high)} "
                     f"{charts.direction(first, last)}")
    ctx.emit(grid.as_dict(), lines)
    return 0


# --- words ---------------------------------------------------------------------------------------


def words(ctx: Context) -> int:
    from fieldnotes.analysis.words import kwic
    from fieldnotes.analysis.words import words as build

    args = ctx.args
    filters = filters_from(args)
    if args.kwic:
        with ctx.project(readonly=True).read() as session:
            found = kwic(session, filters, args.kwic, roles=args.role or None, width=args.width, limit=args.limit)
        shown = [f"{c.left:>{args.width}}[{c.word}]{c.right:<{args.width}}  {c.document_title}"
                 + (f" · {c.municipality}" if c.municipality else "") for c in found]
        shown.append(f"{len(found)} use(s) of {args.kwic}")
        ctx.emit([c.as_dict() for c in found], shown)
        return 0
    with ctx.project(readonly=True).read() as session:
        table = build(session, filters, args.by, roles=args.role or None, keyness=args.keyness,
                      limit=args.limit or 30, keep_stopwords=args.all_words, min_count=args.min_count,
                      no_names=args.no_names)
    lines: list[str] = []
    if table.names_removed is not None:
        shown_names = ", ".join(table.names_removed[:12]) + (", ..." if len(table.names_removed) > 12 else "")
        lines.append(f"names left out: {len(table.names_removed)} word(s)" + (f" ({shown_names})" if shown_names
                                                                                else ""))
    for column in table.columns:
        lines.append(f"{column.label}: {column.tokens} words, {column.types} different")
        if column.key_words is not None:
            lines.append("  key words (log-likelihood against the rest; per 10,000 words here vs elsewhere):")
            lines += [f"    {k.word:<24} {k.count:>6}  G2 {k.log_likelihood:8.1f}  "
                      f"{k.per_10k:7.1f} vs {k.other_per_10k:7.1f}" for k in column.key_words]
            if not column.key_words:
                lines.append("    none")
        else:
            lines += [f"    {w.word:<24} {w.count:>6}  {w.per_10k:7.1f} per 10,000" for w in column.words]
    ctx.emit(table.as_dict(), lines)
    return 0
