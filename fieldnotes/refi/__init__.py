"""REFI-QDA exchange (`fieldnotes exchange`, `export qdpx|qdc`): projects (.qdpx) and codebooks (.qdc) in and
out of NVivo, ATLAS.ti, MAXQDA and QualCoder. (Word, CSV and XLSX exports are `fieldnotes.export`.)

Read leniently, write strictly. The readers refuse only what cannot be read safely (not a zip, no
.qde, malformed XML, DTDs and entities, unsafe or oversized zip members); everything else is taken,
converted or dropped with a reason in the import report. The writers produce XSD-valid files with
our own row UUIDs as GUIDs, so exporting twice, or exporting what was imported, gives the same ids.

Modules: `safezip` (the archive, safely), `safexml` (the XML, safely), `schema` (XSD checks),
`positions` (the tools' counting units), `descriptions` (structured fields inside the one free
Description), `identity` (GUIDs), `model` and `reader` (the file as plain data), `codetree` (a REFI
code tree as ours), `report`, `loading` (a file into a project), `writing` (a project or its codebook
out), `extension` (`fieldnotes.json`: what our exports carry beyond the schema), `qdc` (codebook files
for `codebook import|export`).
"""
