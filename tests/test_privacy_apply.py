"""Putting pseudonyms into the project, separating the key, and leaving no original behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldnotes.db.models import Change, Coding, Document, Event, Memo, SpeakerTurn
from fieldnotes.privacy.replacing import Replacer
from fieldnotes.project.opening import open_project
from tests.helpers import ok, run
from tests.projectdata import make_project, snapshot

DOC = "Interview med sagsbehandler"
NOTE = "Noter om Mette"
NOTE_TEXT = """Mette Vinther sagde, at Mettes borger Søren har det svært 😟. Sørens søster ringede.
Personalet mener, at Søren kan mere. Mette-Marie er en anden person.
"""
REGISTER = {"Søren": "Bo", "Mette Vinther": "Lise Holm", "Mette": "Lise", "Vinther": "Holm"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    db = make_project(tmp_path)
    note = tmp_path / "noter.txt"
    note.write_text(NOTE_TEXT, encoding="utf-8")
    ok("--db", db, "import", note, "--title", NOTE, "--kind", "observation", "--coder", "Anna Krogh")
    code = ["--code", "Specifik tro"]
    ok("--db", db, "code", DOC, *code, "--match", "jeg tror på, at Søren får et job", "--rating", "4")
    ok("--db", db, "code", DOC, "--code", "Ledelse", "--match", "Søren")
    ok("--db", db, "code", NOTE, *code, "--match", "Mettes borger Søren har det svært 😟.", "--rating", "2")
    ok("--db", db, "code", NOTE, "--code", "Kollegial sparring", "--match", "Sørens søster ringede.",
       "--coder", "Jonas Bech")
    text = ok("--db", db, "show", NOTE, "--json").json["text"]
    start = text.index("Mettes")
    ok("--db", db, "code", NOTE, "--code", "Ledelse", "--span", f"{start}:{start + 5}")  # "Mette" of "Mettes"
    ok("--db", db, "memo", "add", f"doc:{NOTE}", "Søren virker motiveret, siger Mette.")
    for original, pseudonym in REGISTER.items():
        ok("--db", db, "pseudonyms", "add", original, pseudonym)
    return db


def codings(db: Path) -> dict[str, tuple[str, str, bool]]:
    with open_project(str(db), readonly=True) as opened, opened.read() as session:
        titles = dict(session.execute(select(Document.id, Document.title)).all())
        return {str(c.id): (titles[c.document_id], c.text, c.needs_review) for c in session.scalars(select(Coding))}


def whole_word(original: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(original)}(?!\w)", text) is not None


def test_dry_run_lists_every_replacement_and_changes_nothing(project: Path) -> None:
    before = snapshot(project)
    out = ok("--db", project, "pseudonyms", "apply", "--dry-run", "--json").json
    assert snapshot(project) == before
    in_text = [r for r in out["replacements"] if (r["table"], r["field"]) == ("documents", "text")]
    note = ok("--db", project, "show", NOTE, "--json").json["text"]
    found = [(r["start"], r["end"], r["original"], r["pseudonym"]) for r in in_text if r["document_title"] == NOTE]
    assert [(note[s:e], o, p) for s, e, o, p in found] == [
        ("Mette Vinther", "Mette Vinther", "Lise Holm"), ("Mettes", "Mettes", "Lises"), ("Søren", "Søren", "Bo"),
        ("Sørens", "Sørens", "Bos"), ("Søren", "Søren", "Bo"), ("Mette", "Mette", "Lise")]
    assert all(r["document"] and r["start"] is not None and "→" in r["context"] for r in in_text)
    fields = {(r["table"], r["field"]) for r in out["replacements"]}
    assert {("documents", "speakers"), ("memos", "text")} <= fields
    assert "Mette Vinther -> Lise Holm" in ok("--db", project, "pseudonyms", "apply", "--dry-run").out


def test_apply_in_place_keeps_codings_on_their_words(project: Path) -> None:
    rep = Replacer(REGISTER)
    before = codings(project)
    assert run("--db", project, "pseudonyms", "apply").code == 1  # asks first (no terminal here: refused)
    out = ok("--db", project, "pseudonyms", "apply", "--yes", "--json").json
    assert out["replacements"] == 7 and out["documents"] == 2
    after = codings(project)
    assert set(after) == set(before)
    partial = [cid for cid, (_doc, text, _r) in before.items() if text == "Mette"]
    assert out["codings_flagged"] == partial
    for cid, (doc, text, review) in before.items():
        new_doc, new_text, new_review = after[cid]
        assert new_doc == Replacer(REGISTER)(doc)  # "Noter om Mette" is retitled too
        if cid in partial:  # half of "Mettes" was coded: it now covers half of "Lises", for review
            assert new_review and new_text == "Lises"
            continue
        assert new_text == rep(text), (text, new_text)  # the same words, with pseudonyms in them
        assert new_review == review is False
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        docs = {d.title: d for d in session.scalars(select(Document))}
        assert NOTE not in docs  # titles are pseudonymised too
        note = docs["Noter om Lise"].text
        assert note.startswith("Lise Holm sagde, at Lises borger Bo har det svært 😟. Bos søster")
        assert "Personalet" in note and "Lise-Marie" in note  # whole words only; a hyphenated name is a word
        interview = docs[DOC]
        assert interview.speakers["R"]["name"] == "Lise Holm" and "Søren" not in interview.text
        turns = session.scalars(select(SpeakerTurn).where(SpeakerTurn.document_id == interview.id)).all()
        assert len(turns) == 6
        memo = session.scalars(select(Memo)).one()
        assert memo.text == "Bo virker motiveret, siger Lise."


def test_history_is_redacted_and_undo_refuses_across_it(project: Path) -> None:
    ok("--db", project, "pseudonyms", "apply", "--yes")
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        for event in session.scalars(select(Event).where(Event.table != "pseudonyms")):
            blob = f"{event.before} {event.after}"
            assert not any(whole_word(o, blob) for o in REGISTER), event.table
        assert session.scalars(select(Event).where(Event.redacted)).first() is not None
        summaries = " ".join(c.summary + str(c.details) for c in session.scalars(select(Change)))
        assert not any(whole_word(o, summaries) for o in REGISTER)
    result = run("--db", project, "undo")
    assert result.code == 1 and "redacted for privacy" in result.err
    result = run("--db", project, "undo", "--coder", "Jonas Bech")  # his coding's images were redacted too
    assert result.code == 1 and "redacted for privacy" in result.err
    assert ok("--db", project, "pseudonyms", "apply", "--yes").out.startswith("nothing to replace")
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    ok("--db", project, "undo")  # later work undoes as usual


def test_separating_the_key_leaves_no_original_in_the_project_files(project: Path, tmp_path: Path,
                                                                     isolated_paths: Path) -> None:
    key = tmp_path / "nøgle.yaml"
    before = snapshot(project)
    result = run("--db", project, "pseudonyms", "export", key, "--remove", "--yes")
    assert result.code == 1 and "remain in the material" in result.err and "pseudonyms apply" in result.err
    assert snapshot(project) == before and not key.exists()

    ok("--db", project, "pseudonyms", "apply", "--yes")
    ok("--db", project, "backup", tmp_path / "manual-copy.db")  # the user's own copy is the user's to handle
    out = ok("--db", project, "pseudonyms", "export", key, "--remove", "--yes", "--delete-backups", "--json").json
    assert out["removed"] is True and out["entries"] == 4 and out["deleted_backups"]
    assert all(not Path(isolated_paths, "data", "backups", name).exists() for name in out["deleted_backups"])
    listed = ok("--db", project, "pseudonyms", "list", "--json").json
    assert {(e["original"], e["separated"]) for e in listed} == {(None, True)}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{project}{suffix}")
        if path.exists():
            data = path.read_bytes()
            for original in REGISTER:
                pattern = rb"(?<![\w\x80-\xff])" + re.escape(original.encode("utf-8")) + rb"(?![\w\x80-\xff])"
                assert re.search(pattern, data, re.IGNORECASE) is None, (suffix, original)
    assert yaml_originals(key) == set(REGISTER)
    audit = ok("--db", project, "log", "--exports", "--json").json
    assert audit[0]["action"] == "pseudonyms.export" and audit[0]["details"]["removed"] is True
    assert len(audit) == 1  # the one export made here

    # re-identification needs the key file
    report = ok("--db", project, "pseudonyms", "import", key, "--json").json
    assert report["restored"] == 4
    assert {e["original"] for e in ok("--db", project, "pseudonyms", "list", "--json").json} == set(REGISTER)


def yaml_originals(path: Path) -> set[str]:
    import yaml

    return {e["original"] for e in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]}


def test_backups_holding_originals_are_listed(project: Path, tmp_path: Path) -> None:
    result = ok("--db", project, "pseudonyms", "apply", "--yes")
    assert ".daily." in result.err  # the list, beside the summary
    summary = result.out.splitlines()[-1]
    assert "1 older backup(s) of the project still hold the originals" in summary
    assert "kept" in summary and "--delete-backups" in summary


@pytest.mark.postgres
def test_apply_and_separate_on_a_server(pg_url: str, tmp_path: Path) -> None:
    from tests.projectdata import INTERVIEW

    ok("--db", pg_url, "init", "--empty", "--coder", "Anna Krogh")
    ok("--db", pg_url, "codebook", "add", "Tro", "--coder", "Anna Krogh")
    source = tmp_path / "interview.txt"
    source.write_text(INTERVIEW, encoding="utf-8")
    ok("--db", pg_url, "import", source, "--title", DOC, "--kind", "interview")
    ok("--db", pg_url, "code", DOC, "--code", "Tro", "--match", "jeg tror på, at Søren får et job")
    ok("--db", pg_url, "pseudonyms", "add", "Søren", "Bo")
    out = ok("--db", pg_url, "pseudonyms", "apply", "--yes", "--json").json
    assert out["replacements"] == 1
    assert ok("--db", pg_url, "excerpts", "--json").json[0]["text"] == "jeg tror på, at Bo får et job"
    result = ok("--db", pg_url, "pseudonyms", "export", tmp_path / "key.json", "--remove", "--yes")
    assert "administrator" in result.err  # the server's own archive is not ours to clean
    assert ok("--db", pg_url, "pseudonyms", "list", "--json").json[0]["original"] is None
