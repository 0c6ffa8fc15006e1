"""The code matrix: every number checked against a direct count, drill-down from a cell, files, bad input.

The direct counts come from `fieldnotes excerpts --json`, `docs --json` and `show --json` (and once from
straight SQL), never from the analysis code itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sqlite3
import stat
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from fieldnotes.analysis.matrix import cell_coding_ids, cell_excerpts, matrix
from fieldnotes.db import history
from fieldnotes.documents.store import get_case, set_attribute
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from tests.helpers import ok, run
from tests.projectdata import SMALL_CODEBOOK, make_project, snapshot

INTERVIEW = "Interview med sagsbehandler"  # Lyngå, 2025-03-10 (phase 1), speakers I: forsker, R: sagsbehandler
NOTE = "Teammøde i Fjordby"  # Fjordby, 2026-09-01 (phase 4), observation
MEETING = "Erfaringsmøde i Lyngå og Fjordby 🙂"  # both municipalities, 2025-09-15 (phase 2), minutes
MEMO = "Notat uden kommune"  # no municipality, no date

MEETING_TEXT = """Erfaringsmøde, tværkommunalt. Deltagere fra Lyngå og Fjordby.
Vi tror på, at Ærø-projektet 🚀 giver borgerne flere praktikpladser.
Virksomhedskonsulenten fortæller om bageriet og om it-systemet; sparring på tværs 😀 hjælper.
Næste møde: økonomi og sagsstammer.
"""
MEMO_TEXT = "Kort notat om ledelse: lederen følger op på sagsstammer hver fredag. Ingen kommune nævnt.\n"
ANNA, JONAS = "Anna Krogh", "Jonas Bech"
POPULATION = {"Lyngå": 12000, "Fjordby": 30000}

#: (document, code, what to code, coder, rating)
CODINGS: list[tuple[str, str, list[str], str, int | None]] = [
    (INTERVIEW, "Specifik tro", ["--match", "jeg tror på"], ANNA, 4),
    (INTERVIEW, "Tro på borgerens jobchance", ["--match", "Det gør jeg virkelig."], ANNA, 5),
    (INTERVIEW, "Kollegial sparring", ["--speaker", "sagsbehandler"], ANNA, None),
    (INTERVIEW, "Ledelse", ["--match", "Lederen er med"], JONAS, None),
    (INTERVIEW, "Kollegial sparring", ["--match", "Vi tager altid en runde i teamet"], JONAS, None),
    (INTERVIEW, "Virksomhedskontakt", ["--match", "Vores virksomhedskonsulent ringer til bageriet"], JONAS, None),
    (INTERVIEW, "Ledelse", ["--match", "Hvad gør I i teamet?"], ANNA, None),
    (NOTE, "Kollegial sparring", ["--match", "Der er sparring om en borger med angst"], ANNA, None),
    (NOTE, "Ledelse", ["--match", "Lederen spørger til sagerne."], ANNA, None),
    (NOTE, "Tro på borgerens jobchance", ["--match", "troen på borgeren er tydelig i Fjordby"], JONAS, 3),
    (MEETING, "Specifik tro", ["--match", "Vi tror på, at Ærø-projektet 🚀 giver borgerne flere praktikpladser."],
     ANNA, 2),
    (MEETING, "Virksomhedskontakt", ["--match", "Virksomhedskonsulenten fortæller om bageriet"], ANNA, None),
    (MEETING, "Kollegial sparring", ["--match", "sparring på tværs 😀 hjælper"], ANNA, None),
    (MEETING, "Ledelse", ["--match", "Virksomhedskonsulenten fortæller"], JONAS, None),
    (MEETING, "Tro på borgerens jobchance", ["--match", "Vi tror på"], JONAS, 4),
    (MEMO, "Ledelse", ["--match", "lederen følger op på sagsstammer hver fredag"], JONAS, None),
]


def build_analysis_project(folder: Path, server: str | None = None) -> str:
    """make_project plus a cross-municipal meeting, an undated memo, attributes and sixteen codings.

    With `server` (a PostgreSQL URL) the same project is built there instead of in folder/p.db.
    """
    target = str(make_project(folder))
    if server is not None:
        target = server
        ok("--db", target, "init", "--codebook", SMALL_CODEBOOK, "--start", "2025-02-01", "--coder", ANNA)
        ok("--db", target, "import", folder / "material", "--coder", ANNA)
    extra = folder / "extra"
    extra.mkdir()
    (extra / "møde.txt").write_text(MEETING_TEXT, encoding="utf-8")
    (extra / "møde.meta.yaml").write_text(
        f"title: {MEETING}\nkind: minutes\nmunicipality: [Lyngå, Fjordby]\ndate: 2025-09-15\n"
        "activity: tværkommunalt erfaringsmøde\nattributes: {team: Ungeteam}\n", encoding="utf-8")
    (extra / "notat.txt").write_text(MEMO_TEXT, encoding="utf-8")
    (extra / "notat.meta.yaml").write_text(f"title: {MEMO}\nkind: document\n", encoding="utf-8")
    ok("--db", target, "import", extra, "--coder", ANNA)
    ok("--db", target, "doc", "set", INTERVIEW, "attr:team", "Voksenteam", "--coder", ANNA)
    ok("--db", target, "doc", "set", MEMO, "date", "none", "--coder", ANNA)  # the importer dates it today
    with open_project(target) as project, project.write() as session:
        with history.change(session, coder_id=None, action="case.attribute", summary="population"):
            for name, people in POPULATION.items():
                case = get_case(session, "municipality", name, coder_id=None)
                set_attribute(session, scope="case", name="indbyggere", value=people, coder_id=None, case_id=case.id)
    for document, code, how, coder, rating in CODINGS:
        extra_args = ["--rating", str(rating)] if rating is not None else []
        ok("--db", target, "code", document, "--code", code, *how, *extra_args, "--coder", coder)
    return target


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIELDNOTES_HOME", str(tmp_path_factory.mktemp("home")))
        patch.setenv("FIELDNOTES_LANG", "en")
        yield Path(build_analysis_project(tmp_path_factory.mktemp("analysis")))


# --- the direct counts -------------------------------------------------------------------------------

START = dt.date(2025, 2, 1)


def phase(date: str | None) -> str:
    """Half-years since 2025-02-01, counted here without the library (every date is on or after the 1st)."""
    if not date:
        return "(none)"
    day = dt.date.fromisoformat(date)
    return str(((day.year - START.year) * 12 + day.month - START.month) // 6 + 1)


class Direct:
    """What a careful person would count by hand from the command line's own listings."""

    def __init__(self, db: Path) -> None:
        self.excerpts = ok("--db", db, "excerpts", "--json").json
        self.docs = {d["id"]: d for d in ok("--db", db, "docs", "--json").json}
        self.shown = {d: ok("--db", db, "show", d, "--json").json for d in self.docs}
        assert len(self.excerpts) == 18 and len(self.docs) == 4

    def doc_columns(self, by: str, doc: dict[str, Any]) -> list[str]:
        if by == "municipality":
            return doc["municipalities"] or ["(none)"]
        if by == "kind":
            return [doc["kind"]]
        if by == "activity":
            return [doc["activity"] or "(none)"]
        if by == "phase":
            return [phase(doc["date"])]
        if by == "attr:team":
            return [doc["attributes"].get("team") or "(none)"]
        if by == "attr:indbyggere":
            found = sorted({str(POPULATION[m]) for m in doc["municipalities"] if m in POPULATION})
            return found or ["(none)"]
        raise AssertionError(by)

    def columns_of(self, by: str, e: dict[str, Any]) -> list[str]:
        if by == "coder":
            return [e["coder"]]
        if by == "role":
            return [e["speaker_role"] or "(none)"]
        return self.doc_columns(by, self.docs[e["document"]])

    def base(self, by: str, label: str) -> int:
        """The documents of a column, for percent."""
        if by == "coder":
            return len({e["document"] for e in self.excerpts if e["coder"] == label})
        if by == "role":
            if label == "(none)":
                return len(self.docs)
            return sum(1 for d in self.shown.values()
                       if any((d["speakers"].get(t["speaker"]) or {}).get("role") == label for t in d["turns"]))
        return sum(1 for d in self.docs.values() if label in self.doc_columns(by, d))

    def in_row(self, e: dict[str, Any], row: str, rollup: bool) -> bool:
        return e["code_path"] == row or (rollup and e["code_path"].startswith(row + "/"))

    def value(self, found: list[dict[str, Any]], measure: str, base: int) -> float:
        if measure == "codings":
            return len(found)
        documents = {e["document"] for e in found}
        if measure == "documents":
            return len(documents)
        if measure == "percent":
            return 100.0 * len(documents) / base if base else 0.0
        characters: dict[str, set[int]] = defaultdict(set)
        for e in found:
            characters[e["document"]].update(range(e["start"], e["end"]))
        return sum(len(chars) for chars in characters.values())

    def cell(self, by: str, measure: str, rollup: bool, row: str | None, label: str | None) -> float:
        found = [e for e in self.excerpts
                 if (row is None or self.in_row(e, row, rollup)) and (label is None or label in self.columns_of(by, e))]
        base = self.base(by, label) if label is not None else len(self.docs)
        return self.value(found, measure, base)


