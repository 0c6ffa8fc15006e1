"""The terminal app driven with Textual's Pilot; every check is made against the database too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fieldnotes.project.opening import open_project
from fieldnotes.tui.app import FieldnotesApp
from fieldnotes.tui.widgets.coded_text import CodedText
from tests.helpers import ok, settle
from tests.projectdata import make_project

DOC = "Interview med sagsbehandler"


def codings(db: Path) -> list[dict[str, Any]]:
    return ok("--db", db, "show", DOC, "--json").json["codings"]  # type: ignore[no-any-return]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


async def open_reader(pilot: Any) -> CodedText:
    await settle(pilot)
    await pilot.press("d")
    await settle(pilot)
    table = pilot.app.screen.query_one("#documents")
    row = next(i for i in range(table.row_count) if DOC in str(table.get_row_at(i)))
    table.move_cursor(row=row)
    await pilot.press("enter")
    await settle(pilot)
    assert pilot.app.screen.__class__.__name__ == "ReaderScreen"
    return pilot.app.screen.query_one(CodedText)  # type: ignore[no-any-return]


async def test_code_a_sentence_with_memo_and_rating_by_keyboard(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_reader(pilot)
        start = text.document.text.index("Vi tager altid")
        text.select_span(start + 3, start + 5)
        await pilot.press("s")  # widen to the sentence
        assert text.selected_text == "Vi tager altid en runde i teamet om fredagen."
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"kollegial")
        await pilot.pause()
        await pilot.press("tab")
        await pilot.press(*"Fast rutine om fredagen")
        await pilot.press("enter")
        await settle(pilot)
        assert app.errors == []
    found = codings(project)
    assert [(c["code_path"], c["text"], c["memo"], c["coder"]) for c in found] == [
        ("Sparringskultur og ledelse/Kollegial sparring", "Vi tager altid en runde i teamet om fredagen.",
         "Fast rutine om fredagen", "Anna Krogh")]
    # the audit trail names the code and the document, as the command line's does
    assert ok("--db", project, "log", "--json").json[0]["summary"] == f"coded Kollegial sparring in {DOC!r}"


async def test_rate_a_belief_statement_then_undo(project: Path) -> None:
    # five recent codes, so a rating's digit that leaked to the reader would apply recent code 5
    for code, words in (("Kollegial sparring", "sparring om en borger"), ("Ledelse", "Lederen spørger"),
                        ("Virksomhedskontakt", "foreslår en praktik"), ("Tro på borgerens jobchance", "troen på")):
        ok("--db", project, "--coder", "Anna Krogh", "code", "Teammøde i Fjordby", "--code", code, "--match", words)
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_reader(pilot)
        start = text.document.text.index("jeg tror på")
        text.select_span(start, start + 3)
        await pilot.press("s")
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"specifik")
        await pilot.pause()
        await pilot.press("tab", "tab")  # to the rating field
        await pilot.press("4", "enter")
        await settle(pilot)
        assert [c["rating"] for c in codings(project)] == [4]
        assert text.selection.start != text.selection.end  # the sentence is still selected
        await pilot.press("r")  # right after coding, without moving: the side panel's coding is rated
        await pilot.pause()
        await pilot.press("5")
        await settle(pilot)
        assert [c["rating"] for c in codings(project)] == [5]
        assert ok("--db", project, "log", "--json").json[0]["summary"] == f"changed rating of Specifik tro in {DOC!r}"
        await pilot.press("u")
        await settle(pilot)
        assert [c["rating"] for c in codings(project)] == [4]
        await pilot.press("u")
        await settle(pilot)
        assert codings(project) == []
        assert app.errors == []


async def test_remove_acts_on_the_coding_the_selection_covers(project: Path) -> None:
    """With a selection, Delete takes the coding sharing most text with it (as listed in the side panel),
    not only one under the selection's end."""
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring",
       "--match", "Lederen er med, og vi får sparring på de svære sager.")
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_reader(pilot)
        start = text.document.text.index("Lederen er med, og")
        text.select_span(start, start + len("Lederen er med, og vi får sparring på de svære sager."))
        await pilot.press("delete")
        await settle(pilot)
        assert [c["code_path"].split("/")[-1] for c in codings(project)] == ["Ledelse"]
        # said on the status line (a notice would cover it), message first so a narrow terminal keeps it
        status = str(app.screen.query_one("#reader-status").render())
        assert status.startswith("Removed: Sparringskultur og ledelse/Kollegial sparring (u undoes)")
        assert not app._notifications
        text.select_span(start + 2, start + 2)  # no selection: the coding at the cursor
        await pilot.press("delete")
        await settle(pilot)
        assert codings(project) == []
        assert app.errors == []


