"""The factor matrix of issue 9: one program built two ways per build factor (see factors.py)."""

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent.parent)
if _TESTS not in sys.path:  # gobuild and oracles are top-level modules of tests/
    sys.path.insert(0, _TESTS)
