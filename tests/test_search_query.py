"""The search language, the matcher, Danish stemming and fuzzy variants, without a project.

The property tests hold the design together: the Python matcher finds a word exactly where SQLite's
FTS5 does (so the index never hides a hit), and every query that cannot be read has a corrected form
that can.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldnotes.search import tokens as tk
from fieldnotes.search.fuzzy import expand, max_edits, variants
from fieldnotes.search.index import compile_query
from fieldnotes.search.matching import Matcher, trie_regex
from fieldnotes.search.query import And, EmptyQuery, Near, Not, Or, Phrase, QuerySyntaxError, Term, parse
from fieldnotes.search.stemming import stem

TEXT = ("Borgeren tror på jobbet. Borgerne får praktik hos virksomheds-konsulenten i Ørsted.\n"
        "Pa er ikke her. ØH, borger😊job! kursus_forløb; mette@fjordby.dk kl. 9.15")


def found(query: str, text: str = TEXT, start: int = 0, end: int | None = None, *, stemmed: bool = False
          ) -> list[tuple[str, float]]:
    parsed = parse(query)
    node = parsed.with_stemming().node if stemmed else parsed.node
    matches = Matcher(node).unit(text, tk.lowered(text), start, len(text) if end is None else end)
    return [(text[m.start : m.end], round(m.score, 3)) for m in matches]


# --- reading queries -------------------------------------------------------------------------------


def test_queries_read_like_fts5() -> None:
    assert parse("borger jobchance").node == And((Term("borger"), Term("jobchance")))
    assert parse("borger AND jobchance").node == parse("borger jobchance").node
    assert parse("one OR two NOT three").node == Or((Term("one"), Not(Term("two"), Term("three"))))
    assert parse('"tror på"').node == Phrase((Term("tror"), Term("på")))
    assert parse("prakti*").node == Term("prakti", "prefix")
    assert parse('"tror på"*').node == Phrase((Term("tror"), Term("på", "prefix")))
    assert parse("NEAR(borger job, 5)").node == Near((Term("borger"), Term("job")), 5)
    assert parse("NEAR(borger \"tror på\")").node == Near((Term("borger"), Phrase((Term("tror"), Term("på")))))
    assert parse("(a OR b) c").node == And((Or((Term("a"), Term("b"))), Term("c")))
    assert parse("Ørsted ÆBLE").node == And((Term("ørsted"), Term("æble")))
    assert parse("and or not near").node == And(tuple(Term(w) for w in ("and", "or", "not", "near")))
    assert parse("virksomheds-konsulent").node == Phrase((Term("virksomheds"), Term("konsulent")))
    assert parse("mette@fjordby.dk").node == Phrase((Term("mette"), Term("fjordby"), Term("dk")))
    assert parse("borger ? 😊").node == Term("borger")
    assert parse("a\u030a").node == Term("å")  # decomposed å is read as the one letter


@pytest.mark.parametrize("query, corrected", [
    ('borger "job', 'borger "job"'), ("(a OR b", "(a OR b)"), ("a)", "a"), ("a AND", "a"), ("OR a", "a"),
    ("a AND OR b", "a AND b"), ("a -b", "a NOT b"), ("NEAR(a b", "NEAR(a b)"), ("a, b", "a b"),
    ("NOT a", "a"), ("a NOT", "a"), ("(a OR )", "(a)"), ("a -AND", "a NOT and"),
])
def test_unreadable_queries_carry_their_corrected_form(query: str, corrected: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert caught.value.corrected == corrected
    assert f"did you mean: {corrected}" in str(caught.value)
    lenient = parse(query, lenient=True)
    assert lenient.node == parse(corrected).node and lenient.corrections


@pytest.mark.parametrize("query", ["", "  ", "😊", "?!", "()", '""'])
def test_nothing_to_search_for(query: str) -> None:
    with pytest.raises(EmptyQuery):
        parse(query)


@given(st.lists(st.sampled_from([*'ab øæ"()*,-', "AND", "OR", "NOT", "NEAR", " ", "5", "😊"]),
                max_size=16).map("".join))
def test_every_query_reads_or_says_how_to_fix_it(query: str) -> None:
    try:
        parsed = parse(query)
    except EmptyQuery:
        return
    except QuerySyntaxError as error:
        assert error.corrected is not None
        try:
            parse(error.corrected)
        except EmptyQuery:
            pass
        lenient = parse(query, lenient=True)
        assert lenient.corrections
        return
    assert str(parsed)


# --- matching --------------------------------------------------------------------------------------


def test_letters_stay_distinct_case_is_ignored_and_spans_are_exact() -> None:
    assert found("på") == [("på", 1.0)]
    assert found("pa") == [("Pa", 1.0)]
    assert found("ørsted") == [("Ørsted", 1.0)] and found("orsted") == []
    assert found("øh") == [("ØH", 1.0)]
    assert found("borger") == [("borger", 1.0)]
    assert found("job") == [("job", 1.0)]  # the emoji separates words
    assert found("forløb") == [("forløb", 1.0)]  # so does "_"
    assert found("fjordby") == [("fjordby", 1.0)] and found("15") == [("15", 1.0)]


def test_phrases_prefixes_near_and_not() -> None:
    assert found('"tror på"') == [("tror på", 1.0)]
    assert found('"borger job"') == [("borger😊job", 1.0)]
    assert found('"jobbet borgerne"') == [("jobbet. Borgerne", 1.0)]  # a sentence end does not break a phrase
    assert found("borger*") == [("Borgeren", 1.0), ("Borgerne", 1.0), ("borger", 1.0)]
    assert found("virksomheds-konsulenten") == [("virksomheds-konsulenten", 1.0)]
    assert found("NEAR(borgerne praktik, 1)") == [("Borgerne får praktik", 1.0)]
    assert found("NEAR(borgerne praktik, 0)") == []
    assert found("NEAR(praktik borgerne, 1)") == [("Borgerne får praktik", 1.0)]  # either order
    assert found("praktik NOT ørsted") == []
    assert found("praktik NOT københavn") == [("praktik", 1.0)]


def test_or_scores_by_the_share_of_alternatives_present() -> None:
    assert found("praktik OR københavn") == [("praktik", 0.5)]
    assert found("praktik OR ørsted") == [("praktik", 1.0), ("Ørsted", 1.0)]
    assert found("(praktik OR københavn) ørsted") == [("praktik", 0.667), ("Ørsted", 0.667)]


def test_units_only_hold_whole_words() -> None:
    start = TEXT.index("gerne får")  # the middle of "Borgerne"
    assert found("borgerne", start=start) == []
    assert found("praktik", start=start, end=TEXT.index("aktik hos")) == []
    assert found("borgerne", start=TEXT.index("Borgerne")) == [("Borgerne", 1.0)]


def test_text_whose_lower_case_moves_offsets_is_matched_case_insensitively() -> None:
    text = "İstanbul: Borgeren og BORGEREN"
    assert tk.lowered(text) is None
    assert found("borgeren", text) == [("Borgeren", 1.0), ("BORGEREN", 1.0)]


def test_stemmed_search_finds_inflections_only() -> None:
    text = "borger borgeren borgerne borgere borgerens borgmester borg"
    assert [w for w, _ in found("borgerne", text, stemmed=True)] == ["borger", "borgeren", "borgerne", "borgere",
                                                                      "borgerens", "borg"]


@given(st.lists(st.sampled_from(["borger", "Borgeren", "på", "pa", "PÅ", "øh", "job", "jobs", "tror", "ørsted",
                                 "orsted", "9", "15"]), min_size=1, max_size=12),
       st.lists(st.sampled_from([" ", ", ", ". ", "\n", "😊", "-", "_", " – ", "@", "«", "»"]), min_size=12,
                max_size=12),
       st.sampled_from(["borger", "på", "pa", "øh", "job", "tror", "ørsted", "jo*", '"tror på"', "NEAR(job tror, 2)",
                        "borger OR job", "job NOT tror", '"borger job"', "15"]))
def test_python_finds_words_exactly_where_fts5_does(words: list[str], separators: list[str], query: str) -> None:
    text = "".join(w + s for w, s in zip(words, separators, strict=False))
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 0')")
        conn.execute("INSERT INTO t VALUES (?)", (text,))
        node = parse(query).node
        expression = compile_query(node, "sqlite").expression
        in_fts = bool(conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()[0])
    in_python = bool(Matcher(node).unit(text, tk.lowered(text), 0, len(text)))
    assert in_python == in_fts, (text, query, expression)


# --- Danish stemming -----------------------------------------------------------------------------------


@pytest.mark.parametrize("word, expected", [
    ("borger", "borg"), ("borgeren", "borg"), ("borgerne", "borg"), ("borgere", "borg"),
    ("virksomheder", "virksom"), ("virksomheden", "virksom"), ("afbrydelse", "afbryd"), ("kattene", "kat"),
    ("lovligst", "lov"), ("undervisningen", "undervisning"), ("sagsbehandleren", "sagsbehandl"),
    ("på", "på"), ("og", "og"), ("jobchancer", "jobchanc"),
])
def test_snowball_danish_stems(word: str, expected: str) -> None:
    assert stem(word) == expected


@given(st.text(alphabet="abdegiklnorstæøå", max_size=14))
def test_a_stem_is_a_prefix_of_its_word(word: str) -> None:
    assert word.startswith(stem(word))


# --- regexes and fuzzy variants ------------------------------------------------------------------------


@given(st.sets(st.text(alphabet="abæø", min_size=1, max_size=5), min_size=1, max_size=12),
       st.text(alphabet="abæø", max_size=6))
def test_trie_regex_matches_exactly_its_words(words: set[str], probe: str) -> None:
    pattern = re.compile("(?:" + trie_regex(sorted(words)) + ")")
    for word in [*words, probe]:
        assert bool(pattern.fullmatch(word)) == (word in words)


def test_fuzzy_variants_tolerate_typos_and_score_them() -> None:
    vocabulary = ["sagsbehandler", "sagsbehandleren", "sagsbehandlere", "sag", "tre", "tro", "behandler", "borger"]
    found_variants = dict(variants("sagsbehanler", vocabulary))
    assert set(found_variants) == {"sagsbehandler", "sagsbehandleren", "sagsbehandlere"}
    assert found_variants["sagsbehandler"] == 0.96 and found_variants["sagsbehandleren"] < 0.96
    assert variants("tro", vocabulary) == [("tro", 1.0)] and variants("tri", vocabulary) == []
    assert [max_edits(n) for n in (2, 3, 4, 6, 9, 14)] == [0, 0, 1, 2, 3, 3]
    expanded = expand(parse('"virksomheds konsulent" borger').node, ["virksomhedskonsulent", "borger", "borgere"])
    assert isinstance(expanded, And) and isinstance(expanded.children[0], Or) and expanded.children[0].synonyms
    text = "Vores virksomhedskonsulent ringer til borgere"
    matches = Matcher(expanded).unit(text, tk.lowered(text), 0, len(text))
    assert [(text[m.start : m.end], round(m.score, 2)) for m in matches] == [("virksomhedskonsulent", 1.0),
                                                                              ("borgere", 0.92)]


def test_candidate_expressions_for_each_backend() -> None:
    node = parse('praktik "tror på" NOT angst').node
    # NOT binds tighter than AND, as in FTS5: praktik AND ("tror på" NOT angst)
    assert compile_query(node, "sqlite").expression == '("praktik" AND ("tror" + "på" NOT "angst"))'
    assert compile_query(node, "postgresql").expression == "('praktik' & (('tror' & 'på') & !'angst'))"
    assert compile_query(node, "postgresql", negatives=False).expression == "('praktik' & ('tror' & 'på'))"
    phrase_under_not = parse('praktik NOT "tror på"').node
    assert compile_query(phrase_under_not, "postgresql").expression == "'praktik'"  # inexact: never exclude
    assert compile_query(parse("borger").with_stemming().node, "sqlite").expression == '"borg"*'
    nothing = expand(parse("xyzzyq").node, ["borger"])
    assert compile_query(nothing, "sqlite").expression is None
