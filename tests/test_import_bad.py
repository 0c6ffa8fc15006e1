"""Bad input: each file gets a one-line reason naming it, and nothing of it is written.

Every test compares the whole project before and after (the database file's bytes, every tracked
row, `docs --json`, the files beside the database)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from fieldnotes.importing import readers
from tests import importdata as data
from tests.helpers import run

BAD_KEYS = [
    "empty", "blank", "binary", "binary-md", "unsupported", "protected", "corrupt", "no-document-part",
    "bomb-docx", "bomb-odt", "corrupt-odt", "scan", "corrupt-pdf", "bad-rtf",
]


EXCEPTION_NAME = re.compile(r"\b\w*(?:Error|Exception|BadZipFile)\b")


def assert_one_line_reason(reason: str, name: str, phrase: str) -> None:
    assert "\n" not in reason and "Traceback" not in reason
    assert not EXCEPTION_NAME.search(reason), f"a Python exception name in a user's message: {reason}"
    assert reason.startswith((f"{name}: ", f"{name}, line ", f"{name} (")), reason
    assert phrase in reason, reason
    assert "; " in reason, f"no hint on how to fix it: {reason}"


def test_every_bad_file_is_tested(tmp_path: Path) -> None:
    assert sorted(data.bad_files(tmp_path)) == sorted(BAD_KEYS)


@pytest.mark.parametrize("key", BAD_KEYS)
def test_bad_file_is_refused_with_a_reason_and_nothing_is_written(tmp_path: Path, key: str) -> None:
    path, phrase = data.bad_files(tmp_path / "bad")[key]
    db = data.new_project(tmp_path)
    before = data.state(db)
    report = data.import_report(db, path, code=1)
    assert (report["imported"], report["skipped"], report["failed"]) == (0, 0, 1)
    row = report["files"][0]
    assert row["file"] == path.name and row["status"] == "failed" and row["document"] is None
    assert_one_line_reason(row["reason"], path.name, phrase)
    assert data.state(db) == before
    human = run("--db", db, "import", path)
    assert human.code == 1
    assert human.err.splitlines() == [f"! failed   {path.name}  {row['reason']}"]  # the reason on stderr
    assert human.out.splitlines() == ["0 imported, 0 skipped, 1 failed"]  # the summary on stdout
    assert data.state(db) == before


def test_the_scanned_pdf_message_says_the_text_must_be_recognised_first(tmp_path: Path) -> None:
    path = data.pdf_scan(tmp_path)
    db = data.new_project(tmp_path)
    reason = data.import_report(db, path, code=1)["files"][0]["reason"]
    assert reason.startswith("skannet.pdf: the PDF has no text layer")
    assert "the text must be recognised first" in reason and "ocrmypdf" in reason


def test_a_file_above_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1000)
    path = data.write_text(tmp_path, "lang-feltnote.txt", "Lang tekst om Ærø. " * 100, "utf-8")
    db = data.new_project(tmp_path)
    before = data.state(db)
    reason = data.import_report(db, path, code=1)["files"][0]["reason"]
    assert_one_line_reason(reason, "lang-feltnote.txt", "above the import limit of 1000 bytes")
    assert "split it" in reason
    assert data.state(db) == before


def test_a_container_unpacking_beyond_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_UNZIPPED_BYTES", 20_000)
    sample = data.docx_file(tmp_path)
    db = data.new_project(tmp_path)
    before = data.state(db)
    reason = data.import_report(db, sample.path, code=1)["files"][0]["reason"]
    assert_one_line_reason(reason, sample.path.name, "unpacks to more than 19.5 KB")
    assert data.state(db) == before


def test_a_truncated_docx_is_damaged(tmp_path: Path) -> None:
    sample = data.docx_file(tmp_path)
    broken = tmp_path / "afbrudt.docx"
    broken.write_bytes(sample.path.read_bytes()[: sample.path.stat().st_size // 2])
    db = data.new_project(tmp_path)
    before = data.state(db)
    reason = data.import_report(db, broken, code=1)["files"][0]["reason"]
    assert_one_line_reason(reason, "afbrudt.docx", "damaged")
    assert data.state(db) == before


def test_a_docx_with_a_damaged_part_is_damaged(tmp_path: Path) -> None:
    import zipfile

    sample = data.docx_file(tmp_path)
    broken = tmp_path / "rodet.docx"
    with zipfile.ZipFile(sample.path) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                content = content[: len(content) // 2]
            target.writestr(info, content)
    db = data.new_project(tmp_path)
    reason = data.import_report(db, broken, code=1)["files"][0]["reason"]
    assert_one_line_reason(reason, "rodet.docx", "damaged")


@pytest.mark.parametrize("key, what, error", [("no-document-part", "Word", "AttributeError"),
                                               ("corrupt-pdf", "PDF", "PdfStreamError")])
def test_the_library_error_goes_to_the_log_not_the_message(tmp_path: Path, key: str, what: str,
                                                            error: str) -> None:
    from fieldnotes.errors import InvalidInput
    from fieldnotes.logs import logger

    path, _ = data.bad_files(tmp_path)[key]
    records: list[logging.LogRecord] = []
    catcher = logging.Handler()
    catcher.emit = records.append  # type: ignore[method-assign]
    logger().addHandler(catcher)
    try:
        with pytest.raises(InvalidInput) as refused:
            readers.read(path)
    finally:
        logger().removeHandler(catcher)
    message = str(refused.value)
    assert message.startswith(f"{path.name}: the {what} file is damaged (")
    assert error not in message and not EXCEPTION_NAME.search(message)
    logged = [r.getMessage() for r in records]
    assert any(m.startswith(f"refused a damaged {what} file: {error} at ") for m in logged), logged
    assert not any(path.name in m for m in logged)  # file names stay out of the log


def test_a_password_protected_odt_is_refused(tmp_path: Path) -> None:
    manifest = data.ODT_MANIFEST.replace(
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        '<manifest:encryption-data manifest:checksum-type="SHA1"/></manifest:file-entry>')
    path = tmp_path / "hemmelig.odt"
    path.write_bytes(data.zip_parts({"mimetype": b"application/vnd.oasis.opendocument.text",
                                     "content.xml": b"\x8f\x12 encrypted bytes", "META-INF/manifest.xml":
                                     manifest.encode()}))
    db = data.new_project(tmp_path)
    reason = data.import_report(db, path, code=1)["files"][0]["reason"]
    assert_one_line_reason(reason, "hemmelig.odt", "password-protected")


def test_an_odt_declaring_entities_is_refused(tmp_path: Path) -> None:
    content = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
               + data.ODT_CONTENT.split("?>", 1)[1])
    path = tmp_path / "entiteter.odt"
    path.write_bytes(data.zip_parts({"mimetype": b"application/vnd.oasis.opendocument.text",
                                     "content.xml": content.encode()}))
    db = data.new_project(tmp_path)
    reason = data.import_report(db, path, code=1)["files"][0]["reason"]
    assert_one_line_reason(reason, "entiteter.odt", "declares XML entities")


@pytest.mark.parametrize("content, phrase", [
    ("---\ntitle: ok\nkind: [ufærdig\n---\nTekst\n", "line 3: the front matter is not valid YAML"),
    ("---\ndate: 2025-13-45\n---\nTekst\n", "the front matter is not valid YAML"),
    ("---\n- en liste\n---\nTekst\n", "the front matter must be a YAML mapping"),
    ("---\nkind: roman\n---\nTekst\n", "the kind 'roman' is unknown"),
    ("---\ndate: i går\n---\nTekst\n", "the date 'i går' is not a date"),
    ("---\ntitle: Kun front matter\n---\n", "holds no text"),
])
def test_bad_front_matter(tmp_path: Path, content: str, phrase: str) -> None:
    path = tmp_path / "notat.md"
    path.write_text(content, encoding="utf-8")
    db = data.new_project(tmp_path)
    before = data.state(db)
    reason = data.import_report(db, path, code=1)["files"][0]["reason"]
    assert_one_line_reason(reason, "notat.md", phrase)
    assert data.state(db) == before


def test_a_bad_metadata_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Tekst.\n", encoding="utf-8")
    (tmp_path / "note.meta.yaml").write_text("kind: observation\ndate: [2025\n", encoding="utf-8")
    db = data.new_project(tmp_path)
    before = data.state(db)
    reason = data.import_report(db, path, code=1)["files"][0]["reason"]
    assert reason.startswith("note.meta.yaml, line 2: the metadata file is not valid YAML")
    assert data.state(db) == before


def test_a_missing_path_is_reported(tmp_path: Path) -> None:
    db = data.new_project(tmp_path)
    before = data.state(db)
    report = data.import_report(db, tmp_path / "findes-ikke", code=1)
    assert "no such file or folder" in report["files"][0]["reason"]
    assert data.state(db) == before


def test_a_manifest_without_a_file_column_stops_the_import(tmp_path: Path) -> None:
    data.docx_file(tmp_path)
    manifest = tmp_path / "liste.csv"
    manifest.write_text("navn,kind\nx,interview\n", encoding="utf-8")
    db = data.new_project(tmp_path)
    before = data.state(db)
    result = run("--db", db, "import", tmp_path, "--manifest", manifest)
    assert result.code == 1
    assert "liste.csv: the manifest needs a 'file' column" in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert data.state(db) == before


def mixed_folder(folder: Path) -> tuple[list[data.Sample], dict[str, tuple[Path, str]]]:
    folder.mkdir()
    good = [data.docx_file(folder), data.odt_file(folder), data.vtt_file(folder), data.transcript_file(folder, "ir")]
    bad = data.bad_files(folder / "dårlige")
    bad.pop("unsupported")  # in a folder, a file of another type is skipped, not failed
    return good, bad


def test_in_a_batch_the_good_files_go_in_and_the_bad_are_listed(tmp_path: Path) -> None:
    good, bad = mixed_folder(tmp_path / "m")
    db = data.new_project(tmp_path)
    report = data.import_report(db, tmp_path / "m", code=1)
    assert report["imported"] == len(good)
    assert report["failed"] == len(bad)
    assert [row["reason"] for row in report["files"] if row["status"] == "skipped"] == [
        "not a supported file type (.xlsx)"]
    failed = {Path(row["file"]).name: row["reason"] for row in report["files"] if row["status"] == "failed"}
    for path, phrase in bad.values():
        assert_one_line_reason(failed[path.name], path.name, phrase)
    assert sorted(row["source"] for row in data.docs(db)) == sorted(s.path.name for s in good)
    for sample in good:
        doc = next(row for row in report["files"] if Path(row["file"]).name == sample.path.name)["document"]
        assert data.show(db, doc)["text"] == sample.text


def test_strict_aborts_the_whole_batch_and_writes_nothing(tmp_path: Path) -> None:
    _, bad = mixed_folder(tmp_path / "m")
    db = data.new_project(tmp_path)
    before = data.state(db)
    result = run("--db", db, "import", tmp_path / "m", "--strict")
    assert result.code == 1
    assert result.out == ""
    message = result.err.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert f"--strict: {len(bad)} file(s) cannot be imported, so nothing was imported" in message
    assert "bombe.docx: refused" in message and "(and 8 more)" in message
    assert data.state(db) == before
    one_bad = tmp_path / "one"
    one_bad.mkdir()
    data.docx_file(one_bad)
    (one_bad / "tom.txt").write_bytes(b"")
    result = run("--db", db, "import", one_bad, "--strict")
    assert result.code == 1 and "tom.txt: the file is empty" in result.err
    assert data.state(db) == before
    good_only = data.import_report(db, one_bad / "opstartsmøde.docx", "--strict")
    assert good_only["imported"] == 1


def test_running_the_batch_again_after_fixing_the_bad_files_completes_it(tmp_path: Path) -> None:
    good, bad = mixed_folder(tmp_path / "m")
    db = data.new_project(tmp_path)
    data.import_report(db, tmp_path / "m", code=1)
    for path, _ in bad.values():
        path.unlink()
    fixed = data.rtf_file(tmp_path / "m" / "dårlige")
    report = data.import_report(db, tmp_path / "m")
    assert report["imported"] == 1 and report["skipped"] == len(good) + 1 and report["failed"] == 0
    assert sorted(row["source"] for row in data.docs(db)) == sorted([s.path.name for s in good] + [fixed.path.name])


# --- fuzzing: whatever the bytes, a reader answers with text or a one-line reason ---------------

SEEDS: dict[str, bytes] = {}


def seed(suffix: str, folder: Path) -> bytes:
    """A real file of this type, to damage."""
    if suffix not in SEEDS:
        folder.mkdir(parents=True, exist_ok=True)
        makers = {".docx": data.docx_tricky, ".odt": data.odt_file, ".rtf": data.rtf_file, ".pdf": data.pdf_file,
                  ".vtt": data.vtt_file, ".srt": data.srt_file, ".md": data.markdown,
                  ".txt": lambda f: data.encoded_text(f, "utf-16-le-bom")}
        SEEDS[suffix] = makers[suffix](folder).path.read_bytes()
    return SEEDS[suffix]


def check_reads_or_refuses(path: Path) -> None:
    from fieldnotes.errors import InvalidInput

    try:
        extracted = readers.read(path)
    except InvalidInput as error:
        reason = str(error)
        assert reason.startswith(path.name) and "\n" not in reason, reason
        assert "fault in fieldnotes" not in reason
        assert not EXCEPTION_NAME.search(reason), reason
    else:
        assert extracted.text.strip()
        extracted.text.encode("utf-8")  # no lone surrogates


@pytest.mark.parametrize("suffix", [".docx", ".odt", ".rtf", ".pdf", ".vtt", ".srt", ".md", ".txt"])
def test_damaged_files_are_read_or_refused_never_crash(tmp_path: Path, suffix: str) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    original = seed(suffix, tmp_path / "seed")
    target = tmp_path / f"fuzz{suffix}"

    @settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)), min_size=1, max_size=8),
           st.integers(0, len(original)))
    def damaged(flips: list[tuple[int, int]], cut: int) -> None:
        content = bytearray(original)
        for position, value in flips:
            content[position] = value
        target.write_bytes(bytes(content[: max(cut, 1)]))
        check_reads_or_refuses(target)

    @settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.binary(max_size=2048))
    def random_bytes(content: bytes) -> None:
        target.write_bytes(content)
        check_reads_or_refuses(target)

    damaged()
    random_bytes()


@pytest.mark.parametrize("strict", [False, True])
def test_a_value_the_project_cannot_hold_fails_that_file_only(tmp_path: Path, strict: bool) -> None:
    (tmp_path / "a.md").write_text("---\nhalvår: 2\n---\nFørste.\n", encoding="utf-8")
    db = data.new_project(tmp_path)
    data.import_report(db, tmp_path / "a.md")  # 'halvår' now holds numbers
    before = data.state(db)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "b.md").write_text("---\nhalvår: to\n---\nAnden.\n", encoding="utf-8")
    (tmp_path / "m" / "c.md").write_text("---\nhalvår: 3\n---\nTredje.\n", encoding="utf-8")
    if strict:
        result = run("--db", db, "import", tmp_path / "m", "--strict")
        assert result.code == 1 and "Traceback" not in result.err
        assert result.err.strip() == ("fieldnotes: error: b.md: the attribute 'halvår' holds numbers; 'to' is not one")
        assert data.state(db) == before
    else:
        report = data.import_report(db, tmp_path / "m", code=1)
        assert [row["status"] for row in report["files"]] == ["failed", "imported"]
        assert report["files"][0]["reason"] == "b.md: the attribute 'halvår' holds numbers; 'to' is not one"
        assert sorted(row["source"] for row in data.docs(db)) == ["a.md", "c.md"]


# --- fuzzing the YAML and XML that files carry: aliases and DTDs are refused, never followed ---------------

FRONT_MATTER_PIECES = ["title: Møde", "a: &a [hå, hå, hå]", "b: &b [*a, *a, *a]", "c: [*b, *b, *b, *b]", "*a",
                       "d: *c", "<<: *a", "e: &e {x: *e}", "kind: interview", "municipality: [Ny;By]", "[[[[[[[[",
                       "attributes: [x, y]", "team: &t Nord", "hold: *t", 'titel: "Æ\\0\\e[31m"', "- liste", "  - *b",
                       "date: 2025-13-45", "\t", ": :", "speakers: {I: *a}"]


def test_front_matter_fuzz_with_aliases_reads_or_refuses(tmp_path: Path) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from fieldnotes.errors import InvalidInput
    from fieldnotes.importing.batch import Options, prepare

    target = tmp_path / "fuzz.md"

    # noise that cannot end the front matter early (a line of ---)
    noise_text = st.text(st.characters(blacklist_characters="-\n\r\u2028\u2029"), max_size=20)

    @settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(st.sampled_from(FRONT_MATTER_PIECES), min_size=1, max_size=8), noise_text)
    def front_matter(pieces: list[str], noise: str) -> None:
        target.write_text("---\n" + "\n".join(pieces) + noise + "\n---\nSøren fortæller om lageret.\n",
                          encoding="utf-8")
        check_reads_or_refuses(target)
        try:  # and the metadata read from it: the same, with the rules for names
            prepare(target, target.name, Options(), {})
        except InvalidInput as error:
            reason = str(error)
            assert reason.startswith(target.name) and "\n" not in reason, reason
            assert "fault in fieldnotes" not in reason
        if any(piece.startswith("*") or ": *" in piece or "- *" in piece for piece in pieces):
            with pytest.raises(InvalidInput):  # an alias is never followed: the file is refused
                readers.read(target)

    front_matter()


def test_docx_fuzz_with_declarations_is_refused(tmp_path: Path) -> None:
    import io
    import zipfile

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from fieldnotes.errors import InvalidInput

    original = seed(".docx", tmp_path / "seed")
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    xml_parts = sorted(name for name in parts if name.endswith((".xml", ".rels")))
    declarations = st.sampled_from(['<!DOCTYPE w:document [<!ENTITY a "æøå">]>', "<!DOCTYPE x>",
                                    '<!DOCTYPE x SYSTEM "file:///etc/passwd">', '<!doctype x [<!ENTITY % p "x">]>',
                                    '<!-- <ikke> --><!DOCTYPE x [<!ENTITY b "&a;&a;">]>'])
    target = tmp_path / "fuzz.docx"

    @settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.sampled_from(xml_parts), declarations, st.booleans())
    def declared(part: str, declaration: str, reference: bool) -> None:
        changed = dict(parts)
        data = changed[part]
        cut = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
        data = data[:cut] + declaration.encode() + data[cut:]
        if reference:
            data = data.replace(b"</w:t>", b"&a;</w:t>", 1)
        changed[part] = data
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in changed.items():
                archive.writestr(name, content)
        target.write_bytes(buffer.getvalue())
        with pytest.raises(InvalidInput) as refused:
            readers.read(target)
        assert str(refused.value).startswith(f"fuzz.docx: refused: the Word file declares XML entities (in {part})")

    declared()


def test_a_damaged_docx_is_refused_wholly_in_danish(tmp_path: Path) -> None:
    """The reason, its hint (kept as a constant in the reader) and the file's status word are all Danish."""
    sample = data.docx_file(tmp_path)
    broken = tmp_path / "ødelagt-interview.docx"
    broken.write_bytes(sample.path.read_bytes()[: sample.path.stat().st_size // 2])
    db = data.new_project(tmp_path)
    before = data.state(db)
    result = run("--db", db, "--lang", "da", "import", broken)
    assert result.code == 1
    line = next(line for line in result.err.splitlines() if "ødelagt-interview.docx" in line)
    assert line.startswith("! mislykkedes "), line
    assert "beskadiget" in line and "åbn den i Word eller LibreOffice, og gem den igen" in line, line
    assert not re.search(r"\b(failed|open it|save it|damaged)\b", line), line
    assert "1 mislykkedes" in result.out
    assert data.state(db) == before
