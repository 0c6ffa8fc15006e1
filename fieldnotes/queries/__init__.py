"""Read models: the shared filters that choose documents and codes (`filters`) and what each screen of the
app shows, in one call each (`overview`). Headless, so the same data can be tested without a terminal."""
