"""Byte-level differences between paired units, computed with numpy over the mapped files.

The result is a table of *runs*: maximal ranges that differ, each with its place in A and in B
and a weight (how many differing bytes it counts for). Equal-size units are compared byte by
byte; units whose size differs are trimmed of their common prefix and suffix (or split into
sub-units first, e.g. code into functions) and the differing middle counts as
``max(len_a, len_b)``: the bytes that differ plus the size delta.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from godet.compare.pieces import MAX_SPAN, Piece, piecewise

CHUNK = 1 << 22  # compare 4 MiB at a time to bound temporaries
MERGE_GAP = 0  # runs closer than this are merged (0: exact runs)


@dataclass
class RunTable:
    """Differing runs of a whole comparison, as parallel numpy arrays (file offsets)."""

    unit: list[str] = field(default_factory=list)  # unit key per block of runs
    unit_idx: list[np.ndarray] = field(default_factory=list)
    a_start: list[np.ndarray] = field(default_factory=list)
    a_end: list[np.ndarray] = field(default_factory=list)
    b_start: list[np.ndarray] = field(default_factory=list)
    b_end: list[np.ndarray] = field(default_factory=list)
    weight: list[np.ndarray] = field(default_factory=list)
    size_delta: int = 0  # total |size difference| of every compared unit or piece
    coarse_gap: int = 0  # > 0: merge runs closer than this (counts stay exact; places get coarser)

    def add(
        self, unit: str, a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray, w: np.ndarray
    ) -> None:
        """The runs of one unit (a unit entry of its own)."""
        self.add_many([unit], np.zeros(len(a0), dtype=np.int64), a0, a1, b0, b1, w)

    def add_many(
        self,
        keys: list[str],
        idx: np.ndarray,
        a0: np.ndarray,
        a1: np.ndarray,
        b0: np.ndarray,
        b1: np.ndarray,
        w: np.ndarray,
    ) -> None:
        """Runs of several units at once: run i belongs to ``keys[idx[i]]`` (ascending). Each key is a
        unit entry of its own, as one ``add`` per key would make (keys may repeat), and a coarse gap
        merges runs of one entry only."""
        if len(a0) == 0:
            return
        if self.coarse_gap and len(a0) > 1:
            idx, a0, a1, b0, b1, w = coalesce(idx, a0, a1, b0, b1, w, self.coarse_gap)
        base = len(self.unit)
        self.unit.extend(keys)
        self.unit_idx.append((idx + base).astype(np.int32))
        self.a_start.append(a0.astype(np.int64))
        self.a_end.append(a1.astype(np.int64))
        self.b_start.append(b0.astype(np.int64))
        self.b_end.append(b1.astype(np.int64))
        self.weight.append(w.astype(np.int64))

    def freeze(self) -> Runs:
        def cat(xs: list[np.ndarray], dtype: type) -> np.ndarray:
            return np.concatenate(xs) if xs else np.zeros(0, dtype=dtype)

        return Runs(
            units=list(self.unit),
            unit=cat(self.unit_idx, np.int32),
            a0=cat(self.a_start, np.int64),
            a1=cat(self.a_end, np.int64),
            b0=cat(self.b_start, np.int64),
            b1=cat(self.b_end, np.int64),
            weight=cat(self.weight, np.int64),
            size_delta=self.size_delta,
        )


@dataclass
class Runs:
    """The frozen run table: ``unit[i]`` indexes ``units``; ``weight`` counts differing bytes."""

    units: list[str]
    unit: np.ndarray
    a0: np.ndarray
    a1: np.ndarray
    b0: np.ndarray
    b1: np.ndarray
    weight: np.ndarray
    size_delta: int = 0

    def __len__(self) -> int:
        return len(self.weight)

    @property
    def total(self) -> int:
        return int(self.weight.sum())


def coalesce(
    idx: np.ndarray, a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray, w: np.ndarray, gap: int
) -> tuple[np.ndarray, ...]:
    """Merge consecutive runs of the same unit whose gap is below ``gap`` on both sides alike.

    The weights add up, so byte counts stay exact; only the places become coarser.
    """
    keep_a = (a0[1:] - a1[:-1] <= gap) & (a0[1:] >= 0) & (a0[:-1] >= 0)
    same_b = (b0[1:] - b1[:-1]) == (a0[1:] - a1[:-1])
    join = keep_a & same_b & (idx[1:] == idx[:-1])
    first = np.concatenate(([True], ~join))
    group = np.cumsum(first) - 1
    last = np.concatenate((~join, [True]))
    return (
        idx[first],
        a0[first],
        a1[last],
        b0[first],
        b1[last],
        np.bincount(group, weights=w).astype(np.int64),
    )


def as_array(buf: memoryview) -> np.ndarray:
    """A zero-copy uint8 view of mapped bytes."""
    return np.frombuffer(buf, dtype=np.uint8)


def equal_size_runs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the maximal differing runs of two equal-length arrays."""
    starts, ends = [], []
    n = len(a)
    carry_open = False
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        d = a[lo:hi] != b[lo:hi]
        if not d.any():
            if carry_open:
                ends.append(np.array([lo], dtype=np.int64))
                carry_open = False
            continue
        di = d.view(np.int8)
        edges = np.flatnonzero(np.diff(di)) + 1 + lo
        s_mask = d[edges - lo]  # an edge where d turns on is a start
        chunk_starts = edges[s_mask]
        chunk_ends = edges[~s_mask]
        if d[0]:
            if not carry_open:
                chunk_starts = np.concatenate(([lo], chunk_starts))
        elif carry_open:
            chunk_ends = np.concatenate(([lo], chunk_ends))
        carry_open = bool(d[-1])
        starts.append(chunk_starts)
        ends.append(chunk_ends)
    if carry_open:
        ends.append(np.array([n], dtype=np.int64))
    s = np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)
    e = np.concatenate(ends) if ends else np.zeros(0, dtype=np.int64)
    return s.astype(np.int64), e.astype(np.int64)


