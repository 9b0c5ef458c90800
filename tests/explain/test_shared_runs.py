"""A setting both buildinfos record differently is a root even when its modinfo line shares a
differing run with another line, whose cause settled first: A's DefaultGODEBUG line stands where
B has -pgo, and a release change takes every other byte.

Oracle: ``go version -m`` (which settings each build records)."""

from __future__ import annotations

import gobuild
import oracles
from godet.explain.engine import diff_paths
from matrix import factors


def _settings(path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {s["Key"]: s.get("Value", "") for s in oracles.go_version_m_json(path)["Settings"]}


def test_pgo_line_beside_a_godebug_line_and_a_release():
    a, b = factors.pair_specs(("go-line", "pgo"))
    pa, pb = gobuild.build_pair(a.with_(toolchain="1.26.6"), b.with_(toolchain="1.24.11"))
    sa, sb = _settings(pa), _settings(pb)
    assert "-pgo" in sb and "-pgo" not in sa
    assert "DefaultGODEBUG" in sa and "DefaultGODEBUG" not in sb
    rep = diff_paths(str(pa), str(pb))
    roots = {f.cause for f in rep.roots}
    assert roots == {"toolchain-version", "default-godebug", "pgo-profile"}
    assert "PGO profile differs" in rep.verdict


def _dep_dirs(path) -> set[str]:  # type: ignore[no-untyped-def]
    """The module-cache directories DWARF's line tables name (readelf's reading)."""
    out = oracles._readelf(path, "--debug-dump=line")
    return {line.split()[-1] for line in out.splitlines() if "/modcache/" in line}


def test_module_cache_elsewhere_beside_a_goroot_and_a_release():
    """The dependency's files name the module cache; a release change took the file table the
    prefixes share: the module cache elsewhere is a root all the same."""
    a, b = factors.pair_specs(("gomodcache", "goroot"))
    pa, pb = gobuild.build_pair(a.with_(toolchain="1.26.6"), b.with_(toolchain="1.24.11"))
    fa, fb = _dep_dirs(pa), _dep_dirs(pb)
    assert fa and fb and fa.isdisjoint(fb)
    rep = diff_paths(str(pa), str(pb))
    assert {f.cause for f in rep.roots} == {"toolchain-version", "goroot-path", "module-cache-path"}
    assert "module cache" in rep.verdict
