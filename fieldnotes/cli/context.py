"""What every command handler gets: its arguments, the project, the coder, and output helpers."""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from typing import Any

from fieldnotes.errors import FieldnotesError
from fieldnotes.project.opening import Project, open_project
from fieldnotes.translations import _


class Context:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._project: Project | None = None
        self._readonly_by_request = False
        self._project_lang: str | None = None
        self.json: bool = bool(getattr(args, "json", False))
        self.debug: bool = bool(getattr(args, "debug", False))

    # --- the project ---------------------------------------------------------------------------
    @property
    def db(self) -> str | None:
        return getattr(self.args, "db", None)

    def project(self, *, readonly: bool = False) -> Project:
        if self._project is not None and self._project.readonly and not readonly and self._readonly_by_request:
            self._project.close()
            self._project = None
        if self._project is None:
            self._readonly_by_request = readonly
            self._project = open_project(self.db, readonly=readonly)
            self._speak_project_language()
            for notice in self._project.notices:
                self.note(notice)
        return self._project

    def _speak_project_language(self) -> None:
        """Once the project is open, its language counts where nothing stronger chose one."""
        from fieldnotes.translations import LANGUAGES, choose, decided, use

        explicit = getattr(self.args, "lang", None)
        if decided(explicit) is not None or self._project is None or self._project_lang:
            return
        try:
            with self._project.read() as session:
                language = self._project.settings(session).language
        except Exception:
            return
        self._project_lang = language if language in LANGUAGES else ""
        use(choose(explicit, self._project_lang or None))

    def coder_name(self) -> str:
        from fieldnotes.db.coders import choose_name

        with self.project().read() as session:
            return choose_name(session, getattr(self.args, "coder", None))

    def coder_id(self) -> uuid.UUID:
        from fieldnotes.db.coders import coder_id

        return coder_id(self.coder_name())

    @property
    def lang(self) -> str:
        """The interface and export language: --lang, then FIELDNOTES_LANG, then the person's own setting,
        then the project's language setting, then the system locale. Once asked, it is the language of
        everything printed from then on."""
        from fieldnotes.translations import choose, decided, use

        explicit = getattr(self.args, "lang", None)
        if decided(explicit) is None and self._project_lang is None:
            self._project_lang = self._project_language() or ""
        return use(choose(explicit, self._project_lang or None))

    def _project_language(self) -> str | None:
        """The project's language setting; None where there is no project (yet) to ask."""
        from fieldnotes.translations import LANGUAGES

        try:
            project = self._project or self.project(readonly=True)
            with project.read() as session:
                language = project.settings(session).language
        except FieldnotesError:
            return None  # no project here (init, a wrong path): the command itself says so if it needs one
        return language if language in LANGUAGES else None

    # --- output --------------------------------------------------------------------------------
    def emit(self, data: Any, text: str | list[str] | None = None, *, escaped: bool = False) -> None:
        """JSON when --json was given, otherwise the human text (or a plain rendering of data). On a terminal,
        control characters in the text are written as escapes (fieldnotes.cli.terminal), unless `escaped`
        says the text did that itself around sequences of its own (a highlight)."""
        if self.json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
            return
        if text is None:
            text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        if isinstance(text, list):
            text = "\n".join(text)
        if text:
            from fieldnotes.cli.terminal import raw

            (raw(sys.stdout) if escaped else sys.stdout).write(text + "\n")

    def note(self, message: str) -> None:
        """Information for a person; it goes to stderr so --json output stays clean."""
        print(message, file=sys.stderr)

    def confirm(self, question: str, *, yes: bool = False) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            raise FieldnotesError(_("{question} needs confirmation").format(question=question),
                                  hint=_("add --yes to confirm in a script"))
        answer = input(_("{question} [y/N] ").format(question=question)).strip().lower()
        return answer in ("y", "yes", "j", "ja")

    # --- lifetime ------------------------------------------------------------------------------
    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._project is not None:
            self._project.close()


def group_help(ctx: Context) -> int:
    """A command group given without its command: show its commands (bad usage)."""
    sys.stderr.write(ctx.args.group_parser.format_help())
    return 2
