"""``godet check --format json``: the CheckReport as one JSON object with ``schema_version``."""

from __future__ import annotations

from typing import Any

from godet.check.engine import CheckReport
from godet.present import safe


class CheckJSON:
    """One object: counts, skipped, errors, the policy, the rules run and the per-binary findings."""

    def __init__(self, **_: Any) -> None:
        pass

    def render(self, report: CheckReport) -> str:
        return safe.json_safe(report.to_json())
