"""Reading the comments written on a Word report: who wrote what, when, in reply to which, and on what.

The report is a file from outside (it went round a meeting), so it is read like any import: the zip
is checked for damage, protection and bombs, the XML refuses DTDs and entities, and sizes are capped
(`fieldnotes.importing.office`). What a comment is on comes from the report's anchors (anchors.py):
the innermost of our bookmarks open where the comment's range starts, or else the first that opens
inside its range. A reply's thread comes from `commentsExtended.xml` (`w15:paraIdParent`, which
Word and LibreOffice both write); its UTC date from `commentsExtensible.xml` when Word wrote one
(Word's own `w:date` is local time marked as UTC).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldnotes import archives
from fieldnotes.errors import InvalidInput
from fieldnotes.export.anchors import (
    CODE_PREFIX,
    CODING_PREFIX,
    EXPORT_PROPERTY,
    NAMESPACE,
    PROJECT_PROPERTY,
    parse_bookmark,
)
from fieldnotes.translations import _

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
W16CID = "{http://schemas.microsoft.com/office/word/2016/wordml/cid}"
W16CEX = "{http://schemas.microsoft.com/office/word/2018/wordml/cex}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_PROPS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_OFFICE_DOCUMENT = "/officeDocument"
_COMMENTS = "/comments"
_COMMENTS_EXTENDED = "/commentsExtended"
_COMMENTS_IDS = "/commentsIds"
_COMMENTS_EXTENSIBLE = "/commentsExtensible"
#: how much of the text a comment was anchored on is kept (a project memo quotes it)
MAX_QUOTE = 1000
_CUSTOM_ITEM = re.compile(r"^customxml/item\d+\.xml$")
WHAT = "Word"
_OUR_BOOKMARKS = (CODING_PREFIX, CODE_PREFIX)


@dataclass
class ReportComment:
    """One comment as the report holds it."""

    id: str  # its id in this file only (Word renumbers them when it saves)
    author: str
    date: dt.datetime | None
    text: str
    anchor: str | None = None  # our bookmark name (lower case), None when on other text
    quoted: str = ""  # the text it was anchored on
    parent: str | None = None  # the id of the comment it replies to
    order: int = 0  # position in the document (replies: after their parent)


@dataclass
class Report:
    """A report's identity, what its anchors point at, and its comments in document order."""

    name: str
    project_id: str = ""
    export_id: str = ""
    codings: dict[str, tuple[list[str], str]] = field(default_factory=dict)  # bookmark -> (coding ids, code id)
    codes: dict[str, str] = field(default_factory=dict)  # bookmark -> code id
    comments: list[ReportComment] = field(default_factory=list)
    anchored: bool = False  # whether the document holds any of our bookmarks


def read_report(path: Path) -> Report:
    """The report's identity and comments; InvalidInput (one line) for anything that is not a
    readable fieldnotes report."""
    from fieldnotes.importing import readers
    from fieldnotes.importing.office import open_zip

    name = path.name
    if not path.is_file():
        raise InvalidInput(_("{path} is not a file").format(path=path),
                           hint=_("give the Word report the comments were written on"))
    size = path.stat().st_size
    if size > readers.MAX_FILE_BYTES:
        raise InvalidInput(_("{name}: the file is {size}, above the limit of {limit}").format(
            name=name, size=readers.size_text(size), limit=readers.size_text(readers.MAX_FILE_BYTES)))
    data = path.read_bytes()
    if not data.startswith(b"PK") and not data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInput(_("{name} is not a Word report (.docx)").format(name=name),
                           hint=_("give the .docx file fieldnotes exported and the meeting commented"))
    with open_zip(data, name, WHAT) as archive:
        return _Reader(archive, name).read()


