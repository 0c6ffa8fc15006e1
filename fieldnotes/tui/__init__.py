"""The terminal app: screens that collect input and show results; the library does the work."""
