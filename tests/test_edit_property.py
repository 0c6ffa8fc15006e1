"""Property: after any edit, codings in untouched text still cover exactly the same characters.

The offset map is checked on its own, and the whole edit path on a real project: codings made through
the engine, `edit_text` in a recorded change, and undo restoring the database exactly.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select

from fieldnotes.coding.edit import OffsetMap, char_opcodes
from tests.helpers import ok
from tests.projectdata import INTERVIEW, make_project, snapshot

DOC = "Interview med sagsbehandler"

ALPHABET = st.sampled_from([*list("abc æøåÆØÅ.\n😊é"), "å"])
texts = st.text(ALPHABET, min_size=1, max_size=300)


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, str, list[tuple[int, int]]]:
    old = draw(texts)
    new = old
    for _ in range(draw(st.integers(1, 6))):
        a = draw(st.integers(0, len(new)))
        b = draw(st.integers(a, min(len(new), a + 20)))
        insert = draw(st.text(ALPHABET, max_size=15))
        new = new[:a] + insert + new[b:]
    spans = []
    for _ in range(draw(st.integers(1, 12))):
        s = draw(st.integers(0, len(old) - 1))
        e = draw(st.integers(s + 1, len(old)))
        spans.append((s, e))
    return old, new, spans


@given(edited())
def test_untouched_codings_cover_identical_text(case: tuple[str, str, list[tuple[int, int]]]) -> None:
    old, new, spans = case
    mapping = OffsetMap(char_opcodes(old, new))
    for start, end in spans:
        new_start = mapping.position(start, side="start")
        new_end = mapping.position(end, side="end")
        assert 0 <= new_start <= len(new) and 0 <= new_end <= len(new)
        if not mapping.touches(start, end):
            assert new[new_start:new_end] == old[start:end]


@given(texts, texts)
def test_opcodes_rebuild_the_new_text(old: str, new: str) -> None:
    rebuilt, position = [], 0
    for _tag, i1, i2, j1, j2 in char_opcodes(old, new):
        rebuilt.append(old[position:i1])
        rebuilt.append(new[j1:j2])
        position = i2
    rebuilt.append(old[position:])
    assert "".join(rebuilt) == new


def test_long_document_with_small_edits_is_local() -> None:
    old = "\n".join(f"Linje {i}: borgeren får sparring i Søholm." for i in range(3000))
    new = old.replace("Linje 1500:", "Linje 1500 (rettet):")
    ops = char_opcodes(old, new)
    assert len(ops) == 1 and ops[0][0] == "insert"


# --- the real edit path: a project, codings, edit_text, undo ---------------------------------------

#: the template project, built once per test run and copied for each example
_TEMPLATE: list[Path] = []
CODERS = ("Anna Krogh", "Jonas Bech")
CODES = ("Kollegial sparring", "Ledelse", "Virksomhedskontakt", "Tro på borgerens jobchance", "Specifik tro")
#: letters an edit types: Danish text, with no characters that normalising would change
EDIT_ALPHABET = st.sampled_from(list("abcdefghijklmnoprstuvyæøåÆØÅ .,:?\n"))


def _template(factory: pytest.TempPathFactory) -> Path:
    if not _TEMPLATE:
        folder = factory.mktemp("edit-template")
        target = make_project(folder)
        # Jonas takes part once, so both coders exist before any example codes
        ok("--db", target, "memo", "add", "project", "Jonas er med", "--coder", "Jonas Bech")
        ok("--db", target, "undo", "--coder", "Jonas Bech")
        _TEMPLATE.append(target)
    return _TEMPLATE[0]


@st.composite
def codings_and_edit(draw: st.DrawFn) -> tuple[list[tuple[int, int, str, str]], tuple[int, int, str]]:
    length = len(INTERVIEW)
    keys = draw(st.lists(st.tuples(st.sampled_from(CODERS), st.sampled_from(CODES)), min_size=1, max_size=10,
                         unique=True))  # one coding per coder and code: an edit cannot merge two into one
    codings = []
    for coder, code in keys:
        start = draw(st.integers(0, length - 1))
        end = draw(st.integers(start + 1, min(length, start + draw(st.sampled_from([3, 20, 80, length])))))
        codings.append((start, end, coder, code))
    a = draw(st.integers(0, length))
    b = draw(st.integers(a, min(length, a + draw(st.sampled_from([0, 5, 40])))))
    inserted = draw(st.text(EDIT_ALPHABET, max_size=20))
    return codings, (a, b, inserted)


def _window(old: str, new: str, a: int, b: int) -> tuple[int, int]:
    """The stretch of the old text an edit replacing old[a:b] may be said to touch: its own range, widened
    over text the edit merely repeats (deleting one "a" of "aa" may be read as deleting either)."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return min(a, len(old) - suffix), max(b, prefix + max(0, len(old) - len(new)))


