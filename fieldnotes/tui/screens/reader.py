"""The reader and coder: the screen a researcher lives in.

Keys (all listed on the help screen):
  shift+arrows select · w s p t widen to word, sentence, paragraph, speaker turn
  c or enter  code the selection (picker with memo and rating)   1-9 recent codes   . repeat last code
  k then a code's shortcut key                                   m memo   r rating   Delete remove coding
  n / N next / previous coding   [ ] move a coding's start   { } move its end   T turn-by-turn mode
  C the codings list   ctrl+o every coder's codings / only yours / another coder's
  u undo   U redo   escape back

Beside the text, a margin draws every coding as a stripe (CodedText). A click on a stripe, its label or
coded text chooses that coding: it is selected, marked in the margin and the side panel, and memo,
rating, move and remove act on it until the selection changes.
"""

from __future__ import annotations

import bisect
import uuid
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Static

from fieldnotes.coding import spans
from fieldnotes.queries.overview import (
    CodeChoice,
    CodingMark,
    DocumentView,
    Place,
    code_choices,
    document_view,
    recent_codes,
)
from fieldnotes.translations import said
from fieldnotes.tui import guards
from fieldnotes.tui.i18n import N_, NP_, _, format_date, kind_label
from fieldnotes.tui.screens.back import go_back
from fieldnotes.tui.widgets.coded_text import CodedText
from fieldnotes.tui.widgets.footer import Footer

ReaderData = tuple[DocumentView, list[CodeChoice], list[uuid.UUID]]


def load_reader_data(project: Any, document_id: uuid.UUID, coder_id: uuid.UUID) -> ReaderData:
    """Everything the reader needs, in one read transaction (run in a worker)."""
    with project.read() as session:
        return document_view(session, document_id), code_choices(session), recent_codes(session, coder_id)


