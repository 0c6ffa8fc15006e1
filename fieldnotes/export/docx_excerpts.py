"""Coded excerpts as a Word report for an analysis meeting.

Title page (project, filters in words, date, who exported, how many excerpts), contents, one heading
per code in codebook order with its short definition, memos and excerpts (optionally grouped by
municipality, document or phase), document memos, and the codebook entries as an appendix.

With an overview (`fieldnotes.export.cells.overview`), the code matrix follows the contents as a table
with shaded cells (`docx_overview`); with a cell (`cells.gather_cell`), the title page names it.

Each excerpt is a quotation with a bar in its code's colour, optional context in lighter type, a
citation line (document · municipality · kind · date · speaker · position · coder), then its rating,
memo and the other codes overlapping it. The bulk is written as markup (`ooxml`), so ten thousand
excerpts take about a second rather than the half-minute python-docx's object layer needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from fieldnotes.coding.excerpts import Excerpt
from fieldnotes.export import docx_overview, ooxml
from fieldnotes.export.docx_skeleton import INDENT, TEXT_WIDTH, WordDocument
from fieldnotes.export.gather import CodeEntry, ExportSet, MemoNote, Progress
from fieldnotes.export.labels import CODEBOOK_FIELDS, N_, Labels

if TYPE_CHECKING:
    from fieldnotes.export.cells import Cell, Overview

GROUPINGS = ("municipality", "document", "phase")
MAX_HEADING_LEVEL = 4
PROGRESS_EVERY = 500


def heading_level(depth: int) -> int:
    """Heading level follows the code's depth in the tree, capped where Word's outline stops being read."""
    return min(depth + 1, MAX_HEADING_LEVEL)


def citation_parts(excerpt: Excerpt, _: Labels) -> list[str]:
    """document title · municipality · kind · date · speaker · position · coder (what is known)."""
    speaker = excerpt.speaker or ""
    if speaker and excerpt.speaker_role:
        speaker = f"{speaker} ({excerpt.speaker_role})"
    position = _("para. {n}", n=excerpt.paragraph) if excerpt.paragraph is not None else ""
    if excerpt.timestamp:
        position = f"{position}, {excerpt.timestamp}" if position else excerpt.timestamp
    coder = _("coded by {coder}", coder=excerpt.coder) if excerpt.coder else ""
    parts = [excerpt.document_title, excerpt.municipality or "", _.kind(excerpt.kind), _.date(excerpt.date),
             speaker, position, coder]
    return [p for p in parts if p]


def citation(excerpt: Excerpt, _: Labels) -> str:
    return " · ".join(citation_parts(excerpt, _))


def _group_key(excerpt: Excerpt, group_by: str) -> tuple[object, ...]:
    if group_by == "municipality":
        return (excerpt.municipality is None, (excerpt.municipality or "").casefold())
    if group_by == "phase":
        return (excerpt.phase is None, excerpt.phase or 0)
    return (excerpt.date or "9999", excerpt.document_title.casefold(), excerpt.document)


def _group_label(excerpt: Excerpt, group_by: str, _: Labels) -> str:
    if group_by == "municipality":
        return excerpt.municipality or _("No municipality")
    if group_by == "phase":
        return _("Phase {n}", n=excerpt.phase) if excerpt.phase is not None else _("Before the fieldwork or undated")
    when = _.date(excerpt.date)
    return f"{excerpt.document_title} · {when}" if when else excerpt.document_title


def grouped(items: list[Excerpt], group_by: str | None, _: Labels) -> list[tuple[str | None, list[Excerpt]]]:
    """Excerpts under group labels (sorted), keeping their own order within a group."""
    if not group_by:
        return [(None, items)]
    groups: dict[tuple[object, ...], list[Excerpt]] = {}
    for excerpt in items:
        groups.setdefault(_group_key(excerpt, group_by), []).append(excerpt)
    return [(_group_label(members[0], group_by, _), members) for _key, members in sorted(groups.items())]


class _Writer:
    def __init__(self, data: ExportSet, lang: str, group_by: str | None, progress: Progress | None,
                 overview: Overview | None = None, cell: Cell | None = None) -> None:
        self.data = data
        self.overview = overview
        self.cell = cell
        self._ = Labels(lang)
        self.lang = self._.lang
        self.group_by = group_by
        self.progress = progress
        self.by_code: dict[str, list[Excerpt]] = {}
        for excerpt in data.excerpts:
            self.by_code.setdefault(excerpt.code, []).append(excerpt)
        _ = self._
        self.doc = WordDocument(
            lang=self.lang, title=f"{data.project_name} — {_('Coded excerpts')}", author=data.exported_by,
            subject="; ".join(f"{k}: {v}" for k, v in _.filter_facts(data.filters)),
            header=f"{data.project_name}\t{_('Coded excerpts')}", keywords="fieldnotes",
            created=data.exported_at)
        self.done = 0

    # --- the whole report ------------------------------------------------------------------------
    def write(self, handle: IO[bytes]) -> None:
        _ = self._
        anchors = {code.id: self.doc.bookmark_name() for code in self.data.codes}
        memo_anchor = self.doc.bookmark_name()
        appendix_anchor = self.doc.bookmark_name()
        overview_anchor = self.doc.bookmark_name()
        has_document_memos = self.data.with_memos and any(self.data.document_memos.values())
        self.title_page()
        entries = [(heading_level(c.depth), c.name, anchors[c.id][1]) for c in self.data.codes]
        if self.overview is not None:
            entries.insert(0, (1, docx_overview.heading_text(self.overview, _), overview_anchor[1]))
        if has_document_memos:
            entries.append((1, _("Document memos"), memo_anchor[1]))
        entries.append((1, _("Appendix: Codebook"), appendix_anchor[1]))
        self.contents(entries)
        if self.overview is not None:
            self.overview_section(self.overview, overview_anchor)
        for code in self.data.codes:
            self.code_section(code, anchors[code.id])
        if has_document_memos:
            self.document_memos(memo_anchor)
        self.appendix(appendix_anchor)
        self.doc.add(ooxml.paragraph(""))
        if self.progress:
            self.progress(len(self.data.excerpts), len(self.data.excerpts))
        self.doc.save(handle)

    # --- parts -----------------------------------------------------------------------------------
    def title_page(self) -> None:
        _, data = self._, self.data
        self.doc.add(ooxml.paragraph(ooxml.run(data.project_name), "Title"))
        self.doc.add(ooxml.paragraph(ooxml.run(_("Coded excerpts")), "Subtitle"))
        facts: list[tuple[str, str]] = _.filter_facts(data.filters)
        if not facts and self.cell is None:
            facts.append((_("Filters"), _("none: every coded excerpt")))
        if self.cell is not None:
            facts.append((_("Matrix cell"), docx_overview.cell_text(self.cell, _)))
        if data.selection:
            facts.append((_("Selection"), data.selection))
        if data.context is not None:
            facts.append((_("Context"), self.context_words(data.context)))
        if self.group_by:
            facts.append((_("Grouped by"), {"municipality": _("municipality"), "document": _("document"),
                                            "phase": _("phase")}[self.group_by]))
        local = data.exported_at.astimezone()
        facts.append((_("Exported"), f"{_.date(local.date())}, {local:%H:%M}"))
        if data.exported_by:
            facts.append((_("Exported by"), data.exported_by))
        documents = len({e.document for e in data.excerpts})
        facts.append((_("Excerpts"), _.count(len(data.excerpts), N_("{n} excerpt"), N_("{n} excerpts")) + " "
                      + _.count(documents, N_("from {n} document"), N_("from {n} documents"))))
        facts.append((_("Pseudonymised"), _("yes") if data.pseudonymized else _("no")))
        for label, value in facts:
            self.doc.add(ooxml.paragraph(
                ooxml.run(label, ooxml.run_properties(style="FactLabel")) + "<w:r><w:tab/></w:r>" + ooxml.run(value),
                "TitleFact"))

    def overview_section(self, overview: Overview, anchor: tuple[int, str]) -> None:
        _ = self._
        self.doc.add(ooxml.paragraph(ooxml.bookmark(anchor[0], anchor[1], ooxml.run(
            docx_overview.heading_text(overview, _))), "Heading1"))
        self.doc.add(ooxml.paragraph(ooxml.run(docx_overview.explanation(overview, _, self.cell)), "CodeDefinition"))
        self.doc.add(docx_overview.overview_table(overview, _))
        self.doc.add(ooxml.paragraph(""))

    def context_words(self, context: str | int) -> str:
        _ = self._
        if context == "sentence":
            return _("the surrounding sentence")
        if context == "turn":
            return _("the speaker's turn")
        if context == "paragraph":
            return _("the surrounding paragraph")
        return _.count(int(context), N_("{n} character on each side"), N_("{n} characters on each side"))

    def contents(self, entries: list[tuple[int, str, str]]) -> None:
        """Entries written out (readers see them at once), linked to the headings; page numbers are
        PAGEREF fields, which LibreOffice fills in as it lays out and Word on F9 or when printing."""
        _ = self._
        self.doc.add(ooxml.paragraph(ooxml.run(_("Contents")), "TOCHeading", "<w:pageBreakBefore/>"))
        for level, text, anchor in entries:
            link = ooxml.run(text) + "<w:r><w:tab/></w:r>" + ooxml.field(f"PAGEREF {anchor} \\h")
            self.doc.add(ooxml.paragraph(ooxml.internal_link(anchor, link), f"TOC{level}"))

    def code_section(self, code: CodeEntry, anchor: tuple[int, str]) -> None:
        _ = self._
        level = heading_level(code.depth)
        self.doc.add(ooxml.paragraph(ooxml.bookmark(anchor[0], anchor[1], ooxml.run(code.name)), f"Heading{level}"))
        short = code.text("short", self.lang)
        if short:
            self.doc.add(ooxml.paragraph(ooxml.run(short), "CodeDefinition"))
        items = self.by_code.get(code.id, [])
        if items:
            documents = len({e.document for e in items})
            self.doc.add(ooxml.paragraph(ooxml.run(
                _.count(len(items), N_("{n} excerpt"), N_("{n} excerpts")) + " "
                + _.count(documents, N_("from {n} document"), N_("from {n} documents"))), "CodeSummary"))
        if self.data.with_memos:
            for memo in code.memos:
                self.doc.add(self.memo(memo))
        if not items:
            return
        bar = ooxml.left_bar(code.color)
        for label, members in grouped(items, self.group_by, _):
            if label is not None:
                self.doc.add(ooxml.paragraph(ooxml.run(label), "ExcerptGroup"))
            self.doc.add("".join(self.excerpt(e, code, bar) for e in members))

    def excerpt(self, e: Excerpt, code: CodeEntry, bar: str) -> str:
        _ = self._
        context_style = '<w:rPr><w:rStyle w:val="ExcerptContext"/></w:rPr>'
        quote = ooxml.run(e.context_before, context_style) + ooxml.run(e.text) + ooxml.run(e.context_after,
                                                                                              context_style)
        parts = [ooxml.paragraph(quote, "Excerpt", bar)]
        cited = citation_parts(e, _)
        title, rest = cited[0], cited[1:]
        parts.append(ooxml.paragraph(
            ooxml.run(title, "<w:rPr><w:i/></w:rPr>") + ooxml.run("".join(" · " + p for p in rest)),
            "ExcerptCitation"))
        if e.rating is not None:
            label = code.rating_label(e.rating)
            scale = f"/{code.scale[1]}" if code.scale else ""
            parts.append(self.note(_("Rating"), f"{e.rating}{scale}" + (f" – {label}" if label else "")))
        if e.memo:
            parts.append(self.note(_("Memo"), e.memo))
        for memo in self.data.coding_memos.get(e.id, []) if self.data.with_memos else []:
            parts.append(self.note(_("Memo"), memo.text + self.memo_byline(memo)))
        if e.overlapping:
            parts.append(self.note(_("Also coded"), "; ".join(e.overlapping)))
        if e.needs_review:
            parts.append(self.note(_("Needs review"), _("the text around it was edited after coding")))
        self.done += 1
        if self.progress and self.done % PROGRESS_EVERY == 0:
            self.progress(self.done, len(self.data.excerpts))
        return "".join(parts)

    def note(self, label: str, value: str) -> str:
        return ooxml.paragraph(ooxml.run(f"{label}: ", '<w:rPr><w:rStyle w:val="NoteLabel"/></w:rPr>')
                               + ooxml.run(value), "ExcerptNote")

    def memo_byline(self, memo: MemoNote) -> str:
        who = ", ".join(x for x in (memo.author or "", self._.date(memo.date)) if x)
        return f" ({who})" if who else ""

    def memo(self, memo: MemoNote) -> str:
        byline = self.memo_byline(memo).strip(" ()")
        content = ooxml.run(memo.text)
        if byline:
            content += "<w:r><w:br/></w:r>" + ooxml.run(f"— {byline}", ooxml.run_properties(color="808080", size=8.5))
        return ooxml.paragraph(content, "Memo")

    def document_memos(self, anchor: tuple[int, str]) -> None:
        _ = self._
        self.doc.add(ooxml.paragraph(ooxml.bookmark(anchor[0], anchor[1], ooxml.run(_("Document memos"))),
                                     "Heading1"))
        titles = self.data.document_titles
        for doc_id in sorted(self.data.document_memos, key=lambda d: titles.get(d, "").casefold()):
            memos = self.data.document_memos[doc_id]
            if not memos:
                continue
            self.doc.add(ooxml.paragraph(ooxml.run(titles.get(doc_id, doc_id)), "ExcerptGroup"))
            for memo in memos:
                self.doc.add(self.memo(memo))

    def appendix(self, anchor: tuple[int, str]) -> None:
        _ = self._
        self.doc.add(ooxml.paragraph(ooxml.bookmark(anchor[0], anchor[1], ooxml.run(_("Appendix: Codebook"))),
                                     "Heading1"))
        self.doc.add(ooxml.paragraph(ooxml.run(_(
            "The codebook entries of the codes in this report (MacQueen et al. 1998).")), "CodeDefinition"))
        for code in self.data.codes:
            marker = ooxml.run("■ ", ooxml.run_properties(color=code.color))
            name = code.path + (f" ({code.gloss(self.lang)})" if code.gloss(self.lang) else "")
            self.doc.add(ooxml.paragraph(marker + ooxml.run(name), "CodebookTerm"))
            rows = [(_(label), code.text(key, self.lang)) for key, label in CODEBOOK_FIELDS]
            if code.scale:
                steps = "; ".join(f"{k} = {v}" for k, v in sorted(code.scale_labels.items(), key=lambda kv: int(kv[0])))
                rows.append((_("Rating scale"), f"{code.scale[0]}–{code.scale[1]}" + (f": {steps}" if steps else "")))
            if not code.codable:
                rows.append((_("Use"), _("a category: its sub-codes are applied, not the category itself")))
            self.doc.add(codebook_table(rows))


def codebook_table(rows: Iterable[tuple[str, str]]) -> str:
    label_width = 2552
    value_width = TEXT_WIDTH - INDENT - label_width
    rule = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="D9D9D9"/>'
    borders = "".join(rule.format(side=s) for s in ("top", "bottom", "insideH"))
    cells = []
    rows = list(rows)
    for index, (label, value) in enumerate(rows):
        keep = "<w:keepNext/>" if index < len(rows) - 1 else ""  # Word's way of keeping a table on one page
        cells.append(
            '<w:tr><w:trPr><w:cantSplit/></w:trPr>'
            f'<w:tc><w:tcPr><w:tcW w:w="{label_width}" w:type="dxa"/></w:tcPr>'
            + ooxml.paragraph(ooxml.run(label, '<w:rPr><w:rStyle w:val="CodebookLabel"/></w:rPr>'), "CodebookCell",
                              keep)
            + f'</w:tc><w:tc><w:tcPr><w:tcW w:w="{value_width}" w:type="dxa"/></w:tcPr>'
            + ooxml.paragraph(ooxml.run(value or "—"), "CodebookCell", keep) + "</w:tc></w:tr>")
    return (f'<w:tbl><w:tblPr><w:tblW w:w="{label_width + value_width}" w:type="dxa"/>'
            f'<w:tblInd w:w="{INDENT}" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
            '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="60" w:type="dxa"/>'
            '<w:right w:w="60" w:type="dxa"/></w:tblCellMar></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="{label_width}"/><w:gridCol w:w="{value_width}"/></w:tblGrid>'
            + "".join(cells) + "</w:tbl>")


def write_excerpts_docx(data: ExportSet, handle: IO[bytes], *, lang: str = "en", group_by: str | None = None,
                        progress: Progress | None = None, overview: Overview | None = None,
                        cell: Cell | None = None) -> None:
    """Write the report to an open binary file (with the matrix overview and the cell's name, when given)."""
    if group_by is not None and group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}")
    _Writer(data, lang, group_by, progress, overview, cell).write(handle)
