"""Commands of the coding engine: code, uncode, excerpts, memo, undo, redo, log, edit, new, doc, codebook changes."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from fieldnotes.cli.context import Context
from fieldnotes.cli.filters_args import filters_from
from fieldnotes.errors import FieldnotesError, InvalidInput, Refused
from fieldnotes.translations import N_, Said, _, format_datetime, said


@contextmanager
def acting(ctx: Context, action: str, summary: str | Said = "", details: dict[str, Any] | None = None
           ) -> Iterator[tuple[Session, Any]]:
    """A write transaction holding one recorded change by the acting coder."""
    from fieldnotes.project.actions import acting as library_acting

    with library_acting(ctx.project(), ctx.coder_name(), action, summary, details) as pair:
        yield pair


def describe(session: Session, summary: Said, details: dict[str, Any]) -> None:
    """Set the summary and details of the change being recorded (fieldnotes.project.actions.describe_change)."""
    from fieldnotes.project.actions import describe_change

    describe_change(session, summary, details)


# --- code / uncode -------------------------------------------------------------------------------


def code(ctx: Context) -> int:
    """`code`: fieldnotes.coding.usecases chooses the spans and codes them; this prints."""
    from fieldnotes.coding import usecases

    args = ctx.args
    choice = usecases.SpanChoice(span=args.span, match=args.match, regex=args.regex, speaker=args.speaker,
                                 all=bool(args.all), nth=args.nth, snap=args.snap)
    choice.check()
    if args.dry_run:
        preview = usecases.preview_code(ctx.project(readonly=True), args.document, args.code, choice,
                                        rating=args.rating)
        rows = preview.spans
        lines = [_("dry run: would code {n_rows} span(s) in {title!r} with {code_name!r}")
                 .format(n_rows=len(rows), title=preview.title, code_name=preview.code_name)]
        lines += [f"  {r['start']}:{r['end']}  {r['context']}" for r in rows]
        ctx.emit({"dry_run": True, "spans": rows}, lines)
        return 0
    coded = usecases.code(ctx.project(), ctx.coder_name(), args.document, args.code, choice, memo=args.memo,
                          rating=args.rating)
    out = [c.as_dict() for c in coded]
    ctx.emit(out, [r["id"] for r in out])
    return 0


def uncode(ctx: Context) -> int:
    from fieldnotes.coding import applying

    with acting(ctx, "uncode", said("removed a coding")) as (session, _cid):
        coding = applying.get_coding(session, ctx.args.coding)
        _describe_coding(session, coding, N_("removed {code} from {title!r}"))
        info = {"id": str(coding.id), "start": coding.start, "end": coding.end, "text": coding.text}
        applying.remove(session, coding)
    ctx.emit(info, _("removed coding {id}").format(id=info['id']))
    return 0


def _describe_coding(session: Session, coding: Any, summary: str) -> None:
    from fieldnotes.db.models import Code, Document

    code, doc = session.get(Code, coding.code_id), session.get(Document, coding.document_id)
    code_name, title = code.name if code else "?", doc.title if doc else "?"
    describe(session, Said(summary, {"code": code_name, "title": title}),
             {"coding": str(coding.id), "code": str(coding.code_id), "code_name": code_name,
              "document": str(coding.document_id), "title": title})


def recode(ctx: Context) -> int:
    from fieldnotes.coding import applying, spans

    args = ctx.args
    with acting(ctx, "recode", said("changed a coding")) as (session, _cid):
        coding = applying.get_coding(session, args.coding)
        _describe_coding(session, coding, N_("changed a coding of {code} in {title!r}"))
        start = end = None
        if args.span:
            start, end = spans.parse(args.span)
        applying.update(session, coding, memo=args.memo, rating=args.rating, clear_rating=args.no_rating,
                      start=start, end=end, reviewed=True if args.reviewed else None)
        info = {"id": str(coding.id), "start": coding.start, "end": coding.end, "text": coding.text,
                "memo": coding.memo, "rating": coding.rating, "needs_review": coding.needs_review}
    ctx.emit(info, _("changed coding {id}").format(id=info['id']))
    return 0


# --- excerpts ------------------------------------------------------------------------------------


def list_excerpts(ctx: Context) -> int:
    from fieldnotes.coding.excerpts import excerpts, parse_context

    filters = filters_from(ctx.args)
    context = parse_context(ctx.args.context)
    with ctx.project(readonly=True).read() as session:
        found = excerpts(session, filters, context=context, limit=ctx.args.limit)
    if ctx.json:
        ctx.emit([e.as_dict() for e in found])
        return 0
    from fieldnotes.cli.analysis_cmds import excerpt_lines

    lines = excerpt_lines(found, context)
    ctx.emit(None, lines)
    return 0


# --- memos ---------------------------------------------------------------------------------------


def memo_add(ctx: Context) -> int:
    from fieldnotes.coding import memos

    with acting(ctx, "memo.add", said("wrote a memo")) as (session, cid):
        target = memos.resolve_target(session, ctx.args.target)
        memo = memos.add(session, target, ctx.args.text, coder_id=cid)
        info = {"id": str(memo.id), "target_kind": target.kind, "target": str(target.id) if target.id else None,
                "target_label": target.label}
    ctx.emit(info, _("memo {item} on {kind} {label}")
             .format(item=str(memo.id)[:8], kind=target.kind, label=target.label))
    return 0


def memo_list(ctx: Context) -> int:
    from fieldnotes.coding import memos

    source = getattr(ctx.args, "source", None)
    with ctx.project(readonly=True).read() as session:
        rows = memos.listing(session, source=source)
    import datetime as dt

    def on(r: dict[str, Any]) -> str:
        kind = _(memos.TARGET_NAMES.get(r["target_kind"], r["target_kind"]))
        return _("{author} on {kind} {label}").format(author=r["author"] or "?", kind=kind,
                                                      label=r["target_label"] or "")

    def when(r: dict[str, Any]) -> str:
        return format_datetime(dt.datetime.fromisoformat(str(r["written_at"] or r["created_at"])))

    lines = [f"{'  ↳ ' if r['reply_to'] and source else ''}{when(r)} {on(r)}: {r['text']}" for r in rows]
    ctx.emit(rows, lines or ([_("no memos from {source}").format(source=source)] if source else [_("no memos")]))
    return 0


def memo_import(ctx: Context) -> int:
    """`memo import REPORT.docx`: the library plans and writes; this prints."""
    from pathlib import Path

    from fieldnotes.coding import meeting

    args = ctx.args
    project = ctx.project(readonly=args.dry_run)
    result = meeting.import_report(project, Path(args.report), acting=ctx.coder_name(), as_coder=args.as_coder,
                                   dry_run=args.dry_run)
    ctx.emit(result.as_dict(), meeting.lines(result, dry_run=args.dry_run))
    return 0


# --- undo / redo / log ---------------------------------------------------------------------------


def _undo_redo(ctx: Context, which: str) -> int:
    from fieldnotes.coding import undo as undo_mod
    from fieldnotes.db import coders

    project = ctx.project()
    name = ctx.coder_name()
    with project.write() as session:
        target = getattr(undo_mod, which)(session, coders.coder_id(name))
        info = {"change": str(target.id), "action": target.action, "summary": target.summary}
    from fieldnotes.db.history import describe as told

    said_now = told(target.summary, target.details, target.action)
    ctx.emit(info, (_("undone: {change}") if which == "undo" else _("redone: {change}")).format(change=said_now))
    return 0


def undo(ctx: Context) -> int:
    return _undo_redo(ctx, "undo")


def redo(ctx: Context) -> int:
    return _undo_redo(ctx, "redo")


def log(ctx: Context) -> int:
    import datetime as dt

    from fieldnotes.coding.audit import EXPORT_ACTIONS, entries
    from fieldnotes.dates import parse_date
    from fieldnotes.db.history import describe as told
    from fieldnotes.translations import format_datetime
    args = ctx.args
    with ctx.project(readonly=True).read() as session:
        rows = entries(session, coders=args.filter_coders or None,
                       since=parse_date(args.since, "since date") if args.since else None,
                       exports_only=args.exports, limit=args.limit)
    ctx.lang  # noqa: B018 - the language of the lines below

    def marked(row: dict[str, Any]) -> str:
        """An export's line says whether it was pseudonymised, so one made without stands out."""
        text = told(row["summary"], row.get("details"), row["action"])
        details = row.get("details")
        if row["action"] not in EXPORT_ACTIONS or not (isinstance(details, dict) and "file" in details):
            return text
        done = isinstance(details, dict) and details.get("pseudonymized") is True  # a matrix never is
        return f"{text}  [{_('pseudonymised') if done else _('not pseudonymised')}]"

    def when(row: dict[str, Any]) -> str:
        return format_datetime(dt.datetime.fromisoformat(row["at"]), with_seconds=True, style="short")

    lines = [f"{when(r)}  {r['coder'] or '-':<16} {r['action']:<18} {marked(r)}" for r in rows] \
        or [_("nothing logged")]
    # JSON keeps each change as before: its English summary, its details without the template behind the text
    ctx.emit([{**r, "details": _without_said(r.get("details"))} for r in rows], lines)
    return 0


