"""The matrix pairs today's engine gets wrong: THE one place they are listed (pair -> diagnosis).

Each is applied as ``pytest.mark.xfail(strict=True)``: when the engine is fixed the pair XPASSes,
the suite fails, and its entry must be removed here. The goal is an empty mapping. Diagnoses say
what godet answers against what the pair was built as (see docs/accuracy.md for the full table).
"""

from __future__ import annotations

# what recurs
TRIM = "no trimpath root: build-setting[-trimpath] + cgo-flags (CGO_*FLAGS dropped by -trimpath) instead"
TRIM_BYTES = "~63% explained (the paths -trimpath removed are unexplained)"
DWARF = "dwarf a second root beside build-setting[-ldflags] (-s/-w's consequence)"
VCS_TIME = "vcs-time a root beside vcs-revision (the commit time follows the commit)"
CGO0 = "CGO_ENABLED=0 drops the CGO_*FLAGS settings: 4 cgo-flags roots, not consequences"
MODINFO = "10 bytes of the longer modinfo (.rodata/[end], .go.buildinfo/[end]) unexplained"
ONE_BYTE = "1 byte of .rodata/[start] unexplained (99.0% < 99.5%)"

KNOWN_FAILING: dict[str, str] = {
    # single factors
    "goroot": "goroot-path right; runtime.defaultGOROOT's string moved in length-sorted .rodata: "
    "11.9 KB unexplained (97.8%)",
    "trimpath": f"{TRIM}; {TRIM_BYTES}",
    "ldflags-s": DWARF,
    "ldflags-w": DWARF,
    "strip": DWARF,
    "x-other-length": "a false embedded-content root beside ldflags-x; 12 KB of moved .rodata strings "
    "unexplained (96.4%)",
    "race": "linkage a second root beside build-setting[-race] (external linking follows -race)",
    "cgo-enabled": CGO0,
    "cgo-cflags": "cgo-flags, not build-setting[CGO_CFLAGS]; recompiled C and what moved (~99%) unexplained",
    "c-source": "c-toolchain (the C compiler did not change), not c-source-change",
    "commit": VCS_TIME,
    "dirty": f"vcs-modified right; {MODINFO} (91%)",
    "dep-replace": f"dependency-version right; {ONE_BYTE}",
    "dep-modcache": "dependency-version right; its module cache path (dep@v1.0.0 -> @v1.1.0 in .debug_line, "
    "99.9% of the bytes) unexplained",
    "gopath-mode": "roots build-setting[main module], default-godebug, dependency-version; no gopath-mode",
    "string-same-length": "go-build-id the only root, no string-literal; 29 bytes of .rodata unexplained",
    "string-other-length": "go-build-id the only root, no string-literal; the longer literal shifts the "
    "length-sorted .rodata strings: 338 KB unexplained (0.03% explained)",
    # pairs of the ten most common factors
    "build-dir+trimpath": f"{TRIM}; {TRIM_BYTES}",
    "build-dir+commit": VCS_TIME,
    "build-dir+cgo-enabled": CGO0,
    "build-dir+strip": DWARF,
    "trimpath+toolchain-patch": TRIM,
    "trimpath+x-same-length": f"{TRIM}; {TRIM_BYTES}",
    "trimpath+commit": f"{TRIM}; {VCS_TIME}; {TRIM_BYTES}",
    "trimpath+dirty": f"{TRIM}; {TRIM_BYTES}",
    "trimpath+dep-replace": f"{TRIM}; {TRIM_BYTES}",
    "trimpath+cgo-enabled": f"{TRIM}; {CGO0}",
    "trimpath+strip": f"{TRIM}; a false source-change root; 98.5% explained (runtime.gcdata, cgo data)",
    "trimpath+tags": TRIM,
    "toolchain-patch+commit": VCS_TIME,
    "toolchain-patch+cgo-enabled": CGO0,
    "toolchain-patch+strip": DWARF,
    "x-same-length+commit": VCS_TIME,
    "x-same-length+dirty": f"vcs-modified right; {MODINFO}",
    "x-same-length+dep-replace": ONE_BYTE,
    "x-same-length+cgo-enabled": f"{CGO0}; a false embedded-content root",
    "x-same-length+strip": DWARF,
    "commit+dirty": f"{VCS_TIME}; {MODINFO}",
    "commit+dep-replace": VCS_TIME,
    "commit+cgo-enabled": f"{CGO0}; {VCS_TIME}",
    "commit+strip": f"{DWARF}; {VCS_TIME}",
    "commit+tags": VCS_TIME,
    "dirty+dep-replace": f"vcs-modified right; {MODINFO}",
    "dirty+cgo-enabled": CGO0,
    "dirty+strip": DWARF,
    "dep-replace+cgo-enabled": CGO0,
    "dep-replace+strip": DWARF,
    "cgo-enabled+strip": f"{CGO0}; {DWARF}; a false embedded-content root",
    "cgo-enabled+tags": CGO0,
    "strip+tags": DWARF,
    # triples
    "trimpath+x-same-length+strip": f"{TRIM}; a false source-change root; 98.5% explained",
    "commit+dirty+func-body": VCS_TIME,
}
