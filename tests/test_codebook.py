"""The codebook file: mistakes are named by file and line and leave nothing behind; export, import and diff agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ok, run
from tests.projectdata import SMALL_CODEBOOK, make_project

HEAD = "format: fieldnotes-codebook/1\nname: Forkert kodebog\ncodes:\n"

BAD = {
    "malformed": (
        HEAD + "  - name: Sparringskultur\n    children: [Kollegial sparring\n  - name: Ledelse\n",
        ["line 5:", "flow sequence", "line 6"],
    ),
    "duplicate-id": (
        HEAD
        + "  - id: 11111111-1111-4111-8111-000000000001\n    name: Sparring\n"
        + "  - name: Ledelse\n    color: \"#4e79a7\"\n"
        + "  - id: 11111111-1111-4111-8111-000000000001\n    name: Tro på jobchancen\n",
        ["line 8:", "11111111-1111-4111-8111-000000000001", "already used by the code on line 4"],
    ),
    "missing-parent": (
        HEAD + "  - name: Sparring\n  - name: Kollegial sparring\n    parent: Sparing\n",
        ["line 5:", "the parent 'Sparing' is not a code in this file"],
    ),
    "cycle": (
        HEAD
        + "  - id: 22222222-2222-4222-8222-000000000001\n    name: Hønen\n"
        + "    parent: 22222222-2222-4222-8222-000000000002\n"
        + "  - id: 22222222-2222-4222-8222-000000000002\n    name: Ægget\n"
        + "    parent: 22222222-2222-4222-8222-000000000001\n",
        ["line 4:", "is its own ancestor (a cycle)"],
    ),
    "unclosed-quote": (
        HEAD + "  - name: Sparring\n    children:\n      - name: \"Kollegial sparring\n        shortcut: c\n"
        + "      - name: Ledelse\n",
        ["line 6:", "the quote opened here (column 15) is never closed", "on line 9"],
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_codebook_is_named_by_line_and_leaves_no_project(tmp_path: Path, name: str) -> None:
    text, expected = BAD[name]
    book = tmp_path / "kodebog.yaml"
    book.write_text(text, encoding="utf-8")
    target = tmp_path / "projekt.db"
    result = run("--db", target, "init", "--codebook", book)
    assert result.code == 1
    message = result.err.strip()
    assert len(message.splitlines()) == 1
    assert message.startswith(f"fieldnotes: error: {book}, line ")
    for part in expected:
        assert part in message, (part, message)
    assert "Traceback" not in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kodebog.yaml"]


def test_unclosed_quote_points_at_the_quote_not_the_end(tmp_path: Path) -> None:
    """PyYAML finds an unclosed quote only at the end of the file; the message names the line it opened on."""
    book = tmp_path / "citat.yaml"
    book.write_text(HEAD + "  - name: Sparring\n    short: 'Kolleger hjælper hinanden\n"
                    + "  - name: Ledelse\n  - name: Tro\n", encoding="utf-8")
    result = run("--db", tmp_path / "p.db", "init", "--codebook", book)
    assert result.code == 1
    assert f"{book}, line 5: the quote opened here (column 12) is never closed" in result.err
    assert "(found unexpected end of stream on line 8)" in result.err
    assert not (tmp_path / "p.db").exists()


def test_bad_codebook_import_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "p.db"
    ok("--db", target, "init", "--codebook", SMALL_CODEBOOK)
    before = ok("--db", target, "codebook", "list", "--json").json
    text, _ = BAD["duplicate-id"]
    book = tmp_path / "dobbelt.yaml"
    book.write_text(text, encoding="utf-8")
    for command in ("import", "diff"):
        result = run("--db", target, "codebook", command, book)
        assert result.code == 1 and "already used by the code on line 4" in result.err
    assert ok("--db", target, "codebook", "list", "--json").json == before


def test_export_import_round_trip_gives_the_same_codebook(tmp_path: Path) -> None:
    source = tmp_path / "kilde.db"
    ok("--db", source, "init")  # the study's own codebook, with scales, glosses and categories
    exported = tmp_path / "kodebog.yaml"
    ok("--db", source, "codebook", "export", exported)
    other = tmp_path / "andet.db"
    ok("--db", other, "init", "--empty")
    assert ok("--db", other, "codebook", "list", "--json").json == []
    preview = ok("--db", other, "codebook", "diff", exported, "--json").json
    original = ok("--db", source, "codebook", "list", "--retired", "--json").json
    assert len(preview["added"]) == len(original) > 20
    ok("--db", other, "codebook", "import", exported)
    assert ok("--db", other, "codebook", "list", "--retired", "--json").json == original
    again = ok("--db", other, "codebook", "diff", exported, "--json").json
    assert again["added"] == again["renamed"] == again["moved"] == again["updated"] == []
    assert again["unchanged"] == len(original)
    second = tmp_path / "igen.yaml"
    ok("--db", other, "codebook", "export", second)
    body = exported.read_text(encoding="utf-8").split("\ncodes:\n", 1)[1]
    assert second.read_text(encoding="utf-8").split("\ncodes:\n", 1)[1] == body


def test_rename_in_the_file_is_a_rename(tmp_path: Path) -> None:
    """Same id, new name: diff says rename, import keeps the code's id and its codings."""
    project = make_project(tmp_path)
    ok("--db", project, "code", "Interview med sagsbehandler", "--code", "Ledelse", "--match", "Lederen er med")
    before = {c["name"]: c for c in ok("--db", project, "codebook", "list", "--json").json}
    assert before["Ledelse"]["codings"] == 1
    exported = tmp_path / "kodebog.yaml"
    ok("--db", project, "codebook", "export", exported)
    text = exported.read_text(encoding="utf-8")
    assert text.count("name: Ledelse\n") == 1
    renamed = tmp_path / "omdøbt.yaml"
    renamed.write_text(text.replace("name: Ledelse\n", "name: Ledelsens rolle\n"), encoding="utf-8")

    diff = run("--db", project, "codebook", "diff", renamed)
    assert diff.code == 0
    assert ("~ rename  Sparringskultur og ledelse/Ledelse -> Sparringskultur og ledelse/Ledelsens rolle"
            in diff.out.splitlines())
    assert "+ add" not in diff.out
    as_json = ok("--db", project, "codebook", "diff", renamed, "--json").json
    assert as_json["added"] == [] and as_json["only_in_project"] == []
    assert ok("--db", project, "codebook", "list", "--json").json == list(before.values())  # diff changed nothing

    ok("--db", project, "codebook", "import", renamed)
    after = {c["name"]: c for c in ok("--db", project, "codebook", "list", "--json").json}
    assert "Ledelse" not in after
    assert after["Ledelsens rolle"]["id"] == before["Ledelse"]["id"]
    assert after["Ledelsens rolle"]["codings"] == 1
    assert len(after) == len(before)
    excerpts = ok("--db", project, "excerpts", "--json").json
    assert [(e["code"], e["code_path"]) for e in excerpts if "Lederen er med" in e["text"]] == [
        (before["Ledelse"]["id"], "Sparringskultur og ledelse/Ledelsens rolle")]
