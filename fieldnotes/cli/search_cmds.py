"""Handlers of `fieldnotes search` and `fieldnotes similar`: thin wrappers over fieldnotes.search."""

from __future__ import annotations

import os
import sys
from typing import Any

from fieldnotes.analysis.columns import DIMENSION_NAMES, column_label, dimension_name, phase_start
from fieldnotes.cli.coding_cmds import acting
from fieldnotes.cli.context import Context
from fieldnotes.cli.filters_args import filters_from
from fieldnotes.errors import InvalidInput
from fieldnotes.queries.filters import Filters
from fieldnotes.search.results import Hit, one_line
from fieldnotes.translations import _, format_date, format_decimal, format_number, ngettext, said

KWIC_WIDTH = 40


def _filters(ctx: Context) -> Filters:
    args = ctx.args
    filters = filters_from(args)
    filters.codes = list(getattr(args, "inside", []) or [])
    filters.descendants = not getattr(args, "no_descendants", False)
    filters.documents = list(getattr(args, "document", []) or [])
    return filters


def _context(ctx: Context, default: str | None) -> str | int | None:
    from fieldnotes.coding.excerpts import parse_context

    value = getattr(ctx.args, "context", None)
    return parse_context(value) if value else default


def _marks() -> tuple[str, str]:
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        return "\x1b[1;7m", "\x1b[0m"
    return "«", "»"


def _flat(text: str) -> str:
    return " ".join(text.split())


def kwic(hit: Hit, width: int = KWIC_WIDTH, number: int | None = None) -> str:
    """One concordance line: the hit's number (for `--code C --hits`), the hit between its context, then
    where it is. Highlighted for a terminal, the text is escaped here (the line is written as it is)."""
    from fieldnotes.text import terminal_safe

    opening, closing = _marks()
    safe = terminal_safe if opening.startswith("\x1b") else (lambda text, one_line=True: text)
    from fieldnotes.search.results import snippet

    # the text's own spaces and punctuation: no space is added around the marks ("«praktik»," stays so)
    before, middle, after = (safe(part, one_line=True) for part in
                             snippet(hit.context_before, hit.text, hit.context_after, width))
    where = safe(" · ".join(str(x) for x in (hit.document_title, hit.municipality, format_date(hit.date, "short"),
                                                hit.speaker) if x),
                 one_line=True)
    score = f"  {format_decimal(hit.score, 2)}" if hit.score < 1 else ""
    line = f"{before:>{width}}{opening}{middle}{closing}{after:<{width}}"
    prefix = f"{number:>4}  " if number is not None else ""
    return f"{prefix}{line}  {where} · {hit.start}:{hit.end}{score}"


#: no search lists more hits than this (a bound for `--hits` ranges)
MAX_HIT = 1_000_000


def hit_numbers(value: str) -> list[int]:
    """`--hits 1,3,7` or `2-5` (or both): the chosen hit numbers, 1-based, in order and without repeats."""
    chosen: dict[int, None] = {}
    for part in value.split(","):
        part = part.strip()
        first, dash, last = part.partition("-")
        try:
            low = int(first)
            high = int(last) if dash else low
        except ValueError:
            raise InvalidInput(_("--hits {value!r} is not a list of hit numbers").format(value=value),
                               hint=_("give the numbers the search lists, like --hits 1,3,7 or --hits 2-5")) from None
        if low < 1 or high < low:
            raise InvalidInput(_("--hits {part!r} is not a hit number or a range N-M of them").format(part=part),
                               hint=_("hits are numbered from 1, as the search lists them"))
        if high > MAX_HIT:  # before expanding the range: `1-999999999` must not build a billion numbers
            raise InvalidInput(_("there is no hit {high}: a search lists at most {MAX_HIT:,} hits")
                               .format(high=str(high), MAX_HIT=MAX_HIT),
                               hint=_("give the numbers the search lists"))
        chosen.update(dict.fromkeys(range(low, high + 1)))
    return sorted(chosen)


def _chosen(hits: list[Any], numbers: list[int] | None) -> list[Any]:
    """The hits a `--hits` list picks (all of them without one); a number past the last hit is refused."""
    if numbers is None:
        return hits
    missing = [n for n in numbers if n > len(hits)]
    if missing:
        raise InvalidInput(_("there is no hit {item}: the search finds {n_hits} hit(s)")
                           .format(item=missing[0], n_hits=len(hits)),
                           hint=_("list the hits with the same search and filters, without --code"))
    return [hits[n - 1] for n in numbers]


