"""The columns an analysis is broken down by (`--by`), and which column each document or coding falls in.

Most columns describe a document: its municipality, kind, activity, phase, or any document or case
attribute (`attr:NAME`; a document's own value wins over the values of the cases it is linked to). A
document linked to several municipalities (a cross-municipal meeting) or to several cases with an
attribute counts in each of them. Two columns describe a coding instead:
its coder, and `role`, the role of the speaker whose turn the coding starts in (from the document's
`speakers` mapping of label -> {name, role}). Whatever has no value falls in the column `(none)`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.analysis.scope import (
    UNIT_SEPARATOR,
    Grouped,
    Scope,
    aggregated,
    as_uuid,
    coder_names,
    document_keys,
    fetch_plain,
    numbers_per_document,
    raw,
    raw_document_keys,
)
from fieldnotes.db.models import (
    DOCUMENT_KINDS,
    MUNICIPALITY,
    Attribute,
    AttributeValue,
    Case,
    Coding,
    Document,
    DocumentCase,
    ProjectSettings,
    SpeakerTurn,
)
from fieldnotes.errors import InvalidInput
from fieldnotes.project.opening import phase_of
from fieldnotes.queries.filters import Filters, coder_ids
from fieldnotes.translations import N_, _

NONE = "(none)"
#: the dimensions as a reader names them (the names themselves stay English in JSON, CSV and options)
DIMENSION_NAMES = {"municipality": N_("municipality"), "kind": N_("kind"), "activity": N_("activity"),
                   "phase": N_("phase"), "coder": N_("coder"), "role": N_("role")}
#: column values that are words of fieldnotes's own, not the project's data
OWN_LABELS = {NONE: N_("(none)"), "interview": N_("interview"), "observation": N_("observation"),
              "minutes": N_("minutes"), "document": N_("document")}
#: a phase as a heading, alone and with its months (marked here: `phase_title` translates them)
PHASE, PHASE_WITH_MONTHS = N_("Phase {n}"), N_("Phase {n} ({period})")
DOCUMENT_DIMENSIONS = ("municipality", "kind", "activity", "phase")
CODING_DIMENSIONS = ("coder", "role")
BY_CHOICES = (*DOCUMENT_DIMENSIONS, *CODING_DIMENSIONS, "attr:NAME")


@dataclass(frozen=True)
class Dimension:
    name: str  # one of DOCUMENT_DIMENSIONS or CODING_DIMENSIONS, or "attr"
    attribute: str | None = None

    @property
    def per_coding(self) -> bool:
        return self.name in CODING_DIMENSIONS

    def __str__(self) -> str:
        return f"attr:{self.attribute}" if self.name == "attr" else self.name


def dimension_name(by: str | Dimension) -> str:
    """A dimension in the interface language: "fase", "kommune", "attributten alder"."""
    dimension = parse_by(by)
    if dimension.name == "attr":
        return _("attribute {name}").format(name=dimension.attribute)
    return _(DIMENSION_NAMES[dimension.name])


def column_label(by: str | Dimension, label: str, start: dt.date | None = None) -> str:
    """A column's label as a reader sees it: "(ingen)" for no value, a document kind in the interface
    language, a phase with its dates when the fieldwork `start` is given ("Fase 1 (feb.–jul. 2025)");
    the project's own values (municipalities, names) as they are."""
    dimension = parse_by(by)
    if label == NONE or (dimension.name == "kind" and label in OWN_LABELS):
        return _(OWN_LABELS[label])
    if dimension.name == "phase" and start is not None and label.isdigit() and int(label) > 0:
        return phase_title(int(label), start)
    return label


def phase_title(phase: int, start: dt.date | None, *, two_lines: bool = False, lang: str | None = None) -> str:
    """A phase as a heading: its number and its months, from the fieldwork start (phases are half-years):
    "Fase 1 (feb.–jul. 2025)", or "Fase 1" over "feb.–jul. 2025" (`two_lines`, for chart axes); just
    "Fase 1" without a start. `lang`: an export's language instead of the interface's."""
    from fieldnotes.project.opening import phase_dates
    from fieldnotes.translations import format_period, translator

    gettext = translator(lang).gettext if lang else _
    if start is None:
        return gettext(PHASE).format(n=phase)
    period = format_period(*phase_dates(phase, start), lang=lang)
    if two_lines:
        return gettext(PHASE).format(n=phase) + "\n" + period
    return gettext(PHASE_WITH_MONTHS).format(n=phase, period=period)


