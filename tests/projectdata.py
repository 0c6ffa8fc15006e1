"""Small real projects for tests, built through the command line as a user would."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from fieldnotes.db.models import TRACKED_TABLES
from fieldnotes.project.opening import open_project
from tests.helpers import ok

FIXTURES = Path(__file__).parent / "fixtures"
SMALL_CODEBOOK = FIXTURES / "small-codebook.yaml"

INTERVIEW = """[00:00:05] I: Hvordan oplever du borgernes jobchancer?
[00:00:12] R: Altså, jeg tror på, at Søren får et job på lageret. Det gør jeg virkelig.
[00:00:40] I: Hvad gør I i teamet?
[00:00:47] R: Vi tager altid en runde i teamet om fredagen. Lederen er med, og vi får sparring på de svære sager.
[00:01:30] I: Og virksomhederne?
[00:01:35] R: Vores virksomhedskonsulent ringer til bageriet i Lyngå hver uge. Det giver praktikpladser.
"""

NOTE = """Kl. 9.15. Teammødet begynder. Lederen spørger til sagerne.
Der er sparring om en borger med angst; kollegerne foreslår en praktik.
[Refleksion: troen på borgeren er tydelig i Fjordby.]
"""


def make_project(folder: Path, name: str = "p.db") -> Path:
    """A project with the small codebook, two documents in two municipalities, and a start date."""
    target = folder / name
    material = folder / "material"
    material.mkdir(exist_ok=True)
    (material / "lyngå-interview.txt").write_text(INTERVIEW, encoding="utf-8")
    (material / "lyngå-interview.meta.yaml").write_text(
        "title: Interview med sagsbehandler\nkind: interview\nmunicipality: Lyngå\ndate: 2025-03-10\n"
        "activity: løbende aktiviteter\nspeakers:\n  I: {name: Anna Krogh, role: forsker}\n"
        "  R: {name: Mette Vinther, role: sagsbehandler}\n", encoding="utf-8")
    (material / "fjordby-note.md").write_text(
        "---\ntitle: Teammøde i Fjordby\nkind: observation\nmunicipality: Fjordby\ndate: 2026-09-01\n---\n" + NOTE,
        encoding="utf-8")
    ok("--db", target, "init", "--codebook", SMALL_CODEBOOK, "--start", "2025-02-01", "--coder", "Anna Krogh")
    ok("--db", target, "import", material, "--coder", "Anna Krogh")
    return target


def snapshot(target: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every tracked table's rows (all columns), for comparing the database before and after."""
    out: dict[str, list[tuple[object, ...]]] = {}
    with open_project(str(target), readonly=True) as project, project.engine.connect() as conn:
        for model in TRACKED_TABLES:
            table = model.__table__  # type: ignore[attr-defined]
            rows = conn.execute(select(table).order_by(table.c.id)).all()
            out[table.name] = [tuple(row) for row in rows]
    return out
