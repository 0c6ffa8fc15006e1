"""Documents: adding them with their cases and attributes, finding them, listing them.

Every way text enters a project (import, `fieldnotes new`, the demo, REFI-QDA, merge, benchmarks)
goes through `add_document`, so the text is always normalised, hashed and split into turns the same
way.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldnotes import ids
from fieldnotes import text as textmod
from fieldnotes.db import validation
from fieldnotes.db.models import (
    DOCUMENT_KINDS,
    MUNICIPALITY,
    Attribute,
    AttributeValue,
    Case,
    Coding,
    Document,
    DocumentCase,
    SpeakerTurn,
)
from fieldnotes.documents.turns import find_turns
from fieldnotes.errors import Ambiguous, InvalidInput, NotFound
from fieldnotes.translations import Said, _, said

KIND_ALIASES = {
    "interview": "interview",
    "interviews": "interview",
    "transcript": "interview",
    "transskription": "interview",
    "observation": "observation",
    "observations": "observation",
    "observationsnote": "observation",
    "observationsnoter": "observation",
    "feltnote": "observation",
    "note": "observation",
    "minutes": "minutes",
    "referat": "minutes",
    "mødereferat": "minutes",
    "document": "document",
    "dokument": "document",
}


def normalise_kind(value: str | None) -> str:
    if value is None or not str(value).strip():
        return "document"
    kind = KIND_ALIASES.get(str(value).strip().casefold())
    if kind is None:
        raise InvalidInput(_("the kind {value!r} is unknown")
                           .format(value=value), hint=_("use one of: {DOCUMENT_KINDS}")
                               .format(DOCUMENT_KINDS=', '.join(DOCUMENT_KINDS)))
    return kind


@dataclass
class NewDocument:
    """Everything needed to add one document; `text` is normalised on the way in."""

    text: str
    title: str
    kind: str = "document"
    date: dt.date | None = None
    activity: str | None = None
    participants: list[dict[str, str]] = field(default_factory=list)
    speakers: dict[str, Any] = field(default_factory=dict)
    source_name: str | None = None
    municipalities: list[str] = field(default_factory=list)
    cases: list[tuple[str, str]] = field(default_factory=list)  # (type, name)
    attributes: dict[str, Any] = field(default_factory=dict)
    id: uuid.UUID | None = None


@dataclass
class Added:
    document: Document
    created_cases: list[str]


def case_name(case_type: str, name: Any) -> str:
    """A case's name as stored, checked by the rules for names (fieldnotes.db.validation): one line, no
    control characters, no ';', not too long; refused when it is no name at all."""
    what, several = validation.case_words(case_type)
    checked = validation.case_name(name, what, several=several)
    if not checked:
        raise InvalidInput(_("a {case_type} needs a name").format(case_type=case_type))
    return checked


def get_case(session: Session, case_type: str, name: str, *, coder_id: uuid.UUID | None,
             created: list[str] | None = None) -> Case:
    case_type = validation.case_type(case_type)
    name = case_name(case_type, name)
    case = session.scalars(select(Case).where(Case.type == case_type, Case.name == name)).first()
    if case is None:
        folded = name.casefold()
        for candidate in session.scalars(select(Case).where(Case.type == case_type)):
            if candidate.name.casefold() == folded:
                return candidate
        case = Case(type=case_type, name=name, created_by=coder_id)
        session.add(case)
        session.flush()
        if created is not None:
            created.append(f"{case_type} {name}")
    return case


def _attribute(session: Session, scope: str, name: str, value: Any, coder_id: uuid.UUID | None) -> Attribute:
    attr = session.scalars(select(Attribute).where(Attribute.scope == scope, Attribute.name == name)).first()
    if attr is None:
        value_type = "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else (
            "date" if isinstance(value, dt.date) else "text")
        attr = Attribute(scope=scope, name=name, value_type=value_type, created_by=coder_id)
        session.add(attr)
        session.flush()
    return attr


def attribute_name(name: Any) -> str:
    checked = validation.name(name, _("the attribute name"), limit=validation.ATTRIBUTE_NAME)
    if not checked:
        raise InvalidInput(_("an attribute needs a name"), hint=_("write it as KEY=VALUE, e.g. team=Nord"))
    return checked


def attribute_value(name: str, value: Any) -> Any:
    """An attribute's value checked: text may hold line breaks, never other control characters."""
    if isinstance(value, str):
        return validation.value(value, _("the value of the attribute {name}").format(name=repr(name)))
    if isinstance(value, (list, dict)):
        validation.nested(value, _("the value of the attribute {name}").format(name=repr(name)))
    return value


