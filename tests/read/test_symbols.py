"""The static symbol table against ``go tool nm`` and ``readelf -sW``."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

import gobuild
import oracles
from conftest import FIXTURES, OLD_TOOLCHAIN_BUILDS
from godet.errors import FormatError
from godet.read.image import Image, MappedFile, open_images
from godet.read.symbols import Symbol, SymbolTable, read_symbols

CATALOG = sorted(FIXTURES)
OLD = sorted([*gobuild.NPM_BINARIES, *OLD_TOOLCHAIN_BUILDS])


@pytest.fixture(params=[f"fixture:{n}" for n in CATALOG] + [f"old:{n}" for n in OLD])
def any_binary(request, gobin, old_go_binary) -> Path:  # type: ignore[no-untyped-def]
    kind, name = request.param.split(":", 1)
    return gobin(name) if kind == "fixture" else old_go_binary(name)


def _with_table(path: Path, fn):  # type: ignore[no-untyped-def]
    """fn(image, read_symbols(image)) for the first image of ``path``, inside the mapping."""
    with MappedFile(str(path)) as mapped:
        image = open_images(mapped)[0]
        try:
            return fn(image, read_symbols(image))
        finally:
            del image


def _nm_or_none(path: Path) -> list[tuple[int, str, str]] | None:
    """go tool nm's rows, or None when nm says the file has no symbols (stripped)."""
    try:
        return oracles.go_tool_nm(path)
    except oracles.OracleError as e:
        if "no symbol" in str(e):
            return None
        raise


