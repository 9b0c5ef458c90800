"""Session fixtures that build real Go executables from testdata/ (see tests/gobuild.py).

* ``gobin("default") -> Path``: one executable of the :data:`FIXTURES` catalog ("inspect" cases).
* ``gopair("dirs") -> (Path, Path)``: two executables of the :data:`PAIRS` catalog ("diff" cases);
  every pair has exactly one cause (``-trimpath`` everywhere the cause is not itself a path), except
  ``two_causes``. :data:`PAIR_CAUSES` names the expected cause id(s) of each pair.
* ``old_go_binary("linux-1.16") -> Path``: a real executable of an old Go release (npm) or one
  built with an older installable toolchain (``linux-1.21``, ``linux-1.24``).
* ``gobuild_available``: fails (does not skip) when the pinned go toolchain is missing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gobuild
from gobuild import TESTDATA, BuildSpec

T = ("-trimpath",)
NATIVE_CGO = (("CGO_ENABLED", "1"),)
LDFLAGS_X = "-ldflags=-X main.version=1.2.3 -X 'main.date=2026-11-20T10:00:00Z'"
STRIP = "-ldflags=-s -w"
GOEXPERIMENT = "nodwarf5"  # a 1.27.3 experiment whose baseline is on (DWARF 5): off -> DWARF 4
# fixes gcc's __DATE__/__TIME__ to 2026-11-20T10:00:00Z
SOURCE_DATE_EPOCH = (("SOURCE_DATE_EPOCH", "1795168800"),)
SDE_CACHE = "sde-1795168800"


def _cross(goos: str, goarch: str) -> tuple[tuple[str, str], ...]:
    return (("GOOS", goos), ("GOARCH", goarch), ("CGO_ENABLED", "0"))


WINDOWS = _cross("windows", "amd64")
DARWIN_AMD64 = _cross("darwin", "amd64")
DARWIN_ARM64 = _cross("darwin", "arm64")
LINUX_386 = _cross("linux", "386")


def _file(src: str, rel: str) -> str:
    return (TESTDATA / src / rel).read_text()


def _replace_once(src: str, rel: str, old: str, new: str) -> tuple[tuple[str, str], ...]:
    """An ``edits`` tuple replacing one occurrence of ``old`` in testdata/<src>/<rel>."""
    text = _file(src, rel)
    if text.count(old) != 1:
        raise ValueError(f"{old!r} must occur exactly once in {src}/{rel}")
    return ((rel, text.replace(old, new)),)


def _reordered_genorder() -> tuple[tuple[str, str], ...]:
    """The generated table with every run of entry lines reversed (same entries, other order)."""
    out: list[str] = []
    run: list[str] = []
    for line in _file("genorder", "tables_gen.go").splitlines(keepends=True):
        if line.startswith(('\t"', "\t{")) and line.rstrip().endswith(","):
            run.append(line)
            continue
        out.extend(reversed(run))
        run = []
        out.append(line)
    out.extend(reversed(run))
    return (("tables_gen.go", "".join(out)),)


@pytest.fixture(autouse=True)
def _detectors_do_not_fail(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A detector that raises on a test's builds is a bug, not a note: outside the robustness tests
    (malformed inputs, where the note is the behaviour under test) its exception fails the test."""
    if request.node.nodeid.startswith("robustness/"):
        return
    from godet.explain import engine

    monkeypatch.setattr(engine, "_run", lambda fn, ctx, name: list(fn(ctx)))


#: main.go of an embed.FS program (edits to testdata/embed), shared by the read and content tests.
EMBED_FS_MAIN = """package main

import (
\t"embed"
\t"fmt"
)

//go:embed static
var content embed.FS

func main() {
\tb, _ := content.ReadFile("static/a.txt")
\tfmt.Print(string(b))
}
"""

HELLO = BuildSpec("hello")

