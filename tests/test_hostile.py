"""Hostile and careless input (issue 22): each refused in one line, quickly, with nothing written.

YAML alias bombs in every YAML fieldnotes reads, Word files declaring entities, bundles that unpack to
gigabytes, names and metadata with control characters, escape sequences, text-direction overrides, NUL,
`;` or too many characters (on SQLite and PostgreSQL alike), front matter with a list for `attributes:`,
and a server project without its driver.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fieldnotes.errors import InvalidInput
from tests import hostiledata as hostile
from tests import importdata as data
from tests.helpers import ok, run
from tests.projectdata import INTERVIEW, make_project, snapshot

ROOT = Path(__file__).resolve().parent.parent


def one_line_refusal(result: object, *phrases: str) -> str:
    """The refusal's one line on stderr (exit 1), holding every phrase."""
    code, err = result.code, result.err
    assert code == 1, (code, err, result.out)
    assert err.count("\n") == 1 and err.startswith("fieldnotes: error: "), err
    for phrase in phrases:
        assert phrase in err, (phrase, err)
    return str(err)


# --- YAML alias bombs ------------------------------------------------------------------------------


def test_front_matter_with_an_alias_bomb_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    note = tmp_path / "bombe.md"
    note.write_text(hostile.front_matter_bomb(), encoding="utf-8")
    db = data.new_project(tmp_path)
    before = data.state(db)
    report = data.import_report(db, note, code=1)
    reason = report["files"][0]["reason"]
    assert reason == ("bombe.md, line 4: refused: the front matter is not read, as it uses a YAML alias (*lol0), "
                      "and aliases can expand without end; write the value out in full instead of *lol0")
    assert data.state(db) == before


def test_a_meta_yaml_with_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("Søren fortæller om lageret.\n", encoding="utf-8")
    (tmp_path / "note.meta.yaml").write_text("kind: observation\n" + hostile.alias_bomb(), encoding="utf-8")
    db = data.new_project(tmp_path)
    before = data.state(db)
    reason = data.import_report(db, tmp_path / "note.txt", code=1)["files"][0]["reason"]
    assert reason.startswith("note.meta.yaml, line 3: refused: the metadata file is not read, as it uses a YAML "
                             "alias (*lol0)"), reason
    assert data.state(db) == before


def test_a_pseudonym_key_file_with_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    key = tmp_path / "nøgle.yaml"
    key.write_text(hostile.key_file_bomb(), encoding="utf-8")
    before = snapshot(project)
    one_line_refusal(run("--db", project, "pseudonyms", "import", key),
                     "nøgle.yaml, line 4: refused: the key file is not read, as it uses a YAML alias (*lol0)")
    assert snapshot(project) == before


def test_a_codebook_with_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    book = tmp_path / "kodebog.yaml"
    book.write_text(hostile.codebook_bomb(), encoding="utf-8")
    target = tmp_path / "ny.db"
    one_line_refusal(run("--db", target, "init", "--codebook", book), "kodebog.yaml, line 5: it uses more than 20 "
                     "YAML aliases (*lol2), and aliases can expand without end; write the value out in full instead "
                     "of *lol2")
    assert not target.exists()
    # within the few aliases a codebook may use, what they expand to is bounded too
    small = tmp_path / "lille-bombe.yaml"
    small.write_text("format: fieldnotes-codebook/1\nhå: &a [" + ", ".join(["hå"] * 100) + "]\n"
                     + "b: &b [" + ", ".join(["*a"] * 6) + "]\nc: &c [" + ", ".join(["*b"] * 6) + "]\n"
                     + "codes:\n  - name: Ledelse\n    example: [" + ", ".join(["*c"] * 6) + "]\n",
                     encoding="utf-8")
    project = make_project(tmp_path)
    before = snapshot(project)
    one_line_refusal(run("--db", project, "codebook", "import", small), "lille-bombe.yaml, line 1: its YAML aliases "
                     "expand to ", " more values, above the limit of 10,000 (an 'alias bomb'); write the values out "
                     "in full instead of using aliases")
    one_line_refusal(run("--db", project, "codebook", "import", book), "more than 20 YAML aliases")
    assert snapshot(project) == before


