"""Layout shifts: bytes that differ only because something earlier changed size.

A longer path, modinfo or string moves later sections, so RIP-relative displacements, call
targets, pointers and table offsets change while the instructions and data stay the same.
A small differing run is an address shift when the 4-byte (or pointer-sized) value around it
changed by an amount the layout explains (a section move or a size delta, within slack), or,
on arm64, when both words are the same address-forming instruction (ADRP, ADD, LDR, B, BL).
The headers and section table also change with layout. All of it is a consequence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from godet.compare.align import unaligned
from godet.compare.bytes import as_array, equal_size_runs
from godet.explain.causes import changes_compiler_output
from godet.explain.detectors.base import Claim, DiffContext, Evidence, Finding, settlement_order
from godet.read.formats import section_names
from godet.read.image import Image
from godet.read.strdata import section_name

EMITS = frozenset({"layout-shift"})

MAX_RUN = 8
MAX_MOVED_CHECKS = 4096  # small two-sided runs at piece edges tested for moved bytes
PAGE = 4096  # longest run of padding zeros one build has and the other has not
WINDOW = 16  # bytes read around each run: a pointer-sized value may start up to 8 bytes before it
# Units made of addresses, offsets and section names only: any change in them follows the layout.
LAYOUT_UNITS = {
    ".shstrtab",
    ".reloc",
    ".rela.dyn",
    ".rela",  # (Go's own linker's name for a PIE's dynamic relocations: one per pointer in data)
    ".dynamic",
    ".symtab",
    ".dynsym",
    ".got",
    ".got.plt",
    ".go.module",
    ".init_array",
    ".pdata",
    ".xdata",
    ".gnu.hash",
    ".eh_frame_hdr",
    # Mach-O: the pointers dyld binds for the imported functions (an entry per import)
    "__DATA,__nl_symbol_ptr",
    "__DATA,__la_symbol_ptr",
    "__DATA,__got",
    "__DATA_CONST,__got",
}
# NUL-separated symbol-name tables: their order is the symbol table's (the linker's, the external
# linker's input order), so the same names in another order follow the layout.
NAME_TABLES = frozenset({".strtab", ".dynstr"})
MAX_NAME_TABLE = 64 << 20  # bytes of a name table compared as a set of names at most
MAX_LONE_NAMES = 8  # names in one build only beside a reordered table (or 1 % of its names)
MAX_NAME_OWNERS = 64  # lone names whose symbol's claimant is looked up
ARM64_MASKS = (
    (0x9F000000, 0x90000000),  # ADRP
    (0xFF800000, 0x91000000),  # ADD (immediate, 64-bit)
    (0xFC000000, 0x94000000),  # BL
    (0xFC000000, 0x14000000),  # B
    (0x3B000000, 0x39000000),  # LDR/STR (unsigned immediate)
    (0xFF000000, 0x58000000),  # LDR (literal)
    (0xFF000010, 0x54000000),  # B.cond
    (0x7E000000, 0x34000000),  # CBZ/CBNZ
)


def detect(ctx: DiffContext) -> list[Finding]:
    cmp = ctx.cmp
    runs = cmp.runs
    if len(runs) == 0:
        return []
    resized = [p for p in cmp.pairs if p.a is not None and p.b is not None and p.a.size != p.b.size]
    moved = {k: d for k, d in cmp.moves.items() if d}
    size_delta = sum(abs(p.a.size - p.b.size) for p in resized)  # type: ignore[union-attr]
    only_one = sum(p.differing for p in cmp.pairs if p.how.startswith("only-"))
    has_functions_moved = any(fd.how != "differs" for fd in cmp.functions)
    size_delta += runs.size_delta
    compressed = [p for p in cmp.pairs if p.how == "compressed" and p.a is not None and p.b is not None]
    # (strings that moved inside a section whose size padding kept: the string detector saw them)
    data_moved = bool(ctx.memo.get("data_moved"))
    anything = resized or moved or only_one or has_functions_moved or runs.size_delta or compressed
    if not (anything or data_moved):
        return []
    slack = size_delta + only_one + max((abs(d) for d in moved.values()), default=0) + 0x10000
    if _compiler_output_differs(ctx):
        # When the compiler itself produced other code, a changed displacement can't be told from a
        # changed instruction without disassembly: those bytes stay with the broad cause.
        mask = _absorbed_padding(ctx)
    else:
        mask = shift_mask(ctx, slack) | _absorbed_padding(ctx)
        mask |= slid_data(ctx, slack, mask)
        mask |= moved_data(ctx, mask)
    claims = [Claim.runs(mask)] if mask.any() else []
    # The GC programs of .data and .bss describe where the variables' pointers lie: they follow the layout.
    for side, binary in (("a", ctx.a), ("b", ctx.b)):
        for prog in binary.gc_programs:
            off = binary.image.va_to_offset(prog.addr)
            if off is not None:
                claims.append(Claim.range(side, off, off + prog.size, fallback=True))
    # Container headers, section tables and relocations follow the layout too.
    for u in runs.units:
        top = u.split("/", 1)[0]
        if top.startswith("[") or top in LAYOUT_UNITS:
            claims.append(Claim.unit(u, fallback=True))
    tables = _name_tables(ctx)
    for t in tables:
        # a name one build only has is its symbol's: it goes where the symbol's bytes go; the
        # names after it only moved
        owned = sum(_give_name(ctx, side, off, name) for side, off, name in t.lone[:MAX_NAME_OWNERS])
        if t.reordered or owned == len(t.lone):
            claims.append(Claim.unit(t.key, fallback=True))
    reordered = [(t.key, t.common) for t in tables if t.reordered]
    # Compressed sections (DWARF) whose decompressed bytes differ only by shifted addresses.
    for p in compressed:  # (a string that moved inside an equal-size section changes only addresses)
        if inflated_shift_share(ctx, p.key, slack) >= 0.99:
            claims.append(Claim.unit(p.key, fallback=True))
    if not claims:
        return []
    ev = []
    for p in resized[:6]:
        ev.append(Evidence(f"size of {p.key}", f"{p.a.size:,}", f"{p.b.size:,}"))  # type: ignore[union-attr]
    for k, d in list(moved.items())[:4]:
        ev.append(Evidence(f"address of {k}", "A", f"A{d:+#x}"))
    for k, n in reordered[:2]:
        ev.append(Evidence(f"order of {k}", f"{n:,} names", f"the same {n:,} names in another order"))
    return [
        Finding(
            "layout-shift",
            "Later code and data moved because sizes changed earlier; these bytes are address operands, "
            "pointers and offsets, not different instructions or data.",
            ev,
            claims,
        )
    ]


@dataclass(frozen=True)
class _NameTable:
    """A differing symbol-name table: its common names, whether their order differs, and the
    names one build only has (side, file offset, name)."""

    key: str
    common: int
    reordered: bool
    lone: list[tuple[str, int, str]]


def _name_tables(ctx: DiffContext) -> list[_NameTable]:
    """The differing symbol-name tables (NAME_TABLES) that hold the same names, in the same or in
    another order, beside a few names one build only has (a symbol another cause added, such as an
    -X value's ``main.version.str``, or removed, such as -trimpath's ``runtime.defaultGOROOT.str``)."""
    out = []
    for p in ctx.cmp.pairs:
        x, y = p.a, p.b
        if p.key not in NAME_TABLES or x is None or y is None or p.how == "same" or not p.differing:
            continue
        if max(x.size, y.size) > MAX_NAME_TABLE:
            continue
        na = bytes(ctx.a.image.data[x.offset : x.offset + x.size]).split(b"\0")
        nb = bytes(ctx.b.image.data[y.offset : y.offset + y.size]).split(b"\0")
        ca, cb = Counter(na), Counter(nb)
        only_a, only_b = ca - cb, cb - ca
        if sum(only_a.values()) + sum(only_b.values()) > max(MAX_LONE_NAMES, len(na) // 100):
            continue
        common = [n for n in na if cb[n]]
        reordered = common != [n for n in nb if ca[n]]
        lone = _lone_names("a", x.offset, na, only_a) + _lone_names("b", y.offset, nb, only_b)
        if reordered or lone:
            out.append(_NameTable(p.key, sum(1 for n in common if n), reordered, lone))
    return out


def _lone_names(side: str, base: int, names: list[bytes], lone: Counter[bytes]) -> list[tuple[str, int, str]]:
    """(side, file offset, name) of the last occurrences of the names ``lone`` counts."""
    left = Counter({n: k for n, k in lone.items() if n})
    out = []
    off = base + sum(len(n) + 1 for n in names)
    for n in reversed(names):
        off -= len(n) + 1
        if left[n] > 0:
            left[n] -= 1
            out.append((side, off, n.decode("utf-8", "replace")))
    return out[::-1]


def _give_name(ctx: DiffContext, side: str, off: int, name: str) -> bool:
    """Give a symbol name that one build only has to the finding that claims the symbol's own
    bytes; whether there was one."""
    binary = ctx.a if side == "a" else ctx.b
    sym = binary.symbols.by_name(name)
    if sym is None:
        return False
    lo = binary.image.va_to_offset(sym.addr)
    if lo is None:
        return False
    owner = _claimant(ctx, side, lo, lo + max(sym.size, 1))
    if owner is None:
        return False
    owner.claims.append(Claim.range(side, off, off + len(name.encode("utf-8", "replace")) + 1))
    return True


def _claimant(ctx: DiffContext, side: str, lo: int, hi: int) -> Finding | None:
    """The finding that settlement would give the differing bytes of [lo, hi) on ``side`` to
    (primary claims by rank, then fallback claims, broad causes first), or None."""
    runs = ctx.cmp.runs
    r0, r1 = (runs.a0, runs.a1) if side == "a" else (runs.b0, runs.b1)
    touched = np.flatnonzero((r0 >= 0) & (r0 < hi) & (r1 > lo))
    if not len(touched):
        return None
    keys = {runs.units[u] for u in set(runs.unit[touched].tolist())}
    keys |= {k.partition("/")[0] for k in keys}
    for late in (False, True):
        for f in settlement_order(ctx.findings, fallback=late):
            for c in f.claims:
                if c.fallback != late:
                    continue
                if c.side == side and c.start < hi and c.end > lo:
                    return f
                if (c.unit_key and c.unit_key in keys) or (c.mask is not None and c.mask[touched].any()):
                    return f
    return None


def _compiler_output_differs(ctx: DiffContext) -> bool:
    """Whether an earlier finding says the compiler's output differs throughout."""
    return ctx.cmp.coarse or any(changes_compiler_output(f.cause, f.key) for f in ctx.findings)


