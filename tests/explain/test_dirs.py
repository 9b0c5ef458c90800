"""``godet diff DIR_A DIR_B``: executables paired by relative path, each pair explained."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path


def _godet(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "godet", *args], capture_output=True, text=True, timeout=300)


def _tree(root: Path, files: dict[str, Path | str]) -> Path:
    for rel, src in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(src, Path):
            shutil.copy(src, p)
        else:
            p.write_text(src)
    return root


def test_directories_pair_by_relative_path(tmp_path: Path, gopair, gobin) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("dirs")
    same = gobin("trimpath")
    da = _tree(tmp_path / "A", {"bin/app": a, "bin/same": same, "README.md": "not a binary"})
    db = _tree(tmp_path / "B", {"bin/app": b, "bin/same": same, "bin/extra": same})
    r = _godet("diff", "--format", "json", str(da), str(db))
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["identical"] is False
    assert out["only_in_a"] == [] and out["only_in_b"] == ["bin/extra"]
    assert out["skipped"] == 1  # README.md
    pairs = {p["path"]: p["report"] for p in out["pairs"]}
    assert set(pairs) == {"bin/app", "bin/same"}
    assert pairs["bin/same"]["identical"] is True
    assert pairs["bin/app"]["causes"][0]["id"] == "build-path"
    text = _godet("diff", str(da), str(db))
    assert "only in B: bin/extra" in text.stdout and "build-path" in text.stdout


def test_identical_directories_exit_zero(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    same = gobin("trimpath")
    da = _tree(tmp_path / "A", {"x/app": same})
    db = _tree(tmp_path / "B", {"x/app": same})
    r = _godet("diff", str(da), str(db))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "IDENTICAL" in r.stdout


def test_file_against_directory_is_an_error(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    r = _godet("diff", str(gobin("trimpath")), str(tmp_path))
    assert r.returncode == 2
    assert r.stderr.startswith(f"godet: {tmp_path}: ") and "Traceback" not in r.stderr