def test_a_codebook_may_use_a_few_aliases(tmp_path: Path) -> None:
    book = tmp_path / "kodebog.yaml"
    book.write_text("format: fieldnotes-codebook/1\ncodes:\n"
                    "  - name: Tro på jobchancen\n    scale: &skala {min: 1, max: 5}\n"
                    "  - name: Tro på egen indsats\n    scale: *skala\n", encoding="utf-8")
    target = tmp_path / "p.db"
    ok("--db", target, "init", "--codebook", book)
    scales = [code["scale"] for code in ok("--db", target, "codebook", "list", "--json").json]
    assert scales == [[1, 5], [1, 5]]


@pytest.mark.parametrize("text, phrase", [
    ("a: &a [*a]\n", "refers to a value that holds the alias, so it never ends"),
    ("a: " + "[" * 150 + "]" * 150 + "\n", "nested more than 100 levels deep"),
    ("a: &x 1\nb: *x\n", "it uses a YAML alias (*x)"),
])
def test_the_safe_loader_refuses_endless_deep_and_aliased_yaml(text: str, phrase: str) -> None:
    from fieldnotes import safeyaml

    class AFewAliases(safeyaml.Loader):
        max_aliases = 5

    loader = safeyaml.Loader if "*x" in text else AFewAliases
    with pytest.raises(InvalidInput) as refused:
        safeyaml.load(text, "x.yaml", what="the file", hint="fix it", loader=loader)
    assert phrase in str(refused.value) and "\n" not in str(refused.value)


def test_an_alias_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """In a process that may use at most 1 GB of address space, the import refuses the bomb in one line (before
    this rule it grew past 1.5 GB, or ended in MemoryError); a guard of 300 s keeps a regression from hanging."""
    note = tmp_path / "bombe.md"
    note.write_text(hostile.front_matter_bomb(), encoding="utf-8")
    db = data.new_project(tmp_path)
    limit = 1024 ** 3
    code = ("import resource, sys\n"
            f"resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))\n"
            "from fieldnotes.cli.main import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    done = subprocess.run([sys.executable, "-c", code, "--db", str(db), "import", str(note)], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        "! failed   bombe.md  bombe.md, line 4: refused: the front matter is not read, as it uses a YAML alias "
        "(*lol0), and aliases can expand without end; write the value out in full instead of *lol0"]
    assert done.stdout.splitlines() == ["0 imported, 0 skipped, 1 failed"]


def test_every_yaml_the_program_reads_goes_through_the_safe_loader() -> None:
    """No module calls yaml.safe_load, yaml.full_load or yaml.load with a loader that is not safeyaml's."""
    import importlib

    from fieldnotes import safeyaml

    package = ROOT / "fieldnotes"
    loads = 0
    for path in sorted(package.rglob("*.py")):
        if path.name == "safeyaml.py":  # the loader itself
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "yaml"):
                continue
            name = node.func.attr
            assert name not in ("safe_load", "full_load", "unsafe_load", "load_all", "safe_load_all", "compose"), (
                f"{module} reads YAML with yaml.{name}; use fieldnotes.safeyaml")
            if name == "load":
                loads += 1
                loader = next((kw.value for kw in node.keywords if kw.arg == "Loader"), None)
                assert isinstance(loader, ast.Name), f"{module}: yaml.load without a named Loader"
                found = getattr(importlib.import_module(module), loader.id, None)
                assert isinstance(found, type) and issubclass(found, safeyaml.Loader), (
                    f"{module} reads YAML with {loader.id}, which is not a fieldnotes.safeyaml.Loader")
    assert loads >= 1  # the codebook's line-keeping loader


# --- Word files declaring entities -----------------------------------------------------------------


