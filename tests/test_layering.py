"""Architecture rules: domain code never imports Textual; the command line starts light."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import fieldnotes
from tests import contracts

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
    for expected in ("fieldnotes.db.models", "fieldnotes.coding.applying", "fieldnotes.importing.batch",
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
        "heavy = [m for m in ('sqlalchemy', 'textual', 'docx', 'alembic', 'rapidfuzz', 'lxml', 'yaml',\n"
        "                       'matplotlib', 'jinja2', 'playwright')\n"
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


# --- contracts between the faces and the library (tests/contracts.py reads the imports) ---------------


def test_the_faces_and_the_library_keep_their_contracts() -> None:
    """The app never imports the command line; the command line imports the app only to start it;
    the library (everything outside cli/ and tui/) imports neither."""
    assert contracts.face_violations() == []


def test_shared_primitives_and_the_bottom_layers_import_only_what_they_may() -> None:
    """docs/architecture.md, rules 5 and 6: the top-level modules import only one another; db/, codebook/
    and documents/ import only what is below them."""
    assert contracts.layer_violations() == []


def test_the_layer_check_finds_an_upward_import(tmp_path: Path) -> None:
    root = tmp_path / "fieldnotes"
    files = {
        "__init__.py": "", "errors.py": "", "paths.py": "from fieldnotes.errors import Oops\n",
        "clock.py": "def now():\n    from fieldnotes.db import models\n",
        "db/__init__.py": "", "db/models.py": "from fieldnotes import errors\n",
        "db/backends.py": "def key():\n    from fieldnotes.privacy.encryption import url_for\n",
        "privacy/__init__.py": "", "privacy/encryption.py": "", "privacy/register.py": "",
        "codebook/__init__.py": "", "codebook/tree.py": "from fieldnotes.db.models import Code\n",
        "documents/__init__.py": "", "documents/store.py": "from fieldnotes.privacy import register\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    found = contracts.layer_violations(root)
    assert [line.split(":")[0] for line in found] == [
        "the shared primitive clock imports db", "documents imports privacy"]


def test_the_architecture_page_names_every_package_and_primitive() -> None:
    """docs/architecture.md, rule 9: its lists are the real ones, so a new package or top-level module
    is placed (and described) on purpose."""
    import re

    page = (Path(__file__).parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")

    def listed(section: str, pattern: str) -> list[str]:
        body = page.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
        return sorted(re.findall(pattern, body, flags=re.M))

    assert listed("Packages", r"^- `(\w+)/`") == contracts.packages()
    assert listed("Shared primitives", r"^- `(\w+)`") == contracts.primitives()


def test_no_two_modules_share_a_name() -> None:
    """A file name says where to look: two `engine.py` or `scope.py` send a newcomer (and a grep) to the wrong
    one. Only a screen may share its subject's name (`tui/screens/matrix.py` shows `analysis/matrix.py`)."""
    assert contracts.shared_names() == {}


