"""Importing files and folders: metadata from every source, one transaction per file, a report.

Metadata sources, strongest first: a file's YAML front matter (.md), then `STEM.meta.yaml` beside
it, then its row in a manifest CSV, then the command's flags (defaults for the batch). Disagreements
between a file's own sources are reported; defaults filled in are reported too.

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

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes import text as textmod
from fieldnotes.db import history
from fieldnotes.db.models import Document
from fieldnotes.documents import NewDocument, add_document, normalise_kind
from fieldnotes.errors import FieldnotesError, InvalidInput
from fieldnotes.importing import readers
from fieldnotes.importing.encoding import decode
from fieldnotes.project import Project
from fieldnotes.turns import find_turns

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
    attributes: dict[str, str] = field(default_factory=dict)
    manifest: Path | None = None
    strict: bool = False
    allow_duplicate: bool = False


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


Progress = Callable[[int, int, str], None]


# --- collecting files --------------------------------------------------------------------------


def collect(paths: Iterable[Path], report: Report) -> list[tuple[Path, str]]:
    """Files to import, with the name to show. Folders are walked recursively, in a stable order."""
    out: list[tuple[Path, str]] = []
    for given in paths:
        if not given.exists():
            report.results.append(FileResult(str(given), "failed", "no such file or folder"))
            continue
        if given.is_file():
            out.append((given, given.name))
            continue
        for path in sorted(given.rglob("*"), key=lambda p: str(p).casefold()):
            rel = path.relative_to(given)
            if not path.is_file() or any(part.startswith(".") for part in rel.parts):
                continue
            name = path.name.lower()
            if name.endswith((".meta.yaml", ".meta.yml")) or name in ("manifest.csv",):
                continue
            if path.suffix.lower() not in readers.SUPPORTED:
                report.results.append(FileResult(str(rel), "skipped", f"not a supported file type ({path.suffix})"))
                continue
            out.append((path, str(Path(given.name) / rel)))
    return out


# --- metadata ----------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """Rows of a manifest CSV keyed by file name (and relative path). Comma or semicolon separated."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read the manifest ({error.strerror})") from None
    text, _ = decode(raw, path.name)
    text = textmod.normalise(text)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    if not rows:
        raise InvalidInput(f"{path}: the manifest has no rows")
    key_column = next((c for c in ("file", "filename", "path", "fil") if c in (rows[0].keys())), None)
    if key_column is None:
        raise InvalidInput(f"{path}: the manifest needs a 'file' column naming each file")
    out: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(rows, start=2):
        name = (row.get(key_column) or "").strip()
        if not name:
            raise InvalidInput(f"{path}, line {line}: the row has no file name")
        meta: dict[str, Any] = {}
        attributes: dict[str, Any] = {}
        for column, value in row.items():
            if column is None or column == key_column or value is None or not str(value).strip():
                continue
            column = column.strip()
            value = str(value).strip()
            if column in ("municipality", "municipalities", "kommune"):
                meta["municipality"] = [v.strip() for v in value.split(";") if v.strip()]
            elif column == "participants":
                meta["participants"] = [v.strip() for v in value.split(";") if v.strip()]
            elif column in META_KEYS:
                meta[column] = value
            else:
                attributes[column] = value
        if attributes:
            meta["attributes"] = attributes
        meta["__line__"] = line
        out[name] = meta
        out.setdefault(Path(name).name, meta)
    return out


def _meta_file(source: Path) -> tuple[dict[str, Any], str] | None:
    for suffix in (".meta.yaml", ".meta.yml"):
        candidate = source.with_name(source.stem + suffix)
        if candidate.exists():
            try:
                data = yaml.safe_load(candidate.read_text(encoding="utf-8-sig")) or {}
            except (yaml.YAMLError, UnicodeDecodeError) as error:
                mark = getattr(error, "problem_mark", None)
                where = f", line {mark.line + 1}" if mark else ""
                raise InvalidInput(f"{candidate.name}{where}: the metadata file is not valid YAML") from None
            if not isinstance(data, dict):
                raise InvalidInput(f"{candidate.name}: the metadata file must be a mapping of keys to values")
            return data, candidate.name
    return None


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{where}: the date {value!r} is not YYYY-MM-DD") from None


