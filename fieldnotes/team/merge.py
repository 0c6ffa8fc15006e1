"""Merging another copy's work into this project: on stable ids, without loss, the same in either order.

The other copy is a bundle or a whole project file (fieldnotes.team.sources). Rows are matched by id.
Rows that the two copies created independently are matched by what makes them the same: documents
by their text (SHA-256), cases by type and name, attributes by scope and name, case links and
attribute values by what they link, codings by document, code, coder and span. Such a row of theirs
joins the row this project already has (its codings, turns and memos follow), because a row that
replaced another one with the same unique name could not be taken back by undo.

For each row that both copies have, or that one deleted:

- the same in both: nothing to do;
- one version grew out of the other (the other copy's event log has seen it): the newer one wins,
  silently;
- both changed it, or one deleted what the other changed: a conflict. The later change wins (the
  row's `updated_at`, or when it was deleted; ties by coder id, then content), so merging A into B and
  B into A give the same rows; every conflict is recorded in merge_conflicts with both versions, to
  be reviewed with `fieldnotes conflicts` and settled differently if need be.

Codings follow their document's text: a coding made on another version of the text is moved as an
edit would move it (and flagged for review where an edit touched it). Nothing is lost: a row still
used by a surviving row is kept even if the other copy deleted it (a deleted code used on the other
side), together with the rows deleted with it that depend on it (the code's codings and their memos),
and a coding whose text the other copy deleted entirely is listed as a conflict with its text.

A merge is one change in the event log (action "merge"), undone by `fieldnotes undo` of the coder who
merged. Merging the same file again finds nothing to do. The project is backed up first (a server
project into a SQLite copy in the backup folder).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from fieldnotes.db import coders, history
from fieldnotes.db.image_queries import select_images
from fieldnotes.db.models import MergeConflict
from fieldnotes.errors import FieldnotesError, Refused
from fieldnotes.project.opening import Project
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
from fieldnotes.team.sources import ORIGINS, LogFacts, Source, Tombstone, ident, log_facts, open_source, read_rows
from fieldnotes.translations import _, said

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


@dataclass
class Decision:
    image: Image | None
    side: str | None  # whose version: "ours", "theirs", or None when the row goes


@dataclass
class Plan:
    writes: list[tuple[str, uuid.UUID, Image | None]]
    conflicts: list[Conflict]
    origins: dict[str, list[Any]]
    report: MergeReport
    expected: dict[Key, Image | None] = field(default_factory=dict)  # what each written row was when planned


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


class Planner:
    """Works out, without writing anything, what merging `source` into the open session's project does."""

    def __init__(self, session: Session, source: Source) -> None:
        self.session = session
        self.source = source
        self.ours: dict[Key, Image] = read_rows(session.connection())
        self.ours_tables = _tables(self.ours)
        self.ids: dict[Key, str] = {}  # their id -> our id, for rows matched by content
        self.report = MergeReport(source.name, source.kind, dry_run=False)
        self.conflicts: list[Conflict] = []
        self.origins: dict[str, list[Any]] = {}
        self.rebaser = Rebaser()
        self.lost: set[Key] = set()
        self.paired_documents: set[Key] = set()
        self._their_deletions: dict[Any, list[Key]] | None = None  # their deletions by when and by whom
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
        self.report.identity_adopted = True
        return str(ours["id"])

    # --- matching rows made independently ------------------------------------------------------------

    def _match_unique(self, table: str, theirs: dict[Key, Image]) -> None:
        index = {_natural(table, self.ours[key]): key[1] for key in self.ours_tables.get(table, ())}
        for key, image in theirs.items():
            if key[0] != table or key in self.ours:
                continue
            mapped = remap(table, image, self.ids)
            found = index.get(_natural(table, mapped))
            if found is not None and found != key[1]:
                self.ids[key] = found

    def _match_documents(self) -> None:
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
                self.ids[("documents", theirs["id"])] = ours["id"]
                self.paired_documents.add(("documents", ours["id"]))
        self.report.documents_matched_by_text = len(self.paired_documents)

    def _theirs(self) -> dict[Key, Image]:
        out: dict[Key, Image] = {}
        for (table, _row_id), image in self.source.rows.items():
            if table not in MERGED_TABLES:
                continue
            mapped = remap(table, image, self.ids)
            out[(table, str(mapped["id"]))] = mapped
        if self.source.pseudonymized:  # the bundle left the key out: keep ours
            for key, image in out.items():
                if key[0] == "pseudonyms" and key in self.ours and image.get("original") is None:
                    out[key] = dict(image, original=self.ours[key].get("original"))
        return out

    def _inverse(self) -> dict[Key, str]:
        return {(table, our_id): their_id for (table, their_id), our_id in self.ids.items()}

    # --- what each side has seen ---------------------------------------------------------------------

    def their_seen(self, key: Key, image: Image | None) -> bool:
        """Has their log seen this version (given in our ids)?"""
        if image is None:
            return False
        inverse = self._inverse_cache
        raw_key = (key[0], inverse.get(key, key[1]))
        return self.source.facts.has_seen(raw_key, remap(key[0], image, inverse))

    def our_seen(self, key: Key, image: Image | None) -> bool:
        if image is None:
            return False
        return self.our_facts.has_seen(key, image) or ident(image) in self.recorded_images.get(key, ())

    def their_tombstone(self, key: Key) -> Tombstone | None:
        raw_key = (key[0], self._inverse_cache.get(key, key[1]))
        found = self.source.facts.deleted.get(raw_key)
        if found is None:
            return None
        before = remap(key[0], found.before, self.ids) if found.before is not None else None
        return Tombstone(before, found.at, found.coder)

    # --- deciding one row ----------------------------------------------------------------------------

    def conflict(self, kind: str, key: Key, summary: str, ours: Image | None, theirs: Image | None,
                 resolution: str) -> None:
        identity = (kind, key[0], key[1], ident(ours), ident(theirs))
        if identity in self.recorded or ident(ours) in self.outcomes.get((kind, key[0], key[1], ident(theirs)), ()):
            return
        self.recorded.add(identity)
        self.conflicts.append(Conflict(kind, key[0], key[1], summary, ours, theirs, resolution))

    def decide(self, key: Key, effective: Callable[[Image, str], Image | None] | None = None) -> Decision:
        """Which version of a row the merged project has (see the module's rules)."""
        def eff(image: Image, side: str) -> Image | None:
            return effective(image, side) if effective is not None else image

        ours, theirs = self.ours.get(key), self.theirs.get(key)
        their_deletion = self.their_tombstone(key) if theirs is None else None
        if theirs is None and their_deletion is None:
            return Decision(ours, "ours" if ours is not None else None)
        if theirs is not None and key not in self.differing:  # the same in both
            return Decision(ours, "ours")
        if theirs is not None and key in self.context:
            if ours is not None:
                return Decision(ours, "ours")
            return Decision(None, None) if key in self.our_facts.deleted else Decision(theirs, "theirs")

        def label() -> str:  # only a conflict needs it
            return self.label(key, ours or theirs or (their_deletion.before if their_deletion else None))

        if theirs is not None and ours is not None:
            if ours == theirs or fingerprint(eff(ours, "ours")) == fingerprint(eff(theirs, "theirs")):
                return Decision(ours, "ours")
            if self.their_seen(key, ours):
                return Decision(theirs, "theirs")
            if self.our_seen(key, theirs) or self.our_seen(key, eff(theirs, "theirs")):
                return Decision(ours, "ours")
            side = "theirs" if stamp(theirs) > stamp(ours) else "ours"
            whose = f"the one from {self.source.name}" if side == "theirs" else "this copy's"
            self.conflict("changed_both", key, f"{label()} was changed in both copies ({_differences(ours, theirs)}); "
                          f"kept the later change ({whose})", eff(ours, "ours"), eff(theirs, "theirs"), side)
            return Decision(theirs if side == "theirs" else ours, side)
        if theirs is not None:  # we do not have it
            our_deletion = self.our_facts.deleted.get(key)
            if our_deletion is None:
                return Decision(theirs, "theirs")
            if self.our_seen(key, theirs):
                return Decision(None, None)
            keep = stamp(theirs) > our_deletion.stamp
            self.conflict("deleted_here_changed_there", key,
                          f"{label()} was deleted here but changed in {self.source.name}; "
                          + ("their later change brought it back" if keep else "the later deletion stands"),
                          None, eff(theirs, "theirs"), "theirs" if keep else "ours")
            return Decision(theirs, "theirs") if keep else Decision(None, None)
        assert their_deletion is not None
        if ours is None:
            return Decision(None, None)
        if self.their_seen(key, ours) or (their_deletion.before is not None
                                          and fingerprint(ours) == fingerprint(their_deletion.before)):
            self.origins[f"{key[0]}:{key[1]}"] = [history.encode(their_deletion.at), their_deletion.coder]
            return Decision(None, None)
        gone = their_deletion.stamp > stamp(ours)
        self.conflict("changed_here_deleted_there", key,
                      f"{label()} was changed here but deleted in {self.source.name}; "
                      + ("the later deletion stands" if gone else "the later change is kept"),
                      eff(ours, "ours"), None, "theirs" if gone else "ours")
        if gone:
            self.origins[f"{key[0]}:{key[1]}"] = [history.encode(their_deletion.at), their_deletion.coder]
            return Decision(None, None)
        return Decision(ours, "ours")

    # --- naming rows in summaries ---------------------------------------------------------------------

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

    # --- the plan ------------------------------------------------------------------------------------

    def plan(self) -> Plan:
        replaced_project = self.check_identity()
        self._match_unique("cases", self.source.rows)
        self._match_unique("attributes", self.source.rows)
        self._match_documents()
        self._set_theirs()
        self.context = {(t, self.ids.get((t, r), r)) for t, r in self.source.context}
        self._load_our_facts()
        self.desired: dict[Key, Image | None] = dict(self.ours)
        self._decide_coders()
        texts = self._decide_documents()
        self._match_twins(texts)
        self._decide_rest(texts)
        if replaced_project is not None:  # an empty project takes the merged project's identity
            self.desired[("project", replaced_project)] = None
        self._deduplicate_codings()
        self._repair_references()
        self._finish_codings(texts)
        self._turns()
        self._code_tree()
        return self._writes()

    def _set_theirs(self) -> None:
        """Their rows in our ids, by table, and which of them differ from ours (most rows of a big
        project are the same in both copies, and are compared once, here)."""
        self.theirs = self._theirs()
        self.theirs_tables = _tables(self.theirs)
        self._inverse_cache = self._inverse()
        self.differing = {key for key, image in self.theirs.items() if self.ours.get(key) != image}

    def _load_our_facts(self) -> None:
        wanted = set(self.differing)
        self.our_facts: LogFacts = log_facts(self.session.connection(), wanted)
        self.facts_read: set[Key] = wanted
        for key in list(self.our_facts.deleted):
            if key in self.ours:
                del self.our_facts.deleted[key]

    def _keys(self, table: str) -> list[Key]:
        keys = set(self.ours_tables.get(table, ())) | set(self.theirs_tables.get(table, ()))
        keys |= {(table, self.ids.get(k, k[1])) for k in self.source.facts.deleted if k[0] == table}
        return sorted(keys, key=lambda key: key[1])  # one table: by id

    def _decide_coders(self) -> None:
        """A coder is the same person everywhere (the id comes from the name): keep the first record."""
        for key in self._keys("coders"):
            ours, theirs = self.ours.get(key), self.theirs.get(key)
            if ours is not None and theirs is not None:
                self.desired[key] = min((ours, theirs), key=lambda i: (moment(i.get("created_at")), fingerprint(i)))
            elif theirs is not None:
                self.desired[key] = theirs

    def _decide_documents(self) -> dict[str, tuple[str | None, str | None, str | None]]:
        """Decide every document; returns id -> (our text, their text, the merged text)."""
        texts: dict[str, tuple[str | None, str | None, str | None]] = {}
        self.document_side: dict[str, str | None] = {}
        for key in self._keys("documents"):
            ours, theirs = self.ours.get(key), self.theirs.get(key)
            if key in self.paired_documents and ours is not None and theirs is not None:
                decision = Decision(ours, "ours")
                if (_fields(ours) != _fields(theirs) and not self.our_seen(key, theirs)):
                    self.conflict("same_text", key, f"{self.source.name} has the text of "
                                  f"{ours.get('title')!r} as {theirs.get('title')!r}, with other details; "
                                  "joined into this copy's document and kept its details", ours, theirs, "ours")
            else:
                decision = self.decide(key)
            self.desired[key] = decision.image
            self.document_side[key[1]] = decision.side
            merged = decision.image["text"] if decision.image is not None else None
            texts[key[1]] = (ours["text"] if ours else None, theirs["text"] if theirs else None, merged)
        return texts

    def _rebased(self, image: Image, side: str, texts: dict[str, tuple[str | None, str | None, str | None]]
                 ) -> Image | None:
        ours_text, theirs_text, merged = texts.get(str(image["document_id"]), (None, None, None))
        basis = ours_text if side == "ours" else theirs_text
        if merged is None or basis is None:
            return image
        return self.rebaser.coding(image, basis, merged).image

    def _match_twins(self, texts: dict[str, tuple[str | None, str | None, str | None]]) -> None:
        """Their new rows that are ours by content (the same link, value or coding) join ours."""
        matched = False
        for table in ("document_cases", "attribute_values", "codings"):
            wanted: list[tuple[Key, tuple[Any, ...]]] = []
            for key in self.theirs_tables.get(table, ()):
                if key in self.ours:
                    continue
                image = self.theirs[key]
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
                    self.ids[(table, self._inverse_cache.get(key, key[1]))] = found
                    matched = True
        if matched:
            self._set_theirs()
        for key in list(self.differing):  # a twin that differs only in bookkeeping is ours
            image, ours = self.theirs[key], self.ours.get(key)
            if ours is not None and image != ours and _without_bookkeeping(image) == _without_bookkeeping(ours) \
                    and key[0] in NATURAL_KEYS:
                self.theirs[key] = ours
                self.differing.discard(key)
        extra = self.differing - self.facts_read
        if extra:
            more = log_facts(self.session.connection(), extra)
            self.facts_read |= extra
            self.our_facts.absorb(more)
            for key, tomb in more.deleted.items():
                if key not in self.ours:
                    self.our_facts.deleted[key] = tomb

    def _decide_rest(self, texts: dict[str, tuple[str | None, str | None, str | None]]) -> None:
        def effective(image: Image, side: str) -> Image | None:
            return self._rebased(image, side, texts)

        self.coding_side: dict[str, str] = {}
        for table in MERGED_TABLES:
            if table in ("coders", "documents", "speaker_turns"):
                continue
            for key in self._keys(table):
                decision = self.decide(key, effective if table == "codings" else None)
                self.desired[key] = decision.image
                if table == "codings" and decision.image is not None and decision.side is not None:
                    self.coding_side[key[1]] = decision.side

    def _deduplicate_codings(self) -> None:
        """Codings that became one (the same span after following an edit) are kept once."""
        groups: dict[tuple[Any, ...], list[Key]] = {}
        texts_now = {k[1]: v["text"] for k, v in self.desired.items() if k[0] == "documents" and v}
        unmoved: dict[tuple[str, str], bool] = {}
        for key, image in self.desired.items():
            if key[0] != "codings" or image is None:
                continue
            rebased = self._final_coding(key, image, texts_now, unmoved)
            if rebased is not None:
                groups.setdefault(_natural("codings", rebased), []).append(key)
        memos = self._memos_by_coding()
        for keys in groups.values():
            if len(keys) < 2:
                continue
            keep = min(keys, key=lambda k: (k not in self.ours, k[1]))
            for key in keys:
                if key == keep:
                    continue
                for memo_key in memos.get(key[1], ()):
                    memo = self.desired[memo_key]
                    if memo is not None and memo.get("coding_id") == key[1]:
                        self.desired[memo_key] = dict(memo, coding_id=keep[1])
                dropped = self.desired[key]
                self.desired[key] = None
                kept = self.desired[keep]
                if _coding_content(dropped) != _coding_content(kept):
                    self.conflict("coding_duplicate", key, f"{self.label(key, dropped)} became the same span as "
                                  "another coding by the same coder; kept that one", kept, dropped, "ours")

    def _memos_by_coding(self) -> dict[str, list[Key]]:
        """The memos on each coding (so a coding's memos are found without reading every row)."""
        out: dict[str, list[Key]] = {}
        for key, memo in self.desired.items():
            if key[0] == "memos" and memo is not None and memo.get("coding_id") is not None:
                out.setdefault(str(memo["coding_id"]), []).append(key)
        return out

    def _final_coding(self, key: Key, image: Image, texts_now: dict[str, str],
                      unmoved: dict[tuple[str, str], bool] | None = None) -> Image | None:
        """The coding on its document's merged text. `unmoved` remembers for each side and document
        whether that side's text is the merged one (then its codings stay as they are)."""
        side = self.coding_side.get(key[1], "ours" if key in self.ours else "theirs")
        source_image = self.ours.get(key) if side == "ours" else self.theirs.get(key)
        if source_image is None:
            return image
        doc = str(image["document_id"])
        if unmoved is not None:
            same = unmoved.get((side, doc))
            if same is None:
                basis_doc = (self.ours if side == "ours" else self.theirs).get(("documents", doc))
                merged = texts_now.get(doc)
                same = unmoved[(side, doc)] = basis_doc is not None and merged is not None and (
                    basis_doc["text"] is merged or basis_doc["text"] == merged)
            if same:
                return source_image
        basis_doc = (self.ours if side == "ours" else self.theirs).get(("documents", doc))
        basis = basis_doc["text"] if basis_doc else None
        return self.rebaser.coding(source_image, basis, texts_now.get(doc)).image

    def _repair_references(self) -> None:
        """Keep what surviving rows use (a deleted code still used elsewhere); drop what cannot be kept."""
        changed = True
        while changed:
            changed = False
            for key, image in list(self.desired.items()):
                if image is None or key[0] == "speaker_turns":  # turns follow their document (see _turns)
                    continue
                for column, target in REFERENCES.get(key[0], ()):
                    value = image.get(column)
                    if value is None:
                        continue
                    ref = (target, str(value))
                    if self.desired.get(ref) is not None:
                        continue
                    changed = True
                    restored = None if ref in self.lost else self._restorable(ref)
                    if restored is None and key in self.ours and ref not in self.lost:
                        # our own rows always find what they refer to; if not, the rows were read while
                        # someone was writing: start over rather than drop anything of ours
                        raise ChangedMeanwhile(_("{table} {row} refers to {target} {target_row}, which was not read")
                                               .format(table=key[0], row=key[1], target=ref[0], target_row=ref[1]))
                    if restored is not None:
                        self.desired[ref] = restored
                        brought = self._bring_back_with(ref)
                        with_it = ""
                        if brought:
                            counts: dict[str, int] = {}
                            for table, _row in brought:
                                counts[table] = counts.get(table, 0) + 1
                            with_it = " with the " + ", ".join(
                                f"{n} {table if n != 1 else table[:-1]}"
                                for table, n in sorted(counts.items())) + " deleted together with it"
                        # the version that is None is the side that deleted it: settling that way deletes it
                        ours_image = self.ours.get(ref)
                        if (ref[0], ref[1], ident(restored)) in self.kept_used:
                            break
                        self.conflict("deleted_but_used", ref, f"{self.label(ref, restored)} was deleted in one "
                                      f"copy but is used in the other; kept it{with_it}",
                                      None if ours_image is None else restored,
                                      restored if ours_image is None else None,
                                      "theirs" if ours_image is None else "ours")
                    else:
                        self.desired[key] = None
                        self.conflict("orphan", key, f"{self.label(key, image)} refers to a {target[:-1]} that is "
                                      "gone in both copies; not kept (it is listed here)",
                                      self.ours.get(key), image if key not in self.ours else None, "ours")
                    break

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

    def _their_deletion_group(self, key: Key) -> dict[Key, Image]:
        """The rows their log deleted at the same moment and by the same coder as `key` (one change),
        in our ids, with their last images."""
        tomb = self.their_tombstone(key)
        if tomb is None:
            return {}
        if self._their_deletions is None:
            self._their_deletions = {}
            for raw_key, found in self.source.facts.deleted.items():
                self._their_deletions.setdefault(found.stamp, []).append(raw_key)
        out: dict[Key, Image] = {}
        for raw_key in self._their_deletions.get(tomb.stamp, ()):
            before = self.source.facts.deleted[raw_key].before
            if before is not None and raw_key[0] in MERGED_TABLES:
                out[(raw_key[0], self.ids.get(raw_key, raw_key[1]))] = remap(raw_key[0], before, self.ids)
        return out

    def _bring_back_with(self, ref: Key) -> list[Key]:
        """A deletion overruled because the row is still used is overruled whole: the rows deleted
        together with it that depend on it (a code's codings, their memos, its sub-codes) come back too,
        in the later version either copy has of them. Returns the rows brought back."""
        ours_group, theirs_group = self._our_deletion_group(ref), self._their_deletion_group(ref)
        group = set(ours_group) | set(theirs_group)
        brought: list[Key] = []
        waiting = [ref]
        while waiting:
            parent = waiting.pop()
            for key in sorted(group):
                if self.desired.get(key) is not None or key in self.lost:
                    continue
                candidates = [c for c in (self.ours.get(key), self.theirs.get(key), ours_group.get(key),
                                          theirs_group.get(key)) if c is not None]
                if not any(str(image.get(column)) == parent[1] for image in candidates
                           for column, target in REFERENCES.get(key[0], ()) if target == parent[0]):
                    continue
                self.desired[key] = max(candidates, key=stamp)
                self.origins.pop(f"{key[0]}:{key[1]}", None)
                brought.append(key)
                waiting.append(key)
        return brought

    def _restorable(self, key: Key) -> Image | None:
        candidates = [self.ours.get(key), self.theirs.get(key)]
        ours_deleted = self.our_facts.deleted.get(key)
        theirs_deleted = self.their_tombstone(key)
        candidates += [ours_deleted.before if ours_deleted else None, theirs_deleted.before if theirs_deleted else None]
        found = [c for c in candidates if c is not None]
        if not found:
            return None
        self.origins.pop(f"{key[0]}:{key[1]}", None)
        return max(found, key=stamp)

    def _finish_codings(self, texts: dict[str, tuple[str | None, str | None, str | None]]) -> None:
        """Every coding on its document's merged text; a coding whose text is all gone is listed."""
        texts_now = {k[1]: v["text"] for k, v in self.desired.items() if k[0] == "documents" and v}
        memos = self._memos_by_coding()
        unmoved: dict[tuple[str, str], bool] = {}
        for key, image in list(self.desired.items()):
            if key[0] != "codings" or image is None:
                continue
            final = self._final_coding(key, image, texts_now, unmoved)
            if final is None:
                self.desired[key] = None
                self.lost.add(key)
                self.conflict("coding_lost", key, f"{self.label(key, image)} covered only text that was deleted "
                              "from its document in the other copy; not kept (its text is in this conflict)",
                              self.ours.get(key), image if key not in self.ours else None, "ours")
                for memo_key in memos.get(key[1], ()):
                    memo = self.desired[memo_key]
                    if memo is not None and memo.get("coding_id") == key[1]:
                        self.desired[memo_key] = None
                        self.conflict("orphan", memo_key, f"{self.label(memo_key, memo)} was on a coding that was "
                                      "not kept; not kept (it is listed here)", self.ours.get(memo_key),
                                      memo if memo_key not in self.ours else None, "ours")
                continue
            moved = final.get("start") != image.get("start") or final.get("end") != image.get("end")
            if final != image:
                self.desired[key] = final
            if moved and final != self.ours.get(key):
                self.report.codings_moved_with_text += 1
                if final.get("needs_review"):
                    self.report.needs_review += 1

    def _turns(self) -> None:
        """A document's speaker turns come with the version of the document that was kept."""
        theirs_by_doc: dict[str, list[Key]] = {}
        for key, image in self.theirs.items():
            if key[0] == "speaker_turns":
                theirs_by_doc.setdefault(str(image["document_id"]), []).append(key)
        for key, image in self.ours.items():
            if key[0] != "speaker_turns":
                continue
            doc = str(image["document_id"])
            if self.desired.get(("documents", doc)) is None or self.document_side.get(doc) == "theirs":
                self.desired[key] = None
        for doc, side in self.document_side.items():
            if side != "theirs" or self.desired.get(("documents", doc)) is None:
                continue
            for key in theirs_by_doc.get(doc, []):
                self.desired[key] = self.theirs[key]

    def _code_tree(self) -> None:
        """No cycles (two copies moving codes under each other), and clashing names are pointed out."""
        codes = {k[1]: v for k, v in self.desired.items() if k[0] == "codes" and v is not None}
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
                self.desired[key] = codes[latest]
                self.conflict("code_cycle", key, f"{self.label(key, before)} was moved under its own sub-code by "
                              "the two copies' moves together; put it at the top level", self.ours.get(key),
                              codes[latest], "both")
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
                self.conflict("code_name_clash", key, f"{self.source.name} brought another code named "
                              f"{self.code_path(member)!r} (a different code with the same name); kept both: merge "
                              "them with `fieldnotes conflicts settle` or `fieldnotes codebook merge` if they mean "
                              "the same", self.ours[("codes", existing[0])], codes[member], "both")

    def _writes(self) -> Plan:
        writes: list[tuple[str, uuid.UUID, Image | None]] = []
        report = self.report
        ours = self.ours
        different = [key for key, want in self.desired.items() if want is not ours.get(key)]  # desired has every key
        for key in sorted(key for key in different if _unlike(self.desired[key], ours.get(key))):
            want, now = self.desired[key], ours.get(key)
            table = key[0]
            writes.append((table, uuid.UUID(key[1]), want))
            bucket = report.added if now is None else report.removed if want is None else report.changed
            bucket[table] = bucket.get(table, 0) + 1
        report.conflicts = list(self.conflicts)
        expected = {(table, str(row_id)): self.ours.get((table, str(row_id))) for table, row_id, _ in writes}
        return Plan(writes, list(self.conflicts), dict(self.origins), report, expected)


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


