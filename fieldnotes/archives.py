"""Opening zip archives that someone else made: .docx, .odt, .qdpx and bundles all pass through here.

Before a byte is unpacked, every member is checked against the archive's directory:

- its name: no absolute or drive paths, no `..`, no NUL;
- its size: at most `Limits.member` once unpacked, all members together at most `Limits.total`, at
  most `Limits.members` of them;
- its ratio: a member of more than `RATIO_FROM` bytes may unpack to at most `Limits.ratio` times its
  packed size. Text and JSON pack to a tenth or so; a zip bomb packs to a thousandth.

A directory can lie, so `Checked.read` counts again while it reads and stops at the limit. The limits
are the ones documented for REFI-QDA files (README, docs/cli.md); readers that document smaller ones
(.docx and .odt: 200 MB in all) pass their own.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from fieldnotes.errors import InvalidInput
from fieldnotes.translations import _

#: in binary units, as every size fieldnotes prints (`size_text`): "200.0 MB" and "2.0 GB" in messages
MEMBER_BYTES = 200 * 1024**2
TOTAL_BYTES = 2 * 1024**3
MEMBERS = 100_000
RATIO = 200
RATIO_FROM = 1_000_000
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Limits:
    member: int = MEMBER_BYTES
    total: int = TOTAL_BYTES
    members: int = MEMBERS
    ratio: int = RATIO


def size_text(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    if size >= 1_048_576:
        return f"{size / 1_048_576:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name)) or ".." in parts or "\x00" in name


class Checked:
    """A zip archive whose directory passed the checks; members are read with the limits enforced."""

    def __init__(self, source: Path | bytes | IO[bytes] | zipfile.ZipFile, name: str, limits: Limits | None = None, *,
                 what: str = "archive", hint: str = "ask for a fresh copy from whoever made it",
                 refusal_hint: str | None = None) -> None:
        """`what` names the archive in messages ("Word file"); `hint` says what to do about a damaged one,
        `refusal_hint` about one refused for its names or sizes (default: `hint`)."""
        self.name, self.what, self.hint = name, what, hint
        self.refusal_hint = refusal_hint or hint
        self.limits = limits or Limits()
        self.read_total = 0
        try:
            if isinstance(source, zipfile.ZipFile):
                self.zip = source
            else:
                self.zip = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError) as error:
            raise InvalidInput(_("{name}: the {what} is damaged (it is not a complete zip archive)")
                               .format(name=name, what=what),
                               hint=hint) from error
        try:
            self.infos = self._check(infos)
        except BaseException:
            self.zip.close()
            raise

    def _refuse(self, problem: str) -> InvalidInput:
        return InvalidInput(_("{name}: refused: {problem}")
                            .format(name=self.name, problem=problem), hint=self.refusal_hint)

    def _check(self, infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
        limits = self.limits
        if len(infos) > limits.members:
            raise self._refuse(_("the {what} holds {n:,} files, more than {members:,}")
                               .format(what=self.what, n=len(infos), members=limits.members))
        total = 0
        for info in infos:
            if unsafe_name(info.filename):
                raise self._refuse(_("the {what} holds an unsafe path {filename!r} (absolute or with '..')")
                                   .format(what=self.what, filename=info.filename))
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FROM and ratio > limits.ratio:
                raise self._refuse(_("{filename} unpacks to {ratio:,.0f} times its packed size (a zip bomb)")
                                   .format(filename=info.filename, ratio=ratio))
            total += info.file_size
            if total > limits.total:
                raise self._refuse(_("the {what} unpacks to more than {size_text} (a zip bomb, or far too large)")
                                   .format(what=self.what, size_text=size_text(limits.total)))
            if info.file_size > limits.member:
                raise self._refuse(_("{filename} unpacks to {size}; members larger than {limit} are not read")
                                   .format(filename=info.filename, size=size_text(info.file_size),
                                           limit=size_text(limits.member)))
        return infos

    def read(self, member: str | zipfile.ZipInfo, limit: int | None = None) -> bytes:
        """A member's bytes, never more than the limits (or `limit`) allow, whatever the directory claims."""
        info = member if isinstance(member, zipfile.ZipInfo) else self.zip.getinfo(member)
        most = min(self.limits.member, limit) if limit is not None else self.limits.member
        if info.file_size > most:
            raise self._refuse(_("{filename} unpacks to {size}, more than the {limit} it may hold")
                               .format(filename=info.filename, size=size_text(info.file_size),
                                       limit=size_text(most)))
        try:
            with self.zip.open(info) as handle:
                data = handle.read(most + 1)
        except RuntimeError:  # an encrypted member
            raise InvalidInput(_("{name}: the {what} is password-protected").format(name=self.name, what=self.what),
                               hint=_("remove the password and use that copy")) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError, OSError):
            raise InvalidInput(_("{name}: the {what} is damaged ({filename} cannot be unpacked)")
                               .format(name=self.name, what=self.what, filename=info.filename),
                               hint=self.hint) from None
        if len(data) > most:
            raise self._refuse(_("{filename} unpacks to more than {size_text}")
                               .format(filename=info.filename, size_text=size_text(most)))
        self.read_total += len(data)
        if self.read_total > self.limits.total:
            raise self._refuse(_("the {what} unpacks to more than {size_text}")
                               .format(what=self.what, size_text=size_text(self.limits.total)))
        return data

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> Checked:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
