"""Property: whatever names and metadata a person types or a file carries (control characters, escape
sequences, NUL, text-direction overrides, `;`, far too many characters), every command and every library call
behind an app field ends in success or a one-line refusal, and SQLite and PostgreSQL behave the same: the same
outcome, the same message, the same data stored.

Each example gives one value to one field, on a SQLite project and a PostgreSQL project that started alike and
have had the same examples before it. Bounded by the hypothesis profile (`ci`); HYPOTHESIS_PROFILE=deep runs
far more.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fieldnotes.text import TERMINAL_CONTROL
from tests import hostiledata as hostile
from tests.helpers import Result, ok, run
from tests.projectdata import INTERVIEW, NOTE, SMALL_CODEBOOK

pytestmark = pytest.mark.postgres


def _budget(ci: int) -> int:
    if os.environ.get("HYPOTHESIS_PROFILE") == "deep":
        return max(ci, settings.default.max_examples)
    return min(ci, settings.default.max_examples)


#: the characters names must be safe against, among ordinary Danish ones
PIECES = [*"Søren Åse Ærø-kommune'.", "\x00", "\x1b", "\x1b[31m", "\x1b]0;x\x07", "\x07", "\x08", "\x7f", "\x9b",
          "\u202e", "\u202c", "\u2066", "\u200f", ";", "\t", "\n", "/", "😊", "\u00a0"]
VALUES = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=14).map("".join),
    st.sampled_from(sorted(hostile.HOSTILE_NAMES.values())),
    # around every limit: 60 (case types), 200 (activities, attributes, coders), 300 (codes, cases), 500 (titles)
    st.tuples(st.sampled_from(["Æ", "a", "ø "]), st.sampled_from([59, 61, 199, 201, 299, 301, 499, 501, 2000]))
    .map(lambda pair: (pair[0] * pair[1])[: pair[1]]),
)

DOC = "Interview med sagsbehandler"


@dataclass
class Backends:
    sqlite: str
    postgres: str
    folder: Path
    counter: Iterator[int]
    documents: dict[str, str]  # target -> the id of the document `doc …` changes (its title changes too)

    def targets(self) -> tuple[str, str]:
        return self.sqlite, self.postgres


def _build(target: str, folder: Path) -> None:
    material = folder / "material"
    material.mkdir(parents=True, exist_ok=True)
    (material / "interview.txt").write_text(INTERVIEW, encoding="utf-8")
    (material / "interview.meta.yaml").write_text(
        f"title: {DOC}\nkind: interview\nmunicipality: Lyngå\ndate: 2025-03-10\n", encoding="utf-8")
    (material / "note.md").write_text("---\ntitle: Teammøde i Fjordby\nmunicipality: Fjordby\n---\n" + NOTE,
                                      encoding="utf-8")
    ok("--db", target, "init", "--codebook", SMALL_CODEBOOK, "--start", "2025-02-01", "--coder", "Anna Krogh")
    ok("--db", target, "import", material, "--coder", "Anna Krogh")


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory, pg_cluster: Any) -> Iterator[Backends]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIELDNOTES_HOME", str(tmp_path_factory.mktemp("home")))
        patch.setenv("FIELDNOTES_LANG", "en")
        folder = tmp_path_factory.mktemp("hostile-property")
        sqlite = str(folder / "projekt.db")
        postgres = pg_cluster.create_database()
        _build(sqlite, folder / "a")
        _build(postgres, folder / "b")
        documents = {target: ok("--db", target, "show", DOC, "--json").json["id"] for target in (sqlite, postgres)}
        yield Backends(sqlite, postgres, folder, itertools.count(), documents)


# --- the fields: each makes the command line for one target, writing any file it needs once ---------------
# (values go in as `--flag=VALUE` and after `--`, as a person would write a name beginning with "-": how the
# command line reads its arguments is not what this tests)

#: (the backends, the value, the example's number, the document to change on this target) -> the arguments
Field = Callable[[Backends, str, int, str], list[object]]


def _text_file(backends: Backends, n: int, *, suffix: str = ".txt", header: str = "") -> Path:
    folder = backends.folder / f"in-{n}"
    folder.mkdir(exist_ok=True)
    path = folder / f"note-{n}{suffix}"
    if not path.exists():
        path.write_text(header + f"Søren fortæller om praktik nummer {n} på lageret i Lyngå.\n", encoding="utf-8")
    return path


def _beside(backends: Backends, n: int, name: str, content: str) -> Path:
    """A file of the example's own folder (beside its note), written once."""
    folder = backends.folder / f"in-{n}"
    folder.mkdir(exist_ok=True)
    path = folder / name
    if not path.exists():
        path.write_text(content, encoding="utf-8", newline="")
    return path


