"""Reading fieldnotes' own imports without running it: the engine of the architecture tests.

Every `import` and `from ... import` counts, also the lazy ones inside functions, and so does every
string that names a module the way the command table and the app's screen table do
("fieldnotes.cli.app_cmd:run_app"), because those are imports too, only later.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "fieldnotes"

#: a string that names a module for dispatch by name: "fieldnotes.a.b:attr", or "fieldnotes.a.b" (two dots at
#: least, so that file names such as "fieldnotes.db" and keys such as "fieldnotes.change" are not taken)
_NAMED = re.compile(r"^fieldnotes(?:(?:\.[A-Za-z_]\w*)+:[A-Za-z_]\w*|(?:\.[A-Za-z_]\w*){2,})$")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, "fieldnotes.tui.screens.export"
    target: str  # what it names, as far as it goes: "fieldnotes.cli.project_cmds.parse_date"
    line: int
    lazy: bool  # inside a function (or a name in a string): runs only when called
    path: Path
    named: bool = False  # a name in a string, imported by importlib when needed

    def where(self) -> str:
        return f"{self.path.name}:{self.line} ({self.source} -> {self.target})"


def module_name(path: Path, root: Path = PACKAGE_ROOT) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path = PACKAGE_ROOT) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "_data" not in p.relative_to(root).parts)


def imports_of(path: Path, root: Path = PACKAGE_ROOT) -> list[Import]:
    """What a module imports of fieldnotes itself."""
    return [i for i in every_import_of(path, root) if i.target == root.name or i.target.startswith(root.name + ".")]


def every_import_of(path: Path, root: Path = PACKAGE_ROOT) -> list[Import]:
    """What a module imports, of fieldnotes and of anything else (sqlalchemy, textual, ...)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend(Import(name, alias.name, node.lineno, lazy, path) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.extend(Import(name, f"{module}.{alias.name}", node.lineno, lazy, path) for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _NAMED.match(node.value):
            found.append(Import(name, node.value.replace(":", "."), node.lineno, True, path, named=True))
        inner = lazy or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, False)
    return found


def all_imports(root: Path = PACKAGE_ROOT) -> list[Import]:
    return [i for path in source_files(root) for i in imports_of(path, root)]


def face(module: str, root_name: str = "fieldnotes") -> str:
    """'tui' (the app), 'cli' (the command line, with `python -m fieldnotes`) or 'domain' (the library)."""
    if module == f"{root_name}.tui" or module.startswith(f"{root_name}.tui."):
        return "tui"
    if module in (f"{root_name}.cli", f"{root_name}.__main__") or module.startswith(f"{root_name}.cli."):
        return "cli"
    return "domain"


#: the one place the command line may reach into the app: starting it, lazily
APP_STARTER = "cli.app_cmd"


def face_violations(root: Path = PACKAGE_ROOT) -> list[str]:
    """Imports that break the rules between the faces and the library:
    the app never imports the command line; the command line imports the app only to start it (lazily,
    in `cli/app_cmd.py`); the library imports neither."""
    root_name = root.name
    bad = []
    for imp in all_imports(root):
        source, target = face(imp.source, root_name), face(imp.target, root_name)
        if source == target or target == "domain":
            continue
        if source == "cli" and target == "tui" and imp.source == f"{root_name}.{APP_STARTER}" and imp.lazy:
            continue
        bad.append(f"{source} imports {target}: {imp.where()}")
    return bad


def shared_names(root: Path = PACKAGE_ROOT) -> dict[str, list[str]]:
    """Module file names used more than once, with where. A screen (tui/screens/) may share its subject's
    name: `tui/screens/matrix.py` shows `analysis/matrix.py`."""
    seen: dict[str, list[str]] = {}
    for path in source_files(root):
        relative = path.relative_to(root)
        if path.name in ("__init__.py", "__main__.py") or relative.parts[:2] == ("tui", "screens"):
            continue
        seen.setdefault(path.name, []).append(relative.as_posix())
    return {name: places for name, places in seen.items() if len(places) > 1}


def primitives(root: Path = PACKAGE_ROOT) -> list[str]:
    """The shared primitives: the modules at the top of the package (errors, paths, clock, ...)."""
    return sorted(p.stem for p in root.glob("*.py") if p.stem not in ("__init__", "__main__"))


def packages(root: Path = PACKAGE_ROOT) -> list[str]:
    return sorted(p.parent.name for p in root.glob("*/__init__.py"))


def unit_of(module: str) -> str:
    """The package or top-level module a name belongs to: 'db' for fieldnotes.db.models, 'errors' for
    fieldnotes.errors.FieldnotesError, '' for the package itself (`from fieldnotes import __version__`)."""
    parts = module.split(".")
    return "" if len(parts) < 2 or parts[1] == "__version__" else parts[1]


#: the bottom of the library, and what each part may import besides the shared primitives and itself
BASE = {
    "db": ("privacy.encryption",),  # to open an encrypted (SQLCipher) file; lazily
    "codebook": ("db",),
    "documents": ("db",),
}


def layer_violations(root: Path = PACKAGE_ROOT) -> list[str]:
    """Imports that break the rules of the bottom layers: a shared primitive imports only other shared
    primitives; `db/`, `codebook/` and `documents/` import only what `BASE` allows."""
    tops = set(primitives(root))
    bad = []
    for imp in all_imports(root):
        source, target = unit_of(imp.source), unit_of(imp.target)
        if target in ("", source) or target in tops:
            continue
        if source in tops:
            bad.append(f"the shared primitive {source} imports {target}: {imp.where()}")
        elif source in BASE:
            dotted = imp.target.removeprefix(f"{root.name}.")
            if not any(dotted == allowed or dotted.startswith(allowed + ".") for allowed in BASE[source]):
                bad.append(f"{source} imports {target}: {imp.where()}")
    return bad


#: the faces: the command line and the app
FACES = ("cli", "tui")
#: calls that open a database session or transaction: `project.read()`, `project.write()`, `acting(...)`
_SESSION_OPENERS = ("read", "write")


def _opens_a_session(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _SESSION_OPENERS and not node.args and not node.keywords:
        return True
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in ("acting", "library_acting", "Session", "sessionmaker", "connect", "begin")


def database_work(path: Path, root: Path = PACKAGE_ROOT) -> list[str]:
    """Where a module touches the database itself: imports SQLAlchemy, or opens a session or transaction
    (`with project.read()`, `with project.write()`, `with acting(...)`, `engine.connect()`)."""
    found = [f"imports sqlalchemy ({path.name}:{i.line})" for i in every_import_of(path, root)
             if i.target == "sqlalchemy" or i.target.startswith("sqlalchemy.")]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.With | ast.AsyncWith):
            found += [f"opens a session ({path.name}:{node.lineno})" for item in node.items
                      if _opens_a_session(item.context_expr)]
    return found


def faces_doing_database_work(root: Path = PACKAGE_ROOT) -> dict[str, list[str]]:
    """The modules of the command line and the app that import SQLAlchemy or open a session themselves,
    with where ("cli/privacy_cmds.py": ["opens a session (privacy_cmds.py:40)", ...])."""
    out = {}
    for path in source_files(root):
        relative = path.relative_to(root)
        if relative.parts[0] in FACES:
            found = database_work(path, root)
            if found:
                out[relative.as_posix()] = found
    return out


def _is_main_block(node: ast.AST) -> bool:
    """`if __name__ == "__main__":`, a module's own developer entry point."""
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


def library_prints(root: Path = PACKAGE_ROOT) -> list[str]:
    """Calls of `print` in the library (outside `cli/`, `tui/` and `if __name__ == "__main__":` blocks):
    a library function returns its result and raises what went wrong; the faces print."""
    found = []

    def visit(node: ast.AST, where: str) -> None:
        if _is_main_block(node):
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            found.append(f"{where}:{node.lineno}")
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    for path in source_files(root):
        if path.relative_to(root).parts[0] in FACES or path.name == "__main__.py":
            continue
        visit(ast.parse(path.read_text(encoding="utf-8")), path.relative_to(root).as_posix())
    return found


def use_cases_named(page: str) -> list[tuple[str, str]]:
    """The (module path, function) pairs the architecture page's 'Moved so far' list names:
    "`privacy/register.py` (`listing` with occurrences, `add_entry`)" gives ("privacy/register.py", "listing"), ..."""
    body = page.split("Moved so far:", 1)[1].split("\n\n", 2)[1]
    pairs = []
    for module, names in re.findall(r"`([\w/]+\.py)` \(([^)]*)\)", body):
        pairs += [(module, name) for name in re.findall(r"`(\w+)`", names)]
    return pairs
