"""Complexity ratchet: radon's rating and the length of every function in fieldnotes/ (a developer tool and
the engine of tests/test_complexity.py).

    python -m tests.complexity check    what breaks the rule below (exit 1 if anything does)
    python -m tests.complexity update   shrink the baseline: drop entries that now keep the rule, lower
                                        the numbers of those that improved (it never adds or raises one)

The rule (issue #31): no function, method or class rated worse than C by radon (cyclomatic complexity over
20), and no function or method longer than 80 lines, unless a comment `# complexity: WHY` stands directly
above it (above its decorators). The functions that broke the rule when the gate came are listed in
tests/complexity_baseline.txt with their grade, complexity and length; each may only get better. A listed
function that moves to another module keeps its entry (entries are matched by file and qualified name, else
by the qualified name alone), so splitting a module does not trip the gate.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fieldnotes"
BASELINE = Path(__file__).resolve().parent / "complexity_baseline.txt"
WORST_GRADE = "C"
MAX_COMPLEXITY = 20  # radon's C ends at 20
MAX_LINES = 80
EXEMPT = "# complexity:"


@dataclass(frozen=True)
class Block:
    path: str  # relative to the repository
    name: str  # qualified: Class.method
    complexity: int
    lines: int
    is_class: bool = False

    @property
    def grade(self) -> str:
        return str(cc_rank(self.complexity))

    @property
    def offends(self) -> bool:
        return self.complexity > MAX_COMPLEXITY or (not self.is_class and self.lines > MAX_LINES)

    def describe(self) -> str:
        return f"{self.path} {self.name}: {self.grade} ({self.complexity}), {self.lines} lines"


def _exempt(source: list[str], first_line: int) -> bool:
    """A `# complexity: why` comment on the line above the definition (above its decorators)."""
    above = source[first_line - 2].strip() if first_line >= 2 else ""
    return above.startswith(EXEMPT) and len(above) > len(EXEMPT) + 3


def _first_lines(tree: ast.Module) -> dict[int, int]:
    """The line each definition starts on, decorators included, by the line of its `def` or `class`."""
    return {node.lineno: min([node.lineno, *[d.lineno for d in node.decorator_list]])
            for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}


def measure(root: Path = PACKAGE) -> list[Block]:
    """Every function, method and class that breaks the rule and has no `# complexity:` comment."""
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        source, first = text.splitlines(), _first_lines(ast.parse(text))
        relative = path.relative_to(root.parent).as_posix()
        for block in cc_visit(text):
            is_class = type(block).__name__ == "Class"
            item = Block(relative, block.fullname, block.complexity, block.endline - block.lineno + 1, is_class)
            if item.offends and not _exempt(source, first.get(block.lineno, block.lineno)):
                found.append(item)
    return found


def read_baseline(path: Path = BASELINE) -> list[Block]:
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            file, name, _grade, complexity, lines = line.split()
            entries.append(Block(file, name, int(complexity), int(lines)))
    return entries


def write_baseline(entries: list[Block], path: Path = BASELINE) -> None:
    head = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    comments = [line for line in head if line.startswith("#")]
    rows = [f"{e.path} {e.name} {e.grade} {e.complexity} {e.lines}" for e in sorted(entries, key=_order)]
    path.write_text("\n".join([*comments, *rows]) + "\n", encoding="utf-8")


def _order(block: Block) -> tuple[str, str]:
    return block.path, block.name


def match(found: list[Block], baseline: list[Block]) -> tuple[list[tuple[Block, Block]], list[Block]]:
    """Each offender with its baseline entry (same file and name, else an unclaimed entry of the same name:
    the function moved), and the offenders without one."""
    unclaimed = list(baseline)
    entries: list[Block | None] = []
    for item in found:
        entry = next((e for e in unclaimed if (e.path, e.name) == (item.path, item.name)), None)
        if entry is not None:
            unclaimed.remove(entry)
        entries.append(entry)
    for index, item in enumerate(found):
        if entries[index] is None:
            entry = next((e for e in unclaimed if e.name == item.name), None)
            if entry is not None:
                unclaimed.remove(entry)
                entries[index] = entry
    pairs = [(item, entry) for item, entry in zip(found, entries, strict=True) if entry is not None]
    return pairs, [item for item, entry in zip(found, entries, strict=True) if entry is None]


def problems(found: list[Block], baseline: list[Block]) -> list[str]:
    pairs, new = match(found, baseline)
    out = [f"{item.describe()}: over the limit (worse than {WORST_GRADE}, or over {MAX_LINES} lines); "
           f"simplify it, or put a `{EXEMPT} WHY` comment above it" for item in new]
    for item, entry in pairs:
        worse = [what for what, now, before in (("complexity", item.complexity, entry.complexity),
                                                 ("length", item.lines, entry.lines)) if now > before]
        if worse:
            out.append(f"{item.describe()}: its {' and '.join(worse)} grew beyond the baseline's "
                       f"{entry.grade} ({entry.complexity}), {entry.lines} lines; bring it back down")
    return out


def shrunk(found: list[Block], baseline: list[Block]) -> list[Block]:
    """The baseline with fixed entries dropped and improved numbers lowered (never raised); a moved
    function's entry takes its new file."""
    pairs, _new = match(found, baseline)
    return [Block(item.path, item.name, min(item.complexity, entry.complexity), min(item.lines, entry.lines))
            for item, entry in pairs]


def main(argv: list[str]) -> int:
    if argv not in (["check"], ["update"]):
        print(__doc__)
        return 2
    found, baseline = measure(), read_baseline()
    if argv == ["update"]:
        write_baseline(shrunk(found, baseline))
        print(f"{BASELINE.name}: {len(baseline)} entries before, {len(shrunk(found, baseline))} now")
        return 0
    listed = problems(found, baseline)
    print("\n".join(listed) or f"complexity: nothing new worse than {WORST_GRADE} or over {MAX_LINES} lines")
    return 1 if listed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
