"""The coding engine: codings, memos, edits that keep codings in place, undo, and excerpts."""
