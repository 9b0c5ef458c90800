"""The functions' funcdata (go:func.*: stack maps, inline trees, argument info) follows the code:
a cause that explains code takes it as a fallback, from moduledata.gofunc to the end of its section.

Oracles: ``go tool nm`` (where go:func.* starts) and readelf (the section that holds it)."""

from __future__ import annotations

import pytest

import gobuild
import oracles
from godet.explain.detectors.content.common import funcdata
from godet.read.binary import open_binaries
from matrix import factors


@pytest.mark.parametrize("release", [None, "1.26.6"])
def test_funcdata_range_is_go_func_to_its_section_end(release: str | None) -> None:
    path = gobuild.build(factors.BASE.with_(toolchain=release))
    start = next(addr for addr, _, name in oracles.go_tool_nm(path) if name == "go:func.*")
    name, _, addr, offset, size, _ = next(
        s for s in oracles.readelf_sections(path) if s[2] <= start < s[2] + s[4]
    )
    with open_binaries(str(path)) as xs:
        lo, hi = funcdata(xs[0])
    assert (lo, hi) == (offset + start - addr, offset + size), name
