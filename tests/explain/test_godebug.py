"""The GODEBUG release table (explain/godebug.py) against the Go releases themselves: their own
settings tables (src/internal/godebugs/table.go) and what their cmd/go writes (go version -m)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import gobuild
import oracles
from gobuild import DEFAULT_GO, BuildSpec
from godet.explain import godebug
from godet.explain.causes import CONDITIONS
from godet.explain.detectors.base import Evidence, Finding
from godet.explain.engine import diff_paths

# the releases the test suite installs anyway (tests/conftest.py, tests/matrix)
RELEASES = ("1.21.13", "1.24.11", "1.26.6", "1.27.2", DEFAULT_GO)
GO_LINE = 20  # older than every Changed the releases date, so every setting they know is written

_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "godebug_table.py"


def _script():
    spec = importlib.util.spec_from_file_location("godebug_table", _SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("version", RELEASES)
def test_table_matches_the_releases_own_godebugs_table(version):
    """Every setting the release's own table.go dates is in the data with that Changed, and every
    setting of the data that the release does not date reads 0 for it."""
    goroot = gobuild.toolchain(version).goroot
    _, own = _script().read_release(str(goroot))
    assert own, "no setting read from table.go"
    for name in godebug.SETTINGS.keys() | own.keys():
        want = own[name][0] if name in own else 0
        assert godebug.changed_at(name, f"go{version}") == want, name
        if name in own:
            assert godebug.SETTINGS[name][0] == own[name][1], name


@pytest.mark.parametrize("version", RELEASES)
def test_what_cmd_go_writes_is_what_the_table_predicts(version):
    """go version -m's DefaultGODEBUG of a program whose go.mod says go 1.20 is exactly the
    settings the table dates after 1.20, each with its old value."""
    spec = BuildSpec("hello", toolchain=None if version == DEFAULT_GO else version).with_(
        edits=(("go.mod", f"module example.com/hello\n\ngo 1.{GO_LINE}\n"),)
    )
    built = oracles.go_version_m_json(gobuild.build(spec))
    written = {s["Key"]: s.get("Value", "") for s in built.get("Settings", [])}.get("DefaultGODEBUG")
    dated = {name: godebug.changed_at(name, f"go{version}") for name in godebug.SETTINGS}
    predicted = {name: old for name, (old, _) in godebug.SETTINGS.items() if dated[name] > GO_LINE}
    assert predicted, "the table dates nothing for this release"
    assert godebug.parse(written) == predicted
    lo, hi = godebug.go_lines(written, f"go{version}")
    assert lo <= GO_LINE <= hi


def test_a_release_built_with_an_experiment_is_dated():
    """A build with GOEXPERIMENT records its version with the experiment (go version -m: since 1.26
    after a hyphen, "go1.27.3-X:nodwarf5"); the table still dates that release's settings."""
    spec = BuildSpec("hello", env=(("GOEXPERIMENT", "nodwarf5"),)).with_(
        edits=(("go.mod", f"module example.com/hello\n\ngo 1.{GO_LINE}\n"),)
    )
    built = oracles.go_version_m_json(gobuild.build(spec))
    version = built["GoVersion"]
    assert "X:nodwarf5" in version
    assert godebug.release(version) == godebug.release(f"go{DEFAULT_GO}")
    written = {s["Key"]: s.get("Value", "") for s in built.get("Settings", [])}.get("DefaultGODEBUG")
    lo, hi = godebug.go_lines(written, version)
    assert lo <= GO_LINE <= hi


def test_a_diff_names_the_go_lines_the_defaults_come_from(tmp_path):
    """Two builds whose go.mod says go 1.22 and go 1.24: the diff names both lines."""
    mods = [(("go.mod", f"module example.com/hello\n\ngo 1.{n}\n"),) for n in (22, 24)]
    a, b = (gobuild.build(BuildSpec("hello").with_(edits=m)) for m in mods)
    (found,) = [f for f in diff_paths(str(a), str(b)).causes if f.cause == "default-godebug"]
    assert found.role == "root"
    lines = {e.label: (e.a, e.b) for e in found.evidence}
    assert lines["go line (from the defaults)"] == ("go 1.22", "go 1.24")
    assert "go 1.22 vs go 1.24" in found.summary


