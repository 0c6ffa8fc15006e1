"""fieldnotes: qualitative field research in the terminal."""

__version__ = "0.1.0"
