"""Analysis: themes per municipality and over time, co-occurrence, ratings and language.

Every function is headless and takes a session and a `Filters`, so the command line, the app and the
Word export present the same numbers. Each number can be traced back to its excerpts (`cell_excerpts`,
`pair_excerpts`, `kwic`), because a count nobody can open is a count nobody can trust.
"""