def set_attribute(session: Session, *, scope: str, name: str, value: Any, coder_id: uuid.UUID | None,
                  document_id: uuid.UUID | None = None, case_id: uuid.UUID | None = None) -> None:
    name = attribute_name(name)
    value = attribute_value(name, value)
    attr = _attribute(session, scope, name, value, coder_id)
    where = AttributeValue.document_id == document_id if document_id else AttributeValue.case_id == case_id
    row = session.scalars(select(AttributeValue).where(AttributeValue.attribute_id == attr.id, where)).first()
    if value is None or value == "":
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = AttributeValue(attribute_id=attr.id, document_id=document_id, case_id=case_id, created_by=coder_id)
        session.add(row)
    row.value_text, row.value_number, row.value_date = None, None, None
    if attr.value_type == "number":
        try:
            row.value_number = float(value)
        except (TypeError, ValueError):
            raise InvalidInput(_("the attribute {name!r} holds numbers; {value!r} is not one")
                               .format(name=name, value=value)) from None
    elif attr.value_type == "date":
        try:
            row.value_date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput(_("the attribute {name!r} holds dates (YYYY-MM-DD); {value!r} is not one")
                               .format(name=name, value=value)) from None
    else:
        row.value_text = str(value)


def check_new(new: NewDocument) -> str:
    """Check everything about a new document except its text; returns its kind.

    Its metadata must keep the rules for names and values (fieldnotes.db.validation). `fieldnotes new` calls
    this before it opens the editor, so no typed note is refused afterwards for a mistake in its arguments;
    importers call it while reading a file; `add_document` calls it too, so none can disagree.
    """
    kind = normalise_kind(new.kind)
    validation.name(new.title, _("the title"), limit=validation.TITLE)
    if new.activity:
        validation.name(new.activity, _("the activity"), limit=validation.ACTIVITY)
    if new.source_name:
        validation.name(new.source_name, _("the file name"), limit=validation.SOURCE_NAME)
    validation.nested(new.participants, _("a participant"))
    for label, person in new.speakers.items():
        validation.name(label, _("the speaker label"), limit=validation.SPEAKER)
        validation.nested(person, _("a speaker"))
    for municipality in new.municipalities:
        case_name(MUNICIPALITY, municipality)
    for case_type, name in new.cases:
        case_name(validation.case_type(case_type), name)
    for key, value in new.attributes.items():
        attribute_value(attribute_name(key), value)
    return kind


def add_document(session: Session, new: NewDocument, *, coder_id: uuid.UUID | None) -> Added:
    """Add a document (inside the caller's change). Returns it with any cases it created."""
    kind = check_new(new)
    body = textmod.normalise(new.text)
    if not body.strip():
        raise InvalidInput(_("{title}: the document has no text").format(title=new.title))
    title = " ".join(new.title.split()) or "Untitled"
    doc = Document(
        id=new.id or ids.new(),
        title=title,
        kind=kind,
        activity=" ".join(new.activity.split()) if new.activity else None,
        date=new.date,
        participants=list(new.participants),
        speakers=dict(new.speakers),
        source_name=new.source_name,
        text=body,
        sha256=textmod.sha256(body),
        length=len(body),
        created_by=coder_id,
    )
    session.add(doc)
    session.flush()
    replace_turns(session, doc, coder_id=coder_id)
    created: list[str] = []
    links = [(MUNICIPALITY, m) for m in new.municipalities] + list(new.cases)
    seen: set[uuid.UUID] = set()
    for case_type, name in links:
        case = get_case(session, case_type, name, coder_id=coder_id, created=created)
        if case.id not in seen:
            seen.add(case.id)
            session.add(DocumentCase(document_id=doc.id, case_id=case.id, created_by=coder_id))
    for name, value in new.attributes.items():
        set_attribute(session, scope="document", name=str(name), value=value, coder_id=coder_id,
                      document_id=doc.id)
    session.flush()
    return Added(doc, created)


