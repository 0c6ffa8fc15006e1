"""REFI-QDA exchange: projects (.qdpx) and codebooks (.qdc) in and out of NVivo, ATLAS.ti, MAXQDA, QualCoder.

Read leniently, write strictly. The readers refuse only what cannot be read safely (not a zip, no
.qde, malformed XML, DTDs and entities, unsafe or oversized zip members); everything else is taken,
converted or dropped with a reason in the import report. The writers produce XSD-valid files with
our own row UUIDs as GUIDs, so exporting twice, or exporting what was imported, gives the same ids.

Modules: `safezip` (the archive, safely), `safexml` (the XML, safely), `schema` (XSD checks),
`positions` (the tools' counting units), `descriptions` (structured fields inside the one free
Description), `identity` (GUIDs), `model` and `reader` (the file as plain data), `codetree` (a REFI
code tree as ours), `report`, `refi_import`, `refi_export`, `qdc` (codebook files for `codebook
import|export`).
"""
