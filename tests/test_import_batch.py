"""Importing batches: metadata from every source and its precedence, reported conflicts and defaults,
new municipalities, the summary, duplicates, and finishing an interrupted batch."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from fieldnotes.importing import batch
from tests import importdata as data
from tests.helpers import ok, run


def by_source(db: Path) -> dict[str, dict[str, Any]]:
    return {row["source"]: row for row in data.docs(db)}


def result_for(report: dict[str, Any], name: str) -> dict[str, Any]:
    matches = [row for row in report["files"] if Path(row["file"]).name == name]
    assert len(matches) == 1, report
    return matches[0]


# --- the whole folder, every format, with metadata ---------------------------------------------


def test_a_folder_of_every_format_and_encoding_is_imported_with_its_metadata(tmp_path: Path) -> None:
    """The issue's 'done when': one folder, every format and all four text encodings, no flags needed."""
    material = tmp_path / "materiale"
    sub = material / "interviews"
    sub.mkdir(parents=True)
    samples = {
        "utf-8": data.encoded_text(material, "utf-8", data.LONG + "\nEt.", "note-utf8.txt"),
        "utf-8-bom": data.encoded_text(material, "utf-8-bom", data.LONG + "\nTo.", "note-bom.txt"),
        "utf-16": data.encoded_text(material, "utf-16-le-bom", data.LONG + "\nTre.", "note-utf16.txt"),
        "cp1252": data.encoded_text(material, "cp1252", data.LONG + "\nFire.", "note-cp1252.txt"),
        "md": data.markdown(material),
        "docx": data.docx_file(material),
        "odt": data.odt_file(material),
        "rtf": data.rtf_file(material),
        "pdf": data.pdf_file(material),
        "vtt": data.vtt_file(sub),
        "srt": data.srt_file(sub),
        "transcript": data.transcript_file(sub, "square"),
    }
    (material / "manifest.csv").write_text(
        "file,kind,municipality,date,activity,title\n"
        "note-utf8.txt,observation,Fjordby,2025-03-01,løbende aktiviteter,Note i UTF-8\n"
        "note-bom.txt,observation,Fjordby,2025-03-02,løbende aktiviteter,Note med BOM\n"
        "note-utf16.txt,observation,Lyngå,2025-03-03,løbende aktiviteter,Note i UTF-16\n"
        "note-cp1252.txt,observation,Lyngå,2025-03-04,løbende aktiviteter,Note i Windows-1252\n"
        "opstartsmøde.docx,minutes,Ærø,2025-02-01,opstartsmøde,Referat af opstartsmøde\n"
        "blåbær-observation.odt,observation,Ærø,2025-02-02,løbende aktiviteter,Observation\n"
        "referat-ærø.rtf,minutes,Ærø,2025-02-03,lokalt møde,Referat RTF\n"
        "erfaringsmøde.pdf,minutes,Søholm,2025-08-20,tværkommunalt erfaringsmøde,Erfaringsmøde\n"
        "interviews/interview-søren.vtt,interview,Søholm,2025-04-01,løbende aktiviteter,Interview VTT\n"
        "interviews/samtale-åse.srt,interview,Søholm,2025-04-02,løbende aktiviteter,Interview SRT\n"
        "interviews/transskription-square.txt,,Søholm,2025-04-03,løbende aktiviteter,Interview TXT\n",
        encoding="utf-8")
    db = data.new_project(tmp_path)
    report = data.import_report(db, material, "--manifest", material / "manifest.csv")
    assert (report["imported"], report["skipped"], report["failed"]) == (len(samples), 0, 0)
    assert sorted(report["created_cases"]) == sorted(
        f"municipality {m}" for m in ("Fjordby", "Lyngå", "Søholm", "Ærø"))
    rows = by_source(db)
    assert len(rows) == len(samples)
    expected = {
        "note-utf16.txt": ("Note i UTF-16", "observation", ["Lyngå"], "2025-03-03", "løbende aktiviteter"),
        "note-cp1252.txt": ("Note i Windows-1252", "observation", ["Lyngå"], "2025-03-04", "løbende aktiviteter"),
        "møde-referat.md": ("Lokalt møde i Ærø", "minutes", ["Ærø"], "2025-04-02", "lokalt møde"),
        "opstartsmøde.docx": ("Referat af opstartsmøde", "minutes", ["Ærø"], "2025-02-01", "opstartsmøde"),
        "erfaringsmøde.pdf": ("Erfaringsmøde", "minutes", ["Søholm"], "2025-08-20", "tværkommunalt erfaringsmøde"),
        "interview-søren.vtt": ("Interview VTT", "interview", ["Søholm"], "2025-04-01", "løbende aktiviteter"),
        "transskription-square.txt": ("Interview TXT", "interview", ["Søholm"], "2025-04-03",
                                      "løbende aktiviteter"),
    }
    for source, (title, kind, municipalities, date, activity) in expected.items():
        row = rows[source]
        assert (row["title"], row["kind"], row["municipalities"], row["date"], row["activity"]) == (
            title, kind, municipalities, date, activity), source
    md = rows["møde-referat.md"]
    assert md["participants"] == [{"name": "Åse Nørgaard", "role": "leder"},
                                  {"name": "Søren Kjær", "role": "sagsbehandler"}]
    assert md["attributes"] == {"halvår": 2, "referent": "Mette"}
    for sample in samples.values():
        assert data.show(db, rows[sample.path.name]["id"])["text"] == sample.text


