"""The pieces of the REFI-QDA exchange: position units, labelled descriptions, code trees, colours, XML safety."""

from __future__ import annotations

import unicodedata
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldnotes import text as textmod
from fieldnotes.errors import InvalidInput
from fieldnotes.refi import codetree, identity
from fieldnotes.refi.descriptions import (
    CodeEntry,
    CodingNote,
    code_description,
    parse_code_description,
    parse_participants,
    parse_selection_description,
    parse_speakers,
    participants_text,
    selection_description,
    speakers_text,
)
from fieldnotes.refi.model import RefiCode
from fieldnotes.refi.positions import PositionMap, Utf16Counter, unit_for_origin
from fieldnotes.refi.reader import colour
from fieldnotes.refi.safexml import parse
from fieldnotes.translations import Said

RAW = "\ufeffR: Søren 👍🏽 tror på job.\r\nI: Og i Århus? 😀\r\nR: Ja!"


def units(raw: str, index: int, unit: str) -> int:
    prefix = raw[:index]
    if unit == "utf16":
        return len(prefix.encode("utf-16-le")) // 2
    return len(prefix) - prefix.count("\r\n") if unit == "atlas" else len(prefix)


@pytest.mark.parametrize("unit", ["codepoints", "utf16", "atlas"])
def test_selections_map_onto_the_normalised_text_in_every_unit(unit: str) -> None:
    body = RAW[1:]
    mapping = PositionMap(RAW, unit)
    assert mapping.text == textmod.normalise(RAW)
    for needle in ("Søren 👍🏽 tror", "job.\r\nI: Og", "Århus? 😀", "Ja!"):
        index = body.index(needle)
        landing = mapping.land(units(body, index, unit), units(body, index + len(needle), unit))
        assert landing.problem is None and landing.word is None
        assert mapping.text[landing.start:landing.end] == textmod.normalise(needle)


def test_positions_inside_a_character_are_flagged() -> None:
    body = RAW[1:]
    crlf = body.index("\r\n")
    assert "splits a character" in str(PositionMap(RAW, "codepoints").land(crlf + 1, crlf + 4).problem)
    thumb = units(body, body.index("👍"), "utf16")
    assert "splits a character" in str(PositionMap(RAW, "utf16").land(thumb + 1, thumb + 4).problem)
    assert "not within the text" in str(PositionMap(RAW, "utf16").land(0, 500).problem)
    assert "inside the word 'Søren'" in str(PositionMap(RAW, "codepoints").land(4, 8).word)


def test_decomposed_text_is_composed_and_positions_follow() -> None:
    raw = unicodedata.normalize("NFD", "Café i Århus, Ærø og Blå Ø.")
    mapping = PositionMap(raw, "codepoints")
    assert len(mapping.text) < len(raw)
    start = raw.index("A\u030a")
    landing = mapping.land(start, start + len("A\u030arhus"))
    assert mapping.text[landing.start:landing.end] == "Århus"
    inside = mapping.land(start + 1, start + 6)
    assert inside.problem is not None


CLUSTERS = st.sampled_from(["a", "æ", "ø", "Å", " ", ".", "\n", "\r\n", "😀", "👍🏽", "e\u0301", "A\u030a", "ß"])


@given(st.lists(CLUSTERS, min_size=1, max_size=40), st.data())
def test_any_span_of_whole_characters_lands_on_the_same_text(clusters: list[str], data: st.DataObject) -> None:
    raw = "".join(clusters)
    bounds = [0]
    for cluster in clusters:
        bounds.append(bounds[-1] + len(cluster))
    i = data.draw(st.integers(0, len(clusters) - 1))
    j = data.draw(st.integers(i + 1, len(clusters)))
    for unit in ("codepoints", "utf16", "atlas"):
        mapping = PositionMap(raw, unit)
        landing = mapping.land(units(raw, bounds[i], unit), units(raw, bounds[j], unit))
        assert landing.problem is None
        assert mapping.text[landing.start:landing.end] == textmod.normalise("".join(clusters[i:j]))


def test_utf16_counter_and_units_from_origins() -> None:
    text = "a😀b👍🏽c"
    count = Utf16Counter(text)
    assert [count(i) for i in range(len(text) + 1)] == [len(text[:i].encode("utf-16-le")) // 2
                                                         for i in range(len(text) + 1)]
    assert unit_for_origin("NVivo 14 (Windows)") == "utf16"
    assert unit_for_origin("fieldnotes 0.1.0 (positions in UTF-16 code units, as NVivo counts)") == "utf16"
    assert unit_for_origin("ATLAS.ti 9") == "atlas"
    assert unit_for_origin("MAXQDA 2022") == unit_for_origin(None) == "codepoints"


