"""Directory diffs: each pair rendered by the format's own renderer, under a per-file heading."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from godet.explain.report import DiffReport, DirDiffReport
from godet.present import safe


class DirAware:
    """Wraps a single-pair diff renderer so that it also renders a DirDiffReport."""

    def __init__(self, inner: Any, name: str) -> None:
        self.inner = inner
        self.name = name

    def render(self, report: DiffReport | DirDiffReport) -> str:
        if not isinstance(report, DirDiffReport):
            return self.inner.render(report)
        if self.name == "json":
            return safe.json_safe(report.to_json())
        if self.name == "html":
            return self._html(report)
        heading = "## " if self.name == "markdown" else "== "
        show = safe.md_text if self.name == "markdown" else safe.text
        parts = [self._summary(report, heading, show)]
        for rel, rep, err in report.pairs:
            parts.append(f"{heading}{show(rel)}\n")
            parts.append(f"error: {show(err)}\n" if err else self.inner.render(rep))
        return "\n".join(parts)

    def _summary(self, r: DirDiffReport, heading: str, show: Callable[[object], str]) -> str:
        differ = [rel for rel, rep, _ in r.pairs if rep is not None and not rep.identical]
        same = [rel for rel, rep, _ in r.pairs if rep is not None and rep.identical]
        lines = [
            f"{heading}godet diff {show(r.a)} {show(r.b)}: {'IDENTICAL' if r.identical else 'DIFFERENT'}",
            f"{len(r.pairs)} executables in both: {len(same)} identical, {len(differ)} different, "
            f"{len(r.errors)} unreadable; {len(r.only_a)} only in A, {len(r.only_b)} only in B; "
            f"{r.skipped} other files skipped",
        ]
        lines += [f"only in A: {show(p)}" for p in r.only_a] + [f"only in B: {show(p)}" for p in r.only_b]
        return "\n".join(lines) + "\n"

    def _html(self, r: DirDiffReport) -> str:
        bodies = []
        for rel, rep, err in r.pairs:
            if err:
                body = f"<p>error: {safe.html(err)}</p>"
            else:
                doc = self.inner.render(rep)
                m = re.search(r"<body[^>]*>(.*)</body>", doc, re.S)
                body = m.group(1) if m else doc
            bodies.append(f"<section><h1>{safe.html(rel)}</h1>{body}</section>")
        first = self.inner.render(r.pairs[0][1]) if r.pairs and r.pairs[0][1] else ""
        head = re.search(r"<head>.*</head>", first, re.S)
        summary = "<br>".join(safe.html(ln) for ln in self._summary(r, "", safe.text).splitlines())
        return (
            "<!DOCTYPE html><html>"
            + (head.group(0) if head else "<head><meta charset='utf-8'></head>")
            + f"<body><p>{summary}</p>"
            + "".join(bodies)
            + "</body></html>\n"
        )
