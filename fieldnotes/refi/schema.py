"""The REFI-QDA schemas shipped in `schemas/`, and checking files against them.

Our exports must be valid; a foreign file that is not valid is still read when it can be read safely,
and its schema problems become warnings in the import report.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources
from typing import Any

from lxml import etree

from fieldnotes.refi.safexml import local_name

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PROJECT_LOCATION = "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
CODEBOOK_LOCATION = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
_FILES = {"project": "Project-mrt2019.xsd", "codebook": "Codebook.xsd"}
_NAMESPACES = {"project": PROJECT_NS, "codebook": CODEBOOK_NS}


@lru_cache(maxsize=2)
def load(kind: str) -> etree.XMLSchema:
    source = resources.files("fieldnotes.refi") / "schemas" / _FILES[kind]
    document = etree.fromstring(source.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
    return etree.XMLSchema(document)


def problems(root: Any, kind: str, *, limit: int = 5) -> list[str]:
    """Schema violations, read as if the file used the standard namespace (tools write variants)."""
    wanted = _NAMESPACES[kind]
    checked = root
    if any(isinstance(el.tag, str) and not el.tag.startswith("{" + wanted + "}") for el in root.iter()):
        checked = copy.deepcopy(root)
        for element in checked.iter():
            if isinstance(element.tag, str):
                element.tag = f"{{{wanted}}}{local_name(element)}"
        etree.cleanup_namespaces(checked)
    schema = load(kind)
    if schema.validate(checked):
        return []
    errors = list(schema.error_log)
    out = [f"line {error.line}: {error.message.replace('{' + wanted + '}', '')}" for error in errors[:limit]]
    if len(errors) > limit:
        out.append(f"... and {len(errors) - limit} more")
    return out
