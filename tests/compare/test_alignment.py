"""The linear alignment of two instruction listings (compare/code.py ``_hunks``), checked against
difflib (the quadratic alignment it replaced) where both must agree, and for its running time; and
the sparse-aware equality test of two images (compare/bytes.py ``images_equal``)."""

from __future__ import annotations

import difflib
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from godet.compare.code import _hunks

lines = st.lists(st.sampled_from(["mov", "add", "call f", "ret", "lea", "jmp"]), max_size=60)


def _rebuild_checks(na: list[str], nb: list[str], hunks: list[tuple[int, int, int, int]]) -> None:
    i = j = 0
    for i1, i2, j1, j2 in hunks:
        assert i <= i1 <= i2 and j <= j1 <= j2
        assert na[i:i1] == nb[j:j1]  # what lies between hunks is equal, line for line
        assert (i2 - i1) + (j2 - j1) > 0
        i, j = i2, j2
    assert na[i:] == nb[j:]


@settings(max_examples=300, deadline=None)
@given(lines, lines)
def test_hunks_cover_every_difference(na, nb):
    hunks = list(_hunks(na, nb))
    _rebuild_checks(na, nb, hunks)
    assert (hunks == []) == (na == nb)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=10, max_size=200, unique=True), st.data())
def test_one_edit_is_the_hunk_difflib_finds(base, data):
    """Distinct lines, one replaced/inserted/deleted block: the single hunk difflib reports."""
    na = [str(x) for x in base]
    lo = data.draw(st.integers(0, len(na)))
    hi = data.draw(st.integers(lo, min(len(na), lo + 8)))
    new = [f"new{k}" for k in range(data.draw(st.integers(0 if hi > lo else 1, 8)))]
    nb = na[:lo] + new + na[hi:]
    expected = [
        (i1, i2, j1, j2)
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, na, nb, autojunk=False).get_opcodes()
        if tag != "equal"
    ]
    assert list(_hunks(na, nb)) == expected


def test_alignment_is_linear():
    """200 000 shifted lines with an edit every 1 000: well under a second (difflib: minutes)."""
    na = [f"insn {k % 977}" for k in range(200_000)]
    nb = [x if k % 1000 else "changed" for k, x in enumerate(na)]
    t = time.monotonic()
    hunks = list(_hunks(na, nb))
    assert time.monotonic() - t < 2.0
    assert len(hunks) == 200
    _rebuild_checks(na, nb, hunks)


def test_images_equal_reads_only_data_extents(tmp_path):
    """images_equal on sparse files: equal where both hold the same data, unequal on one data byte,
    and on data versus a hole (explicit bytes versus zeros)."""
    from godet.compare.bytes import images_equal
    from godet.read.image import MappedFile, _data_extents

    def sparse(name: str, chunks: dict[int, bytes], size: int = 256 << 20) -> MappedFile:
        p = tmp_path / name
        with open(p, "wb") as f:
            for off, data in chunks.items():
                f.seek(off)
                f.write(data)
            f.truncate(size)
        return MappedFile(str(p))

    class Img:  # the three attributes images_equal reads, as an Image has them
        def __init__(self, m: MappedFile) -> None:
            self.data, self.size, self.slice_offset = m.data, m.size, 0
            self.extents = _data_extents(m.fd, m.size)

    a = sparse("a", {0: b"\x7fELF" * 1024, 100 << 20: b"x" * 4096})
    b = sparse("b", {0: b"\x7fELF" * 1024, 100 << 20: b"x" * 4096})
    c = sparse("c", {0: b"\x7fELF" * 1024, 100 << 20: b"x" * 4095 + b"y"})
    d = sparse("d", {0: b"\x7fELF" * 1024})
    ia, ib, ic, idd = Img(a), Img(b), Img(c), Img(d)
    if ia.extents is None:
        import pytest

        pytest.skip("this file system does not report holes (SEEK_DATA)")
    assert len(ia.extents) >= 2
    assert images_equal(ia, ib)
    assert not images_equal(ia, ic)
    assert not images_equal(ia, idd)
    for m in (a, b, c, d):
        m.close()
