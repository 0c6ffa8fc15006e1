"""REFI-QDA codebooks (.qdc) for `fieldnotes codebook import|export FILE.qdc`.

`read_qdc` gives the same `CodebookFile` the YAML reader gives, so a .qdc goes through the same diff
and import as a YAML codebook (codes matched by id, never deleted). It also takes a .qdpx, whose
codebook it reads. `write_qdc` lives in `writing` and is re-exported here.
"""

from __future__ import annotations

from pathlib import Path

from fieldnotes.codebook.yamlfile import CodebookFile, CodeSpec
from fieldnotes.errors import InvalidInput
from fieldnotes.refi import codetree
from fieldnotes.refi.reader import read_exchange
from fieldnotes.refi.writing import codebook_xml, write_qdc
from fieldnotes.translations import Said, _

__all__ = ["codebook_xml", "read_qdc", "write_qdc"]


def read_qdc(path: Path | str) -> CodebookFile:
    """The codes of a .qdc (or of a .qdpx's codebook), parents before children; nothing is written."""
    path = Path(path)
    refi = read_exchange(path)
    if not refi.codes:
        raise InvalidInput(_("{name} holds no codes").format(name=path.name))
    converted: list[tuple[str, Said]] = []  # not shown: a codebook import lists no conversions
    planned = codetree.plan(refi.codes, converted)
    shortcuts: set[str] = set()
    specs: list[CodeSpec] = []
    for plan in planned:
        entry = plan.entry
        shortcut = entry.shortcut if entry.shortcut and entry.shortcut not in shortcuts else None
        if shortcut:
            shortcuts.add(shortcut)
        specs.append(CodeSpec(
            id=plan.guid, name=plan.name, line=plan.line, parent_id=plan.parent, color=plan.color, shortcut=shortcut,
            codable=plan.codable, retired=entry.retired,
            texts={key: entry.texts.get(key, "") for key in ("short", "definition", "when_to_use", "when_not_to_use",
                                                              "example")},
            glosses={lang: dict(fields) for lang, fields in entry.glosses.items()},
            scale_min=entry.scale[0] if entry.scale else None, scale_max=entry.scale[1] if entry.scale else None,
            scale_labels=dict(entry.scale_labels), position=plan.position, path=plan.path))
    return CodebookFile(name=refi.name if refi.format != "qdc" else None, codes=specs)