def phase_label(label: str, start: dt.date | None, *, two_lines: bool = False, lang: str | None = None) -> str:
    """A phase column's label ("1", "2" ... or `(none)`) as `phase_title` writes it."""
    if label.isdigit() and int(label) > 0:
        return phase_title(int(label), start, two_lines=two_lines, lang=lang)
    if label == NONE:
        from fieldnotes.translations import translator

        return translator(lang).gettext(OWN_LABELS[NONE]) if lang else _(OWN_LABELS[NONE])
    return label


def phase_start(session: Session, by: str | Dimension) -> dt.date | None:
    """The fieldwork start when the columns are phases (their headings show dates), else None."""
    if parse_by(by).name != "phase":
        return None
    start: dt.date | None = session.scalar(select(ProjectSettings.start_date))
    return start


def parse_by(text: str | Dimension) -> Dimension:
    if isinstance(text, Dimension):
        return text
    value = text.strip()
    if value.lower().startswith("attr:") and value[5:].strip():
        return Dimension("attr", value[5:].strip())
    if value.lower() in DOCUMENT_DIMENSIONS + CODING_DIMENSIONS:
        return Dimension(value.lower())
    raise InvalidInput(_("cannot break down by {text!r}")
                       .format(text=text), hint=_("use one of: {choices}").format(choices=", ".join(BY_CHOICES)))


def start_date_or_refuse(session: Session) -> Any:
    start = session.scalar(select(ProjectSettings.start_date))
    if start is None:
        raise InvalidInput(_("the project has no fieldwork start date, so it has no phases"),
                           hint=_("set one with `fieldnotes project set start YYYY-MM-DD`"))
    return start


def _label(value: Any) -> str:
    if value is None or value == "":
        return NONE
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _order_key(dimension: Dimension, labels: set[str]) -> Any:
    def numeric(label: str) -> float | None:
        try:
            return float(label)
        except ValueError:
            return None

    all_numeric = all(numeric(label) is not None for label in labels if label != NONE)

    def key(label: str) -> tuple[int, Any]:
        if label == NONE:
            return (2, 0)
        if dimension.name == "kind" and label in DOCUMENT_KINDS:
            return (0, DOCUMENT_KINDS.index(label))
        if dimension.name == "phase" or (dimension.name == "attr" and all_numeric):
            return (0, numeric(label))
        return (1, label.casefold())

    return key


def ordered(dimension: Dimension, labels: set[str]) -> list[str]:
    """Columns in reading order: kinds as the model lists them, phases and numbers by value, names
    alphabetically, `(none)` last."""
    return sorted(labels, key=_order_key(dimension, labels))


def known_attributes(session: Session) -> list[tuple[str, str]]:
    return sorted(((name, scope) for scope, name in session.execute(select(Attribute.scope, Attribute.name))),
                  key=lambda pair: (pair[0].casefold(), pair[1]))


def _attribute_values(session: Session, scope: str, name: str) -> dict[uuid.UUID, Any]:
    """One attribute's values by document or case, as `fieldnotes.documents.store.attributes_of` gives them."""
    target = AttributeValue.document_id if scope == "document" else AttributeValue.case_id
    query = (select(target, AttributeValue.value_number, AttributeValue.value_date, AttributeValue.value_text)
             .join(Attribute, Attribute.id == AttributeValue.attribute_id)
             .where(Attribute.scope == scope, Attribute.name == name))
    out: dict[uuid.UUID, Any] = {}
    for key, number, date, text in session.execute(query):
        if key is None:
            continue
        if number is not None:
            out[key] = int(number) if number.is_integer() else number
        elif date is not None:
            out[key] = date.isoformat()
        else:
            out[key] = text
    return out


def _attribute_labels(session: Session, name: str, keys: dict[Any, uuid.UUID]) -> dict[Any, tuple[str, ...]]:
    known = known_attributes(session)
    matches = [(n, scope) for n, scope in known if n == name] or [
        (n, scope) for n, scope in known if n.casefold() == name.casefold()]
    if not matches:
        listed = ", ".join(f"{n} ({scope})" for n, scope in known) or "none yet"
        raise InvalidInput(_("no document or case attribute {name!r}").format(name=name),
                           hint=_("known attributes: {listed}; set one with `fieldnotes doc set DOC attr:NAME "
                                  "VALUE`").format(listed=listed))
    doc_values: dict[uuid.UUID, Any] = {}
    case_values: dict[uuid.UUID, Any] = {}
    for attr_name, scope in matches:
        (doc_values if scope == "document" else case_values).update(_attribute_values(session, scope, attr_name))
    by_case: dict[uuid.UUID, set[str]] = defaultdict(set)
    if case_values:
        for doc_id, case_id in session.execute(select(DocumentCase.document_id, DocumentCase.case_id)):
            if case_id in case_values:
                by_case[doc_id].add(_label(case_values[case_id]))
    out: dict[Any, tuple[str, ...]] = {}
    for key, doc_id in keys.items():
        if doc_id in doc_values and _label(doc_values[doc_id]) != NONE:
            out[key] = (_label(doc_values[doc_id]),)
        else:
            out[key] = tuple(sorted(by_case.get(doc_id, set()) - {NONE})) or (NONE,)
    return out


