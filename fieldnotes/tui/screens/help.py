"""The help screen: every key, by screen, and how to work."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from fieldnotes.tui.i18n import _


def help_text() -> str:
    return "\n".join([
        f"# {_('fieldnotes: keys')}",
        "",
        f"## {_('Everywhere')}",
        "",
        f"| {_('Key')} | {_('Does')} |",
        "|---|---|",
        f"| `h` | {_('Home: the project at a glance')} |",
        f"| `d` | {_('Documents: filter, sort, open (Enter), metadata (m)')} |",
        f"| `b` | {_('Codebook: the code tree with definitions')} |",
        f"| `e` | {_('Excerpts: all excerpts of a theme across municipalities')} |",
        f"| `x` | {_('Themes per municipality: the matrix; Enter on a number lists its excerpts')} |",
        f"| `/` | {_('Search: full-text or fuzzy (ctrl+f); space marks hits, ctrl+k codes them in one step')} |",
        f"| `D` | {_('Disagreements: where two coders differ; a / b accepts one version, k keeps both')} |",
        *[f"| `{key}` | {text} |" for key, text in _extra_keys()],
        f"| `ctrl+e` | {_('Export excerpts to Word, Excel or CSV (from Excerpts: that selection)')} |",
        f"| `u` / `U` | {_('Undo / redo your last change')} |",
        f"| `ctrl+p` | {_('Command palette: every action by name')} |",
        f"| `?` | {_('This help')} |",
        f"| `ctrl+q` | {_('Quit')} |",
        "",
        f"## {_('Reading and coding a document')}",
        "",
        f"| {_('Key')} | {_('Does')} |",
        "|---|---|",
        f"| `shift+arrows` | {_('Select text (a mouse drag works too)')} |",
        f"| `w` `s` `p` `t` | {_('Widen the selection to the word, sentence, paragraph or speaker turn')} |",
        f"| `c` / `Enter` | {_('Code the selection: pick a code, add a memo and a rating in one step')} |",
        f"| `1`–`9` | {_('Apply one of your nine most recent codes (listed on the right)')} |",
        f"| `.` | {_('Apply the last code again')} |",
        f"| `k` + {_('letter')} | {_('Apply the code with that shortcut key in the codebook')} |",
        f"| `m` | {_('Write the memo of the coding at the cursor')} |",
        f"| `r` | {_('Rate the coding at the cursor (codes with a scale)')} |",
        f"| `n` / `N` | {_('Jump to the next / previous coding')} |",
        f"| `[` `]` | {_('Move the start of the coding at the cursor one word left / right')} |",
        f"| `{{` `}}` | {_('Move the end of the coding at the cursor one word left / right')} |",
        f"| `x` / `Delete` | {_('Remove the coding at the cursor')} |",
        f"| `T` | {_('Turn mode: down and up select whole speaker turns, c codes them')} |",
        f"| `Esc` | {_('Back')} |",
        "",
        f"## {_('How to work')}",
        "",
        _("Open a transcript from Documents (d, then Enter). Select a sentence (s), press c, type a few "
          "letters of the code, add a memo with tab, and press Enter. Codings are saved at once and can be "
          "undone with u. Overlapping codings are underlined; the panel on the right lists every coding at "
          "the cursor."),
    ])


def _extra_keys() -> list[tuple[str, str]]:
    from fieldnotes.tui.app import EXTRA_KEYS

    return [(key, _(text)) for key, text in EXTRA_KEYS]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", _("Close"))]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(help_text())

    def action_close(self) -> None:
        self.dismiss(None)
