"""The cause catalog: every cause godet can name, and how causes relate, described once.

Each :class:`Cause` carries its behaviour in the engine: its settlement ``rank`` (specific
before broad), its ``scope`` (which verdict it supports), whether it is normally a symptom,
whether it stands without byte claims, and how many of it group into one root. :data:`EDGES`
is the causal model: a cause present in a pair makes the causes it implies consequences
("because of X"). Detectors (explain/detectors), check rules (check/rules.py), renderers and
the docs pages (docs/causes/<id>.md, checked against this table by the tests) all read it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING

from godet.explain import godebug
from godet.read.xflags import without_x

if TYPE_CHECKING:
    from godet.explain.detectors.base import Finding

# What a root cause says about the two builds (the verdict's classes, most fundamental first).
SCOPES = ("program", "source", "toolchain", "environment")


@dataclass(frozen=True)
class Cause:
    """One known cause of non-reproducibility and its behaviour in the causal model."""

    id: str
    family: str
    title: str
    what: str
    fix: str
    consequence: bool = False  # a symptom: a consequence of whatever else differs (build IDs, shifts)
    rank: int = 55  # settlement order: lower = more specific, takes its bytes first
    scope: str = "environment"  # program | source | toolchain | environment (the verdict it supports)
    claimless: bool = False  # its evidence stands without byte claims
    group: str = ""  # title of a group of several findings of this cause, "{n}" = how many

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
            rank=0,
        ),
        _C(
            "build-path",
            "paths",
            "Build directory differs",
            "The absolute directory the program was built in is embedded (pclntab file table, DWARF line "
            "tables, GoID action IDs) and differs between the builds.",
            "Build with -trimpath (go build -trimpath ./...).",
            rank=25,
        ),
        _C(
            "goroot-path",
            "paths",
            "GOROOT location differs",
            "The Go installation's location is embedded (standard-library file paths, runtime.defaultGOROOT, "
            ".debug_gdb_scripts) and differs between the builds.",
            "Build with -trimpath, which also drops runtime.defaultGOROOT.",
            rank=26,
        ),
        _C(
            "module-cache-path",
            "paths",
            "Module cache / GOPATH location differs",
            "Dependencies' source paths under GOMODCACHE or GOPATH are embedded and differ.",
            "Build with -trimpath; for cgo dependencies also pass -ffile-prefix-map in CGO_CFLAGS or use "
            "CGO_ENABLED=0.",
            rank=27,
        ),
        _C(
            "cgo-work-path",
            "paths",
            "cgo/linker temporary directory embedded",
            "A temporary directory of the build ($WORK=/tmp/go-buildNNN, /tmp/go-link-NNN) is embedded; it "
            "differs on every build.",
            "Upgrade Go, build with CGO_ENABLED=0, or strip DWARF (-ldflags=-w); internal linking avoids "
            "go-link dirs.",
            rank=28,
        ),
        _C(
            "command-line-files",
            "paths",
            "Built from a list of .go files",
            "The program was built as `go build file.go` (path command-line-arguments): the build ID depends "
            "on the absolute file paths and no module is recorded.",
            "Build the package path instead: go build ./cmd/app.",
            rank=23,
            claimless=True,
        ),
        _C(
            "trimpath",
            "paths",
            "-trimpath on one side only",
            "One build was made with -trimpath and the other without: the untrimmed one embeds absolute "
            "paths (build directory, GOROOT, module cache) where the trimmed one has import paths, and "
            "only the untrimmed one records -ldflags and the CGO_* flags in its buildinfo.",
            "Build with -trimpath everywhere (put it in the build script, or GOFLAGS=-trimpath in CI and "
            "on laptops alike).",
            rank=24,
        ),
        _C(
            "gopath-mode",
            "toolchain",
            "GOPATH mode vs module mode",
            "One build ran in GOPATH mode (GO111MODULE=off, or no go.mod) and the other in module mode: "
            "the main module, its dependencies' versions and the go.mod go line (hence DefaultGODEBUG) are "
            "recorded in one build only.",
            "Build in module mode everywhere (a go.mod at the module root, GO111MODULE unset or on).",
            rank=18,
        ),
        _C(
            "vcs-revision",
            "metadata",
            "VCS revision differs",
            "The builds were stamped with different VCS commits (build vcs.revision).",
            "Build both from the same commit, or pass -buildvcs=false to omit VCS stamps.",
            rank=11,
            scope="source",
        ),
        _C(
            "vcs-time",
            "metadata",
            "VCS commit time differs",
            "The stamped commit time (build vcs.time) differs.",
            "Build both from the same commit, or pass -buildvcs=false.",
            rank=12,
            scope="source",
        ),
        _C(
            "vcs-modified",
            "metadata",
            "Work tree was dirty in one build",
            "One build had uncommitted changes (vcs.modified=true, version +dirty).",
            "Build from a clean checkout; ignore build outputs in .gitignore.",
            rank=10,
            scope="source",
        ),
        _C(
            "vcs-stamping",
            "metadata",
            "VCS stamping present on one side only",
            "Only one build carries vcs.* settings (no .git in the build context, git missing, or "
            "-buildvcs differs).",
            "Use the same -buildvcs setting everywhere, or -buildvcs=false.",
            rank=13,
        ),
        _C(
            "toolchain-version",
            "toolchain",
            "Go toolchain version differs",
            "The builds used different Go toolchains; runtime and compiler output differ throughout.",
            "Pin the exact Go version (GOTOOLCHAIN=local with a pinned image, or a toolchain line in "
            "go.mod).",
            rank=40,
            scope="toolchain",
        ),
        _C(
            "goexperiment",
            "toolchain",
            "GOEXPERIMENT differs",
            "Different GOEXPERIMENT settings change the runtime and compiler (version suffix X:…).",
            "Set GOEXPERIMENT identically (or unset) in every build environment.",
            rank=41,
            scope="toolchain",
        ),
        _C(
            "arch-level",
            "toolchain",
            "Architecture level differs",
            "GOAMD64/GOARM/GOARM64/GO386/… differ, so the compiler selected different instructions.",
            "Set the level explicitly in the build environment (e.g. GOAMD64=v1).",
            rank=42,
        ),
        _C(
            "build-setting",
            "toolchain",
            "Build setting differs",
            "A go build flag or environment setting recorded in buildinfo differs (-tags, -gcflags, "
            "-buildmode, -race, CGO_ENABLED, …).",
            "Put the flags in the build script, not in a developer's GOFLAGS; use the same flags everywhere.",
            rank=44,
        ),
        _C(
            "ldflags-x",
            "metadata",
            "-ldflags -X value differs",
            "A string variable set with -ldflags -X has different values (often a build time, host or user).",
            "Derive the value from the commit (e.g. the commit time, SOURCE_DATE_EPOCH) or drop it.",
            rank=15,
            group="-ldflags -X values differ ({n} variables)",
        ),
        _C(
            "default-godebug",
            "toolchain",
            "DefaultGODEBUG differs",
            "The default GODEBUG settings differ (go.mod go line or //go:debug directives).",
            "Build with the same go.mod (go line) and //go:debug directives.",
            rank=21,
            scope="source",
        ),
        _C(
            "pgo-profile",
            "toolchain",
            "PGO profile differs",
            "A different (or no) profile-guided-optimisation profile was used (-pgo).",
            "Commit default.pgo and use it everywhere, or build with -pgo=off.",
            rank=43,
        ),
        _C(
            "dependency-version",
            "inputs",
            "Dependency version differs",
            "A module dependency (or its replacement) is at a different version or checksum.",
            "Commit go.sum, build with -mod=readonly, and vendor or pin replacements.",
            rank=20,
            scope="source",
            group="Dependency versions differ ({n} modules)",
        ),
        _C(
            "embedded-content",
            "inputs",
            "Embedded file content differs",
            "Data embedded with go:embed (or a generated asset) differs.",
            "Commit the assets or generate them deterministically.",
            rank=30,
            scope="source",
        ),
        _C(
            "embedded-timestamp",
            "inputs",
            "Build time baked into data",
            "A timestamp of the build itself is embedded (C __DATE__/__TIME__, generated files).",
            "Remove build timestamps, or honour SOURCE_DATE_EPOCH.",
            rank=16,
        ),
        _C(
            "generated-order",
            "inputs",
            "Generated content differs only in order",
            "Generated code or data holds the same elements in a different order (map iteration in a "
            "generator).",
            "Sort keys in the generator; commit generated code and check it in CI.",
            rank=31,
        ),
        _C(
            "source-change",
            "inputs",
            "Source code differs",
            "The compiled code of some functions differs beyond address shifts, or functions start "
            "on other lines of their source files: the source (or the compiler's input) changed.",
            "Build both from the same source revision.",
            rank=50,
            scope="source",
        ),
        _C(
            "module-path",
            "inputs",
            "Main module path differs",
            "The main module's path differs: the module was renamed (a moved repository) or moved to "
            "another major version (/v2), so every package, function and type it declares has another "
            "name.",
            "Compare builds of the same revision; a renamed module is a source change that no build "
            "setting undoes.",
            rank=44,
            scope="source",
        ),
        _C(
            "go-build-id",
            "identity",
            "Go build ID differs",
            "The Go build ID (action and content hashes) differs.",
            "Usually a consequence of another difference; if it is the only one, check for a devel "
            "toolchain or -buildid handling.",
            consequence=True,
            rank=60,
        ),
        _C(
            "gnu-build-id",
            "identity",
            "GNU build ID differs",
            "The .note.gnu.build-id differs (derived from the Go build ID since Go 1.24, or computed by "
            "the external linker over the output).",
            "Usually a consequence; for external links pass -B gobuildid so it derives from the Go build ID.",
            consequence=True,
            rank=61,
        ),
        _C(
            "fips-checksum",
            "identity",
            "FIPS module checksum differs",
            "The HMAC-SHA256 the linker stores in go:fipsinfo (Go 1.24+) differs: it covers the FIPS 140 "
            "module's code and data as laid out, so it follows any change or move in them.",
            "A consequence; fix what changed or moved the module's code and data.",
            consequence=True,
            rank=64,
        ),
        _C(
            "macho-uuid",
            "identity",
            "Mach-O UUID differs",
            "The LC_UUID load command differs (derived from the Go build ID since Go 1.24).",
            "Usually a consequence; fix the underlying difference.",
            consequence=True,
            rank=62,
        ),
        _C(
            "code-signature",
            "identity",
            "Code signature differs",
            "The Mach-O code signature blob differs (ad-hoc signatures hash the content).",
            "Compare before signing, or strip signatures before comparing.",
            consequence=True,
            rank=63,
        ),
        _C(
            "pe-timestamp",
            "identity",
            "PE timestamp differs",
            "The PE header TimeDateStamp differs (set by an external linker such as mingw ld).",
            "Pass -extldflags=-Wl,--no-insert-timestamp, or link internally.",
            rank=39,
        ),
        _C(
            "dwarf",
            "structure",
            "DWARF debug information differs",
            "DWARF is present in one build only, or its version or compression differs.",
            "Use the same -ldflags (-w / -s) and toolchain; -w removes DWARF.",
            rank=36,
        ),
        _C(
            "symbol-table",
            "structure",
            "Symbol table present in one build only",
            "One build was linked with -s (or stripped afterwards).",
            "Use the same -ldflags=-s setting, and do not post-process (strip) one side only.",
            rank=35,
        ),
        _C(
            "buildinfo-removed",
            "structure",
            "Buildinfo blob removed from one build",
            "One build's buildinfo blob (.go.buildinfo) was removed after the link; go version -m cannot "
            "read that build, whose Go version and modinfo remain only in the runtime's copies.",
            "Do not post-process one side only; keep the blob (go version -m, govulncheck and SBOM tools "
            "read it).",
            rank=35,
        ),
        _C(
            "linkage",
            "cgo",
            "Linkage differs",
            "Static vs dynamic linking, the interpreter or the needed libraries differ.",
            "Set CGO_ENABLED explicitly and build in the same base image.",
            rank=37,
        ),
        _C(
            "c-toolchain",
            "cgo",
            "C toolchain differs",
            "The host C compiler or libc used for cgo differs (.comment, C DWARF producers, symbol "
            "versions).",
            "Pin the C toolchain image, or build with CGO_ENABLED=0.",
            rank=38,
            scope="toolchain",
        ),
        _C(
            "cgo-flags",
            "cgo",
            "cgo flags differ",
            "CGO_CFLAGS/CPPFLAGS/CXXFLAGS/LDFLAGS differ.",
            "Set the cgo flags in the build script; prefer relative paths and -ffile-prefix-map.",
            rank=22,
            group="cgo flags differ ({n} variables)",
        ),
        _C(
            "layout-shift",
            "structure",
            "Addresses shifted by a size change",
            "A size change elsewhere moved later code and data; instructions are the same but their "
            "address operands differ.",
            "Fix the cause of the size change; the shift disappears with it.",
            consequence=True,
            rank=70,
        ),
        _C(
            "unrelated-programs",
            "verdict",
            "Not builds of the same program",
            "The two binaries have different main packages, targets or no common functions.",
            "Compare two builds of the same program for the same GOOS/GOARCH.",
            rank=80,
            scope="program",
        ),
        _C(
            "unexplained",
            "residual",
            "Unexplained difference",
            "Bytes differ that no detector accounts for; they are located but their cause is unknown.",
            "Look at the located ranges and the disassembly; report a godet issue with the pair.",
            rank=99,
        ),
        _C(
            "string-literal",
            "inputs",
            "String literal changed",
            "A string constant of the source differs while the code around it is the same (only "
            "addresses moved); Go sorts string data by length, so a string whose length changes also "
            "moves the strings between its old and new place.",
            "Nothing to fix if the change was intended; otherwise build both sides from the same source.",
            rank=45,
            scope="source",
        ),
        _C(
            "c-source-change",
            "cgo",
            "C source of a cgo package changed",
            "The C code or data compiled by cgo differs while the C compiler is the same (equal .comment "
            "and DW_AT_producer): the C sources (the cgo preamble or .c files) differ.",
            "Build both sides from the same source; if the C sources are generated, generate them "
            "deterministically.",
            rank=46,
            scope="source",
        ),
    ]
}


def cause(cause_id: str) -> Cause:
    """The catalog entry for ``cause_id`` (KeyError for an unknown id is a programming error)."""
    return CAUSES[cause_id]


# ---------------------------------------------------------------- build settings

ARCH_LEVELS = frozenset(
    {"GOAMD64", "GOARM", "GOARM64", "GO386", "GOPPC64", "GORISCV64", "GOMIPS", "GOMIPS64", "GOWASM"}
)
CGO_FLAGS = frozenset({"CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_LDFLAGS", "CGO_FFLAGS"})
# Settings that change how every function is compiled, not only which functions exist.
COMPILER_SETTINGS = frozenset(
    {
        "-gcflags",
        "-asmflags",
        "-race",
        "-msan",
        "-asan",
        "-cover",
        "-compiler",
        "-buildmode",
        "GOEXPERIMENT",
        "-pgo",
    }
    | ARCH_LEVELS
)
# Settings that change the compiled code at all (which files, which packages, how).
CODEGEN_SETTINGS = COMPILER_SETTINGS | {"-tags", "CGO_ENABLED", "GOFIPS140", "-covermode"}
# Settings that some Go releases record and others do not (-buildmode and -compiler since Go 1.20,
# GOFIPS140 since 1.24): present on one side only, they follow a toolchain difference.
VERSION_RECORDED = ("-buildmode", "-compiler", "GOFIPS140")
# Causes that change the compiler's output throughout: their fallback claims may cover all code.
BROAD_CAUSES = frozenset({"toolchain-version", "goexperiment", "arch-level", "pgo-profile"})


def is_broad(cause_id: str, key: str | None = None) -> bool:
    """Whether a finding (cause and key) may explain every differing byte of code and data."""
    if cause_id in BROAD_CAUSES:
        return True
    return cause_id == "build-setting" and key in CODEGEN_SETTINGS


def changes_compiler_output(cause_id: str, key: str | None = None) -> bool:
    """Whether the cause makes the compiler emit other code throughout (so no shift analysis holds)."""
    if cause_id in BROAD_CAUSES:
        return True
    return cause_id == "build-setting" and key in COMPILER_SETTINGS


# ---------------------------------------------------------------- the causal model


GO_SETTING = re.compile(r"-[a-z0-9]+|vcs(\.[a-z]+)?|DefaultGODEBUG|(CGO_|GO)[A-Z0-9_]+")  # keys cmd/go writes
SETTING_KEY = re.compile(r"[A-Za-z_][\w.]*")  # a buildinfo setting's key (not "main module")


def _vendor_setting(causer: Finding, effect: Finding) -> bool:
    """The setting is none cmd/go writes (flags, GO* and CGO_* variables, vcs stamps, DefaultGODEBUG):
    a vendor's build of Go records it with its own identity (Microsoft's Go writes
    microsoft_toolset_version=go1.26.0-microsoft), so it follows that toolchain."""
    key = effect.key or ""
    return bool(SETTING_KEY.fullmatch(key)) and not GO_SETTING.fullmatch(key)


def _absent_on_one_side(causer: Finding, effect: Finding) -> bool:
    """The effect's main evidence is recorded in one build only."""
    return effect.one_sided()


