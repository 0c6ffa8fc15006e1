"""Finding personal data that the register does not cover yet, for a person to review.

Nothing found here is ever replaced automatically: detection lists candidates with their document
and position, and the researcher adds what is personal to the register.

- CPR numbers: DDMMYY-NNNN or DDMMYYNNNN whose date exists. The seventh digit gives the century
  (the CPR office's table), so 29 February is checked against the right year. The modulus-11 check
  is not required: it was dropped in 2007, and numbers issued since may fail it; it is reported.
- Phone numbers: eight digits, written together, in pairs ("12 34 56 78") or in fours, with an
  optional +45 or 0045.
- E-mail addresses.
- Street addresses: a street name ending in a Danish street suffix (-vej, -gade, -allé, -stræde,
  -vænget, -parken, ...) followed by a house number.
- Names: capitalised words in the shipped lists of Danish first names and surnames (a following
  capitalised word is taken as part of the name), and capitalised words right after a role word
  ("borgeren Amira"). A name-list word that is also an ordinary word ("Per", "Skov") is skipped at
  the start of a sentence. Originals and pseudonyms already in the register, and coders' names, are
  not candidates.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes.db.models import Coder, Document, Pseudonym
from fieldnotes.privacy import names
from fieldnotes.privacy.replacing import Replacer

if TYPE_CHECKING:
    from fieldnotes.project.opening import Project

KINDS = ("cpr", "phone", "email", "address", "name")
CONTEXT = 30

CPR = re.compile(r"(?<![\d-])(?P<dd>\d{2})(?P<mm>\d{2})(?P<yy>\d{2})-?(?P<serial>\d{4})(?![\d-])")
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)45[ ]?)?"
    r"(?P<number>\d{8}|\d{2}[ ]\d{2}[ ]\d{2}[ ]\d{2}|\d{4}[ ]\d{4})(?![\w-])"
)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
STREET_SUFFIXES = ("vej", "gade", "allé", "alle", "stræde", "vænget", "vænge", "parken", "plads", "torv",
                   "stien", "boulevard", "bakken", "have", "haven", "toften", "engen", "lunden", "kæret",
                   "højen", "vangen", "gyde", "kvarter")
ADDRESS = re.compile(
    r"(?<!\w)(?:[A-ZÆØÅ][\wæøå.]*[ ])?(?:[A-ZÆØÅ][\wæøå-]*(?:" + "|".join(STREET_SUFFIXES) + r")"
    r"|(?:" + "|".join(suffix.capitalize() for suffix in STREET_SUFFIXES) + r"))"
    r"[ ]\d{1,4}[A-Za-z]?(?:,[ ]?\d{1,2}\.?[ ]?(?:tv|th|mf)\.?)?(?!\w)"
)
_WORD = re.compile(r"[A-ZÆØÅ][\wæøå]*(?:-[A-ZÆØÅ][\wæøå]*)?")
_ROLE_BEFORE = re.compile(r"(\w+\.?)[ ]$")  # "borgeren Amira", "hr. Hansen": on the same line
_SENTENCE_END = re.compile(r"(?:[.!?:…\n\]\)\"»]\s*|^\s*)$")


@dataclass
class Candidate:
    kind: str
    text: str
    document: uuid.UUID
    document_title: str
    start: int
    end: int
    context: str
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "document": str(self.document),
                "document_title": self.document_title, "start": self.start, "end": self.end,
                "context": self.context, "note": self.note}


def cpr_date(dd: int, mm: int, yy: int, seventh: int) -> dt.date | None:
    """The birth date a CPR number encodes, or None when no such date exists."""
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:  # 5-8
        century = 2000 if yy <= 57 else 1800
    try:
        return dt.date(century + yy, mm, dd)
    except ValueError:
        return None


def modulus11(digits: str) -> bool:
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def _cprs(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in CPR.finditer(text):
        day, month, year, serial = int(m["dd"]), int(m["mm"]), int(m["yy"]), m["serial"]
        born = cpr_date(day, month, year, int(serial[0]))
        if born is None:
            continue
        digits = m["dd"] + m["mm"] + m["yy"] + serial
        note = f"born {born.isoformat()}; modulus 11 {'holds' if modulus11(digits) else 'fails (allowed since 2007)'}"
        out.append((m.start(), m.end(), note))
    return out


def _looks_like_date_or_years(number: str) -> bool:
    digits = number.replace(" ", "")
    if " " in number and len(number) == 9:  # "2025 2026": two years
        first, second = number.split(" ")
        return all(part.startswith(("19", "20")) for part in (first, second))
    if len(digits) == 8 and digits.startswith(("19", "20")):
        try:
            dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            return True
        except ValueError:
            return False
    return False


def _phones(text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    out = []
    for m in PHONE.finditer(text):
        if _looks_like_date_or_years(m["number"]) or _overlaps(m.start(), m.end(), taken):
            continue
        out.append((m.start(), m.end(), ""))
    return out


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < end and start < b for a, b in spans)


def _sentence_start(text: str, position: int) -> bool:
    return bool(_SENTENCE_END.search(text[max(0, position - 4) : position]))


def _names(text: str, excluded: set[str], covered: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    words = list(_WORD.finditer(text))
    index = 0
    while index < len(words):
        word = words[index]
        token = word.group()
        bare = token[:-1] if token.endswith("s") and token[:-1] in names.ALL_NAMES else token
        previous = _ROLE_BEFORE.search(text, max(0, word.start() - 40), word.start())
        after_role = previous is not None and previous.group(1).casefold() in names.ROLE_WORDS
        known = bare in names.ALL_NAMES
        if not (known or after_role) or (known and not after_role and bare in names.COMMON_WORDS
                                          and _sentence_start(text, word.start())):
            index += 1
            continue
        end, last = word.end(), index
        while last + 1 < len(words) and last - index < 2:
            following = words[last + 1]
            gap = text[end : following.start()]
            if gap not in (" ", "-") or (following.group() in names.COMMON_WORDS and following.group() not in \
                    names.SURNAMES):
                break
            end, last = following.end(), last + 1
        found = text[word.start() : end]
        if (found.casefold() not in excluded and bare.casefold() not in excluded
                and not _overlaps(word.start(), end, covered)):
            out.append((word.start(), end, "after a role word" if after_role and not known else ""))
        index = last + 1
    return out


def _context(text: str, start: int, end: int) -> str:
    return " ".join(f"…{text[max(0, start - CONTEXT) : start]}[{text[start:end]}]{text[end : end + CONTEXT]}…"
                    .split())


def candidates(session: Session, kinds: list[str] | None = None) -> list[Candidate]:
    """Candidates in every document's text, in document and text order."""
    wanted = set(kinds or KINDS)
    entries = list(session.scalars(select(Pseudonym)))
    rep = Replacer({p.original: p.pseudonym for p in entries if p.original})
    pseudonyms = Replacer({p.pseudonym: p.pseudonym + "\x00" for p in entries})  # finds pseudonyms put in
    excluded: set[str] = set()
    for value in [p.original or "" for p in entries] + [p.pseudonym for p in entries] + list(
            session.scalars(select(Coder.name))):
        excluded.add(value.casefold())
        excluded.update(part.casefold() for part in value.split())
    out: list[Candidate] = []
    for doc in session.scalars(select(Document).order_by(Document.date, Document.title)):
        text = doc.text
        covered = [(m.start, m.end) for m in rep.matches(text) + pseudonyms.matches(text)]
        found: list[tuple[str, int, int, str]] = []
        cprs = _cprs(text)
        if "cpr" in wanted:
            found += [("cpr", s, e, n) for s, e, n in cprs]
        if "email" in wanted:
            found += [("email", m.start(), m.end(), "") for m in EMAIL.finditer(text)]
        if "phone" in wanted:
            found += [("phone", s, e, n) for s, e, n in _phones(text, [(s, e) for s, e, _ in cprs])]
        if "address" in wanted:
            found += [("address", m.start(), m.end(), "") for m in ADDRESS.finditer(text)]
        if "name" in wanted:
            addresses = [(m.start(), m.end()) for m in ADDRESS.finditer(text)]
            found += [("name", s, e, n) for s, e, n in _names(text, excluded, covered + addresses)]
        for kind, start, end, note in sorted(found, key=lambda f: (f[1], f[2])):
            out.append(Candidate(kind, text[start:end], doc.id, doc.title, start, end,
                                 _context(text, start, end), note))
    return out


def candidates_in(project: Project, kinds: list[str] | None = None) -> list[Candidate]:
    """`candidates` of a project, read in a transaction of its own (the command line and the app)."""
    with project.read() as session:
        return candidates(session, kinds)