#: name -> spec of the single binaries (issue "inspect").
FIXTURES: dict[str, BuildSpec] = {
    "default": HELLO,
    "trimpath": HELLO.with_(flags=T),
    "stripped": HELLO.with_(flags=(STRIP,)),
    "vcs_clean": HELLO.with_(git="clean"),
    "vcs_dirty": HELLO.with_(git="dirty"),
    "ldflags_x": BuildSpec("xvars", flags=(LDFLAGS_X,)),
    "tags": BuildSpec("tags", flags=("-tags=feature",)),
    "goamd64_v3": HELLO.with_(env=(("GOAMD64", "v3"),)),
    "cgo_net": BuildSpec("cgonet", env=NATIVE_CGO),
    "cgo_c": BuildSpec("cgoc", env=NATIVE_CGO),
    "extlink": HELLO.with_(flags=("-ldflags=-linkmode=external",), env=NATIVE_CGO),
    "replace_dep": BuildSpec("withdep"),
    "buildid_empty": HELLO.with_(flags=("-ldflags=-buildid=",)),
    "windows_amd64": HELLO.with_(env=WINDOWS),
    "darwin_amd64": HELLO.with_(env=DARWIN_AMD64),
    "darwin_arm64": HELLO.with_(env=DARWIN_ARM64),
    "linux_arm64": HELLO.with_(env=_cross("linux", "arm64")),
    "linux_386": HELLO.with_(env=LINUX_386),
    "linux_arm": HELLO.with_(env=_cross("linux", "arm")),
    "linux_riscv64": HELLO.with_(env=_cross("linux", "riscv64")),
    "windows_amd64_stripped": HELLO.with_(env=WINDOWS, flags=(STRIP,)),
    "darwin_amd64_stripped": HELLO.with_(env=DARWIN_AMD64, flags=(STRIP,)),
    "darwin_arm64_stripped": HELLO.with_(env=DARWIN_ARM64, flags=(STRIP,)),
    "linux_386_stripped": HELLO.with_(env=LINUX_386, flags=(STRIP,)),
    "goexperiment": HELLO.with_(env=(("GOEXPERIMENT", GOEXPERIMENT),)),
    "pie": HELLO.with_(flags=("-buildmode=pie",)),
    "cmdline": BuildSpec("cmdline", pkg="main.go"),
    "hardened": HELLO.with_(
        git="clean",
        env=(("CGO_ENABLED", "0"),),
        flags=("-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid="),
    ),
    # older installable toolchains (pclntab 1.20 magic, DWARF 4, no GNU build ID in 1.21)
    "go1.21": HELLO.with_(toolchain="1.21.13"),
    "go1.24": HELLO.with_(toolchain="1.24.11"),
}

#: stripped fixture -> its unstripped twin (same spec without -s -w).
STRIPPED_TWINS: dict[str, str] = {
    "stripped": "default",
    "windows_amd64_stripped": "windows_amd64",
    "darwin_amd64_stripped": "darwin_amd64",
    "darwin_arm64_stripped": "darwin_arm64",
    "linux_386_stripped": "linux_386",
}

