"""Whole documents with every coding marked in the text and as a Word comment, for reading on paper
as well as in Word.

Comments do not print by default, so the text carries the codings itself: coded text is shaded in a
light tint of its code's colour and underlined in a pattern of its own per code (single, double,
dotted, wavy ...), which still reads when printed in black and white; a small bold number from the
legend opens ("[3") and closes ("3]") each coding, so overlapping codings stay apart. Where codings
overlap, the shortest (innermost) one gives the shade and the underline. A legend after the contents
lists the codes with their numbers, colours and underlines. Every paragraph is numbered in the margin
with the number the report's citations give ("para. N": the document's lines counted from 1).

Each coding is also a comment by its coder, anchored on exactly the coded text (the text is cut into
runs at every coding boundary, so overlapping codings each get their own range), holding the code
path, the coder, the rating and the memo. Lines of the document become paragraphs; a coding may run
across several.
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from fieldnotes.coding.excerpts import Excerpt
from fieldnotes.export import ooxml
from fieldnotes.export.docx_skeleton import TEXT_WIDTH, WordDocument
from fieldnotes.export.gather import AnnotatedDocument, AnnotatedSet, CodeEntry, Progress
from fieldnotes.export.labels import N_, Labels

_REFERENCE = '<w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'
_MARK = '<w:rPr><w:rStyle w:val="CodingMark"/></w:rPr>'
_NUMBER = '<w:rPr><w:rStyle w:val="ParagraphNumber"/></w:rPr>'

#: underline patterns, one per code in turn (w:u values), with the words the legend uses for them
UNDERLINES = (
    ("single", N_("single underline")),
    ("double", N_("double underline")),
    ("dotted", N_("dotted underline")),
    ("wavyHeavy", N_("wavy underline")),  # a thin wave is too faint once printed in grey
    ("dash", N_("dashed underline")),
    ("thick", N_("thick underline")),
    ("dotDash", N_("dot-dash underline")),
    ("dashLong", N_("long-dash underline")),
    ("dotDotDash", N_("dot-dot-dash underline")),
    ("dottedHeavy", N_("heavy dotted underline")),
    ("dashedHeavy", N_("heavy dashed underline")),
    ("dashLongHeavy", N_("heavy long-dash underline")),
)
TINT = 0.3  # the share of the code's colour in the shading (the rest is white), light enough to read on


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split() if part)[:4].upper()


def tint(color: str, share: float = TINT) -> str:
    """The code's colour mixed with white: a shade black text reads well on."""
    value = ooxml.hex_color(color)
    return "".join(f"{round(255 - (255 - int(value[i:i + 2], 16)) * share):02X}" for i in (0, 2, 4))


def ink(color: str) -> str:
    """The code's colour, darkened until it prints as a dark grey, for its underline."""
    value = ooxml.hex_color(color)
    channels = [int(value[i:i + 2], 16) for i in (0, 2, 4)]
    while 0.299 * channels[0] + 0.587 * channels[1] + 0.114 * channels[2] > 110:
        channels = [round(c * 0.85) for c in channels]
    return "".join(f"{c:02X}" for c in channels)


