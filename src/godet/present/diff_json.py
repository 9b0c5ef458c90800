"""``godet diff --format json``: the DiffReport as documented in docs/json.md."""

from __future__ import annotations

import json
from typing import Any

from godet.explain.report import DiffReport


class DiffJSON:
    """The report's own JSON form (``schema_version`` at the top)."""

    def __init__(self, **_: Any) -> None:
        pass

    def render(self, report: DiffReport) -> str:
        return json.dumps(report.to_json(), indent=2) + "\n"
