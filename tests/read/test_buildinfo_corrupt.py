"""A buildinfo header that is there but broken is reported as such, with its offset, by inspect,
check and diff; the Go version then comes from ``runtime.buildVersion`` when the symbol table has it.

Oracles: the magic's offset is found in the raw bytes, the Go version is what ``go version -m``
prints for the intact binary, ``go tool nm`` says whether the symbol is there, and ``go version``
itself refuses the corrupted copy.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import gobuild
import oracles

MAGIC = b"\xff Go buildinf:"


def _corrupt(src: Path, dst: Path) -> int:
    """``dst``: ``src`` with the 32 bytes after the buildinfo magic set to 0xff; the magic's offset."""
    data = bytearray(src.read_bytes())
    off = data.find(MAGIC)
    assert off > 0 and data.find(MAGIC, off + 1) < 0
    data[off + len(MAGIC) : off + len(MAGIC) + 32] = b"\xff" * 32
    dst.write_bytes(bytes(data))
    return off


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    import sys

    return subprocess.run([sys.executable, "-m", "godet", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", ["default", "stripped"])
def test_corrupt_header_is_named_with_its_offset(name, gobin, tmp_path):
    intact = gobin(name)
    bad = tmp_path / "bad"
    off = _corrupt(intact, bad)
    tc = gobuild.toolchain()
    refused = subprocess.run([str(tc.go), "version", str(bad)], capture_output=True, text=True)
    assert "go1" not in refused.stdout  # the oracle cannot read it either
    expected = oracles.go_version_m(intact).splitlines()[0].split(": ")[1]
    try:
        has_symbol = any(n == "runtime.buildVersion" for _, _, n in oracles.go_tool_nm(intact))
    except oracles.OracleError as e:  # "no symbols": -s dropped the table
        assert "no symbol" in str(e)
        has_symbol = False
    assert has_symbol == (name == "default")  # -s drops the symbol table

    said = f"present at {off:#x} but corrupt"
    inspect = _cli("inspect", str(bad))
    assert inspect.returncode == 0, inspect.stderr
    row = next(ln for ln in inspect.stdout.splitlines() if ln.startswith("  Go version"))
    if has_symbol:
        assert row.split()[2:] == [expected, "(from", "runtime.buildVersion)"]
    else:
        assert row.split()[2:] == ["unknown"]
    assert f"buildinfo     {said}" in inspect.stdout

    check = _cli("check", "--format", "json", str(bad))
    import json

    result = json.loads(check.stdout)["results"][0]
    assert any(said in n for n in result["notes"]), result["notes"]
    assert result["go_version"] == (expected if has_symbol else None)

    diff = _cli("diff", "--format", "json", str(intact), str(bad))
    report = json.loads(diff.stdout)
    assert report["b"]["go_version"] == (expected if has_symbol else None)
    assert any(said in n for n in report["notes"]), report["notes"]


def test_build_version_reads_the_symbol(gobin):
    """The fallback on an intact binary gives what go version -m says."""
    from godet.read.binary import open_binaries
    from godet.read.buildinfo import build_version

    path = gobin("default")
    expected = oracles.go_version_m(path).splitlines()[0].split(": ")[1]
    with open_binaries(str(path)) as (b,):
        assert build_version(b.image, b.symbols) == expected
