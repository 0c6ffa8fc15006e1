"""What an import took, matched, converted, kept as given and dropped, and why. Nothing is dropped silently.

The report is organised by kind of item (coders, codes, documents, selections, ...). For each kind
it counts what was taken and what was matched to rows already in the project, and lists every item
that was converted, kept as given (a selection that cuts a word, imported as the file says), dropped
or in conflict with the project, each with its reason. The text lines and `as_dict()` (what `--json`
prints) carry the same content.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fieldnotes.refi.positions import UNIT_NAMES

# the order in which counts are shown
ROW_KINDS = ("coders", "codes", "documents", "codings", "memos", "cases", "attributes", "case links")
# the kind (group) each item's own kind is listed under
GROUPS: dict[str, str] = {
    "file": "file", "project": "project",
    "user": "coders", "coder": "coders",
    "code": "codes", "code set": "codes",
    "document": "documents", "source file": "documents",
    "selection": "selections", "pdf region": "selections", "transcript selection": "selections",
    "coding": "codings",
    "note": "memos", "memo": "memos", "note selection": "memos", "note set": "memos", "link": "memos",
    "case": "cases", "case code": "cases", "set": "cases",
    "attribute": "attributes", "variable": "attributes",
    "case link": "case links",
    "pdf source": "media", "picture source": "media", "audio source": "media", "video source": "media",
    "graph": "graphs",
}
GROUP_ORDER = ("file", "project", "coders", "codes", "documents", "selections", "codings", "memos", "cases",
               "attributes", "case links", "media", "graphs")
OUTCOMES = ("converted", "kept", "dropped", "conflict")
_PLURAL = {"converted": "converted", "kept": "kept", "dropped": "dropped", "conflict": "conflicts"}


def group_of(kind: str) -> str:
    return GROUPS.get(kind, kind)


@dataclass
class Item:
    """One thing that was not simply taken: converted, kept as given, dropped, or in conflict."""

    outcome: str  # one of OUTCOMES
    kind: str  # "selection", "pdf source", "document", ...
    name: str
    reason: str
    data: dict[str, Any] = field(default_factory=dict)  # ids and the like, for scripts

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "reason": self.reason, **self.data}

    def text(self) -> str:
        """One line: what happened to which item, and why."""
        what = f"{self.name} — {self.reason}" if self.name else self.reason
        if self.outcome == "kept":
            return f"kept {self.kind} as given: {what}"
        if self.outcome == "conflict":
            return f"conflict on {self.kind}: {what}"
        return f"{self.outcome} {self.kind}: {what}"

    def flat(self) -> str:
        return f"{self.name}: {self.reason}" if self.name else self.reason


@dataclass
class ImportReport:
    file: str
    format: str
    origin: str | None
    positions: str | None = None
    taken: Counter[str] = field(default_factory=Counter)
    matched: Counter[str] = field(default_factory=Counter)
    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] | None = None  # the file's project settings and whether they were taken
    dry_run: bool = False

    # --- recording -------------------------------------------------------------------------------
    def add(self, outcome: str, kind: str, name: str, reason: str, **data: Any) -> None:
        self.items.append(Item(outcome, kind, name, reason, data))

    def convert(self, kind: str, name: str, reason: str, **data: Any) -> None:
        self.add("converted", kind, name, reason, **data)

    def keep(self, kind: str, name: str, reason: str, **data: Any) -> None:
        self.add("kept", kind, name, reason, **data)

    def drop(self, kind: str, name: str, reason: str, **data: Any) -> None:
        self.add("dropped", kind, name, reason, **data)

    def conflict(self, kind: str, name: str, reason: str, **data: Any) -> None:
        self.add("conflict", kind, name, reason, **data)

    # --- reading ---------------------------------------------------------------------------------
    def of(self, outcome: str) -> list[Item]:
        return [item for item in self.items if item.outcome == outcome]

    @property
    def dropped(self) -> list[Item]:
        return self.of("dropped")

    @property
    def converted(self) -> list[str]:
        return [item.flat() for item in self.of("converted")]

    def dropped_counts(self) -> dict[str, int]:
        return dict(Counter(item.kind for item in self.dropped))

    def groups(self) -> list[str]:
        present = {group_of(item.kind) for item in self.items} | {k for k, n in self.taken.items() if n} | {
            k for k, n in self.matched.items() if n}
        if self.users:
            present.add("coders")
        if self.settings is not None:
            present.add("project")
        return [g for g in GROUP_ORDER if g in present] + sorted(present - set(GROUP_ORDER))

    def title(self) -> str:
        parts = [f"{self.taken[kind]} {kind}" for kind in ROW_KINDS if self.taken[kind]]
        took = ", ".join(parts) if parts else "nothing new"
        verb = "would import" if self.dry_run else "imported"
        conflicts = len(self.of("conflict"))
        tail = f"; {conflicts} conflict(s) with the project" if conflicts else ""
        if self.dropped:
            tail += f"; {len(self.dropped)} item(s) dropped"
        return f"{verb} {self.file}: {took}{tail}"

    def _settings_line(self) -> str | None:
        if self.settings is None:
            return None
        shown = ", ".join(f"{key} {value}" for key, value in self.settings["file"].items() if value not in (None, ""))
        if self.settings["taken"]:
            return f"  project settings: taken from the file ({shown})"
        return f"  project settings: this project keeps its own; the file's are: {shown or 'none'}"

    def _users_line(self) -> str | None:
        if not self.users:
            return None
        shown = "; ".join(f"{u['name']} (user {u['guid'][:8]}) -> coder {u['coder'][:8]}"
                          + ("" if u.get("authored", True) else ", authored nothing") for u in self.users)
        return "  users: " + shown

    def lines(self) -> list[str]:
        out = [self.title()]
        if self.origin:
            out.append(f"  made by: {self.origin}")
        if self.positions:
            out.append(f"  positions read as {UNIT_NAMES.get(self.positions, self.positions)}")
        settings = self._settings_line()
        if settings:
            out.append(settings)
        users = self._users_line()
        if users:
            out.append(users)
        for group in self.groups():
            counts = [f"{n} {label}" for n, label in ((self.taken[group], "taken"), (self.matched[group],
                      "already in the project (matched, not duplicated)")) if n]
            items = [item for item in self.items if group_of(item.kind) == group]
            if not counts and not items:
                continue
            out.append(f"  {group}: {', '.join(counts)}" if counts else f"  {group}:")
            for outcome in ("conflict", "kept", "converted", "dropped"):
                out += [f"    {item.text()}" for item in items if item.outcome == outcome]
        out += [f"  warning: {line}" for line in self.warnings]
        if self.dry_run:
            out.append("dry run: nothing was changed")
        return out

    def kinds(self) -> dict[str, dict[str, Any]]:
        """Per kind of item: counts taken and matched, and every converted, kept, dropped and conflicting item."""
        out: dict[str, dict[str, Any]] = {}
        for group in self.groups():
            entry: dict[str, Any] = {"taken": self.taken[group], "matched": self.matched[group]}
            for outcome in OUTCOMES:
                entry[_PLURAL[outcome]] = [item.as_dict() for item in self.items
                                           if item.outcome == outcome and group_of(item.kind) == group]
            out[group] = entry
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
            "kinds": self.kinds(),
            "converted": self.converted,
            "kept": [item.as_dict() for item in self.of("kept")],
            "dropped": [item.as_dict() for item in self.dropped],
            "dropped_counts": self.dropped_counts(),
            "conflicts": [item.as_dict() for item in self.of("conflict")],
            "settings": self.settings,
            "warnings": list(self.warnings),
            "users": list(self.users),
        }

    def summary(self) -> dict[str, Any]:
        """What a batch import shows for the file: a title, notes, and the full report."""
        return {"title": self.title(), "notes": self.lines()[1:], "report": self.as_dict()}
