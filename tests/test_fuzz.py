"""Fuzzing the readers that take files from outside: codebook YAML, REFI-QDA archives, bundles and the
command line. The only acceptable failures are fieldnotes' own one-line messages (FieldnotesError, or
argparse's usage exit 2). Bounded by the hypothesis profile (`ci`); HYPOTHESIS_PROFILE=deep runs far more.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldnotes.codebook import yamlfile
from fieldnotes.errors import FieldnotesError
from tests.helpers import run


def _budget(ci: int) -> int:
    """Examples for a slow fuzz test: `ci` normally, the profile's own number under HYPOTHESIS_PROFILE=deep."""
    if os.environ.get("HYPOTHESIS_PROFILE") == "deep":
        return max(ci, settings.default.max_examples)
    return ci


GOOD_CODEBOOK = (Path(__file__).parent / "fixtures" / "small-codebook.yaml").read_text(encoding="utf-8")
YAML_PIECES = st.sampled_from(["codes:", "- name: x", "  children:", "    - id: 1", "scale: {min: 5, max: 1}",
                               "name: æ/ø", "color: red", "shortcut: ab", "parent: nowhere", "&a [*a]",
                               "  - &k {name: Kode}", "  - *k", "scale: &s {min: 1, max: 5}", "scale: *s",
                               "x: &l [*s, *s, *s, *s]", "<<: *s", "children: *k", "name: \"Ny\\e[31mBy\"",
                               "!!python/object",
                               "\t", "'", '"', "{", "[", "- - -", "format: fieldnotes-codebook/1", "  - name: Å"])


@given(st.lists(YAML_PIECES, max_size=12), st.text(max_size=40))
def test_codebook_yaml_never_crashes(pieces: list[str], noise: str) -> None:
    text = "\n".join(pieces) + noise
    try:
        yamlfile.parse(text, "fuzz.yaml")
    except FieldnotesError as error:
        assert "fuzz.yaml" in str(error) and "\n" not in str(error)


@given(st.integers(0, len(GOOD_CODEBOOK) - 1), st.text(min_size=1, max_size=8))
def test_damaged_codebook_is_refused_with_a_line_number(position: int, insert: str) -> None:
    text = GOOD_CODEBOOK[:position] + insert + GOOD_CODEBOOK[position + 1 :]
    try:
        yamlfile.parse(text, "kodebog.yaml")
    except FieldnotesError as error:
        message = str(error)
        assert message.startswith("kodebog.yaml") and "\n" not in message


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


QDE_NAMES = st.sampled_from(["project.qde", "Project.qde", "Trial.qde", "../evil.qde", "/abs.qde", "x.txt",
                             "sources/a.txt", "Sources/../../b.txt"])
XML_BITS = st.sampled_from([b"<?xml version='1.0'?>", b"<Project xmlns='urn:QDA-XML:project:1.0'>", b"</Project>",
                            b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"&a;", b"<CodeBook><Codes>", b"<Code guid='x'/>",
                            b"\x00\xff", "æøå".encode(), b"<TextSource guid='g' plainTextPath='internal://g.txt'>"])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], max_examples=_budget(25))
@given(st.dictionaries(QDE_NAMES, st.lists(XML_BITS, max_size=8).map(b"".join), max_size=4))
def test_refi_archives_never_crash(tmp_path: Path, members: dict[str, bytes]) -> None:
    from fieldnotes.project.opening import open_project
    from fieldnotes.refi.loading import import_exchange_file

    target = tmp_path / "fuzz.db"
    if not target.exists():
        assert run("--db", target, "init", "--empty").code == 0
    archive = tmp_path / "fuzz.qdpx"
    archive.write_bytes(_zip(members))
    with open_project(str(target)) as project:
        try:
            import_exchange_file(project, archive, coder_name="Fuzz", dry_run=True)
        except FieldnotesError as error:
            assert "\n" not in str(error)


ARGS = st.sampled_from(["code", "excerpts", "--span", "1:0", "--match", "", "--regex", "(", "--rating", "x",
                        "--code", "Ledelse", "--phase", "0", "--from", "2025-13-40", "--db", "matrix", "--by",
                        "attr:", "search", '"', "NOT", "export", "csv", "docs", "--json", "show", "æøå", "-1",
                        "import", "/nonexistent", "--context", "sentence", "memo", "add", "undo", "log",
                        "--since", "i går", "codebook", "list", "ratings", "agreement", "--coders", "A"])


COMMANDS = st.sampled_from(["code", "excerpts", "search", "export", "docs", "show", "import", "memo", "undo", "log",
                             "codebook", "matrix", "ratings", "agreement", "words", "cooccurrence", "doc", "recode"])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], max_examples=_budget(40))