# --- the entry point -----------------------------------------------------------------------------

#: merges into one server database queue on this lock (SQLite's write lock does the same for files)
ADVISORY_LOCK = 0x6669656C646E6F74
#: how often a merge starts over when others changed what it was about to write
ATTEMPTS = 5


def _depths(writes: list[tuple[str, uuid.UUID, Image | None]], plan: Plan) -> dict[str, int]:
    """How deep each written code sits in the tree, so parents are inserted before their children."""
    parents: dict[str, Any] = {}
    for table, row_id, image in writes:
        if table == "codes":
            source = image if image is not None else plan.expected.get(("codes", str(row_id)))
            parents[str(row_id)] = (source or {}).get("parent_id")
    depths: dict[str, int] = {}
    for code in parents:
        level, parent, seen = 0, parents[code], {code}
        while parent is not None and parent in parents and parent not in seen:
            seen.add(parent)
            level += 1
            parent = parents[parent]
        depths[code] = level
    return depths


def _complete(table: Any, image: Image, current: Image | None) -> dict[str, Any]:
    """Column values for every column, so rows can be written in batches (an image from an older
    schema lacks the newer columns: they keep the current value, or take their plain default)."""
    values = history.decode(table, image)
    if len(values) == len(table.columns):
        return values
    known = history.decode(table, current) if current is not None else {}
    for column in table.columns:
        if column.name not in values:
            default = column.default.arg if column.default is not None and column.default.is_scalar else None
            values[column.name] = known.get(column.name, default)
    return values


