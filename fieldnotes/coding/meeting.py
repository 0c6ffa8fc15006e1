"""The meeting comes back: comments written on a Word report become memos on what they were written on.

`plan` works out, without writing, what each comment of a report becomes (`export/report_comments.py`
reads them): a memo on the coding of the excerpt it is on (several comments on one coding stay
separate memos), on the code whose heading it is on, or a project memo quoting the text it was
anchored on. Replies follow their thread. `apply` writes the plan as one recorded change, so one undo
takes a whole meeting back out.

Importing again changes nothing: a comment is recognised by the report's export id, its anchor, its
author and its date (Word renumbers comment ids when it saves), and its text; a comment whose text
changed since updates its memo. A comment whose coding was removed or recoded since the export is
never dropped: it is kept as a project memo and reported.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes import ids
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.db import coders, history
from fieldnotes.db.models import Code, Coding, Document, Memo, ProjectSettings
from fieldnotes.errors import InvalidInput, Refused
from fieldnotes.export.anchors import code_tag, same_code
from fieldnotes.export.report_comments import Report, ReportComment, code_id, coding_ids, read_report
from fieldnotes.project.opening import Project
from fieldnotes.translations import N_, _, format_datetime, said

#: author names word processors write when they know no name
NO_AUTHOR = frozenset(("", "unknown author", "ukendt forfatter", "author", "forfatter", "anonymous", "anonym",
                       "unknown", "ukendt"))
FREE_TEXT = "text"  # the anchor recorded for a comment on anything but an excerpt or a code heading
ACTION = "memo.import"
#: why a comment on an excerpt or a heading was kept as a project memo (the app translates these)
REASONS = {"removed": N_("its coding was removed since the export"),
           "recoded": N_("its coding was recoded since the export (now {code})"),
           "code deleted": N_("its code was deleted since the export")}


@dataclass
class PlannedMemo:
    """What one comment becomes."""

    comment: ReportComment
    action: str  # "new", "updated" or "unchanged"
    target_kind: str  # "coding", "code" or "project"
    target_id: uuid.UUID | None
    target_label: str
    coder: str
    text: str
    anchor: str
    memo_id: uuid.UUID
    reply_to: uuid.UUID | None = None
    reason: str = ""  # why it is a project memo although it was on an excerpt or heading: a key of REASONS
    now_code: str = ""  # with "recoded": the code the coding has now
    old_text: str = ""

    @property
    def note(self) -> str:
        """Why it was kept as a project memo, in English (as the JSON says it)."""
        return REASONS[self.reason].format(code=self.now_code) if self.reason else ""

    def said_note(self) -> str:
        """The same in the reader's language."""
        return _(REASONS[self.reason]).format(code=self.now_code) if self.reason else ""

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "memo": str(self.memo_id), "target_kind": self.target_kind,
                "target": str(self.target_id) if self.target_id else None, "target_label": self.target_label,
                "author": self.coder, "date": self.comment.date.isoformat() if self.comment.date else None,
                "text": self.text, "reply_to": str(self.reply_to) if self.reply_to else None,
                "note": self.note or None}


@dataclass
class MeetingPlan:
    """Every comment of one report and what it becomes."""

    source: str  # the report's file name (never a path)
    export_id: str
    items: list[PlannedMemo] = field(default_factory=list)
    written: bool = False

    def count(self, action: str) -> int:
        return sum(1 for item in self.items if item.action == action)

    @property
    def kept(self) -> list[PlannedMemo]:
        """Comments on excerpts or headings that could not go there (removed or recoded since)."""
        return [item for item in self.items if item.reason]

    @property
    def changes(self) -> bool:
        return any(item.action != "unchanged" for item in self.items)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.source, "export_id": self.export_id, "comments": len(self.items),
                "new": self.count("new"), "updated": self.count("updated"), "unchanged": self.count("unchanged"),
                "kept_as_project_memos": len(self.kept), "written": self.written,
                "memos": [item.as_dict() for item in self.items]}

    def summary(self) -> str:
        return _("{n} comment(s) in {source}: {new} new memo(s), {updated} updated, {unchanged} unchanged").format(
            n=len(self.items), source=self.source, new=self.count("new"), updated=self.count("updated"),
            unchanged=self.count("unchanged"))


def usable_author(name: str) -> str | None:
    cleaned = " ".join(name.split())
    return cleaned if cleaned.casefold() not in NO_AUTHOR else None


def project_text(comment: ReportComment) -> str:
    """A project memo quotes what the comment was anchored on, so it can be found again."""
    quote = " ".join(comment.quoted.split())
    return f"{comment.text}\n\n«{quote}»" if quote else comment.text


