"""Open one document in the headless app and print the milliseconds until its first painted frame.

The frame counts only with the reader's margin of coding stripes in it: the margin must have been drawn
before the moment the reader marks as painted, or no figure is printed."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid


async def main(path: str, document: str) -> None:
    from fieldnotes.project.opening import open_project
    from fieldnotes.tui.app import FieldnotesApp

    app = FieldnotesApp(open_project(path), "Bench")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        began = time.perf_counter()
        app.open_document(uuid.UUID(document))
        for _ in range(2000):
            await asyncio.sleep(0.02)
            painted = getattr(app.screen, "painted_at", None)
            if painted is not None:
                break
        assert painted is not None, "the reader never painted"
        from fieldnotes.tui.widgets.coded_text import CodedText

        text = app.screen.query_one(CodedText)
        drawn = text.margin_drawn_at
        assert text.margin_width > 0 and drawn is not None and drawn <= painted, "the margin was not in that frame"
        print(f"{(painted - began) * 1000:.1f}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