def _column_writer(column: Any, dialect: Any) -> tuple[Callable[[Any], Any], bool]:
    """Image value -> the value the driver is given, exactly as `history.decode` and the column's type
    would make it; and whether values repeat enough to be worth remembering (not ids, not JSON)."""
    from sqlalchemy import JSON, Date, Uuid

    from fieldnotes.db.types import UTCDateTime

    kind = column.type
    bind = kind._cached_bind_processor(dialect)
    parse: Callable[[Any], Any] | None = None
    if isinstance(kind, Uuid):
        parse = uuid.UUID
    elif isinstance(kind, UTCDateTime):
        parse = dt.datetime.fromisoformat
    elif isinstance(kind, Date):
        parse = dt.date.fromisoformat
    # None in a JSON column is SQL NULL, as the ORM stores a new row's None (not the JSON text 'null')
    none = None if isinstance(kind, JSON) or bind is None else bind(None)

    def write(value: Any) -> Any:
        if value is None:
            return none
        if parse is not None:
            value = parse(value)
        return bind(value) if bind is not None else value

    return write, column.name != "id" and not isinstance(kind, JSON)


def _write_rows(conn: Any, table: Any, whole: list[Image], *, insert: bool) -> None:
    """Insert or update whole rows (every column in the image) straight through the driver (SQLite),
    with the values SQLAlchemy would have bound: a merge into an empty project writes every row, and
    compiling a statement for each row would take most of its time."""
    dialect = conn.dialect
    columns = list(table.columns)
    names = [column.name for column in columns]
    writers = [_column_writer(column, dialect) for column in columns]
    memos: list[dict[Any, Any] | None] = [{} if repeats else None for _, repeats in writers]
    rows = []
    for image in whole:
        row = []
        for name, (write, _other), memo in zip(names, writers, memos, strict=True):
            value = image[name]
            if memo is None:
                row.append(write(value))
                continue
            try:
                found = memo[value]
            except KeyError:
                found = memo[value] = write(value)
            except TypeError:  # not hashable: nothing to remember
                found = write(value)
            row.append(found)
        rows.append(tuple(row))
    quote = dialect.identifier_preparer.quote
    target = dialect.identifier_preparer.format_table(table)
    if insert:
        sql = f"INSERT INTO {target} ({', '.join(quote(n) for n in names)}) VALUES ({', '.join('?' for _ in names)})"
    else:
        sql = f"UPDATE {target} SET {', '.join(f'{quote(n)} = ?' for n in names)} WHERE {quote('id')} = ?"
        at = names.index("id")
        rows = [(*row, row[at]) for row in rows]
    for start in range(0, len(rows), 1000):
        conn.exec_driver_sql(sql, rows[start : start + 1000])


