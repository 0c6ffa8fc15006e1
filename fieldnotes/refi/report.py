"""What an import took, matched, converted and dropped, and why. Nothing is dropped silently."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fieldnotes.refi.positions import UNIT_NAMES

# the order in which counts are shown
ROW_KINDS = ("coders", "codes", "documents", "codings", "memos", "cases", "attributes", "case links")


@dataclass
class Dropped:
    kind: str  # "pdf source", "video source", "graph", "source file", "selection", "set", ...
    name: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "reason": self.reason}


@dataclass
class ImportReport:
    file: str
    format: str
    origin: str | None
    positions: str | None = None
    taken: Counter[str] = field(default_factory=Counter)
    matched: Counter[str] = field(default_factory=Counter)
    converted: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    users: list[dict[str, str]] = field(default_factory=list)
    dry_run: bool = False

    def drop(self, kind: str, name: str, reason: str) -> None:
        self.dropped.append(Dropped(kind, name, reason))

    def dropped_counts(self) -> dict[str, int]:
        return dict(Counter(item.kind for item in self.dropped))

    def title(self) -> str:
        parts = [f"{self.taken[kind]} {kind}" for kind in ROW_KINDS if self.taken[kind]]
        took = ", ".join(parts) if parts else "nothing new"
        verb = "would import" if self.dry_run else "imported"
        return f"{verb} {self.file}: {took}" + (f"; {len(self.dropped)} item(s) dropped" if self.dropped else "")

    def lines(self) -> list[str]:
        out = [self.title()]
        if self.origin:
            out.append(f"  made by: {self.origin}")
        if self.positions:
            out.append(f"  positions read as {UNIT_NAMES.get(self.positions, self.positions)}")
        matched = [f"{self.matched[kind]} {kind}" for kind in ROW_KINDS if self.matched[kind]]
        if matched:
            out.append("  already in the project (matched, not duplicated): " + ", ".join(matched))
        if self.users:
            out.append("  users: " + "; ".join(f"{u['name']} -> coder {u['coder'][:8]}" for u in self.users))
        out += [f"  converted: {line}" for line in self.converted]
        for item in self.dropped:
            out.append(f"  dropped {item.kind}: {item.name} — {item.reason}")
        out += [f"  warning: {line}" for line in self.warnings]
        if self.dry_run:
            out.append("dry run: nothing was changed")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "origin": self.origin,
            "positions": self.positions,
            "dry_run": self.dry_run,
            "taken": {kind: self.taken[kind] for kind in ROW_KINDS},
            "matched": {kind: self.matched[kind] for kind in ROW_KINDS},
            "converted": list(self.converted),
            "dropped": [item.as_dict() for item in self.dropped],
            "dropped_counts": self.dropped_counts(),
            "warnings": list(self.warnings),
            "users": list(self.users),
        }

    def summary(self) -> dict[str, Any]:
        """What a batch import shows for the file: a title, notes, and the full report."""
        return {"title": self.title(), "notes": self.lines()[1:], "report": self.as_dict()}
