"""Writing files so that a crash or a full disk never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from fieldnotes.translations import _


@contextmanager
def atomic_output(target: Path) -> Iterator[BinaryIO]:
    """A binary file handle whose content replaces `target` only if the block succeeds.

    The file is created readable by the owner only (0600 on POSIX): exports hold personal data.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        from fieldnotes.errors import FieldnotesError

        raise FieldnotesError(_("the folder {folder} does not exist").format(folder=folder), hint=_("create it first"))
    from fieldnotes.errors import FieldnotesError

    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
    except OSError as error:
        raise FieldnotesError(_("cannot write in {folder} ({strerror})")
                              .format(folder=folder, strerror=error.strerror)) from None
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
        raise FieldnotesError(_("could not write {name} ({strerror}); nothing was written")
                              .format(name=target.name, strerror=error.strerror),
                              hint=_("free some disk space and try again") if error.errno == 28 else None) from None
    except BaseException:
        with suppress(FileNotFoundError):
            temp.unlink()
        raise


def write_atomic(target: Path, data: bytes) -> None:
    with atomic_output(target) as handle:
        handle.write(data)


def keep_recovery(content: str | bytes, what: str) -> Path:
    """Keep text a person typed that could not be saved, in a new file of the recovery folder (owner-only).

    Returns the file's path, for the message that says where the text is. Never replaces a file.
    """
    import re

    from fieldnotes import clock, paths

    folder = paths.ensure_private_dir(paths.recovery_dir())
    slug = re.sub(r"[^\w-]+", "-", what, flags=re.UNICODE).strip("-")[:40] or "text"
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    data = content.encode("utf-8") if isinstance(content, str) else content
    for number in range(1, 1000):
        target = folder / f"{stamp}-{slug}{'' if number == 1 else f'-{number}'}.txt"
        try:
            fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return target
    raise FileExistsError(f"no free recovery file name in {folder}")  # pragma: no cover