def _json_as_stored(write: tuple[str, uuid.UUID, Image | None], plan: Plan) -> tuple[str, uuid.UUID, Image | None]:
    """The write with each JSON value that equals the row's current one taken from the current row.

    A bundle carries JSON values with their keys sorted; the copy that made the change stored them in
    the order they were given. Keeping the order this copy already has for values that did not change
    makes both merge orders store the same text (the copy that renamed a code stored its glosses again
    as they were; this copy keeps them so too)."""
    table_name, row_id, image = write
    now = plan.expected.get((table_name, str(row_id)))
    if image is None or now is None:
        return write
    names = _json_columns(table_name)
    same = {name: now[name] for name in names
            if name in image and name in now and image[name] is not now[name] and image[name] == now[name]}
    return (table_name, row_id, dict(image, **same)) if same else write


@cache
def _json_columns(table_name: str) -> tuple[str, ...]:
    from sqlalchemy import JSON

    return tuple(c.name for c in history.TABLES[table_name].columns if isinstance(c.type, JSON))


def apply_writes(session: Session, pending: history.PendingChange, plan: Plan) -> None:
    """Write the planned rows as `history.apply_images` does, logging each row's before and after image,
    but in batches: a merge that moves a whole project onto a server writes every row there is.

    Inserts and updates go parents first (tables in dependency order, codes by depth); deletions after,
    children first. The rows' current images were locked and checked by `_check_unchanged`.
    """
    from sqlalchemy import JSON, bindparam, delete, insert, update

    conn = session.connection()
    direct = conn.dialect.name == "sqlite" and conn.dialect.paramstyle == "qmark"
    depths = _depths(plan.writes, plan)

    def order(item: tuple[str, uuid.UUID, Image | None]) -> tuple[int, int]:
        return history.TABLE_ORDER.get(item[0], 99), depths.get(str(item[1]), 0)

    upserts = sorted((_json_as_stored(w, plan) for w in plan.writes if w[2] is not None), key=order)
    removals = sorted((w for w in plan.writes if w[2] is None), key=order, reverse=True)
    for (table_name, is_insert), group in itertools.groupby(
            upserts, key=lambda w: (w[0], plan.expected.get((w[0], str(w[1]))) is None)):
        table = history.TABLES[table_name]
        items = [(row_id, image) for _, row_id, image in group if image is not None]
        names = [column.name for column in table.columns]
        # rows with every column go straight to the driver (on SQLite); an older image is completed
        # first; runs of each are written in order, so parents still come before their children
        for whole, run in itertools.groupby(items, key=lambda item: direct and all(n in item[1] for n in names)):
            run_items = list(run)
            if whole:
                _write_rows(conn, table, [image for _, image in run_items], insert=is_insert)
                continue
            rows = [_complete(table, image, plan.expected.get((table_name, str(row_id))))
                    for row_id, image in run_items]
            # JSON columns are bound as JSON that stores None as SQL NULL (see _column_writer)
            jsons = {c.name: bindparam(f"_json_{c.name}", type_=JSON(none_as_null=True))
                     for c in table.columns if isinstance(c.type, JSON)}

            def bound(row: dict[str, Any], jsons: dict[str, Any] = jsons) -> dict[str, Any]:
                return {(f"_json_{k}" if k in jsons else k): v for k, v in row.items()}

            for start in range(0, len(rows), 1000):
                chunk = rows[start : start + 1000]
                if is_insert:
                    conn.execute(insert(table).values(jsons) if jsons else insert(table), [bound(r) for r in chunk])
                else:
                    statement = update(table).where(table.c.id == bindparam("_row"))
                    if jsons:
                        statement = statement.values(jsons)
                    conn.execute(statement, [{"_row": row["id"], **bound(row)} for row in chunk])
    for table_name, group in itertools.groupby(removals, key=lambda w: w[0]):
        table = history.TABLES[table_name]
        ids = [row_id for _, row_id, _ in group]
        for start in range(0, len(ids), 500):
            conn.execute(delete(table).where(table.c.id.in_(ids[start : start + 500])))
    for table_name, row_id, image in upserts + removals:
        pending.explicit_events.append((table_name, row_id, plan.expected.get((table_name, str(row_id))), image))
    session.expire_all()


