"""A symbol one build only has puts its name in the symbol-name table (.strtab): the name is the
cause's that made the symbol (its data's claimant), and the names after it only moved.

Oracle: ``go tool nm`` (which symbols each build has)."""

from __future__ import annotations

import gobuild
import oracles
from godet.explain.engine import diff_paths
from matrix import factors


def _pair(*combo: str):  # type: ignore[no-untyped-def]
    return gobuild.build_pair(*factors.pair_specs(combo))


def _names(path) -> set[str]:  # type: ignore[no-untyped-def]
    return {n for _, _, n in oracles.go_tool_nm(path)}


def _strtab_bytes(finding) -> int:  # type: ignore[no-untyped-def]
    return sum(r["bytes"] for r in finding.regions if r["section"] == ".strtab")


def test_each_lone_name_goes_to_its_symbols_cause():
    """-X adds main.version.str, -trimpath drops runtime.defaultGOROOT.str: each name is its own
    cause's, and nothing in .strtab stays unexplained."""
    pa, pb = _pair("trimpath", "x-added")
    na, nb = _names(pa), _names(pb)
    assert nb - na >= {"main.version.str"}
    assert na - nb >= {"runtime.defaultGOROOT.str"}
    rep = diff_paths(str(pa), str(pb))
    roots = {f.cause: f for f in rep.roots}
    assert set(roots) == {"trimpath", "ldflags-x"}
    assert _strtab_bytes(roots["ldflags-x"]) > 0
    assert _strtab_bytes(roots["trimpath"]) > 0
    assert not [r for r in rep.unexplained if r.unit.startswith(".strtab")]


def test_an_added_x_value_is_explained_whole():
    pa, pb = _pair("x-added")
    assert _names(pb) - _names(pa) == {"main.version.str"}
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["ldflags-x"]
    assert _strtab_bytes(rep.roots[0]) > 0
    # every differing byte of .strtab is the -X value's or (the names after it) the layout's
    differing = sum(s.differing for s in rep.sections if s.name == ".strtab")
    assert differing > 0
    assert abs(sum(_strtab_bytes(f) for f in rep.causes) - differing) <= 1
