"""Inlined ranges (pclntab) and address loads and data loads (read/coderefs.py) against go tool objdump."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gobuild
import oracles
from godet.arrays import string_key, string_keys
from godet.read.binary import open_binaries
from godet.read.coderefs import (
    BlobIndex,
    code_refs,
    functions_loading,
    literal_loaders,
    own_literals,
    race_instrumented,
)

ARCH_FIXTURES = ["default", "linux_arm64", "linux_386"]
# objdump names the target: 64-bit loads on amd64 (the scan leaves 32-bit ones out), 32-bit on 386
_NAMED = re.compile(r"(?:LEAQ|MOVQ|LEAL|MOVL) ([^ (]+?)(?:\+(0x[0-9a-f]+|\d+))?\(SB\), [A-Z]")


def _objdump_loads(
    path: Path, first: str = "go:string.*", last: str = ""
) -> tuple[set[tuple[int, int]], tuple[int, int]]:
    """(pc, target) of every instruction (pair) objdump shows loading an address in [symbol ``first``,
    symbol ``last``) (by default the blob of Go string literals), or a word from there, and that
    range (from go tool nm)."""
    nm = {name: addr for addr, _, name in reversed(oracles.go_tool_nm(path))}
    i386 = {"Key": "GOARCH", "Value": "386"} in oracles.go_version_m_json(path).get("Settings", [])
    lo = nm[first]
    hi = nm[last] if last else min(a for a in nm.values() if a > lo)
    loads: set[tuple[int, int]] = set()
    prev: tuple[int, int, str] | None = None
    for _file, _line, pc, raw, asm in oracles.go_tool_objdump(path):
        target = None
        if m := re.match(r"(?:LEAQ|MOVQ) (-?0x[0-9a-f]+)\(IP\), [A-Z]", asm):
            target = pc + len(raw) + int(m.group(1), 16)
        elif (m := _NAMED.match(asm)) and m.group(1) in nm and _claimed(asm, raw, i386):
            target = nm[m.group(1)] + (int(m.group(2), 0) if m.group(2) else 0)  # objdump named it
        elif (m := re.match(r"(?:LEAL|MOVL) (0x[0-9a-f]+), [A-Z]", asm)) and raw[-5:-4] != b"\xa1":
            target = int(m.group(1), 16)  # (not the short A1 form of MOVL abs, AX)
        elif m := re.match(r"ADRP (-?\d+)\(PC\), (R\d+)", asm):
            prev = (pc, (pc & ~0xFFF) + int(m.group(1)), m.group(2))
            continue
        elif (m := re.match(r"ADD \$(\d+), (R\d+), ", asm)) and _follows(prev, pc, m.group(2)):
            pc, target = prev[0], prev[1] + int(m.group(1))  # type: ignore[index]
        elif (m := re.match(r"MOVD (\d+)\((R\d+)\), R", asm)) and _follows(prev, pc, m.group(2)):
            pc, target = prev[0], prev[1] + int(m.group(1))  # type: ignore[index]  # LDR of the page
        prev = None
        if target is not None and lo <= target < hi:
            loads.add((pc, target))
    return loads, (lo, hi)


def _claimed(asm: str, raw: bytes, i386: bool) -> bool:
    """Whether the scan claims this form: REX.W LEAQ/MOVQ (amd64), or LEAL/MOVL with a ModRM byte
    (386; amd64's 32-bit MOVL is not claimed)."""
    if asm.startswith(("LEAQ", "MOVQ")):
        return raw[:1] in (b"\x48", b"\x4c") and len(raw) == 7
    return i386 and len(raw) == 6


def _follows(adrp: tuple[int, int, str] | None, pc: int, reg: str) -> bool:
    """Whether the ADD at ``pc`` adds to the register the ADRP right before it set."""
    return adrp is not None and adrp[0] == pc - 4 and adrp[2] == reg


def _scanned(path: Path, lo: int, hi: int) -> set[tuple[int, int]]:
    """(pc, target) of the loads code_refs finds into [lo, hi)."""
    with open_binaries(str(path)) as (b,):
        pc = b.pclntab
        refs = code_refs(b.image, (int(pc.entries[0]), int(pc.ends[-1])))
    assert refs is not None
    keep = (refs.targets >= lo) & (refs.targets < hi)
    return set(zip(refs.pcs[keep].tolist(), refs.targets[keep].tolist(), strict=True))


@pytest.mark.parametrize("name", ARCH_FIXTURES)
def test_code_refs_match_objdump(gobin: Callable[[str], Path], name: str) -> None:
    path = gobin(name)
    loads, (lo, hi) = _objdump_loads(path)
    assert len(loads) > 100
    assert _scanned(path, lo, hi) == loads


@pytest.mark.parametrize("name", ARCH_FIXTURES)
def test_data_loads_match_objdump(gobin: Callable[[str], Path], name: str) -> None:
    """Loads of package variables (runtime.noptrdata up to runtime.enoptrbss): MOVQ/MOVL, arm64 LDR."""
    path = gobin(name)
    loads, (lo, hi) = _objdump_loads(path, "runtime.noptrdata", "runtime.enoptrbss")
    assert len(loads) > 500
    found = _scanned(path, lo, hi)
    # every load objdump shows; a byte pattern inside another instruction may match too, rarely
    assert loads <= found and len(found - loads) <= len(loads) // 50


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
        assert own_literals(b, pieces, BlobIndex(b"")) == [b"hello, godet", b"GOROOT:", None]
        # a string the other build holds too is no changed literal
        assert own_literals(b, pieces[:1], BlobIndex(blob)) == [None]
        nm = {n: a for a, _, n in oracles.go_tool_nm(path)}
        assert lo == nm["go:string.*"] and np.uint64(hi) > np.uint64(lo)


@pytest.mark.parametrize("name", ARCH_FIXTURES)
def test_literal_loaders(gobin: Callable[[str], Path], name: str) -> None:
    """The functions that load a literal: hello's "hello, godet" only main.main (testdata/hello prints
    it there), a runtime message only the runtime's functions; every name a text symbol of go tool nm."""
    path = gobin(name)
    text = {n for _a, t, n in oracles.go_tool_nm(path) if t in "Tt"}
    with open_binaries(str(path)) as (b,):
        lo, hi = b.go_strings
        blob = b.image.read_va(lo, hi - lo)
        spans = [(lo + blob.find(t), lo + blob.find(t) + len(t)) for t in (b"hello, godet", b"GOROOT:")]
        runtime = lo + blob.find(b"invalid memory address or nil pointer")
        got = literal_loaders(b, [*spans, (runtime, runtime + 8)])
    assert got is not None
    assert got[0] == {("main.main", "main")}
    assert got[2] and all(k == "std" and n.startswith("runtime.") for n, k in got[2])
    assert {n for found in got for n, _ in found} <= text


@pytest.mark.parametrize("name", ARCH_FIXTURES)
def test_functions_loading(gobin: Callable[[str], Path], name: str) -> None:
    """Who loads an address range of the blob, whatever module: objdump's loads of each literal main
    loads (its first byte), and a byte inside "hello, godet" (the string that holds it, main.main)."""
    path = gobin(name)
    loads, (lo, hi) = _objdump_loads(path)
    text = [(a, n) for a, kind, n in oracles.go_tool_nm(path) if kind in "Tt"]
    with open_binaries(str(path)) as (b,):
        blob = b.image.read_va(lo, hi - lo)
        inside = lo + blob.find(b"hello, godet") + 3
        assert functions_loading(b, inside, inside + 1) == {("main.main", "main")}
        for pc, target in sorted(loads):
            owner = max(x for x in text if x[0] <= pc)[1]
            got = functions_loading(b, target, target + 1)
            assert got is not None and owner in {n for n, _ in got}, (hex(pc), hex(target), owner, got)


def test_blob_index_holds_what_find_finds() -> None:
    """BlobIndex.holds (whole headed strings by hash, gram filters, a search) against ``in`` over the
    blob."""
    rng = np.random.default_rng(7)
    words = [bytes(rng.integers(97, 123, int(rng.integers(1, 24)), dtype=np.uint8)) for _ in range(40_000)]
    blob = b"".join(sorted(set(words), key=len))
    assert len(blob) > 1 << 18  # the gram filters are used
    headed = words[:1000]
    index = BlobIndex(blob, np.array([blob.find(w) for w in headed]), np.array([len(w) for w in headed]))
    queries = (
        words[:50]
        + words[-2000:]
        + [w[1:-1] for w in words[:300]]
        + [bytes(rng.integers(97, 123, int(rng.integers(1, 24)), dtype=np.uint8)) for _ in range(3000)]
    )
    assert [index.holds(q) for q in queries] == [q in blob for q in queries]
    assert any(not index.holds(q) for q in queries) and index._grams  # absent texts; filters built


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=64), st.lists(st.tuples(st.integers(0, 64), st.integers(0, 20)), max_size=30))
def test_string_keys_are_the_keys_of_the_strings(
    buf: bytes, spans: list[tuple[int, int]]
) -> None:
    """string_keys (numpy, over a buffer) and string_key (one bytes object) agree, and equal strings
    get equal keys wherever they stand."""
    spans = [(o, k) for o, k in spans if o + k <= len(buf)]
    at = np.array([o for o, _ in spans], dtype=np.int64)
    n = np.array([k for _, k in spans], dtype=np.int64)
    keys = string_keys(np.frombuffer(buf, dtype=np.uint8), at, n).tolist()
    assert keys == [string_key(buf[o : o + k]) for o, k in spans]
    by_text: dict[bytes, int] = {}
    for (o, k), key in zip(spans, keys, strict=True):
        assert by_text.setdefault(buf[o : o + k], key) == key