def _check_unchanged(session: Session, plan: Plan) -> None:
    """Lock the rows the merge overwrites and make sure nobody changed them since it planned.

    On a shared server a coder can change a row between planning and writing; overwriting it then
    would lose their change, so the merge stops instead (it is safe to run again).
    """
    by_table: dict[str, list[uuid.UUID]] = {}
    for (name, row_id), before in plan.expected.items():
        if before is not None:
            by_table.setdefault(name, []).append(uuid.UUID(row_id))
    conn = session.connection()
    for table_name, ids in by_table.items():
        table = history.TABLES[table_name]
        for start in range(0, len(ids), 500):
            for image in select_images(conn, table_name, table.c.id.in_(ids[start : start + 500]), for_update=True):
                expected = plan.expected.get((table_name, str(image["id"])))
                if image != expected and fingerprint(image) != fingerprint(expected):
                    raise ChangedMeanwhile(_("{table_name} {id} changed").format(table_name=table_name, id=image['id']))


def _snapshot(session: Session) -> None:
    """On a server, read everything from one snapshot: a coder writing meanwhile must not make the
    merge see their codings without their coder (SQLite's write lock gives the same guarantee)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _conflicting(error: sa_exc.DBAPIError) -> bool:
    """Someone else wrote the same rows (serialization failure, deadlock, or the same row inserted by a
    coder meanwhile, such as their coder record): trying again on a fresh snapshot helps."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) in ("40001", "40P01", "23505")


