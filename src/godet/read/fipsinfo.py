"""The linker's FIPS 140 record, ``go:fipsinfo`` (Go 1.24+).

When a program links ``crypto/internal/fips140/check``, the linker fills the symbol
``go:fipsinfo`` (``check.Linkinfo``) with::

    Magic [16]byte   "\\xff Go fipsinfo \\xff\\x00"
    Sum   [32]byte   HMAC-SHA256 of the FIPS module's code and data, computed after layout
    Self  uintptr    the address of the record itself
    Sects [4]struct{Start, End uintptr}   FIPS text, rodata, noptrdata, data

(``cmd/link/internal/ld/fips140.go``). The sum covers the module's bytes as laid out, relocated
addresses included, so it changes whenever the module's code or data change or move.

The record lives in ``.go.fipsinfo`` (ELF) and ``__go_fipsinfo`` (Mach-O); PE merges it into
``.data``. It is found by its magic, and a hit counts only when ``Self`` is the hit's own address,
so a copy of the magic elsewhere (the check's comparison literal) is never taken for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from godet.read.image import Image, Section

MAGIC = b"\xff Go fipsinfo \xff\x00"
SUM_SIZE = 32
SECT_NAMES = ("text", "rodata", "noptrdata", "data")


@dataclass(frozen=True)
class FipsInfo:
    """The ``go:fipsinfo`` record: where it is (an offset in ``image.data``), its sum and ranges."""

    offset: int
    addr: int
    sum: bytes
    sects: tuple[tuple[int, int], ...]  # (start, end) virtual addresses, in SECT_NAMES order

    @property
    def sum_offset(self) -> int:
        return self.offset + len(MAGIC)


def record_size(ptr_size: int) -> int:
    """Bytes of the record: magic, sum, then Self and four (start, end) pairs of pointer words."""
    return len(MAGIC) + SUM_SIZE + 9 * ptr_size


def read_fipsinfo(image: Image) -> FipsInfo | None:
    """The ``go:fipsinfo`` record, or None when the program has no FIPS module (or is pre-1.24)."""
    sect = image.section_for("fipsinfo")
    candidates = [sect] if sect is not None else []
    candidates += [s for s in image.sections if s.alloc and s.writable and s.size and s is not sect]
    for s in candidates:
        found = _in_section(image, s)
        if found is not None:
            return found
    return None


def _in_section(image: Image, s: Section) -> FipsInfo | None:
    """The record inside section ``s``: a magic whose Self word is its own address."""
    word = image.ptr_size
    size = record_size(word)
    view = image.view
    start, end = max(s.offset, 0), min(s.offset + s.size, image.size)
    at = image.find(MAGIC, start, end)
    while at >= 0 and at + size <= end:
        addr = s.addr + (at - s.offset)
        base = at + len(MAGIC) + SUM_SIZE
        words = [view.int(base + i * word, word) for i in range(9)]
        if words[0] == addr:
            sum_ = bytes(image.data[at + len(MAGIC) : base])
            sects = tuple((words[1 + 2 * i], words[2 + 2 * i]) for i in range(4))
            return FipsInfo(at, addr, sum_, sects)
        at = image.find(MAGIC, at + 1, end)
    return None
