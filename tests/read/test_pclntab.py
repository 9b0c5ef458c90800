"""The pclntab against go tool nm, go tool addr2line and go version, on every layout and container."""

from __future__ import annotations

import itertools
import random
import re
import struct
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import gobuild
import oracles
from conftest import FIXTURES, OLD_TOOLCHAIN_BUILDS, STRIPPED_TWINS
from godet.errors import FormatError
from godet.read.binary import open_binaries
from godet.read.image import Image, MappedFile, open_images
from godet.read.pclntab import (
    BY_MAGIC,
    LAYOUTS,
    MAX_NAME,
    NAME_SPAN_PER_FUNC,
    Func,
    Pclntab,
    _cstr,
    decode_names,
    decode_pcvalue,
    field_offset,
    read_pclntab,
)
from godet.read.symbols import read_symbols

# Fixtures with a symbol table that nm can read (the stripped ones are compared through their twin).
WITH_SYMBOLS = sorted(n for n in FIXTURES if n not in STRIPPED_TWINS and n != "hardened")
OLD_WITH_SYMBOLS = ["linux-1.14", "darwin-1.16", *sorted(OLD_TOOLCHAIN_BUILDS)]
OLD_STRIPPED_ELF = ["linux-1.16", "linux-1.17"]  # esbuild releases built with -s -w
WINDOWS_114 = ("esbuild-windows-64", "0.5.19")  # go1.14.2, PE with COFF symbols, 1.2 layout
ALL_OLD = sorted([*gobuild.NPM_BINARIES, *OLD_TOOLCHAIN_BUILDS])
HOST_SECTION_SYMBOL = re.compile(r"\((\.text[^)]*|__TEXT/__text)\)$")  # e.g. "runtime/cgo(.text)"


def _read(path: Path) -> Pclntab:
    """The pclntab of the first image of ``path`` (the result outlives the mapping)."""
    with MappedFile(str(path)) as mapped:
        image = open_images(mapped)[0]
        try:
            pt = read_pclntab(image, read_symbols(image))
        finally:
            del image
    assert pt is not None
    return pt


def _image_format(path: Path) -> str:
    with MappedFile(str(path)) as mapped:
        image = open_images(mapped)[0]
        fmt = image.format
        del image
    return fmt


def nm_go_functions(path: Path) -> tuple[set[tuple[str, int]], dict[str, int]]:
    """The Go functions ``go tool nm`` lists, as (name, address), normalised to pclntab spelling.

    A pclntab holds exactly the functions of the Go text range, so from nm's T/t entries:
    * keep those in [runtime.text, runtime.etext): CRT and C code from an external link lie outside;
    * drop the runtime.text / runtime.etext markers themselves, and the section symbols of host
      objects that internal linking of cgo code adds ("runtime/cgo(.text)", "net(__TEXT/__text)");
    * the linker mangles symbol-table names, not pclntab names: ".abi0" marks the ABI0 body of a
      function that also has an ABIInternal wrapper (mangleABIName), and "·" is rewritten to "."
      for ELF/Mach-O (symtab.go, macho.go; PE keeps it), so both sides are compared with ".";
    * debug/macho strips the "_" Go prefixes to Mach-O names only when the name contains a ".",
      so "__rt0_amd64" / "_callRet" in nm are "_rt0_amd64" / "callRet" in the pclntab.
    C functions that internal linking puts inside the Go text range *are* in the pclntab (without
    files) and in nm, so they need no special case.
    """
    rows = oracles.go_tool_nm(path)
    first = {}
    for addr, _kind, name in rows:
        first.setdefault(name, addr)
    text, etext = first["runtime.text"], first["runtime.etext"]
    macho = _image_format(path) == "macho"
    out = set()
    for addr, kind, name in rows:
        if kind not in "Tt" or not text <= addr < etext or name in ("runtime.text", "runtime.etext"):
            continue
        if HOST_SECTION_SYMBOL.search(name):
            continue
        name = name.removesuffix(".abi0").replace("·", ".")
        if macho and "." not in name and name.startswith("_"):
            name = name[1:]
        out.add((name, addr))
    return out, first


def _pcln_set(pt: Pclntab) -> set[tuple[str, int]]:
    return {(f.name.replace("·", "."), f.entry) for f in pt.funcs}


def _nm_size_listing(path: Path) -> str:
    """``go tool nm -size`` of ``path``."""
    return oracles.go_tool_nm_size_listing(path)


