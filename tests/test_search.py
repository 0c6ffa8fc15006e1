"""Search through the command line: full-text, fuzzy, in context, counts, coding from hits, bad input."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.helpers import ok, run
from tests.projectdata import SMALL_CODEBOOK, make_project, snapshot

INTERVIEW = "Interview med sagsbehandler"  # Lyngå, from tests.projectdata
NOTE = "Teammøde i Fjordby"
LEADER = "Interview med leder i Søholm"
MINUTES = "Referat fra lokalt møde"

LEADER_TEXT = "\n".join([
    "[00:00:04] I: Kan du fortælle om jeres samarbejde med virksomhederne?",
    "[00:00:11] R: Ja. Vores virksomhedskonsulent tager ud til virksomhederne hver uge. Sagsbehanleren følger op "
    "bagefter 😊.",
    "[00:00:39] I: Hvad betyder det for borgerne?",
    "[00:00:45] R: Borgeren får en praktik, og så kan vi se, hvad hun kan. Jeg tror på, at praktik virker – også for "
    "borgere med angst.",
    "[00:01:20] I: Og sagsbehandlerne?",
    "[00:01:26] R: Sagsbehandleren skal tro på borgerens jobchance. Ellers sker der ikke noget.",
    "[00:01:58] R: En kollega skrev pa i stedet for på i journalen, og Soholm i stedet for Søholm.",
]) + "\n"
NAMES = ["Søren", "Åse", "Jørgen", "Fatima", "Bjørn", "Lærke", "Ahmed", "Mette", "Henrik", "Æsa", "Ole"]
PLACES = ["lageret", "bageriet", "plejecentret", "kantinen", "butikken", "rengøringsfirmaet", "gartneriet"]
MINUTES_TEXT = "Referat af lokalt møde i Bakkedal\nDeltagere: leder, to sagsbehandlere, virksomhedskonsulent\n\n" + \
    "\n".join(
    f"- Punkt {i + 1}: {NAMES[i % len(NAMES)]} starter i praktik på {PLACES[i % len(PLACES)]} i uge {10 + i}."
    for i in range(22)) + "\n\nBeslutning: praktik følges op på næste møde. 👍\n"


def add_search_material(folder: Path) -> Path:
    """Two more documents in two more municipalities, with typos, emoji and many mentions of praktik."""
    extra = folder / "extra"
    extra.mkdir(exist_ok=True)
    (extra / "søholm-leder.txt").write_text(LEADER_TEXT, encoding="utf-8")
    (extra / "søholm-leder.meta.yaml").write_text(
        f"title: {LEADER}\nkind: interview\nmunicipality: Søholm\ndate: 2025-09-15\n"
        "speakers:\n  I: {name: Anna Krogh, role: forsker}\n  R: {name: Kirsten Dal, role: leder}\n", encoding="utf-8")
    (extra / "bakkedal-referat.md").write_text(
        f"---\ntitle: {MINUTES}\nkind: minutes\nmunicipality: Bakkedal\ndate: 2026-03-02\nactivity: lokalt møde\n---\n"
        + MINUTES_TEXT, encoding="utf-8")
    return extra


def search_project(folder: Path) -> Path:
    db = make_project(folder)
    ok("--db", db, "import", add_search_material(folder), "--coder", "Anna Krogh")
    return db


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return search_project(tmp_path)


def texts(db: Path | str) -> dict[str, str]:
    return {d["title"]: ok("--db", db, "show", d["id"], "--json").json["text"] for d in
            ok("--db", db, "docs", "--json").json}


def hits(db: Path | str, *args: str) -> list[dict]:  # type: ignore[type-arg]
    return ok("--db", db, "search", *args, "--json").json  # type: ignore[no-any-return]


# --- full-text -------------------------------------------------------------------------------------


def test_hits_are_exact_spans_with_context_and_place(project: Path) -> None:
    found = hits(project, "virksomhedskonsulent")
    by_title = texts(project)
    assert {h["document_title"] for h in found} == {INTERVIEW, LEADER, MINUTES}
    for hit in found:
        text = by_title[hit["document_title"]]
        assert text[hit["start"] : hit["end"]] == hit["text"] == "virksomhedskonsulent"
        assert hit["context"] == hit["context_before"] + hit["text"] + hit["context_after"]
        assert hit["text"] in hit["context"] and hit["score"] == 1.0
        for field in ("document", "municipality", "kind", "date", "phase", "speaker", "paragraph", "timestamp"):
            assert field in hit
    leader = next(h for h in found if h["document_title"] == LEADER)
    assert (leader["municipality"], leader["speaker"], leader["speaker_role"]) == ("Søholm", "Kirsten Dal", "leder")
    assert leader["timestamp"] == "00:00:11" and leader["paragraph"] == 2 and leader["phase"] == 2
    assert leader["context"] == "Vores virksomhedskonsulent tager ud til virksomhederne hver uge."


def test_danish_letters_stay_distinct_and_case_is_ignored(project: Path) -> None:
    by_title = texts(project)
    pa = hits(project, "pa")
    assert [(h["document_title"], h["text"]) for h in pa] == [(LEADER, "pa")]
    på = hits(project, "på")
    assert len(på) >= 5 and all(h["text"].lower() == "på" for h in på)
    assert {h["text"] for h in hits(project, "søholm")} == {"Søholm"}
    assert {h["text"] for h in hits(project, "soholm")} == {"Soholm"}
    upper = hits(project, "SØHOLM")
    assert [(h["start"], h["end"]) for h in upper] == [(h["start"], h["end"]) for h in hits(project, "søholm")]
    for hit in pa + på:
        assert by_title[hit["document_title"]][hit["start"] : hit["end"]] == hit["text"]


def test_operators_phrases_prefixes_and_near(project: Path) -> None:
    assert {h["text"] for h in hits(project, '"tror på"')} == {"tror på"}
    assert {h["document_title"] for h in hits(project, '"tror på"')} == {INTERVIEW, LEADER}
    assert {h["text"].lower() for h in hits(project, "borger*")} >= {"borger", "borgeren", "borgerne", "borgere",
                                                                     "borgerens", "borgernes"}
    both = hits(project, "praktik AND angst")
    assert {h["document_title"] for h in both} == {LEADER, NOTE}
    assert {h["text"] for h in both} == {"praktik", "angst"}
    implicit = hits(project, "praktik angst")
    assert [(h["start"], h["document_title"]) for h in implicit] == [(h["start"], h["document_title"]) for h in both]
    either = hits(project, "lageret OR angst")
    assert {h["document_title"] for h in either} == {INTERVIEW, LEADER, NOTE, MINUTES}
    assert hits(project, "praktik NOT angst") and {h["document_title"] for h in hits(project, "praktik NOT angst")} \
        == {MINUTES}
    near = hits(project, "NEAR(borgeren praktik, 2)")
    assert [(h["document_title"], h["text"]) for h in near] == [(LEADER, "Borgeren får en praktik")]
    assert hits(project, "NEAR(borgeren praktik, 1)") == []
    assert {h["text"] for h in hits(project, "virksomheds-konsulent")} == set()  # a phrase of two words
    assert {h["text"] for h in hits(project, "job😊")} == {"job"}


def test_or_scores_documents_holding_more_of_the_words_higher(project: Path) -> None:
    found = hits(project, "angst OR virksomhedskonsulent")
    scores = {h["document_title"]: h["score"] for h in found}
    assert scores[LEADER] == 1.0 and scores[NOTE] == 0.5 and scores[INTERVIEW] == 0.5
    assert [h["score"] for h in found] == sorted((h["score"] for h in found), reverse=True)


def test_sorting_and_limit(project: Path) -> None:
    by_date = hits(project, "praktik*", "--sort", "date")
    dates = [h["date"] for h in by_date]
    assert dates == sorted(dates)
    by_title = hits(project, "praktik*", "--sort", "document")
    titles = [h["document_title"] for h in by_title]
    assert titles == sorted(titles, key=str.casefold)
    assert sorted((h["document"], h["start"]) for h in by_date) == sorted((h["document"], h["start"]) for h in by_title)
    first = hits(project, "praktik*", "--sort", "date", "--limit", "3")
    assert first == by_date[:3]
    result = run("--db", project, "search", "praktik", "--limit", "3")
    assert result.code == 0 and "there may be more" in result.out


def test_filters_narrow_the_documents(project: Path) -> None:
    assert {h["municipality"] for h in hits(project, "praktik", "--municipality", "Bakkedal")} == {"Bakkedal"}
    assert {h["kind"] for h in hits(project, "praktik", "--kind", "interview")} == {"interview"}
    assert {h["document_title"] for h in hits(project, "praktik", "--phase", "2")} == {LEADER}
    assert {h["document_title"] for h in hits(project, "praktik", "--from", "2026-01-01")} == {NOTE, MINUTES}
    assert {h["document_title"] for h in hits(project, "praktik", "--document", MINUTES)} == {MINUTES}


def test_search_inside_a_theme_finds_only_coded_text(project: Path) -> None:
    ok("--db", project, "code", LEADER, "--code", "Kollegial sparring", "--match", "Jeg tror på, at praktik virker")
    ok("--db", project, "code", NOTE, "--code", "Ledelse", "--match", "Lederen spørger til sagerne.",
       "--coder", "Jonas Bech")
    inside = hits(project, "praktik OR lederen", "--inside", "Sparringskultur og ledelse")
    assert [(h["document_title"], h["text"]) for h in inside] == [(LEADER, "praktik"), (NOTE, "Lederen")]
    assert hits(project, "praktik", "--inside", "Sparringskultur og ledelse", "--no-descendants") == []
    assert hits(project, "angst", "--inside", "Kollegial sparring") == []
    result = run("--db", project, "search", "praktik", "--inside", "Virksomhedskontakt")
    assert result.code == 0 and "no text is coded with Virksomhedskontakt" in result.err


def test_kwic_lines_highlight_the_hit(project: Path) -> None:
    out = ok("--db", project, "search", "jobchance").out.splitlines()
    assert any("«jobchance»" in line and LEADER in line and "Søholm" in line for line in out)
    assert out[-1] == "1 hit in 1 document of 4 searched"


# --- fuzzy and stemming -------------------------------------------------------------------------------


def test_misspelt_query_finds_the_right_passages(project: Path) -> None:
    assert [h["text"] for h in hits(project, "sagsbehanleren")] == ["Sagsbehanleren"]  # the typo, once
    exact = hits(project, "virksomhedskonsulnt")
    assert exact == []
    found = hits(project, "virksomhedskonsulnt", "--fuzzy")
    assert {(h["document_title"], h["text"]) for h in found} == {(INTERVIEW, "virksomhedskonsulent"),
                                                                (LEADER, "virksomhedskonsulent"),
                                                                (MINUTES, "virksomhedskonsulent")}
    assert all(0.9 < h["score"] < 1 for h in found)
    typo = hits(project, "sagsbehandleren", "--fuzzy")
    assert ("Sagsbehanleren", LEADER) in {(h["text"], h["document_title"]) for h in typo}
    assert ("Sagsbehandleren", LEADER) in {(h["text"], h["document_title"]) for h in typo}
    best = typo[0]
    assert best["text"] == "Sagsbehandleren" and best["score"] == 1.0
    by_title = texts(project)
    for hit in found + typo:
        assert by_title[hit["document_title"]][hit["start"] : hit["end"]] == hit["text"]
    assert hits(project, "tre", "--fuzzy") == []  # short words only match exactly: "tro" is not "tre"
    strict = hits(project, "sagsbehandleren", "--fuzzy", "--min-score", "0.99")
    assert {h["text"] for h in strict} == {"Sagsbehandleren"}


def test_fuzzy_best_first_with_a_limit_equals_the_head_of_all_hits(project: Path) -> None:
    everything = hits(project, "sagsbehandlern", "--fuzzy")
    assert len({h["score"] for h in everything}) >= 2 and len(everything) >= 4
    assert {h["text"] for h in everything} >= {"Sagsbehanleren", "Sagsbehandleren", "sagsbehandlerne"}
    for limit in range(1, len(everything) + 3):
        assert hits(project, "sagsbehandlern", "--fuzzy", "--limit", str(limit)) == everything[:limit]


def test_fuzzy_phrase_with_a_space_finds_the_compound(project: Path) -> None:
    found = hits(project, '"virksomheds konsulent"', "--fuzzy")
    assert {h["text"] for h in found} == {"virksomhedskonsulent"}


def test_stemming_finds_inflections(project: Path) -> None:
    plain = {h["text"].lower() for h in hits(project, "borger")}
    stemmed = {h["text"].lower() for h in hits(project, "borgerne", "--stem")}
    assert plain == {"borger"}
    assert {"borger", "borgeren", "borgerne", "borgere", "borgerens", "borgernes"} <= stemmed


# --- counts ---------------------------------------------------------------------------------------


def test_counts_per_municipality_kind_and_phase(project: Path) -> None:
    table = ok("--db", project, "search", "praktik", "--counts", "--json").json
    rows = {r["label"]: r for r in table["rows"]}
    assert list(rows) == ["Bakkedal", "Fjordby", "Lyngå", "Søholm"]
    assert (rows["Bakkedal"]["hits"], rows["Fjordby"]["hits"], rows["Lyngå"]["hits"], rows["Søholm"]["hits"]) \
        == (23, 1, 0, 2)
    assert rows["Lyngå"]["documents"] == 0 and rows["Lyngå"]["searched_documents"] == 1
    assert table["total"]["hits"] == 26 and table["total"]["documents"] == 3
    by_title = texts(project)
    assert rows["Bakkedal"]["characters"] == len(by_title[MINUTES])
    assert rows["Bakkedal"]["per_100k_characters"] == round(23 * 100_000 / len(by_title[MINUTES]), 2)
    kinds = {r["label"]: r["hits"] for r in ok("--db", project, "search", "praktik", "--counts", "--by", "kind",
                                                "--json").json["rows"]}
    assert kinds == {"interview": 2, "observation": 1, "minutes": 23}
    phases = {r["label"]: r["hits"] for r in ok("--db", project, "search", "praktik", "--counts", "--by", "phase",
                                                 "--json").json["rows"]}
    assert phases == {1: 0, 2: 2, 3: 23, 4: 1}
    text = ok("--db", project, "search", '"tror på"', "--counts", "--by", "municipality").out
    assert "Søholm" in text and "total" in text


# --- coding from results ----------------------------------------------------------------------------


def test_coding_twenty_hits_is_one_step_and_one_undo(project: Path) -> None:
    before = snapshot(project)
    coded = ok("--db", project, "search", "praktik", "--municipality", "Bakkedal", "--limit", "20",
               "--code", "Virksomhedskontakt", "--json").json
    assert len(coded) == 20 and all(c["created"] and c["text"] == "praktik" for c in coded)
    assert {c["code_path"] for c in coded} == {"Viden om arbejdsmarkedet/Virksomhedskontakt"}
    log = ok("--db", project, "log", "--json").json
    assert log[0]["action"] == "search.code" and log[1]["action"] == "import"
    excerpts = ok("--db", project, "excerpts", "--code", "Virksomhedskontakt", "--json").json
    assert sorted((e["start"], e["end"]) for e in excerpts) == sorted((c["start"], c["end"]) for c in coded)
    ok("--db", project, "undo")
    assert snapshot(project) == {**before, "coders": snapshot(project)["coders"]}
    assert ok("--db", project, "excerpts", "--json").json == []
    ok("--db", project, "redo")
    assert len(ok("--db", project, "excerpts", "--json").json) == 20


def test_coding_hits_widened_to_sentences_and_twice_is_idempotent(project: Path) -> None:
    coded = ok("--db", project, "search", "praktik OR angst", "--document", LEADER, "--code", "Specifik tro",
               "--snap", "sentence", "--rating", "4", "--memo", "fundet ved søgning", "--json").json
    assert [c["text"] for c in coded] == [
        "Borgeren får en praktik, og så kan vi se, hvad hun kan.",
        "Jeg tror på, at praktik virker – også for borgere med angst."]
    again = ok("--db", project, "search", "praktik OR angst", "--document", LEADER, "--code", "Specifik tro",
               "--snap", "sentence", "--json").json
    assert [c["id"] for c in again] == [c["id"] for c in coded] and not any(c["created"] for c in again)
    excerpts = ok("--db", project, "excerpts", "--json").json
    assert {(e["rating"], e["memo"]) for e in excerpts} == {(4, "fundet ved søgning")}


def test_dry_run_and_bad_coding_requests_change_nothing(project: Path) -> None:
    before = snapshot(project)
    plan = ok("--db", project, "search", "praktik", "--code", "Virksomhedskontakt", "--snap", "sentence",
              "--dry-run", "--json").json
    assert plan["dry_run"] and len(plan["spans"]) == 26
    assert all("praktik" in s["text"].lower() for s in plan["spans"])
    for args, message in (
        (["--code", "Sparringskultur og ledelse"], "category"),
        (["--code", "Findes ikke"], "no code"),
        (["--code", "Virksomhedskontakt", "--rating", "3"], "no rating scale"),
        (["--snap", "sentence"], "go(es) with --code"),
        (["--code", "Virksomhedskontakt", "--counts"], "do not go together"),
    ):
        result = run("--db", project, "search", "praktik", *args)
        assert result.code == 1 and message in result.err and "Traceback" not in result.err, (args, result.err)
    assert snapshot(project) == before


def test_coding_chosen_hits_by_their_numbers(project: Path) -> None:
    query = ["praktik", "--municipality", "Bakkedal", "--sort", "document"]
    listed = hits(project, *query)
    assert [h["number"] for h in listed] == list(range(1, len(listed) + 1)) and len(listed) > 7
    lines = ok("--db", project, "search", *query).out.splitlines()
    assert lines[0].startswith("   1  ") and lines[6].startswith("   7  ") and "«praktik»" in lines[6]
    wanted = [(listed[n - 1]["start"], listed[n - 1]["end"]) for n in (1, 3, 7)]
    before = snapshot(project)
    plan = ok("--db", project, "search", *query, "--code", "Virksomhedskontakt", "--hits", "7,1,3",
              "--dry-run", "--json").json
    assert [(s["start"], s["end"]) for s in plan["spans"]] == wanted
    assert snapshot(project) == before
    coded = ok("--db", project, "search", *query, "--code", "Virksomhedskontakt", "--hits", "1,3,7,3",
               "--json").json
    assert sorted((c["start"], c["end"]) for c in coded) == wanted and all(c["text"] == "praktik" for c in coded)
    excerpts = ok("--db", project, "excerpts", "--json").json
    assert sorted((e["start"], e["end"]) for e in excerpts) == wanted
    entry = ok("--db", project, "log", "--json").json[0]
    assert entry["action"] == "search.code" and entry["details"]["hits"] == [1, 3, 7]
    assert entry["summary"] == "coded hits 1,3,7,3 of 'praktik' with Virksomhedskontakt"
    ok("--db", project, "undo")  # the chosen hits are one step
    assert snapshot(project) == {**before, "coders": snapshot(project)["coders"]}
    ranged = ok("--db", project, "search", *query, "--code", "Ledelse", "--hits", "2-4,9", "--json").json
    assert sorted((c["start"], c["end"]) for c in ranged) == sorted(
        (listed[n - 1]["start"], listed[n - 1]["end"]) for n in (2, 3, 4, 9))
    ok("--db", project, "undo")
    for args, message in (
        (["--code", "Ledelse", "--hits", str(len(listed) + 1)], f"there is no hit {len(listed) + 1}"),
        (["--code", "Ledelse", "--hits", "1,x"], "is not a list of hit numbers"),
        (["--code", "Ledelse", "--hits", "0"], "numbered from 1"),
        (["--code", "Ledelse", "--hits", "5-2"], "not a hit number or a range"),
        (["--code", "Ledelse", "--hits", "1-999999999"], "there is no hit 999999999"),
        (["--hits", "1"], "go(es) with --code"),
    ):
        result = run("--db", project, "search", *query, *args)
        assert result.code == 1 and message in result.err and "Traceback" not in result.err, (args, result.err)
        assert result.err.count("\n") == 1
    assert snapshot(project) == {**before, "coders": snapshot(project)["coders"]}


def test_no_hits_codes_nothing(project: Path) -> None:
    before = snapshot(project)
    result = ok("--db", project, "search", "fodbold", "--code", "Virksomhedskontakt")
    assert "nothing was coded" in result.out
    assert snapshot(project) == {**before, "coders": snapshot(project)["coders"]}
    assert ok("--db", project, "log", "--json").json[0]["action"] == "import"


# --- bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize("query, message, corrected", [
    ('borger "job', "quote", 'borger "job"'),
    ("(praktik OR angst", "'(' is not closed", "(praktik OR angst)"),
    ("praktik)", "unexpected ')'", "praktik"),
    ("praktik AND", "AND needs something on each side", "praktik"),
    ("OR angst", "OR needs something on each side", "angst"),
    ("borger -angst", "NOT", "borger NOT angst"),
    ("NEAR(borger job, x)", "number of words", None),
])
def test_syntax_errors_get_one_line_with_the_corrected_form(project: Path, query: str, message: str,
                                                            corrected: str | None) -> None:
    result = run("--db", project, "search", query)
    assert result.code == 1 and result.out == ""
    assert message in result.err and result.err.count("\n") == 1 and "Traceback" not in result.err
    if corrected is not None:
        assert f"did you mean: {corrected}" in result.err
        assert run("--db", project, "search", corrected).code == 0


@pytest.mark.parametrize("query, message", [("", "the search is empty"), ("   ", "the search is empty"),
                                            ("😊 ?!", "has no words in it"), ("AND", "did you mean: and")])
def test_empty_queries_are_refused_clearly(project: Path, query: str, message: str) -> None:
    result = run("--db", project, "search", query)
    assert result.code == 1 and message in result.err and "Traceback" not in result.err
    missing = run("--db", project, "search")
    assert missing.code == 1 and "give something to search for" in missing.err


def test_a_project_without_documents_returns_nothing(tmp_path: Path) -> None:
    db = tmp_path / "tom.db"
    ok("--db", db, "init", "--codebook", SMALL_CODEBOOK, "--coder", "Anna Krogh")
    assert hits(db, "praktik") == [] and hits(db, "praktik", "--fuzzy") == []
    assert ok("--db", db, "search", "praktik", "--counts", "--json").json["total"]["hits"] == 0
    assert ok("--db", db, "search", "praktik").out.strip() == "0 hits in 0 documents of 0 searched"


# --- similar passages -------------------------------------------------------------------------------


def test_similar_lists_uncoded_passages_most_like_the_excerpt(project: Path) -> None:
    coding = ok("--db", project, "code", INTERVIEW, "--code", "Virksomhedskontakt", "--match",
                "Vores virksomhedskonsulent ringer til bageriet i Lyngå hver uge.", "--json").json[0]
    found = ok("--db", project, "similar", coding["id"][:8], "--json").json
    assert found, "something in the leader interview is like the excerpt"
    assert found[0]["document_title"] == LEADER
    assert found[0]["text"] == "Vores virksomhedskonsulent tager ud til virksomhederne hver uge."
    scores = [h["score"] for h in found]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert all(not (h["document_title"] == INTERVIEW and h["start"] < coding["end"] and h["end"] > coding["start"])
               for h in found), "the excerpt itself carries the code"
    ok("--db", project, "code", LEADER, "--code", "Virksomhedskontakt", "--match", "tager ud til virksomhederne")
    again = ok("--db", project, "similar", coding["id"], "--limit", "3", "--json").json
    assert len(again) <= 3 and found[0]["start"] not in {h["start"] for h in again if h["document_title"] == LEADER}
    turns = ok("--db", project, "similar", coding["id"], "--unit", "turn", "--json").json
    assert turns and all(h["speaker"] for h in turns if h["kind"] == "interview")
    text = ok("--db", project, "similar", coding["id"]).out
    assert "Virksomhedskontakt" in text
    assert run("--db", project, "similar", "ffffffff").code == 1


# --- the index keeps in step with every change -------------------------------------------------------


def test_no_stale_hits_after_edit_undo_redo_delete(project: Path, tmp_path: Path) -> None:
    original = texts(project)[LEADER]
    edited = original.replace("virksomhedskonsulent", "jobkonsulent").replace("Sagsbehanleren", "Sagsbehandleren")
    new_file = tmp_path / "rettet.txt"
    new_file.write_text(edited, encoding="utf-8")

    def titles(query: str) -> set[str]:
        return {h["document_title"] for h in hits(project, query)}

    assert LEADER in titles("virksomhedskonsulent") and LEADER not in titles("jobkonsulent")
    ok("--db", project, "edit", LEADER, "--from-file", new_file)
    assert LEADER not in titles("virksomhedskonsulent") and titles("jobkonsulent") == {LEADER}
    assert hits(project, "sagsbehanleren") == []
    ok("--db", project, "undo")
    assert LEADER in titles("virksomhedskonsulent") and titles("jobkonsulent") == set()
    assert [h["text"] for h in hits(project, "sagsbehanleren")] == ["Sagsbehanleren"]
    ok("--db", project, "redo")
    assert titles("jobkonsulent") == {LEADER}
    ok("--db", project, "doc", "delete", LEADER, "--yes")
    assert titles("jobkonsulent") == set() and LEADER not in titles("praktik")
    ok("--db", project, "undo")
    assert titles("jobkonsulent") == {LEADER}
    now = texts(project)
    for hit in hits(project, "praktik") + hits(project, "jobkonsulent", "--fuzzy"):
        assert now[hit["document_title"]][hit["start"] : hit["end"]] == hit["text"]
    with closing(sqlite3.connect(project)) as conn:  # FTS5 checks its index against the documents
        conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('integrity-check', 1)")


def test_damaged_index_falls_back_to_reading_and_reindex_restores_it(project: Path) -> None:
    expected = hits(project, "praktik")
    with closing(sqlite3.connect(project)) as conn:
        conn.execute("DROP TRIGGER search_index_after_update")
        conn.commit()
    result = run("--db", project, "search", "praktik", "--json")
    assert result.code == 0 and result.json == expected
    assert "fieldnotes search --reindex" in result.err
    assert ok("--db", project, "search", "--reindex", "--json").json == {"index": "fts5"}
    result = run("--db", project, "search", "praktik", "--json")
    assert result.json == expected and result.err == ""
    with closing(sqlite3.connect(project)) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search_index%'")}
        assert "search_index_after_update" in names
        conn.execute("DROP TABLE search_index_vocab")
        conn.execute("DROP TABLE search_index")
        conn.commit()
    result = run("--db", project, "search", "praktik", "--fuzzy", "--json")
    assert result.code == 0 and "missing" in result.err and "--reindex" in result.err
    assert [(h["start"], h["text"]) for h in result.json if h["score"] == 1.0] == [(h["start"], h["text"])
                                                                                 for h in expected]
    ok("--db", project, "search", "--reindex")
    assert hits(project, "praktik") == expected


def test_help_describes_the_query_language() -> None:
    out = run("search", "--help").out
    for word in ("NEAR(borger job, 5)", "--fuzzy", "--inside", "--counts", "--code", "--dry-run", "--sort"):
        assert word in out
    assert "CODING_ID" in run("similar", "--help").out


def test_upgrading_an_older_project_indexes_its_documents_and_downgrade_removes_it(tmp_path: Path) -> None:
    import shutil

    from fieldnotes.db import migrate
    from fieldnotes.db.backends import engine_for

    older = tmp_path / "older.db"  # the released schema before the search index, with a document in it
    shutil.copy(Path(__file__).parent / "fixtures" / "schemas" / "7bbb24f0434b.db", older)
    found = hits(older, "lageret")
    assert [(h["document_title"], h["text"], h["municipality"]) for h in found] == [
        ("Interview med sagsbehandler", "lageret", "Lyngå")]
    engine = engine_for(str(older))
    try:
        migrate.downgrade(engine, "7bbb24f0434b")
        with engine.connect() as conn:
            left = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name LIKE 'search_index%'").all()
        assert left == []
        migrate.upgrade(engine)
        assert migrate.differences(engine) == []
    finally:
        engine.dispose()
    assert hits(older, "lageret") == found
    assert hits(older, "lagert", "--fuzzy")[0]["text"] == "lageret"