@dataclass
class DocumentColumns:
    """Every document in scope (by raw id value) with the columns it falls in, and the columns in order."""

    labels: dict[Any, tuple[str, ...]]
    order: list[str]

    def documents_per_column(self) -> dict[str, int]:
        out = dict.fromkeys(self.order, 0)
        for labels in self.labels.values():
            for label in labels:
                out[label] += 1
        return out


def document_columns(session: Session, dimension: Dimension, docs: set[uuid.UUID] | None) -> DocumentColumns:
    """The columns of the documents in scope (`docs`, or every document when None)."""
    if dimension.per_coding:
        raise ValueError(f"{dimension} describes codings, not documents")
    keys: dict[Any, uuid.UUID] | set[Any]
    keys = document_keys(session, docs) if dimension.name == "attr" else raw_document_keys(session, docs)
    labels: dict[Any, tuple[str, ...]]
    if dimension.name == "municipality":
        names: dict[Any, list[str]] = defaultdict(list)
        query = (select(raw(DocumentCase.document_id), Case.name).join(Case, Case.id == DocumentCase.case_id)
                 .where(Case.type == MUNICIPALITY))
        for key, name in fetch_plain(session, query):
            if key in keys:
                names[key].append(name)
        labels = {key: tuple(sorted(set(names[key]), key=str.casefold)) if key in names else (NONE,)
                  for key in keys}
    elif dimension.name in ("kind", "activity"):
        column = Document.kind if dimension.name == "kind" else Document.activity
        labels = {key: (_label(value),) for key, value in fetch_plain(session, select(raw(Document.id), column))
                  if key in keys}
    elif dimension.name == "phase":
        start = start_date_or_refuse(session)
        dates = session.connection().execute(select(raw(Document.id), Document.date)).all()
        labels = {key: (_label(phase_of(date, start)),) for key, date in dates if key in keys}
    else:
        assert isinstance(keys, dict)
        labels = _attribute_labels(session, dimension.attribute or "", keys)
    seen = {label for values in labels.values() for label in values}
    return DocumentColumns(labels, ordered(dimension, seen))


def _turns(session: Session) -> list[tuple[Any, list[int], list[int], list[str]]]:
    """Each document's speaker turns as (raw document id, starts, ends, speakers), one row per document."""
    order = (SpeakerTurn.start, SpeakerTurn.id)
    query = select(raw(SpeakerTurn.document_id), aggregated(session, SpeakerTurn.start, *order),
                   aggregated(session, SpeakerTurn.end, *order),
                   aggregated(session, SpeakerTurn.speaker, *order, separator=UNIT_SEPARATOR))
    rows = fetch_plain(session, query.group_by(SpeakerTurn.document_id))
    sizes = [row[1].count(",") + 1 for row in rows]
    every_start = numbers_per_document([row[1] for row in rows], sizes)  # one parse for every document
    every_end = numbers_per_document([row[2] for row in rows], sizes)
    out = []
    for (key, _start, _end, speaker_text), starts, ends in zip(rows, every_start, every_end, strict=True):
        speakers = speaker_text.split(UNIT_SEPARATOR)
        if len(speakers) != len(starts):  # a speaker's label holds the separator: read the turns one by one
            return _turns_one_by_one(session)
        out.append((key, starts, ends, speakers))
    return out


def _turns_one_by_one(session: Session) -> list[tuple[Any, list[int], list[int], list[str]]]:
    collected: dict[Any, tuple[list[int], list[int], list[str]]] = {}
    query = select(raw(SpeakerTurn.document_id), SpeakerTurn.start, SpeakerTurn.end, SpeakerTurn.speaker)
    for key, start, end, speaker in fetch_plain(session, query):
        found = collected.setdefault(key, ([], [], []))
        found[0].append(start)
        found[1].append(end)
        found[2].append(speaker)
    return [(key, *found) for key, found in collected.items()]


