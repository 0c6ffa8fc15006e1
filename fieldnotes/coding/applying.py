"""Applying and removing codes: the researcher's core act, exact and recorded.

Every function here runs inside the caller's `history.change(...)` (the command line and the app
open one per user action), so each action is one undoable step in the event log.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.coding import spans
from fieldnotes.db.models import Code, Coding, Document, Memo, SpeakerTurn
from fieldnotes.errors import Ambiguous, InvalidInput, NotFound, Refused
from fieldnotes.translations import _


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def check_code(code: Code) -> None:
    if not code.codable:
        raise Refused(_("{name!r} is a category, not a code you can apply").format(name=code.name),
                      hint=_("choose one of its sub-codes"))
    if code.retired:
        raise Refused(_("{name!r} is retired")
                      .format(name=code.name), hint=_("un-retire it with `fieldnotes codebook retire --undo`"))


def check_rating(code: Code, rating: int | None) -> None:
    if rating is None:
        return
    if code.scale_min is None or code.scale_max is None:
        raise InvalidInput(_("{name!r} has no rating scale, so a coding of it cannot be rated").format(name=code.name))
    if not code.scale_min <= rating <= code.scale_max:
        raise InvalidInput(_("the rating {rating} is outside {name!r}'s scale {scale_min}–{scale_max}")
                           .format(rating=rating, name=code.name, scale_min=code.scale_min, scale_max=code.scale_max))


def apply(session: Session, document: Document, code: Code, start: int, end: int, *, coder_id: uuid.UUID,
          memo: str | None = None, rating: int | None = None) -> tuple[Coding, bool]:
    """Code [start, end). The same code, span and coder again is the same coding (returns created=False)."""
    spans.check(document.length, start, end)
    check_code(code)
    check_rating(code, rating)
    existing = session.scalars(
        select(Coding).where(Coding.document_id == document.id, Coding.code_id == code.id,
                             Coding.coder_id == coder_id, Coding.start == start, Coding.end == end)
    ).first()
    if existing is not None:
        if memo is not None and memo != existing.memo:
            existing.memo = memo
        if rating is not None and rating != existing.rating:
            existing.rating = rating
        return existing, False
    coding = Coding(document_id=document.id, code_id=code.id, coder_id=coder_id, start=start, end=end,
                    text=document.text[start:end], memo=memo or None, rating=rating, created_by=coder_id)
    session.add(coding)
    session.flush()
    return coding, True


@dataclass(frozen=True)
class NewCoding:
    document_id: uuid.UUID
    code_id: uuid.UUID
    coder_id: uuid.UUID
    start: int
    end: int
    memo: str | None = None
    rating: int | None = None


def apply_bulk(session: Session, items: Sequence[NewCoding], *, texts: dict[uuid.UUID, str] | None = None) -> int:
    """Add many codings in one flush (inside the caller's change): the path for generators and merges.

    Every coding is checked as `apply` checks it; codings that already exist are skipped. Returns how
    many were added.
    """
    codes = {c.id: c for c in session.scalars(select(Code).where(Code.id.in_({i.code_id for i in items})))}
    doc_ids = {i.document_id for i in items}
    if texts is None:
        texts = dict(session.execute(select(Document.id, Document.text).where(Document.id.in_(doc_ids))).all())
    existing = {tuple(row) for row in session.execute(
        select(Coding.document_id, Coding.code_id, Coding.coder_id, Coding.start, Coding.end)
        .where(Coding.document_id.in_(doc_ids)))}
    added = 0
    for item in items:
        code = codes.get(item.code_id)
        text = texts.get(item.document_id)
        if code is None or text is None:
            raise NotFound(_("no code or document for a coding at {start}:{end}")
                           .format(start=item.start, end=item.end))
        spans.check(len(text), item.start, item.end)
        check_code(code)
        check_rating(code, item.rating)
        key = (item.document_id, item.code_id, item.coder_id, item.start, item.end)
        if key in existing:
            continue
        existing.add(key)
        session.add(Coding(document_id=item.document_id, code_id=item.code_id, coder_id=item.coder_id,
                           start=item.start, end=item.end, text=text[item.start : item.end], memo=item.memo,
                           rating=item.rating, created_by=item.coder_id))
        added += 1
    session.flush()
    return added


def get_coding(session: Session, text: str) -> Coding:
    wanted = text.strip().replace("-", "").lower()
    if len(wanted) < 4 or any(c not in "0123456789abcdef" for c in wanted):
        raise NotFound(_("{text!r} is not a coding id")
                       .format(text=text), hint=_("coding ids are printed by `fieldnotes code` and "
                                                             "`fieldnotes excerpts`"))
    if len(wanted) == 32:
        found = session.get(Coding, uuid.UUID(wanted))
        if found is not None:
            return found
    ids = [i for i in session.scalars(select(Coding.id)) if i.hex.startswith(wanted)]
    if not ids:
        raise NotFound(_("no coding {text!r}").format(text=text))
    if len(ids) > 1:
        raise Ambiguous(_("the id prefix {text!r} matches {n_ids} codings; give more of it")
                        .format(text=text, n_ids=len(ids)))
    coding = session.get(Coding, ids[0])
    assert coding is not None
    return coding


def remove(session: Session, coding: Coding) -> None:
    """Remove a coding and the memos written on it (undo brings both back)."""
    for memo in session.scalars(select(Memo).where(Memo.coding_id == coding.id)):
        session.delete(memo)
    session.flush()
    session.delete(coding)
    session.flush()


def update(session: Session, coding: Coding, *, memo: str | None = None, rating: int | None = None,
           clear_rating: bool = False, start: int | None = None, end: int | None = None,
           reviewed: bool | None = None) -> Coding:
    """Change a coding's memo, rating or boundaries."""
    code = session.get(Code, coding.code_id)
    document = session.get(Document, coding.document_id)
    assert code is not None and document is not None
    if memo is not None:
        coding.memo = memo or None
    if clear_rating:
        coding.rating = None
    elif rating is not None:
        check_rating(code, rating)
        coding.rating = rating
    if start is not None or end is not None:
        new_start = coding.start if start is None else start
        new_end = coding.end if end is None else end
        spans.check(document.length, new_start, new_end)
        clash = session.scalars(
            select(Coding).where(Coding.document_id == coding.document_id, Coding.code_id == coding.code_id,
                                 Coding.coder_id == coding.coder_id, Coding.start == new_start,
                                 Coding.end == new_end, Coding.id != coding.id)
        ).first()
        if clash is not None:
            raise Refused(_("the same code already covers exactly that span by the same coder"))
        coding.start, coding.end = new_start, new_end
        coding.text = document.text[new_start:new_end]
    if reviewed is not None:
        coding.needs_review = not reviewed
    session.flush()
    return coding


# --- finding spans by pattern ------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    start: int
    end: int
    context: str


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    before = text[max(0, start - width) : start].replace("\n", " ")
    after = text[end : end + width].replace("\n", " ")
    return f"…{before}[{text[start:end]}]{after}…"


def occurrences(text: str, needle: str) -> list[Occurrence]:
    if not needle:
        raise InvalidInput(_("the text to match is empty"))
    out, position = [], text.find(needle)
    while position != -1:
        out.append(Occurrence(position, position + len(needle), _context(text, position, position + len(needle))))
        position = text.find(needle, position + 1)
    return out


def by_match(document: Document, needle: str, *, all_: bool = False, nth: int | None = None) -> list[Span]:
    """Spans of `needle`: exactly one occurrence, or --all, or the --nth (1-based)."""
    found = occurrences(document.text, needle)
    if not found:
        raise NotFound(_("{needle!r} does not occur in {title!r}").format(needle=needle, title=document.title))
    if nth is not None:
        if not 1 <= nth <= len(found):
            raise InvalidInput(_("--nth {nth}: {needle!r} occurs {n_found} time(s) in {title!r}")
                               .format(nth=nth, needle=needle, n_found=len(found), title=document.title))
        chosen = found[nth - 1]
        return [Span(chosen.start, chosen.end)]
    if all_:
        return [Span(o.start, o.end) for o in found]
    if len(found) > 1:
        listing = "; ".join(f"{i}: {o.start}:{o.end} {o.context}" for i, o in enumerate(found[:10], 1))
        raise Ambiguous(_("{needle!r} occurs {n_found} times in {title!r} ({listing})")
                        .format(needle=needle, n_found=len(found), title=document.title, listing=listing),
                        hint=_("add --nth N, --all, or a longer --match"))
    return [Span(found[0].start, found[0].end)]


def by_regex(document: Document, pattern: str) -> list[Span]:
    try:
        compiled = re.compile(pattern, re.MULTILINE)
    except re.error as error:
        raise InvalidInput(_("the regular expression {pattern!r} does not compile: {error}")
                           .format(pattern=pattern, error=error)) from None
    found = [Span(m.start(), m.end()) for m in compiled.finditer(document.text) if m.end() > m.start()]
    if not found:
        raise NotFound(_("the regular expression {pattern!r} matches nothing in {title!r}")
                       .format(pattern=pattern, title=document.title))
    return found


def by_speaker(session: Session, document: Document, speaker: str) -> list[Span]:
    """Every turn by a speaker (a label such as R, or the name or role it maps to), without the label."""
    turns = session.scalars(select(SpeakerTurn).where(SpeakerTurn.document_id == document.id)
                            .order_by(SpeakerTurn.start)).all()
    if not turns:
        raise NotFound(_("{title!r} has no speaker turns").format(title=document.title))
    wanted = speaker.strip().casefold()
    labels = {t.speaker for t in turns}
    matching = {label for label in labels if label.casefold() == wanted}
    for label, person in (document.speakers or {}).items():
        if isinstance(person, dict) and wanted in (str(person.get("name", "")).casefold(),
                                                   str(person.get("role", "")).casefold()):
            matching.add(label)
    if not matching:
        raise NotFound(_("no speaker {speaker!r} in {title!r}")
                       .format(speaker=speaker,
                               title=document.title), hint=_("speakers: {names}").format(names=", "
                                       "".join(sorted(labels))))
    out = []
    for turn in turns:
        if turn.speaker in matching:
            start, end = spans.turn_content(document.text, turn.start, turn.end)
            if end > start:
                out.append(Span(start, end))
    return out


def preview(document: Document, found: Sequence[Span]) -> list[dict[str, object]]:
    """What a dry run shows: each span with its text and a little context."""
    return [{"start": s.start, "end": s.end, "text": document.text[s.start : s.end],
             "context": _context(document.text, s.start, s.end)} for s in found]