HT = HELLO.with_(flags=T)
_LONGER_LITERAL = _replace_once("multi", "calc.go", '"name: "', '"the name of it: "')
_NEW_PACKAGE = (
    (
        "stats/stats.go",
        "// Package stats is added by the toolchain_new_package pair.\npackage stats\n\n"
        "// Mean returns the mean of xs.\n//\n//go:noinline\nfunc Mean(xs ...int) int {\n"
        "\ts := 0\n\tfor _, x := range xs {\n\t\ts += x\n\t}\n\treturn s / len(xs)\n}\n",
    ),
    (
        "main.go",
        "// Command multi calls a few small functions; tests change one line of one of them.\n"
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/multi/stats"\n)\n\n'
        'func main() {\n\tfmt.Println(Add(2, 3), Mul(4, 5), Describe("godet"), stats.Mean(1, 2, 3))\n}\n',
    ),
)
# three functions added to a package both builds compile (main): no toolchain adds a declared function
_NEW_FUNCTIONS = (
    (
        "calc.go",
        (TESTDATA / "multi" / "calc.go").read_text()
        + "".join(
            f"\n// {n} returns {op}.\n//\n//go:noinline\nfunc {n}(a, b int) int {{\n\treturn {op}\n}}\n"
            for n, op in (("Sub", "a - b"), ("Max", "max(a, b)"), ("Min", "min(a, b)"))
        ),
    ),
    (
        "main.go",
        "// Command multi calls a few small functions; tests change one line of one of them.\n"
        'package main\n\nimport "fmt"\n\n'
        'func main() {\n\tfmt.Println(Add(2, 3), Mul(4, 5), Describe("godet"),\n'
        "\t\tSub(9, 1), Max(1, 2), Min(3, 4))\n}\n",
    ),
)
CGOC_T = BuildSpec("cgoc", flags=T, env=NATIVE_CGO)
_DEP_BUMP = (
    *_replace_once("withdep", "go.mod", "example.com/dep v1.0.0", "example.com/dep v1.1.0"),
    *_replace_once("withdep", "dep/dep.go", 'Version = "1.0.0"', 'Version = "1.1.0"'),
)
_WITHDEP_MAIN_SRC = (
    "// Command withdep uses a local dependency module (via a replace directive).\npackage main\n\n"
    'import (\n\t"fmt"\n\n\t"example.com/dep"\n)\n\n'
    "//go:noinline\nfunc banner() string {\n\treturn %s\n}\n\n"
    'func main() {\n\tfmt.Println(dep.Greeting(), banner())\n\tfmt.Println("built against", dep.Version)\n}\n'
)
_WITHDEP_MAIN = (("main.go", _WITHDEP_MAIN_SRC % '"withdep, the first edition"'),)
_WITHDEP_MAIN_B = (("main.go", _WITHDEP_MAIN_SRC % '"withdep, the second edition of it"'),)