def _missing_side(f: Finding) -> str | None:
    """The build ("a" or "b") whose main evidence says absent, when exactly one does."""
    ev = f.evidence[0] if f.evidence else None
    if ev is None:
        return None
    gone = [side for side, v in (("a", ev.a), ("b", ev.b)) if v is None or v == "absent"]
    return gone[0] if len(gone) == 1 else None


def _in_both_builds(causer: Finding, effect: Finding) -> bool:
    """The effect's main evidence is recorded in both builds (DWARF that a release changes, not DWARF
    that -w left out)."""
    return _missing_side(effect) is None


def _absent_in_the_same_build(causer: Finding, effect: Finding) -> bool:
    """Cause and effect both say "absent" for the same build (what one strip removed both)."""
    side = _missing_side(effect)
    return side is not None and side == _missing_side(causer)


OWN_PACKAGES = "packages of the main module"  # key of a source-change finding: packages compiled
# into one build only, all of the main module (no dependency imports them: its own source's doing)


def _same_packages(causer: Finding, effect: Finding) -> bool:
    """The effect is not "packages compiled into one build only" (which recompiling cannot cause),
    or the package says the program's code is the same (another linker keeps other packages)."""
    return effect.key not in ("packages", OWN_PACKAGES) or SAME_CODE in effect.traits


