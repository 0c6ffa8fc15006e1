"""Walk the app headless through every mode on a project, open its longest document, and print the
milliseconds the walk took and the peak resident memory in MB (the ceiling is 400 MB on the target tier)."""

from __future__ import annotations

import asyncio
import resource
import sys
import time


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1_048_576 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


async def main(path: str) -> None:
    from sqlalchemy import select

    from fieldnotes.db.models import Document
    from fieldnotes.project.opening import open_project
    from fieldnotes.tui.app import FieldnotesApp

    project = open_project(path)
    with project.read() as session:
        longest = session.scalar(select(Document.id).order_by(Document.length.desc()).limit(1))
    began = time.perf_counter()
    app = FieldnotesApp(project, "Bench Koder 1")
    async with app.run_test(size=(120, 40)) as pilot:
        for mode in ("home", "documents", "codebook", "excerpts", "matrix", "search", "home"):
            app.switch_mode(mode)
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
        if longest is not None:
            app.open_document(longest)
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
        assert not app.errors, app.errors
    print(f"{(time.perf_counter() - began) * 1000:.1f} {peak_rss_mb():.1f}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
