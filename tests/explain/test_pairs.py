"""godet diff on every pair of the catalog: the right root cause first, its evidence, consequences
labelled as such, and at least 95 % of the differing bytes explained.

Expected values come from the pair's BuildSpec (what the test itself asked the toolchain for) and
from ``go version -m -json`` (the toolchain's own reading), never from godet.
"""

from __future__ import annotations

import re
import shlex

import pytest

from conftest import PAIR_CAUSES, PAIR_CONSEQUENCES, PAIRS
from gobuild import CACHE_ROOT, TESTDATA, BuildSpec
from godet.api import diff
from godet.explain.report import DiffReport
from oracles import go_tool_buildid, go_version_m_json

CONSEQUENCES = {"go-build-id", "gnu-build-id", "macho-uuid", "code-signature", "layout-shift"}
# Pairs where a stamp is itself the root cause (nothing else differs).
STAMP_ROOTS = {"buildid"}


def _settings(path: str) -> dict[str, str]:
    return {s["Key"]: s.get("Value", "") for s in go_version_m_json(path).get("Settings", [])}


def _x_values(spec: BuildSpec) -> dict[str, str]:
    out = {}
    for flag in spec.flags:
        if flag.startswith("-ldflags="):
            toks = shlex.split(flag.split("=", 1)[1])
            for i, t in enumerate(toks):
                if t == "-X":
                    k, v = toks[i + 1].split("=", 1)
                    out[k] = v
    return out


def _evidence(rep: DiffReport, cause: str) -> list[tuple[str, str | None, str | None]]:
    return [(e.label, e.a, e.b) for f in rep.causes if f.cause == cause for e in f.evidence]


@pytest.fixture(scope="module")
def reports(gopair) -> dict[str, tuple[DiffReport, str, str]]:  # type: ignore[no-untyped-def]
    cache: dict[str, tuple[DiffReport, str, str]] = {}

    def get(name: str) -> tuple[DiffReport, str, str]:
        if name not in cache:
            a, b = gopair(name)
            cache[name] = (diff(str(a), str(b)), str(a), str(b))
        return cache[name]

    return get  # type: ignore[return-value]


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_root_cause_first_and_share(name: str, reports) -> None:  # type: ignore[no-untyped-def]
    rep, _a, _b = reports(name)
    expected = PAIR_CAUSES[name]
    if expected == ("identical",):
        assert rep.identical and not rep.causes and rep.differing_bytes == 0
        return
    assert not rep.identical
    roots = [f.cause for f in rep.causes if f.role == "root" and f.bytes > 0]
    assert roots, f"no root cause: {[(f.cause, f.role, f.bytes) for f in rep.causes]}"
    assert roots[0] in expected, f"top root cause {roots[0]}, expected one of {expected}; roots {roots}"
    assert set(expected) <= set(roots), f"missing {set(expected) - set(roots)}; roots {roots}"
    # no false root causes: every root is an expected one
    assert set(roots) <= set(expected), f"unexpected root causes {set(roots) - set(expected)}"
    # consequences are said to be consequences, and say of what
    for f in rep.causes:
        if f.cause in CONSEQUENCES and name not in STAMP_ROOTS:
            assert f.role == "consequence", f"{f.cause} should be a consequence"
            assert f.because in roots
    assert rep.differing_bytes > 0
    assert rep.explained_bytes + rep.unexplained_bytes == rep.differing_bytes
    assert rep.explained_bytes <= rep.differing_bytes
    assert not [n for n in rep.notes if "detector" in n], rep.notes
    share = rep.explained_bytes / rep.differing_bytes
    assert share >= 0.95, (
        f"only {share:.1%} explained; unexplained: {[r.to_json() for r in rep.unexplained[:5]]}"
    )
    assert sum(f.bytes for f in rep.causes if f.role == "root") == rep.explained_bytes