def test_the_name_check_finds_twins(tmp_path: Path) -> None:
    root = tmp_path / "fieldnotes"
    for name in ("db/engine.py", "coding/engine.py", "analysis/matrix.py", "tui/screens/matrix.py",
                 "tui/app.py", "db/__init__.py", "coding/__init__.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("", encoding="utf-8")
    assert contracts.shared_names(root) == {"engine.py": ["coding/engine.py", "db/engine.py"]}


def test_every_module_named_in_a_string_exists() -> None:
    """The command table and the app's screen table name their modules in strings ("module:function"),
    which no type checker follows: each must still name a real module and attribute after a move."""
    import importlib

    named = [i for i in contracts.all_imports() if i.named]
    assert len(named) > 30
    broken = []
    for imp in named:
        module, _sep, attr = imp.target.rpartition(".")
        try:
            found = importlib.import_module(imp.target) is not None  # a module ("fieldnotes.cli.args_team")
        except ImportError:
            try:  # or a module's attribute ("fieldnotes.cli.app_cmd:run_app")
                found = hasattr(importlib.import_module(module), attr)
            except ImportError:
                found = False
        if not found:
            broken.append(imp.where())
    assert broken == []


def test_the_contract_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The check catches a top-level import, a lazy one, a relative one and a name in a string, and lets
    the app starter's lazy import through."""
    root = tmp_path / "fieldnotes"
    files = {
        "__init__.py": "",
        "cli/__init__.py": "",
        "cli/app_cmd.py": "def run():\n    from fieldnotes.tui.app import App\n",
        "cli/dates.py": "def parse(): ...\n",
        "cli/main.py": "from fieldnotes.tui import app\n",
        "tui/__init__.py": "",
        "tui/app.py": "class App: ...\n",
        "tui/screens/__init__.py": "",
        "tui/screens/export.py": "def ok():\n    from ...cli.dates import parse\n",
        "tui/table.py": 'SCREENS = {"x": "fieldnotes.cli.dates:parse"}\n',
        "report.py": "import fieldnotes.cli.dates\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    found = contracts.face_violations(root)
    assert [line.split(":")[0] for line in found] == [
        "cli imports tui", "domain imports cli", "tui imports cli", "tui imports cli"]
    assert [line.split(" (")[0].split(": ")[1] for line in found] == [
        "main.py:1", "report.py:1", "export.py:2", "table.py:1"]


def test_matplotlib_is_imported_only_when_a_figure_is_drawn() -> None:
    """The report's charts load matplotlib (half a second) only while drawing: not at start-up, not for
    `export docx --help`, and not for an export without --charts."""
    code = (
        "import sys\n"
        "import fieldnotes.export.exporter, fieldnotes.export.figures, fieldnotes.export.docx_excerpts\n"
        "from fieldnotes.cli.main import main\n"
        "try:\n    main(['export', 'docx', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('LOADED:' + str('matplotlib' in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "LOADED:False"


# --- the use-case layer: the faces parse, call and show; the library touches the database -------------

#: The modules of the command line and the app that still import SQLAlchemy or open a session themselves
#: (`with project.read()`, `with project.write()`, `with acting(...)`). A ratchet: it may only shrink. Stage 2
#: of issue 31 continues by emptying it: move the module's domain work into one library function (typed
#: inputs, a dataclass result, errors as fieldnotes.errors) that both faces call, then strike it off here.
#: `cli/context.py` and the app's `tui/app.py` open the project and read its settings and coder; they are
#: the last to go.
STILL_DOING_DATABASE_WORK = {
    "cli/analysis_cmds.py",
    "cli/codebook_cmds.py",
    "cli/coding_cmds.py",
    "cli/context.py",
    "cli/demo_cmd.py",
    "cli/document_cmds.py",
    "cli/project_cmds.py",
    "cli/search_cmds.py",
    "cli/team_cmds.py",
    "tui/app.py",
    "tui/changes.py",
    "tui/screens/codebook.py",
    "tui/screens/documents.py",
    "tui/screens/excerpts.py",
    "tui/screens/matrix.py",
    "tui/screens/ratings.py",
    "tui/screens/reader.py",
    "tui/screens/search.py",
    "tui/screens/timeline.py",
}


def test_no_more_of_the_faces_touch_the_database_themselves() -> None:
    """docs/architecture.md, rule 10: a new command or screen calls the library, which opens the session;
    it never imports SQLAlchemy or opens a session of its own."""
    found = contracts.faces_doing_database_work()
    new = {name: where for name, where in found.items() if name not in STILL_DOING_DATABASE_WORK}
    assert new == {}, "call a library function instead (see docs/architecture.md, 'Where a change goes')"
    done = sorted(STILL_DOING_DATABASE_WORK - set(found))
    assert done == [], "these no longer touch the database: strike them off STILL_DOING_DATABASE_WORK"


def test_the_database_check_finds_imports_and_sessions(tmp_path: Path) -> None:
    root = tmp_path / "fieldnotes"
    files = {
        "__init__.py": "", "cli/__init__.py": "", "tui/__init__.py": "", "tui/screens/__init__.py": "",
        "cli/calls.py": "def run(ctx):\n    from fieldnotes.privacy import register\n"
                        "    return register.listing(ctx.project())\n",
        "cli/reads.py": "def run(ctx):\n    with ctx.project(readonly=True).read() as session:\n"
                        "        return session\n",
        "cli/acts.py": "def run(p):\n    with acting(p, 'Åse', 'x') as (session, cid):\n        pass\n",
        "tui/screens/queries.py": "def load():\n    from sqlalchemy import select\n    return select\n",
        "tui/screens/files.py": "def load(path):\n    with open(path) as f:\n        return f.read()\n",
        "privacy/__init__.py": "", "privacy/register.py": "from sqlalchemy import select\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    found = contracts.faces_doing_database_work(root)
    assert found == {"cli/acts.py": ["opens a session (acts.py:2)"], "cli/reads.py": ["opens a session (reads.py:2)"],
                     "tui/screens/queries.py": ["imports sqlalchemy (queries.py:2)"]}


def test_the_library_prints_nothing() -> None:
    """docs/architecture.md, rule 11: the faces print; a library function returns and raises."""
    assert contracts.library_prints() == []


def test_the_print_check_finds_a_print(tmp_path: Path) -> None:
    root = tmp_path / "fieldnotes"
    files = {"__init__.py": "", "cli/__init__.py": "", "cli/main.py": "print('ok')\n",
             "coding/__init__.py": "", "coding/usecases.py": "def code():\n    print('kodet æøå')\n",
             "db/__init__.py": "", "db/migrate.py": "if __name__ == '__main__':\n    print('usage')\n"}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    assert contracts.library_prints(root) == ["coding/usecases.py:2"]


def test_the_use_cases_the_architecture_page_names_exist() -> None:
    """docs/architecture.md, rule 12: its list of the use-case layer names real functions."""
    import importlib

    page = (Path(__file__).parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = contracts.use_cases_named(page)
    assert len(named) >= 15
    missing = [f"{module}:{name}" for module, name in named
               if not callable(getattr(importlib.import_module("fieldnotes." + module[:-3].replace("/", ".")),
                                       name, None))]
    assert missing == []
