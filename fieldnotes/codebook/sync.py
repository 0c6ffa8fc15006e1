"""Bringing a codebook file into a project, showing what that would change, and writing one out.

Codes are matched by id, so a code renamed or moved in the file is renamed or moved in the project
(its codings stay). Importing never deletes: codes only in the project are kept and reported.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldnotes.codebook.tree import CodeTree
from fieldnotes.codebook.yamlfile import TEXT_FIELDS, CodebookFile, CodeSpec
from fieldnotes.db.models import Code, Coding
from fieldnotes.translations import _, ngettext, pgettext

_COMPARED = ("color", "shortcut", "codable", "retired", "scale_min", "scale_max", "scale_labels", "glosses")


@dataclass
class CodebookDiff:
    added: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    only_in_project: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.renamed or self.moved or self.updated)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "renamed": [{"from": a, "to": b} for a, b in self.renamed],
            "moved": [{"from": a, "to": b} for a, b in self.moved],
            "updated": [{"code_path": p, "fields": f} for p, f in self.updated],
            "unchanged": self.unchanged,
            "only_in_project": self.only_in_project,
        }

    def lines(self) -> list[str]:
        """The changes as a reader sees them, in the interface language (`as_dict()` stays English)."""
        words = {"add": pgettext("codebook change", "add"), "rename": pgettext("codebook change", "rename"),
                 "move": pgettext("codebook change", "move"), "update": pgettext("codebook change", "update"),
                 "keep": pgettext("codebook change", "keep")}
        width = max(7, *(len(word) for word in words.values()))
        out = [f"+ {words['add']:<{width}} {path}" for path in self.added]
        out += [f"~ {words['rename']:<{width}} {old} -> {new}" for old, new in self.renamed]
        out += [f"~ {words['move']:<{width}} {old} -> {new}" for old, new in self.moved]
        out += [f"~ {words['update']:<{width}} {path} ({', '.join(fields)})" for path, fields in self.updated]
        out += [f"  {words['keep']:<{width}} " + _("{path} (only in the project; an import never deletes)").format(
            path=path) for path in self.only_in_project]
        n = self.unchanged
        if self.empty:
            out.append(ngettext("no changes ({n} code already matches)", "no changes ({n} codes already match)",
                                n).format(n=n))
        else:
            out.append(ngettext("{n} code unchanged", "{n} codes unchanged", n).format(n=n))
        return out


def _values(spec: CodeSpec) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": spec.name,
        "parent_id": spec.parent_id,
        "color": spec.color or "#808080",
        "shortcut": spec.shortcut,
        "codable": spec.codable,
        "retired": spec.retired,
        "scale_min": spec.scale_min,
        "scale_max": spec.scale_max,
        "scale_labels": dict(spec.scale_labels),
        "glosses": dict(spec.glosses),
        "position": spec.position,
    }
    values.update({key: spec.texts.get(key, "") for key in TEXT_FIELDS})
    return values


def diff(session: Session, book: CodebookFile) -> CodebookDiff:
    tree = CodeTree.load(session)
    existing = {code.id: code for code in session.scalars(select(Code))}
    result = CodebookDiff()
    for spec in book.codes:
        code = existing.get(spec.id)
        if code is None:
            result.added.append(spec.path)
            continue
        changed = False
        old_path = tree.path(code.id)
        if code.name != spec.name:
            result.renamed.append((old_path, spec.path))
            changed = True
        if code.parent_id != spec.parent_id:
            result.moved.append((old_path, spec.path))
            changed = True
        values = _values(spec)
        fields = [key for key in (*_COMPARED, *TEXT_FIELDS) if getattr(code, key) != values[key]]
        if fields:
            result.updated.append((spec.path, fields))
            changed = True
        if not changed:
            result.unchanged += 1
    in_file = {spec.id for spec in book.codes}
    result.only_in_project = sorted(tree.path(cid) for cid in existing if cid not in in_file)
    return result


def apply(session: Session, book: CodebookFile, *, coder_id: uuid.UUID | None) -> CodebookDiff:
    """Add and update codes from the file (inside the caller's change). Returns what changed."""
    result = diff(session, book)
    existing = {code.id: code for code in session.scalars(select(Code))}
    for spec in book.codes:  # parents come first, so parent rows exist before children
        values = _values(spec)
        code = existing.get(spec.id)
        if code is None:
            session.add(Code(id=spec.id, created_by=coder_id, **values))
        else:
            for key, value in values.items():
                if getattr(code, key) != value:
                    setattr(code, key, value)
        session.flush()
    return result


def export_tree(session: Session) -> list[dict[str, Any]]:
    """The project's codes as nested dicts in the codebook file's shape."""
    codes = {code.id: code for code in session.scalars(select(Code))}
    tree = CodeTree.load(session)

    def node(code: Code) -> dict[str, Any]:
        out: dict[str, Any] = {"id": str(code.id), "name": code.name, "color": code.color}
        if code.shortcut:
            out["shortcut"] = code.shortcut
        if not code.codable:
            out["codable"] = False
        if code.retired:
            out["retired"] = True
        for key in TEXT_FIELDS:
            if getattr(code, key):
                out[key] = getattr(code, key)
        if code.scale_min is not None:
            scale: dict[str, Any] = {"min": code.scale_min, "max": code.scale_max}
            if code.scale_labels:
                scale["labels"] = {int(k): v for k, v in sorted(code.scale_labels.items(), key=lambda kv: int(kv[0]))}
            out["scale"] = scale
        if code.glosses.get("en"):
            out["en"] = dict(code.glosses["en"])
        out["children"] = [node(codes[child.id]) for child in tree.children.get(code.id, [])]
        return out

    return [node(codes[top.id]) for top in tree.children.get(None, [])]


def coding_counts(session: Session) -> dict[uuid.UUID, int]:
    rows = session.execute(select(Coding.code_id, func.count()).group_by(Coding.code_id)).all()
    return {code_id: count for code_id, count in rows}


def listing(session: Session) -> list[dict[str, Any]]:
    """Every code in tree order, as `codebook list --json` prints it."""
    tree = CodeTree.load(session)
    counts = coding_counts(session)
    codes = {code.id: code for code in session.scalars(select(Code))}
    out = []
    for node in tree.walk():
        code = codes[node.id]
        theme = sum(counts.get(cid, 0) for cid in tree.descendants(node.id))
        out.append(
            {
                "id": str(code.id),
                "name": code.name,
                "path": tree.path(code.id),
                "parent": str(code.parent_id) if code.parent_id else None,
                "depth": tree.depth(code.id),
                "color": code.color,
                "shortcut": code.shortcut,
                "codable": code.codable,
                "retired": code.retired,
                "scale": [code.scale_min, code.scale_max] if code.scale_min is not None else None,
                "codings": counts.get(code.id, 0),
                "theme_codings": theme,
                "short": code.short,
            }
        )
    return out
