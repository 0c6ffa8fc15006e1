"""Open one document in the headless app and print the milliseconds until its codings are painted."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid


async def main(path: str, document: str) -> None:
    from fieldnotes.project import open_project
    from fieldnotes.tui.app import FieldnotesApp
    from fieldnotes.tui.widgets.coded_text import CodedText

    app = FieldnotesApp(open_project(path), "Bench")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        began = time.perf_counter()
        app.open_document(uuid.UUID(document))
        while True:
            await asyncio.sleep(0.001)
            screen = app.screen
            if screen.__class__.__name__ == "ReaderScreen" and screen.query(CodedText):
                text = screen.query_one(CodedText)
                if text._highlights:
                    await pilot.pause()  # the frame with the paint
                    break
        print(f"{(time.perf_counter() - began) * 1000:.1f}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
