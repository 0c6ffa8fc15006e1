"""New row ids.

Normally random UUID4s. The demo build (and tests that compare two builds) switch to a
deterministic sequence of UUID5s under a namespace, so building twice gives identical ids.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_factory: ContextVar[Callable[[], uuid.UUID] | None] = ContextVar("fieldnotes_ids", default=None)


def new() -> uuid.UUID:
    factory = _factory.get()
    return factory() if factory is not None else uuid.uuid4()


def stable(namespace: uuid.UUID, key: str) -> uuid.UUID:
    return uuid.uuid5(namespace, key)


@contextmanager
def deterministic(namespace: uuid.UUID) -> Iterator[None]:
    counter = itertools.count()
    token = _factory.set(lambda: uuid.uuid5(namespace, f"row-{next(counter)}"))
    try:
        yield
    finally:
        _factory.reset(token)
