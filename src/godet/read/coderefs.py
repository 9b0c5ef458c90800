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

import numpy as np

from godet.read.binary import Binary
from godet.read.image import Image
from godet.read.owners import MAIN, ModuleIndex, package_of

MIN_STRING = 4  # shorter strings stand in any blob by chance
LENGTH_REACH = 32  # bytes around a string's load searched for its length
MAX_DIRECT = 4096  # longest string loaded directly whose extent is sought
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
    pcs, targets = scan(code, text[0], image.arch == "amd64")
    keep = targets >= 0
    return Refs(pcs[keep].astype(np.uint64), targets[keep].astype(np.uint64))


def _code(image: Image, text: tuple[int, int]) -> np.ndarray | None:
    if image.arch not in ARCHES or text[1] <= text[0]:
        return None
    off = image.va_to_offset(text[0])
    if off is None or off + text[1] - text[0] > len(image.data):
        return None
    return np.frombuffer(image.data, dtype=np.uint8, count=text[1] - text[0], offset=off)


def _x86(code: np.ndarray, base: int, rip: bool) -> tuple[np.ndarray, np.ndarray]:
    """LEA with a 32-bit displacement (RIP-relative on amd64, absolute on 386)."""
    width = 7 if rip else 6
    n = len(code) - width + 1
    if n <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    op = 1 if rip else 0  # where the 8D opcode is (after the REX prefix on amd64)
    hit = (code[op : op + n] == 0x8D) & ((code[op + 1 : op + 1 + n] & 0xC7) == 0x05)
    if rip:
        hit &= (code[:n] & 0xF8) == 0x48  # REX.W
    at = np.flatnonzero(hit)
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
    """ADRP followed by ADD (immediate) of the register ADRP set."""
    words = _words(code)
    if len(words) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    w, nxt = words[:-1], words[1:]
    adrp = (w & 0x9F000000) == 0x90000000
    add = ((nxt & 0xFF800000) == 0x91000000) & (((nxt >> 5) & 0x1F) == (w & 0x1F))  # ADD xD, xN(=ADRP's)
    at = np.flatnonzero(adrp & add)
    w, nxt = w[at], nxt[at]
    imm = (((w >> 5) & 0x7FFFF) << 2) | ((w >> 29) & 3)
    imm = np.where(imm >= 1 << 20, imm - (1 << 21), imm) << 12
    pcs = base + 4 * at
    low = (nxt >> 10) & 0xFFF
    low = np.where(((nxt >> 22) & 1) == 1, low << 12, low)
    return pcs, (pcs & ~0xFFF) + imm + low


