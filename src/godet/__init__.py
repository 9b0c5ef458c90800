"""godet: explain why two builds of a Go program differ.

The Python API mirrors the commands::

    godet.inspect(path)            -> list[BinaryFacts]
    godet.diff(a, b)               -> DiffReport
    godet.check(paths, policy)     -> CheckReport
"""

from godet.api import check, diff, inspect

__all__ = ["check", "diff", "inspect"]
__version__ = "0.1.0"