def _manifest(backends: Backends, n: int, column: str, value: str) -> Path:
    out = io.StringIO()
    csv.writer(out).writerows([["file", column], [f"note-{n}.txt", value]])
    return _beside(backends, n, f"manifest-{n}.csv", out.getvalue())


def _with_meta(backends: Backends, n: int, meta: str) -> Path:
    """The example's note with a STEM.meta.yaml beside it."""
    _beside(backends, n, f"note-{n}.meta.yaml", meta)
    return _text_file(backends, n)


def _yaml(value: str) -> str:
    """A YAML double-quoted scalar holding exactly `value` (JSON's escapes are YAML's)."""
    return json.dumps(value, ensure_ascii=True)


FIELDS: dict[str, Field] = {
    "codebook add": lambda b, v, n, d: ["codebook", "add", "--", v],
    "codebook rename": lambda b, v, n, d: ["codebook", "rename", "--", "Ledelse", v],
    "import --municipality": lambda b, v, n, d: ["import", _text_file(b, n), f"--municipality={v}"],
    "import --title": lambda b, v, n, d: ["import", _text_file(b, n), f"--title={v}"],
    "import --activity": lambda b, v, n, d: ["import", _text_file(b, n), f"--activity={v}"],
    "import --attr key": lambda b, v, n, d: ["import", _text_file(b, n), f"--attr={v}=1"],
    "import --attr value": lambda b, v, n, d: ["import", _text_file(b, n), f"--attr=team={v}"],
    "front matter title": lambda b, v, n, d: ["import", _text_file(b, n, suffix=".md", header=(
        f"---\ntitle: {_yaml(v)}\n---\n"))],
    "front matter municipality list": lambda b, v, n, d: ["import", _text_file(b, n, suffix=".md", header=(
        f"---\ntitle: Note {n}\nmunicipality: [{_yaml(v)}]\n---\n"))],
    "front matter participant": lambda b, v, n, d: ["import", _text_file(b, n, suffix=".md", header=(
        f"---\ntitle: Note {n}\nparticipants: [{_yaml(v)}]\n---\n"))],
    "front matter attribute": lambda b, v, n, d: ["import", _text_file(b, n, suffix=".md", header=(
        f"---\ntitle: Note {n}\nattributes: {{{_yaml(v)}: {_yaml(v)}}}\n---\n"))],
    "front matter case": lambda b, v, n, d: ["import", _text_file(b, n, suffix=".md", header=(
        f"---\ntitle: Note {n}\ncases: [{_yaml('team: ' + v)}]\n---\n"))],
    "front matter speakers": lambda b, v, n, d: ["import", _text_file(b, n, suffix=".md", header=(
        f"---\ntitle: Note {n}\nkind: interview\nspeakers: {{{_yaml(v)}: {{name: {_yaml(v)}}}}}\n---\n"))],
    "manifest municipality": lambda b, v, n, d: ["import", _text_file(b, n),
                                                 f"--manifest={_manifest(b, n, 'municipality', v)}"],
    ".meta.yaml activity": lambda b, v, n, d: ["import", _with_meta(b, n, f"title: Note {n}\nactivity: {_yaml(v)}\n")],
    "codebook import": lambda b, v, n, d: ["codebook", "import", _beside(b, n, f"kodebog-{n}.yaml", (
        f"format: fieldnotes-codebook/1\ncodes:\n  - id: 22222222-2222-4222-8222-{n:012d}\n    name: {_yaml(v)}\n"))],
    "pseudonyms add --attr": lambda b, v, n, d: ["pseudonyms", "add", f"--attr=rolle={v}", "--", f"Original{n}x",
                                                 f"Pseudonym{n}x"],
    "doc set title": lambda b, v, n, d: ["doc", "set", "--", d, "title", v],
    "doc set activity": lambda b, v, n, d: ["doc", "set", "--", d, "activity", v],
    "doc set municipality": lambda b, v, n, d: ["doc", "set", "--", d, "municipality", v],
    "doc set participants": lambda b, v, n, d: ["doc", "set", "--", d, "participants", v],
    "doc set attr": lambda b, v, n, d: ["doc", "set", "--", d, f"attr:{v}", "x"],
    "doc set attr value": lambda b, v, n, d: ["doc", "set", "--", d, "attr:team", v],
    "doc rename": lambda b, v, n, d: ["doc", "rename", "--", d, v],
    "--coder": lambda b, v, n, d: [f"--coder={v}", "memo", "add", "project", f"notat {n}"],
    "project set name": lambda b, v, n, d: ["project", "set", "--", "name", v],
    "pseudonyms add original": lambda b, v, n, d: ["pseudonyms", "add", "--", v, f"Pseudonym{n}"],
    "pseudonyms add pseudonym": lambda b, v, n, d: ["pseudonyms", "add", "--", f"Original{n}", v],
    "new --title (the app's new note)": lambda b, v, n, d: ["new", f"--title={v}", "--from-file", _text_file(b, n)],
    "new --municipality": lambda b, v, n, d: ["new", f"--municipality={v}", "--from-file", _text_file(b, n)],
}


