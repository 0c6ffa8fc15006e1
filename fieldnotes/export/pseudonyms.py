"""Names in exports: the one place every export decides, applies, records and states it.

Every export (Word, CSV, XLSX, REFI-QDA, the codebook, matrix tables, and any added later) calls
`decide(session, requested)` once. The answer, `Names`, says whether the export's names are replaced
(`replaced`), carries the function to pass every piece of written text through (`text`), and the
words that state the choice ("Names replaced: yes"). `record(...)` writes the export's audit record
with that choice. A new export gets pseudonymisation, its audit and its wording by going through
these two calls; `tests/test_privacy_default.py` fails for an export command or file writer that
does not.

The rule (docs/privacy.md): when the project's pseudonym register has entries, names are replaced
unless someone said otherwise — `--no-pseudonymize`, the app's "Names replaced: no", or the project
setting `pseudonymize_exports` turned off. A register whose originals were all taken out with the
key (`pseudonyms export KEY --remove`) still counts: the project then holds pseudonyms only, so an
export of it is pseudonymised with nothing left to replace.

The register plugs in through `fieldnotes.privacy` (its one matcher); tests and callers may pass a
mapping instead (`replacements`, or `use_register(loader)`). `Pseudonymizer` is the plain
longest-first replacement such a mapping becomes.
"""

from __future__ import annotations

import bisect
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from fieldnotes.export.labels import N_
from fieldnotes.translations import Said, said

if TYPE_CHECKING:
    from fieldnotes.queries.filters import Filters

RegisterLoader = Callable[[Session], Mapping[str, str]]

_register: RegisterLoader | None = None

#: the choice in words, as the app's export dialog, the status after an export and the command line state it
NAMES_REPLACED_YES = N_("Names replaced: yes")
NAMES_REPLACED_NO = N_("Names replaced: no")


def use_register(loader: RegisterLoader | None) -> None:
    """Install (or with None, remove) a source of `original -> pseudonym` other than the register."""
    global _register
    _register = loader


class TextOut(Protocol):
    """What an export passes its text through (a `Pseudonymizer` or the register's `Replacer`)."""

    @property
    def active(self) -> bool: ...

    def __call__(self, text: str) -> str: ...

    def optional(self, text: str | None) -> str | None: ...

    def with_offsets(self, text: str) -> tuple[str, Callable[..., int]]: ...


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

    def replace_in(self, value: Any) -> Any:
        """Every string inside a JSON-like value replaced (dictionary keys too)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {self.replace_in(k) if isinstance(k, str) else k: self.replace_in(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.replace_in(v) for v in value]
        return value

    def with_offsets(self, text: str) -> tuple[str, Callable[..., int]]:
        """The replaced text and a function taking a position in `text` to the same place in it.

        A position inside a replaced name moves to the start of its pseudonym.
        """
        if self._pattern is None:
            return text, lambda offset, side="start": offset
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

        def mapped(offset: int, side: str = "start") -> int:
            index = bisect.bisect_right(old_starts, offset) - 1
            if index < 0:
                return offset
            if offset < old_ends[index] and offset > old_starts[index]:
                return new_starts[index]
            return offset + shifts[index] if offset >= old_ends[index] else new_starts[index]

        return "".join(pieces), mapped


def _mapping(session: Session, replacements: Mapping[str, str] | None) -> Mapping[str, str] | None:
    if replacements is None and _register is not None:
        return _register(session)
    return replacements


def pseudonymizer(session: Session, enabled: bool, *,
                  replacements: Mapping[str, str] | None = None) -> Any:
    """The function an export applies to its material: identity unless enabled and a register exists."""
    if not enabled:
        return Pseudonymizer()
    mapping = _mapping(session, replacements)
    if mapping is None:  # the project's pseudonym register, through its one matcher (fieldnotes.privacy)
        from fieldnotes.privacy.apply import replacer

        return replacer(session)
    return Pseudonymizer(mapping)


def default_enabled(session: Session) -> bool:
    """The project setting `pseudonymize_exports`, which --pseudonymize/--no-pseudonymize override."""
    from sqlalchemy import select

    from fieldnotes.db.models import ProjectSettings

    return bool(session.scalar(select(ProjectSettings.pseudonymize_exports)))


# --- the decision every export takes ---------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """How one export treats names: decided once by `decide`, applied through `text`, recorded by `record`."""

    replaced: bool  # the export's names are pseudonyms (replaced now, or the project holds pseudonyms only)
    wanted: bool  # replacing was asked for (by the caller, else by the project's setting)
    explicit: bool  # the caller chose (a flag, the app's choice); otherwise the project's setting did
    entries: int  # entries in the pseudonym register
    separated: int  # entries whose original is kept in a key file, outside the project
    text: Any = field(default_factory=Pseudonymizer, compare=False)  # a TextOut: every exported text goes through it

    @property
    def register(self) -> bool:
        return self.entries > 0

    def words(self, translate: Callable[[str], str] | None = None) -> str:
        """"Names replaced: yes" or "…: no", in the caller's language (`translate` is its gettext)."""
        message = NAMES_REPLACED_YES if self.replaced else NAMES_REPLACED_NO
        return translate(message) if translate is not None else message

    def why(self, translate: Callable[[str], str] = str) -> str:
        """Why the names are (not) replaced, in one clause for a command's summary (English unless a
        `translate`, the caller's gettext, is given: JSON keeps English)."""
        if self.replaced:
            if self.text.active:
                return translate(N_("through the pseudonym register, {entries} entries")).format(entries=self.entries)
            return translate(N_("the project holds pseudonyms only (the key was taken out of it)"))
        if not self.register:
            if self.wanted:
                return translate(N_("the project has no pseudonym register, so names are exported as written; add "
                                    "entries with `fieldnotes pseudonyms add`"))
            return translate(N_("the project has no pseudonym register, so names are exported as written"))
        if self.explicit:
            return translate(N_("exported as written, as asked; the audit trail records it"))
        return translate(N_("exported as written: the project's setting pseudonymize_exports is off "
                            "(`fieldnotes project set pseudonymize_exports yes` turns it on)"))

    def line(self, translate: Callable[[str], str] = str) -> str:
        """The command line's statement of the choice: "names replaced: yes (…)"."""
        template = N_("names replaced: yes ({why})") if self.replaced else N_("names replaced: no ({why})")
        return translate(template).format(why=self.why(translate))

    def filters(self, filters: Filters) -> Filters:
        """The filters as an export shows them (title page, file properties): names in them replaced."""
        import dataclasses

        if not self.text.active:
            return filters
        rename = self.text
        return dataclasses.replace(
            filters, codes=[rename(v) for v in filters.codes],
            municipalities=[rename(v) for v in filters.municipalities],
            cases=[rename(v) for v in filters.cases], activities=[rename(v) for v in filters.activities],
            documents=[rename(v) for v in filters.documents], contains=rename.optional(filters.contains))

    def details(self) -> dict[str, Any]:
        """What the audit record keeps about names (`fieldnotes log --exports` reads `pseudonymized`)."""
        return {"pseudonymized": self.replaced, "pseudonymize_requested": self.wanted,
                "names_choice": "explicit" if self.explicit else "project setting",
                "register_entries": self.entries}