@contextmanager
def _one_merge_at_a_time(project: Project) -> Iterator[None]:
    """Merges into one server database queue here, before their snapshot is taken (a lock taken inside
    the merge's own transaction would leave it planning on what it saw before the wait)."""
    if project.is_sqlite:  # SQLite's write lock already does this
        yield
        return
    with project.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK})
            conn.commit()


def merge(project: Project, path: Path | str, *, coder_name: str, dry_run: bool = False) -> MergeReport:
    """Merge a bundle or a whole project file into `project` as one undoable change.

    On a shared server the merge reads one snapshot and writes only rows nobody changed since; when
    someone did, it starts over (up to ATTEMPTS times) and never overwrites their change.
    """
    source = open_source(path, ours=project.path)
    if dry_run:
        with project.read() as session:
            _snapshot(session)
            plan = Planner(session, source).plan()
        plan.report.dry_run = True
        return plan.report
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with _one_merge_at_a_time(project):
                return _merge_once(project, source, coder_name)
        except ChangedMeanwhile:
            if attempt == ATTEMPTS:
                raise FieldnotesError(_("others kept changing the project while the merge was being worked out; "
                                      "nothing was merged"), hint=_("run the merge again")) from None
        except sa_exc.DBAPIError as error:
            if not _conflicting(error) or attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _merge_once(project: Project, source: Source, coder_name: str) -> MergeReport:
    from fieldnotes.team.server_move import move_onto_empty_server

    if (moved := move_onto_empty_server(project, source, coder_name)) is not None:  # COPY, no backup
        return moved
    coder_id = coders.coder_id(coder_name)
    with project.write() as session:
        _snapshot(session)
        plan = Planner(session, source).plan()
        report = plan.report
        if report.nothing:
            return report
        _check_unchanged(session, plan)
        if project.is_sqlite and project.path is not None:
            from fieldnotes.project.backup import backup_sqlite

            report.backup = backup_sqlite(project.path, reason="before-merge").name
        elif not project.is_sqlite:  # a server: a SQLite copy of it as it is, before anything is written
            from fieldnotes.project.backup import backup_server

            report.backup = backup_server(project.target, reason="before-merge").name
        summary = said("merged {file}: {n} conflict(s)", file=source.name, n=len(plan.conflicts)) if plan.conflicts \
            else said("merged {file}", file=source.name)
        details = {"source": source.name, "kind": source.kind, "added": report.added, "changed": report.changed,
                   "removed": report.removed, "conflicts": len(plan.conflicts), **source.summary,
                   ORIGINS: plan.origins}
        with history.change(session, coder_id=coder_id, action="merge", summary=summary, details=details) as pending:
            apply_writes(session, pending, plan)
            # after the rows: the merging coder may be one of the coders the merge brings
            coders.ensure_coder(session, coder_name)
            for conflict in plan.conflicts:
                session.add(MergeConflict(merge_id=pending.change_id, kind=conflict.kind, table=conflict.table,
                                          row_id=uuid.UUID(conflict.row_id) if conflict.row_id else None,
                                          summary=conflict.summary, ours=conflict.ours, theirs=conflict.theirs,
                                          resolution=conflict.resolution, status="auto", created_by=coder_id))
            session.flush()
            report.merge_id = str(pending.change_id)
    return report

