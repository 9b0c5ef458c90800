"""-X values: one parser (split like cmd/go's quoted.Split, cut like cmd/link) and the linker's
``NAME.str`` symbols read back, checked against the values the tests passed to ``go build`` and
against ``go tool nm``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import gobuild
import oracles
from conftest import FIXTURES
from gobuild import BuildSpec
from godet.read.binary import open_binaries
from godet.read.xflags import parse_x_flags, quoted_split, without_x

# cmd/internal/quoted.Split: fields split at space, tab, CR, LF; a field that *starts* with ' or "
# runs to the same quote; no escapes, and quotes later in a field are ordinary characters.
SPLITS = [
    ("-X main.who=C:\\Users\\bob", ["-X", "main.who=C:\\Users\\bob"]),
    ("-s  -w\t-X\nmain.v=1", ["-s", "-w", "-X", "main.v=1"]),
    ("-X 'main.v=a b' -s", ["-X", "main.v=a b", "-s"]),
    ('-X "main.v=it\'s"', ["-X", "main.v=it's"]),
    ("-X main.v=a'b c'", ["-X", "main.v=a'b", "c'"]),
    ('-X "main.v=\\"', ["-X", "main.v=\\"]),
]


@pytest.mark.parametrize(("flags", "fields"), SPLITS)
def test_quoted_split(flags: str, fields: list[str]) -> None:
    assert quoted_split(flags) == fields


def test_parse_x_flags_forms_and_values() -> None:
    flags = "-s -X main.a=1 -X=main.b=x=y --X main.c= --X=main.d=C:\\tmp -w -X"
    assert parse_x_flags(flags) == [("main.a", "1"), ("main.b", "x=y"), ("main.c", ""), ("main.d", "C:\\tmp")]
    assert without_x(flags) == ["-s", "-w"]


def test_x_strings_of_the_ldflags_fixture(gobin: Callable[[str], Path]) -> None:
    """conftest's LDFLAGS_X sets main.version=1.2.3 and main.date=2026-11-20T10:00:00Z."""
    path = gobin("ldflags_x")
    assert "-X main.version=1.2.3" in FIXTURES["ldflags_x"].flags[0]
    nm = {name: addr for addr, _kind, name in oracles.go_tool_nm(path)}
    with open_binaries(str(path)) as (b,):
        xs = b.x_strings
        values, source = b.x_values
    assert {v: x.value for v, x in xs.items()} == {
        "main.version": b"1.2.3",
        "main.date": b"2026-11-20T10:00:00Z",
    }
    for var, x in xs.items():
        assert x.addr == nm[f"{var}.str"]
        assert x.header_addr == nm[var]
    assert source == "buildinfo"  # not built with -trimpath: cmd/go records -ldflags
    assert {(v.name, v.value) for v in values} == {
        ("main.version", "1.2.3"),
        ("main.date", "2026-11-20T10:00:00Z"),
    }


def test_x_value_with_backslashes_as_go_passed_it(gobuild_available: gobuild.Toolchain) -> None:
    value = "C:\\Users\\bob"
    path = gobuild.build(BuildSpec("xvars", flags=(f"-ldflags=-X main.version={value}",)))
    with open_binaries(str(path)) as (b,):
        values, source = b.x_values
        assert b.x_strings["main.version"].value == value.encode()
    assert source == "buildinfo"
    assert [(v.name, v.value) for v in values] == [("main.version", value)]


def test_the_linkers_own_strings_are_not_x_values(old_go_binary) -> None:  # type: ignore[no-untyped-def]
    # Go 1.14's linker sets runtime/internal/sys.DefaultGoroot itself, through a .str symbol like -X's
    path = old_go_binary("linux-1.14")
    names = {name for _addr, _kind, name in oracles.go_tool_nm(path)}
    assert "runtime/internal/sys.DefaultGoroot.str" in names
    with open_binaries(str(path)) as (b,):
        assert "runtime/internal/sys.DefaultGoroot" not in b.x_strings
