"""go:fipsinfo against go tool nm (its address) and readelf (its section and bytes)."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

import oracles
from conftest import STRIPPED_TWINS
from godet.explain.engine import diff_paths
from godet.read.binary import open_binaries
from godet.read.fipsinfo import MAGIC, SUM_SIZE


def _nm_addr(path: Path, name: str) -> int | None:
    hits = [addr for addr, _typ, sym in oracles.go_tool_nm(path) if sym == name]
    return hits[0] if hits else None


def test_record_is_where_the_tools_put_it(gopair) -> None:  # type: ignore[no-untyped-def]
    for path in gopair("fips_dirs"):
        with open_binaries(str(path)) as (b,):
            f = b.fipsinfo
        assert f is not None
        assert f.addr == _nm_addr(path, "go:fipsinfo")
        sect = next(s for s in oracles.readelf_sections(path) if s[0] == ".go.fipsinfo")
        assert f.offset == sect[3]  # the record is all of the section
        dumped = oracles.readelf_hex(path, ".go.fipsinfo")
        assert dumped[: len(MAGIC)] == MAGIC
        assert f.sum == dumped[len(MAGIC) : len(MAGIC) + SUM_SIZE]
        # the four ranges are the linker's start/end symbols of the FIPS text, rodata, noptrdata, data
        for (start, end), kind in zip(f.sects, ("text", "rodata", "noptrdata", "data"), strict=True):
            assert start == _nm_addr(path, f"go:{kind}fipsstart")
            assert end == _nm_addr(path, f"go:{kind}fipsend")


def test_no_record_before_go_1_24(gobin) -> None:  # type: ignore[no-untyped-def]
    path = gobin("go1.21")
    assert _nm_addr(path, "go:fipsinfo") is None
    with open_binaries(str(path)) as (b,):
        assert b.fipsinfo is None


def test_a_magic_that_does_not_point_at_itself_is_not_the_record(gopair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src, _ = gopair("fips_dirs")
    sect = next(s for s in oracles.readelf_sections(src) if s[0] == ".go.fipsinfo")
    bad = tmp_path / "bad"
    shutil.copyfile(src, bad)
    with bad.open("r+b") as fh:  # Self := Self + 8
        at = sect[3] + len(MAGIC) + SUM_SIZE
        fh.seek(at)
        (self_addr,) = struct.unpack("<Q", fh.read(8))
        fh.seek(at)
        fh.write(struct.pack("<Q", self_addr + 8))
    with open_binaries(str(bad)) as (b,):
        assert b.fipsinfo is None


def test_diff_claims_the_checksum_as_a_consequence(gopair) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("fips_dirs")
    sums = [oracles.readelf_hex(p, ".go.fipsinfo")[len(MAGIC) : len(MAGIC) + SUM_SIZE] for p in (a, b)]
    assert sums[0] != sums[1]  # the pair is only useful if the build directory moved the module
    rep = diff_paths(str(a), str(b))
    (f,) = [f for f in rep.causes if f.cause == "fips-checksum"]
    assert f.role == "consequence" and f.because == "build-path"
    assert f.bytes == SUM_SIZE  # the same 32 bytes on both sides, counted once
    ev = {e.label: (e.a, e.b) for e in f.evidence}
    assert ev["FIPS checksum"] == (sums[0].hex(), sums[1].hex())
    assert not [r for r in rep.unexplained if r.section == ".go.fipsinfo"]


@pytest.mark.parametrize(
    ("name", "symbol"),
    [
        ("windows_amd64", "go:fipsinfo"),  # PE: inside .data, no section of its own
        ("linux_386", "go:fipsinfo"),  # 4-byte words
        ("linux_arm64", "go:fipsinfo"),
        ("darwin_arm64", "_go:fipsinfo"),  # Mach-O: __DATA,__go_fipsinfo
    ],
)
def test_record_in_every_format(gobin, name: str, symbol: str) -> None:  # type: ignore[no-untyped-def]
    path = gobin(name)
    with open_binaries(str(path)) as (b,):
        f = b.fipsinfo
    assert f is not None and f.addr == _nm_addr(path, symbol)


@pytest.mark.parametrize(
    "stripped", ["windows_amd64_stripped", "darwin_arm64_stripped", "linux_386_stripped"]
)
def test_stripped_builds_keep_the_record(gobin, stripped: str) -> None:  # type: ignore[no-untyped-def]
    twin = STRIPPED_TWINS[stripped]
    with open_binaries(str(gobin(stripped))) as (s,), open_binaries(str(gobin(twin))) as (t,):
        fs, ft = s.fipsinfo, t.fipsinfo
    assert fs is not None and ft is not None
    assert fs.sum == ft.sum  # -s -w do not touch the FIPS module's code and data