@pytest.fixture(scope="module")
def direct(project: Path) -> Direct:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIELDNOTES_LANG", "en")
        return Direct(project)


BY = ["municipality", "kind", "activity", "phase", "coder", "role", "attr:team", "attr:indbyggere"]
MEASURES = ["codings", "documents", "chars", "percent"]


@pytest.mark.parametrize("by", BY)
def test_every_number_of_every_matrix_matches_a_direct_count(project: Path, direct: Direct, by: str) -> None:
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        for measure in MEASURES:
            for rollup in (True, False):
                m = matrix(session, Filters(), by, measure, rollup)
                labels = {label for e in direct.excerpts for label in direct.columns_of(by, e)}
                assert labels <= set(m.columns), (by, m.columns)
                where = f"{by} {measure} rollup={rollup}"
                for row in m.rows:
                    for label in m.columns:
                        assert m.cells[row][label] == pytest.approx(
                            direct.cell(by, measure, rollup, row, label)), f"{where}: {row} × {label}"
                    assert m.row_totals[row] == pytest.approx(direct.cell(by, measure, rollup, row, None)), where
                for label in m.columns:
                    assert m.column_totals[label] == pytest.approx(
                        direct.cell(by, measure, rollup, None, label)), f"{where}: total of {label}"
                assert m.total == pytest.approx(direct.cell(by, measure, rollup, None, None)), where


