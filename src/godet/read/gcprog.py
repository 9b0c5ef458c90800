"""The GC programs of a Go program's data and bss sections, found without symbols.

The linker describes where the pointers of ``.data`` and ``.bss`` lie with two GC programs
(``runtime.gcdata`` and ``runtime.gcbss``, in read-only data), compressed bit masks that
``runtime/mbitmap.go`` (``runGCProg``) runs at start-up. moduledata points at both (the words
``gcdata`` and ``gcbss``, after ``data, edata, bss, ebss, noptrbss, enoptrbss``, since Go 1.20
``covctrs, ecovctrs``, and ``end``: pclntab.Layout declares the word of each). A program is a
sequence of instructions:

- ``0nnnnnnn`` then ``ceil(n / 8)`` bytes: ``n`` literal bits (``n == 0`` ends the program);
- ``1nnnnnnn`` then, when ``n == 0``, a varint ``n``, and a varint count: repeat the last ``n``
  bits ``count`` times.

They are derived from the layout of the program's variables: a variable added, dropped, moved or
resized changes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from godet.read.image import Image
from godet.read.pclntab import Pclntab, moduledata_words

MAX_PROGRAM = 1 << 24  # bytes a GC program is read for at most


@dataclass(frozen=True, slots=True)
class GcProgram:
    """One GC program: what it describes ("data" or "bss") and where it is."""

    what: str
    addr: int
    size: int


def gc_programs(image: Image, tab: Pclntab | None) -> list[GcProgram]:
    """The GC programs moduledata points at, each checked: the data and bss ranges before them lie in
    writable sections in order, and each program ends inside read-only data. [] when unknown."""
    if tab is None:
        return []
    first = tab.layout.moduledata_text_word + 4  # moduledata.data (after text, etext, noptrdata, enoptrdata)
    last = tab.layout.moduledata_gcdata_word + 2
    words = moduledata_words(image, tab, first, last - first)
    if words is None:
        return []
    data, edata, bss, ebss = words[0], words[1], words[2], words[3]
    gcdata, gcbss = words[-2], words[-1]
    if not (0 < data <= edata <= bss <= ebss) or not _writable(image, data, edata):
        return []
    out = []
    for what, addr in (("data", gcdata), ("bss", gcbss)):
        size = program_size(image, addr) if addr and not _writable(image, addr, addr + 1) else None
        if size is None:
            return []
        out.append(GcProgram(what, addr, size))
    return out


def _writable(image: Image, lo: int, hi: int) -> bool:
    """Whether [lo, hi) lies in one writable section (an empty range: at its start or end)."""
    return any(s.writable and s.addr <= lo and hi <= s.addr + max(s.size, s.mem_size) for s in image.sections)


def program_size(image: Image, addr: int) -> int | None:
    """Bytes of the GC program at ``addr``, its final 0 included; None when it runs off the image
    or past MAX_PROGRAM."""
    off = image.va_to_offset(addr)
    if off is None:
        return None
    data = image.data
    end = min(len(data), off + MAX_PROGRAM)
    p = off

    def byte() -> int:
        nonlocal p
        if p >= end:
            raise IndexError
        b = data[p]
        p += 1
        return b

    def varint() -> int:
        n, shift = 0, 0
        while True:
            b = byte()
            n |= (b & 0x7F) << shift
            if not b & 0x80:
                return n
            shift += 7
            if shift > 63:
                raise IndexError

    try:
        while True:
            inst = byte()
            n = inst & 0x7F
            if not inst & 0x80:
                if n == 0:
                    return p - off
                p += (n + 7) // 8  # literal bits
                if p > end:
                    return None
                continue
            if n == 0:
                varint()
            varint()  # the repeat count
    except IndexError:
        return None
