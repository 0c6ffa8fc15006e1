"""The coding actions as one call each, for the command line, the app and scripts alike: choosing the
spans to code (`choose_spans`), coding them (`code`, or `preview_code` for a dry run), and saving an
edited text only if no one changed it meanwhile (`save_edit`, the compare-and-set of `fieldnotes edit`).

Each takes a project and plain values, opens its own short transaction (one recorded change per
action, fieldnotes.project.actions) and returns a dataclass; errors are fieldnotes.errors.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from fieldnotes.coding import applying, spans
from fieldnotes.coding.applying import Span
from fieldnotes.coding.edit import EditResult
from fieldnotes.db.models import Code, Document
from fieldnotes.errors import FieldnotesError, InvalidInput
from fieldnotes.translations import _, said

if TYPE_CHECKING:
    from fieldnotes.project.opening import Project


# --- choosing what to code -------------------------------------------------------------------------


@dataclass(frozen=True)
class SpanChoice:
    """What to code in a document: exactly one of a span ("START:END"), a text to match (the only one, the
    `nth`, or `all` of them), a regular expression or a speaker's turns; `snap` widens each span to a
    word, sentence, paragraph or turn."""

    span: str | None = None
    match: str | None = None
    regex: str | None = None
    speaker: str | None = None
    all: bool = False
    nth: int | None = None
    snap: str | None = None

    def check(self) -> None:
        chosen = sum(x is not None for x in (self.span, self.match, self.regex, self.speaker))
        if chosen != 1:
            raise InvalidInput(_("say what to code with exactly one of --span, --match, --regex or --speaker"))
        if (self.all or self.nth) and not self.match:
            raise InvalidInput(_("--all and --nth go with --match"))


def choose_spans(session: Session, doc: Document, choice: SpanChoice) -> list[Span]:
    """The spans `choice` names in `doc` (refused when it names none, or, for a match, more than one
    without `all` or `nth`)."""
    choice.check()
    if choice.span is not None:
        start, end = spans.parse(choice.span)
        spans.check(doc.length, start, end)
        found = [Span(start, end)]
    elif choice.match is not None:
        found = applying.by_match(doc, choice.match, all_=choice.all, nth=choice.nth)
    elif choice.regex is not None:
        found = applying.by_regex(doc, choice.regex)
    else:
        assert choice.speaker is not None
        found = applying.by_speaker(session, doc, choice.speaker)
    if choice.snap:
        turns = list(doc.turns)
        found = [Span(*spans.widen(doc.text, s.start, s.end, choice.snap, turns)) for s in found]
    return found


def _target(session: Session, document: str, code: str, choice: SpanChoice,
            rating: int | None) -> tuple[Document, Code, list[Span]]:
    from fieldnotes.codebook.tree import code_named
    from fieldnotes.documents.store import resolve

    doc = resolve(session, document)
    code_row = code_named(session, code)
    applying.check_code(code_row)
    applying.check_rating(code_row, rating)
    return doc, code_row, choose_spans(session, doc, choice)


# --- coding ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coded:
    """One coding made (or found already there: `created` is False) by `code`."""

    id: uuid.UUID
    document: uuid.UUID
    document_title: str
    code: uuid.UUID
    code_path: str
    start: int
    end: int
    text: str
    created: bool

    def as_dict(self) -> dict[str, Any]:
        return {"id": str(self.id), "document": str(self.document), "document_title": self.document_title,
                "code": str(self.code), "code_path": self.code_path, "start": self.start, "end": self.end,
                "text": self.text, "created": self.created}


@dataclass(frozen=True)
class CodePreview:
    """What `code` would do: the document, the code and each span with its text and context."""

    title: str
    code_name: str
    spans: list[dict[str, object]]


def preview_code(project: Project, document: str, code: str, choice: SpanChoice, *,
                 rating: int | None = None) -> CodePreview:
    """The dry run of `code`: the same checks, nothing written."""
    choice.check()
    with project.read() as session:
        doc, code_row, found = _target(session, document, code, choice, rating)
        return CodePreview(doc.title, code_row.name, applying.preview(doc, found))


def code(project: Project, coder: str, document: str, code: str, choice: SpanChoice, *, memo: str | None = None,
         rating: int | None = None) -> list[Coded]:
    """Code the spans `choice` names in a document (by id, prefix or title) with a code (by path, name or
    id), as one recorded change by `coder`."""
    from fieldnotes.codebook.tree import CodeTree
    from fieldnotes.project.actions import acting, describe_change

    choice.check()
    with acting(project, coder, "code", said("coded {code}", code=code)) as (session, cid):
        doc, code_row, found = _target(session, document, code, choice, rating)
        summary = said("coded {code} in {title!r} ({n} spans)", code=code_row.name, title=doc.title, n=len(found)) \
            if len(found) > 1 else said("coded {code} in {title!r}", code=code_row.name, title=doc.title)
        describe_change(session, summary, {"code": str(code_row.id), "code_name": code_row.name,
                                           "document": str(doc.id), "title": doc.title, "spans": len(found)})
        tree = CodeTree.load(session)
        results = [applying.apply(session, doc, code_row, s.start, s.end, coder_id=cid, memo=memo, rating=rating)
                   for s in found]
        return [Coded(c.id, doc.id, doc.title, code_row.id, tree.path(code_row.id), c.start, c.end, c.text, created)
                for c, created in results]


# --- editing a text --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A document's text as it was when someone started editing it: what `save_edit` compares against."""

    document: uuid.UUID
    title: str
    text: str


def start_edit(project: Project, document: str) -> Draft:
    """The text to edit, by the document's id, prefix or title."""
    from fieldnotes.documents.store import resolve

    with project.read() as session:
        doc = resolve(session, document)
        return Draft(doc.id, doc.title, doc.text)


def save_edit(project: Project, coder: str, draft: Draft, new_text: str) -> EditResult:
    """Save `new_text` as the document's text, carrying every coding along, as one recorded change;
    refused, with nothing saved, when the text is no longer the draft's (changed elsewhere meanwhile)."""
    from fieldnotes.coding.edit import edit_text
    from fieldnotes.project.actions import acting

    with acting(project, coder, "edit", said("edited the text of {title!r}", title=draft.title)) as (session, cid):
        current = session.get(Document, draft.document)
        if current is None or current.text != draft.text:
            raise FieldnotesError(_("{title!r} changed while you were editing; nothing was saved")
                                  .format(title=draft.title), hint=_("run the edit again"))
        return edit_text(session, current, new_text, coder_id=cid)