def _participants(value: Any, where: str) -> list[dict[str, str]]:
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        value = [value]
    out = []
    for item in value:
        if isinstance(item, dict):
            name = str(item.get("name", "")).strip()
            if not name:
                raise InvalidInput(f"{where}: every participant needs a name")
            entry = {"name": name}
            if item.get("role"):
                entry["role"] = str(item["role"]).strip()
            out.append(entry)
        else:
            match = re.match(r"^(.*?)\s*\(([^)]*)\)\s*$", str(item))
            out.append({"name": match.group(1), "role": match.group(2)} if match else {"name": str(item).strip()})
    return out


def _municipalities(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _merge_sources(sources: list[tuple[str, dict[str, Any]]], notes: list[str]) -> dict[str, Any]:
    """Strongest source first. Attributes merge key by key; disagreements are noted."""
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    attributes: dict[str, Any] = {}
    for label, meta in sources:
        for key, value in meta.items():
            if key == "__line__":
                continue
            if key == "municipalities":
                key = "municipality"
            if key == "attributes" and isinstance(value, dict):
                for name, item in value.items():
                    attributes.setdefault(str(name), item)
                continue
            if key not in META_KEYS:
                attributes.setdefault(str(key), value)
                continue
            if key in merged:
                if merged[key] != value and label != "flags":
                    notes.append(f"{key}: {origin[key]} says {merged[key]!r}, {label} says {value!r}; "
                                 f"kept {origin[key]}")
                continue
            merged[key] = value
            origin[key] = label
    if attributes:
        merged["attributes"] = attributes
    return merged


def prepare(source: Path, display: str, options: Options, manifest: dict[str, dict[str, Any]]) -> Prepared:
    extracted = readers.read(source)
    notes: list[str] = []
    sources: list[tuple[str, dict[str, Any]]] = []
    if extracted.meta:
        sources.append(("front matter", extracted.meta))
    meta_file = _meta_file(source)
    if meta_file:
        sources.append((meta_file[1], meta_file[0]))
    row = manifest.get(display) or manifest.get(source.name)
    if row:
        sources.append((f"manifest line {row.get('__line__')}", row))
    flags: dict[str, Any] = {}
    if options.title:
        flags["title"] = options.title
    if options.kind:
        flags["kind"] = options.kind
    if options.municipalities:
        flags["municipality"] = options.municipalities
    if options.date:
        flags["date"] = options.date
    if options.activity:
        flags["activity"] = options.activity
    if options.attributes:
        flags["attributes"] = dict(options.attributes)
    sources.append(("flags", flags))
    meta = _merge_sources(sources, notes)
    where = source.name
    body = textmod.normalise(extracted.text)

    title = str(meta.get("title") or "").strip()
    if not title:
        title = source.stem.replace("_", " ").strip() or source.name
        notes.append(f"no title given; using {title!r}")
    if "date" in meta and meta["date"] not in (None, ""):
        date = _as_date(meta["date"], where)
    else:
        found = _DATE_IN_NAME.search(source.stem)
        if found:
            year, month, day = int(found.group(1)), int(found.group(2)), int(found.group(3) or 1)
            try:
                date = dt.date(year, month, day)
                notes.append(f"no date given; took {date.isoformat()} from the file name")
            except ValueError:
                date = None
        else:
            date = None
        if date is None:
            date = dt.datetime.fromtimestamp(source.stat().st_mtime).date()
            notes.append(f"no date given; used the file's modification date {date.isoformat()}")
    speakers = meta.get("speakers") or {}
    if not isinstance(speakers, dict):
        raise InvalidInput(f"{where}: 'speakers' must map speaker labels to people")
    if meta.get("kind"):
        kind = normalise_kind(str(meta["kind"]))
    elif extracted.transcript or len({t.speaker for t in find_turns(body, speakers.keys())}) >= 2:
        kind = "interview"
        notes.append("no kind given; it has speaker turns, so it is an interview")
    else:
        kind = "document"
        notes.append("no kind given; using 'document'")
    cases: list[tuple[str, str]] = []
    for item in meta.get("cases") or []:
        if isinstance(item, dict) and item.get("type") and item.get("name"):
            cases.append((str(item["type"]), str(item["name"])))
        elif isinstance(item, str) and ":" in item:
            case_type, name = item.split(":", 1)
            cases.append((case_type.strip(), name.strip()))
        else:
            raise InvalidInput(f"{where}: each case needs a type and a name (type: name)")
    attributes = meta.get("attributes") or {}
    new = NewDocument(
        text=body,
        title=title,
        kind=kind,
        date=date,
        activity=str(meta["activity"]).strip() if meta.get("activity") else None,
        participants=_participants(meta.get("participants"), where),
        speakers={str(k): v for k, v in speakers.items()},
        source_name=source.name,
        municipalities=_municipalities(meta.get("municipality")),
        cases=cases,
        attributes={str(k): (v.isoformat() if isinstance(v, dt.date) else v) for k, v in attributes.items()},
    )
    return Prepared(source, display, new, notes)


# --- the batch ---------------------------------------------------------------------------------


def _existing_hashes(session: Session) -> dict[str, str]:
    return {sha: title for sha, title in session.execute(select(Document.sha256, Document.title))}


def import_paths(project: Project, paths: Iterable[Path], options: Options, *, coder_id: uuid.UUID | None,
                 coder_name: str, progress: Progress | None = None) -> Report:
    from fieldnotes.coders import ensure_coder

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
            report.results.append(FileResult(display, "failed", str(error)))
    if options.strict and report.failed:
        failures = [r for r in report.results if r.status == "failed"]
        raise FieldnotesError(
            f"--strict: {len(failures)} file(s) cannot be imported, so nothing was imported: "
            + "; ".join(f"{r.path}: {r.reason}" for r in failures[:5])
        )
    if options.strict:
        with project.write() as session:
            with history.change(session, coder_id=coder_id, action="import", summary=f"imported {len(prepared)} files"):
                ensure_coder(session, coder_name)
                seen = _existing_hashes(session)
                for item in prepared:
                    report.results.append(_write_one(session, item, seen, options, coder_id, report))
        return report
    with project.read() as session:
        seen = _existing_hashes(session)
    for index, item in enumerate(prepared):
        if progress:
            progress(index, len(prepared), item.display)
        try:
            with project.write() as session:
                with history.change(session, coder_id=coder_id, action="import",
                                    summary=f"imported {item.source.name}"):
                    ensure_coder(session, coder_name)
                    result = _write_one(session, item, seen, options, coder_id, report)
            report.results.append(result)
        except FieldnotesError as error:
            report.results.append(FileResult(item.display, "failed", str(error)))
    return report


def _write_one(session: Session, item: Prepared, seen: dict[str, str], options: Options,
               coder_id: uuid.UUID | None, report: Report) -> FileResult:
    digest = textmod.sha256(item.new.text)
    if digest in seen and not options.allow_duplicate:
        return FileResult(item.display, "skipped", f"the same text is already in the project as {seen[digest]!r}",
                          notes=[])
    added = add_document(session, item.new, coder_id=coder_id)
    seen[digest] = added.document.title
    notes = list(item.notes)
    for case in added.created_cases:
        notes.append(f"created {case}")
        report.created_cases.append(case)
    return FileResult(item.display, "imported", "", str(added.document.id), added.document.title, notes)
