"""Garbage-collector settings for the command line and the app.

fieldnotes makes many small short-lived objects (ORM states, ids, event images; in the app, strips
and segments per frame) while a large set of long-lived ones (modules, mappers, widgets) stays put.
With CPython's default thresholds the collector ran about a hundred times while the app opened a
100,000-character document, and while an edit remapped 1,000 codings: over 100 ms of pauses each
(measured with gc.callbacks). Fewer young-generation runs, and the objects alive once the process
is set up moved out of the collector's sight, bring that to about 10 ms. Cycles are still
collected; only less often.
"""

from __future__ import annotations

import gc

#: young-generation threshold (CPython's default is 700)
YOUNG = 50_000


def tune() -> None:
    gc.set_threshold(YOUNG, 20, 100)


_settled: set[str] = set()


def settle(stage: str = "process") -> None:
    """Leave what is alive now (modules, mappers, the app and its first screen) out of later collections.

    Once per stage and process: the command line settles when its command starts and the app once its
    first screen is up, but a long-running caller (a test run) must not freeze its garbage again and again.
    """
    if stage not in _settled:
        _settled.add(stage)
        gc.freeze()
