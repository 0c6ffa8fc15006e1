"""The figures of a Word report with `--charts`: what they show, read from the project, and their place
in the document.

Three figures, each from the analysis library's own numbers so a figure never disagrees with
`fieldnotes matrix`, `ratings` or `cooccurrence`:

- the themes × municipality heat map (the code matrix of codings, each level of codes on its own
  scale, `analysis.charts.level_scales`);
- rating trends: a rated code's mean rating per municipality over the phases (`rating_grid`);
- the co-occurrence grid: how often two codes are coded on overlapping text (`pair_grid`).

`gather_figures` reads the numbers in the export's read session (pseudonymised like the excerpts);
`figures_section` draws them (`plotting`, which imports matplotlib only then) and writes each as a
picture paragraph that keeps with its caption (a Caption paragraph numbered by a `SEQ Figure` field),
with alt text in the drawing's description, sized to fit the page's text area so it never splits.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fieldnotes.export import ooxml
from fieldnotes.export.labels import N_, Labels
from fieldnotes.translations import format_decimal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from fieldnotes.export.docx_skeleton import WordDocument
    from fieldnotes.export.gather import CodeEntry
    from fieldnotes.export.pseudonyms import Pseudonymizer
    from fieldnotes.queries.filters import Filters

#: more rows than this and the heat map shows only the areas and their themes (two levels)
MAX_HEAT_ROWS = 30
#: the co-occurrence grid shows at most this many codes (those meeting others most often)
MAX_PAIR_CODES = 16
#: the text area of the report's A4 page, in cm (docx_skeleton: 11906 × 16838 twips less 2.5 cm margins)
TEXT_WIDTH_CM = 16.0
TEXT_HEIGHT_CM = 24.7
#: a figure's largest height: the page's text area less its caption and the heading above it
MAX_FIGURE_HEIGHT_CM = 19.0
EMU_PER_CM = 360000


@dataclass
class HeatFigure:
    """Codes (name, depth) × municipalities, one count of codings per cell."""

    rows: list[tuple[str, int]]
    columns: list[str]
    cells: list[list[int]]


@dataclass
class TrendFigure:
    """A rated code's mean rating per municipality (series) in each phase (None where it has no rating)."""

    code: str
    scale: tuple[int, int]
    phases: list[str]
    series: list[tuple[str, list[float | None]]]
    start: dt.date | None = None  # the fieldwork start: the phases' ticks show their months


@dataclass
class PairFigure:
    """Codes × codes: how often each two are coded on overlapping text (the same both ways round)."""

    names: list[str]
    depths: list[int]
    cells: list[list[int]]


@dataclass
class Figures:
    heat: HeatFigure | None = None
    trends: TrendFigure | None = None
    pairs: PairFigure | None = None
    missing: list[str] = field(default_factory=list)  # why a figure is not there (catalog messages)


NO_HEAT = N_("The heat map is left out: no excerpt is linked to a municipality.")
NO_TRENDS = N_("The rating trends are left out: no code in this report has ratings in a phase of the fieldwork.")
NO_PAIRS = N_("The co-occurrence grid is left out: no two codes in this report are coded on overlapping text.")


def gather_figures(session: Session, filters: Filters, codes: list[CodeEntry],
                   pseudonymize: Pseudonymizer) -> Figures:
    """The numbers behind the three figures, for the report's codes under its filters."""
    figures = Figures()
    figures.heat = _heat(session, filters, codes, pseudonymize)
    figures.trends = next(iter(rating_trends(session, filters, codes, pseudonymize, limit=1)), None)
    figures.pairs = _pairs(session, filters, codes)
    for found, why in ((figures.heat, NO_HEAT), (figures.trends, NO_TRENDS), (figures.pairs, NO_PAIRS)):
        if found is None:
            figures.missing.append(why)
    return figures