def test_a_docx_declaring_entities_is_refused_not_read_with_text_missing(tmp_path: Path) -> None:
    path = hostile.docx_with_entities(tmp_path)
    db = data.new_project(tmp_path)
    before = data.state(db)
    report = data.import_report(db, path, code=1)
    assert report["files"][0]["reason"] == (
        "entiteter.docx: refused: the Word file declares XML entities (in word/document.xml), which it never needs; "
        "open it in Word or LibreOffice and save it again")
    assert data.state(db) == before


def test_a_docx_without_declarations_still_reads_whole(tmp_path: Path) -> None:
    sample = data.docx_file(tmp_path)
    from fieldnotes.importing import readers

    assert readers.read(sample.path).text == sample.text


# --- zip bombs: bundles and every other archive ---------------------------------------------------


@pytest.fixture(scope="module")
def bundle_manifest(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A project and the manifest of a real bundle made from it."""
    folder = tmp_path_factory.mktemp("bundle")
    project = make_project(folder)
    bundle = folder / "anna.fnbundle"
    ok("--db", project, "bundle", bundle)
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    return project, manifest


def test_a_bundle_that_unpacks_to_gigabytes_is_refused_before_it_is_read(
        tmp_path: Path, bundle_manifest: tuple[Path, dict[str, object]]) -> None:
    project, manifest = bundle_manifest
    bomb = tmp_path / "bombe.fnbundle"
    bomb.write_bytes(hostile.bundle_bomb(manifest, size=100_000_000))
    assert bomb.stat().st_size < 300_000
    before = snapshot(project)
    one_line_refusal(run("--db", project, "merge", bomb), "bombe.fnbundle: refused: rows.json unpacks to",
                     "times its packed size (a zip bomb); merge only bundles made with `fieldnotes bundle`; "
                     "nothing was merged")
    assert snapshot(project) == before


def test_a_bundle_whose_manifest_is_huge_is_refused_before_the_rest_is_read(
        tmp_path: Path, bundle_manifest: tuple[Path, dict[str, object]]) -> None:
    project, manifest = bundle_manifest
    padded = json.dumps({**manifest, "padding": os.urandom(1_000_000).hex()}).encode()  # packs 2:1, no bomb
    bundle = tmp_path / "stor.fnbundle"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", padded)
        archive.writestr("rows.json", b"{}")
        archive.writestr("events.json", b"{}")
    one_line_refusal(run("--db", project, "merge", bundle),
                     "stor.fnbundle: refused: manifest.json unpacks to 1.9 MB, more than the 1.0 MB it may hold")


def test_a_lying_zip_directory_cannot_make_a_member_larger_than_it_says(tmp_path: Path) -> None:
    from fieldnotes import archives

    raw = hostile.lying_zip("sources/stor.txt", "ø".encode() * 50_000, claimed=100)
    with archives.Checked(raw, "løgn.qdpx", what="REFI-QDA file") as archive:
        with pytest.raises(InvalidInput, match=r"løgn.qdpx: the REFI-QDA file is damaged \(sources/stor.txt "
                                               r"cannot be unpacked\)"):
            archive.read("sources/stor.txt")


@pytest.mark.parametrize("suffix, what", [(".docx", "Word file"), (".odt", "OpenDocument file"),
                                          (".qdpx", "REFI-QDA file")])
def test_every_archive_refuses_a_zip_bomb_the_same_way(tmp_path: Path, suffix: str, what: str) -> None:
    path = tmp_path / f"bombe{suffix}"
    path.write_bytes(hostile.zip_with_bomb({"project.qde": b"<Project/>"} if suffix == ".qdpx" else {},
                                           "content.xml", 50_000_000))
    db = data.new_project(tmp_path)
    before = data.state(db)
    result = run("--db", db, "import", path)
    assert result.code == 1
    assert f"bombe{suffix}: refused: content.xml unpacks to" in result.err, result.err
    assert "times its packed size (a zip bomb)" in result.err and result.err.count("\n") == 1
    assert data.state(db) == before


# --- names and metadata ----------------------------------------------------------------------------


def test_an_overlong_code_name_is_refused_on_sqlite(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    before = snapshot(project)
    one_line_refusal(run("--db", project, "codebook", "add", "Æ" * 301),
                     "the code name is 301 characters long; it may have at most 300; shorten it: 'ÆÆÆ")
    assert snapshot(project) == before
    ok("--db", project, "codebook", "add", "Æ" * 300)


@pytest.mark.postgres
def test_an_overlong_code_name_is_refused_on_postgresql_and_the_project_merges_to_a_server(
        tmp_path: Path, pg_url: str) -> None:
    laptop = make_project(tmp_path)
    one_line_refusal(run("--db", laptop, "codebook", "add", "Ø" * 400), "may have at most 300")
    ok("--db", laptop, "codebook", "add", "Ø" * 300)
    ok("--db", pg_url, "init", "--empty", "--coder", "Anna Krogh")
    merged = ok("--db", pg_url, "merge", laptop, "--json").json
    assert merged["added"]["codes"] >= 1
    assert "Ø" * 300 in {code["name"] for code in ok("--db", pg_url, "codebook", "list", "--json").json}
    before = ok("--db", pg_url, "codebook", "list", "--json").json
    one_line_refusal(run("--db", pg_url, "codebook", "add", "Æ" * 301),
                     "the code name is 301 characters long; it may have at most 300")  # was a DataError
    assert ok("--db", pg_url, "codebook", "list", "--json").json == before


@pytest.mark.postgres
def test_an_old_project_holding_an_overlong_name_is_refused_by_a_server_in_one_line(
        tmp_path: Path, pg_url: str) -> None:
    """A SQLite project made before the limits (or by another program) can hold a longer name than PostgreSQL
    takes: merging it to a server fails in one line that says so, and the server is left as it was."""
    import sqlite3
    from contextlib import closing

    laptop = make_project(tmp_path)
    with closing(sqlite3.connect(laptop)) as conn, conn:
        conn.execute("UPDATE codes SET name = ? WHERE name = 'Ledelse'", ("Ø" * 400,))
    ok("--db", pg_url, "init", "--empty", "--coder", "Anna Krogh")
    before = (ok("--db", pg_url, "codebook", "list", "--json").json, ok("--db", pg_url, "docs", "--json").json)
    one_line_refusal(run("--db", pg_url, "merge", laptop),
                     "a name is longer than the database holds", "nothing was changed")
    assert (ok("--db", pg_url, "codebook", "list", "--json").json, ok("--db", pg_url, "docs", "--json").json) == before


@pytest.mark.parametrize("kind", sorted(hostile.HOSTILE_NAMES))
def test_control_characters_in_code_names_and_municipalities_are_refused_with_the_rule(
        tmp_path: Path, kind: str) -> None:
    bad = hostile.HOSTILE_NAMES[kind]
    project = make_project(tmp_path)
    material = tmp_path / "ny"
    material.mkdir()
    (material / "note.txt").write_text("Søren fortæller om lageret.\n", encoding="utf-8")
    before = snapshot(project)
    rule = "names and metadata may not hold control characters, terminal escape sequences or text-direction controls"
    for args in (["codebook", "add", bad], ["import", material, "--municipality", bad],
                 ["doc", "set", "Teammøde i Fjordby", "municipality", bad],
                 ["doc", "rename", "Teammøde i Fjordby", bad], ["--coder", bad, "memo", "add", "Teammøde i Fjordby",
                                                                  "et notat"],
                 ["import", material, "--attr", f"{bad}=1"], ["import", material, "--attr", f"team={bad}"]):
        err = one_line_refusal(run("--db", project, *args), rule)
        assert hostile.ESCAPE not in err and "\u202e" not in err and "\x00" not in err and "\x07" not in err
    assert snapshot(project) == before


def test_nul_and_escapes_in_front_matter_are_refused_at_import(tmp_path: Path) -> None:
    note = tmp_path / "nul.md"
    note.write_text('---\ntitle: "Møde\\0i Lyngå"\nteam: "Nord\\e[31m"\n---\nTekst om Søren.\n', encoding="utf-8")
    db = data.new_project(tmp_path)
    before = data.state(db)
    reason = data.import_report(db, note, code=1)["files"][0]["reason"]
    assert reason.startswith("nul.md: the title 'Møde\\x00i Lyngå' holds a NUL character (U+0000); names and "
                             "metadata may not hold control characters"), reason
    assert data.state(db) == before


@pytest.mark.parametrize("where", ["flag", "front matter list", "manifest of one"])
def test_a_semicolon_in_a_case_name_is_refused_everywhere(tmp_path: Path, where: str) -> None:
    material = tmp_path / "m"
    material.mkdir()
    note = material / ("note.md" if where == "front matter list" else "note.txt")
    header = '---\nmunicipality: ["Ny;By"]\n---\n' if where == "front matter list" else ""
    note.write_text(header + "Søren fortæller om lageret.\n", encoding="utf-8")
    db = data.new_project(tmp_path)
    before = data.state(db)
    if where == "flag":
        one_line_refusal(run("--db", db, "import", material, "--municipality", "Ny;By"),
                         "the municipality name 'Ny;By' holds ';', which separates several municipalities; name "
                         "each of the municipalities on its own, without ';'")
    elif where == "front matter list":
        reason = data.import_report(db, material, code=1)["files"][0]["reason"]
        assert reason.startswith("note.md: the municipality name 'Ny;By' holds ';'"), reason
    else:  # in a manifest, ';' separates municipalities, as `doc set` does: two cases, never one named "Ny;By"
        manifest = tmp_path / "manifest.csv"
        manifest.write_text('file,municipality\nnote.txt,"Ny;By"\n', encoding="utf-8")
        report = data.import_report(db, material, "--manifest", manifest)
        assert report["created_cases"] == ["municipality Ny", "municipality By"]
        return
    assert data.state(db) == before


def test_doc_set_splits_municipalities_on_semicolons_and_never_makes_one_named_with_it(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    ok("--db", project, "doc", "set", "Teammøde i Fjordby", "municipality", "Ny;By")
    row = next(r for r in ok("--db", project, "docs", "--json").json if r["title"] == "Teammøde i Fjordby")
    assert sorted(row["municipalities"]) == ["By", "Ny"]


def test_a_list_for_attributes_in_front_matter_says_what_a_valid_one_looks_like(tmp_path: Path) -> None:
    note = tmp_path / "liste.md"
    note.write_text("---\ntitle: Teammøde\nattributes: [team, halvår]\n---\nTekst om Søren.\n", encoding="utf-8")
    db = data.new_project(tmp_path)
    before = data.state(db)
    reason = data.import_report(db, note, code=1)["files"][0]["reason"]
    assert reason == ("liste.md (front matter): 'attributes' must name each attribute and give its value; write it "
                      "as 'attributes: {team: Nord, halvår: 2}', or one 'name: value' per line indented under "
                      "'attributes:'")
    assert data.state(db) == before


# --- a server project without its driver ----------------------------------------------------------


def test_a_server_project_without_psycopg_says_how_to_install_it(tmp_path: Path) -> None:
    """psycopg is hidden from a real interpreter by an import hook in sitecustomize: its import fails there as
    it does where the server extra was never installed."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'psycopg' or name.startswith('psycopg.') or name.startswith('psycopg_'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Hide())\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), str(ROOT)])}
    probe = subprocess.run([sys.executable, "-c", "import psycopg"], capture_output=True, text=True, env=env)
    assert probe.returncode == 1 and "ModuleNotFoundError" in probe.stderr  # really hidden
    done = subprocess.run([sys.executable, "-m", "fieldnotes", "--db", "postgresql+psycopg://anna@127.0.0.1:1/felt",
                           "docs"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 1
    assert done.stderr == ("fieldnotes: error: the PostgreSQL driver psycopg is not installed; install the server "
                           "extra: pip install 'fieldnotes[postgres]', and write the address as "
                           "postgresql+psycopg://…\n")


# --- never a raw control character on a terminal ----------------------------------------------------


def _poison(project: Path) -> None:
    """Names stored before the rules (or by another program): an escape sequence, a bell, a bidi override."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(project)) as conn, conn:
        conn.execute("UPDATE codes SET name = ? WHERE name = 'Ledelse'", ("Ledelse\x1b[31mRØD\x1b]0;hacked\x07",))
        conn.execute("UPDATE documents SET title = ? WHERE title = 'Teammøde i Fjordby'",
                     ("Teammøde \u202eybdroj\u202c\x1b[2J",))


def _in_a_terminal(*args: object) -> tuple[int, bytes]:
    """Run fieldnotes with stdout and stderr on a pseudo-terminal; what it wrote there, byte for byte."""
    import pty

    leader, follower = pty.openpty()
    try:
        runner = subprocess.Popen([sys.executable, "-m", "fieldnotes", *map(str, args)], stdout=follower,
                                  stderr=follower, stdin=subprocess.DEVNULL, cwd=ROOT,
                                  env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"})
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the program ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        return runner.wait(timeout=120), b"".join(chunks)
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)


def test_the_command_line_never_writes_a_raw_control_character_to_a_terminal(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _poison(project)
    for args in (["codebook", "list"], ["docs"], ["show", "Interview med sagsbehandler"],
                 ["codebook", "rename", "Sparringskultur", "Ledelse\x1b[31mRØD\x1b]0;hacked\x07"]):
        code, written = _in_a_terminal("--db", project, *args)
        text = written.decode("utf-8")
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, (args, text)
        assert code in (0, 1), (args, text)
    code, written = _in_a_terminal("--db", project, "codebook", "list")
    assert "Ledelse\\x1b[31mRØD\\x1b]0;hacked\\x07" in written.decode("utf-8")
    code, written = _in_a_terminal("--db", project, "docs")
    assert "Teammøde \\u202eybdroj\\u202c\\x1b[2J" in written.decode("utf-8")


def test_output_to_a_file_keeps_the_text_as_it_is(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _poison(project)
    listed = ok("--db", project, "codebook", "list", "--json").json
    assert "Ledelse\x1b[31mRØD\x1b]0;hacked\x07" in {code["name"] for code in listed}


def test_a_short_interview_reads_as_before(tmp_path: Path) -> None:
    """The turn finder's bounds (a label fits its column) leave real transcripts as they were."""
    from fieldnotes.documents.turns import find_turns

    turns = find_turns(INTERVIEW)
    assert [t.speaker for t in turns] == ["I", "R", "I", "R", "I", "R"]
    long_label = "Å" * 250
    assert find_turns(f"{long_label}: hej\n{long_label}: igen\n") == []


@pytest.mark.postgres
def test_a_nul_in_any_value_is_refused_alike_on_both_backends(tmp_path: Path, pg_url: str) -> None:
    """PostgreSQL cannot even compare text holding NUL; neither backend is sent one (a real command line
    cannot pass NUL, but files, pastes and scripts calling fieldnotes can)."""
    laptop = make_project(tmp_path)
    ok("--db", pg_url, "init", "--empty", "--coder", "Anna Krogh")
    ok("--db", pg_url, "merge", laptop)
    outcomes = []
    for target in (laptop, pg_url):
        before = snapshot(laptop) if target == laptop else None
        for args in (["show", "Interview med\x00 sagsbehandler"], ["doc", "set", "Teammøde i Fjordby", "attr:a\x00b",
                                                                     "x"], ["excerpts", "--municipality", "Ly\x00ngå"]):
            result = run("--db", target, *args)
            assert result.code == 1 and result.err.count("\n") == 1, (args, result.err)
            outcomes.append((args[0], result.err))
        if before is not None:
            assert snapshot(laptop) == before
    assert outcomes[:3] == outcomes[3:]


@pytest.mark.parametrize("bad, phrase", [("Æ" * 400, "it may have at most 300"),
                                         ("Ledelse \u202eevol\u202c", "names and metadata may not hold")])
def test_a_refi_qda_project_with_a_name_the_database_cannot_hold_is_refused(tmp_path: Path, bad: str,
                                                                            phrase: str) -> None:
    from xml.sax.saxutils import quoteattr

    project = make_project(tmp_path)
    exported = tmp_path / "projekt.qdpx"
    ok("--db", project, "export", "qdpx", exported)
    changed = tmp_path / "ændret.qdpx"
    escaped = quoteattr(bad).encode()  # (XML holds no C0 control characters, but it does hold bidi overrides)
    with zipfile.ZipFile(exported) as source, zipfile.ZipFile(changed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "project.qde":
                data = data.replace(b'name="Ledelse"', b"name=" + escaped, 1)
                assert escaped in data
            target.writestr(info, data)
    fresh = tmp_path / "tom.db"
    ok("--db", fresh, "init", "--empty")
    before = snapshot(fresh)
    result = run("--db", fresh, "import", changed)
    assert result.code == 1 and result.err.count("\n") == 1 and phrase in result.err, result.err
    assert snapshot(fresh) == before


# --- tests that can fail ------------------------------------------------------------------------------


def test_the_in_process_helper_fails_a_test_whose_command_hit_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """cli/main.py turns every exception into one line, so in this process a bug never shows as a traceback:
    tests.helpers.run fails the test on the "unexpected error" line instead, unless the test expects one."""
    from fieldnotes.cli import project_cmds

    def broken(ctx: object) -> int:
        raise RuntimeError("en fejl i fieldnotes")

    monkeypatch.setattr(project_cmds, "locate", broken)
    with pytest.raises(AssertionError, match="fieldnotes locate hit a bug: fieldnotes: unexpected error"):
        run("locate")
    expected = run("locate", unexpected=True)
    assert expected.code == 1 and "unexpected error (RuntimeError)" in expected.err
    assert "en fejl i fieldnotes" not in expected.err  # the message stays in the log, not on the screen


# --- in Danish: the refusals of #22 hold no English ------------------------------------------------------


def test_a_refused_name_says_the_rule_in_danish(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    before = snapshot(project)
    escape = run("--db", project, "--lang", "da", "codebook", "add", "Ny\x1b[31mBy")
    assert (escape.code, escape.err) == (1, (
        "fieldnotes: fejl: kodens navn 'Ny\\x1b[31mBy' indeholder et escape-tegn (U+001B, som indleder terminalens "
        "escape-sekvenser); navne og metadata må ikke indeholde kontroltegn, terminalens escape-sekvenser eller "
        "tegn, der styrer tekstens retning; fjern tegnet\n"))
    long = run("--db", project, "--lang", "da", "codebook", "add", "Æ" * 5111)
    assert long.code == 1 and long.err.startswith(
        "fieldnotes: fejl: kodens navn har 5.111 tegn, men der er højst plads til 300; forkort: 'ÆÆÆ"), long.err
    several = run("--db", project, "--lang", "da", "doc", "set", "Teammøde i Fjordby", "attr:team", "Nord\u202e")
    assert several.code == 1 and "værdien af attributten 'team' 'Nord\\u202e' indeholder et tegn, der styrer " \
                                 "tekstens retning (U+202E)" in several.err, several.err
    assert snapshot(project) == before


def test_a_damaged_bundle_says_why_in_danish(tmp_path: Path,
                                             bundle_manifest: tuple[Path, dict[str, object]]) -> None:
    project, manifest = bundle_manifest
    bundle = tmp_path / "halv.fnbundle"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("events.json", b"{}")
    result = run("--db", project, "--lang", "da", "merge", bundle)
    assert (result.code, result.err) == (1, "fieldnotes: fejl: halv.fnbundle er beskadiget eller ufuldstændig "
                                            "(rows.json mangler); intet blev flettet; lav pakken igen, og kopiér den "
                                            "i sin helhed\n"), result.err
