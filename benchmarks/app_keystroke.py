"""Keystroke to repaint, and the longest stall of the UI thread, in the headless app.

    python benchmarks/app_keystroke.py PROJECT DOCUMENT_ID [CODINGS]

Opens the document, codes one span by the picker, then codes CODINGS more spans with `.` (repeat the
last code): each time from the key press until the reader has painted the coding, committed. A
watchdog task on the app's event loop wakes every 5 ms and records how late it woke: the longest delay
is the longest time the UI thread was blocked. Prints JSON: {"keystroke_ms": [...], "stall_ms": N}.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from typing import Any


async def main(path: str, document: str, codings: int) -> None:
    from fieldnotes.project.opening import open_project
    from fieldnotes.tui.app import FieldnotesApp
    from fieldnotes.tui.screens.reader import ReaderScreen
    from fieldnotes.tui.widgets.coded_text import CodedText

    painted: list[float] = []
    original_paint = CodedText.paint

    def paint(self: CodedText, *args: Any, **kwargs: Any) -> None:
        original_paint(self, *args, **kwargs)
        self.call_after_refresh(lambda: painted.append(time.perf_counter()))

    CodedText.paint = paint  # type: ignore[method-assign]
    stalls: list[float] = []
    watching = True

    async def watchdog() -> None:
        while watching:
            began = time.perf_counter()
            await asyncio.sleep(0.005)
            stalls.append((time.perf_counter() - began) * 1000 - 5)

    app = FieldnotesApp(open_project(path), "Bench")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        watcher = asyncio.create_task(watchdog())
        app.open_document(uuid.UUID(document))
        for _ in range(2000):
            await asyncio.sleep(0.02)
            if isinstance(app.screen, ReaderScreen) and app.screen.view is not None and painted:
                break
        screen = app.screen
        assert isinstance(screen, ReaderScreen), "the reader did not open"
        text = screen.query_one(CodedText)
        length = len(text.document.text)
        await pilot.pause()
        # the first coding through the picker, so `.` has a code to repeat
        text.select_span(length // 3, length // 3 + 40)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        opening = max(stalls)
        stalls.clear()
        times: list[float] = []
        for index in range(codings):
            start = (length // (codings + 2)) * (index + 1) + 7
            text.select_span(start, start + 60)
            await pilot.pause()
            before = len(painted)
            began = time.perf_counter()
            await pilot.press("full_stop")
            for _ in range(5000):
                if len(painted) > before:
                    break
                await asyncio.sleep(0.001)
            assert len(painted) > before, "the coding was never painted"
            times.append((painted[before] - began) * 1000)
            await pilot.pause(0.05)
        watching = False
        await watcher
        assert app.errors == [], app.errors
    print(json.dumps({"keystroke_ms": times, "stall_ms": max(opening, *stalls), "stall_opening_ms": opening,
                      "stall_coding_ms": max(stalls)}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 10))
