"""Changed string literals go to the cause whose code loads them, by their own extent.

Found on buf 1.74.0 -> 1.75.0 (npm @bufbuild/buf-linux-x64, stripped; a release, 11 modules and
the version string): the run of the blob of literals that held buf's own "1.74.0" also held 2 KB
of a dependency's opcode names the bump reordered, and the whole run went to the source's
string-literal root (4,148 bytes for a 6-byte version). Here B's dependency returns other words
from a switch the compiler turns into a table of string headers (only the table's start is
loaded by code), beside a release and a changed literal of main's of the same length, so the three
changes share one run of the blob.

Oracles: ``go version -m`` (the two releases and dependency versions), ``go tool objdump`` (the
code that loads the table), the words and literals the test wrote (their places in each file).
"""

from __future__ import annotations

import random
from pathlib import Path

import gobuild
import oracles
from conftest import T
from gobuild import BuildSpec
from godet.explain.detectors.content.common import va_at
from godet.explain.engine import diff_paths
from godet.read.binary import open_binaries
from godet.read.coderefs import loads_of
from matrix import factors

WORDS = 40
DEP = """// Package dep is a local dependency with a vocabulary.
package dep

// Version is the dependency's release.
const Version = "%s"

// Greeting returns a message naming the dependency version.
func Greeting() string {
\treturn "example.com/dep version " + Version
}

// Word returns a word of the dependency's vocabulary.
//
//go:noinline
func Word(i int) string {
\tswitch i {
%s
\t}
\treturn ""
}
"""
MAIN = """// Command withdep prints its dependency's words and one of its own.
package main

import (
\t"fmt"
\t"os"

\t"example.com/dep"
)

func main() {
\tfmt.Println(dep.Greeting(), dep.Word(len(os.Args)), "%s")
}
"""
OWN = ("~mmmmmmmmmma", "~mmmmmmmmmmb")  # main's literal: as long as the words, so it sits among them


def _words(seed: int) -> list[str]:
    r = random.Random(seed)
    return ["~" + "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(11)) for _ in range(WORDS)]


def _spec(seed: int, version: str, own: str, toolchain: str | None) -> BuildSpec:
    cases = "\n".join(f'\tcase {i}:\n\t\treturn "{w}"' for i, w in enumerate(_words(seed)))
    edits: tuple[tuple[str, str], ...] = (("dep/dep.go", DEP % (version, cases)), ("main.go", MAIN % own))
    if version != "1.0.0":
        gomod = (gobuild.TESTDATA / "withdep" / "go.mod").read_text()
        edits += (("go.mod", gomod.replace("example.com/dep v1.0.0", f"example.com/dep v{version}")),)
    return BuildSpec("withdep", flags=T, edits=edits, toolchain=toolchain)


def _pair() -> tuple[Path, Path]:
    return gobuild.build_pair(
        _spec(1, "1.0.0", OWN[0], factors.TOOLCHAIN_MINOR), _spec(2, "1.1.0", OWN[1], None)
    )


def test_a_table_of_string_headers_is_loaded_by_the_code_that_loads_its_start() -> None:
    _, pb = _pair()
    word = [(a, asm) for _f, _l, a, _raw, asm in oracles.go_tool_objdump(pb, r"^example\.com/dep\.Word$")]
    assert word and not any("CALL" in asm for _a, asm in word)
    lo, hi = word[0][0], word[-1][0] + 1
    with open_binaries(str(pb)) as (b,):
        loads = loads_of(b)
        assert loads is not None
        data = bytes(b.image.data)
        for w in _words(2):
            va = va_at(b, data.index(w.encode()))
            assert va is not None
            pcs = loads.loader_pcs(va)
            assert pcs and all(lo <= pc < hi for pc in pcs), (w, [hex(p) for p in pcs])


def test_own_literal_beside_a_release_and_a_bump_holds_only_its_bytes() -> None:
    pa, pb = _pair()
    va, vb = oracles.go_version_m_json(pa), oracles.go_version_m_json(pb)
    assert va["GoVersion"] != vb["GoVersion"]
    assert [d["Version"] for d in va["Deps"]] != [d["Version"] for d in vb["Deps"]]
    rep = diff_paths(str(pa), str(pb))
    assert {f.cause for f in rep.roots} == {"toolchain-version", "dependency-version", "string-literal"}
    (own,) = [f for f in rep.roots if f.cause == "string-literal"]
    assert own.bytes <= sum(len(x) for x in OWN), own.bytes  # the literal's bytes in the two builds
    # the literals the source gave main, one per side, counted per side as the evidence lists them
    shown = [(e.a, e.b) for e in own.evidence]
    assert shown == [(OWN[0], None), (None, OWN[1])]
    assert "(1 in A, 1 in B)" in own.summary, own.summary
    # the words differ but for their "~" and letters equal by chance: at least 80 % of the rest
    words = [f for f in rep.consequences if f.cause == "string-literal" and f.because == "dependency-version"]
    assert sum(f.bytes for f in words) >= 0.8 * 2 * WORDS * 11


LONG = "[" + "the same long middle of a literal the program prints; " * 3 + "]"


def test_a_literal_changed_in_two_places_is_listed_once() -> None:
    """One literal of main's, changed at both ends (two differing runs of the blob, the same
    length), beside a release: the finding lists it once per side, as the source holds it once."""
    edits = [("main.go", MAIN % x) for x in ("<" + LONG + "<", ">" + LONG + ">")]
    dep = ("dep/dep.go", DEP % ("1.0.0", ""))
    pa, pb = gobuild.build_pair(
        BuildSpec("withdep", flags=T, edits=(dep, edits[0]), toolchain=factors.TOOLCHAIN_MINOR),
        BuildSpec("withdep", flags=T, edits=(dep, edits[1])),
    )
    data = [p.read_bytes() for p in (pa, pb)]
    assert all(x.count(("<" + LONG + "<").encode()) == (i == 0) for i, x in enumerate(data))
    rep = diff_paths(str(pa), str(pb))
    (own,) = [f for f in rep.roots if f.cause == "string-literal"]
    assert [(e.a, e.b) for e in own.evidence] == [("<" + LONG + "<", None), (None, ">" + LONG + ">")]
    assert "(1 in A, 1 in B)" in own.summary, own.summary
