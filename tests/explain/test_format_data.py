"""Read-only data laid out differently by PE and Mach-O: the content detectors must find it all.

Found on esbuild releases (0.24.0 vs 0.24.1): the ELF pair was 99.4 % explained, the PE pair 61.5 %
(its .rdata holds the pclntab after the literals, and their span together passed the aligner's
limit) and the Mach-O pair 82.3 % (the moved strings of __TEXT,__rodata used up the data runs
before __DATA_CONST,__rodata had any). The small pairs here hit the same limits when they are set
low, so the tests check the mechanism, not the size of one release.
"""

from __future__ import annotations

import godet.explain.detectors.content.common as common
import godet.explain.detectors.content.strings as strings
import oracles
from godet.api import diff
from godet.read.binary import open_binaries
from godet.read.strdata import section_name


def _share(rep) -> float:  # type: ignore[no-untyped-def]
    return rep.explained_bytes / rep.differing_bytes


def test_pe_literals_are_aligned_apart_from_the_pclntab(gopair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("windows_string")
    with open_binaries(str(a)) as (x,):
        tab = x.pclntab
        assert tab is not None
        rdata = x.image.section_at(tab.offset)
        assert rdata is not None and rdata.name == ".rdata"  # the layout this test is about
        literals = tab.offset - rdata.offset  # .rdata before the pclntab
    normal = diff(str(a), str(b))
    assert "string(s) of read-only data changed with it" in normal.causes[0].summary
    # a limit the literals fit in, but not the literals and the pclntab together
    monkeypatch.setattr(strings, "MAX_SPAN", literals + 256)
    limited = diff(str(a), str(b))
    assert limited.explained_bytes == normal.explained_bytes
    # (the test can fail: with the pclntab's runs in the literals' span, the limit stops the aligner)
    monkeypatch.setattr(strings, "_pclntab_span", lambda ctx: None)
    assert diff(str(a), str(b)).explained_bytes < normal.explained_bytes


def test_pe_pclntab_pieces_inside_rdata_follow_the_code(gopair) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("windows_string")
    rep = diff(str(a), str(b))
    with open_binaries(str(a)) as (x,):
        tab = x.pclntab
        lo, hi = tab.offset, tab.offset + tab.size  # type: ignore[union-attr]
    inside = [r for r in rep.unexplained if r.a_range is not None and lo <= r.a_range[0] < hi]
    assert not inside, [r.to_json() for r in inside]


def test_a_second_rodata_section_gets_its_share_of_the_runs(gopair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("darwin_string")
    normal = diff(str(a), str(b))
    seen: list[set[str]] = []
    orig = common._data_runs

    def spy(ctx):  # type: ignore[no-untyped-def]
        runs = orig(ctx)
        seen.append({r.unit.split("/", 1)[0] for r in runs})
        return runs

    monkeypatch.setattr(common, "_data_runs", spy)
    monkeypatch.setattr(common, "MAX_RUNS", 8)  # fewer than the first section's runs
    limited = diff(str(a), str(b))
    names = {section_name(u) for u in seen[0]}
    assert len(seen[0]) >= 2 and "__rodata" in names, seen  # both sections still have runs
    assert _share(limited) >= _share(normal) - 0.05


def test_strings_moved_inside_a_section_padding_kept_are_shifts(gopair) -> None:  # type: ignore[no-untyped-def]
    # PE rounds sections up to 512 bytes: a string 10 bytes longer moves the literals after it inside
    # .rdata, while every section keeps its size; the code's RIP-relative operands to them change by 10
    a, b = gopair("windows_string")
    with open_binaries(str(a)) as (x,), open_binaries(str(b)) as (y,):
        assert [s.size for s in x.image.sections] == [s.size for s in y.image.sections]
    rep = diff(str(a), str(b))
    assert _share(rep) >= 0.995, [r.to_json() for r in rep.unexplained[:3]]
    (shift,) = [f for f in rep.causes if f.cause == "layout-shift"]
    assert shift.role == "consequence" and shift.because == "source-change"


def test_fair_caps_share_the_runs() -> None:
    import numpy as np

    caps = common._fair_caps(np.array([100, 3, 50]), 60)
    assert caps.tolist() == [29, 3, 28] and caps.sum() == 60
    assert common._fair_caps(np.array([5, 7]), 60).tolist() == [5, 7]  # under the total: all of them


def test_pe_pclntab_follows_the_code_whatever_units_cut_it(gopair) -> None:  # type: ignore[no-untyped-def]
    # hugo 0.160.0 vs 0.160.1 for Windows: the anchors cut .rdata so that one unit ran from inside the
    # pclntab into the funcdata after it; no unit was the table's alone, and 5.7 MB stayed unexplained
    # (more functions changed than are claimed one by one). The table's own range follows the code,
    # whatever units cut it: go tool nm's runtime.pclntab..runtime.epclntab, inside readelf's .rdata.
    from godet.compare.layout import compare
    from godet.explain.detectors.base import DiffContext

    a, b = gopair("windows_string")
    claims = []
    with open_binaries(str(a)) as (x,), open_binaries(str(b)) as (y,):
        ctx = DiffContext(x, y, compare(x, y))
        claims = [c for c in common.follow_claims(ctx) if c.side and c.fallback]
        for side, path, binary in (("a", a, x), ("b", b, y)):
            nm = {n: addr for addr, _t, n in oracles.go_tool_nm(path)}
            rdata = binary.image.section_for("rodata")
            assert rdata is not None and rdata.name == ".rdata"  # the layout this test is about
            lo = rdata.offset + nm["runtime.pclntab"] - rdata.addr
            hi = rdata.offset + nm["runtime.epclntab"] - rdata.addr
            assert any(c.side == side and c.start <= lo and hi <= c.end for c in claims), (side, lo, hi)
