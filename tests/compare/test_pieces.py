"""Data sections of different sizes paired in pieces (compare/pieces.py): a variable dropped from
the middle of .data moves what follows it, and another padding moves the rest further. One shift
for the whole section paired the head wrongly, and its moved pointers were left unexplained
(-trimpath on one side: runtime.defaultGOROOT goes from .data to .bss, 56 bytes unexplained;
lefthook 2.1.16 -> 2.1.17: 2,288; gh 2.85 -> 2.86: 10,882 and a false generated-order root).

Oracles: ``go tool nm -size`` (which variable each paired byte belongs to, in each build) and
synthetic spans whose insertions are known."""

from __future__ import annotations

import bisect
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gobuild
import godet.compare.bytes as bytes_mod
from conftest import HELLO, T
from godet.compare.bytes import MIN_GAIN, RunTable, compare_unit
from godet.compare.layout import compare
from godet.compare.pieces import SWITCH, piecewise
from godet.explain.engine import diff_paths
from godet.read.binary import open_binaries


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    cuts=st.lists(st.tuples(st.floats(0.05, 0.95), st.integers(1, 6)), min_size=2, max_size=4),
)
def test_insertions_are_found_as_pieces(seed: int, cuts: list[tuple[float, int]]) -> None:
    """Words inserted at a few places: the pieces pair every other byte with its own, so what
    differs is the inserted bytes and at most a few neighbours of each."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, 8 * 3000, dtype=np.uint8)
    a[rng.random(len(a)) < 0.3] = 0  # (data has zeros)
    parts, last, inserted = [], 0, 0
    for frac, words in sorted(set(cuts)):
        at = int(frac * len(a)) // 8 * 8
        if at <= last:
            continue
        parts += [a[last:at], rng.integers(1, 256, 8 * words, dtype=np.uint8)]
        inserted += 8 * words
        last = at
    b = np.concatenate([*parts, a[last:]])
    pieces = piecewise(a, b)
    assert pieces is not None
    paired = sum(p.a1 - p.a0 for p in pieces)
    unequal = sum(int(np.count_nonzero(a[p.a0 : p.a1] != b[p.b0 : p.b0 + p.a1 - p.a0])) for p in pieces)
    places = len(parts) // 2
    assert 2 <= len(pieces) <= places + 1
    # what is left differing: the inserted bytes, and near a cut (or between two insertions too
    # close to be worth a piece of their own) at most a cut's cost more
    assert inserted <= len(b) - paired + unequal <= inserted + SWITCH * places
    swapped = piecewise(b, a)  # the other way round: the same pieces
    assert swapped is not None
    assert [(p.b0, p.a0, p.a1 - p.a0) for p in swapped] == [(p.a0, p.b0, p.a1 - p.a0) for p in pieces]


def _symbols(path: str) -> tuple[list[int], list[tuple[int, int, str]], dict[str, str]]:
    """``go tool nm -n -size``: the defined data symbols sorted by address, as (addr, size, name),
    and each one's kind (D: initialized data, B: zeroed)."""
    out = subprocess.run(
        ["go", "tool", "nm", "-n", "-size", path], capture_output=True, text=True, check=True
    )
    syms, kinds = [], {}
    for line in out.stdout.splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) == 4 and parts[2] in "DdBb" and int(parts[1]) > 0:  # (not markers: runtime.data)
            syms.append((int(parts[0], 16), int(parts[1]), parts[3]))
            kinds[parts[3]] = parts[2].upper()
    return [s[0] for s in syms], syms, kinds


def _owner(
    index: tuple[list[int], list[tuple[int, int, str]], dict[str, str]], addr: int
) -> tuple[str, int] | None:
    """The data symbol holding ``addr`` and the offset in it."""
    starts, syms, _ = index
    i = bisect.bisect_right(starts, addr) - 1
    if i < 0 or addr >= syms[i][0] + max(syms[i][1], 1):
        return None
    return syms[i][2], addr - syms[i][0]