def _words(code: np.ndarray) -> np.ndarray:
    return np.frombuffer(code[: len(code) // 4 * 4].tobytes(), dtype="<u4").astype(np.int64)


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
    for sec in image.iter_sections(alloc_only=True):
        if sec.executable or not sec.in_file or sec.size < ps:
            continue
        skip = (-sec.addr) % ps
        count = (sec.size - skip) // ps
        if count <= 0 or sec.offset + skip + count * ps > len(image.data):
            continue
        words = np.frombuffer(image.data, dtype=dt, count=count, offset=sec.offset + skip)
        at = np.flatnonzero((words >= lo) & (words < hi))
        where.append((sec.addr + skip + ps * at).astype(np.uint64))
        values.append(words[at].astype(np.uint64))
    return np.concatenate(where), np.concatenate(values)


def own_literals(
    binary: Binary,
    pieces: list[tuple[int, int]],
    other: bytes,
    foreign: frozenset[str] = frozenset(),
    marks: tuple[bytes, ...] = (),
) -> list[bool] | None:
    """For each [lo, hi) virtual range of ``binary``'s blob of Go string literals: whether it overlaps
    a string that the main module's own code loads (a function of the main module, at a pc outside
    the calls inlined into it) and that the other build's blob ``other`` does not hold. That string
    is in the program's source: no compiler, standard library or flag put it there. A string that
    code of a module in ``foreign`` loads too, or that holds one of ``marks`` (a version of such a
    module), may be that module's exported constant: not counted.
    None when the
    scan cannot tell (no blob, no pclntab, an architecture it does not know, or no data word
    pointing into the blob, as when relocations hold the addresses).

    A string's extent is known from a static string header (pointer and length, which code loads
    when a constant becomes an interface), or, for a string code loads directly, from the smallest
    length set near that load that ends where another loaded string starts and fits the blob's
    order: the linker sorts the blob by length, so it lies between the lengths of the headed
    strings before and after it.
    """
    blob, pc = binary.go_strings, binary.pclntab
    if blob is None or pc is None or not len(pc) or not pieces:
        return None
    lo, hi = blob
    refs = code_refs(binary.image, (int(pc.entries[0]), int(pc.ends[-1])))
    headers, pointed = data_refs(binary.image, lo, hi)
    if refs is None or not len(pointed):
        return None
    lengths = _words_at(binary.image, headers + binary.image.ptr_size)
    real = (lengths > 0) & (pointed + lengths <= hi)
    headers, pointed, lengths = headers[real], pointed[real], lengths[real]
    direct = (refs.targets >= lo) & (refs.targets < hi)
    known = set(np.concatenate([refs.targets[direct], pointed]).tolist()) | {hi}
    order = np.argsort(pointed, kind="stable")
    by_start, by_length = pointed[order], lengths[order]  # the linker sorts the blob by length
    modules = ModuleIndex(binary.buildinfo)
    owner: dict[int, tuple[str, str]] = {}  # function index -> (owner kind, module)

    def kind(at: int) -> tuple[str, str]:
        i = pc.index_at(at)
        if i is None:
            return "", ""
        if i not in owner:
            owner[i] = modules.owner(package_of(pc.name(i)))
        k, module = owner[i]
        if k == MAIN and any(s <= at < e for s, e in pc.inlined_ranges(i)):
            return "inlined", module
        return k, module

    def program_loads(start: int) -> bool:
        """Own code loads the string at ``start`` (directly or by a header) and no ``foreign`` code does."""
        via = headers[pointed == np.uint64(start)]
        loads = refs.pcs[np.isin(refs.targets, np.concatenate([via, np.array([start], np.uint64)]))]
        kinds = [kind(a) for a in loads.tolist()]
        return any(k == MAIN for k, _ in kinds) and not any(m in foreign for _, m in kinds)

    def changed(start: int, end: int) -> bool:
        text = binary.image.read_va(start, end - start) or b""
        return end - start >= MIN_STRING and other.find(text) < 0 and not any(m in text for m in marks)

    def by_header(p_lo: int, p_hi: int) -> bool:
        for k in np.flatnonzero((pointed < p_hi) & (pointed + lengths > p_lo)).tolist():
            if changed(int(pointed[k]), int(pointed[k] + lengths[k])) and program_loads(int(pointed[k])):
                return True
        return False

    def direct_load(p_lo: int, p_hi: int) -> bool:
        near = direct & (refs.targets < p_hi) & (refs.targets + MAX_DIRECT > p_lo)
        for at, t in zip(refs.pcs[near].tolist(), refs.targets[near].tolist(), strict=True):
            if kind(at)[0] != MAIN:
                continue
            k = int(np.searchsorted(by_start, np.uint64(t), side="right"))
            least = int(by_length[k - 1]) if k else 1  # lengths of the headed strings around it
            most = int(by_length[k]) if k < len(by_length) else hi - t
            sizes = sorted(immediates_near(binary.image, at))
            end = next((t + n for n in sizes if least <= n <= most and t + n in known), None)
            if end is not None and end > p_lo and changed(t, end) and program_loads(t):
                return True
        return False

    return [by_header(p_lo, p_hi) or direct_load(p_lo, p_hi) for p_lo, p_hi in pieces]


def _words_at(image: Image, addrs: np.ndarray) -> np.ndarray:
    """The pointer-sized words at virtual addresses ``addrs`` (0 where one is not in the file)."""
    out = np.zeros(len(addrs), np.uint64)
    ps = image.ptr_size
    order = ">" if image.big_endian else "<"
    for k, a in enumerate(addrs.tolist()):
        raw = image.read_va(a, ps)
        if raw is not None and len(raw) == ps:
            out[k] = int.from_bytes(raw, "big" if order == ">" else "little")
    return out
