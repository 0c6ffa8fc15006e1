"""REFI-QDA files go through the ordinary commands too: `import FILE.qdpx`, `codebook import|export FILE.qdc`."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import ok, run
from tests.projectdata import make_project


def test_import_takes_a_qdpx_and_codebook_commands_take_qdc(tmp_path: Path) -> None:
    (tmp_path / "kilde").mkdir()
    source = make_project(tmp_path / "kilde")
    ok("--db", source, "code", "Interview med sagsbehandler", "--code", "Ledelse", "--match", "Lederen er med")
    qdpx = tmp_path / "projekt.qdpx"
    ok("--db", source, "export", "qdpx", qdpx)
    qdc = tmp_path / "kodebog.qdc"
    ok("--db", source, "codebook", "export", qdc)
    target = tmp_path / "mål.db"
    ok("--db", target, "init", "--empty")
    diff = ok("--db", target, "codebook", "diff", qdc, "--json").json
    assert "Sparringskultur og ledelse/Ledelse" in diff["added"]
    report = ok("--db", target, "import", qdpx, "--json").json
    assert report["imported"] == 1 and report["failed"] == 0
    texts = [e["text"] for e in ok("--db", target, "excerpts", "--json").json]
    assert texts == ["Lederen er med"]
    bad = tmp_path / "ikke.qdpx"
    bad.write_bytes(b"not a zip")
    result = run("--db", target, "import", bad)
    assert result.code == 1 and "Traceback" not in result.err