async def test_recent_codes_repeat_and_shortcut_prefix(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_reader(pilot)
        body = text.document.text
        start = body.index("Det giver praktikpladser")
        text.select_span(start, start + len("Det giver praktikpladser"))
        await pilot.press("1")  # most recent code: Ledelse
        await settle(pilot)
        start = body.index("ringer til bageriet")
        text.select_span(start, start + len("ringer til bageriet"))
        await pilot.press("k", "x")  # Virksomhedskontakt has shortcut x
        await settle(pilot)
        start = body.index("Hvad gør I i teamet?")
        text.select_span(start, start + 6)
        await pilot.press("full_stop")  # repeat the last code
        await settle(pilot)
        assert app.errors == []
    got = sorted((c["code_path"].split("/")[-1], c["text"]) for c in codings(project))
    assert got == [("Ledelse", "Det giver praktikpladser"), ("Ledelse", "Lederen er med"),
                   ("Virksomhedskontakt", "Hvad g"), ("Virksomhedskontakt", "ringer til bageriet")]


async def test_picker_fuzzy_filter_and_new_code(project: Path) -> None:
    from fieldnotes.tui.screens.picker import CodePicker

    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_reader(pilot)
        text.select_span(0, 10)
        await pilot.press("c")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, CodePicker)
        await pilot.press(*"virksomhedskontak")  # a typo away from the name
        await pilot.pause()
        assert picker.shown[0].name == "Virksomhedskontakt"
        await pilot.press("escape")
        await pilot.pause()
        text.select_span(0, 10)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"Viden om arbejdsmarkedet/Praktikpladser")
        await pilot.pause()
        options = app.screen.query_one("#picker-options")
        options.highlighted = options.option_count - 1  # "+ new code"
        await pilot.press("enter")
        await settle(pilot)
        assert app.errors == []
    listing = ok("--db", project, "codebook", "list", "--json").json
    assert "Viden om arbejdsmarkedet/Praktikpladser" in [c["path"] for c in listing]
    assert [c["code_path"] for c in codings(project)] == ["Viden om arbejdsmarkedet/Praktikpladser"]


def test_picker_ranks_the_code_whose_own_name_matches() -> None:
    """'kultur org' put Kollegial sparring first (its parent is Sparringskultur og ledelse) and the code
    Kultur og organisering third, so Enter applied the wrong code; 'ledelse' likewise."""
    import uuid

    from fieldnotes.queries.overview import CodeChoice
    from fieldnotes.tui.screens.picker import rank

    def code(path: str, shortcut: str | None = None) -> CodeChoice:
        return CodeChoice(uuid.uuid4(), path, path.rsplit("/", 1)[-1], "#888888", shortcut, "", "", "", "", None, {},
                          True)

    codes = [code("Sparringskultur og ledelse/Kollegial sparring", "c"),
             code("Sparringskultur og ledelse/Ledelse", "l"),
             code("Sparringskultur og ledelse/Kultur og organisering", "o"),
             code("Sparringskultur og ledelse/Udviklingspotentiale og arbejdsevne", "u"),
             code("Relation og samarbejde med borger/Forforståelser", "f"),
             code("Viden om arbejdsmarkedet/Videndeling", "d"),
             code("Viden om arbejdsmarkedet/Indsamling af arbejdsmarkedsviden", "i"),
             code("Tro på borgerens jobchance/Specifik tro", "h")]

    def first(query: str) -> str:
        return rank(codes, query, [])[0].name

    assert first("kultur org") == "Kultur og organisering"
    assert first("ledelse") == "Ledelse"
    assert first("sparring") == "Kollegial sparring"
    assert first("forforstaelser") == "Forforståelser"
    assert first("o") == "Kultur og organisering"  # a shortcut letter alone
    assert first("Viden om arbejdsmarkedet/Videndeling") == "Videndeling"
    assert first("specifk tro") == "Specifik tro"


