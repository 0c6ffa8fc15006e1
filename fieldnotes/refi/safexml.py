"""Parsing XML we did not write, so that it can neither read our files nor exhaust memory.

A REFI-QDA file never needs a DTD, so any DOCTYPE (and with it every ENTITY declaration) is refused
before and after parsing; entities are never resolved, nothing is fetched from the network, and
libxml2's limits for huge documents stay on.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from lxml import etree

from fieldnotes.errors import InvalidInput
from fieldnotes.translations import _

_DECLARATION = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_BOM = re.compile("(?:\ufeff|\xef\xbb\xbf)?")
_HEAD_BYTES = 1_000_000


def _head(data: bytes) -> str:
    head = data[:_HEAD_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace")
    if head[:1] == b"\x00" or head[1:2] == b"\x00":
        return head.decode("utf-16-be" if head[:1] == b"\x00" else "utf-16-le", errors="replace")
    return head.decode("latin-1")


def declares_dtd(data: bytes) -> bool:
    """Whether XML bytes declare a DTD or entities in their prolog (before the first element; white
    space, comments and processing instructions are stepped over). A prolog running past the first
    megabyte counts as one: no real file has it."""
    head = _head(data)
    pos = len(_BOM.match(head).group())  # type: ignore[union-attr]
    while (item := _PROLOG_ITEM.match(head, pos)) is not None and item.end() > pos:
        pos = item.end()
    if _DECLARATION.match(head, pos):
        return True
    return pos >= len(head) and len(data) > _HEAD_BYTES


def refuse_declarations(data: bytes, what: str) -> None:
    if declares_dtd(data):
        raise InvalidInput(_("{what} declares a DTD or entities, which REFI-QDA files never need; it was not read "
                             "(such declarations can read local files or expand without end)")
                           .format(what=what))


def parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_comments=True, remove_pis=True)


def parse(data: bytes, what: str) -> Any:
    """The root element of untrusted XML bytes; InvalidInput for anything unsafe or malformed."""
    if not data.strip():
        raise InvalidInput(_("{what} is empty").format(what=what))
    refuse_declarations(data, what)
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as error:
        message = str(error.msg or error).splitlines()[0]
        raise InvalidInput(_("{what} is not well-formed XML (line {lineno}: {message})")
                           .format(what=what, lineno=error.lineno, message=message),
                           hint=_("the file is damaged or not a REFI-QDA file")) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise InvalidInput(_("{what} declares a DTD or entities, which REFI-QDA files never need; it was not read")
                           .format(what=what))
    return root


def local_name(element: Any) -> str:
    """An element's name without its namespace (tools write several namespace variants)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(element: Any) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""
