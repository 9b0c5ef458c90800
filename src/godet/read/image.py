"""The container layer: open a file read-only, map it, recognise its format, list sections.

Everything later works on an :class:`Image`: mapped bytes plus a uniform table of sections and
segments. Each executable format is one :class:`ExecutableFormat` in its own module
(:mod:`godet.read.elf`, :mod:`godet.read.pe`, :mod:`godet.read.macho`), listed once in the registry
(:mod:`godet.read.formats`): it recognises its files, opens them, names the sections that play each
:data:`ROLES` role, and reads what is read differently per format (symbols, linkage, build IDs).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import mmap
import os
import stat
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from godet.errors import CorruptBinary, FormatError, NotAnExecutable, UnreadableFile
from godet.read.bytesview import ByteView

if TYPE_CHECKING:
    from godet.read.buildid import GnuBuildID, GoBuildID
    from godet.read.fixups import Rebases
    from godet.read.linkage import Linkage
    from godet.read.symbols import SymbolTable

# Hashing streams at ~1 GB/s: above this size the file is not hashed (a sparse multi-GB file would
# otherwise take most of the time budget, and no Go executable comes near it).
MAX_HASH_SIZE = 2 << 30
FIND_WINDOW = 16 << 20  # bytes searched at a time by Image.find (then released from the resident set)
_OPEN_FLAGS = (
    getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_KINDS = (
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
)


def _require_regular(path: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    for test, problem in _KINDS:
        if test(mode):
            raise UnreadableFile(path, problem)
    raise UnreadableFile(path, "not a regular file")


def _os_error(path: str, e: OSError) -> UnreadableFile:
    """The one-line problem for an OSError from stat/open."""
    if isinstance(e, FileNotFoundError):
        return UnreadableFile(path, "no such file")
    if isinstance(e, PermissionError):
        return UnreadableFile(path, "permission denied")
    if e.errno == errno.ELOOP:
        return UnreadableFile(path, "too many levels of symbolic links")
    if e.errno == errno.ENOTDIR:
        return UnreadableFile(path, "a component of the path is not a directory")
    text = (e.strerror or str(e)).strip()
    return UnreadableFile(path, text.splitlines()[0] if text else "cannot open")


def _dontneed(mm: Any, lo: int, hi: int) -> None:
    """Drop the resident pages of [lo, hi) of a read-only file mapping (they stay in the page cache)."""
    if not hasattr(mm, "madvise") or not hasattr(mmap, "MADV_DONTNEED"):
        return
    lo -= lo % mmap.PAGESIZE
    if hi > lo:
        with contextlib.suppress(OSError, ValueError):  # advice is advice: a refusal changes nothing
            mm.madvise(mmap.MADV_DONTNEED, lo, hi - lo)


@dataclass(frozen=True, slots=True)
class Section:
    """One section: where its bytes are in the file and where it is loaded."""

    name: str
    offset: int
    size: int
    addr: int
    mem_size: int
    alloc: bool = True
    writable: bool = False
    executable: bool = False
    compressed: bool = False
    segment: str = ""

    @property
    def key(self) -> str:
        """The name two builds' sections are paired by (Mach-O names are per segment)."""
        return f"{self.segment},{self.name}" if self.segment else self.name

    @property
    def end(self) -> int:
        return self.offset + self.size

    @property
    def in_file(self) -> bool:
        return self.size > 0


@dataclass(frozen=True, slots=True)
class Segment:
    """A loadable range (ELF PT_LOAD, Mach-O segment, PE section as mapped)."""

    name: str
    offset: int
    file_size: int
    addr: int
    mem_size: int
    readable: bool = True
    writable: bool = False
    executable: bool = False