# --- metadata sources and precedence -----------------------------------------------------------


def write_precedence_material(folder: Path) -> Path:
    folder.mkdir()
    (folder / "notat.md").write_text(
        "---\ntitle: Fra front matter\ndate: 2025-05-01\nparticipants: [Åse (leder)]\nhalvår: 2\n---\n"
        "Notat fra mødet.\n", encoding="utf-8")
    (folder / "notat.meta.yaml").write_text(
        "title: Fra metadatafil\nkind: observation\ndate: 2025-05-01\nactivity: lokalt møde\n"
        "attributes:\n  halvår: 3\n  team: Nord\n", encoding="utf-8")
    (folder / "andet.txt").write_text("En helt anden tekst.\n", encoding="utf-8")
    manifest = folder / "manifest.csv"
    manifest.write_text("fil;Type;kommune;dato;aktivitet;interviewer\n"
                        "notat.md;minutes;Ærø;1.5.2025;lokalt møde;Anna\n", encoding="utf-8")
    return manifest


def test_a_files_own_metadata_wins_in_order_and_conflicts_are_reported(tmp_path: Path) -> None:
    manifest = write_precedence_material(tmp_path / "m")
    db = data.new_project(tmp_path)
    report = data.import_report(
        db, tmp_path / "m", "--manifest", manifest, "--kind", "interview", "--municipality", "Fjordby",
        "--date", "2024-01-01", "--activity", "opstartsmøde", "--attr", "projekt=BIP", "--attr", "team=Syd")
    rows = by_source(db)
    notat = rows["notat.md"]
    assert notat["title"] == "Fra front matter"  # front matter beats the metadata file
    assert notat["kind"] == "observation"  # the metadata file beats the manifest, which beats the flag
    assert notat["municipalities"] == ["Ærø"]  # the manifest beats the flag
    assert notat["date"] == "2025-05-01"
    assert notat["activity"] == "lokalt møde"
    assert notat["participants"] == [{"name": "Åse", "role": "leder"}]
    assert notat["attributes"] == {"halvår": 2, "team": "Nord", "interviewer": "Anna", "projekt": "BIP"}
    notes = result_for(report, "notat.md")["notes"]
    conflicts = sorted(note for note in notes if note.startswith("conflicting"))
    assert conflicts == [
        "conflicting halvår: front matter says '2', notat.meta.yaml says '3'; kept '2' from front matter",
        "conflicting kind: notat.meta.yaml says 'observation', manifest line 2 says 'minutes'; "
        "kept 'observation' from notat.meta.yaml",
        "conflicting title: front matter says 'Fra front matter', notat.meta.yaml says 'Fra metadatafil'; "
        "kept 'Fra front matter' from front matter",
    ]  # the same date and activity written differently are no conflict; the flags are only defaults
    other = rows["andet.txt"]  # no metadata of its own: the flags apply
    assert (other["kind"], other["municipalities"], other["date"], other["activity"]) == (
        "interview", ["Fjordby"], "2024-01-01", "opstartsmøde")
    assert other["attributes"] == {"projekt": "BIP", "team": "Syd"}
    assert sorted(report["created_cases"]) == ["municipality Fjordby", "municipality Ærø"]
    assert not [n for n in result_for(report, "andet.txt")["notes"] if n.startswith("conflicting")]


