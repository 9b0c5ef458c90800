"""References to data: which instructions load the address of which bytes, and which data words
point at them (one binary; numpy over the raw bytes, no disassembler).

Go loads the address of a string literal in one instruction or one pair:

- amd64: ``LEAQ sym(IP), reg``, REX.W ``8D`` with ModRM mod=00 r/m=101 and a 32-bit displacement
  from the next instruction (7 bytes);
- 386: ``LEAL sym, reg``, ``8D`` ModRM mod=00 r/m=101 and the 32-bit absolute address (6 bytes);
- arm64: ``ADRP xN, page`` then ``ADD xN, xN, #lo12``.

Static string headers (``var s = "…"``, tables of strings) point at their bytes from data instead.
A scan may find a byte pattern that is no instruction; callers ask only about a small range of
addresses (a blob of string literals), which a stray match rarely hits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from godet.arrays import gram_hashes, string_key, string_keys
from godet.read.addrnames import VARIABLE_SECTIONS
from godet.read.binary import Binary
from godet.read.image import Image
from godet.read.owners import MAIN, ModuleIndex, package_of

MIN_STRING = 4  # shorter strings stand in any blob by chance
CHUNK = 4 << 20  # bytes of code scanned at once
OVERLAP = 16  # bytes a load may reach past a chunk's end
LENGTH_REACH = 32  # bytes around a string's load searched for its length
MAX_DIRECT = 4096  # longest string loaded directly whose extent is sought
MAX_TABLE = 4096  # headers walked back from one to the start of its table
# Architectures whose address-loading instructions the scan knows.
ARCHES = frozenset({"amd64", "386", "arm64"})


@dataclass(frozen=True)
class Refs:
    """Addresses loaded by code: ``pcs[i]`` (the instruction's address) loads ``targets[i]``."""

    pcs: np.ndarray  # uint64
    targets: np.ndarray  # uint64


def code_refs(image: Image, text: tuple[int, int]) -> Refs | None:
    """Instructions in the virtual range ``text`` that load an address; None when the architecture
    is not one the scan knows or the range is not in the file."""
    code = _code(image, text)
    if code is None:
        return None
    scan = _arm64 if image.arch == "arm64" else _x86
    found_pcs, found_targets = [], []
    off = image.va_to_offset(text[0]) or 0
    for lo in range(0, len(code), CHUNK):  # in chunks: the temporaries and the resident pages stay small
        part = code[lo : lo + CHUNK + OVERLAP]
        pcs, targets = scan(part, text[0] + lo, image.arch == "amd64")
        keep = (targets >= 0) & (pcs < text[0] + lo + CHUNK)  # (one in the overlap is the next chunk's)
        found_pcs.append(pcs[keep].astype(np.uint64))
        found_targets.append(targets[keep].astype(np.uint64))
        image.release(off + lo, off + lo + CHUNK)
    return Refs(np.concatenate(found_pcs), np.concatenate(found_targets))


MAX_ADDRESS = 1 << 62  # addresses the scans work with at most (int64 arithmetic; no Go program lies higher)


def _code(image: Image, text: tuple[int, int]) -> np.ndarray | None:
    if image.arch not in ARCHES or not 0 <= text[0] < text[1] <= MAX_ADDRESS:
        return None  # (a hostile header may place code at the top of memory)
    off = image.va_to_offset(text[0])
    if off is None or off + text[1] - text[0] > len(image.data):
        return None
    return np.frombuffer(image.data, dtype=np.uint8, count=text[1] - text[0], offset=off)


def _x86(code: np.ndarray, base: int, rip: bool) -> tuple[np.ndarray, np.ndarray]:
    """LEA or MOV (a load) with a 32-bit displacement (RIP-relative on amd64, absolute on 386)."""
    width = 7 if rip else 6
    n = len(code) - width + 1
    if n <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    op = 1 if rip else 0  # where the 8D opcode is (after the REX prefix on amd64)
    # ModRM mod=00 r/m=101 first (a few percent of the bytes), then the opcode and prefix around it
    modrm = np.flatnonzero((code[op + 1 : op + 1 + n] & 0xC7) == 0x05)
    opcode = code[modrm + op]
    hit = (opcode == 0x8D) | (opcode == 0x8B)
    if rip:
        hit &= (code[modrm] & 0xF8) == 0x48  # REX.W
    at = modrm[hit]
    disp = _u32(code, at + op + 2)
    pcs = base + at.astype(np.int64)
    if not rip:
        return pcs, disp
    return pcs, pcs + width + np.where(disp >= 1 << 31, disp - (1 << 32), disp)


def _u32(code: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Little-endian uint32 values at ``at`` (int64)."""
    return (
        code[at].astype(np.int64)
        | code[at + 1].astype(np.int64) << 8
        | code[at + 2].astype(np.int64) << 16
        | code[at + 3].astype(np.int64) << 24
    )


def _arm64(code: np.ndarray, base: int, _rip: bool) -> tuple[np.ndarray, np.ndarray]:
    """ADRP followed by ADD (immediate) or a 64-bit LDR (unsigned offset, a load) of the register
    ADRP set."""
    words = _words(code)
    if len(words) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    w, nxt = words[:-1], words[1:]
    adrp = (w & 0x9F000000) == 0x90000000
    from_adrp = ((nxt >> 5) & 0x1F) == (w & 0x1F)  # the second instruction's base is ADRP's register
    add = (nxt & 0xFF800000) == 0x91000000  # ADD xD, xN, #imm
    ldr = (nxt & 0xFFC00000) == 0xF9400000  # LDR xT, [xN, #imm*8]
    at = np.flatnonzero(adrp & from_adrp & (add | ldr))
    w, nxt = w[at], nxt[at]
    imm = (((w >> 5) & 0x7FFFF) << 2) | ((w >> 29) & 3)
    imm = np.where(imm >= 1 << 20, imm - (1 << 21), imm) << 12
    pcs = base + 4 * at
    low = (nxt >> 10) & 0xFFF
    is_ldr = (nxt & 0xFFC00000) == 0xF9400000
    low = np.where(is_ldr, low << 3, np.where(((nxt >> 22) & 1) == 1, low << 12, low))
    return pcs, (pcs & ~0xFFF) + imm + low


def _words(code: np.ndarray) -> np.ndarray:
    return np.frombuffer(code[: len(code) // 4 * 4].tobytes(), dtype="<u4").astype(np.int64)


def called_functions(binary: Binary, i: int) -> list[int]:
    """The functions (pclntab indexes) that function ``i`` calls or jumps to directly: x86 ``CALL``
    and ``JMP`` rel32 (``E8``/``E9``), arm64 ``BL`` and ``B``. A byte pattern that is no instruction
    rarely lands on a function's first byte, the only targets kept."""
    tab = binary.pclntab
    if tab is None or not 0 <= i < len(tab):
        return []
    lo, hi = int(tab.entries[i]), int(tab.ends[i])
    code = _code(binary.image, (lo, hi))
    if code is None:
        return []
    if binary.image.arch == "arm64":
        w = _words(code)
        at = np.flatnonzero((w & 0x7C000000) == 0x14000000)  # B / BL imm26
        imm = w[at] & 0x3FFFFFF
        targets = lo + 4 * at + (np.where(imm >= 1 << 25, imm - (1 << 26), imm) << 2)
    else:
        at = np.flatnonzero((code[: max(len(code) - 4, 0)] & 0xFE) == 0xE8)  # E8 call, E9 jmp
        rel = _u32(code, at + 1)
        targets = lo + at + 5 + np.where(rel >= 1 << 31, rel - (1 << 32), rel)
    targets = targets[(targets >= 0) & ((targets < lo) | (targets >= hi))].astype(np.uint64)
    k = tab.indexes_at(targets)
    hit = (k >= 0) & (tab.entries[np.maximum(k, 0)] == targets)
    return sorted(set(k[hit].tolist()))


def call_graph(binary: Binary) -> tuple[np.ndarray, np.ndarray] | None:
    """Every direct call or jump between Go functions (what called_functions finds, for the whole
    text at once), as (caller, callee) pclntab indexes sorted by caller; None when the architecture
    or the text cannot be read. Computed once per binary."""
    memo = binary.image.memo
    if "call-graph" not in memo:
        memo["call-graph"] = _call_graph(binary)
    return memo["call-graph"]


def _call_graph(binary: Binary) -> tuple[np.ndarray, np.ndarray] | None:
    tab = binary.pclntab
    if tab is None or not len(tab):
        return None
    lo, hi = int(tab.entries[0]), int(tab.ends[-1])
    code = _code(binary.image, (lo, hi))
    if code is None:
        return None
    callers, callees = [], []
    for c in range(0, len(code), CHUNK):
        part = code[c : c + CHUNK + OVERLAP]
        base = lo + c
        if binary.image.arch == "arm64":  # (instructions are 4-aligned, and so is every chunk)
            w = _words(part)
            k4 = np.flatnonzero((w & 0x7C000000) == 0x14000000)  # B / BL imm26
            imm = w[k4] & 0x3FFFFFF
            at = 4 * k4
            targets = base + at + (np.where(imm >= 1 << 25, imm - (1 << 26), imm) << 2)
        else:
            at = np.flatnonzero((part[: max(len(part) - 4, 0)] & 0xFE) == 0xE8)
            rel = _u32(part, at + 1)
            targets = base + at + 5 + np.where(rel >= 1 << 31, rel - (1 << 32), rel)
        keep = (at < CHUNK) & (targets >= lo) & (targets < hi)
        pcs, targets = (base + at[keep]).astype(np.uint64), targets[keep].astype(np.uint64)
        k = tab.indexes_at(targets)
        hit = (k >= 0) & (tab.entries[np.maximum(k, 0)] == targets)
        src = tab.indexes_at(pcs[hit])
        dst = k[hit]
        other = (src >= 0) & (src != dst)
        callers.append(src[other])
        callees.append(dst[other])
    src, dst = np.concatenate(callers), np.concatenate(callees)
    order = np.argsort(src, kind="stable")
    return src[order], dst[order]


# What -race adds to the code it instruments: calls into the race detector's runtime (racefuncenter,
# raceread, racewriterange...), and sync/atomic's operations as calls where the compiler otherwise
# writes the instruction in place.
RACE_CALLEES = ("runtime.race", "sync/atomic.")


def race_instrumented(binary: Binary) -> np.ndarray | None:
    """The Go functions (pclntab indexes, sorted) that call the race detector (RACE_CALLEES): what
    -race instrumented (a build without it calls no runtime.race*, and sync/atomic only in its
    atomic.Value methods and values: a superset, on the safe side). None when the calls cannot be
    read."""
    graph, tab = call_graph(binary), binary.pclntab
    if graph is None or tab is None:
        return None
    race = np.concatenate([tab.with_prefix(p) for p in RACE_CALLEES]).astype(np.int64)
    callers, callees = graph
    return np.unique(callers[np.isin(callees, race)])


def _text_refs(binary: Binary) -> Refs | None:
    """code_refs over all the Go functions' code, computed once per binary."""
    tab = binary.pclntab
    if tab is None or not len(tab):
        return None
    memo = binary.image.memo
    if "code-refs" not in memo:
        memo["code-refs"] = code_refs(binary.image, (int(tab.entries[0]), int(tab.ends[-1])))
    return memo["code-refs"]


def loads_at(binary: Binary, targets: list[int]) -> list[int]:
    """The pcs of the instructions that load one of the addresses ``targets`` (x86 ``LEA``/``MOV``
    rip-relative or absolute, arm64 ``ADRP`` + ``ADD``/``LDR``): where a variable or a table is
    used. Empty when the code cannot be scanned."""
    refs = _text_refs(binary) if targets else None
    if refs is None:
        return []
    return sorted(refs.pcs[np.isin(refs.targets, np.array(targets, dtype=np.uint64))].tolist())


def value_graph(binary: Binary) -> tuple[np.ndarray, np.ndarray] | None:
    """Every function that Go code takes as a value, as (taker, function) pclntab indexes sorted by
    taker: the code loads a func value (``f := pkg.F``: a word holding F's entry, ``pkg.F·f``), or a
    variable initialised with one (``var f = pkg.F``: a word pointing at such a word). The linker
    keeps F for that reference as for a call. None when the code cannot be scanned."""
    memo = binary.image.memo
    if "value-graph" not in memo:
        memo["value-graph"] = _value_graph(binary)
    return memo["value-graph"]


def _value_graph(binary: Binary) -> tuple[np.ndarray, np.ndarray] | None:
    tab, refs = binary.pclntab, _text_refs(binary)
    if tab is None or refs is None:
        return None

    def entry_index(words: np.ndarray) -> np.ndarray:  # the function starting at each word, or -1
        k = tab.indexes_at(words)
        return np.where((k >= 0) & (tab.entries[np.maximum(k, 0)] == words), k, -1)

    first = words_at(binary.image, refs.targets)
    dst = entry_index(first)  # the loaded word is a func value
    indirect = np.flatnonzero((dst < 0) & (first != 0))
    dst[indirect] = entry_index(words_at(binary.image, first[indirect]))  # it points at one
    src = tab.indexes_at(refs.pcs)
    keep = (src >= 0) & (dst >= 0) & (src != dst)
    order = np.argsort(src[keep], kind="stable")
    return src[keep][order], dst[keep][order]


def _reference_graph(binary: Binary) -> tuple[np.ndarray, np.ndarray] | None:
    """call_graph and value_graph as one (referrer, function) list sorted by referrer, once per binary."""
    memo = binary.image.memo
    if "reference-graph" not in memo:
        graphs = [g for g in (call_graph(binary), value_graph(binary)) if g is not None]
        if not graphs:
            memo["reference-graph"] = None
        else:
            src, dst = (np.concatenate(parts) for parts in zip(*graphs, strict=True))
            order = np.argsort(src, kind="stable")
            memo["reference-graph"] = (src[order], dst[order])
    return memo["reference-graph"]


def reached_by_calls(binary: Binary, roots: np.ndarray, through: np.ndarray) -> np.ndarray:
    """The functions (pclntab indexes, sorted) that functions ``roots`` call or take as values
    (value_graph) directly, or through such references among the functions ``through`` (a sorted
    index array), that are themselves in ``through``: code only the roots' code brings into the
    program."""
    graph = _reference_graph(binary) if len(roots) and len(through) else None
    if graph is None:
        return np.zeros(0, dtype=np.int64)
    src, dst = graph
    reached = np.zeros(0, dtype=np.int64)
    frontier = np.unique(np.asarray(roots, dtype=np.int64))
    for _ in range(64):  # (call chains through new code are short; a hostile graph stops here)
        lo, hi = np.searchsorted(src, frontier, side="left"), np.searchsorted(src, frontier, side="right")
        if not (hi > lo).any():
            break
        out = np.concatenate([dst[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a])
        out = np.unique(out)
        out = out[np.isin(out, through, assume_unique=True) & ~np.isin(out, reached, assume_unique=True)]
        if not len(out):
            break
        reached = np.union1d(reached, out)
        frontier = out
    return reached


def immediates_near(image: Image, pc: int, reach: int = LENGTH_REACH) -> list[int]:
    """The 32-bit (x86 ``MOVL $n, reg``) or 16-bit (arm64 ``MOVZ``) immediates that registers are
    set to within ``reach`` bytes of ``pc``: where a string's length is, beside its address."""
    lo = max(pc - reach, 0)
    code = _code(image, (lo, pc + reach))
    if code is None:
        return []
    if image.arch == "arm64":
        words = _words(code[(-lo) % 4 :])
        return ((words[(words & 0xFFE00000) == 0xD2800000] >> 5) & 0xFFFF).tolist()
    at = np.flatnonzero((code[: len(code) - 4] & 0xF8) == 0xB8)  # B8+r imm32 (41 B8+r: R8D-R15D)
    return sorted(set(_u32(code, at + 1).tolist()))


def data_refs(image: Image, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """Aligned pointer-sized words of allocated data that point into [lo, hi): (their addresses,
    their values), uint64."""
    ps = image.ptr_size
    dt = np.dtype((">" if image.big_endian else "<") + ("u8" if ps == 8 else "u4"))
    where, values = [np.zeros(0, np.uint64)], [np.zeros(0, np.uint64)]
    if not 0 <= lo < hi <= MAX_ADDRESS:
        return where[0], values[0]
    for sec in image.iter_sections(alloc_only=True):
        if not 0 <= sec.addr <= MAX_ADDRESS - sec.size:
            continue
        if sec.executable or not sec.in_file or sec.size < ps:
            continue
        skip = (-sec.addr) % ps
        count = (sec.size - skip) // ps
        if count <= 0 or sec.offset + skip + count * ps > len(image.data):
            continue
        start = sec.offset + skip
        words = np.frombuffer(image.loaded(start, start + count * ps), dtype=dt, count=count)
        for first in range(0, count, CHUNK // ps):  # (in chunks: the temporaries stay small)
            part = words[first : first + CHUNK // ps]
            at = np.flatnonzero((part >= lo) & (part < hi))
            where.append((sec.addr + skip + ps * (first + at)).astype(np.uint64))
            values.append(part[at].astype(np.uint64))
            image.release(sec.offset + skip + first * ps, sec.offset + skip + (first + len(part)) * ps)
    return np.concatenate(where), np.concatenate(values)


class Loads:
    """Who loads the strings of one build's blob of Go string literals: the code references into it
    (and into the static string headers that point at it), each owned by its function's module."""

    def __init__(self, binary: Binary, blob: tuple[int, int], refs: Refs) -> None:
        self.binary, self.refs = binary, refs
        self.lo, self.hi = blob
        self.pc = binary.pclntab
        headers, pointed = data_refs(binary.image, *blob)
        lengths = words_at(binary.image, headers + binary.image.ptr_size)
        real = (lengths > 0) & (pointed + lengths <= self.hi)
        self.headers, self.pointed, self.lengths = headers[real], pointed[real], lengths[real]
        # only the loads of the blob and of the headers' range are kept (a release's code loads
        # addresses 8 times as often; the arrays would outlive the detector that needs them)
        direct = (refs.targets >= self.lo) & (refs.targets < self.hi)
        if len(self.headers):
            lo_h, hi_h = self.headers.min(), self.headers.max()
            direct |= (refs.targets >= lo_h) & (refs.targets <= hi_h)
        self.refs = refs = Refs(refs.pcs[direct], refs.targets[direct])
        self.direct = (refs.targets >= self.lo) & (refs.targets < self.hi)
        order = np.argsort(self.pointed, kind="stable")
        self.by_start, self.by_length = self.pointed[order], self.lengths[order]  # sorted by length
        self._order = order  # by_start's index -> headed string index
        self._longest = int(self.lengths.max()) if len(self.lengths) else 0
        secs = binary.image.sections
        # where package variables live: not a relro section (-buildmode=pie puts the static string
        # headers of read-only data there, writable only until the loader relocates them)
        self.writable = [
            (s.addr, s.addr + max(s.size, s.mem_size))
            for s in secs
            if s.writable and s.name.split(",")[-1] in VARIABLE_SECTIONS
        ]
        self._modules = ModuleIndex(binary.buildinfo)
        self._owner: dict[int, tuple[str, str]] = {}  # function index -> (owner kind, module)
        self._inlined: dict[int, list[tuple[int, int]]] = {}  # function index -> its inlined pc ranges
        self._new: dict[int, bool] = {}  # new_in's answers about the blob _new_of
        self._new_of: BlobIndex | None = None
        self._heads: dict[int, int | None] = {}  # table_head's answers

    def kind(self, at: int) -> tuple[str, str]:
        """(owner kind, module) of the code at ``at``: MAIN only outside the calls inlined there."""
        assert self.pc is not None
        i = self.pc.index_at(at)
        if i is None:
            return "", ""
        if i not in self._owner:
            self._owner[i] = self._modules.owner(package_of(self.pc.name(i)))
        k, module = self._owner[i]
        if k == MAIN:
            if i not in self._inlined:
                self._inlined[i] = self.pc.inlined_ranges(i)
            if any(s <= at < e for s, e in self._inlined[i]):
                return "inlined", module
        return k, module

    def loaders(self, start: int) -> list[tuple[str, str]]:
        """The owners of the code that loads the string at ``start``, directly or by a header."""
        return [self.kind(a) for a in self.loader_pcs(start)]

    def loader_pcs(self, start: int) -> list[int]:
        """The pcs of the code that loads the string at ``start``, directly or by a header (or by
        the table of headers it is in: see ``table_head``)."""
        lo, hi = (
            np.searchsorted(self.by_start, np.uint64(start), side="left"),
            np.searchsorted(self.by_start, np.uint64(start), side="right"),
        )
        sel = self._order[lo:hi]
        heads = [t for h in self.headers[sel].tolist() if (t := self.table_head(h)) is not None]
        keys = np.unique(np.concatenate([self.headers[sel], np.array([*heads, start], np.uint64)]))
        order, targets = self._by_target, self.refs.targets
        first = np.searchsorted(targets, keys, side="left", sorter=order)
        last = np.searchsorted(targets, keys, side="right", sorter=order)
        hits = [order[a:b] for a, b in zip(first.tolist(), last.tolist(), strict=True) if b > a]
        if not hits:
            return []
        return self.refs.pcs[np.sort(np.concatenate(hits))].tolist()  # (in the order of the code)

    @cached_property
    def _by_target(self) -> np.ndarray:
        """The indexes of the loads sorted by the address they load (int32: it stays for the pair)."""
        return np.argsort(self.refs.targets, kind="stable").astype(np.int32)

    def trim(self) -> None:
        """Drop what was derived for the string detector (derived again if asked for later)."""
        for name in ("_by_target", "_headers_sorted"):
            self.__dict__.pop(name, None)
        self._new, self._new_of, self._heads = {}, None, {}

    def new_in(self, start: int, end: int, other: BlobIndex) -> bool:
        """Whether the string at [start, end) is not in the other build's blob ``other`` (memoized:
        several loads and pieces ask about the same string)."""
        if self._new_of is not other:  # (the memo holds its blob: an id could be another's later)
            self._new_of, self._new = other, {}
        key = start << 32 | (end - start)  # (one int: the memo holds tens of thousands)
        if key not in self._new:
            self._new[key] = not other.holds(self.binary.image.read_va(start, end - start) or b"")
        return self._new[key]

    def headed(self, p_lo: int, p_hi: int) -> list[int]:
        """Indexes of the headed strings that overlap [p_lo, p_hi), ascending (found by address: only
        strings that start less than the longest one's length before ``p_lo`` can reach it)."""
        first = int(np.searchsorted(self.by_start, np.uint64(max(0, p_lo - self._longest)), side="left"))
        last = int(np.searchsorted(self.by_start, np.uint64(max(0, p_hi)), side="left"))
        near = np.arange(first, last)
        hit = near[self.by_start[near] + self.by_length[near] > np.uint64(max(0, p_lo))]
        return sorted(self._order[hit].tolist())

    def _known(self, addr: int) -> bool:
        """Whether a string starts at ``addr`` that code or a header loads (or the blob ends there)."""
        k = int(np.searchsorted(self.starts, np.uint64(addr)))
        return addr == self.hi or (k < len(self.starts) and int(self.starts[k]) == addr)

    @cached_property
    def starts(self) -> np.ndarray:
        """Every address of the blob that code or a static header loads, sorted (uint64)."""
        return np.unique(np.concatenate([self.refs.targets[self.direct], self.pointed]))

    def table_head(self, h: int) -> int | None:
        """The header code loads for the header at ``h`` when no code loads ``h`` itself: ``h`` in
        read-only data, in a run of headers one after the other (a table: a ``[]string`` literal, a
        switch the compiler turned into a lookup), is reached through the nearest header before it
        in that run that code loads (the table's start, indexed from there). None otherwise."""
        if h in self._heads:
            return self._heads[h]
        step = 2 * self.binary.image.ptr_size
        head: int | None = None
        walked = [h]
        if not (self._loaded(h) or self._in_writable(h)):
            at = h
            for _ in range(MAX_TABLE):
                at -= step
                if at < 0 or not self._is_header(at) or self._in_writable(at):
                    break
                if self._loaded(at):
                    head = at
                    break
                if at in self._heads:  # (a walk from a later entry of the table came this way)
                    head = self._heads[at]
                    break
                walked.append(at)
        for at in walked:  # every header walked over reaches the table through the same head
            self._heads[at] = head
        return head

    def _loaded(self, addr: int) -> bool:
        """Whether some code loads the address ``addr``."""
        targets, by = self.refs.targets, self._by_target
        k = int(np.searchsorted(targets, np.uint64(addr), sorter=by))
        return k < len(by) and int(targets[by[k]]) == addr

    def _is_header(self, addr: int) -> bool:
        k = int(np.searchsorted(self._headers_sorted, np.uint64(addr)))
        return k < len(self._headers_sorted) and int(self._headers_sorted[k]) == addr

    @cached_property
    def _headers_sorted(self) -> np.ndarray:
        return np.sort(self.headers)

    def _in_writable(self, addr: int) -> bool:
        return any(lo <= addr < hi for lo, hi in self.writable)

    @cached_property
    def in_variables(self) -> np.ndarray:
        """Per headed string: whether its header lies in writable data (a package variable's)."""
        out = np.zeros(len(self.headers), dtype=bool)
        for lo, hi in self.writable:
            out |= (self.headers >= np.uint64(lo)) & (self.headers < np.uint64(hi))
        return out

    def direct_strings(
        self, p_lo: int, p_hi: int, kinds: frozenset[str] | None = frozenset([MAIN])
    ) -> list[tuple[int, int, int]]:
        """(pc, start, end) of the strings code of the owner ``kinds`` (None: any; by default the main
        module's outside inlined calls) loads directly near [p_lo, p_hi), where a length set beside
        the load ends at another known string and fits the length order."""
        near = self.direct & (self.refs.targets < p_hi) & (self.refs.targets + MAX_DIRECT > p_lo)
        pcs, targets = self.refs.pcs[near], self.refs.targets[near]
        k = np.searchsorted(self.by_start, targets, side="right")
        n = len(self.by_length)
        if n:  # lengths of the headed strings around each load
            least = np.where(k > 0, self.by_length[np.maximum(k, 1) - 1], np.uint64(1))
            most = np.where(k < n, self.by_length[np.minimum(k, n - 1)], np.uint64(self.hi) - targets)
        else:
            least, most = np.ones(len(targets), np.uint64), np.uint64(self.hi) - targets
        reach = targets + most > np.uint64(max(0, p_lo))  # (a string of a length that fits reaches the range)
        out = []
        rows = (pcs[reach], targets[reach], least[reach], most[reach])
        for at, t, shortest, longest in zip(*(r.tolist() for r in rows), strict=True):
            if kinds is not None and self.kind(at)[0] not in kinds:
                continue
            sizes = sorted(immediates_near(self.binary.image, at))
            end = next((t + x for x in sizes if shortest <= x <= longest and self._known(t + x)), None)
            if end is not None and end > p_lo:
                out.append((at, t, end))
        return out


def loads_of(binary: Binary) -> Loads | None:
    """The Loads of ``binary``'s blob (estimated without symbols); None when the scan cannot tell
    (no blob, no pclntab, an architecture it does not know, or no data word pointing into the
    blob, as when relocations hold the addresses)."""
    memo = binary.image.memo
    if "literal-loads" not in memo:
        memo["literal-loads"] = _loads(binary)
    return memo["literal-loads"]


def _loads(binary: Binary) -> Loads | None:
    blob, pc = binary.literal_blob, binary.pclntab
    if blob is None or pc is None or not len(pc):
        return None
    refs = code_refs(binary.image, (int(pc.entries[0]), int(pc.ends[-1])))
    if refs is None:
        return None
    loads = Loads(binary, blob, refs)
    return loads if len(loads.pointed) else None


class BlobIndex:
    """Whether one build's blob of Go string literals holds a text: the whole strings its static
    headers point at (``spans``: offset, length in the blob) are looked up by hash (most strings a
    release keeps are found there); any other text is searched for in the blob, once."""

    def __init__(
        self, blob: bytes, offsets: np.ndarray | None = None, lengths: np.ndarray | None = None
    ) -> None:
        self.blob = blob
        at = np.zeros(0, np.int64) if offsets is None else np.asarray(offsets, dtype=np.int64)
        n = np.zeros(0, np.int64) if lengths is None else np.asarray(lengths, dtype=np.int64)
        ok = (at >= 0) & (at + n <= len(blob))
        at, n = at[ok], n[ok]
        # (keys, not a set of the strings: a release's 100k headed strings would take 12 MB a side)
        buf = np.frombuffer(blob, dtype=np.uint8)
        hashes = np.concatenate(
            [
                string_keys(buf, at[lo : lo + HASH_CHUNK], n[lo : lo + HASH_CHUNK])
                for lo in range(0, len(at), HASH_CHUNK)
            ]
            or [np.zeros(0, np.int64)]
        )  # (in chunks: the temporaries stay small)
        order = np.argsort(hashes, kind="stable")
        self._hashes, self._at, self._n = hashes[order], at[order], n[order]
        self._found: dict[bytes, bool] = {}
        self._grams: dict[int, np.ndarray] = {}  # gram size -> a bit per hash of the blob's grams

    def _headed(self, text: bytes) -> bool:
        """Whether ``text`` is one of the headed strings, whole."""
        h = string_key(text)
        k = int(np.searchsorted(self._hashes, h))
        while k < len(self._hashes) and int(self._hashes[k]) == h:
            o, n = int(self._at[k]), int(self._n[k])
            if n == len(text) and self.blob[o : o + n] == text:
                return True
            k += 1
        return False

    def holds(self, text: bytes) -> bool:
        if self._headed(text):
            return True
        got = self._found.get(text)
        if got is None:
            got = self._found[text] = self._may_hold(text) and self.blob.find(text) >= 0
        return got

    def _may_hold(self, text: bytes) -> bool:
        """False when some 4- or 8-byte gram of ``text`` stands nowhere in the blob (no search then);
        the filters are built once the searches of a large blob add up."""
        if len(text) < 4 or len(self.blob) < MIN_FILTERED or len(self._found) < MIN_SEARCHES:
            return True
        k = 8 if len(text) >= 8 else 4
        if k not in self._grams:
            bits = np.zeros(1 << GRAM_BITS, dtype=bool)
            blob = np.frombuffer(self.blob, dtype=np.uint8)
            for lo in range(0, len(blob), GRAM_CHUNK):  # (in chunks: the temporaries stay small)
                bits[gram_hashes(blob[lo : lo + GRAM_CHUNK + k - 1], k, GRAM_BITS)] = True
            self._grams[k] = np.packbits(bits, bitorder="little")
        h = gram_hashes(np.frombuffer(text, dtype=np.uint8), k, GRAM_BITS)
        return bool(((self._grams[k][h >> 3] >> (h & 7)) & 1).all())


HASH_CHUNK = 1 << 14  # headed strings hashed at once
GRAM_BITS = 23  # bits of the gram hashes (1 MB of bits per gram size)
GRAM_CHUNK = 1 << 19
MIN_FILTERED = 1 << 18  # smaller blobs are searched directly
MIN_SEARCHES = 64  # searches before the filters are built


def blob_index(binary: Binary) -> BlobIndex | None:
    """The BlobIndex of ``binary``'s blob of Go string literals (estimated without symbols), or None."""
    memo = binary.image.memo
    if "blob-index" not in memo:
        span = binary.literal_blob
        blob = binary.image.read_va(span[0], span[1] - span[0]) if span else None
        if blob is None:
            memo["blob-index"] = None
        else:
            loads = loads_of(binary)
            if loads is None:
                memo["blob-index"] = BlobIndex(blob)
            else:
                at = loads.pointed.astype(np.int64) - span[0]  # type: ignore[index]
                memo["blob-index"] = BlobIndex(blob, at, loads.lengths.astype(np.int64))
    return memo["blob-index"]


def own_literals(
    binary: Binary,
    pieces: list[tuple[int, int]],
    other: BlobIndex,
    foreign: frozenset[str] = frozenset(),
    marks: tuple[bytes, ...] = (),
) -> list[bytes | None] | None:
    """For each [lo, hi) virtual range of ``binary``'s blob of Go string literals: the string it
    overlaps that the main module's own code loads (a function of the main module, at a pc outside
    the calls inlined into it) and that the other build's blob ``other`` does not hold. That string
    is in the program's source: no compiler, standard library or flag put it there. A string that
    code of a module in ``foreign`` loads too, or that holds one of ``marks`` (a version of such a
    module), may be that module's exported constant: not counted. None when the scan cannot tell
    (see loads_of).

    A string's extent is known from a static string header (pointer and length, which code loads
    when a constant becomes an interface), or, for a string code loads directly, from the smallest
    length set near that load that ends where another loaded string starts and fits the blob's
    order: the linker sorts the blob by length, so it lies between the lengths of the headed
    strings before and after it.
    """
    loads = loads_of(binary) if pieces else None
    if loads is None:
        return None

    def program(start: int, end: int) -> bytes | None:
        if end - start < MIN_STRING or not loads.new_in(start, end, other):
            return None  # too short to tell, or in the other build too
        text = binary.image.read_va(start, end - start) or b""
        if any(m in text for m in marks):
            return None  # a module's version
        kinds = loads.loaders(start)
        mine = any(k == MAIN for k, _ in kinds) and not any(m in foreign for _, m in kinds)
        return text if mine else None

    def own(p_lo: int, p_hi: int) -> bytes | None:
        for k in loads.headed(p_lo, p_hi):  # (headed strings first: the direct loads cost more)
            text = program(int(loads.pointed[k]), int(loads.pointed[k] + loads.lengths[k]))
            if text is not None:
                return text
        return next((t for _at, s, e in loads.direct_strings(p_lo, p_hi) if (t := program(s, e))), None)

    return [own(p_lo, p_hi) for p_lo, p_hi in pieces]


def literal_loaders(binary: Binary, pieces: list[tuple[int, int]]) -> list[set[tuple[str, str]]] | None:
    """For each [lo, hi) virtual range of the blob: (function name, owner kind) of the code that
    loads a string overlapping it, by a static header or directly (main-module code, where a length
    set beside the load gives the string's extent; see own_literals). None when the scan cannot tell
    (see loads_of)."""
    found = loaded_strings(binary, pieces)
    return None if found is None else [{x for *_, names in strs for x in names} for strs in found]


def functions_loading(binary: Binary, lo: int, hi: int) -> set[tuple[str, str]] | None:
    """(function name, owner kind as Loads.kind says: "inlined" inside a main-module function's
    inlined calls) of the code that loads an address in the virtual range [lo, hi) of the blob,
    directly or through a static string header pointing there (whatever module owns it and however
    long the string); when none does, of the code that loads the string holding ``lo`` (it starts
    at the last address loaded before it). None when the scan cannot tell."""
    loads = loads_of(binary)
    pc = binary.pclntab
    if loads is None or pc is None:
        return None
    starts = loads.starts
    if not len(starts):
        return set()
    k = int(np.searchsorted(starts, np.uint64(hi), side="left"))
    if k == 0 or starts[k - 1] < np.uint64(lo):  # no string starts inside: the one before holds it
        k = int(np.searchsorted(starts, np.uint64(lo), side="right"))
        if k == 0:
            return set()
        lo = int(starts[k - 1])
    targets = loads.refs.targets
    via = loads.headers[(loads.pointed >= np.uint64(lo)) & (loads.pointed < np.uint64(hi))]
    hit = ((targets >= np.uint64(lo)) & (targets < np.uint64(hi))) | np.isin(targets, via)
    out = set()
    for at in set(loads.refs.pcs[hit].tolist()):
        i = pc.index_at(at)
        if i is not None:
            out.add((pc.name(i), loads.kind(at)[0]))
    return out


def loaded_strings(
    binary: Binary,
    pieces: list[tuple[int, int]],
    other: BlobIndex | None = None,
    direct: frozenset[str] | None = frozenset([MAIN]),
) -> list[list[tuple[int, int, set[tuple[str, str]]]]] | None:
    """For each [lo, hi) virtual range of the blob: the strings that overlap it and that code loads,
    as (start, end, {(function name, owner kind)}) (see literal_loaders). With ``other`` (the other
    build's blob), only the strings it does not hold: the changed ones. Strings without a header are
    those the code of the owner kinds ``direct`` loads (Loads.direct_strings). None when the scan
    cannot tell (see loads_of)."""
    loads = loads_of(binary) if pieces else None
    pc = binary.pclntab
    if loads is None or pc is None:
        return None

    def changed(start: int, end: int) -> bool:
        return other is None or loads.new_in(start, end, other)

    def named(pcs: list[int]) -> set[tuple[str, str]]:
        out = set()
        for at in pcs:
            i = pc.index_at(at)
            if i is not None:
                out.add((pc.name(i), loads.kind(at)[0]))
        return out

    out = []
    for lo, hi in pieces:
        strs = []
        for k in loads.headed(lo, hi):
            start, end = int(loads.pointed[k]), int(loads.pointed[k] + loads.lengths[k])
            if changed(start, end):
                strs.append((start, end, named(loads.loader_pcs(start))))
        strs += [(s, e, named([at])) for at, s, e in loads.direct_strings(lo, hi, direct) if changed(s, e)]
        out.append([x for x in strs if x[2]])
    return out


def own_variables(
    binary: Binary, pieces: list[tuple[int, int]], other: BlobIndex
) -> list[list[tuple[int, int]]] | None:
    """For each [lo, hi) virtual range of the blob: the [start, end) data of the string variables
    (headers in writable data) it overlaps that the main module's own code loads and that the other
    build's blob ``other`` does not hold: variables the program initialises in the binary (a go:embed
    file, a generated string), told apart without symbols."""
    loads = loads_of(binary) if pieces else None
    if loads is None:
        return None

    def changed_variable(k: int) -> bool:
        start, n = int(loads.pointed[k]), int(loads.lengths[k])
        if n < MIN_STRING or not loads.new_in(start, start + n, other):
            return False
        return any(kd == MAIN for kd, _ in loads.loaders(start))

    variables = loads.in_variables
    return [
        sorted(
            {
                (int(loads.pointed[k]), int(loads.pointed[k] + loads.lengths[k]))
                for k in loads.headed(p_lo, p_hi)
                if variables[k] and changed_variable(k)
            }
        )
        for p_lo, p_hi in pieces
    ]


def words_at(image: Image, addrs: np.ndarray) -> np.ndarray:
    """The pointer-sized words at virtual addresses ``addrs`` (0 where one is not in the file)."""
    addrs = np.asarray(addrs, dtype=np.uint64)
    out = np.zeros(len(addrs), np.uint64)
    ps = image.ptr_size
    raw = np.frombuffer(image.data, dtype=np.uint8)
    for sec in image.sections:
        if not (sec.alloc and sec.in_file) or sec.size < ps:
            continue  # (a word of any value is asked about: no sum that could wrap around)
        inside = np.flatnonzero((addrs >= sec.addr) & (addrs <= sec.addr + sec.size - ps))
        if not len(inside) or sec.offset + sec.size > len(raw):
            continue
        offs = (addrs[inside] - np.uint64(sec.addr)).astype(np.int64) + sec.offset
        word = np.zeros(len(inside), np.uint64)
        for j in range(ps):  # byte by byte: no (n, ps) index matrix
            shift = 8 * (ps - 1 - j) if image.big_endian else 8 * j
            word |= raw[offs + j].astype(np.uint64) << np.uint64(shift)
        out[inside] = word
    return out
