"""Whole documents with every coding as a Word comment, for reviewers who live in Word.

Each coding becomes a comment by its coder, anchored on exactly the coded text (the text is cut into
runs at every coding boundary, so overlapping codings each get their own range), holding the code
path, the coder, the rating and the memo. Lines of the document become paragraphs; a coding may run
across several.
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from fieldnotes.coding.excerpts import Excerpt
from fieldnotes.export import ooxml
from fieldnotes.export.docx_skeleton import WordDocument
from fieldnotes.export.gather import AnnotatedDocument, AnnotatedSet, CodeEntry, Progress
from fieldnotes.export.labels import N_, Labels

_REFERENCE = '<w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split() if part)[:4].upper()


def _comment_date(coding: Excerpt, fallback: dt.datetime) -> str:
    when = dt.datetime.fromisoformat(coding.created_at) if coding.created_at else fallback
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when.replace(microsecond=0).isoformat() + "Z"


def comment_lines(coding: Excerpt, code: CodeEntry | None, _: Labels) -> list[tuple[str, str]]:
    """The comment's paragraphs as (label, text); the first is the code path."""
    lines = [("", coding.code_path)]
    about = [_("coded by {coder}", coder=coding.coder)]
    if coding.rating is not None:
        label = code.rating_label(coding.rating) if code else None
        scale = f"/{code.scale[1]}" if code and code.scale else ""
        about.append(f"{_('Rating')}: {coding.rating}{scale}" + (f" – {label}" if label else ""))
    lines.append(("", " · ".join(about)))
    if coding.memo:
        lines.append((_("Memo"), coding.memo))
    if coding.needs_review:
        lines.append((_("Needs review"), _("the text around it was edited after coding")))
    return lines


