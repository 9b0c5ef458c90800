"""A PIE's dynamic relocations and its relro copies of the type and itab link tables follow the
code and data (esbuild 0.24.0 -> 0.24.1 for android/arm64, npm: 42,019 bytes of ``.rela`` and 120
of ``.data.rel.ro.typelink`` were unexplained).

Go's own linker names a PIE's relocation table ``.rela`` (one R_*_RELATIVE entry per pointer in
data), not ``.rela.dyn`` as an external linker does; new variables that hold pointers add
entries, so the table grows and everything in it after them moves. Oracle: readelf (section sizes).
"""

from __future__ import annotations

import pytest

import gobuild
from godet.api import diff
from oracles import readelf_sections

POINTERS = """package main

import (
\t"fmt"
\t"os"
)

var l1, l2, l3 = "one", "two", "three"

var labels = []*string{&l1, &l2, &l3}

var handlers = map[string]func(){
\t"a": func() { fmt.Println("a", *labels[0]) },
\t"b": func() { fmt.Println("b", *labels[1]) },
\t"c": func() { fmt.Println("c", *labels[2]) },
}

func init() {
\tif len(os.Args) > 5 {
\t\tfor k, f := range handlers {
\t\t\tfmt.Println(k)
\t\t\tf()
\t\t}
\t}
}
"""


@pytest.mark.parametrize("goarch", ["amd64", "arm64"])
def test_relocations_of_new_pointers_follow_the_source(goarch: str, gobuild_available) -> None:  # type: ignore[no-untyped-def]
    env = (("GOARCH", goarch),)
    a, b = gobuild.build_pair(
        gobuild.BuildSpec("hello", flags=("-trimpath", "-buildmode=pie"), env=env),
        gobuild.BuildSpec(
            "hello", flags=("-trimpath", "-buildmode=pie"), env=env, edits=(("more.go", POINTERS),)
        ),
    )
    sizes = [{s[0]: s[4] for s in readelf_sections(p)} for p in (a, b)]
    assert sizes[0][".rela"] < sizes[1][".rela"]  # B's pointers add relocations
    rep = diff(str(a), str(b))
    assert [r.cause for r in rep.roots] == ["source-change"]
    assert rep.unexplained_bytes == 0
