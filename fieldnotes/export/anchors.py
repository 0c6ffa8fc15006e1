"""Anchors in a Word report, so that comments written on it in a meeting find their way back.

Each excerpt and each code heading of a report carries a bookmark whose name holds the id of the
coding or code: `fn_c_` or `fn_k_`, then the UUID's 32 hex digits; a coding's name ends with 3 hex
digits of its code's id (40 characters, Word's limit). A custom XML part (`customXml/itemN.xml` with
its `itemPropsN.xml`, related from the document) maps every bookmark to its codings and code and names
the project and the export; the same two ids are also custom document properties (`docProps/custom.xml`).

Word keeps custom XML parts, custom properties and bookmarks when it saves (ECMA-376 part 1: custom
XML data storage parts, custom file properties, bookmarks). LibreOffice 7.4 (`soffice --convert-to
docx`, the same filter as saving in Writer) keeps all three, which the tests check. Should a word
processor drop the custom XML part, the ids are also in the bookmark names and the properties, so an
import needs nothing else. Nothing depends on the report's text: a pseudonymised report anchors the same.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field

from fieldnotes.export import ooxml

NAMESPACE = "urn:fieldnotes:report-anchors:1"
CODING_PREFIX = "fn_c_"
CODE_PREFIX = "fn_k_"
CODE_TAG = 3  # hex digits of the code's id at the end of a coding's bookmark
_HEX = re.compile("[0-9a-f]{32}")
PROJECT_PROPERTY = "fieldnotes-project"
EXPORT_PROPERTY = "fieldnotes-export"
CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
CUSTOM_PROPERTIES = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
RT_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
RT_CUSTOM_XML_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
RT_CUSTOM_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_PROPERTIES_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
#: the format id Office gives user-defined properties
_USER_PROPERTY_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def _encode(value: str | uuid.UUID) -> str:
    """The id's 32 hex digits (a report names thousands, so this must be cheap: no parsing)."""
    if isinstance(value, uuid.UUID):
        return value.hex
    text = value.replace("-", "").lower()
    if len(text) == 32 and _HEX.fullmatch(text):
        return text
    # not a row's id (a report built by hand): still a stable name of the same shape
    return hashlib.blake2b(value.encode("utf-8"), digest_size=16).hexdigest()


def coding_bookmark(coding_id: str | uuid.UUID, code_id: str | uuid.UUID) -> str:
    """`fn_c_`, the coding's id, and the first 12 bits of its code's id (40 characters): enough to tell
    that a coding was recoded even if the custom XML part were gone."""
    return CODING_PREFIX + _encode(coding_id) + _encode(code_id)[:CODE_TAG]


def code_bookmark(code_id: str | uuid.UUID) -> str:
    return CODE_PREFIX + _encode(code_id)


def parse_bookmark(name: str) -> tuple[str, uuid.UUID] | None:
    """("coding" | "code", id) for one of our bookmark names (any case: Word may change it), else None."""
    lowered = name.lower()
    for prefix, kind, extra in ((CODING_PREFIX, "coding", CODE_TAG), (CODE_PREFIX, "code", 0)):
        if lowered.startswith(prefix) and len(lowered) == len(prefix) + 32 + extra:
            digits = lowered[len(prefix):len(prefix) + 32]
            return (kind, uuid.UUID(hex=digits)) if _HEX.fullmatch(digits) else None
    return None


def code_tag(name: str) -> str:
    """The code part of a coding's bookmark name ('' for any other name)."""
    lowered = name.lower()
    return lowered[len(CODING_PREFIX) + 32:] if lowered.startswith(CODING_PREFIX) else ""


def same_code(tag: str, code_id: uuid.UUID) -> bool:
    return tag == code_id.hex[:CODE_TAG]


@dataclass
class AnchorMap:
    """What a report's anchors point at, and which project and export it came from."""

    project_id: str = ""
    export_id: str = ""
    codings: dict[str, tuple[list[str], str]] = field(default_factory=dict)  # bookmark -> (coding ids, code id)
    codes: dict[str, str] = field(default_factory=dict)  # bookmark -> code id
    _tags: dict[str, str] = field(default_factory=dict, repr=False)

    def add_coding(self, coding_ids: list[str], code_id: str) -> str:
        tag = self._tags.get(code_id)
        if tag is None:
            tag = self._tags[code_id] = _encode(code_id)[:CODE_TAG]
        name = CODING_PREFIX + _encode(coding_ids[0]) + tag  # coding_bookmark, with the code's part cached
        self.codings[name] = (list(coding_ids), code_id)
        return name

    def add_code(self, code_id: str) -> str:
        name = code_bookmark(code_id)
        self.codes[name] = code_id
        return name

    def custom_xml(self) -> bytes:
        esc = ooxml.escape
        parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<fn:report xmlns:fn="{NAMESPACE}" '
                 f'project="{esc(self.project_id)}" export="{esc(self.export_id)}">']
        parts.extend(f'<fn:code bookmark="{name}" id="{esc(code)}"/>' for name, code in self.codes.items())
        parts.extend(f'<fn:excerpt bookmark="{name}" code="{esc(code)}" codings="{esc(" ".join(codings))}"/>'
                     for name, (codings, code) in self.codings.items())
        parts.append("</fn:report>")
        return "".join(parts).encode("utf-8")

    def custom_properties(self) -> bytes:
        props = "".join(
            f'<property fmtid="{_USER_PROPERTY_FMTID}" pid="{pid}" name="{name}"><vt:lpwstr>{ooxml.escape(value)}'
            "</vt:lpwstr></property>"
            for pid, (name, value) in enumerate(((PROJECT_PROPERTY, self.project_id),
                                                 (EXPORT_PROPERTY, self.export_id)), start=2))
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="{_PROPERTIES_NS}" '
                f'xmlns:vt="{_VT_NS}">{props}</Properties>').encode()


def install(document: object, anchors: AnchorMap) -> None:
    """Add the custom XML part (with its properties part) and the custom document properties to a
    python-docx document about to be saved."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    main = document.part  # type: ignore[attr-defined]
    package = main.package
    item = Part(PackURI("/customXml/item1.xml"), "application/xml", anchors.custom_xml(), package)
    guid = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, NAMESPACE + anchors.export_id)).upper() + "}"
    props_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<ds:datastoreItem ds:itemID="{guid}" '
                 'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs>'
                 f'<ds:schemaRef ds:uri="{NAMESPACE}"/></ds:schemaRefs></ds:datastoreItem>')
    props = Part(PackURI("/customXml/itemProps1.xml"), CUSTOM_XML_PROPS, props_xml.encode("utf-8"), package)
    item.relate_to(props, RT_CUSTOM_XML_PROPS)
    main.relate_to(item, RT_CUSTOM_XML)
    custom = Part(PackURI("/docProps/custom.xml"), CUSTOM_PROPERTIES, anchors.custom_properties(), package)
    package.relate_to(custom, RT_CUSTOM_PROPERTIES)
