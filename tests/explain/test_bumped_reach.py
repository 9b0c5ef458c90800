"""What a bumped dependency brings along is the bump's: code it newly calls into, files it embeds.

Found on caddy 2.11.3 -> 2.11.4 (PyPI wheels, stripped, the same go1.26.3): 24 modules bumped, the
program's own code the same. godet named a source change (116 functions of go.opentelemetry.io/otel,
a module of the same version in both builds, and 14 of the standard library) and two embedded-content
roots (chroma's lexer and style XML files). The first were the functions of a package only the old
otelhttp called (semconv/v1.39.0/httpconv, gone from B with the call), the second files chroma embeds:
all of it came with the bumped modules.

Oracles: ``go tool nm`` (which functions each build holds), ``go tool objdump`` (who calls what),
``go version -m`` (the modules).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import gobuild
import oracles
from godet.explain.engine import diff_paths
from godet.read.binary import open_binaries
from godet.read.coderefs import call_graph
from matrix import factors

_CALL = re.compile(r"^(?:CALL|JMP|B|BL)\s+(\S+)\(SB\)$")


@pytest.mark.parametrize("name", ["default", "linux_arm64"])
def test_call_graph_matches_go_tool_objdump(gobin, name: str) -> None:
    """The call graph's callees of a sample of functions: the functions go tool objdump shows them
    calling or jumping to by name."""
    path = gobin(name)
    with open_binaries(str(path)) as (b,):
        tab = b.pclntab
        src, dst = call_graph(b)
        names = ["main.main", "fmt.Fprintln", "runtime.newobject", "os.(*File).Write", "strconv.FormatInt"]
        for fn in names:
            i = tab.index_of(fn)
            if i is None:
                continue
            lo, hi = np.searchsorted(src, i), np.searchsorted(src, i, side="right")
            got = {tab.name(int(k)) for k in dst[lo:hi]}
            asm = [row[4] for row in oracles.go_tool_objdump(path, f"^{re.escape(fn)}$")]
            want = {m.group(1).removesuffix(".abi0") for a in asm if (m := _CALL.match(a))} - {fn}
            want = {w for w in want if tab.index_of(w) is not None}  # (assembly labels are no functions)
            assert got == want, fn


def _word(path, addr: int) -> int:  # type: ignore[no-untyped-def]
    """The 8-byte little-endian word at virtual address ``addr``, by readelf's section table and dump."""
    for name, _t, start, _off, size, _f in oracles.readelf_sections(path):
        if name and start <= addr < start + size:
            data = oracles.readelf_hex(path, name)
            return int.from_bytes(data[addr - start : addr - start + 8], "little")
    raise AssertionError(f"{addr:#x} is in no section")


def _bump_using(spec: gobuild.BuildSpec, imports: str, call: str) -> gobuild.BuildSpec:
    """B's dependency at v1.1.0, whose Describe also calls ``call`` (a package the program did not
    use before)."""
    dep = factors._content(spec, "dep/dep.go")
    dep = dep.replace('import "strconv"', f'import (\n\t"strconv"\n{imports}\n)')
    dep = dep.replace(
        'return "dep " + Version + " handled " + strconv.Itoa(n)',
        f'return "dep " + Version + " handled " + strconv.Itoa(n) + {call}',
    )
    spec = spec.with_(edits=(*(e for e in spec.edits if e[0] != "dep/dep.go"), ("dep/dep.go", dep)))
    return factors._dep_bump(spec)


def test_a_package_a_new_version_calls_into_is_the_bump() -> None:
    """B's dependency encodes with encoding/base32, which nothing else links: its functions are in
    B only and no edit of the program's source brought them."""
    base = factors.BASE
    b = _bump_using(base, '\t"encoding/base32"', "base32.StdEncoding.EncodeToString([]byte(Version))")
    pa, pb = gobuild.build_pair(base, b)
    only_b = {n for _, k, n in oracles.go_tool_nm(pb) if k in "Tt"} - {
        n for _, k, n in oracles.go_tool_nm(pa) if k in "Tt"
    }
    assert any(n.startswith("encoding/base32.") for n in only_b)
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["dependency-version"], [(f.cause, f.summary) for f in rep.roots]


