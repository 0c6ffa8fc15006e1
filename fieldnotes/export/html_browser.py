"""The theme browser: one self-contained HTML file a project lead opens offline in any browser.

The first screen is drawn by the HTML itself (Jinja2 renders it, autoescaping every text): the title,
whether names are replaced, the heat map by municipality (and by phase, behind a switch), the rating
trends as inline SVG and the codebook. The excerpts travel as JSON in a `<script
type="application/json">` block (with <, >, & and the JavaScript line separators escaped, so no text
can close the block), and a small script lists a cell's excerpts with their citation line, rating and
memo when the cell is clicked or opened with Enter, building every node with `textContent`, never
markup. A Content-Security-Policy with the hashes of the file's own script and stylesheet lets
nothing else run and nothing load: no request leaves the page.

Every visible word comes from the gettext catalog through `words`, so the file is Danish or English
with the export's language.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Any

from fieldnotes.analysis.charts import LIGHT_PALETTE, level_scales, text_on
from fieldnotes.export.docx_excerpts import Citations
from fieldnotes.export.labels import CODEBOOK_FIELDS, N_, Labels
from fieldnotes.export.ooxml import hex_color
from fieldnotes.export.pseudonyms import NAMES_REPLACED_NO, NAMES_REPLACED_YES
from fieldnotes.project.opening import phase_dates
from fieldnotes.translations import format_decimal, format_number

if TYPE_CHECKING:
    from fieldnotes.export.browser_data import BrowserData, HeatView
    from fieldnotes.export.figures import TrendFigure
    from fieldnotes.export.gather import CodeEntry, ExportSet

NONE = "(none)"
#: the trend lines' colours (viridis, dark to light-green: ordered in lightness), markers and dashes
LINE_COLOURS = ("#440154", "#3b528b", "#21918c", "#35b779", "#6ece58", "#90d743")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3")
#: the JSON block's escapes: nothing in it can end the <script> element or break a JavaScript string
_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                               "\u2029": "\\u2029"})


def json_for_script(value: Any) -> str:
    """`value` as JSON that is safe inside <script type="application/json">."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("fieldnotes.export", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)


def _asset(name: str) -> str:
    source: str = _environment().loader.get_source(_environment(), name)[0]
    return source.strip()


def stylesheet() -> str:
    """The page's CSS: the file's, and the heat scale's steps in the analysis package's colours (`s0`-`s4`)."""
    steps = [".s0{background:#f5f5f5;color:#595959}"] + [
        f".s{step}{{background:{fill};color:{text_on(fill)}}}" for step, fill in enumerate(LIGHT_PALETTE, start=1)]
    return _asset("browser.css") + "\n" + "\n".join(steps)


def words(_: Labels) -> dict[str, str]:
    """The page's words in the export's language."""
    return {
        "title": _("Theme browser"), "subtitle": _("Coded excerpts by theme, municipality and phase"),
        "names_yes": _(NAMES_REPLACED_YES), "names_no": _(NAMES_REPLACED_NO),
        "names_yes_why": _("Names of people, workplaces and places in this file are pseudonyms from the "
                           "project's register."),
        "names_no_why": _("Names in this file are as written in the material. Treat it as confidential."),
        "heat": _("Heat map"), "by_municipality": _("By municipality"), "by_phase": _("By phase"),
        "heat_help": _("Each cell is the number of coded excerpts of a code (with its sub-codes) in a column. "
                       "Darker cells hold more, each level of codes on its own scale. Click a cell, or "
                       "tab to it and press Enter, to read its excerpts."),
        "codes": _("Codes"), "municipality": _("Municipality"), "phase": _("Phase"),
        "excerpts": _("Excerpts"), "close": _("Back to the heat map"), "rating": _("Rating"),
        "memo": _("Memo"), "code": _("Code"), "trends": _("Rating trends"),
        "trends_help": _("The mean rating per municipality in each phase; each municipality has its own "
                         "colour, marker and line style. The table under each chart gives the numbers."),
        "no_trends": _("No code in this export has ratings in a phase of the fieldwork."),
        "mean": _("Mean rating"), "codebook": _("Codebook"), "none": _("(none)"), "filters": _("Filters"),
        "exported": _("Exported"), "exported_by": _("Exported by"), "contents": _("Contents"),
        "fewer": _("fewer"), "more": _("more"), "no_filters": _("none: every coded excerpt"),
        "scale": _("Rating scale"), "no_phases": _("The project has no fieldwork start date, so there are "
                                                   "no phases to show."),
        "cell_title": _("{row} × {column}"), "one_excerpt": _("{n} excerpt"), "many_excerpts": _("{n} excerpts"),
    }


