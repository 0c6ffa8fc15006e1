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

from fieldnotes import archives
from fieldnotes.errors import InvalidInput
from fieldnotes.translations import _

MAX_MEMBER_BYTES = archives.MEMBER_BYTES
MAX_TOTAL_BYTES = archives.TOTAL_BYTES
MAX_MEMBERS = archives.MEMBERS
_INTERNAL = re.compile(r"^internal:/*", re.IGNORECASE)


class Archive:
    """A checked .qdpx: its .qde and the source files it holds (names and sizes checked by
    fieldnotes.archives, with the limits above)."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        if not path.is_file():
            raise InvalidInput(_("{path} is not a file").format(path=path))
        if not zipfile.is_zipfile(path):
            raise InvalidInput(_("{name} is not a REFI-QDA project: a .qdpx file is a zip archive, and this is not one")
                               .format(name=self.name))
        limits = archives.Limits(member=MAX_MEMBER_BYTES, total=MAX_TOTAL_BYTES, members=MAX_MEMBERS)
        try:
            self._checked = archives.Checked(path, self.name, limits, what=_("REFI-QDA file"),
                                             hint=_("ask for a fresh export from the tool that made it"))
        except OSError as error:
            raise InvalidInput(_("{name} is a damaged zip archive ({error})")
                               .format(name=self.name, error=error)) from None
        self._zip = self._checked.zip
        self._members = {self._key(info.filename): info for info in self._checked.infos if not info.is_dir()}
        try:
            self.qde_name = self._find_qde()
        except BaseException:
            self._zip.close()
            raise

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
            raise InvalidInput(_("{name} holds no project file (.qde) at its top level, so it is not a REFI-QDA "
                                 "project").format(name=self.name), hint=_("export the project again as .qdpx"))
        raise InvalidInput(_("{name} holds several project files ({names}) and none is project.qde; it is not clear "
                             "which to read").format(name=self.name, names=', '.join(sorted(at_root))))

    def read(self, name: str) -> bytes:
        return self._checked.read(self._members[self._key(name)])

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
