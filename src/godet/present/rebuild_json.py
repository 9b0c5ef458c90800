"""``godet rebuild --format json``: the report as one JSON object (``schema_version`` 1)."""

from __future__ import annotations

from typing import Any

from godet.present import safe
from godet.rebuild.report import RebuildReport


class RebuildJSON:
    """The RebuildReport's ``to_json`` as indented JSON."""

    def __init__(self, **_: Any) -> None:
        pass

    def render(self, report: RebuildReport) -> str:
        return safe.json_safe(report.to_json())
