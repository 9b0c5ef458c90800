"""Every check rule fires on a built binary that has its hazard and stays silent on one that does not.

Fixtures come from tests/conftest.py (``gobin``) and tests/check/checkbins.py (``checkbin``); the
evidence is compared with what the toolchain and binutils say (``go version -m``, ``go tool buildid``,
``readelf``), with lief for Mach-O load commands, and with the build recipe itself.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lief
import pytest
from checkbins import (
    DEVEL_VERSION,
    HOME_INCLUDE,
    IDENTITY_HOST,
    IDENTITY_USER,
    X_DATE,
    checkbin,  # noqa: F401  (fixture)
)

import gobuild
import oracles
from godet.check.engine import run_check
from godet.check.policy import Policy
from godet.check.rules import RULES, Finding, looks_like_identity

# Tests do not depend on this machine's host or user name.
BASE = Policy(local_identities=())
REQUIRE_TRIMPATH = Policy(require={"-trimpath": ("true",)}, local_identities=())
FORBID_TAGS = Policy(forbid={"-tags": ("*",)}, local_identities=())

G, C = "gobin", "checkbin"

#: rule -> (binary with the hazard, binary without it, policy)
CASES: dict[str, tuple[tuple[str, str], tuple[str, str], Policy]] = {
    "GD101": ((G, "default"), (G, "trimpath"), BASE),
    "GD102": ((G, "default"), (G, "trimpath"), BASE),
    "GD103": ((C, "modcache"), (C, "modcache_trimpath"), BASE),
    "GD104": ((C, "cgo_work"), (G, "cgo_c"), BASE),
    "GD105": ((C, "home"), (G, "default"), BASE),
    "GD201": ((G, "vcs_clean"), (G, "default"), BASE),
    "GD202": ((G, "vcs_dirty"), (G, "vcs_clean"), BASE),
    "GD203": ((G, "ldflags_x"), (C, "x_version"), BASE),
    "GD204": ((C, "x_identity"), (G, "ldflags_x"), BASE),
    "GD301": ((G, "default"), (G, "buildid_empty"), BASE),
    "GD302": ((C, "darwin_buildid_empty_go124"), (C, "darwin_buildid_empty"), BASE),
    "GD303": ((G, "default"), (G, "hardened"), BASE),
    "GD304": ((G, "default"), (G, "stripped"), BASE),
    "GD305": ((G, "default"), (G, "stripped"), BASE),
    "GD306": ((C, "buildinfo_removed"), (G, "trimpath"), BASE),
    "GD401": ((G, "cgo_net"), (G, "default"), BASE),
    "GD402": ((G, "default"), (G, "windows_amd64"), BASE),
    "GD501": ((C, "devel"), (G, "trimpath"), BASE),
    "GD502": ((G, "goexperiment"), (G, "default"), BASE),
    "GD503": ((G, "cmdline"), (G, "default"), BASE),
    "GD901": ((G, "default"), (G, "trimpath"), REQUIRE_TRIMPATH),
    "GD902": ((G, "tags"), (G, "default"), FORBID_TAGS),
}

#: other places where a rule must fire or stay silent (the -X rules read three sources)
MORE_FIRING = [
    ("GD203", (C, "x_symbols")),  # -trimpath: from the main.date.str symbol
    ("GD203", (C, "x_rodata")),  # -trimpath -s: from read-only data
    ("GD204", (C, "x_identity_symbols")),
    ("GD302", (C, "darwin_buildid_empty_go124")),
    ("GD401", (G, "cgo_c")),
    ("GD402", (G, "cgo_net")),
]
MORE_SILENT = [
    ("GD203", (C, "x_symbols_version")),
    ("GD203", (C, "x_rodata_version")),
    ("GD203", (C, "x_rodata_help_date")),  # a time quoted in a help text: no variable holds it
    ("GD203", (G, "hardened")),
    ("GD204", (C, "x_symbols")),
    ("GD302", (G, "darwin_arm64")),
    ("GD305", (G, "darwin_arm64_stripped")),  # -s keeps only libSystem imports in LC_SYMTAB
    ("GD305", (C, "darwin_hardened")),
    ("GD305", (G, "windows_amd64_stripped")),
    ("GD304", (G, "windows_amd64_stripped")),
    ("GD401", (G, "windows_amd64")),  # pure Go imports kernel32.dll only
    ("GD401", (G, "darwin_arm64")),  # libSystem is the system, not a choice of the builder
    ("GD104", (G, "default")),
    ("GD103", (G, "default")),
]

Resolve = Callable[[tuple[str, str]], Path]


@pytest.fixture(scope="module")
def resolve(gobin: Callable[[str], Path], checkbin: Callable[[str], Path]) -> Resolve:  # noqa: F811
    def get(ref: tuple[str, str]) -> Path:
        source, name = ref
        return gobin(name) if source == G else checkbin(name)

    return get


def findings(path: Path, policy: Policy = BASE) -> list[Finding]:
    report = run_check([str(path)], policy)
    assert not report.errors, report.errors
    assert len(report.results) == 1
    return report.results[0].findings


def of_rule(path: Path, code: str, policy: Policy = BASE) -> list[Finding]:
    return [f for f in findings(path, policy) if f.rule == code]


def test_every_rule_has_a_case() -> None:
    from godet.check.rules import CONTAINER_CODES  # tests/containers/test_check_images.py, test_packages.py

    assert set(CASES) == {r.code for r in RULES if r.code not in CONTAINER_CODES}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_hazard(code: str, resolve: Resolve) -> None:
    pos, _, policy = CASES[code]
    found = of_rule(resolve(pos), code, policy)
    assert found, f"{code} silent on {pos[1]}"
    rule = next(r for r in RULES if r.code == code)
    for f in found:
        assert f.level == rule.level and f.name == rule.name and f.message


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_silent_without_hazard(code: str, resolve: Resolve) -> None:
    _, neg, policy = CASES[code]
    assert of_rule(resolve(neg), code, policy) == []


@pytest.mark.parametrize(("code", "ref"), MORE_FIRING, ids=[f"{c}-{r[1]}" for c, r in MORE_FIRING])
def test_rule_fires_more(code: str, ref: tuple[str, str], resolve: Resolve) -> None:
    assert of_rule(resolve(ref), code), f"{code} silent on {ref[1]}"


@pytest.mark.parametrize(("code", "ref"), MORE_SILENT, ids=[f"{c}-{r[1]}" for c, r in MORE_SILENT])
def test_rule_silent_more(code: str, ref: tuple[str, str], resolve: Resolve) -> None:
    assert of_rule(resolve(ref), code) == []


@pytest.mark.parametrize("name", ["hardened", "darwin_hardened"])
def test_hardened_build_passes_default_policy(name: str, resolve: Resolve) -> None:
    """CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w -buildid=": no error, no warning."""
    path = resolve((G, name) if name == "hardened" else (C, name))
    report = run_check([str(path)], Policy(local_identities=()))
    assert report.exit_code() == 0
    assert [f for r in report.results for f in r.findings if f.level in ("error", "warning")] == []


