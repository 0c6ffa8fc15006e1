"""Schema migrations, run inside fieldnotes (the pattern Taguette uses).

Alembic is configured in code. On SQLite a project is upgraded when it is opened, after a backup;
on PostgreSQL only `fieldnotes db upgrade` changes the schema.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, inspect, text

from fieldnotes.errors import FieldnotesError
from fieldnotes.resources import migrations_dir
from fieldnotes.translations import _

#: tables that are not in the models on purpose (the search index's virtual tables and shadows)
UNMANAGED_PREFIXES = ("search_index", "sqlite_")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if name and name.startswith(UNMANAGED_PREFIXES):  # the tables, or an index such as PostgreSQL's search index
        return False
    table = getattr(obj, "table", None)
    return not (table is not None and str(table.name).startswith(UNMANAGED_PREFIXES))


if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory


def config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config())


_REVISION = re.compile(r"^revision\s*(?::\s*str)?\s*=\s*['\"]([0-9a-f]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(?:['\"]([0-9a-f]+)['\"]|None)", re.MULTILINE)


@lru_cache(maxsize=1)
def _graph() -> dict[str, str | None]:
    """revision -> down revision, read straight from the files: opening a project must not pay for
    importing Alembic and compiling every migration just to learn the head (the tests check this agrees
    with Alembic)."""
    graph: dict[str, str | None] = {}
    for path in sorted((migrations_dir() / "versions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision and down:
            graph[revision.group(1)] = down.group(1)
    return graph


def head() -> str:
    graph = _graph()
    heads = set(graph) - {down for down in graph.values() if down}
    if len(heads) != 1:  # pragma: no cover - guarded by a test
        raise FieldnotesError(_("the migrations have {n_heads} heads; expected one").format(n_heads=len(heads)))
    return heads.pop()


def known_revisions() -> set[str]:
    return set(_graph())


def current(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:
        raise FieldnotesError(_("the database records {n_rows} schema revisions; expected one")
                              .format(n_rows=len(rows)))
    return rows[0] if rows else None


def _run(engine: Engine, action: str, target: str) -> None:
    from alembic import command

    cfg = config()
    with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # batch migrations copy tables; foreign keys must be off while they do (outside a transaction)
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                getattr(command, action)(cfg, target)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise FieldnotesError(
                            _("the migration left {n_broken} broken references and was rolled "
                              "back").format(n_broken=len(broken))
                        )
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade(engine: Engine, target: str = "head") -> None:
    _run(engine, "upgrade", target)


def downgrade(engine: Engine, target: str) -> None:
    _run(engine, "downgrade", target)


def differences(engine: Engine) -> list[Any]:
    """What differs between the database schema and the models (empty when they match)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from fieldnotes.db.models import Base

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        return list(compare_metadata(context, Base.metadata))


def _make_revision(message: str) -> None:  # pragma: no cover - developer tool
    """Autogenerate a revision against a scratch database at head."""
    import tempfile
    from pathlib import Path

    from alembic import command

    from fieldnotes.db.backends import sqlite_engine

    with tempfile.TemporaryDirectory() as tmp:
        engine = sqlite_engine(Path(tmp) / "scratch.db")
        upgrade(engine)
        cfg = config()
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=message, autogenerate=True)
        engine.dispose()


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) == 3 and sys.argv[1] == "revision":
        _make_revision(sys.argv[2])
    else:
        print("usage: python -m fieldnotes.db.migrate revision MESSAGE")
