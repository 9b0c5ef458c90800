"""Releases built by Bazel's rules_go, from npm: bazelisk 1.7.5 -> 1.8.1 -> 1.9.0 (@bazel/bazelisk:
go1.15.2, then go1.16.4, for linux, darwin and windows; linux stripped) and ibazel 0.27.0 -> 0.28.0
(@bazel/ibazel: go1.23.0; darwin with cgo, stripped and linked by ld64).

rules_go sets no module information: runtime.modinfo keeps its zero value, in .bss, so the
buildinfo's modinfo pointer leads to memory the file does not hold. ``go version -m`` reads that
as an empty string and still names the Go version; godet called the whole buildinfo corrupt, lost
the Go version, and blamed a toolchain change on the source. Before Go 1.26 the findfunctab (the
pc -> function index the linker builds from the code's addresses) lies in .rodata: a release
that grows the code grows it, and its new bytes were left unexplained on the stripped builds.

ibazel's darwin builds keep the C symbols ld64 needs and none of Go's: the string variable that
-ldflags -X stamped ('v0.27.0' vs 'v0.28.0') was taken for a named one and left to the source
change (darwin/amd64), and on darwin/arm64, where ld64 writes every pointer as a chained fixup,
no string header nor moduledata was found at all. Then the strings the -X value's finding owned
were said to be moved by it, though a value of the same length moves nothing.
Oracles: ``go version -m``, ``go tool buildid``, ``go tool nm -size`` (on the unstripped darwin
build), lief (the dylibs' load commands), the files' bytes and package.json.
"""

from __future__ import annotations

import lief

import gobuild
from godet.api import diff, inspect
from oracles import go_tool_buildid, go_tool_nm, go_tool_nm_sizes, go_version_m

PACKAGE = "@bazel/bazelisk"
IBAZEL = "@bazel/ibazel"


def _bin(version: str, platform: str = "linux_amd64"):  # type: ignore[no-untyped-def]
    return gobuild.npm_binary(PACKAGE, version, (f"bazelisk-{platform}",))


def _go_version(path) -> str:  # type: ignore[no-untyped-def]
    first, *rest = go_version_m(path).splitlines()
    assert not [line for line in rest if line.strip()], "rules_go records no module information"
    return first.rsplit(": ", 1)[1]


def test_zero_modinfo_keeps_the_go_version(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    path = _bin("1.8.1")
    (facts,) = inspect(str(path))
    assert facts.go_version == _go_version(path) == "go1.15.2"
    assert facts.buildinfo_problem is None
    assert facts.buildinfo is not None and facts.buildinfo.main is None
    buildid = go_tool_buildid(path)
    assert facts.go_build_id is not None and facts.go_build_id.value == buildid


def test_another_toolchain_is_a_toolchain_root(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    a, b = _bin("1.8.1"), _bin("1.9.0")
    versions = (_go_version(a), _go_version(b))
    assert versions[0] != versions[1]
    rep = diff(str(a), str(b))
    (tc,) = [f for f in rep.roots if f.cause == "toolchain-version"]
    assert ("Go version", *versions) in [(e.label, e.a, e.b) for e in tc.evidence]
    assert tc.bytes > 0.99 * rep.differing_bytes
    assert rep.unexplained_bytes == 0


def test_findfunctab_of_a_stripped_release_follows_the_code(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    a, b = _bin("1.7.5"), _bin("1.8.1")
    assert _go_version(a) == _go_version(b)  # one toolchain: the release's source changed
    rep = diff(str(a), str(b))
    assert {f.cause for f in rep.roots} <= {"source-change", "ldflags-x"}
    assert rep.unexplained_bytes == 0
    # the table the rest was in: where go tool nm puts runtime.findfunctab in the unstripped build
    mac = _bin("1.8.1", "darwin_amd64")
    (facts,) = inspect(str(mac))
    assert facts.pclntab.findfunctab[1] == go_tool_nm_sizes(mac)["runtime.findfunctab"][1]


def test_dylibs_in_another_order_are_named_by_their_order(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """go1.16's linker lists Security before CoreFoundation where go1.15's listed them the other way."""
    a, b = _bin("1.8.1", "darwin_amd64"), _bin("1.9.0", "darwin_amd64")
    libs = []
    for p in (a, b):
        macho = lief.parse(str(p))  # (kept alive while its libraries are read)
        libs.append([lib.name.rsplit("/", 1)[-1] for lib in macho.libraries])
    assert libs[0] != libs[1] and sorted(libs[0]) == sorted(libs[1])
    rep = diff(str(a), str(b))
    (lk,) = [f for f in rep.consequences if f.cause == "linkage"]
    assert lk.because == "toolchain-version"
    assert [(e.label, e.a, e.b) for e in lk.evidence] == [("dylibs order", *map(", ".join, libs))]


def test_x_value_of_a_stripped_cgo_macho(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    for platform in ("darwin_amd64", "darwin_arm64"):
        a, b = (gobuild.npm_binary(IBAZEL, v, (f"{platform}/ibazel",)) for v in ("0.27.0", "0.28.0"))
        values = (b"v0.27.0\0", b"v0.28.0\0")
        assert values[0] in a.read_bytes() and values[1] in b.read_bytes()
        rep = diff(str(a), str(b))
        (x,) = [f for f in rep.roots if f.cause == "ldflags-x"]
        assert [(e.a, e.b) for e in x.evidence] == [("v0.27.0", "v0.28.0")]
        assert x.bytes <= 2 * 8  # a value of the same length: its own bytes, no moved strings
        (shift,) = [f for f in rep.consequences if f.cause == "layout-shift"]
        assert shift.because == "source-change"
        assert rep.unexplained_bytes == 0, platform


def test_funcdata_of_go114_releases_follows_the_code(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """bazelisk 1.5.0 -> 1.6.1 (go1.14 both, go version -m): before 1.18 no moduledata.gofunc says
    where the funcdata lie (the records hold their addresses); 164 bytes of them (linux, stripped)
    and 935 (darwin) were unexplained, and 8 of darwin's non-lazy symbol pointers (an import more)."""
    for platform in ("linux_amd64", "darwin_amd64"):
        a, b = _bin("1.5.0", platform), _bin("1.6.1", platform)
        assert _go_version(a) == _go_version(b) == "go1.14"
        rep = diff(str(a), str(b))
        assert "toolchain-version" not in {r.cause for r in rep.roots}
        assert rep.unexplained_bytes == 0, platform


def test_symbol_table_rule_reads_go_symbols_only(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """GD305 told ibazel's darwin builds (linked with -s by ld64) to link with -s: the 55 defined
    symbols left are the C ones cgo exports and dyld needs, which -s cannot omit. Oracle: go tool nm
    lists no runtime.main there; bazelisk's unstripped darwin build keeps it."""
    from godet.api import check

    stripped = gobuild.npm_binary(IBAZEL, "0.28.0", ("darwin_arm64/ibazel",))
    named = _bin("1.9.0", "darwin_amd64")
    names = [{n for _a, _t, n in go_tool_nm(p)} for p in (stripped, named)]
    assert "runtime.main" not in names[0] and "runtime.main" in names[1]
    assert any(not n.startswith("runtime.") for n in names[0])  # (a symbol table is there)
    rep = check([str(stripped), str(named)])
    rules = [{f.rule for f in r.findings} for r in rep.results]
    assert "GD305" not in rules[0] and "GD305" in rules[1]
