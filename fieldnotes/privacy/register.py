"""The pseudonym register: original -> pseudonym, with a category and attributes.

Entries come from the user, from the documents' participants (with generated pseudonyms) and from a
key file. Every change goes through the caller's `history.change`. The rules that keep
pseudonymisation consistent are checked here, once: an original is registered once (in any case),
a pseudonym stands for one original, and nothing is both an original and a pseudonym, so replacing
never chains. Coders' names are not pseudonymised: a coder's id is derived from the name, and coders
are named in exports on purpose.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.db import validation
from fieldnotes.db.models import PSEUDONYM_CATEGORIES, Coder, Document, Pseudonym
from fieldnotes.errors import Ambiguous, InvalidInput, NotFound, Refused
from fieldnotes.privacy import names
from fieldnotes.privacy.replacing import Replacer, normalise
from fieldnotes.translations import _

if TYPE_CHECKING:
    from fieldnotes.project.opening import Project

CATEGORY_ALIASES = {
    "person": "person", "personer": "person",
    "place": "place", "sted": "place", "stednavn": "place",
    "workplace": "workplace", "arbejdsplads": "workplace", "virksomhed": "workplace",
    "organisation": "organisation", "organization": "organisation",
    "other": "other", "andet": "other",
}
_CAPITALISED = re.compile(r"(?<!\w)[A-ZÆØÅ][\wæøå-]*")


def normalise_category(value: str | None) -> str:
    if value is None or not value.strip():
        return "person"
    category = CATEGORY_ALIASES.get(value.strip().casefold())
    if category is None:
        raise InvalidInput(_("the category {value!r} is unknown")
                           .format(value=value), hint=_("use one of: {PSEUDONYM_CATEGORIES}")
                               .format(PSEUDONYM_CATEGORIES=', '.join(PSEUDONYM_CATEGORIES)))
    return category


def parse_attributes(pairs: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(_("the attribute {pair!r} is not KEY=VALUE")
                               .format(pair=pair), hint=_("for example --attr role=leder"))
        out[key.strip()] = value.strip()
    return out


def entries(session: Session) -> list[Pseudonym]:
    rows = session.scalars(select(Pseudonym)).all()
    return sorted(rows, key=lambda p: (p.category, (p.original or p.pseudonym).casefold(), str(p.id)))


def replacer(session: Session) -> Replacer:
    """The register as a replacement function (entries whose key was separated take no part)."""
    return Replacer({p.original: p.pseudonym for p in session.scalars(select(Pseudonym)) if p.original})


def as_dict(entry: Pseudonym) -> dict[str, Any]:
    return {"id": str(entry.id), "original": entry.original, "pseudonym": entry.pseudonym,
            "category": entry.category, "attributes": dict(entry.attributes or {}), "separated": entry.separated}


def coder_names(session: Session) -> set[str]:
    return {name.casefold() for name in session.scalars(select(Coder.name))}


def check(session: Session, original: str, pseudonym: str, *, ignore: uuid.UUID | None = None) -> None:
    """Refuse an entry that would make replacing inconsistent (see the module's rules), or that breaks the
    rules for names (fieldnotes.db.validation): a pseudonym is written into the text."""
    validation.name(original, _("the original"), limit=validation.PERSON_NAME)
    validation.name(pseudonym, _("the pseudonym"), limit=validation.PERSON_NAME)
    if not original:
        raise InvalidInput(_("the original cannot be empty"))
    if not pseudonym:
        raise InvalidInput(_("the pseudonym cannot be empty"))
    if original.casefold() == pseudonym.casefold():
        raise InvalidInput(_("{pseudonym!r} would replace itself")
                           .format(pseudonym=pseudonym), hint=_("choose another pseudonym"))
    if original.casefold() in coder_names(session):
        raise Refused(_("{original!r} is a coder of this project; coders' names are not pseudonymised")
                      .format(original=original),
                      hint=_("coders are named in exports on purpose (who coded what)"))
    for other in session.scalars(select(Pseudonym)):
        if other.id == ignore:
            continue
        if other.original and other.original.casefold() == original.casefold():
            raise Refused(_("{original!r} is already in the register (as {pseudonym!r})")
                          .format(original=original, pseudonym=other.pseudonym),
                          hint=_("remove that entry first: `fieldnotes pseudonyms remove ID`"))
        if other.pseudonym.casefold() == pseudonym.casefold():
            raise Refused(_("{pseudonym!r} is already the pseudonym of another entry; two people would become one")
                          .format(pseudonym=pseudonym),
                          hint=_("choose another pseudonym"))
        if other.original and other.original.casefold() == pseudonym.casefold():
            raise Refused(_("{pseudonym!r} is an original in the register, so it cannot be a pseudonym")
                          .format(pseudonym=pseudonym))
        if other.pseudonym.casefold() == original.casefold():
            raise Refused(_("{original!r} is a pseudonym in the register, so it cannot be an original")
                          .format(original=original))


def add(session: Session, original: str, pseudonym: str, *, category: str | None = "person",
        attributes: dict[str, Any] | None = None, coder_id: uuid.UUID | None,
        entry_id: uuid.UUID | None = None) -> Pseudonym:
    """Add an entry (inside the caller's change)."""
    original, pseudonym = normalise(original), normalise(pseudonym)
    check(session, original, pseudonym)
    entry = Pseudonym(original=original, pseudonym=pseudonym, category=normalise_category(category),
                      attributes=validation.nested(dict(attributes or {}), _("a pseudonym's attribute")),
                      separated=False, created_by=coder_id)
    if entry_id is not None:
        entry.id = entry_id
    session.add(entry)
    session.flush()
    return entry


def resolve(session: Session, ref: str) -> Pseudonym:
    """An entry by id (or a unique prefix of it), its original, or its pseudonym."""
    wanted = normalise(ref)
    if not wanted:
        raise NotFound(_("no entry given"))
    rows = list(session.scalars(select(Pseudonym)))
    compact = wanted.replace("-", "").lower()
    if len(compact) >= 4 and all(c in "0123456789abcdef" for c in compact):
        by_id = [r for r in rows if r.id.hex.startswith(compact)]
        if len(by_id) == 1:
            return by_id[0]
        if len(by_id) > 1:
            raise Ambiguous(_("the id prefix {wanted!r} matches {n} entries; give more of it")
                            .format(wanted=wanted, n=len(by_id)))
    for column in ("original", "pseudonym"):
        exact = [r for r in rows if getattr(r, column) == wanted]
        if len(exact) == 1:
            return exact[0]
        folded = [r for r in rows if (getattr(r, column) or "").casefold() == wanted.casefold()]
        if len(folded) == 1:
            return folded[0]
    raise NotFound(_("no register entry {wanted!r}").format(wanted=wanted), hint=_("see `fieldnotes pseudonyms list`"))


# --- entries proposed from the documents' participants -------------------------------------------


@dataclass
class Proposal:
    original: str
    pseudonym: str
    category: str = "person"
    attributes: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"original": self.original, "pseudonym": self.pseudonym, "category": self.category,
                "attributes": self.attributes}


@dataclass
class Proposals:
    entries: list[Proposal] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why some names got no entry


def participants(session: Session) -> dict[str, str]:
    """Every person named as a participant or speaker, with their role (first seen)."""
    people: dict[str, str] = {}
    for doc in session.scalars(select(Document).order_by(Document.date, Document.title)):
        listed = list(doc.participants or [])
        listed += [v for v in (doc.speakers or {}).values() if isinstance(v, dict)]
        for person in listed:
            name = normalise(str(person.get("name") or ""))
            if name and name not in people:
                people[name] = str(person.get("role") or "")
    return people


def _pick(original: str, pool: tuple[str, ...], taken: set[str]) -> str:
    """A name from `pool`, chosen by a hash of the original (so the same project gives the same names)."""
    start = int(hashlib.sha256(original.casefold().encode("utf-8")).hexdigest(), 16) % len(pool)
    for step in range(len(pool)):
        candidate = pool[(start + step) % len(pool)]
        if candidate.casefold() not in taken:
            taken.add(candidate.casefold())
            return candidate
    raise Refused(_("the shipped name lists are used up in this project; add the remaining entries by hand"))


def _first_pool(first_name: str) -> tuple[str, ...]:
    gender = names.gender_of(first_name)
    if gender == "f":
        return names.FEMALE
    if gender == "m":
        return names.MALE
    return names.FEMALE + names.MALE


def propose_from_participants(session: Session) -> Proposals:
    """Entries for every participant not yet in the register: the full name, and the first name and
    surname on their own where no other participant shares them. Pseudonyms are drawn from the shipped
    lists, never a name that occurs in the material, the register or among the coders."""
    out = Proposals()
    people = participants(session)
    coders = coder_names(session)
    registered = {p.original.casefold(): p.pseudonym for p in session.scalars(select(Pseudonym)) if p.original}
    taken: set[str] = set()
    for p in session.scalars(select(Pseudonym)):
        for value in (p.original or "", p.pseudonym):
            taken.update(part.casefold() for part in value.split())
    for text in session.scalars(select(Document.text)):
        taken.update(word.casefold() for word in _CAPITALISED.findall(text))
    for name in list(people) + [c for c in session.scalars(select(Coder.name))]:
        taken.update(part.casefold() for part in name.split())
    firsts = Counter(n.split()[0] for n in people if n.casefold() not in coders)
    lasts = Counter(n.split()[-1] for n in people if len(n.split()) > 1 and n.casefold() not in coders)
    proposed: dict[str, str] = {}

    def propose(original: str, pseudonym: str, role: str, part: str | None) -> None:
        attributes = {"source": "participants"}
        if role:
            attributes["role"] = role
        if part:
            attributes["part"] = part
        proposed[original.casefold()] = pseudonym
        out.entries.append(Proposal(original, pseudonym, "person", attributes))

    def known(original: str) -> str | None:
        return registered.get(original.casefold()) or proposed.get(original.casefold())

    for name in sorted(people):
        role = people[name]
        if name.casefold() in coders:
            out.skipped.append(f"{name}: a coder (coders keep their names)")
            continue
        parts = name.split()
        first = parts[0]
        first_pseudonym = known(first) or _pick(first, _first_pool(first), taken)
        if len(parts) == 1:
            if not known(name):
                propose(name, first_pseudonym, role, None)
            continue
        last = parts[-1]
        last_pseudonym = known(last) or _pick(last, names.SURNAMES, taken)
        if not known(name):
            propose(name, f"{first_pseudonym} {last_pseudonym}", role, None)
        if not known(first):
            if firsts[first] == 1:
                propose(first, first_pseudonym, role, "first name")
            else:
                out.skipped.append(f"{first}: the first name of {firsts[first]} participants; add it by hand")
        if not known(last):
            if lasts[last] == 1:
                propose(last, last_pseudonym, role, "surname")
            else:
                out.skipped.append(f"{last}: the surname of {lasts[last]} participants; add it by hand")
    return out


# --- the register as a person sees it, and removing an entry (the command line and the app) ---------


@dataclass(frozen=True)
class Listed:
    """A register entry with how often its original occurs in the documents' text."""

    id: str
    original: str | None  # None: separated, the original is only in the key file
    pseudonym: str
    category: str
    attributes: dict[str, Any]
    separated: bool
    occurrences: int = 0

    def as_dict(self, *, occurrences: bool = True) -> dict[str, Any]:
        """The entry as `as_dict` gives a row, with its occurrences unless they were not counted."""
        out = {"id": self.id, "original": self.original, "pseudonym": self.pseudonym, "category": self.category,
               "attributes": dict(self.attributes), "separated": self.separated}
        return {**out, "occurrences": self.occurrences} if occurrences else out


def occurrences(session: Session) -> Counter[str]:
    """How often each original of the register occurs in the documents' text (with the replacer's rules)."""
    rep = replacer(session)
    counts: Counter[str] = Counter()
    if rep.active:
        for text in session.scalars(select(Document.text)):
            counts.update(m.original for m in rep.matches(text))
    return counts


def listing(project: Project) -> list[Listed]:
    """Every entry of the register, in its order, with its occurrences in the documents."""
    with project.read() as session:
        counts = occurrences(session)
        return [Listed(str(e.id), e.original, e.pseudonym, e.category, dict(e.attributes or {}), e.separated,
                       counts.get(e.original, 0) if e.original else 0) for e in entries(session)]


def add_entry(project: Project, coder: str, original: str, pseudonym: str, *, category: str | None = "person",
              attributes: dict[str, Any] | None = None) -> Listed:
    """Add one entry, as one recorded change (the rules of `check` apply); returns it as added."""
    from fieldnotes.project.actions import acting
    from fieldnotes.translations import said

    category = normalise_category(category)
    summary = said("added the pseudonym {pseudonym} ({category})", pseudonym=normalise(pseudonym), category=category)
    with acting(project, coder, "pseudonyms.add", summary) as (session, coder_id):
        row = add(session, original, pseudonym, category=category, attributes=attributes, coder_id=coder_id)
        return Listed(str(row.id), row.original, row.pseudonym, row.category, dict(row.attributes or {}),
                      row.separated)


def add_participants(project: Project, coder: str, *, dry_run: bool = False) -> Proposals:
    """Add an entry for every participant not yet in the register (`propose_from_participants`), as one
    recorded change by `coder`; with `dry_run`, only say what would be added."""
    from fieldnotes.project.actions import acting
    from fieldnotes.translations import said

    if dry_run:
        with project.read() as session:
            return propose_from_participants(session)
    with acting(project, coder, "pseudonyms.add", said("added pseudonyms for the participants")) as (session, cid):
        proposals = propose_from_participants(session)
        for proposal in proposals.entries:
            add(session, proposal.original, proposal.pseudonym, category=proposal.category,
                attributes=proposal.attributes, coder_id=cid)
        return proposals


def remove_entry(project: Project, coder: str, ref: str | uuid.UUID) -> Listed:
    """Remove one entry, as one recorded change; `ref` is the entry's id, or (as typed) an id prefix, its
    original or its pseudonym (see `resolve`). Returns the entry as it was."""
    from fieldnotes.project.actions import acting
    from fieldnotes.translations import said

    with acting(project, coder, "pseudonyms.remove", said("removed a pseudonym")) as (session, _cid):
        if isinstance(ref, uuid.UUID):
            row = session.get(Pseudonym, ref)
            if row is None:
                raise NotFound(_("that entry is no longer in the register (removed elsewhere)"))
        else:
            row = resolve(session, ref)
        gone = Listed(str(row.id), row.original, row.pseudonym, row.category, dict(row.attributes or {}),
                      row.separated)
        session.delete(row)
    return gone
