"""Packages: .deb (an ar archive of control and data tars) and .rpm (headers plus a cpio payload)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO

from godet.errors import GodetError
from godet.sources.base import (
    Member,
    Opener,
    Source,
    open_nested_members,
    read_member,
    safe_name,
    sniff_archive,
    sniff_executable,
)
from godet.sources.compression import DECOMPRESS_ERRORS, decompressor
from godet.sources.reader import CountingReader

AR_MAGIC = b"!<arch>\n"


def read_ar(
    opener: Opener, f: BinaryIO, label: str, depth: int, open_nested: Callable[..., Source] | None
) -> Source:
    """An ar archive (a .deb): members with their ar headers; member tars opened as nested sources."""
    if f.read(8) != AR_MAGIC:
        raise GodetError(label, "not an ar archive")
    src = Source(label, "deb" if label.endswith((".deb", ".udeb")) else "ar")
    index = 0
    while True:
        hdr = f.read(60)
        if not hdr:
            break
        if len(hdr) < 60 or hdr[58:60] != b"`\n":
            src.notes.append(f"truncated ar header after member {index}")
            break
        opener.count(label)
        try:
            raw_name = hdr[0:16].decode("ascii").rstrip()
            size = int(hdr[48:58].decode("ascii").strip() or 0)
            mtime = int(hdr[16:28].decode("ascii").strip() or 0)
            uid = int(hdr[28:34].decode("ascii").strip() or 0)
            gid = int(hdr[34:40].decode("ascii").strip() or 0)
            mode = int(hdr[40:48].decode("ascii").strip() or 0, 8)
        except (UnicodeDecodeError, ValueError):
            raise GodetError(label, f"malformed ar header at member {index}") from None
        name = safe_name(raw_name.rstrip("/"))
        if name is None:
            raise GodetError(label, f"entry {raw_name!r} escapes the archive")
        sub = CountingReader(f, hashing=False, limit=size)
        m = Member(
            name,
            size=size,
            mode=mode & 0o7777,
            uid=uid,
            gid=gid,
            mtime=float(mtime),
            index=index,
            raw_name=raw_name,
        )
        m.sha256, m.data, m.spill, m.blocks, m.head, got = read_member(
            opener,
            f"{label}!{name}",
            sub,
            size,
            lambda h: sniff_executable(h) or sniff_archive(h) is not None,
        )
        if got != size:
            src.notes.append(f"truncated inside {name!r}: {got:,} of {size:,} bytes present")
            m.error = "truncated"
        if size % 2:
            f.read(1)
        src.members[name] = m
        index += 1
    open_nested_members(src, opener, label, "!", depth, open_nested, wanted=lambda m: ".tar" in m.path)
    return src


# ------------------------------------------------------------------ rpm

RPM_LEAD = 96
HEADER_MAGIC = b"\x8e\xad\xe8\x01"
MAX_HEADER = 64 << 20


def _rpm_header(f: BinaryIO, label: str, what: str) -> bytes:
    h = f.read(16)
    if len(h) < 16 or h[:4] != HEADER_MAGIC:
        raise GodetError(label, f"malformed rpm {what} header")
    nindex = int.from_bytes(h[8:12], "big")
    hsize = int.from_bytes(h[12:16], "big")
    total = 16 * nindex + hsize
    if total > MAX_HEADER:
        raise GodetError(label, f"rpm {what} header larger than {MAX_HEADER:,} bytes")
    body = f.read(total)
    if len(body) < total:
        raise GodetError(label, f"truncated rpm {what} header")
    return h + body


def read_rpm(
    opener: Opener, f: BinaryIO, label: str, depth: int, open_nested: Callable[..., Source] | None
) -> Source:
    """An .rpm: the signature and main headers as two members, then the cpio payload's files."""
    src = Source(label, "rpm")
    lead = f.read(RPM_LEAD)
    if len(lead) < RPM_LEAD or lead[:4] != b"\xed\xab\xee\xdb":
        raise GodetError(label, "not an rpm package")
    sig = _rpm_header(f, label, "signature")
    pad = (8 - len(sig) % 8) % 8
    f.read(pad)
    main = _rpm_header(f, label, "main")
    for i, (name, blob) in enumerate(
        (("[rpm lead]", lead), ("[rpm signature]", sig), ("[rpm header]", main))
    ):
        import hashlib

        src.members[name] = Member(
            name, size=len(blob), sha256=hashlib.sha256(blob).hexdigest(), data=blob, head=blob[:64], index=i
        )
    head = f.read(8)
    kind = sniff_archive(head)
    raw = io.BufferedReader(_Prefixed(head, f))  # type: ignore[arg-type]
    stream = decompressor(kind, raw, label) if kind in ("gzip", "xz", "zstd", "bzip2") else raw
    try:
        read_cpio(opener, stream, label, src, start=3)  # type: ignore[arg-type]
    except DECOMPRESS_ERRORS as e:
        src.notes.append(f"rpm payload unreadable or truncated ({e})")
    return src


