"""Importing files and folders: metadata from every source, one transaction per file, a report.

Metadata sources, strongest first: a file's YAML front matter (.md), then `STEM.meta.yaml` beside
it, then its row in a manifest CSV, then the command's flags (defaults for the batch). Disagreements
between a file's own sources are reported (the same value written differently, such as 2025-03-01 and
1.3.2025, is no disagreement); defaults filled in are reported too. Keys are matched case-insensitively
and in Danish too (kommune, dato, titel, ...); keys that are not metadata become document attributes.
A manifest row is matched by the file's path relative to the manifest, then as shown, then by bare name.

Each file goes in whole or not at all, in its own transaction, so killing the process mid-batch
leaves every finished file in and nothing half-written; running the import again skips what is
already there (by text hash) and completes the rest. `strict` reads every file first and writes
all of them in one transaction, or nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes import safeyaml
from fieldnotes import text as textmod
from fieldnotes.db import history
from fieldnotes.db.models import Document
from fieldnotes.documents.store import NewDocument, add_document, check_new, normalise_kind
from fieldnotes.documents.turns import find_turns
from fieldnotes.errors import FieldnotesError, InvalidInput
from fieldnotes.importing import readers
from fieldnotes.importing.encoding import decode
from fieldnotes.project.opening import Project
from fieldnotes.translations import _, said

META_KEYS = {"title", "kind", "municipality", "municipalities", "date", "activity", "participants", "speakers",
             "attributes", "cases"}
_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d\d|19\d\d)[-_.](\d\d)(?:[-_.](\d\d))?(?!\d)")


@dataclass
class Options:
    kind: str | None = None
    municipalities: list[str] = field(default_factory=list)
    date: dt.date | None = None
    title: str | None = None
    activity: str | None = None
    #: people present, "Name (role)" each; a default like the others (the app's import dialog asks for them)
    participants: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    manifest: Path | None = None
    strict: bool = False
    allow_duplicate: bool = False

    def check(self) -> None:
        """Refuse flags that break the rules for names and values (fieldnotes.db.validation) before any file
        is read: each file would fail for them."""
        if self.kind:
            normalise_kind(self.kind)
        check_new(NewDocument(text="", title=self.title or "", activity=self.activity,
                              municipalities=list(self.municipalities), attributes=dict(self.attributes)))


@dataclass
class FileResult:
    path: str
    status: str  # imported | skipped | failed
    reason: str = ""
    document_id: str | None = None
    title: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.path, "status": self.status, "reason": self.reason, "document": self.document_id,
                "document_title": self.title, "notes": self.notes}


@dataclass
class Report:
    results: list[FileResult] = field(default_factory=list)
    created_cases: list[str] = field(default_factory=list)
    order: dict[str, int] = field(default_factory=dict)  # file as shown -> place in the batch

    def add(self, result: FileResult) -> None:
        self.order.setdefault(result.path, len(self.order))
        self.results.append(result)

    def in_order(self) -> None:
        """Results in the order the files were found, whatever order they were decided in."""
        self.results.sort(key=lambda r: self.order.get(r.path, len(self.order)))

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        return self.count("failed") > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.count("imported"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "created_cases": self.created_cases,
            "files": [r.as_dict() for r in self.results],
        }


@dataclass
class Prepared:
    source: Path
    display: str
    new: NewDocument
    notes: list[str]
    #: where each metadata value came from: "front matter", "x.meta.yaml", "manifest line 3" or "flags"
    origin: dict[str, str] = field(default_factory=dict)


@dataclass
class Planned:
    """One file as an import would take it, before anything is written (the app's preview)."""

    path: str  # as shown
    status: str  # import | skipped | failed
    reason: str = ""
    title: str = ""
    kind: str = ""
    date: str = ""
    municipalities: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    #: metadata key -> the source that set it ("front matter", "x.meta.yaml", "manifest line 3", "flags");
    #: keys missing here were guessed (see notes) or left empty
    origin: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


Progress = Callable[[int, int, str], None]


# --- collecting files --------------------------------------------------------------------------


def collect(paths: Iterable[Path], report: Report) -> list[tuple[Path, str]]:
    """Files to import, with the name to show. Folders are walked recursively, in a stable order.

    In a folder, hidden files, Office lock files (`~$x.docx`) and metadata files are passed over, files of
    other types are listed as skipped with the reason, except documents in a format a word processor can
    convert (.doc, .pages, ...), which fail with how to convert them. A file named on its own is always read.
    """
    out: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for given in paths:
        if not given.exists():
            report.add(FileResult(str(given), "failed", f"{given}: no such file or folder; "
                                                                   "check the path"))
            continue
        if given.is_file():
            if given.resolve() not in seen:
                seen.add(given.resolve())
                out.append((given, given.name))
                report.order.setdefault(given.name, len(report.order))
            continue
        for path in sorted(given.rglob("*"), key=lambda p: str(p).casefold()):
            rel = path.relative_to(given)
            if not path.is_file() or any(part.startswith((".", "~$")) for part in rel.parts):
                continue
            name = path.name.lower()
            if name.endswith((".meta.yaml", ".meta.yml")) or name == "manifest.csv":
                continue
            if path.suffix.lower() in readers.CONVERTIBLE:  # material that should be here: say so, and fail
                report.add(FileResult(str(Path(given.name) / rel), "failed",
                                                 str(readers.unsupported(path))))
                continue
            if path.suffix.lower() not in readers.SUPPORTED:
                report.add(FileResult(str(Path(given.name) / rel), "skipped",
                                                 f"not a supported file type ({path.suffix or 'no extension'})"))
                continue
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            out.append((path, str(Path(given.name) / rel)))
            report.order.setdefault(out[-1][1], len(report.order))
    return out


# --- metadata ----------------------------------------------------------------------------------

#: other spellings of the metadata keys (Danish, plural, common front-matter names), matched case-insensitively
KEY_ALIASES = {
    "municipalities": "municipality", "kommune": "municipality", "kommuner": "municipality",
    "titel": "title", "type": "kind", "art": "kind", "dato": "date", "aktivitet": "activity",
    "deltagere": "participants", "talere": "speakers", "attributter": "attributes", "sager": "cases",
}


def canonical_key(key: Any) -> str:
    text = str(key).strip()
    folded = text.casefold()
    if folded in META_KEYS:
        return folded
    return KEY_ALIASES.get(folded, text)


def _manifest_rows(path: Path) -> list[dict[str | Any, Any]]:
    """The rows of a manifest CSV, comma, semicolon or tab separated, in whatever encoding it was saved."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidInput(_("{path}: cannot read the manifest ({strerror})")
                           .format(path=path, strerror=error.strerror),
                           hint=_("check the path given to --manifest")) from None
    text, _encoding = decode(raw, path.name)
    text = textmod.normalise(text)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    if not rows:
        raise InvalidInput(_("{path}: the manifest has no rows")
                           .format(path=path), hint=_("add one row per file under a header row"))
    return rows


def _manifest_meta(row: dict[str | Any, Any], key_column: str, line: int) -> dict[str, Any]:
    """One row's metadata: the known keys, and every other column as a document attribute."""
    meta: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for column, value in row.items():
        if column is None or column == key_column or value is None or not str(value).strip():
            continue
        key = canonical_key(column)
        value = str(value).strip()
        if key in ("municipality", "participants"):
            meta[key] = [v.strip() for v in value.split(";") if v.strip()]
        elif key in META_KEYS and key not in ("attributes", "speakers", "cases"):
            meta[key] = value
        else:
            attributes[str(column).strip()] = value
    if attributes:
        meta["attributes"] = attributes
    meta["__line__"] = line
    return meta


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """Rows of a manifest CSV keyed by file name as written (and by bare file name). Comma or semicolon
    separated; the first row names the columns, one of them 'file'."""
    rows = _manifest_rows(path)
    columns = {str(c).strip().casefold(): c for c in rows[0] if c is not None}
    key_column = next((columns[c] for c in ("file", "filename", "path", "fil", "filnavn") if c in columns), None)
    if key_column is None:
        raise InvalidInput(_("{path}: the manifest needs a 'file' column naming each file").format(path=path),
                           hint=_("make the first row a header such as: file,kind,municipality,date,title"))
    out: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(rows, start=2):
        name = (row.get(key_column) or "").strip()
        if not name:
            raise InvalidInput(_("{path}, line {line}: the row has no file name")
                               .format(path=path, line=line), hint=_("fill in the 'file' column"))
        meta = _manifest_meta(row, key_column, line)
        out[name.replace("\\", "/")] = meta
        out.setdefault(Path(name.replace("\\", "/")).name, meta)
    return out


def _manifest_row(manifest: dict[str, dict[str, Any]], source: Path, display: str,
                  folder: Path | None) -> dict[str, Any] | None:
    """The manifest row for a file: by its path from the manifest's folder, as shown, or by its bare name."""
    keys = []
    if folder is not None:
        try:
            keys.append(source.resolve().relative_to(folder.resolve()).as_posix())
        except ValueError:
            pass
    shown = Path(display)
    keys += [shown.as_posix(), Path(*shown.parts[1:]).as_posix() if len(shown.parts) > 1 else "", source.name]
    for key in keys:
        if key and key in manifest:
            return manifest[key]
    folded = {k.casefold(): v for k, v in manifest.items()}
    for key in keys:
        if key and key.casefold() in folded:
            return folded[key.casefold()]
    return None


def _meta_file(source: Path) -> tuple[dict[str, Any], str] | None:
    for candidate in (source.with_name(source.stem + ".meta.yaml"), source.with_name(source.stem + ".meta.yml"),
                      source.with_name(source.name + ".meta.yaml")):
        if not candidate.is_file():
            continue
        try:
            raw = candidate.read_bytes()
        except OSError as error:
            raise InvalidInput(_("{name}: cannot read the metadata file ({strerror})")
                               .format(name=candidate.name, strerror=error.strerror)) from None
        text, _encoding = decode(raw, candidate.name)
        data = safeyaml.load(textmod.normalise(text), candidate.name, what=_("the metadata file"),
                             hint=_("write one 'key: value' per line, e.g. 'date: 2025-03-10'")) or {}
        if not isinstance(data, dict):
            raise InvalidInput(_("{name}: the metadata file must be a mapping of keys to values")
                               .format(name=candidate.name),
                               hint=_("write one 'key: value' per line, e.g. 'kind: interview'"))
        return data, candidate.name
    return None


_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        day_first = _DAY_FIRST.match(text)
        if day_first:  # the Danish way: 5.3.2025
            return dt.date(int(day_first.group(3)), int(day_first.group(2)), int(day_first.group(1)))
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("{where}: the date {value!r} is not a date")
                           .format(where=where, value=value), hint=_("write it as YYYY-MM-DD")) from None


