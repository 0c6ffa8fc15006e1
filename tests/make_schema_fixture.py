"""Write a small project at the current schema head, with data in every table, as an upgrade fixture.

Run `python -m tests.make_schema_fixture` when a new Alembic revision lands; commit the file it writes
to tests/fixtures/schemas/. The upgrade tests open every fixture and check that nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import uuid
from contextlib import closing
from pathlib import Path

from fieldnotes import clock
from fieldnotes.db import coders, history, migrate
from fieldnotes.db.models import (
    Attribute,
    AttributeValue,
    Case,
    Code,
    Coder,
    Coding,
    Document,
    DocumentCase,
    Memo,
    MergeConflict,
    Pseudonym,
    SpeakerTurn,
)
from fieldnotes.project.creation import create_project

FIXTURES = Path(__file__).parent / "fixtures" / "schemas"
TEXT = "I: Hvordan går det med borgerne?\nR: Jeg tror på, at Søren får et job på lageret i Lyngå. 😊\n"


def build(target: Path) -> None:
    with clock.frozen_at(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)):
        project = create_project(str(target), empty=True, name="Skemafixtur æøå", coder="Anna Krogh",
                                 start=dt.date(2025, 2, 1))
        anna = coders.coder_id("Anna Krogh")
        with project, project.write() as session, history.change(session, coder_id=anna, action="fixture"):
            ns = uuid.UUID("0b9c1f00-1111-4222-8333-944455556666")
            coder = session.get(Coder, anna)
            assert coder is not None
            coder.refi_guid = uuid.uuid5(ns, "nvivo-user")  # the user GUID another tool gave her
            case = Case(id=uuid.uuid5(ns, "case"), type="municipality", name="Lyngå", created_by=anna)
            doc = Document(id=uuid.uuid5(ns, "doc"), title="Interview med sagsbehandler", kind="interview",
                           activity="løbende aktiviteter", date=dt.date(2025, 3, 1), text=TEXT,
                           sha256="0" * 64, length=len(TEXT), participants=[{"name": "Søren", "role": "borger"}],
                           speakers={"R": {"name": "Mette", "role": "sagsbehandler"}}, source_name="x.txt",
                           created_by=anna)
            area = Code(id=uuid.uuid5(ns, "area"), name="Relation og samarbejde med borger", codable=False,
                        created_by=anna)
            belief = Code(id=uuid.uuid5(ns, "belief"), name="Tro på borgerens jobchance", parent_id=area.id,
                          scale_min=1, scale_max=5, scale_labels={"1": "lav"}, created_by=anna)
            session.add_all([case, doc, area])
            session.flush()
            session.add(belief)
            attr = Attribute(id=uuid.uuid5(ns, "attr"), scope="document", name="team", created_by=anna)
            session.add_all([
                DocumentCase(id=uuid.uuid5(ns, "dc"), document_id=doc.id, case_id=case.id, created_by=anna),
                SpeakerTurn(id=uuid.uuid5(ns, "t1"), document_id=doc.id, ordinal=0, speaker="I", start=0,
                            end=32, created_by=anna),
                SpeakerTurn(id=uuid.uuid5(ns, "t2"), document_id=doc.id, ordinal=1, speaker="R", start=33,
                            end=len(TEXT) - 1, timestamp=12.0, created_by=anna),
                attr,
            ])
            session.flush()
            start = TEXT.index("Jeg tror")
            end = TEXT.index(" 😊")
            coding = Coding(id=uuid.uuid5(ns, "coding"), document_id=doc.id, code_id=belief.id, coder_id=anna,
                            start=start, end=end, text=TEXT[start:end], rating=4, memo="tydelig tro",
                            created_by=anna)
            session.add_all([
                AttributeValue(id=uuid.uuid5(ns, "av"), attribute_id=attr.id, document_id=doc.id,
                               value_text="Ungeteam", created_by=anna),
                coding,
            ])
            session.flush()
            session.add(Memo(id=uuid.uuid5(ns, "memo"), text="Notat om kodningen", coding_id=coding.id,
                             created_by=anna))
            # a memo that came back from a comment on a Word report (memo import), replying to the first
            session.add(Memo(id=uuid.uuid5(ns, "meeting memo"), text="Enig – nøglecitat", coding_id=coding.id,
                             created_by=anna, source="møde æøå.docx", source_export=str(uuid.uuid5(ns, "export")),
                             source_anchor="fn_c_" + "a" * 34, reply_to=uuid.uuid5(ns, "memo"),
                             written_at=dt.datetime(2026, 11, 30, 9, 45, tzinfo=dt.UTC)))
            session.add(Pseudonym(id=uuid.uuid5(ns, "pseudonym"), original="Søren", pseudonym="Jens",
                                  category="person", attributes={"role": "borger"}, created_by=anna))
            session.add(MergeConflict(id=uuid.uuid5(ns, "conflict"), merge_id=uuid.uuid5(ns, "merge"),
                                      kind="rename", table="codes", row_id=belief.id, summary="omdøbt to gange",
                                      ours={"name": "Tro"}, theirs={"name": "Troen"}, created_by=anna))


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    target = FIXTURES / f"{migrate.head()}.db"
    if target.exists():
        sys.exit(f"{target} exists; a released revision's fixture is never rewritten")
    build(target)
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