#: name -> (a, b) of the pairs (issue "diff"); b is built after a.
PAIRS: dict[str, tuple[BuildSpec, BuildSpec]] = {
    "dirs": (HELLO, HELLO.with_(workdir="build-b")),
    "dirs_trimpath": (HT, HT.with_(workdir="build-b")),
    "vcs_commits": (HT.with_(git="clean"), HT.with_(git="clean2")),
    "vcs_dirty": (HT.with_(git="clean"), HT.with_(git="dirty")),
    "buildvcs": (HT.with_(git="clean", flags=(*T, "-buildvcs=false")), HT.with_(git="clean")),
    "x_time": (
        BuildSpec("xvars", flags=(*T, "-ldflags=-X main.date=2026-11-20T10:00:00Z")),
        BuildSpec("xvars", flags=(*T, "-ldflags=-X main.date=2026-11-21T18:45:09Z")),
    ),
    "x_version": (
        BuildSpec("xvars", flags=(*T, "-ldflags=-X main.version=1.2.3")),
        BuildSpec("xvars", flags=(*T, "-ldflags=-X main.version=1.2.4")),
    ),
    "toolchain_patch": (HT.with_(toolchain="1.27.2"), HT),
    "toolchain_minor": (HT.with_(toolchain="1.26.6"), HT),
    "goamd64": (HT.with_(env=(("GOAMD64", "v1"),)), HT.with_(env=(("GOAMD64", "v3"),))),
    "tags": (BuildSpec("tags", flags=T), BuildSpec("tags", flags=(*T, "-tags=feature"))),
    "gcflags": (HT.with_(flags=(*T, "-gcflags=all=-N -l")), HT),
    "strip": (HT.with_(flags=(*T, STRIP)), HT),
    "buildid": (HT.with_(flags=(*T, "-ldflags=-buildid=")), HT),
    "cgo_enabled": (
        BuildSpec("cgonet", flags=T, env=(("CGO_ENABLED", "0"),)),
        BuildSpec("cgonet", flags=T, env=(("CGO_ENABLED", "1"),)),
    ),
    # SOURCE_DATE_EPOCH pins __TIME__ so only the flags differ; cmd/go's action IDs ignore it, so
    # these use a GOCACHE of their own, named after the epoch (else a stale C object is reused)
    "cgo_cflags": (
        CGOC_T.with_(env=(*NATIVE_CGO, *SOURCE_DATE_EPOCH, ("CGO_CFLAGS", "-O2")), gocache=SDE_CACHE),
        CGOC_T.with_(env=(*NATIVE_CGO, *SOURCE_DATE_EPOCH, ("CGO_CFLAGS", "-O1")), gocache=SDE_CACHE),
    ),
    # same spec, but b compiles the C code later, in its own GOCACHE, so __TIME__ differs
    "cgo_date": (CGOC_T, CGOC_T.with_(gocache="cgo-date")),
    "extlink": (HT, HT.with_(flags=(*T, "-ldflags=-linkmode=external"))),
    "embed": (
        BuildSpec("embed", flags=T),
        BuildSpec("embed", flags=T, edits=(("data.txt", "embedded content, version B\n"),)),
    ),
    "genorder": (BuildSpec("genorder", flags=T), BuildSpec("genorder", flags=T, edits=_reordered_genorder())),
    "dep_version": (
        BuildSpec("withdep", flags=T),
        BuildSpec(
            "withdep",
            flags=T,
            edits=(
                *_replace_once("withdep", "go.mod", "example.com/dep v1.0.0", "example.com/dep v1.1.0"),
                *_replace_once("withdep", "dep/dep.go", 'Version = "1.0.0"', 'Version = "1.1.0"'),
            ),
        ),
    ),
    # main prints the dependency's exported Version itself: main's own code loads the bumped string,
    # which is the dependency's constant (it holds the module's version), not main's literal
    "dep_const_in_main": (
        BuildSpec("withdep", flags=T, edits=_WITHDEP_MAIN),
        BuildSpec("withdep", flags=T, edits=(*_WITHDEP_MAIN, *_DEP_BUMP)),
    ),
    # ... beside another minor release: the release's strings are its, the bumped constant the module's
    "toolchain_minor_dep_const": (
        BuildSpec("withdep", flags=T, edits=_WITHDEP_MAIN, toolchain="1.26.6"),
        BuildSpec("withdep", flags=T, edits=(*_WITHDEP_MAIN, *_DEP_BUMP)),
    ),
    # ... and beside that bump, main's own literal changes too
    "dep_bump_main_literal": (
        BuildSpec("withdep", flags=T, edits=_WITHDEP_MAIN),
        BuildSpec("withdep", flags=T, edits=(*_WITHDEP_MAIN_B, *_DEP_BUMP)),
    ),
    "goexperiment": (HT, HT.with_(env=(("GOEXPERIMENT", GOEXPERIMENT),))),
    "source_change": (
        BuildSpec("multi", flags=T),
        BuildSpec(
            "multi", flags=T, edits=_replace_once("multi", "calc.go", "return a * b", "return a*b + 1")
        ),
    ),
    # the FIPS module's data moves with the longer paths before it, so its checksum follows
    "fips_dirs": (BuildSpec("fips"), BuildSpec("fips", workdir="build-b")),
    # another toolchain recompiles everything, but no toolchain adds a package of the program's own:
    # B's new package stats is source (a distribution rebuilding a newer upstream with a newer Go)
    "toolchain_new_package": (
        BuildSpec("multi", flags=T, toolchain="1.27.2"),
        BuildSpec("multi", flags=T, edits=_NEW_PACKAGE),
    ),
    # the same with functions instead of a package, across a minor release (which changes the
    # standard library's code: the control group of source.py does not apply)
    "toolchain_new_functions": (
        BuildSpec("multi", flags=T, toolchain="1.26.6"),
        BuildSpec("multi", flags=T, edits=_NEW_FUNCTIONS),
    ),
    "toolchain_minor_multi": (BuildSpec("multi", flags=T, toolchain="1.26.6"), BuildSpec("multi", flags=T)),
    # ... and a longer literal of main's own Describe, which the release's changed strings must not hide
    "toolchain_minor_literal": (
        BuildSpec("multi", flags=T, toolchain="1.26.6"),
        BuildSpec("multi", flags=T, edits=_LONGER_LITERAL),
    ),
    # both stripped (as releases ship): the blob of literals is estimated from the string headers
    "stripped_toolchain_minor": (
        BuildSpec("multi", flags=(*T, STRIP), toolchain="1.26.6"),
        BuildSpec("multi", flags=(*T, STRIP)),
    ),
    "stripped_toolchain_literal": (
        BuildSpec("multi", flags=(*T, STRIP), toolchain="1.26.6"),
        BuildSpec("multi", flags=(*T, STRIP), edits=_LONGER_LITERAL),
    ),
    # ... and on one release (the aligner takes the stripped blob's estimate)
    "stripped_literal": (
        BuildSpec("multi", flags=(*T, STRIP)),
        BuildSpec("multi", flags=(*T, STRIP), edits=_LONGER_LITERAL),
    ),
    "stripped_toolchain_embed": (
        BuildSpec("embed", flags=(*T, STRIP), toolchain="1.26.6"),
        BuildSpec("embed", flags=(*T, STRIP), edits=(("data.txt", "embedded content, version B\n"),)),
    ),
    "windows_dirs": (HELLO.with_(env=WINDOWS), HELLO.with_(env=WINDOWS, workdir="build-b")),
    # a longer string literal: PE keeps the literals and the pclntab in one section (.rdata), Mach-O
    # its read-only data in two (__TEXT,__rodata and __DATA_CONST,__rodata)
    "windows_string": (
        BuildSpec("multi", flags=T, env=WINDOWS),
        BuildSpec("multi", flags=T, env=WINDOWS, edits=_LONGER_LITERAL),
    ),
    "darwin_string": (
        BuildSpec("multi", flags=T, env=DARWIN_ARM64),
        BuildSpec("multi", flags=T, env=DARWIN_ARM64, edits=_LONGER_LITERAL),
    ),
    "darwin_dirs": (HELLO.with_(env=DARWIN_ARM64), HELLO.with_(env=DARWIN_ARM64, workdir="build-b")),
    "two_causes": (
        BuildSpec("xvars", flags=("-ldflags=-X main.version=1.2.3",)),
        BuildSpec("xvars", flags=("-ldflags=-X main.version=1.2.4",), workdir="build-b"),
    ),
}

