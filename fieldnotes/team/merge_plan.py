"""Planning a merge: which version of every row the merged project has, and what that conflicts with.

The rules are in fieldnotes.team.merge's docstring. Nothing here writes: `Planner.plan()` reads this
project and the other copy and returns a `Plan` (the rows to write, the conflicts, the report), which
fieldnotes.team.merge_write writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.db import history
from fieldnotes.db.models import MergeConflict
from fieldnotes.errors import FieldnotesError, Refused
from fieldnotes.team.images import (
    MERGED_TABLES,
    REFERENCES,
    Image,
    Key,
    Rebaser,
    fingerprint,
    moment,
    remap,
    stamp,
)
from fieldnotes.team.sources import LogFacts, Source, Tombstone, ident, log_facts, read_rows
from fieldnotes.translations import _

#: what being "the same row" means for rows that two copies may create independently
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "cases": ("type", "name"),
    "attributes": ("scope", "name"),
    "document_cases": ("document_id", "case_id"),
    "attribute_values": ("attribute_id", "document_id", "case_id"),
    "codings": ("document_id", "code_id", "coder_id", "start", "end"),
}
BOOKKEEPING = ("id", "created_at", "updated_at", "created_by")
DOCUMENT_FIELDS = ("title", "kind", "activity", "date", "participants", "speakers")
#: tables whose rows are not worth listing as a project's content when deciding it is empty
CONTENT_TABLES = ("cases", "attributes", "documents", "document_cases", "speaker_turns", "attribute_values",
                  "codes", "codings", "memos", "pseudonyms")


class ChangedMeanwhile(FieldnotesError):
    """Rows the merge read or would write changed under it; the merge starts over."""


@dataclass
class Conflict:
    kind: str
    table: str
    row_id: str | None
    summary: str
    ours: Image | None
    theirs: Image | None
    resolution: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "table": self.table, "row_id": self.row_id, "summary": self.summary,
                "resolution": self.resolution, "ours": self.ours, "theirs": self.theirs}


@dataclass
class MergeReport:
    source: str
    kind: str
    dry_run: bool
    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    documents_matched_by_text: int = 0
    codings_moved_with_text: int = 0
    needs_review: int = 0
    identity_adopted: bool = False
    backup: str | None = None
    merge_id: str | None = None

    @property
    def nothing(self) -> bool:
        return not (self.added or self.changed or self.removed or self.conflicts)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "kind": self.kind, "dry_run": self.dry_run,
                "nothing_to_merge": self.nothing, "added": self.added, "changed": self.changed,
                "removed": self.removed, "conflicts": [c.as_dict() for c in self.conflicts],
                "documents_matched_by_text": self.documents_matched_by_text,
                "codings_moved_with_text": self.codings_moved_with_text, "needs_review": self.needs_review,
                "project_identity_adopted": self.identity_adopted, "backup": self.backup,
                "merge_id": self.merge_id}


class DocumentText(NamedTuple):
    """One document's text in this copy, in the other copy, and in the merged project (None where it has
    none): what its codings are moved from and to."""

    ours: str | None
    theirs: str | None
    merged: str | None


NO_TEXT = DocumentText(None, None, None)
#: document id -> its texts
Texts = dict[str, DocumentText]
#: every row the merged project has (None: the row goes), by key
Desired = dict[Key, Image | None]
#: a coding as it is on the merged text of its document, given the side whose version it is
Effective = Callable[[Image, str], Image | None]


@dataclass
class Decision:
    image: Image | None
    side: str | None  # whose version: "ours", "theirs", or None when the row goes
    conflict: Conflict | None = None
    origin: list[Any] | None = None  # when and by whom the other copy deleted it, when its deletion is taken


@dataclass
class Plan:
    writes: list[tuple[str, uuid.UUID, Image | None]]
    conflicts: list[Conflict]
    origins: dict[str, list[Any]]
    report: MergeReport
    expected: dict[Key, Image | None] = field(default_factory=dict)  # what each written row was when planned


@dataclass(frozen=True)
class Matches:
    """Their rows that this project already has, made independently: their key -> our id; and our
    documents that joined one of theirs by the same text."""

    ids: dict[Key, str]
    paired_documents: set[Key]


@dataclass(frozen=True)
class Theirs:
    """Their rows in our ids, by table, and which of them differ from ours (most rows of a big project
    are the same in both copies, and are compared once, here)."""

    rows: dict[Key, Image]
    tables: dict[str, list[Key]]
    ids: dict[Key, str]  # their key -> our id, for rows matched by content
    inverse: dict[Key, str]  # our key -> their id
    differing: set[Key]


@dataclass(frozen=True)
class OurLog:
    """What this project's event log has seen of the rows that differ, and which of them it read."""

    facts: LogFacts
    read: set[Key]


@dataclass(frozen=True)
class Sides:
    """What deciding a row compares: their rows, our log, and their rows sent only as context."""

    theirs: Theirs
    log: OurLog
    context: set[Key]


@dataclass(frozen=True)
class DocumentsDecided:
    desired: Desired
    side: dict[str, str | None]  # document id -> whose version was kept
    texts: Texts
    conflicts: list[Conflict]
    origins: dict[str, list[Any]]


@dataclass(frozen=True)
class RestDecided:
    desired: Desired
    coding_side: dict[str, str]  # coding id -> whose version was kept
    conflicts: list[Conflict]
    origins: dict[str, list[Any]]


@dataclass(frozen=True)
class Changed:
    """A phase's rows and the conflicts it found."""

    desired: Desired
    conflicts: list[Conflict]


