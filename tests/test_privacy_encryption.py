"""Encrypted projects (SQLCipher): nothing readable on disk, clear messages, encrypted backups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fieldnotes.privacy import encryption
from tests.conftest import missing
from tests.helpers import ok, run
from tests.projectdata import INTERVIEW, SMALL_CODEBOOK, snapshot

PASSPHRASE = "kaffe på Ærø 🙂 med 'citat'"
SENTENCE = "Vi tager altid en runde i teamet om fredagen"  # from INTERVIEW


@pytest.fixture(autouse=True)
def sqlcipher(monkeypatch: pytest.MonkeyPatch) -> None:
    if not encryption.available():
        missing("SQLCipher (sqlcipher3)", "install the encryption extra: pip install -e '.[encryption]'")
    monkeypatch.setenv(encryption.ENV_PASSPHRASE, PASSPHRASE)
    encryption._remembered.clear()


def make_encrypted(folder: Path) -> Path:
    target = folder / "hemmelig.db"
    ok("--db", target, "init", "--encrypt", "--codebook", SMALL_CODEBOOK, "--coder", "Anna Krogh")
    source = folder / "interview.txt"
    source.write_text(INTERVIEW, encoding="utf-8")
    ok("--db", target, "import", source, "--title", "Interview", "--kind", "interview", "--municipality", "Lyngå")
    ok("--db", target, "code", "Interview", "--code", "Kollegial sparring", "--match", SENTENCE)
    source.unlink()
    return target


def readable(folder: Path, needle: str) -> list[str]:
    """Every file below `folder` holding the text in UTF-8 (or UTF-16, as some writers store it)."""
    patterns = [needle.encode("utf-8"), needle.encode("utf-16-le"), needle.split()[-1].encode("utf-8")]
    return [str(p) for p in folder.rglob("*") if p.is_file() and any(x in p.read_bytes() for x in patterns)]


def test_an_encrypted_project_holds_no_readable_text(tmp_path: Path, isolated_paths: Path) -> None:
    project = make_encrypted(tmp_path)
    assert project.read_bytes()[:16] != b"SQLite format 3\x00"
    info = ok("--db", project, "project", "show", "--json").json
    assert info["encrypted"] is True and info["documents"] == 1 and info["codings"] == 1
    assert ok("--db", project, "excerpts", "--json").json[0]["text"] == SENTENCE
    assert readable(tmp_path, SENTENCE) == [] and readable(isolated_paths, SENTENCE) == []
    assert project.stat().st_mode & 0o077 == 0


def test_nothing_readable_while_the_project_is_open(tmp_path: Path) -> None:
    """The write-ahead log and temporary storage are encrypted (or in memory) while work goes on."""
    from sqlalchemy import select

    from fieldnotes.db.models import Document
    from fieldnotes.project.opening import open_project

    project = make_encrypted(tmp_path)
    with open_project(str(project)) as opened:
        with opened.read() as session:
            assert SENTENCE in session.scalars(select(Document.text)).one()
        ok("--db", project, "code", "Interview", "--code", "Ledelse", "--match", "Lederen er med")
        assert Path(f"{project}-wal").exists()  # the log is there, and encrypted
        assert readable(tmp_path, SENTENCE) == [] and readable(tmp_path, "Lederen er med") == []


def test_wrong_or_missing_passphrase_gives_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_encrypted(tmp_path)
    before = project.read_bytes()
    encryption._remembered.clear()
    monkeypatch.setenv(encryption.ENV_PASSPHRASE, "forkert")
    result = run("--db", project, "docs")
    assert result.code == 1 and "the passphrase is wrong" in result.err and result.err.count("\n") == 1
    assert "Traceback" not in result.err and "forkert" not in result.err
    monkeypatch.delenv(encryption.ENV_PASSPHRASE)
    result = run("--db", project, "docs")
    assert result.code == 1 and "is encrypted and no passphrase was given" in result.err
    assert encryption.ENV_PASSPHRASE in result.err
    assert project.read_bytes() == before


@pytest.mark.slow
def test_backups_of_an_encrypted_project_are_encrypted(tmp_path: Path, isolated_paths: Path) -> None:
    project = make_encrypted(tmp_path)
    copy = tmp_path / "kopi.db"
    ok("--db", project, "backup", copy)
    daily = list((isolated_paths / "data" / "backups").glob("*.db"))
    assert daily and all(p.read_bytes()[:16] != b"SQLite format 3\x00" for p in [copy, *daily])
    assert all(p.stat().st_mode & 0o077 == 0 for p in [copy, *daily])
    assert readable(tmp_path, SENTENCE) == [] and readable(isolated_paths, SENTENCE) == []
    before = snapshot(copy)
    assert before == snapshot(project)
    ok("--db", project, "uncode", ok("--db", project, "excerpts", "--json").json[0]["id"])
    ok("--db", project, "restore", copy, "--yes")
    assert snapshot(project) == before


def test_restoring_an_encrypted_project_that_is_open_elsewhere_is_refused(tmp_path: Path) -> None:
    from contextlib import closing

    project = make_encrypted(tmp_path)
    copy = tmp_path / "kopi.db"
    ok("--db", project, "backup", copy)
    with closing(encryption.connect(project)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM documents").fetchone()
        ok("--db", project, "memo", "add", "project", "Mødet flyttes til torsdag")
        result = run("--db", project, "restore", copy, "--yes")
        assert result.code == 1 and "close the app and other fieldnotes commands on this project first" in result.err
        reader.rollback()
    assert not list(tmp_path.glob("*before-restore*"))
    assert [m["text"] for m in ok("--db", project, "memo", "list", "--json").json] == ["Mødet flyttes til torsdag"]
    ok("--db", project, "restore", copy, "--yes")  # once nobody else has it open
    assert ok("--db", project, "memo", "list", "--json").json == []


def test_pseudonymising_an_encrypted_project(tmp_path: Path) -> None:
    project = make_encrypted(tmp_path)
    ok("--db", project, "pseudonyms", "add", "Søren", "Bo")
    ok("--db", project, "pseudonyms", "apply", "--yes")
    ok("--db", project, "pseudonyms", "export", tmp_path / "key.json", "--remove", "--yes", "--delete-backups")
    text = ok("--db", project, "show", "Interview", "--json").json["text"]
    assert "at Bo får et job" in text and "Søren" not in text
    assert project.read_bytes()[:16] != b"SQLite format 3\x00"


@pytest.mark.postgres
def test_encrypt_is_for_files(pg_url: str) -> None:
    result = run("--db", pg_url, "init", "--encrypt")
    assert result.code == 1 and "--encrypt works on project files" in result.err


def test_a_typed_passphrase_is_asked_twice_for_a_new_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(encryption.ENV_PASSPHRASE)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    typed = iter(["æble 🍎", "æble 🍏"])
    monkeypatch.setattr(encryption, "_ask", lambda prompt: next(typed))
    result = run("--db", tmp_path / "ny.db", "init", "--encrypt", "--empty")
    assert result.code == 1 and "the two passphrases differ" in result.err
    assert list(tmp_path.iterdir()) == []  # nothing was created
    typed = iter(["æble 🍎", "æble 🍎", "æble 🍎"])
    ok("--db", tmp_path / "ny.db", "init", "--encrypt", "--empty")
    encryption._remembered.clear()
    assert ok("--db", tmp_path / "ny.db", "project", "show", "--json").json["encrypted"] is True


def _rekey(project: Path, passphrase: str) -> None:
    """Give a copy of the project a passphrase of its own (as a colleague might)."""
    from contextlib import closing

    with closing(encryption.connect(project, passphrase=PASSPHRASE)) as conn:
        conn.execute(f"PRAGMA rekey = '{passphrase}'")
    encryption._remembered.clear()


@pytest.fixture
def encrypted_bundle(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An encrypted project, an encrypted copy of it made before Jonas coded, and Jonas' bundle."""
    project = make_encrypted(tmp_path)
    copy = tmp_path / "kopi.db"
    ok("--db", project, "backup", copy)
    ok("--db", project, "code", "Interview", "--code", "Ledelse", "--match", "Lederen er med", "--coder", "Jonas Bech")
    ok("--db", project, "memo", "add", "doc:Interview", "Jonas' memo om Søren på Ærø", "--coder", "Jonas Bech")
    bundle = tmp_path / "jonas.fnbundle"
    assert ok("--db", project, "bundle", bundle, "--coder", "Jonas Bech", "--json").json["encrypted"] is True
    return project, copy, bundle


