"""Bundles: the file format, what goes in, and every kind of bad file refused with nothing changed."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import uuid
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldnotes.db import history, image_queries, migrate
from fieldnotes.db.models import ProjectSettings, Pseudonym
from fieldnotes.project.opening import open_project
from tests.helpers import ok, run
from tests.projectdata import make_project, snapshot

DOC = "Interview med sagsbehandler"
ANNA, JONAS = "Anna Krogh", "Jonas Bech"


def project_id(path: Path) -> str:
    with open_project(str(path), readonly=True) as project, project.read() as session:
        return str(session.scalars(select(ProjectSettings.id)).one())


def members(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(bundle: Path, target: Path, *, drop: str | None = None, **changes: bytes) -> Path:
    data = {**members(bundle), **changes}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in data.items():
            if name != drop:
                archive.writestr(name, body)
    return target


def fresh_project(tmp_path: Path, name: str) -> Path:
    """Another small project, with its own identity."""
    folder = tmp_path / name
    folder.mkdir()
    return make_project(folder)


@pytest.fixture
def coded(tmp_path: Path) -> tuple[Path, Path]:
    """A project (made by Anna) where Jonas has coded and written a memo, and his bundle."""
    project = make_project(tmp_path)
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--memo", "Vigtigt 🙂",
       "--coder", JONAS)
    ok("--db", project, "memo", "add", f"doc:{DOC}", "Et memo om Søren", "--coder", JONAS)
    bundle = tmp_path / "jonas.fnbundle"
    ok("--db", project, "bundle", bundle, "--coder", JONAS)
    return project, bundle


def test_the_bundle_format(tmp_path: Path, coded: tuple[Path, Path]) -> None:
    project, bundle = coded
    data = members(bundle)
    assert set(data) == {"manifest.json", "rows.json", "events.json"}
    manifest = json.loads(data["manifest.json"])
    assert manifest["format"] == "fieldnotes-bundle" and manifest["format_version"] == 1
    assert manifest["project"] == {"id": project_id(project), "name": "Testkodebog"}
    assert manifest["schema_revision"] == migrate.head()
    assert manifest["coders"] == [JONAS] and manifest["since"] is None
    assert manifest["created_by"] == ANNA  # who made the bundle: the project's default coder here
    for member in ("rows.json", "events.json"):
        assert manifest["payload"][member] == hashlib.sha256(data[member]).hexdigest()
    rows = json.loads(data["rows.json"])
    assert set(rows) == {"changed", "context", "deleted"}
    assert [c["text"] for c in rows["changed"]["codings"]] == ["Lederen er med"]
    assert sorted(m["text"] for m in rows["changed"]["memos"]) == ["Et memo om Søren"]
    # the context makes the bundle mergeable anywhere: the document, its turns, the code and its parent
    assert [d["title"] for d in rows["context"]["documents"]] == [DOC]
    assert len(rows["context"]["speaker_turns"]) == 6
    assert {c["name"] for c in rows["context"]["codes"]} == {"Ledelse", "Sparringskultur og ledelse"}
    assert manifest["counts"]["changed"]["codings"] == 1 and manifest["counts"]["changes"] == 2
    events = json.loads(data["events.json"])
    assert [c["action"] for c in events["changes"]] == ["code", "memo.add"]
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    assert str(tmp_path).encode() not in bundle.read_bytes() and str(tmp_path) not in "".join(
        d.decode("utf-8") for d in data.values())
    exports = ok("--db", project, "log", "--exports", "--json").json
    assert exports[0]["action"] == "bundle" and exports[0]["details"]["file"] == "jonas.fnbundle"
    assert str(tmp_path) not in json.dumps(exports)
    again = run("--db", project, "bundle", bundle, "--coder", JONAS)
    assert again.code == 1 and "already exists" in again.err
    ok("--db", project, "bundle", bundle, "--coder", JONAS, "--force")


def test_a_bundle_holds_the_coders_own_work_not_what_they_merged(tmp_path: Path, coded: tuple[Path, Path]) -> None:
    project, _ = coded
    other = tmp_path / "mette.db"
    shutil.copy(project, other)
    ok("--db", other, "code", DOC, "--code", "Kollegial sparring", "--match", "Vi tager altid", "--coder", "Mette")
    ok("--db", other, "bundle", tmp_path / "mette.fnbundle", "--coder", "Mette")
    ok("--db", project, "merge", tmp_path / "mette.fnbundle", "--coder", JONAS)
    ok("--db", project, "bundle", tmp_path / "jonas2.fnbundle", "--coder", JONAS)
    rows = json.loads(members(tmp_path / "jonas2.fnbundle")["rows.json"])
    assert [c["text"] for c in rows["changed"]["codings"]] == ["Lederen er med"]
    assert "merge" not in {c["action"] for c in json.loads(members(tmp_path / "jonas2.fnbundle")["events.json"])
                           ["changes"]}
    future = ok("--db", project, "bundle", tmp_path / "none.fnbundle", "--coder", JONAS, "--since", "2999-01-01",
                "--json")
    assert future.json["changes"] == 0 and "empty" in future.err
    assert ok("--db", other, "merge", tmp_path / "none.fnbundle", "--json").json["nothing_to_merge"] is True
    unknown = run("--db", project, "bundle", tmp_path / "x.fnbundle", "--coder", "Ingen Sådan")
    assert unknown.code == 1 and "no coder 'Ingen Sådan'" in unknown.err and ANNA in unknown.err


def test_a_pseudonymized_bundle_leaves_the_key_here(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    copy = tmp_path / "copy.db"
    shutil.copy(project, copy)
    from fieldnotes.project.actions import acting

    with open_project(str(project)) as opened, acting(opened, ANNA, "pseudonyms.add", "added") as (session, cid):
        session.add(Pseudonym(original="Kirsten Ærbo", pseudonym="Sagsbehandler M", created_by=cid))
    bundle = tmp_path / "anna.fnbundle"
    ok("--db", project, "bundle", bundle, "--coder", ANNA, "--pseudonymize")
    raw = b"".join(members(bundle).values())
    assert b"Sagsbehandler M" in raw and "Kirsten Ærbo".encode() not in raw
    assert json.loads(members(bundle)["manifest.json"])["pseudonymized"] is True
    ok("--db", copy, "merge", bundle, "--coder", JONAS)
    with open_project(str(copy), readonly=True) as opened, opened.read() as session:
        entry = session.scalars(select(Pseudonym)).one()
        assert (entry.original, entry.pseudonym) == (None, "Sagsbehandler M")
    # merged back where the key is, the original stays
    assert ok("--db", project, "merge", bundle, "--json").json["nothing_to_merge"] is True
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        assert session.scalars(select(Pseudonym.original)).one() == "Kirsten Ærbo"


def _bad_files(tmp_path: Path, bundle: Path, project: Path) -> dict[str, tuple[str, str]]:
    """name -> (the file, the message expected)."""
    stranger = fresh_project(tmp_path, "stranger")
    ok("--db", stranger, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", ANNA)
    ok("--db", stranger, "bundle", tmp_path / "stranger.fnbundle", "--coder", ANNA)
    data = members(bundle)
    manifest = json.loads(data["manifest.json"])
    tampered = data["rows.json"].replace(b"Lederen er med", "Lederen er væk".encode())
    truncated = tmp_path / "truncated.fnbundle"
    truncated.write_bytes(bundle.read_bytes()[: len(bundle.read_bytes()) // 2])
    text = tmp_path / "notes.txt"
    text.write_text("bare en tekstfil med æøå\n", "utf-8")
    notzip = tmp_path / "notzip.fnbundle"
    notzip.write_text("ikke en bundt, bare tekst om Søren og Åse\n" * 40, "utf-8")
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("hello.txt", "hej")
    return {
        "another project": (str(tmp_path / "stranger.fnbundle"), "from another project"),
        "tampered": (str(rewrite(bundle, tmp_path / "tampered.fnbundle", **{"rows.json": tampered})),
                     "checksum of rows.json does not match"),
        "truncated": (str(truncated), "damaged or incomplete"),
        "newer schema": (str(rewrite(bundle, tmp_path / "newer.fnbundle", **{"manifest.json": json.dumps(
            {**manifest, "schema_revision": "ffffffffffff"}).encode()})), "newer fieldnotes (schema ffffffffffff)"),
        "newer format": (str(rewrite(bundle, tmp_path / "format.fnbundle", **{"manifest.json": json.dumps(
            {**manifest, "format_version": 2}).encode()})), "newer fieldnotes (bundle format 2)"),
        "missing member": (str(rewrite(bundle, tmp_path / "nomember.fnbundle", drop="events.json")),
                           "events.json is missing"),
        "a zip of something else": (str(other_zip), "not a fieldnotes bundle"),
        "a text file": (str(text), "is neither a fieldnotes bundle nor a project"),
        "a text file named like a bundle": (str(notzip), "give a bundle made with `fieldnotes bundle`"),
        "no such file": (str(tmp_path / "findes-ikke.fnbundle"), "there is no file"),
        "itself": (str(project), "this project itself"),
        "a server url": ("postgresql+psycopg://anna:hemmeligt-kodeord@127.0.0.1:1/x", "server database"),
    }


def test_bad_files_are_refused_and_nothing_changes(tmp_path: Path, coded: tuple[Path, Path]) -> None:
    project, bundle = coded
    target = tmp_path / "target.db"
    shutil.copy(project, target)
    bad = _bad_files(tmp_path, bundle, target)
    before = snapshot(target)
    for name, (path, message) in bad.items():
        result = run("--db", target, "merge", path, "--coder", JONAS)
        assert result.code == 1, (name, result.out)
        assert message in result.err, (name, result.err)
        assert "Traceback" not in result.err and result.err.count("\n") == 1, (name, result.err)
        assert "hemmeligt" not in result.err + result.out
        assert snapshot(target) == before, name
    # while a good bundle still merges
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "sparring på de svære", "--coder", "Mette")
    ok("--db", project, "bundle", tmp_path / "mette.fnbundle", "--coder", "Mette")
    assert ok("--db", target, "merge", tmp_path / "mette.fnbundle", "--json").json["added"]["codings"] == 1


def test_a_whole_project_goes_into_an_empty_project_and_takes_its_identity(tmp_path: Path) -> None:
    laptop = make_project(tmp_path)
    ok("--db", laptop, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med", "--coder", ANNA)
    empty = tmp_path / "empty.db"
    ok("--db", empty, "init", "--empty", "--coder", "Server")
    report = ok("--db", empty, "merge", laptop, "--coder", "Server", "--json").json
    assert report["project_identity_adopted"] is True
    assert project_id(empty) == project_id(laptop)
    mine, theirs = snapshot(empty), snapshot(laptop)
    for table in ("documents", "speaker_turns", "cases", "document_cases", "codes", "codings", "memos", "project"):
        assert mine[table] == theirs[table], table
    assert ok("--db", empty, "merge", laptop, "--json").json["nothing_to_merge"] is True
    # laptops' bundles now merge into it
    ok("--db", laptop, "memo", "add", "project", "Efter flytningen", "--coder", ANNA)
    ok("--db", laptop, "bundle", tmp_path / "after.fnbundle", "--coder", ANNA)
    assert ok("--db", empty, "merge", tmp_path / "after.fnbundle", "--json").json["added"] == {"memos": 1}
    # a different project refuses to go into one that is not empty
    stranger = fresh_project(tmp_path, "stranger")
    before = snapshot(empty)
    refused = run("--db", empty, "merge", stranger)
    assert refused.code == 1 and "is not empty" in refused.err and snapshot(empty) == before


def test_history_images_are_bundled_as_the_log_has_them(coded: tuple[Path, Path]) -> None:
    project, bundle = coded
    events = json.loads(members(bundle)["events.json"])["events"]
    with open_project(str(project), readonly=True) as opened, opened.engine.connect() as conn:
        coding = json.loads(members(bundle)["rows.json"])["changed"]["codings"][0]
        stored = image_queries.fetch_images(conn, "codings", [uuid.UUID(coding["id"])])
        assert next(iter(stored.values())) == coding
    created = [e for e in events if e["table"] == "codings"]
    assert created and created[0]["before"] is None and created[0]["after"]["text"] == "Lederen er med"


@pytest.mark.parametrize("scan_from", [1, 2000])
def test_images_read_for_bundles_and_merges_are_the_event_logs_images(coded: tuple[Path, Path],
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        scan_from: int) -> None:
    """Bundles, merges and the event log read rows without the ORM's types (fieldnotes.db.image_queries): every
    value must come out exactly as history.row_image gives it, or merges would see changes that are not
    there and undo would restore rows wrongly."""
    from fieldnotes.db import image_queries

    project, _ = coded
    ok("--db", project, "pseudonyms", "add", "Søren", "Bo 🙂", "--attr", "role=borger")
    ok("--db", project, "code", DOC, "--code", "Specifik tro", "--match", "job på lageret", "--rating", "4",
       "--coder", ANNA)
    monkeypatch.setattr(image_queries, "SCAN_FROM", scan_from)
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        conn = session.connection()
        for name, table in history.TABLES.items():
            expected = [history.row_image(row) for row in conn.execute(select(table))]
            assert list(image_queries.select_images(conn, name)) == expected, name
            some = expected[::2]
            assert image_queries.fetch_images(conn, name, [uuid.UUID(image["id"]) for image in some]) == {
                image["id"]: image for image in some}
