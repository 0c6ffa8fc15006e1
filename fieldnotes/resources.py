"""Files that ship with fieldnotes: migrations, the default codebook and the demo material.

In a wheel they live in `fieldnotes/_data/`; in a source checkout they are the top-level folders
`migrations/`, `codebook.yaml` and `examples/demo/`.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_DATA = _PACKAGE / "_data"
_CHECKOUT = _PACKAGE.parent


def _find(in_wheel: str, in_checkout: str) -> Path:
    packaged = _DATA / in_wheel
    if packaged.exists():
        return packaged
    return _CHECKOUT / in_checkout


def migrations_dir() -> Path:
    return _find("migrations", "migrations")


def default_codebook() -> Path:
    return _find("codebook.yaml", "codebook.yaml")


def demo_dir() -> Path:
    return _find("demo", "examples/demo")


def package_file(relative: str) -> Path:
    return _PACKAGE / relative