_RACE_CALL = re.compile(r"CALL (?:runtime\.race|sync/atomic\.)")


def test_race_instrumented_are_the_functions_calling_the_race_detector(gobuild_available: object) -> None:
    """race_instrumented, for the main package of the matrix program built with and without -race:
    the functions whose go tool objdump listing calls runtime.race* or sync/atomic (a leaf that only
    computes, like main.mix, is not instrumented); the build without -race holds no race runtime."""
    from matrix import factors

    plain, raced = gobuild.build_pair(*factors.pair_specs(("race",)))
    assert {"Key": "-race", "Value": "true"} in oracles.go_version_m_json(raced).get("Settings", [])
    calls = {}
    for path in (plain, raced):
        with open_binaries(str(path)) as (b,):
            found = race_instrumented(b)
            assert found is not None
            names = [n for n in b.pclntab.names if n.startswith("main.")]
            calls[path] = {
                n: any(_RACE_CALL.match(r[4]) for r in oracles.go_tool_objdump(path, f"^{re.escape(n)}$"))
                for n in names
            }
            held = set(found.tolist())
            want = {n for n, c in calls[path].items() if c}
            assert {n for n in names if b.pclntab.index_of(n) in held} == want
        has_race = any(name == "runtime.racefuncenter" for _, _, name in oracles.go_tool_nm(path))
        assert has_race == (path == raced)
    assert not any(calls[plain].values())
    assert calls[raced]["main.mix"] is False and any(calls[raced].values())