def _heat(session: Session, filters: Filters, codes: list[CodeEntry],
          pseudonymize: Pseudonymizer) -> HeatFigure | None:
    from fieldnotes.analysis.columns import NONE
    from fieldnotes.export.cells import overview

    table = overview(session, filters, "municipality", codes, pseudonymize=pseudonymize)
    keep = [i for i, label in enumerate(table.columns) if label != NONE]
    if not keep or not table.rows:
        return None
    rows = list(range(len(table.rows)))
    if len(rows) > MAX_HEAT_ROWS:
        rows = [i for i in rows if table.rows[i][1] <= 1]
    return HeatFigure(rows=[table.rows[i] for i in rows], columns=[table.columns[i] for i in keep],
                      cells=[[table.cells[i][j] for j in keep] for i in rows])


def rating_trends(session: Session, filters: Filters, codes: list[CodeEntry], pseudonymize: Pseudonymizer,
                  *, limit: int | None = None) -> list[TrendFigure]:
    """Each rated code's mean rating per municipality over the phases (areas before their sub-codes; a
    code's ratings include its rated sub-codes'), up to `limit` codes; none without a fieldwork start."""
    from fieldnotes.analysis.columns import NONE
    from fieldnotes.analysis.ratings import rating_grid
    from fieldnotes.errors import FieldnotesError

    out: list[TrendFigure] = []
    for code in sorted((c for c in codes if c.scale), key=lambda c: c.depth):
        if limit is not None and len(out) >= limit:
            break
        try:
            grid = rating_grid(session, code.id, filters, "municipality", "phase")
        except FieldnotesError:  # no fieldwork start date (no phases), or no scale after all
            break
        phases = [p for p in grid.columns if p != NONE]
        series = [(pseudonymize(row), [grid.cells[row][p].mean for p in phases])
                  for row in grid.rows if row != NONE]
        series = [(name, means) for name, means in series if any(m is not None for m in means)]
        if phases and series:
            out.append(TrendFigure(code=code.name, scale=grid.scale, phases=phases, series=series, start=grid.start))
    return out


def _pairs(session: Session, filters: Filters, codes: list[CodeEntry]) -> PairFigure | None:
    from fieldnotes.analysis.cooccurrence import cooccurrence, pair_grid

    grid = pair_grid(cooccurrence(session, filters))
    if not grid.codes:
        return None
    names = {c.path: c.name for c in codes}  # the report's (pseudonymised) names
    involvement = {code: sum(grid.count(code, other) for other in grid.codes if other != code)
                   for code in grid.codes}
    chosen = set(sorted(grid.codes, key=lambda c: -involvement[c])[:MAX_PAIR_CODES])
    order = [i for i, code in enumerate(grid.codes) if code in chosen]
    return PairFigure(
        names=[names.get(grid.paths[i], grid.paths[i].rsplit("/", 1)[-1]) for i in order],
        depths=[grid.paths[i].count("/") for i in order],
        cells=[[grid.count(grid.codes[i], grid.codes[j]) if i != j else 0 for j in order] for i in order])


# --- the words: captions and alt text -------------------------------------------------------------


def _number(value: float, _: Labels, decimals: int = 0) -> str:
    return format_decimal(value, decimals, _.lang)


def heat_caption(_: Labels) -> str:
    return _("Coded excerpts per theme and municipality. Darker cells hold more, each level of codes on its "
             "own scale; the number in a cell is its count.")


def heat_alt(figure: HeatFigure, _: Labels) -> str:
    best = max(((value, r, c) for r, row in enumerate(figure.cells) for c, value in enumerate(row)), default=None)
    text = _("Heat map of the number of coded excerpts of {rows} codes in {columns} municipalities.",
             rows=_number(len(figure.rows), _), columns=_number(len(figure.columns), _))
    if best is not None and best[0] > 0:
        text += " " + _("The largest cell is {row} in {column}: {n}.", row=figure.rows[best[1]][0],
                        column=figure.columns[best[2]], n=_number(best[0], _))
    return text


def trend_caption(figure: TrendFigure, _: Labels) -> str:
    return _("The mean rating of “{code}” ({low}–{high}) per municipality in each phase. Each municipality has "
             "its own marker and line style.", code=figure.code, low=figure.scale[0], high=figure.scale[1])


