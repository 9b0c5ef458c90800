"""``godet inspect`` through the command line, against the Go toolchain's own readings."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import FIXTURES
from oracles import go_tool_buildid, go_version_m, go_version_m_json

# the fixtures go version -m can read (all of the catalog)
NAMES = sorted(FIXTURES)


def _godet(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "godet", *args], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.mark.parametrize("name", NAMES)
def test_json_matches_go_version_m_and_buildid(name: str, gobin) -> None:  # type: ignore[no-untyped-def]
    path = str(gobin(name))
    r = _godet("inspect", "--json", path)
    assert r.returncode == 0, r.stderr
    (obj,) = json.loads(r.stdout)
    assert obj["schema_version"] == 1
    assert obj["buildinfo"] == go_version_m_json(path)
    assert obj["go_build_id"] == go_tool_buildid(path)


@pytest.mark.parametrize("name", ["default", "vcs_dirty", "ldflags_x", "windows_amd64", "darwin_arm64"])
def test_text_holds_go_version_m_line_for_line(name: str, gobin) -> None:  # type: ignore[no-untyped-def]
    path = str(gobin(name))
    r = _godet("inspect", path)
    assert r.returncode == 0, r.stderr
    assert "\x1b[" not in r.stdout  # piped: no colour
    want = go_version_m(path).rstrip("\n").split("\n")
    got = r.stdout.split("\n")
    i = got.index(want[0])
    assert got[i : i + len(want)] == want


def test_several_files_and_one_bad(gobin, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = str(gobin("default"))
    missing = str(tmp_path / "nope")
    r = _godet("inspect", "--json", good, missing, good)
    assert r.returncode == 2
    assert [o["path"] for o in json.loads(r.stdout)] == [good, good]
    assert r.stderr.strip() == f"godet: {missing}: no such file"


def test_not_go_is_reported_with_generic_facts() -> None:
    r = _godet("inspect", "--json", "/bin/true")
    assert r.returncode == 0, r.stderr
    (obj,) = json.loads(r.stdout)
    assert obj["is_go"] is False and obj["buildinfo"] is None and obj["go_build_id"] == ""
    assert obj["container"]["format"] == "elf"
    text = _godet("inspect", "/bin/true").stdout
    assert "not a Go executable" in text
