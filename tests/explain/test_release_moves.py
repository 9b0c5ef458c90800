"""A Go release that moves standard-library files (go1.26 moved strconv's internals to
internal/strconv) changes their paths inside one GOROOT: that is the release's doing, not a GOROOT
in another place.

Oracles: the two releases' own GOROOT trees (where the file is) and ``go version -m`` (the releases)."""

from __future__ import annotations

import pytest

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


def test_a_goroot_named_after_its_release_follows_the_release():
    """Debian installs each release at /usr/lib/go-X.Y (golang.org/dl at ~/sdk/goX.Y.Z): GOROOTs that
    differ only by the release in their names move with the release, a consequence of it. The files
    the release moved inside GOROOT (strconv) are no second pair of prefixes."""
    a = factors.BASE.with_(toolchain=NEW, goroot="go-" + NEW.rsplit(".", 1)[0])
    b = factors.BASE.with_(toolchain=OLD, goroot="go-" + OLD.rsplit(".", 1)[0])
    pa, pb = gobuild.build_pair(a, b)
    roots = [gobuild.goroot_dir(s) for s in (a, b)]
    assert [(r / MOVED[i]).is_file() for i, r in enumerate(roots)] == [True, True]  # strconv moved
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["toolchain-version"]
    moved = next(f for f in rep.causes if f.cause == "goroot-path")
    assert (moved.role, moved.because) == ("consequence", "toolchain-version")
    # one pair of prefixes: the GOROOTs' (up to the element they differ in; both end in go/)
    assert [(e.a, e.b) for e in moved.evidence if e.label == "path prefix"] == [
        tuple(str(r.parent) for r in roots)
    ]
    # named otherwise (the factor's two copies), the GOROOT stays a root of its own: see the test above


@pytest.mark.parametrize(
    ("a", "b", "follows"),
    [
        ("/usr/lib/go-1.24", "/usr/lib/go-1.26", True),  # Debian
        ("/home/dev/sdk/go1.24.4", "/home/dev/sdk/go1.26.2", True),  # golang.org/dl
        ("/usr/local/go1.24", "/usr/local/go1.26", True),
        ("/opt/go-1.24", "/srv/go-1.26", False),  # moved besides
        ("/opt/matrix", "/opt/matrix-elsewhere", False),  # no release in the names
        ("/opt/go-1.24", "/opt/go-1.25", False),  # another release than the builds'
    ],
)
def test_which_goroots_are_named_after_their_release(a: str, b: str, follows: bool) -> None:
    from godet.explain.causes import CONDITIONS
    from godet.explain.detectors.base import Evidence, Finding

    release = Finding("toolchain-version", "", [Evidence("Go version", "go1.24.4", "go1.26.2")])
    goroot = Finding("goroot-path", "", [Evidence("path prefix", a, b)])
    assert CONDITIONS["goroot-names-release"](release, goroot) is follows
