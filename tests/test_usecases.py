"""The use-case layer from a script's point of view: each action the command line and the app share is one
library function with typed inputs and a typed result, no printing, and errors as fieldnotes.errors."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from fieldnotes.errors import NotFound, Refused
from fieldnotes.project.opening import Project, open_project
from tests.projectdata import make_project

ANNA = "Anna Krogh"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "Lyngå-æøå"
    folder.mkdir()
    return make_project(folder)


def opened(target: Path, *, readonly: bool = False) -> Project:
    return open_project(str(target), readonly=readonly)


# --- the pseudonym register (fieldnotes.privacy.register, .inplace, .keyfile) -----------------------------


def test_the_register_is_listed_with_occurrences_added_to_and_removed_from(project: Path) -> None:
    from fieldnotes.privacy import register

    with opened(project) as p:
        søren = register.add_entry(p, ANNA, "Søren", "Bo Ærø", attributes={"rolle": "borger"})
        lyngå = register.add_entry(p, ANNA, "Lyngå", "Havby", category="sted")
        assert isinstance(søren, register.Listed) and søren.category == "person" and not søren.separated
        assert lyngå.category == "place"
        with pytest.raises(Refused, match="already the pseudonym"):
            register.add_entry(p, ANNA, "Jens Ødegård", "havby")
        listed = {e.original: e for e in register.listing(p)}
        # each is named once in the interview
        assert listed["Søren"].occurrences == 1 and listed["Søren"].attributes == {"rolle": "borger"}
        assert listed["Lyngå"].occurrences == 1
        assert listed["Søren"].as_dict()["occurrences"] == 1
        assert "occurrences" not in listed["Søren"].as_dict(occurrences=False)
        gone = register.remove_entry(p, ANNA, uuid.UUID(søren.id))
        assert gone.pseudonym == "Bo Ærø"
        with pytest.raises(NotFound, match="no longer in the register"):
            register.remove_entry(p, ANNA, uuid.UUID(søren.id))
        assert register.remove_entry(p, ANNA, "havby").original == "Lyngå"  # as typed: by its pseudonym
        assert register.listing(p) == []


def test_separating_the_key_is_one_call(project: Path, tmp_path: Path) -> None:
    from fieldnotes.privacy import inplace, keyfile, register

    key = tmp_path / "nøgle-æøå.yaml"
    with opened(project) as p:
        register.add_entry(p, ANNA, "Søren", "Bo Ærø")
        with pytest.raises(Refused, match="occurrence"):  # the name is still in the interview
            keyfile.check_export(p, key, remove=True)
        with pytest.raises(Refused, match="occurrence"):
            keyfile.export_key(p, key, ANNA, remove=True)
        assert not key.exists()
        done = inplace.apply_and_redact(p, ANNA)
        assert done.applied.replacements == 1 and done.afterwards.deleted == []
        assert keyfile.check_export(p, key, remove=True) == 1
        result = keyfile.export_key(p, key, ANNA, remove=True)
        assert isinstance(result, keyfile.KeyExport)
        assert result.removed and result.entries == 1 and result.afterwards is not None
        assert result.as_dict()["in_file"] == 1
        assert [(e.original, e.pseudonym, e.separated) for e in register.listing(p)] == [(None, "Bo Ærø", True)]
        with pytest.raises(Refused, match="no originals"):  # nothing left to separate
            keyfile.export_key(p, key, ANNA, force=True)
    written = keyfile.read(key)["entries"]
    assert [(e["original"], e["pseudonym"]) for e in written] == [("Søren", "Bo Ærø")]
    with opened(project, readonly=True) as p, p.read() as session:
        from sqlalchemy import select

        from fieldnotes.db.models import Change, Event

        images = " ".join(str((e.before, e.after)) for e in session.scalars(select(Event)))
        summaries = " ".join(c.summary or "" for c in session.scalars(select(Change)))
    assert "Søren" not in images and "Søren" not in summaries  # the history was redacted


def test_a_key_file_in_the_way_is_refused_before_anything_happens(project: Path, tmp_path: Path) -> None:
    from fieldnotes.errors import FieldnotesError, InvalidInput
    from fieldnotes.privacy import keyfile, register

    key = tmp_path / "nøgle.yaml"
    key.write_text("ikke en nøglefil: [", encoding="utf-8")
    with opened(project) as p:
        register.add_entry(p, ANNA, "Søren", "Bo Ærø")
        with pytest.raises(FieldnotesError, match="already exists"):
            keyfile.export_key(p, key, ANNA)
        with pytest.raises(Refused, match="not a key file"):
            keyfile.export_key(p, key, ANNA, force=True)
        with pytest.raises(InvalidInput, match=r"\.yaml, \.yml or \.json"):
            keyfile.export_key(p, tmp_path / "nøgle.txt", ANNA)
        assert [e.original for e in register.listing(p)] == ["Søren"]


# --- naming a code (fieldnotes.codebook.tree.code_named) ---------------------------------------------------


def test_a_code_is_found_by_path_name_or_id_prefix(project: Path) -> None:
    from fieldnotes.codebook.tree import code_named
    from fieldnotes.db.models import Code

    with opened(project, readonly=True) as p, p.read() as session:
        by_path = code_named(session, "Sparringskultur og ledelse/Kollegial sparring")
        assert isinstance(by_path, Code) and by_path.name == "Kollegial sparring"
        assert code_named(session, "  tro på borgerens jobchance ").name == "Tro på borgerens jobchance"
        assert code_named(session, "11111111-1111-4111-8111-000000000005").name == "Virksomhedskontakt"
        with pytest.raises(NotFound, match="no code 'Jobtræning på værkstedet'"):
            code_named(session, "Jobtræning på værkstedet")


# --- coding and editing (fieldnotes.coding.usecases) -------------------------------------------------------


def test_spans_are_chosen_and_coded_in_one_call(project: Path) -> None:
    from fieldnotes.coding import usecases
    from fieldnotes.errors import Ambiguous, InvalidInput

    title = "Interview med sagsbehandler"
    with opened(project) as p:
        with pytest.raises(InvalidInput, match="exactly one"):
            usecases.SpanChoice(match="teamet", regex="team").check()
        with pytest.raises(InvalidInput, match="go with --match"):
            usecases.SpanChoice(regex="team", all=True).check()
        with pytest.raises(Ambiguous, match="occurs 2 times"):
            usecases.preview_code(p, title, "Kollegial sparring", usecases.SpanChoice(match="teamet"))
        preview = usecases.preview_code(p, title, "Kollegial sparring",
                                        usecases.SpanChoice(match="teamet", nth=2, snap="sentence"))
        assert preview.code_name == "Kollegial sparring"
        assert [s["text"] for s in preview.spans] == ["Vi tager altid en runde i teamet om fredagen."]
        coded = usecases.code(p, ANNA, title, "Sparringskultur og ledelse/Kollegial sparring",
                              usecases.SpanChoice(match="bageriet i Lyngå"), memo="Sparring på tværs – æøå")
        assert [(c.text, c.code_path, c.created) for c in coded] == [
            ("bageriet i Lyngå", "Sparringskultur og ledelse/Kollegial sparring", True)]
        again = usecases.code(p, ANNA, title, "Kollegial sparring", usecases.SpanChoice(match="bageriet i Lyngå"))
        assert again[0].id == coded[0].id and not again[0].created  # the same coding, not a second one
        by_speaker = usecases.code(p, ANNA, title, "Tro på borgerens jobchance",
                                   usecases.SpanChoice(speaker="Mette Vinther"), rating=4)
        assert len(by_speaker) == 3 and by_speaker[0].text.startswith("Altså, jeg tror på, at Søren")
        with pytest.raises(InvalidInput, match="outside"):
            usecases.code(p, ANNA, title, "Tro på borgerens jobchance", usecases.SpanChoice(span="0:5"), rating=9)


def test_an_edit_is_saved_only_over_the_text_it_started_from(project: Path) -> None:
    from fieldnotes.coding import usecases
    from fieldnotes.errors import FieldnotesError

    title = "Teammøde i Fjordby"
    with opened(project) as p:
        draft = usecases.start_edit(p, title)
        assert draft.title == title and "Teammødet begynder" in draft.text
        usecases.code(p, ANNA, title, "Ledelse", usecases.SpanChoice(match="Lederen spørger til sagerne"))
        result = usecases.save_edit(p, ANNA, draft, "Kl. 9.00. " + draft.text)
        assert result.changed and result.shifted == 1  # the coding moved with its words
        with pytest.raises(FieldnotesError, match="changed while you were editing; nothing was saved"):
            usecases.save_edit(p, ANNA, draft, draft.text + "\nSidste sætning på ærø.")
        assert usecases.start_edit(p, title).text.startswith("Kl. 9.00. Kl. 9.15.")
        assert not usecases.save_edit(p, ANNA, usecases.start_edit(p, title),
                                      usecases.start_edit(p, title).text).changed


# --- disagreements (fieldnotes.team.disagreements) ---------------------------------------------------------


def test_a_pairs_disagreements_are_read_with_their_context_and_settled(project: Path) -> None:
    from fieldnotes.coding import usecases
    from fieldnotes.team import disagreements

    jonas = "Jonas Bæk"
    title = "Interview med sagsbehandler"
    with opened(project) as p:
        assert disagreements.coders_in(p) == []
        usecases.code(p, ANNA, title, "Kollegial sparring", usecases.SpanChoice(match="en runde i teamet"))
        usecases.code(p, jonas, title, "Kollegial sparring", usecases.SpanChoice(match="runde i teamet om fredagen"))
        assert disagreements.coders_in(p) == sorted([ANNA, jonas])
        found = disagreements.pair_disagreements(p, ANNA, jonas, context=12)
        assert found.coders == sorted([ANNA, jonas])
        assert [(d.text, d.holder_name) for d in found.items] == [("en ", ANNA), (" om fredagen", jonas)]
        first = found.items[0]
        assert found.before[first.id] == "tager altid"  # twelve characters before the run, space folded
        assert found.after[first.id] == "runde i team"
        said = disagreements.settle_in(p, "Mette Ærø", first, "a")
        assert "Jonas Bæk" in said
        left = disagreements.pair_disagreements(p, ANNA, jonas)
        assert [d.text for d in left.items] == [" om fredagen"]
        assert "Mette Ærø" not in left.coders  # the settler is recorded as a coder but has no codings


def test_detection_reads_a_project_and_leaves_out_what_the_register_covers(project: Path) -> None:
    from fieldnotes.privacy import detect, register

    with opened(project) as p:
        before = detect.candidates_in(p, ["name"])
        assert "Søren" in {c.text for c in before}
        assert all(isinstance(c, detect.Candidate) for c in before)
        register.add_entry(p, ANNA, "Søren", "Bo Ærø")
        assert "Søren" not in {c.text for c in detect.candidates_in(p, ["name"])}


def test_participants_and_a_key_file_come_into_the_register_in_one_call_each(project: Path, tmp_path: Path) -> None:
    from fieldnotes.privacy import keyfile, register

    with opened(project) as p:
        proposed = register.add_participants(p, ANNA, dry_run=True)
        assert "Mette Vinther" in [e.original for e in proposed.entries]
        assert register.listing(p) == []  # a dry run adds nothing
        assert any("Anna Krogh" in reason for reason in proposed.skipped)  # a coder keeps her name
        added = register.add_participants(p, ANNA)
        assert sorted(e.original for e in register.listing(p)) == sorted(e.original for e in added.entries)
        key = tmp_path / "nøgle-æøå.json"
        keyfile.export_key(p, key, ANNA)
        for entry in register.listing(p):
            register.remove_entry(p, ANNA, uuid.UUID(entry.id))
        report = keyfile.import_key(p, key, ANNA)
        assert isinstance(report, keyfile.ImportReport) and len(report.added) == len(added.entries)
        assert report.refused == []
        assert sorted(e.original for e in register.listing(p)) == sorted(e.original for e in added.entries)


def test_home_is_read_in_one_call(project: Path) -> None:
    from fieldnotes.coding import usecases
    from fieldnotes.queries.overview import HomeData, home_of

    with opened(project) as p:
        usecases.code(p, "Åse Kjær", "Teammøde i Fjordby", "Ledelse", usecases.SpanChoice(match="Lederen"))
        data = home_of(p)
    assert isinstance(data, HomeData)
    assert data.counts["documents"] == 2 and data.counts["codings"] == 1


def test_words_and_cooccurrence_are_read_in_one_call_each(project: Path) -> None:
    from fieldnotes.analysis.cooccurrence import Cooccurrence, cooccurrence_in, pair_excerpts_in
    from fieldnotes.analysis.words import kwic_in, words_in
    from fieldnotes.coding import usecases

    title = "Interview med sagsbehandler"
    with opened(project) as p:
        usecases.code(p, ANNA, title, "Kollegial sparring", usecases.SpanChoice(match="sparring på de svære sager"))
        usecases.code(p, ANNA, title, "Ledelse", usecases.SpanChoice(match="Lederen er med, og vi får sparring"))
        table = words_in(p, None, None, limit=50)
        assert any("teamet" in [w.word for w in column.words] for column in table.columns)
        found = kwic_in(p, None, "teamet")
        assert len(found) == 2 and all(c.word.casefold() == "teamet" for c in found)
        meeting = cooccurrence_in(p, None, "overlap")
        assert isinstance(meeting, Cooccurrence) and meeting.pairs
        pair = meeting.pairs[0]
        assert {pair.code_a_path, pair.code_b_path} == {"Sparringskultur og ledelse/Kollegial sparring",
                                                       "Sparringskultur og ledelse/Ledelse"}
        assert len(pair_excerpts_in(p, None, "overlap", pair.code_a, pair.code_b)) == 2