def diff_runs(a: np.ndarray, b: np.ndarray, gap: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Differing runs of two equal-length arrays with their weights (differing bytes per run).

    With ``gap`` > 0 runs closer than ``gap`` are merged block by block (a run may still be split
    at a block boundary), which bounds the temporaries on large, densely differing units.
    """
    if not gap:
        s, e = equal_size_runs(a, b)
        return s, e, e - s
    parts = []
    for lo in range(0, len(a), CHUNK):
        s, e, w = coalesced_runs(a[lo : lo + CHUNK], b[lo : lo + CHUNK], gap)
        if len(s):
            parts.append((s + lo, e + lo, w))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))  # type: ignore[return-value]


def coalesced_runs(a: np.ndarray, b: np.ndarray, gap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The differing runs of two equal-length arrays merged across equal stretches of at most ``gap``
    bytes, with their differing bytes: what ``coalesce`` makes of ``equal_size_runs``, without listing
    every exact run first (a toolchain change leaves millions of them).

    Differing bytes are counted per block of K bytes, K the largest power of two with 2K - 1 <= gap + 1,
    so that an equal stretch longer than ``gap`` holds a whole equal block: only the groups of equal
    blocks are candidate separators, and each is measured exactly into its neighbouring blocks.
    """
    n = len(a)
    empty = np.zeros(0, dtype=np.int64)
    d = a != b
    if not n or not d.any():
        return empty, empty, empty
    k = 1
    while 2 * (2 * k) - 1 <= gap + 1:
        k *= 2
    nb = -(-n // k)
    padded = np.zeros(nb * k, dtype=bool)
    padded[:n] = d
    rows = padded.reshape(nb, k)
    cnt = np.count_nonzero(rows, axis=1) if k < 8 else _block_counts(padded, nb, k)
    cum = np.concatenate(([0], np.cumsum(cnt)))
    zero = np.concatenate(([False], cnt == 0, [False])).view(np.int8)
    edges = np.flatnonzero(np.diff(zero))
    g0, g1 = edges[0::2], edges[1::2]  # groups of equal blocks [g0, g1)
    inner = (g0 > 0) & (g1 < nb)  # an equal stretch at the start or end separates nothing
    g0, g1 = g0[inner], g1[inner]
    trail = k - 1 - np.argmax(rows[g0 - 1, ::-1], axis=1)  # index of the last differing byte
    lead = np.argmax(rows[g1], axis=1)  # index of the first differing byte
    sep_s = (g0 - 1) * k + trail + 1
    sep_e = g1 * k + lead
    sep = sep_e - sep_s > gap
    sep_s, sep_e, g0, g1 = sep_s[sep], sep_e[sep], g0[sep], g1[sep]
    first_block = int(np.argmax(cnt > 0))
    last_block = nb - 1 - int(np.argmax(cnt[::-1] > 0))
    first = first_block * k + int(np.argmax(rows[first_block]))
    last = last_block * k + k - 1 - int(np.argmax(rows[last_block, ::-1]))
    starts = np.concatenate(([first], sep_e)).astype(np.int64)
    ends = np.concatenate((sep_s, [last + 1])).astype(np.int64)
    weights = np.concatenate((cum[g0], [cum[-1]])) - np.concatenate(([0], cum[g1]))
    return starts, ends, weights.astype(np.int64)


def _block_counts(padded: np.ndarray, nb: int, k: int) -> np.ndarray:
    """Differing bytes per block of ``k`` (a multiple of 8) bytes: eight flags per 64-bit word, popcounted."""
    words = padded.view(np.uint64)
    if hasattr(np, "bitwise_count"):
        per_word = np.bitwise_count(words)
    else:  # numpy < 2.0
        per_word = np.count_nonzero(padded.reshape(-1, 8), axis=1)
    return per_word.reshape(nb, k // 8).sum(axis=1, dtype=np.int64)


def trim(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """Lengths of the common prefix and the common suffix (not overlapping) of two arrays."""
    n = min(len(a), len(b))
    if n == 0:
        return 0, 0
    p = _first_mismatch(a[:n], b[:n])
    if p == n:
        return n, 0
    m = n - p
    s = _first_mismatch(a[len(a) - m :][::-1], b[len(b) - m :][::-1])
    return p, s


def _first_mismatch(a: np.ndarray, b: np.ndarray) -> int:
    n = len(a)
    step = 1 << 16
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        d = np.flatnonzero(a[lo:hi] != b[lo:hi])
        if len(d):
            return lo + int(d[0])
        step = min(step * 4, CHUNK)
    return n


def compare_unit(
    table: RunTable,
    key: str,
    a: np.ndarray,
    b: np.ndarray,
    a_off: int,
    b_off: int,
    whole: bool = False,
    pieces: bool = False,
    cut: bool = False,
) -> int:
    """Compare one unit pair into ``table``; returns the differing bytes it counts.

    ``whole``: any difference counts the whole unit (compressed sections). ``pieces``: units of
    different sizes may be paired in pieces at several shifts (data, where variables were added or
    dropped in a few places: compare/pieces.py). ``cut``: spans too large for that programme
    (MAX_SPAN) may be paired as a head in place and a tail at the size difference (_two_shifts).
    """
    la, lb = len(a), len(b)
    if la == lb and bytes_equal(a, b):
        return 0
    if whole:
        w = max(la, lb)
        table.add(key, *_one(a_off, a_off + la, b_off, b_off + lb, w))
        return w
    if la == lb:
        s, e, w = diff_runs(a, b, table.coarse_gap)
        table.add(key, s + a_off, e + a_off, s + b_off, e + b_off, w)
        return int(w.sum())
    table.size_delta += abs(la - lb)
    return _resized(table, key, a, b, a_off, b_off, pieces, cut)


def _resized(
    table: RunTable,
    key: str,
    a: np.ndarray,
    b: np.ndarray,
    a_off: int,
    b_off: int,
    pieces: bool = False,
    cut: bool = False,
) -> int:
    """Units of different sizes: the cheapest of several alignments.

    Trimmed (common prefix and suffix; the middle counts as the longer side), or B shifted by a
    constant ``d`` against A (byte-exact compare of the overlap, plus the bytes outside it): start
    and end alignment, and the shift that best matches a sample. Content that only moved, with
    padding absorbing the change, then costs only its few changed pointers.
    """
    la, lb = len(a), len(b)
    p, s = trim(a, b)
    w_trim = max(la - p - s, lb - p - s)
    best: tuple[int | None, int] = (None, w_trim)
    if min(la, lb) and w_trim > 64 + abs(la - lb):
        for d in _candidate_shifts(a, b):
            w = _shift_cost(a, b, d)
            if w < best[1]:
                best = (d, w)
    if pieces and best[1] > abs(la - lb) + MIN_GAIN:  # (more differs than the sizes' difference)
        got = piecewise(a, b)
        if got is not None:
            return _add_pieces(table, key, got, a, b, a_off, b_off)
    if cut and best[1] > abs(la - lb) + MIN_GAIN and min(la, lb) > MAX_SPAN:
        cut_pieces, cut_cost = _two_shifts(a, b)
        if cut_cost + MIN_GAIN < best[1]:
            return _add_pieces(table, key, cut_pieces, a, b, a_off, b_off)
    d = best[0]
    if d is None:
        table.add(key, *_one(a_off + p, a_off + la - s, b_off + p, b_off + lb - s, w_trim))
        return w_trim
    a0, b0, n = _overlap(la, lb, d)
    st, en, wt = diff_runs(a[a0 : a0 + n], b[b0 : b0 + n], table.coarse_gap)
    table.add(key, st + a_off + a0, en + a_off + a0, st + b_off + b0, en + b_off + b0, wt)
    for lo, hi in ((0, a0), (a0 + n, la)):
        if hi > lo:
            table.add(key, *_one(a_off + lo, a_off + hi, -1, -1, hi - lo))
    for lo, hi in ((0, b0), (b0 + n, lb)):
        if hi > lo:
            table.add(key, *_one(-1, -1, b_off + lo, b_off + hi, hi - lo))
    return best[1]


MIN_GAIN = 64  # differing bytes beyond the size difference for pieces to be tried
BLOCK = 4096  # bytes per block where _two_shifts first looks for its cut


def _two_shifts(a: np.ndarray, b: np.ndarray) -> tuple[list[Piece], int]:
    """One insertion (or removal) where the sides otherwise match: the head paired in place, the
    tail at the size difference, cut where that leaves the fewest differing bytes (a few blocks
    compared per side, then the bytes around the best block boundary). A stripped binary's
    read-only data, megabytes without a structure both builds hold to cut it at, grows where one
    string or file did: any one shift mispairs either what lies before that place or what lies
    after it (sst 4.17.0 -> 4.17.1, an embedded file 134 bytes longer: 4.6 MB counted as differing
    at one shift, 0.2 MB at the cut). Returns the pieces and the bytes they count (the shorter
    side's unlike bytes and the inserted ones)."""
    la, lb = len(a), len(b)
    short, long_, d = (a, b, lb - la) if la <= lb else (b, a, la - lb)
    n = len(short)
    nb = n // BLOCK
    head = np.empty(nb + 1, dtype=np.int64)  # differing bytes per block at shift 0 (the last: the rest)
    tail = np.empty(nb + 1, dtype=np.int64)  # ... at shift d
    for k0 in range(0, nb, CHUNK // BLOCK):
        k1 = min(nb, k0 + CHUNK // BLOCK)
        lo, hi = k0 * BLOCK, k1 * BLOCK
        head[k0:k1] = (short[lo:hi] != long_[lo:hi]).reshape(-1, BLOCK).sum(axis=1)
        tail[k0:k1] = (short[lo:hi] != long_[lo + d : hi + d]).reshape(-1, BLOCK).sum(axis=1)
    head[nb] = int(np.count_nonzero(short[nb * BLOCK :] != long_[nb * BLOCK : n]))
    tail[nb] = int(np.count_nonzero(short[nb * BLOCK :] != long_[nb * BLOCK + d :]))
    # the cost of cutting before block k: the head's blocks before it, the tail's from it on
    cost = np.concatenate(([0], np.cumsum(head))) + np.concatenate((np.cumsum(tail[::-1])[::-1], [0]))
    k = int(np.argmin(cost))
    lo, hi = max(0, (k - 1) * BLOCK), min(n, (k + 1) * BLOCK)  # the cut within a block of that boundary
    h = np.concatenate(([0], np.cumsum(short[lo:hi] != long_[lo:hi])))
    t = np.concatenate((np.cumsum((short[lo:hi] != long_[lo + d : hi + d])[::-1])[::-1], [0]))
    before = int(head[: lo // BLOCK].sum())  # (lo is a block boundary; hi one too, or the end)
    after = int(tail[hi // BLOCK :].sum()) if hi < n else 0
    local = h + t
    c = lo + int(np.argmin(local))
    total = before + int(local.min()) + after + d
    pieces = [Piece(0, c, 0), Piece(c, n, c + d)] if la <= lb else [Piece(0, c, 0), Piece(c + d, la, c)]
    return [p for p in pieces if p.a1 > p.a0], total


def _add_pieces(
    table: RunTable, key: str, pieces: list[Piece], a: np.ndarray, b: np.ndarray, a_off: int, b_off: int
) -> int:
    """The runs of units paired in ``pieces`` (ascending on both sides), with the bytes of either
    side between them (or before the first, after the last) as that side's own."""
    total = 0
    ea = eb = 0  # where the last piece ended in A and in B
    for p in [*pieces, Piece(len(a), len(a), len(b))]:
        for lo, hi, side in ((ea, p.a0, "a"), (eb, p.b0, "b")):
            if hi > lo:
                off = a_off if side == "a" else b_off
                table.add(
                    key,
                    *(
                        _one(off + lo, off + hi, -1, -1, hi - lo)
                        if side == "a"
                        else _one(-1, -1, off + lo, off + hi, hi - lo)
                    ),
                )
                total += hi - lo
        n = p.a1 - p.a0
        if n:
            st, en, wt = diff_runs(a[p.a0 : p.a1], b[p.b0 : p.b0 + n], table.coarse_gap)
            table.add(key, st + a_off + p.a0, en + a_off + p.a0, st + b_off + p.b0, en + b_off + p.b0, wt)
            total += int(wt.sum())
        ea, eb = p.a1, p.b0 + n
    return total


def resized_many(
    table: RunTable,
    keys: list[str],
    spans: list[tuple[int, int, int, int]],
    da: np.ndarray,
    db: np.ndarray,
) -> list[int]:
    """``compare_unit`` on many pairs at once, in order: A ``[a0, a1)`` against B ``[b0, b1)`` with
    sizes differing, or (``b0 < 0``) A's bytes alone, as ``only_one_side`` adds them. The same runs,
    unit entries and counts as one call per pair, with the byte work done on all resized pairs laid
    end to end; only the search for a better shift stays per pair. Pairs must be at most CHUNK bytes
    (diff_runs cuts longer ones at CHUNK)."""
    if not spans:
        return []
    A0, A1, B0, B1 = (np.array(c, dtype=np.int64) for c in zip(*spans, strict=True))
    res = np.flatnonzero(B0 >= 0)
    la, lb = A1 - A0, B1 - B0
    n = np.where(B0 >= 0, np.minimum(la, lb), 0)
    p = _first_mismatches(da, db, A0, B0, n, reverse=False)
    m = n - p
    tail = _first_mismatches(da, db, A1 - m, B1 - m, m, reverse=True)
    s = np.where(p == n, 0, tail)
    w_trim = np.where(B0 >= 0, np.maximum(la - p - s, lb - p - s), la)
    table.size_delta += int(np.abs(la[res] - lb[res]).sum())
    best_d: list[int | None] = [None] * len(spans)
    weights = w_trim.tolist()
    search = res[(n[res] > 0) & (w_trim[res] > 64 + np.abs(la[res] - lb[res]))].tolist()
    for k in search:  # the shift candidates: a sample match per pair (as _resized)
        a, b = da[A0[k] : A1[k]], db[B0[k] : B1[k]]
        for d in _candidate_shifts(a, b):
            w = _shift_cost(a, b, d)
            if w < weights[k]:
                best_d[k], weights[k] = d, w
    runs_of = _overlap_runs(
        table, [k for k in search if best_d[k] is not None], best_d, A0, B0, la, lb, da, db
    )
    # the unit entries, in the order compare_unit and only_one_side add them
    out_keys: list[str] = []
    rows: list[tuple[int, int, int, int, int, int]] = []  # block, a0, a1, b0, b1, w
    a0s, b0s, las, lbs, ps, ss = (v.tolist() for v in (A0, B0, la, lb, p, s))
    for k, key in enumerate(keys):
        a_off, b_off, x, y = a0s[k], b0s[k], las[k], lbs[k]
        if b_off < 0:  # only in A (only_one_side: nothing for an empty one)
            if x > 0:
                rows.append((len(out_keys), a_off, a_off + x, -1, -1, x))
                out_keys.append(key)
        elif best_d[k] is None:
            rows.append(
                (
                    len(out_keys),
                    a_off + ps[k],
                    a_off + x - ss[k],
                    b_off + ps[k],
                    b_off + y - ss[k],
                    weights[k],
                )
            )
            out_keys.append(key)
        else:
            a0, b0, nn = _overlap(x, y, best_d[k])  # type: ignore[arg-type]
            st, en, wt = runs_of[k]
            if st:
                blk = len(out_keys)
                rows += [
                    (blk, a_off + a0 + u, a_off + a0 + v, b_off + b0 + u, b_off + b0 + v, c)
                    for u, v, c in zip(st, en, wt, strict=True)
                ]
                out_keys.append(key)
            for lo, hi in ((0, a0), (a0 + nn, x)):
                if hi > lo:
                    rows.append((len(out_keys), a_off + lo, a_off + hi, -1, -1, hi - lo))
                    out_keys.append(key)
            for lo, hi in ((0, b0), (b0 + nn, y)):
                if hi > lo:
                    rows.append((len(out_keys), -1, -1, b_off + lo, b_off + hi, hi - lo))
                    out_keys.append(key)
    if rows:
        cols = np.array(rows, dtype=np.int64)
        table.add_many(out_keys, *(cols[:, i] for i in range(6)))
    return weights


def _overlap_runs(
    table: RunTable,
    shifted: list[int],
    best_d: list[int | None],
    A0: np.ndarray,
    B0: np.ndarray,
    la: np.ndarray,
    lb: np.ndarray,
    da: np.ndarray,
    db: np.ndarray,
) -> dict[int, tuple[list[int], list[int], list[int]]]:
    """For each shifted pair, the differing runs of its overlap at its best shift (relative to the
    overlap's start), as diff_runs gives them: all overlaps laid end to end, cut apart again."""
    out: dict[int, tuple[list[int], list[int], list[int]]] = {}
    if not shifted:
        return out
    ov = [_overlap(int(la[k]), int(lb[k]), best_d[k]) for k in shifted]  # type: ignore[arg-type]
    lens = np.array([o[2] for o in ov], dtype=np.int64)
    cum = np.concatenate(([0], np.cumsum(lens)))
    xa = np.concatenate([da[A0[k] + o[0] : A0[k] + o[0] + o[2]] for k, o in zip(shifted, ov, strict=True)])
    xb = np.concatenate([db[B0[k] + o[1] : B0[k] + o[1] + o[2]] for k, o in zip(shifted, ov, strict=True)])
    st, en = equal_size_runs(xa, xb)
    st, en = cut_runs(st, en, cum[1:-1])
    owner = np.searchsorted(cum, st, side="right") - 1
    wt = en - st
    if table.coarse_gap and len(st) > 1:
        owner, st, en, _, _, wt = coalesce(owner, st, en, st, en, wt, table.coarse_gap)
    st = st - cum[owner]
    en = en - cum[owner]
    bounds = np.searchsorted(owner, np.arange(len(shifted) + 1)).tolist()
    st_l, en_l, wt_l = st.tolist(), en.tolist(), wt.tolist()
    for j, k in enumerate(shifted):
        lo, hi = bounds[j], bounds[j + 1]
        out[k] = (st_l[lo:hi], en_l[lo:hi], wt_l[lo:hi])
    return out


def _first_mismatches(
    da: np.ndarray, db: np.ndarray, a0: np.ndarray, b0: np.ndarray, n: np.ndarray, reverse: bool
) -> np.ndarray:
    """For each pair, the length of the common prefix of ``da[a0:a0+n]`` and ``db[b0:b0+n]`` (of
    their common suffix, read backwards, with ``reverse``): n when they are equal."""
    out = n.copy()
    keep = np.flatnonzero(n > 0)
    if not len(keep):
        return out
    step = -1 if reverse else 1
    ks = n[keep].tolist()
    xa = np.concatenate([da[a : a + k][::step] for a, k in zip(a0[keep].tolist(), ks, strict=True)])
    xb = np.concatenate([db[b : b + k][::step] for b, k in zip(b0[keep].tolist(), ks, strict=True)])
    cum = np.concatenate(([0], np.cumsum(n[keep])))
    pos = np.flatnonzero(xa != xb)
    seg = np.searchsorted(cum, pos, side="right") - 1
    first = np.flatnonzero(np.concatenate(([True], seg[1:] != seg[:-1]))) if len(seg) else seg
    segs = seg[first]
    out[keep[segs]] = pos[first] - cum[segs]
    return out


def cut_runs(s: np.ndarray, e: np.ndarray, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split the sorted disjoint runs [s, e) at every cut position that falls strictly inside one."""
    if not len(s) or not len(cuts):
        return s, e
    k = np.searchsorted(s, cuts, side="right") - 1
    inside = (k >= 0) & (e[np.maximum(k, 0)] > cuts) & (s[np.maximum(k, 0)] < cuts)
    c = cuts[inside]
    if not len(c):
        return s, e
    return np.sort(np.concatenate((s, c))), np.sort(np.concatenate((e, c)))


def _overlap(la: int, lb: int, d: int) -> tuple[int, int, int]:
    """With B[i + d] aligned to A[i]: the overlap's start in A, start in B and length."""
    a0 = max(0, -d)
    b0 = a0 + d
    return a0, b0, max(0, min(la - a0, lb - b0))


def _shift_cost(a: np.ndarray, b: np.ndarray, d: int) -> int:
    a0, b0, n = _overlap(len(a), len(b), d)
    return _count_diff(a[a0 : a0 + n], b[b0 : b0 + n]) + max(len(a), len(b)) - n


def _candidate_shifts(a: np.ndarray, b: np.ndarray, window: int = 2048, reach: int = 256) -> list[int]:
    """Shifts worth an exact try: 0, the size delta, and the best match of two sample windows."""
    la, lb = len(a), len(b)
    out = {0, lb - la}
    for frac in (0.25, 0.75):
        s = int(la * frac)
        w = a[s : s + window]
        lo, hi = max(0, s - reach), min(lb - len(w), s + reach)
        if len(w) < 64 or hi < lo:
            continue
        # every candidate alignment of the window against B at once (a strided view, no copy)
        cand = np.lib.stride_tricks.as_strided(b[lo:], shape=(hi - lo + 1, len(w)), strides=(1, 1))
        eq = np.count_nonzero(cand == w, axis=1)
        best = int(np.argmax(eq))
        if eq[best] > len(w) // 2:
            out.add(lo + best - s)
    return sorted(out, key=abs)


def _count_diff(a: np.ndarray, b: np.ndarray) -> int:
    return sum(
        int(np.count_nonzero(a[lo : lo + CHUNK] != b[lo : lo + CHUNK])) for lo in range(0, len(a), CHUNK)
    )


def only_one_side(table: RunTable, key: str, side: str, off: int, size: int) -> int:
    """A unit present in one build only: all of its bytes differ."""
    if size <= 0:
        return 0
    if side == "a":
        table.add(key, *_one(off, off + size, -1, -1, size))
    else:
        table.add(key, *_one(-1, -1, off, off + size, size))
    return size


def bytes_equal(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal contents, compared in chunks (no full-size temporaries)."""
    if len(a) != len(b):
        return False
    return all(np.array_equal(a[lo : lo + CHUNK], b[lo : lo + CHUNK]) for lo in range(0, len(a), CHUNK))


def _one(a0: int, a1: int, b0: int, b1: int, w: int) -> tuple[np.ndarray, ...]:
    return (
        np.array([a0], dtype=np.int64),
        np.array([a1], dtype=np.int64),
        np.array([b0], dtype=np.int64),
        np.array([b1], dtype=np.int64),
        np.array([w], dtype=np.int64),
    )


Splitter = Callable[[], list[tuple[str, int, int]]]


def images_equal(a: Any, b: Any) -> bool:
    """Whether two images (``godet.read.image.Image``) hold the same bytes, reading only what can
    differ: in sparse files, the ranges where either side holds data (holes read as zeros on both)."""
    if a.size != b.size:
        return False
    da, db = as_array(a.data), as_array(b.data)
    ea, eb = getattr(a, "extents", None), getattr(b, "extents", None)
    if ea is None or eb is None or a.slice_offset or b.slice_offset:
        return bytes_equal(da, db)
    spans = sorted((*ea, *eb))
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return all(bytes_equal(da[s:e], db[s:e]) for s, e in merged)