def test_missing_titles_dates_and_kinds_get_defaults_that_are_reported(tmp_path: Path) -> None:
    material = tmp_path / "m"
    material.mkdir()
    (material / "feltnote_2025-03-05.txt").write_text("Observation i venteværelset.\n", encoding="utf-8")
    undated = material / "uden-dato.txt"
    undated.write_text("Ingen dato her.\n", encoding="utf-8")
    stamp = dt.datetime(2024, 2, 3, 12, 0).timestamp()
    os.utime(undated, (stamp, stamp))
    data.transcript_file(material, "ir")
    db = data.new_project(tmp_path)
    report = data.import_report(db, material)
    rows = by_source(db)
    assert rows["feltnote_2025-03-05.txt"]["title"] == "feltnote 2025-03-05"
    assert rows["feltnote_2025-03-05.txt"]["date"] == "2025-03-05"
    assert rows["uden-dato.txt"]["date"] == "2024-02-03"
    assert rows["feltnote_2025-03-05.txt"]["kind"] == "document"
    assert rows["transskription-ir.txt"]["kind"] == "interview"
    assert result_for(report, "feltnote_2025-03-05.txt")["notes"] == [
        "no title given; used the file name: 'feltnote 2025-03-05'",
        "no date given; took 2025-03-05 from the file name",
        "no kind given; used 'document'",
    ]
    assert "no date given; used the file's modification date 2024-02-03" in result_for(report, "uden-dato.txt")["notes"]
    assert "no kind given; it has speaker turns, so it is an interview" in result_for(
        report, "transskription-ir.txt")["notes"]
    human = run("--db", db, "import", material, "--allow-duplicate")
    assert "note: no title given; used the file name: 'feltnote 2025-03-05'" in human.out


def test_an_unknown_municipality_is_created_once_and_reported(tmp_path: Path) -> None:
    material = tmp_path / "m"
    material.mkdir()
    (material / "a.txt").write_text("Første.\n", encoding="utf-8")
    (material / "b.txt").write_text("Anden.\n", encoding="utf-8")
    db = data.new_project(tmp_path)
    report = data.import_report(db, material, "--municipality", "Ærø")
    assert report["created_cases"] == ["municipality Ærø"]
    assert result_for(report, "a.txt")["notes"][-1] == "created municipality Ærø, which was not in the project"
    assert not any("created" in note for note in result_for(report, "b.txt")["notes"])
    (material / "c.txt").write_text("Tredje.\n", encoding="utf-8")
    report = data.import_report(db, material / "c.txt", "--municipality", "ærø")  # the same, in other case
    assert report["created_cases"] == []
    assert {row["municipality"] for row in data.docs(db)} == {"Ærø"}


def test_manifest_rows_match_by_path_so_equal_names_in_two_folders_differ(tmp_path: Path) -> None:
    material = tmp_path / "m"
    for town in ("ærø", "fjordby"):
        (material / town).mkdir(parents=True)
        (material / town / "note.txt").write_text(f"Note fra {town}.\n", encoding="utf-8")
    manifest = material / "metadata.csv"
    manifest.write_text('file,municipality,date,participants\n'
                        'ærø/note.txt,Ærø,2025-01-01,"Åse (leder); Søren"\n'
                        'fjordby/note.txt,Fjordby,2025-02-02,Mette\n', encoding="utf-8")
    db = data.new_project(tmp_path)
    report = data.import_report(db, material, "--manifest", manifest)
    assert result_for(report, "metadata.csv")["status"] == "skipped"  # a .csv is not material
    rows = {row["municipality"]: row for row in data.docs(db)}
    assert rows["Ærø"]["date"] == "2025-01-01"
    assert rows["Ærø"]["participants"] == [{"name": "Åse", "role": "leder"}, {"name": "Søren"}]
    assert rows["Fjordby"]["date"] == "2025-02-02"