STD_UNCHANGED = "std-unchanged"  # trait of a source-change finding: the standard library's code is the same


OWN_CONSTANTS = "own-constants"  # trait of a source-change finding: the program's functions compute with
# other constants (their own instructions' immediates), which no differing setting changes in them
# (GOAMD64 selects other instructions for the same source; -race leaves what it does not instrument)


def _recompiled(causer: Finding, effect: Finding) -> bool:
    """Same packages and the same declared functions (but for functions of modules whose source is
    the same: a release's inliner can leave no trace of a small function), and the standard
    library's code changed too (a toolchain, experiment or architecture level that left every
    standard-library function as it was did not change the compiler's output: the program's own
    changed functions are its source), and the program's changed functions compute with the same
    constants."""
    if SAME_CODE in effect.traits:
        return True  # (another linker keeps other functions of the same code: its deadcode pass)
    return (
        _same_packages(causer, effect)
        and effect.key != "functions"
        and not _brought_pinned(effect)
        and STD_UNCHANGED not in effect.traits
        and OWN_CONSTANTS not in effect.traits
    )


def _std_recompiled(causer: Finding, effect: Finding) -> bool:
    """The standard library's code changed too: a setting that left every standard-library function
    as it was, but for what it is known to change (position-independent addressing), did not change
    the program's functions either."""
    return STD_UNCHANGED not in effect.traits