def register_counts(session: Session) -> tuple[int, int]:
    """How many entries the pseudonym register has, and how many of them were separated (key taken out)."""
    from sqlalchemy import func, select

    from fieldnotes.db.models import Pseudonym

    rows = session.execute(select(Pseudonym.separated, func.count()).group_by(Pseudonym.separated)).all()
    counts = {bool(separated): int(n) for separated, n in rows}
    return counts.get(False, 0) + counts.get(True, 0), counts.get(True, 0)


def decide(session: Session, requested: bool | None = None, *,
           replacements: Mapping[str, str] | None = None) -> Names:
    """How an export treats names: `requested` is the caller's explicit choice (None: the project's setting).

    Names are replaced when that asks for it and the register has entries (or a mapping was given).
    """
    wanted = default_enabled(session) if requested is None else bool(requested)
    mapping = _mapping(session, replacements)
    if mapping is not None:
        entries, separated = len([k for k in mapping if k]), 0
    else:
        entries, separated = register_counts(session)
    replaced = wanted and entries > 0
    text = pseudonymizer(session, True, replacements=mapping) if replaced else Pseudonymizer()
    return Names(replaced, wanted, requested is not None, entries, separated, text)


def record(session: Session, *, coder_name: str | None, summary: str | Said, details: Mapping[str, Any],
           names: Names, action: str = "export") -> None:
    """The export's audit record (inside the caller's transaction): who, when, the file's name (never a
    path), what is in it, and how names were treated."""
    from fieldnotes.db import coders, history

    name = coders.normalise_name(coder_name) if coder_name else None
    coder_id: uuid.UUID | None = coders.coder_id(name) if name else None
    if name:
        from fieldnotes.db.models import Coder

        if session.get(Coder, coder_id) is None:
            with history.change(session, coder_id=coder_id, action="coder.add",
                                summary=said("added coder {name}", name=name)):
                coders.ensure_coder(session, name)
    history.record_action(session, coder_id=coder_id, action=action, summary=summary,
                          details={**details, **names.details()})


# --- the default, and saying once that an upgrade turned it on --------------------------------------

#: the action of a change to the default (`project set pseudonymize_exports`, or the upgrade that turned it on)
DEFAULT_ACTION = "exports.default"
#: said once, by the app or the command line, after the upgrade turned the default on for a project with a register
DEFAULT_NOTICE = N_("Privacy: this project has a pseudonym register, so every export now replaces names with "
                    "pseudonyms unless you say otherwise (--no-pseudonymize, or \"Names replaced: no\" in the app). "
                    "To turn this off for the project: fieldnotes project set pseudonymize_exports no")


def take_notices(engine: Any) -> list[str]:
    """The notice an upgrade left for the user, once: it is marked shown (with the time) as it is taken."""
    from sqlalchemy import select, update

    from fieldnotes import clock
    from fieldnotes.db.models import Change

    with engine.begin() as conn:
        rows = conn.execute(select(Change.seq, Change.details).where(Change.action == DEFAULT_ACTION)).all()
        pending = [(seq, details) for seq, details in rows if (details or {}).get("notice") == "pending"]
        for seq, details in pending:
            shown = {**details, "notice": "shown", "notice_shown_at": clock.now().replace(microsecond=0).isoformat()}
            conn.execute(update(Change).where(Change.seq == seq).values(details=shown))
    return [DEFAULT_NOTICE] if pending else []