# --------------------------------------------------------------------------------------------
# evidence, checked against the toolchain's tools and the build recipe


def _settings(path: Path) -> dict[str, str]:
    return {s["Key"]: s.get("Value", "") for s in oracles.go_version_m_json(path).get("Settings", [])}


def _paths(f: Finding) -> list[str]:
    return [p["path"] for p in f.evidence["paths"]]


def test_build_path_and_goroot_evidence(gobin: Callable[[str], Path]) -> None:
    path = gobin("default")
    build = of_rule(path, "GD101")[0]
    work = gobuild.CACHE_ROOT / "work" / "a" / "hello"
    assert str(work) in _paths(build)
    assert {"pclntab"} <= set(build.where)
    goroot = of_rule(path, "GD102")[0]
    assert str(gobuild.toolchain().goroot) in _paths(goroot) or str(
        gobuild.toolchain().goroot.resolve()) in _paths(goroot)
    # the paths really are in the file
    data = path.read_bytes()
    assert str(work).encode() in data


def test_module_cache_evidence(checkbin: Callable[[str], Path]) -> None:  # noqa: F811
    f = of_rule(checkbin("modcache"), "GD103")[0]
    gomodcache = gobuild.go_env(gobuild.toolchain())["GOMODCACHE"]
    assert any(p.startswith(gomodcache) for p in _paths(f))


def test_cgo_work_evidence(checkbin: Callable[[str], Path]) -> None:  # noqa: F811
    path = checkbin("cgo_work")
    f = of_rule(path, "GD104")[0]
    leaked = [p for p in _paths(f) if re.search(r"/go-build\d+", p)]
    assert leaked
    lines = subprocess.run(["readelf", "--debug-dump=line", str(path)], capture_output=True, text=True,
                           check=False).stdout
    assert any(p in lines for p in leaked)


def test_home_evidence(checkbin: Callable[[str], Path]) -> None:  # noqa: F811
    path = checkbin("home")
    f = of_rule(path, "GD105")[0]
    assert any(HOME_INCLUDE.startswith(p) for p in _paths(f))
    assert HOME_INCLUDE in _settings(path)["CGO_CFLAGS"]


def test_vcs_evidence(gobin: Callable[[str], Path]) -> None:
    path = gobin("vcs_dirty")
    stamps = of_rule(path, "GD201")[0].evidence["settings"]
    settings = _settings(path)
    assert stamps == {k: v for k, v in settings.items() if k == "vcs" or k.startswith("vcs.")}
    dirty = of_rule(path, "GD202")[0]
    assert dirty.evidence["vcs.modified"] == settings["vcs.modified"] == "true"
    assert dirty.evidence["vcs.revision"] == settings["vcs.revision"]


