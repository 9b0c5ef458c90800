"""JSON rendering of a report tree (schemas/tree.schema.json)."""

from __future__ import annotations

from typing import Any

from godet.explain.tree import TreeReport
from godet.present import safe


class TreeJSON:
    def __init__(self, inner: Any = None) -> None:
        self.inner = inner

    def render(self, r: TreeReport) -> str:
        return safe.json_safe(r.to_json())