def _constants_changeable(causer: Finding, effect: Finding) -> bool:
    """The program's changed functions are not ones every differing setting leaves the constants of
    (source's _keeps_constants: those -race does not instrument) while they compute with others."""
    return OWN_CONSTANTS not in effect.traits


def _flags_recorded(causer: Finding, effect: Finding) -> bool:
    """The causer's value is recorded in both builds (flags or a module version unrecorded on one
    side, as -trimpath or GOPATH mode leave them, say nothing about what was compiled)."""
    return causer.in_both()


def _flags_unrecorded(causer: Finding, effect: Finding) -> bool:
    """The effect was read off the C code, not off a CGO_* setting the builds record."""
    return effect.key is None


def _cgo_linked_in(causer: Finding, effect: Finding) -> bool:
    """One build only links runtime/cgo: the changed strings (or the linkage) may be its."""
    return CGO_ONE_SIDE in effect.traits


PINNED_FUNCTIONS = "functions of unchanged modules"  # key of a source-change finding: functions in
# one build only, all of modules recorded at one version and checksum in both (their source is the same)


def _brought_pinned(effect: Finding) -> bool:
    """Functions of modules of one version in both builds, in one build only, that the code of a
    module whose version differs calls (source._brought_by_versions): the bump brought them in."""
    return effect.key == PINNED_FUNCTIONS and REACHED_BY_VERSIONS in effect.traits


def _module_one_sided(causer: Finding, effect: Finding) -> bool:
    """The effect's module is recorded in one build only (not at another version: a setting that
    selects files changes which modules the build uses, never their versions)."""
    return effect.one_sided()


LIBRARY_LISTS = frozenset(
    {"needed libraries", "needed libraries in one build only", "dylibs", "dylibs in one build only"}
)
# what another library brings along: its symbol versions, and another order of the imports
LIBRARY_EXTRAS = frozenset(
    {"symbol versions", "symbol version order", "needed libraries order", "dylibs order"}
)


def _libraries_only(causer: Finding, effect: Finding) -> bool:
    """The linkage differs in which libraries it names (and what they bring: symbol versions, the
    order the linker met the imports in), not in the link mode or the interpreter: what cgo code
    that names its own libraries (``#cgo LDFLAGS: -framework CoreServices``) changes when it comes
    or goes."""
    labels = {e.label for e in effect.evidence}
    return bool(labels & LIBRARY_LISTS) and labels <= LIBRARY_LISTS | LIBRARY_EXTRAS


def _brings_modules(causer: Finding, effect: Finding) -> bool:
    """The causer records some module in one build only (a module the other build does not use)."""
    return any((e.a is None) != (e.b is None) for e in causer.evidence)


def _names_versions(causer: Finding, effect: Finding) -> bool:
    """Each differing value of the effect is the other's with one build's version put for the
    other's (``/build/govarnam-1.9.0`` vs ``/build/govarnam-1.9.1``, ``-X main.version=1.9.0``):
    it names the release, and nothing else in it differs."""
    ev = causer.evidence[0] if causer.evidence else None
    if ev is None or not isinstance(ev.a, str) or not isinstance(ev.b, str) or not ev.a or not ev.b:
        return False
    old, new = ev.a, ev.b
    pairs = [(e.a, e.b) for e in effect.evidence if e.a != e.b]
    return bool(pairs) and all(
        isinstance(a, str) and isinstance(b, str) and old in a and a.replace(old, new) == b for a, b in pairs
    )


def _not_same_version_functions(causer: Finding, effect: Finding) -> bool:
    """The effect is not "functions in one build only" (found only in modules whose version is the
    same in both builds, which another module's version cannot add, unless that module's code calls
    them), nor packages of the main module in one build only (which no dependency imports)."""
    if _brought_pinned(effect):
        return True
    return effect.key not in ("functions", PINNED_FUNCTIONS, OWN_PACKAGES)


def _releases_differ(causer: Finding, effect: Finding) -> bool:
    """The causer's two Go versions are different minor releases (go1.26.x vs go1.27.y)."""
    ev = causer.evidence[0] if causer.evidence else None
    if ev is None or not isinstance(ev.a, str) or not isinstance(ev.b, str):
        return True
    return _minor(ev.a) != _minor(ev.b) or _minor(ev.a) is None


def _goroot_names_release(causer: Finding, effect: Finding) -> bool:
    """Every GOROOT prefix pair is one path once each side's Go version is taken out of it: each
    release is installed in a directory named after it (/usr/lib/go-1.24 vs /usr/lib/go-1.26,
    ~/sdk/go1.24.4 vs ~/sdk/go1.26.2), so pinning the release pins the GOROOT too."""
    ev = causer.evidence[0] if causer.evidence else None
    if ev is None or not isinstance(ev.a, str) or not isinstance(ev.b, str):
        return False
    va, vb = ev.a.removeprefix("go"), ev.b.removeprefix("go")
    prefixes = [e for e in effect.evidence if e.label == "path prefix"]
    return bool(prefixes) and all(
        isinstance(e.a, str)
        and isinstance(e.b, str)
        and _without_release(e.a, va) == _without_release(e.b, vb) is not None
        for e in prefixes
    )


def _without_release(path: str, version: str) -> str | None:
    """``path`` with the Go ``version`` (1.24.4, else its minor 1.24) taken out, or None without it."""
    minor = ".".join(version.split(".")[:2])
    for v in (version, minor):
        if v and re.search(rf"(?<![\d.]){re.escape(v)}(?![\d])", path):
            return re.sub(rf"(?<![\d.]){re.escape(v)}(?![\d])", "\0", path)
    return None


def _libraries_changed(causer: Finding, effect: Finding) -> bool:
    """One upstream version packaged twice against other library versions, and the effect's code is
    all the libraries' (none of it lies in the main package's repository)."""
    return SAME_UPSTREAM in causer.traits and LIBRARY_CODE in effect.traits