def search(ctx: Context) -> int:
    from fieldnotes.search.fulltext import Options

    args = ctx.args
    if args.reindex:
        return _reindex(ctx)
    if args.query is None:
        raise InvalidInput(_("give something to search for"), hint=_("for example: fieldnotes search praktik"))
    given = (("--snap", args.snap), ("--memo", args.memo), ("--rating", args.code_rating), ("--dry-run", args.dry_run),
             ("--hits", args.hits))
    coding_flags = [flag for flag, value in given if value not in (None, False)]
    if coding_flags and not args.apply_code:
        raise InvalidInput(_("{coding_flags} go(es) with --code")
                           .format(coding_flags=', '.join(coding_flags)), hint=_("add --code CODE to code the hits"))
    if args.counts and args.apply_code:
        raise InvalidInput(_("--counts and --code do not go together"), hint=_("count first, then code"))
    options = Options(fuzzy=args.fuzzy, min_score=args.min_score, stem=args.stem, limit=args.limit, sort=args.sort)
    options.check()
    if args.counts:
        return _counts(ctx, options)
    if args.apply_code:
        return _code(ctx, options)
    from fieldnotes.search.fulltext import search as run_search

    with ctx.project(readonly=True).read() as session:
        result = run_search(session, args.query, _filters(ctx), options, context=_context(ctx, "sentence"))
    for note in result.notes:
        ctx.note(note)
    if args.inside and not result.documents_searched:
        ctx.note(_("no text is coded with {codes} in the documents searched").format(codes=", ".join(args.inside)))
    summary = _("{hits} in {documents} of {searched} searched").format(
        hits=ngettext("{n} hit", "{n} hits", len(result.hits)).format(n=format_number(len(result.hits))),
        documents=ngettext("{n} document", "{n} documents", result.documents_with_hits).format(
            n=format_number(result.documents_with_hits)),
        searched=format_number(result.documents_searched))
    if not result.complete:
        summary += _("; stopped at --limit {limit}, there may be more").format(limit=options.limit)
    ctx.emit([{"number": n, **h.as_dict()} for n, h in enumerate(result.hits, 1)],
             [kwic(h, number=n) for n, h in enumerate(result.hits, 1)] + [summary], escaped=True)
    return 0


def _counts(ctx: Context, options: Any) -> int:
    from fieldnotes.search.counts import counts

    with ctx.project(readonly=True).read() as session:
        table = counts(session, ctx.args.query, _filters(ctx), options, by=ctx.args.by)
        start = phase_start(session, "phase") if table.by == "phase" else None  # a phase is shown with its months
    for note in table.notes:
        ctx.note(note)
    by = dimension_name(table.by) if table.by in DIMENSION_NAMES else _(str(table.by))
    labels = [_("(none)") if row.label is None else column_label(str(table.by), str(row.label), start)
              if table.by in DIMENSION_NAMES else str(row.label) for row in [*table.rows, table.total]]
    wide = 28 if table.by != "phase" else max(28, *(len(label) for label in labels))
    header = (f"{by:<{wide}} {_('hits'):>7} {_('documents'):>10} {_('searched'):>9} {_('characters'):>12} "
              f"{_('per 100k'):>9}")
    lines = [_("counts of {query} by {dimension}").format(query=table.query, dimension=by), header, "-" * len(header)]
    for row, label in zip([*table.rows, table.total], labels, strict=True):
        lines.append(f"{label[:wide]:<{wide}} {format_number(row.hits):>7} {format_number(row.documents):>10} "
                     f"{format_number(row.searched_documents):>9} {format_number(row.characters):>12} "
                     f"{format_decimal(row.per_100k_characters, 2):>9}")
    ctx.emit(table.as_dict(), lines)
    return 0