@dataclass
class Row:
    name: str
    depth: int
    cells: list[tuple[int, int, str]]  # (count, step, the count as the language writes it)


def heat_rows(view: HeatView, codes: Sequence[CodeEntry], _: Labels) -> list[Row]:
    """The view's rows with each cell's count and shade (each level on its own scale, as in the app)."""
    counts = [[len(cell) for cell in row] for row in view.cells]
    depths = [codes[index].depth for index in view.rows]
    scales = level_scales(depths, counts)
    rows = []
    for index, values in zip(view.rows, counts, strict=True):
        code = codes[index]
        scale = scales[code.depth]
        cells = [(value, scale.step(value), format_number(value, _.lang)) for value in values]
        rows.append(Row(code.name, code.depth, cells))
    return rows


def column_label(label: str, by: str, _: Labels, start: dt.date | None = None) -> str:
    if label == NONE:
        return _("(none)")
    if by != "phase":
        return label
    if start is not None and label.isdigit():  # the phase's dates beside its number
        return _("Phase {n}", n=label) + " · " + _.period(*phase_dates(int(label), start))
    return _("Phase {n}", n=label)


@dataclass
class Trend:
    """A trend chart's geometry (SVG user units) and its table."""

    code: str
    scale: tuple[int, int]
    phases: list[str]
    ticks: list[tuple[float, str]]
    series: list[dict[str, Any]]
    phase_x: list[tuple[float, list[str]]]  # each phase's x and its label's lines (number, months)
    width: int = 640
    height: int = 260
    tilt: bool = False  # too many phases for level labels side by side: they slant
    axis_y: float = 247  # where the phase labels hang from
    left: int = 56  # where the plot begins (room for the scale's numbers, or a slanted first label)


#: the trend chart's tick labels (15px, browser.css), in SVG units: a character's width (about), the line height
TICK_CHAR, TICK_LINE = 7.6, 17
#: the trend chart's width, where its plot begins and ends (and the phase labels begin), in SVG units
WIDTH, TOP, PLOT_BOTTOM = 640, 14, 226


@dataclass
class PhaseAxis:
    """Where a trend chart's phase labels go: each label's lines, the plot's margins, and whether they slant."""

    lines: list[list[str]]
    left: int
    right: int
    tilt: bool
    bottom: int


def phase_axis(trend: TrendFigure, _: Labels) -> PhaseAxis:
    """Each phase named on two lines ("Fase 1" over "feb.–jul. 2025") and centred under its tick; where
    neighbours would touch they slant by 35°, with room left of the first and below the plot for them."""
    lines = [_.phase(p, trend.start, two_lines=True).split("\n") for p in trend.phases]
    steps = len(trend.phases) - 1

    def half(label: list[str]) -> int:  # half a level label's width: what runs past its tick either side
        return round(max(len(line) for line in label) * TICK_CHAR / 2) + 4

    left, right = max(56, half(lines[0])), max(40, half(lines[-1]))
    room = (WIDTH - left - right) / max(1, steps)
    widest = max((len(line) for label in lines for line in label), default=0) * TICK_CHAR
    if steps > 0 and widest > room - 8:  # cos 35° of the first label runs left of its tick, sin 35° below
        return PhaseAxis(lines, max(56, round(widest * 0.82) + 8), 40, True,
                         round(widest * 0.58 + TICK_LINE * 1.7) + 12)
    return PhaseAxis(lines, left, right, False, 14 + 2 * TICK_LINE)


def trend_series(trend: TrendFigure, x: Any, y: Any, _: Labels) -> list[dict[str, Any]]:
    """Each municipality's line (broken where a phase has no mean), its points and its means as text."""
    series = []
    for number, (name, means) in enumerate(trend.series):
        points = [(round(x(i), 1), round(y(m), 1)) for i, m in enumerate(means) if m is not None]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, m in enumerate(means):
            if m is None:
                runs.append([])
            else:
                runs[-1].append((round(x(i), 1), round(y(m), 1)))
        series.append({"name": name, "colour": LINE_COLOURS[number % len(LINE_COLOURS)],
                       "marker": MARKERS[number % len(MARKERS)], "dash": DASHES[number % len(DASHES)],
                       "lines": [" ".join(f"{px},{py}" for px, py in run) for run in runs if len(run) > 1],
                       "points": points,
                       "means": ["–" if m is None else format_decimal(m, 1, _.lang) for m in means]})
    return series


