"""Word frequencies, key words (log-likelihood) and key words in context, against counts made here by hand."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldnotes.analysis.words import log_likelihood, stopwords, tokenise
from tests.helpers import ok, run
from tests.projectdata import make_project
from tests.test_analysis import INTERVIEW, MEETING, MEMO, NOTE, build_analysis_project

LABEL = re.compile(r"^\[\d\d:\d\d:\d\d\] [IR]: ", re.MULTILINE)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIELDNOTES_HOME", str(tmp_path_factory.mktemp("home")))
        patch.setenv("FIELDNOTES_LANG", "en")
        yield Path(build_analysis_project(tmp_path_factory.mktemp("words")))


@pytest.fixture(scope="module")
def texts(project: Path) -> dict[str, str]:
    """Each document's text as read for words: the interview without its timestamps and speaker labels."""
    out = {}
    for title in (INTERVIEW, NOTE, MEETING, MEMO):
        text = ok("--db", project, "show", title, "--json").json["text"]
        out[title] = LABEL.sub("", text)
    assert "R:" not in out[INTERVIEW] and "[00:" not in out[INTERVIEW]
    return out


def count(text: str) -> Counter[str]:
    """Words counted by hand, split by fieldnotes' own tokeniser (tested on its own above)."""
    return Counter(tokenise(text))


def listed(column: dict[str, Any]) -> dict[str, int]:
    return {w["word"]: w["count"] for w in column["words"]}


def test_tokenise_danish() -> None:
    assert tokenise("Ærø-projektet 🚀 giver ØKONOMI og it-systemet 3F 2025; Søren's «tro» – social- og") == [
        "ærø-projektet", "giver", "økonomi", "og", "it-systemet", "f", "søren", "s", "tro", "social", "og"]
    assert tokenise("Åbenhed, ærlighed og ømhed!") == ["åbenhed", "ærlighed", "og", "ømhed"]
    assert {"og", "på", "jeg", "altså", "øh"} <= stopwords()
    assert not {"tro", "tror", "borger", "job", "jobchance", "godt", "få"} & stopwords()


def test_frequencies_per_municipality_match_a_direct_count(project: Path, texts: dict[str, str]) -> None:
    out = ok("--db", project, "words", "--by", "municipality", "--all-words", "--limit", "1000", "--json").json
    columns = {c["label"]: c for c in out["columns"]}
    assert list(columns) == ["Fjordby", "Lyngå", "(none)"]
    expected = {"Fjordby": count(texts[NOTE] + "\n" + texts[MEETING]),
                "Lyngå": count(texts[INTERVIEW] + "\n" + texts[MEETING]), "(none)": count(texts[MEMO])}
    for label, counts in expected.items():
        assert listed(columns[label]) == dict(counts), label
        assert columns[label]["tokens"] == sum(counts.values()) and columns[label]["types"] == len(counts)
        assert columns[label]["words"][0]["per_10k"] == pytest.approx(
            10_000 * counts.most_common(1)[0][1] / sum(counts.values()), abs=0.001)
    without = ok("--db", project, "words", "--by", "municipality", "--limit", "1000", "--json").json
    for column in without["columns"]:
        assert listed(column) == {w: n for w, n in expected[column["label"]].items() if w not in stopwords()}
        assert "og" not in listed(column) and column["tokens"] == sum(expected[column["label"]].values())


def test_words_of_one_role_and_of_coded_excerpts(project: Path, texts: dict[str, str]) -> None:
    interview = ok("--db", project, "show", INTERVIEW, "--json").json["text"]
    answers = "\n".join(line.split(": ", 1)[1] for line in interview.splitlines() if "] R: " in line)
    out = ok("--db", project, "words", "--role", "sagsbehandler", "--all-words", "--limit", "1000", "--json").json
    assert [c["label"] for c in out["columns"]] == ["(all)"] and out["roles"] == ["sagsbehandler"]
    assert listed(out["columns"][0]) == dict(count(answers))
    by_role = {c["label"]: c for c in ok("--db", project, "words", "--by", "role", "--all-words", "--limit", "1000",
                                         "--json").json["columns"]}
    assert set(by_role) == {"forsker", "sagsbehandler", "(none)"}
    assert listed(by_role["sagsbehandler"]) == dict(count(answers))
    excerpts = ok("--db", project, "excerpts", "--code", "Kollegial sparring", "--json").json
    covered: dict[str, set[int]] = {}
    for e in excerpts:
        covered.setdefault(e["document"], set()).update(range(e["start"], e["end"]))
    expected: Counter[str] = Counter()
    for doc, characters in covered.items():
        text = ok("--db", project, "show", doc, "--json").json["text"]
        expected += count("".join(ch if i in characters else " " for i, ch in enumerate(text)))
    out = ok("--db", project, "words", "--code", "Kollegial sparring", "--all-words", "--limit", "1000", "--json").json
    assert out["source"] == "excerpts" and listed(out["columns"][0]) == dict(expected)
    assert expected["teamet"] == 1  # coded twice (two coders), read once


