"""`fieldnotes codebook export`: the codebook as a YAML file or a REFI-QDA codebook (.qdc).

An export like any other: names in code names, definitions, examples and glosses are replaced
through the exports' one decision (`fieldnotes.export.pseudonyms.decide`), and the file is recorded
in the audit trail with that choice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fieldnotes.errors import FieldnotesError, Refused
from fieldnotes.export.pseudonyms import Names, decide, record
from fieldnotes.fileio import atomic_output
from fieldnotes.project.opening import Project
from fieldnotes.translations import _, said

SUFFIXES = (".yaml", ".yml", ".qdc")
#: values of a codebook node that are not text a person wrote
_NOT_TEXT = ("id", "color", "shortcut")


def _replaced(node: dict[str, Any], names: Names) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "children":
            out[key] = [_replaced(child, names) for child in value]
        elif key in _NOT_TEXT:
            out[key] = value
        else:
            out[key] = names.text.replace_in(value)
    return out


def export_codebook(project: Project, target: Path, *, coder_name: str, pseudonymize: bool | None = None,
                    force: bool = False) -> dict[str, Any]:
    """Write the codebook to `target` (.yaml/.yml, or .qdc) and record the export; returns what was written."""
    from fieldnotes.codebook import sync, yamlfile
    from fieldnotes.refi.writing import codebook_xml

    suffix = target.suffix.lower()
    if suffix not in SUFFIXES:
        raise FieldnotesError(_("{target}: write codebooks to a .yaml or .qdc file").format(target=target),
                              hint=_("name it {name}").format(name=f"{target.stem}.yaml"))
    if target.exists() and not force:
        raise FieldnotesError(_("{target} already exists").format(target=target), hint=_("add --force to overwrite it"))
    if project.readonly:
        raise Refused(_("the project is open read-only, so the export could not be recorded in its audit trail"),
                      hint=_("open a writable copy of the project to export"))
    with project.read() as session:
        names = decide(session, pseudonymize)
        if suffix == ".qdc":
            data, count = codebook_xml(session, text_out=names.text)
        else:
            tree = [_replaced(node, names) for node in sync.export_tree(session)]
            count = _count(tree)
            data = yamlfile.dump(names.text(project.settings(session).name), tree).encode("utf-8")
    fmt = "qdc" if suffix == ".qdc" else "yaml"
    with atomic_output(target) as handle:  # the file appears only once its audit record is written
        handle.write(data)
        with project.write() as session:
            record(session, coder_name=coder_name, names=names,
                   details={"format": fmt, "file": target.name, "codes": count},
                   summary=said("exported the codebook ({count} codes) to {file}", count=count, file=target.name))
    return {"file": str(target), "format": fmt, "codes": count, "pseudonymized": names.replaced,
            "names_replaced": names.replaced, "names": names.line()}


def _count(tree: list[dict[str, Any]]) -> int:
    return sum(1 + _count(node.get("children", [])) for node in tree)
