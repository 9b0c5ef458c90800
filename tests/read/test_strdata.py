"""Facts of one binary's data, found by the shapes Go gives them: string headers, embed.FS file
tables, and layout-independent names of addresses; checked against ``go tool nm`` and the sources the
tests embedded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
