"""No dead code in fieldnotes/: vulture finds nothing that is neither used nor whitelisted with a reason
(tests/vulture_whitelist.py says why confidence 60 and what the whitelist holds)."""

from __future__ import annotations

from pathlib import Path

from tests import vulture_whitelist


def test_vulture_finds_no_dead_code_and_the_whitelist_holds_nothing_stale() -> None:
    unused, stale = vulture_whitelist.findings()
    assert not unused and not stale, vulture_whitelist.report(unused, stale)


def test_the_check_finds_a_dead_function_and_a_stale_whitelist_entry(tmp_path: Path) -> None:
    package = tmp_path / "fieldnotes"
    package.mkdir()
    (package / "sager.py").write_text(
        '"""Sager og borgere."""\n\n\n'
        "def brugt(tekst: str) -> str:\n    return tekst.upper()\n\n\n"
        "def glemt_funktion(tekst: str) -> str:\n    return tekst\n\n\n"
        "class Skærm:\n    def on_mount(self) -> None:\n        pass\n\n    def action_gem(self) -> None:\n"
        "        pass\n\n\n"
        "print(brugt('Ærø'), Skærm())\n", encoding="utf-8")
    unused, stale = vulture_whitelist.findings([package], {"gammelt_navn": "findes ikke mere"})
    assert [(item.name, item.first_lineno) for item in unused] == [("glemt_funktion", 8)]
    assert stale == ["gammelt_navn"]
    assert "glemt_funktion" in vulture_whitelist.report(unused, stale)
