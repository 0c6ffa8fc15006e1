"""The built wheel carries migrations, the codebook and the demo material, and works on its own."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

from fieldnotes.project.demo import read_anchors

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    wheels = list(out.glob("fieldnotes-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_carries_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "fieldnotes/_data/migrations/env.py" in names
    assert any(n.startswith("fieldnotes/_data/migrations/versions/0001_") for n in names)
    assert "fieldnotes/_data/codebook.yaml" in names
    assert "fieldnotes/_data/demo/README.md" in names
    assert "fieldnotes/refi/schemas/Project-mrt2019.xsd" in names
    for template in ("browser.html.j2", "browser.css", "browser.js"):  # the theme browser (export html)
        assert f"fieldnotes/export/templates/{template}" in names
    assert any(n.endswith("licenses/LICENSE") or n.endswith("/LICENSE") for n in names)
    assert not any("__pycache__" in n or n.endswith(".db") for n in names)


@pytest.mark.slow
def test_wheel_installs_into_a_clean_venv_and_creates_a_project(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    exe = python.parent / "fieldnotes"
    work = tmp_path / "work"
    work.mkdir()
    home = {"FIELDNOTES_HOME": str(tmp_path / "home"), "PATH": str(python.parent), "HOME": str(tmp_path)}
    subprocess.run([str(exe), "init", "--coder", "Anna"], cwd=work, env=home, check=True, capture_output=True)
    listed = subprocess.run([str(exe), "codebook", "list", "--json"], cwd=work, env=home, check=True,
                            capture_output=True, text=True)
    codes = json.loads(listed.stdout)
    here = subprocess.run([sys.executable, "-m", "fieldnotes", "--db", str(tmp_path / "src.db"), "init", "--coder",
                           "Anna"], env={**home, "PATH": ""}, capture_output=True, text=True)
    assert here.returncode == 0, here.stderr
    ours = json.loads(subprocess.run([sys.executable, "-m", "fieldnotes", "--db", str(tmp_path / "src.db"),
                                      "codebook", "list", "--json"], env=home, check=True, capture_output=True,
                                     text=True).stdout)
    assert len(codes) >= 20
    assert [(c["id"], c["path"]) for c in codes] == [(c["id"], c["path"]) for c in ours]

    # the demo material ships in the wheel: the installed command builds the whole demo from it
    demo = tmp_path / "demo here" / "demo.db"
    built = subprocess.run([str(exe), "demo", str(demo), "--no-tui", "--json"], cwd=work, env=home,
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    report = json.loads(built.stdout)
    source = ROOT / "examples" / "demo"
    material = [p for p in (source / "material").rglob("*") if p.is_file() and not p.name.endswith(".yaml")]
    settings = yaml.safe_load((source / "project.yaml").read_text(encoding="utf-8"))
    assert report["project"] == str(demo) and demo.exists()
    assert report["documents"] == len(material) >= 20
    assert report["codings"] == len(read_anchors(source)) >= 200
    assert report["memos"] == len(settings["memos"])
    assert sorted(report["coders"]) == ["Anna Krogh", "Jonas Bech"]
    shown = json.loads(subprocess.run([str(exe), "--db", str(demo), "project", "show", "--json"], cwd=work,
                                      env=home, check=True, capture_output=True, text=True).stdout)
    assert shown["demo"] is True
    assert (shown["documents"], shown["codings"]) == (report["documents"], report["codings"])