@pytest.mark.parametrize("name", sorted(PAIR_CONSEQUENCES))
def test_expected_consequences(name: str, reports) -> None:  # type: ignore[no-untyped-def]
    rep, _, _ = reports(name)
    for cause, root in PAIR_CONSEQUENCES[name].items():
        found = [f for f in rep.causes if f.cause == cause]
        assert found, f"{cause} missing from {[f.cause for f in rep.causes]}"
        assert all(f.role == "consequence" and f.because == root for f in found), [
            (f.cause, f.role, f.because) for f in found
        ]


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_bytes_add_up_and_consequences_follow_roots(name: str, reports) -> None:  # type: ignore[no-untyped-def]
    """Byte accounting, consequence labels and detector health, whatever the expected causes."""
    rep, a, b = reports(name)
    assert rep.explained_bytes + rep.unexplained_bytes == rep.differing_bytes
    assert rep.explained_bytes <= rep.differing_bytes
    assert not [n for n in rep.notes if "failed" in n], rep.notes
    # whole bytes everywhere, and every list of them adds up to the total it splits
    assert sum(f.bytes for f in rep.roots) == rep.explained_bytes
    assert sum(r.bytes for r in rep.unexplained) == rep.unexplained_bytes
    for f in rep.causes:
        assert sum(r["bytes"] for r in f.regions) == f.direct_bytes, (f.cause, f.direct_bytes, f.regions)
    roots = {f.cause for f in rep.roots}
    for f in rep.causes:
        if f.role != "root":
            assert f.role == "consequence" and f.because in roots, (f.cause, f.role, f.because, roots)
    # any changed input changes the Go build ID (go tool buildid, the oracle): godet must name it,
    # as a consequence unless the build ID is itself what the pair changed
    if go_tool_buildid(a) != go_tool_buildid(b) and name not in STAMP_ROOTS:
        assert [f.role for f in rep.causes if f.cause == "go-build-id"] == ["consequence"]


@pytest.mark.parametrize("name", ["dirs", "windows_dirs", "darwin_dirs", "two_causes"])
def test_build_path_evidence(name: str, reports) -> None:  # type: ignore[no-untyped-def]
    rep, _, _ = reports(name)
    spec_a, spec_b = PAIRS[name]
    # the fixture layer copies the source to CACHE_ROOT/work/<workdir>/<src>
    want = (str(CACHE_ROOT / "work" / spec_a.workdir), str(CACHE_ROOT / "work" / spec_b.workdir))
    assert ("path prefix", *want) in _evidence(rep, "build-path")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("vcs_commits", "vcs.revision"),
        ("vcs_commits", "vcs.time"),
        ("vcs_dirty", "vcs.modified"),
        ("goamd64", "GOAMD64"),
        ("tags", "-tags"),
        ("gcflags", "-gcflags"),
        ("cgo_enabled", "CGO_ENABLED"),
    ],
)
def test_setting_evidence_matches_go_version_m(name: str, key: str, reports) -> None:  # type: ignore[no-untyped-def]
    rep, a, b = reports(name)
    sa, sb = _settings(a), _settings(b)
    assert sa.get(key) != sb.get(key)  # the oracle agrees the setting differs
    labels = {lab: (x, y) for f in rep.causes for lab, x, y in [(e.label, e.a, e.b) for e in f.evidence]}
    assert labels[key] == (sa.get(key), sb.get(key))


@pytest.mark.parametrize("name", ["vcs_commits", "vcs_dirty"])
def test_main_module_version_follows_the_commit(name: str, reports) -> None:  # type: ignore[no-untyped-def]
    """Go derives the main module's version from the commit (a pseudo-version here, +dirty for a
    modified tree): the VCS finding shows both, as go version -m reads them."""
    rep, a, b = reports(name)
    want = (go_version_m_json(a)["Main"]["Version"], go_version_m_json(b)["Main"]["Version"])
    assert want[0] != want[1]
    cause = "vcs-revision" if name == "vcs_commits" else "vcs-modified"
    assert ("main module version", *want) in _evidence(rep, cause)


def test_vcs_stamping_one_side(reports) -> None:  # type: ignore[no-untyped-def]
    rep, a, b = reports("buildvcs")
    sa, sb = _settings(a), _settings(b)
    assert "vcs.revision" not in sa and "vcs.revision" in sb
    assert ("vcs.revision", None, sb["vcs.revision"]) in _evidence(rep, "vcs-stamping")


