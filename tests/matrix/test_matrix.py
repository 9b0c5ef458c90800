"""The factor matrix of issue 9: every pair's roots are exactly its factors' causes.

For each pair (one factor, two of the ten most common ones, or a triple; see factors.py) the test
builds both sides, checks with ``go version -m`` (and readelf, the file bytes, or the programs'
output) that the build really differs as the factor says, then requires of ``godet diff``: roots
exactly the causes FACTOR_ROOTS maps the factors to (after MASKING), every other cause a
consequence ``because`` one of those roots, ``explained + unexplained == differing``,
``explained <= differing``, at least 99.5 % explained (99 % where -trimpath hides -ldflags), and no
note that a detector failed. Pairs today's engine fails are listed once, in known.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gobuild
from matrix.evaluate import evaluated, fmt_roots
from matrix.factors import (
    EXPLORED,
    FACTOR_ROOTS,
    FACTORS,
    MASKING,
    MODIFIERS,
    PAIRS,
    Sides,
    expected_roots,
    pair_specs,
)
from matrix.known import KNOWN_FAILING
from oracles import go_version_m_json

pytestmark = pytest.mark.matrix


def _params() -> list[object]:
    out = []
    for name in PAIRS:
        marks = []
        if name in KNOWN_FAILING:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_FAILING[name]))
        out.append(pytest.param(name, marks=marks, id=name))
    return out


@pytest.mark.parametrize("name", list(PAIRS))
def test_build_differs_as_said(name: str, gobuild_available: object) -> None:
    """The toolchain's own tools confirm each factor of the pair (never xfailed: a broken spec fails)."""
    res = evaluated(name)
    assert not res.oracle_problems, f"the build does not differ as its factors say: {res.oracle_problems}"


@pytest.mark.parametrize("name", _params())
def test_pair(name: str, gobuild_available: object) -> None:
    res = evaluated(name)
    assert not res.problems, (
        f"{name}: expected roots {fmt_roots(res.expected)}, godet: {fmt_roots(res.roots)}; "
        + "; ".join(res.problems)
    )


def test_known_failing_are_pairs() -> None:
    assert set(KNOWN_FAILING) <= set(PAIRS), set(KNOWN_FAILING) - set(PAIRS)


def test_every_factor_is_mapped_and_paired() -> None:
    assert set(FACTOR_ROOTS) == set(FACTORS)
    singles = {n for n, fs in PAIRS.items() if len(fs) == 1}
    assert singles == set(FACTORS) - MODIFIERS
    assert sorted(MODIFIERS) == ["shipped-stripped", "shipped-trimpath"]
    assert sum(len(fs) == 2 for fs in PAIRS.values()) == 45 + sum(len(fs) == 2 for fs in EXPLORED)
    assert sum(len(fs) == 3 for fs in PAIRS.values()) == 3 + sum(len(fs) == 3 for fs in EXPLORED)
    assert all(set(fs) <= set(FACTORS) for fs in EXPLORED)


def test_masking_rules_have_reasons() -> None:
    assert all(len(m.reason) > 20 for m in MASKING)
    # spot checks of the rules themselves, derived from what cmd/go records
    assert expected_roots(("trimpath", "build-dir")) == {("trimpath", None)}
    # what -s did is the root (the missing symbol table); the DWARF it also removed follows from it
    assert expected_roots(("trimpath", "strip")) == {("trimpath", None), ("symbol-table", None)}
    assert expected_roots(("strip", "build-dir")) == {("build-setting", "-ldflags"), ("build-path", None)}
    assert expected_roots(("trimpath", "cgo-cflags")) == {("trimpath", None), ("cgo-flags", None)}
    assert expected_roots(("goarch", "build-dir")) == {("unrelated-programs", None)}
    assert expected_roots(("buildvcs", "commit")) == {("vcs-stamping", None)}
    assert expected_roots(("gopath-mode", "go-line")) == {("gopath-mode", None)}


def test_pair_specs_differ_only_as_said() -> None:
    """A single factor's two specs differ; combining factors changes B only where each one does."""
    for name, fs in PAIRS.items():
        a, b = pair_specs(fs)
        assert a != b, name
    a, b = pair_specs(("dirty", "dep-replace"))
    assert b.git == "clean" and not b.edits and {r for r, _ in b.uncommitted} >= {"go.mod", "dep/dep.go"}
    # the module-cache variant builds the proxy's fixed dependency: a factor editing ./dep cannot join
    for fs in (("dep-struct", "gomodcache"), ("dep-inlined", "dep-modcache")):
        with pytest.raises(ValueError, match=r"replaced \./dep"):
            pair_specs(fs)


@pytest.mark.parametrize(
    "name", ["gopath-mode", "dep-modcache", "gomodcache", "goroot", "pgo", "dirty+dep-replace", "c-date"]
)
def test_new_build_recipes_are_reproducible(name: str, gobuild_available: object, tmp_path: Path) -> None:
    """Side B rebuilt from scratch is byte-identical to the cached one (same spec, same bytes)."""
    _a, b = pair_specs(PAIRS[name])
    cached = gobuild.build(b)
    again = gobuild.build_to(b, tmp_path / cached.name)
    assert gobuild.sha256_file(again) == gobuild.sha256_file(cached)


@pytest.mark.parametrize("name", sorted(set(FACTORS) - MODIFIERS))
def test_oracle_rejects_a_build_that_varies_nothing(name: str, gobuild_available: object) -> None:
    """Each factor's oracle fails on side A compared with itself: a spec that varies nothing cannot pass."""
    a, _b = pair_specs((name,))
    path = gobuild.build(a)
    info = go_version_m_json(path)
    assert FACTORS[name].check(Sides(a, a, str(path), str(path), info, info)) is not None


@pytest.mark.parametrize("name", sorted(MODIFIERS))
def test_modifier_oracle_tells_modified_from_plain(name: str, gobuild_available: object) -> None:
    """A modifier's oracle passes on two builds it modified and fails on the plain build."""
    a, b = pair_specs(("build-dir", name))
    plain, _ = pair_specs(("build-dir",))
    pa, pb, pp = gobuild.build(a), gobuild.build(b), gobuild.build(plain)
    ia, ib, ip = go_version_m_json(pa), go_version_m_json(pb), go_version_m_json(pp)
    assert FACTORS[name].check(Sides(a, b, str(pa), str(pb), ia, ib)) is None
    assert FACTORS[name].check(Sides(plain, plain, str(pp), str(pp), ip, ip)) is not None
