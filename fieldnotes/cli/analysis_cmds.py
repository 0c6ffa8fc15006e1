"""Commands of the analysis: matrix, cooccurrence, ratings, words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldnotes.analysis.columns import column_label, dimension_name, phase_start
from fieldnotes.cli.context import Context
from fieldnotes.cli.filters_args import filters_from
from fieldnotes.translations import _, format_date, format_decimal, format_number, ngettext


def excerpt_lines(found: list[Any], context: str | int | None) -> list[str]:
    """Excerpts as `fieldnotes excerpts` prints them."""
    lines = []
    for e in found:
        where = " · ".join(x for x in (e.document_title, e.municipality, format_date(e.date, "short"), e.speaker,
                                       e.coder) if x)
        rating = f" [{e.rating}]" if e.rating is not None else ""
        lines.append(f"{e.code_path}{rating}  ({where})")
        body = (e.context_before + "«" + e.text + "»" + e.context_after) if context is not None else e.text
        lines.extend("    " + line for line in body.splitlines())
        if e.memo:
            lines.append("    " + _("memo: {memo}").format(memo=e.memo))
    lines.append((_("{n} excerpt") if len(found) == 1 else _("{n} excerpts")).format(n=len(found)))
    return lines


def _show_excerpts(ctx: Context, found: list[Any], context: str | int | None, limit: int | None) -> int:
    if limit is not None:
        found = found[:limit]
    ctx.emit([e.as_dict() for e in found], excerpt_lines(found, context))
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
        ctx.emit(info, [_("wrote the matrix to {file}").format(file=args.csv or args.xlsx), info["names"]])
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
    within = {"overlap": _("overlap"), "turn": _("turn"), "paragraph": _("paragraph")}[result.within]

    def unit(n: int) -> str:  # "1 overlap", "2 overlaps": the word in the count's form, beside its number
        phrase = {"overlap": ngettext("{count} overlap", "{count} overlaps", n),
                  "turn": ngettext("{count} turn", "{count} turns", n),
                  "paragraph": ngettext("{count} paragraph", "{count} paragraphs", n)}[result.within]
        return phrase.format(count="").strip()

    def docs(n: int) -> str:
        return ngettext("{count} document", "{count} documents", n).format(count="").strip()

    lines = [f"{format_number(p.count):>6} {unit(p.count):<10} {format_number(p.documents):>4} "
             f"{docs(p.documents):<10}  {p.code_a_path}  ×  {p.code_b_path}" for p in pairs]
    lines.append(ngettext("{n} pair of codes meets ({within})", "{n} pairs of codes meet ({within})",
                          len(result.pairs)).format(n=format_number(len(result.pairs)), within=within))
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
        mean = "-" if stats.mean is None else format_decimal(stats.mean, 2)
        median = "-" if stats.median is None else format_number(stats.median)
        spread = " ".join(f"{point}:{format_number(n)}" for point, n in stats.distribution.items())
        label = _("total") if stats is result.total else result.title(stats.label)
        return f"{label:<28} {format_number(stats.count):>6} {mean:>6} {median:>6}   {spread}"

    lines = [_("ratings of {codes} (scale {low}–{high}) by {dimension}").format(
                codes=", ".join(result.codes), low=result.scale[0], high=result.scale[1],
                dimension=dimension_name(result.by)),
             f"{'':<28} {_('n'):>6} {_('mean'):>6} {_('median'):>6}   {_('distribution')}"]
    lines += [row(stats) for stats in result.columns]
    lines.append(row(result.total))
    ctx.emit(result.as_dict(), lines)
    return 0


def _rating_grid(ctx: Context, grid: Any) -> int:
    """The small multiples as text: one line per row, each column's mean (n), and the trend."""
    from fieldnotes.analysis import charts

    low, high = grid.scale
    width = max([8, *(len(grid.row_title(row)) for row in grid.rows)])
    titles = [grid.column_title(column) for column in grid.columns]
    widths = [max(11, len(title) + 2) for title in titles]  # a phase's heading holds its dates
    lines = [_("ratings of {names} (scale {low}–{high}): mean (n) by {columns_by}, one line per {rows_by}")
             .format(names=", ".join(grid.codes), low=low, high=high, columns_by=dimension_name(grid.columns_by),
                     rows_by=dimension_name(grid.rows_by)),
             " " * width + "".join(f"{title:>{w}}" for title, w in zip(titles, widths, strict=True))
             + "   " + _("trend")]
    for row in grid.rows:
        cells = [grid.cells[row][column] for column in grid.columns]
        shown = "".join(f"{'-' if c.mean is None else format_decimal(c.mean, 2):>{w - 5}} ({c.count:>2})"
                        for c, w in zip(cells, widths, strict=True))
        first, last = charts.first_and_last(grid.means(row))
        lines.append(f"{grid.row_title(row):<{width}}{shown}   "
                     f"{charts.sparkline(grid.means(row), low, high)} {charts.direction(first, last)}")
    ctx.emit(grid.as_dict(), lines)
    return 0


# --- words ---------------------------------------------------------------------------------------


def words(ctx: Context) -> int:
    from fieldnotes.analysis.words import ALL, kwic
    from fieldnotes.analysis.words import words as build

    args = ctx.args
    filters = filters_from(args)
    if args.kwic:
        with ctx.project(readonly=True).read() as session:
            found = kwic(session, filters, args.kwic, roles=args.role or None, width=args.width, limit=args.limit)
        shown = [f"{c.left:>{args.width}}[{c.word}]{c.right:<{args.width}}  {c.document_title}"
                 + (f" · {c.municipality}" if c.municipality else "") for c in found]
        shown.append(ngettext("{n} use of {word}", "{n} uses of {word}", len(found)).format(
            n=format_number(len(found)), word=args.kwic))
        ctx.emit([c.as_dict() for c in found], shown)
        return 0
    with ctx.project(readonly=True).read() as session:
        table = build(session, filters, args.by, roles=args.role or None, keyness=args.keyness,
                      limit=args.limit or 30, keep_stopwords=args.all_words, min_count=args.min_count,
                      no_names=args.no_names)
        start = phase_start(session, "phase") if table.by == "phase" else None  # a phase is shown with its months
    lines: list[str] = []
    if table.names_removed is not None:
        shown_names = ", ".join(table.names_removed[:12]) + (", ..." if len(table.names_removed) > 12 else "")
        lines.append(ngettext("names left out: {n} word", "names left out: {n} words", len(table.names_removed))
                     .format(n=format_number(len(table.names_removed)))
                     + (f" ({shown_names})" if shown_names else ""))
    versus, per_10k = _("vs"), _("per 10,000")
    for column in table.columns:
        label = _("(all)") if column.label == ALL or not table.by else column_label(table.by, column.label, start)
        lines.append(_("{label}: {words} words, {different} different").format(
            label=label, words=format_number(column.tokens), different=format_number(column.types)))
        if column.key_words is not None:
            lines.append("  " + _("key words (log-likelihood against the rest; per 10,000 words here vs elsewhere):"))
            lines += [f"    {k.word:<24} {format_number(k.count):>6}  G2 {format_decimal(k.log_likelihood):>8}  "
                      f"{format_decimal(k.per_10k):>7} {versus} {format_decimal(k.other_per_10k):>7}"
                      for k in column.key_words]
            if not column.key_words:
                lines.append("    " + _("none"))
        else:
            lines += [f"    {w.word:<24} {format_number(w.count):>6}  {format_decimal(w.per_10k):>7} {per_10k}"
                      for w in column.words]
    ctx.emit(table.as_dict(), lines)
    return 0
