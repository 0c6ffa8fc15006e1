"""A project as a whole: opening and creating it (`opening`, `creation`), acting on it one recorded change
at a time (`actions`), copying it (`backup`), and building the demo project (`demo`)."""
