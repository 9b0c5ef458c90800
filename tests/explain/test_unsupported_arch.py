"""An edited function on an architecture whose code is not disassembled here (s390x, big-endian;
ppc64le; mips64le): Go's linker relocates code in place, so a function both builds hold in other
sizes has other instructions, a source change. Before, nothing named the code, and a literal that
changed beside it was taken for the only difference ("while the code is the same"): esbuild
0.14.53 -> 0.14.54 for linux-s390x named string-literal and left 62% unexplained.

Oracles: ``go tool nm -size`` (main.mix's size in each build) and ``go version -m`` (GOARCH)."""

from __future__ import annotations

import subprocess

import pytest

import gobuild
import oracles
from conftest import _cross
from godet.explain.engine import diff_paths
from matrix import factors


def _size(path: str, name: str) -> int:
    go = str(gobuild.toolchain().go)
    out = subprocess.run([go, "tool", "nm", "-size", path], capture_output=True, text=True, check=True)
    sizes = [int(p[1]) for p in (line.split() for line in out.stdout.splitlines()) if p[-1] == name]
    assert len(sizes) == 1, name
    return sizes[0]


@pytest.mark.parametrize("arch", ["s390x", "ppc64le", "mips64le"])
def test_resized_function_is_a_source_change(gobuild_available: gobuild.Toolchain, arch: str) -> None:
    a = factors.BASE.with_(env=_cross("linux", arch), flags=("-trimpath",))
    b = factors.edit(a, "main.go", "return a*31 + b", "return (a*31 + b) ^ (a>>3)*(b|5) - a/7")
    b = factors.edit(
        b, "main.go", '"greetings from the factor program"', '"greetings from the edited program"'
    )
    pa, pb = gobuild.build_pair(a, b)
    info = oracles.go_version_m_json(pa)
    assert dict((s["Key"], s.get("Value")) for s in info["Settings"])["GOARCH"] == arch
    assert _size(str(pa), "main.mix") != _size(str(pb), "main.mix")  # the edit resized it
    rep = diff_paths(str(pa), str(pb))
    assert rep.roots and rep.roots[0].cause == "source-change"
    [source] = [f for f in rep.roots if f.cause == "source-change"]
    assert "main.mix" in source.summary
    assert rep.unexplained_bytes <= 0.001 * rep.differing_bytes
