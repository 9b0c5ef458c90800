"""Runtime dependencies are exactly what the runtime imports, and godet runs without the test-only ones."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import build_demo

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
#: Installed only with the test extra; godet must work without them.
TEST_ONLY = ("lief", "elftools", "yaml")


def _requirement_name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req, maxsplit=1)[0].lower().replace("_", "-")


def _imported_top_levels() -> set[str]:
    names: set[str] = set()
    for path in (SRC / "godet").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"godet"}


def test_declared_dependencies_are_what_src_imports() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_requirement_name(r) for r in project["dependencies"]}
    # importlib.metadata maps each imported module to the distribution that provides it
    provides = importlib.metadata.packages_distributions()
    imported = {provides[m][0].lower().replace("_", "-") for m in _imported_top_levels()}
    assert imported == declared
    test_extra = {_requirement_name(r) for r in project["optional-dependencies"]["test"]}
    assert {"lief", "pyelftools", "pyyaml"} <= test_extra
    assert not {"lief", "pyelftools"} & declared


# Make importing a test-only library fail, as it would where only `pip install .` ran.
BLOCK = f"""
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {TEST_ONLY!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked by the test)")
        return None
sys.meta_path.insert(0, _Block())
for m in {TEST_ONLY!r}:
    assert m not in sys.modules
import runpy
sys.argv = ["godet", *sys.argv[1:]]
runpy.run_module("godet", run_name="__main__", alter_sys=True)
"""


def _godet(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-c", BLOCK, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_blocking_works(tmp_path: Path) -> None:
    """The hook really blocks: a command that imports lief fails."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    code = BLOCK.split("import runpy")[0] + "import lief\n"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and "blocked by the test" in proc.stderr


def test_godet_runs_without_lief_pyelftools_pyyaml(tmp_path: Path) -> None:
    members = build_demo.unpack(build_demo.SHIPPED.read_bytes())
    for name, data in members.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
        (tmp_path / name).chmod(0o755)
    runs = {
        ("--help",): 0,
        ("diff", "laptop/demo", "ci/demo"): 1,
        ("diff", "--deep", "--format", "json", "laptop/demo", "ci/demo"): 1,
        ("diff", "laptop", "ci"): 1,
        ("inspect", "laptop/demo"): 0,
        ("check", "ci/demo"): 1,
        ("demo",): 0,
    }
    for args, want in runs.items():
        proc = _godet(*args, cwd=tmp_path)
        assert proc.returncode == want, (args, proc.stderr)
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, args
    assert "build-path" in _godet("diff", "laptop/demo", "ci/demo", cwd=tmp_path).stdout
