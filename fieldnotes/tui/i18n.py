"""The app's interface language: the shared catalog of `fieldnotes.translations`, re-exported for screens."""

from __future__ import annotations

from typing import Any

from fieldnotes.translations import (
    N_,
    NP_,
    _,
    current,
    format_date,
    format_decimal,
    format_number,
    format_percent,
    ngettext,
    pgettext,
    retranslated,
    use,
)

__all__ = [
    "NP_",
    "N_",
    "_",
    "current",
    "format_date",
    "format_decimal",
    "format_number",
    "format_percent",
    "kind_label",
    "ngettext",
    "number",
    "pgettext",
    "relabel",
    "use",
]


def number(value: float, decimals: int = 0) -> str:
    """A number as the interface language writes it, with exactly `decimals` places (Danish: 5.111 and 2,9)."""
    return format_decimal(value, decimals)


def kind_label(kind: str) -> str:
    """A document kind in the interface language."""
    return _(kind)


def relabel(screen: Any, before: str) -> None:
    """Show the fixed interface text of a screen already built -- headings, labels, column titles,
    placeholders, prompts, buttons -- in the language now in force (`before`: the one it was built in).
    Content (titles, codes, excerpts, counts) is left alone: the screen reloads that itself."""
    from rich.cells import cell_len
    from rich.text import Text
    from textual.widgets import Button, DataTable, Input, Select, Static, Tree
    from textual.widgets._select import SelectCurrent

    def again(shown: Any) -> str | None:
        plain = shown if isinstance(shown, str) else getattr(shown, "plain", None)
        return retranslated(plain, before) if isinstance(plain, str) and plain.strip() else None

    for widget in screen.query("*"):
        if isinstance(widget, Static) and not isinstance(widget, Button) and (new := again(widget.content)):
            widget.update(new)
        elif isinstance(widget, Button) and (new := again(widget.label)):
            widget.label = new
        elif isinstance(widget, Input) and (new := again(widget.placeholder)):
            widget.placeholder = new
        elif isinstance(widget, Select) and (new := again(widget.prompt)):
            widget.prompt = new
            for current in widget.query(SelectCurrent):
                current.placeholder = new
                if widget.is_blank():
                    current.update(Select.NULL)
        elif isinstance(widget, DataTable):
            changed = False
            for column in widget.columns.values():
                if new := again(column.label):
                    column.label = Text(new)
                    column.content_width = max(column.content_width, cell_len(new))
                    changed = True
            if changed:
                widget._require_update_dimensions = True  # the headings' widths changed with their words
                widget.refresh()
        elif isinstance(widget, Tree) and (new := again(widget.root.label)):
            widget.root.set_label(new)
        for edge in ("border_title", "border_subtitle"):
            if (new := again(getattr(widget, edge))):
                setattr(widget, edge, new)


# the document kinds, marked for the catalog
N_("interview"), N_("observation"), N_("minutes"), N_("document")
