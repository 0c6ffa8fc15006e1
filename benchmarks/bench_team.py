"""Team-work benchmarks on a tier project: bundles, merges and inter-coder agreement.

    python -m benchmarks --tier typical --only team

- write a bundle of one coder's work (the generator's first coder made every change, so it holds the
  whole project: the largest bundle a team will make);
- merge that bundle into a copy of the project it came from: every row compared, nothing to do (the
  check that merging again changes nothing);
- merge a day's offline work (200 new codings, a memo and a renamed code by another coder) into a
  fresh copy, backup included; and weeks of it (5,000 codings);
- move the whole project file into an empty project (what moving onto a shared server does, here
  into a SQLite file);
- character-level agreement of two coders over every document they share, per code and pooled.

Each figure is the median of at least five runs with a baseline measured in the same run: copying
the project file (the cheapest way to "merge" anything; on a server, the server copying the database)
for bundles and merges, and counting with per-character Python sets (the naive way) for agreement, whose
counts must be the same.

On a server (`--backend postgres`) the bundle is written from the server and the merges go into copies of
the server's project; a day's work is still done on a laptop's SQLite copy of the tier's file, and the
whole project is moved from that file onto an empty server database, as a team does.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.backends import Files, current
from benchmarks.measure import Figure, figure


def _median_of(prepare: Callable[[int], Any], run: Callable[[Any], Any], runs: int,
               cleanup: Callable[[Any], Any] | None = None) -> list[float]:
    """Times of `run` on inputs made by `prepare` just before (setup and cleanup are never timed).

    Each input is cleaned up as soon as it has been measured: at the stress tier a copy of the project
    and its backups take gigabytes, and a run that kept them all filled the disk."""
    times = []
    for index in range(runs + 1):
        item = prepare(index)
        began = time.perf_counter()
        run(item)
        if index:  # the first is a warm-up
            times.append((time.perf_counter() - began) * 1000)
        if cleanup is not None:
            cleanup(item)
    return times


def _remove_project(target: str) -> None:
    """A project the benchmark made (a file with its journal files, or a server database) and its backups."""
    current().remove(target)


def _figure(operation: str, times: list[float], baseline: tuple[str, list[float]] | None, note: str = "") -> Figure:
    result = Figure(operation, statistics.median(times), max(times) - min(times), len(times), note=note)
    if baseline is not None:
        result.baseline = baseline[0]
        result.baseline_median_ms = statistics.median(baseline[1])
    return result


def _copy(source: str, target: Path) -> str:
    return current().copy(source, target)


def _first_coder(project_path: str) -> str:
    from sqlalchemy import select

    from fieldnotes.db.models import Change, Coder
    from fieldnotes.project.opening import open_project

    with open_project(project_path, readonly=True) as project, project.read() as session:
        query = select(Change.coder_id).where(Change.coder_id.is_not(None)).order_by(Change.seq)
        first = session.scalars(query).first()
        name = session.get(Coder, first).name if first else None
    assert name is not None
    return name


def _days_work(source: Path, folder: Path, codings: int = 200, name: str = "day") -> Path:
    """A laptop's copy of the project's file where a new coder codes, writes a memo and renames a code; their
    bundle."""
    from sqlalchemy import select

    from fieldnotes.codebook import operations
    from fieldnotes.coding import applying, memos
    from fieldnotes.db.models import Code, Document
    from fieldnotes.project.actions import acting
    from fieldnotes.project.opening import open_project
    from fieldnotes.team.bundle import write_bundle

    laptop = Files().copy(str(source), folder / f"laptop-{name}.db")
    rng = random.Random(17)
    coder = "Bench Feltarbejder"
    with open_project(str(laptop)) as project:
        with acting(project, coder, "code", "a day's coding") as (session, cid):
            docs = list(session.execute(select(Document.id, Document.length)).all())
            codes = list(session.scalars(select(Code).where(Code.codable.is_(True), Code.scale_min.is_(None))))
            items = []
            for _ in range(codings):
                doc_id, length = docs[rng.randrange(len(docs))]
                start = rng.randrange(0, max(1, length - 300))
                items.append(applying.NewCoding(doc_id, codes[rng.randrange(len(codes))].id, cid, start,
                                              start + rng.randint(30, 290)))
            applying.apply_bulk(session, items)
        with acting(project, coder, "memo.add", "a memo") as (session, cid):
            doc = session.get(Document, docs[0][0])
            assert doc is not None
            memos.add(session, memos.Target("document", doc.id, doc.title), "Dagens indtryk: æøå 🙂", coder_id=cid)
        with acting(project, coder, "codebook.rename", "a rename") as (session, _):
            code = codes[0]
            operations.rename(session, session.get(Code, code.id), code.name + " (omdøbt)")  # type: ignore[arg-type]
        bundle = folder / f"{name}.fnbundle"
        write_bundle(project, bundle, coder_names=[coder], acting=coder)
    Files().remove(laptop)
    return bundle


def naive_agreement(session: Any, first: str, second: str) -> dict[uuid.UUID, tuple[int, int, int, int]]:
    """a, b, c, d per code, counted with per-character sets: the slow, obvious way."""
    from sqlalchemy import select

    from fieldnotes.db.coders import coder_id
    from fieldnotes.db.models import Coding, Document

    ids = [coder_id(first), coder_id(second)]
    rows = session.execute(select(Coding.code_id, Coding.document_id, Coding.coder_id, Coding.start, Coding.end)
                           .where(Coding.coder_id.in_(ids))).all()
    coded = {cid: {r.document_id for r in rows if r.coder_id == cid} for cid in ids}
    shared = coded[ids[0]] & coded[ids[1]]
    lengths = dict(session.execute(select(Document.id, Document.length).where(Document.id.in_(shared))).all())
    total = sum(lengths.values())
    chars: dict[uuid.UUID, list[set[tuple[uuid.UUID, int]]]] = {}
    for row in rows:
        if row.document_id in shared:
            sets = chars.setdefault(row.code_id, [set(), set()])
            sets[ids.index(row.coder_id)].update((row.document_id, i) for i in range(row.start, row.end))
    out = {}
    for code, (one, two) in chars.items():
        both = len(one & two)
        out[code] = (both, len(one) - both, len(two) - both, total - len(one | two))
    return out


def figures(project_path: str, tier: str, scratch: Path, *, runs: int = 5) -> list[Figure]:
    from fieldnotes.project.creation import create_project
    from fieldnotes.project.opening import open_project
    from fieldnotes.team.agreement import agreement
    from fieldnotes.team.bundle import read_bundle, write_bundle
    from fieldnotes.team.merge import merge

    out: list[Figure] = []
    backend = current()
    laptop_file = backend.source_file or Path(project_path)  # the tier's SQLite file
    coder = _first_coder(project_path)
    copies: list[str] = []
    copy_times = _median_of(lambda i: scratch / f"plain-{i}.db", lambda target: copies.append(_copy(project_path,
                            target)), runs, cleanup=lambda _: _remove_project(copies.pop()))
    plain = (backend.copy_label, copy_times)

    source = _copy(project_path, scratch / "source.db")
    big = scratch / "whole.fnbundle"

    def bundle_once(target: Path) -> None:
        with open_project(str(source)) as project:
            write_bundle(project, target, coder_names=[coder], acting=coder)

    def keep_one(target: Path) -> None:
        if big.exists():
            target.unlink()
        else:
            target.rename(big)

    out.append(_figure(f"bundle one coder's work (here: the whole {tier} project)",
                       _median_of(lambda i: scratch / f"whole-{i}.fnbundle", bundle_once, runs, cleanup=keep_one),
                       plain, note=f"{big.stat().st_size / 1_048_576:.1f} MB compressed"))

    def nothing_to_do(_: Any) -> None:
        with open_project(str(source)) as project:
            assert merge(project, big, coder_name=coder).nothing

    out.append(_figure("merge that bundle again: every row compared, nothing to do",
                       _median_of(lambda i: i, nothing_to_do, runs), plain))

    _remove_project(source)
    day = _days_work(laptop_file, scratch)

    def fresh_copy(index: int) -> str:
        copy = _copy(project_path, scratch / f"target-{index}.db")
        with open_project(copy):  # the day's automatic backup of a new file is made here, untimed
            pass
        return copy

    def merge_day(target: str) -> None:
        with open_project(target) as project:
            report = merge(project, day, coder_name="Bench Koordinator")
            assert report.added.get("codings") == 200, report.as_dict()

    out.append(_figure("merge a day's work (200 codings, a memo, a rename)",
                       _median_of(fresh_copy, merge_day, runs, cleanup=_remove_project),
                       plain, note="backup before the merge included"))

    many = 1_000 if tier == "tiny" else 5_000  # the smoke test keeps under a minute
    weeks = _days_work(laptop_file, scratch, codings=many, name="weeks")
    carried = read_bundle(weeks).manifest["counts"]["changed"]["codings"]  # a repeated span is coded once

    def merge_weeks(target: str) -> None:
        with open_project(target) as project:
            report = merge(project, weeks, coder_name="Bench Koordinator")
            assert report.added.get("codings") == carried, report.as_dict()

    out.append(_figure(f"merge a bundle of {many:,} codings (and a memo, a rename)",
                       _median_of(lambda i: fresh_copy(100 + i), merge_weeks, runs, cleanup=_remove_project), plain,
                       note="backup before the merge included"))

    def empty_project(index: int) -> str:
        target = backend.new(scratch / f"empty-{index}.db")
        create_project(target, empty=True, coder="Server").close()
        return target

    def move(target: str) -> None:
        with open_project(target) as project:
            assert merge(project, laptop_file, coder_name="Server").identity_adopted

    if backend.name == "postgres" and tier != "tiny" and backend.move_ms is not None:
        # minutes per run on a server with fsync on: the move this run began with is the figure
        out.append(Figure("move the whole project into an empty project (single run)", backend.move_ms, 0.0, 1,
                          note="`fieldnotes init --empty` and `fieldnotes merge project.db` on the server: the move "
                               "this run began with"))
    else:
        out.append(_figure("move the whole project into an empty project",
                           _median_of(empty_project, move, runs, cleanup=_remove_project), plain,
                           note="what `fieldnotes merge project.db --db URL` does on a new server"
                                + (" (into an empty server database here)" if backend.name == "postgres" else "")))

    with open_project(project_path, readonly=True) as project, project.read() as session:
        from sqlalchemy import select

        from fieldnotes.db.models import Coder

        names = sorted(session.scalars(select(Coder.name)))[:2]
        report = agreement(session, names)
        naive = naive_agreement(session, names[0], names[1])
        for row in report.codes:
            counts = row.pairs[(0, 1)]
            assert row.code_id is not None
            assert (counts.a, counts.b, counts.c, counts.d) == naive[row.code_id], row.code_path
        out.append(figure(f"agreement of two coders, per character ({len(report.codes)} codes, "
                          f"{len(report.documents)} documents)", lambda: agreement(session, names), runs=runs,
                          baseline=("per-character sets", lambda: naive_agreement(session, names[0], names[1]))))
    return out


if __name__ == "__main__":  # pragma: no cover
    import sys
    import tempfile

    from benchmarks.__main__ import main

    with tempfile.TemporaryDirectory():
        sys.exit(main(["--only", "team", *sys.argv[1:]]))
