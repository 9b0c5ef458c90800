"""Small numpy helpers every stage may use.

``np.unique`` imports ``numpy.ma`` on first use (about 20 ms of start-up, a tenth of a small
diff); these do the same for the 1-D integer arrays godet has, with sort and diff only.
"""

from __future__ import annotations

import numpy as np


def unique(a: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-D array."""
    s = np.sort(a, kind="stable")
    if len(s) < 2:
        return s
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def unique_inverse(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct values, index of each element of ``a`` in them)."""
    u = unique(a)
    return u, np.searchsorted(u, a)


def gram_hashes(a: np.ndarray, k: int, bits: int) -> np.ndarray:
    """``bits`` bits of a hash of the ``k``-byte gram at every offset of the uint8 array ``a`` that
    has one (int64 indexes for a table of 2**bits entries)."""
    n = len(a) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    h = np.zeros(n, dtype=np.uint64)
    for i in range(k):
        h *= np.uint64(0x100000001B3)
        h ^= a[i : i + n]
    h *= np.uint64(0x9E3779B97F4A7C15)
    h >>= np.uint64(64 - bits)
    return h.view(np.int64)  # (below 2**bits: the same values; in place, no copy)


def apportion(parts: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers in proportion to the non-negative ``parts`` that add up to exactly ``total``
    (largest remainder: each part gets the floor of its scaled share, and the bytes left over go to
    the largest fractions). All zeros when ``parts`` add up to nothing."""
    parts = np.asarray(parts, dtype=np.float64)
    out = np.zeros(len(parts), dtype=np.int64)
    s = float(parts.sum())
    if s <= 0 or total <= 0:
        return out
    scaled = parts / s * total  # (dividing first: a tiny sum would make total / s overflow)
    out[:] = np.floor(scaled)
    left = total - int(out.sum())
    if left > 0:
        out[np.argsort(out - scaled, kind="stable")[:left]] += 1
    return out
