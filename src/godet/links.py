"""Where godet's docs pages are published: one base URL for cause pages and rule pages.

``GODET_DOCS_URL`` (the ``docs/`` directory of a fork or an internal mirror) overrides the
default; SARIF ``helpUri``, the text, Markdown and HTML links all derive from it.
"""

from __future__ import annotations

import os

PROJECT_URL = "https://github.com/godet-dev/godet"
DEFAULT_DOCS_URL = f"{PROJECT_URL}/blob/main/docs/"
ENV = "GODET_DOCS_URL"


def docs_base() -> str:
    """The docs base URL (ends with ``/``): ``$GODET_DOCS_URL``, else the project's docs/ on GitHub."""
    base = os.environ.get(ENV) or DEFAULT_DOCS_URL
    return base if base.endswith("/") else base + "/"


def cause_url(cause_id: str) -> str:
    """The published page of a cause (``docs/causes/ID.md``)."""
    return f"{docs_base()}causes/{cause_id}.md"


def rule_url(code: str) -> str:
    """The published page of a check rule (``docs/checks/GDxxx.md``)."""
    return f"{docs_base()}checks/{code}.md"
