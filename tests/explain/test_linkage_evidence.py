"""Linkage evidence: what makes two builds' dynamic linking differ (and what does not)."""

from __future__ import annotations

from dataclasses import replace

from godet.explain.detectors.structure import linkage_evidence
from godet.read.binary import open_binaries


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
    assert [e.label for e in linkage_evidence(lk, other_libs)] == ["needed libraries"]
