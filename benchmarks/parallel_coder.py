"""One member of a team in a process of its own, for the benchmarks of people working at once.

    python -m benchmarks.parallel_coder TARGET CODER COUNT SEED
        applies COUNT codings to random spans as fast as it can, each committed on its own, and exits
        (the "parallel coders" figure);
    python -m benchmarks.parallel_coder --paced TARGET CODER SEED SECONDS
        codes at a person's pace, one coding every 2 to 5 seconds (random, seeded), for SECONDS; prints
        JSON: each coding's keystroke-to-commit time, the ids of the codings whose commit returned
        (acknowledged) and any error (the ten-coder run);
    python -m benchmarks.parallel_coder --lead TARGET SECONDS
        opens matrices and excerpt lists, as a project lead looks in, for SECONDS; prints JSON with each
        one's time and any error.

The paced coder and the lead open the project, then print `ready` and wait for a line on standard input
holding the Unix time at which everyone starts: so that Python's start-up on a busy machine does not
eat into the time they work together.

Each coding is made as the app's reader makes it (fieldnotes.tui.screens.reader `apply_by_id`): one
`acting` transaction that reads the code and the document and applies the coding; the matrix and the
excerpt list are read as the app's matrix and excerpt screens read them.
"""

from __future__ import annotations

import json
import random
import sys
import time
import uuid
from typing import Any

from sqlalchemy import select

from fieldnotes.coding import applying
from fieldnotes.db.models import Code, Document
from fieldnotes.project.actions import acting
from fieldnotes.project.opening import Project, open_project

#: a person's pace: seconds between two codings
PACE = (2.0, 5.0)


def _material(project: Project) -> tuple[list[tuple[uuid.UUID, int]], list[uuid.UUID]]:
    with project.read() as session:
        docs = [(d.id, d.length) for d in session.execute(select(Document.id, Document.length)) if d.length > 60]
        codes = list(session.scalars(select(Code.id).where(Code.codable.is_(True), Code.scale_min.is_(None))))
    return docs, codes


def code_once(project: Project, coder: str, rng: random.Random, docs: list[tuple[uuid.UUID, int]],
              codes: list[uuid.UUID]) -> uuid.UUID:
    """One coding, committed on its own as the app's reader commits it; its id once the commit returned."""
    doc_id, length = rng.choice(docs)
    start = rng.randrange(0, length - 50)
    end = start + rng.randint(5, 40)
    code_id = rng.choice(codes)
    with acting(project, coder, "code", "benchmark: a coder on the team") as (session, coder_id):
        code = session.get(Code, code_id)
        document = session.get(Document, doc_id)
        assert document is not None and code is not None
        coding, _created = applying.apply(session, document, code, start, end, coder_id=coder_id)
        made = coding.id
    return made


def _wait_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        time.sleep(delay)


def _ready() -> float:
    """Say ready; the moment everyone starts, when every member is ready (read from standard input)."""
    print("ready", flush=True)
    start = float(sys.stdin.readline())
    _wait_until(start)
    return start


def main(target: str, coder: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    project = open_project(target)
    docs, codes = _material(project)
    for _ in range(count):
        code_once(project, coder, rng, docs, codes)
    project.close()


def paced(target: str, coder: str, seed: int, seconds: float) -> dict[str, Any]:
    rng = random.Random(seed)
    project = open_project(target)
    docs, codes = _material(project)
    latencies: list[float] = []
    acknowledged: list[str] = []
    errors: list[str] = []
    start = _ready()
    end = start + seconds
    moment = start + rng.uniform(0, PACE[1])  # the coders do not all begin on the same second
    while moment < end:
        _wait_until(moment)
        began = time.perf_counter()
        try:
            made = code_once(project, coder, rng, docs, codes)
        except Exception as error:  # counted and reported: the run's figure says "no error shown"
            errors.append(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
        else:
            latencies.append((time.perf_counter() - began) * 1000)
            acknowledged.append(str(made))
        moment = max(moment + rng.uniform(*PACE), time.time())
    project.close()
    return {"coder": coder, "latencies_ms": latencies, "acknowledged": acknowledged, "errors": errors}


def lead(target: str, seconds: float, pause: float = 1.0) -> dict[str, Any]:
    """A lead looking in: a matrix of codings by municipality, then the first excerpts (as the app shows them)."""
    from fieldnotes.analysis.matrix import matrix
    from fieldnotes.codebook.tree import CodeTree
    from fieldnotes.coding.excerpts import count_excerpts, excerpts
    from fieldnotes.queries.filters import Filters
    from fieldnotes.tui.screens.excerpts import SHOWN

    project = open_project(target)
    matrices: list[float] = []
    lists: list[float] = []
    errors: list[str] = []
    end = _ready() + seconds
    while time.time() < end:
        try:
            began = time.perf_counter()
            with project.read() as session:
                grid = matrix(session, Filters(), by="municipality", measure="codings", rollup=True)
                CodeTree.load(session)
                assert grid.rows
            matrices.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            with project.read() as session:
                tree = CodeTree.load(session)
                found = excerpts(session, Filters(), context="sentence", limit=SHOWN, tree=tree)
                if len(found) >= SHOWN:
                    count_excerpts(session, Filters(), tree=tree)
            lists.append((time.perf_counter() - began) * 1000)
        except Exception as error:
            errors.append(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
        time.sleep(pause)
    project.close()
    return {"matrix_ms": matrices, "excerpts_ms": lists, "errors": errors}


if __name__ == "__main__":
    if sys.argv[1] == "--paced":
        print(json.dumps(paced(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))))
    elif sys.argv[1] == "--lead":
        print(json.dumps(lead(sys.argv[2], float(sys.argv[3]))))
    else:
        main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