def _nm_sizes(path: Path) -> dict[tuple[str, int], int]:
    """ELF symbol sizes of the text symbols (``go tool nm -size``), by (name without .abi0, address)."""
    out = _nm_size_listing(path)
    sizes: dict[tuple[str, int], int] = {}
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+)\s+(\d+) [Tt] (.*)$", line)
        if m:
            sizes[(m.group(3).removesuffix(".abi0"), int(m.group(1), 16))] = int(m.group(2))
    return sizes


def go_tool_addr2line(path: Path, addrs: list[int]) -> list[tuple[str, str]]:
    """(function, "file:line") per address, from ``go tool addr2line`` (reads the pclntab itself)."""
    tc = gobuild.toolchain()
    proc = subprocess.run(
        [str(tc.go), "tool", "addr2line", str(path)],
        env=gobuild.go_env(tc),
        input="".join(f"{a:#x}\n" for a in addrs),
        capture_output=True,
        text=True,
        check=True,
    )
    lines = proc.stdout.splitlines()
    assert len(lines) == 2 * len(addrs)
    return list(zip(lines[0::2], lines[1::2], strict=True))


# ------------------------------------------------------------------------------- functions vs nm


@pytest.mark.parametrize("name", WITH_SYMBOLS)
def test_functions_match_go_tool_nm(gobin, name: str) -> None:
    path = gobin(name)
    pt = _read(path)
    expected, first = nm_go_functions(path)
    assert _pcln_set(pt) == expected
    assert len(pt.funcs) == pt.nfunc
    assert [f.entry for f in pt.funcs] == sorted(f.entry for f in pt.funcs)
    assert all(a.end == b.entry for a, b in zip(pt.funcs, pt.funcs[1:], strict=False))
    assert pt.funcs[-1].end <= first["runtime.etext"]
    if _image_format(path) == "elf":
        # ELF symbols carry the function's size: the code ends at or before the next entry
        sizes = _nm_sizes(path)
        for f in pt.funcs:
            assert f.entry + sizes.get(f.entry, 0) <= f.end, f


@pytest.mark.parametrize("name", OLD_WITH_SYMBOLS)
def test_old_layouts_match_go_tool_nm(old_go_binary, name: str) -> None:
    path = old_go_binary(name)
    pt = _read(path)
    expected, _ = nm_go_functions(path)
    assert _pcln_set(pt) == expected


TYPES_SOURCES = [f"fixture:{n}" for n in ("default", "windows_amd64", "linux_386", "go1.21", "go1.24")]


@pytest.mark.parametrize("source", [*TYPES_SOURCES, *(f"old:{n}" for n in OLD_WITH_SYMBOLS)])
def test_moduledata_types_match_go_tool_nm(gobin, old_go_binary, source: str) -> None:
    """moduledata's [types, etypes) is runtime.types .. runtime.etypes, whichever moduledata layout
    (1.27 put typedesclen between the two words; 1.16 and 1.20 moved gcdata)."""
    from godet.read.pclntab import moduledata_types

    kind, name = source.split(":", 1)
    path = gobin(name) if kind == "fixture" else old_go_binary(name)
    _, first = nm_go_functions(path)
    with MappedFile(str(path)) as mapped:
        image = open_images(mapped)[0]
        pt = read_pclntab(image, read_symbols(image))
        assert pt is not None
        got = moduledata_types(image, pt)
        del image
    assert got == (first["runtime.types"], first["runtime.etypes"])


def test_old_pe_layout_12(gobuild_available) -> None:
    """Go 1.14 PE: the 1.2 layout located through the COFF runtime.pclntab symbols, and by scan."""
    path = gobuild.npm_binary(*WINDOWS_114)
    pt = _read(path)
    assert (pt.version, pt.located_by) == ("1.2", "symbols")
    expected, _ = nm_go_functions(path)
    assert _pcln_set(pt) == expected
    with MappedFile(str(path)) as mapped:
        image = open_images(mapped)[0]
        blind = read_pclntab(image, None)  # as if stripped
        del image
    assert blind is not None and blind.located_by == "scan"
    assert (blind.funcs, blind.files, blind.offset) == (pt.funcs, pt.files, pt.offset)


