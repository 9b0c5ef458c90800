"""A module compiled into one build only brings package-level variables: in a stripped build their
data in .noptrdata/.data cannot be told apart, and what nothing more specific claims there is the
new module's (a fallback claim of its dependency-version finding), not unexplained.

Oracles: ``go version -m`` (the module in B only) and ``readelf`` (B's .noptrdata holds the table)."""

from __future__ import annotations

import gobuild
import oracles
from godet.api import diff

T = ("-trimpath", "-ldflags=-s -w")
ENTRIES = 2048
TABLES = "".join(f"\t0x{(i * 2654435761) % (1 << 32):08x},\n" for i in range(1, ENTRIES + 1))
FILES = (
    ("tables/go.mod", "module example.com/tables\n\ngo 1.21\n"),
    (
        "tables/tables.go",
        "// Package tables holds a large initialised table (its data is in .noptrdata).\npackage tables\n\n"
        f"var weights = [{ENTRIES}]uint32{{\n{TABLES}}}\n\n"
        "// Sum adds the table up.\nfunc Sum() (s uint64) {\n"
        "\tfor _, w := range weights {\n\t\ts += uint64(w)\n\t}\n\treturn s\n}\n",
    ),
    (
        "go.mod",
        "module example.com/withdep\n\ngo 1.21\n\n"
        "require (\n\texample.com/dep v1.0.0\n\texample.com/tables v1.0.0\n)\n\n"
        "replace example.com/dep => ./dep\n\nreplace example.com/tables => ./tables\n",
    ),
    (
        "main.go",
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/dep"\n\t"example.com/tables"\n)\n\n'
        "func main() {\n\tfmt.Println(dep.Greeting(), tables.Sum())\n}\n",
    ),
)


def test_a_new_modules_variables_are_its_own() -> None:
    a = gobuild.BuildSpec("withdep", flags=T)
    b = a.with_(edits=FILES)
    pa, pb = gobuild.build_pair(a, b)
    deps = [{d["Path"] for d in oracles.go_version_m_json(p).get("Deps", [])} for p in (pa, pb)]
    assert deps[1] - deps[0] == {"example.com/tables"}
    sections = [{s[0]: s[4] for s in oracles.readelf_sections(p)} for p in (pa, pb)]
    assert ".symtab" not in sections[1]  # stripped: no symbol names the table
    assert sections[1][".noptrdata"] - sections[0][".noptrdata"] >= 4 * ENTRIES  # the table is there
    rep = diff(str(pa), str(pb))
    roots = {f.cause: f for f in rep.roots}
    assert set(roots) <= {"dependency-version", "source-change"} and "dependency-version" in roots
    regions = {r["section"] for f in rep.causes for r in f.regions if f.cause == "dependency-version"}
    assert ".noptrdata" in regions, [(f.cause, f.regions) for f in rep.causes]
    assert not [r for r in rep.unexplained if r.section in (".noptrdata", ".data")], [
        r.to_json() for r in rep.unexplained
    ]
