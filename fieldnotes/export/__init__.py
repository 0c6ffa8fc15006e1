"""Exports of coded material: Word reports, annotated documents, CSV and XLSX tables.

Headless (no Textual): the command line and the app's export dialog both call `exporter.export`.
`gather` reads what an export holds (pseudonymised once, there); `docx_excerpts`, `docx_annotated`
and `tables` write it; `docx_skeleton` and `ooxml` are the shared Word frame and the fast markup
path; `labels` holds the exported words in Danish and English; `pseudonyms` is the hook the
pseudonym register plugs into.
"""
