"""Content family: generated code or data emitted in another order (map iteration order)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from godet.compare import code as codecmp
from godet.compare.align import MIN_BLOCK, NO_SHIFT, align_blocks
from godet.compare.bytes import as_array
from godet.explain.detectors.base import RANK, Claim, DiffContext, Evidence, Finding
from godet.explain.detectors.content.common import (
    GO_TABLE_NAMES,
    PREVIEW,
    Run,
    State,
    clusters,
    code_explained,
    funcdata,
    function_claims,
    mostly_text,
    preview,
    read_at,
    section_name,
    symbol_at,
    type_descriptors,
    va_at,
)
from godet.explain.detectors.content.source import std_compiled_alike
from godet.explain.detectors.content.strings import string_vars, strings_changed, vars_by_data
from godet.read.addrnames import Namer
from godet.read.binary import Binary

EMITS: frozenset[str] = frozenset(["generated-order"])


GAPS = (16, 256, 4096)  # cluster gaps tried by the reorder test
MAX_TABLE = 64 << 10  # largest differing span tested as a table of entries
MAX_ORDER_BYTES = 16 << 20  # differing spans (in all) the reorder test looks at
MAX_ORDER_CLUSTERS = 1000  # clusters of differing runs the reorder test looks at


def detect(ctx: DiffContext) -> list[Finding]:
    """Data tables holding the same entries in another order (pointers compared by what they point
    to) and functions holding the same instructions in another order."""
    broad = code_explained(ctx, RANK["source-change"])
    tables: list[_Reorder] = []
    # another compiler orders and encodes things its own way; a cause that only selects other files or
    # links differently (-tags, CGO_ENABLED, the external linker) leaves a generated table's data alone
    # (a release or experiment that compiled the standard library alike did not change the compiler)
    if not broad or not any(_reorders(f) for f in ctx.findings) or std_compiled_alike(ctx):
        st = State.of(ctx)
        if not ctx.cmp.coarse:  # runs inside a string variable's data are that variable's (strings.py)
            string_vars(ctx, st, vars_by_data(ctx, st), set())
        tables = _data_order(ctx, st)
    verdicts = codecmp.FunctionVerdicts() if broad else codecmp.changed_functions(ctx)
    return _generated_order(ctx, tables, verdicts)


def _reorders(f: Finding) -> bool:
    """Whether a cause may emit a generated table's data in another order: another compiler (a
    toolchain or an experiment). Compiler flags of one toolchain (-gcflags, -race, GOAMD64, -pgo,
    -buildmode) compile other code but lay out static data alike."""
    return f.cause in ("toolchain-version", "goexperiment")


@dataclass
class _Reorder:
    where: str
    count: int
    size: int  # element size (0: characters of a text blob)
    a_items: list[str]
    b_items: list[str]
    claims: list[Claim]


def _data_order(ctx: DiffContext, st: State) -> list[_Reorder]:
    """Tables in data whose entries are the same in another order."""
    # A string whose length changed moves others in Go's length-sorted string data: then a text span
    # where one block jumped over the rest is such a move, not an order (strings.py explains it).
    memo: list[bool] = []

    def moves() -> bool:  # computed once, and only for a text span where one block moved
        if not memo:
            memo.append(strings_changed(ctx, st))
        return memo[0]

    found: list[_Reorder] = []
    budget = MAX_ORDER_BYTES
    tries = MAX_ORDER_CLUSTERS
    # the functions' funcdata (go:func.*) is the compiler's, written with the code it describes: its
    # entries in another order follow that code (source.py claims them), never a generator's order
    # (nor are the type descriptors: the linker lays them out from the set of types the code uses)
    compiled = [funcdata(ctx.a), type_descriptors(ctx.a)]
    compiled += [
        (sec.offset, sec.offset + sec.size) for sec in ctx.a.image.sections if sec.name in GO_TABLE_NAMES
    ]
    for gap in GAPS:
        pend = [
            r
            for r in st.pending()
            if r.a0 >= 0
            and r.b0 >= 0
            and r.a1 - r.a0 == r.b1 - r.b0
            and not any(lo <= r.a0 < hi for lo, hi in compiled)
        ]
        if not pend:
            break
        for cl in clusters(pend, gap):
            if len({r.b0 - r.a0 for r in cl}) != 1 or budget <= 0 or tries <= 0:
                continue
            budget -= cl[-1].a1 - cl[0].a0
            tries -= 1
            ro = _reorder(ctx, cl, moves)
            if ro is not None:
                st.take(ro.claims)
                found.append(ro)
    return found


def _generated_order(
    ctx: DiffContext, tables: list[_Reorder], verdicts: codecmp.FunctionVerdicts
) -> list[Finding]:
    """One finding for reordered data tables and functions whose instructions were reordered."""
    funcs = verdicts.reordered
    if not tables and not funcs:
        return []
    claims = [c for ro in tables for c in ro.claims]
    ev = []
    for fd, cc in funcs:
        claims += function_claims(fd)
        if len(ev) < 6:
            ev.append(Evidence(f"func {fd.name} (first difference)", cc.a_text, cc.b_text))
    for ro in tables[:8]:
        what = f"{ro.count} entries of {ro.size} bytes" if ro.size else f"{ro.count} bytes of strings"
        ev.append(
            Evidence(
                f"{what} in {ro.where}",
                ", ".join(ro.a_items)[: PREVIEW * 2],
                ", ".join(ro.b_items)[: PREVIEW * 2],
            )
        )
    parts = []
    if funcs:
        parts.append(
            f"{len(funcs)} function(s) hold the same instructions in a different order ("
            + ", ".join(fd.name for fd, _ in funcs[:6])
            + ")"
        )
    if tables:
        parts.append(f"{len(tables)} data table(s) hold the same entries in a different order")
    places = [fd.name for fd, _ in funcs[:30]] + list(dict.fromkeys(ro.where for ro in tables))[:20]
    summary = "; ".join(parts) + ": generated code or data emitted in map-iteration order."
    return [Finding("generated-order", summary[0].upper() + summary[1:], ev, claims, places=places)]


def _reorder(ctx: DiffContext, cl: list[Run], moves: Callable[[], bool]) -> _Reorder | None:
    """The cluster's data as a permutation: of k-byte entries (pointers compared by target), or of text."""
    a0, a1 = cl[0].a0, cl[-1].a1
    d = cl[0].b0 - cl[0].a0
    if a1 - a0 < 4 or a1 - a0 > 1 << 20:
        return None
    va = va_at(ctx.a, a0)
    sec = ctx.a.image.section_at(a0)
    if va is None or sec is None:
        return None
    ps = ctx.a.image.ptr_size
    kmax = 8 * ps
    # Words of the widest window any element size needs, aligned (in memory) to the pointer size.
    lo_w = a0 - (va % ps) - kmax
    if lo_w < sec.offset:
        lo_w = sec.offset + (-(va + sec.offset - a0)) % ps
    hi_w = min(sec.offset + sec.size, a1 + kmax + ps)
    if hi_w - lo_w < 2 * ps or a0 < lo_w:
        return None
    na, nb = codecmp.pair_namers(ctx.a, ctx.b)
    wa, wb = _Words(ctx.a, lo_w, hi_w, na), _Words(ctx.b, lo_w + d, hi_w + d, nb)
    first, last = (a0 - lo_w) // ps, (a1 - 1 - lo_w) // ps
    if last >= min(len(wa.words), len(wb.words)) or wa.same_targets(wb, first, last + 1):
        return None  # every differing word points at the same thing: an address shift, not an order
    if a1 - a0 <= MAX_TABLE and sorted(map(wa.shape, range(first, last + 1))) == sorted(
        map(wb.shape, range(first, last + 1))
    ):
        found = _entries(wa, wb, first, last, lo_w, d, ctx, cl, va)
        if found is not None:
            return found
    xa = as_array(ctx.a.image.data)[a0:a1]
    xb = as_array(ctx.b.image.data)[a0 + d : a1 + d]
    where = _where(ctx, cl, va)
    if (
        a1 - a0 >= 8
        and np.array_equal(np.sort(xa), np.sort(xb))
        and mostly_text(bytes(xa))
        and mostly_text(bytes(xb))
        and not (one_block_moved(xa, xb) and moves())
    ):
        return _Reorder(
            where,
            a1 - a0,
            0,
            [preview(bytes(xa)) or ""],
            [preview(bytes(xb)) or ""],
            [Claim.range("a", a0, a1), Claim.range("b", a0 + d, a1 + d)],
        )
    return None


