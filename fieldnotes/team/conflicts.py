"""Reviewing the conflicts merges found, and settling one differently from the rule.

Every conflict was settled when it was found (the later change won) and keeps both versions. Settling
it `ours` or `theirs` puts that version back as one recorded, undoable change, stamped with the time of
settling so that it also wins when this copy's work is merged elsewhere; two codes that clash by name
are settled by merging one into the other (`ours` keeps this copy's code). A code or document that a
merge kept because the other copy still used it (`deleted_but_used`) is settled the deleting way by
deleting it together with the codings (and memos, sub-codes) that use it, as deleting it by hand does.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnotes import clock
from fieldnotes.codebook.tree import CodeTree
from fieldnotes.db import history
from fieldnotes.db.models import Code, Document, MergeConflict
from fieldnotes.errors import Ambiguous, InvalidInput, NotFound, Refused
from fieldnotes.translations import _, said

CHOICES = ("ours", "theirs")


def as_dict(conflict: MergeConflict) -> dict[str, Any]:
    return {"id": str(conflict.id), "merge": str(conflict.merge_id), "kind": conflict.kind, "table": conflict.table,
            "row_id": str(conflict.row_id) if conflict.row_id else None, "summary": conflict.summary,
            "resolution": conflict.resolution, "status": conflict.status, "created_at": conflict.created_at.isoformat(),
            "ours": conflict.ours, "theirs": conflict.theirs}


def list_conflicts(session: Session, *, open_only: bool = False) -> list[MergeConflict]:
    """Newest merge first; within a merge in the order found."""
    query = select(MergeConflict).order_by(MergeConflict.created_at.desc(), MergeConflict.table, MergeConflict.id)
    if open_only:
        query = query.where(MergeConflict.status == "auto")
    return list(session.scalars(query))


def find(session: Session, text: str) -> MergeConflict:
    wanted = text.strip().replace("-", "").lower()
    if len(wanted) < 4 or any(c not in "0123456789abcdef" for c in wanted):
        raise NotFound(_("{text!r} is not a conflict id")
                       .format(text=text), hint=_("conflict ids are listed by `fieldnotes conflicts`"))
    matches = [c for c in session.scalars(select(MergeConflict)) if c.id.hex.startswith(wanted)]
    if not matches:
        raise NotFound(_("no conflict {text!r}").format(text=text), hint=_("see `fieldnotes conflicts`"))
    if len(matches) > 1:
        raise Ambiguous(_("the id prefix {text!r} matches {n_matches} conflicts; give more of it")
                        .format(text=text, n_matches=len(matches)))
    return matches[0]


def _check_coding(session: Session, image: dict[str, Any]) -> None:
    document = session.get(Document, uuid.UUID(str(image["document_id"])))
    if document is None or document.text[int(image["start"]) : int(image["end"])] != image.get("text"):
        raise Refused(_("the document's text has changed since the merge, so that version of the coding no longer "
                      "fits it"), hint=_("code the passage again by hand"))


def _check_tree(session: Session) -> None:
    tree = CodeTree.load(session)
    for node in tree.nodes.values():
        if node.id in tree.ancestors(node.id):
            raise Refused(_("that version would put the code {name!r} under its own sub-code").format(name=node.name))


def _merge_codes(session: Session, conflict: MergeConflict, choice: str) -> str:
    from fieldnotes.codebook import operations

    ours_id = uuid.UUID(str((conflict.ours or {}).get("id")))
    theirs_id = uuid.UUID(str((conflict.theirs or {}).get("id")))
    keep, drop = (ours_id, theirs_id) if choice == "ours" else (theirs_id, ours_id)
    kept, dropped = session.get(Code, keep), session.get(Code, drop)
    if kept is None or dropped is None:
        raise Refused(_("one of the two codes is gone since the merge; nothing to settle"))
    name = dropped.name
    result = operations.merge(session, dropped, kept)
    return f"merged the code {name!r} into {kept.name!r} ({result.moved} codings moved)"


def _delete_used(session: Session, conflict: MergeConflict, choice: str) -> str | None:
    """Settle a row kept because it was used (`deleted_but_used`) the deleting way: delete it with the
    rows that use it, as deleting it by hand does. None when the row is no code or document."""
    from fieldnotes.codebook import operations
    from fieldnotes.documents.store import delete_document

    assert conflict.row_id is not None
    if conflict.table == "codes":
        code = session.get(Code, conflict.row_id)
        if code is None:
            raise Refused(_("that code is gone already; nothing to settle"))
        path = CodeTree.load(session).path(code.id)
        plan = operations.delete(session, code)
        subcodes = f", {len(plan.codes) - 1} sub-code(s)" if len(plan.codes) > 1 else ""
        return (f"deleted the code {path!r} ({choice} version) with the {plan.codings} coding(s) that used it"
                f"{subcodes} and their memos; `fieldnotes undo` brings them back")
    if conflict.table == "documents":
        doc = session.get(Document, conflict.row_id)
        if doc is None:
            raise Refused(_("that document is gone already; nothing to settle"))
        title = doc.title
        removed = delete_document(session, doc)
        return (f"deleted the document {title!r} ({choice} version) with its {removed} coding(s) and memos; "
                "`fieldnotes undo` brings them back")
    return None


def settle(session: Session, text: str, choice: str, *, coder_id: uuid.UUID | None) -> str:
    """Settle one conflict with `ours` or `theirs` (one recorded change). Returns what was done."""
    if choice not in CHOICES:
        raise InvalidInput(_("settle with ours or theirs, not {choice!r}").format(choice=choice))
    conflict = find(session, text)
    with history.change(session, coder_id=coder_id, action="conflicts.settle",
                        summary=said("settled a merge conflict ({kind}) with {choice}", kind=conflict.kind,
                                     choice=choice),
                        target_id=conflict.id) as pending:
        try:
            chosen = conflict.ours if choice == "ours" else conflict.theirs
            deleted = None
            if conflict.kind == "deleted_but_used" and chosen is None and conflict.row_id is not None:
                deleted = _delete_used(session, conflict, choice)
            if conflict.kind == "code_name_clash":
                done = _merge_codes(session, conflict, choice)
            elif deleted is not None:
                done = deleted
            else:
                image = conflict.ours if choice == "ours" else conflict.theirs
                if image is not None:  # settling is a new decision: it is the latest change, wherever merged
                    image = dict(image, updated_at=history.encode(clock.now()))
                if conflict.row_id is None:
                    raise Refused(_("this conflict names no row; nothing to settle"))
                if image is not None and conflict.table == "codings":
                    _check_coding(session, image)
                history.apply_images(session, pending, [(conflict.table, conflict.row_id, image)])
                if conflict.table == "codes":
                    _check_tree(session)
                done = f"{'restored' if image is not None else 'removed'} {choice} version: {conflict.summary}"
            settled = session.get(MergeConflict, conflict.id)
            assert settled is not None
            settled.status, settled.resolution = "settled", choice
            session.flush()
        except sa_exc.IntegrityError:
            raise Refused(_("that version cannot be put back: other rows still depend on the current one"),
                          hint=_("settle the conflicts about those rows first, or change them by hand")) from None
    return done
