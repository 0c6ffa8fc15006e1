"""Coded excerpts as a Word report for an analysis meeting, made to be printed as it is.

Title page (project, filters in words, what the report includes, date, who exported, how many
excerpts), contents, the project memos, one heading per code in codebook order with its short
definition, memos and excerpts (optionally grouped by municipality, document, phase, kind or coder,
each group a heading one level below its code), document and case memos, and the codebook entries as
an appendix.

With an overview (`fieldnotes.export.cells.overview`), the code matrix follows the contents as a table
with shaded cells (`docx_overview`); with a cell (`cells.gather_cell`), the title page names it. With
figures (`figures.gather_figures`, export docx --charts), the charts follow as a section of their own.

Each excerpt is a block: the quotation with a bar in its code's colour and optional context in lighter
type, a citation line (document · municipality · kind · date · speaker · position · coders), then its
rating, memos and the other codes overlapping it. A block stays on one page: the quote keeps its lines
together when it is short enough to fit, and every line of the block but the last keeps with the next,
so a quote too long for a page breaks with at least two of its lines (widow control) beside its
citation. The same passage coded with the same code by several coders is one block listing them all
(`merge_coders`, the default).

The bulk is written as markup (`ooxml`), so ten thousand excerpts take about a second rather than the
half-minute python-docx's object layer needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from fieldnotes.coding.excerpts import Excerpt
from fieldnotes.export import docx_overview, ooxml
from fieldnotes.export.anchors import AnchorMap
from fieldnotes.export.docx_skeleton import INDENT, TEXT_WIDTH, WordDocument
from fieldnotes.export.gather import CodeEntry, ExportSet, MemoNote, Progress
from fieldnotes.export.labels import CODEBOOK_FIELDS, KINDS, N_, Labels
from fieldnotes.project.opening import phase_dates

if TYPE_CHECKING:
    from fieldnotes.export.cells import Cell, Overview
    from fieldnotes.export.figures import Figures

GROUPINGS = ("municipality", "document", "phase", "kind", "coder")
GROUPING_NAMES = {"municipality": N_("municipality"), "document": N_("document"), "phase": N_("phase"),
                  "kind": N_("kind"), "coder": N_("coder")}
MAX_HEADING_LEVEL = 4
PROGRESS_EVERY = 500
#: a quote of up to this many lines (estimated) is kept on one page; a longer one may break
KEEP_WHOLE_LINES = 30
CHARACTERS_PER_LINE = 85  # about what one line of the quotation holds (11 pt Calibri, 15.4 cm)
_CONTEXT = '<w:rPr><w:rStyle w:val="ExcerptContext"/></w:rPr>'
_NOTE_LABEL = '<w:rPr><w:rStyle w:val="NoteLabel"/></w:rPr>'
_GROUP_TEXT = '<w:rPr><w:rStyle w:val="GroupHeadingText"/></w:rPr>'


def heading_level(depth: int) -> int:
    """Heading level follows the code's depth in the tree, capped where Word's outline stops being read."""
    return min(depth + 1, MAX_HEADING_LEVEL)


@dataclass
class Passage:
    """One block of the report: a coded passage with every coding of it shown together (one, unless
    several coders coded the same span with the same code and the report merges them)."""

    codings: list[Excerpt]
    coders: list[str]

    @property
    def first(self) -> Excerpt:
        return self.codings[0]


def passages(items: Sequence[Excerpt], merge_coders: bool) -> list[Passage]:
    """Excerpts as blocks, in their order; with `merge_coders`, the codings of one code on exactly the
    same span of a document (by different coders) become one block, where the first of them stood."""
    if not merge_coders:
        return [Passage([e], [e.coder]) for e in items]
    blocks: dict[tuple[str, str, int, int], Passage] = {}
    out = []
    for excerpt in items:
        key = (excerpt.code, excerpt.document, excerpt.start, excerpt.end)
        block = blocks.get(key)
        if block is None:
            block = blocks[key] = Passage([excerpt], [excerpt.coder])
            out.append(block)
        else:
            block.codings.append(excerpt)
            if excerpt.coder not in block.coders:
                block.coders.append(excerpt.coder)
    return out


class Citations:
    """Citation lines: document title · municipality · kind · date · speaker · position · coder(s), what is
    known. What excerpts share with their document and coders is worked out once (a report has thousands)."""

    def __init__(self, _: Labels) -> None:
        self._ = _
        self.paragraph = _("para. {n}")
        self.documents: dict[str, list[str]] = {}
        self.coders: dict[tuple[str, ...], str] = {}

    def parts(self, excerpt: Excerpt, coders: Sequence[str] | None = None) -> list[str]:
        _ = self._
        head = self.documents.get(excerpt.document)
        if head is None:
            head = self.documents[excerpt.document] = [
                p for p in (excerpt.document_title, excerpt.municipality or "", _.kind(excerpt.kind),
                            _.date(excerpt.date)) if p]
        parts = list(head)
        if excerpt.speaker:
            parts.append(f"{excerpt.speaker} ({excerpt.speaker_role})" if excerpt.speaker_role else excerpt.speaker)
        position = self.paragraph.format(n=excerpt.paragraph) if excerpt.paragraph is not None else ""
        if excerpt.timestamp:
            position = f"{position}, {excerpt.timestamp}" if position else excerpt.timestamp
        if position:
            parts.append(position)
        names = tuple(c for c in (coders if coders is not None else (excerpt.coder,)) if c)
        if names:
            coder = self.coders.get(names)
            if coder is None:
                coder = self.coders[names] = _("coded by {coder}", coder=_.join(list(names)))
            parts.append(coder)
        return parts


def citation_parts(excerpt: Excerpt, _: Labels, coders: Sequence[str] | None = None) -> list[str]:
    """document title · municipality · kind · date · speaker · position · coder(s) (what is known)."""
    return Citations(_).parts(excerpt, coders)


def citation(excerpt: Excerpt, _: Labels, coders: Sequence[str] | None = None) -> str:
    return " · ".join(citation_parts(excerpt, _, coders))


def estimated_lines(text: str) -> int:
    """About how many lines a quotation takes on the page (an estimate: it decides only whether the
    quote is short enough to keep whole)."""
    if "\n" not in text:
        return max(1, -(-len(text) // CHARACTERS_PER_LINE))
    return sum(max(1, -(-len(line) // CHARACTERS_PER_LINE)) for line in text.split("\n"))


# --- groups ----------------------------------------------------------------------------------------
_KIND_ORDER = {kind: index for index, kind in enumerate(KINDS)}


def _group_key(block: Passage, group_by: str) -> tuple[object, ...]:
    excerpt = block.first
    if group_by == "municipality":
        return (excerpt.municipality is None, (excerpt.municipality or "").casefold())
    if group_by == "phase":
        return (excerpt.phase is None, excerpt.phase or 0)
    if group_by == "kind":
        return (_KIND_ORDER.get(excerpt.kind, len(_KIND_ORDER)), excerpt.kind)
    if group_by == "coder":
        return (len(block.coders), tuple(c.casefold() for c in block.coders))
    return (excerpt.date or "9999", excerpt.document_title.casefold(), excerpt.document)


def _group_label(block: Passage, group_by: str, _: Labels, data: ExportSet) -> str:
    excerpt = block.first
    if group_by == "municipality":
        return excerpt.municipality or _("No municipality")
    if group_by == "phase":
        if excerpt.phase is None:
            return _("Before the fieldwork or undated")
        label = _("Phase {n}", n=excerpt.phase)
        if data.fieldwork_start is not None:
            label += " · " + _.period(*phase_dates(excerpt.phase, data.fieldwork_start))
        return label
    if group_by == "kind":
        kind = _.kind(excerpt.kind)
        return kind[:1].upper() + kind[1:]
    if group_by == "coder":
        return _.join(block.coders)
    when = _.date(excerpt.date)
    return f"{excerpt.document_title} · {when}" if when else excerpt.document_title


def grouped(items: list[Passage], group_by: str | None, _: Labels, data: ExportSet,
            ) -> list[tuple[str | None, list[Passage]]]:
    """Blocks under group labels (sorted), keeping their own order within a group. Only groups that hold
    excerpts appear: a code without excerpts in a municipality, phase ... has no heading for it."""
    if not group_by:
        return [(None, items)]
    groups: dict[tuple[object, ...], list[Passage]] = {}
    for block in items:
        groups.setdefault(_group_key(block, group_by), []).append(block)
    return [(_group_label(members[0], group_by, _, data), members) for _key, members in sorted(groups.items())]


class _Writer:
    def __init__(self, data: ExportSet, lang: str, group_by: str | None, progress: Progress | None,
                 overview: Overview | None = None, cell: Cell | None = None, merge_coders: bool = True,
                 figures: Figures | None = None) -> None:
        self.data = data
        self.figures = figures
        self.overview = overview
        self.cell = cell
        self._ = Labels(lang)
        self.lang = self._.lang
        self.group_by = group_by
        self.progress = progress
        self.merge_coders = merge_coders
        by_code: dict[str, list[Excerpt]] = {}
        for excerpt in data.excerpts:
            by_code.setdefault(excerpt.code, []).append(excerpt)
        self.by_code = {code: passages(items, merge_coders) for code, items in by_code.items()}
        self.blocks = sum(len(blocks) for blocks in self.by_code.values())
        self.coders = {e.coder for e in data.excerpts}
        _ = self._
        self.citations = Citations(_)
        # the labels of an excerpt's lines, translated once
        self.words = {"Rating": _("Rating"), "Memo": _("Memo"), "Also coded": _("Also coded"),
                      "Needs review": _("Needs review"), "edited": _("the text around it was edited after coding")}
        self.doc = WordDocument(
            lang=self.lang, title=f"{data.project_name} — {_('Coded excerpts')}", author=data.exported_by,
            subject="; ".join(f"{k}: {v}" for k, v in _.filter_facts(data.filters, data.fieldwork_start)),
            header=f"{data.project_name}\t{_('Coded excerpts')}", keywords="fieldnotes",
            created=data.exported_at)
        self.anchors = self.doc.anchors = AnchorMap(data.project_id, data.export_id)
        self.done = 0

    # --- the whole report ------------------------------------------------------------------------
    def write(self, handle: IO[bytes]) -> None:
        _, data = self._, self.data
        self.title_page()
        self.doc.contents(_("Contents"))
        if self.overview is not None:
            self.overview_section(self.overview)
        if self.figures is not None:
            from fieldnotes.export.figures import figures_section

            figures_section(self.doc, self.figures, _)
        if data.with_memos and data.project_memos:
            self.doc.add(self.doc.heading(1, _("Project memos")))
            for memo in data.project_memos:
                self.doc.add(self.memo(memo))
        for code in data.codes:
            self.code_section(code)
        if data.with_memos and any(data.document_memos.values()):
            self.document_memos()
        if data.with_memos and data.case_memos:
            self.case_memos()
        self.appendix()
        self.doc.add(ooxml.paragraph(""))
        if self.progress:
            self.progress(len(data.excerpts), len(data.excerpts))
        self.doc.save(handle)

    # --- parts -----------------------------------------------------------------------------------
    def title_page(self) -> None:
        _, data = self._, self.data
        self.doc.add(ooxml.paragraph(ooxml.run(data.project_name), "Title"))
        self.doc.add(ooxml.paragraph(ooxml.run(_("Coded excerpts")), "Subtitle"))
        facts: list[tuple[str, str]] = _.filter_facts(data.filters, data.fieldwork_start)
        if not facts and self.cell is None:
            facts.append((_("Filters"), _("none: every coded excerpt")))
        if self.cell is not None:
            facts.append((_("Matrix cell"), docx_overview.cell_text(self.cell, _)))
        if data.selection:
            facts.append((_("Selection"), data.selection))
        # what the report includes, always said, so a reader knows what is not there
        facts.append((_("Context"), self.context_words(data.context) if data.context is not None else _("none")))
        facts.append((_("Memos"), _("yes: project, code, excerpt, document and municipality memos")
                      if data.with_memos else _("no")))
        facts.append((_("Pseudonymised"), _("yes") if data.pseudonymized else _("no")))
        if len(self.coders) > 1:
            facts.append((_("Several coders"), _("a passage coded alike by several coders is shown once, "
                                                   "naming them all") if self.merge_coders
                          else _("each coder's coding is shown on its own")))
        if self.group_by:
            facts.append((_("Grouped by"), _(GROUPING_NAMES[self.group_by])))
        local = data.exported_at.astimezone()
        facts.append((_("Exported"), f"{_.date(local.date())}, {local:%H:%M}"))
        if data.exported_by:
            facts.append((_("Exported by"), data.exported_by))
        facts.append((_("Excerpts"), self.count_words(self.blocks, len(data.excerpts),
                                                      len({e.document for e in data.excerpts}))))
        for label, value in facts:
            self.doc.add(ooxml.paragraph(
                ooxml.run(label, ooxml.run_properties(style="FactLabel")) + "<w:r><w:tab/></w:r>" + ooxml.run(value),
                "TitleFact"))

    def count_words(self, blocks: int, codings: int, documents: int) -> str:
        """'5 excerpts from 2 documents', and the number of codings when merged blocks hold more."""
        _ = self._
        text = _.count(blocks, N_("{n} excerpt"), N_("{n} excerpts"))
        if codings != blocks:
            text += " (" + _.count(codings, N_("{n} coding"), N_("{n} codings")) + ")"
        return text + " " + _.count(documents, N_("from {n} document"), N_("from {n} documents"))

    def overview_section(self, overview: Overview) -> None:
        _ = self._
        self.doc.add(self.doc.heading(1, docx_overview.heading_text(overview, _)))
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

    def code_section(self, code: CodeEntry) -> None:
        _ = self._
        level = heading_level(code.depth)
        # the code's anchor spans its heading, definition, summary and memos: a comment on any is on the code
        anchor = self.anchors.add_code(code.id)
        head = [self.doc.heading(level, code.name, anchor=anchor)]
        short = code.text("short", self.lang)
        if short:
            head.append(ooxml.paragraph(ooxml.run(short), "CodeDefinition"))
        blocks = self.by_code.get(code.id, [])
        if blocks:
            codings = sum(len(b.codings) for b in blocks)
            documents = len({b.first.document for b in blocks})
            head.append(ooxml.paragraph(ooxml.run(self.count_words(len(blocks), codings, documents)),
                                        "CodeSummary"))
        if self.data.with_memos:
            head.extend(self.memo(memo) for memo in code.memos)
        head[-1] = head[-1][:-len("</w:p>")] + self.doc.anchor_end(anchor) + "</w:p>"
        self.doc.add("".join(head))
        if not blocks:
            return
        bar = ooxml.left_bar(code.color)
        for label, members in grouped(blocks, self.group_by, _, self.data):
            if label is not None:
                self.doc.add(self.doc.heading(level + 1, label, rpr=_GROUP_TEXT))
            self.doc.add("".join(self.excerpt(block, code, bar) for block in members))

    def excerpt(self, block: Passage, code: CodeEntry, bar: str) -> str:
        """The block's paragraphs: the quote (kept whole when short), then lines that each keep with the next."""
        words = self.words
        e = block.first
        quote = ooxml.run(e.context_before, _CONTEXT) + ooxml.run(e.text) + ooxml.run(e.context_after, _CONTEXT)
        whole = estimated_lines(e.context_before + e.text + e.context_after) <= KEEP_WHOLE_LINES
        # the block's anchor runs from its quote to its last line: a comment on any of them is on the coding
        anchor = self.anchors.add_coding([c.id for c in block.codings], code.id)
        quote = self.doc.anchor_start(anchor) + quote
        parts = [ooxml.paragraph(quote, "Excerpt", ("<w:keepLines/>" if whole else "") + bar)]
        cited = self.citations.parts(e, block.coders)
        title, rest = cited[0], cited[1:]
        lines = [(ooxml.run(title, "<w:rPr><w:i/></w:rPr>") + ooxml.run("".join(" · " + p for p in rest)),
                  "ExcerptCitation")]
        several = len(block.codings) > 1
        rating = self.rating_text(block, code)
        if rating:
            lines.append(self.note(words["Rating"], rating))
        for coding in block.codings:
            if coding.memo:
                lines.append(self.note(words["Memo"] + (f" ({coding.coder})" if several else ""), coding.memo))
            if self.data.with_memos:
                for memo in self.data.coding_memos.get(coding.id, []):
                    lines.append(self.note(words["Memo"], memo.text + self.memo_byline(memo)))
        overlapping = (sorted({path for coding in block.codings for path in coding.overlapping}) if several
                       else e.overlapping)
        if overlapping:
            lines.append(self.note(words["Also coded"], "; ".join(overlapping)))
        if e.needs_review or (several and any(coding.needs_review for coding in block.codings)):
            lines.append(self.note(words["Needs review"], words["edited"]))
        last = len(lines) - 1
        lines[last] = (lines[last][0] + self.doc.anchor_end(anchor), lines[last][1])
        parts.extend(ooxml.paragraph(content, style, "" if index == last else "<w:keepNext/>")
                     for index, (content, style) in enumerate(lines))
        self.done += len(block.codings)
        if self.progress and self.done // PROGRESS_EVERY != (self.done - len(block.codings)) // PROGRESS_EVERY:
            self.progress(self.done, len(self.data.excerpts))
        return "".join(parts)

    def rating_text(self, block: Passage, code: CodeEntry) -> str:
        """'4/5 – label'; with several coders who rated differently, each rating with its coder."""
        rated = [(c.coder, c.rating) for c in block.codings if c.rating is not None]
        if not rated:
            return ""
        scale = f"/{code.scale[1]}" if code.scale else ""

        def words(rating: int) -> str:
            label = code.rating_label(rating)
            return f"{rating}{scale}" + (f" – {label}" if label else "")

        if len(block.codings) == 1 or (len(rated) == len(block.codings) and len({r for _c, r in rated}) == 1):
            return words(rated[0][1])
        return "; ".join(f"{words(rating)} ({coder})" for coder, rating in rated)

    def note(self, label: str, value: str) -> tuple[str, str]:
        return ooxml.run(f"{label}: ", _NOTE_LABEL) + ooxml.run(value), "ExcerptNote"

    def memo_byline(self, memo: MemoNote) -> str:
        who = ", ".join(x for x in (memo.author or "", self._.date(memo.date)) if x)
        return f" ({who})" if who else ""

    def memo(self, memo: MemoNote) -> str:
        byline = self.memo_byline(memo).strip(" ()")
        content = ooxml.run(memo.text)
        if byline:
            content += "<w:r><w:br/></w:r>" + ooxml.run(f"— {byline}", ooxml.run_properties(color="808080", size=8.5))
        return ooxml.paragraph(content, "Memo")

    def document_memos(self) -> None:
        _ = self._
        self.doc.add(self.doc.heading(1, _("Document memos")))
        titles = self.data.document_titles
        for doc_id in sorted(self.data.document_memos, key=lambda d: titles.get(d, "").casefold()):
            memos = self.data.document_memos[doc_id]
            if not memos:
                continue
            self.doc.add(self.doc.heading(2, titles.get(doc_id, doc_id)))
            for memo in memos:
                self.doc.add(self.memo(memo))

    def case_memos(self) -> None:
        _ = self._
        municipalities_only = all(kind == "municipality" for kind, _name, _memos in self.data.case_memos)
        self.doc.add(self.doc.heading(1, _("Municipality memos") if municipalities_only else _("Case memos")))
        for kind, name, memos in self.data.case_memos:
            self.doc.add(self.doc.heading(2, name if municipalities_only else f"{name} ({kind})"))
            for memo in memos:
                self.doc.add(self.memo(memo))

    def appendix(self) -> None:
        _ = self._
        self.doc.add(self.doc.heading(1, _("Appendix: Codebook")))
        self.doc.add(ooxml.paragraph(ooxml.run(_(
            "The codebook entries of the codes in this report (MacQueen et al. 1998).")), "CodeDefinition"))
        for code in self.data.codes:
            marker = ooxml.run("■ ", ooxml.run_properties(color=code.color))
            name = code.path + (f" ({code.gloss(self.lang)})" if code.gloss(self.lang) else "")
            self.doc.add(ooxml.paragraph(marker + ooxml.run(name), "CodebookTerm"))
            rows = [(_(label) + (" " + _("(untranslated)") if code.untranslated(key, self.lang) else ""),
                     code.text(key, self.lang)) for key, label in CODEBOOK_FIELDS]
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
                        cell: Cell | None = None, merge_coders: bool = True, figures: Figures | None = None) -> None:
    """Write the report to an open binary file (with the matrix overview, the cell's name and the charts, when given).
    `merge_coders`: the same span coded with the same code by several coders is one excerpt naming them all."""
    if group_by is not None and group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}")
    _Writer(data, lang, group_by, progress, overview, cell, merge_coders, figures).write(handle)
