"""One program whose module was renamed (here: moved to major version 2) is still one program: the
pair is explained, with the renamed module as a root, not refused as two unrelated programs.

Oracle: ``go version -m`` (the main module and package of each build)."""

from __future__ import annotations

import pytest

import gobuild
import oracles
from godet.explain.engine import diff_paths
from matrix import factors

OLD, NEW = "example.com/factor", "example.com/factor/v2"
FILES = ("go.mod", "main.go", "withc.go")


def _renamed(spec: gobuild.BuildSpec) -> gobuild.BuildSpec:
    """``spec`` with the module renamed to NEW (go.mod's module line and the imports of its own packages)."""
    edits = []
    for name in FILES:
        text = (factors.PKG_DIR / name).read_text()
        if name == "go.mod":
            text = text.replace(f"module {OLD}\n", f"module {NEW}\n")
        else:
            text = text.replace(f'"{OLD}/internal/', f'"{NEW}/internal/')
        edits.append((name, text))
    return spec.with_(edits=tuple(edits))


def _main(path) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    info = oracles.go_version_m_json(path)
    return info["Main"]["Path"], info["Path"]


def test_a_module_moved_to_v2_is_the_same_program():
    pa, pb = gobuild.build_pair(factors.BASE, _renamed(factors.BASE))
    assert _main(pa) == (OLD, OLD) and _main(pb) == (NEW, NEW)
    rep = diff_paths(str(pa), str(pb))
    assert rep.related
    roots = {f.cause: f for f in rep.roots}
    assert "module-path" in roots and "unrelated-programs" not in roots
    ev = {e.label: (e.a, e.b) for e in roots["module-path"].evidence}
    assert ev["main module"] == (OLD, NEW)
    assert rep.unexplained_bytes < 0.01 * rep.differing_bytes


def test_cgo_glue_follows_the_rename():
    """cgo names a package's C glue after a hash of its path: the C code that differs is the
    rename's consequence, not a change of C flags."""
    pa, pb = gobuild.build_pair(factors.CGO_BASE, _renamed(factors.CGO_BASE))
    assert _main(pb) == (NEW, NEW)
    rep = diff_paths(str(pa), str(pb))
    assert "cgo-flags" not in {f.cause for f in rep.roots}
    assert "module-path" in {f.cause for f in rep.roots}


def test_other_commands_of_one_module_stay_unrelated():
    """Another main package inside the renamed module, or a module of another name: two programs."""
    import dataclasses

    from godet.explain.detectors.buildinfo import renamed_module
    from godet.read.binary import open_binaries

    pa, pb = gobuild.build_pair(factors.BASE, _renamed(factors.BASE))
    with open_binaries(str(pa)) as xs, open_binaries(str(pb)) as ys:
        a, b = xs[0].buildinfo, ys[0].buildinfo
    assert a is not None and b is not None and b.main is not None
    assert renamed_module(a, b)
    assert not renamed_module(a, dataclasses.replace(b, path=NEW + "/cmd/other"))
    other = dataclasses.replace(b.main, path="example.com/tool/v2")
    assert not renamed_module(a, dataclasses.replace(b, main=other, path="example.com/tool/v2"))
    rep = diff_paths(str(pa), str(pb))
    assert rep.related


GOPATH_OFF = (("GO111MODULE", "off"),)


def test_a_repository_moved_to_another_owner_in_gopath_mode():
    """GOPATH mode records no module: a repository moved to another owner shows as a main package
    whose path differs in one element (Debian's irtt: github.com/peteheist/irtt to heistp/irtt)."""
    a, b = (
        gobuild.BuildSpec(
            "hello", flags=("-trimpath",), env=GOPATH_OFF, gopath_import=f"example.com/{who}/hello"
        )
        for who in ("alice", "bob")
    )
    pa, pb = gobuild.build(a), gobuild.build(b)
    info = [oracles.go_version_m_json(p) for p in (pa, pb)]
    assert [i["Path"] for i in info] == ["example.com/alice/hello", "example.com/bob/hello"]
    assert not any(i.get("Main", {}).get("Path") for i in info)  # GOPATH mode: no main module
    rep = diff_paths(str(pa), str(pb))
    assert rep.related
    assert [f.cause for f in rep.roots] == ["module-path"]
    ev = {e.label: (e.a, e.b) for e in rep.roots[0].evidence}
    assert ev["import path prefix"] == ("example.com/alice", "example.com/bob")
    assert rep.unexplained_bytes < 0.01 * rep.differing_bytes


def test_gopath_mode_outside_gopath_names_the_directory():
    """GOPATH mode outside GOPATH names the main package "_" plus its directory (Debian's
    libgovarnam: _/build/reproducible-path/govarnam-1.9.0): one program in two directories."""
    from godet.explain.detectors.buildinfo import local_directories

    a, b = (gobuild.BuildSpec("hello", env=GOPATH_OFF, workdir=f"hello-{v}") for v in ("1.0", "1.1"))
    pa, pb = gobuild.build(a), gobuild.build(b)
    paths = [oracles.go_version_m_json(p)["Path"] for p in (pa, pb)]
    assert all(p.startswith("_/") and p.endswith("/hello") for p in paths) and paths[0] != paths[1]
    rep = diff_paths(str(pa), str(pb))
    assert rep.related and [f.cause for f in rep.roots] == ["build-path"]
    assert rep.unexplained_bytes == 0
    # a version after the directory's name is the same program; another name is another program
    import dataclasses

    from godet.read.binary import open_binaries

    with open_binaries(str(pa)) as xs:
        real = xs[0].buildinfo
    assert real is not None
    bi = [
        dataclasses.replace(real, path=p) for p in ("_/b/govarnam-1.9.0", "_/b/govarnam-1.9.1", "_/b/x-1.9")
    ]
    assert local_directories(bi[0], bi[1]) and not local_directories(bi[0], bi[2])