@dataclass(frozen=True)
class Repaired:
    desired: Desired
    conflicts: list[Conflict]
    revived: list[Key]  # rows a deletion of which was overruled: the other copy's deletion is no origin


@dataclass(frozen=True)
class CodingsFinished:
    desired: Desired
    conflicts: list[Conflict]
    moved: int  # codings moved with their text
    needs_review: int  # of those, the ones an edit touched


def _tables(rows: dict[Key, Any]) -> dict[str, list[Key]]:
    out: dict[str, list[Key]] = {}
    for key in rows:
        out.setdefault(key[0], []).append(key)
    return out


def _unlike(want: Image | None, now: Image | None) -> bool:
    """Are two versions of a row different (a row and no row always are)?"""
    if want is None or now is None:
        return want is not now
    return want != now and fingerprint(want) != fingerprint(now)


_NATURAL_GETTERS = {table: [column for column in columns] for table, columns in NATURAL_KEYS.items()}


def _natural(table: str, image: Image) -> tuple[Any, ...]:
    get = image.get
    return tuple([get(column) for column in _NATURAL_GETTERS[table]])


def _without_bookkeeping(image: Image | None) -> dict[str, Any] | None:
    return None if image is None else {k: v for k, v in image.items() if k not in BOOKKEEPING}


def _conflict(kind: str, key: Key, summary: str, ours: Image | None, theirs: Image | None,
              resolution: str) -> Conflict:
    return Conflict(kind, key[0], key[1], summary, ours, theirs, resolution)


class _Names:
    """Names rows in conflict summaries, as the rows stand at that moment of the plan."""

    def __init__(self, ours: dict[Key, Image], theirs: dict[Key, Image], desired: Desired) -> None:
        self.ours, self.theirs, self.desired = ours, theirs, desired

    def image_of(self, key: Key) -> Image | None:
        return self.desired.get(key) or self.ours.get(key) or self.theirs.get(key)

    def code_path(self, code_id: Any) -> str:
        names: list[str] = []
        current, seen = self.image_of(("codes", str(code_id))), set()
        while current is not None and current["id"] not in seen:
            seen.add(current["id"])
            names.append(str(current["name"]))
            parent = current.get("parent_id")
            current = self.image_of(("codes", str(parent))) if parent else None
        return "/".join(reversed(names)) or str(code_id)

    def label(self, key: Key, image: Image | None) -> str:
        table = key[0]
        if image is None:
            return f"a row of {table}"
        if table == "codes":
            return f"the code {self.code_path(image['id'])!r}"
        if table == "documents":
            return f"the document {image.get('title')!r}"
        if table == "codings":
            doc = self.image_of(("documents", str(image.get("document_id"))))
            title = doc.get("title") if doc else image.get("document_id")
            return f"a coding of {self.code_path(image.get('code_id'))!r} at {image.get('start')}:{image.get('end')} " \
                   f"in {title!r}"
        if table == "memos":
            return f"a memo ({str(image.get('text', ''))[:40]!r})"
        if table == "cases":
            return f"the case {image.get('type')} {image.get('name')!r}"
        if table == "coders":
            return f"the coder {image.get('name')!r}"
        if table == "project":
            return "the project settings"
        return f"a row of {table}"


