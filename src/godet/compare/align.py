"""Two byte spans aligned by the blocks they share: where each byte of one stands in the other.

Data that only moved (strings after a longer one in the blob sorted by length, a byte table after a
grown one) keeps its bytes; a sample of fixed-size blocks of one span is looked up near its place in
the other, and the few offsets they moved by, counted per window, are tried over the whole window.
Bytes in no block of at least MIN_BLOCK shared bytes changed (or moved by an offset no sample saw).
Pure numpy over two uint8 arrays: the detectors give it file ranges.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from godet.arrays import gram_hashes, unique_inverse

GRAM = 16  # bytes of a sampled block looked up in the other build
MIN_BLOCK = 8  # shorter equal stretches under a shift are chance
MAX_SAMPLES = 4096
WINDOW = 256 << 10  # bytes of a span whose offsets are counted together (align_blocks)
REACH = 64 << 10  # how far a block is looked for in the other build
MAX_SHIFTS = 64  # offsets tried (a real release moves strings by dozens of different lengths; esbuild
# 0.24.0 vs 0.24.1 left 29 % of its 1.9 MB of .rodata unplaced with 24, 17 % with 64)
HASH_BITS = 20  # bits of the table of the samples' first 4 bytes
MAX_CANDIDATES = 1 << 18  # more places of y that start like a sample: each window looked through instead
HASH_CHUNK = 1 << 20  # places of y hashed at once (the hashes take 8 bytes a place, twice)
NO_SHIFT = np.iinfo(np.int32).min  # (callers align spans of at most a few MiB: offsets fit int32)


def align_blocks(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Align two byte spans by blocks (>= MIN_BLOCK bytes) found in both at one of the few offsets that
    sampled blocks moved by: for each byte of ``x`` the offset of its place in ``y`` (and for ``y``
    the offset back), NO_SHIFT where a byte lies in no common block."""
    sx = np.full(len(x), NO_SHIFT, dtype=np.int32)
    sy = np.full(len(y), NO_SHIFT, dtype=np.int32)
    for lo, hi, d, long in _common_blocks(x, y):
        fx = sx[lo:hi]
        fx[long & (fx == NO_SHIFT)] = d
        fy = sy[lo + d : hi + d]
        fy[long & (fy == NO_SHIFT)] = -d
    return sx, sy