@dataclass
class Image:
    """One executable image (a fat Mach-O file yields one per slice) over mapped bytes."""

    path: str
    data: memoryview
    format: str  # the key of its ExecutableFormat (Image.fmt)
    arch: str  # GOARCH spelling: amd64, arm64, 386, arm, riscv64, ppc64le, s390x, ...
    os: str  # best guess from the container: linux, windows, darwin, freebsd, ...
    big_endian: bool
    ptr_size: int
    sections: tuple[Section, ...] = ()
    segments: tuple[Segment, ...] = ()
    kind: str = ""  # ELF e_type (EXEC, DYN), PE subsystem, Mach-O filetype
    header: dict[str, Any] = field(default_factory=dict)  # the format's header facts (ElfHeader, ...)
    slice_offset: int = 0  # offset of this image in the file (fat Mach-O slices)
    native: Any = None  # the backing parser object (pyelftools ELFFile, lief Binary)
    mm: Any = None  # the whole file's mmap (for fast substring search); set by open_images
    memo: dict[Any, Any] = field(default_factory=dict)  # derived bytes computed once (decompressed sections)
    extents: tuple[tuple[int, int], ...] | None = (
        None  # data (not holes) of a sparse file; set by open_images
    )

    def release(self, start: int = 0, end: int | None = None) -> None:
        """Drop the resident pages of this image's bytes in [start, end) from the process (they stay
        in the page cache and fault back in when read again): a pass over a 100 MB file then does not
        leave 100 MB counted as godet's memory. The mapping is read-only, so nothing is lost."""
        if self.mm is not None:
            hi = len(self.data) if end is None else min(end, len(self.data))
            _dontneed(self.mm, self.slice_offset + start, self.slice_offset + hi)

    def find(self, needle: bytes, start: int = 0, end: int | None = None) -> int:
        """Offset of ``needle`` in this image within [start, end), or -1 (no copy of the file).

        In a sparse file only the extents that hold data are searched (a hole reads as zeros, so
        a needle with a non-zero byte cannot lie in one): a 5 GiB ``truncate``d file is not read.
        """
        end = self.size if end is None else min(end, self.size)
        if self.mm is None:
            hit = bytes(self.data[start:end]).find(needle)
            return hit + start if hit >= 0 else -1
        base = self.slice_offset
        lo, hi = base + max(start, 0), base + end
        if self.extents is None or not needle.strip(b"\0"):
            hit = self._find_released(needle, lo, hi)
            return hit - base if hit >= 0 else -1
        reach = len(needle) - 1  # a needle may start before or end after an extent in zero bytes
        for e0, e1 in self.extents:
            a, b = max(lo, e0 - reach), min(hi, e1 + reach)
            if b - a < len(needle):
                continue
            hit = self._find_released(needle, a, b)
            if hit >= 0:
                return hit - base
        return -1

    def _find_released(self, needle: bytes, lo: int, hi: int) -> int:
        """``mm.find`` over [lo, hi) a window at a time, each window's pages released after it was
        searched: a search through a whole 100 MB file does not leave it all resident."""
        step = FIND_WINDOW
        while lo < hi:
            w = min(hi, lo + step)
            hit = self.mm.find(needle, lo, min(hi, w + len(needle) - 1))
            if w - lo >= step:
                _dontneed(self.mm, lo, w)
            if hit >= 0:
                return hit
            lo = w
        return -1

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def view(self) -> ByteView:
        return ByteView(self.data, self.big_endian)

    @property
    def fmt(self) -> ExecutableFormat:
        """The executable format of this image (its entry in the registry)."""
        from godet.read.formats import by_key

        return by_key(self.format)

    def section(self, *names: str) -> Section | None:
        """The first section whose name (or ``segment,name`` key) is one of ``names``."""
        for name in names:
            for s in self.sections:
                if s.name == name or s.key == name:
                    return s
        return None

    def section_for(self, *roles: str) -> Section | None:
        """The first section playing one of ``roles`` (see :data:`ROLES`), in the format's order."""
        return self.section(*self.fmt.names(*roles))

    def section_bytes(self, section: Section) -> memoryview:
        """The section's bytes in the file, clamped to the file (a truncated file gives fewer)."""
        start = min(max(section.offset, 0), self.size)
        end = min(section.offset + section.size, self.size)
        return self.data[start:end]

    def section_loaded(self, section: Section) -> memoryview | bytes:
        """``section_bytes`` as the program sees them once loaded (:meth:`loaded`)."""
        start = min(max(section.offset, 0), self.size)
        return self.loaded(start, min(section.offset + section.size, self.size))

    def section_at(self, offset: int) -> Section | None:
        """The section whose file bytes contain ``offset``."""
        for s in self.sections:
            if s.size and s.offset <= offset < s.offset + s.size:
                return s
        return None

    def va_to_offset(self, addr: int) -> int | None:
        """Translate a virtual address to a file offset, or None when not backed by the file."""
        for seg in self.segments:
            if seg.file_size and seg.addr <= addr < seg.addr + seg.file_size:
                off = seg.offset + (addr - seg.addr)
                return off if off < self.size else None
        for s in self.sections:
            if s.size and s.alloc and s.addr <= addr < s.addr + s.size:
                off = s.offset + (addr - s.addr)
                return off if off < self.size else None
        return None

    def zero_filled(self, addr: int, length: int) -> bool:
        """Whether ``length`` bytes at ``addr`` lie in a segment's memory past its file bytes
        (.bss and the like: memory the loader fills with zeros)."""
        for seg in self.segments:
            if seg.addr + seg.file_size <= addr and addr + length <= seg.addr + seg.mem_size:
                return True
        return False

    def read_va(self, addr: int, length: int) -> bytes | None:
        """``length`` bytes at virtual address ``addr`` as the program sees them once loaded
        (:meth:`loaded`), or None if unmapped or truncated."""
        off = self.va_to_offset(addr)
        if off is None or length < 0 or off + length > self.size:
            return None
        return bytes(self.loaded(off, off + length))

    @property
    def rebases(self) -> Rebases | None:
        """The format's rebased pointers (ExecutableFormat.read_rebases), read once."""
        if "rebases" not in self.memo:
            self.memo["rebases"] = self.fmt.read_rebases(self)
        return self.memo["rebases"]

    def loaded(self, start: int, end: int) -> memoryview | bytes:
        """The file bytes [start, end) with every rebased pointer among them as the loader writes
        it: what readers of pointers (string headers, moduledata) want; the file's own bytes (no
        copy) when nothing there is rebased. Comparisons read ``data``, the bytes as shipped."""
        raw = self.data[start:end]
        rb = self.rebases
        if rb is None or not len(rb):
            return raw
        import numpy as np  # (only for files with rebased pointers)

        lo = int(np.searchsorted(rb.offsets, start - 7))
        hi = int(np.searchsorted(rb.offsets, end))
        if lo >= hi:
            return raw
        buf = bytearray(raw)
        pos, vals = rb.offsets[lo:hi] - start, rb.values[lo:hi]
        inside = (pos >= 0) & (pos + 8 <= len(buf))
        if inside.any():
            arr = np.frombuffer(buf, dtype=np.uint8)
            cols = pos[inside][:, None] + np.arange(8)[None, :]
            arr[cols] = vals[inside].astype("<u8").view(np.uint8).reshape(-1, 8)
        for p, val in zip(pos[~inside].tolist(), vals[~inside].tolist(), strict=True):
            word = int(val).to_bytes(8, "little")
            for k in range(8):
                if 0 <= p + k < len(buf):
                    buf[p + k] = word[k]
        return bytes(buf)

    def iter_sections(self, alloc_only: bool = False) -> Iterator[Section]:
        for s in self.sections:
            if not alloc_only or s.alloc:
                yield s


