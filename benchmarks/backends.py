"""Where the benchmark's projects live: SQLite files, or databases on a local PostgreSQL server.

A figure function takes the project as a *target*, a file path or a server URL as `fieldnotes --db`
does, and opens it with `open_project(target)`. What it needs beyond that (a scratch copy it may change,
a place for a new project, removing what it made) it asks of `current()`, so the same functions measure
both backends: `python -m benchmarks --backend postgres` swaps in a `Server` for the run.

The server is started from the PostgreSQL binaries as the test suite's is (tests/pgcluster.py), but with
the server's default durability settings (fsync and synchronous commit on): a team's server has them,
and a benchmark with fsync off would not measure waiting for the disk.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

#: a project for the figures: a SQLite file's path or a server URL
Target = str


class Files:
    """Projects as SQLite files (the default)."""

    name = "sqlite"
    #: the label of the cheapest way to copy a project, the baseline of bundle and merge figures
    copy_label = "copying the project file"

    def __init__(self) -> None:
        self.source_file: Path | None = None
        #: how long moving the tier's project in took (a server only)
        self.move_ms: float | None = None

    def project(self, tier_file: Path) -> Target:
        self.source_file = tier_file
        return str(tier_file)

    def copy(self, source: Target, where: Path) -> Target:
        """A consistent copy of a project; `where` names it (a file that must not exist yet)."""
        from fieldnotes.project.backup import copy_sqlite

        return str(copy_sqlite(Path(source), where))

    def new(self, where: Path) -> Target:
        """Where a new project can be created (`create_project(target)`): nothing is there yet."""
        self.remove(str(where))
        return str(where)

    def remove(self, target: Target) -> None:
        """A project the benchmark made, with its journal files and the backups made of it."""
        from fieldnotes.project.backup import list_backups

        path = Path(target)
        for made in [*list_backups(path), path, path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")]:
            made.unlink(missing_ok=True)

    def close(self) -> None:
        pass


class Server(Files):
    """Projects as databases on a PostgreSQL server this run starts (and removes at the end)."""

    name = "postgres"
    copy_label = "copying the database on the server"

    def __init__(self) -> None:
        super().__init__()
        from tests.pgcluster import Cluster, find_bindir

        bindir = find_bindir()
        if bindir is None:
            raise SystemExit("--backend postgres needs the PostgreSQL server binaries (Debian: apt-get install "
                             "postgresql)")
        self.cluster = Cluster(bindir, durable=True)
        self.cluster.start()
        self._made = 0

    def _name(self, where: Path | str) -> str:
        self._made += 1
        stem = re.sub(r"[^a-z0-9_]", "_", Path(str(where)).stem.lower())[:40]
        return f"b{self._made}_{stem}"

    @staticmethod
    def database(target: Target) -> str:
        from sqlalchemy import make_url

        name = make_url(target).database
        assert name, target
        return name

    def project(self, tier_file: Path) -> Target:
        """The tier's project moved onto the server the way a team does it: `init --empty`, then `merge`."""
        from fieldnotes.project.backup import server_backups
        from fieldnotes.project.creation import create_project
        from fieldnotes.team.merge import merge

        self.source_file = tier_file
        url = self.new(Path(tier_file.stem))
        began = time.perf_counter()
        with create_project(url, empty=True, coder="Server") as project:
            assert merge(project, tier_file, coder_name="Server").identity_adopted
        self.move_ms = (time.perf_counter() - began) * 1000
        for backup in server_backups(url):  # of the empty project, if the normal merge made one (--move-by merge)
            backup.unlink()
        self.execute("VACUUM ANALYZE", database=self.database(url))
        print(f"moved {tier_file.name} onto the server in {self.move_ms / 1000:.1f} s", file=sys.stderr, flush=True)
        return url

    def execute(self, statement: str, *, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.cluster.port} user=postgres dbname={database}",
                             autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]

    def copy(self, source: Target, where: Path) -> Target:
        """CREATE DATABASE … TEMPLATE: the server copies the files itself. It needs the source without other
        sessions; a pool closing its connections is waited for, briefly."""
        import psycopg

        name = self._name(where)
        for attempt in range(100):
            try:
                return self.cluster.create_database(name, template=self.database(source))
            except psycopg.errors.ObjectInUse:
                if attempt == 99:
                    raise
                time.sleep(0.1)
        raise AssertionError("unreachable")

    def new(self, where: Path) -> Target:
        return self.cluster.create_database(self._name(where))

    def remove(self, target: Target) -> None:
        from fieldnotes.project.backup import server_backups

        if "://" not in target:  # a file the figure made beside (a laptop's copy)
            super().remove(target)
            return
        for backup in server_backups(target):
            backup.unlink(missing_ok=True)
        self.execute(f'DROP DATABASE IF EXISTS "{self.database(target)}" WITH (FORCE)')

    def close(self) -> None:
        self.cluster.stop()


_current: list[Files] = [Files()]


def current() -> Files:
    """The backend of this run (SQLite files unless `--backend postgres`)."""
    return _current[0]


def use(backend: Files) -> None:
    _current[0] = backend


def start(name: str) -> Files:
    """The backend called `name`, made the current one."""
    backend: Files = Server() if name == "postgres" else Files()
    use(backend)
    return backend


def describe(backend: Any) -> str:
    return "PostgreSQL (local server, default durability: fsync on)" if backend.name == "postgres" else "SQLite"
