"""The REFI-QDA import report in the reader's language (#25): with `--lang da` every reason, kind and outcome
reads Danish, counts take their plural form, and `--json` stays the English, locale-free report it was."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fieldnotes.translations import from_json, said_n, speaking
from tests.fixtures.refi import fidelity_files, vendor_files
from tests.helpers import ok

SAMPLE = Path(__file__).parent / "fixtures" / "refi" / "sky-loom_refi-qda__TestProject.qdpx"

#: English words of the report's own text (not of the file's names); none may stand on a Danish screen
ENGLISH = ("it", "its", "the", "was", "were", "became", "has", "have", "no", "not", "of", "with", "and", "is",
           "imported", "dropped", "converted", "kept", "conflict", "conflicts", "source", "sources", "selection",
           "selections", "coding", "codings", "codes", "file", "link", "graph", "nodes", "edges", "taken",
           "warning", "users", "user", "made", "positions", "read", "project", "settings", "matched", "item",
           "items", "nothing", "new", "would", "given", "empty", "missing", "archive", "text", "only", "none")


def _sample(folder: Path) -> Path:
    return SAMPLE


def _sloppy_nvivo(folder: Path) -> Path:
    """NVivo positions with a selection that cuts a word: kept as given, with the counting named."""
    return fidelity_files.nvivo(folder).path


def _unsettled_nvivo(folder: Path) -> Path:
    """Too few clean selections to settle the counting: the ones that cut a word are dropped."""
    return fidelity_files.nvivo(folder, clean=1, sloppy=2, name="nvivo-usikker.qdpx").path


MAKERS: dict[str, Callable[[Path], Path]] = {
    "atlas-reference": _sample,
    "nvivo": lambda folder: vendor_files.nvivo(folder).path,
    "atlas": lambda folder: vendor_files.atlas(folder).path,
    "maxqda": lambda folder: vendor_files.maxqda(folder).path,
    "nvivo-sloppy": _sloppy_nvivo,
    "nvivo-unsettled": _unsettled_nvivo,
}


def _project(folder: Path, name: str) -> Path:
    db = folder / name
    ok("--db", db, "init", "--empty", "--coder", "Importør")
    return db


def _names(report: dict[str, Any]) -> list[str]:
    """The file's own words in a report: item names, file names, users, project name and origin."""
    found = [str(item["name"]) for outcome in ("converted_items",) for item in report.get(outcome, [])]
    for entry in report["kinds"].values():
        for outcome in ("converted", "kept", "dropped", "conflicts"):
            found += [str(item["name"]) for item in entry[outcome]]
            found += [str(item.get("copy_title") or "") for item in entry[outcome]]
    found += [u["name"] for u in report["users"]]
    found += [str(value) for value in (report["settings"] or {}).get("file", {}).values() if value]
    found += [report["file"], report["origin"] or ""]
    return sorted({name for name in found if name}, key=len, reverse=True)


def _interface_text(lines: list[str], report: dict[str, Any]) -> str:
    """The human report with the file's own words (names, paths, quoted values) and the schema validator's
    diagnostics taken out."""
    text = "\n".join(lines)
    for warning in report["warnings"]:  # the XML schema validator's own diagnostics are English: not ours
        if warning.startswith("schema: "):
            text = text.replace(warning.removeprefix("schema: "), " ")
    for name in _names(report):
        text = text.replace(name, " ")
    text = re.sub(r"internal://\S+|--\S+|'[^']*'|\S+\.(?:txt|qde|docx|pdf|mp4|m4a|jpg)\b", " ", text)
    return re.sub(r"<[^>]*>|\b[0-9a-f]{8}\b", " ", text)


def _english_words(text: str) -> list[str]:
    return sorted({word for word in re.findall(r"[A-Za-z]+", text) if word in ENGLISH})


@pytest.mark.parametrize("maker", list(MAKERS), ids=list(MAKERS))
def test_the_danish_import_report_holds_no_english(tmp_path: Path, maker: str) -> None:
    path = MAKERS[maker](tmp_path)
    english = ok("--lang", "en", "--db", _project(tmp_path, "engelsk.db"), "exchange", "import", path, "--json")
    danish = ok("--lang", "da", "--db", _project(tmp_path, "dansk.db"), "exchange", "import", path)
    report = english.json["report"]
    lines = danish.out.splitlines()
    assert lines[0].startswith("importerede ")
    assert _english_words(_interface_text(lines, report)) == []
    reasons = [item["reason"] for entry in report["kinds"].values() for outcome in
               ("converted", "kept", "dropped", "conflicts") for item in entry[outcome]]
    for reason in reasons:  # not one English reason is shown as it is
        assert reason not in danish.out
    assert len(lines) > 1


