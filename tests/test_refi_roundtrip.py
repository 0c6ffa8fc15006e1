"""REFI-QDA round trips: export, import into an empty project, export again gives the same file."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from fieldnotes.codebook import sync
from fieldnotes.db.models import Code
from fieldnotes.project.opening import open_project
from fieldnotes.refi import schema
from fieldnotes.refi.qdc import read_qdc
from fieldnotes.refi.safexml import parse
from tests.fixtures.refi.rich_project import make_rich_project
from tests.helpers import ok
from tests.projectdata import snapshot

STAMPS = re.compile(rb'\s(creationDateTime|modifiedDateTime)="[^"]*"')


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_rich_project(tmp_path_factory.mktemp("rich"))


def contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def view(db: Path | str) -> dict[str, Any]:
    """What a researcher sees of a project, keyed by ids."""
    excerpts = ok("--db", db, "excerpts", "--json").json
    keep = ("id", "code", "code_path", "document", "document_title", "municipality", "kind", "date", "coder", "start",
            "end", "text", "memo", "rating", "needs_review", "speaker")
    docs = ok("--db", db, "docs", "--json").json
    memos = ok("--db", db, "memo", "list", "--json").json
    codes = ok("--db", db, "codebook", "list", "--retired", "--json").json
    return {
        "excerpts": sorted(({k: e[k] for k in keep} for e in excerpts), key=lambda e: e["id"]),
        "docs": sorted(({k: v for k, v in d.items() if k != "source"} for d in docs), key=lambda d: d["id"]),
        "memos": sorted(({k: m[k] for k in ("id", "target_kind", "target", "text", "author")} for m in memos),
                        key=lambda m: m["id"]),
        "codes": sorted(codes, key=lambda c: c["id"]),
    }


def round_trip(rich: Path, folder: Path, target: str, *export_flags: str) -> tuple[Path, Path, Any]:
    first = folder / "først.qdpx"
    ok("--db", rich, "exchange", "export-qdpx", first, "--force", *export_flags)
    ok("--db", target, "init", "--empty", "--coder", "Anna Krogh")  # the file's own coder: no one new
    summary = ok("--db", target, "exchange", "import", first, "--coder", "Anna Krogh", "--json").json
    second = folder / "igen.qdpx"
    ok("--db", target, "exchange", "export-qdpx", second, *export_flags)
    return first, second, summary


def assert_same_apart_from_timestamps(first: Path, second: Path) -> None:
    a, b = contents(first), contents(second)
    assert sorted(a) == sorted(b)
    assert STAMPS.sub(b"", a.pop("project.qde")) == STAMPS.sub(b"", b.pop("project.qde"))
    assert a == b  # the source texts, byte for byte


def test_export_import_export_gives_the_same_xml(rich: Path, tmp_path: Path) -> None:
    first, second, summary = round_trip(rich, tmp_path, str(tmp_path / "ny.db"))
    assert summary["report"]["dropped"] == [] and summary["report"]["warnings"] == []
    assert_same_apart_from_timestamps(first, second)
    for path in (first, second):
        assert schema.problems(parse(contents(path)["project.qde"], "project.qde"), "project") == []
    assert view(tmp_path / "ny.db") == view(rich)


def test_utf16_positions_survive_a_round_trip(rich: Path, tmp_path: Path) -> None:
    first, second, summary = round_trip(rich, tmp_path, str(tmp_path / "ny.db"), "--utf16-positions")
    assert summary["report"]["positions"] == "utf16"
    assert_same_apart_from_timestamps(first, second)
    assert view(tmp_path / "ny.db")["excerpts"] == view(rich)["excerpts"]


def test_importing_our_own_export_changes_nothing(rich: Path, tmp_path: Path) -> None:
    out = tmp_path / "selv.qdpx"
    ok("--db", rich, "exchange", "export-qdpx", out)
    before = snapshot(rich)
    report = ok("--db", rich, "exchange", "import", out, "--json").json["report"]
    assert not any(report["taken"].values())
    assert report["matched"]["codings"] == 9 and report["matched"]["documents"] == 3
    assert snapshot(rich) == before


def test_codebook_round_trip_through_qdc_changes_nothing(rich: Path, tmp_path: Path) -> None:
    out = tmp_path / "kodebog.qdc"
    ok("--db", rich, "exchange", "export-qdc", out)
    book = read_qdc(out)
    with open_project(str(rich), readonly=True) as project, project.read() as session:
        difference = sync.diff(session, book)
        ids = set(session.scalars(select(Code.id)))
    assert difference.empty and difference.unchanged == len(ids) == len(book.codes)
    assert {spec.id for spec in book.codes} == ids


def test_read_qdc_also_reads_the_codebook_of_a_project_file(rich: Path, tmp_path: Path) -> None:
    out = tmp_path / "hele.qdpx"
    ok("--db", rich, "exchange", "export-qdpx", out)
    book = read_qdc(out)
    assert book.name == "Testkodebog" and len(book.codes) == 10
    retired = next(spec for spec in book.codes if spec.name == "Gammel kode")
    assert retired.retired and retired.texts["definition"] == "Erstattet af Forforståelser."


@pytest.mark.postgres
def test_round_trip_through_a_server_project(rich: Path, tmp_path: Path, pg_url: str) -> None:
    first, second, _ = round_trip(rich, tmp_path, pg_url)
    assert_same_apart_from_timestamps(first, second)
    assert view(pg_url)["excerpts"] == view(rich)["excerpts"]


def test_our_fields_survive_a_tool_that_gives_variables_new_ids(rich: Path, tmp_path: Path) -> None:
    from fieldnotes.refi import identity

    first = tmp_path / "ud.qdpx"
    ok("--db", rich, "exchange", "export-qdpx", first)
    files = contents(first)
    for key in ("kind", "date", "case type"):
        old = identity.to_guid(identity.builtin_variable(key)).encode()
        files["project.qde"] = files["project.qde"].replace(old, identity.to_guid(identity.derived("x", key)).encode())
    changed = tmp_path / "andet-værktøj.qdpx"
    with zipfile.ZipFile(changed, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    target = tmp_path / "ny.db"
    ok("--db", target, "init", "--empty")
    ok("--db", target, "exchange", "import", changed)
    docs = {d["title"]: d for d in ok("--db", target, "docs", "--json").json}
    assert docs["Interview med sagsbehandler"]["kind"] == "interview"
    assert docs["Interview med sagsbehandler"]["date"] == "2025-03-10"
    assert docs["Interview med sagsbehandler"]["municipality"] == "Lyngå"
    assert "Kind" not in docs["Interview med sagsbehandler"]["attributes"]