MAX_EXTENTS = 4096
SPARSE_MIN = 64 << 20  # smaller files are searched as they are


def _data_extents(fd: int, size: int) -> tuple[tuple[int, int], ...] | None:
    """The (start, end) ranges of a large file that hold data (SEEK_DATA/SEEK_HOLE), when it has
    holes; None for a dense or small file, or when the file system cannot tell."""
    if size < SPARSE_MIN or not hasattr(os, "SEEK_DATA"):
        return None
    out: list[tuple[int, int]] = []
    pos = 0
    try:
        while pos < size and len(out) < MAX_EXTENTS:
            try:
                start = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError as e:
                if e.errno == errno.ENXIO:  # no data past pos
                    break
                raise
            end = os.lseek(fd, start, os.SEEK_HOLE)
            out.append((start, min(end, size)))
            pos = end
    except OSError:
        return None
    if len(out) >= MAX_EXTENTS or sum(e - s for s, e in out) >= size:
        return None  # dense (or too fragmented to be worth it)
    return tuple(out)


class MappedFile:
    """A file opened read-only and memory-mapped; closes cleanly (views must be released first).

    Only regular files are opened, and never in a way that can block (a FIFO named on the command
    line would wait forever for a writer): the path is checked first, opened non-blocking, and
    checked again on the descriptor.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            st = os.stat(path)  # a symlink named by the user is followed
        except OSError as e:
            raise _os_error(path, e) from None
        except ValueError:  # an embedded NUL
            raise UnreadableFile(path, "not a valid path") from None
        _require_regular(path, st.st_mode)
        try:
            fd = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
        except OSError as e:
            raise _os_error(path, e) from None
        try:
            st = os.fstat(fd)
            _require_regular(path, st.st_mode)
            if st.st_size == 0:
                raise NotAnExecutable(path, "empty file")
            try:
                self.mm = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
            except (OSError, OverflowError, ValueError) as e:
                if getattr(e, "errno", None) == errno.ENOMEM or isinstance(e, OverflowError):
                    raise UnreadableFile(path, "too large to map into memory") from None
                raise UnreadableFile(path, f"cannot map: {getattr(e, 'strerror', None) or e}") from None
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd  # kept for hashing: the same file, not whatever the path names by then
        self.data = memoryview(self.mm)
        self.size = len(self.mm)
        self.extents = _data_extents(fd, self.size)

    def sha256(self) -> str:
        """SHA-256 of the file, streamed through a small buffer (the mapping is not touched, so a
        huge file does not become resident memory); "" for a file above MAX_HASH_SIZE, which godet
        never reads whole."""
        if self.size > MAX_HASH_SIZE:
            return ""
        h = hashlib.sha256()
        buf = bytearray(1 << 20)
        view = memoryview(buf)
        pos = 0
        while pos < self.size:
            n = os.preadv(self.fd, [view[: min(len(buf), self.size - pos)]], pos)
            if not n:
                break
            h.update(view[:n])
            pos += n
        return h.hexdigest()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        try:
            self.data.release()
            self.mm.close()
        except (BufferError, ValueError):
            # A view still refers to the map; the OS reclaims it when the process ends.
            pass

    def __enter__(self) -> MappedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------------------ executable formats

#: What a section is for, whatever its name in one format (ExecutableFormat.roles maps each role a
#: format has to its section names, or ``segment,name`` keys, in lookup order).
ROLES: Mapping[str, str] = {
    "text": "the Go code (where PE and Mach-O keep the text build ID header)",
    "rodata": "read-only data: string literals, tables",
    "cstring": "C string literals",
    "relro": "data read-only after relocation",
    "data": "initialised writable data",
    "noptrdata": "writable data without pointers (the GC does not scan it)",
    "bss": "zero-initialised writable data (no bytes in the file)",
    "go-type": "Go type descriptors, when the linker splits them out",
    "go-func": "Go func descriptors, when the linker splits them out",
    "go-module": "the module data (runtime.firstmoduledata)",
    "moduledata": "where the module data is looked for, in order",
    "pclntab": "the pc-line table, as the Go linker places it",
    "pclntab-relro": "the pc-line table moved into relro (external PIE link)",
    "buildinfo": "the buildinfo blob (debug/buildinfo's first place to look)",
    "fipsinfo": "the linker's FIPS 140 module record (go:fipsinfo, Go 1.24+)",
    "go-buildid-note": "the Go build ID note",
    "gnu-buildid-note": "the GNU build ID note",
    "symtab": "the static symbol table section",
    "link-tables": "the linker's tables of type and itab offsets (and the old Go symbol table), which "
    "follow the code",
    "comment": "the C toolchain's identification strings",
    "debug-prefix": "name prefix of DWARF sections",
    "zdebug-prefix": "name prefix of zlib-compressed DWARF sections (with a ZLIB header)",
    "debug-segment": "the segment holding the DWARF sections",
}


class Mapped(Protocol):
    """What a format opens: a :class:`MappedFile`, or anything with its path, bytes and map."""

    path: str
    data: memoryview
    mm: Any


class ExecutableFormat(ABC):
    """One executable format: how to recognise and open it, and what differs per format.

    A new format is one module with a subclass, plus one line in :mod:`godet.read.formats`. The
    defaults are those of a format with nothing but sections: the Go build ID from the text
    header, no symbol table, no GNU build ID, linkage unknown.
    """

    key: ClassVar[str]  # Image.format and the "format" value in JSON
    name: ClassVar[str]  # the name reports show
    roles: ClassVar[Mapping[str, tuple[str, ...]]] = {}  # role (see ROLES) -> section names or keys
    section_name_limit: ClassVar[int | None] = None  # longer names are cut to this many bytes
    static_by_default: ClassVar[bool] = False  # Go links without system libraries unless told
    uuid_required: ClassVar[bool] = False  # the loader refuses an executable without a UUID

    @abstractmethod
    def recognise(self, head: bytes) -> bool:
        """Whether a file starting with ``head`` (at least 8 bytes when the file has them) is ours."""

    @abstractmethod
    def open(self, mapped: Mapped) -> list[Image]:
        """The image(s) in the file (FormatError when malformed)."""

    def label(self, head: bytes) -> str:
        """How an error names a file of this format that starts with ``head``."""
        return self.name

    def names(self, *roles: str) -> tuple[str, ...]:
        """The section names (or ``segment,name`` keys) playing ``roles``, in lookup order."""
        out: list[str] = []
        for role in roles:
            if role not in ROLES:
                raise KeyError(f"unknown section role {role!r}")
            out.extend(self.roles.get(role, ()))
        return tuple(out)

    def read_symbols(self, image: Image) -> SymbolTable:
        """The static symbol table (``SymbolTable.absent()`` when the format has none)."""
        from godet.read.symbols import SymbolTable

        return SymbolTable.absent()

    def read_linkage(self, image: Image) -> Linkage:
        """The dynamic-linkage facts (``Linkage.unknown()`` when the format says nothing)."""
        from godet.read.linkage import Linkage

        return Linkage.unknown()

    def read_go_build_id(self, image: Image) -> GoBuildID | None:
        """The Go build ID: the text header near the start of the file (cmd/internal/buildid)."""
        from godet.read.buildid import read_text_build_id

        return read_text_build_id(image, 0)

    def read_gnu_build_id(self, image: Image) -> GnuBuildID | None:
        """The GNU build ID (ELF only)."""
        return None

    def read_rebases(self, image: Image) -> Rebases | None:
        """Pointers whose file bytes are not what the loader writes there (Mach-O chained fixups);
        None when the file's bytes are the loaded ones (Go's own linker, ELF's and PE's relocations
        beside their words)."""
        return None

    def buildinfo_section(self, image: Image) -> Section | None:
        """The section debug/buildinfo searches first (go-binary-formats.md §2.7)."""
        return image.section_for("buildinfo")

    def section_contents(self, image: Image, section: Section) -> memoryview:
        """The bytes of ``section`` that hold its contents (without the format's padding)."""
        return image.section_bytes(section)

    def compression_header(self, image: Image, raw: memoryview, section: Section) -> tuple[int, int] | None:
        """(decompressed size, header size) when ``section`` is compressed the format's own way."""
        return None

    def __repr__(self) -> str:
        return f"<{self.name} format>"


def open_images(mapped: Mapped) -> list[Image]:
    """Recognise the container and return its image(s): one, or one per fat Mach-O slice."""
    from godet.read.formats import FORMATS, recognise

    path = mapped.path
    head = bytes(mapped.data[:8])
    fmt = recognise(head)
    if fmt is None:
        names = [f.name for f in FORMATS]
        raise NotAnExecutable(path, f"not an executable (no {', '.join(names[:-1])} or {names[-1]} header)")
    try:
        images = fmt.open(mapped)
    except FormatError as e:
        # The container readers bounds-check every read (ByteView): any other exception is a bug,
        # and is left to surface rather than be disguised as a malformed file.
        raise CorruptBinary(path, f"malformed {fmt.label(head)} file: {e}") from None
    for im in images:
        im.mm = mapped.mm
        im.extents = getattr(mapped, "extents", None)
    return images