class Cue:
    """How one code is marked in the text: its legend number, shade and underline."""

    def __init__(self, number: int, code: CodeEntry | None) -> None:
        color = code.color if code else "#808080"
        self.number = number
        self.fill = tint(color)
        self.underline, self.underline_words = UNDERLINES[(number - 1) % len(UNDERLINES)]
        self.rpr = (f'<w:rPr><w:u w:val="{self.underline}" w:color="{ink(color)}"/>'
                    f'<w:shd w:val="clear" w:color="auto" w:fill="{self.fill}"/></w:rPr>')


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
        used = {c.code for d in data.documents for c in d.codings}
        order = [c.id for c in data.codes if c.id in used] + sorted(used - {c.id for c in data.codes})
        self.cues = {code_id: Cue(number, self.codes.get(code_id)) for number, code_id in enumerate(order, 1)}
        _ = self._
        self.doc = WordDocument(lang=self._.lang, title=f"{data.project_name} — {_('Annotated documents')}",
                                author=data.exported_by, header=f"{data.project_name}\t{_('Annotated documents')}",
                                keywords="fieldnotes", created=data.exported_at)
        self.comments: list[str] = []

    def write(self, handle: IO[bytes]) -> None:
        _ = self._
        self.title_page()
        self.doc.contents(_("Contents"))
        self.legend()
        for index, document in enumerate(self.data.documents):
            self.document(document)
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
        facts.append((_("Codings"), _.count(data.codings, N_("{n} coding, marked in the text and as a comment"),
                                            N_("{n} codings, each marked in the text and as a comment"))))
        facts.append((_("Pseudonymised"), _("yes") if data.pseudonymized else _("no")))
        for label, value in facts:
            self.doc.add(ooxml.paragraph(
                ooxml.run(label, ooxml.run_properties(style="FactLabel")) + "<w:r><w:tab/></w:r>" + ooxml.run(value),
                "TitleFact"))

    def legend(self) -> None:
        """The codes used, each with its number, its shade and underline on a sample word, and their words."""
        _ = self._
        self.doc.add(self.doc.heading(1, _("Legend")))
        self.doc.add(ooxml.paragraph(ooxml.run(_(
            "Coded text is shaded in its code's colour and underlined in its code's pattern, which also shows "
            "when printed in black and white. A small number opens ([3) and closes (3]) each coding. Where "
            "codings overlap, the innermost gives the shade and underline. The numbers in the margin are the "
            "paragraph numbers the report's citations refer to. Each coding is also a comment.")),
            "CodeDefinition"))
        widths = (680, 1700, TEXT_WIDTH - 680 - 1700 - 2400, 2400)
        rows = []
        for code_id, cue in self.cues.items():
            code = self.codes.get(code_id)
            cells = (ooxml.run(str(cue.number), "<w:rPr><w:b/></w:rPr>"),
                     ooxml.run(_("Sample text"), cue.rpr),
                     ooxml.run("■ ", ooxml.run_properties(color=code.color if code else None))
                     + ooxml.run(code.path if code else code_id),
                     ooxml.run(_(cue.underline_words)))
            rows.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>' + "".join(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
                + ooxml.paragraph(content, "LegendCell") + "</w:tc>" for width, content in zip(widths, cells,
                                                                                               strict=True))
                + "</w:tr>")
        rule = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="D9D9D9"/>'
        borders = "".join(rule.format(side=s) for s in ("top", "bottom", "insideH"))
        grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
        self.doc.add(f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblBorders>{borders}'
                     '</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr>'
                     f'<w:tblGrid>{grid}</w:tblGrid>' + "".join(rows) + "</w:tbl>")

    def document(self, document: AnnotatedDocument) -> None:
        _ = self._
        self.doc.add(self.doc.heading(1, document.title))
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
        codings = {first_id + offset: coding for offset, coding in enumerate(document.codings)}
        active: set[int] = set()
        cuts = sorted(set(starts) | set(ends))
        text = document.text
        paragraphs = []
        line_start = 0
        cut_index = 0
        for number, line in enumerate(text.split("\n"), 1):
            line_end = line_start + len(line)
            content = [ooxml.run(str(number), _NUMBER) + "<w:r><w:tab/></w:r>"] if line else []
            position = line_start
            while cut_index < len(cuts) and cuts[cut_index] <= line_end:
                cut = cuts[cut_index]
                content.append(self.text_run(text[position:cut], active, codings))
                closing = ends.get(cut, [])
                if closing:
                    content.append(ooxml.run("".join(f"{self.cue(codings[i]).number}]" for i in closing), _MARK))
                for comment_id in closing:
                    active.discard(comment_id)
                    content.append(f'<w:commentRangeEnd w:id="{comment_id}"/><w:r>{_REFERENCE}'
                                   f'<w:commentReference w:id="{comment_id}"/></w:r>')
                opening = starts.get(cut, [])
                if opening:
                    content.append(ooxml.run("".join(f"[{self.cue(codings[i]).number}" for i in opening), _MARK))
                for comment_id in opening:
                    active.add(comment_id)
                    content.append(f'<w:commentRangeStart w:id="{comment_id}"/>')
                position = cut
                cut_index += 1
            content.append(self.text_run(text[position:line_end], active, codings))
            paragraphs.append(ooxml.paragraph("".join(content), "DocumentText"))
            line_start = line_end + 1
        self.doc.add("".join(paragraphs))

    def cue(self, coding: Excerpt) -> Cue:
        return self.cues[coding.code]

    def text_run(self, text: str, active: set[int], codings: dict[int, Excerpt]) -> str:
        """The text between two coding boundaries, marked with the innermost active coding's cue."""
        if not active:
            return ooxml.run(text)
        inner = min(active, key=lambda i: (codings[i].end - codings[i].start, -codings[i].start, i))
        return ooxml.run(text, self.cue(codings[inner]).rpr)

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
    """Write the chosen documents, each coding marked in the text and a comment, to an open binary file."""
    _Writer(data, lang, progress).write(handle)