#: pair -> the cause id(s) of design.md's vocabulary that explain it (root causes only).
PAIR_CAUSES: dict[str, tuple[str, ...]] = {
    "dirs": ("build-path",),
    "fips_dirs": ("build-path",),
    "toolchain_new_package": ("toolchain-version", "source-change"),
    "toolchain_new_functions": ("toolchain-version", "source-change"),
    "toolchain_minor_multi": ("toolchain-version",),
    "toolchain_minor_literal": ("toolchain-version", "string-literal"),  # main's own code loads it
    "stripped_toolchain_minor": ("toolchain-version",),
    "stripped_toolchain_literal": ("toolchain-version", "string-literal"),
    "stripped_toolchain_embed": ("toolchain-version", "embedded-content"),
    "dep_const_in_main": ("dependency-version",),
    "toolchain_minor_dep_const": ("toolchain-version", "dependency-version"),
    "dep_bump_main_literal": ("dependency-version", "source-change"),  # banner() loads the new length
    "windows_string": ("source-change",),  # the code loads the new length: the strings change with it
    "stripped_literal": ("source-change",),
    "darwin_string": ("source-change",),
    "dirs_trimpath": ("identical",),
    "vcs_commits": ("vcs-revision",),  # another commit: its time follows (PAIR_CONSEQUENCES)
    "vcs_dirty": ("vcs-modified",),
    "buildvcs": ("vcs-stamping",),
    "x_time": ("ldflags-x",),
    "x_version": ("ldflags-x",),
    "toolchain_patch": ("toolchain-version",),
    "toolchain_minor": ("toolchain-version",),
    "goamd64": ("arch-level",),
    "tags": ("build-setting",),
    "gcflags": ("build-setting",),
    # -trimpath hides -ldflags from buildinfo: what remains is the structure it changed.
    "strip": ("symbol-table",),  # -s removes DWARF too: one root, DWARF its consequence
    "buildid": ("go-build-id",),
    "cgo_enabled": ("build-setting",),
    "cgo_cflags": ("cgo-flags",),
    "cgo_date": ("embedded-timestamp",),
    "extlink": ("linkage",),
    "embed": ("embedded-content",),
    "genorder": ("generated-order",),
    "dep_version": ("dependency-version",),
    "goexperiment": ("goexperiment",),
    "source_change": ("source-change",),
    "windows_dirs": ("build-path",),
    "darwin_dirs": ("build-path",),
    "two_causes": ("build-path", "ldflags-x"),
}