def _participants(value: Any, where: str) -> list[dict[str, str]]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [v for v in value.split(";") if v.strip()]
    elif isinstance(value, dict):
        value = [value]
    elif not isinstance(value, list):
        raise InvalidInput(_("{where}: participants must be a list of names").format(where=where),
                           hint=_("e.g. participants: [Mette Vinther (sagsbehandler), Anna Krogh (forsker)]"))
    out = []
    for item in value:
        if isinstance(item, dict):
            name = str(item.get("name", "")).strip()
            if not name:
                raise InvalidInput(_("{where}: every participant needs a name")
                                   .format(where=where), hint=_("e.g. - {name: Mette, role: leder}"))
            entry = {"name": name}
            if item.get("role"):
                entry["role"] = str(item["role"]).strip()
            out.append(entry)
        elif str(item).strip():
            match = re.match(r"^(.*?)\s*\(([^)]*)\)\s*$", str(item).strip())
            if match:
                out.append({"name": match.group(1), "role": match.group(2)})
            else:
                out.append({"name": str(item).strip()})
    return out


def _municipalities(value: Any, where: str = "") -> list[str]:
    """Municipalities as written: one name, several separated by ';', or a list of names (each without ';')."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    if isinstance(value, (list, tuple)) and not any(isinstance(v, (list, tuple, dict)) for v in value):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, (list, tuple, dict)):
        raise InvalidInput(_("{where}: 'municipality' must be a name or a list of names").format(where=where),
                           hint=_("e.g. 'municipality: Lyngå', or 'municipality: [Lyngå, Fjordby]'"))
    return [str(value).strip()]


def _comparable(key: str, value: Any) -> Any:
    """A form in which two sources' values compare equal when they mean the same."""
    try:
        if key == "municipality":
            return sorted(m.casefold() for m in _municipalities(value))
        if key == "date":
            return _as_date(value, "").isoformat()
        if key == "participants":
            return _participants(value, "")
        if key == "kind":
            from fieldnotes.documents.store import KIND_ALIASES

            return KIND_ALIASES.get(str(value).strip().casefold(), str(value).strip().casefold())
    except InvalidInput:
        pass
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (str, int, float)):
        return " ".join(str(value).split())
    return value


