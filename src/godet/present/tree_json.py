"""JSON rendering of a report tree (schemas/tree.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from godet.explain.tree import TreeReport


class TreeJSON:
    def __init__(self, inner: Any = None) -> None:
        self.inner = inner

    def render(self, r: TreeReport) -> str:
        return json.dumps(r.to_json(), indent=2, ensure_ascii=False) + "\n"
