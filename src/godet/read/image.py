"""The container layer: open a file read-only, map it, recognise ELF / PE / Mach-O, list sections.

Everything later works on an :class:`Image`: mapped bytes plus a uniform table of sections and
segments. The per-format modules (:mod:`godet.read.elf`, :mod:`godet.read.pe`,
:mod:`godet.read.macho`) fill it in.
"""

from __future__ import annotations

import errno
import mmap
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from godet.errors import CorruptBinary, FormatError, NotAnExecutable, UnreadableFile
from godet.read.bytesview import ByteView

ELF_MAGIC = b"\x7fELF"
PE_MAGIC = b"MZ"
MACHO_MAGICS = {
    b"\xfe\xed\xfa\xce",
    b"\xce\xfa\xed\xfe",
    b"\xfe\xed\xfa\xcf",
    b"\xcf\xfa\xed\xfe",
}
FAT_MAGICS = {b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"}


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
    format: str  # "elf" | "pe" | "macho"
    arch: str  # GOARCH spelling: amd64, arm64, 386, arm, riscv64, ppc64le, s390x, ...
    os: str  # best guess from the container: linux, windows, darwin, freebsd, ...
    big_endian: bool
    ptr_size: int
    sections: tuple[Section, ...] = ()
    segments: tuple[Segment, ...] = ()
    kind: str = ""  # ELF e_type (EXEC, DYN), PE subsystem, Mach-O filetype
    header: dict[str, Any] = field(default_factory=dict)  # format-specific header facts
    slice_offset: int = 0  # offset of this image in the file (fat Mach-O slices)
    native: Any = None  # the backing parser object (pyelftools ELFFile, lief Binary)
    mm: Any = None  # the whole file's mmap (for fast substring search); set by open_images

    def find(self, needle: bytes, start: int = 0, end: int | None = None) -> int:
        """Offset of ``needle`` in this image within [start, end), or -1 (no copy of the file)."""
        end = self.size if end is None else min(end, self.size)
        if self.mm is None:
            hit = bytes(self.data[start:end]).find(needle)
            return hit + start if hit >= 0 else -1
        base = self.slice_offset
        hit = self.mm.find(needle, base + max(start, 0), base + end)
        return hit - base if hit >= 0 else -1

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def view(self) -> ByteView:
        return ByteView(self.data, self.big_endian)

    def section(self, *names: str) -> Section | None:
        """The first section whose name (or ``segment,name`` key) is one of ``names``."""
        for name in names:
            for s in self.sections:
                if s.name == name or s.key == name:
                    return s
        return None

    def section_bytes(self, section: Section) -> memoryview:
        """The section's bytes in the file, clamped to the file (a truncated file gives fewer)."""
        start = min(max(section.offset, 0), self.size)
        end = min(section.offset + section.size, self.size)
        return self.data[start:end]

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

    def read_va(self, addr: int, length: int) -> bytes | None:
        """``length`` bytes at virtual address ``addr``, or None if unmapped or truncated."""
        off = self.va_to_offset(addr)
        if off is None or length < 0 or off + length > self.size:
            return None
        return bytes(self.data[off : off + length])

    def iter_sections(self, alloc_only: bool = False) -> Iterator[Section]:
        for s in self.sections:
            if not alloc_only or s.alloc:
                yield s


class MappedFile:
    """A file opened read-only and memory-mapped; closes cleanly (views must be released first)."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            if os.path.isdir(path):
                raise UnreadableFile(path, "is a directory")
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            raise UnreadableFile(path, "no such file") from None
        except PermissionError:
            raise UnreadableFile(path, "permission denied") from None
        except OSError as e:
            raise UnreadableFile(path, e.strerror or str(e)) from None
        try:
            st = os.fstat(fd)
            import stat

            if not stat.S_ISREG(st.st_mode):
                raise UnreadableFile(path, "not a regular file")
            if st.st_size == 0:
                raise NotAnExecutable(path, "empty file")
            try:
                self.mm = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
            except OSError as e:
                if e.errno == errno.ENOMEM:
                    raise UnreadableFile(path, "too large to map into memory") from None
                raise UnreadableFile(path, f"cannot map: {e.strerror or e}") from None
        finally:
            os.close(fd)
        self.data = memoryview(self.mm)
        self.size = len(self.mm)

    def close(self) -> None:
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


def sniff(head: bytes) -> str | None:
    """The container format of a file from its first bytes: elf, pe, macho, fat, or None."""
    if head.startswith(ELF_MAGIC):
        return "elf"
    if head.startswith(PE_MAGIC):
        return "pe"
    if head[:4] in MACHO_MAGICS:
        return "macho"
    if head[:4] in FAT_MAGICS:
        return "fat"
    return None


def open_images(mapped: MappedFile) -> list[Image]:
    """Recognise the container and return its image(s): one, or one per fat Mach-O slice."""
    path = mapped.path
    kind = sniff(bytes(mapped.data[:8]))
    if kind is None:
        raise NotAnExecutable(path, "not an executable (no ELF, PE or Mach-O header)")
    try:
        if kind == "elf":
            from godet.read import elf

            images = [elf.open_elf(path, mapped.data, mapped.mm)]
        elif kind == "pe":
            from godet.read import pe

            images = [pe.open_pe(path, mapped.data)]
        else:
            from godet.read import macho

            images = macho.open_macho(path, mapped.data, fat=(kind == "fat"))
        for im in images:
            im.mm = mapped.mm
        return images
    except (FormatError, ValueError, KeyError, IndexError, EOFError, OverflowError, MemoryError) as e:
        raise CorruptBinary(path, f"malformed {kind.upper() if kind != 'macho' else 'Mach-O'} file: {e}") from None
