"""Merging copies coded offline: the same result in either order, idempotent, lossless, one undoable step,
conflicts recorded and settled by rule, codings following edited text."""

from __future__ import annotations

import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from fieldnotes import paths
from tests.helpers import ok, run
from tests.projectdata import make_project, snapshot

DOC = "Interview med sagsbehandler"
NOTE = "Teammøde i Fjordby"
ANNA, JONAS = "Anna Krogh", "Jonas Bech"


def content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every tracked table but the merge's own review list: what "the same result" compares."""
    return {table: rows for table, rows in snapshot(path).items() if table != "merge_conflicts"}


def codings(path: Path) -> dict[str, dict[str, Any]]:
    rows = ok("--db", path, "excerpts", "--json").json
    return {row["id"]: row for row in rows}


def text_of(path: Path, doc: str = DOC) -> str:
    return str(ok("--db", path, "show", doc, "--json").json["text"])


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    base = make_project(tmp_path)
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    shutil.copy(base, a)
    shutil.copy(base, b)
    return a, b


def cross(tmp_path: Path, a: Path, b: Path) -> tuple[Path, Path, Path, Path]:
    """Bundle each side's coder, merge each bundle into a copy of the other side."""
    ok("--db", a, "bundle", tmp_path / "anna.fnbundle", "--coder", ANNA)
    ok("--db", b, "bundle", tmp_path / "jonas.fnbundle", "--coder", JONAS)
    a2, b2 = tmp_path / "a2.db", tmp_path / "b2.db"
    shutil.copy(a, a2)
    shutil.copy(b, b2)
    ok("--db", a2, "merge", tmp_path / "jonas.fnbundle", "--coder", ANNA)
    ok("--db", b2, "merge", tmp_path / "anna.fnbundle", "--coder", JONAS)
    return a2, b2, tmp_path / "anna.fnbundle", tmp_path / "jonas.fnbundle"


