"""The pseudonymisation hook every export passes its material through.

The pseudonym register belongs to the privacy work. Until it plugs in, exports ask
`pseudonymizer(session, enabled)` for a function and apply it to every piece of material they write
(excerpt text and context, memos, document titles, speakers, municipalities and other case names,
attribute values, codebook texts). The register plugs in with `use_register(loader)`, where
`loader(session)` returns the project's `original -> pseudonym` mapping; callers (and tests) can also
pass `replacements` directly.

Replacement is longest original first, in one pass, so "Anna Krogh" wins over "Anna" and a pseudonym
is never replaced again. `with_offsets` also maps positions, for annotated documents whose codings
are spans over the original text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session

RegisterLoader = Callable[[Session], Mapping[str, str]]

_register: RegisterLoader | None = None


def use_register(loader: RegisterLoader | None) -> None:
    """Install (or with None, remove) the source of the project's pseudonym register."""
    global _register
    _register = loader


class Pseudonymizer:
    """A text -> text function; `active` says whether it can change anything at all."""

    def __init__(self, replacements: Mapping[str, str] | None = None) -> None:
        self.replacements = {k: v for k, v in (replacements or {}).items() if k}
        self._pattern: re.Pattern[str] | None = None
        if self.replacements:
            alternatives = sorted(self.replacements, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(a) for a in alternatives))

    @property
    def active(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(lambda match: self.replacements[match.group(0)], text)

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self(text)

    def with_offsets(self, text: str) -> tuple[str, Callable[[int], int]]:
        """The replaced text and a function taking a position in `text` to the same place in it.

        A position inside a replaced name moves to the start of its pseudonym.
        """
        if self._pattern is None:
            return text, lambda offset: offset
        pieces: list[str] = []
        old_ends: list[int] = []
        old_starts: list[int] = []
        new_starts: list[int] = []
        shifts: list[int] = []  # total length change after each match
        last, shift = 0, 0
        for match in self._pattern.finditer(text):
            pieces.append(text[last : match.start()])
            new_starts.append(match.start() + shift)
            replacement = self.replacements[match.group(0)]
            pieces.append(replacement)
            shift += len(replacement) - (match.end() - match.start())
            old_starts.append(match.start())
            old_ends.append(match.end())
            shifts.append(shift)
            last = match.end()
        pieces.append(text[last:])

        def mapped(offset: int) -> int:
            index = bisect.bisect_right(old_starts, offset) - 1
            if index < 0:
                return offset
            if offset < old_ends[index] and offset > old_starts[index]:
                return new_starts[index]
            return offset + shifts[index] if offset >= old_ends[index] else new_starts[index]

        return "".join(pieces), mapped


def pseudonymizer(session: Session, enabled: bool, *,
                  replacements: Mapping[str, str] | None = None) -> Pseudonymizer:
    """The function an export applies to its material: identity unless enabled and a register exists."""
    if not enabled:
        return Pseudonymizer()
    if replacements is None and _register is not None:
        replacements = _register(session)
    if replacements is None:  # the project's pseudonym register, through its one matcher (fieldnotes.privacy)
        from fieldnotes.privacy.apply import replacer

        return replacer(session)  # type: ignore[return-value]  # same interface: call, optional, with_offsets, active
    return Pseudonymizer(replacements)


def default_enabled(session: Session) -> bool:
    """The project setting `pseudonymize_exports`, which --pseudonymize/--no-pseudonymize override."""
    from sqlalchemy import select

    from fieldnotes.db.models import ProjectSettings

    return bool(session.scalar(select(ProjectSettings.pseudonymize_exports)))
