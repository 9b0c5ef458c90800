"""``godet inspect --json``: a list with one object per file (docs/json.md)."""

from __future__ import annotations

import json
from typing import Any

from godet.read.facts import SCHEMA_VERSION, BinaryFacts


class InspectJSON:
    """JSON list; each object carries ``schema_version`` and ``buildinfo`` as ``go version -m -json``."""

    def __init__(self, functions: bool = False, **_: Any) -> None:
        self.functions = functions

    def render(self, report: list[BinaryFacts]) -> str:
        out = [{"schema_version": SCHEMA_VERSION, **f.to_json(functions=self.functions)} for f in report]
        return json.dumps(out, indent=2) + "\n"
