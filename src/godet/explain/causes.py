"""The cause catalog: every cause godet can name, described once.

Detectors (explain/detectors), check rules (check/rules.py), renderers and the docs pages
(docs/causes/<id>.md, checked against this table by the tests) all read this registry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    """One known cause of non-reproducibility."""

    id: str
    family: str
    title: str
    what: str
    fix: str
    consequence: bool = False  # True for causes that are normally a symptom of another one

    @property
    def docs(self) -> str:
        return f"docs/causes/{self.id}.md"


_C = Cause
CAUSES: dict[str, Cause] = {
    c.id: c
    for c in [
        _C(
            "identical",
            "verdict",
            "Identical builds",
            "The two files are byte-for-byte identical.",
            "Nothing to fix.",
        ),
        _C(
            "build-path",
            "paths",
            "Build directory differs",
            "The absolute directory the program was built in is embedded (pclntab file table, DWARF line "
            "tables, GoID action IDs) and differs between the builds.",
            "Build with -trimpath (go build -trimpath ./...).",
        ),
        _C(
            "goroot-path",
            "paths",
            "GOROOT location differs",
            "The Go installation's location is embedded (standard-library file paths, runtime.defaultGOROOT, "
            ".debug_gdb_scripts) and differs between the builds.",
            "Build with -trimpath, which also drops runtime.defaultGOROOT.",
        ),
        _C(
            "module-cache-path",
            "paths",
            "Module cache / GOPATH location differs",
            "Dependencies' source paths under GOMODCACHE or GOPATH are embedded and differ.",
            "Build with -trimpath; for cgo dependencies also pass -ffile-prefix-map in CGO_CFLAGS or use "
            "CGO_ENABLED=0.",
        ),
        _C(
            "cgo-work-path",
            "paths",
            "cgo/linker temporary directory embedded",
            "A temporary directory of the build ($WORK=/tmp/go-buildNNN, /tmp/go-link-NNN) is embedded; it "
            "differs on every build.",
            "Upgrade Go, build with CGO_ENABLED=0, or strip DWARF (-ldflags=-w); internal linking avoids "
            "go-link dirs.",
        ),
        _C(
            "command-line-files",
            "paths",
            "Built from a list of .go files",
            "The program was built as `go build file.go` (path command-line-arguments): the build ID depends "
            "on the absolute file paths and no module is recorded.",
            "Build the package path instead: go build ./cmd/app.",
        ),
        _C(
            "vcs-revision",
            "metadata",
            "VCS revision differs",
            "The builds were stamped with different VCS commits (build vcs.revision).",
            "Build both from the same commit, or pass -buildvcs=false to omit VCS stamps.",
        ),
        _C(
            "vcs-time",
            "metadata",
            "VCS commit time differs",
            "The stamped commit time (build vcs.time) differs.",
            "Build both from the same commit, or pass -buildvcs=false.",
        ),
        _C(
            "vcs-modified",
            "metadata",
            "Work tree was dirty in one build",
            "One build had uncommitted changes (vcs.modified=true, version +dirty).",
            "Build from a clean checkout; ignore build outputs in .gitignore.",
        ),
        _C(
            "vcs-stamping",
            "metadata",
            "VCS stamping present on one side only",
            "Only one build carries vcs.* settings (no .git in the build context, git missing, or "
            "-buildvcs differs).",
            "Use the same -buildvcs setting everywhere, or -buildvcs=false.",
        ),
        _C(
            "toolchain-version",
            "toolchain",
            "Go toolchain version differs",
            "The builds used different Go toolchains; runtime and compiler output differ throughout.",
            "Pin the exact Go version (GOTOOLCHAIN=local with a pinned image, or a toolchain line in "
            "go.mod).",
        ),
        _C(
            "goexperiment",
            "toolchain",
            "GOEXPERIMENT differs",
            "Different GOEXPERIMENT settings change the runtime and compiler (version suffix X:…).",
            "Set GOEXPERIMENT identically (or unset) in every build environment.",
        ),
        _C(
            "arch-level",
            "toolchain",
            "Architecture level differs",
            "GOAMD64/GOARM/GOARM64/GO386/… differ, so the compiler selected different instructions.",
            "Set the level explicitly in the build environment (e.g. GOAMD64=v1).",
        ),
        _C(
            "build-setting",
            "toolchain",
            "Build setting differs",
            "A go build flag or environment setting recorded in buildinfo differs (-tags, -gcflags, "
            "-buildmode, -race, CGO_ENABLED, …).",
            "Put the flags in the build script, not in a developer's GOFLAGS; use the same flags everywhere.",
        ),
        _C(
            "ldflags-x",
            "metadata",
            "-ldflags -X value differs",
            "A string variable set with -ldflags -X has different values (often a build time, host or user).",
            "Derive the value from the commit (e.g. the commit time, SOURCE_DATE_EPOCH) or drop it.",
        ),
        _C(
            "default-godebug",
            "toolchain",
            "DefaultGODEBUG differs",
            "The default GODEBUG settings differ (go.mod go line or //go:debug directives).",
            "Build with the same go.mod (go line) and //go:debug directives.",
        ),
        _C(
            "pgo-profile",
            "toolchain",
            "PGO profile differs",
            "A different (or no) profile-guided-optimisation profile was used (-pgo).",
            "Commit default.pgo and use it everywhere, or build with -pgo=off.",
        ),
        _C(
            "dependency-version",
            "inputs",
            "Dependency version differs",
            "A module dependency (or its replacement) is at a different version or checksum.",
            "Commit go.sum, build with -mod=readonly, and vendor or pin replacements.",
        ),
        _C(
            "embedded-content",
            "inputs",
            "Embedded file content differs",
            "Data embedded with go:embed (or a generated asset) differs.",
            "Commit the assets or generate them deterministically.",
        ),
        _C(
            "embedded-timestamp",
            "inputs",
            "Build time baked into data",
            "A timestamp of the build itself is embedded (C __DATE__/__TIME__, generated files).",
            "Remove build timestamps, or honour SOURCE_DATE_EPOCH.",
        ),
        _C(
            "generated-order",
            "inputs",
            "Generated content differs only in order",
            "Generated code or data holds the same elements in a different order (map iteration in a "
            "generator).",
            "Sort keys in the generator; commit generated code and check it in CI.",
        ),
        _C(
            "source-change",
            "inputs",
            "Source code differs",
            "The compiled code of some functions differs beyond address shifts: the source (or the "
            "compiler's input) changed.",
            "Build both from the same source revision.",
        ),
        _C(
            "go-build-id",
            "identity",
            "Go build ID differs",
            "The Go build ID (action and content hashes) differs.",
            "Usually a consequence of another difference; if it is the only one, check for a devel "
            "toolchain or -buildid handling.",
            consequence=True,
        ),
        _C(
            "gnu-build-id",
            "identity",
            "GNU build ID differs",
            "The .note.gnu.build-id differs (derived from the Go build ID since Go 1.24, or computed by "
            "the external linker over the output).",
            "Usually a consequence; for external links pass -B gobuildid so it derives from the Go build ID.",
            consequence=True,
        ),
        _C(
            "macho-uuid",
            "identity",
            "Mach-O UUID differs",
            "The LC_UUID load command differs (derived from the Go build ID since Go 1.24).",
            "Usually a consequence; fix the underlying difference.",
            consequence=True,
        ),
        _C(
            "code-signature",
            "identity",
            "Code signature differs",
            "The Mach-O code signature blob differs (ad-hoc signatures hash the content).",
            "Compare before signing, or strip signatures before comparing.",
            consequence=True,
        ),
        _C(
            "pe-timestamp",
            "identity",
            "PE timestamp differs",
            "The PE header TimeDateStamp differs (set by an external linker such as mingw ld).",
            "Pass -extldflags=-Wl,--no-insert-timestamp, or link internally.",
        ),
        _C(
            "dwarf",
            "structure",
            "DWARF debug information differs",
            "DWARF is present in one build only, or its version or compression differs.",
            "Use the same -ldflags (-w / -s) and toolchain; -w removes DWARF.",
        ),
        _C(
            "symbol-table",
            "structure",
            "Symbol table present in one build only",
            "One build was linked with -s (or stripped afterwards).",
            "Use the same -ldflags=-s setting, and do not post-process (strip) one side only.",
        ),
        _C(
            "linkage",
            "cgo",
            "Linkage differs",
            "Static vs dynamic linking, the interpreter or the needed libraries differ.",
            "Set CGO_ENABLED explicitly and build in the same base image.",
        ),
        _C(
            "c-toolchain",
            "cgo",
            "C toolchain differs",
            "The host C compiler or libc used for cgo differs (.comment, C DWARF producers, symbol "
            "versions).",
            "Pin the C toolchain image, or build with CGO_ENABLED=0.",
        ),
        _C(
            "cgo-flags",
            "cgo",
            "cgo flags differ",
            "CGO_CFLAGS/CPPFLAGS/CXXFLAGS/LDFLAGS differ.",
            "Set the cgo flags in the build script; prefer relative paths and -ffile-prefix-map.",
        ),
        _C(
            "layout-shift",
            "structure",
            "Addresses shifted by a size change",
            "A size change elsewhere moved later code and data; instructions are the same but their "
            "address operands differ.",
            "Fix the cause of the size change; the shift disappears with it.",
            consequence=True,
        ),
        _C(
            "unrelated-programs",
            "verdict",
            "Not builds of the same program",
            "The two binaries have different main packages, targets or no common functions.",
            "Compare two builds of the same program for the same GOOS/GOARCH.",
        ),
        _C(
            "unexplained",
            "residual",
            "Unexplained difference",
            "Bytes differ that no detector accounts for; they are located but their cause is unknown.",
            "Look at the located ranges and the disassembly; report a godet issue with the pair.",
        ),
    ]
}


def cause(cause_id: str) -> Cause:
    """The catalog entry for ``cause_id`` (KeyError for an unknown id is a programming error)."""
    return CAUSES[cause_id]


# Container-level causes (archives, packages, images) live in their own module.
from godet.explain.causes_containers import CONTAINER_CAUSES  # noqa: E402

CAUSES.update({c.id: c for c in CONTAINER_CAUSES})
