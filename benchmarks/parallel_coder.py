"""One coder in a process of its own, for the "parallel coders" benchmark: applies COUNT codings to random
spans of a project, each committed on its own, and exits.

    python -m benchmarks.parallel_coder TARGET CODER COUNT SEED
"""

from __future__ import annotations

import random
import sys

from sqlalchemy import select

from fieldnotes.coding import applying
from fieldnotes.db.models import Code, Document
from fieldnotes.project.actions import acting
from fieldnotes.project.opening import open_project


def main(target: str, coder: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    project = open_project(target)
    with project.read() as session:
        docs = [(d.id, d.length) for d in session.execute(select(Document.id, Document.length))]
        codes = list(session.scalars(select(Code.id).where(Code.codable.is_(True), Code.scale_min.is_(None))))
    for _ in range(count):
        doc_id, length = rng.choice(docs)
        start = rng.randrange(0, length - 50)
        with acting(project, coder, "code", "benchmark: a coder in parallel") as (session, coder_id):
            document = session.get(Document, doc_id)
            code = session.get(Code, rng.choice(codes))
            assert document is not None and code is not None
            applying.apply(session, document, code, start, start + rng.randint(5, 40), coder_id=coder_id)
    project.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
