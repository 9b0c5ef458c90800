"""Which package a function belongs to, from its pclntab name (the names as Go 1.27's linker writes them)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from godet.read.owners import package_of


@pytest.mark.parametrize(
    ("name", "pkg"),
    [
        ("runtime.gcStart", "runtime"),
        ("example.com/dep/sub.(*T).M", "example.com/dep/sub"),
        ("net/netip.Addr.String", "net/netip"),
        ("gopkg.in/yaml%2ev3.Unmarshal", "gopkg.in/yaml.v3"),
        # type arguments name other packages: the package is the one before them
        (
            "unique.(*canonMap[go.shape.struct { net/netip.isV6 bool; net/netip.zoneV6 string }]).Load",
            "unique",
        ),
        ("example.com/m/p.(*T[go.shape.*example.com/o/q.U]).M", "example.com/m/p"),
        ("slices.Sort[go.shape.[]golang.org/x/text/language.Tag]", "slices"),
        # a promoted method of an embedded field from another package is qualified by that
        # package's path (Debian's rclone 1.60, go1.19): the slash is not the name's package's
        ("net.addrPortUDPAddr.net/netip.isZero", "net"),
        ("example.com/a/p.(*T).example.com/b/q.m", "example.com/a/p"),
        ("k8s.io/api/core/v1.(*Pod).String", "k8s.io/api/core/v1"),
        ("type:.eq.main.T", None),
        ("go:buildid", None),
    ],
)
def test_package_of(name: str, pkg: str | None) -> None:
    assert package_of(name) == pkg


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("main.main", True),
        ("github.com/cpuguy83/go-md2man/v2/md2man.escapeSpecialCharsLine", True),
        ("example.com/a/b.(*parser).visitExpr", True),
        ("example.com/a/b.T.m", True),
        ("example.com/a/b.(*T).M", False),  # exported method: kept or dropped with reflection's use
        ("example.com/a/b.F.func1", False),  # closures and wrappers the compiler names
        ("example.com/a/b.F.gowrap2", False),
        ("example.com/a/b.G[...]", False),  # generic instance
        ("example.com/a/b.init.0", False),
        ("example.com/a/b.glob..func1", False),
        ("type:.eq.main.T", False),
    ],
)
def test_declared(name: str, expected: bool) -> None:
    from godet.read.owners import declared

    assert declared(name) is expected


_NAME_PARTS = [
    "a",
    "B",
    "go",
    "type",
    "example.com",
    "v2",
    "%2e",
    ".",
    "/",
    "(*",
    ")",
    "[",
    "]",
    " ",
    ":",
    "*",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_NAME_PARTS), max_size=12).map("".join))
def test_package_remembered_per_stem_is_the_package_read_in_full(name: str) -> None:
    """The per-stem memo answers what reading the whole name answers, whatever names came before."""
    from godet.read import owners

    assert owners.raw_package_of(name) == owners._raw_package_of(name)
    # a second name with the same stem (the part up to the first dot after the last slash)
    dot = name.find(".", name.rfind("/") + 1)
    if dot >= 0 and "[" not in name:
        other = name[: dot + 1] + "Other.func1"
        assert owners.raw_package_of(other) == owners._raw_package_of(other)
