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
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "fieldnotes"]
LOCALE = ROOT / "fieldnotes" / "locale"
PO = LOCALE / "da" / "LC_MESSAGES" / "fieldnotes.po"
MO = PO.with_suffix(".mo")


Message = str | tuple[str, str]


def extracted() -> dict[tuple[Message, str | None], list[tuple[str, int]]]:
    """Every literal passed to _(), N_() or said(), including those inside f-strings (which Babel skips),
    every pgettext(context, message) and every ngettext(one, many, n) and said_n(one, many, n) (the pair), keyed
    by (message, context)."""
    found: dict[tuple[Message, str | None], list[tuple[str, int]]] = {}
    for folder in SOURCES:
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                        for a in node.args]
                key: tuple[Message, str | None] | None = None
                if node.func.id in ("_", "N_", "said") and args and args[0]:
                    key = (args[0], None)
                elif node.func.id in ("ngettext", "said_n") and len(args) >= 2 and args[0] and args[1]:
                    key = ((args[0], args[1]), None)
                elif node.func.id in ("pgettext", "NP_") and len(args) == 2 and args[0] and args[1]:
                    key = (args[1], args[0])
                if key is not None:
                    found.setdefault(key, []).append((str(path.relative_to(ROOT)), node.lineno))
    return found


def _translated(catalog: Catalog, message: Message, context: str | None) -> bool:
    entry = catalog.get(message[0] if isinstance(message, tuple) else message, context=context)
    if entry is None:
        return False
    if isinstance(message, tuple):
        return isinstance(entry.string, tuple) and all(entry.string)
    return bool(entry.string) and not isinstance(entry.string, tuple)


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
    for (message, context), locations in sorted(messages.items(), key=lambda item: (str(item[0][0]), item[0][1] or "")):
        old = catalog.get(message[0] if isinstance(message, tuple) else message, context=context)
        empty: str | tuple[str, str] = ("", "") if isinstance(message, tuple) else ""
        kept = old.string if old is not None and isinstance(old.string, tuple) == isinstance(message, tuple) else empty
        fresh.add(message, kept, locations=locations, context=context)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as handle:
        write_po(handle, fresh, width=100, omit_header=False, sort_output=True)
    MO.write_bytes(compiled(fresh))
    missing = [m for m, c in messages if not _translated(fresh, m, c)]
    print(f"{len(messages)} strings, {len(missing)} without a Danish translation")


def problems() -> list[str]:
    catalog = load()
    out = [f"fuzzy translation for {m.id!r}" for m in catalog if m.id and m.fuzzy]
    for message, context in extracted():
        if not _translated(catalog, message, context):
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


def translate(mapping: dict[Any, Any]) -> int:
    """Fill in translations (a developer tool used when adding many strings at once)."""
    catalog = load()
    filled = 0
    for message in catalog:
        key = tuple(message.id) if isinstance(message.id, tuple | list) else message.id
        done = all(message.string) if isinstance(message.string, tuple | list) else bool(message.string)
        if key and not done and key in mapping:
            message.string = mapping[key]
            filled += 1
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True)
    MO.write_bytes(compiled(catalog))
    return filled