def test_json_is_the_same_english_report_in_either_language(tmp_path: Path) -> None:
    english = ok("--lang", "en", "--db", _project(tmp_path, "engelsk.db"), "exchange", "import", SAMPLE, "--json")
    danish = ok("--lang", "da", "--db", _project(tmp_path, "dansk.db"), "exchange", "import", SAMPLE, "--json")
    assert danish.out == english.out
    report = english.json["report"]
    assert set(english.json) == {"title", "notes", "report"}
    assert set(report) == {"file", "format", "origin", "positions", "dry_run", "taken", "matched", "kinds",
                           "converted", "kept", "dropped", "dropped_counts", "conflicts", "settings", "warnings",
                           "users"}
    graph = next(item for item in report["dropped"] if item["kind"] == "graph")
    assert graph["reason"] == "fieldnotes has no network views (3 nodes, 2 edges)"
    assert set(report["kinds"]["documents"]) == {"taken", "matched", "converted", "kept", "dropped", "conflicts"}
    assert english.json["title"].startswith("imported sky-loom_refi-qda__TestProject.qdpx: 3 coders, 14 codes")
    assert not re.search("[æøå]", english.out.replace("Importør", ""))


def test_the_danish_report_reads_as_written(tmp_path: Path) -> None:
    out = ok("--lang", "da", "--db", _project(tmp_path, "dansk.db"), "exchange", "import", SAMPLE).out
    assert "udeladt netværk: Netzwerk — fieldnotes har ingen netværksvisninger (3 knuder, 2 kanter)" in out
    assert "udeladt kodesæt: Feelings — fieldnotes har ingen kodegrupper; dens 6 koder blev importeret uden den" in out
    assert "udeladt sæt: gender: male — dens 1 kilde blev ikke importeret" in out
    assert "dens 3 markeringer med 3 kodninger blev ikke importeret" in out
    assert "dens 1 markering med 1 kodning blev ikke importeret" in out
    assert "  positioner læst som tegnpositioner med CRLF talt som ét (som ATLAS.ti tæller)" in out
    assert out.splitlines()[0] == ("importerede sky-loom_refi-qda__TestProject.qdpx: 3 kodere, 14 koder, 2 memoer; "
                                   "30 elementer udeladt")


def test_a_nameless_case_and_a_damaged_extension_in_danish(tmp_path: Path) -> None:
    maxqda = vendor_files.maxqda(tmp_path).path
    out = ok("--lang", "da", "--db", _project(tmp_path, "maxqda.db"), "exchange", "import", maxqda).out
    assert "omsat case: (en case uden navn) — en case uden navn (MAXQDA's måde" in out
    source = _project(tmp_path, "kilde-æøå.db")
    exported = tmp_path / "eksport.qdpx"
    ok("--db", source, "export", "qdpx", exported)
    damaged = tmp_path / "beskadiget-ø.qdpx"
    with zipfile.ZipFile(exported) as whole, zipfile.ZipFile(damaged, "w") as copy:
        for name in whole.namelist():
            copy.writestr(name, b"{ikke json" if name == "fieldnotes.json" else whole.read(name))
    danish = ok("--lang", "da", "--db", _project(tmp_path, "dansk.db"), "exchange", "import", damaged).out
    assert "  advarsel: fieldnotes.json er ikke læsbar JSON; den blev ignoreret" in danish.splitlines()
    english = ok("--lang", "da", "--db", _project(tmp_path, "json.db"), "exchange", "import", damaged, "--json").json
    assert english["report"]["warnings"] == ["fieldnotes.json is not readable JSON; it was ignored"]


