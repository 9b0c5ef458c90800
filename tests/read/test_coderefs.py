"""Inlined ranges (pclntab) and address loads (read/coderefs.py) against go tool objdump."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import oracles
from godet.read.binary import open_binaries
from godet.read.coderefs import code_refs, own_literals

ARCH_FIXTURES = ["default", "linux_arm64", "linux_386"]


def _blob_loads(path: Path) -> tuple[set[tuple[int, int]], tuple[int, int]]:
    """(pc, target) of every instruction (pair) objdump shows loading an address in the blob of Go
    string literals, and the blob's [lo, hi) (from go tool nm)."""
    nm = {name: addr for addr, _, name in oracles.go_tool_nm(path)}
    lo = nm["go:string.*"]
    hi = min(a for a in nm.values() if a > lo)
    loads: set[tuple[int, int]] = set()
    prev: tuple[int, int, str] | None = None
    for _file, _line, pc, raw, asm in oracles.go_tool_objdump(path):
        target = None
        if m := re.match(r"LEAQ (-?0x[0-9a-f]+)\(IP\), ", asm):
            target = pc + len(raw) + int(m.group(1), 16)
        elif m := re.match(r"LEAL (0x[0-9a-f]+), ", asm):
            target = int(m.group(1), 16)
        elif m := re.match(r"ADRP (-?\d+)\(PC\), (R\d+)", asm):
            prev = (pc, (pc & ~0xFFF) + int(m.group(1)), m.group(2))
            continue
        elif (m := re.match(r"ADD \$(\d+), (R\d+), ", asm)) and _follows(prev, pc, m.group(2)):
            pc, target = prev[0], prev[1] + int(m.group(1))  # type: ignore[index]
        prev = None
        if target is not None and lo <= target < hi:
            loads.add((pc, target))
    return loads, (lo, hi)


def _follows(adrp: tuple[int, int, str] | None, pc: int, reg: str) -> bool:
    """Whether the ADD at ``pc`` adds to the register the ADRP right before it set."""
    return adrp is not None and adrp[0] == pc - 4 and adrp[2] == reg


@pytest.mark.parametrize("name", ARCH_FIXTURES)
def test_code_refs_match_objdump(gobin: Callable[[str], Path], name: str) -> None:
    path = gobin(name)
    loads, (lo, hi) = _blob_loads(path)
    assert len(loads) > 100
    with open_binaries(str(path)) as (b,):
        pc = b.pclntab
        refs = code_refs(b.image, (int(pc.entries[0]), int(pc.ends[-1])))
    assert refs is not None
    keep = (refs.targets >= lo) & (refs.targets < hi)
    assert set(zip(refs.pcs[keep].tolist(), refs.targets[keep].tolist(), strict=True)) == loads


def test_inlined_ranges_match_objdump(gobin: Callable[[str], Path]) -> None:
    """main.main's instructions that objdump places in another file are inlined code; its own are not."""
    path = gobin("default")
    lines = oracles.go_tool_objdump(path, "^main.main$")
    with open_binaries(str(path)) as (b,):
        pc = b.pclntab
        i = next(k for k in range(len(pc)) if pc.name(k) == "main.main")
        ranges = pc.inlined_ranges(i)
    inlined = [any(s <= addr < e for s, e in ranges) for _, _, addr, _, _ in lines]
    other_file = [not file.endswith("main.go") for file, *_ in lines]
    assert any(other_file)  # fmt.Println is inlined into main.main
    assert [x for x, o in zip(inlined, other_file, strict=True) if o] == [True] * sum(other_file)
    own = [x for x, o in zip(inlined, other_file, strict=True) if not o]
    assert own.count(False) > len(own) // 2  # the function's own code is not inlined code


@pytest.mark.parametrize("name", ARCH_FIXTURES)
def test_own_literals(gobin: Callable[[str], Path], name: str) -> None:
    """hello's main loads "hello, godet" (through a static string header); "GOROOT:"'s load is
    the program's too, and runtime strings are not."""
    path = gobin(name)
    with open_binaries(str(path)) as (b,):
        lo, hi = b.go_strings
        blob = b.image.read_va(lo, hi - lo)

        def span(text: bytes) -> tuple[int, int]:
            at = blob.find(text)
            assert at >= 0, text
            return lo + at, lo + at + len(text)

        pieces = [span(b"hello, godet"), span(b"GOROOT:"), span(b"invalid memory address or nil pointer")]
        assert own_literals(b, pieces, b"") == [True, True, False]
        # a string the other build holds too is no changed literal
        assert own_literals(b, pieces[:1], blob) == [False]
        nm = {n: a for a, _, n in oracles.go_tool_nm(path)}
        assert lo == nm["go:string.*"] and np.uint64(hi) > np.uint64(lo)
