"""A Go release that moves standard-library files (go1.26 moved strconv's internals to
internal/strconv) changes their paths inside one GOROOT: that is the release's doing, not a GOROOT
in another place.

Oracles: the two releases' own GOROOT trees (where the file is) and ``go version -m`` (the releases)."""

from __future__ import annotations

import gobuild
import oracles
from godet.explain.engine import diff_paths
from matrix import factors

NEW, OLD = "1.26.6", "1.24.11"
MOVED = ("src/internal/strconv/decimal.go", "src/strconv/decimal.go")  # (in NEW, in OLD)


def test_files_moved_by_a_release_are_not_a_goroot_move():
    new, old = gobuild.toolchain(NEW), gobuild.toolchain(OLD)
    assert (new.goroot / MOVED[0]).is_file() and not (new.goroot / MOVED[1]).is_file()
    assert (old.goroot / MOVED[1]).is_file() and not (old.goroot / MOVED[0]).is_file()
    a, b = factors.BASE.with_(toolchain=NEW), factors.BASE.with_(toolchain=OLD)
    assert a.goroot == b.goroot  # both releases are installed at the same GOROOT path
    pa, pb = gobuild.build_pair(a, b)
    assert [oracles.go_version_m_json(p)["GoVersion"] for p in (pa, pb)] == [f"go{NEW}", f"go{OLD}"]
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["toolchain-version"]
    assert rep.unexplained_bytes == 0


def test_a_goroot_elsewhere_is_still_found_beside_a_release():
    a, b = factors.pair_specs(("goroot",))
    pa, pb = gobuild.build_pair(a.with_(toolchain=NEW), b.with_(toolchain=OLD))
    rep = diff_paths(str(pa), str(pb))
    assert {f.cause for f in rep.roots} == {"toolchain-version", "goroot-path"}
