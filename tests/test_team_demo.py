"""The team workflow on the demo project: two copies coded independently through the command line, their
bundles crossed, the results identical in either order; merging again changes nothing; agreement between
the demo's two coders matches a count made character by character from their excerpts."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ok
from tests.projectdata import snapshot

METTE, SOEREN = "Mette Lund", "Søren Østergård"


def content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    return {table: rows for table, rows in snapshot(path).items() if table != "merge_conflicts"}


def work(path: Path, folder: Path, coder: str, docs: list[dict[str, Any]], codes: list[dict[str, Any]],
         side: int) -> None:
    """One side's offline work: codings, memos, a renamed code, a new document, an edit on one side."""
    first, second = docs[side], docs[side + 2]
    ok("--db", path, "code", first["id"], "--code", codes[side]["id"], "--span", f"{40 + side}:{140 + side}",
       "--memo", f"{coder}: tydeligt eksempel på tro på borgeren 🙂", "--coder", coder)
    ok("--db", path, "code", second["id"], "--code", codes[side + 3]["id"], "--span", "0:25", "--coder", coder)
    ok("--db", path, "code", docs[9]["id"], "--code", codes[7]["id"], "--span", f"{100 * side + 10}:{100 * side + 90}",
       "--coder", coder)
    ok("--db", path, "memo", "add", f"doc:{second['id']}", f"Memo fra {coder} — æøå", "--coder", coder)
    ok("--db", path, "codebook", "rename", codes[5 + side]["id"], f"Omdøbt af {coder}", "--coder", coder)
    ok("--db", path, "codebook", "rename", codes[10]["id"], f"{codes[10]['name']} ({coder})", "--coder", coder)
    note = folder / f"note-{side}.txt"
    note.write_text(f"Feltnote af {coder}: borgeren i Fjordby får job på bageriet. 🥐\nSparring hver fredag.\n",
                    encoding="utf-8")
    ok("--db", path, "new", "--from-file", note, "--title", f"Feltnote af {coder}", "--municipality", "Fjordby",
       "--coder", coder)
    corrected = docs[11]["id"]
    if side == 0:  # Mette corrects a note that Søren codes on the other laptop
        old = ok("--db", path, "show", corrected, "--json").json["text"]
        fixed = folder / "fixed.txt"
        fixed.write_text("[Korrektur] " + old[:100] + " (rettet) " + old[100:], encoding="utf-8")
        ok("--db", path, "edit", corrected, "--from-file", fixed, "--coder", coder)
    else:
        ok("--db", path, "code", corrected, "--code", codes[2]["id"], "--span", "150:260", "--coder", coder)


@pytest.mark.slow
def test_the_demo_coded_on_two_laptops_merges_the_same_either_way(tmp_path: Path) -> None:
    base = tmp_path / "demo.db"
    ok("demo", base, "--no-tui")
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    shutil.copy(base, a)
    shutil.copy(base, b)
    docs = ok("--db", a, "docs", "--json").json
    codes = [c for c in ok("--db", a, "codebook", "list", "--json").json if c["codable"]]
    work(a, tmp_path, METTE, docs, codes, 0)
    work(b, tmp_path, SOEREN, docs, codes, 1)
    ok("--db", a, "bundle", tmp_path / "mette.fnbundle", "--coder", METTE)
    ok("--db", b, "bundle", tmp_path / "soeren.fnbundle", "--coder", SOEREN)
    a2, b2 = tmp_path / "a2.db", tmp_path / "b2.db"
    shutil.copy(a, a2)
    shutil.copy(b, b2)
    first = ok("--db", a2, "merge", tmp_path / "soeren.fnbundle", "--coder", METTE, "--json").json
    second = ok("--db", b2, "merge", tmp_path / "mette.fnbundle", "--coder", SOEREN, "--json").json
    assert content(a2) == content(b2)
    assert first["codings_moved_with_text"] >= 1 and second["codings_moved_with_text"] >= 1
    assert {c["kind"] for c in first["conflicts"]} == {"changed_both"} == {c["kind"] for c in second["conflicts"]}
    titles = {d["title"] for d in ok("--db", a2, "docs", "--json").json}
    assert {f"Feltnote af {METTE}", f"Feltnote af {SOEREN}"} <= titles
    # Søren's coding on the note Mette corrected covers the same words in the corrected text
    corrected = docs[11]["id"]
    soeren = [e for e in ok("--db", a2, "excerpts", "--coder", SOEREN, "--json").json if e["document"] == corrected]
    old_text = ok("--db", base, "show", corrected, "--json").json["text"]
    shift = len("[Korrektur] ") + len(" (rettet) ")
    assert [(e["text"], e["start"], e["needs_review"]) for e in soeren] == [(old_text[150:260], 150 + shift, False)]
    # merging again changes nothing, and says so; a whole project file gives the same as its bundle
    before = snapshot(a2)
    assert ok("--db", a2, "merge", tmp_path / "soeren.fnbundle", "--json").json["nothing_to_merge"] is True
    assert snapshot(a2) == before
    whole = tmp_path / "whole.db"
    shutil.copy(a, whole)
    ok("--db", whole, "merge", b, "--coder", METTE)
    assert content(whole) == content(a2)
    check_agreement_by_hand(a2)


def check_agreement_by_hand(project: Path) -> None:
    """The demo's two coders, counted character by character from their excerpts."""
    anna, jonas = "Anna Krogh", "Jonas Bech"
    out = ok("--db", project, "agreement", "--coders", f"{anna},{jonas}", "--json").json
    excerpts = ok("--db", project, "excerpts", "--json").json
    lengths = {d["id"]: d["chars"] for d in ok("--db", project, "docs", "--json").json}
    by = {anna: set(), jonas: set()}  # type: dict[str, set[str]]
    for e in excerpts:
        if e["coder"] in by:
            by[e["coder"]].add(e["document"])
    compared = by[anna] & by[jonas]
    assert out["documents"] == len(compared) > 0
    n = sum(lengths[d] for d in compared)
    checked = 0
    for row in out["codes"]:
        chars: dict[str, set[tuple[str, int]]] = {anna: set(), jonas: set()}
        for e in excerpts:
            if e["code"] == row["code"] and e["coder"] in chars and e["document"] in compared:
                chars[e["coder"]].update((e["document"], i) for i in range(e["start"], e["end"]))
        a = len(chars[anna] & chars[jonas])
        b, c = len(chars[anna]) - a, len(chars[jonas]) - a
        assert (row["a"], row["b"], row["c"], row["d"], row["n"]) == (a, b, c, n - a - b - c, n), row["code_path"]
        checked += a > 0
    assert checked >= 3  # the demo's coders overlap on several codes
