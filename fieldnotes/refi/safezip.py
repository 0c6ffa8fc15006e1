"""Opening a .qdpx archive without trusting it.

A .qdpx is a zip holding the project file (`project.qde`; real files also have `Project.qde`,
`Trial.qde` or another single `.qde`) and the sources (`sources/`, or `Sources/`). Before anything is
read, every member name is checked (no `..`, no absolute or drive paths) and every size is bounded:

- one member may hold at most `MAX_MEMBER_BYTES` (200 MB) once unpacked;
- all members together at most `MAX_TOTAL_BYTES` (2 GB), and at most `MAX_MEMBERS` (100,000) files.

Sizes are checked against the archive's directory and again while reading (a directory can lie), so
a zip bomb is refused before it fills memory. A study of the size fieldnotes is made for (5,000
documents, 250,000 codings) fits easily.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path, PurePosixPath

from fieldnotes.errors import InvalidInput

MAX_MEMBER_BYTES = 200 * 1000 * 1000
MAX_TOTAL_BYTES = 2 * 1000 * 1000 * 1000
MAX_MEMBERS = 100_000
_DRIVE = re.compile(r"^[A-Za-z]:")
_INTERNAL = re.compile(r"^internal:/*", re.IGNORECASE)


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:.0f} MB"


def check_member_name(name: str, archive: str) -> None:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts or "\x00" in name:
        raise InvalidInput(f"{archive} holds an unsafe path {name!r} (absolute or with '..'); it was not read",
                           hint="ask for a fresh export from the tool that made it")


class Archive:
    """A checked .qdpx: its .qde and the source files it holds."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        if not path.is_file():
            raise InvalidInput(f"{path} is not a file")
        if not zipfile.is_zipfile(path):
            raise InvalidInput(f"{self.name} is not a REFI-QDA project: a .qdpx file is a zip archive, "
                               "and this is not one")
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise InvalidInput(f"{self.name} is a damaged zip archive ({error})") from None
        try:
            self._check()
            self.qde_name = self._find_qde()
        except BaseException:
            self._zip.close()
            raise
        self._read_total = 0

    def _check(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InvalidInput(f"{self.name} holds {len(infos)} files; more than {MAX_MEMBERS} is not read")
        total = 0
        self._members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            check_member_name(info.filename, self.name)
            if info.file_size > MAX_MEMBER_BYTES:
                raise InvalidInput(f"{self.name}: {info.filename} unpacks to {_megabytes(info.file_size)}; "
                                   f"members larger than {_megabytes(MAX_MEMBER_BYTES)} are not read")
            total += info.file_size
            if not info.is_dir():
                self._members[self._key(info.filename)] = info
        if total > MAX_TOTAL_BYTES:
            raise InvalidInput(f"{self.name} unpacks to {_megabytes(total)}; more than "
                               f"{_megabytes(MAX_TOTAL_BYTES)} is not read")

    @staticmethod
    def _key(name: str) -> str:
        return posixpath.normpath(name.replace("\\", "/")).lstrip("./").casefold()

    def _find_qde(self) -> str:
        at_root = [info.filename for key, info in self._members.items() if "/" not in key and key.endswith(".qde")]
        preferred = [name for name in at_root if name.casefold() == "project.qde"]
        if preferred:
            return preferred[0]
        if len(at_root) == 1:
            return at_root[0]
        if not at_root:
            raise InvalidInput(f"{self.name} holds no project file (.qde) at its top level, so it is not a "
                               "REFI-QDA project", hint="export the project again as .qdpx")
        raise InvalidInput(f"{self.name} holds several project files ({', '.join(sorted(at_root))}) and none is "
                           "project.qde; it is not clear which to read")

    def read(self, name: str) -> bytes:
        info = self._members[self._key(name)]
        try:
            with self._zip.open(info) as handle:
                data = handle.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError) as error:
            raise InvalidInput(f"{self.name}: {info.filename} cannot be unpacked ({error})") from None
        if len(data) > MAX_MEMBER_BYTES:
            raise InvalidInput(f"{self.name}: {info.filename} unpacks to more than {_megabytes(MAX_MEMBER_BYTES)}; "
                               "it was not read")
        self._read_total += len(data)
        if self._read_total > MAX_TOTAL_BYTES:
            raise InvalidInput(f"{self.name} unpacks to more than {_megabytes(MAX_TOTAL_BYTES)}; it was not read")
        return data

    def has(self, name: str) -> bool:
        return self._key(name) in self._members

    def qde(self) -> bytes:
        return self.read(self.qde_name)

    def find_source(self, reference: str) -> str | None:
        """The member a plainTextPath or path refers to: `internal://X.txt` lives in sources/ (any case).

        Other references (`relative://`, `absolute://`, `file://`) point outside the archive: None.
        """
        ref = reference.strip()
        if "://" in ref and not _INTERNAL.match(ref):
            return None
        bare = _INTERNAL.sub("", ref).replace("\\", "/").lstrip("/")
        if not bare or ".." in bare.split("/"):
            return None
        for candidate in (f"sources/{bare}", bare, f"sources/{PurePosixPath(bare).name}"):
            if self._key(candidate) in self._members:
                return self._members[self._key(candidate)].filename
        return None

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