def test_a_bundle_of_an_encrypted_project_is_encrypted(encrypted_bundle: tuple[Path, Path, Path]) -> None:
    import zipfile

    project, copy, bundle = encrypted_bundle
    raw = bundle.read_bytes()
    assert not zipfile.is_zipfile(bundle) and not raw.startswith(b"PK")
    for needle in (SENTENCE, "Lederen er med", "Jonas' memo om Søren", "Søren", "manifest.json", "Jonas Bech"):
        assert needle.encode("utf-8") not in raw and needle.encode("utf-16-le") not in raw, needle
    assert bundle.stat().st_mode & 0o077 == 0
    assert [p.name for p in bundle.parent.iterdir() if ".partial" in p.name] == []
    audit = ok("--db", project, "log", "--exports", "--json").json
    assert audit[0]["action"] == "bundle" and audit[0]["details"]["encrypted"] is True
    # the copy, encrypted with the same passphrase, takes it
    report = ok("--db", copy, "merge", bundle, "--coder", "Anna Krogh", "--json").json
    assert report["added"]["codings"] == 1 and report["added"]["memos"] == 1
    texts = sorted(e["text"] for e in ok("--db", copy, "excerpts", "--json").json)
    assert texts == ["Lederen er med", SENTENCE]


def test_a_plain_project_keeps_writing_plain_bundles(tmp_path: Path) -> None:
    import zipfile

    from tests.projectdata import make_project

    project = make_project(tmp_path)
    ok("--db", project, "bundle", tmp_path / "anna.fnbundle")
    assert zipfile.is_zipfile(tmp_path / "anna.fnbundle")
    assert ok("--db", project, "log", "--exports", "--json").json[0]["details"]["encrypted"] is False


