"""Mach-O chained fixups: the pointers ld64 (Xcode 13+) leaves for dyld to rebase, as dyld would.

With ``LC_DYLD_CHAINED_FIXUPS`` a pointer in the data segments is not an address in the file: its
bits hold the target (a 36-bit address or offset from the image base), the distance to the next
fixup of its page, and whether it is a bind (an imported symbol). Readers of Go's tables (string
headers, moduledata, buildinfo's pointers) want the address the program sees once loaded:
:func:`read_rebases` walks every page's chain (all pages at once, a step per link) and returns where
each fixup lies in the file and the value dyld writes there (0 for a bind: the imported symbol's
address is not known until load).

Layouts (dyld's mach-o/fixup-chains.h): the header {fixups_version, starts_offset, imports_offset,
symbols_offset, imports_count, imports_format, symbols_format}; the starts in image {seg_count,
seg_info_offset[]} (one per LC_SEGMENT, in load-command order; 0: no fixups); the starts in segment
{size, page_size, pointer_format, segment_offset, max_valid_pointer, page_count, page_start[]}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from godet.errors import FormatError
from godet.read.bytesview import ByteView
from godet.read.image import Image

# pointer formats of 64-bit pointers whose rebase target is an address (PTR_64) or an offset from
# the image base (PTR_64_OFFSET); both put next (x4 bytes) in bits 51..62 and bind in bit 63. The
# arm64e formats (pointer authentication) and the 32-bit ones are not Go's targets.
PTR_64, PTR_64_OFFSET = 2, 6
FORMATS = (PTR_64, PTR_64_OFFSET)
START_NONE = 0xFFFF  # a page without fixups
STRIDE = 4  # bytes per unit of ``next`` in the 64-bit formats
MAX_SEGMENTS = 64
MAX_PAGES = 1 << 20


@dataclass(frozen=True)
class Rebases:
    """File offsets (sorted) of the image's fixups and the 8-byte value each holds once loaded."""

    offsets: np.ndarray  # int64
    values: np.ndarray  # uint64

    def __len__(self) -> int:
        return len(self.offsets)


def read_rebases(image: Image) -> Rebases | None:
    """The image's chained fixups decoded; None without them, in a format not read here or
    malformed (the file's bytes then stand for themselves: readers of pointers find less)."""
    try:
        return _read(image)
    except FormatError:
        return None


def _read(image: Image) -> Rebases | None:
    where = image.header.get("chained_fixups")
    if not where or image.ptr_size != 8 or image.big_endian:
        return None
    dataoff, datasize = where
    if dataoff + datasize > image.size or datasize < 28:
        return None
    v = ByteView(image.data[dataoff : dataoff + datasize])
    starts = v.u32(4)
    if starts + 4 > datasize:
        return None
    nseg = min(v.u32(starts), MAX_SEGMENTS, len(image.segments))
    base = _image_base(image)
    offs: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for i in range(nseg):
        if starts + 4 + 4 * (i + 1) > datasize:
            break
        info = v.u32(starts + 4 + 4 * i)
        if not info:
            continue
        pos = starts + info
        if pos + 22 > datasize:
            break
        page_size, fmt = v.u16(pos + 4), v.u16(pos + 6)
        page_count = v.u16(pos + 20)
        if fmt not in FORMATS or not page_size or pos + 22 + 2 * page_count > datasize:
            continue
        pages = np.frombuffer(v.buf, dtype="<u2", count=page_count, offset=pos + 22).astype(np.int64)
        seg = image.segments[i]
        first = np.flatnonzero(pages != START_NONE)
        heads = seg.offset + first * page_size + pages[first]
        o, w = _walk(image, heads, seg.offset + seg.file_size)
        offs.append(o)
        vals.append(_decode(w, fmt, base))
    if not offs:
        return None
    o, w = np.concatenate(offs), np.concatenate(vals)
    order = np.argsort(o, kind="stable")
    return Rebases(o[order], w[order])


def _image_base(image: Image) -> int:
    """The address of the Mach-O header: the segment that maps the start of the file."""
    return next((s.addr for s in image.segments if s.offset == 0 and s.file_size), 0)


def _walk(image: Image, heads: np.ndarray, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Every fixup of the chains starting at file offsets ``heads`` (each ending in its segment at
    ``end``): all chains a link at a time."""
    words = np.frombuffer(image.data, dtype=np.uint8)
    limit = min(end, image.size) - 8
    offs, vals = [], []
    cur = heads[(heads >= 0) & (heads <= limit)]
    for _ in range(MAX_PAGES):
        if not len(cur):
            break
        w = _u64(words, cur)
        offs.append(cur)
        vals.append(w)
        step = ((w >> np.uint64(51)) & np.uint64(0xFFF)).astype(np.int64) * STRIDE
        nxt = cur + step
        cur = nxt[(step > 0) & (nxt <= limit)]
    if not offs:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64)
    return np.concatenate(offs), np.concatenate(vals)


def _u64(words: np.ndarray, at: np.ndarray) -> np.ndarray:
    cols = at[:, None] + np.arange(8)[None, :]
    return np.ascontiguousarray(words[cols]).view("<u8").ravel()


def _decode(w: np.ndarray, fmt: int, base: int) -> np.ndarray:
    """What dyld writes for each fixup word: target | high8 << 56 (+ the base for offsets); 0 for
    a bind."""
    target = w & np.uint64(0xFFFFFFFFF)
    high8 = ((w >> np.uint64(36)) & np.uint64(0xFF)) << np.uint64(56)
    if fmt == PTR_64_OFFSET:
        target = target + np.uint64(base)
    out = target | high8
    out[(w >> np.uint64(63)) == 1] = 0
    return out