def _absorbed_padding(ctx: DiffContext, limit: int = 64) -> np.ndarray:
    """Small one-sided runs at the edges of aligned pieces: padding that absorbed a size change."""
    runs = ctx.cmp.runs
    gap = np.array(["/[" in u for u in runs.units], dtype=bool)
    if not len(runs):
        return np.zeros(len(runs), dtype=bool)
    one_sided = (runs.a0 < 0) | (runs.b0 < 0) | (runs.a1 <= runs.a0) | (runs.b1 <= runs.b0)
    small = gap[runs.unit] & (runs.weight <= limit)
    mask = small & one_sided
    for i in np.flatnonzero(small & ~one_sided)[:MAX_MOVED_CHECKS]:
        a0, a1, b0, b1 = (int(x[i]) for x in (runs.a0, runs.a1, runs.b0, runs.b1))
        mask[i] = _moved_nearby(ctx, a0, a1, b0, b1, limit)
    # one-sided runs that are zeros on both sides: longer ones at the gaps (a section's end padded
    # to the file alignment, PE's 512 bytes, that holds more or less of its data; the gap after the
    # code up to the next aligned address), and small ones between the pieces of writable data
    # (compare/pieces.py: the padding to the next variable's alignment, which a size change before
    # it made longer or shorter; a variable whose value is all zeros is in .bss, not here)
    data = np.array([section_name(u.split("/", 1)[0]) in MOVED_UNITS for u in runs.units], dtype=bool)
    padded = gap[runs.unit] & ~small & (runs.weight <= PAGE)
    loose = data[runs.unit] & ~mask & (runs.weight <= limit)
    for which in (padded, loose):
        for i in np.flatnonzero(which & one_sided & ~mask)[:MAX_MOVED_CHECKS]:
            a0, a1, b0, b1 = (int(x[i]) for x in (runs.a0, runs.a1, runs.b0, runs.b1))
            mask[i] = _zeros(ctx.a.image.data, a0, a1) and _zeros(ctx.b.image.data, b0, b1)
    return mask


