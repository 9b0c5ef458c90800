"""What the content detectors share: the differing data runs still to explain (State), and small
helpers to read, locate and show strings of either build."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from godet.compare import code as codecmp
from godet.explain.detectors.base import Claim, DiffContext, Finding
from godet.read import inltree
from godet.read.binary import Binary
from godet.read.formats import in_debug_segment, is_debug_name, section_keys, section_names
from godet.read.strdata import DATA_NAMES, section_name
from godet.read.timestamps import find_timestamps, is_unix_time
from godet.read.typedesc import types_range
from godet.read.xflags import LINKER_STRINGS

__all__ = ["DATA_NAMES", "section_name"]

RUNTIME_STR = LINKER_STRINGS
PCLNTAB_UNITS = section_keys("pclntab", "pclntab-relro")
# the sections of type descriptors and funcdata (Go 1.27's .go.type and .go.func, and in a PIE their
# relro twins, where the funcdata that holds pointers lies apart from moduledata.gofunc's)
GO_TABLE_NAMES = section_names("go-type", "go-func")
C_SUPPORT_UNITS = (
    # C code calls libc through the dynamic-link tables: other C code, other imports
    ".rela.plt",
    ".rela.dyn",
    ".plt",
    ".got",
    ".got.plt",
    ".dynsym",
    ".dynstr",
    ".gnu.version",
    ".gnu.version_r",
    ".gnu.hash",
    ".eh_frame",
    ".eh_frame_hdr",
    ".gcc_except_table",
    ".symtab",
    ".strtab",
    "__LINKEDIT",
    "__TEXT,__eh_frame",
    "__TEXT,__unwind_info",
    # Mach-O sections only C objects bring (Go's linker writes none): their constants and strings
    "__TEXT,__const",
    "__TEXT,__cstring",
    "__TEXT,__literal4",
    "__TEXT,__literal8",
    "__TEXT,__literal16",
    "__DATA_CONST,__const",
    "__DATA,__const",
)
# sections that follow the code and the type descriptors: symbol tables, and the tables of type and
# itab offsets (sorted by type name: a descriptor that moves changes them)
FOLLOW_CODE = frozenset({".symtab", ".strtab", *section_names("link-tables")})
MAX_STRING = 256  # bytes scanned either side of a run for its printable string
MAX_RUNS = 20_000  # data runs looked at per comparison, shared fairly among the data sections (a
# string section full of moved strings must not hide the section after it)
MAX_HEADER_RUNS = 2_000  # clusters checked against string headers
PREVIEW = 72

VERSION = re.compile(r"^v?\d+(?:\.\d+){1,3}(?:[-+.][0-9A-Za-z.-]+)?$")
HOSTLIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}$")
HOSTMARK = re.compile(r"[.@-]|[A-Za-z]\d|\d[A-Za-z]")  # a host or user has a dot, dash, @ or digits


@dataclass
class Run:
    i: int  # index in the run table
    unit: str
    a0: int
    a1: int
    b0: int
    b1: int


class State:
    """The data runs still to explain and what this detector has claimed so far."""

    def __init__(
        self, ctx: DiffContext, runs: list[Run], sides: dict[str, tuple[np.ndarray, ...]] | None = None
    ) -> None:
        self.ctx = ctx
        self.runs = runs
        self.done: set[int] = set()
        self._sides = sides if sides is not None else {side: self._index(side) for side in ("a", "b")}

    def _index(self, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lo = np.array([r.a0 if side == "a" else r.b0 for r in self.runs], dtype=np.int64)
        hi = np.array([r.a1 if side == "a" else r.b1 for r in self.runs], dtype=np.int64)
        keep = np.flatnonzero(lo >= 0)
        order = keep[np.argsort(lo[keep], kind="stable")]
        return lo[order], hi[order], order

    @classmethod
    def of(cls, ctx: DiffContext) -> State:
        """The data runs of the comparison, less the bytes earlier findings explain precisely."""
        st = cls(ctx, data_runs(ctx), ctx.memo.get("data_runs_index"))
        ctx.memo["data_runs_index"] = st._sides
        for f in ctx.findings:  # bytes earlier detectors explain precisely are not ours to explain again
            st.take(c for c in f.claims if not c.fallback)
        return st

    def pending(self, unit: str | None = None) -> list[Run]:
        return [r for r in self.runs if r.i not in self.done and (unit is None or r.unit == unit)]

    def take(self, claims: Iterable[Claim]) -> None:
        """Mark the runs the range claims overlap as explained (for later steps); vectorised."""
        spans: dict[str, list[tuple[int, int]]] = {"a": [], "b": []}
        for c in claims:
            if c.side in spans and c.end > c.start:
                spans[c.side].append((c.start, c.end))
        for side, sp in spans.items():
            starts, ends, order = self._sides[side]
            if not sp or not len(order):
                continue
            arr = np.array(sp, dtype=np.int64)
            # runs of one side do not overlap each other, so their ends are sorted like their starts
            lo = np.searchsorted(np.maximum.accumulate(ends), arr[:, 0], side="right")
            hi = np.searchsorted(starts, arr[:, 1], side="left")
            mark = np.zeros(len(order) + 1, dtype=np.int64)
            ok = hi > lo
            np.add.at(mark, lo[ok], 1)
            np.add.at(mark, hi[ok], -1)
            for k in np.flatnonzero(np.cumsum(mark)[:-1] > 0).tolist():
                self.done.add(self.runs[int(order[k])].i)


def data_runs(ctx: DiffContext) -> list[Run]:
    """The differing runs in data sections (at most MAX_RUNS), computed once per diff."""
    got = ctx.memo.get("data_runs")
    if got is None:
        got = ctx.memo["data_runs"] = _data_runs(ctx)
    return got


def _data_runs(ctx: DiffContext) -> list[Run]:
    runs = ctx.cmp.runs
    out: list[Run] = []
    is_data: dict[str, bool] = {}  # per section: units are mostly "section/function" pieces of a few
    section_of: dict[int, int] = {}  # unit index -> its section's number
    tops: dict[str, int] = {}
    for i, u in enumerate(runs.units):
        top = u.partition("/")[0]
        if top not in is_data:
            is_data[top] = section_name(top) in DATA_NAMES
        if is_data[top]:
            section_of[i] = tops.setdefault(top, len(tops))
    if not section_of:
        return out
    idx = np.flatnonzero(np.isin(runs.unit, list(section_of)))
    if len(idx) > MAX_RUNS:  # the first runs of each section, in table order, up to its fair share
        sec = np.fromiter((section_of[u] for u in runs.unit[idx].tolist()), dtype=np.int64, count=len(idx))
        order = np.argsort(sec, kind="stable")
        first = np.searchsorted(sec[order], sec[order])  # where each run's section starts in that order
        rank = np.empty(len(idx), dtype=np.int64)
        rank[order] = np.arange(len(idx)) - first
        idx = idx[rank < _fair_caps(np.bincount(sec), MAX_RUNS)[sec]]
    for i in idx.tolist():
        out.append(
            Run(
                i,
                runs.units[runs.unit[i]],
                int(runs.a0[i]),
                int(runs.a1[i]),
                int(runs.b0[i]),
                int(runs.b1[i]),
            )
        )
    return out


def _fair_caps(counts: np.ndarray, total: int) -> np.ndarray:
    """Per section, how many of its runs to take: ``total`` shared so that a section with fewer runs
    than an equal share gets all of them and the rest is split among the others."""
    caps = np.zeros(len(counts), dtype=np.int64)
    left, todo = total, list(np.argsort(counts, kind="stable"))
    while todo:
        share = left // len(todo)
        k = todo.pop(0)
        caps[k] = min(int(counts[k]), share)
        left -= caps[k]
    return caps


ADDR_LIMIT = 1 << 62  # virtual addresses the vectorised lookups handle (real ones are far below)


def section_index(binary: Binary, offsets: np.ndarray) -> np.ndarray:
    """For each file offset, the index in ``image.sections`` of the section holding it (-1: none),
    like ``Image.section_at`` (the first section in table order wins)."""
    out = np.full(len(offsets), -1, dtype=np.int64)
    for k, s in enumerate(binary.image.sections):
        if s.size:
            out[(out < 0) & (offsets >= s.offset) & (offsets < s.offset + s.size)] = k
    return out


def section_starts(binary: Binary, offsets: np.ndarray) -> np.ndarray:
    """For each file offset, the file offset of the section holding it (-1: none)."""
    k = section_index(binary, offsets)
    starts = np.array([s.offset for s in binary.image.sections] + [-1], dtype=np.int64)
    return starts[k]


def vas_at(binary: Binary, offsets: np.ndarray) -> np.ndarray:
    """For each file offset, its virtual address (-1: not in an allocated section), like ``va_at``."""
    secs = binary.image.sections
    k = section_index(binary, offsets)
    # (a hostile section loaded near the top of memory is left out: its addresses do not fit)
    alloc = np.array([s.alloc and 0 <= s.addr < ADDR_LIMIT for s in secs] + [False], dtype=bool)
    base = np.array(
        [s.addr - s.offset if 0 <= s.addr < ADDR_LIMIT else 0 for s in secs] + [0], dtype=np.int64
    )
    return np.where(alloc[k], base[k] + offsets, -1)


def va_to_offsets(binary: Binary, addrs: np.ndarray) -> np.ndarray:
    """For each virtual address, its file offset (-1: not backed by the file), like
    ``Image.va_to_offset``: segments first, then allocated sections, the first match winning."""
    im = binary.image
    x = addrs.astype(np.uint64)
    out = np.full(len(x), -1, dtype=np.int64)
    spans = [(g.addr, g.file_size, g.offset) for g in im.segments if g.file_size]
    spans += [(s.addr, s.size, s.offset) for s in im.sections if s.size and s.alloc]
    for addr, size, off in spans:
        if addr < 0 or size <= 0 or addr + size >= ADDR_LIMIT:
            continue  # (hostile: beyond the addresses godet compares as 64-bit integers)
        hit = (out < 0) & (x >= np.uint64(addr)) & (x < np.uint64(addr + size))
        if hit.any():
            got = off + (x[hit] - np.uint64(addr)).astype(np.int64)
            out[np.flatnonzero(hit)] = np.where(got < im.size, got, -2)
    out[out == -2] = -1
    return out


def va_at(binary: Binary, off: int) -> int | None:
    sec = binary.image.section_at(off)
    return None if sec is None or not sec.alloc else sec.addr + off - sec.offset


def va_claims(side: str, binary: Binary, va: int, size: int) -> list[Claim]:
    off = binary.image.va_to_offset(va)
    if off is None or size <= 0:
        return []
    return [Claim.range(side, off, off + size)]


def bumped_modules(ctx: DiffContext) -> list[str]:
    """The modules whose version differs, or that one build alone holds (the keys of the
    dependency-version findings)."""
    return sorted({f.key for f in ctx.findings if f.cause == "dependency-version" and f.key})


def pinned_modules(ctx: DiffContext) -> set[str]:
    """The dependencies both builds record at the same version with the same checksum (replaced by
    nothing, or by the same versioned module): their source is the same in both builds."""
    ba, bb = ctx.a.buildinfo, ctx.b.buildinfo
    if ba is None or bb is None:
        return set()
    db = {m.path: m for m in bb.deps}
    out = set()
    for m in ba.deps:
        n = db.get(m.path)
        used = m.replace or m
        if n == m and used.version and used.sum:
            out.add(m.path)
    return out


def read_at(binary: Binary, va: int, size: int) -> bytes | None:
    if size < 0 or size > 1 << 26:
        return None
    return binary.image.read_va(va, size)


def preview(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    text = raw.decode("utf-8", "backslashreplace")
    shown = text[:PREVIEW].encode("unicode_escape").decode("ascii")
    return shown + ("…" if len(text) > PREVIEW else "")


def digest(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    return f"{len(raw):,} bytes, sha256 {hashlib.sha256(raw).hexdigest()[:16]}"


def printable(b: int) -> bool:
    return 0x20 <= b < 0x7F or b in (0x09, 0x0A, 0x0D)


NON_PRINTABLE = re.compile(rb"[^\x20-\x7e\t\n\r]")


def string_around(binary: Binary, start: int, end: int) -> tuple[int, int]:
    """The printable string (file offsets) that contains [start, end), bounded by MAX_STRING."""
    data = binary.image.data
    sec = binary.image.section_at(start)
    lo_lim = max(sec.offset if sec else 0, start - MAX_STRING)
    hi_lim = min(sec.offset + sec.size if sec else binary.image.size, end + MAX_STRING)
    before = bytes(data[lo_lim:start])
    last = NON_PRINTABLE.search(before[::-1])  # (the last non-printable byte before ``start``)
    s = lo_lim + (len(before) - last.start() if last else 0)
    m = NON_PRINTABLE.search(bytes(data[end:hi_lim]))
    e = end + (m.start() if m else hi_lim - end)
    return s, e


def symbol_at(binary: Binary, va: int):  # type: ignore[no-untyped-def]
    if not binary.symbols.present:
        return None
    s = binary.symbols.lookup(va)
    return s if s is not None and s.size > 0 else None


def claimed_keys(ctx: DiffContext, cause: str) -> set[str]:
    return {f.key for f in ctx.findings if f.cause == cause and f.key}


def as_text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", "backslashreplace")


def looks_like(value: str | None) -> str | None:
    """What kind of build-specific value a string looks like: timestamp, version, host, or None."""
    if not value:
        return None
    v = value.strip()
    if is_unix_time(v):
        return "a Unix timestamp"
    if find_timestamps(v):
        return "a timestamp"
    if VERSION.match(v):
        return "a version"
    if HOSTLIKE.match(v) and HOSTMARK.search(v) and not v.isdigit():
        return "a host, user or identifier"
    return None


def looks_like_suffix(a: str | None, b: str | None) -> str:
    kind = looks_like(a) or looks_like(b)
    return f", {kind}" if kind else ""


def mostly_text(raw: bytes) -> bool:
    if not raw:
        return True
    sample = raw[:4096]
    return sum(printable(b) for b in sample) >= 0.9 * len(sample)


def from_first_diff(x: bytes, y: bytes) -> bytes:
    """``x`` from a little before its first difference with ``y``."""
    n = min(len(x), len(y))
    i = next((k for k in range(n) if x[k] != y[k]), n)
    return x[max(0, i - 16) :]


def clusters(runs: list[Run], gap: int) -> list[list[Run]]:
    out: list[list[Run]] = []
    for r in sorted(runs, key=lambda r: (r.unit, r.a0)):
        if out and out[-1][-1].unit == r.unit and r.a0 - out[-1][-1].a1 <= gap:
            out[-1].append(r)
        else:
            out.append([r])
    return out


def function_claims(fd, fallback: bool = False) -> list[Claim]:  # type: ignore[no-untyped-def]
    out = []
    for side, r in (("a", fd.a_range), ("b", fd.b_range)):
        if r:
            out.append(Claim.range(side, r[0], r[1], fallback=fallback))
    return out


def code_explained(ctx: DiffContext, rank: int) -> str | None:
    """The cause of an earlier finding that already claims all code (e.g. a toolchain), or None."""
    return next((f.cause for f in ctx.findings if f.rank < rank and claims_code(ctx, f)), None)


def claims_code(ctx: DiffContext, f: Finding) -> bool:
    """Whether a finding claims a whole executable section of either build."""
    code = {s.key for s in ctx.a.image.sections if s.executable} | {
        s.key for s in ctx.b.image.sections if s.executable
    }
    return any(c.unit_key in code for c in f.claims)


def follow_claims(ctx: DiffContext) -> list[Claim]:
    """Debug info, pc tables, symbol sizes and the type descriptors follow the code: fallback claims
    on those units, and on the ranges of the type descriptors where it holds nothing else, of the
    funcdata, of the pclntab and of the findfunctab."""
    out = [
        Claim.range(side, lo, hi, fallback=True)
        for side, binary in (("a", ctx.a), ("b", ctx.b))
        for lo, hi in (
            type_descriptors(binary),
            funcdata(binary),
            _pclntab_range(binary),
            _findfunctab_range(binary),
        )
        if hi > lo
    ]
    tables = _pclntab_pieces(ctx)
    for u in ctx.cmp.runs.units:
        top = u.split("/", 1)[0]
        name = section_name(u)
        if (
            is_debug_name(name)
            or in_debug_segment(u)
            or top in PCLNTAB_UNITS
            or name in FOLLOW_CODE
            or name in GO_TABLE_NAMES
            or u in tables
        ):
            out.append(Claim.unit(u, fallback=True))
    return out


def _pclntab_range(binary: Binary) -> tuple[int, int]:
    """The pclntab's file range (inside another section in PE's .rdata, where a unit the anchors cut
    may run from the table into the funcdata after it); (0, 0) without one."""
    p = binary.pclntab
    return (p.offset, p.offset + p.size) if p is not None and p.size > 0 else (0, 0)


def _findfunctab_range(binary: Binary) -> tuple[int, int]:
    """The findfunctab's file range (the pc -> function index the linker builds from the code's
    addresses; in .rodata before Go 1.26); (0, 0) when moduledata does not say where it is."""
    p = binary.pclntab
    if p is None or not p.findfunctab[1]:
        return 0, 0
    return p.findfunctab[0], p.findfunctab[0] + p.findfunctab[1]


def funcdata(binary: Binary) -> tuple[int, int]:
    """The file range from go:func.* (moduledata.gofunc: the functions' stack maps, inline trees and
    argument info, which the compiler writes with the code; before 1.18 the lowest funcdata address
    the records hold) to the end of its section; (0, 0) when the binary does not say where it starts."""
    base = inltree.gofunc_base(binary)
    if base is None and binary.pclntab is not None:
        base = binary.pclntab.funcdata_start()  # (funcdata are addresses before 1.18)
    lo = binary.image.va_to_offset(base) if base else None
    sec = binary.image.section_at(lo) if lo is not None else None
    if lo is None or sec is None:
        return 0, 0
    return lo, sec.offset + sec.size


def type_descriptors(binary: Binary) -> tuple[int, int]:
    """The file range of the type descriptors: [runtime.types, runtime.etypes) where it holds them
    only (Go 1.27's .go.type); before, that range spans all of .rodata, where the linker writes the
    descriptors first (symbol kind STYPE, before the string literals, funcdata and other read-only
    data), so they end where the first of those begins."""
    span = types_range(binary)
    if span is None:
        return 0, 0
    lo, hi = span
    others = [binary.literal_blob[0] if binary.literal_blob else None, inltree.gofunc_base(binary)]
    tab = binary.pclntab
    others.append(tab.addr if tab is not None and tab.addr else None)
    hi = min([hi, *(x for x in others if x is not None and lo <= x < hi)])
    if hi <= lo:
        return 0, 0
    off = binary.image.va_to_offset(lo)
    end = binary.image.va_to_offset(hi - 1)
    return (off, end + 1) if off is not None and end is not None and end >= off else (0, 0)


def _pclntab_pieces(ctx: DiffContext) -> set[str]:
    """Unit keys of pclntab tables that sit inside another section (PE .rdata, some Mach-O layouts):
    the named tables, and the pieces between or after them whose differing bytes all lie inside the
    table (the _func records after the functab, which the anchors leave unnamed)."""
    out: set[str] = set()
    runs = ctx.cmp.runs
    for side, binary in (("a", ctx.a), ("b", ctx.b)):
        p = binary.pclntab
        sec = binary.image.section_at(p.offset) if p is not None else None
        if p is None or sec is None:
            continue
        names = {*p.tables, "header"}
        lo_arr, hi_arr = (runs.a0, runs.a1) if side == "a" else (runs.b0, runs.b1)
        for k, u in enumerate(runs.units):
            top, _, sub = u.partition("/")
            if top != sec.key:
                continue
            if sub in names or sub.removeprefix("[before ").rstrip("]") in names:
                out.add(u)
            elif sub.startswith("["):
                idx = np.flatnonzero((runs.unit == k) & (lo_arr >= 0))
                if len(idx) and lo_arr[idx].min() >= p.offset and hi_arr[idx].max() <= p.offset + p.size:
                    out.add(u)
    return out


# ---------------------------------------------------------------------------------- relocation


RELOCATION_MODES = frozenset({"exe", "pie"})  # -buildmode values that differ in the relocation model only


def relocation_only(ctx: DiffContext) -> bool:
    """Whether the builds' relocation model or linker differs (-buildmode exe against pie, Go's
    linker against the external one) on an architecture whose code compare/code.py's relocation view
    can see through; whether anything else recompiled the code is _std_alike's to weigh. Computed
    once per pair."""
    if "relocation_only" not in ctx.memo:
        ctx.memo["relocation_only"] = _relocation_only(ctx)
    return bool(ctx.memo["relocation_only"])


def _relocation_only(ctx: DiffContext) -> bool:
    if (
        ctx.a.buildinfo is None
        or ctx.b.buildinfo is None
        or ctx.a.image.arch not in codecmp.RELOCATION_ARCHES
    ):
        return False
    modes = {dict(bi.settings).get("-buildmode", "exe") for bi in (ctx.a.buildinfo, ctx.b.buildinfo)}
    pie = len(modes) == 2 and modes <= RELOCATION_MODES
    return pie or externally_linked(ctx.a) != externally_linked(ctx.b)


def externally_linked(binary: Binary) -> bool | None:
    """Whether an ELF file was linked by the external linker (the C runtime's ``.init`` section, which
    Go's own linker never writes); None for other formats."""
    if binary.image.format != "elf":
        return None
    return any(s.name == ".init" for s in binary.image.sections)


RELOCATION_KEYS = frozenset({"-buildmode", "-ldflags"})  # the settings that choose the model and linker


def relocating(f: Finding) -> bool:
    """A finding that says how the program was linked: the settings that choose it, or the linkage."""
    return f.cause == "linkage" or (f.cause == "build-setting" and f.key in RELOCATION_KEYS)