@given(COMMANDS, st.lists(ARGS, max_size=6))
def test_command_line_arguments_never_crash(tmp_path: Path, command: str, words: list[str]) -> None:
    """(Always with a command: with none, `fieldnotes` opens the app, which waits for a person.)"""
    from tests.projectdata import make_project

    project = tmp_path / "p.db"
    if not project.exists():
        make_project(tmp_path)
    args = [command, *words]
    if args[-1] == "--db":
        args = args[:-1]
    result = run("--db", project, *args)
    assert result.code in (0, 1, 2), result
    assert "Traceback" not in result.err
    if result.code == 1:
        lines = result.err.splitlines()
        if command == "import":  # a line on stderr for each file that failed (and none for the summary)
            assert lines and all(line.startswith(("! failed ", "fieldnotes: error: ")) for line in lines), result.err
        else:
            assert len(lines) <= 2, result.err


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "not-zip"])
def test_damaged_bundles_are_refused(tmp_path: Path, damage: str) -> None:
    from tests.helpers import ok
    from tests.projectdata import make_project, snapshot

    project = make_project(tmp_path)
    bundle = tmp_path / "anna.fnbundle"
    ok("--db", project, "code", "Interview med sagsbehandler", "--code", "Ledelse", "--match", "Lederen er med")
    result = run("--db", project, "bundle", bundle)
    if result.code == 2:
        pytest.fail("the bundle command is missing")
    data = bundle.read_bytes()
    if damage == "truncate":
        bundle.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        middle = len(data) // 2
        bundle.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    elif damage == "empty":
        bundle.write_bytes(b"")
    else:
        bundle.write_bytes(b"just text, not a bundle\n" * 20)
    before = snapshot(project)
    refused = run("--db", project, "merge", bundle)
    assert refused.code == 1 and "Traceback" not in refused.err and "unexpected error" not in refused.err
    assert snapshot(project) == before


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A project and the members of a real bundle of one coder's work in it."""
    from tests.helpers import ok
    from tests.projectdata import make_project

    folder = tmp_path_factory.mktemp("bundled")
    project = make_project(folder)
    ok("--db", project, "--coder", "Jonas Bech", "code", "Interview med sagsbehandler", "--code", "Ledelse",
       "--match", "Lederen er med", "--memo", "Søren og Åse")
    bundle = folder / "jonas.fnbundle"
    ok("--db", project, "--coder", "Jonas Bech", "bundle", bundle)
    with zipfile.ZipFile(bundle) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    fresh = folder / "fresh"
    fresh.mkdir()
    return make_project(fresh), members


JSON_NOISE = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.text(max_size=12),
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                                            max_size=2))


def _mutate(value: object, path: list[int], noise: object) -> object:
    """Replace one value deep inside a JSON document, following `path` as child indexes."""
    if not path:
        return noise
    if isinstance(value, dict) and value:
        key = sorted(value)[path[0] % len(value)]
        return {**value, key: _mutate(value[key], path[1:], noise)}
    if isinstance(value, list) and value:
        index = path[0] % len(value)
        return [*value[:index], _mutate(value[index], path[1:], noise), *value[index + 1 :]]
    return noise


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
          max_examples=_budget(30))
@given(st.integers(0, 2), st.lists(st.integers(0, 50), max_size=6), JSON_NOISE)
def test_bundles_with_damaged_contents_are_refused_cleanly(tmp_path: Path, bundled: tuple[Path, dict[str, bytes]],
                                                          member: int, path: list[int], noise: object) -> None:
    """A bundle that is a valid zip but whose JSON says odd things: a one-line refusal or a clean merge,
    and a refused merge changes nothing."""
    from tests.projectdata import snapshot

    project, members = bundled
    name = sorted(members)[member % len(members)]
    damaged = dict(members)
    damaged[name] = json.dumps(_mutate(json.loads(members[name]), path, noise), ensure_ascii=False).encode()
    if name != "manifest.json":
        # a bundle whose checksums match its odd contents (hand-made, or made by a buggy tool) reaches
        # the merge itself, not only the checksum check
        manifest = json.loads(members["manifest.json"])
        manifest["payload"][name] = hashlib.sha256(damaged[name]).hexdigest()
        damaged["manifest.json"] = json.dumps(manifest).encode()
    bundle = tmp_path / "skadet.fnbundle"
    bundle.write_bytes(_zip(damaged))
    before = snapshot(project)
    result = run("--db", project, "merge", bundle, "--dry-run")
    assert result.code in (0, 1), result
    assert "Traceback" not in result.err and "unexpected error" not in result.err, result.err
    if result.code == 1:
        assert result.err.count("\n") <= 2
    assert snapshot(project) == before


