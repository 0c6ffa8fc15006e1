"""Database: the data model, engines, migrations and the event log."""