def test_a_release_between_samples_is_read_only_where_they_agree():
    # go1.24.3 and go1.24.11 are sampled: httpcookiemaxnum came in between, panicnil did not
    assert godebug.changed_at("panicnil", "go1.24.5") == 21
    assert godebug.changed_at("httpcookiemaxnum", "go1.24.5") == godebug.UNKNOWN
    assert godebug.changed_at("panicnil", "go1.99.0") == godebug.UNKNOWN  # no sample of that minor
    assert godebug.changed_at("panicnil", "devel go1.28-abcdef") == godebug.UNKNOWN
    assert godebug.changed_at("nosuchsetting", "go1.27.3") == godebug.UNKNOWN
    assert godebug.release("go1.21.0 X:boringcrypto") == (1, 21, 0)


def _pair(godebug_a: str | None, godebug_b: str | None, go_a: str, go_b: str) -> bool:
    release = Finding("toolchain-version", "", [Evidence("Go version", go_a, go_b)])
    defaults = Finding("default-godebug", "", [Evidence("DefaultGODEBUG", godebug_a, godebug_b)])
    return CONDITIONS["release-settings"](release, defaults)


def test_the_releases_account_only_for_the_settings_they_write_differently():
    # go1.27 adds tracebacklabels (go line < 1.27): the release's doing
    assert _pair("panicnil=1,tracebacklabels=0", "panicnil=1", "go1.27.3", "go1.26.6")
    # panicnil is dated 21 by both: a //go:debug directive or the go line, not the release
    assert not _pair("tracebacklabels=0", "panicnil=1", "go1.27.3", "go1.26.6")
    # a value both releases know, set otherwise
    assert not _pair("tlssha1=1", "tlssha1=0", "go1.27.3", "go1.26.6")
    # a patch release that adds a setting (a security backport), and one that adds none
    assert _pair("httpcookiemaxnum=0", "", "go1.24.11", "go1.24.3")
    assert not _pair("panicnil=1", "", "go1.27.3", "go1.27.2")
    # a release the table does not cover: it cannot say, the release is given the benefit
    assert _pair("panicnil=1", "", "go1.99.1", "go1.27.3")


def test_gopath_mode_defaults_follow_the_release() -> None:
    """In GOPATH mode there is no go.mod: each release writes the defaults of the go line it assumes
    (go1.24 writes netedns0=0, go1.27 no longer does, though both date that change at go1.19). Beside
    another release the DefaultGODEBUG difference is its consequence (Debian's lmdb-go-tools, go1.24.4
    vs go1.27.1)."""
    off = (("GO111MODULE", "off"),)
    a, b = (
        gobuild.BuildSpec(
            "hello", flags=("-trimpath",), env=off, gopath_import="example.com/hello", toolchain=t
        )
        for t in ("1.24.11", "1.27.3")
    )
    pa, pb = gobuild.build(a), gobuild.build(b)
    info = [oracles.go_version_m_json(p) for p in (pa, pb)]
    assert not any(i.get("Main", {}).get("Path") for i in info)  # GOPATH mode on both sides
    values = [{s["Key"]: s.get("Value") for s in i["Settings"]}["DefaultGODEBUG"] for i in info]
    assert "netedns0=0" in values[0].split(",") and "netedns0=0" not in values[1].split(",")
    assert godebug.changed_at("netedns0", "go1.24.11") == godebug.changed_at("netedns0", "go1.27.3") == 19
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["toolchain-version"]
    (d,) = [f for f in rep.causes if f.cause == "default-godebug"]
    assert (d.role, d.because) == ("consequence", "toolchain-version") and "GOPATH mode" in d.summary
