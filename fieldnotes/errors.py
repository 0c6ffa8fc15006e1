"""Errors a user can act on.

Every failure that reaches the command line or the app as a message is a `FieldnotesError`: one line
that says what is wrong and how to fix it. Anything else is a bug and is logged with its traceback.
"""

from __future__ import annotations


class FieldnotesError(Exception):
    """A failure with a message meant for the user (exit code 1)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if not self.hint:
            return self.message
        from fieldnotes.translations import _

        # a hint kept as a constant (marked with N_) is translated here; a translated one passes unchanged
        return f"{self.message}; {_(self.hint)}"


class NotFound(FieldnotesError):
    """A named thing (document, code, coding, case) does not exist."""


class Ambiguous(FieldnotesError):
    """A name matches more than one thing; the message lists the candidates."""


class ProjectMissing(FieldnotesError):
    """No project at the given place."""


class NotAProject(FieldnotesError):
    """The file exists but is not a fieldnotes project (or is damaged)."""


class SchemaTooNew(FieldnotesError):
    """The project was written by a newer fieldnotes."""


class SchemaOutOfDate(FieldnotesError):
    """A server project needs `fieldnotes db upgrade`."""


class InvalidInput(FieldnotesError):
    """Bad values given by the user: spans, ratings, dates, patterns."""


class Refused(FieldnotesError):
    """An operation that would lose work or break a rule, refused on purpose."""
