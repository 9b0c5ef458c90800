"""``godet check`` end to end: exit codes, --fail-on, --policy, directories, skipped files, formats."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from godet.check.engine import (
    SKIP_NOT_EXECUTABLE,
    SKIP_NOT_GO,
    SKIP_SYMLINK_OUT,
    run_check,
    sniff_executable,
)
from godet.check.policy import Policy


def godet(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run([sys.executable, "-m", "godet", "check", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    """An empty directory with no policy file above it that could change the result."""
    return tmp_path


def test_exit_0_on_hardened_build(gobin: Callable[[str], Path], work: Path) -> None:
    r = godet(str(gobin("hardened")), cwd=work)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok: no findings" in r.stdout and "passed" in r.stdout
    assert r.stderr == ""


def test_exit_1_on_findings(gobin: Callable[[str], Path], work: Path) -> None:
    r = godet(str(gobin("default")), str(gobin("hardened")), cwd=work)
    assert r.returncode == 1
    assert "GD101 build-path" in r.stdout and "FAILED" in r.stdout


def test_fail_on_levels(gobin: Callable[[str], Path], work: Path) -> None:
    trimpath = str(gobin("trimpath"))  # warnings (DWARF, symbols, CGO_ENABLED=1) and info, no error
    assert godet(trimpath, cwd=work).returncode == 0
    assert godet("--fail-on", "warning", trimpath, cwd=work).returncode == 1
    hardened = str(gobin("hardened"))  # nothing at all
    assert godet("--fail-on", "info", hardened, cwd=work).returncode == 0
    assert godet("--fail-on", "info", str(gobin("buildid_empty")), cwd=work).returncode == 1
    assert godet("--fail-on", "never", str(gobin("default")), cwd=work).returncode == 0


def test_policy_file_in_cwd_and_cli_override(gobin: Callable[[str], Path], work: Path) -> None:
    (work / ".godet.toml").write_text('fail-on = "warning"\n')
    trimpath = str(gobin("trimpath"))
    assert godet(trimpath, cwd=work).returncode == 1
    assert godet("--fail-on", "error", trimpath, cwd=work).returncode == 0
    (work / ".godet.toml").write_text('[rules]\nbuild-path = "off"\ngoroot-path = "off"\n')
    r = godet(str(gobin("default")), cwd=work)
    assert r.returncode == 0 and "GD101" not in r.stdout


def test_exit_2_on_invalid_policy_names_the_line(gobin: Callable[[str], Path], work: Path) -> None:
    bad = work / "policy.toml"
    bad.write_text('fail-on = "error"\n\n[rules]\nGD101 = "off"\n\nGD999 = "warning"\n')
    r = godet("--policy", "policy.toml", str(gobin("default")), cwd=work)
    assert r.returncode == 2
    assert r.stderr.strip() == 'godet: policy.toml:6: unknown rule "GD999"'
    bad.write_text('[rules]\nGD101 = "off"\nGD101 "warning"\n')
    r = godet("--policy", "policy.toml", str(gobin("default")), cwd=work)
    assert r.returncode == 2 and r.stderr.startswith("godet: policy.toml:3: invalid TOML")
    assert "Traceback" not in r.stderr


def test_exit_2_on_unreadable_or_non_go_input(gobin: Callable[[str], Path], work: Path) -> None:
    text = work / "README.txt"
    text.write_text("hello\n")
    r = godet(str(gobin("hardened")), str(text), cwd=work)
    assert r.returncode == 2
    assert f"godet: {text}: not an executable" in r.stderr
    r = godet(str(work / "missing"), cwd=work)
    assert r.returncode == 2 and "no such file" in r.stderr
    python = os.path.realpath(sys.executable)  # an executable, but not a Go one
    r = godet(python, cwd=work)
    assert r.returncode == 2 and "not a Go executable" in r.stderr


def test_directory_walk_counts_skipped(gobin: Callable[[str], Path], work: Path, tmp_path_factory) -> None:
    tree = work / "dist"
    (tree / "linux").mkdir(parents=True)
    shutil.copy(gobin("hardened"), tree / "linux" / "app")
    shutil.copy(gobin("windows_amd64"), tree / "app.exe")
    shutil.copy(os.path.realpath(sys.executable), tree / "not-go")  # skipped, not an error
    (tree / "README.md").write_text("# dist\n")
    (tree / "checksums.txt").write_text("abc  app\n")
    outside = tmp_path_factory.mktemp("outside") / "app"
    shutil.copy(gobin("default"), outside)
    (tree / "link-out").symlink_to(outside)  # points out of the tree: skipped
    (tree / "link-in").symlink_to(tree / "linux" / "app")  # the same file again: checked once
    report = run_check([str(tree)], Policy(local_identities=()))
    assert not report.errors
    assert sorted(Path(r.path).name for r in report.results) == ["app", "app.exe"]
    assert report.skipped == {SKIP_NOT_EXECUTABLE: 2, SKIP_NOT_GO: 1, SKIP_SYMLINK_OUT: 1}
    r = godet("--format", "json", "dist", cwd=work)
    data = json.loads(r.stdout)
    assert data["checked"] == 2 and data["skipped"] == report.skipped
    r = godet("dist", cwd=work)
    assert "4 files skipped" in r.stdout


def test_directory_without_go_executables_is_an_error(work: Path) -> None:
    empty = work / "dist"
    empty.mkdir()
    (empty / "README.md").write_text("the build failed\n")
    r = godet("dist", cwd=work)
    assert r.returncode == 2
    assert r.stderr.strip() == "godet: dist: no Go executable found in this directory"


def test_output_file_and_formats(gobin: Callable[[str], Path], work: Path) -> None:
    out = work / "godet.sarif"
    r = godet("--format", "sarif", "-o", str(out), str(gobin("default")), cwd=work)
    assert r.returncode == 1 and r.stdout == ""
    assert json.loads(out.read_text())["version"] == "2.1.0"
    r = godet("--format", "junit", str(gobin("hardened")), cwd=work)
    assert r.returncode == 0 and r.stdout.startswith("<?xml")
    r = godet("--format", "github", str(gobin("vcs_dirty")), cwd=work)
    assert r.returncode == 1 and "::error file=" in r.stdout


def test_progress_bar_on_many_files(gobin: Callable[[str], Path], work: Path) -> None:
    for i in range(25):
        (work / f"f{i:02}.txt").write_text("x")
    shutil.copy(gobin("hardened"), work / "app")
    report = run_check([str(work)], Policy(local_identities=()), progress=True)
    assert len(report.results) == 1 and report.skipped == {SKIP_NOT_EXECUTABLE: 25}


def test_sniff_executable(gobin: Callable[[str], Path], tmp_path: Path) -> None:
    for name in ("default", "windows_amd64", "darwin_arm64"):
        assert sniff_executable(str(gobin(name)))
    java = tmp_path / "A.class"
    java.write_bytes(bytes.fromhex("cafebabe00000034001d0a0006000f09"))
    obj = tmp_path / "x.o"
    obj.write_bytes(b"\x7fELF\x02\x01\x01" + b"\0" * 9 + b"\x01\x00" + b"\0" * 40)  # ET_REL
    assert not sniff_executable(str(java)) and not sniff_executable(str(obj))