@pytest.mark.parametrize("name", ["toolchain_patch", "toolchain_minor", "goexperiment"])
def test_go_version_evidence(name: str, reports) -> None:  # type: ignore[no-untyped-def]
    rep, a, b = reports(name)
    want = (go_version_m_json(a)["GoVersion"], go_version_m_json(b)["GoVersion"])
    cause = "goexperiment" if name == "goexperiment" else "toolchain-version"
    assert ("Go version", *want) in _evidence(rep, cause)
    if name == "toolchain_minor":
        # DefaultGODEBUG changes with the toolchain: a consequence, not a second root cause
        godebug = [f for f in rep.causes if f.cause == "default-godebug"]
        assert all(f.role == "consequence" and f.because == "toolchain-version" for f in godebug)


@pytest.mark.parametrize("name", ["x_time", "x_version", "two_causes"])
def test_ldflags_x_evidence(name: str, reports) -> None:  # type: ignore[no-untyped-def]
    rep, _, _ = reports(name)
    xa, xb = (_x_values(s) for s in PAIRS[name])
    changed = [k for k in xa if xa[k] != xb.get(k)]
    assert changed
    ev = _evidence(rep, "ldflags-x")
    for k in changed:
        assert any(xa[k] == x and xb[k] == y for _, x, y in ev), f"-X {k}: {ev}"


def test_dependency_evidence(reports) -> None:  # type: ignore[no-untyped-def]
    rep, a, b = reports("dep_version")
    da = {d["Path"]: d for d in go_version_m_json(a)["Deps"]}
    db = {d["Path"]: d for d in go_version_m_json(b)["Deps"]}
    changed = [p for p in da if da[p] != db.get(p)]
    assert changed
    ev = _evidence(rep, "dependency-version")
    for p in changed:
        assert any(
            lab == p and da[p]["Version"] in (x or "") and db[p]["Version"] in (y or "") for lab, x, y in ev
        )


def test_source_change_names_the_edited_function(reports) -> None:  # type: ignore[no-untyped-def]
    rep, _, _ = reports("source_change")
    # the pair edits "return a * b" in testdata/multi/calc.go: find the Go function around it
    src = (TESTDATA / "multi" / "calc.go").read_text()
    funcs = [(m.start(), m.group(1)) for m in re.finditer(r"^func (\w+)\(", src, re.M)]
    edit = src.index("return a * b")
    fname = "main." + [n for pos, n in funcs if pos < edit][-1]
    f = next(f for f in rep.causes if f.cause == "source-change")
    text = " ".join(f.places) + " " + " ".join(f"{e.a} {e.b}" for e in f.evidence)
    assert fname in text
    # and it is the only function named: the rest moved, it did not change
    for _, n in funcs:
        if "main." + n != fname:
            assert not re.search(rf"\bmain\.{n}\b", text), f"main.{n} is named as changed: {text}"


def test_strip_and_structure_evidence(reports) -> None:  # type: ignore[no-untyped-def]
    rep, _a, _b = reports("strip")
    assert ("DWARF", "absent", "present") in _evidence(rep, "dwarf")
    assert any(lab == "symbol table" and x == "absent" for lab, x, _ in _evidence(rep, "symbol-table"))


def test_build_id_only_difference(reports) -> None:  # type: ignore[no-untyped-def]
    from oracles import go_tool_buildid

    rep, a, b = reports("buildid")
    assert go_tool_buildid(a) == "" and go_tool_buildid(b) != ""
    assert ("Go build ID", None, go_tool_buildid(b)) in _evidence(rep, "go-build-id")


def test_cgo_linkage_is_a_consequence_of_cgo_enabled(reports) -> None:  # type: ignore[no-untyped-def]
    rep, _, _ = reports("cgo_enabled")
    link = [f for f in rep.causes if f.cause == "linkage"]
    assert link and all(f.role == "consequence" and f.because == "build-setting" for f in link)
    assert ("linking", "static", "dynamic") in _evidence(rep, "linkage")