def _same_package_source(causer: Finding, effect: Finding) -> bool:
    """The causer says both packages come from one source (a Debian binNMU, or one version built twice)."""
    return SAME_SOURCE in causer.traits


def _settings_of_the_releases(causer: Finding, effect: Finding) -> bool:
    """Every DefaultGODEBUG setting that differs is one the two releases write differently (see
    :mod:`godet.explain.godebug`); a setting both write alike comes from the go line or a
    //go:debug directive."""
    if GOPATH_DEFAULTS in effect.traits:
        return True  # no go.mod: each release assumes its own go line (only a //go:debug could differ)
    tv = causer.evidence[0] if causer.evidence else None
    dv = effect.evidence[0] if effect.evidence else None
    if tv is None or dv is None or not isinstance(tv.a, str) or not isinstance(tv.b, str):
        return True
    return not godebug.not_from_releases(dv.a, dv.b, tv.a, tv.b)


def _directive_lines(causer: Finding, effect: Finding) -> bool:
    """A DefaultGODEBUG setting differs that no release explains (a //go:debug directive: not values
    that each build's go.mod go line gives, GO_LINE_EVIDENCE), and every function of each file whose
    functions moved moved by the same lines (lines above them all)."""
    go_lines = any(e.label == GO_LINE_EVIDENCE for e in causer.evidence)
    return SOURCE_SETTINGS in causer.traits and HEADER_SHIFT in effect.traits and not go_lines


def _minor(version: str) -> str | None:
    m = re.match(r"go(\d+)\.(\d+)", version)
    return f"{m.group(1)}.{m.group(2)}" if m else None


def _a_recorded_flag(causer: Finding, effect: Finding) -> bool:
    """The effect is about a flag buildinfo records (keyed CGO_CFLAGS...), not about C code that differs."""
    return effect.key in CGO_FLAGS


def _no_go_literal(causer: Finding, effect: Finding) -> bool:
    """No changed string is known to be a Go literal (the symbol table places them in C objects'
    data, or cannot tell): an -X value or C code cannot change a Go string literal."""
    return GO_LITERALS not in effect.traits


OWN_LITERALS = "own-literals"  # ... a changed literal is loaded by the main module's own (not inlined) code
# trait of a package's fact for its binaries' model: one source built against the same Go libraries,
# so the program's own code is the same in both builds (what changed is the toolchain's or a flag's)
SAME_CODE = "same-code"
GOPATH_DEFAULTS = "gopath-defaults"  # trait of a DefaultGODEBUG finding: neither build has a go.mod
SOURCE_SETTINGS = (
    "source-settings"  # ... a setting differs that the releases write alike (go line, //go:debug)
)
GO_LINE_EVIDENCE = "go line (from the defaults)"  # evidence of default-godebug: both values are go lines
EMBED_USERS = "embed.FS used by"  # evidence of an embedded-content finding: the packages that load the FS
# ... the modules whose versions are all that changed in its files (a licence report, an SBOM)
LISTED_VERSIONS = "versions listed"
MOVED_LINES = "function start lines"  # the key of source-change "functions start on other lines"
HEADER_SHIFT = "header-shift"  # trait of a moved-lines finding: every function of each file moved alike
SAME_SOURCE = "same-source"  # trait of a package's build-dependencies finding: one source, other libraries
# ... one upstream version, another revision of the packaging (a .deb's -2 against -5), other libraries
SAME_UPSTREAM = "same-upstream"
# trait of a source-change or embedded-content finding: all its code lies outside the repository of
# the main package (what the libraries a package was built against hold)
LIBRARY_CODE = "library-code"
CGO_ONE_SIDE = "cgo-one-side"  # trait of a string-literal or linkage finding: runtime/cgo in one build only
GO_LITERALS = "go-literals"  # trait of a string-literal finding: a changed string lies in Go's literals
C_LITERALS = "c-literals"  # ... in a C object's read-only data
STD_LITERALS = "std-literals"  # ... the code that loads its changed strings is the standard library's only
BUMP_LITERALS = "bump-literals"  # ... the code that loads them belongs to (or inlines) bumped modules only
# trait of a source-change finding: its functions neither belong to, inline nor call a module whose
# version differs (read/inltree.py, read/coderefs.called_functions)
APART_FROM_VERSIONS = "apart-from-versions"
REACHED_BY_VERSIONS = "reached-by-versions"  # ... every function of it belongs to, inlines or calls one


def _bump_literals(causer: Finding, effect: Finding) -> bool:
    """Only the bumped modules' code (their own, or inlined from them) loads the changed strings:
    beside an -X value or a C change, the bump changed them."""
    return BUMP_LITERALS in effect.traits


def _reaches_module(causer: Finding, effect: Finding) -> bool:
    """The changed code belongs to, inlines or calls a module whose version differs (a bumped
    module cannot change a function that has nothing of it)."""
    return APART_FROM_VERSIONS not in effect.traits


def _module_embeds(causer: Finding, effect: Finding) -> bool:
    """Every package that uses the effect's embed.FS (its EMBED_USERS evidence, in both builds)
    belongs to the causer's module."""
    ev = next((e for e in effect.evidence if e.label == EMBED_USERS), None)
    if ev is None or not causer.key:
        return False
    users = [p.strip() for v in (ev.a, ev.b) if v for p in v.split(",")]
    return bool(users) and all(p == causer.key or p.startswith(causer.key + "/") for p in users)


def _lists_versions(causer: Finding, effect: Finding) -> bool:
    """The effect's embedded files list the causer's module with its version: its version (and
    those of other modules whose versions differ) is all that changed in them (LISTED_VERSIONS)."""
    ev = next((e for e in effect.evidence if e.label == LISTED_VERSIONS), None)
    return ev is not None and bool(causer.key) and causer.key in (ev.b or ev.a or "").split(", ")


def _std_literals(causer: Finding, effect: Finding) -> bool:
    """The changed strings are loaded by the standard library's code only (read/coderefs.py): when a
    release and a dependency bump could both have changed them, the release did."""
    return STD_LITERALS in effect.traits


def _no_own_literal(causer: Finding, effect: Finding) -> bool:
    """No changed literal is loaded by the main module's own code (outside calls inlined into it):
    a toolchain or a compiler flag changes the strings of the standard library and of what it
    inlines, never a literal in the program's source."""
    return OWN_LITERALS not in effect.traits or SAME_CODE in effect.traits