def trend_charts(trends: Sequence[TrendFigure], _: Labels) -> list[Trend]:
    out = []
    for trend in trends:
        low, high = trend.scale
        span = max(1, high - low)
        steps = len(trend.phases) - 1
        axis = phase_axis(trend, _)

        def x(i: int, steps: int = steps, axis: PhaseAxis = axis) -> float:
            return axis.left + (WIDTH - axis.left - axis.right) * (i / steps if steps > 0 else 0.5)

        def y(value: float, low: int = low, span: int = span) -> float:
            return TOP + (PLOT_BOTTOM - TOP) * (1 - (value - low) / span)

        ticks = [(round(y(v), 1), format_number(v, _.lang)) for v in range(low, high + 1)]
        phases = [(round(x(i), 1), label) for i, label in enumerate(axis.lines)]
        out.append(Trend(trend.code, trend.scale, [_.phase(p, trend.start) for p in trend.phases], ticks,
                         trend_series(trend, x, y, _), phases, WIDTH, PLOT_BOTTOM + axis.bottom, axis.tilt,
                         PLOT_BOTTOM + TICK_LINE + 4, axis.left))
    return out


def codebook_entries(codes: Sequence[CodeEntry], _: Labels) -> list[dict[str, Any]]:
    entries = []
    for code in codes:
        fields = [(_(label), code.text(key, _.lang)) for key, label in CODEBOOK_FIELDS if code.text(key, _.lang)]
        if code.scale:
            steps = "; ".join(f"{k} = {v}" for k, v in sorted(code.scale_labels.items(), key=lambda kv: int(kv[0])))
            fields.append((_("Rating scale"), f"{code.scale[0]}–{code.scale[1]}" + (f": {steps}" if steps else "")))
        entries.append({"name": code.name, "path": code.path, "depth": code.depth,
                        "colour": "#" + hex_color(code.color), "gloss": code.gloss(_.lang), "fields": fields})
    return entries


def excerpt_records(data: ExportSet, _: Labels) -> list[dict[str, Any]]:
    """The excerpts as the script needs them: short keys, empty fields left out (a large export is mostly these)."""
    citations = Citations(_)
    codes = {code.id: index for index, code in enumerate(data.codes)}
    entries = data.codes_by_id()
    out = []
    for excerpt in data.excerpts:
        record: dict[str, Any] = {"i": excerpt.id, "c": codes.get(excerpt.code, -1), "t": excerpt.text,
                                  "k": " · ".join(citations.parts(excerpt))}
        if excerpt.context_before:
            record["b"] = excerpt.context_before
        if excerpt.context_after:
            record["a"] = excerpt.context_after
        if excerpt.rating is not None:
            code = entries.get(excerpt.code)
            label = code.rating_label(excerpt.rating) if code else None
            scale = f"/{code.scale[1]}" if code and code.scale else ""
            record["r"] = f"{excerpt.rating}{scale}" + (f" – {label}" if label else "")
        memos = [excerpt.memo] if excerpt.memo else []
        memos += [memo.text for memo in data.coding_memos.get(excerpt.id, [])]
        if memos:
            record["m"] = memos
        out.append(record)
    return out


def write_html(data: ExportSet, browser: BrowserData, handle: IO[bytes], *, lang: str = "en") -> None:
    """Write the theme browser to an open binary file."""
    _ = Labels(lang)
    text = words(_)
    css, script = stylesheet(), _asset("browser.js")
    views = [{"by": view.by, "label": text["by_municipality"] if view.by == "municipality" else text["by_phase"],
              "columns": [column_label(c, view.by, _, data.fieldwork_start) for c in view.columns],
              "rows": heat_rows(view, data.codes, _)}
             for view in browser.views]
    payload = {"words": text, "codes": [[c.name, c.path, c.depth] for c in data.codes],
               "excerpts": excerpt_records(data, _),
               "views": {view.by: {"columns": [column_label(c, view.by, _, data.fieldwork_start) for c in view.columns],
                                   "rows": [data.codes[i].name for i in view.rows], "cells": view.cells}
                         for view in browser.views}}
    local = data.exported_at.astimezone()
    facts = _.filter_facts(data.filters, data.fieldwork_start) or [(text["filters"], text["no_filters"])]
    facts.append((text["exported"], f"{_.date(local.date())}, {local:%H:%M}"))
    if data.exported_by:
        facts.append((text["exported_by"], data.exported_by))
    facts.append((text["excerpts"], _.count(len(data.excerpts), N_("{n} excerpt"), N_("{n} excerpts"))))
    page = _environment().get_template("browser.html.j2").render(
        lang=_.lang, words=text, project=data.project_name, pseudonymized=data.pseudonymized, facts=facts,
        views=views, trends=trend_charts(browser.trends, _), codebook=codebook_entries(data.codes, _),
        palette=LIGHT_PALETTE, css=css, script=script, data=json_for_script(payload),
        csp=f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(script)}; img-src data:; "
            "form-action 'none'; base-uri 'none'")
    handle.write(page.encode("utf-8"))
