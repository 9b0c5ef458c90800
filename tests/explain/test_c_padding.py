"""C code linked after the Go functions (external linking) moves when the Go code grows; a C
function aligned to 64 bytes then gets other padding before it when the growth is not a multiple
of 64. The C code is the same: that is a
layout shift, not a C source change nor other cgo flags (hugo 0.160.0 -> 0.160.1 was named
cgo-flags).

Oracles: ``go tool nm`` of the unstripped twins (the C functions' addresses) and the two C sources."""

from __future__ import annotations

import gobuild
import oracles
from godet.explain.engine import diff_paths
from matrix import factors

ALIGNED = (
    "\n__attribute__((aligned(64))) int cpart_aligned(int x) { return x * 3 + 1; }\n"
    "__attribute__((aligned(64))) int cpart_aligned2(int x) { return x * 5 + 2; }\n"
)


def _pair(ldflags: str) -> tuple:  # type: ignore[type-arg]
    base = factors.CGO_BASE.with_(flags=(*factors.CGO_BASE.flags, f"-ldflags={ldflags}"))
    rel = "internal/cpart/cpart.c"
    base = base.with_(edits=(*base.edits, (rel, factors._content(base, rel) + ALIGNED)))
    b = factors.edit(base, "main.go", "\textra()\n", "\textra()\n\tprintln(mix(9, 9))\n")
    assert factors._content(base, rel) == factors._content(b, rel)  # the same C source
    return gobuild.build_pair(base, b)


def test_c_code_with_other_padding_only_moved() -> None:
    ua, ub = _pair("-linkmode=external")
    addr = [{n: a for a, _t, n in oracles.go_tool_nm(p)} for p in (ua, ub)]
    moves = {n: addr[1][n] - addr[0][n] for n in ("runtime.etext", "cpart_value", "cpart_aligned")}
    # the Go code's end moved by other bytes than the C functions after it: other padding between
    assert moves["runtime.etext"] != moves["cpart_value"] == moves["cpart_aligned"]
    pa, pb = _pair("-linkmode=external -s -w")  # as shipped: no symbols name the C functions
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["source-change"]
    shifts = [f for f in rep.consequences if f.cause == "layout-shift" and "C code" in f.summary]
    assert shifts and shifts[0].bytes > 0
    assert rep.unexplained_bytes == 0


def test_c_code_named_by_symbols_that_only_moved() -> None:
    """The same pair unstripped: the symbol table names the C functions, each compared with its
    namesake; all are the same at other addresses, so the C code before and after the Go
    functions only moved (740 of 641,834 bytes were unexplained; turbo 1.10.0 -> 1.10.1, whose
    go-turbo links a Rust library, 169,545 of 455,273)."""
    ua, ub = _pair("-linkmode=external")
    names = [{n for _a, t, n in oracles.go_tool_nm(p) if t in "Tt"} for p in (ua, ub)]
    assert {"cpart_value", "cpart_aligned"} <= names[0] & names[1]  # named in both builds
    rep = diff_paths(str(ua), str(ub))
    assert [f.cause for f in rep.roots] == ["source-change"]
    moved = [f for f in rep.consequences if f.cause == "layout-shift" and "C code" in f.summary]
    assert moved and moved[0].bytes > 0
    assert rep.unexplained_bytes == 0


def test_rodata_that_stayed_where_a_cut_paired_it_elsewhere() -> None:
    """A new call with a short literal in a cgo build: the read-only data after the string blob
    (GC bitmaps, dictionaries, jump tables) stays at its addresses while the piece of .rodata that
    holds it is compared two bytes apart, and a later part moved by 32: no one slide of the whole
    cluster of runs explains it, its halves do (10,400 of 716,314 bytes were unexplained)."""
    base = factors.CGO_BASE.with_(flags=(*factors.CGO_BASE.flags, "-ldflags=-linkmode=external"))
    b = factors.edit(base, "main.go", "\textra()\n", '\textra()\n\tfmt.Println("xy", mix(5, 6), mix(7, 8))\n')
    pa, pb = gobuild.build_pair(base, b)
    addr = [{n: a for a, _t, n in oracles.go_tool_nm(p)} for p in (pa, pb)]
    assert addr[0]["runtime.gcdata"] == addr[1]["runtime.gcdata"]  # stayed
    assert addr[1]["runtime.typesEqual.jump20"] - addr[0]["runtime.typesEqual.jump20"] == 32  # moved
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["source-change"]
    assert rep.unexplained_bytes <= 0.005 * rep.differing_bytes


def test_pe_section_end_padding_that_holds_more_of_the_section() -> None:
    """A PE section's raw data is padded to the file alignment (512 bytes): when a longer literal
    grows .rdata within that padding, B's data runs on where A has zeros. Those zeros are padding,
    however many (up to a page), not unexplained bytes. Found on tsgo (npm
    @typescript/native-preview-win32-x64), whose padding after the Go code grew by 96 bytes.

    Oracle: lief's section headers (virtual size grew, raw size the same)."""
    import lief

    from conftest import HELLO, WINDOWS, T, _replace_once

    a = HELLO.with_(env=WINDOWS, flags=T)
    b = a.with_(edits=_replace_once("hello", "main.go", "hello, godet", "hello, godet" + "z" * 200))
    pa, pb = gobuild.build_pair(a, b)
    pes = [lief.parse(str(p)) for p in (pa, pb)]  # (kept: a section does not outlive its binary)
    (va, raw_a), (vb, raw_b) = (
        (s.virtual_size, s.sizeof_raw_data) for pe in pes for s in pe.sections if s.name == ".rdata"
    )
    assert vb - va > 64  # more than the small runs padding always covered
    assert raw_a == raw_b
    rep = diff_paths(str(pa), str(pb))
    assert rep.unexplained_bytes == 0, [(r.unit, r.bytes) for r in rep.unexplained]
    assert [f.cause for f in rep.roots] == ["string-literal"]
    (shift,) = [f for f in rep.consequences if f.cause == "layout-shift"]
    assert any(r["section"] == ".rdata" for r in shift.regions)
