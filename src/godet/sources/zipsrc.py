"""Zip archives (zip, wheel, jar): members with their zip metadata (times, modes, compression)."""

from __future__ import annotations

import calendar
import struct
import zipfile
import zlib
from collections.abc import Callable

from godet.errors import GodetError
from godet.sources.base import (
    Member,
    Opener,
    Source,
    open_nested_members,
    read_member,
    safe_name,
    sniff_executable,
    wants_nested,
)

# What zipfile raises on corrupt input (the central directory, a local header, the deflate stream).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    KeyError,
    RuntimeError,
    zlib.error,
    struct.error,
)


ZIP_METHODS = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
}  # APPNOTE 4.4.5 compression methods Python's zipfile reads


def _zip_time(date_time: tuple[int, int, int, int, int, int]) -> float | None:
    """A zip entry's DOS date and time as seconds (zip stores local time; read as UTC); None if invalid."""
    try:
        return float(calendar.timegm((*date_time, 0, 0, 0)))
    except (ValueError, OverflowError):
        return None


def read_zip(
    opener: Opener, path: str, label: str, depth: int = 0, open_nested: Callable[..., Source] | None = None
) -> Source:
    """A zip file as a Source (the file must be seekable: a path on disk)."""
    src = Source(label, "zip")
    try:
        zf = zipfile.ZipFile(path)
    except ZIP_ERRORS as e:
        raise GodetError(label, f"not a readable zip archive ({e})") from None
    with zf:
        packed = 0
        for i, zi in enumerate(zf.infolist()):
            opener.count(label)
            name = safe_name(zi.filename)
            if name is None:
                raise GodetError(label, f"entry {zi.filename!r} escapes the archive (absolute or '..' path)")
            if not name:
                continue
            mode = (zi.external_attr >> 16) & 0o7777 or None
            m = Member(
                name,
                kind="dir" if zi.is_dir() else "file",
                size=zi.file_size,
                mode=mode,
                mtime=_zip_time(zi.date_time),
                index=i,
                raw_name=zi.filename,
                method=ZIP_METHODS.get(zi.compress_type, f"method {zi.compress_type}"),
            )
            if not zi.is_dir():
                packed += zi.compress_size
                try:
                    with zf.open(zi) as f:

                        def keep(hd: bytes, n: str = name) -> bool:
                            return sniff_executable(hd) or (
                                depth < opener.limits.max_depth and wants_nested(n, hd)
                            )

                        m.sha256, m.data, m.spill, m.blocks, m.head, _ = read_member(
                            opener, f"{label}!{name}", f, zi.file_size, keep, lambda p=packed: p
                        )
                except ZIP_ERRORS as e:
                    m.error = f"unreadable ({e})"
                    src.notes.append(f"{name}: unreadable ({e})")
            src.members[name] = m
    open_nested_members(src, opener, label, "!", depth, open_nested)
    return src
