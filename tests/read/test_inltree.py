"""Inline trees (read/inltree.py) against DWARF's inlined subroutines, and direct calls
(read/coderefs.called_functions) against go tool objdump."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

import gobuild
import oracles
from conftest import STRIPPED_TWINS
from godet.read import inltree
from godet.read.binary import open_binaries
from godet.read.coderefs import called_functions

DWARF_FIXTURES = ["default", "linux_arm64", "linux_386", "go1.21", "go1.24"]


def _dwarf_inlined(path: Path) -> dict[str, set[str]]:
    """Function name -> the names of the DW_TAG_inlined_subroutine entries under it (nested too)."""
    out: dict[str, set[str]] = {}
    with open(path, "rb") as fh:
        info = ELFFile(fh).get_dwarf_info()
        for cu in info.iter_CUs():
            for die in cu.iter_DIEs():
                if die.tag != "DW_TAG_subprogram" or "DW_AT_low_pc" not in die.attributes:
                    continue
                names: set[str] = set()
                todo = list(die.iter_children())
                while todo:
                    c = todo.pop()
                    if c.tag == "DW_TAG_inlined_subroutine":
                        origin = c.get_DIE_from_attribute("DW_AT_abstract_origin")
                        names.add(origin.attributes["DW_AT_name"].value.decode())
                    todo.extend(c.iter_children())
                named = die
                if "DW_AT_name" not in die.attributes:  # a concrete instance of an abstract one
                    named = die.get_DIE_from_attribute("DW_AT_abstract_origin")
                out[named.attributes["DW_AT_name"].value.decode()] = names
    return out


def _trees(path: Path) -> dict[str, list[str] | None]:
    with open_binaries(str(path)) as (b,):
        tab = b.pclntab
        assert tab is not None
        return {n: inltree.inlined_functions(b, i) for i, n in enumerate(tab.names)}


@pytest.mark.parametrize("name", DWARF_FIXTURES)
def test_inline_trees_hold_dwarfs_inlined_subroutines(gobin, name: str) -> None:
    """Every function's inline tree names what DWARF says was inlined into it; outside the runtime
    and reflect (whose DWARF leaves some inlined calls out) exactly that."""
    path = gobin(name)
    want = _dwarf_inlined(path)
    got = _trees(path)
    compared = 0
    for fn, names in want.items():
        if fn not in got:
            continue
        tree = got[fn]
        assert tree is not None, fn
        assert names <= set(tree), (fn, names - set(tree))
        if not fn.startswith(("runtime.", "reflect.")):
            assert set(tree) == names, (fn, set(tree) ^ names)
        compared += bool(names)
    assert compared >= 100  # (functions that inline something)


@pytest.mark.parametrize("stripped", sorted(STRIPPED_TWINS))
def test_inline_trees_without_symbols(gobin, stripped: str) -> None:
    """Without symbols the gofunc base comes from moduledata: the same trees as the twin that has
    the go:func.* symbol (ELF, PE, Mach-O; amd64, arm64, 386)."""
    bare, full = _trees(gobin(stripped)), _trees(gobin(STRIPPED_TWINS[stripped]))
    assert bare.keys() == full.keys()
    assert bare == full
    assert sum(bool(t) for t in full.values()) >= 100


@pytest.mark.parametrize(
    "package,version",
    [
        ("esbuild-linux-64", "0.8.57"),  # go1.16: funcdata are addresses
        ("esbuild-linux-64", "0.12.29"),  # go1.17.1
        ("@esbuild/linux-x64", "0.17.0"),  # go1.19.4: the 1.18 layout, _func without startLine
    ],
)
def test_inline_trees_of_older_layouts(gobuild_available, package: str, version: str) -> None:
    """Stripped releases of older layouts: every function that holds inlined code has a tree that
    decodes (each name at a name's start in funcnametab, each call site inside the function), and
    the names are functions the table knows or calls it inlined (never garbage)."""
    path = gobuild.npm_binary(package, version)
    with open_binaries(str(path)) as (b,):
        tab = b.pclntab
        assert tab is not None
        table = tab.name_table()
        holding = [i for i in range(len(tab)) if tab.inline_tree_size(i)]
        assert len(holding) > 1000
        for i in holding:
            tree = inltree.inlined_functions(b, i)
            assert tree, tab.name(i)
            assert all(re.fullmatch(r"[\w./()*\[\]{},;:~ %-]+", n) for n in tree), tree
            assert all(n.encode() + b"\0" in table for n in tree)


def test_unknown_layout_reads_no_tree(old_go_binary) -> None:
    """Go 1.14 (the 1.2 layout, an older inlinedCall): no tree is read rather than a wrong one."""
    with open_binaries(str(old_go_binary("linux-1.14"))) as (b,):
        assert b.pclntab is not None
        assert inltree.inlined_functions(b, 0) is None


_CALL = re.compile(r"(CALL|JMP) ([^ (]+)\(SB\)")


@pytest.mark.parametrize("name", ["default", "linux_arm64", "linux_386"])
def test_called_functions_match_objdump(gobin, name: str) -> None:
    """The functions main.* call or jump to are the targets go tool objdump names (CALL/JMP sym(SB)
    for amd64 and 386, BL/B for arm64 shown as CALL/JMP)."""
    path = gobin(name)
    want: dict[str, set[str]] = {}
    for sym, listing in _objdump_by_function(path).items():
        want[sym] = {_plain(m.group(2)) for line in listing if (m := _CALL.search(line))}
    with open_binaries(str(path)) as (b,):
        tab = b.pclntab
        assert tab is not None
        for fn, targets in want.items():
            i = tab.names.index(fn)
            got = {tab.name(k) for k in called_functions(b, i)}
            assert got == targets - {fn}, fn


def _objdump_by_function(path: Path) -> dict[str, list[str]]:
    """The assembly of each main.* function (go tool objdump; functions bounded by go tool nm)."""
    starts = sorted((addr, name) for addr, kind, name in oracles.go_tool_nm(path) if kind in "Tt")
    out: dict[str, list[str]] = {}
    for _file, _line, pc, _raw, asm in oracles.go_tool_objdump(path, "^main\\."):
        k = max(n for n, (addr, _) in enumerate(starts) if addr <= pc)
        out.setdefault(starts[k][1], []).append(asm)
    assert out
    return out


def _plain(sym: str) -> str:
    """objdump's symbol without its ABI suffix (runtime.morestack_noctxt.abi0)."""
    return sym.removesuffix(".abi0")