@pytest.mark.parametrize("source", [f"fixture:{n}" for n in sorted(FIXTURES)] + [f"old:{n}" for n in ALL_OLD])
def test_same_without_symbols(gobin, old_go_binary, source: str) -> None:
    """Ignoring the symbol table (moduledata text base, scan on PE) changes nothing."""
    kind, name = source.split(":", 1)
    path = gobin(name) if kind == "fixture" else old_go_binary(name)
    with MappedFile(str(path)) as mapped:
        image = open_images(mapped)[0]
        with_syms = read_pclntab(image, read_symbols(image))
        blind = read_pclntab(image, None)
        del image
    assert with_syms is not None and blind is not None
    assert blind.funcs == with_syms.funcs
    assert blind.files == with_syms.files
    assert blind.offset == with_syms.offset
    assert blind.text_source in ("moduledata", "runtime.text symbol") or blind.version in ("1.2", "1.16")


def _layout_for(go_version: str) -> str:
    m = re.match(r"go1\.(\d+)", go_version)
    assert m, go_version
    minor = int(m.group(1))
    return "1.2" if minor < 16 else "1.16" if minor < 18 else "1.18" if minor < 20 else "1.20"


@pytest.mark.parametrize("source", [f"fixture:{n}" for n in sorted(FIXTURES)] + [f"old:{n}" for n in ALL_OLD])
def test_layout_matches_go_version(gobin, old_go_binary, source: str) -> None:
    kind, name = source.split(":", 1)
    path = gobin(name) if kind == "fixture" else old_go_binary(name)
    go_version = oracles.go_version_m(path).splitlines()[0].split(": ", 1)[1].strip()
    pt = _read(path)
    assert pt.version == _layout_for(go_version)
    with MappedFile(str(path)) as mapped:
        image = open_images(mapped)[0]
        ptr, big = image.ptr_size, image.big_endian
        del image
    assert (pt.ptr_size, pt.big_endian) == (ptr, big)
    assert pt.quantum in (1, 2, 4)
    for tname, (off, length) in pt.tables.items():
        assert pt.offset <= off and off + length <= pt.offset + pt.size, tname
    # the header's tables lie one after the other: none runs into the next (cutab's length is
    # in bytes up to Go 1.25 and in entries from 1.26, cmd/link symtab.go)
    chain = sorted((off, length, n) for n, (off, length) in pt.tables.items() if n != "functab")
    for (off, length, tname), (nxt, _, _) in itertools.pairwise(chain):
        assert off + length <= nxt, tname
    if pt.version != "1.2":
        assert pt.nfiles == len(pt.files)  # nfiles counts distinct names
    j = pt.to_json()
    assert j["nfunc"] == pt.nfunc and j["files"] == pt.files and "functions" not in j
    f0 = pt.funcs[0]
    assert pt.to_json(functions=True)["functions"][0] == {"name": f0.name, "entry": f0.entry, "end": f0.end}


# --------------------------------------------------------------------------------- stripped


def _stripped_twins(gobin) -> list[tuple[str, Path, Path]]:  # type: ignore[no-untyped-def]
    return [(s, gobin(s), gobin(t)) for s, t in sorted(STRIPPED_TWINS.items())]


@pytest.mark.parametrize("stripped", sorted(STRIPPED_TWINS))
def test_stripped_matches_unstripped_twin(gobin, stripped: str) -> None:
    """Without symbols (text base from moduledata, PE pclntab by scan): the twin's nm functions."""
    spath, tpath = gobin(stripped), gobin(STRIPPED_TWINS[stripped])
    pt, twin = _read(spath), _read(tpath)
    expected, _ = nm_go_functions(tpath)
    assert _pcln_set(pt) == expected
    assert pt.funcs == twin.funcs
    assert pt.files == twin.files
    assert pt.text_start == twin.text_start
    assert pt.text_source != "runtime.text symbol"


@pytest.mark.parametrize(
    "flags", [("-ldflags=-linkmode=external -s -w",), ("-buildmode=pie", "-ldflags=-linkmode=external -s -w")]
)
def test_stripped_external_link(gobin, flags: tuple[str, ...]) -> None:
    """External linking puts CRT code before runtime.text: .text's start is not the text base.

    The stripped build must still give the unstripped build's entries (moduledata's text).
    """
    spec = FIXTURES["extlink"]
    spath = gobuild.build(spec.with_(flags=flags))
    tpath = gobuild.build(spec.with_(flags=tuple(f.replace(" -s -w", "") for f in flags)))
    pt, twin = _read(spath), _read(tpath)
    expected, first = nm_go_functions(tpath)
    assert _pcln_set(pt) == expected
    assert pt.funcs == twin.funcs
    assert pt.text_start == first["runtime.text"]
    with MappedFile(str(spath)) as mapped:
        image = open_images(mapped)[0]
        text_sec = image.section(".text")
        assert text_sec is not None and text_sec.addr < pt.text_start  # the trap this avoids
        del image


