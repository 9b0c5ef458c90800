"""Factor pairs built with Go 1.24 (Debian trixie's Go), whose layouts differ from the releases the
matrix builds with: the file table's neighbours in the pclntab, and C data that a Go literal moves.

Oracles: go version -m (the release and the settings), readelf (the symbol tables)."""

from __future__ import annotations

import gobuild
import oracles
from godet.explain.engine import diff_paths
from matrix import factors

RELEASE = "1.24.11"


def _pair(*combo: str):  # type: ignore[no-untyped-def]
    a, b = (s.with_(toolchain=RELEASE) for s in factors.pair_specs(combo))
    pa, pb = gobuild.build_pair(a, b)
    assert oracles.go_version_m_json(pa)["GoVersion"] == f"go{RELEASE}"
    return pa, pb


def test_trimpath_explains_the_whole_file_table():
    """cutab's length is in bytes before Go 1.26: the file table after it is -trimpath's."""
    pa, pb = _pair("trimpath")
    settings = [
        {s["Key"]: s.get("Value") for s in oracles.go_version_m_json(p)["Settings"]} for p in (pa, pb)
    ]
    assert settings[0].get("-trimpath") is None and settings[1]["-trimpath"] == "true"
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["trimpath"]
    assert not [r for r in rep.unexplained if r.unit.startswith(".gopclntab")]
    assert rep.unexplained_bytes < 0.001 * rep.differing_bytes


def test_c_date_behind_a_longer_literal():
    """A Go literal of another length moves the C data after it: __DATE__ is still found (in order)."""
    pa, pb = _pair("c-date", "string-other-length")
    # the host objects' read-only data lies after runtime.erodata, which the symbol table names
    assert any(n == "runtime.erodata" for _, _, n in oracles.go_tool_nm(pa))
    rep = diff_paths(str(pa), str(pb))
    assert {f.cause for f in rep.roots} == {"embedded-timestamp", "string-literal"}


def test_a_go_line_that_leaves_one_side_without_defaults():
    """go 1.23 vs go 1.24 under Go 1.24: only A records DefaultGODEBUG, and the runtime's copy of
    it in A's read-only data is that cause's too, not a changed string literal."""
    pa, pb = _pair("go-line")
    values = [
        {s["Key"]: s.get("Value") for s in oracles.go_version_m_json(p)["Settings"]}.get("DefaultGODEBUG")
        for p in (pa, pb)
    ]
    assert values[0] and values[1] is None
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["default-godebug"]
