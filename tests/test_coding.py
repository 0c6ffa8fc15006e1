"""The coding engine through the command line: codings, patterns, memos, ratings, undo, audit, excerpts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import ok, run
from tests.projectdata import make_project, snapshot

DOC = "Interview med sagsbehandler"
NOTE = "Teammøde i Fjordby"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def show(db: Path, doc: str = DOC) -> dict:  # type: ignore[type-arg]
    return ok("--db", db, "show", doc, "--json").json  # type: ignore[no-any-return]


def test_code_a_span_and_read_it_back(project: Path) -> None:
    text = show(project)["text"]
    start = text.index("jeg tror på")
    end = text.index("lageret.") + len("lageret.")
    out = ok("--db", project, "code", DOC, "--code", "Specifik tro", "--span", f"{start}:{end}",
             "--rating", "4", "--memo", "Tydelig tro på én borger", "--json").json
    assert len(out) == 1 and out[0]["text"] == text[start:end]
    assert out[0]["code_path"] == "Tro på borgerens jobchance/Specifik tro"
    coding = show(project)["codings"][0]
    assert (coding["start"], coding["end"], coding["rating"], coding["memo"]) == (start, end, 4,
                                                                              "Tydelig tro på én borger")
    assert coding["coder"] == "Anna Krogh"


def test_same_coding_twice_is_idempotent_and_overlaps_are_allowed(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--match", "Vi tager altid en runde")
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--match", "Vi tager altid en runde")
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Vi tager altid en runde")
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--match", "Vi tager altid en runde",
       "--coder", "Jonas Bech")
    codings = show(project)["codings"]
    assert sorted((c["code_path"].split("/")[-1], c["coder"]) for c in codings) == [
        ("Kollegial sparring", "Anna Krogh"), ("Kollegial sparring", "Jonas Bech"), ("Ledelse", "Anna Krogh")]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--span", "5:2"], "not within the document"),
        (["--span", "0:100000"], "not within the document"),
        (["--span=-1:4"], "not within the document"),
        (["--span", "abc"], "START:END"),
        (["--match", "teamet", "--code", "Ledelse"], "occurs"),
        (["--match", "findes ikke"], "does not occur"),
        (["--regex", "(unclosed"], "does not compile"),
        (["--span", "0:5", "--rating", "9", "--code", "Specifik tro"], "outside"),
        (["--span", "0:5", "--rating", "3"], "no rating scale"),
        (["--span", "0:5", "--code", "Sparringskultur og ledelse"], "category"),
        (["--span", "0:5", "--code", "Findes ikke"], "no code"),
        (["--speaker", "Z"], "no speaker"),
    ],
)
def test_bad_coding_input_changes_nothing(project: Path, args: list[str], message: str) -> None:
    before = snapshot(project)
    full = ["--db", project, "code", DOC, *args]
    if "--code" not in args:
        full += ["--code", "Kollegial sparring"]
    result = run(*full)
    assert result.code == 1, result.out
    assert message in result.err
    assert "Traceback" not in result.err and result.err.count("\n") == 1
    assert snapshot(project) == before


def test_ambiguous_match_lists_occurrences_and_nth_all_work(project: Path) -> None:
    result = run("--db", project, "code", DOC, "--code", "Ledelse", "--match", "teamet")
    assert result.code == 1 and "occurs 2 times" in result.err and "--nth" in result.err
    text = show(project)["text"]
    second = text.index("teamet", text.index("teamet") + 1)
    out = ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "teamet", "--nth", "2", "--json").json
    assert out[0]["start"] == second
    out = ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--match", "teamet", "--all",
             "--json").json
    assert len(out) == 2


def test_dry_run_shows_and_changes_nothing(project: Path) -> None:
    before = snapshot(project)
    out = ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--regex", r"[Ss]parring\w*",
             "--dry-run", "--json").json
    assert out["dry_run"] is True and [s["text"] for s in out["spans"]] == ["sparring"]
    assert snapshot(project) == before


def test_code_whole_turns_by_speaker_role(project: Path) -> None:
    out = ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--speaker", "sagsbehandler",
             "--json").json
    assert len(out) == 3
    assert out[0]["text"].startswith("Altså, jeg tror")
    assert all(not o["text"].startswith("[") and "R:" not in o["text"] for o in out)


def test_snap_to_sentence(project: Path) -> None:
    text = show(project)["text"]
    start = text.index("altid")
    out = ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--span", f"{start}:{start + 3}",
             "--snap", "sentence", "--json").json
    assert out[0]["text"] == "Vi tager altid en runde i teamet om fredagen."


def test_undo_redo_restore_the_database_exactly(project: Path) -> None:
    states = [snapshot(project)]
    text = show(project)["text"]
    steps = [
        ["code", DOC, "--code", "Specifik tro", "--match", "jeg tror på", "--rating", "4", "--memo", "m"],
        ["code", DOC, "--code", "Kollegial sparring", "--speaker", "R"],
        ["memo", "add", "code:Ledelse", "Ledelse viser sig i teammøderne"],
        ["codebook", "rename", "Ledelse", "Ledelsens rolle"],
        ["codebook", "move", "Virksomhedskontakt", "--parent", "Sparringskultur og ledelse"],
        ["codebook", "merge", "Kollegial sparring", "Ledelsens rolle"],
        ["doc", "set", DOC, "date", "2025-04-01"],
        ["doc", "set", DOC, "municipality", "Søholm"],
        ["codebook", "delete", "Tro på borgerens jobchance", "--yes"],
        ["doc", "delete", NOTE, "--yes"],
    ]
    edited = text.replace("Søren", "Jens Peter").replace("bageriet", "bageren")
    new_file = project.parent / "edited.txt"
    new_file.write_text(edited, encoding="utf-8")
    steps.insert(3, ["edit", DOC, "--from-file", new_file])
    for step in steps:
        ok("--db", project, *step)
        states.append(snapshot(project))
    assert len({repr(s) for s in states}) == len(states), "every step changed something"
    for expected in reversed(states[:-1]):
        ok("--db", project, "undo")
        assert snapshot(project) == expected
    assert "imported" in ok("--db", project, "undo").out  # the import itself is undoable too
    ok("--db", project, "redo")
    assert snapshot(project) == states[0]
    for expected in states[1:]:
        ok("--db", project, "redo")
        assert snapshot(project) == expected
    assert run("--db", project, "redo").code == 1


def test_new_change_clears_redo(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    ok("--db", project, "undo")
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Vi tager altid")
    result = run("--db", project, "redo")
    assert result.code == 1 and "nothing to redo" in result.err


def test_undo_refused_when_another_coder_built_on_it(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    coding_id = show(project)["codings"][0]["id"]
    ok("--db", project, "memo", "add", f"coding:{coding_id}", "Jonas' note", "--coder", "Jonas Bech")
    ok("--db", project, "recode", coding_id, "--memo", "Jonas ændrede memoet", "--coder", "Jonas Bech")
    before = snapshot(project)
    result = run("--db", project, "undo", "--coder", "Anna Krogh")
    assert result.code == 1 and "Jonas Bech has since changed" in result.err
    assert snapshot(project) == before
    ok("--db", project, "undo", "--coder", "Jonas Bech")
    ok("--db", project, "undo", "--coder", "Jonas Bech")


def test_undo_allowed_once_the_other_coder_undid_their_change(project: Path) -> None:
    # Jonas first takes part (coders are never un-created), so the snapshots compare everything else
    ok("--db", project, "memo", "add", "project", "Jonas er med", "--coder", "Jonas Bech")
    ok("--db", project, "undo", "--coder", "Jonas Bech")
    start = snapshot(project)
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    coded = snapshot(project)
    coding_id = show(project)["codings"][0]["id"]
    ok("--db", project, "recode", coding_id, "--memo", "Jonas", "--coder", "Jonas Bech")
    ok("--db", project, "undo", "--coder", "Jonas Bech")
    assert snapshot(project) == coded
    assert "coded Ledelse" in ok("--db", project, "undo", "--coder", "Anna Krogh").out
    assert snapshot(project) == start
    ok("--db", project, "redo", "--coder", "Anna Krogh")
    assert snapshot(project) == coded
    # Jonas redoes his change again: it is in effect once more, so Anna is refused again
    ok("--db", project, "redo", "--coder", "Jonas Bech")
    result = run("--db", project, "undo", "--coder", "Anna Krogh")
    assert result.code == 1 and "Jonas Bech has since changed" in result.err


def test_audit_log_shows_every_change(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    ok("--db", project, "memo", "add", "project", "Første memo", "--coder", "Jonas Bech")
    ok("--db", project, "undo", "--coder", "Jonas Bech")
    log = ok("--db", project, "log", "--json").json
    actions = [(e["action"], e["coder"]) for e in log]
    assert actions[:3] == [("undo", "Jonas Bech"), ("memo.add", "Jonas Bech"), ("code", "Anna Krogh")]
    assert ("import", "Anna Krogh") in actions and ("init", "Anna Krogh") in actions
    jonas = ok("--db", project, "log", "--coder", "Jonas Bech", "--json").json
    assert {e["coder"] for e in jonas} == {"Jonas Bech"}
    assert ok("--db", project, "log", "--since", "2999-01-01", "--json").json == []


def test_audit_log_names_the_document_and_the_old_and_new_values(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    coding_id = show(project)["codings"][0]["id"]
    ok("--db", project, "doc", "set", DOC, "date", "2025-04-01")
    ok("--db", project, "doc", "set", DOC, "municipality", "Søholm; Lyngå")
    ok("--db", project, "doc", "set", DOC, "attr:alder", "42")
    ok("--db", project, "doc", "rename", DOC, "Interview med leder")
    ok("--db", project, "uncode", coding_id)
    ok("--db", project, "doc", "delete", NOTE, "--yes")
    log = ok("--db", project, "log", "--json").json
    by_action = {}
    for entry in reversed(log):
        by_action.setdefault(entry["action"], []).append(entry)
    assert by_action["code"][0]["summary"] == f"coded Ledelse in {DOC!r}"
    assert by_action["code"][0]["details"]["title"] == DOC and by_action["code"][0]["details"]["spans"] == 1
    sets = [e["summary"] for e in by_action["doc.set"]]
    assert sets == [f"set date of {DOC!r}: 2025-03-10 → 2025-04-01",
                    f"set municipality of {DOC!r}: Lyngå → Lyngå; Søholm",
                    f"set attr:alder of {DOC!r}: none → 42"]
    assert "said" not in by_action["doc.set"][0]["details"]  # JSON keeps details as before; the text is rendered
    danish = ok("--db", project, "--lang", "da", "log").out
    assert f"satte date for {DOC!r}: 2025-03-10 → 2025-04-01" in danish
    assert {k: v for k, v in by_action["doc.set"][0]["details"].items() if k != "said"} == {"document": show(project,
            "Interview med leder")["id"],
                                                  "title": DOC, "key": "date", "from": "2025-03-10",
                                                  "to": "2025-04-01"}
    rename = by_action["doc.rename"][0]
    assert rename["summary"] == f"renamed {DOC!r} → 'Interview med leder'"
    assert (rename["details"]["from"], rename["details"]["to"]) == (DOC, "Interview med leder")
    assert by_action["uncode"][0]["summary"] == "removed Ledelse from 'Interview med leder'"
    delete = by_action["doc.delete"][0]
    assert delete["summary"] == f"deleted {NOTE!r} with 0 coding(s)" and delete["details"]["title"] == NOTE
    text = show(project, "Interview med leder")["text"]
    assert all("Lederen er med" not in e["summary"] and "Lederen er med" not in str(e["details"])
               for e in log), "the log holds titles, never the document's text"
    assert "Lederen er med" in text
    plain = ok("--db", project, "log").out
    assert "set date of 'Interview med sagsbehandler': 2025-03-10 → 2025-04-01" in plain


def test_edit_that_empties_the_document_is_refused(project: Path) -> None:
    empty = project.parent / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    before = snapshot(project)
    result = run("--db", project, "edit", DOC, "--from-file", empty)
    assert result.code == 1 and "empty" in result.err
    assert snapshot(project) == before


def test_edit_moves_codings_with_their_words(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Virksomhedskontakt", "--match", "Det giver praktikpladser.")
    ok("--db", project, "code", DOC, "--code", "Specifik tro", "--match", "Søren får et job", "--rating", "4")
    text = show(project)["text"]
    new = "[00:00:01] I: En ny indledning.\n" + text.replace("Søren", "Jens Peter")
    (project.parent / "new.txt").write_text(new, encoding="utf-8")
    out = ok("--db", project, "edit", DOC, "--from-file", project.parent / "new.txt", "--json").json
    assert out["changed"] and len(out["adjusted"]) == 1
    codings = {c["code_path"].split("/")[-1]: c for c in show(project)["codings"]}
    shown = show(project)["text"]
    assert shown == new
    kontakt = codings["Virksomhedskontakt"]
    assert shown[kontakt["start"]:kontakt["end"]] == "Det giver praktikpladser." and not kontakt["needs_review"]
    tro = codings["Specifik tro"]
    assert shown[tro["start"]:tro["end"]] == "Jens Peter får et job" and tro["needs_review"]


def test_memos_on_every_target(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    coding = show(project)["codings"][0]["id"]
    for target in ("project", f"doc:{DOC}", "code:Ledelse", "case:Lyngå", f"coding:{coding}"):
        ok("--db", project, "memo", "add", target, f"memo på {target}")
    memos = ok("--db", project, "memo", "list", "--json").json
    assert [m["target_kind"] for m in memos] == ["project", "document", "code", "case", "coding"]
    assert all(m["author"] == "Anna Krogh" for m in memos)
    assert run("--db", project, "memo", "add", "ukendt ting", "x").code == 1


def test_retired_codes_keep_codings_and_cannot_be_applied(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    ok("--db", project, "codebook", "retire", "Ledelse")
    result = run("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Vi tager altid")
    assert result.code == 1 and "retired" in result.err
    assert len(show(project)["codings"]) == 1
    listing = ok("--db", project, "codebook", "list", "--json").json
    assert "Ledelse" not in [c["name"] for c in listing]
    listing = ok("--db", project, "codebook", "list", "--retired", "--json").json
    assert next(c for c in listing if c["name"] == "Ledelse")["codings"] == 1


def test_merge_moves_codings_and_drops_duplicates(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--match", "Lederen er med")
    ok("--db", project, "code", DOC, "--code", "Kollegial sparring", "--match", "Vi tager altid")
    ok("--db", project, "codebook", "merge", "Kollegial sparring", "Ledelse")
    codings = show(project)["codings"]
    assert sorted(c["text"] for c in codings) == ["Lederen er med", "Vi tager altid"]
    assert {c["code_path"] for c in codings} == {"Sparringskultur og ledelse/Ledelse"}


def test_delete_code_with_codings_needs_confirmation(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Ledelse", "--match", "Lederen er med")
    before = snapshot(project)
    result = run("--db", project, "codebook", "delete", "Ledelse")
    assert result.code == 1 and "--yes" in result.err
    assert snapshot(project) == before
    ok("--db", project, "codebook", "delete", "Ledelse", "--yes")
    assert show(project)["codings"] == []


def test_excerpts_under_each_filter(project: Path) -> None:
    ok("--db", project, "code", DOC, "--code", "Specifik tro", "--match", "Søren får et job", "--rating", "4")
    ok("--db", project, "code", DOC, "--code", "Virksomhedskontakt", "--match", "ringer til bageriet",
       "--coder", "Jonas Bech")
    ok("--db", project, "code", NOTE, "--code", "Kollegial sparring", "--match", "sparring om en borger")
    ok("--db", project, "code", NOTE, "--code", "Tro på borgerens jobchance", "--match",
       "troen på borgeren er tydelig", "--rating", "5")

    def texts(*filters: str) -> list[str]:
        rows = ok("--db", project, "excerpts", *filters, "--json").json
        for row in rows:
            doc = show(project, row["document_title"])
            assert doc["text"][row["start"]:row["end"]] == row["text"]
        return sorted(r["text"] for r in rows)

    everything = texts()
    assert len(everything) == 4
    assert texts("--municipality", "Lyngå") == ["Søren får et job", "ringer til bageriet"]
    assert texts("--kind", "observation") == ["sparring om en borger", "troen på borgeren er tydelig"]
    assert texts("--phase", "1") == ["Søren får et job", "ringer til bageriet"]
    assert texts("--phase", "4") == ["sparring om en borger", "troen på borgeren er tydelig"]
    assert texts("--coder", "Jonas Bech") == ["ringer til bageriet"]
    assert texts("--rating", "5:5") == ["troen på borgeren er tydelig"]
    assert texts("--code", "Tro på borgerens jobchance") == ["Søren får et job", "troen på borgeren er tydelig"]
    assert texts("--code", "Tro på borgerens jobchance", "--no-descendants") == ["troen på borgeren er tydelig"]
    assert texts("--contains", "BAGERIET") == ["ringer til bageriet"]
    assert texts("--from", "2026-01-01") == ["sparring om en borger", "troen på borgeren er tydelig"]
    assert texts("--municipality", "Fjordby", "--code", "Viden om arbejdsmarkedet") == []
    row = next(r for r in ok("--db", project, "excerpts", "--context", "sentence", "--json").json
               if r["text"] == "Søren får et job")
    assert row["context_before"] == "Altså, jeg tror på, at " and row["context_after"] == " på lageret."
    assert row["speaker"] == "Mette Vinther" and row["speaker_role"] == "sagsbehandler"
    assert row["timestamp"] == "00:00:12" and row["municipality"] == "Lyngå" and row["phase"] == 1
    assert texts("--case", "Fjordby") == ["sparring om en borger", "troen på borgeren er tydelig"]
    assert texts("--case", "municipality:Lyngå") == ["Søren får et job", "ringer til bageriet"]
    assert texts("--activity", "løbende aktiviteter") == ["Søren får et job", "ringer til bageriet"]
    assert texts("--activity", "opstart") == []
    assert texts("--to", "2025-12-31") == ["Søren får et job", "ringer til bageriet"]
    assert texts("--to", "2025-03-09") == []
    assert texts("--from", "2025-03-10", "--to", "2025-03-10") == ["Søren får et job", "ringer til bageriet"]
    interview = show(project)
    doc_text = interview["text"]
    for row in ok("--db", project, "excerpts", "--municipality", "Lyngå", "--context", "turn", "--json").json:
        turn = next(t for t in interview["turns"] if t["start"] <= row["start"] < t["end"])
        assert turn["speaker"] == "R" and row["end"] <= turn["end"]
        before, after = row["context_before"], row["context_after"]
        # the whole turn, without its "[00:01:35] R: " label: the characters up to the excerpt and after it
        assert doc_text[row["start"] - len(before):row["start"]] == before
        assert re.fullmatch(r"\[\d\d:\d\d:\d\d\] R: ", doc_text[turn["start"]:row["start"] - len(before)])
        assert doc_text[row["end"]:row["end"] + len(after)] == after
        assert doc_text[row["end"] + len(after):turn["end"]].strip() == ""
    soren = next(r for r in ok("--db", project, "excerpts", "--context", "turn", "--json").json
                 if r["text"] == "Søren får et job")
    assert soren["context_before"].endswith("Altså, jeg tror på, at ")
    assert soren["context_after"].startswith(" på lageret. Det gør jeg virkelig.")
    for row in ok("--db", project, "excerpts", "--context", "12", "--json").json:
        text = show(project, row["document_title"])["text"]
        assert row["context_before"] == text[max(0, row["start"] - 12):row["start"]]
        assert row["context_after"] == text[row["end"]:row["end"] + 12]
        assert len(row["context_before"]) == min(12, row["start"])
    bad = run("--db", project, "excerpts", "--municipality", "Aarhus")
    assert bad.code == 1 and "no municipality" in bad.err
    bad = run("--db", project, "excerpts", "--context", "-3")
    assert bad.code in (1, 2) and "Traceback" not in bad.err


def test_counting_excerpts_agrees_with_reading_them(project: Path) -> None:
    from fieldnotes.coding.excerpts import count_excerpts, excerpts
    from fieldnotes.project.opening import open_project
    from fieldnotes.queries.filters import Filters

    ok("--db", project, "code", DOC, "--code", "Specifik tro", "--match", "Søren får et job", "--rating", "4")
    ok("--db", project, "code", DOC, "--code", "Virksomhedskontakt", "--match", "ringer til bageriet",
       "--coder", "Jonas Bech")
    ok("--db", project, "code", NOTE, "--code", "Tro på borgerens jobchance", "--match",
       "troen på borgeren er tydelig", "--rating", "5")
    cases = [(Filters(), 3), (Filters(municipalities=["Lyngå"]), 2), (Filters(coders=["Jonas Bech"]), 1),
             (Filters(rating=(4, 5)), 2), (Filters(codes=["Tro på borgerens jobchance"]), 2),
             (Filters(contains="BAGERIET"), 1), (Filters(municipalities=["Fjordby"], coders=["Jonas Bech"]), 0)]
    with open_project(str(project)) as opened, opened.read() as session:
        for filters, expected in cases:
            assert count_excerpts(session, filters) == len(excerpts(session, filters)) == expected, filters


def test_excerpt_phase_needs_start_date(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    ok("--db", project, "project", "set", "start", "none")
    result = run("--db", project, "excerpts", "--phase", "1")
    assert result.code == 1 and "fieldnotes project set start" in result.err
