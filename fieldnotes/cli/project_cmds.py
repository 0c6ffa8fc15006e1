"""Commands for projects: init, project show|set, locate, db current|upgrade|check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from fieldnotes import paths, preferences
from fieldnotes.cli.context import Context
from fieldnotes.dates import parse_date
from fieldnotes.errors import FieldnotesError, InvalidInput
from fieldnotes.translations import _, format_date, format_decimal, format_number, said


def init(ctx: Context) -> int:
    from fieldnotes.project.creation import create_project

    target = ctx.db or paths.default_project()
    args = ctx.args
    coder = _person(ctx)
    project = create_project(
        target,
        name=args.name,
        start=parse_date(args.start, "start date") if args.start else None,
        codebook=Path(args.codebook) if args.codebook else None,
        empty=args.empty,
        coder=coder,
        language=getattr(args, "lang", None) or "da",
        encrypt=bool(getattr(args, "encrypt", False)),
    )
    with project, project.read() as session:
        info = _summary(project, session)
    lines = [_("created {project} ({codes} codes)").format(project=info['project'], codes=info['codes'])]
    if coder is None:  # nobody said who codes: say whose name the project got, and how to change it
        lines.append(_("coding as {coder} (your account's name): set yours with "
                       "`fieldnotes project set default_coder NAME`, or the app asks when it first opens")
                     .format(coder=info['default_coder']))
    lines.append(_("next: fieldnotes import FOLDER"))
    ctx.emit(info, lines)
    return 0


def _person(ctx: Context) -> str | None:
    """Who starts the project: --coder, else FIELDNOTES_CODER, else (in a terminal) the answer to a question
    whose default is the account's name. None when nobody said: not in a terminal, and no name given."""
    import os
    import sys

    from fieldnotes.db import coders

    given = getattr(ctx.args, "coder", None) or os.environ.get(coders.ENV_CODER)
    if given:
        return coders.normalise_name(given)
    if ctx.json or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    suggestion = coders.suggested_name()
    try:
        answer = input(_("Your name, as your codings will be signed [{suggestion}]: ").format(suggestion=suggestion))
    except EOFError:
        answer = ""
    return coders.normalise_name(answer.strip() or suggestion)


def _summary(project: Any, session: Any) -> dict[str, Any]:
    from fieldnotes.db import migrate
    from fieldnotes.db.models import Code, Coder, Coding, Document, Memo

    settings = project.settings(session)
    default_coder = session.get(Coder, settings.default_coder_id) if settings.default_coder_id else None

    def count(model: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)

    with project.engine.connect() as conn:
        revision = migrate.current(conn)
    return {
        "project": project.display,
        "name": settings.name,
        "start": settings.start_date.isoformat() if settings.start_date else None,
        "language": settings.language,
        "default_coder": default_coder.name if default_coder else None,
        "pseudonymize_exports": settings.pseudonymize_exports,
        "demo": settings.is_demo,
        "encrypted": _encrypted(project),
        "schema": revision,
        "documents": count(Document),
        "codes": count(Code),
        "codings": count(Coding),
        "memos": count(Memo),
        "coders": sorted(c.name for c in session.scalars(select(Coder))),
    }


def _encrypted(project: Any) -> bool:
    from fieldnotes.privacy.encryption import is_encrypted

    return project.path is not None and is_encrypted(project.path)


def show(ctx: Context) -> int:
    project = ctx.project(readonly=True)
    with project.read() as session:
        info = _summary(project, session)
    names = {"project": _("project"), "name": _("name"), "start": _("fieldwork start"), "language": _("language"),
             "default_coder": _("default coder"), "pseudonymize_exports": _("pseudonymise exports"),
             "demo": _("demo"), "encrypted": _("encrypted"), "schema": _("schema"), "documents": _("documents"),
             "codes": _("codes"), "codings": _("codings"), "memos": _("memos"), "coders": _("coders")}

    def shown(key: str, value: Any) -> str:
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, list):
            return ", ".join(value)
        if key == "start" and value:
            return format_date(value)
        return format_number(value) if isinstance(value, int) else str(value if value is not None else "-")

    labels = {key: names.get(key, key.replace("_", " ")) for key in info}
    width = max(len(label) for label in labels.values())
    ctx.emit(info, [f"{labels[key]:<{width}}  {shown(key, v)}" for key, v in info.items()])
    return 0