def test_the_matrix_json_has_the_contracted_shape_and_tree_order(project: Path, direct: Direct) -> None:
    out = ok("--db", project, "matrix", "--json").json
    assert out["rows"] == [
        "Sparringskultur og ledelse", "Sparringskultur og ledelse/Kollegial sparring",
        "Sparringskultur og ledelse/Ledelse", "Viden om arbejdsmarkedet", "Viden om arbejdsmarkedet/Virksomhedskontakt",
        "Tro på borgerens jobchance", "Tro på borgerens jobchance/Specifik tro"]
    assert out["columns"] == ["Fjordby", "Lyngå", "(none)"]
    assert set(out["cells"]) == set(out["rows"]) and all(set(v) == set(out["columns"]) for v in out["cells"].values())
    # the cross-municipal meeting counts in both municipalities, once in the totals
    assert out["cells"]["Sparringskultur og ledelse"] == {"Fjordby": 4, "Lyngå": 8, "(none)": 1}
    assert out["row_totals"]["Sparringskultur og ledelse"] == 11 < 4 + 8 + 1
    assert out["total"] == len(direct.excerpts) == 18
    assert out["by"] == "municipality" and out["measure"] == "codings" and out["rollup"] is True
    assert len(out["row_ids"]) == len(out["rows"])
    for row, code_id in zip(out["rows"], out["row_ids"], strict=True):
        assert {e["code"] for e in direct.excerpts if e["code_path"] == row} <= {code_id}


