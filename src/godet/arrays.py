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
