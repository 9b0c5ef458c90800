"""godet: explain why two builds of a Go program differ.

The Python API mirrors the commands::

    godet.inspect(path)                  -> list[BinaryFacts]
    godet.diff(a, b, deep=False)         -> DiffReport | TreeReport
    godet.check(paths, policy=None)      -> CheckReport
    godet.render(report, format="text")  -> str
"""

import sys
import types
from typing import Any

from godet.api import check, diff, inspect, render

__all__ = ["check", "diff", "inspect", "render"]
__version__ = "0.1.0"


class _Package(types.ModuleType):
    """The ``godet`` module: importing a subpackage that shares a function's name (``godet.check``)
    must not rebind the function, so ``godet.check(...)`` works however often it is called."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in __all__ and isinstance(value, types.ModuleType):
            return  # the import system registering godet.check: sys.modules keeps the subpackage
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
