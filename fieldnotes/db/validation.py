"""The rules for names and metadata, in one place: the command line, the app and every importer call these.

A name (a code, a case such as a municipality, a title, an activity, an attribute's name, a coder, a
participant, the project) is one line of text:

- runs of white space, line breaks included, become one space, and the ends are trimmed;
- it may not hold control characters (among them NUL and the escape character that starts terminal
  escape sequences), text-direction controls (which make text read in another order than it is
  stored) or lone surrogates (bytes that were not text);
- it may not be longer than its column in the database (`fieldnotes/db/models.py`), so a project
  that SQLite accepts is one PostgreSQL accepts too;
- a case name may not hold `;`, which separates several cases wherever a list is written on one line.

A value (an attribute's value) may also hold line breaks and tabs.

The rule's other half is `fieldnotes.text.terminal_safe`: whatever reaches a terminal has its control
characters written as escapes, so nothing stored before these rules (or read from a document's text) can
move the cursor, recolour the screen or reverse a line.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from fieldnotes.db import models
from fieldnotes.errors import InvalidInput
from fieldnotes.text import BIDI_CONTROLS
from fieldnotes.translations import N_, _

#: the rule, as refusals state it (translated where it is shown)
RULE = N_("names and metadata may not hold control characters, terminal escape sequences or text-direction "
         "controls")

def _length(column: Any) -> int:
    return int(column.property.columns[0].type.length)


#: the most characters each name may have: its column's length in the models, so the rules change with the
#: schema (PostgreSQL refuses a longer value; SQLite would keep it)
CODE_NAME = _length(models.Code.name)
CASE_NAME = _length(models.Case.name)
CASE_TYPE = _length(models.Case.type)
TITLE = _length(models.Document.title)
ACTIVITY = _length(models.Document.activity)
SOURCE_NAME = _length(models.Document.source_name)
ATTRIBUTE_NAME = _length(models.Attribute.name)
CODER_NAME = _length(models.Coder.name)
PROJECT_NAME = _length(models.ProjectSettings.name)
SPEAKER = _length(models.SpeakerTurn.speaker)
#: names kept in JSON columns (participants, the people behind speaker labels) have no column; this many is plenty
PERSON_NAME = 300


def forbidden(char: str) -> str | None:
    """What a character is, if names may not hold it."""
    code = ord(char)
    if code in BIDI_CONTROLS:
        return _("a text-direction control (U+{code})").format(code=f"{code:04X}")
    category = unicodedata.category(char)
    if category == "Cc":
        if code == 0x1B:
            return _("an escape character (U+001B, which starts terminal escape sequences)")
        if code == 0:
            return _("a NUL character (U+0000)")
        return _("a control character (U+{code})").format(code=f"{code:04X}")
    if category == "Cs":
        return _("a byte that is not text (U+{code})").format(code=f"{code:04X}")
    return None


def shown(value: str, most: int = 60) -> str:
    """A value quoted for a message: control characters escaped, long values cut short."""
    return repr(value if len(value) <= most else value[: most - 1] + "…")


def _check(value: str, what: str, *, limit: int | None, allowed: str = "") -> str:
    for char in value:
        if char in allowed:
            continue
        problem = forbidden(char)
        if problem:
            raise InvalidInput(_("{what} {shown} holds {problem}")
                               .format(what=what, shown=shown(value),
                                       problem=problem), hint=_("{rule}; remove it").format(rule=_(RULE)))
    if limit is not None and len(value) > limit:
        raise InvalidInput(_("{what} is {n:,} characters long; it may have at most {limit:,}")
                           .format(what=what, n=len(value), limit=limit),
                           hint=_("shorten it: {shown}").format(shown=shown(value, 40)))
    return value


def name(value: Any, what: str, *, limit: int | None) -> str:
    """A name on one line, checked (see the module's rules); may be empty (callers say if it must not be)."""
    return _check(" ".join(str(value).split()), what, limit=limit)


def project_name(value: Any) -> str:
    checked = name(value, _("the project name"), limit=PROJECT_NAME)
    if not checked:
        raise InvalidInput(_("the project name cannot be empty"))
    return checked


def case_name(value: Any, what: str | None = None, *, several: str | None = None) -> str:
    """A case's name: a name that may not hold `;` (which separates several `several` on one line)."""
    what = what or _("the case name")
    several = several or _("cases")
    cleaned = name(value, what, limit=CASE_NAME)
    if ";" in cleaned:
        raise InvalidInput(_("{what} {shown} holds ';', which separates several {several}")
                           .format(what=what, shown=shown(cleaned), several=several),
                           hint=_("name each of the {several} on its own, without ';'").format(several=several))
    return cleaned


def case_words(case_type: str) -> tuple[str, str]:
    """How refusals name a case of `case_type` and several of them: "the municipality name", "municipalities"."""
    if case_type == "municipality":
        return _("the municipality name"), _("municipalities")
    return (_("the name of the {case_type} case").format(case_type=case_type),
            _("{case_type} cases").format(case_type=case_type))


def case_type(value: Any) -> str:
    return name(value, _("the case type"), limit=CASE_TYPE)


def value(text: Any, what: str) -> str:
    """A metadata value: line breaks and tabs may stay, other control characters may not."""
    return _check(str(text), what, limit=None, allowed="\n\t")


def nested(data: Any, what: str) -> Any:
    """Every string inside lists and mappings (participants, speakers) checked as a name."""
    if isinstance(data, str):
        return name(data, what, limit=PERSON_NAME)
    if isinstance(data, dict):
        return {nested(key, what): nested(item, what) for key, item in data.items()}
    if isinstance(data, (list, tuple)):
        return [nested(item, what) for item in data]
    return data