def _state(target: str) -> Any:
    """What the project holds, without ids and times: codes, documents with their metadata, memos, register."""
    codes = sorted(c["path"] for c in ok("--db", target, "codebook", "list", "--json").json)
    docs = sorted((d["title"], d["kind"], d["activity"], tuple(d["municipalities"]), json.dumps(d["participants"]),
                   json.dumps(d["cases"], sort_keys=True), json.dumps(d["attributes"], sort_keys=True))
                  for d in ok("--db", target, "docs", "--json").json)
    memos = sorted((m["text"], m.get("author")) for m in ok("--db", target, "memo", "list", "--json").json)
    register = sorted((e["original"], e["pseudonym"]) for e in ok("--db", target, "pseudonyms", "list", "--json").json)
    name = ok("--db", target, "project", "show", "--json").json["name"]
    return codes, docs, memos, register, name


def _outcome(result: Result) -> tuple[int, str]:
    """Success, or a one-line refusal (for import: one line per file on stderr, the summary on stdout), with
    no control character of the value in it."""
    assert result.code in (0, 1), result
    assert not TERMINAL_CONTROL.search(result.err.replace("\n", "")), result.err
    if result.code == 1:
        lines = result.err.splitlines()
        assert len(lines) == 1, result.err
        assert lines[0].startswith(("fieldnotes: error: ", "! failed ")), result.err
    return result.code, result.err


@settings(max_examples=_budget(40), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(sorted(FIELDS)), value=VALUES)
def test_every_field_succeeds_or_refuses_in_one_line_alike_on_both_backends(backends: Backends, field: str,
                                                                             value: str) -> None:
    n = next(backends.counter)
    outcomes = []
    for target in backends.targets():
        args = FIELDS[field](backends, value, n, backends.documents[target])
        acting = [] if str(args[0]).startswith("--coder=") else ["--coder", "Anna Krogh"]
        outcomes.append(_outcome(run("--db", target, *acting, *args)))
    assert outcomes[0] == outcomes[1], (field, value, outcomes)
    event("refused" if outcomes[0][0] else "stored")
    assert _state(backends.sqlite) == _state(backends.postgres), (field, value)
