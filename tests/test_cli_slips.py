"""Small command-line slips (#23): `demo --db`, `export docx --annotated DOC OUT`, `docs` cutting a
municipality list."""

from __future__ import annotations

from pathlib import Path

import docx

from tests.helpers import ok, run
from tests.projectdata import make_project

DOC = "Interview med sagsbehandler"


def test_demo_honours_db(tmp_path: Path) -> None:
    target = tmp_path / "min demo.db"
    result = ok("--db", target, "demo", "--no-tui")
    assert target.is_file() and str(target) in result.out
    assert ok("--db", target, "docs", "--json").json  # the demo is in the file named by --db


def test_demo_refuses_two_different_files_in_one_line(tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "a.db"), "demo", str(tmp_path / "b.db"), "--no-tui")
    assert result.code != 0
    assert "not both" in result.err and len(result.err.strip().splitlines()) <= 2
    assert not (tmp_path / "a.db").exists() and not (tmp_path / "b.db").exists()


def test_export_annotated_takes_out_in_either_order(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--match", "Vi tager altid en runde")
    after = tmp_path / "kommenteret efter.docx"
    before = tmp_path / "kommenteret før.docx"
    ok("--db", project, "export", "docx", "--annotated", DOC, str(after))
    ok("--db", project, "export", "docx", str(before), "--annotated", DOC)
    for out in (after, before):
        text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
        assert "Vi tager altid en runde" in text
    missing = run("--db", str(project), "export", "docx", "--annotated", DOC)
    assert missing.code != 0 and "OUT" in missing.err and len(missing.err.strip().splitlines()) <= 2


def test_docs_never_cuts_a_municipality_list_without_an_ellipsis(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    note = tmp_path / "fælles.md"
    note.write_text("---\ntitel: Tværkommunalt erfaringsmøde\nkommune: Søholm; Lyngå; Fjordby; Bakkedal; Ærøby\n"
                    "dato: 2025-06-01\n---\nFælles møde om troen på borgerne.\n", encoding="utf-8")
    ok("--db", project, "import", note)
    line = next(line for line in ok("--db", project, "docs").out.splitlines() if "Tværkommunalt" in line)
    full = "Søholm, Lyngå, Fjordby, Bakkedal, Ærøby"
    shown = ok("--db", project, "docs", "--json").json
    listed = next(d for d in shown if d["title"] == "Tværkommunalt erfaringsmøde")["municipality"]
    assert len(listed) > 24  # the list is longer than the column
    assert listed[:23] + "…" in line
    assert full not in line or listed in line
