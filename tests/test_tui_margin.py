"""The reader's margin of coding stripes, its codings list, the side panel's places, and the mouse.

Driven with Textual's Pilot on real projects; what the margin draws is read back from the rendered
lines and compared with where Textual itself puts the coded characters on screen, so a margin that
lagged behind wrapping or scrolling would fail here.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment

from fieldnotes.project.opening import open_project
from fieldnotes.queries.overview import CodingMark
from fieldnotes.tui.app import FieldnotesApp
from fieldnotes.tui.widgets import margin
from fieldnotes.tui.widgets.coded_text import OTHER_GLYPHS, OWN_GLYPH, CodedText
from tests.helpers import ok, settle
from tests.projectdata import make_project

ROOT = Path(__file__).resolve().parent.parent
LONG = "Langt interview i Lyngå"
SHORT = "Interview med sagsbehandler"

SENTENCES = [
    "Vi tager altid en runde i teamet om fredagen, hvor lederen er med.",
    "Jeg tror på, at Søren får et job på lageret, hvis han får en praktik først.",
    "Virksomhedskonsulenten ringer til bageriet i Lyngå hver uge.",
    "Det er svært at se borgerens ressourcer, når skemaet kun spørger til barrierer.",
    "Sparring med kollegerne gør, at jeg tør tro lidt mere på borgeren.",
    "Når ledelsen spørger til ressourcerne, bliver sagsfremstillingen en anden.",
    "Æblet falder ikke langt fra stammen, siger de på værkstedet, men det passer ikke altid.",
]


def long_interview() -> str:
    """About 40 speaker turns of Danish text: long enough to wrap and to scroll at any size."""
    turns = []
    for index in range(40):
        speaker = "I" if index % 2 == 0 else "R"
        words = " ".join(SENTENCES[(index + k) % len(SENTENCES)] for k in range(1 + index % 4))
        turns.append(f"[00:{index:02d}:0{index % 10}] {speaker}: {words}")
    return "\n".join(turns) + "\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The small test project, plus a long interview coded by two coders with overlapping codings."""
    target = make_project(tmp_path)
    folder = tmp_path / "long"
    folder.mkdir()
    (folder / "langt-interview.txt").write_text(long_interview(), encoding="utf-8")
    (folder / "langt-interview.meta.yaml").write_text(
        f"title: {LONG}\nkind: interview\nmunicipality: Lyngå\ndate: 2025-04-01\n"
        "speakers:\n  I: {name: Mette Holm, role: forsker}\n  R: {name: Søren Ålund, role: leder}\n",
        encoding="utf-8")
    ok("--db", target, "import", folder, "--coder", "Anna Krogh")
    text = long_interview()
    for coder, code, needle, nth in [
        ("Anna Krogh", "Kollegial sparring", "Sparring med kollegerne gør, at jeg tør tro lidt mere på borgeren.", 1),
        ("Jonas Bech", "Ledelse", "Sparring med kollegerne gør, at jeg tør tro lidt mere på borgeren.", 1),
        ("Anna Krogh", "Specifik tro", "Jeg tror på, at Søren får et job på lageret", 2),
        ("Jonas Bech", "Specifik tro", "Søren får et job på lageret, hvis han får en praktik først.", 2),
        ("Anna Krogh", "Virksomhedskontakt", "Virksomhedskonsulenten ringer til bageriet i Lyngå hver uge.", 5),
        ("Jonas Bech", "Kollegial sparring", "Vi tager altid en runde i teamet om fredagen", 9),
        ("Anna Krogh", "Ledelse", "Når ledelsen spørger til ressourcerne", 9),
    ]:
        assert text.count(needle) >= nth, needle
        ok("--db", target, "--coder", coder, "code", LONG, "--code", code, "--match", needle, "--nth", str(nth))
    # one coding running over several turns, so a stripe crosses paragraphs
    start = text.index("[00:20:00]")
    ok("--db", target, "--coder", "Jonas Bech", "code", LONG, "--code", "Virksomhedskontakt",
       "--span", f"{start}:{text.index('[00:23:03]')}")
    return target


