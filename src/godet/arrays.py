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


_K1, _K2, _K3 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9
_M64 = (1 << 64) - 1


def string_keys(buf: np.ndarray, at: np.ndarray, n: np.ndarray) -> np.ndarray:
    """A 64-bit key of each string ``buf[at : at + n]`` (uint8 ``buf``; every string inside it) from
    its length and its first and last 8 bytes: equal strings have equal keys, and ``string_key``
    gives the same key for the string as bytes. Not a hash of every byte: compare on a match."""
    at = np.asarray(at, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    if not len(at):
        return np.zeros(0, dtype=np.int64)
    lanes = np.arange(8, dtype=np.int64)
    outside = lanes[None, :] >= n[:, None]
    top = max(len(buf) - 1, 0)

    def word(start: np.ndarray) -> np.ndarray:
        got = (
            buf[np.minimum(start[:, None] + lanes[None, :], top)]
            if len(buf)
            else np.zeros((len(start), 8), np.uint8)
        )
        got[outside] = 0
        return np.ascontiguousarray(got).view("<u8").ravel()

    with np.errstate(over="ignore"):
        key = word(at) * np.uint64(_K1)
        key ^= word(at + np.maximum(n - 8, 0)) * np.uint64(_K2)
        key ^= n.astype(np.uint64) * np.uint64(_K3)
    return key.view(np.int64)


def string_key(text: bytes) -> int:
    """``string_keys``'s key of one string."""
    n = len(text)
    first = int.from_bytes(text[:8], "little")
    last = int.from_bytes(text[max(n - 8, 0) :], "little")
    key = ((first * _K1) & _M64) ^ ((last * _K2) & _M64) ^ ((n * _K3) & _M64)
    return key - (1 << 64) if key >> 63 else key


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
