"""The matrix pairs today's engine gets wrong: THE one place they are listed (pair -> diagnosis).

Each is applied as ``pytest.mark.xfail(strict=True)``: when the engine is fixed the pair XPASSes,
the suite fails, and its entry must be removed here. The goal is an empty mapping. Diagnoses say
what godet answers against what the pair was built as (see docs/accuracy.md for the full table).
"""

from __future__ import annotations

# what recurs
TRIM = "no trimpath root: build-setting[-trimpath] + cgo-flags (CGO_*FLAGS dropped by -trimpath) instead"
TRIM_BYTES = "~62% explained (the paths -trimpath removed are unexplained)"
DWARF = "dwarf a second root beside build-setting[-ldflags] (-s/-w's consequence)"
VCS_TIME = "vcs-time a root beside vcs-revision (the commit time follows the commit)"
CGO0 = "CGO_ENABLED=0 drops the CGO_*FLAGS settings: 4 cgo-flags roots, not consequences"
MODINFO = "10 bytes of the longer modinfo (.rodata/[end], .go.buildinfo/[end]) unexplained"
ONE_BYTE = "1 byte of .rodata/[start] unexplained (99.0% < 99.5%)"

KNOWN_FAILING: dict[str, str] = {
    # single factors
    "trimpath": f"{TRIM}; {TRIM_BYTES}",
    "x-other-length": "a false embedded-content root beside ldflags-x; 12 KB of moved .rodata strings "
    "unexplained (96.4%)",
    "cgo-cflags": "cgo-flags, not build-setting[CGO_CFLAGS]; recompiled C and what moved (~99%) unexplained",
    "c-source": "c-toolchain (the C compiler did not change), not c-source-change",
    "dep-replace": f"dependency-version right; {ONE_BYTE}",
    "string-same-length": "go-build-id the only root, no string-literal; 29 bytes of .rodata unexplained",
    "string-other-length": "go-build-id the only root, no string-literal; 15 KB of moved .rodata strings "
    "unexplained (95.4%)",
    # pairs of the ten most common factors
    "build-dir+trimpath": f"{TRIM}; {TRIM_BYTES}",
    "trimpath+x-same-length": f"{TRIM}; {TRIM_BYTES}",
    "trimpath+commit": f"{TRIM}; {VCS_TIME}; {TRIM_BYTES}",
    "trimpath+dirty": f"{TRIM}; {TRIM_BYTES}",
    "trimpath+dep-replace": f"{TRIM}; {TRIM_BYTES}",
    "trimpath+strip": f"{TRIM}; a false source-change root; 98.5% explained (runtime.gcdata, cgo data)",
    "x-same-length+dep-replace": ONE_BYTE,
    "x-same-length+cgo-enabled": f"{CGO0}; a false embedded-content root",
    "cgo-enabled+strip": f"{CGO0}; {DWARF}; a false embedded-content root",
    # triples
    "trimpath+x-same-length+strip": f"{TRIM}; a false source-change root; 98.5% explained",
}
