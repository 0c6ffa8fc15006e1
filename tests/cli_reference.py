"""docs/cli.md's command reference, generated from the real parser (as sqlite-utils does with cog).

    python -m tests.cli_reference update   rewrite the reference between the markers in docs/cli.md
    python -m tests.cli_reference check    exit 1 if the reference in docs/cli.md is stale

Every command and subcommand of `fieldnotes/cli/parser.py`, in English, with its synopsis, description and
each argument and flag with its help. Only the text between the two markers is generated; the prose
around it stays hand-written. tests/test_cli_reference.py runs `check` in the suite.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "cli.md"
UPDATE_COMMAND = ".venv/bin/python -m tests.cli_reference update"
BEGIN = ("<!-- cli-reference: begin. Generated from fieldnotes/cli/parser.py by "
         "`python -m tests.cli_reference update`; do not edit by hand. -->")
END = "<!-- cli-reference: end -->"


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[argparse.ArgumentParser] | None:
    return next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)


def commands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser, str]]:
    """(full name, parser, one-line help) of every command and subcommand, depth first in parser order."""
    sub = _subparsers(parser)
    if sub is None:
        return
    helps = {choice.dest: choice.help or "" for choice in sub._choices_actions}
    for name, child in sub.choices.items():
        yield child.prog, child, helps.get(name, "")
        yield from commands(child)


def _metavar(action: argparse.Action) -> str:
    if isinstance(action.metavar, tuple):
        return " ".join(action.metavar)
    if action.metavar is not None:
        return action.metavar
    if action.choices is not None:
        return "{" + ",".join(str(choice) for choice in action.choices) + "}"
    return action.dest if not action.option_strings else action.dest.upper()


def _argument(action: argparse.Action) -> str:
    """How the argument is written: `--snap {word,sentence}`, `--cell ROW COLUMN`, `PATH [PATH ...]`."""
    metavar = _metavar(action)
    if action.nargs == 0:
        value = ""
    elif action.nargs == "?":
        value = f"[{metavar}]"
    elif action.nargs == "+":
        value = f"{metavar} [{metavar} ...]"
    elif action.nargs == "*":
        value = f"[{metavar} ...]"
    else:
        value = metavar
    if isinstance(action, argparse.BooleanOptionalAction):
        return " | ".join(action.option_strings)
    if not action.option_strings:
        return action.dest if action.metavar is None and action.choices is not None else value
    return ", ".join(action.option_strings) + (f" {value}" if value else "")


def _help(action: argparse.Action, prog: str) -> str:
    text = argparse.HelpFormatter(prog)._expand_help(action) if action.help else ""
    notes = []
    if not action.option_strings and action.metavar is None and action.choices is not None:
        notes.append("one of " + ", ".join(f"`{choice}`" for choice in action.choices))
    if action.option_strings and action.required:
        notes.append("required")
    if isinstance(action, argparse._AppendAction) and "repeatable" not in text:
        notes.append("repeatable")
    if notes:
        text = f"{text} ({', '.join(notes)})" if text else ", ".join(notes)
    return " ".join(text.split())


def _shown(action: argparse.Action, common: set[str]) -> bool:
    """Leaves out -h/--help, the subcommand slot and the options every command shares."""
    if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
        return False
    return not (action.option_strings and set(action.option_strings) <= common)


def _synopsis(parser: argparse.ArgumentParser, common: set[str]) -> str:
    exclusive = {id(a): group for group in parser._mutually_exclusive_groups for a in group._group_actions}
    parts: list[str] = []
    done: set[int] = set()
    for action in parser._actions:
        if not _shown(action, common) or id(action) in done:
            continue
        group = exclusive.get(id(action))
        if group is not None:
            members = [a for a in group._group_actions if _shown(a, common)]
            done.update(id(a) for a in members)
            joined = " | ".join(_argument(a) for a in members)
            parts.append(f"({joined})" if group.required else f"[{joined}]")
        elif action.option_strings and not action.required:
            parts.append(f"[{_argument(action)}]")
        else:
            parts.append(_argument(action))
    if _subparsers(parser) is not None:
        parts.append("COMMAND ...")
    return " ".join([parser.prog, *parts])


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _table(rows: list[tuple[str, str]]) -> list[str]:
    lines = ["| argument | meaning |", "|---|---|"]
    cell = {ord("|"): "\\|"}  # a bar inside a cell, even inside backticks, must be escaped in a table
    lines += [f"| `{name.translate(cell)}` | {text.translate(cell)} |" for name, text in rows]
    return lines


def render() -> str:
    """The generated reference (in English whatever the environment says), without the markers."""
    from fieldnotes.cli.parser import _common, build_parser
    from fieldnotes.translations import speaking

    with speaking("en"):
        parser = build_parser()
        shared = [a for a in _common()._actions if a.option_strings and not isinstance(a, argparse._HelpAction)]
    common = {s for a in shared for s in a.option_strings}
    out = ["", "### Options every command takes", ""]
    out += _table([(_argument(a), _help(a, "fieldnotes")) for a in shared])
    top = [a for a in parser._actions if _shown(a, common)]
    out += ["", "`fieldnotes` alone opens the app; before a command it also takes:", ""]
    out += _table([(_argument(a), _help(a, "fieldnotes")) for a in top])
    for name, command, summary in commands(parser):
        out += ["", f"### `{name}`", "", _sentence(summary)]
        out += ["", "```text", _synopsis(command, common), "```"]
        description = (command.description or "").strip()
        if description and " ".join(description.split()) != " ".join(summary.split()):
            out += ["", "```text", *[line.rstrip() for line in description.splitlines()], "```"]
        sub = _subparsers(command)
        if sub is not None:
            out += ["", "| command | does |", "|---|---|"]
            out += [f"| `{command.prog} {c.dest}` | {' '.join((c.help or '').split())} |"
                    for c in sub._choices_actions]
        plain = ("positional arguments", "options")
        groups = [("", [a for g in command._action_groups if g.title in plain for a in g._group_actions])]
        groups += [(g.title or "", g._group_actions) for g in command._action_groups if g.title not in plain]
        for title, actions in groups:
            rows = [(_argument(a), _help(a, command.prog)) for a in actions if _shown(a, common)]
            if rows:
                out += ["", f"*{title[:1].upper()}{title[1:]}:*"] if title else []
                out += ["", *_table(rows)]
        if command.epilog:
            out += ["", "```text", *[line.rstrip() for line in command.epilog.strip().splitlines()], "```"]
    return "\n".join(out) + "\n"


def _split(text: str) -> tuple[str, str, str]:
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise SystemExit(f"docs/cli.md must hold the markers once each, in order:\n{BEGIN}\n{END}")
    before, rest = text.split(BEGIN)
    inside, after = rest.split(END)
    return before, inside, after


def updated(text: str) -> str:
    """`text` (docs/cli.md) with the generated reference between its markers replaced by today's."""
    before, _inside, after = _split(text)
    return before + BEGIN + "\n" + render() + END + after


def is_current(text: str) -> bool:
    return updated(text) == text


def stale_message() -> str:
    return f"docs/cli.md's command reference is stale: run `{UPDATE_COMMAND}` and commit docs/cli.md"


def main(argv: list[str]) -> int:
    if argv not in (["update"], ["check"]):
        print(__doc__)
        return 2
    text = DOC.read_text(encoding="utf-8")
    if argv == ["check"]:
        if is_current(text):
            return 0
        print(stale_message(), file=sys.stderr)
        return 1
    new = updated(text)
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print("docs/cli.md: command reference updated")
    else:
        print("docs/cli.md: command reference already current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
