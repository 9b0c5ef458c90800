"""coalesced_runs gives exactly what coalescing the exact runs gives (places and byte counts)."""

from __future__ import annotations

import numpy as np
import pytest

from godet.compare.bytes import coalesce, coalesced_runs, diff_runs, equal_size_runs


def _reference(a: np.ndarray, b: np.ndarray, gap: int) -> tuple[np.ndarray, ...]:
    s, e = equal_size_runs(a, b)
    if not len(s):
        return s, e, e - s
    zero = np.zeros(len(s), dtype=np.int32)
    _, s, e, _, _, w = coalesce(zero, s, e, s, e, e - s, gap)
    return s, e, w


@pytest.mark.parametrize("gap", [1, 2, 3, 7, 8, 15, 16, 31, 63, 64, 65, 100])
def test_matches_coalesced_exact_runs(gap: int) -> None:
    rng = np.random.default_rng(gap)
    for _ in range(300):
        n = int(rng.integers(0, 700))
        a = rng.integers(0, 256, n, dtype=np.uint8)
        b = a.copy()
        b[rng.random(n) < rng.random() * 0.3] ^= 1  # scattered bytes
        for _ in range(int(rng.integers(0, 4))):  # and a few clusters
            if n:
                lo = int(rng.integers(0, n))
                b[lo : lo + int(rng.integers(1, 90))] ^= 0xFF
        got, want = coalesced_runs(a, b, gap), _reference(a, b, gap)
        for x, y in zip(got, want, strict=True):
            np.testing.assert_array_equal(x, y)


def test_weights_count_every_differing_byte() -> None:
    rng = np.random.default_rng(7)
    a = rng.integers(0, 256, 3 << 20, dtype=np.uint8)
    b = a.copy()
    b[rng.random(len(a)) < 0.4] ^= 0x55
    s, e, w = diff_runs(a, b, 64)
    assert int(w.sum()) == int(np.count_nonzero(a != b))
    assert np.all(e > s) and np.all(s[1:] - e[:-1] > 64)  # separated by more than the gap


def test_equal_and_empty() -> None:
    a = np.arange(100, dtype=np.uint8)
    for x, y in ((a, a.copy()), (a[:0], a[:0])):
        assert all(len(v) == 0 for v in coalesced_runs(x, y, 64))
