"""Start the app headless on a project and exit once the home screen shows its data (for timing)."""

from __future__ import annotations

import asyncio
import sys


async def main(path: str) -> None:
    from fieldnotes.project.opening import open_project
    from fieldnotes.tui.app import FieldnotesApp

    app = FieldnotesApp(open_project(path), "Bench Koder 1")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await pilot.pause()
            title = str(app.screen.query_one("#home-title").render()) if app.screen.query("#home-title") else ""
            if title.strip():
                break
            await asyncio.sleep(0.005)
        assert not app.errors, app.errors


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
