"""The read-only data scan for paths finds exactly what the plain regex scan finds."""

from __future__ import annotations

import numpy as np

from godet.read.paths import _RODATA_PATH, _path_matches


def test_candidate_scan_equals_finditer() -> None:
    rng = np.random.default_rng(3)
    alphabet = list(b"/\\:abcXYZ09_.-@ \x00\xe9C")
    for _ in range(4000):
        data = bytes(rng.choice(alphabet, int(rng.integers(0, 90))).astype(np.uint8))
        assert [m.span() for m in _path_matches(data)] == [m.span() for m in _RODATA_PATH.finditer(data)]


def test_real_paths_and_neighbours() -> None:
    data = b"\x00/usr/local/go/src/fmt/print.go\x00C:\\Users\\dev\\go\\pkg\\mod\x00x/y\x00c:/a/b:/c/d"
    got = [m.group(0) for m in _path_matches(memoryview(data))]
    assert got == [m.group(0) for m in _RODATA_PATH.finditer(data)]
    assert got[:2] == [b"/usr/local/go/src/fmt/print.go", b"C:\\Users\\dev\\go\\pkg\\mod"]
