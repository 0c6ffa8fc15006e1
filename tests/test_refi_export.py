"""REFI-QDA export: valid files, stable ids, the layout the standard asks for, and the audit trail."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from fieldnotes.refi import schema
from fieldnotes.refi.descriptions import parse_code_description, parse_selection_description
from fieldnotes.refi.safexml import parse
from tests.fixtures.refi.rich_project import DOC, EMOJI_DOC, EMOJI_TEXT, make_rich_project
from tests.helpers import ok, run

NS = {"q": schema.PROJECT_NS}
STAMPS = re.compile(rb'\s(creationDateTime|modifiedDateTime)="[^"]*"')


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_rich_project(tmp_path_factory.mktemp("rich"))


def export(db: Path, out: Path, *extra: str) -> tuple[dict, etree._Element, zipfile.ZipFile]:  # type: ignore[type-arg]
    info = ok("--db", db, "exchange", "export-qdpx", out, "--force", *extra, "--json").json
    archive = zipfile.ZipFile(out)
    return info, parse(archive.read("project.qde"), "project.qde"), archive


def test_export_is_valid_against_the_shipped_schema(rich: Path, tmp_path: Path) -> None:
    info, root, _ = export(rich, tmp_path / "p.qdpx")
    assert schema.problems(root, "project") == []
    schema.load("project").assertValid(root)
    assert info["documents"] == 3 and info["codings"] == 9 and info["memos"] == 5


def test_layout_is_project_qde_and_sources_in_utf8_without_bom_or_cr(rich: Path, tmp_path: Path) -> None:
    _, root, archive = export(rich, tmp_path / "p.qdpx")
    names = archive.namelist()
    assert names[0] == "project.qde"
    sources = root.findall(".//q:TextSource", NS)
    assert sorted(names[1:]) == sorted([*(f"sources/{s.get('guid')}.txt" for s in sources), "fieldnotes.json"])
    texts = {s.get("name"): archive.read(f"sources/{s.get('guid')}.txt") for s in sources}
    for data in texts.values():
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        data.decode("utf-8")
    assert texts[EMOJI_DOC].decode("utf-8") == EMOJI_TEXT
    for source in sources:
        assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
    raw = archive.read("project.qde")
    assert b"basePath" not in raw and str(tmp_path).encode() not in raw and b"file:" not in raw
    assert (tmp_path / "p.qdpx").stat().st_mode & 0o777 == 0o600


def test_two_exports_carry_the_same_ids_and_guids_are_our_row_ids(rich: Path, tmp_path: Path) -> None:
    _, first, a = export(rich, tmp_path / "a.qdpx")
    _, _, b = export(rich, tmp_path / "b.qdpx")
    assert STAMPS.sub(b"", a.read("project.qde")) == STAMPS.sub(b"", b.read("project.qde"))
    excerpts = ok("--db", rich, "excerpts", "--json").json
    coding_guids = {c.get("guid").lower() for c in first.iter(f"{{{schema.PROJECT_NS}}}Coding")}
    assert coding_guids == {e["id"] for e in excerpts}
    docs = ok("--db", rich, "docs", "--json").json
    assert {s.get("guid").lower() for s in first.findall(".//q:TextSource", NS)} == {d["id"] for d in docs}
    codes = ok("--db", rich, "codebook", "list", "--retired", "--json").json
    assert {c.get("guid").lower() for c in first.iter(f"{{{schema.PROJECT_NS}}}Code")} == {c["id"] for c in codes}


def test_categories_scales_and_macqueen_fields_go_into_the_code(rich: Path, tmp_path: Path) -> None:
    _, root, _ = export(rich, tmp_path / "p.qdpx")
    codes = {c.get("name"): c for c in root.iter(f"{{{schema.PROJECT_NS}}}Code")}
    assert codes["Sparringskultur og ledelse"].get("isCodable") == "false"
    assert codes["Relation og samarbejde med borger"].get("isCodable") == "false"
    assert codes["Kollegial sparring"].get("isCodable") == "true"
    text = codes["Forforståelser"].find("q:Description", NS).text
    assert text.startswith("Short definition: Forestillinger om borgeren før mødet.\n\nDefinition: Udsagn hvor")
    assert "\n\nWhen to use: Når forventningen er udtalt 😀\n\nWhen not to use: " in text
    entry = parse_code_description(text)
    assert entry.texts["definition"].endswith("borgeren.\n\nOgså forventninger fra sagens papirer.")
    assert entry.scale == (1, 5) and entry.scale_labels == {"1": "Meget negativ", "3": "Neutral", "5": "Meget positiv"}
    assert entry.shortcut == "f" and entry.glosses["en"]["name"] == "Preconceptions"
    assert parse_code_description(codes["Gammel kode"].find("q:Description", NS).text).retired


def test_codings_on_one_span_share_a_selection_with_ratings_memos_and_flags(rich: Path, tmp_path: Path) -> None:
    _, root, archive = export(rich, tmp_path / "p.qdpx")
    source = next(s for s in root.findall(".//q:TextSource", NS) if s.get("name") == DOC)
    text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
    selections = source.findall("q:PlainTextSelection", NS)
    spans = [(int(s.get("startPosition")), int(s.get("endPosition"))) for s in selections]
    assert len(spans) == len(set(spans)) == 3
    shared = next(s for s in selections if text[int(s.get("startPosition")):int(s.get("endPosition"))]
                  == "jeg tror på, at Søren får et job på lageret")
    assert len(shared.findall("q:Coding", NS)) == 2
    notes = parse_selection_description(shared.find("q:Description", NS).text)
    note = notes.for_coding("Tro på borgerens jobchance/Specifik tro", "Anna Krogh")
    assert (note.rating, note.memo) == (4, "Tydelig tro på én borger 😀")
    assert notes.for_coding("Sparringskultur og ledelse/Kollegial sparring", "Anna Krogh").empty
    emoji = next(s for s in root.findall(".//q:TextSource", NS) if s.get("name") == EMOJI_DOC)
    flagged = [s for s in emoji.findall("q:PlainTextSelection", NS)
               if (s.findtext("q:Description", "", NS)).startswith("Needs review: yes")]
    assert len(flagged) == 1 and flagged[0].get("name") == "Det betyder meget 💪"


def test_utf16_positions_count_emoji_twice(rich: Path, tmp_path: Path) -> None:
    _, plain, _ = export(rich, tmp_path / "a.qdpx")
    _, wide, _ = export(rich, tmp_path / "b.qdpx", "--utf16-positions")
    assert "UTF-16" in wide.get("origin") and "UTF-16" not in plain.get("origin")

    def positions(root: etree._Element) -> dict[str, tuple[int, int]]:
        source = next(s for s in root.findall(".//q:TextSource", NS) if s.get("name") == EMOJI_DOC)
        return {s.get("name"): (int(s.get("startPosition")), int(s.get("endPosition")))
                for s in source.findall("q:PlainTextSelection", NS)}

    cps, units = positions(plain), positions(wide)
    needle = "Hun siger, at hun tror på mig."
    start = EMOJI_TEXT.index(needle)
    assert cps[needle] == (start, start + len(needle))
    wide_start = len(EMOJI_TEXT[:start].encode("utf-16-le")) // 2
    assert wide_start == start + 3  # 🙂, 👍 and the skin tone 🏽 before it are two units each
    assert units[needle] == (wide_start, wide_start + len(needle))
    assert units["Det betyder meget 💪"][1] - units["Det betyder meget 💪"][0] == len("Det betyder meget 💪") + 1
    assert cps != units


def test_codebook_export_is_valid_and_holds_every_code(rich: Path, tmp_path: Path) -> None:
    out = tmp_path / "kodebog.qdc"
    info = ok("--db", rich, "exchange", "export-qdc", out, "--json").json
    root = parse(out.read_bytes(), "kodebog.qdc")
    schema.load("codebook").assertValid(root)
    assert info["codes"] == 10 == len(list(root.iter(f"{{{schema.CODEBOOK_NS}}}Code")))
    assert b"NoteRef" not in out.read_bytes()


def test_exports_are_recorded_in_the_audit_trail_with_the_file_name_only(rich: Path, tmp_path: Path) -> None:
    ok("--db", rich, "exchange", "export-qdpx", tmp_path / "revision.qdpx")
    ok("--db", rich, "exchange", "export-qdc", tmp_path / "revision.qdc")
    log = ok("--db", rich, "log", "--exports", "--json").json
    details = [entry["details"] for entry in log[:2]]
    no_register = {"pseudonymized": False, "pseudonymize_requested": True, "names_choice": "project setting",
                   "register_entries": 0}
    assert details == [{"format": "qdc", "file": "revision.qdc", **no_register},
                       {"format": "qdpx", "file": "revision.qdpx", **no_register}]
    assert all(str(tmp_path) not in entry["summary"] for entry in log)


def test_existing_files_and_wrong_extensions_are_refused(rich: Path, tmp_path: Path) -> None:
    target = tmp_path / "findes.qdpx"
    target.write_bytes(b"old")
    result = run("--db", rich, "exchange", "export-qdpx", target)
    assert result.code == 1 and "already exists" in result.err and "--force" in result.err
    assert target.read_bytes() == b"old"
    result = run("--db", rich, "exchange", "export-qdpx", tmp_path / "projekt.zip")
    assert result.code == 1 and ".qdpx" in result.err and not (tmp_path / "projekt.zip").exists()


def test_pseudonymisation_without_a_register_says_so_and_the_audit_tells(rich: Path, tmp_path: Path) -> None:
    result = ok("--db", rich, "exchange", "export-qdpx", tmp_path / "p.qdpx", "--pseudonymize")
    assert "names replaced: no (the project has no pseudonym register" in result.out
    entry = ok("--db", rich, "log", "--exports", "--json").json[0]["details"]
    assert entry == {"format": "qdpx", "file": "p.qdpx", "pseudonymized": False, "pseudonymize_requested": True,
                     "names_choice": "explicit", "register_entries": 0}
    info = ok("--db", rich, "exchange", "export-qdc", tmp_path / "k.qdc", "--json").json
    assert info["pseudonymize_requested"] is True  # the default of a new project
    info = ok("--db", rich, "exchange", "export-qdc", tmp_path / "k.qdc", "--force", "--no-pseudonymize",
              "--json").json
    assert info["pseudonymize_requested"] is False
    ok("--db", rich, "project", "set", "pseudonymize_exports", "no")
    try:
        info = ok("--db", rich, "exchange", "export-qdc", tmp_path / "k.qdc", "--force", "--json").json
        assert info["pseudonymize_requested"] is False
    finally:
        ok("--db", rich, "project", "set", "pseudonymize_exports", "yes")


def test_the_pseudonym_register_replaces_names_and_codings_follow(rich: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from fieldnotes.export import pseudonyms

    monkeypatch.setattr(pseudonyms, "_register", lambda session: {"Søren": "Borger A", "Lyngå": "Kommune Bø"})
    info, root, archive = export(rich, tmp_path / "p.qdpx", "--pseudonymize")
    assert info["pseudonymized"] is True
    everything = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "Søren" not in everything and "Lyngå" not in everything and "Kommune Bø" in everything
    assert "lyngå-interview" not in everything  # file names are left out: the register may not catch them
    source = next(s for s in root.findall(".//q:TextSource", NS) if s.get("name") == DOC)
    text = archive.read(f"sources/{source.get('guid')}.txt").decode()
    covered = {text[int(s.get("startPosition")):int(s.get("endPosition"))]
               for s in source.findall("q:PlainTextSelection", NS)}
    assert "jeg tror på, at Borger A får et job på lageret" in covered
    assert "ringer til bageriet i Kommune Bø hver uge" in covered
    assert ok("--db", rich, "log", "--exports", "--json").json[0]["details"]["pseudonymized"] is True
    assert schema.problems(root, "project") == []