class RoleFinder:
    """The role of the speaker whose turn a position falls in, the way excerpts name it."""

    def __init__(self, session: Session, documents: set[Any] | None = None) -> None:
        """`documents`: raw document ids to cover (None: all)."""
        self.turns: dict[Any, tuple[list[int], list[int], list[str]]] = {}
        role_of: dict[Any, dict[str, str]] = {}
        for key, mapping in fetch_plain(session, select(raw(Document.id), raw(Document.speakers))):
            if documents is None or key in documents:
                if isinstance(mapping, str | bytes):  # SQLite sends the JSON text, PostgreSQL's driver parses it
                    mapping = json.loads(mapping)
                role_of[key] = {str(label): _label(person.get("role")) if isinstance(person, dict) else NONE
                                for label, person in (mapping or {}).items()}
        for key, starts, ends, speakers in _turns(session):
            roles = role_of.get(key)
            if roles is not None:
                found = list(map(roles.get, speakers, repeat(NONE)))
                if sorted(starts) != starts or len(set(starts)) != len(starts):
                    items = sorted(zip(starts, ends, found, strict=True))
                    starts, ends, found = [s for s, _, _ in items], [e for _, e, _ in items], [r for _, _, r in items]
                self.turns[key] = (starts, ends, found)

    def role(self, document: Any, position: int) -> str:
        found = self.turns.get(document)
        if found is None:
            return NONE
        starts, ends, roles = found
        index = bisect.bisect_right(starts, position) - 1
        if index < 0 or ends[index] < position:
            return NONE
        return roles[index]

    def roles(self, documents: Iterable[Any], positions: Iterable[int]) -> list[str]:
        """The role for each (document, position) pair."""
        out = []
        none = NONE
        turns = self.turns
        right = bisect.bisect_right
        for document, position in zip(documents, positions, strict=True):
            found = turns.get(document)
            if found is None:
                out.append(none)
                continue
            starts, ends, roles = found
            index = right(starts, position) - 1
            out.append(none if index < 0 or ends[index] < position else roles[index])
        return out

    def roles_at(self, document: Any, positions: list[int]) -> list[str]:
        """The role at each of a document's positions (as `roles`, with the bisecting done in one call)."""
        found = self.turns.get(document)
        if found is None:
            return [NONE] * len(positions)
        starts, ends, roles = found
        # Each turn's start and the position after its end, in order, with the role from each: unless
        # turns overlap, the role at a position is the one from the last of these at or before it.
        bounds = [0] * (2 * len(starts))
        bounds[0::2] = starts
        bounds[1::2] = map((1).__add__, ends)
        if bounds == sorted(bounds):
            from_bound = [NONE] * (len(bounds) + 1)
            from_bound[1::2] = roles
            return list(map(from_bound.__getitem__, map(partial(bisect.bisect_right, bounds), positions)))
        after = map(partial(bisect.bisect_right, starts), positions)
        return [roles[i - 1] if i and ends[i - 1] >= position else NONE
                for i, position in zip(after, positions, strict=True)]

    def documents_by_role(self) -> dict[str, set[Any]]:
        out: dict[str, set[Any]] = defaultdict(set)
        for key, (_start, _end, roles) in self.turns.items():
            for role in set(roles):
                out[role].add(key)
        return out


@dataclass
class Units:
    """What the codings fall in: a unit key per coding, the columns of each unit, and the base.

    For document columns a unit is a document; for coding columns it is (document, column).
    """

    keys: list[Hashable]
    labels: dict[Hashable, tuple[str, ...]]
    order: list[str]
    base: dict[str, int]
    base_total: int
    per_coding: bool


def _document_units(session: Session, scope: Scope, dimension: Dimension) -> Units:
    columns = document_columns(session, dimension, scope.documents)
    return Units(list(scope.column("document")), columns.labels, columns.order, columns.documents_per_column(),
                  len(columns.labels), False)


