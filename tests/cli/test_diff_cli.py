"""``godet diff`` through the command line: verdicts, exit codes and bad inputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _godet(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "godet", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_identical_exit_zero(gopair) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("dirs_trimpath")
    assert a.read_bytes() == b.read_bytes()
    r = _godet("diff", "--format", "json", str(a), str(b))
    assert r.returncode == 0 and json.loads(r.stdout)["identical"] is True


def test_different_exit_one_in_every_format(gopair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("dirs")
    for fmt in ("text", "json", "markdown", "html"):
        out = tmp_path / f"report.{fmt}"
        r = _godet("diff", "--format", fmt, "--output", str(out), str(a), str(b))
        assert r.returncode == 1, r.stderr
        assert "build-path" in out.read_text()
    assert a.read_bytes() != b.read_bytes()


def test_missing_side_is_an_error(gobin, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "gone"
    r = _godet("diff", str(gobin("default")), str(missing))
    assert r.returncode == 2
    assert r.stderr.strip() == f"godet: {missing}: no such file"


def test_directory_beside_missing_path_names_the_missing_one(tmp_path: Path) -> None:
    """A tree on one side and a path that does not exist on the other: the missing path is the error."""
    (tmp_path / "d").mkdir()
    missing = tmp_path / "gone"
    for args in ((tmp_path / "d", missing), (missing, tmp_path / "d")):
        r = _godet("diff", *map(str, args))
        assert r.returncode == 2
        assert r.stderr.strip() == f"godet: {missing}: no such file"


def test_truncated_side_is_an_error_or_a_located_difference(gobin, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = gobin("default").read_bytes()
    cut = tmp_path / "cut"
    cut.write_bytes(src[:1000])
    r = _godet("diff", str(gobin("default")), str(cut))
    assert r.returncode == 2 and r.stderr.startswith(f"godet: {cut}: ") and "Traceback" not in r.stderr


def test_different_architectures_are_unrelated(gobin) -> None:  # type: ignore[no-untyped-def]
    r = _godet("diff", "--format", "json", str(gobin("default")), str(gobin("linux_arm64")))
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["related"] is False
    assert out["causes"][0]["id"] == "unrelated-programs"
    labels = {e["label"]: (e["a"], e["b"]) for e in out["causes"][0]["evidence"]["items"]}
    assert labels["architecture"] == ("amd64", "arm64")


def test_go_against_non_go_is_unrelated(gobin) -> None:  # type: ignore[no-untyped-def]
    r = _godet("diff", "--format", "json", str(gobin("default")), "/bin/true")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["related"] is False
    assert "Go executable" in {e["label"] for e in out["causes"][0]["evidence"]["items"]}


def test_two_non_go_files_are_an_error(tmp_path: Path) -> None:
    other = tmp_path / "other"
    data = Path("/bin/true").read_bytes()
    other.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
    r = _godet("diff", "/bin/true", str(other))
    assert r.returncode == 2 and "not a Go executable" in r.stderr


def test_text_file_is_an_error(gobin, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    txt = tmp_path / "notes.txt"
    txt.write_text("hello\n")
    r = _godet("diff", str(txt), str(gobin("default")))
    assert r.returncode == 2
    assert r.stderr.strip().startswith(f"godet: {txt}: not an executable")