def test_a_dry_run_and_a_conflict_in_danish(tmp_path: Path) -> None:
    first = fidelity_files.nvivo(tmp_path)
    second = fidelity_files.nvivo(tmp_path, name="nvivo-mette-rettet.qdpx",
                                  text=fidelity_files.NVIVO_TEXT.replace("Tak for snakken", "Mange tak for snakken"))
    db = _project(tmp_path, "kårsø.db")
    ok("--db", db, "exchange", "import", first.path)
    out = ok("--lang", "da", "--db", db, "exchange", "import", second.path, "--dry-run").out
    lines = out.splitlines()
    assert lines[0].startswith("ville importere nvivo-mette-rettet.qdpx: ") and "; 1 konflikt med projektet" in lines[0]
    assert "konflikt om dokument: Interview med Mette — filen har en anden tekst til dette dokument" in out
    assert lines[-1] == "prøvekørsel: intet blev ændret"
    english = ok("--db", db, "exchange", "import", second.path, "--dry-run", "--json").json
    assert _english_words(_interface_text(lines, english["report"])) == []


def test_the_batch_import_shows_a_qdpx_report_in_danish_and_lists_it_in_english(tmp_path: Path) -> None:
    danish = ok("--lang", "da", "--db", _project(tmp_path, "dansk.db"), "import", SAMPLE)
    assert "importerede sky-loom_refi-qda__TestProject.qdpx: 3 kodere" in danish.out
    assert "bemærk:     udeladt netværk: Netzwerk — fieldnotes har ingen netværksvisninger (3 knuder, 2 kanter)" in (
        danish.out)
    as_json = ok("--lang", "da", "--db", _project(tmp_path, "json.db"), "import", SAMPLE, "--json").json
    row = as_json["files"][0]
    assert row["document_title"].startswith("imported sky-loom_refi-qda__TestProject.qdpx: 3 coders")
    assert "  graphs:" in row["notes"]
    assert "    dropped graph: Netzwerk — fieldnotes has no network views (3 nodes, 2 edges)" in row["notes"]


@pytest.mark.parametrize(("n", "stored", "english", "danish"), [
    (1, "1 selection", "1 selection", "1 markering"),
    (5111, "5111 selections", "5,111 selections", "5.111 markeringer"),
])
def test_a_counted_message_takes_its_plural_in_each_language(n: int, stored: str, english: str, danish: str) -> None:
    message = said_n("{n} selection", "{n} selections", n)
    assert str(message) == stored  # what JSON holds: English, the count as it is
    with speaking("en"):
        assert message.render() == english
    with speaking("da"):
        assert message.render() == danish
    assert from_json(message.as_json()) == message


def test_a_skipped_coding_of_an_export_is_said_in_danish_and_listed_in_english() -> None:
    from fieldnotes.cli.exchange_cmds import _export_lines
    from fieldnotes.refi.writing import ExportStats

    stats = ExportStats()
    stats.skipped.append(said_n("{n} coding at {span} in {title!r} vanished when names were replaced",
                                "{n} codings at {span} in {title!r} vanished when names were replaced", 2,
                                span="10:14", title="Interview med Søren"))
    info = {"format": "qdc", "file": "kodebog-æøå.qdc", "names": "", **stats.as_dict()}
    with speaking("da"):
        lines = _export_lines(info)
    assert lines[-1] == ("sprunget over: 2 kodninger ved 10:14 i 'Interview med Søren' forsvandt, da navnene blev "
                         "erstattet")
    assert [str(item) for item in info["skipped"]] == [
        "2 codings at 10:14 in 'Interview med Søren' vanished when names were replaced"]


def test_a_qdc_codebook_diff_and_export_in_danish(tmp_path: Path) -> None:
    qdc = vendor_files.codebook(tmp_path)
    db = _project(tmp_path, "kodebog-æøå.db")
    danish = ok("--lang", "da", "--db", db, "codebook", "diff", qdc).out.splitlines()
    assert danish[0].startswith("+ tilføj  ") and danish[-1] == "0 koder uændret"
    english = ok("--lang", "en", "--db", db, "codebook", "diff", qdc).out.splitlines()
    assert english[0].startswith("+ add     ") and english[-1] == "0 codes unchanged"
    ok("--db", db, "exchange", "import", qdc)
    shown = ok("--lang", "da", "--db", db, "exchange", "export-qdc", tmp_path / "ud-ø.qdc").out.splitlines()
    assert shown[1].startswith("navne erstattet: nej (")
    listed = ok("--lang", "da", "--db", db, "exchange", "export-qdc", tmp_path / "ud-å.qdc", "--json").json
    assert listed["names"].startswith("names replaced: no (")