#: consequences a pair must show, from how it was built: cause id -> the root it follows from.
PAIR_CONSEQUENCES: dict[str, dict[str, str]] = {
    "vcs_commits": {"vcs-time": "vcs-revision"},  # the second commit was made later
    "toolchain_minor": {"default-godebug": "toolchain-version"},  # each release has its defaults
    "strip": {"dwarf": "symbol-table"},  # -trimpath hides -ldflags; -s stripped both from A
    "fips_dirs": {"fips-checksum": "build-path"},  # the module's data moved, so its HMAC changed
}

#: old-format binaries: fixture name -> spec built with an older installable toolchain.
OLD_TOOLCHAIN_BUILDS: dict[str, str] = {"linux-1.21": "go1.21", "linux-1.24": "go1.24"}


def old_go_path(name: str) -> Path:
    """The executable behind ``old_go_binary(name)`` (npm download or older-toolchain build)."""
    if name in OLD_TOOLCHAIN_BUILDS:
        return gobuild.build(FIXTURES[OLD_TOOLCHAIN_BUILDS[name]])
    if name not in gobuild.NPM_BINARIES:
        known = sorted([*gobuild.NPM_BINARIES, *OLD_TOOLCHAIN_BUILDS])
        raise KeyError(f"unknown old Go binary {name!r}; known: {known}")
    package, version, _ = gobuild.NPM_BINARIES[name]
    return gobuild.npm_binary(package, version)


@pytest.fixture(scope="session")
def gobuild_available() -> gobuild.Toolchain:
    """The pinned toolchain; FAILS (never skips) the test when it is missing."""
    try:
        tc = gobuild.toolchain()
    except gobuild.GoBuildError as exc:
        pytest.fail(f"Go toolchain unavailable: {exc}", pytrace=False)
    if tc.version != gobuild.DEFAULT_GO:
        pytest.fail(f"pinned toolchain is go{tc.version}, expected go{gobuild.DEFAULT_GO}", pytrace=False)
    return tc


@pytest.fixture(scope="session")
def gobin(gobuild_available: gobuild.Toolchain) -> Callable[[str], Path]:
    """Factory: ``gobin(name)`` builds (or takes from the cache) the fixture ``name`` of FIXTURES."""

    def get(name: str) -> Path:
        if name not in FIXTURES:
            raise KeyError(f"unknown fixture {name!r}; known: {sorted(FIXTURES)}")
        return gobuild.build(FIXTURES[name])

    return get


@pytest.fixture(scope="session")
def gopair(gobuild_available: gobuild.Toolchain) -> Callable[[str], tuple[Path, Path]]:
    """Factory: ``gopair(name)`` returns the two executables of the pair ``name`` of PAIRS."""

    def get(name: str) -> tuple[Path, Path]:
        if name not in PAIRS:
            raise KeyError(f"unknown pair {name!r}; known: {sorted(PAIRS)}")
        return gobuild.build_pair(*PAIRS[name])

    return get


@pytest.fixture(scope="session")
def old_go_binary(gobuild_available: gobuild.Toolchain) -> Callable[[str], Path]:
    """Factory: ``old_go_binary("linux-1.16")`` etc. (see NPM_BINARIES and OLD_TOOLCHAIN_BUILDS)."""
    return old_go_path