def _links_externally(causer: Finding, effect: Finding) -> bool:
    """The causer's flags (its evidence) name the external linker."""
    return any(
        "-linkmode=external" in v or "-linkmode external" in v
        for ev in causer.evidence
        for v in (ev.a, ev.b)
        if isinstance(v, str)
    )


STRIP_FLAGS = re.compile(r"-{1,2}(s|w|buildid(=.*)?)$")  # -ldflags words that change no linking


def _links_differently(causer: Finding, effect: Finding) -> bool:
    """The causer's flags (its evidence) differ in a word besides -X, -s, -w and -buildid: those
    strip or stamp the output, they do not change what it links against."""

    def words(v: object) -> list[str]:
        return [w for w in without_x(v) if not STRIP_FLAGS.match(w)] if isinstance(v, str) else []

    return any(words(ev.a) != words(ev.b) for ev in causer.evidence)


CONDITION_TEXT = {  # how the docs and the accuracy report say each condition
    "absent-on-one-side": "recorded in one build only",
    "absent-in-the-same-build": "absent from the same build",
    "in-both-builds": "present in both builds",
    "same-packages": "both builds compile the same packages",
    "std-recompiled": "the standard library's code differs too (beyond what the setting is known to change)",
    "constants-changeable": "the program's changed functions are not ones the setting keeps the constants of",
    "recompiled": "both builds compile the same packages and functions, the standard library's code "
    "differs too, and the program's changed functions compute with the same constants",
    "no-go-literal": "no changed string is known to be a Go string literal",
    "links-externally": "the flags name -linkmode=external",
    "links-differently": "the flags differ in a word besides -X, -s, -w and -buildid",
    "flags-recorded": "its value is recorded in both builds",
    "flags-unrecorded": "the differing C code is all that says the flags differ (no CGO_* setting does)",
    "a-recorded-flag": "it is a flag buildinfo records",
    "cgo-linked-in": "one build only links runtime/cgo",
    "other-modules": "the code is not functions found in modules of the same version (unless that "
    "module's code calls them), nor packages of the main module",
    "releases-differ": "the Go versions are different minor releases",
    "module-one-sided": "the module is recorded in one build only (not at another version)",
    "same-package-source": "both packages come from one source version, built against other Go libraries",
    "directive-lines": "a DefaultGODEBUG setting differs that no release explains, and every function of "
    "each file whose functions moved moved by the same number of lines, no more than the directives "
    "take (one line each and a blank one)",
    "goroot-names-release": "each GOROOT is a directory named after its release (/usr/lib/go-1.24, "
    "~/sdk/go1.26.2) and the paths are otherwise the same",
    "release-settings": "every setting that differs is one the two releases' tables write differently",
    "no-own-literal": "no changed literal is loaded by the main module's own code (outside inlined calls)",
    "vendor-setting": "the setting is none cmd/go writes (a vendor's toolchain records it: "
    "microsoft_toolset_version)",
    "std-literals": "the changed strings are loaded by the standard library's code only",
    "reaches-module": "the changed functions belong to, inline or call a module whose version differs",
    "module-embeds": "only packages of the module whose version differs use the embed.FS holding the files",
    "lists-versions": "the files list that module: every changed line names a module whose version differs "
    "(or the file's path does)",
    "bump-literals": "the changed strings are loaded by the bumped modules' code only",
    "libraries-only": "the linkage differs only in which libraries it names",
    "names-versions": "each differing value is the other's with one release's version put for the other's",
    "libraries-changed": "the packages hold one upstream version, and all the changed code lies outside the "
    "main package's repository",
    "brings-modules": "some module is recorded in one build only",
}
CONDITIONS: dict[str, Callable[[Finding, Finding], bool]] = {
    "absent-on-one-side": _absent_on_one_side,
    "absent-in-the-same-build": _absent_in_the_same_build,
    "in-both-builds": _in_both_builds,
    "same-packages": _same_packages,
    "std-recompiled": _std_recompiled,
    "constants-changeable": _constants_changeable,
    "recompiled": _recompiled,
    "no-go-literal": _no_go_literal,
    "links-externally": _links_externally,
    "links-differently": _links_differently,
    "flags-recorded": _flags_recorded,
    "flags-unrecorded": _flags_unrecorded,
    "a-recorded-flag": _a_recorded_flag,
    "cgo-linked-in": _cgo_linked_in,
    "other-modules": _not_same_version_functions,
    "module-one-sided": _module_one_sided,
    "libraries-only": _libraries_only,
    "names-versions": _names_versions,
    "libraries-changed": _libraries_changed,
    "brings-modules": _brings_modules,
    "releases-differ": _releases_differ,
    "release-settings": _settings_of_the_releases,
    "same-package-source": _same_package_source,
    "directive-lines": _directive_lines,
    "goroot-names-release": _goroot_names_release,
    "no-own-literal": _no_own_literal,
    "vendor-setting": _vendor_setting,
    "std-literals": _std_literals,
    "reaches-module": _reaches_module,
    "module-embeds": _module_embeds,
    "lists-versions": _lists_versions,
    "bump-literals": _bump_literals,
}
# Settings that change the code but not which Go string literals it holds (the go:string.* blob is
# byte for byte the same with and without -buildmode=pie, as with -pgo and GOAMD64).
SAME_LITERALS = frozenset({"-buildmode"})
# Settings that recompile the same packages differently; -tags and CGO_ENABLED choose other files
# (and packages), so they may explain a package present in one build only.
RECOMPILING_SETTINGS = frozenset({"-tags", "CGO_ENABLED"})
# Settings that choose or instrument the main module's own files (-asan names its globals in strings
# the program's init code loads): the literals its own code loads may differ with them.
OWN_CODE_SETTINGS = RECOMPILING_SETTINGS | {"-cover", "-covermode", "-asan"}


@dataclass(frozen=True)
class Edge:
    """``cause`` (with ``cause_key``, None = any) makes ``effect`` happen: present together, the
    effect is a consequence "because of" the cause. ``when`` names a condition on the effect."""

    cause: str
    effect: str
    why: str
    _: KW_ONLY
    cause_key: str | None = None
    effect_key: str | None = None
    when: str = ""
    prefer: str = ""  # a condition that, when it holds, puts this edge before other causes of the effect

    def holds(self, causer: Finding, effect: Finding) -> bool:
        """Whether this edge links the two findings."""
        if causer.cause != self.cause or effect.cause != self.effect or causer is effect:
            return False
        if self.cause_key is not None and causer.key != self.cause_key:
            return False
        if self.effect_key is not None and effect.key != self.effect_key:
            return False
        return all(CONDITIONS[w](causer, effect) for w in self.conditions)

    def preferred(self, causer: Finding, effect: Finding) -> bool:
        """Whether ``prefer`` names a condition that holds: this cause, before others, made the effect."""
        return bool(self.prefer) and CONDITIONS[self.prefer](causer, effect)

    @property
    def conditions(self) -> list[str]:
        """The names of the conditions in ``when`` (all must hold), joined by "+"."""
        return self.when.split("+") if self.when else []

    @property
    def condition_text(self) -> str:
        """How the docs say ``when``."""
        return " and ".join(CONDITION_TEXT[w] for w in self.conditions)