@pytest.mark.parametrize(("ref", "source"), [
    ((G, "ldflags_x"), "buildinfo"), ((C, "x_symbols"), "symbols"), ((C, "x_rodata"), "rodata"),
])
def test_x_timestamp_evidence(ref: tuple[str, str], source: str, resolve: Resolve) -> None:
    path = resolve(ref)
    (f,) = of_rule(path, "GD203")
    assert f.evidence["source"] == source
    if source == "rodata":
        hit = f.evidence["strings"][0]
        assert hit["value"] == X_DATE
        with open(path, "rb") as fh:
            fh.seek(hit["offset"])
            assert fh.read(len(X_DATE)).decode() == X_DATE
    else:
        assert (f.evidence["variable"], f.evidence["value"]) == ("main.date", X_DATE)
    if source == "buildinfo":
        assert f"main.date={X_DATE}" in _settings(path)["-ldflags"]
    if source == "symbols":
        assert "-ldflags" not in _settings(path)  # -trimpath hid it
        assert "main.date.str" in {name for _, _, name in oracles.go_tool_nm(path)}


@pytest.mark.parametrize("name", ["x_identity", "x_identity_symbols"])
def test_x_identity_evidence(name: str, checkbin: Callable[[str], Path]) -> None:  # noqa: F811
    got = {(f.evidence["variable"], f.evidence["value"]) for f in of_rule(checkbin(name), "GD204")}
    assert got == {("main.buildHost", IDENTITY_HOST), ("main.builtBy", IDENTITY_USER)}


def test_x_built_by_a_build_tool_is_no_identity(checkbin: Callable[[str], Path]) -> None:  # noqa: F811
    """goreleaser's default -ldflags set -X main.builtBy=goreleaser (go version -m shows it): the same
    value in every build, not a user; a person's name in the same variable is one."""
    path = checkbin("x_goreleaser")
    assert "main.builtBy=goreleaser" in _settings(path)["-ldflags"]
    assert of_rule(path, "GD204") == []
    assert looks_like_identity("main.builtBy", "goreleaser", ()) is None
    assert looks_like_identity("main.builtBy", "alice", ()) is not None


def test_x_identity_local_names(gobin: Callable[[str], Path], checkbin: Callable[[str], Path]) -> None:  # noqa: F811
    """A value equal to this machine's host name is flagged whatever the variable is called."""
    policy = Policy(local_identities=("1.2.3-not-a-host", "ci-runner-7"))
    got = {f.evidence["variable"] for f in of_rule(checkbin("x_identity"), "GD204", policy)}
    assert "main.buildHost" in got
    assert of_rule(gobin("ldflags_x"), "GD204", Policy(local_identities=("2026",))) == []


def test_x_allow(gobin: Callable[[str], Path]) -> None:
    assert of_rule(gobin("ldflags_x"), "GD203", Policy(x_allow=("main.date",), local_identities=())) == []


def test_go_build_id_evidence(gobin: Callable[[str], Path]) -> None:
    path = gobin("default")
    assert of_rule(path, "GD301")[0].evidence["go_build_id"] == oracles.go_tool_buildid(path)
    assert oracles.go_tool_buildid(gobin("buildid_empty")) == ""


def test_darwin_uuid_against_lief(checkbin: Callable[[str], Path]) -> None:  # noqa: F811
    without = lief.parse(str(checkbin("darwin_buildid_empty_go124")))
    with_uuid = lief.parse(str(checkbin("darwin_buildid_empty")))
    assert not without.has_uuid and with_uuid.has_uuid


