"""Analysis benchmarks: code matrices, co-occurrence, ratings, word frequencies and key words.

    python -m benchmarks.bench_analysis --tier target          # 2,000 documents, 20 M characters, 100k codings
    python -m benchmarks.bench_analysis --tier tiny --json     # a quick run

The tier's project is built in-process by benchmarks.generate (documents through add_document, codings
through engine.apply_bulk inside one recorded change per batch), once, into benchmarks/out/, and reused.
Targets at the target tier: any code matrix under 200 ms, co-occurrence of all codes under 2 s, word
frequencies over the 20 M characters under 5 s.

Every figure is the median of at least five runs (after one warm-up), measured cold: nothing is cached
between runs. Three have a plain baseline measured in the same run, and the ratio says how many times
faster fieldnotes is:
- matrix: loading every coding as an ORM object and counting it into its code's and its ancestors'
  rows in a Python loop (what one writes first);
- co-occurrence: comparing every pair of codings within each document;
- words: the same text (speaker labels left out), a regex per piece, counted word by word into a dict.
`figures()` runs the same measurements on a tier project for `python -m benchmarks`; `run()` returns them
as a dict.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from benchmarks.measure import Figure, figure, table

TARGETS = {"matrix": 200.0, "cooccurrence": 2_000.0, "words": 5_000.0}


def _open(path: str | Path) -> Any:
    from fieldnotes.project.opening import open_project

    open_project(str(path)).close()  # upgrade the schema once if a newer fieldnotes added a migration
    return open_project(str(path), readonly=True)


# --- baselines ----------------------------------------------------------------------------------


def naive_matrix(session: Any) -> dict[Any, Counter[str]]:
    from sqlalchemy import select

    from fieldnotes.codebook.tree import CodeTree
    from fieldnotes.db.models import Coding
    from fieldnotes.documents.store import municipalities_by_document

    tree = CodeTree.load(session)
    municipalities = municipalities_by_document(session)
    cells: dict[Any, Counter[str]] = defaultdict(Counter)
    for coding in session.scalars(select(Coding)):
        for code in (coding.code_id, *tree.ancestors(coding.code_id)):
            for municipality in municipalities.get(coding.document_id, ["(none)"]):
                cells[code][municipality] += 1
    session.expunge_all()
    return cells


def naive_cooccurrence(session: Any) -> Counter[tuple[Any, Any]]:
    from sqlalchemy import select

    from fieldnotes.db.models import Coding

    per_document: dict[Any, list[Any]] = defaultdict(list)
    for row in session.execute(select(Coding.document_id, Coding.code_id, Coding.start, Coding.end)):
        per_document[row.document_id].append(row)
    pairs: Counter[tuple[Any, Any]] = Counter()
    for rows in per_document.values():
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                if a.code_id != b.code_id and a.start < b.end and b.start < a.end:
                    pairs[(min(a.code_id, b.code_id), max(a.code_id, b.code_id))] += 1
    return pairs


def naive_words(session: Any) -> dict[str, int]:
    from sqlalchemy import select

    from fieldnotes.analysis.words import TOKEN
    from fieldnotes.coding.spans import turn_content
    from fieldnotes.db.models import Document, SpeakerTurn

    turns: dict[Any, list[tuple[int, int]]] = defaultdict(list)
    for row in session.execute(select(SpeakerTurn.document_id, SpeakerTurn.start, SpeakerTurn.end)):
        turns[row.document_id].append((row.start, row.end))
    counts: dict[str, int] = {}
    for doc_id, text in session.execute(select(Document.id, Document.text)):
        pieces, position = [], 0
        for start, end in sorted(turns.get(doc_id, [])):  # the same text as fieldnotes reads: no speaker labels
            pieces.append(text[position:start])
            content_start, content_end = turn_content(text, start, end)
            pieces.append(text[content_start:content_end])
            position = max(position, end)
        pieces.append(text[position:])
        for piece in pieces:
            for token in TOKEN.findall(piece.lower()):
                counts[token] = counts.get(token, 0) + 1
    return counts


# --- the figures -----------------------------------------------------------------------------------


def figures(project_path: str | Path, tier: str, scratch: Path | None = None, *, runs: int = 5) -> list[Figure]:
    """Medians of `runs` runs of each analysis on the tier's project (`scratch` is unused: nothing is written)."""
    from fieldnotes.analysis.cooccurrence import cooccurrence
    from fieldnotes.analysis.matrix import matrix
    from fieldnotes.analysis.ratings import ratings
    from fieldnotes.analysis.words import kwic, words
    from fieldnotes.codebook.tree import CodeTree

    project = _open(project_path)
    out: list[Figure] = []
    with project.read() as session:
        tree = CodeTree.load(session)
        scaled = next((tree.path(n.id) for n in tree.walk() if n.scale_min is not None), None)
        check = matrix(session, None, "municipality", "codings", True)
        naive = naive_matrix(session)
        assert all(check.cells[tree.path(code)].get(m, 0) == n for code, row in naive.items() for m, n in row.items())
        for by, measure, rollup, baseline in (
            ("municipality", "codings", True, True), ("phase", "codings", True, False),
            ("municipality", "documents", True, False), ("municipality", "percent", True, False),
            ("municipality", "chars", True, False), ("municipality", "chars", False, False),
            ("kind", "codings", False, False), ("attr:team", "documents", True, False),
            ("coder", "codings", True, False), ("role", "codings", True, False), ("role", "percent", True, False),
        ):
            def run_matrix(by: str = by, measure: str = measure, rollup: bool = rollup) -> Any:
                return matrix(session, None, by, measure, rollup)

            out.append(figure(f"matrix: {measure} by {by}{'' if rollup else ', no rollup'}", run_matrix,
                              runs=runs, target_ms=TARGETS["matrix"], memory=baseline,
                              baseline=("ORM loop", lambda: naive_matrix(session)) if baseline else None))
        for within in ("overlap", "turn", "paragraph"):
            def run_cooccurrence(within: str = within) -> Any:
                return cooccurrence(session, None, within)

            out.append(figure(f"co-occurrence of all codes ({within})", run_cooccurrence, runs=runs,
                              target_ms=TARGETS["cooccurrence"], memory=within == "overlap",
                              baseline=("all pairs", lambda: naive_cooccurrence(session))
                              if within == "overlap" else None))
        if scaled is not None:
            out.append(figure("ratings of a scaled code by phase", lambda: ratings(session, scaled, None, "phase"),
                              runs=runs, memory=False))
        assert dict(words(session, None, None).counts["(all)"]) == naive_words(session)
        out.append(figure("word frequencies over all text", lambda: words(session, None, None), runs=runs,
                          target_ms=TARGETS["words"], baseline=("dict loop", lambda: naive_words(session))))
        out.append(figure("word frequencies by municipality", lambda: words(session, None, "municipality"),
                          runs=runs, target_ms=TARGETS["words"], memory=False))
        out.append(figure("key words by municipality (log-likelihood)",
                          lambda: words(session, None, "municipality", keyness=True), runs=runs,
                          target_ms=TARGETS["words"], memory=False))
        out.append(figure("key words in context: borger* (first 200)",
                          lambda: kwic(session, None, "borger*", limit=200), runs=runs, memory=False))
    project.close()
    return out


def run(tier: str = "tiny", *, seed: int = 7, runs: int = 5) -> dict[str, Any]:
    """Build (or reuse) the tier's project and return the figures as a dict."""
    from benchmarks.__main__ import project_for
    from benchmarks.generate import TIERS

    os.environ.setdefault("FIELDNOTES_HOME", tempfile.mkdtemp(prefix="fieldnotes-bench-home-"))
    found = figures(project_for(tier, seed), tier, runs=runs)
    return {"tier": tier, "shape": str(TIERS[tier]), "figures": [f.as_dict() for f in found]}


def main(argv: list[str] | None = None) -> int:
    from benchmarks.generate import TIERS

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_analysis", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=sorted(TIERS), default="tiny", help="size of the project (default tiny)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure, at least 5 (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    result = run(args.tier, runs=max(5, args.runs))
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(f"tier {args.tier}: {result['shape']}")
        print(table([Figure(**{k: v for k, v in f.items() if k not in ("ratio", "meets_target")})
                     for f in result["figures"]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
