"""``godet rebuild`` through the command line: exit codes, formats, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rebuildlib import copy_module, user_env

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _godet(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = user_env(NO_COLOR="1", PYTHONPATH=SRC, **env)
    return subprocess.run(
        [sys.executable, "-m", "godet", "rebuild", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=full,
    )


def test_missing_go_command(tmp_path: Path) -> None:
    work = copy_module("rebuild_trim", tmp_path)
    r = _godet("--go", str(tmp_path / "nogo"), str(work))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == f"godet: {tmp_path / 'nogo'}: no such go command\n"
    r = _godet(str(work), PATH=str(tmp_path))
    assert r.returncode == 2
    assert r.stderr == "godet: go: no go command on PATH (pass --go PATH)\n"


def test_bad_inputs(gobuild_available, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    go = str(gobuild_available.go)
    work = copy_module("rebuild_trim", tmp_path)
    r = _godet("--go", go, "--vary", "build-dir,bogus", str(work))
    assert r.returncode == 2 and r.stderr.startswith(
        "godet: --vary: unknown variation 'bogus' (known: build-dir,"
    )
    r = _godet("--go", go, str(tmp_path))
    assert (
        r.returncode == 2 and r.stderr == f"godet: {tmp_path}: not inside a Go module (no go.mod above it)\n"
    )
    r = _godet("--go", go, str(tmp_path / "absent"))
    assert r.returncode == 2 and r.stderr == f"godet: {tmp_path / 'absent'}: no such package directory\n"


def test_build_failure_is_one_line(gobuild_available, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "broken"
    bad.mkdir()
    (bad / "go.mod").write_text("module example.com/broken\n\ngo 1.21\n")
    (bad / "main.go").write_text("package main\n\nfunc main() { undefinedThing() }\n")
    r = _godet("--go", str(gobuild_available.go), "--vary", "umask", str(bad))
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1
    assert r.stderr.startswith("godet: control-1: go build failed: ")
    assert "undefined: undefinedThing" in r.stderr and "Traceback" not in r.stderr


def test_json_reproducible_exit_zero(gobuild_available, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    work = copy_module("rebuild_trim", tmp_path)
    r = _godet(
        "--go",
        str(gobuild_available.go),
        "--format",
        "json",
        "--seed-std",
        "--vary",
        "build-dir",
        str(work),
        "--",
        "-trimpath",
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema_version"] == 1 and doc["reproducible"] is True and doc["changing"] == []
    assert doc["flags"] == ["-trimpath"] and doc["builds"] == 3
    assert [v["variation"] for v in doc["variations"]] == ["build-dir"]
    assert doc["control"]["identical"] is True and doc["verification"] is None


def test_markdown_names_the_variation_and_flag(gobuild_available, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    work = copy_module("rebuild_trim", tmp_path)
    r = _godet(
        "--go",
        str(gobuild_available.go),
        "--format",
        "markdown",
        "--seed-std",
        "--no-verify",
        "--vary",
        "build-dir",
        str(work),
    )
    assert r.returncode == 1, r.stderr
    assert "| `build-dir` | DIFFERS | `build-path` 100% |" in r.stdout
    assert "go build -trimpath ." in r.stdout
    assert "Verif" not in r.stdout
