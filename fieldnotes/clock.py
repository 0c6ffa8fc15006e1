"""The time fieldnotes stamps on rows and events.

Normally the wall clock. The demo build and tests set a fixed time so that two builds give identical
rows (`frozen_at`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_fixed: ContextVar[dt.datetime | None] = ContextVar("fieldnotes_clock", default=None)


def now() -> dt.datetime:
    fixed = _fixed.get()
    return fixed if fixed is not None else dt.datetime.now(dt.UTC)


@contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    token = _fixed.set(moment)
    try:
        yield
    finally:
        _fixed.reset(token)
