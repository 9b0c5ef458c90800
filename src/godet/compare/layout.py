"""Align two builds unit by unit (sections, and inside code function by function) and diff them.

This is stage 2: it turns two Binaries into a :class:`Comparison` — which units differ, the
run table of differing bytes, how far each section moved — with no opinion on causes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from godet.compare.anchors import Anchor, split, structure_anchors
from godet.compare.bytes import (
    Runs,
    RunTable,
    as_array,
    bytes_equal,
    compare_unit,
    equal_size_runs,
    only_one_side,
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

    def pair(self, key: str) -> UnitPair | None:
        for p in self.pairs:
            if p.key == key:
                return p
        return None

    def differing_units(self) -> list[UnitPair]:
        return [p for p in self.pairs if p.differing]


COARSE_GAP = 64


def compare(a: Binary, b: Binary, coarse: bool = False) -> Comparison:
    """Pair the units of A and B by name and diff each pair (code function by function).

    ``coarse``: merge differing runs closer than COARSE_GAP bytes (for builds whose compiler output
    differs throughout, where byte-level places carry no information but cost time and memory).
    """
    ua = {u.key: u for u in file_units(a.image)}
    ub = {u.key: u for u in file_units(b.image)}
    da, db = as_array(a.image.data), as_array(b.image.data)
    table = RunTable(coarse_gap=COARSE_GAP if coarse else 0)
    pairs: list[UnitPair] = []
    functions: list[FunctionDelta] = []
    compared = 0
    order = list(ua) + [k for k in ub if k not in ua]
    moves: dict[str, int] = {}
    anchors: dict[str, list[Anchor]] = {}
    for key in order:
        a.image.release()  # the previous unit's pages leave the resident set (see Image.release)
        b.image.release()
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
        code = x.executable and a.pclntab is not None and b.pclntab is not None and not x.compressed
        ranges = _ranges(a, b, x, y) if code else ({}, {})
        if x.compressed or y.compressed:
            pair.differing = compare_unit(table, key, sa, sb, x.offset, y.offset, whole=True)
            pair.how = "compressed"
        elif code and (len(sa) != len(sb) or _functions_moved(ranges, x, y)):
            pair.differing, fdeltas, n = _compare_code(table, key, ranges, x, y, da, db)
            functions.extend(fdeltas)
            compared += n
            pair.how = "split"
        elif pieces := _anchored(anchors, a, b, x, y):
            pair.differing = sum(
                compare_unit(table, f"{key}/{name}", da[ra[0] : ra[1]], db[rb[0] : rb[1]], ra[0], rb[0])
                for name, ra, rb in pieces
            )
            pair.how = "split"
        else:
            pair.differing = compare_unit(table, key, sa, sb, x.offset, y.offset)
            pair.how = "differs" if len(sa) == len(sb) else "resized"
            if code:
                fdeltas, n = _functions_in_runs(ranges, da, db)
                functions.extend(fdeltas)
                compared += n
    return Comparison(a, b, pairs, table.freeze(), functions, compared, moves, coarse)


Ranges = tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]


def _ranges(a: Binary, b: Binary, x: Unit, y: Unit) -> Ranges:
    """The Go functions of a code unit in A and in B (see _func_ranges)."""
    return _func_ranges(a, x), _func_ranges(b, y)


def _functions_moved(ranges: Ranges, x: Unit, y: Unit) -> bool:
    """Whether some function sits at another offset of its section in B than in A."""
    fa, fb = ranges
    return any(r[0] - x.offset != fb[n][0] - y.offset for n, r in fa.items() if n in fb)


def _func_ranges(binary: Binary, unit: Unit) -> dict[str, tuple[int, int]]:
    """Go functions inside a code unit, as name → (file offset, end), duplicates numbered."""
    out: dict[str, tuple[int, int]] = {}
    lo, hi = unit.addr, unit.addr + unit.size
    for fn in binary.pclntab.funcs:  # type: ignore[union-attr]
        if fn.entry < lo or fn.end > hi or fn.end <= fn.entry:
            continue
        name = fn.name
        if name in out:
            i = 2
            while f"{name}#{i}" in out:
                i += 1
            name = f"{name}#{i}"
        out[name] = (unit.offset + fn.entry - lo, unit.offset + fn.end - lo)
    return out


def _compare_code(
    table: RunTable, key: str, ranges: Ranges, x: Unit, y: Unit, da: np.ndarray, db: np.ndarray
) -> tuple[int, list[FunctionDelta], int]:
    """Code of different sizes: compare function against same-named function.

    Equal bytes are skipped with a memoryview compare; equal-size functions that differ are
    compared in batches (one numpy pass per few MiB of code), resized ones one by one.
    """
    fa, fb = ranges
    mva, mvb = memoryview(da), memoryview(db)
    total = 0
    deltas: list[FunctionDelta] = []
    same_size: list[tuple[str, int, int, int]] = []
    for name, (a0, a1) in fa.items():
        r = fb.get(name)
        if r is None:
            w = only_one_side(table, f"{key}/{name}", "a", a0, a1 - a0)
            deltas.append(FunctionDelta(name, "only-a", (a0, a1), None, w))
            total += w
            continue
        b0, b1 = r
        if a1 - a0 == b1 - b0:
            if mva[a0:a1] != mvb[b0:b1]:
                same_size.append((name, a0, a1, b0))
            continue
        w = compare_unit(table, f"{key}/{name}", da[a0:a1], db[b0:b1], a0, b0)
        deltas.append(FunctionDelta(name, "resized", (a0, a1), (b0, b1), w))
        total += w
    for name, (b0, b1) in fb.items():
        if name not in fa:
            w = only_one_side(table, f"{key}/{name}", "b", b0, b1 - b0)
            deltas.append(FunctionDelta(name, "only-b", None, (b0, b1), w))
            total += w
    counts = _batch_equal_size(table, key, same_size, da, db)
    for (name, a0, a1, b0), w in zip(same_size, counts, strict=True):
        deltas.append(FunctionDelta(name, "differs", (a0, a1), (b0, b0 + a1 - a0), w))
        total += w
    # Code outside Go functions (C runtime start-up, padding before the first function).
    total += _edges(table, key, fa, fb, x, y, da, db)
    return total, deltas, len(fa)


def _batch_equal_size(
    table: RunTable, key: str, items: list[tuple[str, int, int, int]], da: np.ndarray, db: np.ndarray,
    batch_bytes: int = 1 << 22,
) -> list[int]:
    """Differing runs of many equal-size (name, a0, a1, b0) function pairs; returns bytes per pair."""
    counts: list[int] = []
    i = 0
    while i < len(items):
        j, size = i, 0
        while j < len(items) and (size == 0 or size + items[j][2] - items[j][1] <= batch_bytes):
            size += items[j][2] - items[j][1]
            j += 1
        chunk = items[i:j]
        lens = np.fromiter((a1 - a0 for _, a0, a1, _ in chunk), dtype=np.int64, count=len(chunk))
        starts = np.concatenate(([0], np.cumsum(lens)))
        ca = np.concatenate([da[a0:a1] for _, a0, a1, _ in chunk])
        cb = np.concatenate([db[b0 : b0 + a1 - a0] for _, a0, a1, b0 in chunk])
        s, e = equal_size_runs(ca, cb)
        s, e = _cut(s, e, starts[1:-1])
        fidx = np.searchsorted(starts, s, side="right") - 1
        a_base = np.fromiter((a0 for _, a0, _, _ in chunk), dtype=np.int64, count=len(chunk))
        b_base = np.fromiter((b0 for _, _, _, b0 in chunk), dtype=np.int64, count=len(chunk))
        rel = s - starts[fidx]
        w = e - s
        keys = [f"{key}/{name}" for name, _, _, _ in chunk]
        table.add_many(keys, fidx, a_base[fidx] + rel, a_base[fidx] + rel + w, b_base[fidx] + rel,
                       b_base[fidx] + rel + w, w)
        counts.extend(np.bincount(fidx, weights=w, minlength=len(chunk)).astype(np.int64).tolist())
        i = j
    return counts


def _cut(s: np.ndarray, e: np.ndarray, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split the sorted disjoint runs [s, e) at every cut position that falls strictly inside one."""
    if not len(s) or not len(cuts):
        return s, e
    k = np.searchsorted(s, cuts, side="right") - 1
    inside = (k >= 0) & (e[np.maximum(k, 0)] > cuts) & (s[np.maximum(k, 0)] < cuts)
    c = cuts[inside]
    if not len(c):
        return s, e
    return np.sort(np.concatenate((s, c))), np.sort(np.concatenate((e, c)))


def _edges(
    table: RunTable, key: str, fa: dict, fb: dict, x: Unit, y: Unit, da: np.ndarray, db: np.ndarray
) -> int:
    total = 0
    a_first = min((r[0] for r in fa.values()), default=x.offset)
    b_first = min((r[0] for r in fb.values()), default=y.offset)
    a_last = max((r[1] for r in fa.values()), default=x.offset + x.size)
    b_last = max((r[1] for r in fb.values()), default=y.offset + y.size)
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
    fa, fb = ranges
    deltas = []
    for name, (a0, a1) in fa.items():
        r = fb.get(name)
        if r is None:
            continue
        b0, b1 = r
        sa, sb = da[a0:a1], db[b0:b1]
        if len(sa) == len(sb) and bytes_equal(sa, sb):
            continue
        w = int(np.count_nonzero(sa != sb)) if len(sa) == len(sb) else max(len(sa), len(sb))
        deltas.append(
            FunctionDelta(name, "differs" if len(sa) == len(sb) else "resized", (a0, a1), (b0, b1), w)
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