def test_codings_per_municipality_agree_with_straight_sql(project: Path) -> None:
    out = ok("--db", project, "matrix", "--no-rollup", "--json").json
    query = """
        SELECT codes.name, cases.name, count(*) FROM codings
        JOIN codes ON codes.id = codings.code_id
        JOIN document_cases ON document_cases.document_id = codings.document_id
        JOIN cases ON cases.id = document_cases.case_id AND cases.type = 'municipality'
        GROUP BY codes.name, cases.name"""
    with closing(sqlite3.connect(f"file:{project}?mode=ro", uri=True)) as conn:
        counted = {(code, municipality): n for code, municipality, n in conn.execute(query)}
    shown = {(row.rsplit("/", 1)[-1], col): n for row, cells in out["cells"].items() for col, n in cells.items()
             if col != "(none)" and n}
    assert shown == counted


def test_filters_narrow_the_codings_and_the_rows(project: Path, direct: Direct) -> None:
    out = ok("--db", project, "matrix", "--coder", JONAS, "--code", "Sparringskultur og ledelse", "--json").json
    assert out["rows"] == ["Sparringskultur og ledelse", "Sparringskultur og ledelse/Kollegial sparring",
                           "Sparringskultur og ledelse/Ledelse"]
    for row in out["rows"]:
        for label in out["columns"]:
            expected = [e for e in direct.excerpts if e["coder"] == JONAS and direct.in_row(e, row, True)
                        and label in direct.columns_of("municipality", e)]
            assert out["cells"][row][label] == len(expected)
    out = ok("--db", project, "matrix", "--municipality", "Fjordby", "--measure", "percent", "--json").json
    assert out["columns"] == ["Fjordby", "Lyngå"]  # the meeting in Fjordby is in Lyngå too
    assert out["column_documents"] == {"Fjordby": 2, "Lyngå": 1}
    assert out["cells"]["Tro på borgerens jobchance"]["Fjordby"] == pytest.approx(100.0)  # the note and the meeting
    assert out["cells"]["Viden om arbejdsmarkedet"]["Fjordby"] == pytest.approx(50.0)  # only the meeting
    assert out["cells"]["Viden om arbejdsmarkedet"]["Lyngå"] == pytest.approx(100.0)
    # a coder's documents are all they coded, whatever the code filter
    out = ok("--db", project, "matrix", "--by", "coder", "--measure", "percent", "--code", "Ledelse", "--json").json
    for coder in (ANNA, JONAS):
        with_code = {e["document"] for e in direct.excerpts
                     if e["coder"] == coder and e["code_path"].endswith("/Ledelse")}
        assert out["cells"]["Sparringskultur og ledelse/Ledelse"][coder] == pytest.approx(
            100.0 * len(with_code) / direct.base("coder", coder), abs=0.01)  # JSON rounds to 2 decimals
        assert out["column_documents"][coder] == direct.base("coder", coder) == (3 if coder == ANNA else 4)