def test_crossed_bundles_give_the_same_project_in_either_order(tmp_path: Path, copies: tuple[Path, Path]) -> None:
    a, b = copies
    old = text_of(a)
    # Anna: a coding, a memo, a renamed code, a new note, an edited transcript, a deleted code
    ok("--db", a, "code", NOTE, "--code", "Kollegial sparring", "--match", "kollegerne foreslår en praktik",
       "--memo", "Kollegerne bærer troen 🙂", "--coder", ANNA)
    ok("--db", a, "memo", "add", f"doc:{NOTE}", "Godt møde — æøå", "--coder", ANNA)
    ok("--db", a, "codebook", "rename", "Virksomhedskontakt", "Kontakt til virksomheder", "--coder", ANNA)
    (tmp_path / "anna.txt").write_text("Annas feltnote: borgeren i Lyngå får praktik på bageriet. 🥐\n", "utf-8")
    ok("--db", a, "new", "--from-file", tmp_path / "anna.txt", "--title", "Annas feltnote", "--coder", ANNA)
    (tmp_path / "edit.txt").write_text("[Rettet] " + old.replace("lageret", "lagret"), "utf-8")
    ok("--db", a, "edit", DOC, "--from-file", tmp_path / "edit.txt", "--coder", ANNA)
    ok("--db", a, "codebook", "delete", "Ledelse", "--yes", "--coder", ANNA)
    # Jonas, on the old text: codings (one on the word Anna changed), a memo, the same code renamed, a note
    ok("--db", b, "code", DOC, "--code", "Kollegial sparring", "--match", "Vi tager altid en runde", "--coder", JONAS)
    ok("--db", b, "code", DOC, "--code", "Specifik tro", "--match", "job på lageret", "--rating", "4",
       "--coder", JONAS)
    ok("--db", b, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", JONAS)
    ok("--db", b, "memo", "add", "code:Ledelse", "Ledelsen nævnes ofte ✅", "--coder", JONAS)
    ok("--db", b, "codebook", "rename", "Virksomhedskontakt", "Virksomhedssamarbejde", "--coder", JONAS)
    (tmp_path / "jonas.txt").write_text("Jonas' note: sparring i Fjordby hver fredag.\n", "utf-8")
    ok("--db", b, "new", "--from-file", tmp_path / "jonas.txt", "--title", "Jonas' note", "--coder", JONAS)

    a2, b2, anna_bundle, jonas_bundle = cross(tmp_path, a, b)
    assert content(a2) == content(b2)

    # codings follow Anna's edit: Jonas' spans now cover the same words in the new text
    merged = codings(a2)
    by_text = {row["text"]: row for row in merged.values() if row["coder"] == JONAS}
    assert set(by_text) == {"Vi tager altid en runde", "job på lagret", "Lederen er med"}
    assert by_text["job på lagret"]["needs_review"] is True  # the edit touched it
    assert by_text["Vi tager altid en runde"]["needs_review"] is False  # moved, but untouched
    new_text = text_of(a2)
    assert new_text.startswith("[Rettet] ") and "lagret" in new_text
    for row in by_text.values():
        assert new_text[row["start"] : row["end"]] == row["text"]
    # the code Anna deleted is kept because Jonas used it; the rename by the later coder wins
    paths_now = {c["path"] for c in ok("--db", a2, "codebook", "list", "--json").json}
    assert "Sparringskultur og ledelse/Ledelse" in paths_now
    assert "Viden om arbejdsmarkedet/Virksomhedssamarbejde" in paths_now  # Jonas renamed later
    kinds = sorted(c["kind"] for c in ok("--db", a2, "conflicts", "--json").json)
    assert kinds == ["changed_both", "deleted_but_used"]
    assert {row["title"] for row in ok("--db", a2, "docs", "--json").json} >= {"Annas feltnote", "Jonas' note"}

    # nothing is lost: every coding of either copy is in the result, or in a conflict with its text
    before = {**codings(a), **codings(b)}
    listed = {c["row_id"] for c in ok("--db", a2, "conflicts", "--json").json}
    assert set(before) <= set(merged) | listed

    # merging again changes nothing, and says so
    again = snapshot(a2)
    result = ok("--db", a2, "merge", jonas_bundle, "--json").json
    assert result["nothing_to_merge"] is True
    assert "nothing to merge" in ok("--db", b2, "merge", anna_bundle).out
    assert snapshot(a2) == again


def test_a_whole_project_file_merges_like_its_bundle(tmp_path: Path, copies: tuple[Path, Path]) -> None:
    a, b = copies
    ok("--db", a, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", ANNA)
    ok("--db", a, "codebook", "add", "Nye idéer 💡", "--coder", ANNA)
    ok("--db", b, "code", DOC, "--code", "Kollegial sparring", "--match", "sparring på de svære sager",
       "--coder", JONAS)
    _, b2, _, _ = cross(tmp_path, a, b)
    whole = tmp_path / "whole.db"
    shutil.copy(b, whole)
    report = ok("--db", whole, "merge", a, "--coder", JONAS, "--json").json
    assert report["kind"] == "project" and report["added"]["codings"] == 1 and report["added"]["codes"] == 1
    assert content(whole) == content(b2)
    assert ok("--db", whole, "merge", a, "--json").json["nothing_to_merge"] is True


def test_a_merge_is_one_step_that_undo_takes_back_and_it_is_backed_up_first(
        tmp_path: Path, copies: tuple[Path, Path]) -> None:
    a, b = copies
    ok("--db", a, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", ANNA)
    ok("--db", a, "memo", "add", f"doc:{DOC}", "Et memo", "--coder", ANNA)
    ok("--db", a, "bundle", tmp_path / "a.fnbundle", "--coder", ANNA)
    before = snapshot(b)
    dry = ok("--db", b, "merge", tmp_path / "a.fnbundle", "--dry-run", "--json").json
    assert dry["dry_run"] is True and dry["added"] == {"codings": 1, "memos": 1}
    assert snapshot(b) == before
    assert "dry run" in ok("--db", b, "merge", tmp_path / "a.fnbundle", "--dry-run").out
    report = ok("--db", b, "merge", tmp_path / "a.fnbundle", "--coder", JONAS, "--json").json
    assert report["backup"] and "/" not in report["backup"]
    assert list(paths.backup_dir().glob("*before-merge*"))
    log = ok("--db", b, "log", "--json").json
    assert log[0]["action"] == "merge" and log[0]["coder"] == JONAS and log[0]["rows"] >= 2
    assert "merge" not in [entry["action"] for entry in log[1:]]
    assert "nothing to undo" in run("--db", b, "undo", "--coder", "Mette Lund").err  # it is Jonas' step
    ok("--db", b, "undo", "--coder", JONAS)
    after = snapshot(b)
    assert {t: r for t, r in after.items() if t != "coders"} == {t: r for t, r in before.items() if t != "coders"}


def test_documents_imported_on_both_laptops_become_one(tmp_path: Path, copies: tuple[Path, Path]) -> None:
    a, b = copies
    material = tmp_path / "fælles"
    material.mkdir()
    (material / "interview-søholm.txt").write_text(
        "[00:00:02] I: Tror du på borgeren?\n[00:00:09] R: Ja, jeg tror på at hun får et job i Søholm. 🙂\n"
        "[00:00:30] I: Hvorfor?\n[00:00:34] R: Hun har været i praktik på plejecentret.\n", "utf-8")
    ok("--db", a, "import", material, "--kind", "interview", "--municipality", "Søholm", "--coder", ANNA)
    ok("--db", b, "import", material, "--kind", "interview", "--municipality", "Søholm", "--coder", JONAS)
    title = "interview-søholm"
    ok("--db", a, "code", title, "--code", "Specifik tro", "--match", "hun får et job", "--coder", ANNA)
    ok("--db", b, "code", title, "--code", "Specifik tro", "--match", "jeg tror på", "--coder", JONAS)
    a2, b2, _, _ = cross(tmp_path, a, b)
    for merged, own in ((a2, a), (b2, b)):
        docs = [d for d in ok("--db", merged, "docs", "--json").json if d["title"] == title]
        assert len(docs) == 1 and docs[0]["codings"] == 2 and docs[0]["municipalities"] == ["Søholm"]
        own_id = next(d["id"] for d in ok("--db", own, "docs", "--json").json if d["title"] == title)
        assert docs[0]["id"] == own_id  # joined into the document this copy already had
        shown = ok("--db", merged, "show", docs[0]["id"], "--json").json
        assert len(shown["turns"]) == 4  # the turns are not doubled
        assert sorted(c["text"] for c in shown["codings"]) == ["hun får et job", "jeg tror på"]
        report = ok("--db", merged, "merge", tmp_path / ("jonas.fnbundle" if merged == a2 else "anna.fnbundle"),
                    "--json").json
        assert report["nothing_to_merge"] is True


def test_conflicts_are_listed_and_can_be_settled_the_other_way(tmp_path: Path, copies: tuple[Path, Path]) -> None:
    a, b = copies
    ok("--db", a, "codebook", "rename", "Ledelse", "Ledelse og styring", "--coder", ANNA)
    ok("--db", b, "codebook", "rename", "Ledelse", "Lederskab", "--coder", JONAS)
    a2, b2, _, _ = cross(tmp_path, a, b)
    listed = ok("--db", a2, "conflicts", "--json").json
    assert len(listed) == 1
    conflict = listed[0]
    assert conflict["kind"] == "changed_both" and conflict["status"] == "auto" and conflict["resolution"] == "theirs"
    assert conflict["ours"]["name"] == "Ledelse og styring" and conflict["theirs"]["name"] == "Lederskab"
    assert "Lederskab" in ok("--db", a2, "conflicts").out
    out = ok("--db", a2, "conflicts", "settle", conflict["id"][:8], "ours", "--coder", ANNA).out
    assert "ours" in out
    names = {c["name"] for c in ok("--db", a2, "codebook", "list", "--json").json}
    assert "Ledelse og styring" in names and "Lederskab" not in names
    settled = ok("--db", a2, "conflicts", "--json").json[0]
    assert settled["status"] == "settled" and settled["resolution"] == "ours"
    assert ok("--db", a2, "conflicts", "--open", "--json").json == []
    # the settlement is Anna's latest decision, so it wins in Jonas' copy too
    ok("--db", a2, "bundle", tmp_path / "settled.fnbundle", "--coder", ANNA)
    ok("--db", b2, "merge", tmp_path / "settled.fnbundle", "--coder", JONAS)
    assert "Ledelse og styring" in {c["name"] for c in ok("--db", b2, "codebook", "list", "--json").json}
    ok("--db", a2, "undo", "--coder", ANNA)
    assert "Lederskab" in {c["name"] for c in ok("--db", a2, "codebook", "list", "--json").json}
    bad = run("--db", a2, "conflicts", "settle", "zzzz", "ours")
    assert bad.code == 1 and "not a conflict id" in bad.err


def test_codes_added_with_the_same_name_on_both_sides_are_kept_and_can_be_joined(
        tmp_path: Path, copies: tuple[Path, Path]) -> None:
    a, b = copies
    for path, coder in ((a, ANNA), (b, JONAS)):
        ok("--db", path, "codebook", "add", "Håb", "--parent", "Tro på borgerens jobchance", "--coder", coder)
    ok("--db", a, "code", DOC, "--code", "Håb", "--match", "Det gør jeg virkelig", "--coder", ANNA)
    ok("--db", b, "code", NOTE, "--code", "Håb", "--match", "troen på borgeren", "--coder", JONAS)
    a2, b2, _, _ = cross(tmp_path, a, b)
    assert content(a2) == content(b2)  # both codes, in either order
    clash = [c for c in ok("--db", a2, "conflicts", "--json").json if c["kind"] == "code_name_clash"]
    assert len(clash) == 1 and clash[0]["resolution"] == "both"
    ok("--db", a2, "conflicts", "settle", clash[0]["id"], "ours", "--coder", ANNA)
    hope = [c for c in ok("--db", a2, "codebook", "list", "--json").json if c["name"] == "Håb"]
    assert len(hope) == 1 and hope[0]["codings"] == 2


def test_a_coding_changed_here_and_deleted_there_follows_the_later_change(
        tmp_path: Path, copies: tuple[Path, Path]) -> None:
    a, _ = copies
    made = ok("--db", a, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", ANNA,
              "--json").json[0]
    b = tmp_path / "b-after.db"
    shutil.copy(a, b)  # both copies have the coding
    ok("--db", a, "uncode", made["id"], "--coder", ANNA)
    ok("--db", b, "recode", made["id"], "--memo", "Vigtig — bevar den", "--coder", JONAS)  # later than the uncode
    a2, b2, _, _ = cross(tmp_path, a, b)
    assert content(a2) == content(b2)
    kept = codings(a2)[made["id"]]
    assert kept["memo"] == "Vigtig — bevar den"
    kinds = {c["kind"] for c in ok("--db", a2, "conflicts", "--json").json}
    assert kinds == {"deleted_here_changed_there"}


def test_the_search_index_follows_a_merge_and_its_undo(tmp_path: Path, copies: tuple[Path, Path]) -> None:
    a, b = copies
    (tmp_path / "note.txt").write_text("Bageriet i Ørbæk tager en praktikant. 🥐\n", "utf-8")
    ok("--db", a, "new", "--from-file", tmp_path / "note.txt", "--title", "Note fra Ørbæk", "--coder", JONAS)
    (tmp_path / "edit.txt").write_text(text_of(a).replace("bageriet i Lyngå", "bageriet i Skærbæk"), "utf-8")
    ok("--db", a, "edit", DOC, "--from-file", tmp_path / "edit.txt", "--coder", JONAS)
    ok("--db", a, "bundle", tmp_path / "jonas.fnbundle", "--coder", JONAS)
    assert ok("--db", b, "search", "Ørbæk", "--json").json == []
    ok("--db", b, "merge", tmp_path / "jonas.fnbundle", "--coder", ANNA)
    found = ok("--db", b, "search", "Ørbæk", "--json").json
    assert [(hit["document_title"], hit["text"]) for hit in found] == [("Note fra Ørbæk", "Ørbæk")]
    assert [hit["document_title"] for hit in ok("--db", b, "search", "Skærbæk", "--json").json] == [DOC]
    assert ok("--db", b, "search", "Lyngå", "--json").json == []  # the old word is gone from the index
    ok("--db", b, "undo", "--coder", ANNA)
    assert ok("--db", b, "search", "Ørbæk", "--json").json == []
    assert ok("--db", b, "search", "Skærbæk", "--json").json == []


def test_a_merge_stops_when_a_row_it_would_overwrite_changed_meanwhile(
        tmp_path: Path, copies: tuple[Path, Path]) -> None:
    from fieldnotes.project.opening import open_project
    from fieldnotes.team.merge import ChangedMeanwhile
    from fieldnotes.team.merge_plan import Planner
    from fieldnotes.team.merge_write import check_unchanged
    from fieldnotes.team.sources import open_source

    a, b = copies
    ok("--db", a, "codebook", "rename", "Ledelse", "Ledelse og styring", "--coder", JONAS)
    ok("--db", a, "bundle", tmp_path / "jonas.fnbundle", "--coder", JONAS)
    with open_project(str(b)) as project:
        with project.read() as session:
            plan = Planner(session, open_source(tmp_path / "jonas.fnbundle")).plan()
        assert plan.report.changed == {"codes": 1}
        ok("--db", b, "codebook", "rename", "Ledelse", "Lederskab", "--coder", ANNA)  # someone, meanwhile
        with project.write() as session, pytest.raises(ChangedMeanwhile, match="changed"):
            check_unchanged(session, plan)
    # run again, the merge sees the rename and settles it as a conflict
    report = ok("--db", b, "merge", tmp_path / "jonas.fnbundle", "--coder", ANNA, "--json").json
    assert [c["kind"] for c in report["conflicts"]] == ["changed_both"]


def _stored(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every tracked table's rows as SQLite holds them: each value with its storage class."""
    import sqlite3

    from fieldnotes.db import history

    with sqlite3.connect(path) as conn:
        out = {}
        for name, table in history.TABLES.items():
            columns = ", ".join(f'"{c.name}", typeof("{c.name}")' for c in table.columns)
            out[name] = conn.execute(f'SELECT {columns} FROM "{name}" ORDER BY id').fetchall()
    return out


def test_rows_written_straight_to_sqlite_are_stored_as_sqlalchemy_stores_them(tmp_path: Path) -> None:
    """A merge writes whole rows through the driver on SQLite (fieldnotes.team.merge_write._write_rows): they
    must be stored exactly as SQLAlchemy's statements store them, inserted or updated."""
    from sqlalchemy import bindparam, delete, insert, update

    from fieldnotes.db import history
    from fieldnotes.db.image_queries import select_images
    from fieldnotes.project.opening import open_project
    from fieldnotes.team import merge_write as writing

    base = make_project(tmp_path)
    ok("--db", base, "code", DOC, "--code", "Specifik tro", "--match", "job på lageret", "--rating", "4",
       "--memo", "Et memo 🙂", "--coder", JONAS)
    ok("--db", base, "pseudonyms", "add", "Søren", "Bo 🙂", "--attr", "role=borger")
    ok("--db", base, "memo", "add", f"doc:{DOC}", "Æblet — æøå", "--coder", ANNA)
    copies = {way: tmp_path / f"{way}.db" for way in ("sqlalchemy", "driver")}
    for way, path in copies.items():
        shutil.copy(base, path)
        with open_project(str(path)) as project, project.write() as session:
            conn = session.connection()
            images = {name: list(select_images(conn, name)) for name in history.TABLES}
            fresh = [name for name in history.TABLES if name != "coders"]  # the event log refers to coders
            for name in reversed(fresh):
                conn.execute(delete(history.TABLES[name]))
            for name in fresh:  # inserted, parents first
                table = history.TABLES[name]
                if not images[name]:
                    continue
                if way == "driver":
                    writing._write_rows(conn, table, images[name], insert=True)
                else:
                    conn.execute(insert(table), [writing._complete(table, i, None) for i in images[name]])
            for name, table in history.TABLES.items():  # and updated to the same values
                if not images[name]:
                    continue
                if way == "driver":
                    writing._write_rows(conn, table, images[name], insert=False)
                else:
                    rows = [writing._complete(table, i, None) for i in images[name]]
                    conn.execute(update(table).where(table.c.id == bindparam("_row")),
                                 [{"_row": row["id"], **row} for row in rows])
    assert _stored(copies["driver"]) == _stored(copies["sqlalchemy"]) == _stored(base)


CARLA, DAN = "Carla Ørsted", "Dan Æbelø"


def _deleted_here_used_there(tmp_path: Path) -> tuple[Path, Path, Path, Path, set[str]]:
    """Anna and Jonas code with Ledelse in both copies; Carla deletes the code (and with it their codings
    and a memo on one of them) in copy A; Dan codes with it in copy B. Returns the two crossed results,
    copy B, copy A and the ids of the codings made before the split."""
    base = make_project(tmp_path)
    made = [ok("--db", base, "code", doc, "--code", "Ledelse", "--match", match, "--coder", coder, "--json").json[0]
            for doc, match, coder in ((DOC, "Lederen er med", ANNA), (DOC, "sparring på de svære sager", JONAS),
                                      (NOTE, "Lederen spørger til sagerne", JONAS))]
    ok("--db", base, "recode", made[0]["id"], "--memo", "Ledelsen bærer sparringen — æøå", "--coder", ANNA)
    ok("--db", base, "memo", "add", "code:Ledelse", "Ledelse betyder både leder og ledelse 🙂", "--coder", JONAS)
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    shutil.copy(base, a)
    shutil.copy(base, b)
    ok("--db", a, "codebook", "delete", "Ledelse", "--yes", "--coder", CARLA)
    ok("--db", b, "code", NOTE, "--code", "Ledelse", "--match", "kollegerne foreslår en praktik", "--coder", DAN)
    ok("--db", a, "bundle", tmp_path / "carla.fnbundle", "--coder", CARLA)
    ok("--db", b, "bundle", tmp_path / "dan.fnbundle", "--coder", DAN)
    a2, b2 = tmp_path / "a2.db", tmp_path / "b2.db"
    shutil.copy(a, a2)
    shutil.copy(b, b2)
    ok("--db", a2, "merge", tmp_path / "dan.fnbundle", "--coder", CARLA)
    ok("--db", b2, "merge", tmp_path / "carla.fnbundle", "--coder", DAN)
    return a2, b2, a, b, {row["id"] for row in made}


def test_a_deleted_code_kept_because_it_is_used_comes_back_with_its_codings(tmp_path: Path) -> None:
    a2, b2, a, b, made = _deleted_here_used_there(tmp_path)
    assert content(a2) == content(b2)
    for merged in (a2, b2):
        rows = codings(merged)
        assert set(rows) == set(codings(a)) | set(codings(b))  # the union: nothing lost
        ledelse = {row["id"] for row in rows.values() if row["code_path"].endswith("Ledelse")}
        assert made < ledelse and len(ledelse) == 4
        assert any(row["memo"] == "Ledelsen bærer sparringen — æøå" for row in rows.values())
        memos = ok("--db", merged, "memo", "list", "--json").json
        assert "Ledelse betyder både leder og ledelse 🙂" in {memo["text"] for memo in memos}
        kinds = [c["kind"] for c in ok("--db", merged, "conflicts", "--json").json]
        assert kinds == ["deleted_but_used"]
        for bundle in ("dan.fnbundle", "carla.fnbundle"):  # merging again changes nothing
            assert ok("--db", merged, "merge", tmp_path / bundle, "--json").json["nothing_to_merge"] is True


def test_a_code_kept_because_it_was_used_can_be_settled_the_deleting_way_and_undone(tmp_path: Path) -> None:
    a2, b2, _, _, _ = _deleted_here_used_there(tmp_path)
    # Carla's copy deleted it (this copy's version is none); Dan's copy kept it (theirs is none)
    for merged, deleting, coder in ((a2, "ours", CARLA), (b2, "theirs", DAN)):
        before = snapshot(merged)
        conflict = ok("--db", merged, "conflicts", "--json").json[0]
        assert conflict["kind"] == "deleted_but_used" and conflict[deleting] is None
        assert "with the 3 codings, 1 memo deleted together" in conflict["summary"]
        done = ok("--db", merged, "conflicts", "settle", conflict["id"][:8], deleting, "--coder", coder,
                  "--json").json["done"]
        assert "'Sparringskultur og ledelse/Ledelse'" in done and "4 coding(s)" in done
        assert "Ledelse" not in {c["name"] for c in ok("--db", merged, "codebook", "list", "--json").json}
        assert not [row for row in codings(merged).values() if row["code_path"].endswith("Ledelse")]
        assert ok("--db", merged, "conflicts", "--open", "--json").json == []
        log = ok("--db", merged, "log", "--json").json
        assert log[0]["action"] == "conflicts.settle" and log[1]["action"] == "merge"  # one step
        ok("--db", merged, "undo", "--coder", coder)
        assert snapshot(merged) == before


def test_crossed_merges_store_the_same_text_and_json_as_the_app_does(tmp_path: Path) -> None:
    """Not only the same values: the same stored text (JSON keys in the same order, None as SQL NULL)."""
    base = tmp_path / "demo.db"
    ok("demo", base, "--no-tui")
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    shutil.copy(base, a)
    shutil.copy(base, b)
    ok("--db", a, "codebook", "rename", "Kommunikation om borger", "Kommunikation — æøå", "--coder", ANNA)
    ok("--db", b, "codebook", "rename", "Sagsfremstilling", "Sagsfremstilling 🙂", "--coder", JONAS)
    ok("--db", b, "codebook", "rename", "Kommunikation om borger", "Kommunikation og sprog", "--coder", JONAS)
    a2, b2, _, _ = cross(tmp_path, a, b)
    crossed = [{t: rows for t, rows in _stored(path).items() if t != "merge_conflicts"} for path in (a2, b2)]
    assert crossed[0] == crossed[1]
    renamed = [row for row in crossed[0]["codes"] if row[2] == "Sagsfremstilling 🙂"]  # id, type, name, type, …
    assert renamed and any(str(value).startswith('{"en": {"name": ') for value in renamed[0])  # as the app wrote it
    # a whole project into an empty one: JSON stored exactly as the app stored it (SQL NULL stays NULL)
    empty = tmp_path / "empty.db"
    ok("--db", empty, "init", "--empty", "--coder", ANNA)
    ok("--db", empty, "merge", base, "--coder", ANNA)
    whole, original = _stored(empty), _stored(base)
    for table in ("attributes", "codes", "documents", "memos", "codings"):
        assert whole[table] == original[table], table
    assert (None, "null") in {row[2 * i : 2 * i + 2] for row in whole["attributes"] for i in range(len(row) // 2)}


def test_the_merging_coder_may_be_a_coder_the_merge_brings(tmp_path: Path) -> None:
    """Merging a whole project into an empty one as one of its own coders failed on coders.name."""
    source = make_project(tmp_path)
    ok("--db", source, "--coder", "Anna Krogh", "code", "Interview med sagsbehandler", "--code", "Ledelse",
       "--match", "Lederen er med")
    empty = tmp_path / "tom-æø.db"
    ok("--db", empty, "init", "--empty", "--coder", "Server")
    before = snapshot(empty)
    merged = run("--db", empty, "--coder", "Anna Krogh", "merge", source)
    assert merged.code == 0, merged.err
    assert snapshot(empty)["codings"] == snapshot(source)["codings"]
    with closing(sqlite3.connect(empty)) as conn:
        assert conn.execute("SELECT count(*) FROM coders WHERE name = 'Anna Krogh'").fetchone()[0] == 1
    ok("--db", empty, "--coder", "Anna Krogh", "undo")
    after = snapshot(empty)
    # (the undo is recorded as Anna's, so she stays a coder of the project)
    assert {k: v for k, v in after.items() if k != "coders"} == {k: v for k, v in before.items() if k != "coders"}


def test_a_merge_reports_in_danish(tmp_path: Path, copies: tuple[Path, Path]) -> None:
    """The merge's own lines (what was merged, added, changed) follow --lang da; --json keeps table names."""
    a, b = copies
    ok("--db", a, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", ANNA)
    ok("--db", a, "codebook", "add", "Nye idéer på Ærø", "--coder", ANNA)
    ok("--db", a, "bundle", tmp_path / "anna-ø.fnbundle", "--coder", ANNA)
    dry = ok("--db", b, "--lang", "da", "merge", tmp_path / "anna-ø.fnbundle", "--dry-run").out.splitlines()
    assert dry[0] == "prøvekørsel: fletningen ville ændre"
    result = ok("--db", b, "--lang", "da", "merge", tmp_path / "anna-ø.fnbundle", "--coder", JONAS).out
    lines = result.splitlines()
    assert lines[0] == "flettede anna-ø.fnbundle:", lines
    added = next(line for line in lines if line.startswith("  tilføjet: "))
    assert re.search(r"\b1 kodning\b", added) and re.search(r"\b1 kode\b", added), added  # singulars
    assert not any(word in result for word in ("merged", "added:", "changed:", "codings", "dry run"))
