"""Whole bytes from fractional claims: every list of byte counts adds up to the total it splits."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from godet.arrays import apportion

parts = st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1, max_size=40)


@given(parts, st.integers(min_value=0, max_value=10**8))
@example([2.225073858507e-311], 1)  # a sum so small that total / sum overflows
def test_adds_up_and_stays_within_a_byte(xs: list[float], total: int) -> None:
    a = np.array(xs)
    out = apportion(a, total)
    if a.sum() <= 0 or total == 0:
        assert not out.any()
        return
    assert int(out.sum()) == total
    scaled = a / a.sum() * total
    assert np.all(np.abs(out - scaled) < 1.0 + 1e-6)
    assert np.all(out[a == 0] == 0)


def test_rounding_each_part_would_not_add_up() -> None:
    """Three claims of two thirds of a byte each: rounding each gives 3, the total is 2."""
    xs = np.array([2 / 3, 2 / 3, 2 / 3])
    assert sum(round(x) for x in xs) == 3
    assert apportion(xs, 2).tolist() == [1, 1, 0]