def _shown(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(_shown(v) for v in value)
    if isinstance(value, dict) and "name" in value:
        return f"{value['name']} ({value['role']})" if value.get("role") else str(value["name"])
    return str(value)


def _merge_sources(sources: list[tuple[str, dict[str, Any]]],
                   notes: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Strongest source first. Attributes merge key by key. Disagreements between a file's own sources
    are noted; the flags (the last source) are defaults, so a file's own value silently wins over them."""
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    attributes: dict[str, Any] = {}
    attribute_origin: dict[str, str] = {}

    def conflict(key: str, kept: Any, kept_from: str, other: Any, other_from: str) -> None:
        if other_from != "flags" and _comparable(key, kept) != _comparable(key, other):
            notes.append(f"conflicting {key}: {kept_from} says {_shown(kept)!r}, {other_from} says "
                         f"{_shown(other)!r}; kept {_shown(kept)!r} from {kept_from}")

    for label, meta in sources:
        for raw_key, value in meta.items():
            if raw_key == "__line__" or value is None or value == "":
                continue
            key = canonical_key(raw_key)
            items: dict[str, Any] | None = None
            if key == "attributes" and isinstance(value, dict):
                items = {str(k).strip(): v for k, v in value.items()}
            elif key not in META_KEYS:
                items = {str(raw_key).strip(): value}
            if items is not None:
                for name, item in items.items():
                    if item is None or item == "":
                        continue
                    if name in attributes:
                        conflict(name, attributes[name], attribute_origin[name], item, label)
                        continue
                    attributes[name] = item
                    attribute_origin[name] = label
                continue
            if key in merged:
                conflict(key, merged[key], origin[key], value, label)
                continue
            merged[key] = value
            origin[key] = label
    if attributes:
        merged["attributes"] = attributes
    return merged, origin


def _flags(options: Options) -> dict[str, Any]:
    """The flags as the weakest source of metadata: the defaults for the batch."""
    values = {"title": options.title, "kind": options.kind, "municipality": options.municipalities,
              "date": options.date, "activity": options.activity, "participants": list(options.participants),
              "attributes": dict(options.attributes)}
    return {key: value for key, value in values.items() if value}


def _sources(extracted: readers.Extracted, source: Path, display: str, options: Options,
             manifest: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """A file's sources of metadata, strongest first: front matter, STEM.meta.yaml, its manifest row, flags."""
    sources: list[tuple[str, dict[str, Any]]] = []
    if extracted.meta:
        sources.append(("front matter", extracted.meta))
    meta_file = _meta_file(source)
    if meta_file:
        sources.append((meta_file[1], meta_file[0]))
    row = _manifest_row(manifest, source, display, options.manifest.parent if options.manifest else None)
    if row:
        sources.append((f"manifest line {row.get('__line__')}", row))
    sources.append(("flags", _flags(options)))
    return sources


def _title(meta: dict[str, Any], source: Path, notes: list[str]) -> str:
    title = " ".join(str(meta.get("title") or "").split())
    if not title:
        title = " ".join(source.stem.replace("_", " ").split()) or source.name
        notes.append(f"no title given; used the file name: {title!r}")
    return title


def _date(meta: dict[str, Any], source: Path, where: Callable[[str], str], notes: list[str]) -> dt.date:
    """The date given, else one in the file's name, else the file's modification date (each noted)."""
    if meta.get("date") not in (None, ""):
        return _as_date(meta["date"], where("date"))
    found = _DATE_IN_NAME.search(source.stem)
    if found:
        year, month, day = int(found.group(1)), int(found.group(2)), int(found.group(3) or 1)
        try:
            date = dt.date(year, month, day)
        except ValueError:
            pass
        else:
            notes.append(f"no date given; took {date.isoformat()} from the file name")
            return date
    date = dt.datetime.fromtimestamp(source.stat().st_mtime).date()
    notes.append(f"no date given; used the file's modification date {date.isoformat()}")
    return date


def _speakers(meta: dict[str, Any], where: Callable[[str], str]) -> dict[Any, Any]:
    speakers = meta.get("speakers") or {}
    if not isinstance(speakers, dict):
        raise InvalidInput(_("{value}: 'speakers' must map speaker labels to people").format(value=where('speakers')),
                           hint=_("e.g. speakers: {I: {name: Anna Krogh, role: forsker}, R: Mette}"))
    return speakers


def _kind(meta: dict[str, Any], extracted: readers.Extracted, body: str, speakers: dict[Any, Any],
          where: Callable[[str], str], notes: list[str]) -> str:
    """The kind given, else an interview when the text has two speakers or more, else a document."""
    if meta.get("kind"):
        try:
            return normalise_kind(str(meta["kind"]))
        except InvalidInput as error:
            raise InvalidInput(f"{where('kind')}: {error.message}", hint=error.hint) from None
    if extracted.transcript or len({t.speaker for t in find_turns(body, speakers.keys())}) >= 2:
        notes.append("no kind given; it has speaker turns, so it is an interview")
        return "interview"
    notes.append("no kind given; used 'document'")
    return "document"


def _cases(meta: dict[str, Any], where: Callable[[str], str]) -> list[tuple[str, str]]:
    cases: list[tuple[str, str]] = []
    raw_cases = meta.get("cases") or []
    for item in raw_cases if isinstance(raw_cases, list) else [raw_cases]:
        if isinstance(item, dict) and item.get("type") and item.get("name"):
            cases.append((str(item["type"]), str(item["name"])))
        elif isinstance(item, str) and ":" in item:
            case_type, name = item.split(":", 1)
            cases.append((case_type.strip(), name.strip()))
        else:
            raise InvalidInput(_("{value}: each case needs a type and a name").format(value=where('cases')),
                               hint=_("write it as 'type: name', e.g. 'team: Team Nord'"))
    return cases


def _attributes(meta: dict[str, Any], where: Callable[[str], str]) -> dict[str, Any]:
    attributes = meta.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise InvalidInput(_("{where}: 'attributes' must name each attribute and give its value")
                           .format(where=where('attributes')),
                           hint=_("write it as 'attributes: {team: Nord, halvår: 2}', or one 'name: value' per line "
                                  "indented under 'attributes:'"))
    return {str(k): (v.isoformat() if isinstance(v, dt.date) else v) for k, v in attributes.items()}


def prepare(source: Path, display: str, options: Options, manifest: dict[str, dict[str, Any]]) -> Prepared:
    extracted = readers.read(source)
    notes: list[str] = []
    meta, origin = _merge_sources(_sources(extracted, source, display, options, manifest), notes)

    def where(key: str) -> str:
        return f"{source.name} ({origin.get(key, 'flags')})"

    body = textmod.normalise(extracted.text)
    if extracted.encoding and extracted.encoding not in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):
        from fieldnotes.importing.encoding import LABELS

        notes.append(f"read as {LABELS.get(extracted.encoding, extracted.encoding)} text; check the letters æ, ø, å")
    title = _title(meta, source, notes)
    date = _date(meta, source, where, notes)
    speakers = _speakers(meta, where)
    kind = _kind(meta, extracted, body, speakers, where, notes)
    cases = _cases(meta, where)
    attributes = _attributes(meta, where)
    new = NewDocument(
        text=body,
        title=title,
        kind=kind,
        date=date,
        activity=" ".join(str(meta["activity"]).split()) if meta.get("activity") else None,
        participants=_participants(meta.get("participants"), where("participants")),
        speakers={str(k): v for k, v in speakers.items()},
        source_name=source.name,
        municipalities=_municipalities(meta.get("municipality"), where("municipality")),
        cases=cases,
        attributes=attributes,
    )
    try:
        check_new(new)
    except InvalidInput as error:  # say which file; the rule is in the message
        raise InvalidInput(f"{source.name}: {error.message}", hint=error.hint) from None
    return Prepared(source, display, new, notes, {key: origin[key] for key in origin if key != "attributes"})


# --- the batch ---------------------------------------------------------------------------------


def _existing_hashes(session: Session) -> dict[str, str]:
    return {sha: title for sha, title in session.execute(select(Document.sha256, Document.title))}


def import_paths(project: Project, paths: Iterable[Path], options: Options, *, coder_id: uuid.UUID | None,
                 coder_name: str, progress: Progress | None = None) -> Report:
    from fieldnotes.db.coders import ensure_coder

    options.check()
    report = Report()
    manifest = read_manifest(options.manifest) if options.manifest else {}
    files = collect(list(paths), report)
    prepared: list[Prepared] = []
    for index, (path, display) in enumerate(files):
        if progress:
            progress(index, len(files), display)
        try:
            prepared.append(prepare(path, display, options, manifest))
        except FieldnotesError as error:
            report.add(FileResult(display, "failed", str(error)))
        except Exception as error:  # a bug in reading one file must not stop the batch or show a traceback
            from fieldnotes.logs import log_exception

            where = log_exception(error)
            report.add(FileResult(display, "failed", f"{path.name}: cannot be imported "
                                             f"({type(error).__name__}, a fault in fieldnotes; details in {where})"))
    if options.strict and report.failed:
        failures = [r for r in report.results if r.status == "failed"]
        shown = "; ".join(r.reason if r.reason.startswith(Path(r.path).name) else f"{r.path}: {r.reason}"
                          for r in failures[:5])
        more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
        raise FieldnotesError(_("--strict: {n_failures} file(s) cannot be imported, so nothing was imported: "
                                "{shown}{more}").format(n_failures=len(failures), shown=shown,
                                                        more=more), hint=_("fix or remove those files, or import "
                                                                           "without --strict"))
    with project.read() as session:
        seen = _existing_hashes(session)
    todo: list[Prepared] = []
    for item in prepared:
        duplicate = _duplicate_of(item, seen, options)
        if duplicate is not None:
            report.add(duplicate)
        else:
            todo.append(item)
            seen[textmod.sha256(item.new.text)] = item.new.title
    if not todo:
        report.in_order()
        return report
    if options.strict:
        created: list[str] = []
        with project.write() as session:
            with history.change(session, coder_id=coder_id, action="import", summary=said("imported {n_todo} files",
                    n_todo=len(todo))):
                ensure_coder(session, coder_name)
                results = [_write_one(session, item, coder_id, created) for item in todo]
        report.results.extend(results)
        report.created_cases.extend(created)
        report.in_order()
        return report
    for index, item in enumerate(todo):
        if progress:
            progress(index, len(todo), item.display)
        created = []
        try:
            with project.write() as session:
                with history.change(session, coder_id=coder_id, action="import",
                                    summary=said("imported {name}", name=item.source.name)):
                    ensure_coder(session, coder_name)
                    result = _write_one(session, item, coder_id, created)
        except FieldnotesError as error:
            result = FileResult(item.display, "failed", str(error))
            created = []
        report.results.append(result)
        report.created_cases.extend(created)
    report.in_order()
    return report


def plan(project: Project | None, paths: Iterable[Path], options: Options,
         progress: Progress | None = None) -> list[Planned]:
    """What `import_paths` would do with each file, in the order found, without writing anything: the
    metadata each file would get and where each value comes from, or why it would be skipped or refused.
    With a project, text already in it is marked as skipped, as the import would."""
    report = Report()
    manifest = read_manifest(options.manifest) if options.manifest else {}
    files = collect(list(paths), report)
    out = [Planned(r.path, r.status, r.reason) for r in report.results]
    seen: dict[str, str] = {}
    if project is not None:
        with project.read() as session:
            seen = _existing_hashes(session)
    for index, (path, display) in enumerate(files):
        if progress:
            progress(index, len(files), display)
        try:
            item = prepare(path, display, options, manifest)
        except FieldnotesError as error:
            out.append(Planned(display, "failed", str(error)))
            continue
        except Exception as error:  # as in import_paths: one file's fault must not stop the preview
            from fieldnotes.logs import log_exception

            where = log_exception(error)
            out.append(Planned(display, "failed", f"{path.name}: cannot be imported ({type(error).__name__}, "
                                                  f"a fault in fieldnotes; details in {where})"))
            continue
        duplicate = _duplicate_of(item, seen, options)
        new = item.new
        planned = Planned(display, "import", title=new.title, kind=new.kind,
                          date=new.date.isoformat() if new.date else "", municipalities=list(new.municipalities),
                          participants=[_shown(p) for p in new.participants], origin=dict(item.origin),
                          notes=list(item.notes))
        if duplicate is not None:
            planned.status, planned.reason = "skipped", duplicate.reason
        else:
            seen[textmod.sha256(new.text)] = new.title
        out.append(planned)
    order = report.order
    out.sort(key=lambda p: order.get(p.path, len(order)))
    return out


def _duplicate_of(item: Prepared, seen: dict[str, str], options: Options) -> FileResult | None:
    digest = textmod.sha256(item.new.text)
    if digest not in seen or options.allow_duplicate:
        return None
    return FileResult(item.display, "skipped",
                      f"the same text is already in the project as {seen[digest]!r} "
                      f"(add --allow-duplicate to import it again)")


def _write_one(session: Session, item: Prepared, coder_id: uuid.UUID | None, created: list[str]) -> FileResult:
    try:
        added = add_document(session, item.new, coder_id=coder_id)
    except InvalidInput as error:  # e.g. an attribute that holds numbers given a word: say which file
        name = item.source.name
        message = error.message if error.message.startswith(name) else f"{name}: {error.message}"
        raise InvalidInput(message, hint=error.hint) from None
    notes = list(item.notes)
    for case in added.created_cases:
        notes.append(f"created {case}, which was not in the project")
        created.append(case)
    return FileResult(item.display, "imported", "", str(added.document.id), added.document.title, notes)