def replace_turns(session: Session, doc: Document, *, coder_id: uuid.UUID | None) -> None:
    """(Re)compute a document's speaker turns from its text."""
    for old in session.scalars(select(SpeakerTurn).where(SpeakerTurn.document_id == doc.id)):
        session.delete(old)
    if doc.kind != "interview":
        return
    known = list((doc.speakers or {}).keys())
    for ordinal, turn in enumerate(find_turns(doc.text, known)):
        session.add(SpeakerTurn(document_id=doc.id, ordinal=ordinal, speaker=turn.speaker, start=turn.start,
                                end=turn.end, timestamp=turn.timestamp, created_by=coder_id))


def resolve(session: Session, text: str) -> Document:
    """A document by id, unique id prefix, or exact title (case-insensitive when unique)."""
    wanted = text.strip()
    if not wanted:
        raise NotFound(_("no document given"))
    compact = wanted.replace("-", "").lower()
    if len(compact) >= 4 and all(c in "0123456789abcdef" for c in compact):
        if len(compact) == 32:
            doc = session.get(Document, uuid.UUID(compact))
            if doc is not None:
                return doc
        rows = session.execute(select(Document.id)).scalars().all()
        matches = [row for row in rows if row.hex.startswith(compact)]
        if len(matches) == 1:
            found = session.get(Document, matches[0])
            assert found is not None
            return found
        if len(matches) > 1:
            raise Ambiguous(_("the id prefix {wanted!r} matches {n_matches} documents; give more of it")
                            .format(wanted=wanted, n_matches=len(matches)))
    exact = session.scalars(select(Document).where(Document.title == wanted)).all()
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise Ambiguous(_("{n_exact} documents are titled {wanted!r}").format(n_exact=len(exact), wanted=wanted),
                        hint=_("name it by id: {ids}").format(ids=", ".join(str(d.id)[:8] for d in exact)))
    folded = wanted.casefold()
    titles = session.execute(select(Document.id, Document.title)).all()
    same = [row for row in titles if row.title.casefold() == folded]
    if len(same) == 1:
        found = session.get(Document, same[0].id)
        assert found is not None
        return found
    near = sorted(row.title for row in titles if folded in row.title.casefold())[:8]
    hint = (_("did you mean: {names}").format(names="; ".join(near)) if near
            else _("see `fieldnotes docs`"))
    raise NotFound(_("no document {wanted!r}").format(wanted=wanted), hint=hint)


def municipalities_by_document(session: Session, ids: Iterable[uuid.UUID] | None = None) -> dict[uuid.UUID, list[str]]:
    query = (
        select(DocumentCase.document_id, Case.name)
        .join(Case, Case.id == DocumentCase.case_id)
        .where(Case.type == MUNICIPALITY)
        .order_by(Case.name)
    )
    if ids is not None:
        query = query.where(DocumentCase.document_id.in_(list(ids)))
    out: dict[uuid.UUID, list[str]] = {}
    for doc_id, name in session.execute(query):
        out.setdefault(doc_id, []).append(name)
    return out


def cases_by_document(session: Session) -> dict[uuid.UUID, list[tuple[str, str]]]:
    out: dict[uuid.UUID, list[tuple[str, str]]] = {}
    query = select(DocumentCase.document_id, Case.type, Case.name).join(Case, Case.id == DocumentCase.case_id)
    for doc_id, case_type, name in session.execute(query.order_by(Case.type, Case.name)):
        out.setdefault(doc_id, []).append((case_type, name))
    return out