def _setting_edges() -> list[Edge]:
    out = []
    for k in sorted(CODEGEN_SETTINGS - ARCH_LEVELS - {"GOEXPERIMENT", "-pgo"}):
        # a setting only newer releases record (-buildmode=exe beside nothing) tells no other build
        recorded = ["flags-recorded"] if k in VERSION_RECORDED else []
        own = ["same-packages", "std-recompiled", "constants-changeable"]
        when = recorded + ([] if k in RECOMPILING_SETTINGS else own)
        out.append(
            Edge(
                "build-setting",
                "source-change",
                f"{k} changes the compiled code",
                cause_key=k,
                when="+".join(when),
            )
        )
        if k not in SAME_LITERALS:
            why = f"{k} changes which code and strings exist"
            own = [] if k in OWN_CODE_SETTINGS else ["no-own-literal"]
            when = "+".join(recorded + own)
            prefer = "cgo-linked-in" if k == "CGO_ENABLED" else ""  # (runtime/cgo's strings: cgo's)
            out.append(Edge("build-setting", "string-literal", why, cause_key=k, when=when, prefer=prefer))
    for k in sorted(RECOMPILING_SETTINGS):
        why = f"{k} selects other files, which may import modules the other build does not use"
        out.append(Edge("build-setting", "dependency-version", why, cause_key=k, when="module-one-sided"))
    out.append(
        Edge(
            "build-setting",
            "linkage",
            "-linkmode=external links with the system linker",
            cause_key="-ldflags",
            when="links-externally",
        )
    )
    out.append(
        Edge(
            "build-setting",
            "string-literal",
            "the external linker needs runtime/cgo, whose code and strings join the program",
            cause_key="-ldflags",
            when="links-externally+cgo-linked-in+no-own-literal",
        )
    )
    for k in ("-race", "-msan", "-asan", "-buildmode", "-ldflags", "CGO_ENABLED"):
        when = "links-differently" if k == "-ldflags" else ""
        prefer = "cgo-linked-in" if k == "CGO_ENABLED" else ""  # (the C library comes with runtime/cgo)
        why = f"{k} changes how the program is linked"
        out.append(Edge("build-setting", "linkage", why, cause_key=k, when=when, prefer=prefer))
        out.append(
            Edge("build-setting", "gnu-build-id", f"{k} can switch to the external linker", cause_key=k)
        )
    for k in ("-race", "-msan", "-asan", "CGO_ENABLED"):
        out.append(Edge("build-setting", "c-toolchain", f"{k} links C objects into the program", cause_key=k))
    return out


