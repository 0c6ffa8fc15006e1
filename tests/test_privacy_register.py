"""The pseudonym register through the command line: entries, rules, participants, key files, audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from fieldnotes.privacy import names
from tests.helpers import ok, run
from tests.projectdata import make_project, snapshot


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def fresh(folder: Path) -> Path:
    folder.mkdir()
    return make_project(folder)


def entries(db: Path) -> list[dict]:  # type: ignore[type-arg]
    return ok("--db", db, "pseudonyms", "list", "--json").json  # type: ignore[no-any-return]


def test_add_list_remove_and_every_change_is_recorded(project: Path) -> None:
    added = ok("--db", project, "pseudonyms", "add", "Søren", "Bo 🙂", "--attr", "role=borger", "--json").json
    assert (added["original"], added["pseudonym"], added["category"]) == ("Søren", "Bo 🙂", "person")
    ok("--db", project, "pseudonyms", "add", "Lyngå", "Havby", "--category", "sted")
    listed = {e["original"]: e for e in entries(project)}
    assert listed["Søren"]["attributes"] == {"role": "borger"} and listed["Søren"]["occurrences"] == 1
    assert listed["Lyngå"]["category"] == "place" and listed["Lyngå"]["separated"] is False
    ok("--db", project, "pseudonyms", "remove", added["id"][:8])
    ok("--db", project, "pseudonyms", "remove", "Havby")
    assert entries(project) == []
    actions = [e["action"] for e in ok("--db", project, "log", "--json").json[:4]]
    assert actions == ["pseudonyms.remove", "pseudonyms.remove", "pseudonyms.add", "pseudonyms.add"]
    ok("--db", project, "undo")  # the register is undoable like everything else
    assert [e["pseudonym"] for e in entries(project)] == ["Havby"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["Peter", "Mette Vinther"], "is an original in the register"),
        (["søren", "Karl"], "already in the register"),
        (["Jens", "Ib"], "already the pseudonym of another entry"),
        (["Ib", "Peter"], "is a pseudonym in the register"),
        (["Anna Krogh", "Eva"], "is a coder of this project"),
        (["Peter", "Peter"], "would replace itself"),
        (["Peter", "Jens Jensen", "--category", "planet"], "category 'planet' is unknown"),
        (["Peter", "Jens Jensen", "--attr", "role"], "is not KEY=VALUE"),
        (["Peter"], "ORIGINAL PSEUDONYM"),
    ],
)
def test_entries_that_would_make_replacing_inconsistent_are_refused(project: Path, args: list[str],
                                                                    message: str) -> None:
    ok("--db", project, "pseudonyms", "add", "Søren", "Ib")
    ok("--db", project, "pseudonyms", "add", "Mette Vinther", "Lise Holm")
    before = snapshot(project)
    result = run("--db", project, "pseudonyms", "add", *args)
    assert result.code == 1 and message in result.err, result.err
    assert "Traceback" not in result.err and result.err.count("\n") == 1
    assert snapshot(project) == before


def test_participants_get_generated_pseudonyms_deterministically(tmp_path: Path) -> None:
    first, second = fresh(tmp_path / "a"), fresh(tmp_path / "b")
    proposed = ok("--db", first, "pseudonyms", "add", "--from-participants", "--dry-run", "--json").json
    assert entries(first) == []  # a dry run adds nothing
    by_original = {e["original"]: e["pseudonym"] for e in proposed["entries"]}
    assert set(by_original) == {"Mette Vinther", "Mette", "Vinther"}  # the coder Anna Krogh keeps her name
    assert any("Anna Krogh" in reason for reason in proposed["skipped"])
    first_name, surname = by_original["Mette Vinther"].split()
    assert first_name in names.FEMALE and surname in names.SURNAMES  # she stays a woman in the quotes
    assert by_original["Mette"] == first_name and by_original["Vinther"] == surname
    text = ok("--db", first, "show", "Interview med sagsbehandler", "--json").json["text"]
    assert first_name not in text and surname not in text
    added = ok("--db", first, "pseudonyms", "add", "--from-participants", "--json").json
    assert added["entries"] == proposed["entries"]
    again = ok("--db", second, "pseudonyms", "add", "--from-participants", "--json").json
    assert again["entries"] == added["entries"]  # the same project gives the same names
    assert ok("--db", first, "pseudonyms", "add", "--from-participants", "--json").json["entries"] == []
    assert {e["attributes"]["role"] for e in entries(first)} == {"sagsbehandler"}


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_key_export_and_import_round_trip(project: Path, tmp_path: Path, suffix: str) -> None:
    ok("--db", project, "pseudonyms", "add", "Søren", "Bo", "--attr", "role=borger")
    ok("--db", project, "pseudonyms", "add", "Bageriet i Lyngå", "Bageriet ved Åen", "--category", "workplace")
    key = tmp_path / f"nøgle{suffix}"
    out = ok("--db", project, "pseudonyms", "export", key, "--json").json
    assert out["entries"] == 2 and out["removed"] is False
    assert key.stat().st_mode & 0o077 == 0
    raw = key.read_text(encoding="utf-8")
    assert str(tmp_path) not in raw and "Interview" not in raw  # no paths, no document text
    data = json.loads(raw) if suffix == ".json" else yaml.safe_load(raw)
    assert {(e["original"], e["pseudonym"], e["category"]) for e in data["entries"]} == {
        ("Søren", "Bo", "person"), ("Bageriet i Lyngå", "Bageriet ved Åen", "workplace")}
    assert {e["id"] for e in data["entries"]} == {e["id"] for e in entries(project)}
    assert run("--db", project, "pseudonyms", "export", key).code == 1  # never overwrites without --force
    other = fresh(tmp_path / "other")
    report = ok("--db", other, "pseudonyms", "import", key, "--json").json
    assert report["added"] == 2 and report["refused"] == []
    assert {e["id"] for e in entries(other)} == {e["id"] for e in data["entries"]}  # ids travel with the key
    assert ok("--db", other, "pseudonyms", "import", key, "--json").json["unchanged"] == 2
    audit = ok("--db", project, "log", "--exports", "--json").json
    assert [e["action"] for e in audit] == ["pseudonyms.export"]
    assert audit[0]["coder"] == "Anna Krogh"
    assert audit[0]["details"] == {"file": key.name, "format": suffix[1:], "entries": 2, "removed": False,
                                   "pseudonymized": False, "filters": {}}


def _key_entries(key: Path) -> list[dict]:  # type: ignore[type-arg]
    raw = key.read_text(encoding="utf-8")
    return (json.loads(raw) if key.suffix == ".json" else yaml.safe_load(raw))["entries"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_separating_the_key_twice_keeps_the_first_key(project: Path, tmp_path: Path, suffix: str) -> None:
    """A second `export KEY --remove --force` wrote only the entries still holding an original over the
    old key file: the keys separated the first time were then gone from the file and from the project."""
    key = tmp_path / f"nøgle{suffix}"
    ok("--db", project, "pseudonyms", "add", "Søren", "Bo", "--attr", "role=borger")
    ok("--db", project, "pseudonyms", "add", "Lyngå", "Havby", "--category", "sted")
    ok("--db", project, "pseudonyms", "apply", "--yes")
    ok("--db", project, "pseudonyms", "export", key, "--remove", "--yes")
    first = _key_entries(key)
    assert {(e["original"], e["pseudonym"]) for e in first} == {("Søren", "Bo"), ("Lyngå", "Havby")}
    ok("--db", project, "pseudonyms", "add", "Fjordby", "Skovby", "--category", "sted")  # found later
    ok("--db", project, "pseudonyms", "apply", "--yes")
    out = ok("--db", project, "pseudonyms", "export", key, "--remove", "--force", "--yes", "--json").json
    second = _key_entries(key)
    assert second[:2] == first  # every entry it held, unchanged, in the same format and order
    assert {(e["original"], e["pseudonym"]) for e in second} == {("Søren", "Bo"), ("Lyngå", "Havby"),
                                                                  ("Fjordby", "Skovby")}
    assert out["entries"] == 1 and out["in_file"] == 3 and out["kept_from_file"] == 2
    listed = entries(project)
    assert len(listed) == 3 and all(e["original"] is None for e in listed)
    report = ok("--db", project, "pseudonyms", "import", key, "--json").json  # re-identifying needs every key
    assert report["restored"] == 3 and report["refused"] == []
    assert {e["original"] for e in entries(project)} == {"Søren", "Lyngå", "Fjordby"}


def test_a_key_file_is_never_overwritten_with_less(project: Path, tmp_path: Path) -> None:
    key = tmp_path / "nøgle.yaml"
    ok("--db", project, "pseudonyms", "add", "Søren", "Bo")
    ok("--db", project, "pseudonyms", "add", "Lyngå", "Havby", "--category", "sted")
    ok("--db", project, "pseudonyms", "export", key)
    ok("--db", project, "pseudonyms", "remove", "Havby")
    ok("--db", project, "pseudonyms", "export", key, "--force")  # a plain copy of the key, again
    assert {e["pseudonym"] for e in _key_entries(key)} == {"Bo", "Havby"}
    # a file that maps one of the register's entries differently is refused, and left as it was
    data = yaml.safe_load(key.read_text(encoding="utf-8"))
    data["entries"][0]["original"] = "Søren Madsen"
    key.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = key.read_bytes()
    result = run("--db", project, "pseudonyms", "export", key, "--force")
    assert result.code == 1 and "maps the entry 'Bo' differently" in result.err
    assert key.read_bytes() == before
    # so is a file that is not a key file at all
    notes = tmp_path / "noter.yaml"
    notes.write_text("møder:\n  - Lyngå\n", encoding="utf-8")
    result = run("--db", project, "pseudonyms", "export", notes, "--force")
    assert result.code == 1 and "not a key file fieldnotes can add to" in result.err
    assert notes.read_text(encoding="utf-8") == "møder:\n  - Lyngå\n"


@pytest.mark.parametrize("content, message", [
    ("entries: 3\n", "not a pseudonym key file"),
    ("format: something-else\nentries: []\n", "not a pseudonym key"),
    ("entries:\n  - {original: Søren}\n", "has no pseudonym"),
    ("entries: [\n", "key.yaml, line 2: the key file is not valid YAML"),
])
def test_bad_key_files_are_refused(project: Path, tmp_path: Path, content: str, message: str) -> None:
    key = tmp_path / "key.yaml"
    key.write_text(content, encoding="utf-8")
    before = snapshot(project)
    result = run("--db", project, "pseudonyms", "import", key)
    assert result.code == 1 and message in result.err
    assert snapshot(project) == before
    assert run("--db", project, "pseudonyms", "export", tmp_path / "key.txt").code == 1
