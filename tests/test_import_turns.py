"""Speaker turns: the shapes transcripts come in, and lines that look like labels but are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldnotes.documents.turns import find_turns, seconds
from tests import importdata as data


def turns(text: str, known: tuple[str, ...] = ()) -> list[tuple[str, str, float | None]]:
    """(speaker, the turn's text, timestamp) for each turn."""
    return [(t.speaker, text[t.start:t.end], t.timestamp) for t in find_turns(text, known)]


@pytest.mark.parametrize("shape", list(data.transcripts()))
def test_each_shape(shape: str) -> None:
    text, spec = data.transcripts()[shape]
    found = [(t.speaker, t.start, t.end, t.timestamp) for t in find_turns(text)]
    assert found == data.turns_by_lines(text, spec)


def test_interviewer_and_respondent_labels() -> None:
    text = "I: Hvordan går det?\nR: Godt.\nIP: Og mig?\nI: Ja.\nIP: Tak.\nR: Farvel."
    assert [s for s, _, _ in turns(text)] == ["I", "R", "IP", "I", "IP", "R"]


def test_names_with_two_and_more_words_hyphens_and_roles() -> None:
    text = ("Mette Vinther: Hej.\nAnne-Marie Holm: Hej selv.\nMette (leder): Velkommen.\n"
            "Mette Vinther: Tak.\nAnne-Marie Holm: Ja.\nMette (leder): Godt.")
    assert [s for s, _, _ in turns(text)] == ["Mette Vinther", "Anne-Marie Holm", "Mette (leder)"] * 2


def test_a_label_used_once_is_not_a_speaker_unless_named_in_metadata() -> None:
    text = "I: Hvad skete der?\nR: Vi mødtes.\nBeslutning: praktik i to uger.\nI: Og så?\nR: Det gik."
    assert [s for s, _, _ in turns(text)] == ["I", "R", "I", "R"]
    assert turns(text)[1][1] == "R: Vi mødtes.\nBeslutning: praktik i to uger."
    text = "I: Hvad skete der?\nSøren: Vi mødtes.\nI: Og så?"
    assert [s for s, _, _ in turns(text)] == ["I"]  # I twice, Søren once: one long turn
    assert [s for s, _, _ in turns(text, ("Søren",))] == ["I", "Søren", "I"]


def test_minute_headings_are_not_speakers() -> None:
    text = "Beslutning: A.\nBeslutning: B.\nDeltagere: X\nDeltagere: Y\nNote: en\nNote: to"
    assert turns(text) == []


@pytest.mark.parametrize("stamp", ["[00:12:31]", "(00:12:31)", "00:12:31", "[00:12:31.250]", "[0:12:31]",
                                   "[00:12:31 --> 00:12:40]", "[00:12:31 - 00:12:40]"])
def test_timestamps_before_the_speaker(stamp: str) -> None:
    text = f"{stamp} I: Spørgsmål?\n{stamp} R: Svar.\nMere svar.\n{stamp} I: Tak."
    found = turns(text)
    assert [s for s, _, _ in found] == ["I", "R", "I"]
    assert found[1][1] == f"{stamp} R: Svar.\nMere svar."
    expected = 751.25 if ".250" in stamp else 751.0
    assert all(ts == expected for _, _, ts in found)


def test_in_a_timestamped_transcript_a_speaker_who_says_one_thing_counts() -> None:
    text = "[00:00:01] Interviewer: Hej.\n[00:00:03] Åse Nørgaard: Hej.\n[00:00:05] Interviewer: Farvel."
    assert [s for s, _, _ in turns(text)] == ["Interviewer", "Åse Nørgaard", "Interviewer"]


def test_times_of_day_in_notes_are_not_transcript_timestamps() -> None:
    text = "10:30 Frokost: sandwich.\n11:00 Møde: om borgeren.\nTeksten fortsætter."
    assert turns(text) == []


def test_diariser_output() -> None:
    text = "[00:00:05] SPEAKER_00: Velkommen.\n[00:00:09] SPEAKER_01: Tak.\n[00:00:12] SPEAKER_00: Godt."
    assert turns(text) == [("SPEAKER_00", "[00:00:05] SPEAKER_00: Velkommen.", 5.0),
                           ("SPEAKER_01", "[00:00:09] SPEAKER_01: Tak.", 9.0),
                           ("SPEAKER_00", "[00:00:12] SPEAKER_00: Godt.", 12.0)]


@pytest.mark.parametrize("header", ["Speaker {n}  00:01:02", "Speaker {n} 00:01:02", "Taler {n}  (00:01:02)",
                                    "Speaker {n}\t[00:01:02]", "Speaker {n}  1:02"])
def test_transcription_service_headers_with_text_below(header: str) -> None:
    text = (f"{header.format(n=1)}\nFørste linje.\nAnden linje.\n\n\n{header.format(n=2)}\nSvar.\n\n"
            f"{header.format(n=1)}\nTak.\n")
    found = turns(text)
    label = header.split()[0]
    assert [s for s, _, _ in found] == [f"{label} 1", f"{label} 2", f"{label} 1"]
    assert found[0][1] == f"{header.format(n=1)}\nFørste linje.\nAnden linje."
    assert found[1][1] == f"{header.format(n=2)}\nSvar."
    assert found[2][1] == f"{header.format(n=1)}\nTak."
    assert found[0][2] == 62.0


def test_consecutive_turns_by_one_speaker_are_one_turn() -> None:
    text = "I: a\nI: b\nR: c\nR: d"
    assert turns(text) == [("I", "I: a\nI: b", None), ("R", "R: c\nR: d", None)]


def test_text_before_the_first_turn_belongs_to_no_turn() -> None:
    text = "Interview, Ærø, 5. marts\n\nI: Hej.\nR: Hej.\nI: Farvel.\nR: Farvel."
    found = find_turns(text)
    assert found[0].start == text.index("I:")


def test_urls_are_not_speakers() -> None:
    text = "Se https://example.invalid/a\nSe https://example.invalid/b\nhttps://x\nhttps://y"
    assert turns(text) == []


@pytest.mark.parametrize("stamp, value", [("00:12:31", 751.0), ("1:02:03", 3723.0), ("12:31", 751.0),
                                          ("00:00:01,500", 1.5), (None, None), ("x:y", None)])
def test_seconds(stamp: str | None, value: float | None) -> None:
    assert seconds(stamp) == value


def test_known_speakers_from_a_metadata_file_make_turns(tmp_path: Path) -> None:
    material = tmp_path / "m"
    material.mkdir()
    (material / "samtale.txt").write_text("I: Hvordan går det?\nMette: Fint.\nI: Godt.\n", encoding="utf-8")
    (material / "samtale.meta.yaml").write_text(
        "kind: interview\nspeakers:\n  I: {name: Anna Krogh, role: forsker}\n  Mette: {name: Mette Vinther}\n",
        encoding="utf-8")
    db = data.new_project(tmp_path)
    report = data.import_report(db, material)
    shown = data.show(db, report["files"][0]["document"])
    assert [(t["speaker"], t["start"], t["end"]) for t in shown["turns"]] == [
        ("I", 0, 19), ("Mette", 20, 32), ("I", 33, 41)]
    assert shown["speakers"]["Mette"] == {"name": "Mette Vinther"}