class Planner:
    """Works out, without writing anything, what merging `source` into the open session's project does.

    What it reads in the constructor does not change; `plan()` runs the phases in order, each taking
    what it needs and returning its result to the next.
    """

    def __init__(self, session: Session, source: Source) -> None:
        self.session = session
        self.source = source
        self.ours: dict[Key, Image] = read_rows(session.connection())
        self.ours_tables = _tables(self.ours)
        self.rebaser = Rebaser()  # remembers the moves it worked out: a cache
        known = session.execute(select(MergeConflict.kind, MergeConflict.table, MergeConflict.row_id,
                                       MergeConflict.ours, MergeConflict.theirs)).all()
        self.recorded = {(k, t, str(r) if r else None, ident(o), ident(th)) for k, t, r, o, th in known}
        #: (kind, row, their version) -> the versions that conflict saw: a conflict whose outcome is
        #: already here (ours is now one of those versions) is not news, and is not recorded again
        self.outcomes: dict[tuple[str, str, str | None, str], set[str]] = {}
        for k, t, r, o, th in known:
            self.outcomes.setdefault((k, t, str(r) if r else None, ident(th)), set()).update({ident(o), ident(th)})
        #: rows already kept because they were used, with the version kept: keeping it again is not news
        self.kept_used = {(t, str(r), ident(o if o is not None else th)) for k, t, r, o, th in known
                          if k == "deleted_but_used" and r}
        self.recorded_images: dict[Key, set[str]] = {}
        for _kind, table, row_id, ours, theirs in known:
            if row_id is not None:
                self.recorded_images.setdefault((table, str(row_id)), set()).update({ident(ours), ident(theirs)})

    # --- the plan ------------------------------------------------------------------------------------

    def plan(self) -> Plan:
        replaced_project = self.check_identity()
        matches = self._match()
        theirs = self._their_rows(matches.ids)
        context = {(t, matches.ids.get((t, r), r)) for t, r in self.source.context}
        log = self._our_log(theirs.differing)
        desired: Desired = dict(self.ours)
        desired.update(self._decide_coders(theirs))
        documents = self._decide_documents(Sides(theirs, log, context), desired, matches.paired_documents)
        theirs = self._match_twins(theirs, documents.texts)
        log = self._more_of_our_log(log, theirs.differing)
        rest = self._decide_rest(Sides(theirs, log, context), documents.desired, documents.texts)
        desired = rest.desired
        if replaced_project is not None:  # an empty project takes the merged project's identity
            desired = {**desired, ("project", replaced_project): None}
        deduplicated = self._deduplicate_codings(theirs, desired, rest.coding_side)
        repaired = self._repair_references(Sides(theirs, log, context), deduplicated.desired)
        finished = self._finish_codings(theirs, repaired.desired, rest.coding_side)
        desired = self._turns(theirs, finished.desired, documents.side)
        tree = self._code_tree(theirs, desired)
        origins = {**documents.origins, **rest.origins}
        for key in repaired.revived:
            origins.pop(f"{key[0]}:{key[1]}", None)
        conflicts = self._news([*documents.conflicts, *rest.conflicts, *deduplicated.conflicts,
                                *repaired.conflicts, *finished.conflicts, *tree.conflicts])
        report = MergeReport(self.source.name, self.source.kind, dry_run=False,
                             identity_adopted=replaced_project is not None,
                             documents_matched_by_text=len(matches.paired_documents),
                             codings_moved_with_text=finished.moved, needs_review=finished.needs_review)
        return self._writes(tree.desired, conflicts, origins, report)

    # --- identity ----------------------------------------------------------------------------------

    def _our_project(self) -> Image:
        found = [image for (table, _), image in self.ours.items() if table == "project"]
        if not found:
            raise Refused(_("this project has no settings row; it is damaged"))
        return found[0]

    def check_identity(self) -> str | None:
        """Refuse a file from another project, except a whole project into an empty one. Returns our
        project row's id when it is to be replaced by theirs."""
        ours = self._our_project()
        theirs_id = self.source.project_id
        if theirs_id is None or theirs_id == ours["id"]:
            return None
        what = _("{name} is from another project ({project})").format(name=self.source.name,
                                                                      project=self.source.project_name or theirs_id)
        if self.source.kind == "bundle":
            raise Refused(_("{what}; nothing was merged").format(what=what),
                          hint=_("a bundle merges only into a copy of the project it was made in"))
        if any(table in CONTENT_TABLES for table, _ in self.ours):
            raise Refused(_("{what} and this project is not empty; nothing was merged").format(what=what),
                          hint=_("merge a different project only into an empty one (`fieldnotes init --empty`)"))
        return str(ours["id"])

    # --- matching rows made independently ------------------------------------------------------------

    def _match(self) -> Matches:
        ids: dict[Key, str] = {}
        ids.update(self._match_unique("cases", ids))
        ids.update(self._match_unique("attributes", ids))
        found, paired = self._match_documents()
        ids.update(found)
        return Matches(ids, paired)

    def _match_unique(self, table: str, ids: dict[Key, str]) -> dict[Key, str]:
        """Their new rows of `table` that have the same unique name as one of ours: their key -> our id."""
        ids = dict(ids)
        found_ids: dict[Key, str] = {}
        index = {_natural(table, self.ours[key]): key[1] for key in self.ours_tables.get(table, ())}
        for key, image in self.source.rows.items():
            if key[0] != table or key in self.ours:
                continue
            mapped = remap(table, image, ids)
            found = index.get(_natural(table, mapped))
            if found is not None and found != key[1]:
                ids[key] = found_ids[key] = found
        return found_ids

    def _match_documents(self) -> tuple[dict[Key, str], set[Key]]:
        """Their new documents with the same text as one of ours that they do not have: their key -> our
        id, and our documents so joined."""
        ids: dict[Key, str] = {}
        paired: set[Key] = set()
        theirs_ids = {row_id for table, row_id in self.source.rows if table == "documents"}
        free: dict[str, list[Image]] = {}
        for key, image in self.ours.items():
            if key[0] == "documents" and key[1] not in theirs_ids:
                free.setdefault(image["sha256"], []).append(image)
        new: dict[str, list[Image]] = {}
        for key, image in self.source.rows.items():
            if key[0] == "documents" and key not in self.ours:
                new.setdefault(image["sha256"], []).append(image)
        for sha, incoming in new.items():
            candidates = sorted(free.get(sha, []), key=lambda i: (i["created_at"], i["id"]))
            for theirs, ours in zip(sorted(incoming, key=lambda i: (i["created_at"], i["id"])), candidates,
                                    strict=False):
                ids[("documents", theirs["id"])] = ours["id"]
                paired.add(("documents", ours["id"]))
        return ids, paired

    def _their_rows(self, ids: dict[Key, str]) -> Theirs:
        rows: dict[Key, Image] = {}
        for (table, _row_id), image in self.source.rows.items():
            if table not in MERGED_TABLES:
                continue
            mapped = remap(table, image, ids)
            rows[(table, str(mapped["id"]))] = mapped
        if self.source.pseudonymized:  # the bundle left the key out: keep ours
            for key, image in rows.items():
                if key[0] == "pseudonyms" and key in self.ours and image.get("original") is None:
                    rows[key] = dict(image, original=self.ours[key].get("original"))
        inverse = {(table, our_id): their_id for (table, their_id), our_id in ids.items()}
        differing = {key for key, image in rows.items() if self.ours.get(key) != image}
        return Theirs(rows, _tables(rows), ids, inverse, differing)

    # --- what each side has seen ---------------------------------------------------------------------

    def _our_log(self, differing: set[Key]) -> OurLog:
        wanted = set(differing)
        facts = log_facts(self.session.connection(), wanted)
        for key in list(facts.deleted):
            if key in self.ours:
                del facts.deleted[key]
        return OurLog(facts, wanted)

    def their_seen(self, theirs: Theirs, key: Key, image: Image | None) -> bool:
        """Has their log seen this version (given in our ids)?"""
        if image is None:
            return False
        inverse = theirs.inverse
        raw_key = (key[0], inverse.get(key, key[1]))
        return self.source.facts.has_seen(raw_key, remap(key[0], image, inverse))

    def our_seen(self, log: OurLog, key: Key, image: Image | None) -> bool:
        if image is None:
            return False
        return log.facts.has_seen(key, image) or ident(image) in self.recorded_images.get(key, ())

    def their_tombstone(self, theirs: Theirs, key: Key) -> Tombstone | None:
        raw_key = (key[0], theirs.inverse.get(key, key[1]))
        found = self.source.facts.deleted.get(raw_key)
        if found is None:
            return None
        before = remap(key[0], found.before, theirs.ids) if found.before is not None else None
        return Tombstone(before, found.at, found.coder)

    # --- deciding one row ----------------------------------------------------------------------------

    def _news(self, conflicts: list[Conflict]) -> list[Conflict]:
        """The conflicts not recorded already (by an earlier merge, or earlier in this one)."""
        recorded = set(self.recorded)
        out = []
        for found in conflicts:
            ours, theirs = ident(found.ours), ident(found.theirs)
            identity = (found.kind, found.table, found.row_id, ours, theirs)
            if identity in recorded or ours in self.outcomes.get((found.kind, found.table, found.row_id, theirs), ()):
                continue
            recorded.add(identity)
            out.append(found)
        return out

    def decide(self, sides: Sides, names: _Names, key: Key, effective: Effective | None = None) -> Decision:
        """Which version of a row the merged project has (see the module's rules)."""
        def eff(image: Image, side: str) -> Image | None:
            return effective(image, side) if effective is not None else image

        ours, theirs = self.ours.get(key), sides.theirs.rows.get(key)
        their_deletion = self.their_tombstone(sides.theirs, key) if theirs is None else None
        if theirs is None and their_deletion is None:
            return Decision(ours, "ours" if ours is not None else None)
        if theirs is not None and key not in sides.theirs.differing:  # the same in both
            return Decision(ours, "ours")
        if theirs is not None and key in sides.context:
            if ours is not None:
                return Decision(ours, "ours")
            return Decision(None, None) if key in sides.log.facts.deleted else Decision(theirs, "theirs")

        def label() -> str:  # only a conflict needs it
            return names.label(key, ours or theirs or (their_deletion.before if their_deletion else None))

        if theirs is not None and ours is not None:
            if ours == theirs or fingerprint(eff(ours, "ours")) == fingerprint(eff(theirs, "theirs")):
                return Decision(ours, "ours")
            if self.their_seen(sides.theirs, key, ours):
                return Decision(theirs, "theirs")
            if self.our_seen(sides.log, key, theirs) or self.our_seen(sides.log, key, eff(theirs, "theirs")):
                return Decision(ours, "ours")
            side = "theirs" if stamp(theirs) > stamp(ours) else "ours"
            whose = f"the one from {self.source.name}" if side == "theirs" else "this copy's"
            found = _conflict("changed_both", key, f"{label()} was changed in both copies "
                              f"({_differences(ours, theirs)}); kept the later change ({whose})",
                              eff(ours, "ours"), eff(theirs, "theirs"), side)
            return Decision(theirs if side == "theirs" else ours, side, found)
        if theirs is not None:  # we do not have it
            our_deletion = sides.log.facts.deleted.get(key)
            if our_deletion is None:
                return Decision(theirs, "theirs")
            if self.our_seen(sides.log, key, theirs):
                return Decision(None, None)
            keep = stamp(theirs) > our_deletion.stamp
            found = _conflict("deleted_here_changed_there", key,
                              f"{label()} was deleted here but changed in {self.source.name}; "
                              + ("their later change brought it back" if keep else "the later deletion stands"),
                              None, eff(theirs, "theirs"), "theirs" if keep else "ours")
            return Decision(theirs, "theirs", found) if keep else Decision(None, None, found)
        assert their_deletion is not None
        if ours is None:
            return Decision(None, None)
        origin = [history.encode(their_deletion.at), their_deletion.coder]
        if self.their_seen(sides.theirs, key, ours) or (their_deletion.before is not None
                                                        and fingerprint(ours) == fingerprint(their_deletion.before)):
            return Decision(None, None, origin=origin)
        gone = their_deletion.stamp > stamp(ours)
        found = _conflict("changed_here_deleted_there", key,
                          f"{label()} was changed here but deleted in {self.source.name}; "
                          + ("the later deletion stands" if gone else "the later change is kept"),
                          eff(ours, "ours"), None, "theirs" if gone else "ours")
        return Decision(None, None, found, origin) if gone else Decision(ours, "ours", found)

    def _keys(self, theirs: Theirs, table: str) -> list[Key]:
        keys = set(self.ours_tables.get(table, ())) | set(theirs.tables.get(table, ()))
        keys |= {(table, theirs.ids.get(k, k[1])) for k in self.source.facts.deleted if k[0] == table}
        return sorted(keys, key=lambda key: key[1])  # one table: by id

    # --- the phases ----------------------------------------------------------------------------------

    def _decide_coders(self, theirs: Theirs) -> dict[Key, Image]:
        """A coder is the same person everywhere (the id comes from the name): keep the first record."""
        out: dict[Key, Image] = {}
        for key in self._keys(theirs, "coders"):
            ours, their = self.ours.get(key), theirs.rows.get(key)
            if ours is not None and their is not None:
                out[key] = min((ours, their), key=lambda i: (moment(i.get("created_at")), fingerprint(i)))
            elif their is not None:
                out[key] = their
        return out

    def _decide_documents(self, sides: Sides, desired: Desired, paired_documents: set[Key]) -> DocumentsDecided:
        """Decide every document, with its text here, there and merged."""
        desired = dict(desired)
        names = _Names(self.ours, sides.theirs.rows, desired)
        texts: Texts = {}
        document_side: dict[str, str | None] = {}
        conflicts: list[Conflict] = []
        origins: dict[str, list[Any]] = {}
        for key in self._keys(sides.theirs, "documents"):
            ours, theirs = self.ours.get(key), sides.theirs.rows.get(key)
            if key in paired_documents and ours is not None and theirs is not None:
                decision = Decision(ours, "ours")
                if (_fields(ours) != _fields(theirs) and not self.our_seen(sides.log, key, theirs)):
                    conflicts.append(_conflict("same_text", key, f"{self.source.name} has the text of "
                                               f"{ours.get('title')!r} as {theirs.get('title')!r}, with other "
                                               "details; joined into this copy's document and kept its details",
                                               ours, theirs, "ours"))
            else:
                decision = self.decide(sides, names, key)
                if decision.conflict is not None:
                    conflicts.append(decision.conflict)
                if decision.origin is not None:
                    origins[f"{key[0]}:{key[1]}"] = decision.origin
            desired[key] = decision.image
            document_side[key[1]] = decision.side
            merged = decision.image["text"] if decision.image is not None else None
            texts[key[1]] = DocumentText(ours["text"] if ours else None, theirs["text"] if theirs else None, merged)
        return DocumentsDecided(desired, document_side, texts, conflicts, origins)

    def _rebased(self, image: Image, side: str, texts: Texts) -> Image | None:
        text = texts.get(str(image["document_id"]), NO_TEXT)
        basis = text.ours if side == "ours" else text.theirs
        if text.merged is None or basis is None:
            return image
        return self.rebaser.coding(image, basis, text.merged).image

    def _match_twins(self, theirs: Theirs, texts: Texts) -> Theirs:
        """Their new rows that are ours by content (the same link, value or coding) join ours: their rows
        again, in our ids."""
        ids = self._twin_ids(theirs, texts)
        if ids is not None:
            theirs = self._their_rows(ids)
        rows, differing = theirs.rows, theirs.differing
        for key in list(differing):  # a twin that differs only in bookkeeping is ours
            image, ours = rows[key], self.ours.get(key)
            if ours is not None and image != ours and _without_bookkeeping(image) == _without_bookkeeping(ours) \
                    and key[0] in NATURAL_KEYS:
                if rows is theirs.rows:
                    rows, differing = dict(rows), set(differing)
                rows[key] = ours
                differing.discard(key)
        return theirs if rows is theirs.rows else Theirs(rows, theirs.tables, theirs.ids, theirs.inverse, differing)

    def _twin_ids(self, theirs: Theirs, texts: Texts) -> dict[Key, str] | None:
        """Their ids with those of their new links, values and codings that this project has too (the same
        rows by content), or None when there are none."""
        ids = dict(theirs.ids)
        matched = False
        for table in ("document_cases", "attribute_values", "codings"):
            wanted: list[tuple[Key, tuple[Any, ...]]] = []
            for key in theirs.tables.get(table, ()):
                if key in self.ours:
                    continue
                image = theirs.rows[key]
                now = self._rebased(image, "theirs", texts) if table == "codings" else image
                if now is not None:
                    wanted.append((key, _natural(table, now)))
            if not wanted:
                continue
            # only our rows under the same document (or attribute) can be the same: the others are skipped
            first = NATURAL_KEYS[table][0]
            near = {natural[0] for _, natural in wanted}
            index: dict[tuple[Any, ...], str] = {}
            for key in self.ours_tables.get(table, ()):
                image = self.ours[key]
                if image.get(first) not in near:
                    continue
                now = self._rebased(image, "ours", texts) if table == "codings" else image
                if now is not None:
                    index.setdefault(_natural(table, now), key[1])
            for key, natural in wanted:
                found = index.get(natural)
                if found is not None:
                    ids[(table, theirs.inverse.get(key, key[1]))] = found
                    matched = True
        return ids if matched else None

    def _more_of_our_log(self, log: OurLog, differing: set[Key]) -> OurLog:
        """Our log with what it says of the rows that differ now and were not read yet."""
        extra = differing - log.read
        if not extra:
            return log
        more = log_facts(self.session.connection(), extra)
        facts = log.facts.joined(more)
        for key, tomb in more.deleted.items():
            if key not in self.ours:
                facts.deleted[key] = tomb
        return OurLog(facts, log.read | extra)

    def _decide_rest(self, sides: Sides, desired: Desired, texts: Texts) -> RestDecided:
        def effective(image: Image, side: str) -> Image | None:
            return self._rebased(image, side, texts)

        desired = dict(desired)
        names = _Names(self.ours, sides.theirs.rows, desired)
        coding_side: dict[str, str] = {}
        conflicts: list[Conflict] = []
        origins: dict[str, list[Any]] = {}
        for table in MERGED_TABLES:
            if table in ("coders", "documents", "speaker_turns"):
                continue
            for key in self._keys(sides.theirs, table):
                decision = self.decide(sides, names, key, effective if table == "codings" else None)
                if decision.conflict is not None:
                    conflicts.append(decision.conflict)
                if decision.origin is not None:
                    origins[f"{key[0]}:{key[1]}"] = decision.origin
                desired[key] = decision.image
                if table == "codings" and decision.image is not None and decision.side is not None:
                    coding_side[key[1]] = decision.side
        return RestDecided(desired, coding_side, conflicts, origins)

    def _deduplicate_codings(self, theirs: Theirs, desired: Desired, coding_side: dict[str, str]) -> Changed:
        """Codings that became one (the same span after following an edit) are kept once."""
        desired = dict(desired)
        names = _Names(self.ours, theirs.rows, desired)
        conflicts: list[Conflict] = []
        groups: dict[tuple[Any, ...], list[Key]] = {}
        texts_now = {k[1]: v["text"] for k, v in desired.items() if k[0] == "documents" and v}
        unmoved: dict[tuple[str, str], bool] = {}
        for key, image in desired.items():
            if key[0] != "codings" or image is None:
                continue
            rebased = self._final_coding(theirs, coding_side, key, image, texts_now, unmoved)
            if rebased is not None:
                groups.setdefault(_natural("codings", rebased), []).append(key)
        memos = _memos_by_coding(desired)
        for keys in groups.values():
            if len(keys) < 2:
                continue
            keep = min(keys, key=lambda k: (k not in self.ours, k[1]))
            for key in keys:
                if key == keep:
                    continue
                for memo_key in memos.get(key[1], ()):
                    memo = desired[memo_key]
                    if memo is not None and memo.get("coding_id") == key[1]:
                        desired[memo_key] = dict(memo, coding_id=keep[1])
                dropped = desired[key]
                desired[key] = None
                kept = desired[keep]
                if _coding_content(dropped) != _coding_content(kept):
                    conflicts.append(_conflict("coding_duplicate", key, f"{names.label(key, dropped)} became the "
                                               "same span as another coding by the same coder; kept that one",
                                               kept, dropped, "ours"))
        return Changed(desired, conflicts)

    def _final_coding(self, theirs: Theirs, coding_side: dict[str, str], key: Key, image: Image,
                      texts_now: dict[str, str], unmoved: dict[tuple[str, str], bool] | None = None) -> Image | None:
        """The coding on its document's merged text. `unmoved` remembers for each side and document
        whether that side's text is the merged one (then its codings stay as they are)."""
        side = coding_side.get(key[1], "ours" if key in self.ours else "theirs")
        rows = self.ours if side == "ours" else theirs.rows
        source_image = rows.get(key)
        if source_image is None:
            return image
        doc = str(image["document_id"])
        if unmoved is not None:
            same = unmoved.get((side, doc))
            if same is None:
                basis_doc = rows.get(("documents", doc))
                merged = texts_now.get(doc)
                same = unmoved[(side, doc)] = basis_doc is not None and merged is not None and (
                    basis_doc["text"] is merged or basis_doc["text"] == merged)
            if same:
                return source_image
        basis_doc = rows.get(("documents", doc))
        basis = basis_doc["text"] if basis_doc else None
        return self.rebaser.coding(source_image, basis, texts_now.get(doc)).image

    def _repair_references(self, sides: Sides, desired: Desired) -> Repaired:
        """Keep what surviving rows use (a deleted code still used elsewhere); drop what cannot be kept."""
        desired = dict(desired)
        names = _Names(self.ours, sides.theirs.rows, desired)
        conflicts: list[Conflict] = []
        revived: list[Key] = []
        changed = True
        while changed:
            changed = False
            for key, image in list(desired.items()):
                if image is None or key[0] == "speaker_turns":  # turns follow their document (see _turns)
                    continue
                for column, target in REFERENCES.get(key[0], ()):
                    value = image.get(column)
                    if value is None:
                        continue
                    ref = (target, str(value))
                    if desired.get(ref) is not None:
                        continue
                    changed = True
                    restored = self._restorable(sides, ref)
                    if restored is None and key in self.ours:
                        # our own rows always find what they refer to; if not, the rows were read while
                        # someone was writing: start over rather than drop anything of ours
                        raise ChangedMeanwhile(_("{table} {row} refers to {target} {target_row}, which was not read")
                                               .format(table=key[0], row=key[1], target=ref[0], target_row=ref[1]))
                    if restored is not None:
                        desired[ref] = restored
                        brought = self._bring_back_with(sides.theirs, desired, ref)
                        desired.update(brought)
                        revived += [ref, *brought]
                        if (ref[0], ref[1], ident(restored)) not in self.kept_used:
                            conflicts.append(self._kept_used(names, ref, restored, list(brought)))
                    else:
                        desired[key] = None
                        conflicts.append(_conflict("orphan", key, f"{names.label(key, image)} refers to a "
                                                   f"{target[:-1]} that is gone in both copies; not kept (it is "
                                                   "listed here)", self.ours.get(key),
                                                   image if key not in self.ours else None, "ours"))
                    break
        return Repaired(desired, conflicts, revived)

    def _kept_used(self, names: _Names, ref: Key, restored: Image, brought: list[Key]) -> Conflict:
        """The conflict of a row one copy deleted and the other still uses, kept with the rows `brought`
        back with it. The version that is None is the side that deleted it: settling that way deletes it."""
        with_it = ""
        if brought:
            counts: dict[str, int] = {}
            for table, _row in brought:
                counts[table] = counts.get(table, 0) + 1
            with_it = " with the " + ", ".join(f"{n} {table if n != 1 else table[:-1]}"
                                               for table, n in sorted(counts.items())) + " deleted together with it"
        ours_image = self.ours.get(ref)
        return _conflict("deleted_but_used", ref, f"{names.label(ref, restored)} was deleted in one copy but is used "
                         f"in the other; kept it{with_it}", None if ours_image is None else restored,
                         restored if ours_image is None else None, "theirs" if ours_image is None else "ours")

    def _our_deletion_group(self, key: Key) -> dict[Key, Image]:
        """The rows our log deleted in the change that last deleted `key` (and that stayed deleted),
        with their last images."""
        from sqlalchemy import func

        from fieldnotes.db.models import Event

        conn = self.session.connection()
        last = conn.execute(select(Event.change_id, Event.after).where(
            Event.table == key[0], Event.row_id == uuid.UUID(key[1])).order_by(Event.seq.desc()).limit(1)).first()
        if last is None or last.after is not None:
            return {}
        found = conn.execute(select(Event.table, Event.row_id, Event.before, Event.after, Event.seq).where(
            Event.change_id == last.change_id)).all()
        deleted = {(table, str(row_id)): (before, seq) for table, row_id, before, after, seq in found
                   if after is None and before is not None and table in MERGED_TABLES}
        ids = sorted({uuid.UUID(row_id) for _, row_id in deleted})
        latest: dict[Key, int] = {}
        for start in range(0, len(ids), 500):
            query = select(Event.table, Event.row_id, func.max(Event.seq)).where(
                Event.row_id.in_(ids[start : start + 500])).group_by(Event.table, Event.row_id)
            for table, row_id, seq in conn.execute(query):
                latest[(table, str(row_id))] = seq
        return {k: before for k, (before, seq) in deleted.items() if latest.get(k) == seq and k not in self.ours}

    @cached_property
    def _their_deletions(self) -> dict[Any, list[Key]]:
        """Their deletions by when and by whom (read once, when first needed)."""
        out: dict[Any, list[Key]] = {}
        for raw_key, found in self.source.facts.deleted.items():
            out.setdefault(found.stamp, []).append(raw_key)
        return out

    def _their_deletion_group(self, theirs: Theirs, key: Key) -> dict[Key, Image]:
        """The rows their log deleted at the same moment and by the same coder as `key` (one change),
        in our ids, with their last images."""
        tomb = self.their_tombstone(theirs, key)
        if tomb is None:
            return {}
        out: dict[Key, Image] = {}
        for raw_key in self._their_deletions.get(tomb.stamp, ()):
            before = self.source.facts.deleted[raw_key].before
            if before is not None and raw_key[0] in MERGED_TABLES:
                out[(raw_key[0], theirs.ids.get(raw_key, raw_key[1]))] = remap(raw_key[0], before, theirs.ids)
        return out

    def _bring_back_with(self, theirs: Theirs, desired: Desired, ref: Key) -> dict[Key, Image]:
        """A deletion overruled because the row is still used is overruled whole: the rows deleted
        together with it that depend on it (a code's codings, their memos, its sub-codes) come back too,
        in the later version either copy has of them. Returns the rows brought back."""
        ours_group, theirs_group = self._our_deletion_group(ref), self._their_deletion_group(theirs, ref)
        group = set(ours_group) | set(theirs_group)
        brought: dict[Key, Image] = {}
        waiting = [ref]
        while waiting:
            parent = waiting.pop()
            for key in sorted(group):
                if key in brought or desired.get(key) is not None:
                    continue
                candidates = [c for c in (self.ours.get(key), theirs.rows.get(key), ours_group.get(key),
                                          theirs_group.get(key)) if c is not None]
                if not any(str(image.get(column)) == parent[1] for image in candidates
                           for column, target in REFERENCES.get(key[0], ()) if target == parent[0]):
                    continue
                brought[key] = max(candidates, key=stamp)
                waiting.append(key)
        return brought

    def _restorable(self, sides: Sides, key: Key) -> Image | None:
        candidates = [self.ours.get(key), sides.theirs.rows.get(key)]
        ours_deleted = sides.log.facts.deleted.get(key)
        theirs_deleted = self.their_tombstone(sides.theirs, key)
        candidates += [ours_deleted.before if ours_deleted else None, theirs_deleted.before if theirs_deleted else None]
        found = [c for c in candidates if c is not None]
        if not found:
            return None
        return max(found, key=stamp)

    def _finish_codings(self, theirs: Theirs, desired: Desired, coding_side: dict[str, str]) -> CodingsFinished:
        """Every coding on its document's merged text; a coding whose text is all gone is listed."""
        desired = dict(desired)
        names = _Names(self.ours, theirs.rows, desired)
        conflicts: list[Conflict] = []
        moved_with_text = needs_review = 0
        texts_now = {k[1]: v["text"] for k, v in desired.items() if k[0] == "documents" and v}
        memos = _memos_by_coding(desired)
        unmoved: dict[tuple[str, str], bool] = {}
        for key, image in list(desired.items()):
            if key[0] != "codings" or image is None:
                continue
            final = self._final_coding(theirs, coding_side, key, image, texts_now, unmoved)
            if final is None:
                desired[key] = None
                conflicts.append(_conflict("coding_lost", key, f"{names.label(key, image)} covered only text that "
                                           "was deleted from its document in the other copy; not kept (its text is "
                                           "in this conflict)", self.ours.get(key),
                                           image if key not in self.ours else None, "ours"))
                for memo_key in memos.get(key[1], ()):
                    memo = desired[memo_key]
                    if memo is not None and memo.get("coding_id") == key[1]:
                        desired[memo_key] = None
                        conflicts.append(_conflict("orphan", memo_key, f"{names.label(memo_key, memo)} was on a "
                                                   "coding that was not kept; not kept (it is listed here)",
                                                   self.ours.get(memo_key),
                                                   memo if memo_key not in self.ours else None, "ours"))
                continue
            moved = final.get("start") != image.get("start") or final.get("end") != image.get("end")
            if final != image:
                desired[key] = final
            if moved and final != self.ours.get(key):
                moved_with_text += 1
                if final.get("needs_review"):
                    needs_review += 1
        return CodingsFinished(desired, conflicts, moved_with_text, needs_review)

    def _turns(self, theirs: Theirs, desired: Desired, document_side: dict[str, str | None]) -> Desired:
        """A document's speaker turns come with the version of the document that was kept."""
        desired = dict(desired)
        theirs_by_doc: dict[str, list[Key]] = {}
        for key, image in theirs.rows.items():
            if key[0] == "speaker_turns":
                theirs_by_doc.setdefault(str(image["document_id"]), []).append(key)
        for key, image in self.ours.items():
            if key[0] != "speaker_turns":
                continue
            doc = str(image["document_id"])
            if desired.get(("documents", doc)) is None or document_side.get(doc) == "theirs":
                desired[key] = None
        for doc, side in document_side.items():
            if side != "theirs" or desired.get(("documents", doc)) is None:
                continue
            for key in theirs_by_doc.get(doc, []):
                desired[key] = theirs.rows[key]
        return desired

    def _code_tree(self, theirs: Theirs, desired: Desired) -> Changed:
        """No cycles (two copies moving codes under each other), and clashing names are pointed out."""
        desired = dict(desired)
        names = _Names(self.ours, theirs.rows, desired)
        conflicts: list[Conflict] = []
        codes = {k[1]: v for k, v in desired.items() if k[0] == "codes" and v is not None}
        for code_id in sorted(codes):
            path: list[str] = []
            current: str | None = code_id
            while current is not None and current in codes and current not in path:
                path.append(current)
                current = codes[current].get("parent_id")
            if current is not None and current in path:
                cycle = path[path.index(current):]
                latest = max(cycle, key=lambda c: stamp(codes[c]))
                key = ("codes", latest)
                before = codes[latest]
                codes[latest] = dict(before, parent_id=None)
                desired[key] = codes[latest]
                conflicts.append(_conflict("code_cycle", key, f"{names.label(key, before)} was moved under its own "
                                           "sub-code by the two copies' moves together; put it at the top level",
                                           self.ours.get(key), codes[latest], "both"))
        siblings: dict[tuple[Any, str], list[str]] = {}
        for code_id, image in codes.items():
            siblings.setdefault((image.get("parent_id"), str(image["name"]).casefold()), []).append(code_id)
        for members in siblings.values():
            existing = sorted(m for m in members if ("codes", m) in self.ours)
            if len(members) < 2 or not existing:
                continue
            for member in sorted(members):
                if ("codes", member) in self.ours:
                    continue
                key = ("codes", member)
                conflicts.append(_conflict("code_name_clash", key, f"{self.source.name} brought another code named "
                                           f"{names.code_path(member)!r} (a different code with the same name); kept "
                                           "both: merge them with `fieldnotes conflicts settle` or `fieldnotes "
                                           "codebook merge` if they mean the same",
                                           self.ours[("codes", existing[0])], codes[member], "both"))
        return Changed(desired, conflicts)

    def _writes(self, desired: Desired, conflicts: list[Conflict], origins: dict[str, list[Any]],
                report: MergeReport) -> Plan:
        writes: list[tuple[str, uuid.UUID, Image | None]] = []
        ours = self.ours
        different = [key for key, want in desired.items() if want is not ours.get(key)]  # desired has every key
        for key in sorted(key for key in different if _unlike(desired[key], ours.get(key))):
            want, now = desired[key], ours.get(key)
            table = key[0]
            writes.append((table, uuid.UUID(key[1]), want))
            bucket = report.added if now is None else report.removed if want is None else report.changed
            bucket[table] = bucket.get(table, 0) + 1
        report.conflicts = list(conflicts)
        expected = {(table, str(row_id)): self.ours.get((table, str(row_id))) for table, row_id, _ in writes}
        return Plan(writes, list(conflicts), dict(origins), report, expected)


def _memos_by_coding(desired: Desired) -> dict[str, list[Key]]:
    """The memos on each coding (so a coding's memos are found without reading every row)."""
    out: dict[str, list[Key]] = {}
    for key, memo in desired.items():
        if key[0] == "memos" and memo is not None and memo.get("coding_id") is not None:
            out.setdefault(str(memo["coding_id"]), []).append(key)
    return out


def _differences(ours: Image, theirs: Image) -> str:
    """What differs between two versions of a row, in a few words (names and titles shown, texts not)."""
    shown = ("name", "title", "color", "kind", "date", "activity", "rating", "start", "end")
    parts = []
    for name in sorted(set(ours) | set(theirs)):
        if name in BOOKKEEPING or ours.get(name) == theirs.get(name):
            continue
        if name in shown:
            parts.append(f"{name}: {ours.get(name)!r} here, {theirs.get(name)!r} there")
        else:
            parts.append(name.replace("_id", "").replace("_", " "))
    return "; ".join(parts) or "details"


def _fields(image: Image) -> dict[str, Any]:
    return {name: image.get(name) for name in DOCUMENT_FIELDS}


def _coding_content(image: Image | None) -> tuple[Any, ...]:
    return () if image is None else (image.get("memo"), image.get("rating"))