def test_the_summary_lists_every_file_with_its_reason(tmp_path: Path) -> None:
    material = tmp_path / "m"
    material.mkdir()
    (material / "god.txt").write_text("En god tekst.\n", encoding="utf-8")
    (material / "kopi.txt").write_text("En god tekst.\r\n", encoding="utf-8")
    (material / "tom.txt").write_bytes(b"")
    (material / "billede.jpg").write_bytes(data.PNG)
    (material / "gammel.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    (material / "~$god.docx").write_bytes(b"lock")  # Word's lock file: passed over
    (material / ".skjult.txt").write_text("hidden", encoding="utf-8")
    db = data.new_project(tmp_path)
    result = run("--db", db, "import", material)
    assert result.code == 1
    lines = result.out.splitlines()
    assert "+ imported m/god.txt  god" in lines
    assert ("= skipped  m/kopi.txt  the same text is already in the project as 'god' "
            "(add --allow-duplicate to import it again)") in lines
    assert "= skipped  m/billede.jpg  not a supported file type (.jpg)" in lines
    assert lines[-1] == "1 imported, 2 skipped, 2 failed"
    # why files failed are errors: on stderr (docs/cli.md), one line each, in the order the files were found
    assert result.err.splitlines() == [
        "! failed   m/gammel.doc  gammel.doc: the file type .doc is not supported; save it as .docx in Word "
        "and import that",
        "! failed   m/tom.txt  tom.txt: the file is empty; check that it is the right file, or leave it out"]
    assert not any("failed " in line for line in lines[:-1])
    assert not any("~$" in line or "skjult" in line for line in lines + result.err.splitlines())


# --- duplicates and re-running -----------------------------------------------------------------


def test_the_same_text_in_another_encoding_or_with_other_line_ends_is_a_duplicate(tmp_path: Path) -> None:
    material = tmp_path / "m"
    material.mkdir()
    data.write_text(material, "a.txt", data.LONG, "utf-8")
    data.write_text(material, "b.txt", data.LONG, "cp1252", newline="\r\n")
    data.write_text(material, "c.txt", data.LONG, "utf-16-le-bom", newline="\r")
    db = data.new_project(tmp_path)
    report = data.import_report(db, material)
    assert [row["status"] for row in report["files"]] == ["imported", "skipped", "skipped"]
    assert result_for(report, "b.txt")["reason"].startswith("the same text is already in the project as 'a'")


def test_importing_again_skips_everything_exits_0_and_changes_nothing(tmp_path: Path) -> None:
    data.good_samples(tmp_path / "m")
    db = data.new_project(tmp_path)
    first = data.import_report(db, tmp_path / "m")
    assert first["failed"] == 0 and first["imported"] > 20
    before = data.state(db)
    again = data.import_report(db, tmp_path / "m", code=0)
    assert again["imported"] == 0 and again["failed"] == 0
    assert again["skipped"] == first["imported"] + first["skipped"]
    assert data.state(db) == before


def test_allow_duplicate_imports_the_same_text_again(tmp_path: Path) -> None:
    sample = data.docx_file(tmp_path)
    db = data.new_project(tmp_path)
    data.import_report(db, sample.path)
    report = data.import_report(db, sample.path, "--allow-duplicate")
    assert report["imported"] == 1
    rows = data.docs(db)
    assert len(rows) == 2 and rows[0]["id"] != rows[1]["id"]
    assert {data.show(db, row["id"])["text"] for row in rows} == {sample.text}


def test_an_interrupted_batch_is_completed_by_running_it_again(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    samples = data.good_samples(tmp_path / "m")
    db = data.new_project(tmp_path)
    real_add = batch.add_document
    calls = {"n": 0}

    def dies_on_the_fifth(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt  # the researcher presses Ctrl+C, or the laptop dies
        return real_add(*args, **kwargs)

    monkeypatch.setattr(batch, "add_document", dies_on_the_fifth)
    result = run("--db", db, "import", tmp_path / "m", "--allow-duplicate")
    assert result.code != 0 and "interrupted" in result.err
    assert len(data.docs(db)) == 4  # each finished file is in whole; the fifth is not there at all
    monkeypatch.setattr(batch, "add_document", real_add)
    report = data.import_report(db, tmp_path / "m")
    assert report["failed"] == 0
    rows = data.docs(db)
    texts = sorted(data.show(db, row["id"])["text"] for row in rows)
    assert texts == sorted({sample.text for sample in samples.values()})  # every text exactly once


def test_importing_half_first_then_the_folder_gives_each_file_once(tmp_path: Path) -> None:
    samples = list(data.good_samples(tmp_path / "m").values())
    db = data.new_project(tmp_path)
    data.import_report(db, *[s.path for s in samples[::2]])
    report = data.import_report(db, tmp_path / "m")
    assert report["failed"] == 0
    texts = [data.show(db, row["id"])["text"] for row in data.docs(db)]
    assert sorted(texts) == sorted({s.text for s in samples})


def test_a_deleted_document_comes_back_when_the_folder_is_imported_again(tmp_path: Path) -> None:
    from fieldnotes.db import history
    from fieldnotes.documents.store import delete_document, resolve
    from fieldnotes.project.opening import open_project

    (tmp_path / "m").mkdir()
    data.odt_file(tmp_path / "m")
    data.rtf_file(tmp_path / "m")
    db = data.new_project(tmp_path)
    first = data.import_report(db, tmp_path / "m")
    gone = result_for(first, "blåbær-observation.odt")["document"]
    with open_project(str(db)) as project, project.write() as session:
        with history.change(session, coder_id=None, action="delete", summary="test"):
            delete_document(session, resolve(session, gone))
    assert len(data.docs(db)) == 1
    report = data.import_report(db, tmp_path / "m")
    assert [row["status"] for row in report["files"]] == ["imported", "skipped"]
    assert sorted(row["source"] for row in data.docs(db)) == ["blåbær-observation.odt", "referat-ærø.rtf"]


def test_strict_imports_everything_in_one_go_when_all_is_well(tmp_path: Path) -> None:
    data.good_samples(tmp_path / "m")
    db = data.new_project(tmp_path)
    report = data.import_report(db, tmp_path / "m", "--strict")
    assert report["failed"] == 0 and report["imported"] > 20
    assert ok("--db", db, "docs", "--json").json
