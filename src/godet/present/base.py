"""The renderer interface: every output format is one small class behind ``render(report) -> str``.

Renderers never compute: the report they are given holds everything they show. The CLI only
maps ``--format NAME`` to a class through :func:`renderer`.
"""

from __future__ import annotations

import importlib
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
    inner = getattr(importlib.import_module(module), cls)(**options)
    if command == "diff":
        return _TreeAware(inner, name)
    return inner


TREE = {
    "text": "godet.present.tree_text:TreeText",
    "json": "godet.present.tree_json:TreeJSON",
    "markdown": "godet.present.tree_markdown:TreeMarkdown",
    "html": "godet.present.tree_html:TreeHTML",
}


class _TreeAware:
    """A diff renderer that also renders report trees (directories, archives, images) with the tree
    renderer of the same format, which uses the single-pair renderer for the Go binaries inside."""

    def __init__(self, inner: Renderer, name: str) -> None:
        self.inner = inner
        self.name = name

    def render(self, report: Any) -> str:
        from godet.explain.tree import TreeReport

        if not isinstance(report, TreeReport):
            return self.inner.render(report)
        module, _, cls = TREE[self.name].partition(":")
        return getattr(importlib.import_module(module), cls)(self.inner).render(report)