def test_gnu_build_id_evidence(gobin: Callable[[str], Path]) -> None:
    path = gobin("default")
    notes = subprocess.run(["readelf", "-n", str(path)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"Build ID: ([0-9a-f]+)", notes)
    assert m is not None
    assert of_rule(path, "GD303")[0].evidence["gnu_build_id"] == m.group(1)


def test_dwarf_and_symbols_evidence(gobin: Callable[[str], Path]) -> None:
    path = gobin("default")
    names = {s[0] for s in oracles.readelf_sections(path)}
    dwarf = of_rule(path, "GD304")[0]
    assert set(dwarf.evidence["sections"]) == {n for n in names if n.startswith((".debug_", ".zdebug_"))}
    assert ".symtab" in names and of_rule(path, "GD305")
    stripped = {s[0] for s in oracles.readelf_sections(gobin("stripped"))}
    assert ".symtab" not in stripped and not any(n.startswith(".debug_") for n in stripped)


def test_dynamic_linking_evidence(gobin: Callable[[str], Path]) -> None:
    path = gobin("cgo_net")
    f = of_rule(path, "GD401")[0]
    assert f.evidence["interpreter"] == oracles.readelf_interp(path)
    assert f.evidence["needed"] == oracles.readelf_needed(path)
    assert oracles.readelf_interp(gobin("default")) is None


def test_cgo_evidence(gobin: Callable[[str], Path]) -> None:
    for name in ("default", "cgo_net"):
        path = gobin(name)
        (f,) = of_rule(path, "GD402")
        assert f.evidence["CGO_ENABLED"] == _settings(path)["CGO_ENABLED"] == "1"
        # whether runtime/cgo was linked, as go tool nm sees it
        linked = "x_cgo_init" in {name for _, _, name in oracles.go_tool_nm(path)}
        assert f.evidence["uses_cgo"] is linked
        assert linked is (name == "cgo_net")
    assert _settings(gobin("windows_amd64"))["CGO_ENABLED"] == "0"


def test_toolchain_evidence(checkbin: Callable[[str], Path], gobin: Callable[[str], Path]) -> None:  # noqa: F811
    devel = checkbin("devel")
    assert of_rule(devel, "GD501")[0].evidence["go_version"] == oracles.go_version_m_json(devel)["GoVersion"]
    assert oracles.go_version_m_json(devel)["GoVersion"] == DEVEL_VERSION
    exp = gobin("goexperiment")
    f = of_rule(exp, "GD502")[0]
    assert f.evidence["GOEXPERIMENT"] == _settings(exp)["GOEXPERIMENT"]
    cmd = gobin("cmdline")
    assert oracles.go_version_m_json(cmd)["Path"] == "command-line-arguments"
    assert of_rule(cmd, "GD503")[0].evidence["path"] == "command-line-arguments"


def test_required_and_forbidden_settings(gobin: Callable[[str], Path]) -> None:
    default = gobin("default")
    (missing,) = of_rule(default, "GD901", REQUIRE_TRIMPATH)
    assert missing.evidence == {"key": "-trimpath", "required": ["true"], "found": None}
    wrong = Policy(require={"CGO_ENABLED": ("0",), "-buildmode": ("exe", "pie")}, local_identities=())
    (cgo,) = of_rule(default, "GD901", wrong)
    assert cgo.evidence["found"] == _settings(default)["CGO_ENABLED"] == "1"
    (tags,) = of_rule(gobin("tags"), "GD902", FORBID_TAGS)
    assert tags.evidence["found"] == _settings(gobin("tags"))["-tags"]
    only_pie = Policy(forbid={"-buildmode": ("pie",)}, local_identities=())
    assert of_rule(default, "GD902", only_pie) == []
    assert of_rule(gobin("pie"), "GD902", only_pie)


def test_policy_levels_apply(gobin: Callable[[str], Path]) -> None:
    path = gobin("default")
    policy = Policy(levels={"GD101": "off", "GD304": "error", "GD301": "warning"}, local_identities=())
    got: dict[str, Any] = {f.rule: f.level for f in findings(path, policy)}
    assert "GD101" not in got
    assert got["GD304"] == "error" and got["GD301"] == "warning"


def test_a_time_inside_a_literal_is_read_but_not_flagged(resolve: Resolve) -> None:
    # the scan finds the quoted time in the help text; no string variable holds it, so GD203 stays
    # silent (restic's and rclone's help texts made it fail their Debian builds)
    from godet.check.rules import rodata_timestamps
    from godet.read.binary import open_binaries
    from godet.read.timestamps import rodata_timestamps as scan

    path = resolve((C, "x_rodata_help_date"))
    with open_binaries(str(path)) as (b,):
        assert "2012-11-01 22:08:41" in [t for t, _, _ in scan(b.image)]
        assert rodata_timestamps(b) == []
    with open_binaries(str(resolve((C, "x_rodata")))) as (b,):
        assert [t for t, _, _ in rodata_timestamps(b)] == [X_DATE]  # an -X value is its own string


def test_a_time_the_source_assigns_is_a_literal_not_a_stamp(resolve: Resolve) -> None:
    # var cutoff = "2024-11-30T23:59:59Z": a string header covers exactly the time, as an -X value's
    # would, but the text lies among the Go string literals (an -X value lies past them, in
    # main.date.str); caddy 2.11.2 (stripped, -trimpath) failed GD203 on three such dates
    from godet.check.rules import rodata_timestamps
    from godet.read.binary import open_binaries
    from godet.read.timestamps import rodata_timestamps as scan

    path = resolve((C, "x_rodata_var_date"))
    with open_binaries(str(path)) as (b,):
        assert "2024-11-30T23:59:59Z" in [t for t, _, _ in scan(b.image)]
        assert rodata_timestamps(b) == []
    assert "GD203" not in {f.rule for f in findings(path)}
