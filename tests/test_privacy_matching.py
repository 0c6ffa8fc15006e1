"""The one matcher that replaces names, and the detectors of personal data (no database needed for most)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldnotes.privacy import detect
from fieldnotes.privacy.replacing import Replacer, genitive
from tests.helpers import ok

REGISTER = {"Mette": "Anne", "Mette Vinther": "Anne Holm", "Per": "Jens", "Lars": "Anne B", "Jen": "Kim",
            "Søren": "Ib", "Dam": "Bo", "Bageriet Havnebrød": "Bageriet Kornblomsten", "Ærø": "Fanø"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mette og Mette Vinther sagde", "Anne og Anne Holm sagde"),  # longest first
        ("Mette  Vinther\tkom", "Anne Holm\tkom"),  # a run of spaces matches the register's one space
        ("Mette\nVinther", "Anne\nVinther"),  # but not a line break
        ("Personalet og Per, ikke Pernille", "Personalet og Jens, ikke Pernille"),  # whole words only
        ("Damgaard, Dam og Dams hund", "Damgaard, Bo og Bos hund"),
        ("Mettes bil", "Annes bil"),  # the Danish genitive
        ("Mette's bil", "Anne's bil"),  # an apostrophe form keeps the writer's form
        ("Lars' bil og Lars's", "Anne Bs bil og Anne B's"),  # a name in -s takes an apostrophe ...
        ("Pers bil", "Jens' bil"),  # ... and so does a pseudonym in -s
        ("Jens og Jen", "Jens og Kim"),  # Jens is a name, not the genitive of Jen
        ("METTE råbte", "ANNE råbte"),  # capitals stay capitals
        ("mette er et ord her", "mette er et ord her"),  # case-sensitive: many names are words too
        ("Søren 🙂 Sørens æble på Ærø", "Ib 🙂 Ibs æble på Fanø"),
        ("i Bageriet Havnebrød.", "i Bageriet Kornblomsten."),
    ],
)
def test_replacement_rules(text: str, expected: str) -> None:
    assert Replacer(REGISTER)(text) == expected


def test_one_pass_never_replaces_a_pseudonym_again() -> None:
    assert Replacer({"Anne": "Bo", "Bo": "Kim"})("Anne og Bo") == "Bo og Kim"


def test_genitive_of_names() -> None:
    assert [genitive(n) for n in ("Anne", "Jens", "Max", "Liz", "Ib")] == ["Annes", "Jens'", "Max'", "Liz'", "Ibs"]


def test_offsets_map_spans_through_replacements() -> None:
    rep = Replacer(REGISTER)
    text = "🙂 Hej Mette Vinther! Mettes kat, Søren."
    replaced, where = rep.with_offsets(text)
    assert replaced == "🙂 Hej Anne Holm! Annes kat, Ib."
    start, end = text.index("Mettes kat"), text.index("kat,") + 3
    assert replaced[where(start) : where(end)] == "Annes kat"
    inside = text.index("Vinther")
    assert where(inside) == replaced.index("Anne Holm")
    assert where(inside, "end") == replaced.index("!")
    assert where(len(text)) == len(replaced)


def test_json_values_are_replaced_keys_too() -> None:
    value = {"Mette": {"name": "Mette Vinther", "role": "leder"}, "list": ["Per", 3, None]}
    assert Replacer(REGISTER).replace_in(value) == {"Anne": {"name": "Anne Holm", "role": "leder"},
                                                    "list": ["Jens", 3, None]}


def test_an_empty_register_is_the_identity() -> None:
    rep = Replacer({})
    assert not rep.active and rep("Mette") == "Mette" and rep.optional(None) is None


words = st.sampled_from(["Mette", "Mettes", "og", "Per", "Personale", "æble", "🙂", "Søren", "Vinther", ",", "\n"])


@given(st.lists(words, max_size=30))
def test_no_registered_name_survives_as_a_word(parts: list[str]) -> None:
    rep = Replacer({"Mette": "Anne", "Per": "Jens", "Søren": "Ib"})
    out = rep(" ".join(parts))
    for original in ("Mette", "Per", "Søren"):
        assert not re.search(rf"(?<!\w){original}s?(?!\w)", out)
    assert out.count("Personale") == parts.count("Personale")


# --- detection -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, born",
    [
        ("010190-1234", dt.date(1990, 1, 1)),  # seventh digit 1: 1900s
        ("2902004321", dt.date(2000, 2, 29)),  # 4: 2000 up to year 36, and 2000 is a leap year
        ("311299-5000", dt.date(1899, 12, 31)),  # 5-8 with a year over 57: 1800s
        ("150345-9999", dt.date(1945, 3, 15)),  # 9 with a year over 36: 1900s
    ],
)
def test_cpr_dates_follow_the_century_digit(number: str, born: dt.date) -> None:
    found = detect._cprs(f"CPR {number} står her")
    assert len(found) == 1 and born.isoformat() in found[0][2]


@pytest.mark.parametrize("number", ["320190-1234", "011390-1234", "290201-1234", "000000-0000",
                                    "12345678901", "1-010190-1234"])
def test_cpr_with_impossible_dates_or_shapes_is_ignored(number: str) -> None:
    assert detect._cprs(f"nummer {number} her") == []


def test_modulus11_is_reported_not_required() -> None:
    valid = "070761-4285"  # satisfies modulus 11
    other = "070761-4286"
    assert detect.modulus11(valid.replace("-", "")) and not detect.modulus11(other.replace("-", ""))
    notes = [note for _s, _e, note in detect._cprs(f"{valid} og {other}")]
    assert len(notes) == 2 and "holds" in notes[0] and "allowed since 2007" in notes[1]


MATERIAL = """Observation. Mødet begynder kl. 9.15.
Lone Vester fortæller om borgeren Amira, som bor på Søndre Allé 12, 2. tv og har tlf. +45 12 34 56 78.
Hun kan også nås på 87654321 eller 4321 8765 og på amira.k@example.dk. Hendes CPR er 010190-1234, og
datoen 20250310 er ikke et telefonnummer, heller ikke 2025 2026. Ugyldigt: 320190-1234.
Per ringede. Det var Per, der kom. Mettes kaffe stod på Havnevej 3B. Skov er godt for sindet.
Anna Krogh noterede 🙂.
"""


@pytest.fixture
def material(tmp_path: Path) -> Path:
    from tests.projectdata import make_project

    project = make_project(tmp_path)
    note = tmp_path / "note.txt"
    note.write_text(MATERIAL, encoding="utf-8")
    ok("--db", project, "import", note, "--title", "Note med persondata", "--kind", "observation")
    return project


def test_detect_lists_candidates_with_document_and_position(material: Path) -> None:
    ok("--db", material, "pseudonyms", "add", "Mette", "Gitte")
    found = ok("--db", material, "pseudonyms", "detect", "--json").json
    mine = [c for c in found if c["document_title"] == "Note med persondata"]
    by_kind: dict[str, list[str]] = {}
    for c in mine:
        by_kind.setdefault(c["kind"], []).append(c["text"])
        assert MATERIAL.replace("\r", "")[c["start"] : c["end"]] == c["text"] and c["text"] in c["context"]
    assert by_kind["cpr"] == ["010190-1234"]
    assert by_kind["phone"] == ["+45 12 34 56 78", "87654321", "4321 8765"]
    assert by_kind["email"] == ["amira.k@example.dk"]
    assert by_kind["address"] == ["Søndre Allé 12, 2. tv", "Havnevej 3B"]
    names = by_kind["name"]
    assert "Lone Vester" in names and "Amira" in names  # a known first name with its surname; after "borgeren"
    assert names.count("Per") == 1  # "Per ringede." at a sentence start is the word, mid-sentence the name
    assert "Skov" not in names and "Mettes" not in names  # an ordinary word; a registered name
    assert not any("Anna" in n or "Krogh" in n for n in names)  # a coder
    assert all(c["kind"] != "name" or c["document_title"] != "Interview med sagsbehandler" or c["text"] != "Mette"
               for c in found)


def test_detect_replaces_nothing(material: Path) -> None:
    from tests.projectdata import snapshot

    before = snapshot(material)
    result = ok("--db", material, "pseudonyms", "detect", "--kind", "cpr")
    assert "010190-1234" in result.out and "nothing was replaced" in result.out
    assert snapshot(material) == before