@given(case=codings_and_edit())
def test_edit_through_the_engine_keeps_untouched_codings_and_undo_restores(
        tmp_path_factory: pytest.TempPathFactory,
        case: tuple[list[tuple[int, int, str, str]], tuple[int, int, str]]) -> None:
    from fieldnotes.codebook.tree import CodeTree
    from fieldnotes.coding import applying
    from fieldnotes.coding import undo as undo_mod
    from fieldnotes.coding.edit import edit_text
    from fieldnotes.db import coders
    from fieldnotes.db.models import Code, Coding, Document
    from fieldnotes.documents.store import resolve
    from fieldnotes.project.actions import acting
    from fieldnotes.project.opening import open_project

    wanted, (a, b, inserted) = case
    old = INTERVIEW
    new = old[:a] + inserted + old[b:]
    assume(new != old)
    work = tmp_path_factory.getbasetemp() / "edit-property.db"
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    shutil.copyfile(_template(tmp_path_factory), work)

    project = open_project(str(work))
    try:
        with acting(project, "Anna Krogh", "code", "random codings") as (session, _cid):
            doc = resolve(session, DOC)
            assert doc.text == old
            tree = CodeTree.load(session)
            for start, end, coder, code in wanted:
                code_row = session.get(Code, tree.resolve(code).id)
                assert code_row is not None
                applying.apply(session, doc, code_row, start, end, coder_id=coders.ensure_coder(session, coder).id)
            doc_id = doc.id
        before_edit = snapshot(work)
        with project.read() as session:
            old_codings = {c.id: (c.start, c.end, c.text, c.needs_review)
                           for c in session.scalars(select(Coding).where(Coding.document_id == doc_id))}
        with acting(project, "Jonas Bech", "edit", "random edit") as (session, cid):
            doc = session.get(Document, doc_id)
            assert doc is not None
            result = edit_text(session, doc, new, coder_id=cid)
        assert result.changed
        with project.read() as session:
            doc = session.get(Document, doc_id)
            assert doc is not None
            assert doc.text == new and doc.length == len(new)
            assert doc.sha256 == hashlib.sha256(new.encode("utf-8")).hexdigest()
            now = {c.id: c for c in session.scalars(select(Coding).where(Coding.document_id == doc_id))}
            low, high = _window(old, new, a, b)
            for coding_id, (start, end, text, _review) in old_codings.items():
                coding = now.get(coding_id)
                if end <= low or start >= high:  # clear of the edit: exactly the same characters, not flagged
                    assert coding is not None, (start, end)
                    assert coding.text == text == new[coding.start:coding.end]
                    assert not coding.needs_review
                    continue
                if start < low and high < end:  # the edit lies inside: kept, adjusted and flagged
                    assert coding is not None and coding.needs_review
                    assert new[coding.start:coding.start + low - start] == old[start:low]
                    assert new[coding.end - (end - high):coding.end] == old[high:end]
                    assert str(coding_id) in result.adjusted
                if coding is None:  # removed: only when the edit deleted every character of it
                    assert str(coding_id) in result.removed and b - a >= end - start > 0
                    continue
                assert 0 <= coding.start < coding.end <= len(new)
                assert coding.text == new[coding.start:coding.end]
                assert coding.needs_review or coding.text == text, "unflagged codings keep their text"
        with project.write() as session:
            undone = undo_mod.undo(session, coders.coder_id("Jonas Bech"))
            assert undone.action == "edit"
        assert snapshot(work) == before_edit
    finally:
        project.close()