E = Edge
EDGES: tuple[Edge, ...] = (
    E(
        "default-godebug",
        "source-change",
        "a //go:debug directive is a line of the main package's source: the functions below it start "
        "further down",
        effect_key=MOVED_LINES,
        when="directive-lines",
    ),
    E("trimpath", "build-path", "the trimmed build holds no build directory to compare"),
    E("trimpath", "goroot-path", "the trimmed build holds no GOROOT"),
    E("trimpath", "module-cache-path", "the trimmed build holds no module cache paths"),
    E("trimpath", "cgo-work-path", "-trimpath rewrites the cgo work directory"),
    E(
        "trimpath",
        "cgo-flags",
        "-trimpath builds do not record CGO_* flags",
        when="a-recorded-flag+absent-on-one-side",
    ),
    E(
        "trimpath",
        "build-setting",
        "-trimpath builds do not record -ldflags",
        effect_key="-ldflags",
        when="absent-on-one-side",
    ),
    E("gopath-mode", "default-godebug", "module mode derives DefaultGODEBUG from the go.mod go line"),
    E("gopath-mode", "vcs-stamping", "GOPATH mode does not stamp VCS information"),
    E(
        "gopath-mode",
        "module-cache-path",
        "GOPATH mode compiles dependencies from GOPATH/src, not from the module cache",
    ),
    E(
        "gopath-mode",
        "dependency-version",
        "GOPATH mode records no module versions",
        when="absent-on-one-side",
        prefer="absent-on-one-side",  # (before a setting that selects files: GOPATH mode records none)
    ),
    E("gopath-mode", "build-setting", "GOPATH mode records no main module", effect_key="main module"),
    E(
        "toolchain-version",
        "default-godebug",
        "each Go release has its own GODEBUG defaults",
        when="release-settings",
    ),
    E("toolchain-version", "dwarf", "Go releases change the DWARF version and layout", when="in-both-builds"),
    E(
        "toolchain-version",
        "source-change",
        "the runtime, standard library and compiler output differ",
        when="recompiled",
    ),
    E(
        "toolchain-version",
        "string-literal",
        "the runtime's and standard library's strings differ",
        when="recompiled+no-own-literal",
        prefer="std-literals",
    ),
    E("toolchain-version", "linkage", "Go releases change linker defaults"),
    E(
        "dependency-version",
        "linkage",
        "a module one build only uses may hold cgo code that links libraries of its own",
        when="brings-modules+libraries-only",
        prefer="brings-modules",  # (before the program's own source, which imports it)
    ),
    E(
        "source-change",
        "linkage",
        "the program's own cgo directives name libraries to link",
        when="libraries-only",
    ),
    E(
        "toolchain-version",
        "goroot-path",
        "each release is installed in its own directory",
        when="goroot-names-release",
    ),
    *(
        E(
            "package-version",
            effect,
            "the build names the release it builds: Debian unpacks the source into a directory named "
            "after its version, and a version stamped into the program is the release's",
            when="names-versions",
        )
        for effect in ("build-path", "ldflags-x", "build-setting", "cgo-work-path")
    ),
    *(
        E(
            "package-version",
            effect,
            "another release of the software is other source: its code, strings, embedded files, "
            "module requirements (and go line) and commit",
        )
        for effect in (
            "source-change",
            "default-godebug",
            "string-literal",
            "embedded-content",
            "dependency-version",
            "vcs-revision",
            "vcs-time",
        )
    ),
    *(
        E(
            "package-version",
            "source-change",
            "another release of the software is other source, where lines move and commands move",
            effect_key=fact,
        )
        for fact in (MOVED_LINES, "main package")
    ),
    E(
        "build-dependencies",
        "source-change",
        "the package's own source is the same: code that changed is the Go libraries it was built against",
        when="same-package-source",
    ),
    *(
        E(
            "build-dependencies",
            effect,
            "another revision of the same upstream source, built against other library versions: code "
            "that changed only in the libraries is theirs",
            when="libraries-changed",
        )
        for effect in ("source-change", "embedded-content")
    ),
    E(
        "build-dependencies",
        "string-literal",
        "the package's own source is the same: strings that changed are the Go libraries'",
        when="same-package-source",
    ),
    E(
        "build-dependencies",
        "embedded-content",
        "the package's own source is the same: embedded files that changed are the Go libraries'",
        when="same-package-source",
    ),
    E(
        "toolchain-version",
        "gnu-build-id",
        "Go 1.24 and later write a GNU build ID note by default; earlier releases do not",
        when="absent-on-one-side+releases-differ",
    ),
    *(
        E(
            "toolchain-version",
            "build-setting",
            f"only some Go releases record {k}",
            effect_key=k,
            when="absent-on-one-side",
        )
        for k in VERSION_RECORDED
    ),
    E(
        "toolchain-version",
        "build-setting",
        "a vendor's build of Go records settings of its own, which name or follow its release",
        when="vendor-setting",
    ),
    E("goexperiment", "dwarf", "experiments such as nodwarf5 change DWARF", when="in-both-builds"),
    E(
        "goexperiment",
        "source-change",
        "experiments change the runtime and the compiler",
        when="recompiled",
    ),
    E("goexperiment", "string-literal", "experiments change the runtime's strings", when="no-own-literal"),
    E("arch-level", "source-change", "the compiler selected other instructions", when="recompiled"),
    E(
        "pgo-profile",
        "source-change",
        "profile-guided optimisation changes inlining and layout",
        when="same-packages",
    ),
    *_setting_edges(),
    E("build-setting", "symbol-table", "-ldflags=-s omits the symbol table", cause_key="-ldflags"),
    E("build-setting", "dwarf", "-ldflags=-w (or -s) omits DWARF", cause_key="-ldflags"),
    E(
        "symbol-table",
        "dwarf",
        "-ldflags=-s (and strip) removes DWARF with the symbol table",
        when="absent-in-the-same-build",
    ),
    E(
        "build-setting",
        "cgo-flags",
        "only cgo builds record CGO_* flags",
        cause_key="CGO_ENABLED",
        when="absent-on-one-side",
    ),
    E("linkage", "gnu-build-id", "the external linker writes its own GNU build ID"),
    E(
        "build-setting",
        "go-build-id",
        "-ldflags=-buildid= leaves the Go build ID out",
        cause_key="-ldflags",
        when="absent-on-one-side",
    ),
    E(
        "go-build-id",
        "gnu-build-id",
        "the Go linker derives the GNU build ID from the Go build ID",
        when="absent-in-the-same-build",
    ),
    E(
        "linkage",
        "string-literal",
        "the external linker needs runtime/cgo, whose code and strings join the program",
        when="cgo-linked-in+no-own-literal",
    ),
    E(
        "module-path",
        "cgo-flags",
        "cgo names a package's C glue after a hash of the package's path",
        when="flags-unrecorded",
    ),
    E("cgo-flags", "c-toolchain", "the C compiler's flags are part of its producer string"),
    E("cgo-flags", "c-source-change", "other C flags compile other C code"),
    E(
        "cgo-flags",
        "string-literal",
        "C flags (-D) select other C code and strings",
        when="flags-recorded+no-go-literal+no-own-literal",
    ),
    E(
        "c-source-change",
        "string-literal",
        "the C sources hold string literals too",
        when="no-go-literal+no-own-literal",
    ),
    E("build-setting", "c-source-change", "only cgo builds hold C code", cause_key="CGO_ENABLED"),
    # (a version recorded in one build only, as GOPATH mode leaves it, tells no other code)
    E(
        "dependency-version",
        "source-change",
        "the module's code (and what inlines or calls it) differs",
        when="flags-recorded+other-modules+no-own-literal+reaches-module",
    ),
    E(
        "dependency-version",
        "embedded-content",
        "the module embeds these files: its new version brings its new files",
        when="module-embeds",
    ),
    E(
        "dependency-version",
        "embedded-content",
        "the files list the modules with their versions (a licence report, an SBOM generated at build "
        "time): the new versions are the file's change",
        when="lists-versions",
    ),
    E(
        "dependency-version",
        "string-literal",
        "the module's strings differ",
        when="flags-recorded+no-own-literal",
        prefer="bump-literals",
    ),
    E(
        "ldflags-x",
        "string-literal",
        "an -X value is string data: a new length moves the strings around it",
        when="no-go-literal+no-own-literal",
    ),
    E("vcs-revision", "vcs-time", "another commit has another commit time"),
    E(
        "vcs-revision",
        "build-setting",
        "the main module's version follows the commit",
        effect_key="main module",
    ),
    E("vcs-modified", "build-setting", "a dirty tree's version ends in +dirty", effect_key="main module"),
    E("vcs-stamping", "build-setting", "the main module's version comes from VCS", effect_key="main module"),
)
del E


# (cause, key) nothing else implies: facts of the source itself
SOURCE_FACTS = frozenset({("source-change", "main package"), ("source-change", MOVED_LINES)})


def implies(causer: Finding, effect: Finding) -> Edge | None:
    """The edge by which ``causer`` makes ``effect`` a consequence, or None. A fact of the source
    itself (the command's main package moved, functions start on other lines) is another cause's
    consequence only by an edge that names it."""
    fact = (effect.cause, effect.key) in SOURCE_FACTS
    for edge in EDGES:
        if fact and edge.effect_key != effect.key:
            continue  # only an edge that names the fact itself (a //go:debug line) explains it
        if edge.holds(causer, effect):
            return edge
    return None


def implied_by(cause_id: str) -> list[Edge]:
    """The edges that can make ``cause_id`` a consequence (for the docs)."""
    return [e for e in EDGES if e.effect == cause_id]


# Container-level causes (archives, packages, images) live in their own module.
from godet.explain.causes_containers import CONTAINER_CAUSES  # noqa: E402

CAUSES.update({c.id: c for c in CONTAINER_CAUSES})