class ReaderScreen(Screen[None]):
    #: keys that are not bindings of this screen, for the help screen: (keys, English text)
    HELP_KEYS = [("shift+arrows", N_("Select text (a mouse drag works too)")),
                 (NP_("mouse", "click"), N_("A click on a stripe in the margin, or on coded text, chooses that "
                                                 "coding for memo, rating, move and remove"))]
    # the footer shows the keys of the coding loop (and ? help) in the order they are used, so they fit at
    # 80 columns; the others are on the help screen, which reads their tooltips
    BINDINGS = [
        Binding("c,enter", "code", NP_("verb", "Code"),
                tooltip=N_("Code the selection: pick a code, add a memo and a rating in one step")),
        Binding("full_stop", "repeat", N_("Repeat"), show=False, tooltip=N_("Apply the last code again")),
        *[Binding(str(n), f"recent({n})", N_("Recent code"), show=False,
                  tooltip=N_("Apply one of your nine most recent codes (listed on the right)")) for n in range(1, 10)],
        Binding("k", "prefix", N_("Shortcut"), show=False,
                tooltip=N_("k, then a letter: apply the code with that shortcut key in the codebook")),
        *[Binding(key, f"widen('{unit}')", label, show=key == "s",
                  tooltip=N_("Widen the selection to the word, sentence, paragraph or speaker turn"))
          for key, unit, label in [("w", "word", N_("Word")), ("s", "sentence", N_("Sentence")),
                                   ("p", "paragraph", N_("Paragraph")), ("t", "turn", N_("Turn"))]],
        Binding("m", "memo", N_("Memo"), tooltip=N_("Write the memo of the coding at the cursor")),
        Binding("r", "rate", N_("Rate"), tooltip=N_("Rate the coding at the cursor (codes with a scale)")),
        Binding("delete", "remove", N_("Remove"),
                tooltip=N_("Remove the coding at the cursor (u undoes; asks first if it is another coder's)")),
        Binding("question_mark,f1", "app.help", N_("Help"), tooltip=N_("All keys, by screen")),
        Binding("n", "next_coding", N_("Next"), tooltip=N_("Jump to the next / previous coding")),
        Binding("N", "previous_coding", N_("Previous"), show=False, tooltip=N_("Jump to the next / previous coding")),
        Binding("left_square_bracket", "move('start', -1)", N_("Move start"), show=False,
                tooltip=N_("Move the start of the coding at the cursor one word left / right")),
        Binding("right_square_bracket", "move('start', 1)", N_("Move start"), show=False,
                tooltip=N_("Move the start of the coding at the cursor one word left / right")),
        Binding("left_curly_bracket", "move('end', -1)", N_("Move end"), show=False,
                tooltip=N_("Move the end of the coding at the cursor one word left / right")),
        Binding("right_curly_bracket", "move('end', 1)", N_("Move end"), show=False,
                tooltip=N_("Move the end of the coding at the cursor one word left / right")),
        Binding("T", "turn_mode", N_("Turn mode"), show=False,
                tooltip=N_("Turn mode: down and up select whole speaker turns, c codes them")),
        Binding("C", "codings", N_("Codings"), show=False,
                tooltip=N_("The document's codings as a list, by position or by code; Enter jumps to one")),
        Binding("ctrl+o", "cycle_coder", N_("Coders"), show=False,
                tooltip=N_("Show every coder's codings, only yours, or one other coder's")),
        Binding("escape", "back", N_("Back"), tooltip=N_("Back (and out of turn mode)")),
    ]
    #: how each action that removes or overwrites work is guarded (fieldnotes.tui.guards)
    GUARDED = {"remove": guards.DELETE_KEY, "move": guards.ASKS_FOR_OTHERS, "memo": guards.ASKS,
               "rate": guards.ASKS}

    def __init__(self, document_id: uuid.UUID, *, select: tuple[int, int] | None = None,
                 preloaded: ReaderData | None = None) -> None:
        super().__init__()
        self._preloaded = preloaded
        self.painted_at: float | None = None
        self.document_id = document_id
        self.view: DocumentView | None = None
        self.codes: list[CodeChoice] = []
        self.recent: list[uuid.UUID] = []
        self.last_code: uuid.UUID | None = None
        self.turn_mode = False
        self.prefix = False
        self._initial_select = select
        self._message = ""  # the last word of the screen (coded, removed, a warning), shown on the status line
        self._message_timer: Timer | None = None
        #: whose codings are shown (None: every coder's)
        self.only_coder: str | None = None
        #: the coding chosen by a click, the codings list or n / N, and the selection it was chosen with
        self.chosen: uuid.UUID | None = None
        self._chosen_span: tuple[int, int] | None = None

    # --- layout -------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="reader"):
            with Vertical(id="reader-main"):
                yield Static(id="doc-header")
                yield CodedText(id="text")
            with VerticalScroll(id="reader-side"):
                yield Static(id="at-cursor")
                yield Static(id="recent-codes")
                yield Static(id="margin-legend")
        yield Static(id="reader-status", classes="status")
        # the footer (a widget per key, restyled as the screen becomes active) comes after the first frame:
        # it was a third of the time to the painted text of a long transcript

    def on_mount(self) -> None:
        app: Any = self.app
        text = self.query_one(CodedText)
        text.own_coder = app.coder
        text.focus()
        if self._preloaded is not None:
            self.show(*self._preloaded, first=True)
            self._preloaded = None
            self.call_after_refresh(self._painted)
        else:
            self.reload(first=True)
            self.call_after_refresh(self._mount_footer)

    def _mount_footer(self) -> None:
        if not self.query(Footer):
            self.mount(Footer())
            self.call_after_refresh(self.refresh_bindings)  # the footer lists the keys once it is there

    # --- data ---------------------------------------------------------------------------------------
    def _painted(self) -> None:
        """Mark the moment the first frame with the painted text is out (the benchmark reads it)."""
        import time

        self.painted_at = time.perf_counter()
        self._mount_footer()

    def reload(self, first: bool = False) -> None:
        app: Any = self.app

        app.db(lambda: load_reader_data(app.project, self.document_id, app.coder_id),
               lambda data: self.show(*data, first=first), group=f"reader-{self.document_id}")

    def show(self, view: DocumentView, codes: list[CodeChoice], recent: list[uuid.UUID], *, first: bool) -> None:
        self.view, self.codes, self.recent = view, codes, recent
        text = self.query_one(CodedText)
        if text.document.text != view.text:
            selection = text.selection
            text.show_text(view.text, self.shown_codings(), room_for=view.codings)  # painted as it is loaded
            if not first:
                text.selection = selection
        else:
            text.paint(self.shown_codings(), room_for=view.codings)
        if self.chosen is not None and not any(m.id == self.chosen for m in view.codings):
            self._forget_chosen()
        meta = " · ".join(x for x in (view.municipality, kind_label(view.kind), format_date(view.date, "short"),
                                     view.activity) if x)
        self.query_one("#doc-header", Static).update(f"[b]{escape(view.title)}[/b]  [dim]{escape(meta)}[/dim]")
        self._show_recent()
        self._show_legend()
        if first and self._initial_select:
            text.select_span(*self._initial_select)
        self._show_cursor_info()

    def shown_codings(self) -> list[CodingMark]:
        """The codings shown: every coder's, or only those of the coder ctrl+o picked."""
        if self.view is None:
            return []
        if self.only_coder is None:
            return self.view.codings
        return [m for m in self.view.codings if m.coder == self.only_coder]

    def _code(self, code_id: uuid.UUID) -> CodeChoice | None:
        return next((c for c in self.codes if c.id == code_id), None)

    def _show_recent(self) -> None:
        lines = [f"[b]{_('Recent codes')}[/b]"]
        for number, code_id in enumerate(self.recent[:9], start=1):
            code = self._code(code_id)
            if code is not None:
                lines.append(f"[{code.color}]■[/] {number} {escape(code.name)}")
        if len(lines) == 1:
            lines.append(_("none yet: select text and press c"))
        self.query_one("#recent-codes", Static).update("\n".join(lines))

    def _show_cursor_info(self) -> None:
        if self.view is None:
            return
        start, end = self.query_one(CodedText).span
        at = self._marks_here()
        chosen = self.chosen_mark()
        lines = [f"[b]{_('At the cursor')}[/b]"]
        for mark in at:
            rating = f" [{mark.rating}]" if mark.rating is not None else ""
            review = f" [yellow]{_('needs review')}[/yellow]" if mark.needs_review else ""
            pointer = "[b]▶[/b] " if chosen is not None and mark.id == chosen.id else ""
            lines.append(f"{pointer}[{mark.color}]■[/] {escape(mark.code_path)}{rating}{review}")
            lines.append(f"  [dim]{escape(mark.coder)} · {escape(self.place_text(mark))}[/dim]")
            if mark.memo:
                lines.append(f"  [i]{escape(mark.memo)}[/i]")
        if not at:
            lines.append(_("no codings here"))
        self.query_one("#at-cursor", Static).update("\n".join(lines))
        mode = f" · {_('turn mode')}" if self.turn_mode else ""
        prefix = f" · {_('code key…')}" if self.prefix else ""
        selected = _("{n} characters selected").format(n=end - start) if end > start else _("nothing selected")
        state = f"{selected}{mode}{prefix} · {len(self.shown_codings())} {_('codings')}"
        # a message comes first, so a narrow terminal cuts the state rather than the message
        self.query_one("#reader-status", Static).update(
            f"{self._message} · {state}" if self._message else f"{state} · {_('c code · ? help')}")

    def say(self, message: str, severity: str = "information", seconds: float = 4) -> None:
        """Tell the user something on the status line, where a notice would cover it: it stays until the
        next message or for a few seconds. Errors from the database still come as notices."""
        colour = {"warning": "yellow", "error": "red"}.get(severity, "green")
        self._message = f"[{colour}]{escape(message)}[/{colour}]"
        if self._message_timer is not None:
            self._message_timer.stop()
        self._message_timer = self.set_timer(seconds, self._forget_message)
        self._show_cursor_info()

    def _forget_message(self) -> None:
        self._message = ""
        self._message_timer = None
        self._show_cursor_info()

    def on_text_area_selection_changed(self, event: CodedText.SelectionChanged) -> None:
        if self.chosen is not None and self.query_one(CodedText).span != self._chosen_span:
            self.query_one(CodedText).choose(None)  # the selection moved on: the chosen coding is let go
        self._show_cursor_info()

    def place_text(self, mark: CodingMark) -> str:
        """Where a coding lies, as citations give it: "afsnit 12" (or "afsnit 12–14") and the speaker."""
        assert self.view is not None
        return describe_place(self.view.place(mark.start, mark.end))

    def _show_legend(self) -> None:
        """What the margin's stripes mean: one's own solid, each other coder's dashed, and what is hidden."""
        if self.view is None:
            return
        app: Any = self.app
        text = self.query_one(CodedText)
        coders = sorted({m.coder for m in self.view.codings} | {app.coder}, key=lambda c: (c != app.coder, c))
        lines = [f"[b]{_('Margin')}[/b]"]
        for coder in coders:
            if self.only_coder is not None and coder != self.only_coder:
                continue
            who = _("{coder} (you)").format(coder=coder) if coder == app.coder else coder
            lines.append(f"{text.glyph_of(coder)} {escape(who)}")
        if self.only_coder is not None:
            lines.append(f"[yellow]{_('only these codings shown')}[/yellow]")
        lines.append(f"[dim]{_('ctrl+o: whose codings · C: list')}[/dim]")
        self.query_one("#margin-legend", Static).update("\n".join(lines))

    # --- choosing a coding --------------------------------------------------------------------------
    def choose(self, mark: CodingMark, *, center: bool = True) -> None:
        """Select a coding's text and make it the one memo, rating, move and remove act on."""
        text = self.query_one(CodedText)
        self.chosen = mark.id
        self._chosen_span = (mark.start, mark.end)
        text.select_span(mark.start, mark.end, center=center)
        text.choose(mark.id)
        self._show_cursor_info()

    def chosen_mark(self) -> CodingMark | None:
        """The chosen coding, while the selection is still the one it was chosen with."""
        if self.chosen is None or self.view is None or self.query_one(CodedText).span != self._chosen_span:
            return None
        return next((m for m in self.shown_codings() if m.id == self.chosen), None)

    def _forget_chosen(self) -> None:
        self.chosen = None
        self._chosen_span = None
        self.query_one(CodedText).choose(None)

    def on_coded_text_chosen(self, message: CodedText.Chosen) -> None:
        """A click on a stripe chooses its coding; on coded text, the narrowest there, and a click again
        on the same spot the next one there."""
        ids = message.coding_ids
        following = ids[0]
        if not message.in_margin and self.chosen in ids:
            following = ids[(ids.index(self.chosen) + 1) % len(ids)]
        mark = next((m for m in self.shown_codings() if m.id == following), None)
        if mark is not None:
            self.choose(mark, center=False)

    def action_codings(self) -> None:
        if self.view is None:
            return
        from fieldnotes.tui.screens.codings import CodingsScreen

        def picked(coding_id: uuid.UUID | None) -> None:
            mark = next((m for m in self.shown_codings() if m.id == coding_id), None)
            if mark is not None:
                self.choose(mark)

        current = self.chosen_mark() or next(iter(self._marks_here()), None)
        order = {code.id: index for index, code in enumerate(self.codes)}
        self.app.push_screen(CodingsScreen(self.view, self.shown_codings(), current.id if current else None, order),
                             picked)

    def action_cycle_coder(self) -> None:
        """Every coder's codings, only mine, then each other coder's in turn (as on the Excerpts screen)."""
        if self.view is None:
            return
        app: Any = self.app
        others = sorted({m.coder for m in self.view.codings if m.coder != app.coder})
        order: list[str | None] = [None, app.coder, *others]
        self.only_coder = order[(order.index(self.only_coder) + 1) % len(order)] if self.only_coder in order else None
        if self.only_coder is None:
            self.say(_("Showing every coder's codings"))
        elif self.only_coder == app.coder:
            self.say(_("Showing only your codings"))
        else:
            self.say(_("Showing only {coder}'s codings").format(coder=self.only_coder))
        if self.chosen_mark() is None:
            self._forget_chosen()
        self.query_one(CodedText).paint(self.shown_codings(), room_for=self.view.codings)
        self._show_legend()
        self._show_cursor_info()

    # --- selection ----------------------------------------------------------------------------------
    def action_widen(self, unit: str) -> None:
        if self.view is None:
            return
        text = self.query_one(CodedText)
        start, end = text.span
        if end <= start:
            start, end = spans.at_cursor(self.view.text, start)
        new = spans.widen(self.view.text, start, end, unit, self.view.turns)
        if new[1] > new[0]:
            text.select_span(*new)

    def action_turn_mode(self) -> None:
        self.turn_mode = not self.turn_mode
        if self.turn_mode:
            self._step_turn(0)
        self.say(_("Turn mode: down and up walk the speaker turns; c codes the turn")
                    if self.turn_mode else _("Turn mode off"))
        self._show_cursor_info()

    def _step_turn(self, step: int) -> None:
        if self.view is None or not self.view.turns:
            self.say(_("This document has no speaker turns"), severity="warning")
            self.turn_mode = False
            return
        text = self.query_one(CodedText)
        starts = [t.start for t in self.view.turns]
        index = max(0, bisect.bisect_right(starts, text.span[0]) - 1)
        index = max(0, min(len(self.view.turns) - 1, index + step))
        turn = self.view.turns[index]
        text.select_span(*spans.turn_content(self.view.text, turn.start, turn.end))

    def on_key(self, event: Any) -> None:
        if self.prefix:
            self.prefix = False
            key = event.character or ""
            event.stop()
            event.prevent_default()
            code = next((c for c in self.codes if c.shortcut and c.shortcut == key.lower()), None)
            if code is None:
                self.say(_("No code has the shortcut {key!r}").format(key=key), severity="warning")
            else:
                self.apply(code)
            self._show_cursor_info()
            return
        if self.turn_mode and event.key in ("down", "up", "j"):
            event.stop()
            event.prevent_default()
            self._step_turn(1 if event.key in ("down", "j") else -1)

    def action_prefix(self) -> None:
        self.prefix = True
        self._show_cursor_info()

    # --- coding -------------------------------------------------------------------------------------
    def _selection_or_warn(self) -> tuple[int, int] | None:
        start, end = self.query_one(CodedText).span
        if self.view is not None and end > start:
            start, end = spans.trim(self.view.text, start, end)
        if end <= start:
            self.say(_("Select some text first (shift+arrows, or w s p t to widen)"), severity="warning")
            return None
        return start, end

    def action_code(self) -> None:
        span = self._selection_or_warn()
        if span is None:
            return
        from fieldnotes.tui.screens.picker import CodePicker, PickerResult

        def chosen(result: PickerResult | None) -> None:
            if result is not None:
                self.apply_by_id(result.code_id, memo=result.memo, rating=result.rating, new_path=result.new_path,
                                 span=span)

        self.app.push_screen(CodePicker(self.codes, self.recent, self.view.text[span[0]:span[1]] if self.view else ""),
                             chosen)

    def action_recent(self, number: int) -> None:
        if number - 1 < len(self.recent):
            code = self._code(self.recent[number - 1])
            if code is not None:
                self.apply(code)

    def action_repeat(self) -> None:
        if self.last_code is None:
            self.say(_("No code applied yet in this session"), severity="warning")
            return
        code = self._code(self.last_code)
        if code is not None:
            self.apply(code)

    def apply(self, code: CodeChoice) -> None:
        self.apply_by_id(code.id)

    def apply_by_id(self, code_id: uuid.UUID | None, *, memo: str | None = None, rating: int | None = None,
                    new_path: str | None = None, span: tuple[int, int] | None = None) -> None:
        span = span or self._selection_or_warn()
        if span is None:
            return
        app: Any = self.app
        document_id = self.document_id
        choice = self._code(code_id) if code_id is not None else None
        what = new_path if new_path is not None else (choice.name if choice else said("a code"))
        summary = said("coded {code} in {title!r}", code=what, title=self.view.title) if self.view else \
            said("coded {code}", code=what)

        def work() -> tuple[uuid.UUID, str, uuid.UUID, bool]:
            from fieldnotes.codebook import operations
            from fieldnotes.codebook.tree import code_named
            from fieldnotes.coding import applying
            from fieldnotes.db.models import Code, Document
            from fieldnotes.project.actions import acting

            with acting(app.project, app.coder, "code", summary) as (session, coder_id):
                code: Code | None
                if new_path is not None:
                    parent_path, _sep, name = new_path.rpartition("/")
                    parent = None
                    if parent_path:
                        parent = code_named(session, parent_path)
                    code = operations.add(session, name, parent=parent, coder_id=coder_id)
                else:
                    code = session.get(Code, code_id)
                document = session.get(Document, document_id)
                if code is None or document is None:
                    from fieldnotes.errors import NotFound

                    raise NotFound(_("the code or document no longer exists"))
                coding, created = applying.apply(session, document, code, span[0], span[1], coder_id=coder_id,
                                               memo=memo, rating=rating)
                return code.id, code.name, coding.id, created

        def done(result: tuple[uuid.UUID, str, uuid.UUID, bool]) -> None:
            code_id, name, coding_id, created = result
            self.last_code = code_id
            if self.only_coder not in (None, app.coder):
                self.only_coder = None  # one's new coding is shown, whoever's were
                self._show_legend()
            self.say(_("Coded: {code}").format(code=name))
            if not (created and new_path is None and self._paint_new(code_id, coding_id, span, memo, rating)):
                self.reload()

        app.db(work, done, group="write")

    def _paint_new(self, code_id: uuid.UUID, coding_id: uuid.UUID, span: tuple[int, int], memo: str | None,
                   rating: int | None) -> bool:
        """Paint a coding just committed without reading the document again: a keystroke that codes
        is repainted at once, even on a long transcript. False when the screen must reload instead."""
        choice = self._code(code_id)
        if self.view is None or choice is None:
            return False
        app: Any = self.app
        mark = CodingMark(coding_id, code_id, choice.path, choice.color, app.coder, span[0], span[1],
                          memo or None, rating, False, choice.scale)
        bisect.insort(self.view.codings, mark, key=lambda m: (m.start, m.end))
        self.recent = [code_id, *(c for c in self.recent if c != code_id)][:9]
        self.query_one(CodedText).paint(self.shown_codings(), room_for=self.view.codings)
        self._show_recent()
        self._show_cursor_info()
        return True


    def _marks_here(self) -> list[CodingMark]:
        """The codings the side panel lists: those overlapping the selection, or those at the cursor."""
        if self.view is None:
            return []
        text = self.query_one(CodedText)
        start, end = text.span
        if end > start:
            return [m for m in self.shown_codings() if m.start < end and m.end > start]
        offset = text.cursor_offset
        return [m for m in self.shown_codings() if m.start <= offset < m.end]

    def _mark_at_cursor(self) -> CodingMark | None:
        """The coding that memo, rating, move and remove act on: the chosen one (by a click, the list or
        n / N), else of those the side panel lists, the one sharing most text with the selection (the one
        just made, right after coding), then the shortest."""
        if self.view is None:
            return None
        chosen = self.chosen_mark()
        if chosen is not None:
            return chosen
        at = self._marks_here()
        if not at:
            self.say(_("No coding at the cursor"), severity="warning")
            return None
        start, end = self.query_one(CodedText).span
        return min(at, key=lambda m: (-(min(m.end, end) - max(m.start, start)), m.end - m.start))

    def action_memo(self) -> None:
        mark = self._mark_at_cursor()
        if mark is None:
            return
        from fieldnotes.tui.screens.memo import MemoScreen

        def saved(text: str | None) -> None:
            if text is not None:
                self._update(mark, memo=text)

        self.app.push_screen(MemoScreen(_("Memo on {code}").format(code=mark.code_path), mark.memo or ""), saved)

    def action_rate(self) -> None:
        mark = self._mark_at_cursor()
        if mark is None:
            return
        if mark.scale is None:
            self.say(_("{code} has no rating scale").format(code=mark.code_path), severity="warning")
            return
        from fieldnotes.tui.screens.memo import RatingScreen

        code = self._code(mark.code_id)
        labels = code.scale_labels if code else {}

        def rated(value: int | None) -> None:
            if value is not None:
                self._update(mark, rating=value)

        self.app.push_screen(RatingScreen(mark.code_path, mark.scale, labels, mark.rating), rated)

    def action_move(self, edge: str, step: int) -> None:
        mark = self._mark_at_cursor()
        if mark is None or self.view is None:
            return
        text = self.view.text
        position = mark.start if edge == "start" else mark.end
        position = _word_step(text, position, step)
        start, end = (position, mark.end) if edge == "start" else (mark.start, position)
        if end <= start:
            return

        def moved() -> None:  # the moved coding stays chosen, its new span selected
            moved_mark = next((m for m in self.shown_codings() if m.id == mark.id), None)
            if moved_mark is not None:
                self.choose(moved_mark, center=False)

        if self._is_others(mark):
            self._confirm(_("Change {coder}’s coding {code}?").format(coder=mark.coder, code=mark.code_path),
                          lambda: self._update(mark, then=moved, start=start, end=end))
            return
        self._update(mark, then=moved, start=start, end=end)

    def _update(self, mark: CodingMark, then: Any = None, **changes: Any) -> None:
        app: Any = self.app
        name = mark.code_path.rsplit("/", 1)[-1]
        title = self.view.title if self.view else ""
        summary = said("changed {changes} of {code} in {title!r}", changes=", ".join(changes), code=name, title=title)

        def work() -> None:
            from fieldnotes.coding import applying
            from fieldnotes.db.models import Coding
            from fieldnotes.project.actions import acting

            with acting(app.project, app.coder, "recode", summary) as (session, _coder):
                coding = session.get(Coding, mark.id)
                if coding is None:
                    from fieldnotes.errors import NotFound

                    raise NotFound(_("the coding no longer exists"))
                applying.update(session, coding, **changes)

        def shown(data: ReaderData) -> None:
            self.show(*data, first=False)
            if then is not None:
                then()

        def done(_result: None) -> None:
            app.db(lambda: load_reader_data(app.project, self.document_id, app.coder_id), shown,
                   group=f"reader-{self.document_id}")

        app.db(work, done, group="write")

    def _is_others(self, mark: CodingMark) -> bool:
        from fieldnotes.db.coders import coder_id

        app: Any = self.app
        return bool(coder_id(mark.coder) != app.coder_id)

    def _confirm(self, question: str, then: Any) -> None:
        """Ask first (Esc is no), then act."""
        from fieldnotes.tui.screens.prompt import ConfirmScreen

        self.app.push_screen(ConfirmScreen(question), lambda yes: then() if yes else self.say(_("Nothing changed")))

    def action_remove(self) -> None:
        """Delete removes your own coding at once (u undoes it); another coder's only after asking."""
        mark = self._mark_at_cursor()
        if mark is None:
            return
        if self._is_others(mark):
            self._confirm(_("Remove {coder}’s coding {code}? (u undoes it afterwards)").format(
                coder=mark.coder, code=mark.code_path), lambda: self._remove(mark))
            return
        self._remove(mark)

    def _remove(self, mark: CodingMark) -> None:
        app: Any = self.app
        others = self._is_others(mark)
        code, title = mark.code_path.rsplit("/", 1)[-1], self.view.title if self.view else ""
        removed = (said("removed {coder}'s {code} in {title!r}", coder=mark.coder, code=code, title=title) if others
                   else said("removed {code} in {title!r}", code=code, title=title))

        def work() -> None:
            from fieldnotes.coding import applying
            from fieldnotes.db.models import Coding
            from fieldnotes.project.actions import acting

            with acting(app.project, app.coder, "uncode", removed) as (session, _coder):
                coding = session.get(Coding, mark.id)
                if coding is not None:
                    applying.remove(session, coding)

        def done(_result: None) -> None:
            if others:
                self.say(_("Removed {coder}’s coding: {code} (u undoes)").format(coder=mark.coder,
                                                                                 code=mark.code_path))
            else:
                self.say(_("Removed: {code} (u undoes)").format(code=mark.code_path))
            self.reload()

        app.db(work, done, group="write")

    def _jump(self, forward: bool) -> None:
        if self.view is None or not self.view.codings:
            return
        text = self.query_one(CodedText)
        here = text.span[0]
        shown = self.shown_codings()
        if not shown:
            return
        starts = sorted({m.start for m in shown})
        if forward:
            index = bisect.bisect_right(starts, here)
            target = starts[index] if index < len(starts) else starts[0]
        else:
            index = bisect.bisect_left(starts, here) - 1
            target = starts[index] if index >= 0 else starts[-1]
        mark = min((m for m in shown if m.start == target), key=lambda m: m.end - m.start)
        self.choose(mark)

    def action_next_coding(self) -> None:
        self._jump(True)

    def action_previous_coding(self) -> None:
        self._jump(False)

    def action_back(self) -> None:
        if self.turn_mode:
            self.turn_mode = False
            self._show_cursor_info()
            return
        go_back(self)


def describe_place(place: Place) -> str:
    """A place as the reader shows it: "afsnit 12 · Lene (leder)"."""
    paragraphs = (_("para. {n}").format(n=place.paragraph) if place.last_paragraph == place.paragraph else
                  _("para. {n}").format(n=f"{place.paragraph}–{place.last_paragraph}"))
    if place.speaker is None:
        return paragraphs
    speaker = f"{place.speaker} ({place.role})" if place.role else place.speaker
    return f"{paragraphs} · {speaker}"


def _word_step(text: str, position: int, step: int) -> int:
    """One word left (step < 0) or right (step > 0) from a boundary position."""
    if step > 0:
        while position < len(text) and text[position].isspace():
            position += 1
        while position < len(text) and not text[position].isspace():
            position += 1
    else:
        while position > 0 and text[position - 1].isspace():
            position -= 1
        while position > 0 and not text[position - 1].isspace():
            position -= 1
    return position
