"""Align two builds unit by unit (sections, and inside code function by function) and diff them.

This is stage 2: it turns two Binaries into a :class:`Comparison` — which units differ, the
run table of differing bytes, how far each section moved — with no opinion on causes.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from godet.compare.anchors import Anchor, split, structure_anchors
from godet.compare.bytes import (
    CHUNK,
    Runs,
    RunTable,
    as_array,
    bytes_equal,
    compare_unit,
    cut_runs,
    equal_size_runs,
    only_one_side,
    resized_many,
)
from godet.compare.units import Unit, file_units
from godet.read.binary import Binary


@dataclass
class UnitPair:
    """One unit in A and its namesake in B, and how many bytes differ between them."""

    key: str
    a: Unit | None
    b: Unit | None
    differing: int = 0
    how: str = "same"  # same | differs | resized | compressed | only-a | only-b | split

    @property
    def moved(self) -> bool:
        return self.a is not None and self.b is not None and self.a.offset != self.b.offset


@dataclass
class FunctionDelta:
    """A Go function whose bytes differ between the builds (from the pclntab-aligned code compare)."""

    name: str
    how: str  # differs | resized | only-a | only-b
    a_range: tuple[int, int] | None  # file offsets
    b_range: tuple[int, int] | None
    differing: int


@dataclass
class Comparison:
    """Everything stage 2 found, for the detectors of stage 3."""

    a: Binary
    b: Binary
    pairs: list[UnitPair]
    runs: Runs
    functions: list[FunctionDelta] = field(default_factory=list)
    functions_compared: int = 0
    moves: dict[str, int] = field(default_factory=dict)  # unit key → (addr in B − addr in A)
    coarse: bool = False  # runs were merged (see compare)

    @property
    def differing_bytes(self) -> int:
        return self.runs.total

    @functools.cached_property
    def functions_by_name(self) -> list[FunctionDelta]:
        """The differing functions sorted by name."""
        return sorted(self.functions, key=lambda fd: fd.name)

    @functools.cached_property
    def function_names(self) -> list[str]:
        """The names of ``functions_by_name``, in its order (for bisecting by prefix)."""
        return [fd.name for fd in self.functions_by_name]

    def functions_of(self, module: str) -> list[FunctionDelta]:
        """The differing functions whose names start with ``module`` (its packages'), by name."""
        names, out = self.function_names, []
        for prefix in (module + ".", module + "/"):
            i = bisect.bisect_left(names, prefix)
            while i < len(names) and names[i].startswith(prefix):
                out.append(self.functions_by_name[i])
                i += 1
        return out

    def pair(self, key: str) -> UnitPair | None:
        for p in self.pairs:
            if p.key == key:
                return p
        return None

    def differing_units(self) -> list[UnitPair]:
        return [p for p in self.pairs if p.differing]


COARSE_GAP = 64
RELEASE_EVERY = 8 << 20  # code bytes compared function by function between two page releases
BATCH_RESIZED = True  # resized functions compared in batches (resized_many); False: one by one
RESIZED_BATCH = 8 << 20  # code bytes of resized functions per batch


def compare(a: Binary, b: Binary, coarse: bool = False) -> Comparison:
    """Pair the units of A and B by name and diff each pair (code function by function).

    ``coarse``: merge differing runs closer than COARSE_GAP bytes (for builds whose compiler output
    differs throughout, where byte-level places carry no information but cost time and memory).
    """
    ua = {u.key: u for u in file_units(a.image)}
    ub = {u.key: u for u in file_units(b.image)}
    da, db = as_array(a.image.data), as_array(b.image.data)

    def release() -> None:  # the pages compared so far leave the resident set (see Image.release)
        a.image.release()
        b.image.release()

    table = RunTable(coarse_gap=COARSE_GAP if coarse else 0)
    pairs: list[UnitPair] = []
    functions: list[FunctionDelta] = []
    compared = 0
    order = list(ua) + [k for k in ub if k not in ua]
    moves: dict[str, int] = {}
    anchors: dict[str, list[Anchor]] = {}
    for key in order:
        release()  # the previous unit's pages
        x, y = ua.get(key), ub.get(key)
        pair = UnitPair(key, x, y)
        pairs.append(pair)
        if x is None or y is None:
            side, u = ("a", x) if y is None else ("b", y)
            pair.differing = only_one_side(table, key, side, u.offset, u.size)  # type: ignore[union-attr]
            pair.how = f"only-{side}"
            continue
        if x.addr and y.addr:
            moves[key] = y.addr - x.addr
        sa, sb = da[x.offset : x.offset + x.size], db[y.offset : y.offset + y.size]
        if len(sa) == len(sb) and bytes_equal(sa, sb):
            continue
        # writable data (variables) whose size differs: paired in pieces (compare/pieces.py), and
        # where those cannot, at one shift that the layout detector's slides and moved blocks read;
        # large read-only spans at a cut between a head in place and a tail at the size difference
        data = x.writable and y.writable and not (x.executable or y.executable)
        code = x.executable and a.pclntab is not None and b.pclntab is not None and not x.compressed
        ranges = _ranges(a, b, x, y) if code else None
        if x.compressed or y.compressed:
            pair.differing = compare_unit(table, key, sa, sb, x.offset, y.offset, whole=True)
            pair.how = "compressed"
        elif ranges is not None and (len(sa) != len(sb) or _functions_moved(ranges, x, y)):
            pair.differing, fdeltas, n = _compare_code(table, key, ranges, x, y, da, db, release)
            functions.extend(fdeltas)
            compared += n
            pair.how = "split"
        elif pieces := _anchored(anchors, a, b, x, y):
            pair.differing = sum(
                compare_unit(
                    table,
                    f"{key}/{name}",
                    da[ra[0] : ra[1]],
                    db[rb[0] : rb[1]],
                    ra[0],
                    rb[0],
                    pieces=data,
                    cut=not data,
                )
                for name, ra, rb in pieces
            )
            pair.how = "split"
        else:
            pair.differing = compare_unit(table, key, sa, sb, x.offset, y.offset, pieces=data, cut=not data)
            pair.how = "differs" if len(sa) == len(sb) else "resized"
            if ranges is not None:
                fdeltas, n = _functions_in_runs(ranges, da, db)
                functions.extend(fdeltas)
                compared += n
    return Comparison(a, b, pairs, table.freeze(), functions, compared, moves, coarse)


@dataclass
class FuncRanges:
    """The Go functions inside one code unit, in table order: names (a repeated name numbered
    ``#2``, ``#3``...) and file ranges ``[start, end)``."""

    names: list[str]
    start: np.ndarray  # int64 file offsets
    end: np.ndarray
    index: dict[str, int]  # name -> position

    def __len__(self) -> int:
        return len(self.names)


@dataclass
class Ranges:
    """A code unit's functions in A and in B, paired by name."""

    a: FuncRanges
    b: FuncRanges

    @functools.cached_property
    def pairing(self) -> np.ndarray:
        """For each function of A, the position of its namesake in B (-1: none)."""
        get = self.b.index.get
        return np.fromiter(map(get, self.a.names, itertools.repeat(-1)), dtype=np.int64, count=len(self.a))


def _ranges(a: Binary, b: Binary, x: Unit, y: Unit) -> Ranges:
    """The Go functions of a code unit in A and in B (see _func_ranges)."""
    return Ranges(_func_ranges(a, x), _func_ranges(b, y))


def _functions_moved(ranges: Ranges, x: Unit, y: Unit) -> bool:
    """Whether some function sits at another offset of its section in B than in A."""
    j = ranges.pairing
    m = j >= 0
    return bool(((ranges.a.start[m] - x.offset) != (ranges.b.start[j[m]] - y.offset)).any())


def _func_ranges(binary: Binary, unit: Unit) -> FuncRanges:
    """Go functions inside a code unit (whole, non-empty), as names and file ranges."""
    tab = binary.pclntab
    assert tab is not None
    lo, hi = unit.addr, min(unit.addr + unit.size, (1 << 64) - 1)
    e, x = tab.entries, tab.ends
    keep = np.flatnonzero((e >= lo) & (x <= hi) & (x > e))
    start = (e[keep] - np.uint64(lo)).astype(np.int64) + unit.offset
    end = (x[keep] - np.uint64(lo)).astype(np.int64) + unit.offset
    names = list(map(tab.names.__getitem__, keep.tolist()))
    names, index = numbered(names)
    return FuncRanges(names, start, end, index)


def numbered(names: list[str]) -> tuple[list[str], dict[str, int]]:
    """``names`` with each repeat renamed ``name#2``, ``name#3``... (the first free number), and
    the position of every resulting name."""
    n = len(names)
    first = dict(zip(reversed(names), range(n - 1, -1, -1), strict=True))
    if len(first) == n:
        return names, first
    if "#" in "".join(names):  # a real name may be taken: one step at a time
        seen: dict[str, int] = {}
        out = []
        for name in names:
            if name in seen:
                i = 2
                while f"{name}#{i}" in seen:
                    i += 1
                name = f"{name}#{i}"
            seen[name] = len(out)
            out.append(name)
        return out, seen
    # Without "#" in any name the k-th occurrence of a name is simply name#k.
    again = np.fromiter(map(first.__getitem__, names), dtype=np.int64, count=n) != np.arange(n)
    out = list(names)
    count: dict[str, int] = {}
    for i in np.flatnonzero(again).tolist():
        name = names[i]
        k = count[name] = count.get(name, 1) + 1
        out[i] = f"{name}#{k}"
        first[out[i]] = i
    return out, first


def _compare_code(
    table: RunTable,
    key: str,
    ranges: Ranges,
    x: Unit,
    y: Unit,
    da: np.ndarray,
    db: np.ndarray,
    release: Callable[[], None] | None = None,
) -> tuple[int, list[FunctionDelta], int]:
    """Code of different sizes: compare function against same-named function.

    Functions are paired by name with arrays; equal-size pairs are compared in blocks of adjacent
    functions (see _equal_size_pairs), resized ones one by one.
    """
    fa, fb, j = ranges.a, ranges.b, ranges.pairing
    a_start, a_end, b_start, b_end = fa.start.tolist(), fa.end.tolist(), fb.start.tolist(), fb.end.tolist()
    jl = j.tolist()
    size_a = fa.end - fa.start
    jm = np.maximum(j, 0)
    same = (j >= 0) & (size_a == fb.end[jm] - fb.start[jm])
    total = 0
    deltas: list[FunctionDelta] = []
    todo = np.flatnonzero(~same).tolist()  # only in A, or resized
    small = all(
        a_end[i] - a_start[i] <= CHUNK and (jl[i] < 0 or b_end[jl[i]] - b_start[jl[i]] <= CHUNK) for i in todo
    )
    if BATCH_RESIZED and small:
        ends = (a_start, a_end, b_start, b_end)
        total += _resized_in_batches(table, key, todo, fa.names, *ends, jl, da, db, deltas)
        if release is not None:
            release()
    else:
        since = 0  # bytes compared since the pages were last released
        for i in todo:
            name, a0, a1 = fa.names[i], a_start[i], a_end[i]
            since += a1 - a0
            if release is not None and since > RELEASE_EVERY:
                release()
                since = 0
            if jl[i] < 0:
                w = only_one_side(table, f"{key}/{name}", "a", a0, a1 - a0)
                deltas.append(FunctionDelta(name, "only-a", (a0, a1), None, w))
            else:
                b0, b1 = b_start[jl[i]], b_end[jl[i]]
                w = compare_unit(table, f"{key}/{name}", da[a0:a1], db[b0:b1], a0, b0)
                deltas.append(FunctionDelta(name, "resized", (a0, a1), (b0, b1), w))
            total += w
    in_a = np.zeros(len(fb), dtype=bool)
    in_a[j[j >= 0]] = True
    only_b = np.flatnonzero(~in_a)
    for k in only_b.tolist():
        name, b0, b1 = fb.names[k], b_start[k], b_end[k]
        deltas.append(FunctionDelta(name, "only-b", None, (b0, b1), max(0, b1 - b0)))
        total += max(0, b1 - b0)
    # (as only_one_side would add them, one unit entry each, in one go)
    keep = only_b[fb.end[only_b] > fb.start[only_b]]
    if len(keep):
        x0, x1 = fb.start[keep], fb.end[keep]
        none = np.full(len(keep), -1, dtype=np.int64)
        keys = [f"{key}/{fb.names[k]}" for k in keep.tolist()]
        table.add_many(keys, np.arange(len(keep)), none, none, x0, x1, x1 - x0)
    pos = np.flatnonzero(same)
    a0, a1, b0 = fa.start[pos], fa.end[pos], fb.start[j[pos]]
    counts = _equal_size_pairs(table, key, [fa.names[i] for i in pos.tolist()], a0, a1, b0, da, db, release)
    differ = np.flatnonzero(counts)
    for i, w, x0, x1, y0 in zip(
        pos[differ].tolist(), *(v[differ].tolist() for v in (counts, a0, a1, b0)), strict=True
    ):
        deltas.append(FunctionDelta(fa.names[i], "differs", (x0, x1), (y0, y0 + x1 - x0), w))
    total += int(counts.sum())
    # Code outside Go functions (C runtime start-up, padding before the first function).
    total += _edges(table, key, ranges, x, y, da, db)
    return total, deltas, len(fa)


def _resized_in_batches(
    table: RunTable,
    key: str,
    todo: list[int],
    names: list[str],
    a_start: list[int],
    a_end: list[int],
    b_start: list[int],
    b_end: list[int],
    jl: list[int],
    da: np.ndarray,
    db: np.ndarray,
    deltas: list[FunctionDelta],
) -> int:
    """The functions only in A and the resized ones, in table order, as the one-by-one loop adds them,
    given to ``resized_many`` a batch of about RESIZED_BATCH code bytes at a time."""
    total = 0
    batch: list[int] = []
    size = 0
    for pos, i in enumerate(todo):
        batch.append(i)
        size += a_end[i] - a_start[i] + (b_end[jl[i]] - b_start[jl[i]] if jl[i] >= 0 else 0)
        if size <= RESIZED_BATCH and pos + 1 < len(todo):
            continue
        spans = [
            (a_start[i], a_end[i], b_start[jl[i]], b_end[jl[i]])
            if jl[i] >= 0
            else (a_start[i], a_end[i], -1, -1)
            for i in batch
        ]
        ws = resized_many(table, [f"{key}/{names[i]}" for i in batch], spans, da, db)
        for i, (a0, a1, b0, b1), w in zip(batch, spans, ws, strict=True):
            if b0 < 0:
                deltas.append(FunctionDelta(names[i], "only-a", (a0, a1), None, w))
            else:
                deltas.append(FunctionDelta(names[i], "resized", (a0, a1), (b0, b1), w))
            total += w
        batch, size = [], 0
    return total


def _equal_size_pairs(
    table: RunTable,
    key: str,
    names: list[str],
    a0: np.ndarray,
    a1: np.ndarray,
    b0: np.ndarray,
    da: np.ndarray,
    db: np.ndarray,
    release: Callable[[], None] | None = None,
    batch_bytes: int = 1 << 22,
) -> np.ndarray:
    """Differing runs of equal-size function pairs ``[a0, a1)`` / ``[b0, ...)`` (int64 arrays in
    ascending order, unit ``key/names[i]``) into ``table``, for the pairs that differ; returns each
    pair's differing bytes.

    The pairs are laid end to end and compared in batches of about ``batch_bytes`` (one numpy
    pass each, bounded temporaries); pairs adjacent in both builds are sliced as one segment.
    Runs are cut at the pairs' bounds.
    """
    n = len(a0)
    counts = np.zeros(n, dtype=np.int64)
    if not n:
        return counts
    size = a1 - a0
    cpos = np.concatenate(([0], np.cumsum(size)))  # each pair's start in the pairs laid end to end
    batch = cpos[:-1] // batch_bytes
    new_batch = np.concatenate(([True], batch[1:] != batch[:-1]))
    new_seg = new_batch.copy()
    new_seg[1:] |= (a0[1:] != a1[:-1]) | (b0[1:] != b0[:-1] + size[:-1])
    seg_first = np.flatnonzero(new_seg)
    seg_last = (np.append(seg_first[1:], n) - 1).tolist()
    seg_at = dict(zip(seg_first.tolist(), range(len(seg_first)), strict=True))
    bounds = [*np.flatnonzero(new_batch).tolist(), n]
    for p0, p1 in itertools.pairwise(bounds):
        k0, k1 = seg_at[p0], seg_at.get(p1, len(seg_first))
        segs = [
            (int(a0[f]), int(a1[g]), int(b0[f]))
            for f, g in zip(seg_first[k0:k1].tolist(), seg_last[k0:k1], strict=True)
        ]
        if len(segs) == 1:  # views, no copies
            ((x0, x1, y0),) = segs
            ca, cb = da[x0:x1], db[y0 : y0 + x1 - x0]
        else:
            ca = np.concatenate([da[x0:x1] for x0, x1, _ in segs])
            cb = np.concatenate([db[y0 : y0 + x1 - x0] for x0, x1, y0 in segs])
        base = int(cpos[p0])
        s, e = equal_size_runs(ca, cb)
        s, e = cut_runs(s + base, e + base, cpos[p0 + 1 : p1])
        fidx = np.searchsorted(cpos, s, side="right") - 1
        rel, w = s - cpos[fidx], e - s
        local = np.bincount(fidx - p0, weights=w, minlength=p1 - p0).astype(np.int64)
        counts[p0:p1] = local
        if release is not None:
            release()  # (a batch is a few MiB: dropping the pages costs less than keeping them)
        index = np.cumsum(local > 0) - 1
        table.add_many(
            [f"{key}/{names[p0 + m]}" for m in np.flatnonzero(local).tolist()],
            index[fidx - p0],
            a0[fidx] + rel,
            a0[fidx] + rel + w,
            b0[fidx] + rel,
            b0[fidx] + rel + w,
            w,
        )
    return counts


def _edges(
    table: RunTable, key: str, ranges: Ranges, x: Unit, y: Unit, da: np.ndarray, db: np.ndarray
) -> int:
    total = 0
    fa, fb = ranges.a, ranges.b
    a_first = int(fa.start.min()) if len(fa) else x.offset
    b_first = int(fb.start.min()) if len(fb) else y.offset
    a_last = int(fa.end.max()) if len(fa) else x.offset + x.size
    b_last = int(fb.end.max()) if len(fb) else y.offset + y.size
    total += compare_unit(
        table, f"{key}/[before Go code]", da[x.offset : a_first], db[y.offset : b_first], x.offset, y.offset
    )
    total += compare_unit(
        table,
        f"{key}/[after Go code]",
        da[a_last : x.offset + x.size],
        db[b_last : y.offset + y.size],
        a_last,
        b_last,
    )
    return total


def _functions_in_runs(ranges: Ranges, da: np.ndarray, db: np.ndarray) -> tuple[list[FunctionDelta], int]:
    """Same-size code: name the functions whose bytes differ (by position, A's and B's pclntab)."""
    fa, fb, j = ranges.a, ranges.b, ranges.pairing
    a_start, a_end, b_start, b_end = fa.start.tolist(), fa.end.tolist(), fb.start.tolist(), fb.end.tolist()
    mva, mvb = memoryview(da), memoryview(db)
    deltas = []
    for i, k in enumerate(j.tolist()):
        if k < 0:
            continue
        a0, a1, b0, b1 = a_start[i], a_end[i], b_start[k], b_end[k]
        if a1 - a0 == b1 - b0 and mva[a0:a1] == mvb[b0:b1]:
            continue
        sa, sb = da[a0:a1], db[b0:b1]
        w = int(np.count_nonzero(sa != sb)) if len(sa) == len(sb) else max(len(sa), len(sb))
        deltas.append(
            FunctionDelta(fa.names[i], "differs" if len(sa) == len(sb) else "resized", (a0, a1), (b0, b1), w)
        )
    return deltas, len(fa)


def _anchored(
    cache: dict[str, list[Anchor]], a: Binary, b: Binary, x: Unit, y: Unit
) -> list[tuple[str, tuple[int, int], tuple[int, int]]]:
    """Pieces of a resized unit cut at the structures (pclntab tables, modinfo lines) both sides hold."""
    if "a" not in cache:
        cache["a"], cache["b"] = structure_anchors(a), structure_anchors(b)
    pieces = split(cache["a"], cache["b"], (x.offset, x.offset + x.size), (y.offset, y.offset + y.size))
    return pieces if len(pieces) > 1 else []
