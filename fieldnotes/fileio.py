"""Writing files so that a crash or a full disk never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_output(target: Path) -> Iterator[BinaryIO]:
    """A binary file handle whose content replaces `target` only if the block succeeds.

    The file is created readable by the owner only (0600 on POSIX): exports hold personal data.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        from fieldnotes.errors import FieldnotesError

        raise FieldnotesError(f"the folder {folder} does not exist", hint="create it first")
    from fieldnotes.errors import FieldnotesError

    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
    except OSError as error:
        raise FieldnotesError(f"cannot write in {folder} ({error.strerror})") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except OSError as error:
        with suppress(FileNotFoundError):
            temp.unlink()
        raise FieldnotesError(f"could not write {target.name} ({error.strerror}); nothing was written",
                              hint="free some disk space and try again" if error.errno == 28 else None) from None
    except BaseException:
        with suppress(FileNotFoundError):
            temp.unlink()
        raise


def write_atomic(target: Path, data: bytes) -> None:
    with atomic_output(target) as handle:
        handle.write(data)
