"""``godet rebuild --format json``: the report as one JSON object (``schema_version`` 1)."""

from __future__ import annotations

import json
from typing import Any

from godet.rebuild.report import RebuildReport


class RebuildJSON:
    """The RebuildReport's ``to_json`` as indented JSON."""

    def __init__(self, **_: Any) -> None:
        pass

    def render(self, report: RebuildReport) -> str:
        return json.dumps(report.to_json(), indent=2) + "\n"
