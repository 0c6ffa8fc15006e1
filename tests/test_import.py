"""Importing every format: the stored text is exactly the normalised text, encodings come through right,
speaker turns are found. One folder of real files is imported once through the command line."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fieldnotes.importing.encoding import decode
from tests import importdata as data
from tests.helpers import ok


@dataclass
class Library:
    db: Path
    samples: dict[str, data.Sample]
    report: dict[str, Any]
    ids: dict[str, str]  # sample key -> document id


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """Every good sample imported in one batch (with --allow-duplicate: the encodings share their text)."""
    with pytest.MonkeyPatch.context() as patch:  # the autouse isolation is per test; this runs before it
        patch.setenv("FIELDNOTES_HOME", str(tmp_path_factory.mktemp("home")))
        patch.setenv("FIELDNOTES_LANG", "en")
        for var in ("FIELDNOTES_DB", "FIELDNOTES_CODER", "FIELDNOTES_DATA_DIR", "FIELDNOTES_CONFIG_DIR",
                    "FIELDNOTES_LOG_DIR", "FIELDNOTES_BACKUP_DIR"):
            patch.delenv(var, raising=False)
        root = tmp_path_factory.mktemp("library")
        samples = data.good_samples(root / "materiale")
        db = data.new_project(root)
        report = data.import_report(db, root / "materiale", "--allow-duplicate")
        by_name = {Path(row["file"]).name: row for row in report["files"]}
        ids = {key: by_name[sample.path.name]["document"] for key, sample in samples.items()}
        yield Library(db, samples, report, ids)


def test_the_whole_folder_is_imported(library: Library) -> None:
    assert library.report["failed"] == 0, library.report
    assert library.report["skipped"] == 0
    assert library.report["imported"] == len(data.SAMPLE_KEYS)
    assert all(row["status"] == "imported" for row in library.report["files"])


@pytest.mark.parametrize("key", data.SAMPLE_KEYS)
def test_show_gives_exactly_the_normalised_text(library: Library, key: str) -> None:
    sample = library.samples[key]
    shown = data.show(library.db, library.ids[key])
    assert shown["text"] == sample.text
    assert shown["sha256"] == hashlib.sha256(sample.text.encode("utf-8")).hexdigest()
    assert shown["chars"] == len(sample.text)
    assert shown["source"] == sample.path.name
    text = shown["text"]
    assert "\r" not in text and "\ufeff" not in text
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("encoding", list(data.ENCODINGS))
def test_danish_letters_survive_every_encoding_even_in_tiny_files(library: Library, encoding: str) -> None:
    assert data.show(library.db, library.ids[f"txt-{encoding}-fem"])["text"] == "Øl på"
    assert data.show(library.db, library.ids[f"txt-{encoding}-sætning"])["text"] == "Søren får én kop kaffe på Ærø."


def test_plain_show_prints_the_text(library: Library) -> None:
    out = ok("--db", library.db, "show", library.ids["nfd"]).out
    assert out == "Blåbær og Åse fra Århus\n"


TRANSCRIPT_KEYS = ["vtt", "srt", "srt-cp1252-lf", *[f"transcript-{shape}" for shape in data.transcripts()]]


@pytest.mark.parametrize("key", TRANSCRIPT_KEYS)
def test_speaker_turns(library: Library, key: str) -> None:
    sample = library.samples[key]
    shown = data.show(library.db, library.ids[key])
    assert shown["kind"] == "interview"
    turns = [(t["speaker"], t["start"], t["end"], t["timestamp"]) for t in shown["turns"]]
    assert turns == sample.turns
    for speaker, start, end, _ in turns:  # each turn's text opens with its speaker's label
        assert start < end
        assert speaker in sample.text[start:end].split("\n")[0]


def test_prose_is_not_an_interview(library: Library) -> None:
    shown = data.show(library.db, library.ids["txt-utf-8"])
    assert shown["kind"] == "document"
    assert shown["turns"] == []


def test_subtitle_cues_are_one_line_each(library: Library) -> None:
    lines = data.show(library.db, library.ids["vtt"])["text"].split("\n")
    assert len(lines) == 4
    assert all(line[0] == "[" and line[9] == "]" for line in lines)


# --- decoding, directly (fast, many cases) ------------------------------------------------------


@pytest.mark.parametrize("encoding", list(data.ENCODINGS))
@pytest.mark.parametrize("text", ["å", "Ærø", "Øl på", "blåbærgrød", data.DANISH, "ÆØÅ æøå\n"])
def test_decode_short_danish(encoding: str, text: str) -> None:
    codec, bom = data.ENCODINGS[encoding]
    decoded, _ = decode(bom + text.encode(codec), "x.txt")
    assert decoded.removeprefix("\ufeff") == text


def test_decode_names_the_encoding() -> None:
    assert decode("æøå".encode(), "x")[1] == "utf-8"
    assert decode(b"\xef\xbb\xbf" + "æøå".encode(), "x")[1] == "utf-8-sig"
    assert decode(b"\xff\xfe" + "æøå".encode("utf-16-le"), "x")[1] == "utf-16"
    assert decode("æøå".encode("cp1252"), "x")[1] == "cp1252"
    assert decode("Øl på Ærø".encode("utf-16-le"), "x") == ("Øl på Ærø", "utf-16-le")
    assert decode("Øl på Ærø".encode("utf-16-be"), "x") == ("Øl på Ærø", "utf-16-be")


def test_windows_1252_punctuation_is_not_latin_1_controls() -> None:
    text, _ = decode("»Citat« – 5 € … ’enkelt’".encode("cp1252"), "x.txt")
    assert text == "»Citat« – 5 € … ’enkelt’"


@pytest.mark.postgres
def test_every_format_round_trips_through_postgresql(tmp_path: Path, pg_url: str) -> None:
    samples = data.good_samples(tmp_path / "m")
    (tmp_path / "m" / "nul.txt").write_bytes("før\x00efter".encode("utf-16"))  # PostgreSQL refuses NUL in text
    ok("--db", pg_url, "init", "--empty")
    report = data.import_report(pg_url, tmp_path / "m", "--allow-duplicate")
    assert report["failed"] == 0
    by_name = {Path(row["file"]).name: row["document"] for row in report["files"]}
    for sample in samples.values():
        assert data.show(pg_url, by_name[sample.path.name])["text"] == sample.text
    assert data.show(pg_url, by_name["nul.txt"])["text"] == "førefter"


@pytest.mark.parametrize("raw, meta, body", [
    ("---\ntitle: T\n---\n# Overskrift\n", {"title": "T"}, "# Overskrift\n"),
    ("\ufeff---\r\ntitle: Ærø\r\n---\r\n\r\nTekst\r\n", {"title": "Ærø"}, "\nTekst\n"),
    ("---\n\n---\nKun en tom front matter\n", {}, "Kun en tom front matter\n"),
    ("---\nEn streg og tekst, ingen front matter\n", {}, "---\nEn streg og tekst, ingen front matter\n"),
    ("Tekst\n---\ntitle: ikke front matter\n---\n", {}, "Tekst\n---\ntitle: ikke front matter\n---\n"),
])
def test_markdown_is_kept_as_written_minus_its_front_matter(tmp_path: Path, raw: str, meta: dict[str, Any],
                                                            body: str) -> None:
    from fieldnotes.importing import readers

    path = tmp_path / "x.md"
    path.write_bytes(raw.encode("utf-8"))
    extracted = readers.read(path)
    assert extracted.meta == meta
    assert extracted.text == body


def test_new_note_from_the_editor_is_normalised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`fieldnotes new` takes what $EDITOR saved: CRLF, a lone CR and decomposed letters become LF and NFC."""
    import shlex
    import sys

    written = ("Kl. 9.15 i Søholm.\r\nBorgeren fortæller om sin praktik på lageret.\r\n\r\n"
               "Ærø-turen blev aflyst.\rSlut.\r\n")
    decomposed = unicodedata.normalize("NFD", written)
    assert decomposed != written  # æ and ø have no decomposition, but 'å' becomes 'a' plus a combining ring
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nfrom pathlib import Path\n"
                      f"Path(sys.argv[1]).write_bytes(b'\\xef\\xbb\\xbf' + {decomposed.encode('utf-8')!r})\n",
                      encoding="utf-8")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(editor))}")
    db = tmp_path / "p.db"
    ok("--db", db, "init", "--empty", "--coder", "Anna Krogh")
    saved = ok("--db", db, "new", "--title", "Feltnote fra Søholm", "--municipality", "Søholm",
               "--date", "2026-01-12", "--json").json
    shown = ok("--db", db, "show", saved["id"], "--json").json
    expected = "Kl. 9.15 i Søholm.\nBorgeren fortæller om sin praktik på lageret.\n\nÆrø-turen blev aflyst.\nSlut.\n"
    text = shown["text"]
    assert text.rstrip("\n") == expected.rstrip("\n")
    assert "\r" not in text and "\ufeff" not in text
    assert unicodedata.is_normalized("NFC", text)
    assert saved["chars"] == len(text)
    listed = ok("--db", db, "docs", "--json").json
    assert [(d["title"], d["kind"], d["municipality"]) for d in listed] == [
        ("Feltnote fra Søholm", "observation", "Søholm")]
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)) as conn:
        stored, digest, length = conn.execute("SELECT text, sha256, length FROM documents").fetchone()
    assert stored == text and length == len(text)
    assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
