"""The causal model and claim settlement on hand-made findings and run tables (no binaries).

These pin the engine's rules themselves: a root is a cause nothing present implies; a consequence
names the root at the top of its chain and its bytes count there; groups; the verdict's kind;
settlement order (rank, primary before fallback) and byte conservation.
"""

from __future__ import annotations

import numpy as np
import pytest

from godet.compare.bytes import Runs
from godet.explain import model
from godet.explain.causes import CAUSES, EDGES, SCOPES
from godet.explain.detectors.base import Claim, Evidence, Finding
from godet.explain.settle import settle


def _f(
    cause: str, key: str | None = None, a: str | None = "x", b: str | None = "y", nbytes: int = 0
) -> Finding:
    f = Finding(cause, f"{cause} differs.", [Evidence(key or cause, a, b)], key=key)
    f.bytes = nbytes
    return f


def _runs(weights: list[int], units: list[str] | None = None) -> Runs:
    n = len(weights)
    starts = np.cumsum([0, *weights[:-1]]).astype(np.int64)
    ends = starts + np.array(weights, dtype=np.int64)
    units = units or ["u"] * n
    keys = list(dict.fromkeys(units))
    return Runs(
        units=keys,
        unit=np.array([keys.index(u) for u in units], dtype=np.int32),
        a0=starts,
        a1=ends,
        b0=starts.copy(),
        b1=ends.copy(),
        weight=np.array(weights, dtype=np.int64),
    )


# ---------------------------------------------------------------- the catalog


def test_edges_name_catalog_causes() -> None:
    for e in EDGES:
        assert e.cause in CAUSES and e.effect in CAUSES, e
        assert e.cause != e.effect or e.cause_key != e.effect_key, e


def test_every_scope_is_known() -> None:
    assert {c.scope for c in CAUSES.values()} <= set(SCOPES)


def test_groupable_titles_take_a_count() -> None:
    for c in CAUSES.values():
        if c.group:
            assert "{n}" in c.group


# ---------------------------------------------------------------- roles


def test_a_cause_nothing_implies_is_a_root() -> None:
    fs = [_f("build-path"), _f("ldflags-x", "main.v")]
    model.assign_roles(fs)
    assert [f.role for f in fs] == ["root", "root"]


def test_implied_cause_becomes_consequence_of_its_root() -> None:
    race, linkage = _f("build-setting", "-race", nbytes=10), _f("linkage", nbytes=90)
    fs = [linkage, race]
    model.assign_roles(fs)
    model.settle_roles(fs)
    assert race.role == "root" and linkage.role == "consequence"
    assert (linkage.because, linkage.because_key) == ("build-setting", "-race")
    assert race.bytes == 100 and race.direct_bytes == 10


def test_a_symptom_follows_the_root_largest_with_its_consequences() -> None:
    """A layout shift no edge names follows the root that explains the most bytes, counting the
    consequences whose cause an edge names: a dependency bump whose changed code is its consequence,
    not an embedded file whose moved strings are its own bytes (hugo 0.155.3 vs 0.157.0)."""
    bump = _f("dependency-version", "example.com/dep", nbytes=10)
    code = _f("source-change", nbytes=1000)
    embed = _f("embedded-content", nbytes=50)
    shift = _f("layout-shift", nbytes=500)
    fs = [bump, code, embed, shift]
    model.assign_roles(fs)
    assert code.role == "consequence" and code.root is bump  # (what the test is about: an edge names it)
    model.settle_roles(fs)
    assert shift.because == "dependency-version"
    assert bump.bytes == 1510 and embed.bytes == 50


def test_edge_key_must_match() -> None:
    """-tags does not change linkage: both stay roots."""
    tags, linkage = _f("build-setting", "-tags"), _f("linkage")
    model.assign_roles([tags, linkage])
    assert linkage.role == "root"


