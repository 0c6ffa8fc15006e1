"""The meeting comes back: importing the comments written on a Word report (`memo import`).

    python -m benchmarks --tier tiny --only meeting

A report of 1,000 excerpts is exported from a scratch copy of the tier project (every tier has at
least that many codings), and 200 comments are written on it with python-docx: 150 on excerpts (20 of
them replies, threaded as Word threads them), 30 on code headings and 20 on other text. The figure is
the whole import, end to end: reading and checking the file, matching every comment to its coding,
and writing the memos as one recorded change. Between runs the import is undone (not timed), so
every run writes all 200 memos. Target: under 2 s.
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.backends import current
from benchmarks.measure import Figure, peak_mb

EXCERPTS = 1_000
COMMENTS = 200
TARGET_MS = 2_000.0
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"


def commented_report(project: Any, out: Path) -> int:
    """Export 1,000 excerpts and write 200 comments on them; the number of excerpts in the report."""
    import docx
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml.ns import qn
    from sqlalchemy import select

    from fieldnotes.db.models import Coding
    from fieldnotes.export.exporter import ExportRequest, export

    with project.read() as session:
        chosen = frozenset(str(i) for i in session.scalars(select(Coding.id).order_by(Coding.id).limit(EXCERPTS)))
    export(project, ExportRequest("docx", out, exported_by="Anna Krogh", lang="da", codings=chosen,
                                  merge_coders=False, selection="benchmark"))
    document = docx.Document(str(out))
    paragraphs = document.paragraphs
    quotes = [p for p in paragraphs if p._p.style == "Excerpt" and p.runs]
    headings = [p for p in paragraphs if (p._p.style or "").startswith("Heading") and p.runs]
    other = [p for p in paragraphs if p._p.style in ("TitleFact", "ExcerptCitation") and p.runs]
    authors = ["Anna Krogh", "Jonas Bech", "Mette Ørsted", "Søren Ågård"]
    when = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    para_ids: list[str] = []
    threads: list[tuple[str, str]] = []

    def comment(paragraph: Any, text: str, number: int) -> str:
        made = document.add_comment(paragraph.runs, text, author=authors[number % len(authors)])
        made._comment_elm.set(qn("w:date"), (when + dt.timedelta(minutes=number)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        para_id = f"{0x10000000 + number:08X}"
        made._comment_elm.findall(qn("w:p"))[-1].set(W14 + "paraId", para_id)
        para_ids.append(para_id)
        return para_id

    step = max(1, len(quotes) // 130)
    number = 0
    firsts = []
    for index in range(130):
        firsts.append(comment(quotes[(index * step) % len(quotes)], f"Nøglecitat nr. {index} – sammenlign med Søholm",
                              number))
        number += 1
    for index in range(20):  # replies on the first twenty
        reply = comment(quotes[(index * step) % len(quotes)], f"Enig, især i fase {index % 4 + 1}", number)
        threads.append((reply, firsts[index]))
        number += 1
    for index in range(30):
        comment(headings[index % len(headings)], f"Skal koden deles? ({index})", number)
        number += 1
    for index in range(COMMENTS - number):
        comment(other[index % len(other)], f"Husk kilden ({index})", number)
        number += 1
    replies = dict(threads)
    entries = "".join(f'<w15:commentEx w15:paraId="{pid}" w15:done="0"/>' for pid in para_ids if pid not in replies)
    entries += "".join(f'<w15:commentEx w15:paraId="{child}" w15:paraIdParent="{parent}" w15:done="0"/>'
                       for child, parent in threads)
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w15:commentsEx '
           f'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">{entries}</w15:commentsEx>')
    part = Part(PackURI("/word/commentsExtended.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml",
                xml.encode("utf-8"), document.part.package)
    document.part.relate_to(part, "http://schemas.microsoft.com/office/2011/relationships/commentsExtended")
    document.save(str(out))
    return len(quotes)


def figures(project_path: str, tier: str, scratch: Path, *, runs: int = 5) -> list[Figure]:
    from fieldnotes.coding import meeting, undo
    from fieldnotes.db import coders
    from fieldnotes.project.opening import open_project

    copy = current().copy(project_path, scratch / "meeting.db")
    project = open_project(copy)
    report = scratch / "møderapport.docx"
    try:
        excerpts = commented_report(project, report)

        def once() -> Any:
            return meeting.import_report(project, report, acting="Anna Krogh")

        def take_back() -> None:
            with project.write() as session:
                undo.undo(session, coders.coder_id("Anna Krogh"))

        result = once()  # warm-up, and a check that every comment became a memo
        if result.count("new") != COMMENTS:
            raise RuntimeError(f"the benchmark's import made {result.count('new')} memos, not {COMMENTS}")
        take_back()
        times = []
        for _ in range(runs):
            gc.collect()
            began = time.perf_counter()
            once()
            times.append((time.perf_counter() - began) * 1000)
            take_back()
        peak = peak_mb(once)
        take_back()
    finally:
        project.close()
        current().remove(copy)
    return [Figure(f"memo import: {COMMENTS} comments, {excerpts:,}-excerpt report", statistics.median(times),
                   max(times) - min(times), len(times), peak_mb=peak, target_ms=TARGET_MS,
                   note="read + check the .docx, match every comment, write the memos as one change")]
