"""Danish all the way, and English all the way: the catalog reaches every visible string, numbers and dates
follow the language, the language is chosen by its precedence, and machine formats stay English and ISO."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from pathlib import Path

import pytest

from fieldnotes import translations
from fieldnotes.translations import _, format_date, format_decimal, format_number, format_percent, said, use
from tests.helpers import ok, run

ROOT = Path(__file__).resolve().parent.parent / "fieldnotes"

# --- the catalog function everywhere ------------------------------------------------------------------
WRAPPERS = {"_", "N_", "NP_", "pgettext", "ngettext", "said", "said_n"}
#: literals that are not language: a format of numbers, marks and names that read the same in both languages
ALLOWED = {"fieldnotes", "Dansk", "English", "Sprog / Language", "REFI-QDA", "G2",
           "usage: python -m fieldnotes.db.migrate revision MESSAGE"}  # a developer's tool, not the interface


def _error_classes() -> set[str]:
    names, grew = {"FieldnotesError"}, True
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in ROOT.rglob("*.py")]
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        (b.id if isinstance(b, ast.Name) else getattr(b, "attr", None)) in names for b in node.bases):
                    names.add(node.name)
                    grew = True
    return names


def _words(node: ast.expr) -> str:
    """The literal text of a string or f-string (empty for anything else)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp):  # "a" + "b"
        return _words(node.left) + " " + _words(node.right)
    if isinstance(node, ast.IfExp):
        return _words(node.body) + " " + _words(node.orelse)
    return ""


def _linguistic(node: ast.expr) -> bool:
    text = re.sub(r"\[/?[a-z][a-z ]*\]", "", _words(node)).strip()  # Rich markup ([dim], [/b]) is no language
    return bool(re.search(r"[A-Za-zÆØÅæøå]{2,}", text)) and text not in ALLOWED


def _shown(node: ast.Call, errors: set[str]) -> list[ast.expr]:
    """The arguments of a call that a person reads: output, notices, key labels, errors, table headings."""
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    keywords = {k.arg: k.value for k in node.keywords}
    if name == "emit" and len(node.args) >= 2:
        second = node.args[1]
        return list(second.elts) if isinstance(second, ast.List) else [second]
    if name in ("note", "confirm", "notify", "say") and node.args:
        return [node.args[0]]
    if name == "print" and node.args:
        return [node.args[0]]
    if name == "write" and isinstance(func, ast.Attribute) and "std" in ast.unparse(func.value) and node.args:
        return [node.args[0]]
    if name == "Binding":
        return node.args[2:3] + [v for k, v in keywords.items() if k in ("description", "tooltip")]
    if name in errors:
        return node.args[:2] + [v for k, v in keywords.items() if k in ("hint", "message")]
    if name in ("add_command", "_add"):  # a command's help and description (after group, common, name, handler)
        return node.args[4:6]
    if name in ("add_group", "_group"):
        return node.args[3:4]
    if name == "_refuse" and node.args:  # an archive's refusal: the error's message
        return node.args[:1]
    if name in ("add_column", "add_columns"):
        return list(node.args)
    if name == "SystemCommand":
        return node.args[1:2]
    # an error's hint wherever it is passed on; a change's summary, which `log` shows later (said(), not text)
    if name == "append" and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id.endswith("lines") and node.args:  # the lines a command prints
        return [node.args[0]]
    return [v for k, v in keywords.items() if k in ("hint", "refusal_hint", "summary", "help")]


def _hints(node: ast.AST) -> list[ast.expr]:
    """A hint or a change's summary kept in a variable first (`hint = "see ..."; raise NotFound(..., hint=hint)`)."""
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in ("hint", "summary")
                                            for t in node.targets):
        return [node.value]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AugAssign) else []
    value = getattr(node, "value", None)
    if any(isinstance(t, ast.Name) and t.id.endswith("lines") for t in targets) and isinstance(value, ast.List):
        return list(value.elts)  # lines = [...], lines += [...]: what a command prints
    return []


def test_every_visible_string_goes_through_the_catalog() -> None:
    """A literal passed to output, a notice, a key label, an error or a table heading must be wrapped in the
    catalog function (`_`, `N_`, `ngettext`, `pgettext`, or `said` for what is shown later)."""
    errors = _error_classes()
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            for argument in _shown(node, errors) if isinstance(node, ast.Call) else _hints(node):
                if _linguistic(argument):
                    found.append(f"{path.relative_to(ROOT.parent)}:{argument.lineno}: {_words(argument)[:60]!r}")
    assert found == [], "not through the catalog:\n" + "\n".join(found)


