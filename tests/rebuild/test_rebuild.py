"""``godet rebuild`` end to end on small modules whose answer is known from how they are built.

Every test copies a testdata/rebuild_* module outside any repository (a git repository only where
the test makes one), builds it with the pinned toolchain through the engine, and checks the
variations named, the suggested flags and the verification. Builds start from a cache holding the
standard library (``seed_std``) to keep the CPU cost low; the user's package is always compiled.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from rebuildlib import copy_module, user_env

from godet.rebuild.engine import Options, rebuild
from godet.rebuild.remedies import FIXED_EPOCH
from godet.rebuild.report import PairResult, RebuildReport


def _run(tc, target: Path, vary: list[str], env: dict[str, str], **kw) -> RebuildReport:  # type: ignore[no-untyped-def]
    return rebuild(Options(target=str(target), go=str(tc.go), vary=vary, seed_std=True, env=env, **kw))


def _pair(report: RebuildReport, name: str) -> PairResult:
    return next(p for p in report.pairs if p.variation == name)


def _ids(p: PairResult) -> set[str]:
    return {r.id for r in p.new}


def test_build_directory_needs_trimpath(gobuild_available, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    work = copy_module("rebuild_trim", tmp_path)
    rep = _run(gobuild_available, work, ["build-dir", "gocache"], user_env())
    assert rep.control is not None and rep.control.identical
    assert not rep.reproducible
    assert [p.variation for p in rep.changing] == ["build-dir"]
    assert _ids(_pair(rep, "build-dir")) == {"build-path"}
    assert _pair(rep, "gocache").identical
    assert rep.suggestion.flags == ("-trimpath",) and rep.suggestion.env == ()
    assert rep.verification is not None and rep.verification.passed
    assert [p.variation for p in rep.verification.pairs] == ["control", "build-dir", "gocache"]
    assert rep.builds == 2 * (2 + 2)
    assert not any(work.parent.glob("*/.git")) and sorted(p.name for p in work.iterdir()) == [
        "go.mod",
        "main.go",
    ]


def test_trimpath_given_is_reproducible(gobuild_available, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    work = copy_module("rebuild_trim", tmp_path)
    keep = tmp_path / "kept"
    mine = tmp_path / "user"  # the user's own cache, home and GOPATH: never written
    env = user_env(GOCACHE=str(mine / "gocache"), HOME=str(mine / "home"), GOPATH=str(mine / "gopath"))
    rep = _run(gobuild_available, work, ["build-dir", "vcs-dirty"], env, flags=("-trimpath",), keep=str(keep))
    assert not mine.exists()
    assert rep.reproducible and rep.changing == []
    assert _pair(rep, "vcs-dirty").skipped == "the source is not in a git work tree"
    assert rep.verification is None and rep.suggestion.flags == ()
    assert sorted(p.name for p in keep.iterdir()) == ["build-dir", "control-1", "control-2"]
    assert (keep / "control-1").read_bytes() == (keep / "build-dir").read_bytes()


def test_cgo_time_makes_the_control_pair_differ(gobuild_available, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("gcc") is None:
        pytest.skip("no C compiler (gcc) for the cgo module")
    work = copy_module("rebuild_cstamp", tmp_path)
    rep = _run(gobuild_available, work, ["gocache"], user_env(CGO_ENABLED="1"))
    assert rep.control is not None and not rep.control.identical
    assert "embedded-timestamp" in {r.id for r in rep.control.roots}
    assert [p.variation for p in rep.changing] == ["control"]
    # the warm cache reuses control-1's compiled stamp.c: nothing beyond the control's own difference
    assert not _pair(rep, "gocache").changes_output
    assert rep.suggestion.flags == () and rep.suggestion.env == (("SOURCE_DATE_EPOCH", FIXED_EPOCH),)
    assert rep.verification is not None and rep.verification.passed


def test_build_time_in_ldflags_through_a_script(gobuild_available, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("faketime") is None:
        pytest.skip("faketime is not installed (apt-get install faketime): the clock variation cannot run")
    work = copy_module("rebuild_xdate", tmp_path)
    today = datetime.datetime.now(datetime.UTC).date()
    rep = _run(gobuild_available, work, ["time", "tz-locale"], user_env(), script=str(work / "build.sh"))
    assert rep.control is not None and rep.control.identical
    assert [p.variation for p in rep.changing] == ["time"]
    (root,) = _pair(rep, "time").new
    assert (root.id, root.key) == ("ldflags-x", "main.date")
    assert root.a == today.isoformat()
    assert root.b == (today + datetime.timedelta(days=400)).isoformat()  # faketime -f +400d
    assert rep.suggestion.flags == () and rep.suggestion.env == ()
    assert dict(rep.suggestion.advice)["ldflags-x"].endswith("(main.date looks like a build time.)")
    assert rep.verification is None  # nothing a flag can fix


def test_dirty_tree_and_absent_git(gobuild_available, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    work = copy_module("rebuild_vcs", tmp_path, git=True)
    rep = _run(gobuild_available, work, ["vcs-dirty", "vcs-absent"], user_env(), flags=("-trimpath",))
    assert rep.control is not None and rep.control.identical
    assert [p.variation for p in rep.changing] == ["vcs-dirty", "vcs-absent"]
    assert "vcs-modified" in _ids(_pair(rep, "vcs-dirty"))
    assert "vcs-stamping" in _ids(_pair(rep, "vcs-absent"))
    assert rep.suggestion.flags == ("-buildvcs=false",)
    assert rep.verification is not None and rep.verification.passed
    assert not (work / "godet-rebuild-untracked.txt").exists()


def test_cgo_flags_from_the_environment(gobuild_available, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("gcc") is None:
        pytest.skip("no C compiler (gcc) for the cgo module")
    work = copy_module("rebuild_cgoflags", tmp_path)
    env = user_env(CGO_ENABLED="1", CGO_CFLAGS="-O2 -g -DLOUD")
    rep = _run(gobuild_available, work, ["build-dir", "environment"], env)
    assert rep.control is not None and rep.control.identical
    assert [p.variation for p in rep.changing] == ["build-dir", "environment"]
    causes = {(r.id, r.key) for r in _pair(rep, "environment").new}
    assert ("cgo-flags", "CGO_CFLAGS") in causes
    assert rep.suggestion.flags == ("-trimpath",) and "cgo-flags" in dict(rep.suggestion.advice)
    # -trimpath fixes the build directory, not -DLOUD: the C code still differs without it
    assert rep.verification is not None and not rep.verification.passed
    still = [p.variation for p in rep.verification.pairs if not p.identical]
    assert still == ["environment"]


def test_another_toolchain_on_request(gobuild_available, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import gobuild

    other = gobuild.toolchain("1.27.2")  # also a fixture toolchain of the diff tests (cached)
    work = copy_module("rebuild_trim", tmp_path)
    rep = _run(gobuild_available, work, [f"toolchain={other.go}"], user_env(), flags=("-trimpath",))
    assert [p.variation for p in rep.changing] == ["toolchain"]
    (root,) = _pair(rep, "toolchain").new
    assert root.id == "toolchain-version"
    assert "1.27.3" in (root.a or "") and "1.27.2" in (root.b or "")
    assert rep.suggestion.flags == () and [c for c, _ in rep.suggestion.advice] == ["toolchain-version"]
