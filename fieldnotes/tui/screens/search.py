"""Search: full-text or fuzzy, results as key words in context; Enter goes to the hit, space marks hits,
and one key codes all (or the marked) hits in one undoable step.

Query syntax: words, "phrases", prefix*, AND, OR, NOT, NEAR(a b, 5); f toggles fuzzy matching.
"""

from __future__ import annotations

import uuid
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from fieldnotes.translations import said
from fieldnotes.tui.i18n import N_, _, format_date
from fieldnotes.tui.screens.back import BackScreen
from fieldnotes.tui.widgets.footer import Footer

#: characters of context shown on each side of a hit
SNIPPET = 60


class SearchScreen(BackScreen):
    BINDINGS = [
        Binding("enter", "jump", N_("Go to text"), show=False),
        Binding("space", "mark", N_("Mark")),
        # priority: in the query box ctrl+f would otherwise delete the next word of the query
        Binding("ctrl+f", "fuzzy", N_("Fuzzy"), priority=True),
        # priority: in the query box ctrl+k would otherwise delete the rest of the query
        Binding("ctrl+k", "code_hits", N_("Code hits"), priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[Any] = []
        self.marked: set[int] = set()
        self.fuzzy = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=_('Search: words, "a phrase", prefix*, AND OR NOT, NEAR(a b) — Enter searches'),
                    id="search-query")
        yield OptionList(id="search-hits")
        yield Static(id="search-status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#search-query", Input).focus()
        self._status()

    def _status(self, extra: str = "") -> None:
        mode = _("fuzzy") if self.fuzzy else _("exact")
        marked = _(" · {n} marked").format(n=len(self.marked)) if self.marked else ""
        self.query_one("#search-status", Static).update(
            _("{n} hits · {mode}{marked} · space marks · ctrl+k codes the hits · ctrl+f fuzzy").format(
                n=len(self.hits), mode=mode, marked=marked) + (f" · {extra}" if extra else ""))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.run_search(event.value)

    def run_search(self, query: str) -> None:
        app: Any = self.app
        fuzzy = self.fuzzy

        def work() -> Any:
            from fieldnotes.search.fulltext import Options, search

            with app.project.read() as session:
                return search(session, query, None, Options(fuzzy=fuzzy, limit=500, lenient=True))

        app.db(work, self.show, group="search", exclusive=True)

    def show(self, result: Any) -> None:
        self.hits = list(result.hits)
        self.marked = set()
        options = self.query_one("#search-hits", OptionList)
        options.clear_options()
        options.add_options([Option(self._hit_text(i, hit), id=str(i)) for i, hit in enumerate(self.hits)])
        if self.hits:
            options.highlighted = 0
            options.focus()
        notes = "; ".join(getattr(result, "notes", []) or [])
        self._status(notes)

    def _hit_text(self, index: int, hit: Any) -> Text:
        """The hit in its context as the text has it (spaces and punctuation kept: the parts are put
        together as they are, not as markup), and under it the source line, always."""
        from fieldnotes.search.results import snippet
        from fieldnotes.tui.i18n import number

        where = " · ".join(x for x in (hit.document_title or _("(untitled)"), hit.municipality, hit.speaker,
                                       format_date(hit.date, "short")) if x)
        before, middle, after = snippet(hit.context_before, hit.text, hit.context_after, SNIPPET)
        return Text.assemble(
            ("✔ " if index in self.marked else "", "bold"),
            ("…" if len(before) < len(hit.context_before) else "", "dim"), (before, "dim"),
            (middle, "reverse"),
            (after, "dim"), ("…" if len(after) < len(hit.context_after) else "", "dim"),
            "\n  ", (f"{where} · {number(hit.score, 2)}", "dim"))

    def _current(self) -> int | None:
        options = self.query_one("#search-hits", OptionList)
        return options.highlighted if options.highlighted is not None and options.highlighted < len(self.hits) \
            else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_jump()

    def action_jump(self) -> None:
        index = self._current()
        if index is None:
            return
        hit = self.hits[index]
        app: Any = self.app
        app.open_document(uuid.UUID(hit.document), select=(hit.start, hit.end))

    def action_mark(self) -> None:
        index = self._current()
        if index is None:
            return
        self.marked ^= {index}
        options = self.query_one("#search-hits", OptionList)
        options.replace_option_prompt_at_index(index, self._hit_text(index, self.hits[index]))
        self._status()

    def action_fuzzy(self) -> None:
        self.fuzzy = not self.fuzzy
        query = self.query_one("#search-query", Input).value
        if query.strip():
            self.run_search(query)
        else:
            self._status()

    def action_focus_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_code_hits(self) -> None:
        """Code the marked hits (or all): first choose to code each as matched or widened to its sentence,
        paragraph or turn, seeing the span that gives for the highlighted hit; then the code."""
        if not self.hits:
            self.notify(_("Search first"), severity="warning")
            return
        chosen = [self.hits[i] for i in sorted(self.marked)] or self.hits
        current = self._current()
        example = self.hits[current] if current is not None and self.hits[current] in chosen else chosen[0]
        from fieldnotes.tui.screens.picker import CodePicker, PickerResult
        from fieldnotes.tui.screens.widen import WidenScreen

        app: Any = self.app

        def load() -> Any:
            from fieldnotes.queries.overview import code_choices
            from fieldnotes.search.coding import spans_of, widening_choices

            with app.project.read() as session:
                return code_choices(session), widening_choices(session, spans_of([example])[0])

        def ask(loaded: Any) -> None:
            codes, choices = loaded

            def widened(unit: str | None) -> None:
                if unit is None:
                    return
                choice = next(c for c in choices if (c.unit or "") == unit)
                excerpt = choice.text if len(chosen) == 1 else _("{n} hits, e.g. {text}").format(
                    n=len(chosen), text=choice.text)

                def chosen_code(result: PickerResult | None) -> None:
                    if result is not None and result.code_id is not None:
                        self._code(chosen, result.code_id, result.memo, result.rating, unit or None)

                self.app.push_screen(CodePicker(codes, [], excerpt), chosen_code)

            self.app.push_screen(WidenScreen(choices, len(chosen)), widened)

        app.db(load, ask, group="search-codes")

    def _code(self, hits: list[Any], code_id: uuid.UUID, memo: str | None, rating: int | None,
              snap: str | None = None) -> None:
        app: Any = self.app

        def work() -> int:
            from fieldnotes.db.models import Code
            from fieldnotes.project.actions import acting
            from fieldnotes.search.coding import code_spans, spans_of

            with acting(app.project, app.coder, "code.search", said("coded {n_hits} search hits",
                                                                    n_hits=len(hits))) as (
                    session, coder_id):
                code = session.get(Code, code_id)
                if code is None:
                    from fieldnotes.errors import NotFound

                    raise NotFound(_("the code no longer exists"))
                done = code_spans(session, spans_of(hits), code, coder_id=coder_id, memo=memo, rating=rating,
                                  snap=snap)
                return sum(1 for d in done if d.created)

        def done(count: int) -> None:
            self.notify(_("Coded {n} hits in one step (u undoes them all)").format(n=count))
            app.refresh_views()

        app.db(work, done, group="write")