class _Prefixed(io.RawIOBase):
    """A stream that first returns already-read bytes, then the rest of ``f``."""

    def __init__(self, prefix: bytes, f: BinaryIO) -> None:
        self.prefix = prefix
        self.f = f

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        if self.prefix:
            n = min(len(b), len(self.prefix))
            b[:n] = self.prefix[:n]
            self.prefix = self.prefix[n:]
            return n
        data = self.f.read(len(b))
        b[: len(data)] = data
        return len(data)


def read_cpio(opener: Opener, f: BinaryIO, label: str, src: Source, start: int = 0) -> None:
    """Members of a cpio "newc" (070701/070702) stream into ``src``."""
    index = start
    pos = 0
    while True:
        hdr = f.read(110)
        if not hdr:
            src.notes.append("cpio payload ends without its TRAILER!!! entry")
            return
        if len(hdr) < 110 or hdr[:6] not in (b"070701", b"070702"):
            src.notes.append(f"truncated or unknown cpio header at payload offset {pos}")
            return
        try:
            fields = [int(hdr[6 + 8 * i : 14 + 8 * i], 16) for i in range(13)]
        except ValueError:
            src.notes.append(f"malformed cpio header at payload offset {pos}")
            return
        mode, uid, gid, mtime, size, namesize = (
            fields[1],
            fields[2],
            fields[3],
            fields[5],
            fields[6],
            fields[11],
        )
        if namesize > 4096:
            raise GodetError(label, f"cpio name longer than 4096 bytes at payload offset {pos}")
        raw_name = f.read(namesize).rstrip(b"\x00").decode("utf-8", "replace")
        f.read((4 - (110 + namesize) % 4) % 4)
        pos += 110 + namesize + (4 - (110 + namesize) % 4) % 4
        if raw_name == "TRAILER!!!":
            return
        opener.count(label)
        name = safe_name(raw_name)
        if name is None:
            raise GodetError(label, f"entry {raw_name!r} escapes the archive (absolute or '..' path)")
        ftype = mode & 0o170000
        kind = {0o100000: "file", 0o040000: "dir", 0o120000: "symlink"}.get(ftype, "other")
        m = Member(
            name,
            kind=kind,
            size=size,
            mode=mode & 0o7777,
            uid=uid,
            gid=gid,
            mtime=float(mtime),
            index=index,
            raw_name=raw_name,
        )
        sub = CountingReader(f, hashing=False, limit=size)
        if kind == "symlink":
            m.linkname = sub.read(size).decode("utf-8", "replace")
        elif size:
            m.sha256, m.data, m.spill, m.blocks, m.head, got = read_member(
                opener, f"{label}!{name}", sub, size, sniff_executable
            )
            if got != size:
                src.notes.append(f"truncated inside {name!r}")
                m.error = "truncated"
                src.members[name] = m
                return
        elif kind == "file":
            import hashlib

            m.sha256, m.data = hashlib.sha256(b"").hexdigest(), b""
        f.read((4 - size % 4) % 4)
        pos += size + (4 - size % 4) % 4
        if kind != "file" or not (name in src.members and size == 0 and fields[4] > 1):
            src.members[name] = m  # (hard links in newc: the data travels with the last link)
        index += 1
