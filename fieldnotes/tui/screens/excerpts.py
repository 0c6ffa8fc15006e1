"""Excerpts: every excerpt of a code or theme, with context and a citation line, filtered by
municipality, kind, phase, coder and rating. Enter jumps to the spot in the document."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.widgets import Header, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from fieldnotes.coding.excerpts import Excerpt
from fieldnotes.queries.filters import Filters
from fieldnotes.search.results import one_line
from fieldnotes.tui.i18n import N_, _, format_date
from fieldnotes.tui.screens.back import BackScreen
from fieldnotes.tui.screens.places import PlacesScreen, open_highlighted
from fieldnotes.tui.widgets.footer import Footer

#: the list shows this many excerpts; the status line gives the full count and the export takes them all
SHOWN = 2000
#: below this width the filters take two rows (one row would leave the code field a few characters wide)
NARROW = 140


class ExcerptsScreen(BackScreen):
    BINDINGS = [
        Binding("enter", "jump", N_("Go to text")),
        Binding("f", "focus_code", N_("Code"), tooltip=N_("Filter by a code or theme: the first field")),
        Binding("ctrl+e", "export", N_("Export")),
        Binding("ctrl+o", "cycle_coder", N_("Coders")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: list[Excerpt] = []
        self.filters = Filters()
        self.coders: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Grid(id="excerpt-filters"):
            yield Input(placeholder=_("Code or theme (path or name)"), id="ex-code")
            yield Select([], prompt=_("Municipality"), id="ex-municipality")
            yield Select([], prompt=_("Phase"), id="ex-phase")
            yield Select([], prompt=_("Kind"), id="ex-kind")
            yield Select([], prompt=_("Coder"), id="ex-coder")
            yield Input(placeholder=_("Rating e.g. 4:5"), id="ex-rating", max_length=5)
        yield OptionList(id="excerpt-list")
        yield Static(id="ex-status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        app: Any = self.app

        def work() -> tuple[dict[str, list[str]], Any]:
            from fieldnotes.analysis.columns import phase_start
            from fieldnotes.queries.overview import filter_choices

            with app.project.read() as session:
                return filter_choices(session), phase_start(session, "phase")

        app.db(work, self._fill_choices, group="excerpt-choices")
        self.query_one("#ex-code", Input).focus()
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        self.query_one("#excerpt-filters").set_class(event.size.width < NARROW, "narrow")

    def _fill_choices(self, found: tuple[dict[str, list[str]], Any]) -> None:
        from fieldnotes.analysis.columns import phase_label

        choices, start = found
        self.coders = choices.get("coder", [])
        for key in ("municipality", "phase", "kind", "coder"):
            select: Select[str] = self.query_one(f"#ex-{key}", Select)
            # a phase is offered with its months ("Fase 1 (feb.–jul. 2025)"); its value stays the number
            select.set_options([(phase_label(value, start) if key == "phase" else value, value)
                                for value in choices.get(key, [])])

    def action_cycle_coder(self) -> None:
        """Show every coder's work, only mine, then each other coder's in turn (the Coder filter)."""
        app: Any = self.app
        others = [name for name in self.coders if name != app.coder]
        order: list[str | None] = [None, *([app.coder] if app.coder in self.coders else []), *others]
        select: Select[str] = self.query_one("#ex-coder", Select)
        now = None if select.value in (Select.BLANK, Select.NULL, None) else str(select.value)
        following = order[(order.index(now) + 1) % len(order)] if now in order else None
        if following is None:
            select.clear()
            self.notify(_("Showing every coder's excerpts"), timeout=2)
        else:
            select.value = following
            self.notify((_("Showing only your excerpts") if following == app.coder else
                         _("Showing only {coder}'s excerpts").format(coder=following)), timeout=2)

    def set_code(self, path: str) -> None:
        self.query_one("#ex-code", Input).value = path
        self.reload()
        self.query_one("#excerpt-list", OptionList).focus()

    def _filters(self) -> Filters:
        from fieldnotes.queries.filters import parse_rating

        def value(key: str) -> str | None:
            selected = self.query_one(f"#ex-{key}", Select).value
            return None if selected in (Select.BLANK, Select.NULL, None) else str(selected)

        code = self.query_one("#ex-code", Input).value.strip()
        rating_text = self.query_one("#ex-rating", Input).value.strip()
        phase = value("phase")
        return Filters(
            codes=[code] if code else [],
            municipalities=[v] if (v := value("municipality")) else [],
            phases=[int(phase)] if phase else [],
            kinds=[v] if (v := value("kind")) else [],
            coders=[v] if (v := value("coder")) else [],
            rating=parse_rating(rating_text) if (":" in rating_text or rating_text.isdigit()) else None,
        )

    def reload(self) -> None:
        app: Any = self.app
        try:
            filters = self._filters()
        except Exception as error:  # a half-typed rating: say so, keep the last result
            self.query_one("#ex-status", Static).update(str(error))
            return
        self.filters = filters

        def work() -> tuple[list[Excerpt], int]:
            from fieldnotes.codebook.tree import CodeTree
            from fieldnotes.coding.excerpts import count_excerpts, excerpts

            # only the excerpts the list shows are read (with their context); the rest are counted
            with app.project.read() as session:
                tree = CodeTree.load(session)
                found = excerpts(session, filters, context="sentence", limit=SHOWN, tree=tree)
                total = count_excerpts(session, filters, tree=tree) if len(found) >= SHOWN else len(found)
            return found, total

        app.db(work, self.show, group="excerpts", exclusive=True)

    def show(self, result: tuple[list[Excerpt], int]) -> None:
        found, total = result
        options = self.query_one("#excerpt-list", OptionList)
        was = self.found[options.highlighted].id if (
            options.highlighted is not None and options.highlighted < len(self.found)) else None
        self.found = found
        options.clear_options()
        options.add_options([Option(_render(excerpt), id=excerpt.id) for excerpt in found])
        if found:  # stay on the excerpt that was highlighted (a reload after a change elsewhere)
            options.highlighted = next((i for i, e in enumerate(found) if e.id == was), 0)
        shown = len(found)
        self.query_one("#ex-status", Static).update(
            _("{n} excerpts{more} · Enter goes to the text · ctrl+e exports them to Word").format(
                n=total, more="" if shown == total else _(" (first {m} shown)").format(m=shown)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.reload()
        self.query_one("#excerpt-list", OptionList).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.reload()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_jump()

    def action_focus_code(self) -> None:
        self.query_one("#ex-code", Input).focus()

    def action_jump(self) -> None:
        open_highlighted(self, self.query_one("#excerpt-list", OptionList), self.found)

    def action_export(self) -> None:
        app: Any = self.app
        opener = getattr(app, "open_export", None)
        if opener is None:
            self.notify(_("Word export is not available in this build"), severity="warning")
            return
        opener(self.filters)


def _render(excerpt: Excerpt) -> Text:
    where = " · ".join(x for x in (excerpt.document_title, excerpt.municipality, format_date(excerpt.date, "short"),
                                   excerpt.speaker, excerpt.coder) if x)
    rating = f"  [b]{excerpt.rating}[/b]" if excerpt.rating is not None else ""
    # the text's own spaces around the excerpt (joining split words ate them: "ipraktikpå")
    before, body, after = (one_line(part) for part in (excerpt.context_before, excerpt.text, excerpt.context_after))
    memo = f"\n  [i]{escape(excerpt.memo)}[/i]" if excerpt.memo else ""
    head = Text.from_markup(f"[b]{escape(excerpt.code_path)}[/b]{rating}  [dim]{escape(where)}[/dim]\n")
    return Text.assemble(head, "  ", (before, "dim"), body, (after, "dim"), Text.from_markup(memo), "\n")


class CellExcerptsScreen(PlacesScreen):
    """The excerpts behind one number of the matrix (or where two codes meet); Enter goes to the text,
    ctrl+e exports exactly the listed excerpts (`filters` only describe them on the title page)."""

    LIST_ID = "excerpt-list"

    BINDINGS = [
        Binding("enter", "jump", N_("Go to text")),
        Binding("ctrl+e", "export", N_("Export")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, title: str, found: list[Excerpt], filters: Filters | None, cell: Any = None) -> None:
        super().__init__()
        self.title_text = title
        self.found = found
        self.filters = filters
        self.cell = cell  # fieldnotes.export.cells.Cell, when the list is a matrix cell's

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"[b]{escape(self.title_text)}[/b]", id="cell-title")
        yield OptionList(*[Option(_render(e), id=e.id) for e in self.found], id="excerpt-list")
        yield Static(_("{n} excerpts · Enter goes to the text · ctrl+e exports them to Word · esc back").format(
            n=len(self.found)), classes="status")
        yield Footer()

    def action_export(self) -> None:
        from fieldnotes.tui.screens.export import Listed

        if not self.found:
            self.notify(_("There are no excerpts to export here"), severity="warning")
            return
        app: Any = self.app
        listed = Listed(frozenset(e.id for e in self.found), self.title_text, self.cell)
        app.open_export(self.filters, listed)
