"""Markdown rendering of a report tree (for PR comments): summary, rolled-up causes, differing nodes."""

from __future__ import annotations

from typing import Any

from godet.explain.docs import cause_url
from godet.explain.tree import Node, TreeReport
from godet.present import safe
from godet.present.tree_text import MARK, node_title, status_line

_md = safe.md_text


class TreeMarkdown:
    def __init__(self, inner: Any = None) -> None:
        self.inner = inner

    def render(self, r: TreeReport) -> str:
        out = [
            f"## godet diff: {'IDENTICAL' if r.identical else 'DIFFERENT'}",
            "",
            f"- A: {safe.md_code(r.a, table=False)} ({_md(r.a_kind)})",
            f"- B: {safe.md_code(r.b, table=False)} ({_md(r.b_kind)})",
            f"- {_md(status_line(r))}",
            "",
        ]
        if r.rollup:
            out += ["| cause | role | where |", "|---|---|---|"]
            out += [f"| [`{x.id}`]({cause_url(x.id)}) | {x.role} | {_md(x.sentence())} |" for x in r.rollup]
            out.append("")
        if not r.identical:
            out += ["### Differences", ""]
            for c in r.root.children or [r.root]:
                self._node(c, out, 0)
        if r.errors:
            out += ["", "### Errors", ""] + [
                f"- {safe.md_code(p or '.', table=False)}: {_md(e)}" for p, e in r.errors
            ]
        return "\n".join(out) + "\n"

    def _node(self, n: Node, out: list[str], depth: int) -> None:
        if n.status == "identical":
            return
        pad = "  " * depth
        out.append(f"{pad}- {MARK[n.status]} {safe.md_code(node_title(n), table=False)}")
        for c in n.causes:
            out.append(
                f"{pad}  - [`{c.id}`]({cause_url(c.id)}) {'(consequence) ' if c.role != 'root' else ''}"
                f"{_md(c.summary)}"
            )
        if n.report is not None and self.inner is not None:
            out += ["", f"{pad}  <details><summary>Go binary diff</summary>", ""]
            out += [pad + "  " + line for line in self.inner.render(n.report).splitlines()]
            out += ["", f"{pad}  </details>", ""]
        for c in n.children:
            self._node(c, out, depth + 1)