def test_a_wrong_or_missing_passphrase_for_a_bundle_is_refused(
        tmp_path: Path, encrypted_bundle: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _, copy, bundle = encrypted_bundle
    _rekey(copy, "en anden nøgle")  # a copy with a passphrase of its own: the bundle's is not it
    monkeypatch.setenv(encryption.ENV_PASSPHRASE, "en anden nøgle")
    before = snapshot(copy)
    result = run("--db", copy, "merge", bundle, "--coder", "Anna Krogh")
    assert result.code == 1 and result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "jonas.fnbundle is an encrypted bundle and the passphrase does not open it" in result.err
    assert encryption.ENV_PASSPHRASE in result.err and "en anden nøgle" not in result.err
    assert snapshot(copy) == before
    # without any passphrase, merged into a plain project: it says what to set
    from tests.projectdata import make_project

    (tmp_path / "plain").mkdir()
    plain = make_project(tmp_path / "plain")
    monkeypatch.delenv(encryption.ENV_PASSPHRASE)
    result = run("--db", plain, "merge", bundle, "--coder", "Anna Krogh")
    assert result.code == 1 and result.err.count("\n") == 1
    assert "is an encrypted bundle and no passphrase was given" in result.err
    assert f"set {encryption.ENV_PASSPHRASE} to the project's passphrase" in result.err
    # typed in a terminal, the bundle's own passphrase opens it
    monkeypatch.setenv(encryption.ENV_PASSPHRASE, "en anden nøgle")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr(encryption, "_ask", lambda prompt: PASSPHRASE)
    assert ok("--db", copy, "merge", bundle, "--coder", "Anna Krogh", "--json").json["added"]["codings"] == 1


def test_a_damaged_encrypted_bundle_is_refused(tmp_path: Path, encrypted_bundle: tuple[Path, Path, Path]) -> None:
    _, copy, bundle = encrypted_bundle
    raw = bytearray(bundle.read_bytes())
    raw[len(raw) // 2] ^= 1
    flipped = tmp_path / "flipped.fnbundle"
    flipped.write_bytes(bytes(raw))
    cut = tmp_path / "cut.fnbundle"
    cut.write_bytes(bundle.read_bytes()[:30])
    before = snapshot(copy)
    for path, message in ((flipped, "does not open it (or it is damaged)"), (cut, "damaged or incomplete")):
        result = run("--db", copy, "merge", path, "--coder", "Anna Krogh")
        assert result.code == 1 and message in result.err and result.err.count("\n") == 1, result.err
    assert snapshot(copy) == before


def test_a_sealed_header_asking_for_gigabytes_of_scrypt_is_refused_before_any_work(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The header is authenticated only after the key is derived: its cost must be bounded first, so scrypt
    is never run for it (how fast the refusal is, is measured by the benchmarks)."""
    import io
    import struct

    import cryptography.hazmat.primitives.kdf.scrypt as kdf

    from fieldnotes.errors import InvalidInput
    from fieldnotes.privacy import sealed

    derived: list[int] = []
    real = kdf.Scrypt

    def counting(*args: Any, **kwargs: Any) -> Any:  # the real scrypt, counted
        derived.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(kdf, "Scrypt", counting)
    buffer = io.BytesIO()
    sealed.seal(b"indhold", "hemmelig-æøå", buffer)
    good = buffer.getvalue()
    assert derived == [1]  # the count sees a real key derivation
    header = sealed.MAGIC + struct.pack(">BBBB16s12s", sealed.VERSION, 20, 16, 4, b"s" * 16, b"n" * 12)
    with pytest.raises(InvalidInput, match="not one fieldnotes writes"):
        sealed.unseal(header + b"x" * 64 + b"t" * sealed.TAG_SIZE, "hemmelig-æøå", name="fjendtlig.fnbundle")
    assert derived == [1]  # refused before scrypt ran
    assert sealed.unseal(good, "hemmelig-æøå", name="god.fnbundle") == b"indhold"
