"""docs/cli.md's command reference is generated from the parser and must be current (tests/cli_reference.py)."""

from __future__ import annotations

import argparse

from fieldnotes.cli.parser import build_parser
from fieldnotes.translations import speaking
from tests import cli_reference


def _section(text: str, name: str) -> str:
    start = text.index(f"### `{name}`\n")
    end = text.find("\n### ", start + 1)
    return text[start:end if end > 0 else len(text)]


def test_the_cli_reference_in_docs_is_current() -> None:
    text = cli_reference.DOC.read_text(encoding="utf-8")
    assert cli_reference.is_current(text), cli_reference.stale_message()


def test_the_reference_holds_every_command_flag_and_help_text() -> None:
    """Every command and subcommand has its section, and each of its arguments is there with its help."""
    text = cli_reference.render()
    with speaking("en"):
        parser = build_parser()
    names = [name for name, _parser, _help in cli_reference.commands(parser)]
    assert len(names) > 70 and "fieldnotes codebook add" in names and "fieldnotes export docx" in names
    shared = {"--db", "--json", "--lang", "--debug", "-h", "--help"}
    for name, command, _help in cli_reference.commands(parser):
        section = _section(text, name)
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction) or set(action.option_strings) & shared:
                continue
            for option in action.option_strings:
                assert f"`{option}" in section or f"| {option}" in section, (name, option)
            if action.help:
                assert " ".join(action.help.split()).replace("|", "\\|")[:40] in section, (name, action.help)


def _current_doc() -> str:
    """docs/cli.md as it should be (so the tests below do not fail only because the file is stale)."""
    return cli_reference.updated(cli_reference.DOC.read_text(encoding="utf-8"))


def test_a_stale_reference_fails_with_the_command_that_fixes_it() -> None:
    text = _current_doc()
    assert cli_reference.is_current(text)
    missing_flag = text.replace("| `--allow-duplicate` |", "| `--allow-duplicates` |", 1)
    old_help = text.replace("who is making the change", "who makes the change", 1)
    assert missing_flag != text and old_help != text
    assert not cli_reference.is_current(missing_flag)
    assert not cli_reference.is_current(old_help)
    assert "python -m tests.cli_reference update" in cli_reference.stale_message()


def test_updating_rewrites_only_what_is_between_the_markers() -> None:
    text = _current_doc()
    prose = text.replace("## Conventions", "## Konventioner (håndskrevet)", 1)
    emptied = prose.split(cli_reference.BEGIN)[0] + cli_reference.BEGIN + "\n" + cli_reference.END + "\n"
    result = cli_reference.updated(emptied)
    assert "## Konventioner (håndskrevet)" in result
    assert result == prose


def test_the_reference_is_english_whatever_language_is_in_force() -> None:
    with speaking("da"):
        in_danish_session = cli_reference.render()
    assert in_danish_session == cli_reference.render()
    assert "who is making the change" in in_danish_session
