"""Bringing a meeting's comments back: the commented Word report's comments as memos (coding/meeting.py).

Enter first shows what each comment would become (a dry run: nothing is written); Enter again, with the
same file, writes them as one change, which `u` undoes. Esc goes back without writing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from fieldnotes.tui.i18n import N_, _

if TYPE_CHECKING:
    from fieldnotes.coding.meeting import MeetingPlan

ACTIONS = {"new": N_("new"), "updated": N_("updated"), "unchanged": N_("unchanged")}
TARGETS = {"coding": N_("excerpt"), "code": N_("code"), "project": N_("project")}
REASONS = {"removed": N_("its coding was removed since the export"),
           "recoded": N_("its coding was recoded since the export (now {code})"),
           "code deleted": N_("its code was deleted since the export")}


def preview_lines(plan: MeetingPlan) -> list[str]:
    """What each comment becomes, in the app's language (markup escaped)."""
    lines = []
    for item in plan.items:
        when = item.comment.date.strftime("%d.%m.%Y %H:%M") if item.comment.date else "?"
        where = _(TARGETS[item.target_kind]) + ("" if item.target_kind == "project" else f" {item.target_label}")
        first = item.comment.text.splitlines()[0] if item.comment.text else ""
        reply = " ↳" if item.reply_to else ""
        lines.append(f"[b]{_(ACTIONS[item.action])}[/b]{reply} {escape(where)} — {escape(item.coder)}, {when}: "
                     f"{escape(first[:80])}")
        if item.reason:
            quote = " ".join(item.comment.quoted.split())[:60]
            why = _(REASONS[item.reason]).format(code=item.now_code)
            lines.append(f"  [i]{_('kept as a project memo')}: {escape(why)} «{escape(quote)}»[/i]")
    lines.append(_("{comments} comments: {new} new memos, {updated} updated, {unchanged} unchanged").format(
        comments=len(plan.items), new=plan.count("new"), updated=plan.count("updated"),
        unchanged=plan.count("unchanged")))
    return lines


class MeetingScreen(ModalScreen[None]):
    """Choose the report, see what it brings, then bring it in."""

    BINDINGS = [Binding("escape", "cancel", _("Back"))]

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.initial = path
        self.previewed: tuple[str, str] | None = None  # the (file, coder) the preview on screen is for
        self.plan: MeetingPlan | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="meeting-dialog", classes="dialog"):
            yield Static(f"[b]{escape(_('Import comments from a report'))}[/b]")
            yield Static(_("The Word report the meeting commented on (.docx):"))
            yield Input(self.initial, id="meeting-file", placeholder=_("path to the .docx file"))
            yield Static(_("Comments without an author's name are written as:"))
            yield Input(getattr(self.app, "coder", ""), id="meeting-as")
            with VerticalScroll(id="meeting-preview"):
                yield Static("", id="meeting-lines")
            yield Static(_("Enter shows what the comments become · esc back"), id="meeting-hint", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#meeting-file", Input).focus()

    def choice(self) -> tuple[str, str]:
        return (self.query_one("#meeting-file", Input).value.strip(),
                self.query_one("#meeting-as", Input).value.strip())

    def on_input_changed(self, _event: Input.Changed) -> None:
        if self.previewed is not None and self.previewed != self.choice():
            self.previewed, self.plan = None, None
            self.query_one("#meeting-hint", Static).update(_("Enter shows what the comments become · esc back"))

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        if self.busy:
            return
        chosen = self.choice()
        if not chosen[0]:
            self.app.notify(_("Write the path of the commented report"), severity="warning")
            return
        if self.previewed == chosen and self.plan is not None:
            self.bring_in(chosen)
        else:
            self.preview(chosen)

    def preview(self, chosen: tuple[str, str]) -> None:
        from fieldnotes.coding import meeting

        app: Any = self.app
        path, as_coder = chosen
        self.busy = True

        def work() -> MeetingPlan:
            return meeting.import_report(app.project, Path(path).expanduser(), acting=app.coder,
                                         as_coder=as_coder or None, dry_run=True)

        def done(plan: MeetingPlan) -> None:
            self.busy = False
            self.previewed, self.plan = chosen, plan
            self.query_one("#meeting-lines", Static).update("\n".join(preview_lines(plan)))
            hint = (_("Enter imports them as one change (u undoes it) · esc back") if plan.changes
                    else _("Nothing new to import · esc back"))
            self.query_one("#meeting-hint", Static).update(hint)

        app.db(work, done, group="write", failed=self.stopped)

    def bring_in(self, chosen: tuple[str, str]) -> None:
        from fieldnotes.coding import meeting

        app: Any = self.app
        plan = self.plan
        if plan is None or not plan.changes:
            self.dismiss(None)
            return
        path, as_coder = chosen
        self.busy = True

        def work() -> MeetingPlan:
            return meeting.import_report(app.project, Path(path).expanduser(), acting=app.coder,
                                         as_coder=as_coder or None)

        def done(written: MeetingPlan) -> None:
            self.busy = False
            app.notify(_("{new} memos imported and {updated} updated from {file}; u undoes").format(
                new=written.count("new"), updated=written.count("updated"), file=written.source))
            app.refresh_views()
            self.dismiss(None)

        app.db(work, done, group="write", failed=self.stopped)

    def stopped(self) -> None:
        self.busy = False

    def action_cancel(self) -> None:
        from fieldnotes.tui.screens.prompt import cancel_keeping_typed_text

        cancel_keeping_typed_text(self, bool(self.choice()[0]) and self.choice()[0] != self.initial)