def test_a_function_a_new_version_takes_as_a_value_is_the_bump() -> None:
    """B's dependency keeps math/rand/v2.Float64 in a variable (``var pick = rand.Float64``, as grpc
    1.79 does) and calls through it: no instruction calls Float64, yet the linker keeps it for the
    func value the variable points at. Found on caddy 2.11.1 -> 2.11.2 (PyPI wheels, stripped, the
    same go1.26.0): Float64, in B only, was a source-change root."""
    base = factors.BASE
    b = _bump_using(base, '\t"math/rand/v2"', "strconv.Itoa(int(pick()))")
    dep = factors._content(b, "dep/dep.go") + "\nvar pick = rand.Float64\n"
    b = b.with_(edits=(*(e for e in b.edits if e[0] != "dep/dep.go"), ("dep/dep.go", dep)))
    b = b.with_(flags=(*b.flags, "-ldflags=-s -w"))
    a = base.with_(flags=(*base.flags, "-ldflags=-s -w"))
    pa, pb = gobuild.build_pair(a, b)
    # (the oracles read the unstripped twins: the same code, with symbols)
    ua, ub = gobuild.build_pair(base, b.with_(flags=tuple(f for f in b.flags if f != "-ldflags=-s -w")))
    funcs_a = {n for _, k, n in oracles.go_tool_nm(ua) if k in "Tt"}
    funcs_b = {n for _, k, n in oracles.go_tool_nm(ub) if k in "Tt"}
    assert "math/rand/v2.Float64" in funcs_b - funcs_a
    # the variable holds a pointer to a word holding Float64's entry: its func value
    addrs = {n: a for a, _k, n in oracles.go_tool_nm(ub)}
    assert _word(ub, _word(ub, addrs[factors.DEP_PATH + ".pick"])) == addrs["math/rand/v2.Float64"]
    start = addrs["math/rand/v2.Float64"]
    end = min(a for a, k, _n in oracles.go_tool_nm(ub) if k in "Tt" and a > start)
    calls = [
        row[4]
        for row in oracles.go_tool_objdump(ub)
        if "math/rand/v2.Float64(SB)" in row[4] and not start <= row[2] < end  # (its own prologue's JMP)
    ]
    assert not [c for c in calls if c.startswith(("CALL", "JMP"))]  # taken as a value only
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["dependency-version"], [(f.cause, f.summary) for f in rep.roots]


def test_files_a_bumped_dependency_embeds_are_the_bump() -> None:
    """B's dependency embeds a newer data file (an embed.FS its own package uses): the embedded
    content follows the bump; the program's own embedded banner is not involved."""
    base = factors.BASE
    dep = factors._content(base, "dep/dep.go")
    dep = dep.replace('import "strconv"', 'import (\n\t"embed"\n\t"strconv"\n)')
    dep += "\n//go:embed data\nvar files embed.FS\n\n// Data reads an embedded file.\nfunc Data() string {\n"
    dep += '\tb, _ := files.ReadFile("data/table.txt")\n\treturn string(b)\n}\n'
    main = factors._content(base, "main.go")
    main = main.replace("\textra()\n", "\textra()\n\tprintln(len(dep.Data()))\n", 1)
    a = base.with_(
        edits=(
            *(e for e in base.edits if e[0] not in ("dep/dep.go", "main.go")),
            ("dep/dep.go", dep),
            ("dep/data/table.txt", "rows of the first edition\n" * 40),
            ("main.go", main),
        )
    )
    first, second = "rows of the first edition\n" * 40, "rows of the second one\n" * 40
    b = factors.edit(a, "dep/data/table.txt", first, second)
    b = factors._dep_bump(b)
    pa, pb = gobuild.build_pair(a, b)
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["dependency-version"], [(f.cause, f.summary) for f in rep.roots]
    (emb,) = [f for f in rep.consequences if f.cause == "embedded-content"]
    users = next(e for e in emb.evidence if e.label == "embed.FS used by")
    assert (users.a, users.b) == (factors.DEP_PATH, factors.DEP_PATH)
