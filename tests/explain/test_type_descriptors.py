"""Before Go 1.27 the type descriptors have no section of their own: they open .rodata (the linker
writes symbol kind STYPE first, then the string literals), and a release without symbols leaves
godet to find where they end. A dependency bump that adds a field moves them, and the tables of type offsets
(.typelink) with them: both follow the code, so nothing stays unexplained.

Oracles: readelf (the section list and the bytes of .typelink), go version -m (the dependency's
versions)."""

from __future__ import annotations

import pytest

import gobuild
import oracles
from godet.explain.engine import diff_paths
from matrix import factors

RELEASE = "1.26.6"  # the newest installed release whose types share .rodata


@pytest.mark.parametrize(
    "combo",
    [("dep-struct", "shipped-stripped"), ("dep-struct", "shipped-stripped", "string-other-length")],
    ids=["bump", "bump+literal"],
)
def test_a_bump_in_a_stripped_release_build_moves_types_and_typelinks(combo):
    a, b = (s.with_(toolchain=RELEASE) for s in factors.pair_specs(combo))
    pa, pb = gobuild.build_pair(a, b)
    names = {s[0] for s in oracles.readelf_sections(pa)}
    assert ".go.type" not in names and ".symtab" not in names and ".typelink" in names
    assert oracles.readelf_hex(pa, ".typelink") != oracles.readelf_hex(pb, ".typelink")
    deps = [oracles.go_version_m_json(p)["Deps"][0]["Version"] for p in (pa, pb)]
    assert deps[0] != deps[1]

    rep = diff_paths(str(pa), str(pb))
    assert {f.cause for f in rep.roots} == {"dependency-version"} | (
        {"string-literal"} if "string-other-length" in combo else set()
    )
    assert rep.unexplained_bytes == 0, [(r.unit, r.bytes) for r in rep.unexplained]
