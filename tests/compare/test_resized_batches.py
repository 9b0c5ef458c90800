"""Resized functions compared in batches give exactly what comparing them one by one gives."""

from __future__ import annotations

import numpy as np
import pytest

import godet.compare.layout as layout
from godet.compare.layout import compare
from godet.explain.detectors.buildinfo import compiler_output_differs
from godet.read.binary import open_binaries


def _compare(a: str, b: str, batched: bool, monkeypatch, batch_bytes: int | None = None):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(layout, "BATCH_RESIZED", batched)
    if batch_bytes is not None:
        monkeypatch.setattr(layout, "RESIZED_BATCH", batch_bytes)
    with open_binaries(a) as (x,), open_binaries(b) as (y,):
        cmp = compare(x, y, coarse=compiler_output_differs(x.buildinfo, y.buildinfo))
        return cmp.runs, [(f.name, f.how, f.a_range, f.b_range, f.differing) for f in cmp.functions]


# toolchain and -gcflags pairs resize most functions (coarse runs); CGO_ENABLED a few (exact runs)
@pytest.mark.parametrize("name", ["toolchain_minor", "toolchain_new_package", "gcflags", "cgo_enabled"])
def test_batches_equal_one_by_one(gopair, monkeypatch, name: str) -> None:  # type: ignore[no-untyped-def]
    a, b = (str(p) for p in gopair(name))
    one_runs, one_funcs = _compare(a, b, False, monkeypatch)
    assert any(f[1] in ("resized", "only-a") for f in one_funcs)  # the pair exercises the batches
    for batch_bytes in (None, 4096):  # one batch per unit, and many small ones
        runs, funcs = _compare(a, b, True, monkeypatch, batch_bytes)
        assert funcs == one_funcs
        assert runs.units == one_runs.units
        assert runs.size_delta == one_runs.size_delta
        for col in ("unit", "a0", "a1", "b0", "b1", "weight"):
            assert np.array_equal(getattr(runs, col), getattr(one_runs, col)), col