def test_the_check_finds_what_it_is_for(tmp_path: Path) -> None:
    """The AST check above really catches each kind of call (so an empty result means something)."""
    errors = _error_classes()
    source = (
        "ctx.emit(data, f'wrote {n} codes')\nctx.note('nothing to do')\nself.notify('Saved')\n"
        "Binding('q', 'quit', 'Quit')\nraise InvalidInput('bad span', hint='give START:END')\n"
        "table.add_columns('Code', 'Coder')\nprint('hello there')\n"
        "hint = 'see `fieldnotes docs`' if x else _('fine')\nsuper().__init__(message, hint='give a word')\n"
        "record_action(session, action='x', summary='the demo as built')\nsummary = f'coded {n} hits'\n"
        "lines.append('no older backup')\nlines += [f'  not taken: {r}']\np.add_argument('--x', help='the file')\n"
        "ctx.note(_('fine'))\nraise NotFound(_('no {x}').format(x=1))\nBinding('q', 'quit', N_('Quit'))\n"
        "Checked(data, name, refusal_hint='import only files you trust; ' + RESAVE)\n"
        "Checked(data, name, refusal_hint=_('import only files you trust') + '; ' + _(RESAVE))\n"
    )
    flagged = [a for node in ast.walk(ast.parse(source))
               for a in (_shown(node, errors) if isinstance(node, ast.Call) else _hints(node)) if _linguistic(a)]
    assert len(flagged) == 17


def test_the_danish_catalog_is_complete_without_fuzzy_entries() -> None:
    from tests.catalogs import extracted, load, problems

    catalog = load()
    assert not [m.id for m in catalog if m.id and m.fuzzy]
    assert problems() == []
    assert len(extracted()) > 1000  # the library's and the command line's strings are in it, not only the app's


# --- numbers and dates ----------------------------------------------------------------------------------
def test_numbers_and_dates_in_each_language() -> None:
    use("da")
    assert (format_number(5111), format_number(2.9), format_decimal(2.9, 2)) == ("5.111", "2,9", "2,90")
    assert format_date("2025-03-18") == "18. marts 2025"
    assert format_percent(0.25) == "25\u00a0%"
    assert _("{n} codings").format(n=5111) == "5.111 kodninger"  # a message's numbers follow the language too
    use("en")
    assert (format_number(5111), format_number(2.9), format_decimal(2.9, 2)) == ("5,111", "2.9", "2.90")
    assert format_date("2025-03-18") == "18 March 2025"
    assert format_percent(0.25) == "25%"


def test_a_said_message_is_rendered_in_the_readers_language() -> None:
    message = said("undid: {change}", change=said("coded {code} in {title!r}", code="Sparring", title="Møde"))
    stored = translations.from_json(json.loads(json.dumps(message.as_json())))
    assert stored is not None
    assert str(stored) == "undid: coded Sparring in 'Møde'"
    use("da")
    assert stored.render() == "fortrød: kodede Sparring i 'Møde'"