@pytest.mark.parametrize(
    ("a", "b", "moved"),
    [
        (
            "github.com/peteheist/irtt/cmd/irtt",
            "github.com/heistp/irtt/cmd/irtt",
            ("github.com/peteheist", "github.com/heistp"),
        ),
        (
            "github.com/go-git/go-git/cli/go-git",
            "github.com/go-git/go-git/v5/cli/go-git",
            ("github.com/go-git/go-git", "github.com/go-git/go-git/v5"),
        ),
        ("example.com/x/v2/cmd/t", "example.com/x/cmd/t", ("example.com/x/v2", "example.com/x")),
        ("github.com/a/tool/cmd/server", "github.com/b/other/cmd/server", None),  # two elements: two programs
        ("github.com/a/tool/cmd/one", "github.com/a/tool/cmd/two", None),  # another command
        (
            "github.com/a/tool/cmd/t",
            "github.com/a/tool/vendor/cmd/t",
            None,
        ),  # an element that is no major version
    ],
)
def test_gopath_renames(a: str, b: str, moved: tuple[str, str] | None) -> None:
    import dataclasses

    from godet.explain.detectors.buildinfo import renamed_prefixes
    from godet.read.binary import open_binaries

    spec = gobuild.BuildSpec(
        "hello", flags=("-trimpath",), env=GOPATH_OFF, gopath_import="example.com/alice/hello"
    )
    with open_binaries(str(gobuild.build(spec))) as xs:
        real = xs[0].buildinfo
    assert real is not None and (real.main is None or real.main.is_zero)
    assert renamed_prefixes(dataclasses.replace(real, path=a), dataclasses.replace(real, path=b)) == moved


def test_gopath_mode_against_module_mode_at_another_major_version() -> None:
    """Debian's incus: github.com/lxc/incus/cmd/incus-user in GOPATH mode, then module
    github.com/lxc/incus/v7: one program moved to v7 (and to module mode), not two programs."""
    import dataclasses

    from godet.explain.detectors.buildinfo import renamed_module, renamed_prefixes
    from godet.read.binary import open_binaries

    specs = (
        gobuild.BuildSpec(
            "hello", flags=("-trimpath",), env=GOPATH_OFF, gopath_import="example.com/alice/hello"
        ),
        gobuild.BuildSpec("hello", flags=("-trimpath",)),
    )
    infos = []
    for spec in specs:
        with open_binaries(str(gobuild.build(spec))) as xs:
            infos.append(xs[0].buildinfo)
    gopath, module = infos
    assert gopath is not None and module is not None and module.main is not None and not module.main.is_zero
    a = dataclasses.replace(gopath, path="github.com/lxc/incus/cmd/incus-user")
    main = dataclasses.replace(module.main, path="github.com/lxc/incus/v7")
    b = dataclasses.replace(module, path="github.com/lxc/incus/v7/cmd/incus-user", main=main)
    assert renamed_prefixes(a, b) == ("github.com/lxc/incus", "github.com/lxc/incus/v7")
    assert renamed_module(a, b)
    # with modules on both sides the modules decide (renamed_module's own test above)
    assert renamed_prefixes(dataclasses.replace(a, main=main), b) is None


def test_a_command_moved_into_cmd_is_the_same_program() -> None:
    """Debian's gitbatch 0.5.0 to 0.6.1: the main package moved from the repository's root to
    cmd/gitbatch. One program whose source changed, not two programs."""
    from godet.explain.detectors.buildinfo import main_moved_to_cmd

    main = (gobuild.TESTDATA / "hello" / "main.go").read_text()
    a = gobuild.BuildSpec("hello", flags=("-trimpath",))
    b = a.with_(edits=(("cmd/hello/main.go", main),), pkg="./cmd/hello")
    pa, pb = gobuild.build_pair(a, b)
    assert [oracles.go_version_m_json(p)["Path"] for p in (pa, pb)] == [
        "example.com/hello",
        "example.com/hello/cmd/hello",
    ]
    rep = diff_paths(str(pa), str(pb))
    assert rep.related
    moved = [f for f in rep.roots if f.cause == "source-change" and f.key == "main package"]
    assert moved and (moved[0].evidence[0].a, moved[0].evidence[0].b) == (
        "example.com/hello",
        "example.com/hello/cmd/hello",
    )
    assert "unrelated-programs" not in {f.cause for f in rep.causes}
    infos = [oracles.go_version_m_json(p) for p in (pa, pb)]
    assert infos[0]["Main"]["Path"] == infos[1]["Main"]["Path"] == "example.com/hello"
    # another command of the repository, under cmd/, is another program
    import dataclasses

    from godet.read.binary import open_binaries

    with open_binaries(str(pa)) as xs:
        real = xs[0].buildinfo
    assert real is not None
    other = dataclasses.replace(real, path="example.com/hello/cmd/other")
    assert not main_moved_to_cmd(real, other)
