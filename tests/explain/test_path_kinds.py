"""A file of the module cache is never a file of GOROOT moved: a package one build takes from a
module and the other from the standard library (x/crypto's pbkdf2 and crypto/pbkdf2, as sqlc 1.30
to 1.31 did) holds files of the same names, which paired by name made the module cache and GOROOT
one "moved" tree and named a false module-cache-path root.

Oracles: ``go tool nm`` (which build holds dep.Sum and which crypto/sha256.Sum256) and ``go version
-m`` (the same dependency in both)."""

from __future__ import annotations

import gobuild
import oracles
from godet.explain.engine import diff_paths
from matrix import factors

DEP_SUM = """package dep

// Sum is a checksum of the dependency's own, in a file named like crypto/sha256's.
//
//go:noinline
func Sum(b []byte) int {
\tn := 0
\tfor _, c := range b {
\t\tn = n*31 + int(c)
\t}
\treturn n
}
"""
PROXY = ((factors.DEP_PATH, "v1.0.0", f"{factors.SRC}/dep", (("sha256.go", DEP_SUM),)),)
CALL = "dep.Describe(mix(len(os.Args), 7))"


def _spec(call: str, imports: str = "") -> gobuild.BuildSpec:
    base = factors.edit(factors.BASE, "go.mod", f"\nreplace {factors.DEP_PATH} => ./dep\n", "\n")
    spec = factors.edit(base.with_(goproxy=PROXY), "main.go", CALL, f"{CALL}, {call}")
    return factors.edit(spec, "main.go", '\t"fmt"\n', f'\t"fmt"\n{imports}') if imports else spec


def test_module_file_is_not_a_moved_goroot_file(gobuild_available: gobuild.Toolchain) -> None:
    a = _spec('dep.Sum([]byte("x"))')
    b = _spec('sha256.Sum256([]byte("x"))', '\t"crypto/sha256"\n')
    pa, pb = gobuild.build_pair(a, b)
    na = {n for _a, _k, n in oracles.go_tool_nm(pa)}
    nb = {n for _a, _k, n in oracles.go_tool_nm(pb)}
    assert f"{factors.DEP_PATH}.Sum" in na and f"{factors.DEP_PATH}.Sum" not in nb
    assert "crypto/sha256.Sum256" in nb and "crypto/sha256.Sum256" not in na
    deps = [{(d["Path"], d["Version"]) for d in oracles.go_version_m_json(p)["Deps"]} for p in (pa, pb)]
    assert deps[0] == deps[1]
    rep = diff_paths(str(pa), str(pb))
    causes = {f.cause for f in rep.causes}
    assert [f.cause for f in rep.roots] == ["source-change"], rep.roots
    assert not causes & {"module-cache-path", "goroot-path", "build-path"}
    assert rep.unexplained_bytes <= 0.005 * rep.differing_bytes


def test_trimpath_owns_the_gap_defaultgoroot_leaves(gobuild_available: gobuild.Toolchain) -> None:
    """Only A built without -trimpath, GOROOT as short as /usr/local/go: A's .data holds the string
    header runtime.defaultGOROOT, B's does not (go tool nm), and the byte alignment put that 16-byte
    gap at its neighbour runtime.buildVersion. -trimpath's finding claims the variable and the gap
    beside it: nothing is left unexplained (16 bytes were, at runtime.buildVersion)."""
    a = gobuild.BuildSpec(src="hello", goroot="/tmp/godet-gr")  # 13 characters, like /usr/local/go
    pa, pb = gobuild.build(a), gobuild.build(a.with_(flags=("-trimpath",)))
    data = {p: {n for _x, t, n in oracles.go_tool_nm(p) if t == "D"} for p in (pa, pb)}
    assert "runtime.defaultGOROOT" in data[pa] and "runtime.defaultGOROOT" not in data[pb]
    rep = diff_paths(str(pa), str(pb))
    assert [r.cause for r in rep.roots] == ["trimpath"]
    assert rep.unexplained_bytes == 0, rep.unexplained