def _code(ctx: Context, options: Any) -> int:
    from fieldnotes.codebook.tree import CodeTree, code_named
    from fieldnotes.coding import applying
    from fieldnotes.db.models import Code
    from fieldnotes.search.coding import code_spans, spans_of, widened
    from fieldnotes.search.fulltext import find, search
    from fieldnotes.search.units import resolve

    args = ctx.args
    numbers = hit_numbers(args.hits) if args.hits else None

    def chosen_code(session: Any) -> Code:
        row = code_named(session, args.apply_code)
        applying.check_code(row)
        applying.check_rating(row, args.code_rating)
        return row

    if args.dry_run:
        with ctx.project(readonly=True).read() as session:
            code_row = chosen_code(session)
            code_id, path = str(code_row.id), CodeTree.load(session).path(code_row.id)
            result = search(session, args.query, _filters(ctx), options, context=None)
            picked = _chosen(result.hits, numbers)
            planned = widened(session, spans_of(picked), args.snap)
            titles = {h.document: h.document_title for h in picked}
            texts = {doc: text for doc, text in _texts(session, {d for d, _, _ in planned}).items()}
        rows = [{"document": str(doc), "document_title": titles[str(doc)], "start": start, "end": end,
                 "text": texts[doc][start:end]} for doc, start, end in planned]
        lines = [_("dry run: would code {spans} span(s) from {hits} hit(s) with {code!r}").format(
            spans=format_number(len(rows)), hits=format_number(len(picked)), code=path)]
        lines += [f"  {r['document_title']} {r['start']}:{r['end']}  {_flat(str(r['text']))[:100]}" for r in rows]
        ctx.emit({"dry_run": True, "code": code_id, "code_path": path, "spans": rows}, lines)
        return 0
    which = said("hits {numbers}", numbers=args.hits.replace(" ", "")) if numbers else said("the hits")
    summary = said("coded {which} of {query!r} with {code}", which=which, query=args.query, code=args.apply_code)
    details: dict[str, Any] = {"query": args.query, "fuzzy": args.fuzzy}
    if numbers:
        details["hits"] = numbers
    with acting(ctx, "search.code", summary, details) as (session, cid):
        code_row = chosen_code(session)
        tree = CodeTree.load(session)
        scope = resolve(session, _filters(ctx))
        found = find(session, args.query, scope, options)
        coded = code_spans(session, spans_of(_chosen(found.hits, numbers)), code_row, coder_id=cid, memo=args.memo,
                           rating=args.code_rating, snap=args.snap)
        titles = {str(d): info.title for d, info in scope.documents.items()}
        out = [{"id": c.id, "document": c.document, "document_title": titles.get(c.document), "code": str(code_row.id),
                "code_path": tree.path(code_row.id), "start": c.start, "end": c.end, "text": c.text,
                "created": c.created} for c in coded]
    for note in found.notes:
        ctx.note(note)
    new = sum(1 for c in coded if c.created)
    documents = len({c.document for c in coded})
    if not coded:
        lines = [_("no hits; nothing was coded")]
    else:
        lines = [_("coded {spans} span(s) in {documents} document(s) with {code!r}").format(
                    spans=format_number(new), documents=format_number(documents), code=out[0]["code_path"])
                 + (_(" ({n} already had it)").format(n=format_number(len(coded) - new)) if new < len(coded) else "")
                 + _("; `fieldnotes undo` takes them all back")]
    ctx.emit(out, lines)
    return 0


def _texts(session: Any, doc_ids: set[Any]) -> dict[Any, str]:
    from sqlalchemy import select

    from fieldnotes.db.models import Document

    return dict(session.execute(select(Document.id, Document.text).where(Document.id.in_(doc_ids))).all())


def _reindex(ctx: Context) -> int:
    from fieldnotes.search import index

    with ctx.project().write() as session:
        kind = index.rebuild(session)
    message = {"fts5": _("rebuilt the search index"), "tsvector": _("rebuilt the search index"),
               "scan": _("this SQLite has no full-text search (FTS5); searches read the documents instead")}[kind]
    ctx.emit({"index": kind}, message)
    return 0


def similar(ctx: Context) -> int:
    from fieldnotes.search.similar import similar as find_similar

    args = ctx.args
    with ctx.project(readonly=True).read() as session:
        result = find_similar(session, args.coding, limit=args.limit, unit=args.unit, filters=_filters(ctx),
                              context=_context(ctx, None))
    lines = [_("passages like coding {coding} ({code}) that do not carry its code:").format(
        coding=result.coding_id[:8], code=result.code_path)]
    for hit in result.hits:
        where = " · ".join(str(x) for x in (hit.document_title, hit.municipality, format_date(hit.date, "short"),
                                               hit.speaker) if x)
        lines.append(f"{format_decimal(hit.score, 2)}  {where} · {hit.start}:{hit.end}")
        lines.append("      " + one_line(hit.context_before + hit.text + hit.context_after)[:300])
    if not result.hits:
        lines.append(_("none found"))
    ctx.emit([h.as_dict() for h in result.hits], lines)
    return 0