def attributes_of(session: Session, scope: str) -> dict[uuid.UUID, dict[str, Any]]:
    """Attribute values keyed by document (scope 'document') or case (scope 'case')."""
    query = select(Attribute.name, AttributeValue).join(Attribute, Attribute.id == AttributeValue.attribute_id).where(
        Attribute.scope == scope
    )
    out: dict[uuid.UUID, dict[str, Any]] = {}
    for name, value in session.execute(query):
        key = value.document_id if scope == "document" else value.case_id
        if key is None:
            continue
        if value.value_number is not None:
            number = value.value_number
            out.setdefault(key, {})[name] = int(number) if number.is_integer() else number
        elif value.value_date is not None:
            out.setdefault(key, {})[name] = value.value_date.isoformat()
        else:
            out.setdefault(key, {})[name] = value.value_text
    return out


def listing(session: Session, documents: Sequence[Document] | None = None) -> list[dict[str, Any]]:
    """The rows of `fieldnotes docs --json`."""
    if documents is None:
        documents = session.scalars(select(Document).order_by(Document.date, Document.title)).all()
    counts = dict(session.execute(select(Coding.document_id, func.count()).group_by(Coding.document_id)).all())
    municipalities = municipalities_by_document(session)
    cases = cases_by_document(session)
    attributes = attributes_of(session, "document")
    return [
        {
            "id": str(doc.id),
            "title": doc.title,
            "kind": doc.kind,
            "municipality": ", ".join(municipalities.get(doc.id, [])) or None,
            "municipalities": municipalities.get(doc.id, []),
            "activity": doc.activity,
            "date": doc.date.isoformat() if doc.date else None,
            "chars": doc.length,
            "codings": counts.get(doc.id, 0),
            "participants": doc.participants,
            "cases": [{"type": t, "name": n} for t, n in cases.get(doc.id, [])],
            "attributes": attributes.get(doc.id, {}),
            "source": doc.source_name,
        }
        for doc in documents
    ]


DOC_KEYS = ("title", "kind", "date", "activity", "municipality", "participants", "attr:NAME")


#: how much of a metadata value the audit trail keeps (a summary stays one short line)
SHOWN_VALUE = 60


def metadata_value(session: Session, doc: Document, key: str) -> str | None:
    """One piece of a document's metadata as `doc set` takes it (None: not set), for the audit trail."""
    if key == "title":
        return doc.title
    if key == "kind":
        return doc.kind
    if key == "date":
        return doc.date.isoformat() if doc.date else None
    if key == "activity":
        return doc.activity
    if key in ("municipality", "municipalities"):
        return "; ".join(municipalities_by_document(session, [doc.id]).get(doc.id, [])) or None
    if key == "participants":
        people = [f"{p.get('name', '')} ({p['role']})" if p.get("role") else str(p.get("name", ""))
                  for p in doc.participants or []]
        return "; ".join(people) or None
    if key.startswith("attr:") and len(key) > 5:
        value = session.execute(
            select(AttributeValue.value_text, AttributeValue.value_number, AttributeValue.value_date)
            .join(Attribute, Attribute.id == AttributeValue.attribute_id)
            .where(Attribute.scope == "document", Attribute.name == key[5:], AttributeValue.document_id == doc.id)
        ).first()
        if value is None:
            return None
        text, number, date = value
        if number is not None:
            return str(int(number) if float(number).is_integer() else number)
        return date.isoformat() if date is not None else text
    return None


def shown_value(value: str | None) -> str:
    """A metadata value for a one-line summary: 'none' when unset, long values cut short."""
    if value is None or value == "":
        return "none"
    value = " ".join(value.split())
    return value if len(value) <= SHOWN_VALUE else value[: SHOWN_VALUE - 1] + "…"


