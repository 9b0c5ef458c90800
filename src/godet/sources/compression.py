"""Compressed streams: gzip, zstd, xz, bzip2 → a readable stream, plus the header facts that differ
between encoders (gzip MTIME/XFL/OS/FNAME, zstd frame flags)."""

from __future__ import annotations

import bz2
import gzip
import lzma
import zlib
from typing import Any, BinaryIO

from godet.errors import GodetError

GZIP_OS = {0: "FAT", 3: "Unix", 7: "Macintosh", 10: "NTFS", 11: "NTFS", 255: "unknown"}


def gzip_header(head: bytes) -> dict[str, Any]:
    """The fixed gzip header fields (RFC 1952): mtime, xfl, os, and the file name when present."""
    if len(head) < 10 or head[:2] != b"\x1f\x8b":
        return {}
    flg = head[3]
    out: dict[str, Any] = {
        "format": "gzip",
        "mtime": int.from_bytes(head[4:8], "little"),
        "xfl": head[8],
        "os": GZIP_OS.get(head[9], str(head[9])),
        "name": "",
    }
    pos = 10
    if flg & 4 and len(head) >= 12:  # FEXTRA
        pos += 2 + int.from_bytes(head[10:12], "little")
    if flg & 8:  # FNAME
        end = head.find(b"\x00", pos)
        if end > 0:
            out["name"] = head[pos:end].decode("latin-1")
    return out


def zstd_header(head: bytes) -> dict[str, Any]:
    """The zstd frame header descriptor: checksum and content-size flags, window and dictionary."""
    if len(head) < 6 or head[:4] != b"\x28\xb5\x2f\xfd":
        return {}
    fhd = head[4]
    single = bool(fhd & 0x20)
    return {
        "format": "zstd",
        "content_size_field": [0, 2, 4, 8][fhd >> 6] or (1 if single else 0),
        "single_segment": single,
        "checksum": bool(fhd & 0x04),
        "dictionary_id_field": [0, 1, 2, 4][fhd & 3],
        "window_descriptor": None if single else head[5],
    }


def header_facts(kind: str, head: bytes) -> dict[str, Any]:
    if kind == "gzip":
        return gzip_header(head)
    if kind == "zstd":
        return zstd_header(head)
    return {"format": kind} if kind in ("xz", "bzip2") else {}


def decompressor(kind: str, raw: BinaryIO, label: str) -> BinaryIO:
    """A stream of the decompressed bytes of ``raw``."""
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if kind == "xz":
        return lzma.LZMAFile(raw)  # type: ignore[return-value]
    if kind == "bzip2":
        return bz2.BZ2File(raw)  # type: ignore[return-value]
    if kind == "zstd":
        try:
            import zstandard
        except ImportError:
            raise GodetError(label, "zstd-compressed: install the zstandard package to read it") from None
        return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)  # type: ignore[return-value]
    raise GodetError(label, f"unknown compression {kind}")


# What the decompressors raise on corrupt or truncated input.
DECOMPRESS_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    lzma.LZMAError,
    ValueError,
    zlib.error,
)
try:  # pragma: no cover - depends on the optional package
    import zstandard as _z

    DECOMPRESS_ERRORS += (_z.ZstdError,)
except ImportError:  # pragma: no cover
    pass
