"""Embedded paths: roots found in real binaries, checked against the build's own facts and the bytes."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

import gobuild
from conftest import FIXTURES
from godet.read.binary import open_binaries
from godet.read.paths import EmbeddedPath, PathHints, classify_path, find_paths, root_of, under_home


def _paths(path: Path) -> list[EmbeddedPath]:
    with open_binaries(str(path)) as bins:
        return find_paths(bins[0])


def _by_kind(paths: list[EmbeddedPath]) -> dict[str, list[EmbeddedPath]]:
    out: dict[str, list[EmbeddedPath]] = {}
    for p in paths:
        out.setdefault(p.kind, []).append(p)
    return out


def go_env_goroot() -> str:
    """``go env GOROOT`` of the pinned toolchain, as the fixtures were built."""
    tc = gobuild.toolchain()
    env = gobuild.go_env(tc)
    return subprocess.run([str(tc.go), "env", "GOROOT"], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def build_dir(fixture: str) -> str:
    spec = FIXTURES[fixture]
    return str(gobuild.CACHE_ROOT / "work" / spec.workdir / spec.src)


def section_bytes(path: Path, name: str) -> bytes:
    """A section's raw bytes, located with ``readelf -S``."""
    out = subprocess.run(["readelf", "-SW", str(path)], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        m = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m and m.group(1) == name:
            off, size = int(m.group(2), 16), int(m.group(3), 16)
            return path.read_bytes()[off : off + size]
    return b""


def dwarf_text(path: Path) -> str:
    """What readelf shows of the (decompressed) unit DIEs and line headers."""
    return subprocess.run(["readelf", "--debug-dump=info,rawline", "--dwarf-depth=1", str(path)],
                          capture_output=True, text=True, check=False).stdout


# --------------------------------------------------------------------------------------------


def test_default_goroot_and_build_dir(gobin):
    path = gobin("default")
    paths = _paths(path)
    kinds = _by_kind(paths)
    goroot = go_env_goroot()
    assert [p.path for p in kinds["goroot"]] == [goroot]
    assert [p.path for p in kinds["build-dir"]] == [build_dir("default")]
    assert "cgo-work" not in kinds and "link-work" not in kinds
    assert len(paths) < 10  # roots, not files
    g = kinds["goroot"][0]
    assert g.count > 100
    assert {"pclntab", "dwarf-line", "gdb-scripts", "rodata"} <= set(g.where)
    # the oracle for each source: the GOROOT string really is in those sections
    assert goroot.encode() in section_bytes(path, ".gopclntab")
    assert goroot.encode() in section_bytes(path, ".debug_gdb_scripts")
    assert goroot.encode() in section_bytes(path, ".rodata")  # runtime.defaultGOROOT (hello calls GOROOT())
    assert goroot + "/src/runtime" in dwarf_text(path)
    bd = kinds["build-dir"][0]
    assert {"pclntab", "dwarf-line"} <= set(bd.where)
    assert build_dir("default").encode() in section_bytes(path, ".gopclntab")


def test_trimpath_has_no_build_dir_or_goroot(gobin):
    path = gobin("trimpath")
    kinds = _by_kind(_paths(path))
    assert "build-dir" not in kinds and "goroot" not in kinds
    data = path.read_bytes()
    assert go_env_goroot().encode() not in data
    assert build_dir("trimpath").encode() not in data
    assert go_env_goroot() not in dwarf_text(path)


def test_stripped_still_has_pclntab_paths(gobin):
    kinds = _by_kind(_paths(gobin("stripped")))
    assert [p.path for p in kinds["goroot"]] == [go_env_goroot()]
    assert [p.path for p in kinds["build-dir"]] == [build_dir("stripped")]
    assert "dwarf-line" not in kinds["goroot"][0].where


@pytest.mark.parametrize("name", ["windows_amd64", "darwin_arm64", "linux_386"])
def test_cross_targets(gobin, name):
    kinds = _by_kind(_paths(gobin(name)))
    assert [p.path for p in kinds["goroot"]] == [go_env_goroot()]
    assert [p.path for p in kinds["build-dir"]] == [build_dir(name)]
    assert "rodata" not in kinds["build-dir"][0].where  # PE keeps pclntab in .rdata: not counted twice


@pytest.mark.parametrize("name", ["cgo_c", "extlink", "cgo_net"])
def test_cgo_builds_report_what_is_there(gobin, name):
    path = gobin(name)
    kinds = _by_kind(_paths(path))
    assert [p.path for p in kinds["build-dir"]] == [build_dir(name)]
    assert [p.path for p in kinds["goroot"]] == [go_env_goroot()]
    text = dwarf_text(path) + path.read_bytes().decode("latin-1")
    assert ("cgo-work" in kinds) == bool(re.search(r"go-build\d+", text))
    assert ("link-work" in kinds) == bool(re.search(r"go-link-\d+", text))
    for p in kinds.get("absolute", []):  # e.g. /usr/include from gcc's line tables
        assert p.path in text


def test_c_unit_comp_dir_is_the_build_dir(gobin):
    """cgo_c's own C file is compiled in the package directory: gcc records it as DW_AT_comp_dir."""
    kinds = _by_kind(_paths(gobin("cgo_c")))
    assert "dwarf-info" in kinds["build-dir"][0].where
    assert build_dir("cgo_c") in dwarf_text(gobin("cgo_c"))


def test_replaced_dependency_inside_module(gobin):
    kinds = _by_kind(_paths(gobin("replace_dep")))
    assert [p.path for p in kinds["build-dir"]] == [build_dir("replace_dep")]
    assert "module-cache" not in kinds


def test_old_go_binary_built_on_a_mac(old_go_binary):
    """esbuild 0.4.14 (go1.14, built on macOS): build dir, module cache and GOROOT, home flagged."""
    path = old_go_binary("linux-1.14")
    data = path.read_bytes()
    kinds = _by_kind(_paths(path))
    for kind in ("goroot", "build-dir", "module-cache"):
        assert len(kinds[kind]) == 1, kinds
        assert kinds[kind][0].path.encode() in data
    assert kinds["module-cache"][0].path.endswith("/pkg/mod")
    assert (kinds["goroot"][0].path + "/src/runtime/proc.go").encode() in data
    assert kinds["build-dir"][0].under_home and kinds["module-cache"][0].under_home
    assert not kinds["goroot"][0].under_home


def test_json(gobin):
    paths = _paths(gobin("default"))
    j = [p.to_json() for p in paths]
    assert json.loads(json.dumps(j)) == j


# --------------------------------------------------------------------------------------------
# classify_path: the kinds as the brief defines them


HINTS = PathHints(goroots=("/usr/local/go",), build_dirs=("/home/u/hello",))


@pytest.mark.parametrize(("path", "kind"), [
    ("runtime/proc.go", "relative"),
    ("example.com/hello/main.go", "relative"),
    ("<autogenerated>", "relative"),
    ("/_/GOROOT/src/runtime/cgo", "placeholder"),
    ("/tmp/go-build", "placeholder"),
    ("/tmp/go-build123456/b001/_cgo_gotypes.go", "cgo-work"),
    ("$WORK/b001/_cgo_export.c", "cgo-work"),
    ("/tmp/go-link-447195984/go.o", "link-work"),
    ("/usr/local/go/src/runtime/proc.go", "goroot"),
    ("/home/u/hello/main.go", "build-dir"),
    ("/home/u/go/pkg/mod/golang.org/x/sys@v0.1.0/unix/a.go", "module-cache"),
    ("/home/u/go/src/github.com/x/y/y.go", "gopath"),
    ("/home/u/other/thing.go", "home"),
    ("/Users/bob/x.go", "home"),
    ("/opt/build/x.go", "absolute"),
    ("/usr/include", "absolute"),
    ("C:\\Users\\bob\\go\\pkg\\mod\\golang.org\\x\\sys@v0.1.0\\unix\\a.go", "module-cache"),
    ("C:/Users/bob/proj/main.go", "home"),
    ("C:\\Users\\bob\\AppData\\Local\\Temp\\go-build2212\\b001\\x.go", "cgo-work"),
    ("D:\\a\\proj\\main.go", "absolute"),
])
def test_classify_path(path, kind):
    assert classify_path(path, HINTS) == kind


def test_classify_without_hints_tells_goroot_from_gopath():
    assert classify_path("/usr/local/go/src/runtime/proc.go") == "goroot"
    assert classify_path("/home/u/go/src/github.com/x/y/y.go") == "gopath"


def test_roots_and_home_flag():
    dep = "/home/u/go/pkg/mod/golang.org/x/sys@v0.1.0/unix/a.go"
    assert root_of(dep, "module-cache") == "/home/u/go/pkg/mod"
    assert root_of("/tmp/go-build123/b001/x.go", "cgo-work") == "/tmp/go-build123"
    assert root_of("$WORK/b001/x.go", "cgo-work") == "$WORK"
    assert root_of("/usr/local/go/src/fmt/print.go", "goroot", HINTS) == "/usr/local/go"
    win = "C:\\Users\\bob\\go\\pkg\\mod\\m@v1.0.0\\a.go"
    assert root_of(win, "module-cache") == "C:/Users/bob/go/pkg/mod"
    assert under_home("C:\\Users\\bob\\x") and under_home("/root/x") and not under_home("/usr/local/go")
    mods = PathHints(modules=("github.com/!azure/sdk@v1.2.3",))
    p = "/cache/github.com/!azure/sdk@v1.2.3/a.go"
    assert classify_path(p, mods) == "module-cache" and root_of(p, "module-cache", mods) == "/cache"


def test_paths_from_build_settings():
    """CGO_*FLAGS, -ldflags and -pgo values (buildinfo without -trimpath) are scanned for paths."""
    from types import SimpleNamespace

    from godet.read.dwarf import DwarfSummary
    from godet.read.image import Image

    settings = (
        ("-ldflags", "-X main.src=/home/alice/proj/src -X 'main.x=y'"),
        ("-pgo", "/home/alice/proj/default.pgo"),
        ("CGO_CFLAGS", "-O2 -I/opt/sdk/include --sysroot=/build/sysroot"),
        ("CGO_LDFLAGS", "-L/tmp/go-build998877/b001"),
        ("GOOS", "linux"),
    )
    bi = SimpleNamespace(settings=settings, main=None, deps=(), path="example.com/x")
    image = Image(path="<mem>", data=memoryview(b"\0" * 16), format="elf", arch="amd64", os="linux",
                  big_endian=False, ptr_size=8)
    fake = SimpleNamespace(buildinfo=bi, pclntab=None, dwarf=DwarfSummary.absent(), image=image)
    got = {(p.path, p.kind) for p in find_paths(fake)}  # type: ignore[arg-type]
    assert got == {
        ("/home/alice/proj", "home"),
        ("/opt/sdk/include", "absolute"),
        ("/build/sysroot", "absolute"),
        ("/tmp/go-build998877", "cgo-work"),
    }
    assert all(p.where == ("buildinfo",) for p in find_paths(fake))  # type: ignore[arg-type]