def test_key_words_use_dunnings_log_likelihood(project: Path, texts: dict[str, str]) -> None:
    out = ok("--db", project, "words", "--keyness", "--min-count", "1", "--limit", "1000", "--json").json
    assert out["by"] == "municipality" and out["measure"] == "log-likelihood (Dunning 1993)"
    everything = count("\n".join(texts.values()))
    columns = {"Fjordby": count(texts[NOTE] + texts[MEETING]), "Lyngå": count(texts[INTERVIEW] + texts[MEETING]),
               "(none)": count(texts[MEMO])}
    for column in out["columns"]:
        here = columns[column["label"]]
        c = sum(here.values())
        d = sum(everything.values()) - c
        expected = {}
        for word, a in here.items():
            b = everything[word] - a
            if word in stopwords() or a / c <= b / d:
                continue
            e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
            g2 = 2 * (a * math.log(a / e1) + (b * math.log(b / e2) if b else 0))
            if g2 >= 3.84:
                expected[word] = g2
        shown = {k["word"]: k["log_likelihood"] for k in column["key_words"]}
        assert shown == pytest.approx({w: round(g, 3) for w, g in expected.items()}, abs=0.001), column["label"]
        values = [k["log_likelihood"] for k in column["key_words"]]
        assert values == sorted(values, reverse=True)
    assert log_likelihood(10, 0, 100, 100) == pytest.approx(2 * 10 * math.log(2))
    assert log_likelihood(0, 0, 100, 100) == 0.0


def test_key_words_show_how_two_municipalities_talk_differently(tmp_path: Path) -> None:
    db = make_project(tmp_path)
    folder = tmp_path / "noter"
    folder.mkdir()
    søholm = "Borgeren har mange barrierer. " * 6 + "Sagsfremstillingen nævner barrierer først."
    bakkedal = "Borgeren har ressourcer og styrker. " * 6 + "Vi ser ressourcer før barrierer."
    for name, municipality, text in (("søholm", "Søholm", søholm), ("bakkedal", "Bakkedal", bakkedal)):
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        (folder / f"{name}.meta.yaml").write_text(f"kind: observation\nmunicipality: {municipality}\n",
                                                  encoding="utf-8")
    ok("--db", db, "import", folder, "--coder", "Anna Krogh")
    out = ok("--db", db, "words", "--keyness", "--kind", "observation", "--json").json
    columns = {c["label"]: c for c in out["columns"]}
    words_of = {label: count(text) for label, text in (("Søholm", søholm), ("Bakkedal", bakkedal))}
    fjordby = ok("--db", db, "show", "Teammøde i Fjordby", "--json").json["text"]
    words_of["Fjordby"] = count(fjordby)
    total = sum(words_of.values(), Counter())
    a, c = words_of["Søholm"]["barrierer"], sum(words_of["Søholm"].values())
    b, d = total["barrierer"] - a, sum(total.values()) - c
    top = columns["Søholm"]["key_words"][0]
    assert (top["word"], top["count"], top["other_count"]) == ("barrierer", a, b) == ("barrierer", 7, 1)
    e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
    assert top["log_likelihood"] == pytest.approx(2 * (a * math.log(a / e1) + b * math.log(b / e2)), abs=0.001)
    assert top["log_likelihood"] > 3.84
    assert top["log_ratio"] == pytest.approx(math.log2((a / c) / (b / d)), abs=0.001)
    assert columns["Bakkedal"]["key_words"][0]["word"] == "ressourcer"
    assert "barrierer" not in {k["word"] for k in columns["Bakkedal"]["key_words"]}


def test_key_words_in_context(project: Path, texts: dict[str, str]) -> None:
    out = ok("--db", project, "words", "--kwic", "sparring*", "--json").json
    expected = sum(1 for t in texts.values() for word in tokenise(t) if word.startswith("sparring"))
    assert len(out) == expected == 3
    for line in out:
        text = ok("--db", project, "show", line["document"], "--json").json["text"]
        assert text[line["start"]:line["end"]] == line["word"] and line["word"].lower().startswith("sparring")
        assert text[:line["start"]].replace("\n", " ").endswith(line["left"]) and line["left"]
    meeting = next(line for line in out if line["document_title"] == MEETING)
    assert meeting["right"].startswith(" på tværs 😀") and meeting["municipality"] == "Fjordby, Lyngå"
    exact = ok("--db", project, "words", "--kwic", "Ærø-projektet", "--json").json
    assert [line["word"] for line in exact] == ["Ærø-projektet"]
    text = ok("--db", project, "words", "--kwic", "teamet", "--role", "forsker", "--width", "12").out.splitlines()
    assert text == ["vad gør I i [teamet]?" + " " * 11 + "  Interview med sagsbehandler · Lyngå", "1 use of teamet"]


@pytest.mark.parametrize("args, message", [
    (["--kwic", "to ord"], "is not a word"),
    (["--by", "coder"], "words cannot be split by coder"),
    (["--by", "attr:ukendt"], "known attributes"),
])
def test_bad_word_requests(project: Path, args: list[str], message: str) -> None:
    result = run("--db", project, "words", *args)
    assert result.code == 1 and message in result.err and result.err.count("\n") == 1


