"""Migrations match the models, have one head, round-trip, and upgrade every released schema."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from fieldnotes.db import migrate
from fieldnotes.db.backends import engine_for
from fieldnotes.db.models import Base
from fieldnotes.project.opening import open_project

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "schemas").glob("*.db"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "empty.db")
    return str(request.getfixturevalue("pg_url"))


def test_single_head() -> None:
    assert len(migrate.script().get_heads()) == 1


def test_upgrade_matches_models(empty_target: str) -> None:
    engine = engine_for(empty_target)
    try:
        migrate.upgrade(engine)
        assert migrate.differences(engine) == []
        with engine.connect() as conn:
            assert migrate.current(conn) == migrate.head()
            assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_round_trip(empty_target: str) -> None:
    engine = engine_for(empty_target)
    try:
        migrate.upgrade(engine)
        revisions = [rev.revision for rev in migrate.script().walk_revisions()]  # newest first
        for older in [*revisions[1:], "base"]:
            migrate.downgrade(engine, older)
            with engine.connect() as conn:
                assert migrate.current(conn) == (None if older == "base" else older)
        with engine.connect() as conn:
            leftover = set(inspect(conn).get_table_names()) - {"alembic_version"}
        assert leftover == set()
        migrate.upgrade(engine)
        assert migrate.differences(engine) == []
    finally:
        engine.dispose()


def _rows(engine, table: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        cols = [c["name"] for c in inspect(conn).get_columns(table)]
        order = "seq" if "seq" in cols else "id"
        return [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY "{order}"'))]


def _without_setting(engine, row: tuple) -> tuple:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        names = [c["name"] for c in inspect(conn).get_columns("project")]
    return tuple(v for name, v in zip(names, row, strict=False) if name != "pseudonymize_exports")


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_released_schema_upgrades_without_loss(fixture: Path, tmp_path: Path) -> None:
    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    before_engine = engine_for(str(copy), readonly=True)
    with before_engine.connect() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
    before = {t: _rows(before_engine, t) for t in tables}
    before_engine.dispose()
    assert sum(len(rows) for rows in before.values()) > 10, "the fixture must hold data"

    with open_project(str(copy)) as project:
        with project.engine.connect() as conn:
            assert migrate.current(conn) == migrate.head()
        assert migrate.differences(project.engine) == []
        for table, rows in before.items():
            after = _rows(project.engine, table)
            if table == "changes":  # the privacy revision (0004) adds its own change to the audit trail
                after = [r for r in after if r[5] != "exports.default"]
            if table == "project":  # ... and turns pseudonymize_exports on: every other value stays
                after, rows = [_without_setting(project.engine, r) for r in after], \
                    [_without_setting(project.engine, r) for r in rows]
            # columns added by later revisions come after the old ones: compare the old prefix
            assert [r[: len(rows[0])] for r in after] == rows if rows else after == []
        with project.read() as session:
            from fieldnotes.db.models import Coding

            coding = session.scalars(select(Coding)).one()
            assert coding.text == "Jeg tror på, at Søren får et job på lageret i Lyngå."


def test_fixture_exists_for_head() -> None:
    """Every revision on main is released: the head has its fixture database."""
    assert (Path(__file__).parent / "fixtures" / "schemas" / f"{migrate.head()}.db").exists()


def test_fast_revision_reading_agrees_with_alembic() -> None:
    assert migrate.head() == migrate.script().get_current_head()
    assert migrate.known_revisions() == {rev.revision for rev in migrate.script().walk_revisions()}
