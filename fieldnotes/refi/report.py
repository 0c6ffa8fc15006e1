"""What an import took, matched, converted, kept as given and dropped, and why. Nothing is dropped silently.

The report is organised by kind of item (coders, codes, documents, selections, ...). For each kind
it counts what was taken and what was matched to rows already in the project, and lists every item
that was converted, kept as given (a selection that cuts a word, imported as the file says), dropped
or in conflict with the project, each with its reason. The text lines and `as_dict()` (what `--json`
prints) carry the same content: the lines in the interface language (each reason is a `Said`, rendered when
shown), `as_dict()` in English with the English kind and outcome keys, as scripts read it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fieldnotes.refi.positions import UNIT_NAMES
from fieldnotes.translations import NP_, Said, _, ngettext, speaking

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

# the kinds and groups as a reader sees them (the JSON keeps the English keys above)
KIND_NAMES: dict[str, str] = {
    "file": NP_("REFI-QDA", "file"), "project": NP_("REFI-QDA", "project"),
    "user": NP_("REFI-QDA", "user"), "coder": NP_("REFI-QDA", "coder"),
    "code": NP_("REFI-QDA", "code"), "code set": NP_("REFI-QDA", "code set"),
    "document": NP_("REFI-QDA", "document"), "source file": NP_("REFI-QDA", "source file"),
    "selection": NP_("REFI-QDA", "selection"), "pdf region": NP_("REFI-QDA", "pdf region"),
    "transcript selection": NP_("REFI-QDA", "transcript selection"),
    "coding": NP_("REFI-QDA", "coding"),
    "note": NP_("REFI-QDA", "note"), "memo": NP_("REFI-QDA", "memo"),
    "note selection": NP_("REFI-QDA", "note selection"), "note set": NP_("REFI-QDA", "note set"),
    "link": NP_("REFI-QDA", "link"),
    "case": NP_("REFI-QDA", "case"), "case code": NP_("REFI-QDA", "case code"), "set": NP_("REFI-QDA", "set"),
    "attribute": NP_("REFI-QDA", "attribute"), "variable": NP_("REFI-QDA", "variable"),
    "case link": NP_("REFI-QDA", "case link"),
    "pdf source": NP_("REFI-QDA", "pdf source"), "picture source": NP_("REFI-QDA", "picture source"),
    "audio source": NP_("REFI-QDA", "audio source"), "video source": NP_("REFI-QDA", "video source"),
    "graph": NP_("REFI-QDA", "graph"),
}
GROUP_NAMES: dict[str, str] = {
    "file": NP_("REFI-QDA", "file"), "project": NP_("REFI-QDA", "project"),
    "coders": NP_("REFI-QDA", "coders"), "codes": NP_("REFI-QDA", "codes"),
    "documents": NP_("REFI-QDA", "documents"), "selections": NP_("REFI-QDA", "selections"),
    "codings": NP_("REFI-QDA", "codings"), "memos": NP_("REFI-QDA", "memos"), "cases": NP_("REFI-QDA", "cases"),
    "attributes": NP_("REFI-QDA", "attributes"), "case links": NP_("REFI-QDA", "case links"),
    "media": NP_("REFI-QDA", "media"), "graphs": NP_("REFI-QDA", "graphs"),
}


def kind_name(kind: str) -> str:
    """A kind of item in the interface language (an unknown one as it is)."""
    return _(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def group_name(group: str) -> str:
    return _(GROUP_NAMES[group]) if group in GROUP_NAMES else group


def shown(text: str | Said) -> str:
    """A reason or warning as the reader sees it: a `Said` in the interface language, plain text as it is."""
    return text.render() if isinstance(text, Said) else text


def _taken_count(kind: str, n: int) -> str:
    """"3 codes" for the title, by the kind of row."""
    forms = {
        "coders": ngettext("{n} coder", "{n} coders", n), "codes": ngettext("{n} code", "{n} codes", n),
        "documents": ngettext("{n} document", "{n} documents", n),
        "codings": ngettext("{count} coding", "{count} codings", n),  # the app's own message
        "memos": ngettext("{n} memo", "{n} memos", n),
        "cases": ngettext("{n} case", "{n} cases", n), "attributes": ngettext("{n} attribute", "{n} attributes", n),
        "case links": ngettext("{n} case link", "{n} case links", n),
    }
    return forms[kind].format(n=n, count=n) if kind in forms else f"{n} {kind}"


def group_of(kind: str) -> str:
    return GROUPS.get(kind, kind)


@dataclass
class Item:
    """One thing that was not simply taken: converted, kept as given, dropped, or in conflict."""

    outcome: str  # one of OUTCOMES
    kind: str  # "selection", "pdf source", "document", ...
    name: str | Said  # a Said (a count, a description) is shown translated, listed in English
    reason: str | Said  # a Said is shown in the reader's language; the JSON has its English text
    data: dict[str, Any] = field(default_factory=dict)  # ids and the like, for scripts

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": str(self.name), "reason": str(self.reason), **self.data}

    def text(self) -> str:
        """One line in the interface language: what happened to which item, and why."""
        reason = shown(self.reason)
        what = f"{shown(self.name)} — {reason}" if self.name else reason
        kind = kind_name(self.kind)
        if self.outcome == "kept":
            return _("kept {kind} as given: {what}").format(kind=kind, what=what)
        if self.outcome == "conflict":
            return _("conflict on {kind}: {what}").format(kind=kind, what=what)
        if self.outcome == "dropped":
            return _("dropped {kind}: {what}").format(kind=kind, what=what)
        return _("converted {kind}: {what}").format(kind=kind, what=what)

    def flat(self) -> str:
        """The English line `--json` lists under "converted"."""
        return f"{self.name}: {self.reason}" if self.name else str(self.reason)  # str() of a Said is English


@dataclass
class ImportReport:
    file: str
    format: str
    origin: str | None
    positions: str | None = None
    taken: Counter[str] = field(default_factory=Counter)
    matched: Counter[str] = field(default_factory=Counter)
    items: list[Item] = field(default_factory=list)
    warnings: list[str | Said] = field(default_factory=list)  # a Said is shown translated, listed in English
    users: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] | None = None  # the file's project settings and whether they were taken
    dry_run: bool = False

    # --- recording -------------------------------------------------------------------------------
    def add(self, outcome: str, kind: str, name: str | Said, reason: str | Said, **data: Any) -> None:
        self.items.append(Item(outcome, kind, name, reason, data))

    def convert(self, kind: str, name: str | Said, reason: str | Said, **data: Any) -> None:
        self.add("converted", kind, name, reason, **data)

    def keep(self, kind: str, name: str | Said, reason: str | Said, **data: Any) -> None:
        self.add("kept", kind, name, reason, **data)

    def drop(self, kind: str, name: str | Said, reason: str | Said, **data: Any) -> None:
        self.add("dropped", kind, name, reason, **data)

    def conflict(self, kind: str, name: str | Said, reason: str | Said, **data: Any) -> None:
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
        parts = [_taken_count(kind, self.taken[kind]) for kind in ROW_KINDS if self.taken[kind]]
        took = ", ".join(parts) if parts else _("nothing new")
        conflicts = len(self.of("conflict"))
        tail = ngettext("; {n} conflict with the project", "; {n} conflicts with the project", conflicts).format(
            n=conflicts) if conflicts else ""
        if self.dropped:
            dropped = len(self.dropped)
            tail += ngettext("; {n} item dropped", "; {n} items dropped", dropped).format(n=dropped)
        if self.dry_run:
            return _("would import {file}: {took}{tail}").format(file=self.file, took=took, tail=tail)
        return _("imported {file}: {took}{tail}").format(file=self.file, took=took, tail=tail)

    def _settings_line(self) -> str | None:
        if self.settings is None:
            return None
        names = {"name": _("name"), "created": _("created"), "start": _("start"), "language": _("language"),
                 "default_coder": _("default coder"), "pseudonymize_exports": _("pseudonymize exports")}
        given = ", ".join(f"{names.get(key, key)} {value}" for key, value in self.settings["file"].items()
                          if value not in (None, ""))
        if self.settings["taken"]:
            return _("  project settings: taken from the file ({settings})").format(settings=given)
        return _("  project settings: this project keeps its own; the file's are: {settings}").format(
            settings=given or _("none"))

    def _users_line(self) -> str | None:
        if not self.users:
            return None
        given = "; ".join(_("{name} (user {user}) -> coder {coder}").format(
            name=u["name"], user=u["guid"][:8], coder=u["coder"][:8])
            + ("" if u.get("authored", True) else _(", authored nothing")) for u in self.users)
        return _("  users: {users}").format(users=given)

    def lines(self) -> list[str]:
        """The report as a reader sees it, in the interface language."""
        out = [self.title()]
        if self.origin:
            out.append(_("  made by: {origin}").format(origin=self.origin))
        if self.positions:
            out.append(_("  positions read as {unit}").format(
                unit=_(UNIT_NAMES[self.positions]) if self.positions in UNIT_NAMES else self.positions))
        settings = self._settings_line()
        if settings:
            out.append(settings)
        users = self._users_line()
        if users:
            out.append(users)
        for group in self.groups():
            counts = []
            if self.taken[group]:
                counts.append(_("{n} taken").format(n=self.taken[group]))
            if self.matched[group]:
                counts.append(_("{n} already in the project (matched, not duplicated)").format(n=self.matched[group]))
            items = [item for item in self.items if group_of(item.kind) == group]
            if not counts and not items:
                continue
            out.append(f"  {group_name(group)}: {', '.join(counts)}" if counts else f"  {group_name(group)}:")
            for outcome in ("conflict", "kept", "converted", "dropped"):
                out += [f"    {item.text()}" for item in items if item.outcome == outcome]
        out += [_("  warning: {warning}").format(warning=shown(line)) for line in self.warnings]
        if self.dry_run:
            out.append(_("dry run: nothing was changed"))
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
            "warnings": [str(line) for line in self.warnings],
            "users": list(self.users),
        }

    def summary(self) -> dict[str, Any]:
        """What a batch import shows for the file: a title, notes, and the full report. The title and notes
        are English text (what `--json` prints) that carry the interface language's lines for people
        (`local()`)."""
        shown_lines = self.lines()
        with speaking("en"):
            english = self.lines()
        both = [Both.of(en, here) for en, here in zip(english, shown_lines, strict=True)]
        return {"title": both[0], "notes": both[1:], "report": self.as_dict()}


class Both(str):
    """English text (what JSON holds) that also carries the line in the interface language, for people."""

    local: str

    @classmethod
    def of(cls, english: str, local: str) -> Both:
        made = cls(english)
        made.local = local
        return made


def local(text: str) -> str:
    """The interface language's form of a `Both`; any other text as it is."""
    return getattr(text, "local", text)
