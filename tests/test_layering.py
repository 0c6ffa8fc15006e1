"""Architecture rules: domain code never imports Textual; the command line starts light."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import fieldnotes

APP_PACKAGES = ("fieldnotes.tui",)


def domain_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(fieldnotes.__path__, "fieldnotes."):
        skip = info.name.startswith((*APP_PACKAGES, "fieldnotes._data")) or info.name.endswith("__main__")
        if skip:
            continue
        names.append(info.name)
    return sorted(names)


def test_there_are_domain_modules_to_check() -> None:
    names = domain_modules()
    for expected in ("fieldnotes.db.models", "fieldnotes.coding.engine", "fieldnotes.importing.batch",
                     "fieldnotes.cli.main"):
        assert expected in names


def test_domain_modules_never_import_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"names = {domain_modules()!r}\n"
        "bad = []\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "    if any(m == 'textual' or m.startswith('textual.') for m in sys.modules):\n"
        "        bad.append(name); break\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"these modules pull in Textual: {result.stdout}"


def test_help_imports_nothing_heavy() -> None:
    """`fieldnotes --help` must answer at once: no database, no Textual, no document libraries."""
    code = (
        "import sys\n"
        "from fieldnotes.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'textual', 'docx', 'alembic', 'rapidfuzz', 'lxml', 'yaml')\n"
        "         if m in sys.modules]\n"
        "print('HEAVY:' + ','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_every_command_has_help() -> None:
    from fieldnotes.cli.parser import build_parser

    parser = build_parser()
    seen = 0

    def walk(p, path):  # type: ignore[no-untyped-def]
        nonlocal seen
        for action in p._actions:
            if action.__class__.__name__ == "_SubParsersAction":
                for choice in action._choices_actions:
                    assert choice.help, f"{' '.join([*path, choice.dest])} has no help text"
                for name, sub in action.choices.items():
                    seen += 1
                    assert sub.description, f"{' '.join([*path, name])} has no description"
                    walk(sub, [*path, name])

    walk(parser, ["fieldnotes"])
    assert seen > 20


def test_every_command_is_in_the_cli_reference() -> None:
    """docs/cli.md names every command (the reference a newcomer reads)."""
    from fieldnotes.cli.parser import build_parser

    reference = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    missing = [name for name in sub.choices if f"fieldnotes {name}" not in reference]
    assert missing == []
