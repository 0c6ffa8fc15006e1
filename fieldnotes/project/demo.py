"""Building the demo project from `examples/demo/` (shipped in the wheel as `fieldnotes/_data/demo`).

The material goes in through the same import a user runs; codings are anchored by quoted text, not
offsets, so they survive edits to the material. Ids come from a deterministic sequence and every
timestamp from the material's own dates, so two builds are identical row for row. The build happens
in a temporary file that replaces the target only when it is complete, and it never replaces a file
that is not itself a demo project.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes import clock, ids
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.coding import applying, memos
from fieldnotes.db import coders, history
from fieldnotes.db.models import Code, Document
from fieldnotes.errors import FieldnotesError
from fieldnotes.importing.batch import Options, import_paths
from fieldnotes.project.opening import Project, open_project
from fieldnotes.resources import demo_dir
from fieldnotes.translations import _, said

NAMESPACE = uuid.UUID("6c1d0e5e-4d2b-5b7a-9d0e-4a8f2c3b1d00")


@dataclass
class Anchor:
    source: str
    document: str
    code: str
    coder: str
    quote: str
    occurrence: int | None
    memo: str | None
    rating: int | None
    date: dt.date


@dataclass
class DemoReport:
    path: Path
    documents: int = 0
    codings: int = 0
    memos: int = 0
    coders: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"project": str(self.path), "documents": self.documents, "codings": self.codings,
                "memos": self.memos, "coders": self.coders}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _yaml(path: Path) -> Any:
    from fieldnotes import safeyaml

    return safeyaml.load(path.read_text(encoding="utf-8"), path.name, what=_("the demo file"),
                         hint=_("the demo's files are part of fieldnotes; reinstall it"), loader=safeyaml.FewAliases)


def read_anchors(folder: Path) -> list[Anchor]:
    anchors: list[Anchor] = []
    for path in sorted((folder / "codings").glob("*.yaml")):
        data = _yaml(path) or {}
        for index, item in enumerate(data.get("codings") or [], start=1):
            where = f"{path.name} #{index}"
            try:
                anchors.append(Anchor(
                    source=where,
                    document=str(item["document"]),
                    code=str(item["code"]),
                    coder=str(item["coder"]),
                    quote=str(item["quote"]),
                    occurrence=int(item["occurrence"]) if item.get("occurrence") else None,
                    memo=str(item["memo"]) if item.get("memo") else None,
                    rating=int(item["rating"]) if item.get("rating") is not None else None,
                    date=_date(item["date"]),
                ))
            except (KeyError, ValueError, TypeError) as error:
                raise FieldnotesError(_("demo codings {where}: missing or bad field ({error})")
                                      .format(where=where, error=error)) from None
    return anchors


def _locate(text: str, anchor: Anchor) -> tuple[int, int] | str:
    """The anchor's span, or the reason it does not match."""
    positions = []
    position = text.find(anchor.quote)
    while position != -1:
        positions.append(position)
        position = text.find(anchor.quote, position + 1)
    if not positions:
        return "the quote does not occur in the document"
    if anchor.occurrence is None:
        if len(positions) > 1:
            return f"the quote occurs {len(positions)} times; add an occurrence number or quote more"
        start = positions[0]
    else:
        if not 1 <= anchor.occurrence <= len(positions):
            return f"occurrence {anchor.occurrence} asked for, but the quote occurs {len(positions)} time(s)"
        start = positions[anchor.occurrence - 1]
    return start, start + len(anchor.quote)


def is_demo_project(path: Path) -> bool:
    try:
        with open_project(str(path), readonly=True) as project, project.read() as session:
            return bool(project.settings(session).is_demo)
    except FieldnotesError:
        return False


