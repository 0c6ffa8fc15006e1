"""Search: full-text, fuzzy and in context, counts per group, similar passages, and coding from hits.

Headless (no Textual): the command line (`fieldnotes search`, `fieldnotes similar`) and the app call
the same functions.

- `fulltext.search(session, query, filters, Options(...))`: hits with context, sorted;
- `counts.counts(...)`: how often a word or phrase occurs per municipality, kind, phase or activity;
- `similar.similar(session, coding_id)`: passages like an excerpt that do not carry its code yet;
- `coding.code_spans(session, spans, code, coder_id=...)`: code hits, inside one recorded change.

The query language is in `query`, what counts as a hit in `matching`, the database index in `index`
(SQLite FTS5 or a PostgreSQL tsvector index; the index only proposes documents, the text decides, so
both backends give the same hits).
"""
