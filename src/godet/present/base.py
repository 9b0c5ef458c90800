"""The renderer interface: every output format is one small class behind ``render(report) -> str``.

Renderers never compute: the report they are given holds everything they show. The CLI only
maps ``--format NAME`` to a class through :func:`renderer`.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Protocol


class Renderer(Protocol):
    """Turns a report (inspect facts, diff report or check report) into text."""

    def render(self, report: Any) -> str: ...


# command → format name → "module:Class"
REGISTRY: dict[str, dict[str, str]] = {
    "inspect": {
        "text": "godet.present.inspect_text:InspectText",
        "json": "godet.present.inspect_json:InspectJSON",
    },
    "diff": {
        "text": "godet.present.diff_text:DiffText",
        "json": "godet.present.diff_json:DiffJSON",
        "markdown": "godet.present.diff_markdown:DiffMarkdown",
        "html": "godet.present.diff_html:DiffHTML",
    },
    "check": {
        "text": "godet.present.check_text:CheckText",
        "json": "godet.present.check_json:CheckJSON",
        "sarif": "godet.present.sarif:CheckSARIF",
        "junit": "godet.present.junit:CheckJUnit",
        "github": "godet.present.github:CheckGitHub",
    },
    "rebuild": {
        "text": "godet.present.rebuild_text:RebuildText",
        "json": "godet.present.rebuild_json:RebuildJSON",
        "markdown": "godet.present.rebuild_markdown:RebuildMarkdown",
    },
}


def formats(command: str) -> list[str]:
    """The format names ``command`` offers."""
    return list(REGISTRY[command])


def renderer(command: str, name: str, **options: Any) -> Renderer:
    """Instantiate the renderer registered for ``command`` and format ``name``."""
    module, _, cls = REGISTRY[command][name].partition(":")
    if command != "diff":
        return getattr(importlib.import_module(module), cls)(**options)
    if "max_report_size" in options and options["max_report_size"] is None:
        del options["max_report_size"]  # the format's default (65,536 for markdown, none otherwise)
    limit = options.pop("max_report_size", None) if name in ("text", "json") else None
    if name == "json":
        limit = None  # a JSON document is never cut
    inner = getattr(importlib.import_module(module), cls)(**options)
    return _TreeAware(inner, name, options, limit)


TREE = {
    "text": "godet.present.tree_text:TreeText",
    "json": "godet.present.tree_json:TreeJSON",
    "markdown": "godet.present.tree_markdown:TreeMarkdown",
    "html": "godet.present.tree_html:TreeHTML",
}


class _TreeAware:
    """A diff renderer that also renders report trees (directories, archives, images) with the tree
    renderer of the same format, which uses the single-pair renderer for the Go binaries inside.

    ``limit`` (``--max-report-size`` of the text format) cuts the text at a line before that many
    characters and says so on a last line; the text reports put the verdict and the roots first.
    """

    def __init__(self, inner: Renderer, name: str, options: dict[str, Any], limit: int | None = None) -> None:
        self.inner = inner
        self.name = name
        self.options = options
        self.limit = limit

    def render(self, report: Any) -> str:
        tree_module = sys.modules.get("godet.explain.tree")  # not loaded: the report is no tree
        if tree_module is None or not isinstance(report, tree_module.TreeReport):
            out = self.inner.render(report)
        else:
            module, _, cls = TREE[self.name].partition(":")
            tree = getattr(importlib.import_module(module), cls)
            kwargs = {k: v for k, v in self.options.items() if k == "max_report_size"}
            out = tree(self.inner, **kwargs).render(report)
        return out if self.limit is None else cut_lines(out, self.limit)


def cut_lines(out: str, limit: int) -> str:
    """``out`` cut at a line end so that, with a last line saying so, it has at most ``limit`` characters."""
    if len(out) <= limit:
        return out
    lines = out.splitlines(keepends=True)

    def tail(more: int) -> str:
        return f"… {more:,} of {len(lines):,} lines left out to stay under {limit:,} characters\n"

    kept, used = 0, 0
    while kept < len(lines) and used + len(lines[kept]) + len(tail(len(lines))) <= limit:
        used += len(lines[kept])
        kept += 1
    return "".join(lines[:kept]) + tail(len(lines) - kept)
