"""A coder in a separate process: codes random spans for a while, printing each acknowledged coding id.

    python -m tests.workers.code_loop TARGET CODER SECONDS SEED
"""

from __future__ import annotations

import random
import sys
import time

from sqlalchemy import select

from fieldnotes.coding import applying
from fieldnotes.db.models import Code, Document
from fieldnotes.errors import FieldnotesError
from fieldnotes.project.actions import acting
from fieldnotes.project.opening import open_project


def main(target: str, coder: str, seconds: float, seed: int) -> None:
    rng = random.Random(seed)
    project = open_project(target)
    with project.read() as session:
        docs = [(d.id, d.length) for d in session.execute(select(Document.id, Document.length))]
        codes = list(session.scalars(select(Code.id).where(Code.codable.is_(True), Code.scale_min.is_(None))))
    deadline = time.monotonic() + seconds
    failures = 0
    while time.monotonic() < deadline:
        doc_id, length = rng.choice(docs)
        start = rng.randrange(0, length - 10)
        end = min(length, start + rng.randint(1, 40))
        try:
            with acting(project, coder, "code", "concurrent coding") as (session, coder_id):
                document = session.get(Document, doc_id)
                code = session.get(Code, rng.choice(codes))
                assert document is not None and code is not None
                coding, _created = applying.apply(session, document, code, start, end, coder_id=coder_id)
                coding_id = coding.id
        except FieldnotesError as error:
            failures += 1
            print(f"FAILED {error}", flush=True)
            continue
        print(f"OK {coding_id}", flush=True)
    project.close()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
