"""Planning a merge: which version of every row the merged project has, and what that conflicts with.

The rules are in fieldnotes.team.merge's docstring. Nothing here writes: `Planner.plan()` reads this
project and the other copy and returns a `Plan` (the rows to write, the conflicts, the report), which
fieldnotes.team.merge_write writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
