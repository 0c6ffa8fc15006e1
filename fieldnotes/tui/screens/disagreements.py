"""Disagreements: where two coders differ, one run at a time, settled with a key.

Pick the two coders (both must have coded something), then step through the runs where one of them
has a code and the other has not: A accepts coder A's version, B coder B's, K keeps both; n / p (or
the arrows) step; Enter opens the document at the run; escape goes back. Each settle is one step
that u undoes (keeping both is only recorded, so the run is not asked about again). Settling is this
screen's purpose, so it does not ask first; the keys are capitals so that a key meant elsewhere (b is
the codebook) never settles anything, and the status line says that u undoes.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Select, Static

from fieldnotes.team.disagreements import Disagreement, coders_in, pair_disagreements, settle_in
from fieldnotes.team.disagreements import PairDisagreements as Found
from fieldnotes.tui import guards
from fieldnotes.tui.i18n import N_, _
from fieldnotes.tui.screens.back import go_back
from fieldnotes.tui.widgets.footer import Footer

CONTEXT = 80


class DisagreementsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        # A, B and K stand beside the versions they settle; the footer at 80 columns keeps the moving keys
        Binding("A", "settle('a')", N_("Accept A"), show=False),
        Binding("B", "settle('b')", N_("Accept B"), show=False),
        Binding("K", "settle('both')", N_("Keep both"), show=False),
        Binding("n,right", "step(1)", N_("Next")),
        Binding("p,left", "step(-1)", N_("Previous")),
        Binding("enter", "jump", N_("Go to text")),
    ]
    #: how each action that removes or overwrites work is guarded (fieldnotes.tui.guards)
    GUARDED = {"settle": guards.SETTLES}

    def __init__(self) -> None:
        super().__init__()
        self.coders: list[str] = []
        self.found: Found | None = None
        self.index = 0
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="dis-coders"):
            yield Static(_("Coder A"), classes="dis-label")
            yield Select([], prompt=_("Coder A"), id="dis-a")
            yield Static(_("Coder B"), classes="dis-label")
            yield Select([], prompt=_("Coder B"), id="dis-b")
        with VerticalScroll(id="dis-view"):
            yield Static(id="dis-body")
        yield Static(id="dis-status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#dis-view", VerticalScroll).focus()
        self.reload()

    # --- coders -------------------------------------------------------------------------------------
    def _fill_coders(self, names: list[str]) -> None:
        app: Any = self.app
        self.coders = names
        if len(names) < 2:
            self._say(_("Disagreements need two coders who have both coded something; "
                        "this project has {n}.").format(n=len(names)))
            return
        first = app.coder if app.coder in names else names[0]
        second = next(name for name in names if name != first)
        self._set_coders(names, (first, second))
        self.reload()

    def _set_coders(self, names: list[str], pair: tuple[str, str]) -> None:
        self.coders = names
        for select_id, value in zip(("#dis-a", "#dis-b"), pair, strict=True):
            select: Select[str] = self.query_one(select_id, Select)
            with self.prevent(Select.Changed):
                select.set_options([(name, name) for name in names])
                if value in names:
                    select.value = value

    def _pair(self) -> tuple[str, str] | None:
        values = []
        for select_id in ("#dis-a", "#dis-b"):
            value = self.query_one(select_id, Select).value
            if value in (Select.BLANK, Select.NULL, None):
                return None
            values.append(str(value))
        return values[0], values[1]

    def on_select_changed(self, event: Select.Changed) -> None:
        self.index = 0
        self.reload()

    # --- data ---------------------------------------------------------------------------------------
    def reload(self) -> None:
        """List the pair's disagreements again (after a settle, undo, or a change elsewhere)."""
        app: Any = self.app
        pair = self._pair()
        if pair is None:  # no pair yet: read who has coded, and start with a pair of them
            app.db(lambda: coders_in(app.project), self._fill_coders, group="dis-coders")
            return
        if pair[0] == pair[1]:
            self.found = None
            self._say(_("Choose two different coders."))
            return
        app.db(lambda: pair_disagreements(app.project, pair[0], pair[1], context=CONTEXT), self.show,
               group="disagreements", exclusive=True)

    def show(self, found: Found) -> None:
        if self._pair() != (found.coder_a, found.coder_b):
            return  # an answer for a pair no longer chosen
        if found.coders != self.coders:  # someone coded for the first time: offer them too
            self._set_coders(found.coders, (found.coder_a, found.coder_b))
        current = self.current()
        self.found = found
        if current is not None:  # stay on the same run if it is still there, else on the one now in its place
            same = next((i for i, d in enumerate(found.items) if d.key == current.key), None)
            if same is not None:
                self.index = same
        self.index = max(0, min(self.index, len(found.items) - 1))
        self._show_current()

    def current(self) -> Disagreement | None:
        if self.found is None or not self.found.items:
            return None
        return self.found.items[min(self.index, len(self.found.items) - 1)]

    def _say(self, message: str, status: str = "") -> None:
        self.query_one("#dis-body", Static).update(message)
        self.query_one("#dis-status", Static).update(status)

    def _show_current(self) -> None:
        found = self.found
        item = self.current()
        if found is None:
            return
        if item is None:
            self._say(_("{a} and {b} do not disagree anywhere: nothing to settle.").format(
                a=found.coder_a, b=found.coder_b), _("esc back"))
            return
        has, lacks = item.holder_name, item.other_name
        lines = [
            f"[b]{escape(item.document_title)}[/b]",
            _("Code: {path}").format(path=f"[b]{escape(item.code_path)}[/b]") + f"  [dim]{item.start}–{item.end}[/dim]",
            "",
            _("{has} coded this, {lacks} did not:").format(has=escape(has), lacks=escape(lacks)),
            "",
            f"[dim]…{escape(found.before.get(item.id, ''))}[/dim] [reverse]{escape(' '.join(item.text.split()))}"
            f"[/reverse] [dim]{escape(found.after.get(item.id, ''))}…[/dim]",
            "",
            f"[b]A[/b] {_('accept {name}’s version').format(name=escape(found.coder_a))}"
            f" ({_('coded') if item.holder == 'a' else _('not coded')})",
            f"[b]B[/b] {_('accept {name}’s version').format(name=escape(found.coder_b))}"
            f" ({_('coded') if item.holder == 'b' else _('not coded')})",
            f"[b]K[/b] {_('keep both as they are')}",
        ]
        status = _("{i} of {n} disagreements · A B K settle · Enter: in the text · u undoes a settle")
        self._say("\n".join(lines), status.format(i=self.index + 1, n=len(found.items)))

    # --- actions ------------------------------------------------------------------------------------
    def action_step(self, step: int) -> None:
        if self.found is None or not self.found.items:
            return
        self.index = (self.index + step) % len(self.found.items)
        self._show_current()

    def action_settle(self, choice: str) -> None:
        item = self.current()
        if item is None or self.found is None or self.busy:
            return
        self.busy = True
        app: Any = self.app

        def work() -> str:
            return settle_in(app.project, app.coder, item, choice)

        def done(_summary: str) -> None:
            self.busy = False
            self.notify(_said(item, choice), timeout=4)
            if self.found is not None and item in self.found.items:  # move on at once; the reload confirms
                self.found.items.remove(item)
                self.index = max(0, min(self.index, len(self.found.items) - 1))
                self._show_current()
            app.refresh_views()

        def failed() -> None:
            self.busy = False
            self.reload()

        app.db(work, done, group="write", failed=failed)

    def action_jump(self) -> None:
        """Open the document at the run, to read it in its context (Esc comes back here)."""
        import uuid

        item = self.current()
        if item is not None:
            app: Any = self.app
            app.open_document(uuid.UUID(item.document), select=(item.start, item.end))

    def action_back(self) -> None:
        go_back(self)


def _said(item: Disagreement, choice: str) -> str:
    """What a settle did, in the interface language."""
    has, lacks = item.holder_name, item.other_name
    if choice == "both":
        return _("Kept both versions of {code}; the run is not asked about again").format(code=item.code_path)
    if choice == item.holder:
        return _("Accepted {has}’s version: {lacks} now has {code} there too (u undoes)").format(
            has=has, lacks=lacks, code=item.code_path)
    return _("Accepted {lacks}’s version: {code} taken out of {has}’s coding there (u undoes)").format(
        has=has, lacks=lacks, code=item.code_path)