async def test_tab_never_sends_the_memo_into_the_code_search(project: Path) -> None:
    """With a code without a scale, the second tab from the memo went back to the code field: the rest
    of the memo was typed into the search and changed the code."""
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=(100, 30)) as pilot:
        text = await open_reader(pilot)
        start = text.document.text.index("Lederen er med")
        text.select_span(start, start + len("Lederen er med"))
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"ledelse")
        await pilot.pause()
        assert not app.screen.query_one("#picker-rating").display  # Ledelse has no scale
        await pilot.press("tab", *"Lederen deltager", "tab", *" altid")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "picker-memo"
        assert "ingen vurderingsskala" in str(app.screen.query_one("#picker-hint").render())
        await pilot.press("shift+tab")  # back to the code, on purpose
        assert app.focused is not None and app.focused.id == "picker-query"
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert app.errors == []
    assert [(c["code_path"], c["text"], c["memo"]) for c in codings(project)] == [
        ("Sparringskultur og ledelse/Ledelse", "Lederen er med", "Lederen deltager altid")]


async def test_excerpt_jump_opens_the_document_at_the_spot(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Virksomhedskontakt", "--match", "ringer til bageriet")
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Viden om arbejdsmarkedet", "enter")
        await settle(pilot)
        assert len(app.screen.found) == 1, app.errors  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        text = app.screen.query_one(CodedText)
        assert text.selected_text == "ringer til bageriet"
        assert app.errors == []


async def test_a_large_result_reads_only_what_the_list_shows(project: Path, monkeypatch: Any) -> None:
    from fieldnotes.tui.screens import excerpts as screen

    monkeypatch.setattr(screen, "SHOWN", 2)
    for words in ("Lederen er med", "ringer til bageriet", "Søren får et job"):
        ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", words)
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Ledelse", "enter")
        await settle(pilot)
        assert len(app.screen.found) == 2, app.errors  # type: ignore[attr-defined]
        status = str(app.screen.query_one("#ex-status").render())
        assert "3 excerpts" in status and "first 2 shown" in status, status
        assert app.errors == []


async def test_danish_letters_do_not_shift_the_paint(project: Path) -> None:
    """TextArea's highlight columns are UTF-8 bytes: æ, ø and å before a span must not move it."""
    ok("--db", project, "code", DOC, "--code", "Specifik tro", "--match", "Søren får et job på lageret")
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        text = await open_reader(pilot)
        body = text.document.text
        start = body.index("Søren får")
        row, column = text.location_of(start)
        line = text.document.get_line(row)
        (left, right, _name), = text._highlights[row]
        painted = line.encode("utf-8")[left:right].decode("utf-8")
        assert painted == "Søren får et job på lageret"
        assert column == line.index("Søren")


async def test_an_error_is_a_notice_not_a_crash(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        await open_reader(pilot)
        await pilot.press("c")  # nothing selected
        await pilot.pause()
        await pilot.press("r")  # no coding at the cursor
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ReaderScreen"

        def boom() -> None:
            raise RuntimeError("simulated bug")

        app.db(boom)
        await settle(pilot)
        assert any("RuntimeError" in e for e in app.errors)
        assert app.is_running


async def test_help_lists_the_keys(project: Path) -> None:
    import importlib

    from textual.binding import Binding

    from fieldnotes.tui.screens.help import HELP_SCREENS, help_text, key_label, sections

    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        listed = {section.title: section for section in sections()}
        # every key of every screen, read from its bindings: a key added to a screen cannot be missed
        for title, target in HELP_SCREENS:
            module, _sep, name = target.partition(":")
            keys = {k for row in listed[_da(title)].rows for k in row.keys}
            for item in getattr(importlib.import_module(module), name).BINDINGS:
                binding = item if isinstance(item, Binding) else Binding(*item)
                for key in binding.key.split(","):
                    assert key_label(key) in keys, (title, key)
        everywhere = {k for row in listed["Overalt"].rows for k in row.keys}
        for binding in FieldnotesApp.BINDINGS:
            assert isinstance(binding, Binding)
            for key in binding.key.split(","):
                assert key_label(key) in everywhere, key
        text = help_text()
        for needle in ("Kodebog", "Uddrag", "ctrl+o", "ctrl+s", "Skriv en ny note", "1–9", "w s p t", "[ ]", "{ }",
                       "shift+arrows", "Kodevælgeren"):
            assert needle in text, needle
        # compact: about one line per key at 80 columns (a table with a rule under every row took two)
        shown = app.screen.query_one("#help-text")
        assert len(text.splitlines()) <= shown.size.height < 1.4 * len(text.splitlines())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HomeScreen"
        await pilot.press("question_mark")  # ? opens the help, and closes it again
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HomeScreen"


def _da(text: str) -> str:
    from fieldnotes.translations import translator

    return translator("da").gettext(text)


async def test_write_a_new_note_in_the_app(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Jonas Bech")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Borgersamtale i Søholm", "enter")  # title, then on to the kind
        await pilot.pause()
        app.screen.query_one("#note-municipality").value = "Søholm"
        app.screen.query_one("#note-text").text = "Kl. 10.00 borgeren fortæller om praktikken.\nDet går godt."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ReaderScreen"
        assert app.errors == []
    docs = {d["title"]: d for d in ok("--db", project, "docs", "--json").json}
    note = docs["Borgersamtale i Søholm"]
    assert note["kind"] == "observation" and note["municipality"] == "Søholm"
    shown = ok("--db", project, "show", "Borgersamtale i Søholm").out
    assert shown == "Kl. 10.00 borgeren fortæller om praktikken.\nDet går godt.\n"
    assert ok("--db", project, "log", "--json").json[0]["coder"] == "Jonas Bech"


async def test_matrix_drill_down_to_a_cell(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Virksomhedskontakt", "--match", "ringer til bageriet")
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    ok("--db", project, "code", "Teammøde i Fjordby", "--code", "Kollegial sparring", "--match", "sparring om")
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        screen = app.screen
        grid = screen.data.matrix  # type: ignore[attr-defined]
        assert grid.columns == ["Fjordby", "Lyngå"]
        row = grid.rows.index("Sparringskultur og ledelse")
        table = screen.query_one("#matrix")
        table.move_cursor(row=row, column=2)  # Lyngå
        await pilot.press("enter")
        await settle(pilot)
        assert [e.text for e in app.screen.found] == ["Lederen er med"]  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one(CodedText).selected_text == "Lederen er med"
        assert app.errors == []


async def test_search_and_code_all_hits_in_one_undoable_step(project: Path) -> None:
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press(*"teamet", "enter")
        await settle(pilot)
        hits = app.screen.hits  # type: ignore[attr-defined]
        assert len(hits) == 2 and all(h.text.lower().startswith("team") for h in hits)
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "WidenScreen"
        await pilot.press("up", "enter")  # the match only (the sentence is offered first)
        await settle(pilot)
        await pilot.press(*"ledelse", "enter")
        await settle(pilot)
        assert sorted(c["text"] for c in codings(project)) == sorted(h.text for h in hits)
        await pilot.press("u")
        await settle(pilot)
        assert codings(project) == []
        assert app.errors == []


async def test_export_a_matrix_cell_to_word(project: Path, tmp_path: Path) -> None:
    import docx

    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    ok("--db", project, "code", "Teammøde i Fjordby", "--code", "Kollegial sparring", "--match", "sparring om")
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        grid = app.screen.data.matrix  # type: ignore[attr-defined]
        table = app.screen.query_one("#matrix")
        table.move_cursor(row=grid.rows.index("Sparringskultur og ledelse"), column=grid.columns.index("Lyngå") + 1)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        target = tmp_path / "lyngå-sparring.docx"
        app.screen.query_one("#ex-file").value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.errors == []
    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "Lederen er med" in text and "sparring om" not in text
    exports = ok("--db", project, "log", "--exports", "--json").json
    assert exports and exports[0]["action"] == "export"


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 40)])
async def test_excerpt_filters_stay_readable_at_every_width(project: Path, size: tuple[int, int]) -> None:
    """At 80 columns one row of six filters left the code field four characters wide."""
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        fields = list(app.screen.query("#excerpt-filters > *"))
        assert len(fields) == 6
        for field in fields:
            assert field.region.right <= size[0], field.id
            assert field.region.width >= 18, (field.id, field.region.width)
        assert app.screen.query_one("#ex-code").region.width >= 30
        assert app.screen.query_one("#excerpt-list").region.height >= 10
        assert app.errors == []


