"""``godet diff --format json``: the DiffReport as documented in docs/json.md."""

from __future__ import annotations

from typing import Any

from godet.explain.report import DiffReport
from godet.present import safe


class DiffJSON:
    """The report's own JSON form (``schema_version`` at the top)."""

    def __init__(self, **_: Any) -> None:
        pass

    def render(self, report: DiffReport) -> str:
        return safe.json_safe(report.to_json())
