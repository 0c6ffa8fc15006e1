"""Shared fixtures. Every test runs with its paths in a temporary folder, never the user's own."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pgcluster import Cluster, find_bindir

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def isolated_paths(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from fieldnotes import translations

    translations.use("en")  # the interface language is the process's: each test starts in English
    home = tmp_path_factory.mktemp("fieldnotes-home")
    monkeypatch.setenv("FIELDNOTES_HOME", str(home))
    for var in ("FIELDNOTES_DB", "FIELDNOTES_CODER", "FIELDNOTES_DATA_DIR", "FIELDNOTES_CONFIG_DIR",
                "FIELDNOTES_LOG_DIR", "FIELDNOTES_BACKUP_DIR", "FIELDNOTES_LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("FIELDNOTES_LANG", "en")
    yield home
    translations.use("en")


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Whatever a test, fieldnotes or a program they start makes with `tempfile` (or in TMPDIR) lands in a
    folder of the test's own, never the system's; and fieldnotes' own temporary files must be gone when the
    test ends (a test that kept a project there once went unnoticed)."""
    folder = tmp_path_factory.mktemp("tempdir")
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    yield folder
    left = sorted(path.name for path in folder.iterdir() if "fieldnotes" in path.name.lower())
    assert not left, f"the test left fieldnotes files in the temporary folder: {left}"


def missing(what: str, how: str) -> None:
    """Skip with a visible reason, or fail under CI=true where everything must be installed."""
    message = f"{what} is not installed; {how}"
    if IN_CI:
        pytest.fail(message + " (CI=true: this must not be skipped)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def english_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo project built in English, once per test module (modules that export from it add audit records)."""
    from fieldnotes.project.demo import build

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIELDNOTES_HOME", str(tmp_path_factory.mktemp("home")))
        patch.setenv("FIELDNOTES_LANG", "en")
        target = tmp_path_factory.mktemp("demo") / "demo.db"
        build(target)
        yield target


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    bindir = find_bindir()
    if bindir is None:
        missing("the PostgreSQL server", "install it with `apt-get install postgresql`")
    assert bindir is not None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing("psycopg", "install the test tools: pip install -e . --group test")
    cluster = Cluster(bindir)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    return pg_cluster.create_database()


from hypothesis import HealthCheck, settings  # noqa: E402

# "ci" bounds fuzzing so the suite fits its time budget; "deep" runs far more examples on demand:
#   HYPOTHESIS_PROFILE=deep pytest tests/test_fuzz*.py
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("deep", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
