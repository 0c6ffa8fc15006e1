"""A REFI-QDA code tree as ours: nested codes and flat `A::B` names become one tree of unique paths.

ATLAS.ti writes a hierarchy as flat names (`Coke::diet Coke`, beside a code `Coke`); other tools
nest `<Code>` elements. Our paths use `/`, so a `/` inside a name becomes `∕`; siblings must have
distinct names, so a repeated name gets a number. Every such change is listed for the report.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from fieldnotes.refi import identity
from fieldnotes.refi.descriptions import CodeEntry, parse_code_description
from fieldnotes.refi.model import RefiCode
from fieldnotes.translations import Said, said

FLAT_SEPARATOR = "::"


@dataclass
class PlannedCode:
    guid: uuid.UUID
    name: str
    parent: uuid.UUID | None
    codable: bool
    color: str | None
    entry: CodeEntry
    line: int = 0
    position: int = 0
    path: str = ""
    synthesised: bool = False
    note_refs: list[uuid.UUID] = field(default_factory=list)
    children: list[PlannedCode] = field(default_factory=list)


def _clean_name(name: str, converted: list[tuple[str, Said]]) -> str:
    cleaned = " ".join(name.split()) or "Unnamed code"
    if "/" in cleaned:
        fixed = cleaned.replace("/", "∕")
        converted.append((cleaned, said("'/' separates our paths; the name became {name!r}", name=fixed)))
        cleaned = fixed
    return cleaned


def _planned(code: RefiCode, converted: list[tuple[str, Said]]) -> PlannedCode:
    return PlannedCode(guid=code.guid, name=_clean_name(code.name, converted) if FLAT_SEPARATOR not in code.name
                       else code.name, parent=None, codable=code.codable, color=code.color,
                       entry=parse_code_description(code.description), line=code.line,
                       note_refs=list(code.note_refs),
                       children=[_planned(child, converted) for child in code.children])


def plan(roots: list[RefiCode], converted: list[tuple[str, Said]]) -> list[PlannedCode]:
    """Every code, parents before children, with parent ids, positions and paths set."""
    tops = [_planned(code, converted) for code in roots]
    by_path: dict[str, PlannedCode] = {}
    ordered_tops: list[PlannedCode] = []
    for code in tops:
        if FLAT_SEPARATOR not in code.name:
            by_path.setdefault(code.name.casefold(), code)
    for code in tops:
        if FLAT_SEPARATOR not in code.name:
            if not any(placed is code for placed in ordered_tops):
                ordered_tops.append(code)
            continue
        flat = code.name
        parts = [_clean_name(part, converted) for part in flat.split(FLAT_SEPARATOR)]
        parts = [part for part in parts if part] or ["Unnamed code"]
        siblings = ordered_tops
        for depth, part in enumerate(parts[:-1]):
            key = FLAT_SEPARATOR.join(parts[: depth + 1]).casefold()
            found = by_path.get(key)
            if found is None:
                found = PlannedCode(guid=identity.derived("code-group", key), name=part, parent=None, codable=False,
                                    color=code.color, entry=CodeEntry(), synthesised=True)
                by_path[key] = found
                converted.append((part, said("a category was added to hold the flat code names under it")))
            if not any(placed is found for placed in siblings):
                siblings.append(found)
            siblings = found.children
        code.name = parts[-1]
        full = FLAT_SEPARATOR.join(parts).casefold()
        stand_in = by_path.get(full)
        if stand_in is not None and stand_in.synthesised:  # "A::B::C" came before "A::B" itself
            code.children = stand_in.children + code.children
            siblings[:] = [code if placed is stand_in else placed for placed in siblings]
        else:
            siblings.append(code)
        by_path[full] = code
        converted.append((flat, said("the flat code name became {path}", path="/".join(parts))))
    out: list[PlannedCode] = []
    _finish(ordered_tops, None, "", out, converted)
    return out


def _finish(siblings: list[PlannedCode], parent: PlannedCode | None, parent_path: str, out: list[PlannedCode],
            converted: list[tuple[str, Said]]) -> None:
    names: set[str] = set()
    for position, code in enumerate(siblings):
        base, number = code.name, 1
        while code.name.casefold() in names:
            number += 1
            code.name = f"{base} ({number})"
        if number > 1:
            where = said("{path}", path=parent_path) if parent_path else said("the top level")
            converted.append((base, said("a second code of this name under {where} became {name!r}", where=where,
                                         name=code.name)))
        names.add(code.name.casefold())
        code.parent = parent.guid if parent else None
        code.position = position
        code.path = f"{parent_path}/{code.name}" if parent_path else code.name
        out.append(code)
        _finish(code.children, code, code.path, out, converted)
