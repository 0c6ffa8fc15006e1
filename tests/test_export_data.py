"""Material for the export tests: a small coded project, and many excerpts made fast through the library."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldnotes.coding.applying import NewCoding, apply_bulk
from fieldnotes.db.coders import coder_id, ensure_coder
from fieldnotes.db.models import Code
from fieldnotes.documents.store import NewDocument, add_document
from fieldnotes.project.actions import acting
from fieldnotes.project.opening import open_project
from tests.helpers import ok
from tests.projectdata import make_project

DOC = "Interview med sagsbehandler"
NOTE = "Teammøde i Fjordby"
BELIEF = "jeg tror på, at Søren får et job på lageret. Det gør jeg virkelig."
SPARRING = "Vi tager altid en runde i teamet om fredagen. Lederen er med, og vi får sparring på de svære sager."
LEADER = "Lederen er med"
COMPANY = "Vores virksomhedskonsulent ringer til bageriet i Lyngå hver uge."
# spans two lines of the note: the line break must survive as a line break in Word
ACROSS = "Der er sparring om en borger med angst; kollegerne foreslår en praktik.\n[Refleksion: troen på borgeren"

WORDS = ("borgeren sagsbehandleren jobchancen sparring lederen virksomheden praktikken tro tillid æble øre "
         "årsag Søholm Lyngå bageriet lageret mødet kollegerne 😀 🎉 motivation skånehensyn").split()


def coded_project(folder: Path) -> Path:
    """The small project with five codings by two coders, a rating, memos and overlaps."""
    db = make_project(folder)
    ok("--db", db, "code", DOC, "--code", "Specifik tro", "--match", BELIEF, "--rating", "4",
       "--memo", "Tydelig tro på én borger 👍")
    ok("--db", db, "code", DOC, "--code", "Kollegial sparring", "--match", SPARRING)
    ok("--db", db, "code", DOC, "--code", "Ledelse", "--match", LEADER)
    ok("--db", db, "code", NOTE, "--code", "Kollegial sparring", "--match", ACROSS)
    ok("--db", db, "code", DOC, "--code", "Virksomhedskontakt", "--match", COMPANY, "--coder", "Jonas Bech")
    ok("--db", db, "memo", "add", "code:Kollegial sparring", "Sparring løfter troen på borgeren 🚀")
    ok("--db", db, "memo", "add", "doc:Teammøde i Fjordby", "Stemningen var god; lederen deltog hele mødet.")
    return db


_TEMPLATES: dict[str, Path] = {}


def coded_copy(factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """A fresh copy of `coded_project`, which is built once per test process (in its own home folder)."""
    if "coded" not in _TEMPLATES:
        folder = factory.mktemp("export-template")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("FIELDNOTES_HOME", str(folder / "home"))
            patch.setenv("FIELDNOTES_LANG", "en")
            for var in ("FIELDNOTES_DB", "FIELDNOTES_CODER", "FIELDNOTES_DATA_DIR", "FIELDNOTES_CONFIG_DIR",
                        "FIELDNOTES_LOG_DIR", "FIELDNOTES_BACKUP_DIR"):
                patch.delenv(var, raising=False)
            _TEMPLATES["coded"] = coded_project(folder)
    template = _TEMPLATES["coded"]
    target = tmp_path / template.name
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(template) + suffix)
        if source.exists():
            shutil.copy2(source, str(target) + suffix)
    return target


def danish_text(rng: random.Random, sentences: int) -> str:
    lines = []
    for index in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
        words[0] = words[0].capitalize()
        lines.append(f"[00:{index // 60 % 60:02d}:{index % 60:02d}] R: " + " ".join(words) + ".")
    return "\n".join(lines)


def add_many_excerpts(db: Path, count: int, *, seed: int = 5) -> int:
    """`count` more codings on one long generated transcript, in one change (apply_bulk); returns the count."""
    rng = random.Random(seed)
    project = open_project(str(db))
    try:
        with project.read() as session:
            codes = list(session.execute(select(Code.id, Code.scale_min).where(Code.codable.is_(True))).all())
        text = danish_text(rng, max(50, count // 3))
        with acting(project, "Anna Krogh", "import", "generated document") as (session, cid):
            added = add_document(session, NewDocument(
                text=text, title="Langt interview 🎙", kind="interview", date=dt.date(2025, 9, 1),
                municipalities=["Søholm"]), coder_id=cid)
            doc_id = added.document.id
        spans: set[tuple[int, int]] = set()
        while len(spans) < count:
            start = rng.randrange(0, len(text) - 40)
            spans.add((start, start + rng.randint(5, 200) if start + 200 < len(text) else start + 5))
        coders = [coder_id("Anna Krogh"), coder_id("Jonas Bech")]
        items = []
        for index, (start, end) in enumerate(sorted(spans)):
            code_id, scale_min = codes[index % len(codes)]
            items.append(NewCoding(doc_id, code_id, coders[index % 2], start, end,
                                   memo="Memo æøå" if index % 7 == 0 else None,
                                   rating=3 if scale_min is not None else None))
        with acting(project, "Anna Krogh", "code", "generated codings") as (session, _cid):
            ensure_coder(session, "Jonas Bech")
            return apply_bulk(session, items, texts={doc_id: text})
    finally:
        project.close()


def test_add_many_excerpts_adds_exactly_that_many(tmp_path: Path) -> None:
    db = make_project(tmp_path)
    assert add_many_excerpts(db, 300) == 300
    assert len(ok("--db", db, "excerpts", "--municipality", "Søholm", "--json").json) == 300
