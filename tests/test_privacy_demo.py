"""The demo's pseudonym register: pseudonymised exports name no one, and the audit shows every export."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import docx
import pytest
import yaml

from fieldnotes.privacy.replacing import Replacer
from fieldnotes.project.demo import build
from fieldnotes.resources import demo_dir
from tests.helpers import ok

CODERS = {"Anna Krogh", "Jonas Bech"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("demo") / "demo.db"
    build(target)
    return target


@pytest.fixture(scope="module")
def register() -> dict[str, str]:
    data = yaml.safe_load((demo_dir() / "pseudonyms.yaml").read_text(encoding="utf-8"))
    return {e["original"]: e["pseudonym"] for e in data["entries"]}


def named(text: str, originals: list[str]) -> list[str]:
    return sorted({o for o in originals if re.search(rf"(?<!\w){re.escape(o)}(?!\w)", text)})


def test_the_demo_loads_its_register_and_it_covers_every_person(demo: Path, register: dict[str, str]) -> None:
    listed = ok("--db", demo, "pseudonyms", "list", "--json").json
    assert {e["original"]: e["pseudonym"] for e in listed} == register
    people = {p["name"] for d in ok("--db", demo, "docs", "--json").json for p in d["participants"]}
    assert people - CODERS <= set(register)
    assert ok("--db", demo, "pseudonyms", "detect", "--kind", "name", "--json").json == []
    assert not set(register.values()) & set(register)


@pytest.mark.slow
def test_pseudonymised_exports_name_no_one_and_every_export_is_audited(demo: Path, register: dict[str, str],
                                                                       tmp_path: Path) -> None:
    originals = list(register)
    out = {name: tmp_path / name for name in ("excerpts.csv", "excerpts.docx", "projekt.qdpx", "plain.csv")}
    ok("--db", demo, "export", "csv", out["excerpts.csv"], "--pseudonymize", "--context", "sentence")
    ok("--db", demo, "export", "docx", out["excerpts.docx"], "--pseudonymize", "--memos")
    ok("--db", demo, "exchange", "export-qdpx", out["projekt.qdpx"], "--pseudonymize")
    ok("--db", demo, "export", "csv", out["plain.csv"], "--no-pseudonymize")
    ok("--db", demo, "pseudonyms", "export", tmp_path / "key.yaml")
    document = docx.Document(str(out["excerpts.docx"]))
    texts = {
        "csv": out["excerpts.csv"].read_text(encoding="utf-8-sig"),
        "docx": "\n".join([p.text for p in document.paragraphs]
                          + [c.text for t in document.tables for r in t.rows for c in r.cells]),
        "qdpx": "\n".join(zipfile.ZipFile(out["projekt.qdpx"]).read(n).decode("utf-8")
                          for n in zipfile.ZipFile(out["projekt.qdpx"]).namelist()),
    }
    for kind, text in texts.items():
        assert len(text) > 10_000, kind
        assert named(text, originals) == [], kind
        assert str(tmp_path) not in text and str(Path.home()) not in text, kind
    assert len(named(out["plain.csv"].read_text(encoding="utf-8-sig"), originals)) > 20  # the control

    # the excerpts a script reads, through the same replacer
    excerpts = ok("--db", demo, "excerpts", "--context", "sentence", "--json").json
    assert named(json.dumps(excerpts, ensure_ascii=False), originals)
    replaced = Replacer(register).replace_in(excerpts)
    assert named(json.dumps(replaced, ensure_ascii=False), originals) == []

    audit = ok("--db", demo, "log", "--exports", "--json").json
    made = {"excerpts.csv": True, "excerpts.docx": True, "projekt.qdpx": True, "plain.csv": False,
            "key.yaml": False}
    assert {e["details"]["file"]: e["details"]["pseudonymized"] for e in audit} == made
    assert all(e["coder"] and e["at"] for e in audit)
    assert {e["action"] for e in audit} == {"export", "pseudonyms.export"}