def one_block_moved(xa: np.ndarray, xb: np.ndarray) -> bool:
    """B's bytes are A's with one block moved over the rest (``P Q`` -> ``Q P``): a string that changed
    place in Go's length-sorted string data, not a table emitted in another order."""
    sx, _sy = align_blocks(xa, xb)
    matched = sx != NO_SHIFT
    return int((~matched).sum()) <= 2 * MIN_BLOCK and len(set(sx[matched].tolist())) <= 2


def _where(ctx: DiffContext, cl: list[Run], va: int) -> str:
    sym = symbol_at(ctx.a, va)
    return sym.name if sym is not None else f"{section_name(cl[0].unit)} at {va:#x}"


def _entries(
    wa: _Words, wb: _Words, first: int, last: int, lo_w: int, d: int, ctx: DiffContext, cl: list[Run], va: int
) -> _Reorder | None:
    """The largest entry size (in words) under which the two word ranges are a permutation."""
    ps = ctx.a.image.ptr_size
    for n in range(8, 0, -1):
        for phase in range(n):
            # entry boundaries at word indexes ≡ phase (mod n), covering words first..last
            i0 = first - ((first - phase) % n)
            i1 = last + 1 + (-(last + 1 - i0) % n)
            if i0 < 0 or i1 > min(len(wa.words), len(wb.words)) or (i1 - i0) // n < 2:
                continue
            ea, eb = wa.elements(i0, i1, n), wb.elements(i0, i1, n)
            if ea == eb or sorted(ea) != sorted(eb):
                continue
            moved = [i for i in range(len(ea)) if ea[i] != eb[i]]
            if len(moved) < 3 or all(_code_only(e) for e in ea) or any(_init_task(ea[i]) for i in moved):
                continue  # a swap of two, a jump table (code pointers) or the linker's init tasks
            vague = not all(_informative(ea[i]) and _informative(eb[i]) for i in moved)
            if vague or _is_shift(ea, eb, moved, n * ps):
                continue  # anonymous pointers or zeros, or the same sequence slid along: moved data
            lo, hi = lo_w + i0 * ps, lo_w + i1 * ps
            return _Reorder(
                _where(ctx, cl, va),
                len(moved),
                n * ps,
                [_show(ea[i]) for i in moved[:6]],
                [_show(eb[i]) for i in moved[:6]],
                [Claim.range("a", lo, hi), Claim.range("b", lo + d, hi + d)],
            )
    return None