async def test_the_export_dialog_groups_by_coder_under_headings(project: Path, tmp_path: Path) -> None:
    """The dialog offers every grouping the report has (kind and coder too); a group is a heading."""
    import docx

    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Vi tager altid en runde",
       "--coder", "Jonas Bech")
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    target = tmp_path / "ledelse-efter-koder.docx"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Ledelse", "enter")
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        group = app.screen.query_one("#ex-group")
        group.value = "kind"  # type: ignore[attr-defined]  # a value the dialog does not offer is refused
        group.value = "coder"  # type: ignore[attr-defined]
        app.screen.query_one("#ex-file").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.errors == []
    headings = [(p.style.name, p.text) for p in docx.Document(str(target)).paragraphs
                if p.style is not None and p.style.name.startswith("Heading")]
    assert ("Heading 3", "Anna Krogh") in headings and ("Heading 3", "Jonas Bech") in headings


EXPORT_FIELDS = ["ex-codes", "ex-municipalities", "ex-kinds", "ex-from", "ex-to", "ex-coders", "ex-format",
                 "ex-context", "ex-group", "ex-file", "ex-names", "ex-names-state"]


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 50)])
async def test_every_export_field_can_be_seen_and_reached(project: Path, size: tuple[int, int]) -> None:
    """The export dialog once showed only the codes and municipalities: the rest, and the focused file
    field, lay below the screen's edge, and nothing in sight mentioned ctrl+s."""
    from textual.geometry import Region

    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    app = FieldnotesApp(open_project(str(project)), "Anna Krogh", lang="da")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Ledelse", "enter")
        await settle(pilot)
        await pilot.press("ctrl+e")
        await settle(pilot)
        screen = app.screen
        assert screen.__class__.__name__ == "ExportScreen"
        whole = Region(0, 0, *size)
        hint = screen.query_one("#ex-message")
        assert "ctrl+s" in str(hint.render()) and whole.contains_region(hint.region)
        fields = screen.query_one("#ex-fields")
        assert app.focused is not None and app.focused.id == "ex-file"
        assert fields.region.contains_region(app.focused.region)  # the focused field is in sight
        for name in EXPORT_FIELDS:
            field = screen.query_one(f"#{name}")
            if size != (80, 24):  # from 100×30 up every field is on screen at once
                assert fields.region.contains_region(field.region), (name, field.region)
            fields.scroll_to_widget(field, animate=False, immediate=True)
            await pilot.pause()
            assert fields.region.contains_region(field.region), (name, field.region)
            assert whole.contains_region(field.region) and field.region.width >= 18, (name, field.region)
            assert whole.contains_region(hint.region)
        assert screen.query_one("#ex-codes").value == "Ledelse"  # type: ignore[attr-defined]
        await pilot.press("shift+tab")  # focus moves field by field, and each comes into sight
        assert app.focused is not None and app.focused.id != "ex-file"
        assert fields.region.contains_region(app.focused.region)
        assert app.errors == []
