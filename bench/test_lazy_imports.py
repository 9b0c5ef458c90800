"""Start-up stays cheap: ``godet --help`` (and ``--version``) import none of lief, capstone, numpy.

Run with ``pytest bench/`` (not collected by the default ``pytest``, whose testpaths is tests/).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("lief", "capstone", "numpy")


def imported_top_level(argv: list[str]) -> set[str]:
    """Top-level module names imported while running ``python -X importtime -m godet <argv>``."""
    p = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "godet", *argv], capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr[-2000:]
    names = set()
    for line in p.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[-1].strip()
            if name and name != "imported package":
                names.add(name.split(".")[0])
    assert "godet" in names, "importtime output not understood"
    return names


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["diff", "--help"], ["inspect", "--help"]])
def test_help_is_lazy(argv: list[str]) -> None:
    heavy = imported_top_level(argv) & set(HEAVY)
    assert not heavy, f"godet {' '.join(argv)} imports {sorted(heavy)}"