def _yes_no(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("yes", "true", "on", "1", "ja"):
        return True
    if lowered in ("no", "false", "off", "0", "nej"):
        return False
    raise InvalidInput(_("{value!r} is not yes or no").format(value=value))


def set_setting(ctx: Context) -> int:
    from fieldnotes.db import coders, history

    key, value = ctx.args.key, ctx.args.value
    if key == "pseudonymize_exports":
        return _set_names_default(ctx, _yes_no(value))
    project = ctx.project()
    if key == "default_coder":  # who codes: recorded as the person naming themselves (coders.DEFAULT_ACTION)
        with project.write() as session:
            value = coders.set_default(session, value).name
        ctx.emit({"key": key, "value": value}, f"{key} = {value}")
        return 0
    coder = ctx.coder_name()
    with project.write() as session:
        with history.change(session, coder_id=coders.coder_id(coder), action="project.set",
                            summary=said("set {key}", key=key)):
            coders.ensure_coder(session, coder)
            settings = project.settings(session)
            if key == "name":
                from fieldnotes.db.validation import project_name

                settings.name = project_name(value)
            elif key == "start":
                settings.start_date = None if value.lower() in ("none", "") else parse_date(value, "start date")
            elif key == "language":
                if value not in ("da", "en"):
                    raise InvalidInput(_("the language {value!r} is not supported")
                                       .format(value=value), hint=_("use da or en"))
                settings.language = value
    ctx.emit({"key": key, "value": value}, f"{key} = {value}")
    return 0


def _set_names_default(ctx: Context, on: bool) -> int:
    """`project set pseudonymize_exports yes|no`: whether exports replace names by default. Audited, and
    listed with the exports (`fieldnotes log --exports`), because it decides what later exports hold."""
    from fieldnotes.db import coders, history
    from fieldnotes.export.pseudonyms import DEFAULT_ACTION, register_counts

    project = ctx.project()
    coder = ctx.coder_name()
    summary = (said("names in exports are replaced by default (pseudonymize_exports = yes)") if on else
               said("names in exports are no longer replaced by default (pseudonymize_exports = no)"))
    with project.write() as session:
        entries, _separated = register_counts(session)
        with history.change(session, coder_id=coders.coder_id(coder), action=DEFAULT_ACTION, summary=summary,
                            details={"pseudonymize_exports": on, "register_entries": entries}):
            coders.ensure_coder(session, coder)
            project.settings(session).pseudonymize_exports = on
    setting, value = "pseudonymize_exports", "yes" if on else "no"  # the setting's own name and value
    lines = [f"{setting} = {value}: {summary.render().split(' (')[0]}"]
    if not on and entries:
        lines.append(_("the pseudonym register has {entries} entries: from now on exports hold the names as "
                       "written, unless you add --pseudonymize; this choice is in `fieldnotes log --exports`")
                     .format(entries=entries))
    ctx.emit({"key": "pseudonymize_exports", "value": "yes" if on else "no", "register_entries": entries}, lines)
    return 0


def locate(ctx: Context) -> int:
    from fieldnotes.db.backends import display_target, is_url

    target = ctx.db or paths.default_project()
    project_path = target if is_url(target) else str(Path(target).expanduser().resolve())
    info = {
        "project": display_target(project_path),
        "project_exists": is_url(target) or Path(target).expanduser().exists(),
        "demo_project": str(paths.demo_project()),
        "data": str(paths.data_dir()),
        "settings": str(paths.config_dir()),
        "settings_file": str(preferences.settings_file()),
        "backups": str(paths.backup_dir()),
        "recovered": str(paths.recovery_dir()),
        "logs": str(paths.log_file()),
    }
    names = {"project": _("project"), "project_exists": _("project exists"), "demo_project": _("demo project"),
             "data": _("data"), "settings": _("settings"), "settings_file": _("your settings file"),
             "backups": _("backups"), "recovered": _("recovered text"), "logs": _("logs")}
    shown = {names.get(k, k): (_("yes") if v is True else _("no") if v is False else v) for k, v in info.items()}
    width = max(len(k) for k in shown)
    ctx.emit(info, [f"{k:<{width}}  {v}" for k, v in shown.items()])
    return 0


def config_show(ctx: Context) -> int:
    """The person's own settings (not the project's): today the interface language."""
    from fieldnotes.translations import personal_language

    language = personal_language()
    info = {"language": language, "file": str(preferences.settings_file())}
    ctx.emit(info, [_("language: {language}").format(language=language or _("not set (the project's, then the "
                                                                              "system's)")),
                    _("kept in {file}").format(file=info["file"])])
    return 0


def config_set(ctx: Context) -> int:
    from fieldnotes.translations import use

    key, value = ctx.args.key, ctx.args.value
    preferences.save(key, value)
    if key == "language":
        use(value)  # the answer is already in the new language
    ctx.emit({"key": key, "value": value}, _("{key} = {value} (your own setting)").format(key=key, value=value))
    return 0


def _revision_state(target: str) -> dict[str, Any]:
    from fieldnotes.db import migrate
    from fieldnotes.db.backends import display_target, engine_for, is_url
    from fieldnotes.project.opening import _inspect_sqlite

    if is_url(target):
        engine = engine_for(target)
        try:
            with engine.connect() as conn:
                current = migrate.current(conn)
        finally:
            engine.dispose()
    else:
        current = _inspect_sqlite(Path(target).expanduser())
    head = migrate.head()
    known = current is None or current in migrate.known_revisions()
    return {"project": display_target(target), "current": current, "head": head,
            "up_to_date": current == head, "known": known}


def db_current(ctx: Context) -> int:
    state = _revision_state(ctx.db or paths.default_project())
    if not state["known"]:
        status = "written by a newer fieldnotes"
    else:
        status = "up to date" if state["up_to_date"] else "needs `fieldnotes db upgrade`"
    ctx.emit(state, _("{current} (head {head}): {status}")
             .format(current=state['current'], head=state['head'], status=status))
    return 0


def db_upgrade(ctx: Context) -> int:
    from fieldnotes.db import migrate
    from fieldnotes.db.backends import engine_for, is_url
    from fieldnotes.project.opening import open_project

    target = ctx.db or paths.default_project()
    state = _revision_state(target)
    if not state["known"]:
        raise FieldnotesError(_("{project} was written by a newer fieldnotes").format(project=state['project']),
                              hint=_("upgrade fieldnotes; the database was left untouched"))
    if state["current"] is None:
        raise FieldnotesError(_("{project} is not a fieldnotes project").format(project=state['project']),
                              hint=_("create one with `fieldnotes init`"))
    if state["up_to_date"]:
        ctx.emit(state, _("already at {head}; nothing to do").format(head=state['head']))
        return 0
    backups: list[Path] = []
    if is_url(target):
        from fieldnotes.project.backup import backup_server

        backups.append(backup_server(target, reason=f"before-upgrade-{state['current']}"))
        from fieldnotes.export.pseudonyms import take_notices

        engine = engine_for(target)
        try:
            migrate.upgrade(engine)
            notices = take_notices(engine)
        finally:
            engine.dispose()
    else:
        with open_project(target) as project:  # backs up, then upgrades
            backups += project.backups
            notices = [n for n in project.notices if not n.startswith("upgraded the project")]
    after = _revision_state(target) | {"backups": [str(b) for b in backups]}
    lines = [_("upgraded {project} from {before} to {after}")
             .format(project=after['project'], before=state['current'], after=after['current'])]
    lines += [f"the previous state was backed up first to {b}" for b in backups]
    lines += notices
    ctx.emit(after | {"notices": notices}, lines)
    return 0


def _describe(diff: Any) -> str:
    if isinstance(diff, tuple) and diff:
        subject = diff[1] if len(diff) > 1 else ""
        name = getattr(subject, "name", None) or getattr(getattr(subject, "table", None), "name", None)
        return f"{diff[0]} {name or subject}"
    return str(diff)


def db_check(ctx: Context) -> int:
    from sqlalchemy import exc as sa_exc

    from fieldnotes.db import migrate

    project = ctx.project(readonly=True)
    problems: list[str] = []
    integrity = "ok"
    try:
        problems += [_describe(diff) for diff in migrate.differences(project.engine)]
        if project.is_sqlite:
            with project.engine.connect() as conn:
                integrity = "\n".join(str(row[0]) for row in conn.exec_driver_sql("PRAGMA integrity_check"))
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    problems.append(f"{len(broken)} broken references")
    except sa_exc.DatabaseError as error:
        if not project.is_sqlite:
            raise
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        integrity = f"damaged ({reason})"
    ok = not problems and integrity == "ok"
    report = {"project": project.display, "schema_matches": not problems, "integrity": integrity,
              "problems": problems, "ok": ok}
    lines = [_("schema matches the models: {value}")
             .format(value='yes' if not problems else 'no'), _("integrity: {integrity}").format(integrity=integrity)]
    lines += [f"  {p}" for p in problems]
    ctx.emit(report, lines)
    if not ok:
        raise FieldnotesError(_("{project} failed its check: the project file is damaged")
                              .format(project=project.display)
                              if integrity != "ok" else _("{project} failed its check").format(project=project.display),
                              hint=_("list its backups with `fieldnotes restore` and put one back with "
                                   "`fieldnotes restore N`"))
    return 0


def backup(ctx: Context) -> int:
    from fieldnotes.db.backends import is_url
    from fieldnotes.project.backup import copy_sqlite, server_to_sqlite

    out = Path(ctx.args.out).expanduser()
    target = ctx.db or paths.default_project()
    if is_url(target):  # a server at an older schema can be backed up, so that it can be upgraded safely
        state = _revision_state(target)
        if state["current"] is None:
            raise FieldnotesError(_("{project} is not a fieldnotes project").format(project=state['project']),
                                  hint=_("create one with `fieldnotes init`"))
        server_to_sqlite(target, out)
    else:
        project = ctx.project(readonly=True)
        assert project.path is not None
        copy_sqlite(project.path, out)
    size = out.stat().st_size
    ctx.emit({"file": str(out), "bytes": size, "verified": True},
             _("wrote {out} ({value:.1f} MB), checked with PRAGMA integrity_check").format(out=out,
                     value=size / 1_048_576))
    return 0


def restore(ctx: Context) -> int:
    from fieldnotes.db.backends import is_url
    from fieldnotes.project.backup import list_backups
    from fieldnotes.project.backup import restore as restore_file

    target = ctx.db or paths.default_project()
    if is_url(target):
        raise FieldnotesError(_("restore works on SQLite projects"),
                              hint=_("for a server, merge a backup into an empty database with `fieldnotes merge`"))
    project = Path(target).expanduser()
    backups = list_backups(project)
    if not ctx.args.backup:
        rows: list[dict[str, Any]] = [{"number": i, "file": str(b), "bytes": b.stat().st_size}
                                      for i, b in enumerate(backups, 1)]
        lines = [f"{i:>3}  {b.name}  ({format_decimal(b.stat().st_size / 1_048_576, 1)} MB)"
                 for i, b in enumerate(backups, 1)]
        ctx.emit(rows, lines or [f"no backups of {project} yet (they live in {paths.backup_dir()})"])
        return 0
    chosen = ctx.args.backup
    source = backups[int(chosen) - 1] if chosen.isdigit() and 0 < int(chosen) <= len(backups) else Path(chosen)
    if not source.exists():
        raise FieldnotesError(_("no backup {chosen!r}")
                              .format(chosen=chosen), hint=_("run `fieldnotes restore` to list them"))
    if not ctx.confirm(_("replace {project} with {name}?").format(project=project, name=source.name), yes=ctx.args.yes):
        ctx.note(_("nothing restored"))
        return 0
    aside = restore_file(project, source)
    ctx.emit({"restored": str(source), "project": str(project), "previous": str(aside)},
             _("restored {name}; the previous file is kept as {aside}").format(name=source.name, aside=aside))
    return 0
