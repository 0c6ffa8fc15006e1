"""The codebook as a tree: paths, descendants (themes) and resolving what a user typed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.db.models import Code
from fieldnotes.errors import Ambiguous, NotFound
from fieldnotes.translations import _


@dataclass(frozen=True)
class CodeNode:
    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    color: str
    shortcut: str | None
    codable: bool
    retired: bool
    position: int
    scale_min: int | None
    scale_max: int | None


class CodeTree:
    """A snapshot of the code tree, cheap to build (one query) and to ask."""

    def __init__(self, nodes: list[CodeNode]) -> None:
        self.nodes = {node.id: node for node in nodes}
        self.children: dict[uuid.UUID | None, list[CodeNode]] = {}
        for node in sorted(nodes, key=lambda n: (n.position, n.name.casefold())):
            self.children.setdefault(node.parent_id, []).append(node)
        self._paths: dict[uuid.UUID, str] = {}

    @classmethod
    def load(cls, session: Session) -> CodeTree:
        rows = session.execute(
            select(
                Code.id,
                Code.parent_id,
                Code.name,
                Code.color,
                Code.shortcut,
                Code.codable,
                Code.retired,
                Code.position,
                Code.scale_min,
                Code.scale_max,
            )
        ).all()
        return cls([CodeNode(*row) for row in rows])  # type: ignore[call-arg]

    def path(self, code_id: uuid.UUID) -> str:
        cached = self._paths.get(code_id)
        if cached is not None:
            return cached
        names, current, seen = [], self.nodes.get(code_id), set()
        while current is not None and current.id not in seen:
            seen.add(current.id)
            names.append(current.name)
            current = self.nodes.get(current.parent_id) if current.parent_id else None
        path = "/".join(reversed(names))
        self._paths[code_id] = path
        return path

    def depth(self, code_id: uuid.UUID) -> int:
        return self.path(code_id).count("/")

    def ancestors(self, code_id: uuid.UUID) -> list[uuid.UUID]:
        out, current = [], self.nodes.get(code_id)
        while current is not None and current.parent_id is not None and current.parent_id not in out:
            out.append(current.parent_id)
            current = self.nodes.get(current.parent_id)
        return out

    def descendants(self, code_id: uuid.UUID, *, include_self: bool = True) -> list[uuid.UUID]:
        out = [code_id] if include_self else []
        stack = [code_id]
        while stack:
            for child in self.children.get(stack.pop(), []):
                out.append(child.id)
                stack.append(child.id)
        return out

    def walk(self, parent: uuid.UUID | None = None) -> list[CodeNode]:
        """Every code in tree order (depth first, siblings by position)."""
        out: list[CodeNode] = []
        for node in self.children.get(parent, []):
            out.append(node)
            out.extend(self.walk(node.id))
        return out

    def resolve(self, text: str) -> CodeNode:
        """A code by id (or unique id prefix), path `Parent/Child`, or name when unique."""
        wanted = text.strip()
        if not wanted:
            raise NotFound(_("no code given"))
        by_path = [node for node in self.nodes.values() if self.path(node.id) == wanted]
        if len(by_path) == 1:
            return by_path[0]
        folded = wanted.casefold()
        by_path_ci = [node for node in self.nodes.values() if self.path(node.id).casefold() == folded]
        if len(by_path_ci) == 1:
            return by_path_ci[0]
        by_name = [node for node in self.nodes.values() if node.name.casefold() == folded]
        if len(by_name) == 1:
            return by_name[0]
        if len(by_name) > 1:
            raise Ambiguous(
                _("the code name {name!r} is ambiguous: {paths}").format(
                    name=wanted, paths="; ".join(sorted(self.path(n.id) for n in by_name))),
                hint=_("give the path, e.g. Parent/Child"),
            )
        compact = wanted.replace("-", "").lower()
        if len(compact) >= 4 and all(c in "0123456789abcdef" for c in compact):
            by_id = [node for node in self.nodes.values() if node.id.hex.startswith(compact)]
            if len(by_id) == 1:
                return by_id[0]
            if len(by_id) > 1:
                raise Ambiguous(_("the id prefix {wanted!r} matches {n} codes; give more of it")
                                .format(wanted=wanted, n=len(by_id)))
        near = sorted(
            self.path(n.id) for n in self.nodes.values() if folded in self.path(n.id).casefold()
        )[:8]
        hint = (_("did you mean: {names}").format(names="; ".join(near)) if near
                else _("see `fieldnotes codebook list`"))
        raise NotFound(_("no code {wanted!r}").format(wanted=wanted), hint=hint)


def code_named(session: Session, text: str) -> Code:
    """The code a person named (id or id prefix, path or unique name: `CodeTree.resolve`), as its row to
    act on: the one way the command line and the app turn typed text into a code."""
    node = CodeTree.load(session).resolve(text)
    code = session.get(Code, node.id)
    if code is None:  # pragma: no cover - the tree was read in this session a moment ago
        raise NotFound(_("no code {wanted!r}").format(wanted=text.strip()))
    return code