class _Reader:
    def __init__(self, archive: archives.Checked, name: str) -> None:
        self.archive = archive
        self.name = name
        self.members = {info.filename.casefold(): info.filename for info in archive.infos}

    def member(self, part: str) -> bytes | None:
        from fieldnotes.importing.office import read_member

        real = self.members.get(part.lstrip("/").casefold())
        return None if real is None else read_member(self.archive, real, self.name, WHAT)

    def xml(self, part: str) -> Any:
        from fieldnotes.importing.office import parse_xml

        raw = self.member(part)
        return None if raw is None else parse_xml(raw, self.name, WHAT)

    def relations(self, part: str) -> dict[str, str]:
        """type (its last path segment, e.g. '/comments') -> target part, for a part's relationships."""
        folder, base = posixpath.split(part.lstrip("/"))
        rels = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        out: dict[str, str] = {}
        if rels is None:
            return out
        for rel in rels.iter(_REL + "Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            kind = "/" + (rel.get("Type") or "").rstrip("/").rpartition("/")[2]
            target = rel.get("Target") or ""
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out.setdefault(kind, path)
        return out

    def read(self) -> Report:
        report = Report(self.name)
        main = self.relations("").get(_OFFICE_DOCUMENT)
        document = self.xml(main) if main else None
        if document is None or document.tag != W + "document":
            raise InvalidInput(_("{name} is not a Word document").format(name=self.name),
                               hint=_("give the .docx file fieldnotes exported and the meeting commented"))
        self.identity(report)
        rels = self.relations(main or "")
        comments = self.comments(rels)
        self.walk(document, report, comments)
        self.threads(rels, comments)
        report.comments = sorted(comments.values(), key=lambda c: c.order)
        return report

    # --- which project and export, what the anchors point at ----------------------------------------
    def identity(self, report: Report) -> None:
        for key, real in self.members.items():
            if not _CUSTOM_ITEM.match(key):
                continue
            root = self.xml(real)
            if root is None or root.tag != f"{{{NAMESPACE}}}report":
                continue
            report.project_id, report.export_id = root.get("project") or "", root.get("export") or ""
            for child in root:
                bookmark = (child.get("bookmark") or "").lower()
                if child.tag == f"{{{NAMESPACE}}}excerpt" and bookmark:
                    report.codings[bookmark] = ((child.get("codings") or "").split(), child.get("code") or "")
                elif child.tag == f"{{{NAMESPACE}}}code" and bookmark:
                    report.codes[bookmark] = child.get("id") or ""
            break
        if report.project_id and report.export_id:
            return
        props = self.xml("docProps/custom.xml")  # LibreOffice keeps these where it drops the custom XML part
        if props is None:
            return
        for prop in props.iter(_PROPS + "property"):
            value = "".join(prop.itertext()).strip()
            if prop.get("name") == PROJECT_PROPERTY:
                report.project_id = report.project_id or value
            elif prop.get("name") == EXPORT_PROPERTY:
                report.export_id = report.export_id or value

    # --- the comments ------------------------------------------------------------------------------
    def comments(self, rels: dict[str, str]) -> dict[str, ReportComment]:
        part = rels.get(_COMMENTS)
        root = self.xml(part) if part else None
        out: dict[str, ReportComment] = {}
        if root is None:
            return out
        self.para_ids: dict[str, str] = {}  # a comment's last paragraph's w14:paraId -> its id
        for comment in root.iter(W + "comment"):
            cid = comment.get(W + "id") or ""
            paragraphs = [p for p in comment.iter(W + "p")]
            text = "\n".join(_paragraph_text(p) for p in paragraphs).strip()
            out[cid] = ReportComment(id=cid, author=(comment.get(W + "author") or "").strip(),
                                     date=_date(comment.get(W + "date")), text=text, order=len(out))
            if paragraphs and paragraphs[-1].get(W14 + "paraId"):
                self.para_ids[paragraphs[-1].get(W14 + "paraId").upper()] = cid
        return out

    def walk(self, document: Any, report: Report, comments: dict[str, ReportComment]) -> None:
        """One pass in document order: which of our bookmarks are open where each comment starts, and
        the text each comment's range covers."""
        open_anchors: dict[str, str] = {}  # bookmark id -> name, in the order they opened
        capturing: dict[str, list[str]] = {}
        waiting: set[str] = set()  # comments that started outside every anchor: the first one opening inside
        seen_start: set[str] = set()
        position = 0
        bookmark_start, bookmark_end = W + "bookmarkStart", W + "bookmarkEnd"
        range_start, range_end, reference = W + "commentRangeStart", W + "commentRangeEnd", W + "commentReference"
        text_tag, paragraph, tab, br = W + "t", W + "p", W + "tab", W + "br"
        for element in document.iter(bookmark_start, bookmark_end, range_start, range_end, reference, text_tag,
                                     paragraph, tab, br):
            tag = element.tag
            if tag == text_tag:
                if capturing and element.text:
                    for pieces in capturing.values():
                        pieces.append(element.text)
            elif tag in (paragraph, tab, br):
                if capturing:
                    for pieces in capturing.values():
                        if pieces and pieces[-1] != " ":
                            pieces.append(" ")
            elif tag == bookmark_start:
                name = (element.get(W + "name") or "").lower()
                if name.startswith(_OUR_BOOKMARKS):
                    report.anchored = True
                    open_anchors[element.get(W + "id") or ""] = name
                    for cid in list(waiting):
                        if cid in comments:
                            comments[cid].anchor = name
                        waiting.discard(cid)
            elif tag == bookmark_end:
                open_anchors.pop(element.get(W + "id") or "", None)
            elif tag == range_start:
                cid = element.get(W + "id") or ""
                seen_start.add(cid)
                capturing[cid] = []
                position += 1
                if cid in comments:
                    comments[cid].order = position
                    if open_anchors:
                        comments[cid].anchor = next(reversed(open_anchors.values()))
                    else:
                        waiting.add(cid)
            elif tag == range_end:
                cid = element.get(W + "id") or ""
                waiting.discard(cid)
                covered = capturing.pop(cid, None)
                if covered is not None and cid in comments:
                    comments[cid].quoted = "".join(covered).strip()[:MAX_QUOTE]
            elif tag == reference:
                cid = element.get(W + "id") or ""
                if cid in comments and cid not in seen_start:  # a comment on a point, not a range
                    seen_start.add(cid)
                    position += 1
                    comments[cid].order = position
                    if open_anchors:
                        comments[cid].anchor = next(reversed(open_anchors.values()))
        for cid, pieces in capturing.items():  # a range never closed: keep what it covered
            if cid in comments:
                comments[cid].quoted = "".join(pieces).strip()[:MAX_QUOTE]

    def threads(self, rels: dict[str, str], comments: dict[str, ReportComment]) -> None:
        """Replies (commentsExtended) and true UTC dates (commentsIds + commentsExtensible)."""
        para_ids = getattr(self, "para_ids", {})
        part = rels.get(_COMMENTS_EXTENDED)
        extended = self.xml(part) if part else None
        if extended is not None:
            for entry in extended.iter(W15 + "commentEx"):
                child = para_ids.get((entry.get(W15 + "paraId") or "").upper())
                parent = para_ids.get((entry.get(W15 + "paraIdParent") or "").upper())
                if child in comments and parent in comments and child != parent:
                    comments[child].parent = parent
        # a reply follows its thread: parents first, replies by date then document order
        for comment in comments.values():
            root, seen = comment, {comment.id}
            while root.parent is not None and root.parent in comments and root.parent not in seen:
                seen.add(root.parent)
                root = comments[root.parent]
            if root is not comment:
                if comment.anchor is None:
                    comment.anchor = root.anchor
                comment.parent = root.id  # Word threads are one level deep: every reply answers the first
        ids_part, extensible_part = rels.get(_COMMENTS_IDS), rels.get(_COMMENTS_EXTENSIBLE)
        if ids_part and extensible_part:
            ids_root, ext_root = self.xml(ids_part), self.xml(extensible_part)
            if ids_root is not None and ext_root is not None:
                durable = {(e.get(W16CID + "durableId") or "").upper(): para_ids.get((e.get(W16CID + "paraId")
                                                                                       or "").upper())
                           for e in ids_root.iter(W16CID + "commentId")}
                for entry in ext_root.iter(W16CEX + "commentExtensible"):
                    cid = durable.get((entry.get(W16CEX + "durableId") or "").upper())
                    when = _date(entry.get(W16CEX + "dateUtc"))
                    if cid in comments and when is not None:
                        comments[cid].date = when
        roots = {c.id: c.order for c in comments.values() if c.parent is None}
        for comment in comments.values():
            if comment.parent is not None:
                comment.order = roots.get(comment.parent, comment.order)
        ordered = sorted(comments.values(), key=lambda c: (c.order, c.parent is not None,
                                                           c.date or dt.datetime.min.replace(tzinfo=dt.UTC)))
        for index, comment in enumerate(ordered):
            comment.order = index


def _paragraph_text(paragraph: Any) -> str:
    parts = []
    for element in paragraph.iter(W + "t", W + "tab", W + "br"):
        if element.tag == W + "t":
            parts.append(element.text or "")
        else:
            parts.append("\t" if element.tag == W + "tab" else "\n")
    return "".join(parts)


def _date(value: str | None) -> dt.datetime | None:
    """A comment's date as UTC (a date without a zone is taken as UTC, as Word marks its own)."""
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).replace(microsecond=0)


def coding_ids(report: Report, anchor: str) -> tuple[list[uuid.UUID], uuid.UUID | None]:
    """The codings (and their code) an excerpt's anchor stands for: from the custom XML part, or from the
    bookmark's own name when a word processor dropped the part."""
    entry = report.codings.get(anchor)
    if entry is not None:
        found = []
        for text in entry[0]:
            try:
                found.append(uuid.UUID(text))
            except ValueError:
                continue
        try:
            code = uuid.UUID(entry[1]) if entry[1] else None
        except ValueError:
            code = None
        if found:
            return found, code
    parsed = parse_bookmark(anchor)
    return ([parsed[1]] if parsed is not None and parsed[0] == "coding" else []), None


def code_id(report: Report, anchor: str) -> uuid.UUID | None:
    parsed = parse_bookmark(anchor)
    return parsed[1] if parsed is not None and parsed[0] == "code" else None