def _zeros(data: memoryview, lo: int, hi: int) -> bool:
    """Whether the file range [lo, hi) holds only zero bytes (an empty or absent range does)."""
    return lo < 0 or hi <= lo or not any(data[lo:hi])


def _moved_nearby(ctx: DiffContext, a0: int, a1: int, b0: int, b1: int, reach: int) -> bool:
    """Whether a small run's bytes stand in the other build within ``reach`` bytes: moved, not changed.

    A trailer after a resized structure (the modinfo end marker, then padding) keeps its bytes
    but sits a few bytes later in one build.
    """
    da, db = ctx.a.image.data, ctx.b.image.data
    xa, xb = bytes(da[a0:a1]), bytes(db[b0:b1])
    if len(xa) < 4 and len(xb) < 4:
        return False
    near_b = bytes(db[max(0, b0 - reach) : b1 + reach])
    near_a = bytes(da[max(0, a0 - reach) : a1 + reach])
    return (len(xa) >= 4 and xa.strip(b"\0") != b"" and xa in near_b) or (
        len(xb) >= 4 and xb.strip(b"\0") != b"" and xb in near_a
    )


MAX_SLIDE = 256  # bytes that data may slide by inside its section (variables inserted before it)
MIN_SLID = 0.9  # share of a run's differing words that must be the other build's, slid and shifted
MAX_SLID_RUNS = 256  # clusters of data runs tested for a slide
MIN_SPLIT = 4  # runs in each half of a cluster that no one slide explains, tried again on its own
# (halves have a budget of MAX_SLID_RUNS of their own)
SLIDE_WINDOW = 512  # words of a large cluster no one slide explains, given the slide that fits them best
MAX_WINDOWED = 64 << 20  # words compared in all by the window test (each word once per slide)
CHUNK = 64 * SLIDE_WINDOW  # words of a cluster compared with every slide at a time