def _without_said(details: Any) -> Any:
    from fieldnotes.db.history import SAID_KEY

    return {k: v for k, v in details.items() if k != SAID_KEY} if isinstance(details, dict) else details


# --- editing text --------------------------------------------------------------------------------


def _editor_allowed(project: Any) -> None:
    """An encrypted project's text never leaves the encrypted file: no outside editor gets it (it would
    be written in clear to a file the editor, its swap files and backups can keep)."""
    from fieldnotes.privacy import encryption

    if project.path is not None and encryption.is_encrypted(project.path):
        raise Refused(_("{name} is encrypted, and an outside editor would write the text to disk in clear; nothing was "
                        "opened").format(name=project.path.name),
                      hint=_("write a new note in the app (d, then n), or give the text with --from-file"))


def _editor_text(initial: str, what: str, suffix: str = ".txt") -> str:
    """The text a person writes in $VISUAL/$EDITOR, starting from `initial`.

    When the editor fails after the text was changed, the text is kept in a recovery file and the
    message says where; it is never thrown away.
    """
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or ("notepad" if os.name == "nt" else "nano")
    handle, name = tempfile.mkstemp(prefix="fieldnotes-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(initial)
        try:
            subprocess.run([*shlex.split(editor), str(path)], check=True)
        except FileNotFoundError:
            raise FieldnotesError(_("the editor {editor!r} was not found").format(editor=editor),
                                  hint=_("set $EDITOR, or pass the text with --from-file")) from None
        except subprocess.CalledProcessError as error:
            typed = path.read_bytes()
            if typed.strip() and typed != initial.encode("utf-8"):
                from fieldnotes.fileio import keep_recovery

                kept = keep_recovery(typed, what)
                raise FieldnotesError(_("the editor exited with status {returncode}; nothing was saved, and what you "
                                        "wrote is kept in {kept}").format(returncode=error.returncode,
                                                                          kept=kept)) from None
            raise FieldnotesError(_("the editor exited with status {returncode}; nothing was changed")
                                  .format(returncode=error.returncode)) from None
        data = path.read_bytes()
        try:
            from fieldnotes.importing.encoding import decode

            return decode(data, "the editor's file")[0]
        except FieldnotesError as error:
            from fieldnotes.fileio import keep_recovery

            kept = keep_recovery(data, what)
            raise FieldnotesError(_("{message}; nothing was saved, and what you wrote is kept in {kept}")
                                  .format(message=error.message, kept=kept),
                                  hint=error.hint) from None
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def _kept_on_failure(ctx: Context, text: str | None, what: str) -> Iterator[None]:
    """Text typed in an editor is never thrown away: if saving it fails for any reason (a change made
    elsewhere meanwhile, a full disk, a bug), it is kept in a recovery file and the message says where."""
    if text is None:  # the text came from a file the user keeps
        yield
        return
    from fieldnotes.fileio import keep_recovery

    try:
        yield
    except FieldnotesError as error:
        kept = keep_recovery(text, what)
        raise type(error)(f"{error.message}; what you wrote is kept in {kept}", hint=error.hint) from None
    except BaseException:
        kept = keep_recovery(text, what)
        ctx.note(_("fieldnotes: nothing was saved; what you wrote is kept in {kept}").format(kept=kept))
        raise


def _read_text_file(name: str) -> str:
    from fieldnotes.importing.encoding import decode

    try:
        data = Path(name).read_bytes()
    except OSError as error:
        raise FieldnotesError(_("cannot read {name} ({strerror})").format(name=name, strerror=error.strerror)) from None
    return decode(data, name)[0]


def _writable_project(ctx: Context) -> Any:
    """The project, refused before any editor opens when it cannot take the text afterwards."""
    project = ctx.project()
    if project.readonly:
        raise Refused(_("{display} is read-only here; nothing was opened").format(display=project.display),
                      hint=_("open a copy you can write, or ask for write access"))
    ctx.coder_name()  # an unknown coder name is refused now, not after the writing
    return project


def edit(ctx: Context) -> int:
    """`edit`: the text is saved by fieldnotes.coding.usecases.save_edit only if no one changed it meanwhile."""
    from fieldnotes.coding.usecases import save_edit, start_edit

    project = _writable_project(ctx)
    if not ctx.args.from_file:
        _editor_allowed(project)
    draft = start_edit(project, ctx.args.document)
    title, old = draft.title, draft.text
    typed = None if ctx.args.from_file else _editor_text(old, f"edit {title}")
    new = _read_text_file(ctx.args.from_file) if typed is None else typed
    with _kept_on_failure(ctx, typed if typed != old else None, f"edit {title}"):
        result = save_edit(project, ctx.coder_name(), draft, new)
    if not result.changed:
        ctx.emit(result.as_dict(), _("no changes"))
        return 0
    ctx.emit(result.as_dict(),
             _("saved {title!r}: {kept} codings unchanged, {shifted} moved with the text, {n_adjusted} adjusted and "
               "flagged for review, {n_removed} removed").format(title=title, kept=result.kept, shifted=result.shifted,
                                                                 n_adjusted=len(result.adjusted),
                                                                     n_removed=len(result.removed)))
    return 0


def new_document(ctx: Context) -> int:
    import datetime as dt

    from fieldnotes.dates import parse_date
    from fieldnotes.documents.store import NewDocument, add_document, check_new

    args = ctx.args
    # every argument is checked before the editor opens: a note is never refused for them after it was written
    date = parse_date(args.date) if args.date else dt.date.today()
    meta = NewDocument(text="", title=args.title or "", kind=args.kind, date=date, activity=args.activity,
                       municipalities=args.municipality)
    kind = check_new(meta)
    meta.title = args.title or f"{kind.capitalize()} {date.isoformat()}"
    project = _writable_project(ctx)
    if not args.from_file:
        _editor_allowed(project)
    typed = None if args.from_file else _editor_text("", f"new {meta.title}")
    text = _read_text_file(args.from_file) if typed is None else typed
    if not text.strip():
        raise FieldnotesError(_("the note is empty; nothing was saved"))
    meta.text = text
    with _kept_on_failure(ctx, typed, f"new {meta.title}"), \
            acting(ctx, "new", said("wrote {title!r}", title=meta.title)) as (session, cid):
        added = add_document(session, meta, coder_id=cid)
        info = {"id": str(added.document.id), "title": added.document.title, "chars": added.document.length}
    ctx.emit(info, _("saved {title!r} ({chars} characters)").format(title=info['title'], chars=info['chars']))
    return 0


# --- documents -----------------------------------------------------------------------------------


def doc_set(ctx: Context) -> int:
    from fieldnotes.documents.store import resolve, set_metadata

    with acting(ctx, "doc.set", said("set {key} of a document", key=ctx.args.key)) as (session, cid):
        doc = resolve(session, ctx.args.document)
        changed = set_metadata(session, doc, ctx.args.key, ctx.args.value, coder_id=cid)
        describe(session, changed.summary(), changed.details())
        info = {"id": str(doc.id), "title": doc.title, "key": ctx.args.key, "value": ctx.args.value}
    ctx.emit(info, f"{info['title']}: {ctx.args.key} = {ctx.args.value}")
    return 0


def doc_rename(ctx: Context) -> int:
    from fieldnotes.documents.store import resolve, set_metadata

    with acting(ctx, "doc.rename", said("renamed a document")) as (session, cid):
        doc = resolve(session, ctx.args.document)
        old = doc.title
        set_metadata(session, doc, "title", ctx.args.title, coder_id=cid)
        describe(session, said("renamed {old!r} → {new!r}", old=old, new=doc.title),
                 {"document": str(doc.id), "title": doc.title, "key": "title", "from": old, "to": doc.title})
        info = {"id": str(doc.id), "from": old, "to": doc.title}
    ctx.emit(info, _("renamed {old!r} to {to!r}").format(old=old, to=info['to']))
    return 0


def doc_delete(ctx: Context) -> int:
    from sqlalchemy import func, select

    from fieldnotes.db.models import Coding
    from fieldnotes.documents.store import delete_document, resolve

    with ctx.project(readonly=True).read() as session:
        doc = resolve(session, ctx.args.document)
        title = doc.title
        count = session.scalar(select(func.count()).select_from(Coding).where(Coding.document_id == doc.id))
    if not ctx.confirm(_("delete {title!r} and its {count} coding(s)?")
                       .format(title=title, count=count), yes=ctx.args.yes):
        ctx.note(_("nothing deleted"))
        return 0
    with acting(ctx, "doc.delete", said("deleted {title!r}", title=title)) as (session, _cid):
        doc = resolve(session, ctx.args.document)
        doc_id, title = doc.id, doc.title
        removed = delete_document(session, doc)
        describe(session, said("deleted {title!r} with {removed} coding(s)", title=title, removed=removed),
                 {"document": str(doc_id), "title": title, "codings_removed": removed})
    ctx.emit({"title": title, "codings_removed": removed},
             _("deleted {title!r} with {removed} coding(s); `fieldnotes undo` brings it back").format(title=title,
                     removed=removed))
    return 0


# --- codebook changes ----------------------------------------------------------------------------


def _code(session: Session, name: str) -> Any:
    from fieldnotes.codebook.tree import code_named

    return code_named(session, name)


def codebook_add(ctx: Context) -> int:
    from fieldnotes.codebook import operations
    from fieldnotes.queries.filters import parse_rating

    args = ctx.args
    with acting(ctx, "codebook.add", said("added code {name!r}", name=args.name)) as (session, cid):
        parent = _code(session, args.parent) if args.parent else None
        code = operations.add(session, args.name, parent=parent, color=args.color, codable=not args.category,
                              shortcut=args.shortcut, short=args.short or "",
                              scale=parse_rating(args.scale) if args.scale else None, coder_id=cid)
        info = {"id": str(code.id), "name": code.name}
    ctx.emit(info, _("added {name!r} ({id})").format(name=info['name'], id=info['id']))
    return 0


def _codebook_change(ctx: Context, action: str, summary: str, work: Callable[[Session], str]) -> int:
    with acting(ctx, action, summary) as (session, _cid):
        message = work(session)
    ctx.emit({"done": message}, message)
    return 0


def codebook_rename(ctx: Context) -> int:
    from fieldnotes.codebook import operations

    def work(session: Session) -> str:
        code = _code(session, ctx.args.code)
        old = code.name
        operations.rename(session, code, ctx.args.name)
        return f"renamed {old!r} to {code.name!r}"

    return _codebook_change(ctx, "codebook.rename", f"renamed {ctx.args.code!r}", work)


def codebook_move(ctx: Context) -> int:
    from fieldnotes.codebook import operations

    def work(session: Session) -> str:
        code = _code(session, ctx.args.code)
        parent = None if ctx.args.top else _code(session, ctx.args.parent)
        operations.move(session, code, parent)
        return f"moved {code.name!r} under {parent.name if parent else 'the top level'!r}"

    if not ctx.args.top and not ctx.args.parent:
        raise InvalidInput(_("say where to: --parent CODE or --top"))
    return _codebook_change(ctx, "codebook.move", f"moved {ctx.args.code!r}", work)


def codebook_recolour(ctx: Context) -> int:
    from fieldnotes.codebook import operations

    def work(session: Session) -> str:
        code = _code(session, ctx.args.code)
        operations.recolour(session, code, ctx.args.color)
        return f"{code.name!r} is now {code.color}"

    return _codebook_change(ctx, "codebook.recolour", f"recoloured {ctx.args.code!r}", work)


def codebook_retire(ctx: Context) -> int:
    from fieldnotes.codebook import operations

    def work(session: Session) -> str:
        code = _code(session, ctx.args.code)
        operations.retire(session, code, not ctx.args.undo)
        return f"{code.name!r} is {'retired' if code.retired else 'back in use'}"

    return _codebook_change(ctx, "codebook.retire", f"retired {ctx.args.code!r}", work)


def codebook_merge(ctx: Context) -> int:
    from fieldnotes.codebook import operations

    def work(session: Session) -> str:
        source, target = _code(session, ctx.args.source), _code(session, ctx.args.target)
        name, into = source.name, target.name
        result = operations.merge(session, source, target)
        return (f"merged {name!r} into {into!r}: {result.moved} codings moved, {result.duplicates} duplicates "
                f"dropped, {result.children} sub-codes moved")

    return _codebook_change(ctx, "codebook.merge", f"merged {ctx.args.source!r} into {ctx.args.target!r}", work)


def codebook_delete(ctx: Context) -> int:
    from fieldnotes.codebook import operations

    with ctx.project(readonly=True).read() as session:
        plan = operations.delete_plan(session, _code(session, ctx.args.code))
        names = [c.name for c in plan.codes]
    if plan.codings and not ctx.confirm(
            _("delete {names} with {codings} coding(s)?").format(names=', '.join(names),
                                                                 codings=plan.codings), yes=ctx.args.yes):
        ctx.note(_("nothing deleted"))
        return 0

    def work(session: Session) -> str:
        operations.delete(session, _code(session, ctx.args.code))
        return (f"deleted {', '.join(names)} and {plan.codings} coding(s); `fieldnotes undo` brings them back")

    return _codebook_change(ctx, "codebook.delete", f"deleted code {ctx.args.code!r}", work)
