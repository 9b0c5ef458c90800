"""Facts of one binary's data, found by the shapes Go gives them: string headers, embed.FS file
tables, and layout-independent names of addresses; checked against ``go tool nm`` and the sources the
tests embedded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import gobuild
import oracles
from conftest import EMBED_FS_MAIN as FS_MAIN
from gobuild import BuildSpec
from godet.read.binary import open_binaries

T = ("-trimpath",)
FILES = {"static/a.txt": "file a strdata\n", "static/b.css": "body{}\n"}


def _nm(path: Path) -> dict[str, int]:
    return {name: addr for addr, _kind, name in oracles.go_tool_nm(path)}


def test_string_header_of_an_x_variable(gobin: Callable[[str], Path]) -> None:
    """main.version was set with -X main.version=1.2.3 (conftest LDFLAGS_X): its header points at
    main.version.str with length 5."""
    path = gobin("ldflags_x")
    nm = _nm(path)
    with open_binaries(str(path)) as (b,):
        h = b.string_headers
        hit = [
            (int(p), int(n))
            for a, p, n in zip(h.addr, h.ptr, h.length, strict=True)
            if a == nm["main.version"]
        ]
        assert hit == [(nm["main.version.str"], len("1.2.3"))]
        assert h.holds(nm["main.version.str"], 5) and not h.holds(nm["main.version.str"], 4)


def test_embed_tables(gobuild_available: gobuild.Toolchain) -> None:
    spec = BuildSpec("embed", flags=T, edits=(("main.go", FS_MAIN), *FILES.items()))
    path = gobuild.build(spec)
    nm = _nm(path)
    with open_binaries(str(path)) as (b,):
        tables = b.embed_tables
        assert len(tables) == 1
        t = tables[0]
        files = {f.name: b.image.read_va(f.data_va, f.data_len) for f in t.files if f.data_len}
        names = [f.name for f in t.files]
    assert files == {k: v.encode() for k, v in FILES.items()}
    assert "static/" in names  # embed.FS lists the directory too (a zero-length entry)
    assert t.symbol is not None and nm[t.symbol] == t.va


def test_embed_tables_without_symbols(gobuild_available: gobuild.Toolchain) -> None:
    spec = BuildSpec("embed", flags=(*T, "-ldflags=-s -w"), edits=(("main.go", FS_MAIN), *FILES.items()))
    with open_binaries(str(gobuild.build(spec))) as (b,):
        assert not b.symbols.present
        (t,) = b.embed_tables
        assert t.symbol is None
        assert {f.name: b.image.read_va(f.data_va, f.data_len) for f in t.files if f.data_len} == {
            k: v.encode() for k, v in FILES.items()
        }


def test_namer_names_functions_and_symbols(gobin: Callable[[str], Path]) -> None:
    path = gobin("ldflags_x")
    nm = _nm(path)
    with open_binaries(str(path)) as (b,):
        namer = b.namer
        assert namer is b.namer  # a cached fact of the binary
        assert namer.name(nm["main.main"]) == "main.main"
        assert namer.name(nm["main.main"] + 4) == "main.main+0x4"
        assert namer.name(nm["main.version.str"]) == "main.version.str"
        assert namer.is_code(nm["main.main"]) and not namer.is_code(nm["main.version.str"])


ESTIMATED = ["default", "linux_arm64", "linux_386", "go1.21", "go1.24", "cgo_net", "windows_amd64"]
ESTIMATED.append("darwin_arm64")


@pytest.mark.parametrize("name", ESTIMATED)
def test_estimated_blob_matches_go_tool_nm(gobin: Callable[[str], Path], name: str) -> None:
    """Without symbols, the blob of Go string literals is estimated from the string headers: it
    covers nearly all of go:string.* (go tool nm: that symbol up to the next) and little else."""
    from godet.read.strdata import estimate_go_string_span

    path = gobin(name)
    nm = sorted((addr, n) for addr, _t, n in oracles.go_tool_nm(path) if addr)
    lo = next(a for a, n in nm if n == "go:string.*")
    hi = min(a for a, _ in nm if a > lo)
    with open_binaries(str(path)) as (b,):
        est = estimate_go_string_span(b)
    assert est is not None
    overlap = min(hi, est[1]) - max(lo, est[0])
    assert overlap >= 0.95 * (hi - lo)
    assert (est[1] - est[0]) - overlap <= 0.02 * (hi - lo)


TABLE_MAIN = """package main

import "fmt"

// Two words of pointer-free data that read as {ptr, len}: a table of small integers in the field
// can look like that on a 32-bit target.
var table = [4]uint32{%#x, %#x, %#x, %#x}

func main() { fmt.Println(table[0], "table") }
"""


def test_no_string_spans_the_type_descriptors_edge(gobuild_available: gobuild.Toolchain) -> None:
    """A word pair pointing into read-only data is taken as a string header only when its data
    stays on one side of the type descriptors' edges (runtime.types, runtime.etypes): a string is
    one symbol. Built twice for windows/386 (PE keeps the types and the strings in one .rdata), the
    second time with the table's words set from the first build's addresses (go tool nm);
    same-size constants leave the layout alone."""
    env = (("GOOS", "windows"), ("GOARCH", "386"), ("CGO_ENABLED", "0"))

    def build(words: tuple[int, int, int, int]) -> Path:
        return gobuild.build(BuildSpec("hello", flags=T, env=env, edits=(("main.go", TABLE_MAIN % words),)))

    nm0 = _nm(build((0x11111111, 0x22222222, 0x33333333, 0x44444444)))
    types, etypes = nm0["runtime.types"], nm0["runtime.etypes"]
    inside = (types + 0x10, 0x20)  # within the type descriptors: may be a string
    across = (etypes - 0x40, 0x80)  # across their end: cannot be
    path = build((*inside, *across))
    nm = _nm(path)
    assert (nm["runtime.etypes"], nm["main.table"]) == (etypes, nm0["main.table"])  # same layout
    with open_binaries(str(path)) as (b,):
        h = b.string_headers
        found = {int(a): (int(p), int(n)) for a, p, n in zip(h.addr, h.ptr, h.length, strict=True)}
    assert found.get(nm["main.table"]) == inside
    assert nm["main.table"] + 8 not in found