def test_a_very_long_line_imports_whole(tmp_path: Path) -> None:
    """Text with no line breaks at all (a paste from a PDF, a transcription tool's single paragraph)."""
    from tests.helpers import ok

    project = tmp_path / "p.db"
    ok("--db", project, "init", "--empty")
    line = "Søren fortæller om praktikken på lageret, og lederen nikker. " * 40_000
    source = tmp_path / "én-lang-linje.txt"
    source.write_text(line, encoding="utf-8")
    ok("--db", project, "import", source)
    shown = ok("--db", project, "show", "én-lang-linje", "--json").json
    assert shown["text"] == line
    assert ok("--db", project, "search", "praktikken", "--limit", "3", "--json").json


# --- the other YAML files fieldnotes reads: pseudonym key files and STEM.meta.yaml, aliases among the noise --

#: a key file is built whole (anchors, then entries that may use them) so that, were aliases followed, it would
#: read: only the rule against aliases refuses it
KEY_ANCHORS = st.sampled_from(["navn: &navn Mette", "rolle: &rolle {rolle: borger}", "a: &a [hå, hå, hå]",
                               "b: &b [*a, *a, *a]", "e: &e {x: *e}", "note: en nøgle", "<<: {x: 1}"])
KEY_ENTRIES = st.sampled_from(["  - {original: Søren, pseudonym: Bo}", "  - {original: *navn, pseudonym: Eva}",
                               "  - {original: Åse, pseudonym: Ida, attributes: *rolle}",
                               "  - {original: Ole, pseudonym: Per, attributes: {x: *b}}", "  - *a",
                               "  - {original: Kim, pseudonym: \"Ny\\e[31mBy\"}", "  - !!python/object:os.system {}",
                               "  - {original: Lis, pseudonym: Liv, category: person}", "  - {pseudonym: *navn}"])
META_PIECES = st.sampled_from(["title: Møde i Lyngå", "kind: interview", "municipality: [Lyngå, Fjordby]",
                               "date: 2025-03-10", "a: &a [hå, hå, hå]", "b: &b [*a, *a, *a]", "activity: *a",
                               "municipality: *b", "participants: [*a]", "x: &x {y: *x}", "<<: *a",
                               "title: \"Ærø\\0\"", "attributes: [x, y]", "!!python/name:os.system", "- liste",
                               "\t", ": :"])


def _aliased(pieces: list[str]) -> bool:
    """Whether any piece uses an alias (*name after a space, a bracket, a brace or a comma)."""
    return any(re.search(r"[\s\[{,]\*[a-z]", " " + piece) for piece in pieces)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], max_examples=_budget(40))
@given(st.lists(KEY_ANCHORS, max_size=4), st.lists(KEY_ENTRIES, min_size=1, max_size=5), st.text(max_size=20))
def test_pseudonym_key_files_with_aliases_are_refused_never_followed(tmp_path: Path, anchors: list[str],
                                                                     entries: list[str], noise: str) -> None:
    from fieldnotes.errors import InvalidInput
    from fieldnotes.privacy import keyfile

    path = tmp_path / "nøgle.yaml"
    path.write_text(f"format: {keyfile.FORMAT}\nversion: 1\n" + "\n".join(anchors) + "\nentries:\n"
                    + "\n".join(entries) + "\n# " + noise, encoding="utf-8")
    try:
        keyfile.read(path)
    except FieldnotesError as error:
        assert str(error).startswith("nøgle.yaml") and "\n" not in str(error), str(error)
        assert isinstance(error, InvalidInput), str(error)
    else:
        assert not _aliased(anchors + entries), (anchors, entries)  # an alias is never followed: refused


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], max_examples=_budget(40))
@given(st.lists(META_PIECES, min_size=1, max_size=8), st.text(st.characters(blacklist_categories=["Cs"]), max_size=20))
def test_meta_yaml_files_with_aliases_are_refused_never_followed(tmp_path: Path, pieces: list[str],
                                                                 noise: str) -> None:
    from fieldnotes.errors import InvalidInput
    from fieldnotes.importing.batch import Options, prepare

    note = tmp_path / "note.txt"
    note.write_text("Søren fortæller om praktikken på lageret.\n", encoding="utf-8")
    (tmp_path / "note.meta.yaml").write_text("\n".join(pieces) + noise, encoding="utf-8")
    try:
        prepare(note, note.name, Options(), {})
    except FieldnotesError as error:
        assert str(error).startswith(("note.meta.yaml", "note.txt")) and "\n" not in str(error), str(error)
        assert isinstance(error, InvalidInput), str(error)
        assert "fault in fieldnotes" not in str(error)
    else:
        assert not _aliased(pieces), pieces