def _coding_units(session: Session, scope: Scope, dimension: Dimension, filters: Filters) -> Units:
    in_scope = set(document_keys(session, scope.documents))
    docs = scope.column("document")
    base_docs: dict[str, set[Any]] = defaultdict(set)
    if dimension.name == "coder":
        names = coder_names(session)
        coders = scope.column("coder")
        per_coding = [names.get(c, str(c)) for c in coders]
        if filters.codes or filters.rating is not None or filters.contains:
            # the base counts every coding in the documents, not only those of the filtered codes
            query = select(raw(Coding.document_id), raw(Coding.coder_id)).distinct()
            wanted = coder_ids(filters)
            if wanted is not None:
                query = query.where(Coding.coder_id.in_(list(wanted)))
            pairs = {(doc, coder) for doc, coder in fetch_plain(session, query) if doc in in_scope}
        else:
            pairs = set(zip(docs, coders, strict=True))
        for doc, coder in pairs:
            base_docs[names.get(coder, str(coder))].add(doc)
    else:
        finder = RoleFinder(session, in_scope)
        per_coding = finder.roles(docs, scope.column("start"))
        for role, role_docs in finder.documents_by_role().items():
            base_docs[role] = role_docs & in_scope
    base = {label: len(found) for label, found in base_docs.items()}
    labels_seen = set(per_coding) | set(base)
    base[NONE] = len(in_scope)
    order = ordered(dimension, labels_seen)
    # a unit is (document, column), numbered so that it hashes as cheaply as an int does
    label_number = {label: number for number, label in enumerate(order)}
    doc_number = {doc: number for number, doc in enumerate(dict.fromkeys(docs))}
    width = len(order)
    numbers = [doc_number[d] * width + label_number[label] for d, label in zip(docs, per_coding, strict=True)]
    labels: dict[Hashable, tuple[str, ...]] = {key: (order[key % width],) for key in set(numbers)}
    keys: list[Hashable] = list(numbers)
    return Units(keys, labels, order, {label: base.get(label, 0) for label in labels_seen}, len(in_scope), True)


def units(session: Session, scope: Scope, dimension: Dimension, filters: Filters) -> Units:
    """The units the codings of `scope` fall in, for breaking them down by `dimension`."""
    if dimension.per_coding:
        return _coding_units(session, scope, dimension, filters)
    return _document_units(session, scope, dimension)


@dataclass
class GroupedUnits:
    """`Units` for codings grouped by document (scope.Grouped): the columns of each document, or for coding
    columns the column of each coding (in step with the document's lists), with the order and the base."""

    document_labels: dict[Any, tuple[str, ...]]  # document columns: each document's columns
    coding_labels: dict[Any, list[str]]  # coding columns: each coding's column, document by document
    order: list[str]
    base: dict[str, int]
    base_total: int
    per_coding: bool


def grouped_units(session: Session, grouped: Grouped, dimension: Dimension, filters: Filters) -> GroupedUnits:
    """The columns the codings of `grouped` fall in, for breaking them down by `dimension` (as `units`)."""
    if not dimension.per_coding:
        columns = document_columns(session, dimension, grouped.documents)
        return GroupedUnits(columns.labels, {}, columns.order, columns.documents_per_column(), len(columns.labels),
                            False)
    in_scope = raw_document_keys(session, grouped.documents)
    base_docs: dict[str, set[Any]] = defaultdict(set)
    coding_labels: dict[Any, list[str]] = {}
    if dimension.name == "coder":
        names = coder_names(session)
        by_id = {as_uuid(key): name for key, name in names.items()}
        at = grouped.at("coder")
        distinct: set[Any] = set()
        for lists in grouped.groups.values():
            distinct.update(lists[at])
        name_of = {value: by_id.get(as_uuid(value), str(value)) for value in distinct}
        for doc, lists in grouped.groups.items():
            coding_labels[doc] = list(map(name_of.__getitem__, lists[at]))
        if filters.codes or filters.rating is not None or filters.contains:
            # the base counts every coding in the documents, not only those of the filtered codes
            query = select(raw(Coding.document_id), raw(Coding.coder_id)).distinct()
            wanted = coder_ids(filters)
            if wanted is not None:
                query = query.where(Coding.coder_id.in_(list(wanted)))
            for doc, coder in fetch_plain(session, query):
                if doc in in_scope:
                    base_docs[names.get(coder, str(coder))].add(doc)
        else:
            for doc, labels in coding_labels.items():
                for label in set(labels):
                    base_docs[label].add(doc)
    else:
        finder = RoleFinder(session, in_scope)
        at = grouped.at("start")
        for doc, lists in grouped.groups.items():
            coding_labels[doc] = finder.roles_at(doc, lists[at])
        for role, role_docs in finder.documents_by_role().items():
            base_docs[role] = role_docs & in_scope
    base = {label: len(found) for label, found in base_docs.items()}
    labels_seen = set(base)
    for labels in coding_labels.values():
        labels_seen.update(labels)
    base[NONE] = len(in_scope)
    order = ordered(dimension, labels_seen)
    return GroupedUnits({}, coding_labels, order, {label: base.get(label, 0) for label in labels_seen},
                        len(in_scope), True)
