"""Reading and writing the codebook YAML format (docs/codebook-format.md).

Every mistake is reported with the file, the line and what is wrong, and reading never touches a
project: a bad file is refused before anything is written.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fieldnotes import safeyaml
from fieldnotes.db import validation
from fieldnotes.errors import InvalidInput
from fieldnotes.translations import _

FORMAT = "fieldnotes-codebook/1"
ID_NAMESPACE = uuid.UUID("8d7f3c1e-2b4a-5e6f-9a0b-1c2d3e4f5a6b")
TEXT_FIELDS = ("short", "definition", "when_to_use", "when_not_to_use", "example")
GLOSS_FIELDS = ("name", *TEXT_FIELDS)
CODE_KEYS = {
    "id",
    "name",
    "color",
    "shortcut",
    "codable",
    "retired",
    "parent",
    "scale",
    "en",
    "children",
    *TEXT_FIELDS,
}
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_FILE_BYTES = 5_000_000


@dataclass
class CodeSpec:
    """One code as written in a codebook file."""

    id: uuid.UUID
    name: str
    line: int
    parent_id: uuid.UUID | None = None
    color: str | None = None
    shortcut: str | None = None
    codable: bool = True
    retired: bool = False
    texts: dict[str, str] = field(default_factory=dict)
    glosses: dict[str, dict[str, str]] = field(default_factory=dict)
    scale_min: int | None = None
    scale_max: int | None = None
    scale_labels: dict[str, str] = field(default_factory=dict)
    position: int = 0
    path: str = ""


@dataclass
class CodebookFile:
    name: str | None
    codes: list[CodeSpec]  # parents before children, in file order

    def by_id(self) -> dict[uuid.UUID, CodeSpec]:
        return {code.id: code for code in self.codes}


class _LineLoader(safeyaml.FewAliases):
    """The safe loader (fieldnotes.safeyaml) remembering the line of every mapping. A codebook may use
    a few aliases (a shared scale, say); what they expand to is bounded."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise _Mistake(key_node.start_mark.line + 1, f"the key {key!r} appears twice")
        mapping[key] = loader.construct_object(value_node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Mistake(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def derived_id(path: str) -> uuid.UUID:
    return uuid.uuid5(ID_NAMESPACE, "code:" + path)


def read(path: Path) -> CodebookFile:
    """Parse and validate a codebook file; raise InvalidInput naming file and line on any mistake."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidInput(_("{path}: cannot read the codebook ({strerror})")
                           .format(path=path, strerror=error.strerror)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidInput(_("{path}: the codebook is larger than {value} MB")
                           .format(path=path, value=MAX_FILE_BYTES // 1_000_000))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(_("{path}: the codebook is not UTF-8 text (byte {start})")
                           .format(path=path, start=error.start)) from None
    return parse(text, str(path))


def parse(text: str, source: str = "<codebook>") -> CodebookFile:
    try:
        data = yaml.load(text, Loader=_LineLoader)
        return _build(data)
    except _Mistake as mistake:
        raise InvalidInput(_("{source}, line {line}: {message}")
                           .format(source=source, line=mistake.line, message=mistake.message)) from None
    except yaml.MarkedYAMLError as error:
        raise InvalidInput(f"{source}, {_yaml_mistake(error)}") from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        character = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "?")
        raise InvalidInput(_("{source}, line {line}: the character U+{character:04X} is not allowed in YAML")
                           .format(source=source, line=str(line), character=character)) from None
    except yaml.YAMLError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InvalidInput(_("{source}: not valid YAML ({first})").format(source=source, first=first)) from None
    except (ValueError, OverflowError) as error:  # a value YAML reads but Python cannot hold, e.g. 2025-13-45
        raise InvalidInput(_("{source}: not valid YAML ({first})").format(source=source, first=error)) from None


def _yaml_mistake(error: yaml.MarkedYAMLError) -> str:
    """Where a YAML mistake is and what it is.

    Where the parser notices the trouble (`problem_mark`) can be far below its cause: an unclosed
    quote is only found at the end of the file. The construct it was reading when it gave up
    (`context_mark`) is where the writer must look, so that line comes first.
    """
    problem = error.problem or "not valid YAML"
    start, found = error.context_mark, error.problem_mark
    if start is None or found is None or start.line == found.line:
        mark = found or start
        return f"line {mark.line + 1 if mark else 1}: {problem}"
    context = re.sub(r"^while (parsing|scanning) ", "", (error.context or "").strip())
    if "quoted scalar" in context:
        what = f"the quote opened here (column {start.column + 1}) is never closed"
    else:
        what = f"{context or 'something'} begun here (column {start.column + 1}) is not finished"
    return f"line {start.line + 1}: {what} ({problem} on line {found.line + 1})"


def _text(value: Any, line: int, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise _Mistake(line, f"'{key}' must be text")
    return value.strip()


def _build(data: Any) -> CodebookFile:
    if not isinstance(data, dict):
        raise _Mistake(1, f"a codebook must be a mapping with 'format: {FORMAT}' and 'codes:'")
    line = data.get("__line__", 1)
    if data.get("format") != FORMAT:
        raise _Mistake(line, f"missing or unknown 'format' (expected '{FORMAT}')")
    unknown = set(data) - {"format", "name", "codes", "__line__"}
    if unknown:
        raise _Mistake(line, f"unknown key(s) at the top: {', '.join(sorted(map(str, unknown)))}")
    entries = data.get("codes") or []
    if not isinstance(entries, list):
        raise _Mistake(line, "'codes' must be a list")
    codes: list[CodeSpec] = []
    seen_ids: dict[uuid.UUID, int] = {}
    pending_parents: list[tuple[CodeSpec, Any, int]] = []
    for position, entry in enumerate(entries):
        _walk(entry, None, "", position, codes, seen_ids, pending_parents)
    _attach_parents(codes, pending_parents)
    _check_tree(codes)
    name = data.get("name")
    if name is not None:
        try:
            name = validation.name(name, _("the codebook's name"), limit=validation.PROJECT_NAME)
        except InvalidInput as error:
            raise _Mistake(line, str(error)) from None
    return CodebookFile(name=name, codes=_ordered(codes))


def _walk(
    entry: Any,
    parent: CodeSpec | None,
    parent_path: str,
    position: int,
    out: list[CodeSpec],
    seen_ids: dict[uuid.UUID, int],
    pending_parents: list[tuple[CodeSpec, Any, int]],
) -> None:
    if not isinstance(entry, dict):
        raise _Mistake(getattr(entry, "__line__", 1), "each code must be a mapping with at least 'name'")
    line = entry["__line__"]
    unknown = set(entry) - CODE_KEYS - {"__line__"}
    if unknown:
        raise _Mistake(line, f"unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    name = _code_name(entry, line)
    path = f"{parent_path}/{name}" if parent_path else name
    code_id = _code_id(entry, path, line, seen_ids)
    spec = CodeSpec(id=code_id, name=name, line=line, position=position, path=path)
    spec.parent_id = parent.id if parent else None
    _read_looks(entry, line, spec)
    for key in TEXT_FIELDS:
        spec.texts[key] = _text(entry.get(key), line, key)
    _read_glosses(entry.get("en"), line, spec)
    _read_scale(entry.get("scale"), line, spec)
    if "parent" in entry:
        if parent is not None:
            raise _Mistake(line, "'parent' is only for top-level codes; nested codes already have one")
        pending_parents.append((spec, entry["parent"], line))
    out.append(spec)
    children = entry.get("children") or []
    if not isinstance(children, list):
        raise _Mistake(line, "'children' must be a list")
    for child_position, child in enumerate(children):
        _walk(child, spec, path, child_position, out, seen_ids, pending_parents)


def _code_name(entry: dict[str, Any], line: int) -> str:
    """The code's name, held to the rules for names; a '/' would break paths."""
    name = _text(entry.get("name"), line, "name")
    if not name:
        raise _Mistake(line, "a code needs a 'name'")
    try:
        name = validation.name(name, _("the code name"), limit=validation.CODE_NAME)
    except InvalidInput as error:
        raise _Mistake(line, str(error)) from None
    if "/" in name:
        raise _Mistake(line, f"the code name {name!r} contains '/', which separates names in paths")
    return name


def _code_id(entry: dict[str, Any], path: str, line: int, seen_ids: dict[uuid.UUID, int]) -> uuid.UUID:
    """The id given, else one derived from the path; each id once in a file."""
    raw_id = entry.get("id")
    if raw_id is None:
        code_id = derived_id(path)
    else:
        try:
            code_id = uuid.UUID(str(raw_id))
        except ValueError:
            raise _Mistake(line, f"'id' {raw_id!r} is not a UUID") from None
    if code_id in seen_ids:
        raise _Mistake(line, f"the id {code_id} is already used by the code on line {seen_ids[code_id]}")
    seen_ids[code_id] = line
    return code_id


def _read_looks(entry: dict[str, Any], line: int, spec: CodeSpec) -> None:
    """Colour, shortcut key, and whether the code can be applied or is retired."""
    color = entry.get("color")
    if color is not None:
        if not isinstance(color, str) or not COLOR.match(color):
            raise _Mistake(line, f"'color' {color!r} must look like \"#1f6f8b\"")
        spec.color = color.lower()
    shortcut = entry.get("shortcut")
    if shortcut is not None:
        shortcut = str(shortcut)
        if len(shortcut) != 1 or not shortcut.isalnum():
            raise _Mistake(line, f"'shortcut' {shortcut!r} must be one letter or digit")
        spec.shortcut = shortcut.lower()
    for flag in ("codable", "retired"):
        value = entry.get(flag)
        if value is not None:
            if not isinstance(value, bool):
                raise _Mistake(line, f"'{flag}' must be true or false")
            setattr(spec, flag, value)


def _read_glosses(gloss: Any, line: int, spec: CodeSpec) -> None:
    """The English glosses under 'en'."""
    if gloss is None:
        return
    if not isinstance(gloss, dict):
        raise _Mistake(line, "'en' must be a mapping of English glosses")
    bad = set(gloss) - set(GLOSS_FIELDS) - {"__line__"}
    if bad:
        raise _Mistake(gloss["__line__"], f"unknown key(s) in 'en': {', '.join(sorted(map(str, bad)))}")
    spec.glosses["en"] = {
        key: _text(gloss.get(key), gloss["__line__"], key) for key in GLOSS_FIELDS if gloss.get(key)
    }


def _read_scale(scale: Any, line: int, spec: CodeSpec) -> None:
    if scale is None:
        return
    if not isinstance(scale, dict):
        raise _Mistake(line, "'scale' must be a mapping with 'min' and 'max'")
    sline = scale["__line__"]
    low, high = scale.get("min"), scale.get("max")
    if not isinstance(low, int) or not isinstance(high, int) or isinstance(low, bool) or isinstance(high, bool):
        raise _Mistake(sline, "'scale' needs whole numbers 'min' and 'max'")
    if low >= high:
        raise _Mistake(sline, f"'scale' min ({low}) must be smaller than max ({high})")
    bad = set(scale) - {"min", "max", "labels", "__line__"}
    if bad:
        raise _Mistake(sline, f"unknown key(s) in 'scale': {', '.join(sorted(map(str, bad)))}")
    labels = scale.get("labels") or {}
    if not isinstance(labels, dict):
        raise _Mistake(sline, "'labels' must map scale steps to text")
    for key, value in labels.items():
        if key == "__line__":
            continue
        if not isinstance(key, int) or not low <= key <= high:
            raise _Mistake(sline, f"the label step {key!r} is outside the scale {low}..{high}")
        spec.scale_labels[str(key)] = _text(value, sline, "labels")
    spec.scale_min, spec.scale_max = low, high


def _attach_parents(codes: list[CodeSpec], pending: list[tuple[CodeSpec, Any, int]]) -> None:
    by_id = {code.id: code for code in codes}
    by_path = {code.path: code for code in codes}
    for spec, reference, line in pending:
        if reference is None:
            continue
        target = None
        try:
            target = by_id.get(uuid.UUID(str(reference)))
        except ValueError:
            target = by_path.get(str(reference))
        if target is None:
            raise _Mistake(line, f"the parent {reference!r} is not a code in this file")
        spec.parent_id = target.id
    # paths of codes attached by reference (and their subtrees) change once parents are known
    for code in codes:
        code.path = _path_of(code, by_id)


def _path_of(code: CodeSpec, by_id: dict[uuid.UUID, CodeSpec]) -> str:
    names, seen, current = [code.name], {code.id}, code
    while current.parent_id is not None:
        current = by_id[current.parent_id]
        if current.id in seen:
            raise _Mistake(code.line, f"the code {code.name!r} is its own ancestor (a cycle)")
        seen.add(current.id)
        names.append(current.name)
    return "/".join(reversed(names))


def _check_tree(codes: list[CodeSpec]) -> None:
    siblings: dict[tuple[uuid.UUID | None, str], CodeSpec] = {}
    shortcuts: dict[str, CodeSpec] = {}
    for code in codes:
        key = (code.parent_id, code.name.casefold())
        if key in siblings:
            raise _Mistake(
                code.line, f"two codes named {code.name!r} under the same parent (see line {siblings[key].line})"
            )
        siblings[key] = code
        if code.shortcut:
            if code.shortcut in shortcuts:
                other = shortcuts[code.shortcut]
                raise _Mistake(code.line, f"the shortcut {code.shortcut!r} is also used on line {other.line}")
            shortcuts[code.shortcut] = code


def _ordered(codes: list[CodeSpec]) -> list[CodeSpec]:
    """Parents before children, keeping file order among siblings."""
    children: dict[uuid.UUID | None, list[CodeSpec]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    out: list[CodeSpec] = []

    def visit(parent: uuid.UUID | None) -> None:
        for index, code in enumerate(children.get(parent, [])):
            code.position = index
            out.append(code)
            visit(code.id)

    visit(None)
    return out


class _Literal(str):
    """A string written as a YAML block."""


def _literal_representer(dumper: yaml.SafeDumper, value: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, _literal_representer)


def _block(text: str) -> str:
    return _Literal(text) if len(text) > 80 or "\n" in text else text


def dump(name: str | None, tree: list[dict[str, Any]]) -> str:
    """Write codes (nested dicts as produced by `fieldnotes.codebook.tree_for_export`) as YAML."""

    def convert(node: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "children":
                if value:
                    out[key] = [convert(child) for child in value]
            elif key == "en":
                out[key] = {k: _block(v) for k, v in value.items()}
            elif isinstance(value, str) and key in TEXT_FIELDS:
                out[key] = _block(value)
            else:
                out[key] = value
        return out

    document = {"format": FORMAT, "name": name, "codes": [convert(node) for node in tree]}
    if name is None:
        del document["name"]
    header = "# fieldnotes codebook; the format is described in docs/codebook-format.md\n"
    return header + yaml.dump(
        document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )
