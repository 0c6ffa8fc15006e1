"""Hostile and careless input, made on purpose: YAML alias bombs, Word files declaring entities, zip bombs
dressed as bundles, and names full of control characters."""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from pathlib import Path

#: one level of a "billion laughs": nine references to the level below; nine levels are 9⁹ (387 million) values
LAUGHS_LEVELS = 9


def alias_bomb(levels: int = LAUGHS_LEVELS, *, key: str = "lol") -> str:
    """YAML of a few hundred bytes whose aliases, followed as a tree, make 9**levels values."""
    lines = [f"{key}0: &{key}0 [hå, hå, hå, hå, hå, hå, hå, hå, hå]"]
    for level in range(1, levels):
        lines.append(f"{key}{level}: &{key}{level} [" + ", ".join([f"*{key}{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def front_matter_bomb(levels: int = LAUGHS_LEVELS) -> str:
    """A Markdown note whose front matter is an alias bomb, with a title and text that are fine."""
    return "---\ntitle: Bombe\n" + alias_bomb(levels) + "---\nSøren fortæller om praktikken på lageret.\n"


def key_file_bomb() -> str:
    """A pseudonym key file whose entries hide an alias bomb."""
    from fieldnotes.privacy.keyfile import FORMAT

    return (f"format: {FORMAT}\nversion: 1\n" + alias_bomb()
            + f"entries:\n  - {{original: Søren, pseudonym: Bo, attributes: {{x: *lol{LAUGHS_LEVELS - 1}}}}}\n")


def codebook_bomb() -> str:
    """A codebook file whose codes refer to an alias bomb."""
    return ("format: fieldnotes-codebook/1\n" + alias_bomb()
            + f"codes:\n  - name: Ledelse\n    example: *lol{LAUGHS_LEVELS - 1}\n")


def docx_with_entities(folder: Path, name: str = "entiteter.docx") -> Path:
    """A real Word file (python-docx) whose document.xml declares an entity and uses it mid-sentence."""
    import docx

    document = docx.Document()
    document.add_paragraph("Søren siger &lager; er et godt sted at starte.")
    document.add_paragraph("Teksten efter entiteten må ikke forsvinde.")
    buffer = io.BytesIO()
    document.save(buffer)
    path = folder / name
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w:document [<!ENTITY lager "lageret i Lyng\xc3\xa5">]>', 1)
                data = data.replace(b"&amp;lager;", b"&lager;")
            target.writestr(info, data)
    return path


def deflate_bomb(size: int) -> bytes:
    """`size` bytes of spaces, deflated (about 1000:1)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * 1_048_576
    out = [packer.compress(chunk) for _ in range(size // len(chunk))]
    out.append(packer.compress(b" " * (size % len(chunk))))
    out.append(packer.flush())
    return b"".join(out)


def zip_with_bomb(members: dict[str, bytes], bomb_name: str, bomb_size: int) -> bytes:
    """A zip holding `members` as they are, plus `bomb_name` unpacking to `bomb_size` bytes of spaces."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        info = zipfile.ZipInfo(bomb_name, date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as handle:
            left = bomb_size
            while left:
                step = min(left, 4 * 1_048_576)
                handle.write(b" " * step)
                left -= step
    return out.getvalue()


def bundle_bomb(manifest: dict[str, object], size: int = 700_000_000) -> bytes:
    """A bundle with a good manifest whose rows.json unpacks to `size` bytes (the issue's 300 KB → 670 MB)."""
    return zip_with_bomb({"manifest.json": json.dumps(manifest).encode(), "events.json": b"{}"}, "rows.json", size)


def lying_zip(member: str, data: bytes, claimed: int, others: dict[str, bytes] | None = None) -> bytes:
    """A zip whose directory says `member` unpacks to `claimed` bytes; it really holds `data` (and `others`
    as they are)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (others or {}).items():
            archive.writestr(name, content)
        archive.writestr(member, data)
    raw = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as archive:
        local = archive.getinfo(member).header_offset
    real, fake = len(data).to_bytes(4, "little"), claimed.to_bytes(4, "little")
    assert raw[local + 22 : local + 26] == real
    raw[local + 22 : local + 26] = fake
    central = raw.index(b"PK\x01\x02")
    name = member.encode()
    while raw[central + 46 : central + 46 + len(name)] != name:
        central = raw.index(b"PK\x01\x02", central + 4)
    assert raw[central + 24 : central + 28] == real
    raw[central + 24 : central + 28] = fake
    return bytes(raw)


#: one of each kind of character names may not hold, with a Danish name around it
ESCAPE = "\x1b"
HOSTILE_NAMES = {
    "escape sequence": "Ny\x1b[31mBy",
    "screen clear": "Lyngå\x1b[2J\x1b[H",
    "window title": "Fjordby\x1b]0;hacked\x07",
    "bell": "Søholm\x07",
    "NUL": "Ærø\x00kommune",
    "C1 CSI": "Nord\x9b31m",
    "DEL": "Syd\x7f",
    "bidi override": "Åse \u202eevol\u202c",
    "bidi isolate": "Mette \u2066tekst\u2069",
}
