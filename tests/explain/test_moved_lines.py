"""Lines added to a source file move the functions below them: the pclntab's startLine of each
function the main module declares tells a source edit that left the code alike (a comment), and
one beside a cause that recompiles every function (a new release), where comparing code cannot.

Oracles: readelf's DW_AT_decl_line of each function (the line of its ``func`` keyword) and
``go version -m`` (the releases)."""

from __future__ import annotations

from pathlib import Path

import pytest

import gobuild
import oracles
from godet.explain.causes import MOVED_LINES
from godet.explain.engine import diff_paths
from godet.read.owners import repository_root
from matrix import factors


def _moved(rep) -> list:  # type: ignore[no-untyped-def]
    return [f for f in rep.roots if f.cause == "source-change" and f.key == MOVED_LINES]


def test_lines_added_above_functions_are_a_source_change() -> None:
    pa, pb = gobuild.build_pair(*factors.pair_specs(("func-lines",)))
    decl = [oracles.readelf_decl_lines(p) for p in (pa, pb)]
    assert decl[0]["main.mix"] + 2 == decl[1]["main.mix"]  # the factor: two lines above mix
    rep = diff_paths(str(pa), str(pb))
    [found] = _moved(rep)
    assert [f.cause for f in rep.roots] == ["source-change"]
    assert "go-build-id" in {f.cause for f in rep.consequences}  # the build ID follows the source
    ev = found.evidence[0]
    assert (ev.a, ev.b) == (
        f"main.mix at main.go:{decl[0]['main.mix']}",
        f"main.mix at main.go:{decl[1]['main.mix']}",
    )
    # every function it names starts on other lines in the two builds' DWARF
    assert found.places and all(decl[0][n] != decl[1][n] for n in found.places)
    assert rep.unexplained_bytes == 0


def test_lines_moved_beside_a_new_release() -> None:
    a, b = factors.pair_specs(("func-lines",))
    pa, pb = gobuild.build_pair(a.with_(toolchain=factors.TOOLCHAIN_MINOR), b)
    versions = [oracles.go_version_m_json(p)["GoVersion"] for p in (pa, pb)]
    assert versions == [f"go{factors.TOOLCHAIN_MINOR}", f"go{gobuild.DEFAULT_GO}"]
    rep = diff_paths(str(pa), str(pb))
    assert {f.cause for f in rep.roots} == {"toolchain-version", "source-change"}
    assert len(_moved(rep)) == 1
    # the same source built by the two releases: functions start on the same lines
    pa2, pb2 = gobuild.build_pair(a.with_(toolchain=factors.TOOLCHAIN_MINOR), a)
    same = diff_paths(str(pa2), str(pb2))
    assert [f.cause for f in same.roots] == ["toolchain-version"]


def test_a_function_a_build_tag_takes_from_another_file_did_not_move(tmp_path: Path) -> None:
    """-tags picks one of two files that declare the same function on other lines: that function
    comes from another file, not from lines added above it."""
    on = "//go:build feature\n\npackage main\n\n//go:noinline\nfunc pick() string { return feature }\n"
    off = on.replace("//go:build feature", "//go:build !feature").replace(
        "//go:noinline", "// lower here\n\n//go:noinline"
    )
    a = factors.BASE.with_(edits=(("pick_on.go", on), ("pick_off.go", off)))
    a = factors.edit(a, "main.go", "\textra()\n", "\textra()\n\tprintln(pick())\n")
    pa, pb = gobuild.build_pair(a, factors.add_list_flag(a, "-tags", "feature", ","))
    decl = [oracles.readelf_decl_lines(p)["main.pick"] for p in (pa, pb)]
    assert decl[0] != decl[1]  # the two files declare it on other lines
    rep = diff_paths(str(pa), str(pb))
    assert not _moved(rep)
    assert [(f.cause, f.key) for f in rep.roots] == [("build-setting", "-tags")]


def test_moved_lines_join_the_root_of_a_new_package(gopair) -> None:  # type: ignore[no-untyped-def]
    """B calls a package A lacks (and A is built by the previous minor release): one source-change
    root, the new package's, which also tells the lines that moved below the new call."""
    a, b = gopair("toolchain_new_package")
    decl = [oracles.readelf_decl_lines(p) for p in (a, b)]
    moved = {n for n in decl[0].keys() & decl[1].keys() if n.startswith("main.") and decl[0][n] != decl[1][n]}
    assert moved  # the oracle: functions below the added ones start further down
    rep = diff_paths(str(a), str(b))
    [root] = [f for f in rep.roots if f.cause == "source-change"]
    assert root.key == "packages of the main module"  # (the new package is the main module's)
    [ev] = [e for e in root.evidence if e.label == MOVED_LINES]
    name = ev.a.split(" at ")[0]
    assert name in moved and ev.a.endswith(f":{decl[0][name]}") and ev.b.endswith(f":{decl[1][name]}")
    assert not any(f.key == MOVED_LINES for f in rep.causes)  # folded, not a second finding


@pytest.mark.parametrize(
    ("path", "root"),
    [
        ("github.com/hjson/hjson-go/v4/hjson-cli", "github.com/hjson/hjson-go/v4"),
        ("github.com/junegunn/fzf", "github.com/junegunn/fzf"),
        ("golang.org/x/tools/cmd/stringer", "golang.org/x/tools"),
        ("k8s.io/kubernetes/cmd/kubectl", "k8s.io/kubernetes"),
        ("go.etcd.io/etcd/v3/etcdctl", "go.etcd.io/etcd/v3"),
        ("example.com/factor", "example.com/factor"),
        ("_/build/govarnam-1.9.0", ""),  # a directory outside GOPATH
        ("command-line-arguments", ""),
        ("mytool", ""),
    ],
)
def test_repository_of_a_gopath_main_package(path: str, root: str) -> None:
    assert repository_root(path) == root


def test_lines_moved_in_a_package_of_a_gopath_program() -> None:
    """No module recorded (GOPATH mode): the program's own packages are those of its main package's
    repository, so a function of example.com/factor/internal/table that moved is the program's."""
    _, gopath = factors.pair_specs(("gopath-mode",))
    rel = "internal/table/table_gen.go"
    a = factors.edit(gopath, rel, "\nfunc Sum() int {", "\n//go:noinline\nfunc Sum() int {")
    b = factors.edit(a, rel, "\n//go:noinline\n", "\n// One line more.\n//go:noinline\n")
    pa, pb = gobuild.build_pair(a, b)
    assert "\tmod\t" not in oracles.go_version_m(pa)  # GOPATH mode: no main module
    decl = [oracles.readelf_decl_lines(p)["example.com/factor/internal/table.Sum"] for p in (pa, pb)]
    assert decl[0] + 1 == decl[1]
    rep = diff_paths(str(pa), str(pb))
    [found] = _moved(rep)
    assert found.places == ["example.com/factor/internal/table.Sum"]
    assert found.evidence[0].b == f"example.com/factor/internal/table.Sum at table_gen.go:{decl[1]}"
