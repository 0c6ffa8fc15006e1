"""Benchmarks of the foundation, import, coding engine and app: cold starts, import throughput,
applying a coding, excerpts with context, editing with remapping, opening a long document."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.backends import current
from benchmarks.generate import transcript
from benchmarks.measure import Figure, figure

ROOT = Path(__file__).resolve().parent.parent


def _subprocess_ms(args: list[str], runs: int = 5) -> list[float]:
    times = []
    for _ in range(runs + 1):
        began = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append((time.perf_counter() - began) * 1000)
    return times[1:]


def cold_start_help() -> Figure:
    import statistics

    times = _subprocess_ms([sys.executable, "-m", "fieldnotes", "--help"])
    return Figure("cold start: fieldnotes --help", statistics.median(times), max(times) - min(times), len(times),
                  target_ms=300)


def cold_start_app(project: str) -> Figure:
    import statistics

    script = ROOT / "benchmarks" / "app_start.py"
    times = _subprocess_ms([sys.executable, str(script), project])
    return Figure("cold start: app interactive on the project", statistics.median(times), max(times) - min(times),
                  len(times), target_ms=1000, note="process start to home screen filled with data (headless)")


def app_memory(project: str) -> Figure:
    """Peak resident memory of the app after every mode and the longest document were shown."""
    script = ROOT / "benchmarks" / "app_memory.py"
    out = subprocess.run([sys.executable, str(script), project], check=True, capture_output=True, text=True)
    elapsed, peak = (float(x) for x in out.stdout.split()[-2:])
    return Figure("app walk through every mode (single run)", elapsed, 0.0, 1, peak_mb=peak,
                  note=f"peak resident memory {peak:.0f} MB (ceiling: 400 MB); the peak MB column is RSS here")


def apply_coding(project_path: str) -> Figure:
    from sqlalchemy import select

    from fieldnotes.coding import applying
    from fieldnotes.db.models import Code, Document
    from fieldnotes.project.actions import acting
    from fieldnotes.project.opening import open_project

    project = open_project(project_path)
    rng = random.Random(3)
    with project.read() as session:
        docs = [(d.id, d.length) for d in session.execute(select(Document.id, Document.length)).all()]
        codes = [c for c in session.scalars(select(Code.id).where(Code.codable.is_(True), Code.scale_min.is_(None)))]

    def once() -> None:
        doc_id, length = docs[rng.randrange(len(docs))]
        start = rng.randrange(0, length - 200)
        with acting(project, "Bench Koder 1", "code", "benchmark coding") as (session, coder_id):
            document = session.get(Document, doc_id)
            code = session.get(Code, codes[rng.randrange(len(codes))])
            assert document is not None and code is not None
            applying.apply(session, document, code, start, start + rng.randint(40, 190), coder_id=coder_id)

    result = figure("apply one coding (API, committed)", once, runs=21, target_ms=5, memory=False)
    project.close()
    return result


def excerpts_with_context(project_path: str) -> Figure:
    from fieldnotes.coding.excerpts import excerpts
    from fieldnotes.project.opening import open_project

    project = open_project(project_path, readonly=True)

    def once() -> None:
        with project.read() as session:
            found = excerpts(session, context="sentence", limit=10_000)
            assert found

    result = figure("fetch 10,000 excerpts with sentence context", once, target_ms=300)
    project.close()
    return result


#: the long-document project, built once per run and copied for each benchmark that changes it
_LONG: dict[str, tuple[str, str]] = {}


def _long_document_project(folder: Path, name: str = "long.db") -> tuple[str, str]:
    """A fresh copy of the long-document project (a file in `folder`, or a database on the server)."""
    backend = current()
    if "built" not in _LONG or (backend.name == "sqlite" and not Path(_LONG["built"][0]).exists()):
        _LONG["built"] = _build_long_document_project(backend.new(folder / "long-pristine.db"))
    built, doc_id = _LONG["built"]
    return backend.copy(built, folder / name), doc_id


def _build_long_document_project(path: str, characters: int = 100_000, codings: int = 1_000) -> tuple[str, str]:
    from sqlalchemy import select

    from fieldnotes.codebook import operations
    from fieldnotes.coding.applying import NewCoding, apply_bulk
    from fieldnotes.db.models import Document
    from fieldnotes.documents.store import NewDocument, add_document
    from fieldnotes.project.actions import acting
    from fieldnotes.project.creation import create_project

    rng = random.Random(11)
    project = create_project(path, empty=True, coder="Bench")
    text = transcript(rng, characters)
    with acting(project, "Bench", "import", "long document") as (session, coder_id):
        codes = [operations.add(session, f"Kode {i}", coder_id=coder_id).id for i in range(20)]
        added = add_document(session, NewDocument(text=text, title="Langt interview", kind="interview"),
                             coder_id=coder_id)
        doc_id = added.document.id
    with acting(project, "Bench", "code", "codings") as (session, coder_id):
        length = len(text)
        items = []
        for _ in range(codings):
            start = rng.randrange(0, length - 300)
            items.append(NewCoding(doc_id, codes[rng.randrange(20)], coder_id, start, start + rng.randint(30, 290)))
        apply_bulk(session, items)
    with project.read() as session:
        assert session.scalar(select(Document.length)) == len(text)
    project.close()
    return path, str(doc_id)


def edit_long_document(folder: Path) -> Figure:
    from fieldnotes.coding.edit import edit_text
    from fieldnotes.db.models import Document
    from fieldnotes.project.actions import acting
    from fieldnotes.project.opening import open_project

    path, doc_id = _long_document_project(folder)
    project = open_project(path)
    import uuid

    state = {"n": 0}

    def once() -> None:
        state["n"] += 1
        with acting(project, "Bench", "edit", "benchmark edit") as (session, coder_id):
            document = session.get(Document, uuid.UUID(doc_id))
            assert document is not None
            text = document.text
            middle = len(text) // 2
            new = text[:middle] + f" rettelse {state['n']} " + text[middle + 5 :]
            edit_text(session, document, new, coder_id=coder_id)

    result = figure("edit a 100k-character document with 1,000 codings", once, target_ms=200, memory=False,
                    note="remapping every coding and recomputing turns, committed")
    project.close()
    current().remove(path)
    return result


def open_long_document(folder: Path) -> Figure:
    import statistics

    target = folder / "open"
    target.mkdir(exist_ok=True)
    path, doc_id = _long_document_project(target)
    script = ROOT / "benchmarks" / "app_open.py"
    times = []
    for _ in range(6):
        out = subprocess.run([sys.executable, str(script), path, doc_id], check=True, capture_output=True,
                             text=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    times = times[1:]
    current().remove(path)
    return Figure("open a 100k-char document with 1,000 codings (first paint)", statistics.median(times),
                  max(times) - min(times), len(times), target_ms=120,  # issue 32 (was 150 ms)
                  note="from pushing the reader to the painted text, headless app")


def keystroke_and_stall(folder: Path, runs: int = 5, codings: int = 10) -> list[Figure]:
    """A key that applies a code, to the repainted coding; and the longest the UI thread was blocked
    (opening the long document and coding in it), each in a fresh headless app on a fresh project."""
    import json
    import statistics

    target = folder / "keys"
    target.mkdir(exist_ok=True)
    script = ROOT / "benchmarks" / "app_keystroke.py"
    keys: list[float] = []
    stalls: list[float] = []
    for run_index in range(runs):
        path, doc_id = _long_document_project(target, f"long-{run_index}.db")
        out = subprocess.run([sys.executable, str(script), path, doc_id, str(codings)], check=True,
                             capture_output=True, text=True)
        current().remove(path)
        found = json.loads(out.stdout.strip().splitlines()[-1])
        keys += found["keystroke_ms"]
        stalls.append(found["stall_ms"])
    return [Figure("keystroke applying a code, to the coding committed and repainted", statistics.median(keys),
                   max(keys) - min(keys), len(keys), target_ms=30,  # issue 32 (was 50 ms)
                   note="`.` repeats the last code on a new selection in a 100k-char document with 1,000 codings"),
            Figure("longest UI-thread stall (opening that document and coding in it)", statistics.median(stalls),
                   max(stalls) - min(stalls), len(stalls), target_ms=100,
                   note=f"median over {runs} app runs of each run's longest stall, seen by a 5 ms watchdog timer")]


def import_throughput(files: int, runs: int = 5) -> Figure:
    """The same folder of .docx transcripts imported into `runs` fresh projects (median of the runs)."""
    import statistics

    import docx

    from fieldnotes.importing.batch import Options, import_paths
    from fieldnotes.project.creation import create_project

    rng = random.Random(5)
    folder = Path(tempfile.mkdtemp(prefix="fieldnotes-bench-import-"))
    times: list[float] = []
    try:
        material = folder / "material"
        material.mkdir()
        size = 0
        for index in range(files):
            document = docx.Document()
            for line in transcript(rng, 10_000).split("\n"):
                document.add_paragraph(line)
            target = material / f"interview-{index:04d}.docx"
            document.save(str(target))
            size += target.stat().st_size
        for run_index in range(runs):
            made = current().new(folder / f"import-{run_index}.db")
            project = create_project(made, empty=True, coder="Bench")
            began = time.perf_counter()
            report = import_paths(project, [material], Options(kind="interview", municipalities=["Fjordby"]),
                                  coder_id=None, coder_name="Bench")
            times.append((time.perf_counter() - began) * 1000)
            project.close()
            assert report.count("imported") == files, report.as_dict()
            current().remove(made)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    elapsed = statistics.median(times)
    per_file = elapsed / files
    return Figure(f"import {files} .docx transcripts of 10k characters (total)", elapsed, max(times) - min(times),
                  len(times), target_ms=60_000 * files / 1000,
                  note=f"{per_file:.1f} ms per file, {elapsed / (size / 1_048_576):.0f} ms per MB of .docx; "
                       f"target: 1,000 files under 60 s")


def parallel_coders(scratch: Path, *, processes: int = 3, each: int = 10, runs: int = 5) -> Figure:
    """Three coders, each in a process of its own, on one project: from starting them to every one of
    their codings committed (Python's start-up included). The test suite checks that nothing is lost when
    coders work at once (tests/test_hardening.py); how fast they get their work in is measured here: 30
    codings within 4 s, as the suite once asserted."""
    import statistics

    from fieldnotes.codebook import operations
    from fieldnotes.documents.store import NewDocument, add_document
    from fieldnotes.project.actions import acting
    from fieldnotes.project.creation import create_project

    rng = random.Random(11)
    target = current().new(scratch / "parallel-coders.db")
    project = create_project(target, empty=True, coder="Bench")
    with acting(project, "Bench", "import", "benchmark material") as (session, coder_id):
        for name in ("Ledelse", "Sparring", "Virksomhedskontakt"):
            operations.add(session, name, coder_id=coder_id)
        for index in range(5):
            add_document(session, NewDocument(transcript(rng, 10_000), f"Interview {index}", kind="interview"),
                         coder_id=coder_id)
    project.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times: list[float] = []
    for run_index in range(runs):
        began = time.perf_counter()
        coders = [subprocess.Popen([sys.executable, "-m", "benchmarks.parallel_coder", target, f"Koder {i}",
                                    str(each), str(run_index * processes + i)], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                  for i in range(processes)]
        for coder in coders:
            _out, err = coder.communicate(timeout=600)
            if coder.returncode != 0:
                raise RuntimeError(f"a parallel coder failed: {err.decode()[-2000:]}")
        times.append((time.perf_counter() - began) * 1000)
    current().remove(target)
    return Figure(f"parallel coders: {processes} processes commit {each} codings each", statistics.median(times),
                  max(times) - min(times), len(times), target_ms=4_000,
                  note=f"{processes * each} codings, start-up of {processes} processes included")


def refuse_hostile_sealed_header() -> Figure:
    """A sealed bundle whose clear header asks scrypt for gigabytes is refused before any key is derived: the
    refusal must take no time at all (the suite checks that scrypt never runs for it)."""
    import struct

    from fieldnotes.errors import InvalidInput
    from fieldnotes.privacy import sealed

    header = sealed.MAGIC + struct.pack(">BBBB16s12s", sealed.VERSION, 20, 16, 4, b"s" * 16, b"n" * 12)
    data = header + b"x" * 64 + b"t" * sealed.TAG_SIZE

    def once() -> None:
        try:
            sealed.unseal(data, "hemmelig-æøå", name="fjendtlig.fnbundle")
        except InvalidInput:
            return
        raise RuntimeError("a hostile sealed header was not refused")

    return figure("refuse a sealed header asking scrypt for gigabytes", once, runs=7, target_ms=1_000, memory=False)


def refuse_hostile_files(scratch: Path) -> list[Figure]:
    """Hostile files are refused "within a second, in bounded memory" (issue 22; the suite checks each refusal
    and its message, tests/test_hostile.py): a note whose front matter is a YAML alias bomb (nine levels, 9**9
    values as a tree; it once hung an import at 1.5 GB), and a bundle of about 100 KB whose rows unpack to
    100 MB. The peak memory is the figure that says nothing was built or unpacked."""
    import json
    import zipfile

    from fieldnotes.errors import InvalidInput
    from fieldnotes.importing import readers
    from fieldnotes.team.bundle import read_bundle

    note = scratch / "alias-bomb.md"
    levels = ["lol0: &lol0 [hå, hå, hå, hå, hå, hå, hå, hå, hå]"]
    levels += [f"lol{n}: &lol{n} [" + ", ".join([f"*lol{n - 1}"] * 9) + "]" for n in range(1, 9)]
    note.write_text("---\ntitle: Bombe\n" + "\n".join(levels) + "\n---\nSøren fortæller om lageret.\n",
                    encoding="utf-8")
    bundle = scratch / "zip-bomb.fnbundle"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("manifest.json", json.dumps({"format": "fieldnotes-bundle", "format_version": 1}))
        archive.writestr("events.json", "[]")
        with archive.open("rows.json", "w") as rows:
            for _ in range(100):
                rows.write(b" " * 1_048_576)

    def refused(read: Any) -> Any:
        def once() -> None:
            try:
                read()
            except InvalidInput:
                return
            raise RuntimeError("a hostile file was not refused")
        return once

    return [figure("refuse a YAML alias bomb in front matter", refused(lambda: readers.read(note)), runs=7,
                   target_ms=1_000),
            figure("refuse a bundle unpacking to 100 MB", refused(lambda: read_bundle(bundle)), runs=7,
                   target_ms=1_000, note=f"the bundle is {bundle.stat().st_size / 1024:.0f} KB")]


def run(project: str, tier: str, scratch: Path) -> list[Figure]:
    files = {"tiny": 20, "long": 50, "typical": 200, "target": 1000, "stress": 1000}[tier]
    figures = [cold_start_help(), cold_start_app(project), app_memory(project), apply_coding(project),
               excerpts_with_context(project)]
    figures.append(edit_long_document(scratch))
    figures.append(open_long_document(scratch))
    figures += keystroke_and_stall(scratch, codings=2 if tier == "tiny" else 10)  # the smoke test: 10 keys
    figures.append(import_throughput(files, runs=2 if tier == "tiny" else 5))
    figures.append(parallel_coders(scratch))
    figures.append(refuse_hostile_sealed_header())
    figures += refuse_hostile_files(scratch)
    return figures