@pytest.mark.parametrize("by", ["municipality", "role", "coder", "phase", "attr:indbyggere"])
def test_every_cell_drills_down_to_exactly_its_excerpts(project: Path, direct: Direct, by: str) -> None:
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        for rollup in (True, False):
            m = matrix(session, Filters(), by, "codings", rollup)
            for row in m.rows:
                for label in [*m.columns, "total"]:
                    ids = cell_coding_ids(session, Filters(), by, row, label, rollup)
                    expected = {e["id"] for e in direct.excerpts if direct.in_row(e, row, rollup)
                                and (label == "total" or label in direct.columns_of(by, e))}
                    assert {str(i) for i in ids} == expected, (by, rollup, row, label)
                    number = m.row_totals[row] if label == "total" else m.cells[row][label]
                    assert len(ids) == number


def test_the_cell_option_prints_the_cells_excerpts(project: Path, direct: Direct) -> None:
    out = ok("--db", project, "matrix", "--cell", "Tro på borgerens jobchance", "Fjordby", "--json").json
    expected = {e["id"] for e in direct.excerpts if e["code_path"].startswith("Tro på borgerens jobchance")
                and "Fjordby" in (e["municipality"] or "")}
    assert {e["id"] for e in out} == expected and len(expected) == 3
    assert any("🚀" in e["text"] for e in out)
    out = ok("--db", project, "matrix", "--cell", "Tro på borgerens jobchance", "Fjordby", "--no-rollup",
             "--json").json
    assert [e["code_path"] for e in out] == ["Tro på borgerens jobchance"] * 2
    text = ok("--db", project, "matrix", "--cell", "Ledelse", "(none)", "--context", "10").out
    assert "lederen følger op på sagsstammer hver fredag" in text and "1 excerpt" in text
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        found = cell_excerpts(session, Filters(), "role", "Kollegial sparring", "sagsbehandler", True)
    assert len(found) == 4 and {e.speaker_role for e in found} == {"sagsbehandler"}


def test_text_table_shows_the_tree_and_totals(project: Path) -> None:
    lines = ok("--db", project, "matrix", "--by", "phase").out.splitlines()
    assert lines[0] == "Codings by phase (rows include their sub-codes)"
    assert lines[1].split() == ["Code", "Phase", "1", "(Feb", "–", "Jul", "2025)", "Phase", "2",
                                "(Aug", "2025", "–", "Jan", "2026)", "Phase", "4", "(Aug", "2026", "–", "Jan",
                                "2027)", "(none)", "Total"]  # phases with their months (#23)
    row = next(line for line in lines if line.startswith("  Specifik tro"))
    assert row.split()[-5:] == ["1", "1", "0", "0", "2"]
    assert lines[-1].split() == ["Total", "9", "5", "3", "1", "18"]


