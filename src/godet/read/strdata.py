"""Go string data of one binary: where string bytes can live, and every plausible ``{ptr, len}``
string header in writable data that points there (numpy over the raw words; no symbols needed).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from godet.read.formats import section_names
from godet.read.pclntab import moduledata_types

if TYPE_CHECKING:
    from godet.read.binary import Binary

#: Sections (of any format) that hold Go data: where string bytes and string headers can be.
DATA_NAMES = section_names("rodata", "cstring", "relro", "data", "noptrdata", "go-type", "go-func")
WRITABLE_DATA = section_names("data", "noptrdata", "relro")
NOPTRDATA = section_names("noptrdata")


def section_name(key: str) -> str:
    """A unit or section key without segment, sub-unit and index (``__DATA,__data/x`` -> ``__data``)."""
    return key.split("/", 1)[0].split(",")[-1].split("#", 1)[0]


GO_STRING_SYMBOLS = ("go:string.*", "go.string.*")  # the linker's container of Go literals (1.20+, older)


def go_string_span(binary: Binary) -> tuple[int, int] | None:
    """Address range of the linker's blob of Go string literals: from its go:string.* symbol (of
    size 0) to the next symbol; None without a symbol table."""
    if not binary.symbols.present:
        return None
    for name in GO_STRING_SYMBOLS:
        blob = binary.symbols.by_name(name)
        if blob is None:
            continue
        syms = binary.symbols.symbols
        i = bisect.bisect_right([x.addr for x in syms], blob.addr)
        return (blob.addr, syms[i].addr) if i < len(syms) else None
    return None


MAX_GAP = 64 << 10  # larger gaps between two headed strings leave the blob
MIN_HEADED = 32  # headed strings a run needs before it is taken for the blob
MAX_PARTS = 64  # headed strings inside a longer one, at most
LONE_GAP = 4 << 10  # an outlier is dropped only this close to both its neighbours
MAX_LITERAL = 4 << 20  # longer "strings" are taken for chance words


def estimate_go_string_span(binary: Binary) -> tuple[int, int] | None:
    """Without symbols: the blob of Go string literals estimated from the static string headers
    (pointer and length words) that point into read-only data. The linker sorts the blob by
    length, so it is the longest run of headed strings, in address order, whose lengths never
    decrease and that no gap over MAX_GAP (from one string's end to the next's start) splits unless
    it is text (see _whole_strings for the headers left out). It spans from the first such string
    to the end of the last: the shortest and longest strings that only code loads may lie outside
    it."""
    from godet.read.coderefs import data_refs, words_at

    im = binary.image
    best: tuple[int, int, int] | None = None  # (strings, lo, hi)
    roles = set(im.fmt.names("rodata"))  # (where the linker puts go:string.* in every format)
    secs = [
        s
        for s in im.iter_sections(alloc_only=True)
        if (s.name in roles or s.key in roles) and s.in_file and s.size >= 2 * im.ptr_size
    ]
    if not secs:
        return None
    every_h, every_p = data_refs(im, min(s.addr for s in secs), max(s.addr + s.size for s in secs))
    every_n = words_at(im, every_h + np.uint64(im.ptr_size))
    raw = np.frombuffer(im.data, dtype=np.uint8)
    for sec in secs:
        lo, hi = sec.addr, sec.addr + sec.size
        ok = (every_p >= lo) & (every_n > 0) & (every_n <= MAX_LITERAL) & (every_p + every_n <= hi)
        order = np.lexsort((every_n[ok], every_p[ok]))
        p, n = every_p[ok][order].astype(np.int64), every_n[ok][order].astype(np.int64)
        if len(p) < MIN_HEADED or sec.offset + sec.size > len(raw):
            continue
        # (slices of GC bitmaps and function data are not text): odd bytes at most a tenth
        odd = _odd_bytes(raw[sec.offset : sec.offset + sec.size])
        im.release(sec.offset, sec.offset + sec.size)
        start = p - lo
        text = (odd[start + n] - odd[start]) * 10 <= n
        run = _sorted_run(*_whole_strings(p[text], n[text]), odd, lo)
        if run is not None and (best is None or run[0] > best[0]):
            best = run
    return (best[1], best[2]) if best is not None else None


def _sorted_run(p: np.ndarray, n: np.ndarray, odd: np.ndarray, lo: int) -> tuple[int, int, int] | None:
    """(strings, start, end) of the longest run of headed strings whose lengths never decrease and
    that no wide gap splits but one of text (strings only code loads: a large program has
    thousands); ``odd``: the running count of non-text bytes of the section, which starts at ``lo``."""
    if len(p) < MIN_HEADED:
        return None
    g0, g1 = (p + n)[:-1] - lo, p[1:] - lo
    wide = (g1 - g0 > MAX_GAP) & ((odd[np.maximum(g1, g0)] - odd[g0]) * 10 > g1 - g0)
    breaks = np.flatnonzero((n[1:] < n[:-1]) | wide) + 1
    cuts = np.concatenate([[0], breaks, [len(p)]])
    k = int(np.argmax(np.diff(cuts)))
    first, last = int(cuts[k]), int(cuts[k + 1]) - 1
    if last - first + 1 < MIN_HEADED:
        return None
    return last - first + 1, int(p[first]), int((p[first : last + 1] + n[first : last + 1]).max())


def _whole_strings(p: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Headed strings (sorted by address, then length) less the parts of longer ones (a header
    pointing inside or at the start of a longer string) and the lone ones out of order with both
    neighbours close by (a longer string among shorter ones, or a shorter among longer). A "string"
    holding more than MAX_PARTS headed ones is taken for two words that happen to read as a header
    over the blob, not for a string sliced that often."""
    if len(p) < 2:
        return p, n
    held = np.searchsorted(p, p + n, side="left") - np.arange(len(p)) - 1
    p, n = p[held <= MAX_PARTS], n[held <= MAX_PARTS]
    reach = np.maximum.accumulate(p + n)
    last = np.ones(len(p), dtype=bool)  # the longest of the headers at one address
    last[:-1] = p[1:] != p[:-1]
    whole = last & np.concatenate([[True], p[1:] >= reach[:-1]])
    p, n = p[whole], n[whole]
    for _ in range(2):  # (a run of two outliers leaves one after the first pass)
        if len(n) < 3:
            break
        a, b, c = n[:-2], n[1:-1], n[2:]
        near = (p[1:-1] - (p + n)[:-2] <= LONE_GAP) & (p[2:] - (p + n)[1:-1] <= LONE_GAP)
        lone = np.zeros(len(n), dtype=bool)
        lone[1:-1] = near & (((b > c) & (a <= c)) | ((b < a) & (c >= a)))
        p, n = p[~lone], n[~lone]
    return p, n


