"""Markdown rendering of a report tree (for PR comments): summary, rolled-up causes, differing nodes."""

from __future__ import annotations

from typing import Any

from godet.explain.docs import cause_url
from godet.explain.tree import Node, TreeReport
from godet.present import safe
from godet.present.budget import MARKDOWN_LIMIT, Block, fit
from godet.present.diff_markdown import left_out_line
from godet.present.tree_text import MARK, node_title, status_line

_md = safe.md_text


class TreeMarkdown:
    """The tree for a PR comment, at most ``max_report_size`` characters (65,536 by default): the
    summary and the causes across the tree first, then the differing members, then each Go binary's
    own report (the first to go)."""

    def __init__(self, inner: Any = None, max_report_size: int | None = MARKDOWN_LIMIT, **_: Any) -> None:
        self.inner = inner
        self.max_report_size = max_report_size

    def render(self, r: TreeReport) -> str:
        return fit(self.blocks(r), self.max_report_size, left_out_line).rstrip("\n") + "\n"

    def blocks(self, r: TreeReport) -> list[Block]:
        """Summary and roll-up (0), errors (1), each differing member (1), each binary report (2)."""
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
        blocks = [Block("\n".join(out), 0, "summary")]
        if not r.identical:
            blocks.append(Block("### Differences\n", 0, "heading"))
            for c in r.root.children or [r.root]:
                self._node(c, blocks, 0)
        if r.errors:
            err = ["### Errors", ""] + [
                f"- {safe.md_code(p or '.', table=False)}: {_md(e)}" for p, e in r.errors
            ]
            blocks.append(Block("\n".join(err) + "\n", 1, "error list"))
        return blocks

    def _node(self, n: Node, blocks: list[Block], depth: int) -> None:
        if n.status == "identical":
            return
        pad = "  " * depth
        out = [f"{pad}- {MARK[n.status]} {safe.md_code(node_title(n), table=False)}"]
        for c in n.causes:
            out.append(
                f"{pad}  - [`{c.id}`]({cause_url(c.id)}) {'(consequence) ' if c.role != 'root' else ''}"
                f"{_md(c.summary)}"
            )
        blocks.append(Block("\n".join(out), 1, "member"))
        if n.report is not None and self.inner is not None:
            out = ["", f"{pad}  <details><summary>Go binary diff</summary>", ""]
            out += [pad + "  " + line for line in self.inner.render(n.report).splitlines()]
            out += ["", f"{pad}  </details>", ""]
            blocks.append(Block("\n".join(out), 2, "Go binary report"))
        for c in n.children:
            self._node(c, blocks, depth + 1)