SERVICE_TRANSCRIPT = (
    "Speaker 1  00:01:02\nHvordan går det med jobsøgningen, Søren?\n\n"
    "Søren Ærø  00:01:18\nDet går fint. Jeg tror på det nu.\n\n"
    "Speaker 1  00:02:16\nHvad har ændret sig?\n\n"
    "Søren Ærø  00:02:41\nSagsbehandleren tror på mig.\n\n"
    "Søren Ærø  00:03:05\nOg jeg har fået praktik.\n"
)


def test_header_lines_of_a_transcription_service_are_not_words(tmp_path: Path) -> None:
    db = make_project(tmp_path)
    folder = tmp_path / "service"
    folder.mkdir()
    (folder / "borger.txt").write_text(SERVICE_TRANSCRIPT, encoding="utf-8")
    (folder / "borger.meta.yaml").write_text("title: Interview med borger\nkind: interview\nmunicipality: Søholm\n",
                                             encoding="utf-8")
    ok("--db", db, "import", folder, "--coder", "Anna Krogh")
    said = "\n".join(line for line in SERVICE_TRANSCRIPT.splitlines() if not re.search(r"\d\d:\d\d$", line))
    expected = count(said)
    assert expected["søren"] == 1 and "speaker" not in expected and "ærø" not in expected
    out = ok("--db", db, "words", "--municipality", "Søholm", "--all-words", "--limit", "1000", "--json").json
    assert listed(out["columns"][0]) == dict(expected)
    keyness = ok("--db", db, "words", "--keyness", "--min-count", "1", "--limit", "1000", "--json").json
    søholm = next(c for c in keyness["columns"] if c["label"] == "Søholm")
    assert "speaker" not in {k["word"] for k in søholm["key_words"]} and søholm["tokens"] == sum(expected.values())
    assert ok("--db", db, "words", "--kwic", "speaker", "--json").json == []
    mine = ok("--db", db, "words", "--kwic", "søren", "--municipality", "Søholm", "--json").json
    assert [(line["left"], line["right"]) for line in mine] == [("Hvordan går det med jobsøgningen, ", "?")]


def test_no_names_leaves_out_people_cases_and_register_names(tmp_path: Path) -> None:
    db = make_project(tmp_path)  # speakers Anna Krogh and Mette Vinther; cases Lyngå and Fjordby
    folder = tmp_path / "observation"
    folder.mkdir()
    observation = ("Jonas fra Bageriet Havnebrød kom forbi. Mette Vinther og Jonas talte om Søren og lageret i "
                   "Fjordby. Der var storm i går, så Storm kom for sent.")
    (folder / "besøg.txt").write_text("\n".join([observation] * 3), encoding="utf-8")
    (folder / "besøg.meta.yaml").write_text(
        "kind: observation\nmunicipality: Fjordby\nparticipants: [Jonas Storm (virksomhed)]\n", encoding="utf-8")
    ok("--db", db, "import", folder, "--coder", "Anna Krogh")
    ok("--db", db, "pseudonyms", "add", "Søren", "Bo")
    ok("--db", db, "pseudonyms", "add", "Bageriet Havnebrød", "Bageriet Kornblomsten", "--category", "workplace")
    read = {title: ok("--db", db, "show", title, "--json").json["text"]
            for title in ("Interview med sagsbehandler", "Teammøde i Fjordby", "besøg")}
    read["Interview med sagsbehandler"] = LABEL.sub("", read["Interview med sagsbehandler"])
    everything = count("\n".join(read.values()))
    # "bageriet" (the interview's "ringer til bageriet") and "storm" ("storm i går") are also written in
    # lower case, so they are words; the rest are only ever names
    names = {"mette", "vinther", "jonas", "søren", "havnebrød", "lyngå", "fjordby"}
    assert names <= set(everything) and {"bageriet", "storm"} <= set(everything)
    assert not {"anna", "krogh", "bo", "kornblomsten"} & set(everything)
    out = ok("--db", db, "words", "--no-names", "--all-words", "--limit", "1000", "--json").json
    assert out["names_removed"] == sorted(names)
    column = out["columns"][0]
    assert listed(column) == {w: n for w, n in everything.items() if w not in names}
    assert column["tokens"] == sum(everything.values())  # names count in the totals, like stop words
    keyness = ok("--db", db, "words", "--keyness", "--no-names", "--min-count", "1", "--limit", "1000", "--json").json
    with_names = ok("--db", db, "words", "--keyness", "--min-count", "1", "--limit", "1000", "--json").json
    assert "names_removed" not in with_names
    for column, named in zip(keyness["columns"], with_names["columns"], strict=True):
        assert column["key_words"] == [k for k in named["key_words"] if k["word"] not in names]
    assert "jonas" in {k["word"] for c in with_names["columns"] for k in c["key_words"]}
    text = ok("--db", db, "words", "--no-names").out
    assert text.startswith("names left out: 7 words (fjordby, havnebrød, jonas, lyngå, mette, søren, vinther)")
