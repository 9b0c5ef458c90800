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


def _walk(node: dict) -> list[dict]:
    return [node] + [x for c in node["children"] for x in _walk(c)]


def test_directories_pair_by_relative_path(tmp_path: Path, gopair, gobin) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("dirs")
    same = gobin("trimpath")
    da = _tree(tmp_path / "A", {"bin/app": a, "bin/same": same, "README.md": "not a binary"})
    db = _tree(tmp_path / "B", {"bin/app": b, "bin/same": same, "bin/extra": same})
    r = _godet("diff", "--format", "json", str(da), str(db))
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["identical"] is False
    nodes = {n["path"]: n for n in _walk(out["root"])}
    assert nodes["README.md"]["status"] == "only-a"
    assert nodes["bin/extra"]["status"] == "only-b"
    assert nodes["bin/same"]["status"] == "identical"
    assert nodes["bin/app"]["status"] == "different"
    assert nodes["bin/app"]["report"]["causes"][0]["id"] == "build-path"
    assert out["counts"] == {"identical": 1, "different": 1, "only-a": 1, "only-b": 1, "error": 0}
    assert out["rollup"][0]["id"] == "build-path" and out["rollup"][0]["binaries"] == 1
    text = _godet("diff", str(da), str(db))
    assert "only in B: bin/extra" in text.stdout and "build-path" in text.stdout


def test_identical_directories_exit_zero(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    same = gobin("trimpath")
    da = _tree(tmp_path / "A", {"x/app": same})
    db = _tree(tmp_path / "B", {"x/app": same})
    r = _godet("diff", str(da), str(db))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "IDENTICAL" in r.stdout


def test_a_differing_text_file_is_never_identical(tmp_path: Path) -> None:
    """Two directories that differ only in a non-executable file are DIFFERENT (it was a false pass)."""
    da = _tree(tmp_path / "A", {"config.txt": "one\n"})
    db = _tree(tmp_path / "B", {"config.txt": "two\n"})
    r = _godet("diff", "--format", "json", str(da), str(db))
    assert r.returncode == 1, r.stdout + r.stderr
    node = next(n for n in _walk(json.loads(r.stdout)["root"]) if n["path"] == "config.txt")
    assert node["status"] == "different"
    assert node["content"]["offset"] == 0 and node["content"]["exact"] is True  # "one" vs "two": byte 0
    assert node["causes"][0]["id"] == "unexplained"
    text = _godet("diff", str(da), str(db))
    assert text.returncode == 1 and "config.txt" in text.stdout and "DIFFERENT" in text.stdout
