"""A throwaway PostgreSQL cluster, started from the server binaries: for the test suite, and for the
benchmark's `--backend postgres` (benchmarks/backends.py), which imports it from here.

PostgreSQL refuses to run as root, so when the suite runs as root the server runs as the
`postgres` system user (or `nobody`) through `runuser`. Each test gets a fresh database.

The suite's cluster runs with fsync off (its data is thrown away); a `durable` one keeps the server's
default durability settings (fsync and synchronous commit on), as a real team server has them, so that
what the benchmark measures includes waiting for the disk.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def find_bindir() -> Path | None:
    candidates = []
    if shutil.which("pg_config"):
        try:
            out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
            candidates.append(out.stdout.strip())
        except (OSError, subprocess.CalledProcessError):
            pass
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    candidates += ["/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin"]
    for folder in candidates:
        if folder and (Path(folder) / "postgres").exists() and (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    def __init__(self, bindir: Path, *, durable: bool = False) -> None:
        self.bindir = bindir
        self.durable = durable
        self.user: str | None = None
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            self.user = "postgres" if _user_exists("postgres") else "nobody"
        self.root = Path(tempfile.mkdtemp(prefix="fieldnotes-pg-", dir=_reachable_tempdir() if self.user else None))
        self.data = self.root / "data"
        self.port = _free_port()

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(a) for a in args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=False)

    def start(self) -> None:
        if self.user:
            shutil.chown(self.root, user=self.user)
            os.chmod(self.root, 0o700)
        sync = () if self.durable else ("--no-sync",)
        result = self._run(self.bindir / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                           "--encoding=UTF8", "--locale=C.UTF-8", *sync)
        if result.returncode != 0:
            result = self._run(self.bindir / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                               "--encoding=UTF8", "--locale=C", *sync)
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed: {result.stderr.strip()}")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off"
        result = self._run(self.bindir / "pg_ctl", "-D", self.data, "-o", options, "-l",
                           self.root / "server.log", "-w", "-t", "60", "start")
        if result.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace") if (self.root / "server.log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {result.stderr.strip()} {log[-500:]}")

    def stop(self) -> None:
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, statement: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE), waiting for a server just started."""
        import psycopg

        for _ in range(50):
            try:
                with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                                     autocommit=True) as conn:
                    conn.execute(statement)  # type: ignore[arg-type]
                return
            except psycopg.OperationalError:
                time.sleep(0.2)
        raise RuntimeError("the test PostgreSQL server does not answer")

    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """A new database (a copy of `template` when given, made by the server); its URL."""
        name = name or "t_" + uuid.uuid4().hex[:12]
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)


def _reachable_tempdir() -> str | None:
    """Where the server's own user can reach its folder: the temporary folder, unless one of its parents is
    closed to other users (a test's private one, when the benchmark runs inside the suite); then /tmp."""
    folder = Path(tempfile.gettempdir()).resolve()
    if any(not part.stat().st_mode & 0o001 for part in (folder, *folder.parents)):
        return "/tmp"
    return None


def _user_exists(name: str) -> bool:
    try:
        import pwd

        pwd.getpwnam(name)
        return True
    except (KeyError, ImportError):
        return False