def test_chains_name_the_top_root() -> None:
    """CGO_ENABLED ⇒ linkage ⇒ GNU build ID: the build ID follows CGO_ENABLED, through linkage."""
    cgo, link, gnu = (
        _f("build-setting", "CGO_ENABLED", nbytes=5),
        _f("linkage", nbytes=7),
        _f("gnu-build-id", nbytes=3),
    )
    fs = [gnu, link, cgo]
    model.assign_roles(fs)
    model.settle_roles(fs)
    assert gnu.because == "build-setting" and gnu.because_key == "CGO_ENABLED"
    assert cgo.bytes == 15


def test_condition_absent_on_one_side() -> None:
    """-trimpath explains a CGO_CFLAGS line missing on one side, not two different values."""
    trim = _f("trimpath", a=None, b="true")
    missing = _f("cgo-flags", "CGO_CFLAGS", a="", b=None)
    changed = _f("cgo-flags", "CGO_LDFLAGS", a="-L/a", b="-L/b")
    model.assign_roles([trim, missing, changed])
    assert missing.role == "consequence" and changed.role == "root"


@pytest.mark.parametrize(
    ("dwarf_a", "dwarf_b", "role"), [("present", "absent", "consequence"), ("absent", "present", "root")]
)
def test_stripped_build_explains_its_missing_dwarf(dwarf_a: str, dwarf_b: str, role: str) -> None:
    """-s (or strip) removed the symbol table and DWARF from B: one cause. DWARF missing from the
    other build is a second one."""
    symtab = _f("symbol-table", a="20,832 symbols", b="absent")
    dwarf = _f("dwarf", a=dwarf_a, b=dwarf_b)
    model.assign_roles([symtab, dwarf])
    assert symtab.role == "root" and dwarf.role == role


def test_symptoms_follow_the_largest_root() -> None:
    small, big, bid = (
        _f("build-path", nbytes=5),
        _f("ldflags-x", "main.v", nbytes=50),
        _f("go-build-id", nbytes=2),
    )
    fs = [small, big, bid]
    model.assign_roles(fs)
    model.settle_roles(fs)
    assert bid.role == "consequence" and bid.because == "ldflags-x"


def test_only_stamps_differ_the_go_build_id_is_the_root() -> None:
    gnu, goid = _f("gnu-build-id", nbytes=20), _f("go-build-id", nbytes=70)
    fs = [gnu, goid]
    model.assign_roles(fs)
    model.settle_roles(fs)
    assert goid.role == "root" and gnu.because == "go-build-id"
    assert goid.bytes == 90


def test_cycles_keep_the_most_specific_root(monkeypatch: pytest.MonkeyPatch) -> None:
    from godet.explain import causes

    extra = (causes.Edge("linkage", "c-toolchain", "test"), causes.Edge("c-toolchain", "linkage", "test"))
    monkeypatch.setattr(causes, "EDGES", causes.EDGES + extra)
    link, cc = _f("linkage"), _f("c-toolchain")
    model.assign_roles([link, cc])
    roles = {f.cause: f.role for f in (link, cc)}
    assert roles == {"linkage": "root", "c-toolchain": "consequence"}  # linkage ranks lower


def test_groups_become_one_root_with_every_key() -> None:
    deps = [_f("dependency-version", f"example.com/m{i}", nbytes=10 * (i + 1)) for i in range(3)]
    bid = _f("go-build-id", nbytes=4)
    fs = [*deps, bid]
    model.assign_roles(fs)
    model.settle_roles(fs)
    out = model.group(fs)
    roots = [f for f in out if f.role == "root"]
    assert len(roots) == 1 and roots[0].cause == "dependency-version"
    g = roots[0]
    assert g.keys == ["example.com/m2", "example.com/m1", "example.com/m0"]
    assert g.summary.startswith("Dependency versions differ (3 modules)")
    assert g.bytes == sum(f.bytes for f in deps)
    assert bid.because == "dependency-version" and bid.root is g


def test_one_of_a_group_stays_as_it_is() -> None:
    dep = _f("dependency-version", "example.com/m", nbytes=3)
    model.assign_roles([dep])
    assert model.group([dep]) == [dep] and dep.key == "example.com/m"


# ---------------------------------------------------------------- verdict


