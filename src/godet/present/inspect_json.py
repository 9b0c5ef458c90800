"""``godet inspect --json``: a list with one object per file (docs/json.md)."""

from __future__ import annotations

from typing import Any

from godet.present import safe
from godet.read.facts import SCHEMA_VERSION, BinaryFacts


class InspectJSON:
    """JSON list; each object carries ``schema_version`` and ``buildinfo`` as ``go version -m -json``."""

    def __init__(self, functions: bool = False, **_: Any) -> None:
        self.functions = functions

    def render(self, report: list[BinaryFacts]) -> str:
        out = [{"schema_version": SCHEMA_VERSION, **f.to_json(functions=self.functions)} for f in report]
        return safe.json_safe(out)