def _odd_bytes(x: np.ndarray, chunk: int = 1 << 20) -> np.ndarray:
    """Running count of the bytes of ``x`` that are not text (control characters; UTF-8 counts as
    text): ``out[i]`` for x[:i]. Counted in chunks, so no temporary is as large as ``x``."""
    out = np.zeros(len(x) + 1, dtype=np.int32)
    for lo in range(0, len(x), chunk):
        c = x[lo : lo + chunk]
        bad = ((c < 32) | (c == 127)) & (c != 9) & (c != 10) & (c != 13)
        np.cumsum(bad, dtype=np.int32, out=out[lo + 1 : lo + 1 + len(c)])
        out[lo + 1 : lo + 1 + len(c)] += out[lo]
    return out


def literal_origin(binary: Binary, va: int) -> str | None:
    """Whose literal the read-only byte at ``va`` is, by the symbol table: "go" in the blob of Go
    string literals, "c" in a C object's read-only data (symbols named ``pkg(.rodata…)``), None
    without a symbol table or elsewhere."""
    if not binary.symbols.present:
        return None
    s = binary.symbols.lookup(va)
    if s is not None and "(.rodata" in s.name:
        return "c"
    span = binary.go_strings
    return "go" if span is not None and span[0] <= va < span[1] else None