async def open_document(pilot: Any, title: str) -> CodedText:
    await settle(pilot)
    await pilot.press("d")
    await settle(pilot)
    table = pilot.app.screen.query_one("#documents")
    row = next(i for i in range(table.row_count) if title in str(table.get_row_at(i)))
    table.move_cursor(row=row)
    await pilot.press("enter")
    await settle(pilot)
    assert pilot.app.screen.__class__.__name__ == "ReaderScreen"
    return pilot.app.screen.query_one(CodedText)  # type: ignore[no-any-return]


def margin_cells(text: CodedText, y: int) -> list[Segment]:
    """The margin's cells on screen row `y` of the reader, one segment per cell, as drawn."""
    strip = text.render_line(y)
    width = text.scrollable_content_region.width
    cells = []
    for segment in strip.crop(width - text.margin_width, width):
        cells.extend(Segment(character, segment.style) for character in segment.text)
    return cells


def stripes(text: CodedText, y: int) -> list[tuple[str, str]]:
    """(glyph, colour) of each lane's stripe on screen row y."""
    lanes, _label = text.margin_geometry
    found = []
    for cell in margin_cells(text, y)[1:1 + lanes]:
        if cell.text.strip():
            assert cell.style is not None and cell.style.color is not None
            found.append((cell.text, cell.style.color.triplet.hex if cell.style.color.triplet else ""))
    return found


def label_text(text: CodedText, y: int) -> str:
    lanes, _label = text.margin_geometry
    return "".join(cell.text for cell in margin_cells(text, y)[2 + lanes:]).strip()


def screen_rows(text: CodedText, mark: CodingMark) -> range:
    """The visual rows Textual itself draws the coding's characters on (from its wrapped document)."""
    first = text.wrapped_document.location_to_offset(text.location_of(mark.start)).y
    last = text.wrapped_document.location_to_offset(text.location_of(max(mark.start, mark.end - 1))).y
    return range(first, last + 1)


def assert_margin_matches_text(text: CodedText, coded: bool = True) -> None:
    """On every row on screen, the stripes are exactly the codings whose text is drawn on that row."""
    top = text.scroll_offset.y
    own = text.own_coder
    checked = 0
    for y in range(text.scrollable_content_region.height):
        row = top + y
        expected = sorted((OWN_GLYPH if m.coder == own else OTHER_GLYPHS[0], m.color.lower())
                          for m in text._marks if row in screen_rows(text, m))
        assert sorted(stripes(text, y)) == expected, (row, expected)
        checked += bool(expected)
    assert checked or not coded, "no coded row was on screen"


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_margin_follows_wrapping_and_scrolling(project: Path, size: tuple[int, int]) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=size) as pilot:
        text = await open_document(pilot, LONG)
        assert text.margin_width > 0
        # the text wraps that much narrower: no line runs under the margin
        assert text.wrapped_document._width == text.scrollable_content_region.width - text.margin_width - 1
        for mark in list(text._marks):  # to each coding in turn: the text scrolls, the margin with it
            text.select_span(mark.start, mark.start)
            await settle(pilot)
            assert_margin_matches_text(text)
        text.scroll_end(animate=False)  # the end, where nothing is coded: no stripe either
        await settle(pilot)
        assert_margin_matches_text(text, coded=False)
        assert app.errors == []


async def test_a_narrower_window_rewraps_and_the_margin_follows(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(160, 50)) as pilot:
        text = await open_document(pilot, LONG)
        body = text.document.text
        text.select_span(body.index("[00:20:00]"), body.index("[00:20:00]"))
        await settle(pilot)
        wide = (text.margin_geometry, text.wrapped_document._width)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert (text.margin_geometry, text.wrapped_document._width) != wide
        text.select_span(body.index("[00:20:00]"), body.index("[00:20:00]"))
        await settle(pilot)
        assert_margin_matches_text(text)


