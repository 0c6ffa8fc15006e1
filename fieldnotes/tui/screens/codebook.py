"""The codebook: a tree with coding counts, and the full MacQueen entry of the highlighted code.

Keys: a add a code under the highlighted one · r rename · m move · g merge into another · R retire or
bring back · delete delete (with confirmation) · enter show the code's excerpts.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Static, Tree
from textual.widgets.tree import TreeNode

from fieldnotes.queries.overview import CodeEntry, codebook_entries
from fieldnotes.translations import Said, said
from fieldnotes.tui import guards
from fieldnotes.tui.i18n import N_, _, current
from fieldnotes.tui.screens.back import BackScreen
from fieldnotes.tui.widgets.footer import Footer

LABELS = (("short", N_("Short definition")), ("definition", N_("Definition")), ("when_to_use", N_("When to use")),
          ("when_not_to_use", N_("When not to use")), ("example", N_("Example")))


class CodebookScreen(BackScreen):
    BINDINGS = [
        Binding("enter", "excerpts", N_("Excerpts"), tooltip=N_("All excerpts of the highlighted code")),
        Binding("a", "add", N_("Add"), tooltip=N_("Add a code under the highlighted one")),
        Binding("r", "rename", N_("Rename"), tooltip=N_("Rename the highlighted code")),
        Binding("m", "move", N_("Move"), tooltip=N_("Move the highlighted code under another parent")),
        Binding("g", "merge", N_("Merge"), tooltip=N_("Merge the highlighted code into another")),
        Binding("R", "retire", N_("Retire"), show=False,
                tooltip=N_("Retire the highlighted code: kept with its codings, no longer offered")),
        Binding("delete", "delete", N_("Delete"), show=False,
                tooltip=N_("Delete the highlighted code with its sub-codes and codings (u undoes)")),
    ]
    #: how each action that removes or overwrites work is guarded (fieldnotes.tui.guards); retiring keeps
    #: the code and its codings, and R brings it back
    GUARDED = {"rename": guards.ASKS, "move": guards.ASKS, "merge": guards.ASKS, "delete": guards.ASKS}

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[CodeEntry] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="codebook"):
            yield Tree(_("Codebook"), id="code-tree")
            with VerticalScroll(id="code-detail"):
                yield Static(id="code-entry")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Tree).focus()
        self.reload()

    def reload(self) -> None:
        app: Any = self.app

        def work() -> list[CodeEntry]:
            with app.project.read() as session:
                return codebook_entries(session)

        app.db(work, self.show, group="codebook", exclusive=True)

    def show(self, entries: list[CodeEntry]) -> None:
        selected = self._selected()
        self.entries = entries
        tree: Tree[uuid.UUID] = self.query_one(Tree)
        tree.clear()
        tree.root.expand()
        nodes: dict[uuid.UUID | None, TreeNode[uuid.UUID]] = {None: tree.root}
        for entry in entries:
            parent = nodes.get(entry.parent_id, tree.root)
            mark = "" if entry.codable else f" [dim]({_('category')})[/dim]"
            retired = f" [dim]({_('retired')})[/dim]" if entry.retired else ""
            key = f"[dim]{entry.shortcut}[/dim] " if entry.shortcut else ""
            label = f"[{entry.color}]■[/] {key}{escape(entry.name)}{mark}{retired}  [dim]{entry.theme_codings}[/dim]"
            node = parent.add(label, data=entry.id, expand=True)
            nodes[entry.id] = node
            if selected == entry.id:
                tree.move_cursor(node)
        if selected is None and entries:
            tree.move_cursor(nodes[entries[0].id])
        self._show_entry()

    def _selected(self) -> uuid.UUID | None:
        tree: Tree[uuid.UUID] = self.query_one(Tree)
        node = tree.cursor_node
        return node.data if node is not None else None

    def _entry(self) -> CodeEntry | None:
        selected = self._selected()
        return next((e for e in self.entries if e.id == selected), None)

    def _show_entry(self) -> None:
        entry = self._entry()
        panel = self.query_one("#code-entry", Static)
        if entry is None:
            panel.update(_("Highlight a code to see its definition."))
            return
        lang = current()
        gloss = entry.english.get("name") if lang == "en" else None
        lines = [f"[b][{entry.color}]■[/] {escape(entry.path)}[/b]"
                 + (f" [dim]({escape(gloss)})[/dim]" if gloss and gloss != entry.name else ""),
                 _("{n} codings ({m} with sub-codes)").format(n=entry.codings, m=entry.theme_codings)]
        if entry.scale:
            labels = "; ".join(f"{k}: {v}" for k, v in sorted(entry.scale_labels.items()))
            lines.append(f"{_('Rating scale')} {entry.scale[0]}–{entry.scale[1]}  {escape(labels)}")
        for key, label in LABELS:
            text, untranslated = entry.text(key, lang)
            if text:
                quiet = f" [dim]({_('untranslated')})[/dim]" if untranslated else ""
                lines += ["", f"[b]{_(label)}[/b]{quiet}", escape(text)]
        for memo in entry.memos:
            lines += ["", f"[b]{_('Memo')}[/b]", f"[i]{escape(memo)}[/i]"]
        panel.update("\n".join(lines))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[uuid.UUID]) -> None:
        self._show_entry()

    def on_tree_node_selected(self, event: Tree.NodeSelected[uuid.UUID]) -> None:
        self.action_excerpts()

    def action_excerpts(self) -> None:
        entry = self._entry()
        if entry is None:
            return
        app: Any = self.app
        app.switch_mode("excerpts")
        screen = app.screen
        if hasattr(screen, "set_code"):
            screen.set_code(entry.path)

    # --- changes ------------------------------------------------------------------------------------
    def _change(self, action: str, summary: Said, work: Callable[[Any, uuid.UUID], str]) -> None:
        app: Any = self.app

        def job() -> str:
            from fieldnotes.project.actions import acting

            with acting(app.project, app.coder, action, summary) as (session, coder_id):
                return work(session, coder_id)

        def done(message: str) -> None:
            self.notify(message)
            app.refresh_views()

        app.db(job, done, group="write")

    def _ask(self, title: str, initial: str, then: Callable[[str], None]) -> None:
        from fieldnotes.tui.screens.prompt import PromptScreen

        self.app.push_screen(PromptScreen(title, initial), lambda value: then(value) if value else None)

    def action_add(self) -> None:
        entry = self._entry()
        parent_path = entry.path if entry else None

        def create(name: str) -> None:
            def work(session: Any, coder_id: uuid.UUID) -> str:
                from fieldnotes.codebook import operations
                from fieldnotes.codebook.tree import code_named

                parent = code_named(session, parent_path) if parent_path else None
                code = operations.add(session, name, parent=parent, coder_id=coder_id)
                return _("Added {name}").format(name=code.name)

            self._change("codebook.add", said("added code {name!r}", name=name), work)

        where = parent_path or _("the top level")
        self._ask(_("New code under {where}").format(where=where), "", create)

    def action_rename(self) -> None:
        entry = self._entry()
        if entry is None:
            return

        def rename(name: str) -> None:
            def work(session: Any, _coder: uuid.UUID) -> str:
                from fieldnotes.codebook import operations
                from fieldnotes.db.models import Code

                code = session.get(Code, entry.id)
                operations.rename(session, code, name)
                return _("Renamed to {name}").format(name=code.name)

            self._change("codebook.rename", said("renamed {name!r}", name=entry.name), work)

        self._ask(_("Rename {name}").format(name=entry.name), entry.name, rename)

    def action_move(self) -> None:
        entry = self._entry()
        if entry is None:
            return

        def move(target: str) -> None:
            def work(session: Any, _coder: uuid.UUID) -> str:
                from fieldnotes.codebook import operations
                from fieldnotes.codebook.tree import code_named
                from fieldnotes.db.models import Code

                code = session.get(Code, entry.id)
                parent = None if target.strip() in ("/", "") else code_named(session, target)
                operations.move(session, code, parent)
                return _("Moved {name}").format(name=code.name)

            self._change("codebook.move", said("moved {name!r}", name=entry.name), work)

        self._ask(_("Move {name} under (a code path, or / for the top level)").format(name=entry.name), "", move)

    def action_merge(self) -> None:
        entry = self._entry()
        if entry is None:
            return

        def merge(target: str) -> None:
            def work(session: Any, _coder: uuid.UUID) -> str:
                from fieldnotes.codebook import operations
                from fieldnotes.codebook.tree import code_named
                from fieldnotes.db.models import Code

                source = session.get(Code, entry.id)
                into = code_named(session, target)
                result = operations.merge(session, source, into)
                return _("Merged: {moved} codings moved, {dropped} duplicates dropped").format(
                    moved=result.moved, dropped=result.duplicates)

            self._change("codebook.merge", said("merged {name!r} into {target!r}", name=entry.name, target=target),
                         work)

        self._ask(_("Merge {name} into (a code path)").format(name=entry.name), "", merge)

    def action_retire(self) -> None:
        entry = self._entry()
        if entry is None:
            return

        def work(session: Any, _coder: uuid.UUID) -> str:
            from fieldnotes.codebook import operations
            from fieldnotes.db.models import Code

            code = session.get(Code, entry.id)
            operations.retire(session, code, not code.retired)
            return _("Retired {name}").format(name=code.name) if code.retired else _("{name} is back in use").format(
                name=code.name)

        self._change("codebook.retire", said("retired {name!r}", name=entry.name), work)

    def action_delete(self) -> None:
        entry = self._entry()
        if entry is None:
            return
        from fieldnotes.tui.screens.prompt import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return

            def work(session: Any, _coder: uuid.UUID) -> str:
                from fieldnotes.codebook import operations
                from fieldnotes.db.models import Code

                plan = operations.delete(session, session.get(Code, entry.id))
                return _("Deleted {n} code(s) and {m} coding(s); u undoes").format(n=len(plan.codes), m=plan.codings)

            self._change("codebook.delete", said("deleted code {name!r}", name=entry.name), work)

        question = _("Delete {name} with its sub-codes and {n} coding(s)?").format(name=entry.name,
                                                                                   n=entry.theme_codings)
        self.app.push_screen(ConfirmScreen(question), confirmed)
