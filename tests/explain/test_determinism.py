"""The same pair gives the same report, whatever Python's hash seed (set and dict order must not leak
into evidence, examples or the order of causes)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import gobuild
from gobuild import BuildSpec

# Two source files under the build directory: which one is shown as the example must not depend on
# set order (it did: the path detector iterated a set of file names).
MULTI_DIRS = (BuildSpec("multi"), BuildSpec("multi", workdir="build-b"))


@pytest.mark.parametrize("pair", ["multi_dirs", "dep_version", "two_causes"])
def test_same_report_under_different_hash_seeds(
    gopair: Callable[[str], tuple[Path, Path]], pair: str
) -> None:
    a, b = gobuild.build_pair(*MULTI_DIRS) if pair == "multi_dirs" else gopair(pair)
    outs = []
    for seed in ("1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        p = subprocess.run(
            [sys.executable, "-m", "godet", "diff", "--format", "json", str(a), str(b)],
            capture_output=True,
            env=env,
            check=False,
        )
        assert p.returncode == 1, p.stderr.decode()
        outs.append(p.stdout)
    assert outs[0] == outs[1] == outs[2]
