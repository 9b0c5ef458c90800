"""Tar archives (plain or compressed), read as one stream: members, PAX records and encoding facts.

The end of the archive is checked too: a missing end-of-archive trailer, or bytes that do not
form a header (a truncated archive), become a located note rather than a silent end.
"""

from __future__ import annotations

import stat
import tarfile
from collections.abc import Callable
from typing import Any, BinaryIO

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
from godet.sources.compression import DECOMPRESS_ERRORS, decompressor, header_facts
from godet.sources.reader import CountingReader

PAX_SKIP = {"path", "linkpath", "size", "uid", "gid", "uname", "gname", "mtime"}
KINDS = {
    tarfile.REGTYPE: "file",
    tarfile.AREGTYPE: "file",
    tarfile.CONTTYPE: "file",
    tarfile.DIRTYPE: "dir",
    tarfile.SYMTYPE: "symlink",
    tarfile.LNKTYPE: "hardlink",
}


class _Info(tarfile.TarInfo):
    """A TarInfo that remembers the header's magic (ustar/gnu/v7) and its raw mode field."""

    magic = ""
    raw_mode = 0

    @classmethod
    def frombuf(cls, buf: bytes, encoding: str, errors: str) -> Any:  # type: ignore[override]
        obj = super().frombuf(buf, encoding, errors)
        m = buf[257:265]
        obj.magic = "gnu" if m == b"ustar  \x00" else "ustar" if m[:5] == b"ustar" else "v7"
        try:
            obj.raw_mode = int(buf[100:108].rstrip(b"\x00 ") or b"0", 8)
        except ValueError:
            obj.raw_mode = obj.mode
        return obj


def read_tar(
    opener: Opener,
    label: str,
    raw: BinaryIO,
    kind: str = "tar",
    head: bytes = b"",
    depth: int = 0,
    packed: Callable[[], int] | None = None,
    open_nested: Callable[..., Source] | None = None,
    spill: bool = True,
) -> tuple[Source, str]:
    """Read a tar stream (``kind`` tar or tar+gzip/zstd/xz/bzip2) into a Source; also returns the
    sha256 of the uncompressed tar (the DiffID of an image layer)."""
    src = Source(label, kind)
    comp = kind.partition("+")[2]
    if comp:
        src.compression = header_facts(comp, head)
        stream: BinaryIO = decompressor(comp, raw, label)
    else:
        stream = raw
    counted = CountingReader(stream)
    formats: dict[str, int] = {}
    prefix = 0
    try:
        tf = tarfile.open(fileobj=counted, mode="r|", tarinfo=_Info)  # type: ignore[arg-type]  # noqa: SIM115
    except tarfile.ReadError as e:
        raise GodetError(label, f"not a readable tar archive ({e})") from None
    except DECOMPRESS_ERRORS as e:
        raise GodetError(label, f"corrupt {comp or 'tar'} stream ({e})") from None
    truncated = ""
    current = ""  # the member whose data is being read
    index = 0
    try:
        for ti in tf:
            opener.count(label)
            fmt = "pax" if ti.pax_headers else ti.magic
            formats[fmt] = formats.get(fmt, 0) + 1
            name = safe_name(ti.name)
            if name is None:
                raise GodetError(label, f"entry {ti.name!r} escapes the archive (absolute or '..' path)")
            if ti.name.startswith("./"):
                prefix += 1
            if not name:
                continue  # "./" itself
            m = Member(
                name,
                kind=KINDS.get(ti.type, "other"),
                size=ti.size,
                mode=stat.S_IMODE(ti.mode),
                type_bits=stat.S_IFMT(ti.raw_mode) or None,
                uid=ti.uid,
                gid=ti.gid,
                uname=ti.uname,
                gname=ti.gname,
                mtime=float(ti.pax_headers["mtime"]) if "mtime" in ti.pax_headers else float(ti.mtime),
                linkname=ti.linkname,
                pax={k: v for k, v in ti.pax_headers.items() if k not in PAX_SKIP},
                index=index,
                raw_name=ti.name,
            )
            index += 1
            if m.kind == "hardlink":
                target = safe_name(ti.linkname)
                if target is None:
                    raise GodetError(label, f"hard link {ti.name!r} points out of the archive")
                m.linkname = target
            if ti.isreg():
                f = tf.extractfile(ti)
                assert f is not None

                def keep(h: bytes, n: str = name) -> bool:
                    return spill and (
                        sniff_executable(h) or (depth < opener.limits.max_depth and wants_nested(n, h))
                    )

                current = name
                m.sha256, m.data, m.spill, m.blocks, m.head, got = read_member(
                    opener, f"{label}!{name}", f, ti.size, keep, packed
                )
                current = ""
                if got != ti.size:
                    truncated = f"truncated inside {name!r}: {got:,} of {ti.size:,} bytes present"
                    m.error = truncated
            if name in src.members:
                src.notes.append(f"{name}: stored more than once; the last entry wins")
            src.members[name] = m
    except tarfile.ReadError as e:
        truncated = (
            f"truncated inside {current!r} ({e})" if current else f"truncated after entry {index} ({e})"
        )
    except DECOMPRESS_ERRORS as e:
        truncated = f"corrupt {comp} stream after entry {index} ({e})"
    end = tf.offset
    try:
        counted.drain()
    except DECOMPRESS_ERRORS as e:
        truncated = truncated or f"corrupt {comp} stream at the end ({e})"
    complete = index and not any(m.error for m in src.members.values())
    if truncated.startswith("truncated after") and complete and counted.count <= end:
        # every entry's data is there; only the padding and the trailer are not
        truncated = ""
        src.notes.append(
            f"no end-of-archive trailer: the archive ends right after entry {index}'s data "
            "(no padding, no zero blocks; umoci 0.4 wrote such layers)"
        )
        trailer = counted.count - end
        src.encoding = {"formats": formats, "dot_prefix": prefix, "trailer": trailer, "length": counted.count}
    if truncated:
        src.notes.append(truncated)
    elif src.encoding:
        pass
    else:
        trailer = counted.count - end
        tail = counted.tail[-trailer:] if 0 < trailer <= len(counted.tail) else b""
        if trailer < 1024 or (tail and tail[:1024].strip(b"\x00")):
            if tail.strip(b"\x00"):
                src.notes.append(f"truncated: {trailer:,} bytes after entry {index} do not form a tar header")
            else:
                src.notes.append(f"no end-of-archive trailer ({trailer} zero bytes after the last entry)")
        src.encoding = {"formats": formats, "dot_prefix": prefix, "trailer": trailer, "length": counted.count}
    src.size = counted.count
    open_nested_members(src, opener, label, "!", depth, open_nested)
    return src, counted.digest()