def test_csv_and_xlsx_hold_the_same_numbers_and_are_audited(project: Path, tmp_path: Path) -> None:
    import openpyxl

    copy = tmp_path / "copy.db"
    copy.write_bytes(project.read_bytes())
    data = ok("--db", copy, "matrix", "--measure", "percent", "--json").json
    ok("--db", copy, "matrix", "--measure", "percent", "--csv", tmp_path / "m.csv")
    ok("--db", copy, "matrix", "--measure", "percent", "--xlsx", tmp_path / "m.xlsx", "--lang", "da")
    with (tmp_path / "m.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Code path", *data["columns"], "Total"]
    for line, path in zip(rows[1:], data["rows"], strict=False):
        assert line[0] == path
        assert [float(x) for x in line[1:-1]] == pytest.approx([data["cells"][path][c] for c in data["columns"]])
    assert rows[-1][0] == "Total" and float(rows[-1][-1]) == pytest.approx(data["total"])
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx").worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Kode" and values[0][len(data["columns"]) + 1] == "I alt"
    assert [r[-1] for r in values[1:-1]] == data["rows"]
    assert values[1][1:len(data["columns"]) + 1] == pytest.approx(
        tuple(data["cells"][data["rows"][0]][c] for c in data["columns"]))
    for name in ("m.csv", "m.xlsx"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    exports = ok("--db", copy, "log", "--exports", "--json").json
    assert [e["details"]["file"] for e in exports] == ["m.xlsx", "m.csv"]
    assert all(str(tmp_path) not in json.dumps(e) for e in exports)
    refused = run("--db", copy, "matrix", "--csv", tmp_path / "m.csv")
    assert refused.code == 1 and "--force" in refused.err
    ok("--db", copy, "matrix", "--csv", tmp_path / "m.csv", "--force")


@pytest.mark.parametrize("args, message", [
    (["--by", "attr:findes-ikke"], "known attributes: indbyggere (case), team (document)"),
    (["--by", "kommune"], "cannot break down by 'kommune'"),
    (["--cell", "Ledelse", "Ærø"], "columns: Fjordby, Lyngå, (none), total"),
    (["--cell", "Findes ikke", "Lyngå"], "no code 'Findes ikke'"),
])
def test_bad_input_is_one_clear_line(project: Path, args: list[str], message: str) -> None:
    before = snapshot(project)
    result = run("--db", project, "matrix", *args)
    assert result.code == 1 and message in result.err, result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert snapshot(project) == before


def test_phases_need_a_start_date(tmp_path: Path) -> None:
    db = make_project(tmp_path)
    ok("--db", db, "project", "set", "start", "none", "--coder", ANNA)
    result = run("--db", db, "matrix", "--by", "phase")
    assert result.code == 1 and "`fieldnotes project set start" in result.err
    assert "no fieldwork start date" in result.err


def test_an_empty_project_gives_an_empty_matrix(tmp_path: Path) -> None:
    db = make_project(tmp_path)
    out = ok("--db", db, "matrix", "--measure", "chars", "--json").json
    assert out["total"] == 0 and out["columns"] == ["Fjordby", "Lyngå"]
    values = [v for cells in out["cells"].values() for v in cells.values()]
    assert values and all(v == 0 for v in values)
    assert ok("--db", db, "matrix", "--kind", "minutes", "--json").json["columns"] == []


@pytest.mark.postgres
def test_postgresql_gives_the_same_numbers(project: Path, pg_url: str, tmp_path: Path) -> None:
    build_analysis_project(tmp_path, pg_url)
    for by in ("municipality", "phase", "coder", "role", "attr:indbyggere"):
        for measure in MEASURES:
            args = ["matrix", "--by", by, "--measure", measure, "--json"]
            here, there = ok("--db", project, *args).json, ok("--db", pg_url, *args).json
            here.pop("row_ids"), there.pop("row_ids")
            assert here == there, (by, measure)
    for args in (["cooccurrence", "--within", "turn"], ["ratings", "Tro på borgerens jobchance", "--by", "phase"],
                 ["words", "--keyness", "--min-count", "1", "--by", "role"], ["words", "--kwic", "tro*"]):
        here, there = ok("--db", project, *args, "--json").json, ok("--db", pg_url, *args, "--json").json
        assert json.dumps(here).count('"') == json.dumps(there).count('"')
        drop_ids = re.compile(r'"(code|code_a|code_b|document)": "[0-9a-f-]{36}"')
        assert drop_ids.sub("", json.dumps(here)) == drop_ids.sub("", json.dumps(there)), args
    def placed(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in row.items() if k not in ("id", "code", "document", "created_at")} for row in rows]

    for context in ("sentence", "turn", "40"):  # speakers, turns, overlaps and context found by each database
        args = ["excerpts", "--context", context, "--json"]
        here_rows, there_rows = ok("--db", project, *args).json, ok("--db", pg_url, *args).json
        assert here_rows and any(row["speaker"] and row["overlapping"] for row in here_rows)
        assert placed(here_rows) == placed(there_rows), context
    ids = {e["id"] for e in ok("--db", pg_url, "excerpts", "--json").json}
    cell = ok("--db", pg_url, "matrix", "--by", "role", "--cell", "Kollegial sparring", "sagsbehandler", "--json").json
    assert len(cell) == 4 and {e["id"] for e in cell} <= ids
