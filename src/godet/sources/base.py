"""Stage 0 data: a source (file, directory, archive, package, image) as a tree of members.

A :class:`Member` is one entry with its metadata, its content digest and, for small members, its
bytes; members that later stages must open by path (executables, nested archives) are spilled into
the opener's private temp dir. An :class:`Opener` owns that temp dir and the safety caps.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from godet.errors import GodetError

SMALL = 1 << 20  # members up to this size keep their bytes (exact first differing offset)...
KEEP_BUDGET = 128 << 20  # ...while an opener holds less than this in all (memory stays bounded)
BLOCK = 1 << 16  # larger members keep one CRC-32 per block (first differing block)
CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Caps against hostile archives; a source that exceeds one is an error naming the cap."""

    max_members: int = 500_000
    max_member_size: int = 16 << 30
    max_total: int = 64 << 30  # bytes unpacked from one input, nested members included
    max_ratio: int = 200  # unpacked / packed, checked once more than ratio_floor bytes came out
    ratio_floor: int = 256 << 20
    max_depth: int = 4  # archives inside archives

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, with GODET_MAX_UNPACKED / GODET_MAX_MEMBERS overriding two caps."""
        kw: dict[str, int] = {}
        for env, key in (("GODET_MAX_UNPACKED", "max_total"), ("GODET_MAX_MEMBERS", "max_members")):
            v = os.environ.get(env, "")
            if v.isdigit():
                kw[key] = int(v)
        return cls(**kw)


@dataclass
class Member:
    """One entry of a source: metadata as stored, plus how to reach its content."""

    path: str  # normalised relative path ("usr/bin/app"), never absolute, never with ".."
    kind: str = "file"  # file | dir | symlink | hardlink | other
    size: int = 0
    sha256: str = ""
    mode: int | None = None  # permission bits (and setuid/sticky), without the type bits
    type_bits: int | None = None  # S_IFREG etc. when the archive stores them in the mode field
    uid: int | None = None
    gid: int | None = None
    uname: str = ""
    gname: str = ""
    mtime: float | None = None
    linkname: str = ""
    pax: dict[str, str] = field(default_factory=dict)  # PAX records (xattrs included), minus path/size
    method: str = ""  # how a zip stores the entry: "stored", "deflate", "bzip2", "lzma"
    index: int = 0  # position in the archive
    raw_name: str = ""  # the name exactly as stored ("./usr/bin/app")
    data: bytes | None = None  # the content when small
    spill: str | None = None  # a private temp file holding the content
    blocks: list[int] = field(default_factory=list)  # CRC-32 per BLOCK bytes (large members)
    head: bytes = b""  # the first bytes, for sniffing
    nested: Source | None = None  # the archive this member holds, opened
    error: str = ""  # why the member (or its nested archive) could not be read

    @property
    def executable(self) -> bool:
        return sniff_executable(self.head)

    def read(self) -> bytes | None:
        """The content, when it was kept (small) or spilled; None otherwise."""
        if self.data is not None:
            return self.data
        if self.spill:
            with open(self.spill, "rb") as f:
                return f.read()
        return None


@dataclass
class Source:
    """An opened input: its kind, its members by path, and what the format itself says."""

    label: str  # the path as the user named it (or "outer!member" when nested)
    kind: str  # file | directory | tar | tar+gzip|zstd|xz|bzip2 | zip | deb | rpm | oci | docker
    members: dict[str, Member] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    size: int = 0
    sha256: str = ""
    encoding: dict[str, Any] = field(default_factory=dict)  # tar format facts (format, trailer, prefix)
    compression: dict[str, Any] = field(default_factory=dict)  # gzip/zstd header facts
    image: Any = None  # godet.sources.oci.Image for OCI layouts and docker-save archives
    skipped: int = 0  # entries dropped for safety (traversal, links out of the tree)

    def files(self) -> Iterable[Member]:
        return (m for m in self.members.values() if m.kind == "file")


class Opener:
    """Opens sources inside one private temp dir (removed on exit) and enforces the caps."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits.from_env()
        import tempfile  # (only archives and images spill members to disk)

        self.tmp = tempfile.mkdtemp(prefix="godet-")
        self.unpacked = 0
        self.members = 0
        self.kept = 0  # bytes of small members held in memory
        self._n = 0

    def __enter__(self) -> Opener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        import shutil

        shutil.rmtree(self.tmp, ignore_errors=True)

    def spill_path(self, name: str) -> str:
        """A fresh file name inside the temp dir (the member's base name kept, for messages)."""
        self._n += 1
        base = "".join(c if c.isalnum() or c in "._-" else "_" for c in os.path.basename(name))[:60]
        return os.path.join(self.tmp, f"{self._n:06d}-{base or 'member'}")

    def count(self, label: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise GodetError(label, f"more than {self.limits.max_members:,} members (the member cap)")

    def account(self, label: str, n: int, packed: int | None = None) -> None:
        """Add ``n`` unpacked bytes; raise on the total cap or an implausible expansion ratio."""
        self.unpacked += n
        lim = self.limits
        if self.unpacked > lim.max_total:
            raise GodetError(label, f"unpacks to more than {lim.max_total:,} bytes (the size cap)")
        if (
            packed is not None
            and self.unpacked > lim.ratio_floor
            and self.unpacked > lim.max_ratio * max(packed, 1)
        ):
            raise GodetError(
                label,
                f"decompression bomb: expands more than {lim.max_ratio}× past {lim.ratio_floor:,} bytes "
                "(the expansion cap)",
            )


def read_member(
    opener: Opener, label: str, f: BinaryIO, size: int, keep: bool, packed: Any = None
) -> tuple[str, bytes | None, str | None, list[int], bytes, int]:
    """Stream one member's content: (sha256, small bytes, spill path, block CRCs, head, length read).

    ``keep`` spills the content to the temp dir whatever its size (executables, nested archives);
    the decision is taken on the first chunk (``keep`` may be a callable of the head bytes).
    ``packed`` is a callable giving the packed bytes read so far (for the expansion cap).
    """
    if size > opener.limits.max_member_size:
        raise GodetError(
            label, f"member larger than {opener.limits.max_member_size:,} bytes (the member cap)"
        )
    h = hashlib.sha256()
    small = bytearray() if size <= SMALL and opener.kept + size <= KEEP_BUDGET else None
    if small is not None:
        opener.kept += size
    blocks: list[int] = []
    head = b""
    out = None
    spill = None
    got = 0
    pending = b""
    try:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            if got == 0:
                head = chunk[:64]
                want = keep(head) if callable(keep) else keep
                if want:
                    spill = opener.spill_path(label)
                    out = open(spill, "wb")  # noqa: SIM115 - closed below
            got += len(chunk)
            opener.account(label, len(chunk), packed() if packed else None)
            h.update(chunk)
            if small is not None:
                small += chunk
            else:
                pending += chunk
                while len(pending) >= BLOCK:
                    blocks.append(zlib.crc32(pending[:BLOCK]))
                    pending = pending[BLOCK:]
            if out is not None:
                out.write(chunk)
    finally:
        if out is not None:
            out.close()
    if small is None and pending:
        blocks.append(zlib.crc32(pending))
    return h.hexdigest(), bytes(small) if small is not None else None, spill, blocks, head, got


# ------------------------------------------------------------------ sniffing

ELF_EXEC_TYPES = (2, 3)  # ET_EXEC, ET_DYN
MACHO_MAGICS = {b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe"}
FAT_MAGICS = {b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"}
MH_EXECUTE = 2
FAT_CPU_TYPES = {7, 12, 18}  # x86, arm, powerpc (the 64-bit flag masked off)


def sniff_executable(head: bytes) -> bool:
    """Whether bytes start like an executable: ELF EXEC/DYN, PE (MZ), Mach-O MH_EXECUTE or fat."""
    if head.startswith(b"\x7fELF") and len(head) >= 18:
        big = head[5] == 2
        return int.from_bytes(head[16:18], "big" if big else "little") in ELF_EXEC_TYPES
    if head.startswith(b"MZ"):
        return True
    if head[:4] in MACHO_MAGICS and len(head) >= 16:
        big = head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf")
        return int.from_bytes(head[12:16], "big" if big else "little") == MH_EXECUTE
    if head[:4] in FAT_MAGICS and len(head) >= 12:  # Java class files share the magic: check the first arch
        nfat = int.from_bytes(head[4:8], "big")
        cputype = int.from_bytes(head[8:12], "big") & 0x00FFFFFF
        return 0 < nfat < 20 and cputype in FAT_CPU_TYPES
    return False


def sniff_archive(head: bytes) -> str | None:
    """The archive or compression format of bytes: gzip, zstd, xz, bzip2, zip, ar, rpm, tar, or None."""
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if head[:3] == b"BZh":
        return "bzip2"
    if head[:4] == b"PK\x03\x04" or head[:4] == b"PK\x05\x06":
        return "zip"
    if head[:8] == b"!<arch>\n":
        return "ar"
    if head[:4] == b"\xed\xab\xee\xdb":
        return "rpm"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


NESTED_SUFFIXES = (
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.zst",
    ".tar.xz",
    ".txz",
    ".tar.bz2",
    ".tbz2",
    ".zip",
    ".whl",
    ".jar",
    ".deb",
    ".udeb",
    ".rpm",
    ".apk",
    ".oci",
    ".crate",
)


def wants_nested(path: str, head: bytes) -> bool:
    """Whether a member is an archive godet opens recursively (by name and by magic)."""
    return path.lower().endswith(NESTED_SUFFIXES) and sniff_archive(head) is not None


def open_nested_members(
    src: Source,
    opener: Opener,
    label: str,
    sep: str,
    depth: int,
    open_nested: Callable[..., Source] | None,
    wanted: Callable[[Member], bool] | None = None,
) -> None:
    """Open the members of ``src`` that are archives themselves (one level deeper, within the depth
    cap); a member that cannot be opened keeps the problem as its error."""
    if open_nested is None or depth >= opener.limits.max_depth:
        return
    for m in src.members.values():
        if not m.spill or not (wanted(m) if wanted is not None else wants_nested(m.path, m.head)):
            continue
        try:
            m.nested = open_nested(opener, m.spill, f"{label}{sep}{m.path}", depth + 1)
        except GodetError as e:
            m.error = e.problem


def safe_name(name: str) -> str | None:
    """The normalised relative path of an archive name, or None when it escapes the tree."""
    if "\x00" in name or name.startswith("/"):
        return None
    parts: list[str] = []
    for p in name.replace("\\", "/").split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            return None
        parts.append(p)
    return "/".join(parts)


def is_tree_input(path: str) -> bool:
    """Whether ``path`` is compared as a tree: a directory, or a regular file that is an archive,
    a package or an image (anything else goes to the single-binary diff, with its own errors)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return False
    if stat.S_ISDIR(st.st_mode):
        return True
    if not stat.S_ISREG(st.st_mode):
        return False  # never open a FIFO or a device here
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            head = f.read(512)
    except OSError:
        return False
    return not sniff_executable(head) and sniff_archive(head) is not None
