"""The fixture layer is honest: the binaries really have the properties their names promise.

Checked with the Go toolchain's own tools (tests/oracles.py), never with godet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import gobuild
import oracles
from conftest import FIXTURES, PAIRS, STRIPPED_TWINS

GoBin = Callable[[str], Path]
GoPair = Callable[[str], tuple[Path, Path]]

MAGIC = {"linux": b"\x7fELF", "windows": b"MZ", "darwin": b"\xcf\xfa\xed\xfe"}


def settings(path: Path) -> dict[str, str]:
    """The build settings of ``go version -m -json`` as a dict (Go omits empty values)."""
    return {s["Key"]: s.get("Value", "") for s in oracles.go_version_m_json(path).get("Settings", [])}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_is_a_go_executable_for_its_target(gobin: GoBin, name: str) -> None:
    spec = FIXTURES[name]
    path = gobin(name)
    assert path.read_bytes()[:4].startswith(MAGIC[spec.goos])
    info = oracles.go_version_m_json(path)
    want = spec.toolchain or gobuild.DEFAULT_GO
    assert info["GoVersion"].startswith(f"go{want}")
    st = settings(path)
    assert (st["GOOS"], st["GOARCH"]) == (spec.goos, spec.goarch)
    assert st["CGO_ENABLED"] == spec.cgo_enabled


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pair_sides_differ_unless_identical_by_design(gopair: GoPair, name: str) -> None:
    a, b = gopair(name)
    assert a != b
    if name == "dirs_trimpath":
        assert a.read_bytes() == b.read_bytes()
    else:
        assert a.read_bytes() != b.read_bytes()


def test_vcs_dirty_is_modified(gobin: GoBin) -> None:
    assert "vcs.modified=true" in oracles.go_version_m(gobin("vcs_dirty"))
    clean = oracles.go_version_m(gobin("vcs_clean"))
    assert "vcs.modified=false" in clean
    assert f"vcs.time={gobuild.GIT_DATE_1[:19]}Z" in clean


def test_vcs_pairs_differ_only_in_vcs_settings(gopair: GoPair) -> None:
    a, b = gopair("vcs_commits")
    sa, sb = settings(a), settings(b)
    assert sa["vcs.revision"] != sb["vcs.revision"]
    assert {k for k in sa.keys() | sb.keys() if sa.get(k) != sb.get(k)} == {"vcs.revision", "vcs.time"}
    a, b = gopair("buildvcs")
    assert "vcs.revision" not in settings(a) and "vcs.revision" in settings(b)


def test_dirs_embed_their_build_directories(gopair: GoPair) -> None:
    a, b = gopair("dirs")
    da, db = a.read_bytes(), b.read_bytes()
    assert da != db
    dir_a = str(gobuild.CACHE_ROOT / "work" / "a" / "hello").encode()
    dir_b = str(gobuild.CACHE_ROOT / "work" / "build-b" / "hello").encode()
    assert dir_a in da and dir_a not in db
    assert dir_b in db and dir_b not in da
    goroot = str(gobuild.toolchain().goroot).encode()
    assert goroot in da  # runtime.GOROOT() keeps the GOROOT string without -trimpath
    ta, tb = gopair("dirs_trimpath")
    assert ta.read_bytes() == tb.read_bytes()
    assert goroot not in ta.read_bytes()
    assert b"/work/" not in ta.read_bytes()


def test_ldflags_x_values_are_in_the_binary(gobin: GoBin) -> None:
    path = gobin("ldflags_x")
    data = path.read_bytes()
    assert b"1.2.3" in data
    assert b"2026-11-20T10:00:00Z" in data
    assert settings(path)["-ldflags"] == "-X main.version=1.2.3 -X 'main.date=2026-11-20T10:00:00Z'"


def test_toolchain_patch_versions(gopair: GoPair) -> None:
    a, b = gopair("toolchain_patch")
    assert oracles.go_version_m_json(a)["GoVersion"] == "go1.27.2"
    assert oracles.go_version_m_json(b)["GoVersion"] == "go1.27.3"
    a, _ = gopair("toolchain_minor")
    assert oracles.go_version_m_json(a)["GoVersion"] == "go1.26.6"


def test_buildid_empty_has_no_go_build_id(gobin: GoBin) -> None:
    assert oracles.go_tool_buildid(gobin("buildid_empty")) == ""
    assert oracles.go_tool_buildid(gobin("hardened")) == ""
    assert oracles.go_tool_buildid(gobin("default")).count("/") == 3


def test_cgo_timestamps(gopair: GoPair) -> None:
    def stamp(path: Path) -> bytes:
        found = re.findall(rb"C build stamp: [A-Z][a-z]{2} [ \d]\d \d{4} \d\d:\d\d:\d\d", path.read_bytes())
        assert len(found) == 1, found
        return found[0]

    a, b = gopair("cgo_date")
    assert stamp(a) != stamp(b)
    a, b = gopair("cgo_cflags")
    assert stamp(a) == stamp(b) == b"C build stamp: Nov 20 2026 10:00:00"


def test_linkage(gobin: GoBin) -> None:
    assert oracles.readelf_interp(gobin("default")) is None
    assert oracles.readelf_needed(gobin("default")) == []
    for name in ("cgo_net", "extlink", "cgo_c"):
        assert oracles.readelf_needed(gobin(name)) == ["libc.so.6"]
        assert oracles.readelf_interp(gobin(name)) is not None
    names = {s[0] for s in oracles.readelf_sections(gobin("extlink"))}
    assert {".comment", ".note.gnu.build-id", ".gopclntab"} <= names


@pytest.mark.parametrize("stripped", sorted(STRIPPED_TWINS))
def test_stripped_twins(gobin: GoBin, stripped: str) -> None:
    a, b = gobin(stripped), gobin(STRIPPED_TWINS[stripped])
    assert len(a.read_bytes()) < len(b.read_bytes())
    assert settings(a)["-ldflags"] == "-s -w"
    assert "-ldflags" not in settings(b)


def test_cmdline_and_experiment(gobin: GoBin) -> None:
    assert oracles.go_version_m_json(gobin("cmdline"))["Path"] == "command-line-arguments"
    info = oracles.go_version_m_json(gobin("goexperiment"))
    assert info["GoVersion"] == "go1.27.3-X:nodwarf5"


def test_build_is_deterministic(tmp_path: Path) -> None:
    """Re-linking a spec (GOCACHE warm, bin cache bypassed) gives the cached bytes again."""
    for name in ("default", "vcs_dirty", "extlink", "cgo_c"):
        spec = FIXTURES[name]
        again = gobuild.build_to(spec, tmp_path / name)
        assert gobuild.sha256_file(again) == gobuild.sha256_file(gobuild.build(spec)), name


def test_nm_oracle(gobin: GoBin) -> None:
    syms = oracles.go_tool_nm(gobin("default"))
    names = {name for _, typ, name in syms if typ == "T"}
    assert "main.main" in names and "runtime.main" in names


@pytest.mark.parametrize("name", sorted(gobuild.NPM_BINARIES))
def test_old_go_binaries(old_go_binary: Callable[[str], Path], name: str) -> None:
    _, _, go_version = gobuild.NPM_BINARIES[name]
    path = old_go_binary(name)
    assert oracles.go_version_m(path).splitlines()[0].endswith(f": {go_version}")


def test_old_toolchain_builds(old_go_binary: Callable[[str], Path]) -> None:
    assert oracles.go_version_m_json(old_go_binary("linux-1.21"))["GoVersion"] == "go1.21.13"
    assert oracles.go_version_m_json(old_go_binary("linux-1.24"))["GoVersion"] == "go1.24.11"