async def test_scrolling_draws_only_the_rows_on_screen(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[int] = []
    layouts: list[int] = []
    original_strip = CodedText._margin_strip
    original_layout = margin.layout

    def strip(self: CodedText, row: int, geometry: tuple[int, int]) -> Any:
        drawn.append(row)
        return original_strip(self, row, geometry)

    def layout(*args: Any, **kwargs: Any) -> Any:
        layouts.append(1)
        return original_layout(*args, **kwargs)

    monkeypatch.setattr(CodedText, "_margin_strip", strip)
    monkeypatch.setattr(margin, "layout", layout)
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(80, 24)) as pilot:
        text = await open_document(pilot, LONG)
        assert text.wrapped_document.height > 3 * text.size.height  # long enough to scroll
        laid_out = len(layouts)
        for _ in range(3):
            drawn.clear()
            text.scroll_page_down(animate=False)
            await settle(pilot)
            top, height = text.scroll_offset.y, text.scrollable_content_region.height
            assert drawn, "nothing was drawn after scrolling"
            assert all(top <= row < top + height for row in drawn), (top, height, sorted(set(drawn)))
        assert len(layouts) == laid_out  # scrolling never lays the margin out again
        assert_margin_matches_text(text, coded=False)


async def test_labels_are_shortcut_letters_when_narrow_and_names_when_wide(project: Path) -> None:
    for size, expected in [((80, 24), {"c", "l"}), ((200, 50), {"Kollegial sparring", "Ledelse·JB"})]:
        app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
        async with app.run_test(size=size) as pilot:
            text = await open_document(pilot, LONG)
            body = text.document.text
            start = body.index("Sparring med kollegerne")
            text.select_span(start, start)
            await settle(pilot)
            y = text.wrapped_document.location_to_offset(text.location_of(start)).y - text.scroll_offset.y
            shown = " ".join(label_text(text, row) for row in (y, y + 1))
            assert set(shown.split(" ")) >= expected if size[0] == 80 else all(e in shown for e in expected), shown
        app.project.close()


