"""Installing, for a person (#23): the README says how a user installs fieldnotes, the package's metadata
offers users only the extras they may want, and the build backend's minimum reads PEP 639 license files."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_says_how_a_user_installs_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    top = readme[: readme.index("## What fieldnotes is for")]
    assert "pipx install" in top and re.search(r'pip install "\.\[postgres,encryption\]"', top)
    for extra, meaning in (("postgres", "PostgreSQL"), ("encryption", "encrypted")):
        assert re.search(rf"`{extra}` adds[^.]*{meaning}", top), extra
    assert "python3 tasks.py demo" in top and "python3 tasks.py test" in top


def test_metadata_offers_users_no_test_extra_and_builds_with_a_pep639_hatchling() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(project["project"]["optional-dependencies"]) == {"postgres", "encryption"}
    assert "pytest>=8" in project["dependency-groups"]["test"]
    assert "--group" in (ROOT / "tasks.py").read_text(encoding="utf-8")  # tasks.py setup still installs them
    assert project["build-system"]["requires"] == ["hatchling>=1.26"]
    assert isinstance(project["project"]["license-files"], list)  # PEP 639: hatchling 1.25 wanted a table
    classifiers = project["project"]["classifiers"]
    assert "Environment :: Console" in classifiers and not any("Curses" in c for c in classifiers)