def plan(session: Session, report: Report, *, as_coder: str | None = None) -> MeetingPlan:
    """What importing the report's comments would do (nothing is written)."""
    _check_identity(session, report)
    fallback = coders.normalise_name(as_coder) if as_coder and as_coder.strip() else None
    nameless = [c for c in report.comments if usable_author(c.author) is None]
    if nameless and fallback is None:
        raise Refused(_("{n} comment(s) in {name} have no author's name").format(n=len(nameless), name=report.name),
                      hint=_("say who wrote them with --as CODER"))
    result = MeetingPlan(report.name, report.export_id)
    targets = _Targets(session, report)
    existing = _Existing(session, report.export_id)
    memo_ids: dict[str, uuid.UUID] = {}  # comment id -> memo id (for replies)
    planned: dict[str, PlannedMemo] = {}
    for comment in report.comments:
        coder = usable_author(comment.author) or fallback or ""
        parent_plan = planned.get(comment.parent) if comment.parent else None
        if parent_plan is not None:  # a reply goes where its thread is
            kind, target, label = parent_plan.target_kind, parent_plan.target_id, parent_plan.target_label
            reason, now_code = parent_plan.reason, parent_plan.now_code
        else:
            kind, target, label, reason, now_code = targets.resolve(comment, coder)
        text = comment.text if kind != "project" else project_text(comment)
        anchor = comment.anchor or FREE_TEXT
        found = existing.claim(anchor, coders.coder_id(coder), comment.date, text)
        if found is None:
            action, memo_id, old = "new", ids.new(), ""
        elif found.text == text:
            action, memo_id, old = "unchanged", found.id, ""
        else:
            action, memo_id, old = "updated", found.id, found.text
        memo_ids[comment.id] = memo_id
        item = planned[comment.id] = PlannedMemo(
            comment=comment, action=action, target_kind=kind, target_id=target, target_label=label, coder=coder,
            text=text, anchor=anchor, memo_id=memo_id,
            reply_to=memo_ids.get(comment.parent) if comment.parent else None, reason=reason, now_code=now_code,
            old_text=old)
        result.items.append(item)
    return result


def _check_identity(session: Session, report: Report) -> None:
    if not report.anchored and not report.project_id:
        raise InvalidInput(_("{name} is not a fieldnotes report (it has none of the anchors an exported report "
                             "carries)").format(name=report.name),
                           hint=_("comment on a report made with `fieldnotes export docx`"))
    ours = session.scalar(select(ProjectSettings.id))
    if report.project_id and str(ours) != report.project_id:
        raise Refused(_("{name} was exported from another project").format(name=report.name),
                      hint=_("import it into the project it was exported from"))
    if not report.project_id:
        raise InvalidInput(_("{name} no longer says which project it came from (its document properties are "
                             "gone)").format(name=report.name), hint=_("comment on a fresh export of the report"))


class _Targets:
    """What each anchor stands for in the project as it is now."""

    def __init__(self, session: Session, report: Report) -> None:
        self.session = session
        self.report = report
        self.tree = CodeTree.load(session)
        wanted: set[uuid.UUID] = set()
        for comment in report.comments:
            if comment.anchor:
                wanted.update(coding_ids(report, comment.anchor)[0])
        self.codings: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, str]] = {}  # id -> (code, coder, document title)
        chunk = list(wanted)
        for start in range(0, len(chunk), 500):
            rows = session.execute(
                select(Coding.id, Coding.code_id, Coding.coder_id, Document.title)
                .join(Document, Document.id == Coding.document_id).where(Coding.id.in_(chunk[start:start + 500])))
            for coding, code, coder, title in rows:
                self.codings[coding] = (code, coder, title)
        self.code_ids = set(session.scalars(select(Code.id)))

    def path(self, code: uuid.UUID) -> str:
        try:
            return self.tree.path(code)
        except Exception:  # a code the tree no longer holds
            return str(code)[:8]

    def resolve(self, comment: ReportComment, coder: str) -> tuple[str, uuid.UUID | None, str, str, str]:
        """(target kind, id, label, reason, code now) for a comment that starts a thread; the reason (a key
        of REASONS) says why a comment on an excerpt or a heading goes to the project."""
        anchor = comment.anchor
        if anchor is None:
            return "project", None, "the project", "", ""
        code = code_id(self.report, anchor)
        if code is not None:
            if code in self.code_ids:
                return "code", code, self.path(code), "", ""
            return "project", None, "the project", "code deleted", ""
        wanted, exported_code = coding_ids(self.report, anchor)
        present = [c for c in wanted if c in self.codings]
        if not present:
            return "project", None, "the project", "removed", ""
        by_author = coders.coder_id(coder) if coder else None
        chosen = next((c for c in present if self.codings[c][1] == by_author), present[0])
        now_code, _coder, title = self.codings[chosen]
        tag = code_tag(anchor)
        if (exported_code is not None and now_code != exported_code) or (
                exported_code is None and tag and not same_code(tag, now_code)):
            return "project", None, "the project", "recoded", self.path(now_code)
        return "coding", chosen, f"{title} · {self.path(now_code)}", "", ""


