"""Linkage evidence: what makes two builds' dynamic linking differ (and what does not)."""

from __future__ import annotations

from dataclasses import replace

from godet.explain.detectors.structure import linkage_evidence
from godet.read.binary import open_binaries


def test_version_needs_in_another_order_are_the_same_linkage(gobin) -> None:  # type: ignore[no-untyped-def]
    # the order of .gnu.version_r follows the imported symbols' order (Debian's rclone 1.60.1 built by
    # go1.19 and go1.23 lists the same six GLIBC versions in two orders)
    with open_binaries(str(gobin("cgo_net"))) as (b,):
        lk = b.linkage
    assert len(lk.version_needs) >= 2  # (read as readelf -V reads them: tests/read/test_linkage.py)
    shuffled = replace(lk, version_needs=list(reversed(lk.version_needs)))
    assert shuffled.version_needs != lk.version_needs
    assert linkage_evidence(lk, shuffled) == []
    fewer = replace(lk, version_needs=lk.version_needs[1:])
    (ev,) = linkage_evidence(lk, fewer)
    assert ev.label == "symbol versions"
    other_libs = replace(lk, needed=[*lk.needed, "libextra.so.1"])
    assert [e.label for e in linkage_evidence(lk, other_libs)] == ["needed libraries"]
