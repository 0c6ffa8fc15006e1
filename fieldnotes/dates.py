"""Reading dates that people type: the command line's `--since`, `--start` and `--date`, the app's export
dialog. One parser, so both faces accept the same dates and refuse the rest with the same message."""

from __future__ import annotations

import datetime as dt

from fieldnotes.errors import InvalidInput


def parse_date(value: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"the {what} {value!r} is not a date", hint="write it as YYYY-MM-DD") from None