@dataclass
class MetadataChange:
    """What `set_metadata` changed, for the audit trail (values as `doc set` takes them)."""

    document_id: uuid.UUID
    title: str
    key: str
    old: str | None
    new: str | None

    def summary(self) -> Said:
        return said("set {key} of {title!r}: {old} → {new}", key=self.key, title=self.title,
                    old=shown_value(self.old), new=shown_value(self.new))

    def details(self) -> dict[str, Any]:
        return {"document": str(self.document_id), "title": self.title, "key": self.key,
                "from": self.old, "to": self.new}


def set_metadata(session: Session, doc: Document, key: str, value: str, *,
                 coder_id: uuid.UUID | None) -> MetadataChange:
    """Change one piece of a document's metadata (inside the caller's change). Returns the old and new value."""
    title = doc.title
    if key.startswith("attr:") and len(key) > 5:  # checked before it is looked up
        key = "attr:" + attribute_name(key[5:])
    old = metadata_value(session, doc, key)
    value = value.strip()
    if key == "title":
        title_value = validation.name(value, _("the title"), limit=validation.TITLE)
        if not title_value:
            raise InvalidInput(_("a title cannot be empty"))
        doc.title = title_value
    elif key == "kind":
        doc.kind = normalise_kind(value)
        replace_turns(session, doc, coder_id=coder_id)
    elif key == "date":
        if value.lower() in ("", "none"):
            doc.date = None
        else:
            try:
                doc.date = dt.date.fromisoformat(value)
            except ValueError:
                raise InvalidInput(_("the date {value!r} is not YYYY-MM-DD").format(value=value)) from None
    elif key == "activity":
        doc.activity = validation.name(value, _("the activity"), limit=validation.ACTIVITY) or None
    elif key in ("municipality", "municipalities"):
        names = [case_name(MUNICIPALITY, v) for v in value.split(";") if v.strip()]
        links = session.execute(
            select(DocumentCase).join(Case, Case.id == DocumentCase.case_id)
            .where(DocumentCase.document_id == doc.id, Case.type == MUNICIPALITY)
        ).scalars().all()
        for link in links:
            session.delete(link)
        session.flush()
        for name in names:
            case = get_case(session, MUNICIPALITY, name, coder_id=coder_id)
            session.add(DocumentCase(document_id=doc.id, case_id=case.id, created_by=coder_id))
    elif key == "participants":
        people = []
        for item in (v.strip() for v in value.split(";")):
            if not item:
                continue
            name, _sep, role = item.partition("(")
            entry = {"name": name.strip()}
            if role.strip(" )"):
                entry["role"] = role.strip(" )")
            people.append(entry)
        doc.participants = validation.nested(people, _("a participant"))
    elif key.startswith("attr:") and len(key) > 5:
        set_attribute(session, scope="document", name=key[5:], value=value or None, coder_id=coder_id,
                      document_id=doc.id)
    else:
        raise InvalidInput(_("cannot set {key!r} on a document").format(key=key), hint=_("keys: {names}")
                           .format(names=", ".join(DOC_KEYS)))
    session.flush()
    return MetadataChange(doc.id, title, key, old, metadata_value(session, doc, key))


def delete_document(session: Session, doc: Document) -> int:
    """Delete a document with its codings, memos, turns, case links and attributes. Returns codings removed."""
    from fieldnotes.db.models import Memo

    coding_ids = list(session.scalars(select(Coding.id).where(Coding.document_id == doc.id)))
    memo_query = select(Memo).where(Memo.document_id == doc.id)
    if coding_ids:
        memo_query = select(Memo).where((Memo.document_id == doc.id) | (Memo.coding_id.in_(coding_ids)))
    for memo in session.scalars(memo_query):
        session.delete(memo)
    session.flush()
    for model in (Coding, SpeakerTurn, DocumentCase, AttributeValue):
        for row in session.scalars(select(model).where(model.document_id == doc.id)):
            session.delete(row)
        session.flush()
    session.delete(doc)
    session.flush()
    return len(coding_ids)