# --- choosing the language --------------------------------------------------------------------------------
def test_language_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--lang, then FIELDNOTES_LANG, then the person's setting, then the project's, then the system locale."""
    from tests.projectdata import make_project

    project = make_project(tmp_path)
    monkeypatch.delenv("FIELDNOTES_LANG")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "da_DK.UTF-8")

    def heading() -> str:
        return run("--db", project, "matrix", "--by", "phase").out.splitlines()[0]

    assert heading().startswith("Kodninger efter fase")  # the system locale
    ok("--db", project, "project", "set", "language", "en")
    assert heading().startswith("Codings by phase")  # the project's language beats the locale
    assert "your own setting" not in ok("config", "set", "language", "da").out
    assert heading().startswith("Kodninger efter fase")  # the person's own setting beats the project's
    monkeypatch.setenv("FIELDNOTES_LANG", "en")
    assert heading().startswith("Codings by phase")  # the environment beats the person's setting
    assert run("--db", project, "--lang", "da", "matrix", "--by", "phase").out.startswith("Kodninger efter fase")
    shown = ok("--json", "config", "show").json
    assert shown["language"] == "da" and Path(shown["file"]).exists()
    assert shown["file"] == ok("--json", "locate").json["settings_file"]
    refused = run("config", "set", "language", "sv")
    assert refused.code == 1 and "'sv' is not a value of language" in refused.err


# --- the command line in Danish -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from fieldnotes.project.demo import build

    target = tmp_path_factory.mktemp("sprog") / "demo.db"
    build(target)
    return target


def da(demo: Path, *args: str) -> str:
    result = run("--db", demo, "--lang", "da", *args)
    assert result.code == 0, result.err
    return result.out


ENGLISH_OUTPUT = re.compile(r"\b(phase|municipality|hits?|documents?|words|different|wrote|coded|memo added|"
                            r"mean|distribution|searched|none|total|usage|options)\b")


def test_matrix_by_phase_in_danish(demo: Path) -> None:
    out = da(demo, "matrix", "--by", "phase")
    assert out.splitlines()[0] == "Kodninger efter fase (rækkerne omfatter deres underkoder)"
    assert "I alt" in out and not ENGLISH_OUTPUT.search(out)
    english = run("--db", demo, "--lang", "en", "matrix", "--by", "phase").out
    assert english.splitlines()[0] == "Codings by phase (rows include their sub-codes)"


def test_log_is_rendered_from_the_events_data(demo: Path) -> None:
    out = da(demo, "log", "--limit", "1000")
    assert "skrev et memo" in out and "kodede Tro på borgerens jobchance" in out and "demoprojektet som bygget" in out
    for english_words in ("wrote a memo", "coded ", "undo starts here", "imported "):
        assert english_words not in out
    assert re.search(r"^\d\d\.\d\d\.20\d\d \d\d\.\d\d\.\d\d  ", out, re.M)  # one width: the columns line up
    english = run("--db", demo, "--lang", "en", "log", "--limit", "1000").out
    assert "wrote a memo" in english and "skrev et memo" not in english
    data = run("--db", demo, "--lang", "da", "--json", "log", "--limit", "1000").json
    memo = next(r for r in data if r["action"] == "memo.add")
    assert memo["summary"] == "wrote a memo"  # JSON stays English


def test_log_shows_old_entries_as_stored(demo: Path, tmp_path: Path) -> None:
    """An event from before structured summaries has only its English text: it is shown as it was stored."""
    import shutil

    from fieldnotes.db import history
    from fieldnotes.project.opening import open_project

    copy = tmp_path / "old.db"
    shutil.copy(demo, copy)
    project = open_project(str(copy))
    with project.write() as session:
        history.record_action(session, coder_id=None, action="export", summary="exported 3 excerpts (old style)",
                              details={"pseudonymized": True, "file": "uddrag.docx"})
    project.close()
    out = run("--db", copy, "--lang", "da", "log", "--limit", "1").out
    assert "exported 3 excerpts (old style)" in out and "[pseudonymiseret]" in out


def test_ratings_words_and_search_in_danish(demo: Path) -> None:
    scaled = next(c["path"] for c in json.loads(da(demo, "--json", "codebook", "list"))
                  if c["name"].startswith("Tro på borgerens jobchance"))
    ratings = da(demo, "ratings", scaled)
    assert ratings.startswith("vurderinger af ") and "efter kommune" in ratings.splitlines()[0]
    assert "gns." in ratings and "fordeling" in ratings and "i alt" in ratings
    assert re.search(r"\b\d,\d\d\b", ratings) and not re.search(r"\b\d\.\d\d\b", ratings)  # decimal comma
    words = da(demo, "words", "--limit", "3")
    assert re.search(r"\b\d{1,3}\.\d{3} ord, \d{1,3}\.\d{3} forskellige", words)  # thousands point: 20.160 ord
    assert "pr. 10.000" in words and re.search(r"\b\d+,\d\b", words)
    search = da(demo, "search", "jobchance", "--limit", "2")
    assert re.search(r"2 fund i 2 dokumenter af \d+ gennemsøgte; stoppede ved --limit 2", search)
    assert re.search(r"\d\d\.\d\d\.20\d\d", search)  # dates as a Danish reader writes them
    for out in (ratings, words, search):
        assert not ENGLISH_OUTPUT.search(out.replace("jobchance", "")), out


def test_help_in_danish_including_argparses_own_words(demo: Path) -> None:
    out = run("--lang", "da", "--help").out
    assert out.startswith("brug: fieldnotes") and "\nindstillinger:\n" in out and "kommandoer:" in out
    assert "vis denne hjælpetekst, og afslut" in out and "fieldnotes rummer feltmateriale" in out
    for english in ("usage:", "options:", "show this help", "positional arguments", "create a project"):
        assert english not in out
    sub = run("--lang", "da", "matrix", "--help").out
    assert "Koder som rækker" in sub and "positionelle" not in sub and "filtre:" in sub


def test_error_messages_in_danish(demo: Path, tmp_path: Path) -> None:
    bad_by = run("--db", demo, "--lang", "da", "matrix", "--by", "farve")
    assert bad_by.code == 1
    assert bad_by.err.startswith("fieldnotes: fejl: kan ikke opdele efter 'farve'; brug en af: municipality")
    missing = run("--db", tmp_path / "ingen.db", "--lang", "da", "docs")
    assert missing.err.startswith("fieldnotes: fejl: intet projekt ved") and "opret et med `fieldnotes init`" in \
        missing.err
    usage = run("--lang", "da", "matrx")
    assert usage.code == 2 and "brug: fieldnotes" in usage.err
    assert "fieldnotes: fejl: argument COMMAND: ugyldigt valg: 'matrx' (vælg mellem" in usage.err
    required = run("--lang", "da", "--db", demo, "ratings")
    assert "følgende argumenter er påkrævet: CODE" in required.err
    no_code = run("--db", demo, "--lang", "da", "ratings", "Findes ikke")
    assert no_code.err.startswith("fieldnotes: fejl: ingen kode 'Findes ikke'")
    no_document = run("--db", demo, "--lang", "da", "show", "Ingen sådan tekst")
    assert no_document.err.startswith("fieldnotes: fejl: intet dokument 'Ingen sådan tekst'; se `fieldnotes docs`")
    near = run("--db", demo, "--lang", "da", "show", "opstartsmøde")  # the hint names the near titles in Danish
    assert "mente du: Referat af opstartsmøde" in near.err
    for result in (bad_by, missing, usage, required, no_code, no_document, near):
        assert not re.search(r"\b(error|cannot|no project|invalid choice|required|use one of|see|did you mean)\b",
                             result.err)


# --- machine formats -----------------------------------------------------------------------------------------
def test_csv_stays_english_and_iso_while_xlsx_follows_the_language(demo: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    ok("--db", demo, "--lang", "da", "export", "csv", tmp_path / "uddrag.csv", "--municipality", "Fjordby")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "uddrag.csv").read_text(encoding="utf-8-sig")),
                               delimiter=";"))
    assert rows and {r["kind"] for r in rows} <= {"interview", "observation", "minutes", "document"}
    assert any(r["kind"] == "minutes" for r in rows)
    assert all("municipality: Fjordby" in r["cases"] for r in rows)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", r["date"]) for r in rows if r["date"])
    ok("--db", demo, "--lang", "da", "export", "xlsx", tmp_path / "uddrag.xlsx", "--municipality", "Fjordby")
    sheet = load_workbook(tmp_path / "uddrag.xlsx").worksheets[0]
    header = [c.value for c in sheet[1]]
    cases = [row[header.index("Cases")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    kinds = {row[header.index("Type")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert cases and all("kommune: Fjordby" in str(c) and "municipality" not in str(c) for c in cases)
    assert "referat" in kinds and "minutes" not in kinds
    matrix_csv = tmp_path / "matrix.csv"
    ok("--db", demo, "--lang", "da", "matrix", "--by", "kind", "--csv", matrix_csv)
    first = matrix_csv.read_text(encoding="utf-8-sig").splitlines()[0]
    assert first.startswith("Code path,") and "minutes" in first and "Total" in first


def test_word_export_in_english_shows_english_codebook_entries(demo: Path, tmp_path: Path) -> None:
    from docx import Document

    ok("--db", demo, "--lang", "en", "export", "docx", tmp_path / "excerpts.docx", "--code", "Kollegial sparring")
    document = Document(str(tmp_path / "excerpts.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "Kollegial sparring (Peer sparring)" in text
    assert "Sparring between colleagues about citizens and cases." in text + cells
    assert "Sparring mellem kolleger" not in text + cells