def word_dtype(binary: Binary) -> np.dtype:
    im = binary.image
    return np.dtype("u8" if im.ptr_size == 8 else "u4").newbyteorder(">" if im.big_endian else "<")


@dataclass(frozen=True)
class StringHeaders:
    """Plausible string headers: header address, data pointer and length (parallel int64 arrays)."""

    addr: np.ndarray
    ptr: np.ndarray
    length: np.ndarray

    def __len__(self) -> int:
        return len(self.addr)

    def holds(self, ptr: int, length: int) -> bool:
        """Whether some header points at exactly [ptr, ptr+length)."""
        return bool(np.any((self.ptr == ptr) & (self.length == length)))

    @staticmethod
    def empty() -> StringHeaders:
        z = np.zeros(0, dtype=np.int64)
        return StringHeaders(z, z, z)


def string_targets(binary: Binary) -> list[tuple[int, int]]:
    """Address ranges where string and []byte data can live: read-only and pointer-free data.

    Not ``.data``: arrays with pointers ([]string, tables of structs) live there, and a slice header
    pointing at one would pass for a string of ``len`` bytes.
    """
    out = []
    for s in binary.image.sections:
        name = section_name(s.key)
        if not s.alloc or s.executable or not s.size or name not in DATA_NAMES:
            continue
        if not s.writable or name in NOPTRDATA:
            out.append((s.addr, s.addr + s.size))
        elif binary.symbols.present:  # PE merges noptrdata into .data: its bounds are symbols
            lo, hi = binary.symbols.by_name("runtime.noptrdata"), binary.symbols.by_name("runtime.enoptrdata")
            if lo is not None and hi is not None and s.addr <= lo.addr < hi.addr <= s.addr + s.size:
                out.append((lo.addr, hi.addr))
    return out


def find_string_headers(binary: Binary) -> StringHeaders:
    """Every word pair in writable data that reads as {pointer into string data, length > 0}."""
    image = binary.image
    ps = image.ptr_size
    dt = word_dtype(binary)
    targets = string_targets(binary)
    p = binary.pclntab
    pcln = (p.addr, p.addr + p.size) if p is not None and p.addr else (0, 0)
    fences = _fences(binary)
    hv, pv, lv = [], [], []
    for sec in image.sections:
        if not sec.alloc or sec.executable or sec.size < 2 * ps or section_name(sec.key) not in WRITABLE_DATA:
            continue
        raw = image.section_loaded(sec)
        if sec.addr + len(raw) >= 1 << 63:
            continue  # a hostile address beyond int64: no Go string headers here
        n = len(raw) // ps
        w = np.frombuffer(raw[: n * ps], dtype=dt).astype(np.int64)
        ptr, ln = w[:-1], w[1:]
        ok = np.zeros(len(ptr), dtype=bool)
        for lo, hi in targets:
            ok |= (ptr >= lo) & (ptr < hi) & (ln > 0) & (ptr + ln <= hi)
        ok &= (ptr < pcln[0]) | (ptr >= pcln[1])  # moduledata's slices of the pclntab are not strings
        for f in fences:  # a string's data is one symbol's: it never spans a table's edge
            ok &= (ptr >= f) | (ptr + ln <= f)
        idx = np.flatnonzero(ok)
        hv.append(sec.addr + idx * ps)
        pv.append(ptr[idx])
        lv.append(ln[idx])
    if not hv:
        return StringHeaders.empty()
    return StringHeaders(np.concatenate(hv), np.concatenate(pv), np.concatenate(lv))


def _fences(binary: Binary) -> list[int]:
    """Addresses no string's data spans: the edges of the pclntab and of the type descriptors
    (moduledata's types, etypes), symbols of their own. What weeds out word pairs that read as
    {ptr, len} but are not (tables of small integers, on 32-bit targets above all)."""
    p = binary.pclntab
    if p is None or not p.addr:
        return []
    types = moduledata_types(binary.image, p)
    return [p.addr, p.addr + p.size, *(types or ())]