async def test_another_coders_codings_are_marked_and_can_be_hidden(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_document(pilot, LONG)
        screen: Any = app.screen
        body = text.document.text
        start = body.index("Sparring med kollegerne")
        text.select_span(start, start)
        await settle(pilot)
        y = text.wrapped_document.location_to_offset(text.location_of(start)).y - text.scroll_offset.y
        glyphs = {glyph for glyph, _colour in stripes(text, y)}
        assert glyphs == {OWN_GLYPH, OTHER_GLYPHS[0]}
        legend = str(screen.query_one("#margin-legend").render())
        assert f"{OWN_GLYPH} Anna Krogh (you)" in legend and f"{OTHER_GLYPHS[0]} Jonas Bech" in legend
        # lines only Jonas Bech coded: painted now, bare once his codings are hidden
        def lines(coder: str) -> set[int]:
            return {row for m in screen.view.codings if m.coder == coder
                    for row in range(text.location_of(m.start)[0], text.location_of(m.end - 1)[0] + 1)}

        only_his = lines("Jonas Bech") - lines("Anna Krogh")
        assert only_his and all(text._highlights.get(row) for row in only_his)
        wrapped = (text.margin_width, text.wrapped_document._width, text.wrapped_document.height)
        await pilot.press("ctrl+o")  # only mine
        await settle(pilot)
        assert {m.coder for m in text._marks} == {"Anna Krogh"}
        # the margin keeps its lanes: hiding a coder does not narrow it and reflow the text
        assert (text.margin_width, text.wrapped_document._width, text.wrapped_document.height) == wrapped
        assert {glyph for glyph, _colour in stripes(text, y)} == {OWN_GLYPH}
        assert not any(text._highlights.get(row) for row in only_his)
        assert "only these codings shown" in str(screen.query_one("#margin-legend").render())
        assert str(screen.query_one("#reader-status").render()).startswith("Showing only your codings")
        await pilot.press("ctrl+o")  # only Jonas Bech's
        await settle(pilot)
        assert {m.coder for m in text._marks} == {"Jonas Bech"}
        await pilot.press("ctrl+o")  # every coder's again
        await settle(pilot)
        assert {m.coder for m in text._marks} == {"Anna Krogh", "Jonas Bech"}
        assert all(text._highlights.get(row) for row in only_his)
        assert app.errors == []


def widget_cell(text: CodedText, offset: int) -> tuple[int, int]:
    """Where the character at `offset` is drawn, relative to the reader widget (as mouse events are)."""
    x, y = text.wrapped_document.location_to_offset(text.location_of(offset))
    return x + text.gutter.left - text.scroll_offset.x, y + text.gutter.top - text.scroll_offset.y


def codings_of(db: Path, title: str) -> list[dict[str, Any]]:
    return ok("--db", db, "show", title, "--json").json["codings"]  # type: ignore[no-any-return]


async def code_selection(pilot: Any, code: str) -> None:
    await pilot.press("c")
    await pilot.pause()
    await pilot.press(*code)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


async def test_a_mouse_drag_codes_exactly_the_dragged_span_as_keys_do(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_document(pilot, SHORT)
        body = text.document.text
        start = body.index("Søren får")
        end = start + len("Søren får et job på lageret")
        assert widget_cell(text, start)[1] == widget_cell(text, end)[1]  # one row: the drag is a plain one
        await pilot.mouse_down(text, offset=widget_cell(text, start))
        await pilot.hover(text, offset=widget_cell(text, start + 8))
        await pilot.hover(text, offset=widget_cell(text, end))
        await pilot.mouse_up(text, offset=widget_cell(text, end))
        await pilot.pause()
        assert text.span == (start, end)
        assert text.selected_text == "Søren får et job på lageret"
        await code_selection(pilot, "specifik")
        by_mouse = [(c["start"], c["end"], c["text"], c["code_path"]) for c in codings_of(project, SHORT)]
        assert by_mouse == [(start, end, "Søren får et job på lageret", "Tro på borgerens jobchance/Specifik tro")]
        await pilot.press("u")  # undo, and select the same span with the keyboard
        await settle(pilot)
        assert codings_of(project, SHORT) == []
        text.select_span(start, start)
        await pilot.press(*["shift+right"] * (end - start))
        assert text.span == (start, end)
        await code_selection(pilot, "specifik")
        by_keys = [(c["start"], c["end"], c["text"], c["code_path"]) for c in codings_of(project, SHORT)]
        assert by_keys == by_mouse
        assert app.errors == []


async def test_a_drag_over_two_rows_selects_across_the_wrap(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(80, 24)) as pilot:
        text = await open_document(pilot, LONG)
        body = text.document.text
        start = body.index("Det er svært at se")
        end = body.index("barrierer.", start) + len("barrierer.")
        text.select_span(start, start)
        await settle(pilot)
        assert widget_cell(text, start)[1] < widget_cell(text, end)[1]  # the span wraps onto another row
        await pilot.mouse_down(text, offset=widget_cell(text, start))
        await pilot.hover(text, offset=widget_cell(text, end))
        await pilot.mouse_up(text, offset=widget_cell(text, end))
        await pilot.pause()
        assert text.span == (start, end)
        await code_selection(pilot, "ledelse")
        found = [c for c in codings_of(project, LONG) if c["code_path"].endswith("/Ledelse") and c["start"] == start]
        assert [(c["end"], c["coder"]) for c in found] == [(end, "Anna Krogh")]


def stripe_cell(text: CodedText, mark: CodingMark, glyph: str) -> tuple[int, int]:
    """The widget cell of `mark`'s stripe on the row its text begins, found in the drawn margin."""
    y = text.wrapped_document.location_to_offset(text.location_of(mark.start)).y - text.scroll_offset.y
    cells = margin_cells(text, y)
    lanes, _label = text.margin_geometry
    colour = mark.color.lower()
    lane = next(i for i, cell in enumerate(cells[1:1 + lanes]) if cell.text == glyph and cell.style is not None
                and cell.style.color is not None and cell.style.color.triplet is not None
                and cell.style.color.triplet.hex == colour)
    left = text.scrollable_content_region.width - text.margin_width
    return text.gutter.left + left + 1 + lane, y + text.gutter.top


async def test_a_click_on_a_stripe_chooses_its_coding_for_the_side_panel_and_memo(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_document(pilot, LONG)
        screen: Any = app.screen
        body = text.document.text
        start = body.index("Sparring med kollegerne")
        text.select_span(start, start)
        await settle(pilot)
        # two codings of the same words by two coders: Jonas Bech's is not the one the cursor would pick
        theirs = next(m for m in screen.view.codings if m.coder == "Jonas Bech" and m.start == start)
        mine = next(m for m in screen.view.codings if m.coder == "Anna Krogh" and m.start == start)
        assert (theirs.start, theirs.end) == (mine.start, mine.end)
        await pilot.click(text, offset=stripe_cell(text, theirs, OTHER_GLYPHS[0]))
        await settle(pilot)
        assert screen.chosen == theirs.id
        assert text.span == (theirs.start, theirs.end)
        panel = str(screen.query_one("#at-cursor").render())
        chosen_line = next(line for line in panel.splitlines() if line.startswith("▶"))
        assert "Sparringskultur og ledelse/Ledelse" in chosen_line
        assert "Jonas Bech · para. 3 · Mette Holm (forsker)" in panel
        # the chosen coding is drawn as chosen in the margin
        assert any(glyph == "█" for glyph, _colour in stripes(text, widget_cell(text, start)[1] - text.gutter.top))
        # memo acts on the chosen coding, not on mine
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"Ledelsen nævnes ikke")
        await pilot.press("ctrl+s")
        await settle(pilot)
        memos = {(c["coder"], c["code_path"].rsplit("/", 1)[-1]): c["memo"] for c in codings_of(project, LONG)
                 if c["start"] == start}
        assert memos == {("Jonas Bech", "Ledelse"): "Ledelsen nævnes ikke", ("Anna Krogh", "Kollegial sparring"): None}
        # a click on my stripe chooses mine
        await pilot.click(text, offset=stripe_cell(text, mine, OWN_GLYPH))
        await settle(pilot)
        assert screen.chosen == mine.id
        assert app.errors == []


async def test_a_click_on_coded_text_chooses_the_coding_there_and_again_the_next(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_document(pilot, LONG)
        screen: Any = app.screen
        body = text.document.text
        start = body.index("Sparring med kollegerne")
        text.select_span(start, start)
        await settle(pilot)
        at = {m.id for m in screen.view.codings if m.start <= start + 5 < m.end}
        assert len(at) == 2
        await pilot.click(text, offset=widget_cell(text, start + 5))
        await settle(pilot)
        first = screen.chosen
        assert first in at
        await pilot.click(text, offset=widget_cell(text, start + 5))
        await settle(pilot)
        assert screen.chosen in at and screen.chosen != first
        # a click on uncoded text chooses nothing and leaves the cursor there
        plain = body.index("Hvad gør I") if "Hvad gør I" in body else body.index("[00:00:00]")
        await pilot.click(text, offset=widget_cell(text, plain))
        await settle(pilot)
        assert screen.chosen_mark() is None
        assert text.span == (plain, plain)


async def test_the_side_panel_names_paragraph_and_speaker_not_offsets(project: Path) -> None:
    ok("--db", project, "code", SHORT, "--code", "Ledelse", "--match", "Lederen er med")
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_document(pilot, SHORT)
        body = text.document.text
        start = body.index("Lederen er med")
        text.select_span(start + 2, start + 2)
        await settle(pilot)
        panel = str(app.screen.query_one("#at-cursor").render())
        assert "Anna Krogh · afsnit 4 · Mette Vinther (sagsbehandler)" in panel
        assert f"{start}–" not in panel and str(start) not in panel


async def test_the_codings_list_sorts_jumps_and_closes(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_document(pilot, LONG)
        reader: Any = app.screen
        await pilot.press("C")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "CodingsScreen"
        table: Any = app.screen.query_one("#codings-table")
        marks = reader.view.codings
        assert table.row_count == len(marks) == 8
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        places = [int(re.match(r"para\. (\d+)", str(row[2])).group(1)) for row in rows]  # type: ignore[union-attr]
        assert places == sorted(places)  # by position
        assert all(str(row[1]) in ("Anna Krogh", "Jonas Bech") for row in rows)
        # a memo mark where there is a memo
        assert [str(row[4]) for row in rows].count("✎") == sum(1 for m in marks if m.memo)
        await pilot.press("s")  # by code, in codebook order
        await settle(pilot)
        by_code = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        # each code's own name first, then the branch it is in
        assert by_code[0].startswith("■ Kollegial sparring · Sparringskultur"), by_code
        assert by_code[-1].startswith("■ Specifik tro · Tro på borgerens"), by_code
        contact = next(i for i, code in enumerate(by_code) if code.startswith("■ Virksomhedskontakt · Viden"))
        assert by_code.index("■ Ledelse · Sparringskultur og ledelse") < contact
        table.move_cursor(row=contact)
        wanted = next(m for m in marks if m.id == uuid.UUID(
            str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is reader
        assert reader.chosen == wanted.id and text.span == (wanted.start, wanted.end)
        top = text.scroll_offset.y
        assert top <= text.wrapped_document.location_to_offset(text.location_of(wanted.end)).y < top + text.size.height
        await pilot.press("C")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "CodingsScreen"
        await pilot.press("C")  # the same key closes it
        await settle(pilot)
        assert app.screen is reader
        await pilot.press("C")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is reader and reader.chosen == wanted.id
        assert app.errors == []


def test_lanes_stand_side_by_side_and_labels_wait_for_room() -> None:
    def mark(start: int, end: int, name: str, coder: str = "Anna Krogh") -> CodingMark:
        return CodingMark(uuid.uuid4(), uuid.uuid4(), f"Område/{name}", "#4e79a7", coder, start, end, None, None,
                          False, None, name[0].lower())

    # rows of 10 characters: offset // 10 is the row
    a, b, c, d = mark(0, 35, "Æbler"), mark(5, 15, "Pærer"), mark(12, 18, "Blommer"), mark(40, 45, "Ærter")
    out = margin.layout([a, b, c, d], lambda offset: offset // 10, lanes=2, label_width=12,
                        label_of=lambda m: m.code_name)
    lanes = {m.code_name: lane for row in range(6) for lane, m in out.crossing(row)}
    assert lanes == {"Æbler": 0, "Pærer": 1, "Ærter": 0}  # Blommer has no lane left: counted as overflow
    assert [(row, [m.code_name for _lane, m in out.crossing(row)]) for row in range(6)] == [
        (0, ["Æbler", "Pærer"]), (1, ["Æbler", "Pærer"]), (2, ["Æbler"]), (3, ["Æbler"]), (4, ["Ærter"]), (5, [])]
    assert [row for row in range(6) if out.overflows(row)] == [1]
    assert [chip.text for chip in out.chips_at(0)] == ["Æbler", "Pærer"]  # both fit on row 0
    assert [chip.text for chip in out.chips_at(1)] == ["Blommer"]
    assert [chip.text for chip in out.chips_at(4)] == ["Ærter"]
    narrow = margin.layout([a, b], lambda offset: offset // 10, lanes=2, label_width=3,
                           label_of=lambda m: m.shortcut or "")
    assert [chip.text for chip in narrow.chips_at(0)] == ["æ", "p"]
    cramped = margin.layout([a, b], lambda offset: offset // 10, lanes=2, label_width=6,
                            label_of=lambda m: m.code_name)
    assert [chip.text for chip in cramped.chips_at(0)] == ["Æbler"]
    assert [chip.text for chip in cramped.chips_at(1)] == ["Pærer"]  # waited one row for room
    assert margin.lane_bound([a, b, c, d], [0, 10, 20, 30, 40]) == 3
    # rows 0-3 and row 4 are laid out apart (no stripe runs from one into the other)
    assert [(first, last) for first, last, _begin, _end in out.blocks] == [(0, 3), (4, 4)]


def test_blocks_laid_out_apart_give_what_one_pass_over_the_whole_text_gives() -> None:
    """Laying out only the blocks on screen must give each stripe the lane, and each label the row, that
    a greedy pass over every coding of the document gives."""
    import random

    rng = random.Random(24)
    for _trial in range(40):
        marks = []
        for _ in range(rng.randint(1, 120)):
            start = rng.randrange(0, 3000)
            end = start + rng.randint(1, 250)
            name = rng.choice(["Ledelse", "Sparring", "Ærlighed", "Tro"])
            marks.append(CodingMark(uuid.uuid4(), uuid.uuid4(), f"Område/{name}", "#4e79a7",
                                    rng.choice(["Anna Krogh", "Jonas Bech"]), start, end, None, None, False, None))
        out = margin.layout(marks, lambda offset: offset // 40, lanes=3, label_width=12,
                            label_of=lambda m: m.code_name)
        # one greedy pass over everything
        spans = sorted(((m.start // 40, max(m.start, m.end - 1) // 40, m) for m in marks),
                       key=lambda item: (item[0], -item[1]))
        lane_ends: dict[int, int] = {}
        expected: dict[uuid.UUID, int] = {}
        for first, last, mark in spans:
            lane = min((lane for lane, end in lane_ends.items() if end < first), default=len(lane_ends))
            lane_ends[lane] = last
            expected[mark.id] = lane
        last_row = max(last for _first, last, _mark in spans)
        found = {mark.id: lane for row in range(last_row + 1) for lane, mark in out.crossing(row)}
        assert found == {mark_id: lane for mark_id, lane in expected.items() if lane < 3}
        assert [row for row in range(last_row + 1) if out.overflows(row)] == [
            row for row in range(last_row + 1)
            if any(first <= row <= last and expected[m.id] >= 3 for first, last, m in spans)]


def test_the_open_benchmark_measures_with_the_margin_on_screen(tmp_path: Path) -> None:
    """The benchmark's "open a long document" figure is taken only once the margin has been drawn in the
    first painted frame (it refuses to report a figure otherwise)."""
    from benchmarks.core import _build_long_document_project

    path, document = _build_long_document_project(str(tmp_path / "lang.db"), characters=20_000, codings=200)
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "app_open.py"), str(path), document],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert float(done.stdout.strip().splitlines()[-1]) > 0


async def test_rows_kept_from_before_a_coding_are_what_a_fresh_reader_draws(project: Path) -> None:
    """After a coding (by the picker and by `.`), hiding a coder and showing them again, only the lines whose
    codings changed are painted and drawn anew (CodedText.paint): every line's paint and every row on screen
    must still be exactly what the reader paints and draws from nothing."""
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_document(pilot, LONG)
        body = text.document.text

        def painted() -> list[list[tuple[int, int, str]]]:
            return [list(text._highlights[row]) for row in range(text.document.line_count)]

        def drawn() -> list[list[Segment]]:
            return [list(text.render_line(y)) for y in range(text.scrollable_content_region.height)]

        def assert_as_fresh() -> None:
            kept_paint, kept_rows = painted(), drawn()
            text._build_highlight_map()  # forget every line's paint and every drawn row
            assert painted() == kept_paint
            assert drawn() == kept_rows

        first = body.index("Det er svært at se borgerens ressourcer")
        text.select_span(first, first + 40)
        await code_selection(pilot, "Ledelse")
        assert_as_fresh()
        again = body.index("Æblet falder ikke langt fra stammen")
        text.select_span(again, again + 30)
        await settle(pilot)
        await pilot.press("full_stop")  # the same code again
        await settle(pilot)
        assert any(m.start == again for m in text._marks)
        assert_as_fresh()
        for _ in range(3):  # only mine, only Jonas Bech's, every coder's again
            await pilot.press("ctrl+o")
            await settle(pilot)
            assert_as_fresh()
        assert app.errors == []
