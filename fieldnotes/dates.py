"""Reading dates that people type: the command line's `--since`, `--start` and `--date`, the app's export
dialog. One parser, so both faces accept the same dates and refuse the rest with the same message."""

from __future__ import annotations

import datetime as dt

from fieldnotes.errors import InvalidInput
from fieldnotes.translations import _


def parse_date(value: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(_("the {what} {value!r} is not a date")
                           .format(what=what, value=value), hint=_("write it as YYYY-MM-DD")) from None