@pytest.mark.parametrize(
    ("causes", "kind"),
    [
        (["build-path"], "environment"),
        (["build-path", "toolchain-version"], "toolchain"),
        (["toolchain-version", "vcs-revision"], "source"),
        (["unrelated-programs", "build-path"], "program"),
        ([], "unknown"),
    ],
)
def test_verdict_kind_is_the_most_fundamental(causes: list[str], kind: str) -> None:
    fs = [_f(c, nbytes=10) for c in causes]
    for f in fs:
        f.role = "root"
    v = model.verdict(fs, 100, 100 if fs else 0)
    assert v.kind == kind
    for f in fs:
        title = CAUSES[f.cause].title
        assert title.lower() in v.sentence.lower()


@pytest.mark.parametrize(
    ("cause", "label", "a", "b", "shown"),
    [
        # turbo 1.6.1 -> 1.6.2 on darwin: "C toolchain differs (12.1 vs 12.3)" named no SDK
        ("c-toolchain", "SDK (LC_BUILD_VERSION)", "12.1", "12.3", "(SDK 12.1 vs 12.3)"),
        ("build-path", "path prefix", "/home/dev", "/ci/work", "(/home/dev vs /ci/work)"),
        ("toolchain-version", "Go version", "go1.26.2", "go1.26.4", "(go1.26.2 vs go1.26.4)"),
    ],
)
def test_verdict_names_what_bare_numbers_count(cause: str, label: str, a: str, b: str, shown: str) -> None:
    f = _f(cause, nbytes=10)
    f.evidence = [Evidence(label, a, b)]
    f.role = "root"
    assert shown in model.verdict([f], 10, 10).sentence


@pytest.mark.parametrize(
    ("part", "total", "text"),
    [
        (152, 152, "100%"),
        (151, 152, "99.3%"),
        (999_999, 1_000_000, ">99.9%"),
        (18_899_764, 18_922_163, "99.9%"),  # (caddy 2.11.1 -> 2.11.2: the verdict said 99.8%, beside 99.9%)
        (1, 10_000, "<0.1%"),
        (0, 5, "0%"),
    ],
)
def test_percent_never_rounds_to_whole(part: int, total: int, text: str) -> None:
    assert model.percent(part, total) == text


# ---------------------------------------------------------------- settlement


def test_settle_conserves_bytes_and_orders_by_rank() -> None:
    runs = _runs([10, 20, 30])
    broad = Finding("toolchain-version", "t", claims=[Claim.unit("u", fallback=True)])
    specific = Finding("ldflags-x", "x", claims=[Claim.range("a", 10, 30)], key="main.v")
    late = Finding("source-change", "s", claims=[Claim.range("a", 0, 60)])
    s = settle([broad, late, specific], runs)
    assert specific.bytes == 20  # lowest rank takes its range first
    assert late.bytes == 40  # then primary claims of later ranks
    assert broad.bytes == 0  # fallback claims only get what nobody else took
    assert specific.bytes + late.bytes + broad.bytes + s.remaining.sum() == runs.total


def test_settle_fallback_takes_the_rest() -> None:
    runs = _runs([10, 20, 30], ["x", "y", "y"])
    broad = Finding("toolchain-version", "t", claims=[Claim.unit("y", fallback=True)])
    specific = Finding("build-path", "p", claims=[Claim.range("b", 12, 18)])
    s = settle([broad, specific], runs, log=np.array([True, True, False]))
    assert specific.bytes == 6 and broad.bytes == 44
    assert s.remaining.tolist() == [10, 0, 0]
    sel, got = s.run_bytes(broad)  # only the logged runs are remembered
    assert sorted(zip(sel.tolist(), got.tolist(), strict=True)) == [(1, 14.0)]


def test_settle_partial_range_takes_a_fraction() -> None:
    runs = _runs([100])
    f = Finding("build-path", "p", claims=[Claim.range("a", 0, 25)])
    s = settle([f], runs)
    assert f.bytes == 25 and s.remaining.tolist() == [75]
    assert f.regions == [{"section": "u", "bytes": 25}]
