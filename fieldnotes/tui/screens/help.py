"""The help screen: every key, by screen, and how to work.

The keys of each screen are read from its BINDINGS (a binding's tooltip, when it has one, is the longer
text shown here; its description otherwise), so the help cannot fall behind the screens. A new screen
is listed by adding it to `HELP_SCREENS`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.keys import key_to_character
from textual.screen import ModalScreen
from textual.widgets import Static

from fieldnotes.tui.i18n import N_, _

#: the screens whose keys the help lists, in this order: (section title, "module:Class"). The title is
#: translated when shown. Add new screens here; the help test checks every binding of each is listed.
HELP_SCREENS: list[tuple[str, str]] = [
    (N_("Home"), "fieldnotes.tui.screens.home:HomeScreen"),
    (N_("Importing files"), "fieldnotes.tui.screens.importing:ImportScreen"),
    (N_("Documents"), "fieldnotes.tui.screens.documents:DocumentsScreen"),
    (N_("Reading and coding a document"), "fieldnotes.tui.screens.reader:ReaderScreen"),
    (N_("A document's codings (C in the reader)"), "fieldnotes.tui.screens.codings:CodingsScreen"),
    (N_("The code picker"), "fieldnotes.tui.screens.picker:CodePicker"),
    (N_("Codebook"), "fieldnotes.tui.screens.codebook:CodebookScreen"),
    (N_("Excerpts"), "fieldnotes.tui.screens.excerpts:ExcerptsScreen"),
    (N_("Themes per municipality"), "fieldnotes.tui.screens.matrix:MatrixScreen"),
    (N_("A cell's excerpts"), "fieldnotes.tui.screens.excerpts:CellExcerptsScreen"),
    (N_("Rating trends"), "fieldnotes.tui.screens.ratings:RatingsScreen"),
    (N_("Fieldwork timeline"), "fieldnotes.tui.screens.timeline:TimelineScreen"),
    (N_("Search"), "fieldnotes.tui.screens.search:SearchScreen"),
    (N_("Co-occurrence"), "fieldnotes.tui.screens.cooccurrence:CooccurrenceScreen"),
    (N_("Words"), "fieldnotes.tui.screens.words:WordsScreen"),
    (N_("A word in context"), "fieldnotes.tui.screens.words:KwicScreen"),
    (N_("Pseudonym register"), "fieldnotes.tui.screens.pseudonyms:PseudonymsScreen"),
    (N_("Adding a pseudonym"), "fieldnotes.tui.screens.pseudonyms:EntryForm"),
    (N_("Disagreements"), "fieldnotes.tui.screens.disagreements:DisagreementsScreen"),
    (N_("Export"), "fieldnotes.tui.screens.export:ExportScreen"),
    (N_("Memo, new note and metadata dialogs"), "fieldnotes.tui.screens.memo:MemoScreen"),
]

_KEY_NAMES = {
    "enter": "Enter", "escape": "Esc", "delete": "Delete", "space": "Space", "tab": "Tab", "slash": "/",
    "backspace": "Backspace", "up": "↑", "down": "↓", "left": "←", "right": "→", "home": "Home", "end": "End",
    "pageup": "PgUp", "pagedown": "PgDn",
}


def key_label(key: str) -> str:
    """A key as a person reads it: `full_stop` is `.`, `escape` is `Esc`, `ctrl+s` stays."""
    key = key.strip()
    if key in _KEY_NAMES:
        return _KEY_NAMES[key]
    if "+" in key:
        return key
    character = key_to_character(key)
    return character if character and character.isprintable() else key


@dataclass
class Row:
    keys: list[str]
    text: str


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)


def _screen(target: str) -> type:
    module_name, _sep, name = target.partition(":")
    screen: type = getattr(importlib.import_module(module_name), name)
    return screen


def screen_section(title: str, target: str) -> Section:
    """The keys of one screen, from its bindings; neighbours with the same text share a row (`w s p t`).
    Keys that are no binding of the screen (shift+arrows in the reader) come from its HELP_KEYS."""
    screen = _screen(target)
    section = Section(_(title), [Row([_(keys)], _(text)) for keys, text in getattr(screen, "HELP_KEYS", [])])
    found: list[BindingType] = list(getattr(screen, "BINDINGS", []))
    listed = {key for row in section.rows for key in row.keys}
    for item in found:
        binding = item if isinstance(item, Binding) else Binding(*item)
        text = _(binding.tooltip or binding.description or binding.action)
        # each key once: a key the screen describes in HELP_KEYS is not listed again from its binding
        keys = [label for k in binding.key.split(",") if (label := key_label(k)) not in listed]
        if not keys:
            continue
        listed.update(keys)
        if section.rows and section.rows[-1].text == text:
            section.rows[-1].keys += [k for k in keys if k not in section.rows[-1].keys]
        else:
            section.rows.append(Row(keys, text))
    return section


def general_section() -> Section:
    rows = [
        Row(["h"], _("Home: the project at a glance")),
        Row(["d"], _("Documents: filter (f), sort (s), open (Enter), metadata (m)")),
        Row(["b"], _("Codebook: the code tree with definitions")),
        Row(["e"], _("Excerpts: all excerpts of a theme across municipalities")),
        Row(["x"], _("Themes per municipality: the matrix; Enter on a number lists its excerpts")),
        Row(["/"], _("Search: full-text or fuzzy (ctrl+f); space marks hits, ctrl+k codes them in one step")),
        Row(["D"], _("Disagreements: where two coders differ; A / B accepts one version, K keeps both")),
        *[Row([key], text) for key, text in _extra_keys()],
        Row(["ctrl+e"], _("Export excerpts to Word, Excel or CSV (from Excerpts: that selection)")),
        Row(["u", "U"], _("Undo / redo your last change")),
        Row(["Esc"], _("Back: out of a text box, then out of the screen (at most two)")),
        Row(["ctrl+p"], _("Command palette: every action by name")),
        Row(["?", "f1"], _("This help (the same key closes it)")),
        Row(["ctrl+q"], _("Quit")),
    ]
    return Section(_("Everywhere"), rows)


def sections() -> list[Section]:
    return [general_section(), *[screen_section(title, target) for title, target in HELP_SCREENS]]


def how_to_work() -> str:
    return _("Open a transcript from Documents (d, then Enter). Select a sentence (s) or drag with the mouse, "
             "press c, type a few letters of the code, add a memo with tab, and press Enter. Codings are saved "
             "at once and can be undone with u. The margin beside the text shows every coding as a stripe "
             "(another coder's dashed), overlapping codings are underlined in the text, and a click on a stripe "
             "or on coded text chooses that coding; the panel on the right lists every coding at the cursor, "
             "and C lists all of the document's codings.")


def _keys_text(keys: list[str]) -> str:
    if len(keys) > 3 and all(k.isdigit() and len(k) == 1 for k in keys):
        return f"{keys[0]}–{keys[-1]}"
    return " ".join(keys)


def help_text() -> str:
    """The help as plain text (what the screen shows, without the colours)."""
    lines = [_("fieldnotes: keys"), ""]
    for section in sections():
        lines.append(section.title)
        width = max(len(_keys_text(row.keys)) for row in section.rows) if section.rows else 0
        lines += [f"  {_keys_text(row.keys).ljust(width)}  {row.text}" for row in section.rows]
        lines.append("")
    lines += [_("How to work"), how_to_work()]
    return "\n".join(lines)


def help_renderable() -> RenderableType:
    parts: list[RenderableType] = [Text(_("fieldnotes: keys"), style="bold")]
    for section in sections():
        parts.append(Text(""))
        parts.append(Text(section.title, style="bold underline"))
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column(ratio=1)
        for row in section.rows:
            table.add_row(_keys_text(row.keys), row.text)
        parts.append(table)
    parts += [Text(""), Text(_("How to work"), style="bold underline"), Text(how_to_work())]
    return Group(*parts)


def _extra_keys() -> list[tuple[str, str]]:
    from fieldnotes.tui.app import EXTRA_KEYS

    return [(key, _(text)) for key, text in EXTRA_KEYS]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", N_("Close"))]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_renderable(), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