class _Existing:
    """The memos earlier imports of this export made, to recognise a comment seen before."""

    def __init__(self, session: Session, export_id: str) -> None:
        self.by_key: dict[tuple[str, uuid.UUID | None, dt.datetime | None], list[Memo]] = {}
        self.claimed: set[uuid.UUID] = set()
        if not export_id:
            return
        for memo in session.scalars(select(Memo).where(Memo.source_export == export_id).order_by(Memo.created_at)):
            key = (memo.source_anchor or FREE_TEXT, memo.created_by, _utc(memo.written_at))
            self.by_key.setdefault(key, []).append(memo)

    def claim(self, anchor: str, coder: uuid.UUID, when: dt.datetime | None, text: str) -> Memo | None:
        """The memo this comment made before: the same text first, else one not yet matched (edited since)."""
        candidates = [m for m in self.by_key.get((anchor, coder, _utc(when)), []) if m.id not in self.claimed]
        found = next((m for m in candidates if m.text == text), None) or next(iter(candidates), None)
        if found is not None:
            self.claimed.add(found.id)
        return found


def _utc(when: dt.datetime | None) -> dt.datetime | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).replace(microsecond=0)


def apply(session: Session, meeting: MeetingPlan, *, acting: str) -> None:
    """Write the plan as one recorded change by `acting` (one undo takes it all back), with every coder it
    names created in the same change."""
    if not meeting.changes:
        meeting.written = True
        return
    details = {"file": meeting.source, "export_id": meeting.export_id, "new": meeting.count("new"),
               "updated": meeting.count("updated"), "kept_as_project_memos": len(meeting.kept)}
    with history.change(session, coder_id=coders.coder_id(acting), action=ACTION,
                        summary=said("imported {new} memo(s) and updated {updated} from comments in {source}",
                                     new=meeting.count("new"), updated=meeting.count("updated"),
                                     source=meeting.source), details=details):
        for name in sorted({acting} | {item.coder for item in meeting.items if item.action != "unchanged"}):
            coders.ensure_coder(session, name)
        for item in meeting.items:
            if item.action == "unchanged":
                continue
            if item.action == "updated":
                memo = session.get(Memo, item.memo_id)
                if memo is not None:
                    memo.text = item.text
                continue
            memo = Memo(id=item.memo_id, text=item.text, created_by=coders.coder_id(item.coder),
                        source=meeting.source, source_export=meeting.export_id, source_anchor=item.anchor,
                        reply_to=item.reply_to, written_at=item.comment.date)
            if item.target_kind == "coding":
                memo.coding_id = item.target_id
            elif item.target_kind == "code":
                memo.code_id = item.target_id
            session.add(memo)
        session.flush()
    meeting.written = True


def import_report(project: Project, path: Path, *, acting: str, as_coder: str | None = None,
                  dry_run: bool = False) -> MeetingPlan:
    """Read the report, plan its comments and, unless `dry_run`, write them (the command line and the app
    both call this). The plan is made again inside the write, so it is what the project holds then."""
    report = read_report(path)
    if dry_run:
        with project.read() as session:
            return plan(session, report, as_coder=as_coder)
    if project.readonly:
        raise Refused(_("the project is open read-only"), hint=_("open a writable copy to import the comments"))
    with project.write() as session:
        meeting = plan(session, report, as_coder=as_coder)
        apply(session, meeting, acting=acting)
    return meeting


#: the words `lines` shows for a memo's target and for what happens to a comment
KIND_NAMES = {"coding": N_("coding"), "code": N_("code")}
N_("new"), N_("updated"), N_("unchanged")


def lines(meeting: MeetingPlan, *, dry_run: bool) -> list[str]:
    """The report a person reads: each comment, where it goes, and what was kept as a project memo."""
    out = []
    for item in meeting.items:
        when = format_datetime(item.comment.date) if item.comment.date else "?"
        where = (f"{_(KIND_NAMES.get(item.target_kind, item.target_kind))} {item.target_label}"
                 if item.target_kind != "project" else _("project"))
        reply = "  " + _("reply") if item.reply_to else ""
        first = item.comment.text.splitlines()[0] if item.comment.text else ""
        out.append(f"{_(item.action):<9} {where}{reply} — {item.coder}, {when}: {first}")
        if item.note:
            out.append("          " + _("kept as a project memo: {note}: «{quote}»").format(
                note=item.said_note(), quote=" ".join(item.comment.quoted.split())[:80]))
    out.append(meeting.summary() + (_(" (dry run: nothing was written)") if dry_run else ""))
    return out