def slid_data(ctx: DiffContext, slack: int, done: np.ndarray) -> np.ndarray:
    """Runs of data whose words are the other build's a few words later or earlier, each equal or an
    address that moved within the layout's slack: a variable or constant inserted (or dropped) before
    them slid them (where padding kept the section's size, no section move shows it). Without a
    symbol table nothing else cuts such a section into its variables. The runs are taken in clusters
    (gaps under MAX_SLIDE) tested as a whole; a run is claimed when each word it touches is the other
    build's under the cluster's slide (an inserted word, or one that really changed, is not)."""
    runs = ctx.cmp.runs
    out = np.zeros(len(runs), dtype=bool)
    image_a, image_b = ctx.a.image, ctx.b.image
    secs_b = {s.key: s for s in image_b.sections}
    data = {
        s.key: s for s in image_a.sections if not s.executable and s.in_file and s.alloc and s.key in secs_b
    }
    top = [u.split("/", 1)[0] for u in runs.units]
    in_data = np.array([t in data for t in top], dtype=bool)
    cand = np.flatnonzero(in_data[runs.unit] & (runs.a0 >= 0) & (runs.b0 >= 0)) if len(runs) else []
    if not len(cand) or done[cand].all():
        return out
    ps = image_a.ptr_size
    lo = min(s.addr for s in image_a.sections if s.alloc)
    tried = halves = 0
    windowed = MAX_WINDOWED
    todo = [(c, False) for c in _clusters(np.asarray(cand), runs.unit, runs.a0, runs.a1, MAX_SLIDE)[::-1]]
    while todo:
        cluster, half = todo.pop()
        if done[cluster].all() or (halves if half else tried) >= MAX_SLID_RUNS:
            continue
        halves, tried = (halves + 1, tried) if half else (halves, tried + 1)
        sec = data[top[runs.unit[cluster[0]]]]
        sb = secs_b[sec.key]
        first, last = int(cluster[0]), int(cluster[-1])
        d0 = int(runs.b0[first] - runs.a0[first])
        a0 = int(runs.a0[first]) - (int(runs.a0[first]) - sec.offset) % ps
        n = (int(runs.a1[last]) - a0 + ps - 1) // ps
        spans = ((sec.offset, sec.end), (sb.offset, sb.end))
        # (the runs of one cluster pair A and B at one offset)
        same_pairing = int(runs.b0[last] - runs.a0[last]) == d0
        words = _slides(image_a, image_b, (a0, a0 + d0, n), spans, (slack, lo)) if same_pairing else None
        ok = _slid(words) if words is not None else None
        cost = n * (2 * MAX_SLIDE // ps + 1)
        if ok is None and words is not None and n >= 4 * SLIDE_WINDOW and windowed >= cost:
            # a large cluster (a whole section's worth of runs less than MAX_SLIDE apart) slides by
            # other amounts in other places: each window of it is given the slide that fits it
            windowed -= cost
            ok = _slid_windows(words)
        if ok is None:
            # two slides in one cluster (data slid one way, then another): its halves are tried on
            # their own; not in writable data, where moved_data aligns what no slide explains
            if len(cluster) >= 2 * MIN_SPLIT and section_name(sec.key) not in MOVED_UNITS:
                k = len(cluster) // 2
                todo += [(cluster[k:], True), (cluster[:k], True)]
            continue
        idx = cluster[~done[cluster]]  # a run is claimed when every word it touches is accounted for
        w0, w1 = (runs.a0[idx] - a0) // ps, (runs.a1[idx] - a0 + ps - 1) // ps
        bad = np.concatenate([[0], np.cumsum(~ok)])
        out[idx] = bad[w1] == bad[w0]
    return out


MOVED_UNITS = section_names("noptrdata", "data")  # writable data: pointer-free, or its parts that are
MAX_MOVED_SPAN = 8 << 20  # differing span of one section aligned at most


def moved_data(ctx: DiffContext, done: np.ndarray) -> np.ndarray:
    """Runs of writable data whose bytes, in both builds, all lie in blocks the other build holds
    elsewhere in the section (compare/align.py): byte tables and []byte literals (a protobuf
    descriptor, a Unicode table) moved by a size change before them, further than a slide of a few
    words (slid_data) reaches. A run with a byte in no shared block (a changed value, a moved
    pointer) is not claimed."""
    runs = ctx.cmp.runs
    out = np.zeros(len(runs), dtype=bool)
    top = [section_name(u.split("/", 1)[0]) for u in runs.units]
    units = [i for i, t in enumerate(top) if t in MOVED_UNITS]
    if not units:
        return out
    both = np.isin(runs.unit, units) & (runs.a0 >= 0) & (runs.b0 >= 0) & ~done
    data_a, data_b = as_array(ctx.a.image.data), as_array(ctx.b.image.data)
    for u in units:
        idx = np.flatnonzero(both & (runs.unit == u))
        if not len(idx):
            continue
        a0, a1 = int(runs.a0[idx].min()), int(runs.a1[idx].max())
        b0, b1 = int(runs.b0[idx].min()), int(runs.b1[idx].max())
        if max(a1 - a0, b1 - b0) > MAX_MOVED_SPAN:
            continue
        ux, uy = unaligned(data_a[a0:a1], data_b[b0:b1])
        zero = np.zeros(1, dtype=np.int32)  # (int32: spans are at most MAX_MOVED_SPAN bytes)
        ca = np.concatenate([zero, np.cumsum(ux, dtype=np.int32)])  # unaligned bytes before each place
        cb = np.concatenate([zero, np.cumsum(uy, dtype=np.int32)])
        del ux, uy
        ok = (ca[runs.a1[idx] - a0] == ca[runs.a0[idx] - a0]) & (
            cb[runs.b1[idx] - b0] == cb[runs.b0[idx] - b0]
        )
        out[idx[ok]] = True
        ctx.a.image.release(a0, a1)
        ctx.b.image.release(b0, b1)
    return out


def _clusters(
    idx: np.ndarray, unit: np.ndarray, a0: np.ndarray, a1: np.ndarray, gap: int
) -> list[np.ndarray]:
    """``idx`` (run indexes in file order) cut where the unit changes or A's gap exceeds ``gap``."""
    cut = (unit[idx[1:]] != unit[idx[:-1]]) | (a0[idx[1:]] - a1[idx[:-1]] > gap)
    return np.split(idx, np.flatnonzero(cut) + 1)


@dataclass
class _Slides:
    """One cluster's words in A, B's words around them and the slides to test them at."""

    wa: np.ndarray  # A's n words (int64)
    wb: np.ndarray  # B's words from the smallest slide's start on, n + the slides' reach of them
    in_place: np.ndarray  # per word of A: accounted for where it stands (B's word at b0)
    ks: np.ndarray  # slides (in words from b0 rounded down to B's alignment), in the order tried
    k0: int  # the smallest slide: wb[k - k0 : k - k0 + n] are B's words at slide k
    same: Callable[[np.ndarray, np.ndarray], np.ndarray]  # equal, or addresses the layout moved


def _slides(
    image_a: Image,
    image_b: Image,
    run: tuple[int, int, int],
    spans: tuple[tuple[int, int], tuple[int, int]],
    limits: tuple[int, int],
) -> _Slides | None:
    """The words of the ``n`` words at ``a0`` (A) and at ``b0`` (B) and every slide within MAX_SLIDE
    that stays in B's section (ties go to the smallest slide, the later one first); None when the
    words lie past a section's (or a truncated file's) end, or no slide fits."""
    a0, b0, n = run
    (sa, sb), (slack, lo) = spans, limits
    ps = image_a.ptr_size
    dt = np.dtype((">" if image_a.big_endian else "<") + ("u8" if ps == 8 else "u4"))

    def words(image: Image, at: int, count: int) -> np.ndarray:
        return np.frombuffer(image.data, dtype=dt, count=count, offset=at).astype(np.int64)

    def fits(image: Image, at: int, span: tuple[int, int]) -> bool:
        return span[0] <= at and at + n * ps <= min(span[1], len(image.data))

    if not (fits(image_a, a0, sa) and fits(image_b, b0, sb)):
        return None

    def same(wx: np.ndarray, wb: np.ndarray) -> np.ndarray:
        return (wx == wb) | ((wx >= lo) & (wb >= lo) & (np.abs(wb - wx) <= slack))

    wa = words(image_a, a0, n)
    in_place = same(wa, words(image_b, b0, n))
    # B's words stand aligned in its section: when the runs pair A and B at an odd offset (a string
    # one byte shorter before them), the slides that reach aligned words are not multiples of ps
    mis = (b0 - sb[0]) % ps
    base = b0 - mis  # slide k words: B's words at base + k * ps
    order = [0] if mis else []
    for k in range(1, MAX_SLIDE // ps + 1):
        order += [k, -k]
    top = min(sb[1], len(image_b.data)) - n * ps
    ks = np.array([k for k in order if sb[0] <= base + k * ps <= top], dtype=np.int64)
    if not len(ks):
        return None
    k0 = int(ks.min())
    return _Slides(wa, words(image_b, base + k0 * ps, n + int(ks.max()) - k0), in_place, ks, k0, same)


def _slid(s: _Slides) -> np.ndarray | None:
    """Per word of A's words: whether it is B's word where it stands or at the slide that accounts
    for the most words, equal or an address moved within the slack. None unless that slide accounts
    for MIN_SLID of the words not accounted for in place. Every slide is a view of B's words."""
    if s.in_place.all():
        return None
    share = _shares(s.wa, s.wb, ~s.in_place, s.ks - s.k0, s.same)
    j = int(np.argmax(share))
    if share[j] <= 0.0 or share[j] < MIN_SLID:
        return None
    off = int(s.ks[j]) - s.k0
    return s.same(s.wa, s.wb[off : off + len(s.wa)]) | s.in_place


def _slid_windows(s: _Slides) -> np.ndarray | None:
    """_slid window by window (SLIDE_WINDOW words each): per window, the slide that accounts for the
    most of its words not accounted for in place (the first in _Slides' order on a tie), kept where
    it accounts for MIN_SLID of them. None when no window has one."""
    if s.in_place.all():
        return None
    wa, wb, todo, n = s.wa, s.wb, ~s.in_place, len(s.wa)
    starts = np.arange(0, n, SLIDE_WINDOW)
    need = np.add.reduceat(todo.astype(np.int64), starts)
    best = np.zeros(len(starts))
    pick = np.full(len(starts), -1)
    for c in range(0, n, CHUNK):  # (a chunk at a time: the temporaries stay small)
        e = min(n, c + CHUNK)
        w = slice(c // SLIDE_WINDOW, -(-e // SLIDE_WINDOW))
        for j, k in enumerate(s.ks.tolist()):
            off = k - s.k0
            hits = (s.same(wa[c:e], wb[off + c : off + e]) & todo[c:e]).astype(np.int64)
            share = np.add.reduceat(hits, starts[w] - c) / np.maximum(need[w], 1)
            better = share > best[w]
            best[w][better], pick[w][better] = share[better], j
    keep = np.flatnonzero((best >= MIN_SLID) & (need > 0))
    if not len(keep):
        return None
    out = s.in_place.copy()
    for i in keep.tolist():
        lo, hi = int(starts[i]), min(n, int(starts[i]) + SLIDE_WINDOW)
        off = int(s.ks[int(pick[i])]) - s.k0
        out[lo:hi] |= s.same(wa[lo:hi], wb[off + lo : off + hi])
    return out


def _shares(
    wa: np.ndarray,
    wb: np.ndarray,
    todo: np.ndarray,
    offs: np.ndarray,
    same: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """For each offset k: the share of A's words marked ``todo`` that ``same`` finds at B's word
    k places later. Small: one matrix of every offset; otherwise one offset at a time, on views of
    B's words when most are marked (else on the marked ones, gathered)."""
    cols = np.flatnonzero(todo)
    n, m = len(wa), len(cols)
    if m * len(offs) <= 1 << 16:
        return same(wa[cols][None, :], wb[cols[None, :] + offs[:, None]]).sum(axis=1) / m
    if 4 * m >= n:
        return np.array([np.count_nonzero(same(wa, wb[k : k + n]) & todo) for k in offs.tolist()]) / m
    wc = wa[cols]
    return np.array([np.count_nonzero(same(wc, wb[cols + k])) for k in offs.tolist()]) / m


def shift_mask(ctx: DiffContext, slack: int) -> np.ndarray:
    """Runs (of the run table) that are address shifts."""
    runs = ctx.cmp.runs
    da, db = as_array(ctx.a.image.data), as_array(ctx.b.image.data)
    length = runs.a1 - runs.a0
    cand = (
        (runs.a0 >= 0) & (runs.b0 >= 0) & (length > 0) & (length <= MAX_RUN) & (runs.b1 - runs.b0 == length)
    )
    mask = np.zeros(len(runs), dtype=bool)
    idx = np.flatnonzero(cand)
    if len(idx):
        mask[idx] = shifted(
            da,
            db,
            runs.a0[idx],
            runs.a1[idx],
            runs.b0[idx],
            slack,
            ctx.a.image.big_endian,
            ctx.a.image.arch == "arm64",
        )
    return mask


def shifted(
    da: np.ndarray,
    db: np.ndarray,
    a0: np.ndarray,
    a1: np.ndarray,
    b0: np.ndarray,
    slack: int,
    big: bool,
    arm64: bool = False,
    chunk: int = 1 << 20,
) -> np.ndarray:
    """For each run [a0, a1) of A (at b0 in B), whether it is an address/offset shift."""
    out = _arm64(da, db, a0, a1, b0) if arm64 else np.zeros(len(a0), dtype=bool)
    for lo in range(0, len(a0), chunk):
        hi = min(len(a0), lo + chunk)
        out[lo:hi] |= _shifted_chunk(da, db, a0[lo:hi], a1[lo:hi], b0[lo:hi], slack, big)
    return out


def _windows(arr: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The 16 bytes around each start (8 before, 8 from it), as an (n, 16) array; zeros off the edges."""
    if len(arr) < WINDOW:
        return np.zeros((len(starts), WINDOW), dtype=np.uint8)
    view = np.lib.stride_tricks.as_strided(arr, shape=(len(arr) - WINDOW + 1, WINDOW), strides=(1, 1))
    first = np.clip(starts - WINDOW // 2, 0, len(arr) - WINDOW)
    return view[first]


def _shifted_chunk(
    da: np.ndarray, db: np.ndarray, a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, slack: int, big: bool
) -> np.ndarray:
    half = WINDOW // 2
    length = a1 - a0
    valid = (a0 >= half) & (b0 >= half) & (a0 + half <= len(da)) & (b0 + half <= len(db)) & (length <= half)
    rows_a, rows_b = _windows(da, a0), _windows(db, b0)
    ok = np.zeros(len(a0), dtype=bool)
    for width, dt in ((4, "i4"), (8, "i8")):
        dtype = np.dtype((">" if big else "<") + dt)
        for j in range(width):
            fits = valid & (length <= width - j)
            if not fits.any():
                continue
            col = half - j
            va = np.ascontiguousarray(rows_a[:, col : col + width]).view(dtype).ravel().astype(np.int64)
            vb = np.ascontiguousarray(rows_b[:, col : col + width]).view(dtype).ravel().astype(np.int64)
            delta = vb - va
            ok |= fits & (delta != 0) & (np.abs(delta) <= slack)
    return ok


def inflated_shift_share(ctx: DiffContext, key: str, slack: int, a_buf: bytes | None = None) -> float:
    """Share of a compressed unit's decompressed differences that are address shifts (0 if sizes differ)."""
    pair = ctx.inflated(key)
    if pair is None:
        return 0.0
    xa = np.frombuffer(a_buf if a_buf is not None else pair[0], dtype=np.uint8)
    xb = np.frombuffer(pair[1], dtype=np.uint8)
    if len(xa) != len(xb):
        return 0.0
    s, e = equal_size_runs(xa, xb)
    if not len(s):
        return 1.0
    ok = shifted(xa, xb, s, e, s, slack, ctx.a.image.big_endian)
    return float((e - s)[ok].sum()) / float((e - s).sum())


def _gather(arr: np.ndarray, starts: np.ndarray, width: int, big: bool) -> np.ndarray:
    """Signed integers of ``width`` bytes at ``starts`` (vectorised)."""
    cols = starts[:, None] + np.arange(width)[None, :]
    b = arr[cols].astype(np.int64)
    if big:
        b = b[:, ::-1]
    val = np.zeros(len(starts), dtype=np.int64)
    for i in range(width):
        val |= b[:, i] << (8 * i)
    if width == 4:
        val = np.where(val >= 1 << 31, val - (1 << 32), val)
    return val


def _arm64(da: np.ndarray, db: np.ndarray, a0: np.ndarray, a1: np.ndarray, b0: np.ndarray) -> np.ndarray:
    wa = a0 & ~3
    wb = b0 - (a0 - wa)
    fits = (a1 <= wa + 4) & (wa + 4 <= len(da)) & (wb >= 0) & (wb + 4 <= len(db))
    out = np.zeros(len(a0), dtype=bool)
    if not fits.any():
        return out
    va = _gather(da, wa[fits], 4, False) & 0xFFFFFFFF
    vb = _gather(db, wb[fits], 4, False) & 0xFFFFFFFF
    same = np.zeros(len(va), dtype=bool)
    for m, v in ARM64_MASKS:
        same |= ((va & m) == v) & ((vb & m) == v)
    out[np.flatnonzero(fits)[same]] = True
    return out