class _Writer:
    def __init__(self, data: AnnotatedSet, lang: str, progress: Progress | None) -> None:
        self.data = data
        self._ = Labels(lang)
        self.progress = progress
        self.codes = {c.id: c for c in data.codes}
        _ = self._
        self.doc = WordDocument(lang=self._.lang, title=f"{data.project_name} — {_('Annotated documents')}",
                                author=data.exported_by, header=f"{data.project_name}\t{_('Annotated documents')}",
                                keywords="fieldnotes", created=data.exported_at)
        self.comments: list[str] = []

    def write(self, handle: IO[bytes]) -> None:
        _ = self._
        anchors = [self.doc.bookmark_name() for _doc in self.data.documents]
        self.title_page()
        self.doc.add(ooxml.paragraph(ooxml.run(_("Contents")), "TOCHeading", "<w:pageBreakBefore/>"))
        for document, (_id, name) in zip(self.data.documents, anchors, strict=True):
            link = ooxml.run(document.title) + "<w:r><w:tab/></w:r>" + ooxml.field(f"PAGEREF {name} \\h")
            self.doc.add(ooxml.paragraph(ooxml.internal_link(name, link), "TOC1"))
        for index, (document, bookmark) in enumerate(zip(self.data.documents, anchors, strict=True)):
            self.document(document, bookmark)
            if self.progress:
                self.progress(index + 1, len(self.data.documents))
        self.doc.add(ooxml.paragraph(""))
        self.doc.add_comments("".join(self.comments))
        self.doc.save(handle)

    def title_page(self) -> None:
        _, data = self._, self.data
        self.doc.add(ooxml.paragraph(ooxml.run(data.project_name), "Title"))
        self.doc.add(ooxml.paragraph(ooxml.run(_("Annotated documents")), "Subtitle"))
        facts = [(_("Documents"), "; ".join(d.title for d in data.documents))]
        facts += [(_.filter_name(k), v) for k, v in data.filters.describe() if k in ("codes", "coders", "rating")]
        local = data.exported_at.astimezone()
        facts.append((_("Exported"), f"{_.date(local.date())}, {local:%H:%M}"))
        if data.exported_by:
            facts.append((_("Exported by"), data.exported_by))
        facts.append((_("Codings"), _.count(data.codings, N_("{n} coding, each a comment"),
                                            N_("{n} codings, each a comment"))))
        facts.append((_("Pseudonymised"), _("yes") if data.pseudonymized else _("no")))
        for label, value in facts:
            self.doc.add(ooxml.paragraph(
                ooxml.run(label, ooxml.run_properties(style="FactLabel")) + "<w:r><w:tab/></w:r>" + ooxml.run(value),
                "TitleFact"))

    def document(self, document: AnnotatedDocument, anchor: tuple[int, str]) -> None:
        _ = self._
        self.doc.add(ooxml.paragraph(ooxml.bookmark(anchor[0], anchor[1], ooxml.run(document.title)), "Heading1"))
        meta = [document.municipality or "", _.kind(document.kind), _.date(document.date), document.activity or "",
                _.count(len(document.codings), N_("{n} coding"), N_("{n} codings"))]
        self.doc.add(ooxml.paragraph(ooxml.run(" · ".join(m for m in meta if m)), "DocumentMeta"))
        first_id = len(self.comments)
        starts: dict[int, list[int]] = {}
        ends: dict[int, list[int]] = {}
        for offset, coding in enumerate(document.codings):
            comment_id = first_id + offset
            starts.setdefault(coding.start, []).append(comment_id)
            ends.setdefault(coding.end, []).append(comment_id)
            self.comments.append(self.comment(comment_id, coding))
        cuts = sorted(set(starts) | set(ends))
        text = document.text
        paragraphs = []
        line_start = 0
        cut_index = 0
        for line in text.split("\n"):
            line_end = line_start + len(line)
            content = []
            position = line_start
            while cut_index < len(cuts) and cuts[cut_index] <= line_end:
                cut = cuts[cut_index]
                content.append(ooxml.run(text[position:cut]))
                for comment_id in ends.get(cut, []):
                    content.append(f'<w:commentRangeEnd w:id="{comment_id}"/><w:r>{_REFERENCE}'
                                   f'<w:commentReference w:id="{comment_id}"/></w:r>')
                for comment_id in starts.get(cut, []):
                    content.append(f'<w:commentRangeStart w:id="{comment_id}"/>')
                position = cut
                cut_index += 1
            content.append(ooxml.run(text[position:line_end]))
            paragraphs.append(ooxml.paragraph("".join(content), "DocumentText"))
            line_start = line_end + 1
        self.doc.add("".join(paragraphs))

    def comment(self, comment_id: int, coding: Excerpt) -> str:
        code = self.codes.get(coding.code)
        paragraphs = []
        for index, (label, value) in enumerate(comment_lines(coding, code, self._)):
            content = ""
            if index == 0:
                content += f"<w:r>{_REFERENCE}<w:annotationRef/></w:r>"
                if code is not None:
                    content += ooxml.run("■ ", ooxml.run_properties(color=code.color))
                content += ooxml.run(value, "<w:rPr><w:b/></w:rPr>")
            else:
                if label:
                    content += ooxml.run(f"{label}: ", "<w:rPr><w:i/></w:rPr>")
                content += ooxml.run(value)
            paragraphs.append(ooxml.paragraph(content, "CommentText"))
        author = ooxml.escape(coding.coder)
        marks = ooxml.escape(initials(coding.coder))
        return (f'<w:comment w:id="{comment_id}" w:author="{author}" w:initials="{marks}"'
                f' w:date="{_comment_date(coding, self.data.exported_at)}">{"".join(paragraphs)}</w:comment>')


def write_annotated_docx(data: AnnotatedSet, handle: IO[bytes], *, lang: str = "en",
                         progress: Progress | None = None) -> None:
    """Write the chosen documents, each coding a comment, to an open binary file."""
    _Writer(data, lang, progress).write(handle)
