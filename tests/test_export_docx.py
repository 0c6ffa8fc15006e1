"""The Word report of coded excerpts, read back: structure, texts, citations, furniture, privacy, scale."""

from __future__ import annotations

import io
import posixpath
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest

from fieldnotes.coding.excerpts import Excerpt, excerpts
from fieldnotes.export.docx_excerpts import write_excerpts_docx
from fieldnotes.export.exporter import ExportRequest, NothingToExport, export
from fieldnotes.export.gather import CodeEntry, ExportSet, gather
from fieldnotes.export.pseudonyms import Pseudonymizer, pseudonymizer, use_register
from fieldnotes.project.opening import open_project
from fieldnotes.queries.filters import Filters
from tests.helpers import ok, run
from tests.test_export_data import (
    ACROSS,
    BELIEF,
    COMPANY,
    DOC,
    LEADER,
    NOTE,
    SPARRING,
    add_many_excerpts,
    coded_copy,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TREE = ["Sparringskultur og ledelse", "Kollegial sparring", "Ledelse", "Viden om arbejdsmarkedet",
        "Virksomhedskontakt", "Tro på borgerens jobchance", "Specifik tro"]


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    return coded_copy(tmp_path_factory, tmp_path)


def paragraphs(document: Any) -> list[tuple[str, str]]:
    """(style id, text) of every body paragraph; style ids, since python-docx's style lookup is slow."""
    return [(p._p.style or "Normal", p.text) for p in document.paragraphs]


def quotes(document: Any) -> list[tuple[str, str, str]]:
    """Each quotation as (context before, excerpt, context after), from its runs' styles."""
    out = []
    for p in document.paragraphs:
        if p._p.style != "Excerpt":
            continue
        parts = ["", "", ""]
        seen_text = False
        for r in p.runs:
            is_context = r._r.style == "ExcerptContext"
            if not is_context:
                seen_text = True
                parts[1] += r.text
            else:
                parts[2 if seen_text else 0] += r.text
        out.append((parts[0], parts[1], parts[2]))
    return out


def following(document: Any, style: str) -> list[list[tuple[str, str]]]:
    """For each paragraph of `style`, the paragraphs after it up to the next one of that style or a heading."""
    items = paragraphs(document)
    out: list[list[tuple[str, str]]] = []
    for index, (name, _text) in enumerate(items):
        if name == style:
            block = []
            for later in items[index + 1:]:
                if later[0] in (style, "ExcerptGroup") or later[0].startswith("Heading"):
                    break
                block.append(later)
            out.append(block)
    return out


def test_report_reads_back_with_headings_texts_citations_and_notes(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "møde.docx"
    result = ok("--db", project, "--lang", "da", "export", "docx", out, "--memos", "--context", "sentence")
    assert "skrev" in result.out and "5 uddrag fra 2 dokumenter" in result.out  # plural forms (#23)
    assert "navne erstattet: nej (projektet har intet pseudonymregister" in result.out  # all of it in Danish
    document = docx.Document(str(out))
    headings = [(name, text) for name, text in paragraphs(document) if name.startswith("Heading")]
    assert [t for _n, t in headings] == [*TREE, "Dokumentmemoer", "Teammøde i Fjordby", "Bilag: Kodebog"]
    assert [n for n, _t in headings][:3] == ["Heading1", "Heading2", "Heading2"]
    # every excerpt's text is the database's text, in the order of the excerpt query
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        expected = excerpts(session, Filters(), context="sentence")
    found = quotes(document)
    assert [q[1] for q in found] == [e.text for e in expected]
    assert [(q[0], q[2]) for q in found] == [(e.context_before, e.context_after) for e in expected]
    assert any(q[0] == "Altså, " for q in found)  # context in its own (lighter) runs
    blocks = dict(zip([e.text for e in expected], following(document, "Excerpt"), strict=True))
    belief = [text for _n, text in blocks[BELIEF]]
    assert belief[0] == ("Interview med sagsbehandler · Lyngå · interview · 10. marts 2025 · Mette Vinther "
                         "(sagsbehandler) · afsnit 2, 00:00:12 · kodet af Anna Krogh")
    assert "Vurdering: 4/5" in belief and "Memo: Tydelig tro på én borger 👍" in belief
    assert [t for _n, t in blocks[LEADER]][1] == "Også kodet: Sparringskultur og ledelse/Kollegial sparring"
    assert blocks[COMPANY][0][1].endswith("afsnit 6, 00:01:35 · kodet af Jonas Bech")
    assert blocks[ACROSS][0][1] == ("Teammøde i Fjordby · Fjordby · observation · 1. september 2026 · "
                                                   "afsnit 2 · kodet af Anna Krogh")
    texts = [t for _n, t in paragraphs(document)]
    assert "Sparring løfter troen på borgeren 🚀\n— Anna Krogh, " in "\n".join(texts)  # code memo, with author
    assert any(t.startswith("Stemningen var god") for t in texts)  # document memo
    assert "Kolleger giver hinanden sparring." in texts  # the code's short definition under its heading
    assert "5 uddrag fra 2 dokumenter" in "\n".join(texts)  # the title page counts


def test_line_breaks_inside_an_excerpt_stay_line_breaks(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.docx"
    ok("--db", project, "export", "docx", out, "--code", "Kollegial sparring", "--municipality", "Fjordby")
    document = docx.Document(str(out))
    (quote,) = [p for p in document.paragraphs if p._p.style == "Excerpt"]
    assert quote.text == ACROSS  # one paragraph; python-docx reads <w:br/> as "\n"
    assert len(quote._p.findall(f".//{W}br")) == ACROSS.count("\n") == 1


def test_one_theme_in_one_municipality(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "tema.docx"
    ok("--db", project, "--lang", "da", "export", "docx", out, "--code", "Sparringskultur og ledelse",
       "--municipality", "Lyngå")
    document = docx.Document(str(out))
    headings = [t for n, t in paragraphs(document) if n.startswith("Heading")]
    assert headings == ["Sparringskultur og ledelse", "Kollegial sparring", "Ledelse", "Bilag: Kodebog"]
    assert [q[1] for q in quotes(document)] == [SPARRING, LEADER]
    facts = [t for n, t in paragraphs(document) if n == "TitleFact"]
    assert "Koder\tSparringskultur og ledelse" in facts and "Kommuner\tLyngå" in facts
    assert "Uddrag\t2 uddrag fra 1 dokument" in facts


def group_headings(document: Any) -> list[tuple[str, str]]:
    """(style, text) of every group heading: a Heading paragraph whose text is in the group's run style."""
    out = []
    for p in document.paragraphs:
        runs = p._p.findall(f".//{W}r")
        if (p._p.style or "").startswith("Heading") and runs and all(r.style == "GroupHeadingText" for r in runs):
            out.append((p._p.style, p.text))
    return out


PHASE_1 = "Phase 1 · 1 Feb 2025 – 31 Jul 2025"


@pytest.mark.parametrize("group_by, groups", [
    ("municipality", ["Fjordby", "Lyngå", "Lyngå", "Lyngå", "Lyngå"]),
    ("document", ["Interview med sagsbehandler · 10 March 2025", "Teammøde i Fjordby · 1 September 2026",
                  "Interview med sagsbehandler · 10 March 2025", "Interview med sagsbehandler · 10 March 2025",
                  "Interview med sagsbehandler · 10 March 2025"]),
    # a phase is labelled with its dates; phases 2 and 3 hold no excerpts, so they have no heading
    ("phase", [PHASE_1, "Phase 4 · 1 Aug 2026 – 31 Jan 2027", PHASE_1, PHASE_1, PHASE_1]),
    ("kind", ["Interview", "Observation", "Interview", "Interview", "Interview"]),
    ("coder", ["Anna Krogh", "Anna Krogh", "Jonas Bech", "Anna Krogh"]),
])
def test_group_by_adds_headings_one_level_below_each_code(project: Path, tmp_path: Path, group_by: str,
                                                          groups: list[str]) -> None:
    out = tmp_path / f"{group_by}.docx"
    ok("--db", project, "--lang", "en", "export", "docx", out, "--group-by", group_by)
    document = docx.Document(str(out))
    found = group_headings(document)
    assert [t for _s, t in found] == groups
    # real Heading styles (in the contents and Word's navigation pane), one level below the codes (Heading 2)
    assert {s for s, _t in found} == {"Heading3"}
    assert document.styles.get_by_id("Heading3", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH).name == "Heading 3"
    # a group heading sits under its code heading and before that group's excerpts
    order = [n for n, _t in paragraphs(document) if n in ("Heading2", "Heading3", "Excerpt")]
    assert order[:3] == ["Heading2", "Heading3", "Excerpt"]
    assert all(order[i + 1] == "Excerpt" for i, n in enumerate(order) if n == "Heading3")
    contents = [t.rstrip("\t") for n, t in paragraphs(document) if n == "TOC3"]
    assert contents == groups  # listed in the contents, under their codes
    toc = [t.text for t in document.element.body.iter(f"{W}instrText") if "TOC" in (t.text or "")]
    assert toc == [' TOC \\o "1-3" \\h \\z \\u ']


def test_phase_groups_carry_their_dates_in_danish(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "faser.docx"
    ok("--db", project, "--lang", "da", "export", "docx", out, "--group-by", "phase", "--code", "Kollegial sparring")
    found = group_headings(docx.Document(str(out)))
    assert found == [("Heading3", "Fase 1 · 1. feb. 2025 – 31. jul. 2025"),
                     ("Heading3", "Fase 4 · 1. aug. 2026 – 31. jan. 2027")]


def test_english_labels_and_dates(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "en.docx"
    ok("--db", project, "--lang", "en", "export", "docx", out)
    text = "\n".join(t for _n, t in paragraphs(docx.Document(str(out))))
    assert "Coded excerpts" in text and "Appendix: Codebook" in text and "Contents" in text
    assert "· 10 March 2025 · Mette Vinther (sagsbehandler) · para. 2, 00:00:12 · coded by Anna Krogh" in text
    assert "Rating: 4/5" in text and "Kodede uddrag" not in text and "afsnit" not in text


def test_contents_are_written_out_and_link_to_the_headings(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "toc.docx"
    ok("--db", project, "--lang", "da", "export", "docx", out)
    document = docx.Document(str(out))
    toc = [(n, t.rstrip("\t")) for n, t in paragraphs(document) if re.fullmatch(r"TOC\d", n)]
    assert [t for _n, t in toc] == [*TREE, "Bilag: Kodebog"]
    assert [n[-1] for n, _t in toc] == ["1", "2", "2", "1", "2", "1", "2", "1"]
    body = document.element.body
    anchors = [h.get(f"{W}anchor") for h in body.iter(f"{W}hyperlink")]
    bookmarks = {b.get(f"{W}name"): b for b in body.iter(f"{W}bookmarkStart")}
    assert len(anchors) == 8 and all(a in bookmarks for a in anchors)
    for anchor, (_n, title) in zip(anchors, toc, strict=True):
        assert bookmarks[anchor].getparent().xpath("string(.)") == title  # the bookmark is on that heading
    # the contents are a TOC field (Word builds it), then the entries written out with PAGEREF page numbers
    # inside a QUOTE field (LibreOffice shows them; Word empties the QUOTE as it fills the TOC)
    instructions = [t.text for t in body.iter(f"{W}instrText")]
    assert instructions == [' TOC \\o "1-2" \\h \\z \\u ', ' QUOTE "" ', *(f" PAGEREF {a} \\h " for a in anchors)]
    kinds = [c.get(f"{W}fldCharType") for c in body.iter(f"{W}fldChar")]
    assert kinds[:4] == ["begin", "separate", "end", "begin"] and kinds[-1] == "end"
    assert kinds.count("begin") == kinds.count("end") == len(anchors) + 2
    settings = document.settings.element
    update = settings.find(f"{W}updateFields")
    assert update is not None and update.get(f"{W}val") == "true"


def test_page_furniture_properties_and_no_paths(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "props.docx"
    ok("--db", project, "--lang", "da", "export", "docx", out)
    document = docx.Document(str(out))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert "Testkodebog" in section.header.paragraphs[0].text
    footer_fields = [t.text.strip() for t in section.footer._element.iter(f"{W}instrText")]
    assert footer_fields == ["PAGE", "NUMPAGES"] and "Side" in section.footer.paragraphs[0].text
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    props = document.core_properties
    assert props.title == "Testkodebog — Kodede uddrag" and props.author == "Anna Krogh"
    assert props.last_modified_by == "Anna Krogh" and "python-docx" not in (props.comments or "")
    assert props.language == "da-DK"
    with zipfile.ZipFile(out) as package:
        everything = b"".join(package.read(name) for name in package.namelist())
        assert b"python-docx" not in everything and b"Macintosh" not in everything
    for leak in (str(tmp_path), str(Path.home()), "/tmp/", "\\Users\\"):
        assert leak.encode() not in everything


def test_an_empty_result_writes_nothing_and_says_so(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "tom.docx"
    result = run("--db", project, "export", "docx", out, "--contains", "findes slet ikke")
    assert result.code == 1 and not out.exists()
    assert result.err.count("\n") == 1 and "no excerpts match" in result.err and "Traceback" not in result.err
    assert not list(tmp_path.glob(".tom.docx*"))  # no half-written temporary file either


def test_an_existing_file_is_kept_unless_forced(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.docx"
    out.write_bytes(b"kommentarer fra kollegerne")
    result = run("--db", project, "export", "docx", out)
    assert result.code == 1 and "--force" in result.err and out.read_bytes() == b"kommentarer fra kollegerne"
    ok("--db", project, "export", "docx", out, "--force")
    assert docx.Document(str(out)).paragraphs
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_every_export_is_in_the_audit_trail_with_the_file_name_only(project: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDNOTES_CODER", "Ida Holm")
    out = tmp_path / "revision.docx"
    ok("--db", project, "export", "docx", out, "--code", "Ledelse", "--coder", "Anna Krogh")
    log = ok("--db", project, "log", "--exports", "--json").json
    assert len(log) == 1
    entry = log[0]
    assert entry["action"] == "export" and entry["coder"] == "Ida Holm"
    details = entry["details"]
    assert uuid.UUID(details.pop("export_id"))  # the id the report's anchors carry (memo import, #27)
    assert details == {"format": "docx", "file": "revision.docx", "filters": {"codes": "Ledelse",
                       "coders": "Anna Krogh"}, "excerpts": 1, "documents": 1, "pseudonymized": False,
                       "pseudonymize_requested": True, "names_choice": "project setting", "register_entries": 0}
    assert str(tmp_path) not in str(entry)


def test_pseudonymisation_through_the_public_api(project: Path, tmp_path: Path) -> None:
    names = {"Søren": "Peter", "Mette Vinther": "Hanne Lund", "Mette": "Hanne"}
    opened = open_project(str(project))
    try:
        on = export(opened, ExportRequest("docx", tmp_path / "on.docx", exported_by="Anna Krogh", lang="da",
                                          pseudonymize=True, replacements=names))
        off = export(opened, ExportRequest("docx", tmp_path / "off.docx", exported_by="Anna Krogh", lang="da",
                                           pseudonymize=False, replacements=names))
    finally:
        opened.close()
    assert on.pseudonymized and not off.pseudonymized
    pseudonymised = "\n".join(t for _n, t in paragraphs(docx.Document(str(tmp_path / "on.docx"))))
    plain = "\n".join(t for _n, t in paragraphs(docx.Document(str(tmp_path / "off.docx"))))
    assert "Søren" not in pseudonymised and "at Peter får et job" in pseudonymised
    assert "Mette Vinther" not in pseudonymised and "Hanne Lund (sagsbehandler)" in pseudonymised
    assert "Pseudonymiseret\tja" in pseudonymised
    assert "at Søren får et job" in plain and "Mette Vinther (sagsbehandler)" in plain and "Peter" not in plain


def test_the_project_setting_picks_the_default_and_the_flags_override_it(project: Path, tmp_path: Path) -> None:
    use_register(lambda session: {"Søren": "Peter"})
    try:
        ok("--db", project, "project", "set", "pseudonymize_exports", "yes")
        ok("--db", project, "export", "docx", tmp_path / "default.docx", "--code", "Specifik tro")
        ok("--db", project, "export", "docx", tmp_path / "off.docx", "--code", "Specifik tro", "--no-pseudonymize")
        ok("--db", project, "project", "set", "pseudonymize_exports", "no")
        ok("--db", project, "export", "docx", tmp_path / "plain.docx", "--code", "Specifik tro")
        ok("--db", project, "export", "docx", tmp_path / "on.docx", "--code", "Specifik tro", "--pseudonymize")
    finally:
        use_register(None)

    def quote(name: str) -> str:
        return quotes(docx.Document(str(tmp_path / name)))[0][1]

    assert "Peter" in quote("default.docx") and "Søren" in quote("off.docx")
    assert "Søren" in quote("plain.docx") and "Peter" in quote("on.docx")
    log = ok("--db", project, "log", "--exports", "--json").json
    assert sorted(e["details"]["pseudonymized"] for e in log if e["action"] == "export") == [False, False, True, True]


def test_asking_for_pseudonyms_without_a_register_says_so(project: Path, tmp_path: Path) -> None:
    result = ok("--db", project, "export", "docx", tmp_path / "x.docx", "--pseudonymize")
    assert "names replaced: no (the project has no pseudonym register" in result.out
    assert "Søren" in "\n".join(q[1] for q in quotes(docx.Document(str(tmp_path / "x.docx"))))


def test_pseudonymizer_replaces_longest_first_and_maps_positions() -> None:
    names = Pseudonymizer({"Anna": "Eva", "Anna Krogh": "Bo Ravn", "Ærø": "Fanø"})
    assert names("Anna Krogh og Anna bor på Ærø 🏝") == "Bo Ravn og Eva bor på Fanø 🏝"
    text = "Hej Anna Krogh! Anna er her."
    replaced, where = names.with_offsets(text)
    assert replaced == "Hej Bo Ravn! Eva er her."
    start = text.index("Anna er")
    assert replaced[where(start):where(start + len("Anna er"))] == "Eva er"
    assert where(text.index("Krogh")) == replaced.index("Bo Ravn")  # inside a name: to its pseudonym
    assert where(len(text)) == len(replaced)
    assert not Pseudonymizer().active and Pseudonymizer()("Anna") == "Anna"


def test_pseudonymizer_is_identity_when_disabled_or_without_a_register(project: Path) -> None:
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        assert pseudonymizer(session, False, replacements={"Søren": "Peter"})("Søren") == "Søren"
        assert pseudonymizer(session, True)("Søren") == "Søren"
        assert pseudonymizer(session, True, replacements={"Søren": "Peter"})("Søren") == "Peter"


def test_progress_is_reported_to_the_callback(project: Path, tmp_path: Path) -> None:
    add_many_excerpts(project, 1200)
    calls: list[tuple[int, int]] = []
    with open_project(str(project)) as opened:
        export(opened, ExportRequest("docx", tmp_path / "p.docx", exported_by="Anna Krogh"),
               progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (1205, 1205) and [c[0] for c in calls] == sorted(c[0] for c in calls) and len(calls) >= 3


def test_nothing_to_export_from_the_library(project: Path, tmp_path: Path) -> None:
    with open_project(str(project)) as opened, pytest.raises(NothingToExport):
        export(opened, ExportRequest("docx", tmp_path / "x.docx", filters=Filters(contains="zzz")))
    assert not (tmp_path / "x.docx").exists()


def _excerpt(index: int, text: str, **extra: Any) -> Excerpt:
    values: dict[str, Any] = dict(
        id=f"c{index}", code="k1", code_path="Tema/Kode", document="d1", document_title="Dok <1> & \"2\"",
        municipality="Ærøskøbing", kind="interview", date="2025-05-01", phase=1, coder="Åse Ølund", start=0,
        end=len(text), text=text, memo=None, rating=None, needs_review=False)
    values.update(extra)
    return Excerpt(**values)


def test_awkward_text_is_written_exactly_and_the_file_stays_valid() -> None:
    long_text = ("Æblet faldt ikke langt fra stammen 🍎, sagde hun. " * 5000).strip()
    tricky = "<w:p> & \"citat\" 'enkelt' ]]> \t tab og ½ € – 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀👍🏽 ægte ø å"
    control = "før\x0bform\x0cfeed\x00nul efter"
    blank_lines = "første linje\n\n\ntredje linje\n"
    items = [_excerpt(1, long_text), _excerpt(2, tricky, memo="<memo> & 😀"), _excerpt(3, control),
             _excerpt(4, blank_lines, context_before="før: ", context_after=" :efter")]
    data = ExportSet(project_name="Projekt & <Co>", excerpts=items, exported_by="Åse Ølund",
                     codes=[CodeEntry(id="k0", name="Tema", path="Tema", depth=0),
                            CodeEntry(id="k1", name="Kode", path="Tema/Kode", depth=1, color="#e15759")])
    buffer = io.BytesIO()
    write_excerpts_docx(data, buffer, lang="da")
    document = docx.Document(io.BytesIO(buffer.getvalue()))
    found = [q[1] for q in quotes(document)]
    assert found == [long_text, tricky, "førformfeednul efter", blank_lines]
    assert quotes(document)[3][0] == "før: " and quotes(document)[3][2] == " :efter"
    assert document.core_properties.title == "Projekt & <Co> — Kodede uddrag"
    bars = [p._p.find(f"{W}pPr/{W}pBdr/{W}left") for p in document.paragraphs if p._p.style == "Excerpt"]
    assert {b.get(f"{W}color") for b in bars} == {"E15759"}  # the code's colour as the quotation's bar


@pytest.mark.slow
def test_ten_thousand_excerpts(project: Path, tmp_path: Path) -> None:
    add_many_excerpts(project, 10_000)
    out = tmp_path / "stor.docx"
    result = ok("--db", project, "--json", "export", "docx", out, "--context", "20")
    assert result.json["excerpts"] == 10_005
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        expected = excerpts(session, Filters(), context=20)
    document = docx.Document(str(out))
    found = quotes(document)
    assert [q[1] for q in found] == [e.text for e in expected]
    assert [q[0] for q in found] == [e.context_before for e in expected]
    citations = [p.text for p in document.paragraphs if p._p.style == "ExcerptCitation"]
    assert len(citations) == 10_005 and all(re.search(r"coded by (Anna Krogh|Jonas Bech)$", c) for c in citations)


def test_gather_reads_code_entries_in_tree_order_with_ancestors(project: Path) -> None:
    with open_project(str(project), readonly=True) as opened, opened.read() as session:
        data = gather(session, Filters(codes=["Specifik tro"]))
    assert [c.path for c in data.codes] == ["Tro på borgerens jobchance", "Tro på borgerens jobchance/Specifik tro"]
    assert data.codes[0].scale == (1, 5) and data.codes[0].rating_label(5) == "Tror i høj grad på job"
    assert [e.text for e in data.excerpts] == [BELIEF] and data.excerpts[0].document_title == DOC


# the schema's sequences (ECMA-376 part 1, CT_PPrBase, CT_RPr, CT_Style, CT_TblPr, CT_PBdr): Word rejects a
# file whose property elements come in another order, where LibreOffice shrugs
ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
           "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
           "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
           "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
           "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl "
           "cs em lang eastAsianLayout specVanish oMath",
    "style": "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden unhideWhenUsed qFormat locked "
             "personal personalCompose personalReply rsid pPr rPr tblPr trPr tcPr tblStylePr",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
             "tblInd tblBorders shd tblLayout tblCellMar tblLook",
    "pBdr": "top left bottom right between bar",
    "tblBorders": "top left start bottom right end insideH insideV",
}


def out_of_order(xml: bytes) -> list[str]:
    from lxml import etree

    problems = []
    for element in etree.fromstring(xml).iter(f"{W}*"):
        local = etree.QName(element).localname
        if local == "r" and len(element) and any(etree.QName(c).localname == "rPr" for c in element[1:]):
            problems.append("a run's rPr is not its first child")
        sequence = ORDER.get(local)
        if sequence is None or (local == "rPr" and etree.QName(element.getparent()).localname == "pPr"):
            continue
        names = sequence.split()
        children = [etree.QName(c).localname for c in element]
        unknown = [c for c in children if c not in names]
        positions = [names.index(c) for c in children if c in names]
        if unknown or positions != sorted(positions):
            problems.append(f"<{local}>: {children}")
    return problems


def test_property_elements_follow_the_schema_order(project: Path, tmp_path: Path) -> None:
    report, annotated = tmp_path / "r.docx", tmp_path / "a.docx"
    ok("--db", project, "export", "docx", report, "--memos", "--context", "sentence", "--group-by", "municipality")
    ok("--db", project, "export", "docx", annotated, "--annotated", DOC, NOTE)
    for path in (report, annotated):
        with zipfile.ZipFile(path) as package:
            for name in package.namelist():
                if name.startswith("word/") and name.endswith(".xml"):
                    assert out_of_order(package.read(name)) == [], f"{path.name}:{name}"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from fieldnotes.cli import export_cmds

    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    show, finish = export_cmds._progress()
    assert show is not None
    show(500, 10_000)
    show(10_000, 10_000)
    finish()
    assert "500/10,000" in terminal.getvalue() and terminal.getvalue().endswith("\r\x1b[K")
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert export_cmds._progress()[0] is None


def test_turn_context_leaves_out_a_header_line_of_label_and_timestamp(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "service"
    folder.mkdir()
    (folder / "borger.txt").write_text(
        "Speaker 1  00:01:02\nHvordan går det?\n\nSøren Ærø  00:02:16\nDet går fint. Jeg tror på det nu, "
        "og jeg får praktik.\nNæste uge starter jeg.\n", encoding="utf-8")
    (folder / "borger.meta.yaml").write_text("title: Interview med borger\nkind: interview\nmunicipality: Søholm\n",
                                             encoding="utf-8")
    ok("--db", project, "import", folder, "--coder", "Anna Krogh")
    ok("--db", project, "code", "Interview med borger", "--code", "Specifik tro", "--match", "Jeg tror på det nu")
    out = tmp_path / "turn.docx"
    ok("--db", project, "export", "docx", out, "--context", "turn", "--municipality", "Søholm")
    assert quotes(docx.Document(str(out))) == [
        ("Det går fint. ", "Jeg tror på det nu", ", og jeg får praktik.\nNæste uge starter jeg.")]


def test_the_projects_language_is_the_default_before_the_locale(project: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIELDNOTES_LANG")
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")  # an English locale: only the project's setting says Danish
    assert ok("--db", project, "project", "show", "--json").json["language"] == "da"

    def headings(name: str, *args: str) -> list[str]:
        out = tmp_path / name
        ok("--db", project, *args, "export", "docx", out)
        return [t for n, t in paragraphs(docx.Document(str(out))) if n in ("Subtitle", "TOCHeading", "Heading1")]

    danish = headings("da.docx")
    assert "Kodede uddrag" in danish and "Indhold" in danish and "Coded excerpts" not in danish
    assert "Coded excerpts" in headings("flag.docx", "--lang", "en")
    monkeypatch.setenv("FIELDNOTES_LANG", "en")
    assert "Coded excerpts" in headings("env.docx")
    monkeypatch.delenv("FIELDNOTES_LANG")
    ok("--db", project, "project", "set", "language", "en")
    assert "Coded excerpts" in headings("en.docx")


@pytest.mark.parametrize("extra", [[], ["--annotated", DOC]])
def test_the_package_holds_no_template_leftovers(project: Path, tmp_path: Path, extra: list[str]) -> None:
    out = tmp_path / "clean.docx"
    ok("--db", project, "export", "docx", out, *extra)
    with zipfile.ZipFile(out) as package:
        names = package.namelist()
        types = package.read("[Content_Types].xml").decode()
        relations = "".join(package.read(n).decode() for n in names if n.endswith(".rels"))
    assert not [n for n in names if "thumbnail" in n.lower() or "WithEffects" in n]
    assert "thumbnail" not in relations and "stylesWithEffects" not in relations and "jpeg" not in types
    # the only custom XML part is the report's own anchor map (memo import, #27), never the template's
    # bibliography store; the annotated document has none
    custom = [n for n in names if n.startswith("customXml/")]
    if extra:
        assert not custom and "customXml" not in relations and "customXml" not in types
    else:
        assert sorted(custom) == ["customXml/_rels/item1.xml.rels", "customXml/item1.xml", "customXml/itemProps1.xml"]
        with zipfile.ZipFile(out) as package:
            assert b"urn:fieldnotes:report-anchors:1" in package.read("customXml/item1.xml")
            assert b"bibliography" not in package.read("customXml/itemProps1.xml")
    assert {"word/document.xml", "word/styles.xml", "docProps/core.xml", "docProps/app.xml"} <= set(names)
    for name in names:  # every part a relationship names is in the package
        if name.endswith(".rels"):
            folder = name.split("_rels/")[0]
            with zipfile.ZipFile(out) as package:
                for target in re.findall(r'Target="([^"]+)"', package.read(name).decode()):
                    assert posixpath.normpath(folder + target) in names, (name, target)
    document = docx.Document(str(out))
    assert document.core_properties.author == "Anna Krogh" and document.paragraphs
