"""Keeping the gettext catalogs in step with the code (a developer tool, and the catalog test's engine).

    python -m tests.catalogs update    extract every _("...") from the app, merge into the Danish
                                       catalog (new strings stay untranslated), compile the .mo
    python -m tests.catalogs check     fail if a string lacks a Danish translation or the .mo is stale
"""

from __future__ import annotations

import ast
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "fieldnotes" / "tui", ROOT / "fieldnotes" / "export", ROOT / "fieldnotes" / "cli"]
LOCALE = ROOT / "fieldnotes" / "locale"
PO = LOCALE / "da" / "LC_MESSAGES" / "fieldnotes.po"
MO = PO.with_suffix(".mo")


def extracted() -> dict[tuple[str, str | None], list[tuple[str, int]]]:
    """Every literal passed to _() or N_(), including those inside f-strings (which Babel skips), and
    every pgettext(context, message), keyed by (message, context)."""
    found: dict[tuple[str, str | None], list[tuple[str, int]]] = {}
    for folder in SOURCES:
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                        for a in node.args]
                key: tuple[str, str | None] | None = None
                if node.func.id in ("_", "N_") and args and args[0]:
                    key = (args[0], None)
                elif node.func.id == "pgettext" and len(args) == 2 and args[0] and args[1]:
                    key = (args[1], args[0])
                if key is not None:
                    found.setdefault(key, []).append((str(path.relative_to(ROOT)), node.lineno))
    return found


def load() -> Catalog:
    if PO.exists():
        with PO.open("rb") as handle:
            return read_po(handle, locale="da")
    return Catalog(locale="da", project="fieldnotes")


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def update() -> None:
    catalog = load()
    messages = extracted()
    fresh = Catalog(locale="da", project="fieldnotes", charset="utf-8")
    for (message, context), locations in sorted(messages.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        old = catalog.get(message, context=context)
        fresh.add(message, old.string if old is not None else "", locations=locations, context=context)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as handle:
        write_po(handle, fresh, width=100, omit_header=False, sort_output=True)
    MO.write_bytes(compiled(fresh))
    missing = [m for m, c in messages if not fresh.get(m, context=c).string]  # type: ignore[union-attr]
    print(f"{len(messages)} strings, {len(missing)} without a Danish translation")


def problems() -> list[str]:
    catalog = load()
    out = []
    for message, context in extracted():
        entry = catalog.get(message, context=context)
        if entry is None or not entry.string:
            out.append(f"no Danish translation for {message!r}")
    if not MO.exists() or MO.read_bytes() != compiled(catalog):
        out.append("fieldnotes.mo is not compiled from fieldnotes.po: run `python -m tests.catalogs update`")
    return out


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        update()
    elif sys.argv[1:] == ["check"]:
        issues = problems()
        print("\n".join(issues) or "catalogs are complete")
        sys.exit(1 if issues else 0)
    else:
        print(__doc__)


def translate(mapping: dict[str, str]) -> int:
    """Fill in translations (a developer tool used when adding many strings at once)."""
    catalog = load()
    filled = 0
    for message in catalog:
        if message.id and not message.string and message.id in mapping:
            message.string = mapping[message.id]
            filled += 1
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True)
    MO.write_bytes(compiled(catalog))
    return filled
