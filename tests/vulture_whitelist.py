"""Dead-code check: vulture over fieldnotes/, and the names it cannot see used (a developer tool and the
engine of tests/test_dead_code.py).

    python -m tests.vulture_whitelist      list what vulture finds that is neither used nor listed here

vulture reads the source, so it misses what is called by name: the command table's "module:function"
handlers, the app's screens named "module:Class", Textual's `on_*`/`action_*`/`watch_*` hooks and class
attributes, SQLAlchemy's event listeners and type hooks, attributes set on other libraries' objects, and
what only a template, a test or a benchmark reads. Those are listed here, each with why; anything else it
finds is dead and should go. An entry that no longer matches anything is reported too, so the list
shrinks with the code.

Confidence 60 is vulture's lowest: it is where it reports unused functions, methods, classes, variables
and attributes (all at 60%); above it only unused imports (90%) and unreachable code and unused arguments
(100%) are left, and none of the dead code issue #31 names would be found.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from vulture import Vulture
from vulture.core import Item

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fieldnotes"
MIN_CONFIDENCE = 60

#: patterns of names a framework calls by their name (fnmatch patterns, as vulture's --ignore-names takes)
FRAMEWORK_PATTERNS = {
    "on_*": "Textual message and event handlers, found by their name",
    "_on_*": "Textual's private event handlers, overridden",
    "action_*": "Textual actions, named by string in BINDINGS and key handlers",
    "watch_*": "Textual reactive watchers",
    "_watch_*": "Textual's private reactive watchers, overridden",
}

#: decorators that register a function with a framework
FRAMEWORK_DECORATORS = {
    "@event.listens_for": "SQLAlchemy event listeners",
}

#: single names that are used although vulture sees no use, each with why
WHITELIST: dict[str, str] = {
    # Textual: class attributes and hooks the framework reads or calls
    "CSS_PATH": "Textual reads the app's stylesheet path",
    "ENABLE_COMMAND_PALETTE": "Textual reads it",
    "MODES": "Textual's App.MODES, set per instance",
    "sub_title": "Textual shows it in the header",
    "can_focus": "Textual widget attribute",
    "cursor_type": "Textual DataTable attribute",
    "fixed_columns": "Textual DataTable attribute",
    "zebra_stripes": "Textual DataTable attribute",
    "header_height": "Textual DataTable attribute",
    "justify": "a Rich Text attribute set on the library's object",
    "get_system_commands": "overrides Textual's App.get_system_commands (the command palette)",
    "search_themes": "overrides Textual's App.search_themes (the theme picker in the interface language)",
    "_start_no_matches_countdown": "overrides Textual's CommandPalette method (its message translated)",
    "_list_visible": "Textual CommandPalette's own state, set by the override",
    "_no_matches_timer": "Textual CommandPalette's own state, set by the override",
    "_bindings_ready": "Textual Footer's own state, set by the translated footer",
    "_require_update_dimensions": "Textual widget state, set when the language changes",
    "GUARDED": "each screen's declaration of its guarded actions, read by tests/test_keys.py",
    "GUARDS": "the kinds of guard, read by tests/test_keys.py",
    # SQLAlchemy, Alembic and the database driver
    "process_bind_param": "SQLAlchemy TypeDecorator hook",
    "process_result_value": "SQLAlchemy TypeDecorator hook",
    "impl": "SQLAlchemy TypeDecorator attribute",
    "cache_ok": "SQLAlchemy TypeDecorator attribute",
    "type_annotation_map": "SQLAlchemy DeclarativeBase attribute",
    "isolation_level": "set on the DB-API connection",
    "categories": "a column of the schema (attribute definitions), kept by migrations and REFI-QDA",
    "executemany": "an argument of SQLAlchemy's before_cursor_execute listener signature",
    "reflected": "an argument of Alembic's include_object hook signature",
    "compare_to": "an argument of Alembic's include_object hook signature",
    "type_": "an argument of Alembic's include_object hook signature",
    # attributes set on other libraries' objects (openpyxl, python-docx, zipfile, argparse)
    "font": "openpyxl cell style",
    "alignment": "openpyxl cell style",
    "freeze_panes": "openpyxl worksheet setting",
    "page_height": "python-docx section setting",
    "page_width": "python-docx section setting",
    "left_margin": "python-docx section setting",
    "right_margin": "python-docx section setting",
    "top_margin": "python-docx section setting",
    "bottom_margin": "python-docx section setting",
    "header_distance": "python-docx section setting",
    "footer_distance": "python-docx section setting",
    "different_first_page_header_footer": "python-docx section setting",
    "is_linked_to_previous": "python-docx header setting",
    "last_modified_by": "python-docx core property",
    "content_status": "python-docx core property",
    "_blob": "python-docx part's content, replaced",
    "compress_type": "zipfile.ZipInfo setting",
    "external_attr": "zipfile.ZipInfo setting",
    "help": "argparse Action.help, translated after argparse set it",
    # read by a template, a benchmark or only the tests
    "phase_x": "read by export/templates/browser.html.j2",
    "axis_y": "read by export/templates/browser.html.j2 (where a trend chart's phase labels hang from)",
    "painted_at": "read by benchmarks/app_open.py (when the reader first painted)",
    "stable": "ids.stable: benchmarks/generate.py makes its rows' ids with it",
    "ARGPARSE_WORDS": "marks argparse's own words for the catalog (tests/catalogs.py extracts N_())",
    "PLAIN": "names style 0 of the sheet's style table beside the others",
    "old_text": "PlannedMemo.old_text: a result field (the text an updated memo had) for the library's callers",
    "project_note_refs": "refi model field the reader fills (the project's own notes)",
    "krippendorff_alpha": "the reference the fast alpha is tested against (tests/test_agreement.py)",
    "row_image": "the reference image_queries is tested against (tests/test_team_bundle.py)",
    "rows_in_order": "tests/test_demo.py compares two demo builds with it",
    "load_patterns": "tests/test_analysis_demo.py reads examples/demo/patterns.yaml with it",
    "check_pattern": "tests/test_analysis_demo.py checks that the demo shows each pattern with it",
    "tokenise": "tests/test_analysis_words.py checks the tokeniser with it",
    # in modules other helpers are changing this session (issue #31); to look at again when they land
    "coding_bookmark": "export/anchors.py (being changed): tests/test_meeting.py uses it",
    "use_register": "export/pseudonyms.py (being changed): tests/test_export_docx.py uses it",
    "citation": "export/docx_excerpts.py (being changed): unused outside it",
    "grays": "export/plotting.py (being changed): unused",
    "TEXT_HEIGHT_CM": "export/figures.py (being changed): unused",
    "MACQUEEN_FIELDS": "export/gather.py (being changed): unused",
}

_HANDLER = re.compile(r"""["']fieldnotes(?:\.\w+)+:(\w+)["']""")


def dispatched() -> set[str]:
    """Names called through a "module:name" string: every command's handler (from the real parser, which
    builds some of the strings) and every such literal in the package (the app's screens and modes)."""
    from fieldnotes.cli.parser import build_parser

    names: set[str] = set()

    def walk(parser: argparse.ArgumentParser) -> None:
        handler = parser.get_default("handler")
        if isinstance(handler, str):
            names.add(handler.rsplit(":", 1)[1])
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for child in action.choices.values():
                    walk(child)

    walk(build_parser())
    for path in PACKAGE.rglob("*.py"):
        names.update(_HANDLER.findall(path.read_text(encoding="utf-8")))
    return names


def findings(paths: list[Path] | None = None, whitelist: dict[str, str] | None = None) -> tuple[list[Item], list[str]]:
    """(what vulture finds that nothing uses, whitelist entries that match nothing any more)."""
    listed = WHITELIST if whitelist is None else whitelist
    scan = Vulture(ignore_decorators=list(FRAMEWORK_DECORATORS), ignore_names=list(FRAMEWORK_PATTERNS))
    scan.scavenge([str(p) for p in (paths or [PACKAGE])])
    items = scan.get_unused_code(min_confidence=MIN_CONFIDENCE)
    by_name = dispatched()
    unused = [item for item in items if item.name not in listed and item.name not in by_name]
    matched = {item.name for item in items}
    return unused, sorted(name for name in listed if name not in matched)


def report(unused: list[Item], stale: list[str]) -> str:
    def where(item: Item) -> str:
        path = Path(item.filename).resolve()
        return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

    lines = [f"{where(item)}:{item.first_lineno}: {item.message}" for item in unused]
    lines += [f"tests/vulture_whitelist.py: {name!r} is listed but vulture finds nothing of that name; "
              "remove it from WHITELIST" for name in stale]
    if unused:
        lines.append("Remove the dead code, or, if it is used by name (a framework, a template, a test), add it "
                     "to WHITELIST in tests/vulture_whitelist.py with why.")
    return "\n".join(lines)


def main() -> int:
    unused, stale = findings()
    if unused or stale:
        print(report(unused, stale))
        return 1
    print("vulture: no dead code in fieldnotes/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
