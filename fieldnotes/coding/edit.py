"""Editing a document's text while its codings stay on their words.

The old and new texts are diffed line by line first (difflib), then character by character inside
changed lines (rapidfuzz's Levenshtein opcodes), which keeps long documents with a few edits fast.
Each coding is then mapped through the edit:
- a coding that no change touches keeps exactly the same characters, only shifted;
- a coding that a change touches is stretched or shrunk with it and flagged for review;
- a coding whose every character was deleted is removed (undo brings it back).
"""

from __future__ import annotations

import bisect
import difflib
import uuid
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes import text as textmod
from fieldnotes.db.models import Coding, Document, Memo
from fieldnotes.documents.store import replace_turns
from fieldnotes.errors import InvalidInput
from fieldnotes.translations import _

Opcode = tuple[str, int, int, int, int]


def char_opcodes(old: str, new: str) -> list[Opcode]:
    """Non-equal regions of a character diff from old to new (tag, i1, i2, j1, j2), in order."""
    if old == new:
        return []
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    old_mid, new_mid = old[prefix : len(old) - suffix], new[prefix : len(new) - suffix]
    out: list[Opcode] = []
    old_lines = old_mid.splitlines(keepends=True)
    new_lines = new_mid.splitlines(keepends=True)
    old_starts = [0]
    for line in old_lines:
        old_starts.append(old_starts[-1] + len(line))
    new_starts = [0]
    for line in new_lines:
        new_starts.append(new_starts[-1] + len(line))
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        a1, a2 = old_starts[i1], old_starts[i2]
        b1, b2 = new_starts[j1], new_starts[j2]
        chunk_old, chunk_new = old_mid[a1:a2], new_mid[b1:b2]
        if tag == "replace" and len(chunk_old) * len(chunk_new) <= 4_000_000:
            for op in Levenshtein.opcodes(chunk_old, chunk_new):
                if op.tag != "equal":
                    out.append((op.tag, prefix + a1 + op.src_start, prefix + a1 + op.src_end,
                                prefix + b1 + op.dest_start, prefix + b1 + op.dest_end))
        else:
            out.append((tag, prefix + a1, prefix + a2, prefix + b1, prefix + b2))
    return _merge_adjacent(out)


def _merge_adjacent(ops: list[Opcode]) -> list[Opcode]:
    merged: list[Opcode] = []
    for op in ops:
        if merged and merged[-1][2] == op[1] and merged[-1][4] == op[3]:
            last = merged[-1]
            merged[-1] = ("replace", last[1], op[2], last[3], op[4])
        else:
            merged.append(op)
    return merged


class OffsetMap:
    """Maps positions in the old text to the new text through a list of opcodes."""

    def __init__(self, ops: list[Opcode]) -> None:
        self.ops = ops
        self.starts = [op[1] for op in ops]

    def position(self, pos: int, *, side: str) -> int:
        """Where an old boundary lands. `side` is 'start' or 'end' of a span."""
        index = bisect.bisect_right(self.starts, pos) - 1
        # ops strictly before pos shift it; an op containing pos moves it to that op's new edge
        while index >= 0:
            _tag, i1, i2, j1, j2 = self.ops[index]
            if pos > i2 or (pos == i2 and i2 > i1):
                return pos + (j2 - i2)
            if i1 < pos < i2:
                return j1 if side == "start" else j2
            # pos == i1: an insertion or change starting exactly here
            if pos == i1:
                if i1 == i2:  # pure insertion at pos: a span starting here starts after it
                    return j2 if side == "start" else j1
                return j1
            index -= 1
        return pos

    def touches(self, start: int, end: int) -> bool:
        """Does any change fall within [start, end)? Insertions strictly inside count; at the edges they do not."""
        index = bisect.bisect_left(self.starts, start)
        if index > 0:
            index -= 1
        for _tag, i1, i2, _j1, _j2 in self.ops[index:]:
            if i1 >= end:
                break
            if i1 == i2:
                if start < i1 < end:
                    return True
            elif i1 < end and i2 > start:
                return True
        return False


@dataclass
class EditResult:
    document_id: uuid.UUID
    changed: bool
    kept: int = 0
    shifted: int = 0
    adjusted: list[str] = field(default_factory=list)  # coding ids flagged for review
    removed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"document": str(self.document_id), "changed": self.changed, "kept": self.kept,
                "shifted": self.shifted, "adjusted": self.adjusted, "removed": self.removed}


def edit_text(session: Session, document: Document, new_text: str, *, coder_id: uuid.UUID | None) -> EditResult:
    """Replace a document's text (inside the caller's change), carrying every coding along."""
    new = textmod.normalise(new_text)
    if not new.strip():
        raise InvalidInput(_("the edit would leave {title!r} empty; nothing was changed").format(title=document.title),
                           hint=_("delete the document instead: `fieldnotes doc delete`"))
    old = document.text
    result = EditResult(document.id, changed=new != old)
    if not result.changed:
        return result
    mapping = OffsetMap(char_opcodes(old, new))
    codings = session.scalars(select(Coding).where(Coding.document_id == document.id)).all()
    taken: set[tuple[uuid.UUID, uuid.UUID, int, int]] = set()
    for coding in sorted(codings, key=lambda c: (c.start, c.end)):
        touched = mapping.touches(coding.start, coding.end)
        new_start = mapping.position(coding.start, side="start")
        new_end = mapping.position(coding.end, side="end")
        key = (coding.code_id, coding.coder_id, new_start, new_end)
        if new_end <= new_start or key in taken:
            for memo in session.scalars(select(Memo).where(Memo.coding_id == coding.id)):
                session.delete(memo)
            session.flush()
            session.delete(coding)
            result.removed.append(str(coding.id))
            continue
        taken.add(key)
        if (new_start, new_end) != (coding.start, coding.end):
            coding.start, coding.end = new_start, new_end
            if not touched:
                result.shifted += 1
        else:
            result.kept += 1
        coding.text = new[new_start:new_end]
        if touched:
            coding.needs_review = True
            result.adjusted.append(str(coding.id))
    session.flush()
    document.text = new
    document.sha256 = textmod.sha256(new)
    document.length = len(new)
    session.flush()
    replace_turns(session, document, coder_id=coder_id)
    session.flush()
    return result