class _Words:
    """Pointer-sized words of a file range; pointers compared by what they point to (cached)."""

    def __init__(self, binary: Binary, lo: int, hi: int, namer: Namer) -> None:
        self.binary = binary
        ps = binary.image.ptr_size
        order = "big" if binary.image.big_endian else "little"
        raw = bytes(binary.image.data[lo:hi])
        self.words = [int.from_bytes(raw[j : j + ps], order) for j in range(0, len(raw) - ps + 1, ps)]
        self.namer = namer
        self._single: dict[int, tuple] = {}
        self._pair: dict[int, tuple | None] = {}

    def single(self, i: int) -> tuple:
        got = self._single.get(i)
        if got is None:
            w = self.words[i]
            if self.namer.is_addr(w):
                got = ("c" if self.namer.is_code(w) else "p", self.namer.name(w))
            else:
                got = ("w", w)
            self._single[i] = got
        return got

    def shape(self, i: int) -> tuple:
        """The word's value, or only "a pointer" (a quick necessary test for a permutation)."""
        t = self.single(i)
        return t if t[0] == "w" else (t[0], "")

    def pair(self, i: int) -> tuple | None:
        """("s", bytes) when words i, i+1 are a {ptr, len} string header."""
        if i in self._pair:
            return self._pair[i]
        got = None
        if i + 1 < len(self.words):
            w, n = self.words[i], self.words[i + 1]
            if 0 < n <= 4096 and self.namer.is_addr(w) and not self.namer.is_code(w):
                s = read_at(self.binary, w, n)
                got = ("s", s) if s is not None else None
        self._pair[i] = got
        return got

    def tokens(self, i0: int, i1: int) -> list[tuple]:
        out = []
        i1 = min(i1, len(self.words))
        i = i0
        while i < i1:
            p = self.pair(i) if i + 1 < i1 else None
            if p is not None:
                out.append(p)
                i += 2
            else:
                out.append(self.single(i))
                i += 1
        return out

    def same_targets(self, other: _Words, i0: int, i1: int) -> bool:
        i1 = min(i1, len(self.words), len(other.words))
        return self.tokens(i0, i1) == other.tokens(i0, i1)

    def elements(self, i0: int, i1: int, n: int) -> list[tuple]:
        return [tuple(self.tokens(e, e + n)) for e in range(i0, i1, n)]


def _informative(elem: tuple) -> bool:
    """An entry that says what it is: not all zeros, no pointer known only by its section."""
    if all(kind == "w" and v == 0 for kind, v in elem):
        return False
    return not any(kind in ("p", "c") and str(v).endswith("+?") for kind, v in elem)


SLIDE = 256  # bytes data may slide inside its section (layout.py's slid data), and at least 3 entries


def _is_shift(ea: list[tuple], eb: list[tuple], moved: list[int], entry: int) -> bool:
    """B's entries (of ``entry`` bytes) are A's slid by a few places (data moved), not reordered."""
    n = len(ea)
    reach = max(3, SLIDE // max(entry, 1))
    for s in (k for d in range(1, reach + 1) for k in (-d, d)):
        hits = sum(1 for i in moved if 0 <= i + s < n and eb[i] == ea[i + s])
        if hits >= 0.6 * len(moved):
            return True
    return False


_INIT = re.compile(r"\.init(\.\d+)?$")


def _init_task(elem: tuple) -> bool:
    """An entry that points at a package's init function: a piece of the linker's init tasks
    (``pkg..inittask``: a count, then the functions), laid out in the packages' initialization
    order, which the import graph decides (another file set, another dependency), not a generator."""
    return any(kind == "c" and _INIT.search(str(v)) for kind, v in elem)


def _code_only(elem: tuple) -> bool:
    return all(kind == "c" or (kind == "w" and v == 0) for kind, v in elem)


def _show(elem: tuple) -> str:
    parts = []
    for kind, v in elem:
        if kind == "s":
            parts.append(repr(v.decode("utf-8", "backslashreplace")))
        elif kind in ("p", "c"):
            parts.append(str(v))
        else:
            parts.append(f"{v:#x}")
    return "{" + " ".join(parts) + "}" if len(parts) > 1 else parts[0]