def unaligned(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each byte of ``x`` and of ``y`` lies in no common block (align_blocks' NO_SHIFT, at a
    byte a byte instead of four)."""
    ux, uy = np.ones(len(x), dtype=bool), np.ones(len(y), dtype=bool)
    for lo, hi, d, long in _common_blocks(x, y):
        ux[lo:hi] &= ~long
        uy[lo + d : hi + d] &= ~long
    return ux, uy


def _common_blocks(x: np.ndarray, y: np.ndarray) -> Iterator[tuple[int, int, int, np.ndarray]]:
    """(lo, hi, d, long): x[lo:hi] pairs with y[lo + d : hi + d] where ``long`` is set, in the order
    an earlier block takes a byte first. The offsets are counted a window of ``x`` at a time: in a
    blob sorted by length, every changed length moves what follows by another amount, so a large
    span moves by hundreds of offsets, a few at each place."""
    n, m = len(x), len(y)
    at = np.arange(0, n - GRAM + 1, max(GRAM, n // MAX_SAMPLES), dtype=np.int64)
    hits = first_hits(x, y, at)
    moved = (hits - at)[hits >= 0]
    at = at[hits >= 0]
    for w0 in range(0, max(n, 1), WINDOW):
        w1 = min(n, w0 + WINDOW)
        shifts: dict[int, int] = {0: 1}
        for d in moved[(at >= w0) & (at < w1)].tolist():
            shifts[d] = shifts.get(d, 0) + 1
        for d, _hits in sorted(shifts.items(), key=lambda kv: -kv[1])[:MAX_SHIFTS]:
            # x[i] pairs with y[i + d], over the window and a block on either side of it
            lo, hi = max(0, -d, w0 - MIN_BLOCK), min(n, m - d, w1 + MIN_BLOCK)
            if hi - lo >= MIN_BLOCK:
                yield lo, hi, d, _long_runs(x[lo:hi] == y[lo + d : hi + d], MIN_BLOCK)


def first_hits(x: np.ndarray, y: np.ndarray, at: np.ndarray) -> np.ndarray:
    """For each offset ``i`` of ``at`` (ascending), where the GRAM bytes of ``x`` at ``i`` first occur
    in ``y`` at most REACH before ``i`` and ending at most REACH + GRAM after it: the offset in ``y``,
    or -1. What ``bytes.find`` over each window gives, for all the offsets at once: the grams are
    hashed by their first 4 bytes, every place of ``y`` looked up in that table, and the candidates
    confirmed by all GRAM bytes."""
    m = len(y)
    out = np.full(len(at), -1, dtype=np.int64)
    if not len(at) or m < GRAM:
        return out
    gx = _grams(x, at)
    table = np.zeros(1 << HASH_BITS, dtype=bool)
    table[gram_hashes(gx.ravel(), 4, HASH_BITS)[::GRAM]] = True  # (each sample's first 4 bytes)
    cand = _candidates(table, y, m - GRAM + 1)  # places in y
    if not len(cand):
        return out
    if len(cand) > MAX_CANDIDATES:  # a span of few repeated grams: look each window through instead
        return _find_each(x, y, at, np.arange(len(at)), out)
    hx, hy = _hash16(gx), _hash16(_grams(y, cand))
    uniq, rank_y = unique_inverse(hy)
    keyed = np.sort(rank_y.astype(np.int64) * (m + 1) + cand)  # candidates by gram, then place
    rank_x = np.minimum(np.searchsorted(uniq, hx), len(uniq) - 1)
    lo = np.maximum(at - REACH, 0)
    k = np.searchsorted(keyed, rank_x * (m + 1) + lo)
    j = keyed[np.minimum(k, len(keyed) - 1)] - rank_x * (m + 1)
    ok = (k < len(keyed)) & (uniq[rank_x] == hx) & (j >= lo) & (j <= np.minimum(m, at + REACH + GRAM) - GRAM)
    out[ok] = j[ok]
    wrong = np.flatnonzero(ok)[(_grams(y, j[ok]) != gx[ok]).any(axis=1)]  # a hash shared by two grams
    return _find_each(x, y, at, wrong, out) if len(wrong) else out


def _candidates(table: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` places of ``y`` whose 4-byte gram's hash is set in ``table``, hashed a chunk
    at a time."""
    out = [np.zeros(0, dtype=np.int64)]
    for lo in range(0, n, HASH_CHUNK):
        hi = min(n, lo + HASH_CHUNK)
        out.append(np.flatnonzero(table[gram_hashes(y[lo : hi + 3], 4, HASH_BITS)]) + lo)
    return np.concatenate(out)


def _find_each(
    x: np.ndarray, y: np.ndarray, at: np.ndarray, which: np.ndarray, out: np.ndarray
) -> np.ndarray:
    """``out`` with the samples ``which`` (indexes into ``at``) looked up by ``bytes.find`` in their
    window, one by one."""
    xb, yb, m = x.tobytes(), y.tobytes(), len(y)
    for k, i in zip(which.tolist(), at[which].tolist(), strict=True):
        out[k] = yb.find(xb[i : i + GRAM], max(0, i - REACH), min(m, i + REACH + GRAM))
    return out


def _hash16(grams: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each GRAM-byte row (equal rows, equal hashes; a shared hash is checked)."""
    words = np.ascontiguousarray(grams).view(np.uint64)
    return words[:, 0] * np.uint64(0x9E3779B97F4A7C15) ^ words[:, 1]


def _grams(a: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The GRAM bytes at each offset of ``at``, one row each."""
    return a[at[:, None] + np.arange(GRAM)]


def _long_runs(mask: np.ndarray, k: int) -> np.ndarray:
    """The True runs of ``mask`` at least ``k`` long: an erosion by ``k`` (where ``k`` Trues start)
    then a dilation back, each in log2(k) shifted ANDs or ORs of boolean arrays."""
    n = len(mask)
    if n < k:
        return np.zeros(n, dtype=bool)
    start = mask.astype(bool)  # a copy: start[i] is whether mask[i : i + w] are all True
    w = 1
    while w < k:
        s = min(w, k - w)
        start[: n - s] &= start[s:]
        start[n - s :] = False
        w += s
    covered = start  # covered[i]: some start in (i - w, i]
    w = 1
    while w < k:
        s = min(w, k - w)
        covered[s:] |= covered[:-s].copy()
        w += s
    return covered


def true_runs(mask: np.ndarray, limit: int | None = None) -> list[tuple[int, int]]:
    """The first ``limit`` runs of True in ``mask`` as (start, end)."""
    edge = np.zeros(1, dtype=np.int8)  # (int8 throughout: a list would make the copy int64, 8 bytes a byte)
    edges = np.flatnonzero(np.diff(np.concatenate((edge, mask.view(np.int8), edge))))
    if limit is not None:
        edges = edges[: 2 * limit]
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))