def build(target: Path, *, source: Path | None = None) -> DemoReport:
    """Build the demo project at `target`, replacing an earlier demo there (and nothing else)."""
    target = Path(target).expanduser()
    if target.exists() and not is_demo_project(target):
        raise FieldnotesError(
            _("{target} exists and is not a demo project; `fieldnotes demo` never overwrites other "
              "files").format(target=target),
            hint=_("give another path: `fieldnotes demo PATH`"),
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = source or demo_dir()
    settings = _yaml(folder / "project.yaml")
    partial = target.with_name(target.name + ".building")
    for suffix in ("", "-wal", "-shm"):
        with suppress(FileNotFoundError):
            Path(str(partial) + suffix).unlink()
    try:
        with ids.deterministic(NAMESPACE):
            report = _build(partial, folder, settings)
        if report.errors:
            shown = "; ".join(report.errors[:5])
            more = f" (and {len(report.errors) - 5} more)" if len(report.errors) > 5 else ""
            raise FieldnotesError(_("the demo's codings have {n_errors} anchor error(s): {shown}{more}")
                                  .format(n_errors=len(report.errors), shown=shown, more=more))
        for suffix in ("-wal", "-shm"):
            with suppress(FileNotFoundError):
                Path(str(target) + suffix).unlink()
        os.replace(partial, target)
        report.path = target
        return report
    finally:
        for suffix in ("", "-wal", "-shm"):
            with suppress(FileNotFoundError):
                Path(str(partial) + suffix).unlink()


def _build(path: Path, folder: Path, settings: dict[str, Any]) -> DemoReport:
    from fieldnotes.project.creation import create_project

    start = settings["start"]
    team = [str(name) for name in settings.get("coders") or ["Anna Krogh"]]
    report = DemoReport(path, coders=team)
    with clock.frozen_at(_at(start, 8)):
        project = create_project(str(path), name=str(settings["name"]), start=start, coder=team[0],
                                 language=str(settings.get("language", "da")), is_demo=True)
    with project:
        with clock.frozen_at(_at(start, 9)):
            for name in team[1:]:
                with project.write() as session, history.change(session, coder_id=coders.coder_id(name),
                                                                 action="coder.add", summary=said("joined: {name}",
                                                                         name=name)):
                    coders.ensure_coder(session, name)
            imported = import_paths(project, [folder / "material"], Options(), coder_id=coders.coder_id(team[0]),
                                    coder_name=team[0])
        failed = [r for r in imported.results if r.status != "imported"]
        if failed:
            raise FieldnotesError(_("the demo material did not import: {reasons}").format(
                reasons="; ".join(f"{r.path}: {r.reason}" for r in failed[:5])))
        report.documents = len(imported.results)
        _apply_codings(project, read_anchors(folder), report)
        _add_memos(project, settings.get("memos") or [], report)
        register_file = folder / "pseudonyms.yaml"
        if register_file.exists():  # the pseudonym register of the invented names (docs/privacy.md)
            from fieldnotes.privacy.keyfile import load_register

            with clock.frozen_at(_at(start, 9)):
                load_register(project, register_file, team[0])
        _mark_baseline(project)
    return report


def _mark_baseline(project: Project) -> None:
    """Building the demo is nobody's change to undo: a baseline after its last event is where every
    coder's undo starts (stamped a minute after that event, so two builds stay identical)."""
    from sqlalchemy import func

    from fieldnotes.coding.undo import BASELINE
    from fieldnotes.db.models import Change

    with project.read() as session:
        last = session.scalar(select(func.max(Change.at)))
    with clock.frozen_at((last or clock.now()) + dt.timedelta(minutes=1)), project.write() as session:
        history.record_action(session, coder_id=None, action=BASELINE,
                              summary=said("the demo project as built: undo starts here"))


def _documents_by_stem(session: Session) -> dict[str, Document]:
    out = {}
    for doc in session.scalars(select(Document)):
        if doc.source_name:
            out[Path(doc.source_name).stem] = doc
    return out


def _apply_codings(project: Project, anchors: list[Anchor], report: DemoReport) -> None:
    with project.read() as session:
        tree = CodeTree.load(session)
        docs = {stem: (doc.id, doc.text) for stem, doc in _documents_by_stem(session).items()}
    resolved: list[tuple[Anchor, uuid.UUID, uuid.UUID, int, int]] = []
    for anchor in anchors:
        if anchor.document not in docs:
            report.errors.append(f"{anchor.source}: no document {anchor.document!r}")
            continue
        try:
            code_id = tree.resolve(anchor.code).id
        except FieldnotesError as error:
            report.errors.append(f"{anchor.source}: {error}")
            continue
        doc_id, text = docs[anchor.document]
        span = _locate(text, anchor)
        if isinstance(span, str):
            report.errors.append(f"{anchor.source} in {anchor.document}: {span}: {anchor.quote[:60]!r}")
            continue
        resolved.append((anchor, doc_id, code_id, span[0], span[1]))
    if report.errors:
        return
    resolved.sort(key=lambda item: (item[0].date, item[0].source))
    for minute, (anchor, doc_id, code_id, start, end) in enumerate(resolved):
        coder_id = coders.coder_id(anchor.coder)
        moment = _at(anchor.date, 9) + dt.timedelta(minutes=minute % 480)
        with clock.frozen_at(moment), project.write() as session:
            with history.change(session, coder_id=coder_id, action="code", summary=said("coded {code}",
                    code=anchor.code)):
                coders.ensure_coder(session, anchor.coder)
                document = session.get(Document, doc_id)
                code = session.get(Code, code_id)
                assert document is not None and code is not None
                try:
                    applying.apply(session, document, code, start, end, coder_id=coder_id, memo=anchor.memo,
                                 rating=anchor.rating)
                except FieldnotesError as error:
                    report.errors.append(f"{anchor.source}: {error}")
                    continue
        report.codings += 1


def _add_memos(project: Project, entries: list[dict[str, Any]], report: DemoReport) -> None:
    for entry in entries:
        author = str(entry["author"])
        day = _date(entry["date"])
        with clock.frozen_at(_at(day, 15)), project.write() as session:
            with history.change(session, coder_id=coders.coder_id(author), action="memo.add",
                                summary=said("wrote a memo")):
                coders.ensure_coder(session, author)
                target = memos.resolve_target(session, str(entry["target"]))
                memos.add(session, target, str(entry["text"]), coder_id=coders.coder_id(author))
        report.memos += 1


def rows_in_order(project: Project) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """Every tracked table's rows by id: what "two builds are identical" compares."""
    from fieldnotes.db.models import TRACKED_TABLES

    with project.engine.connect() as conn:
        for model in TRACKED_TABLES:
            table = model.__table__  # type: ignore[attr-defined]
            yield table.name, [tuple(r) for r in conn.execute(select(table).order_by(table.c.id))]