def trend_alt(figure: TrendFigure, _: Labels) -> str:
    parts = [_("Line chart of the mean rating of {code} on the scale {low} to {high}, per municipality from "
               "{first} to {last}.", code=figure.code, low=figure.scale[0], high=figure.scale[1],
               first=_.phase(figure.phases[0], figure.start), last=_.phase(figure.phases[-1], figure.start))]
    for name, means in figure.series:
        present = [m for m in means if m is not None]
        if len(present) >= 2:
            parts.append(_("{name}: from {first} to {last}.", name=name, first=_number(present[0], _, 1),
                           last=_number(present[-1], _, 1)))
        elif present:
            parts.append(_("{name}: {value}.", name=name, value=_number(present[0], _, 1)))
    return " ".join(parts)


def pair_caption(_: Labels) -> str:
    return _("How often two codes are coded on overlapping text. Darker cells are pairs that meet more often; "
             "the number in a cell is its count.")


def pair_alt(figure: PairFigure, _: Labels) -> str:
    best = max(((value, r, c) for r, row in enumerate(figure.cells) for c, value in enumerate(row) if c < r),
               default=None)
    text = _("Grid of how often {n} codes are coded on overlapping text.", n=_number(len(figure.names), _))
    if best is not None and best[0] > 0:
        text += " " + _("Most often together: {a} and {b} ({n}).", a=figure.names[best[1]],
                        b=figure.names[best[2]], n=_number(best[0], _))
    return text


# --- the section in the Word report ---------------------------------------------------------------


def picture(doc: WordDocument, png: bytes, width_cm: float, height_cm: float, number: int, alt: str) -> str:
    """A paragraph holding the picture inline (alt text in its description), kept with the caption after it."""
    from docx.shared import Emu
    from lxml import etree

    scale = min(1.0, TEXT_WIDTH_CM / width_cm, MAX_FIGURE_HEIGHT_CM / height_cm)
    width, height = round(width_cm * scale * EMU_PER_CM), round(height_cm * scale * EMU_PER_CM)
    inline = doc.document.part.new_pic_inline(io.BytesIO(png), Emu(width), Emu(height))
    inline.docPr.set("name", f"Figure {number}")
    inline.docPr.set("descr", alt)
    drawing = etree.tostring(inline, encoding="unicode")
    return ooxml.paragraph(f"<w:r><w:drawing>{drawing}</w:drawing></w:r>", "Figure",
                           "<w:keepNext/><w:keepLines/>")


def caption(number: int, text: str, _: Labels) -> str:
    """'Figure 1: ...', its number a SEQ field Word and LibreOffice both count and list."""
    return ooxml.paragraph(ooxml.run(_("Figure") + " ") + ooxml.field("SEQ Figure \\* ARABIC", str(number))
                           + ooxml.run(": " + text), "Caption", "<w:keepLines/>")


def figures_section(doc: WordDocument, figures: Figures, _: Labels) -> None:
    """The report's charts: a heading, then each figure with its caption, each on one page."""
    from fieldnotes.export import plotting

    doc.add(doc.heading(1, _("Charts")))
    doc.add(ooxml.paragraph(ooxml.run(_("The figures are drawn from the excerpts this report holds, under its "
                                        "filters.")), "CodeDefinition"))
    drawn: list[tuple[plotting.Picture, str, str]] = []
    if figures.heat is not None:
        drawn.append((plotting.heat_map(figures.heat, _), heat_caption(_), heat_alt(figures.heat, _)))
    if figures.trends is not None:
        drawn.append((plotting.trends(figures.trends, _), trend_caption(figures.trends, _),
                      trend_alt(figures.trends, _)))
    if figures.pairs is not None:
        drawn.append((plotting.pair_grid(figures.pairs, _), pair_caption(_), pair_alt(figures.pairs, _)))
    for number, (image, text, alt) in enumerate(drawn, start=1):
        doc.add(picture(doc, image.png, image.width_cm, image.height_cm, number, alt))
        doc.add(caption(number, text, _))
    for why in figures.missing:
        doc.add(ooxml.paragraph(ooxml.run(_(why)), "CodeSummary"))