def test_code_descriptions_round_trip_and_foreign_text_becomes_the_definition() -> None:
    entry = CodeEntry(texts={"short": "Kort 😀", "definition": "Lang.\n\nTo afsnit.", "when_to_use": "Altid",
                             "when_not_to_use": "Aldrig", "example": "»Citat«"}, scale=(1, 5),
                      scale_labels={"1": "Lav", "5": "Høj"}, shortcut="k", retired=True,
                      glosses={"en": {"name": "Belief", "short": "Short"}})
    text = code_description(entry)
    assert text.startswith("Short definition: Kort 😀\n\nDefinition: Lang.\n\nTo afsnit.\n\nWhen to use: Altid")
    assert parse_code_description(text) == entry
    foreign = parse_code_description("thoughts about breakfast foods")
    assert foreign.texts == {"definition": "thoughts about breakfast foods"} and foreign.scale is None
    mixed = parse_code_description("Frit skrevet.\n\nWhen to use: Når det passer.\n\nRating scale: 5–1")
    assert mixed.texts["definition"] == "Frit skrevet." and mixed.scale is None


memo_text = st.text(st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters=":"), min_size=1,
                    max_size=40).map(str.strip).filter(bool)


@given(memo_text, st.integers(1, 5) | st.none(), st.booleans(), memo_text)
def test_selection_descriptions_round_trip(memo: str, rating: int | None, review: bool, other: str) -> None:
    alone = CodingNote(rating, review, memo)
    parsed = parse_selection_description(selection_description([("A/B", "Anna", alone)], 1))
    assert parsed.for_coding("A/B", "Anna") == alone and parsed.free == ""
    second = CodingNote(None, False, other)
    text = selection_description([("A/B", "Anna", alone), ("C", "Jonas Bech", second)], 2)
    parsed = parse_selection_description(text)
    assert parsed.for_coding("A/B", "Anna") == alone
    assert parsed.for_coding("C", "Jonas Bech") == second


def test_people_round_trip() -> None:
    people = [{"name": "Anna Krogh", "role": "forsker"}, {"name": "Søren Ø"}]
    assert parse_participants(participants_text(people)) == people
    speakers = {"I": {"name": "Anna Krogh", "role": "forsker"}, "R": {"name": "Mette"}}
    assert parse_speakers(speakers_text(speakers)) == speakers


def code(name: str, *children: RefiCode, codable: bool = True) -> RefiCode:
    return RefiCode(guid=identity.derived("test", name, len(children)), name=name, codable=codable,
                    children=list(children))


def test_flat_names_nest_and_clashes_are_resolved() -> None:
    converted: list[tuple[str, Said]] = []
    planned = codetree.plan([code("A::B::C"), code("A::B"), code("A"), code("Ny/gammel"), code("Dub"),
                             code("dub"), code("X", code("Y"), code("Y"))], converted)
    paths = [p.path for p in planned]
    assert paths == ["A", "A/B", "A/B/C", "Ny∕gammel", "Dub", "dub (2)", "X", "X/Y", "X/Y (2)"]
    by_path = {p.path: p for p in planned}
    assert not by_path["A/B"].synthesised and by_path["A/B"].guid == code("A::B").guid
    assert by_path["A/B/C"].parent == by_path["A/B"].guid and by_path["A/B"].parent == by_path["A"].guid
    assert [p.position for p in planned if p.parent is None] == [0, 1, 2, 3, 4]
    assert any("'/'" in str(what) for _, what in converted) and any("(2)" in str(what) for _, what in converted)
    lonely = codetree.plan([code("P::Q")], [])
    assert [(p.path, p.codable, p.synthesised) for p in lonely] == [("P", False, True), ("P/Q", True, False)]


@pytest.mark.parametrize("text, expected", [
    ("#4E79A7", "#4e79a7"), ("4e79a7", "#4e79a7"), ("#abc", "#aabbcc"), ("rgb(78, 121, 167)", "#4e79a7"),
    ("rgba(78,121,167,0.5)", "#4e79a7"), ("#FF4E79A7", "#4e79a7"), ("#4E79A7FF", "#4e79a7"), ("blå", None),
    ("", None),
])
def test_colours_in_the_ways_tools_write_them(text: str, expected: str | None) -> None:
    assert colour(text) == expected


def test_guids_with_braces_and_lower_case_are_read() -> None:
    value = uuid.uuid4()
    assert identity.parse_guid("{" + str(value).upper() + "}") == value == identity.parse_guid(str(value))
    assert identity.parse_guid("ikke-en-guid") is None
    assert identity.derived("selection", 1, 2) == identity.derived("selection", 1, 2)


def test_doctype_is_refused_in_any_encoding() -> None:
    declared = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE p [<!ENTITY x "y">]><Project name="&x;"/>'
    for data in (declared.encode("utf-16"), declared.replace("UTF-16", "UTF-8").encode("utf-8")):
        with pytest.raises(InvalidInput, match="DTD"):
            parse(data, "test.qde")
    assert parse('<?xml version="1.0" encoding="UTF-16"?><Project name="å"/>'.encode("utf-16"), "t").get("name") == "å"


def test_a_replacement_without_offsets_moves_positions_by_diff() -> None:
    from fieldnotes.refi.writing import _replaced_text

    text = "Søren tror på, at Søren får et job i Lyngå."
    body, shift = _replaced_text(lambda t: t.replace("Søren", "Borger A"), text)
    assert body == "Borger A tror på, at Borger A får et job i Lyngå." and shift is not None
    start, end = text.index("får et job"), text.index("får et job") + len("får et job")
    assert body[shift(start, "start"):shift(end, "end")] == "får et job"
    assert _replaced_text(lambda t: t, text) == (text, None)