def _readelf_counts(path: Path) -> dict[str, int]:
    """Entries readelf -sW reports per symbol table (the null entry 0 included)."""
    out = subprocess.run(
        ["readelf", "-sW", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LC_ALL": "C"},
    ).stdout
    return {
        m.group(1): int(m.group(2)) for m in re.finditer(r"Symbol table '([^']+)' contains (\d+) entr", out)
    }


def test_symbols_match_go_tool_nm(any_binary: Path) -> None:
    """Every symbol nm lists, with the same address and nm letter; nothing more, nothing less."""
    rows = _nm_or_none(any_binary)

    def check(image: Image, table: SymbolTable) -> None:
        if rows is None:
            assert not table.present or table.count == 0
            assert table.symbols == []
            return
        # present: some symbol is defined here (a stripped Mach-O keeps its imports, which nm lists)
        assert table.present == any(kind not in "Uu" for _, kind, _ in rows)
        assert table.count == len(rows)
        # nm prints undefined symbols without an address
        mine = Counter((0 if s.kind in "Uu" else s.addr, s.kind, s.name) for s in table.symbols)
        assert mine == Counter(rows)
        assert [s.addr for s in table.symbols] == sorted(s.addr for s in table.symbols)

    _with_table(any_binary, check)


@pytest.mark.parametrize(
    "name",
    [
        "default",
        "extlink",
        "cgo_net",
        "pie",
        "linux_386",
        "linux_arm64",
        "linux_arm",
        "linux_riscv64",
        "go1.21",
        "stripped",
    ],
)
def test_elf_counts_match_readelf(gobin, name: str) -> None:
    """count / dynamic_count = readelf's .symtab / .dynsym entries minus the null entry (as nm skips it)."""
    path = gobin(name)
    counts = _readelf_counts(path)
    table = _with_table(path, lambda image, t: t)
    assert table.source == ("elf .symtab" if ".symtab" in counts else "none")
    assert table.present == (".symtab" in counts)
    assert table.count == max(0, counts.get(".symtab", 0) - 1)
    assert table.dynamic_count == max(0, counts.get(".dynsym", 0) - 1)


@pytest.mark.parametrize(
    "name,source",
    [
        ("default", "elf .symtab"),
        ("windows_amd64", "coff"),
        ("darwin_arm64", "mach-o LC_SYMTAB"),
        ("linux_386", "elf .symtab"),
    ],
)
def test_lookups(gobin, name: str, source: str) -> None:
    """by_name before and after the full decode agree with nm; lookup() finds each function by its middle."""
    path = gobin(name)
    nm_addr = {n: a for a, k, n in oracles.go_tool_nm(path) if k in "Tt"}

    def check(image: Image, table: SymbolTable) -> None:
        assert table.source == source
        names = ("runtime.text", "runtime.etext", "main.main", "no.such.symbol")
        quick = {n: table.by_name(n) for n in names}
        assert quick["no.such.symbol"] is None
        for n in ("runtime.text", "main.main"):
            assert quick[n] is not None and quick[n].addr == nm_addr[n]
        syms = table.symbols  # full decode
        for n, s in quick.items():
            assert table.by_name(n) == s
        funcs = [s for s in syms if s.kind in "Tt" and s.size > 1]
        assert funcs
        for s in funcs[:: max(1, len(funcs) // 300)]:
            hit = table.lookup(s.addr + s.size // 2)
            assert hit is not None and hit.addr <= s.addr + s.size // 2 < hit.addr + hit.size
            assert hit.kind in "Tt"
        assert table.lookup(0) is None
        assert table.to_json() == {
            "present": True,
            "source": source,
            "count": len(syms),
            "dynamic_count": table.dynamic_count,
        }

    _with_table(path, check)


def test_absent() -> None:
    t = SymbolTable.absent()
    assert (t.present, t.source, t.count, t.symbols) == (False, "none", 0, [])
    assert t.by_name("x") is None and t.lookup(1) is None
    assert t.to_json() == {"present": False, "source": "none", "count": 0, "dynamic_count": 0}
    s = Symbol("main.main", 0x401000, 10, "T", ".text")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.addr = 1  # type: ignore[misc]


def test_table_outlives_mapping(gobin) -> None:
    """The decoded table copies what it needs: the file can be unmapped before the symbols are built."""
    path = gobin("default")
    mapped = MappedFile(str(path))
    image = open_images(mapped)[0]
    table = read_symbols(image)
    del image
    mapped.close()
    assert mapped.mm.closed  # nothing held a view on the mapping
    assert table.by_name("main.main") is not None and len(table.symbols) == table.count


def _mutated_image(path: Path, patch) -> Image:  # type: ignore[no-untyped-def]
    """An Image over an in-memory copy of ``path``: headers parsed first, then ``patch`` applied in place."""
    data = bytearray(path.read_bytes())
    fake = SimpleNamespace(path=str(path), data=memoryview(data), mm=None)
    image = open_images(fake)[0]  # type: ignore[arg-type]
    patch(data, image.sections, image.header)
    return image


@pytest.mark.parametrize("name", ["default", "windows_amd64", "darwin_amd64"])
def test_malformed_tables(gobin, name: str) -> None:
    """Garbage bytes in the symbol table: FormatError, or a table whose untouched entries are the ones
    go tool nm lists for the pristine file (ELF and Mach-O: one damaged entry spoils at most itself;
    in PE an aux-count byte may shift all that follows, so there only the undamaged file is compared;
    a claimed count of 0x7fffffff reads on to the end of the file, adding odd entries but losing none)."""
    path = gobin(name)
    import random

    rows = Counter(oracles.go_tool_nm(path))
    rng = random.Random(1234)
    entry = {"default": 24, "windows_amd64": 18, "darwin_amd64": 16}[name]

    def symtab_range(sections, header) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        if header.get("symtab_offset"):
            return header["symtab_offset"], 18 * header["nsymbols"]
        if "symtab" in header:
            return header["symtab"]["symoff"], 16 * header["symtab"]["nsyms"]
        sec = next(s for s in sections if s.name == ".symtab")
        return sec.offset, sec.size

    started = time.monotonic()
    results = errors = 0
    for trial in range(30):
        touched: set[int] = set()

        def patch(data, sections, header, trial=trial, touched=touched):  # type: ignore[no-untyped-def]
            off, size = symtab_range(sections, header)
            for _ in range(200 if trial else 0):
                pos = rng.randrange(size)
                data[off + pos] = rng.randrange(256)
                touched.add(pos // entry)
            if trial % 3 == 0 and trial:  # (trial 0: the pristine file, through the same harness)
                header["nsymbols"] = header.get("nsymbols", 0) and 0x7FFFFFFF
                if "symtab" in header:
                    header["symtab"] = {**header["symtab"], "nsyms": 0x7FFFFFFF, "strsize": 0x7FFFFFFF}

        image = _mutated_image(path, patch)
        try:
            table = read_symbols(image)
            syms = table.symbols
            assert len(syms) == table.count
            if syms:
                assert table.lookup(syms[len(syms) // 2].addr) is not None
        except FormatError:
            errors += 1
            continue
        results += 1
        mine = Counter((0 if s.kind in "Uu" else s.addr, s.kind, s.name) for s in syms)
        kept = sum((mine & rows).values())
        if not touched:
            assert mine == rows, trial  # no byte damaged: exactly nm's table
        elif name != "windows_amd64":
            assert kept >= sum(rows.values()) - len(touched), (trial, kept, len(touched))
    assert results + errors == 30 and results
    assert time.monotonic() - started < 30


def test_symtab_past_end_of_file(gobin, tmp_path: Path) -> None:
    """A file cut inside its symbol table. ELF: the section header table (at the end) goes first, so
    the container is refused with that reason. PE and Mach-O cut by 4 KiB: the symbols that are
    there, as go tool nm lists them in the whole file, but for names cut short by the end of file."""
    from godet.errors import CorruptBinary

    path = gobin("default")
    data = path.read_bytes()
    with MappedFile(str(path)) as mapped:
        image = open_images(mapped)[0]
        symtab = image.section(".symtab")
        assert symtab is not None
        cut = symtab.offset + symtab.size // 2
        del image
    (tmp_path / "elf").write_bytes(data[:cut])
    with (
        pytest.raises(
            CorruptBinary, match=r"section name table .* lies past the end of the 0x[0-9a-f]+-byte"
        ),
        MappedFile(str(tmp_path / "elf")) as mapped,
    ):
        open_images(mapped)
    for fmt_name in ("windows_amd64", "darwin_arm64"):
        whole = gobin(fmt_name)
        rows = Counter(oracles.go_tool_nm(whole))
        cut_file = tmp_path / fmt_name
        cut_file.write_bytes(whole.read_bytes()[:-4096])
        with MappedFile(str(cut_file)) as mapped:
            image = open_images(mapped)[0]
            table = read_symbols(image)
            mine = Counter((0 if s.kind in "Uu" else s.addr, s.kind, s.name) for s in table.symbols)
            del image
        assert len(table.symbols) == table.count
        # a symbol whose name was in the cut part of the string table keeps its address and kind,
        # with the name read up to the end of the file ("" when it began past it)
        names_at: dict[int, set[str]] = {}
        for a, _k, n in rows:
            names_at.setdefault(a, set()).add(n)
        for addr, _kind, name in mine - rows:  # (bss kinds may read as data: the section is cut too)
            assert any(n.startswith(name) for n in names_at.get(addr, ())), (addr, name)
        intact = sum((mine & rows).values())
        assert intact >= sum(rows.values()) - 4096 // 8, (intact, sum(rows.values()))