def test_trimpath_data_paired_variable_by_variable(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    pa, pb = gobuild.build_pair(HELLO, HELLO.with_(flags=T))
    nm = [_symbols(str(p)) for p in (pa, pb)]
    # A keeps the GOROOT in .data; B (trimmed) has it empty, in .bss: .data lost a variable
    assert [k[2]["runtime.defaultGOROOT"] for k in nm] == ["D", "B"]
    with open_binaries(str(pa)) as (x,), open_binaries(str(pb)) as (y,):
        da, db = (b.image.section(".data") for b in (x, y))
        assert da is not None and db is not None and da.size != db.size
        cmp = compare(x, y)
        runs = cmp.runs
        checked = 0
        for i in range(len(runs)):
            if runs.units[runs.unit[i]].split("/")[0] != ".data" or runs.a0[i] < 0 or runs.b0[i] < 0:
                continue
            va = da.addr + int(runs.a0[i]) - da.offset
            vb = db.addr + int(runs.b0[i]) - db.offset
            owner_a, owner_b = _owner(nm[0], va), _owner(nm[1], vb)
            if owner_a is not None and owner_b is not None:
                assert owner_a == owner_b, (hex(va), hex(vb))  # the same variable, at the same offset
                checked += 1
        assert checked >= 10
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["trimpath"]
    assert rep.unexplained_bytes == 0


def test_one_shift_kept_when_pieces_save_nothing() -> None:
    """A span that grew at its end only: the same runs with and without pieces."""
    rng = np.random.default_rng(3)
    a = rng.integers(0, 256, 4096, dtype=np.uint8)
    b = np.concatenate([a, rng.integers(0, 256, 40, dtype=np.uint8)])
    tables = []
    for pieces in (False, True):
        t = RunTable()
        assert compare_unit(t, ".data", a, b, 0, 0, pieces=pieces) == 40
        tables.append(t.freeze())
    for col in ("a0", "a1", "b0", "b1", "weight"):
        assert np.array_equal(getattr(tables[0], col), getattr(tables[1], col))


def _one_insertion(seed: int, n: int, d: int, flips: int) -> tuple[np.ndarray, np.ndarray, int]:
    """A span of ``n`` bytes and the same with ``d`` bytes inserted at a random place and ``flips``
    bytes changed elsewhere; returns both and the place."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, n).astype(np.uint8)  # (few values: shifted content often matches by chance)
    at = int(rng.integers(0, n + 1))
    b = np.concatenate([a[:at], rng.integers(0, 256, d).astype(np.uint8), a[at:]])
    for j in rng.integers(0, len(b), flips).tolist():
        b[j] ^= 0x80
    return a, b, at


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1), n=st.integers(8192, 60000), d=st.integers(1, 700), flips=st.integers(0, 6)
)
def test_a_span_grown_at_one_place_is_cut_there(seed: int, n: int, d: int, flips: int) -> None:
    """compare_unit with ``cut``: a span that grew at one place (a stripped binary's .rodata, where an
    embedded file grew; spans past MAX_SPAN, for which pieces.py's programme is too dear, so here
    with a smaller bound) pairs its head in place and its tail at the size difference: it counts no
    more than the inserted and the flipped bytes, nor than either one shift or the best cut a brute
    force over every place finds (but for the gain a cut must bring over one shift)."""
    a, b, _ = _one_insertion(seed, n, d, flips)
    for x, y in ((a, b), (b, a)):
        table = RunTable()
        with pytest.MonkeyPatch.context() as mp:  # (spans past MAX_SPAN are cut; smaller ones here)
            mp.setattr(bytes_mod, "MAX_SPAN", 4096)
            counted = compare_unit(table, "u", x, y, 0, 0, cut=True)
        uncut = compare_unit(RunTable(), "u", x, y, 0, 0)  # (without the cut: one shift)
        assert compare_unit(RunTable(), "u", x, y, 0, 0, cut=True) == uncut  # (below MAX_SPAN)
        assert counted == table.freeze().total
        assert counted <= d + flips + MIN_GAIN  # (a cut must gain that much over one shift)
        short, long_ = (x, y) if len(x) <= len(y) else (y, x)
        head = np.concatenate(([0], np.cumsum(short != long_[: len(short)])))
        tail = np.concatenate((np.cumsum((short != long_[d:])[::-1])[::-1], [0]))
        single = min(int(np.count_nonzero(short != long_[s : s + len(short)])) + d for s in (0, d))
        assert counted <= single and counted <= int((head + tail).min()) + d + MIN_GAIN
        assert uncut >= counted
