"""Linkage evidence: what makes two builds' dynamic linking differ (and what does not)."""

from __future__ import annotations

from dataclasses import replace

import gobuild
import oracles
from gobuild import BuildSpec
from godet.api import diff
from godet.explain.detectors.structure import linkage_evidence
from godet.read.binary import open_binaries
from matrix import factors


def test_version_needs_in_another_order_are_told_as_order(gobin) -> None:  # type: ignore[no-untyped-def]
    # the order of .gnu.version_r follows the order the linker meets the imported symbols in: the same
    # versions in another order tell another linker (-linkmode=external) or symbol table, not other
    # libraries (Debian's rclone 1.60.1 built by go1.19 and go1.23 lists the same six in two orders)
    with open_binaries(str(gobin("cgo_net"))) as (b,):
        lk = b.linkage
    assert len(lk.version_needs) >= 2  # (read as readelf -V reads them: tests/read/test_linkage.py)
    shuffled = replace(lk, version_needs=list(reversed(lk.version_needs)))
    assert shuffled.version_needs != lk.version_needs
    assert [e.label for e in linkage_evidence(lk, shuffled)] == ["symbol version order"]
    assert linkage_evidence(lk, replace(lk)) == []
    fewer = replace(lk, version_needs=lk.version_needs[1:])
    assert [e.label for e in linkage_evidence(lk, fewer)] == ["symbol versions"]
    other_libs = replace(lk, needed=[*lk.needed, "libextra.so.1"])
    # the libraries both need are left out: a long shared list would hide the one that differs
    assert [(e.label, e.a, e.b) for e in linkage_evidence(lk, other_libs)] == [
        ("needed libraries in one build only", "none", "libextra.so.1")
    ]
    none_shared = replace(lk, needed=["libextra.so.1"])
    ev = linkage_evidence(lk, none_shared)
    assert [(e.label, e.b) for e in ev] == [("needed libraries", "libextra.so.1")]
    two = replace(lk, needed=["/usr/lib/liba.so.1", "libb.so.2"])
    swapped = replace(lk, needed=["libb.so.2", "/usr/lib/liba.so.1"])
    assert [(e.label, e.a, e.b) for e in linkage_evidence(two, swapped)] == [
        ("needed libraries order", "liba.so.1, libb.so.2", "libb.so.2, liba.so.1")
    ]


def test_strip_flags_do_not_explain_linkage_beside_race() -> None:
    # -ldflags=-s strips the symbol table and changes nothing the program links against; -race links
    # the race runtime's C objects and their libc symbol versions. Beside both, the linkage is the
    # race detector's (the explorer's c-source+ldflags-s+race named -ldflags as its cause)
    plain, race_s, stripped = (
        BuildSpec("hello"),
        BuildSpec("hello", flags=("-race", "-ldflags=-s")),
        BuildSpec("hello", flags=("-ldflags=-s",)),
    )
    pa, pb, ps = (gobuild.build(s) for s in (plain, race_s, stripped))
    versions = oracles.readelf_version_needs
    assert versions(pa) != versions(pb)  # the linkage really differs ...
    assert versions(pa) == versions(ps)  # ... not by -s
    assert oracles.readelf_needed(pa) == oracles.readelf_needed(ps)
    rep = diff(str(pa), str(pb))
    (lk,) = [f for f in rep.causes if f.cause == "linkage"]
    assert lk.role == "consequence" and lk.root is not None
    assert (lk.root.cause, lk.root.key) == ("build-setting", "-race")
    # -s alone: no linkage finding at all
    assert "linkage" not in {f.cause for f in diff(str(pa), str(ps)).causes}


def test_the_c_library_and_cgo_strings_are_cgo_enabled_beside_pie() -> None:
    # B turns cgo off and builds a PIE: only A links runtime/cgo and, through it, libc; both settings
    # may change how the program is linked, but the library (and runtime/cgo's strings) come with cgo
    a, b = factors.pair_specs(("cgo-enabled", "pie"))
    pa, pb = gobuild.build_pair(a, b)
    assert "libc.so.6" in oracles.readelf_needed(pa) and "libc.so.6" not in oracles.readelf_needed(pb)
    cgo = [any(n.startswith("runtime/cgo.") for _a, _k, n in oracles.go_tool_nm(p)) for p in (pa, pb)]
    assert cgo == [True, False]
    rep = diff(str(pa), str(pb))
    settings = {f.key for f in rep.roots if f.cause == "build-setting"}
    assert {"CGO_ENABLED", "-buildmode"} <= settings
    for cause in ("linkage", "string-literal"):
        (f,) = [f for f in rep.causes if f.cause == cause]
        assert f.role == "consequence" and f.root is not None
        assert (f.root.cause, f.root.key) == ("build-setting", "CGO_ENABLED"), cause
