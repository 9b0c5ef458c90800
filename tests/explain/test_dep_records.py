"""A bumped dependency owns what the pclntab holds for its functions, not only their code.

Found on go-task 3.45.5 -> 3.46.2 (PyPI wheels, stripped): 64 modules changed and a patch release
(go1.25.4 -> go1.25.5). The new modules' functions (12 MB more code) bring their names, _func
records and pc-value tables; those 5 MB of .gopclntab went to the release's claim on everything
(toolchain-version 62 % of the differing bytes, the dependencies 38 %). Here B's dependency gains
functions beside a release; the names ``go tool nm`` lists for them lie in B's pclntab, and the
dependency's cause must hold at least those bytes there.

Oracles: ``go tool nm`` (the new functions), ``go version -m`` (the two releases).
"""

from __future__ import annotations

import numpy as np

import gobuild
import oracles
from godet.explain.engine import diff_paths
from godet.read.binary import open_binaries
from matrix import factors

EXTRA = 60  # functions B's dependency gains


def _grown(spec: gobuild.BuildSpec) -> gobuild.BuildSpec:
    """B's dependency at v1.1.0 with EXTRA more functions, kept by the package's init."""
    funcs = "".join(
        f"\n//go:noinline\nfunc ExtraStep{i:02d}(n int) int {{ return n*{i + 3} + len(Version) - {i} }}\n"
        for i in range(EXTRA)
    )
    calls = " + ".join(f"ExtraStep{i:02d}(len(Version))" for i in range(EXTRA))
    dep = (
        factors._content(spec, "dep/dep.go")
        + funcs
        + f"\nvar extraSink int\n\nfunc init() {{ extraSink = {calls} }}\n"
    )
    spec = spec.with_(edits=(*(e for e in spec.edits if e[0] != "dep/dep.go"), ("dep/dep.go", dep)))
    return factors._dep_bump(spec)


def test_new_functions_of_a_bumped_dependency_bring_their_pclntab_bytes() -> None:
    base = factors.BASE
    pa, pb = gobuild.build_pair(base.with_(toolchain=factors.TOOLCHAIN_MINOR), _grown(base))
    assert oracles.go_version_m_json(pa)["GoVersion"] != oracles.go_version_m_json(pb)["GoVersion"]
    new = [n for _, kind, n in oracles.go_tool_nm(pb) if kind == "T" and ".ExtraStep" in n]
    assert len(new) == EXTRA
    with open_binaries(str(pb)) as (b,):
        tab = b.pclntab
        # the oracle's names are in the pclntab's name table, once each, NUL-terminated
        names = tab.name_table()
        assert all(names.count(n.encode() + b"\0") == 1 for n in new)
        # what record_spans gives each of them starts with its name
        idx = np.array([tab.index_of(n) for n in new])
        spans = tab.record_spans(idx)
        data = bytes(b.image.data[tab.offset : tab.offset + tab.size])
        starts = {data[s - tab.offset : e - tab.offset] for s, e in spans.tolist()}
        assert all(n.encode() + b"\0" in starts for n in new)
    name_bytes = sum(len(n) + 1 for n in new)
    rep = diff_paths(str(pa), str(pb))
    assert {f.cause for f in rep.roots} >= {"toolchain-version", "dependency-version"}
    (dep,) = [f for f in rep.roots if f.cause == "dependency-version"]
    held = sum(r["bytes"] for r in dep.regions if r["section"] == ".gopclntab")
    assert held >= name_bytes, (held, name_bytes)
