"""The pure parts of godet rebuild: variation records, the remedies table, flag merging, suggestions."""

from __future__ import annotations

import pytest

from godet.explain.causes import CAUSES
from godet.rebuild.engine import suggest
from godet.rebuild.remedies import FIXED_EPOCH, REMEDIES, merge_flags
from godet.rebuild.report import PairResult, RebuildReport, RootCause
from godet.rebuild.variations import VARIATIONS, Host, Setup, select, with_flags


def test_remedies_name_catalog_causes() -> None:
    assert set(REMEDIES) <= set(CAUSES)


def test_variation_names_are_unique_and_selectable() -> None:
    names = [v.name for v in VARIATIONS]
    assert len(names) == len(set(names))
    assert [v.name for v in select(None)] == names
    assert [v.name for v in select(["umask", "build-dir"])] == ["umask", "build-dir"]
    (tc,) = select(["toolchain=/opt/go/bin/go"])
    assert tc.setup(Host()).go == "/opt/go/bin/go"
    with pytest.raises(ValueError, match="unknown variation 'nope'"):
        select(["nope"])
    with pytest.raises(ValueError, match="toolchain= needs"):
        select(["toolchain="])


def test_every_variation_changes_something() -> None:
    host = Host(env={"CC": "clang"}, in_git=True, tools=frozenset({"git", "faketime"}))
    for v in VARIATIONS:
        assert v.skip_reason(host) is None, v.name
        assert v.setup(host) != Setup(), v.name


def test_skip_reasons() -> None:
    by = {v.name: v for v in VARIATIONS}
    bare = Host()
    assert by["time"].skip_reason(bare) == "faketime is not installed"
    assert by["vcs-dirty"].skip_reason(bare) == "git is not installed"
    assert (
        by["vcs-dirty"].skip_reason(Host(tools=frozenset({"git"}))) == "the source is not in a git work tree"
    )
    assert "is set in your environment" in (by["environment"].skip_reason(bare) or "")
    assert by["environment"].setup(Host(env={"CGO_CFLAGS": "-O0", "GOAMD64": "v3"})).unset == (
        "CGO_CFLAGS",
        "GOAMD64",
    )
    assert by["umask"].setup(Host(umask=0o077)).umask == 0o022
    assert by["umask"].setup(Host(umask=0o022)).umask == 0o077


def test_merge_flags_keeps_one_ldflags() -> None:
    assert merge_flags(("-trimpath",), ("-trimpath", "-buildvcs=false")) == ("-trimpath", "-buildvcs=false")
    assert merge_flags(("-ldflags", "-X main.v=1"), ("-ldflags=-buildid=",)) == (
        "-ldflags=-X main.v=1 -buildid=",
    )
    assert merge_flags(("-tags", "netgo"), ()) == ("-tags", "netgo")
    s = with_flags(Setup(flags=("-p=1",)), ("-trimpath",), (("SOURCE_DATE_EPOCH", "1"),))
    assert s.flags == ("-trimpath", "-p=1") and s.env == (("SOURCE_DATE_EPOCH", "1"),)


def _root(cid: str, key: str | None = None, a: str | None = None, b: str | None = None) -> RootCause:
    return RootCause(cid, CAUSES[cid].title, key, "", a, b, 1.0)


def test_suggest_collects_flags_env_and_advice() -> None:
    rep = RebuildReport("m", ".", "go", "go1.27.3")
    rep.control = PairResult("control", "", "", identical=False, roots=[_root("embedded-timestamp")])
    dirp = PairResult(
        "build-dir", "", "", identical=False, roots=[_root("build-path")], new=[_root("build-path")]
    )
    vcs = [_root("vcs-modified"), _root("go-build-id")]
    dirty = PairResult("vcs-dirty", "", "", identical=False, roots=vcs, new=vcs)
    tz = PairResult(
        "time",
        "",
        "",
        identical=False,
        roots=[],
        new=[_root("ldflags-x", "main.d", "2026-01-01", "2027-02-05")],
    )
    same = PairResult("umask", "", "")
    rep.pairs = [dirp, dirty, tz, same]
    s = suggest(rep, {})
    assert s.flags == ("-trimpath", "-buildvcs=false", "-ldflags=-buildid=")
    assert s.env == (("SOURCE_DATE_EPOCH", FIXED_EPOCH),)
    tips = dict(s.advice)
    assert set(tips) == {"embedded-timestamp", "ldflags-x"}
    assert tips["ldflags-x"].endswith("(main.d looks like a build time.)")
    assert suggest(rep, {"SOURCE_DATE_EPOCH": "42"}).env == (("SOURCE_DATE_EPOCH", "42"),)


def test_variation_differing_only_as_the_control_does_not_count() -> None:
    stamp = _root("embedded-timestamp")
    p = PairResult("gocache", "", "", identical=False, roots=[stamp], new=[])
    assert not p.changes_output
    rep = RebuildReport(
        "m", ".", "go", "go1.27.3", control=PairResult("control", "", "", identical=False, roots=[stamp])
    )
    rep.pairs = [p]
    assert [x.variation for x in rep.changing] == ["control"]
    assert rep.verdict == "not reproducible: the output changes with control"