@pytest.mark.parametrize("name", OLD_STRIPPED_ELF)
def test_old_stripped_against_addr2line(old_go_binary, name: str) -> None:
    """Stripped Go 1.16/1.17 releases: every entry named as go tool addr2line names it."""
    path = old_go_binary(name)
    pt = _read(path)
    got = go_tool_addr2line(path, [f.entry for f in pt.funcs])
    assert [fn for fn, _ in got] == [f.name for f in pt.funcs]
    # and source positions inside functions
    sample = pt.funcs[:: max(1, len(pt.funcs) // 200)]
    addrs = [f.entry + (f.end - f.entry) // 3 for f in sample]
    got = go_tool_addr2line(path, addrs)
    for a, (_fn, pos) in zip(addrs, got, strict=True):
        src = pt.source_at(a)
        assert src is not None
        if pos.startswith(":"):
            # No file: C code linked internally has no pc tables (offset 0). The runtime reads that
            # as "no value" (-1); debug/gosym decodes from pctab[0] anyway and prints junk lines.
            assert src[0] == "", hex(a)
        else:
            assert f"{src[0]}:{src[1]}" == pos, hex(a)


def test_old_stripped_pe_by_scan(old_go_binary) -> None:
    """A stripped Go 1.16 PE (no symbols, no pclntab section): found by the validated scan."""
    path = old_go_binary("windows-1.16")
    pt = _read(path)
    go_version = oracles.go_version_m(path).splitlines()[0].split(": ", 1)[1].strip()
    assert pt.version == _layout_for(go_version)
    assert pt.located_by == "scan"
    with MappedFile(str(path)) as mapped:
        image = open_images(mapped)[0]
        text = image.section(".text")
        assert text is not None
        assert all(text.addr <= f.entry < f.end <= text.addr + text.mem_size for f in pt.funcs)
        del image
    names = {f.name for f in pt.funcs}
    assert {"main.main", "runtime.main", "runtime.goexit"} <= names
    main = next(f for f in pt.funcs if f.name == "main.main")
    assert any(p.endswith("/main.go") for p in pt.func_files(main))


# ------------------------------------------------------------------------------ files, positions


def test_file_table_paths(gobin) -> None:
    """Without -trimpath the absolute path of main.go; with it, module path + file."""
    module = re.search(r"^module (\S+)", (gobuild.TESTDATA / "hello" / "go.mod").read_text(), re.M)
    assert module
    spec = FIXTURES["default"]
    abs_main = str(gobuild.CACHE_ROOT / "work" / spec.workdir / spec.src / "main.go")
    goroot = str(gobuild.toolchain().goroot)

    pt = _read(gobin("default"))
    assert abs_main in pt.files
    assert f"{goroot}/src/runtime/proc.go" in pt.files
    assert len(pt.files) == len(set(pt.files))
    main = next(f for f in pt.funcs if f.name == "main.main")
    assert abs_main in pt.func_files(main)
    src = pt.source_at(main.entry)
    assert src is not None and src[0] == abs_main and src[1] > 0

    tp = _read(gobin("trimpath"))
    assert f"{module.group(1)}/main.go" in tp.files
    assert "runtime/proc.go" in tp.files
    assert not any(f.startswith((str(gobuild.CACHE_ROOT), goroot)) for f in tp.files)
    assert [f.name for f in tp.funcs] == [f.name for f in pt.funcs]


@pytest.mark.parametrize("name", ["default", "trimpath", "linux_arm64", "linux_386", "pie", "cgo_net"])
def test_source_positions_match_addr2line(gobin, name: str) -> None:
    """source_at() against go tool addr2line (internal linking: .text starts at runtime.text)."""
    path = gobin(name)
    pt = _read(path)
    sample = pt.funcs[:: max(1, len(pt.funcs) // 150)]
    addrs = [f.entry + (f.end - f.entry) // 2 for f in sample] + [f.entry for f in sample]
    got = go_tool_addr2line(path, addrs)
    for a, (fn, pos) in zip(addrs, got, strict=True):
        f = pt.func_at(a)
        assert f is not None and f.name == fn
        src = pt.source_at(a)
        assert src is not None
        if pos.startswith(":"):
            # No file: C code linked internally has no pc tables (offset 0). The runtime reads that
            # as "no value" (-1); debug/gosym decodes from pctab[0] anyway and prints junk lines.
            assert src[0] == "", hex(a)
        else:
            assert f"{src[0]}:{src[1]}" == pos, hex(a)


def test_func_at_edges(gobin) -> None:
    pt = _read(gobin("default"))
    first, last = pt.funcs[0], pt.funcs[-1]
    assert pt.func_at(first.entry) == first
    assert pt.func_at(first.entry - 1) is None
    assert pt.func_at(last.end - 1) == last
    assert pt.func_at(last.end) is None
    assert pt.func_files(Func("nowhere", 0, 1)) == []
    assert pt.source_at(0) is None


def test_arrays_agree_with_objects(gobin) -> None:
    """The arrays, the lazily decoded names and the Func objects tell the same table."""
    pt = _read(gobin("default"))
    n = len(pt)
    assert n == pt.nfunc == len(pt.names) == len(pt.funcs)
    assert pt.entries.dtype == pt.ends.dtype == np.uint64
    assert [(f.name, f.entry, f.end) for f in pt.funcs] == list(
        zip(pt.names, pt.entries.tolist(), pt.ends.tolist(), strict=True)
    )
    fresh = _read(gobin("default"))  # names one by one, before any bulk decode
    assert [fresh.name(i) for i in range(0, n, 97)] == pt.names[::97]
    mains = [i for i, name in enumerate(pt.names) if name.startswith("main.")]
    assert pt.with_prefix("main.").tolist() == mains
    assert pt.with_prefix("main.").size and not pt.with_prefix("no such prefix.").size
    probes = [0, int(pt.entries[0]) - 1, int(pt.ends[-1]), 1 << 64, -1]
    probes += [int(e) + d for e in pt.entries[:: max(1, n // 50)] for d in (0, 1)]
    got = pt.indexes_at(np.array([a if 0 <= a < 1 << 64 else 0 for a in probes], dtype=np.uint64))
    for a, k in zip(probes, got.tolist(), strict=True):
        i = pt.index_at(a)
        assert (i if i is not None else -1) == (k if 0 <= a < 1 << 64 else -1)
        assert pt.func_at(a) == (pt.funcs[i] if i is not None else None)


def test_layouts_are_declared_once() -> None:
    """One layout per magic; the declared flags agree with the declared structures."""
    assert len(BY_MAGIC) == len(LAYOUTS) == 4
    assert [lay.version for lay in LAYOUTS] == ["1.2", "1.16", "1.18", "1.20"]
    for lay in LAYOUTS:
        header = [f.name for f in lay.header.resolve(8)]
        func = [f.name for f in lay.func.resolve(8)]
        assert ("textStart" in header) == lay.header_text_start
        assert ("pclnOffset" in header) == lay.subtables
        assert ("entryOff" in func) == lay.relative_entries == lay.functab_u32
        assert field_offset(lay.func, "nameOff", 8) == (4 if lay.functab_u32 else 8)


def test_decode_names_in_one_go_as_one_by_one() -> None:
    """Bulk decoding gives what _cstr gives for every offset: mid-name offsets, repeats, invalid
    UTF-8, names longer than MAX_NAME, a name running into the end of the table, sparse names."""
    long = b"L" * (MAX_NAME + 10)
    data = b"\0main.main\0runtime.x\xe2\x82\0\0caf\xc3\xa9\0" + long + b"\0tail-without-nul"
    starts = [1, 11, 23, 24, 31, len(data) - 16]
    offsets = np.array([*starts, 6, 11, 1, 22, len(data) - 1, 32], dtype=np.int64)
    want = [_cstr(data, o) for o in offsets.tolist()]
    assert decode_names(data, offsets) == want
    sparse = bytes(NAME_SPAN_PER_FUNC * 4) + data
    assert decode_names(sparse, offsets[:2] + len(sparse) - len(data)) == want[:2]
    assert decode_names(data, np.zeros(0, dtype=np.int64)) == []


def test_decode_pcvalue() -> None:
    """The example of golang.org/s/go12symtab-style encoding: (+1 @ +2), (+2 @ +3), end."""
    # value deltas are zig-zag: 4 -> +2, 1 -> -1; first pair starts from -1
    prog = bytes([4, 2, 6, 3, 1, 1, 0])
    assert decode_pcvalue(prog, 0, 0x1000, 1) == [(0x1002, 1), (0x1005, 4), (0x1006, 3)]
    assert decode_pcvalue(prog, 0, 0x1000, 4) == [(0x1008, 1), (0x1014, 4), (0x1018, 3)]
    assert decode_pcvalue(prog, 0, 0x1000, 1, end=0x1005) == [(0x1002, 1), (0x1005, 4)]
    with pytest.raises(FormatError):
        decode_pcvalue(bytes([4, 2, 6]), 0, 0, 1)  # runs off the end
    with pytest.raises(FormatError):
        decode_pcvalue(bytes([0x80] * 20), 0, 0, 1)


def test_outlives_mapping(gobin) -> None:
    path = gobin("default")
    mapped = MappedFile(str(path))
    image = open_images(mapped)[0]
    pt = read_pclntab(image, read_symbols(image))
    del image
    mapped.close()
    assert mapped.mm.closed
    assert pt is not None
    main = next(f for f in pt.funcs if f.name == "main.main")
    assert pt.source_at(main.entry) is not None


def test_not_go(tmp_path: Path) -> None:
    """A C executable has no pclntab: None, quickly."""
    exe = Path("/bin/ls")
    if not exe.is_file():
        pytest.skip("no /bin/ls")
    with MappedFile(str(exe)) as mapped:
        image = open_images(mapped)[0]
        t = time.perf_counter()
        assert read_pclntab(image, read_symbols(image)) is None
        assert time.perf_counter() - t < 2
        del image


# ----------------------------------------------------------------------------------- malformed


def _image_over(data: bytearray, path: Path) -> Image:
    """An Image over ``data`` (headers parsed from it)."""
    return open_images(SimpleNamespace(path=str(path), data=memoryview(data), mm=None))[0]  # type: ignore[arg-type]


def _expect_clean(image: Image, calls: int = 3) -> Pclntab | None:
    """read_pclntab and a few per-function decodes: a result, None or FormatError, nothing else."""
    try:
        pt = read_pclntab(image, read_symbols(image))
    except FormatError:
        return None
    if pt is not None:
        for f in pt.funcs[:: max(1, len(pt.funcs) // calls)][:calls]:
            try:
                pt.func_files(f)
                pt.source_at(f.entry)
            except FormatError:
                pass
    return pt


@pytest.mark.parametrize("name", ["stripped", "windows_amd64_stripped", "linux_386_stripped"])
def test_corrupt_header_fields(gobin, name: str) -> None:
    """Offsets past the end, absurd counts, a broken magic: the header is rejected (no pclntab),
    except where the field is not needed to list the functions (the file count, the text start,
    which a stripped binary takes from moduledata): then the functions are exactly the unstripped
    twin's, as go tool nm lists them."""
    path = gobin(name)
    expected, _ = nm_go_functions(gobin(STRIPPED_TWINS[name]))
    pristine = bytearray(path.read_bytes())
    pt = _read(path)
    off, w, big = pt.offset, pt.ptr_size, pt.big_endian
    word = (">" if big else "<") + ("Q" if w == 8 else "I")
    huge = (1 << (8 * w)) - 1
    cases = []
    for index in range(8):  # nfunc, nfiles, textStart, funcname, cu, filetab, pctab, pcln
        for value in (huge, len(pristine), 0):
            kept = index == 2 or (index == 1 and value == len(pristine))
            cases.append((off + 8 + index * w, struct.pack(word, value), kept))
    cases.append((off, b"\0\0\0\0", False))  # magic
    cases.append((off + 6, b"\x03", False))  # instruction size quantum
    for where, patch, kept in cases:
        data = bytearray(pristine)
        data[where : where + len(patch)] = patch
        t = time.perf_counter()
        got = _expect_clean(_image_over(data, path))
        assert time.perf_counter() - t < 5
        if kept:
            assert got is not None and _pcln_set(got) == expected, (where - off, patch.hex())
        else:
            assert got is None, (where - off, patch.hex())


def test_corrupt_functab_and_records(gobin) -> None:
    """Function offsets, name offsets and pc-value offsets pointing anywhere: FormatError at worst,
    and a table that still holds (name, entry) as go tool nm lists them for every function but the
    one or two a 4-byte write can reach (an entry and its predecessor's end, or one name)."""
    path = gobin("stripped")
    expected, _ = nm_go_functions(gobin(STRIPPED_TWINS["stripped"]))
    outcomes = {"table": 0, "none": 0}
    pristine = bytearray(path.read_bytes())
    pt = _read(path)
    functab_off, functab_len = pt.tables["functab"]
    pcln_off = pt.tables["pclntable"][0]
    rng = random.Random(7)
    started = time.monotonic()
    for trial in range(60):
        data = bytearray(pristine)
        if trial % 3 == 0:  # a functab field
            pos = functab_off + 4 * rng.randrange(functab_len // 4)
        elif trial % 3 == 1:  # a _func field (name, pcfile, pcln, cuOffset...)
            pos = pcln_off + functab_len + 4 * rng.randrange(2000)
        else:  # anywhere in the table
            pos = pt.offset + rng.randrange(pt.size - 4)
        data[pos : pos + 4] = rng.choice([b"\xff\xff\xff\xff", b"\xff\xff\xff\x7f", rng.randbytes(4)])
        got = _expect_clean(_image_over(data, path), calls=20)
        if got is None:
            outcomes["none"] += 1
            continue
        outcomes["table"] += 1
        lost = expected - _pcln_set(got)
        assert len(lost) <= 2, (trial, pos - pt.offset, sorted(lost)[:5])
    assert outcomes["table"], outcomes  # (a damaged record does not reject the whole table)
    assert time.monotonic() - started < 60


def test_truncated_inside_pclntab(gobin, tmp_path: Path) -> None:
    for name in ("stripped", "windows_amd64_stripped", "darwin_arm64_stripped"):
        path = gobin(name)
        pt = _read(path)
        data = path.read_bytes()
        for cut in (pt.offset + 4, pt.offset + pt.size // 2, pt.offset + pt.size - 1):
            p = tmp_path / f"{name}-{cut}"
            p.write_bytes(data[:cut])
            try:
                with MappedFile(str(p)) as mapped:
                    image = open_images(mapped)[0]
                    _expect_clean(image)
                    del image
            except Exception as e:  # the container layer may refuse the truncated file outright
                from godet.errors import CorruptBinary

                assert isinstance(e, CorruptBinary), repr(e)


# ------------------------------------------------------------------------------- GC programs vs nm


def _nm_gc(path: Path) -> dict[str, tuple[int, int]]:
    """runtime.gcdata and runtime.gcbss as (address, size) from ``go tool nm -size``."""
    out = _nm_size_listing(path)
    found = {}
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+)\s+(\d+) \S runtime\.gc(data|bss)$", line)
        if m:
            found[m.group(3)] = (int(m.group(1), 16), int(m.group(2)))
    return found


@pytest.mark.parametrize(
    "source", [f"fixture:{n}" for n in WITH_SYMBOLS] + [f"old:{n}" for n in OLD_WITH_SYMBOLS]
)
def test_gc_programs_match_go_tool_nm(gobin, old_go_binary, source: str) -> None:
    """The GC programs moduledata points at (read/gcprog.py: the word each layout declares, the
    program read to its end) are runtime.gcdata and runtime.gcbss, where and as long as nm says."""
    kind, name = source.split(":", 1)
    path = gobin(name) if kind == "fixture" else old_go_binary(name)
    want = _nm_gc(path)
    with open_binaries(str(path)) as (b,):
        got = {g.what: (g.addr, g.size) for g in b.gc_programs}
    assert set(want) == {"data", "bss"} and set(got) == set(want), (want, got)
    for what, (addr, size) in want.items():
        assert got[what][0] == addr
        if size:  # (Mach-O and PE symbols carry no size)
            assert got[what][1] == size


@pytest.mark.parametrize("name", ["default", "linux_arm64", "linux_386", "trimpath"])
def test_start_lines_match_dwarf_decl_line(gobin, name: str) -> None:
    """start_lines() (the _func startLine field) against readelf's DW_AT_decl_line of each function."""
    path = gobin(name)
    pt = _read(path)
    decl = oracles.readelf_decl_lines(path)
    got = pt.start_lines(np.arange(len(pt)))
    assert got is not None
    lines, offsets = got
    named = {n: (int(v), i) for i, (n, v) in enumerate(zip(pt.names, lines.tolist(), strict=True))}
    common = [n for n in decl if n in named]
    other = [n for n in common if named[n][0] != decl[n]]
    assert len(common) - len(other) > 1000 and "main.main" in common and "main.main" not in other
    # the only others: an assembly function's ABI wrapper shares its Go declaration's name (line 1)
    assert all(named[n][0] == 1 and pt.files_of(named[n][1]) == ["<autogenerated>"] for n in other), other
    # each offset is the field in the file: the uint32 there is the line
    data = path.read_bytes()
    line, i = named["main.main"]
    assert int.from_bytes(data[offsets[i] : offsets[i] + 4], "little") == line == decl["main.main"]


def test_no_start_lines_before_go120(old_go_binary) -> None:
    """Before the 1.20 layout (go1.17: esbuild 0.12) there is no startLine field: None, not a guess."""
    pt = _read(old_go_binary("linux-1.17"))
    assert pt.start_lines(np.arange(len(pt))) is None


def _check_record_spans(pt: Pclntab, path: Path) -> None:
    """Every function's record spans lie in the table; each function go tool nm lists (at its
    address) has its name, NUL-terminated, as one span, and its _func record (1.18+: whose entryOff
    from the text base is that address) as another; the pc-value tables cover pctab."""
    spans = pt.record_spans(np.arange(len(pt)))
    assert len(spans) and (spans[:, 0] >= pt.offset).all() and (spans[:, 1] <= pt.offset + pt.size).all()
    with MappedFile(str(path)) as mapped:
        data = bytes(mapped.data[pt.offset : pt.offset + pt.size])
    expected, _ = nm_go_functions(path)
    rng = random.Random(5)
    for name, addr in rng.sample(sorted(expected), min(200, len(expected))):
        i = pt.index_at(addr)
        assert i is not None and int(pt.entries[i]) == addr
        own = {data[s - pt.offset : e - pt.offset] for s, e in pt.record_spans(np.array([i])).tolist()}
        assert pt.name(i).encode() + b"\0" in own, name
        if pt.layout.relative_entries:
            assert any(len(x) >= 4 and int.from_bytes(x[:4], "little") + pt.text_start == addr for x in own)
    lo, n = pt.tables["pctab"]
    covered = np.zeros(n, dtype=bool)
    for s, e in spans.tolist():
        if lo <= s < lo + n:
            covered[s - lo : e - lo] = True
    assert covered[1:].all()  # (the linker pads pctab's first byte: no table starts at 0)


@pytest.mark.parametrize("name", ["default", "pie", "cgo_net", "linux_arm64", "linux_386"])
def test_record_spans_match_go_tool_nm(gobin, name: str) -> None:
    path = gobin(name)
    _check_record_spans(_read(path), path)


@pytest.mark.parametrize("name", sorted(OLD_TOOLCHAIN_BUILDS))
def test_record_spans_of_older_layouts(old_go_binary, name: str) -> None:
    path = old_go_binary(name)
    pt = _read(path)
    assert pt.layout.subtables
    _check_record_spans(pt, path)


@pytest.mark.parametrize("source", [*TYPES_SOURCES, *(f"old:{n}" for n in OLD_WITH_SYMBOLS)])
def test_findfunctab_matches_go_tool_nm(gobin, old_go_binary, source: str) -> None:
    """moduledata's findfunctab is runtime.findfunctab, address and size as ``go tool nm -size``
    lists them, in .rodata before Go 1.26 and inside the pclntab from then on."""
    kind, name = source.split(":", 1)
    path = gobin(name) if kind == "fixture" else old_go_binary(name)
    nm = oracles.go_tool_nm_sizes(path)
    assert "runtime.findfunctab" in nm, "go tool nm lists no runtime.findfunctab"
    addr, size = nm["runtime.findfunctab"]
    with MappedFile(str(path)) as mapped:
        image = open_images(mapped)[0]
        pt = read_pclntab(image, read_symbols(image))
        assert pt is not None
        assert pt.findfunctab == (image.va_to_offset(addr), size)
        del image, pt


@pytest.mark.parametrize("name", OLD_WITH_SYMBOLS)
def test_funcdata_start_of_old_layouts_matches_go_tool_nm(old_go_binary, name: str) -> None:
    """Before 1.18 funcdata are addresses: the lowest one any record holds opens go.func.* (as
    ``go tool nm`` places the symbol, up to the few bytes no record points at); from 1.18
    moduledata.gofunc says where it is, and the records hold offsets."""
    path = old_go_binary(name)
    syms = {n: a for a, _t, n in oracles.go_tool_nm(path)}
    pt = _read(path)
    start = pt.funcdata_start()
    if pt.layout.funcdata_u32:
        assert start is None
    else:
        base = syms.get("go.func.*", syms.get("go:func.*"))
        assert base is not None and start is not None
        assert base <= start < base + 16
