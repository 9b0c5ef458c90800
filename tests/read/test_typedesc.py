"""Type descriptors (read/typedesc.py): their range against go tool nm, their names against DWARF's
DW_AT_go_runtime_type (the descriptor each DWARF type names)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

import oracles
from conftest import STRIPPED_TWINS
from godet.read.binary import open_binaries
from godet.read.typedesc import package_names, type_name, types_range

DWARF_FIXTURES = ["default", "linux_arm64", "linux_386", "go1.24"]
DW_AT_GO_RUNTIME_TYPE = 0x2904
# DWARF names a named type by its import path (example.com/factor/dep.Config); reflect's name,
# which the descriptor holds, by its package name (dep.Config)
_PATH = re.compile(r"(?:[\w.-]+/)+(?=[\w-]+\.)")
_PLAIN = re.compile(r"\*?[\w./-]+\.\w+")  # a named type (not a struct literal, closure or generic)


def _dwarf_types(path: Path) -> dict[int, str]:
    out: dict[int, str] = {}
    with open(path, "rb") as fh:
        for cu in ELFFile(fh).get_dwarf_info().iter_CUs():
            for die in cu.iter_DIEs():
                at = die.attributes
                if DW_AT_GO_RUNTIME_TYPE in at and "DW_AT_name" in at:
                    out[at[DW_AT_GO_RUNTIME_TYPE].value] = at["DW_AT_name"].value.decode()
    return out


@pytest.mark.parametrize("name", DWARF_FIXTURES)
def test_type_names_match_dwarf(gobin, name: str) -> None:
    """Every named type DWARF ties to a descriptor has, there, the name reflect gives it."""
    path = gobin(name)
    nm = {n: a for a, _, n in oracles.go_tool_nm(path)}
    with open_binaries(str(path)) as (b,):
        span = types_range(b)
        assert span == (nm["runtime.types"], nm["runtime.etypes"])
        checked = 0
        for off, dwarf_name in _dwarf_types(path).items():
            if not _PLAIN.fullmatch(dwarf_name) or "·" in dwarf_name:
                continue
            addr = off if span[0] <= off < span[1] else span[0] + off  # (an address in some releases)
            assert type_name(b, addr) == _PATH.sub("", dwarf_name), (hex(off), dwarf_name)
            checked += 1
    assert checked >= 100


@pytest.mark.parametrize("stripped", sorted(STRIPPED_TWINS))
def test_types_range_without_symbols(gobin, stripped: str) -> None:
    """Without symbols the range comes from moduledata: as long as runtime.types..runtime.etypes of
    the twin that has symbols (ELF, PE, Mach-O; amd64, arm64, 386; the twin's layout may place it
    elsewhere), with the same names at the same offsets."""
    twin = gobin(STRIPPED_TWINS[stripped])
    nm = {n: a for a, _, n in oracles.go_tool_nm(twin)}
    with open_binaries(str(gobin(stripped))) as (b,), open_binaries(str(twin)) as (t,):
        span, full = types_range(b), types_range(t)
        assert full == (nm["runtime.types"], nm["runtime.etypes"])
        assert span is not None and span[1] - span[0] == full[1] - full[0]
        # (descriptors are where the twin reads a named type's name: elsewhere the bytes are no
        # descriptor and may hold addresses, which the two layouts put apart)
        named = {
            k: n
            for k in range(0, span[1] - span[0], 8)
            if _PLAIN.fullmatch(n := type_name(t, full[0] + k) or "")
        }
        assert len(named) >= 100
        assert {k: type_name(b, span[0] + k) for k in named} == named


def test_package_names() -> None:
    assert package_names("map[string]*dep.Config") == {"dep"}
    assert package_names("func(*http.Request, url.Values) error") == {"http", "url"}
    assert package_names("[]int") == set()
