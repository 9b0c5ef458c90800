"""HTML rendering of a report tree: one self-contained styled page (the single-pair page's styles),
the member counts, the causes across the tree with a bar each, then the differing nodes, collapsible.
"""

from __future__ import annotations

import re
from typing import Any

from godet.explain.docs import cause_url
from godet.explain.tree import Node, TreeReport
from godet.present import safe
from godet.present.budget import Block
from godet.present.diff_html import PALETTE, page
from godet.present.tree_text import node_title, status_line

_e = safe.html
COUNTS = (
    ("different", "different"),
    ("identical", "identical"),
    ("only-a", "only in A"),
    ("only-b", "only in B"),
    ("error", "unreadable"),
)


class TreeHTML:
    """A directory, archive or image diff as one page; each Go binary's report comes from ``inner``."""

    def __init__(self, inner: Any = None, max_report_size: int | None = None, **_: Any) -> None:
        self.inner = inner
        self.max_report_size = max_report_size

    def render(self, r: TreeReport) -> str:
        word = "IDENTICAL" if r.identical else "DIFFERENT"
        return page(f"godet diff: {word.lower()}", self.blocks(r), self.max_report_size)

    def blocks(self, r: TreeReport) -> list[Block]:
        """Summary, counts and roll-up (0), errors (1), each differing member (1), binary reports (2)."""
        word = "IDENTICAL" if r.identical else "DIFFERENT"
        kind = "identical" if r.identical else "different"
        counts = r.counts()
        verdict = r.verdict.partition(": ")[2] or r.verdict  # "different: build-path in …"
        head = [
            f"<h1>godet diff: {_e(word.lower())}</h1>",
            f'<div class="verdict {kind}"><b>{_e(word)}</b>: {_e(verdict)}.</div>',
            '<table><tbody><tr><td class="a"><b>A</b></td><td class="val"><code>'
            f"{_e(r.a)}</code> ({_e(r.a_kind)})</td></tr>"
            '<tr><td class="b"><b>B</b></td><td class="val"><code>'
            f"{_e(r.b)}</code> ({_e(r.b_kind)})</td></tr></tbody></table>",
            '<div class="counts">'
            + "".join(
                f"<div><b>{counts[k]:,}</b>{_e(label)}</div>"
                for k, label in COUNTS
                if counts[k] or k in ("different", "identical")
            )
            + "</div>",
            f'<p class="muted">{_e(status_line(r))}</p>',
        ]
        head += [f'<p class="muted">Note: {_e(n)}</p>' for n in r.notes]
        if r.rollup:
            most = max(x.members + x.parts for x in r.rollup) or 1
            rows = []
            for i, x in enumerate(r.rollup):
                width = 100 * (x.members + x.parts) / most
                color = PALETTE[i % len(PALETTE)]
                extra = f"{x.bytes:,} bytes in binaries" if x.bytes else ""
                rows.append(
                    f'<tr><td><span class="swatch" style="background:{color}"></span>'
                    f'<a class="id" href="{_e(cause_url(x.id))}">{_e(x.id)}</a></td><td>{_e(x.role)}</td>'
                    f'<td style="width:40%"><div class="bar">'
                    f'<span style="width:{width:.1f}%;background:{color}"></span></div>'
                    f"{_e(x.sentence())}</td>"
                    f'<td class="num">{_e(extra)}</td></tr>'
                )
            head.append(
                "<h2>Causes across the tree</h2><table><thead><tr><th>Cause</th><th>Role</th><th>Where</th>"
                f'<th class="num">Bytes</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            )
        blocks = [Block("\n".join(head), 0, "summary")]
        if not r.identical:
            blocks.append(Block("<h2>Differences</h2>", 0, "heading"))
            for c in r.root.children or [r.root]:
                self._node(c, blocks, 0)
        if r.errors:
            items = "".join(f"<li><code>{_e(p or '.')}</code>: {_e(m)}</li>" for p, m in r.errors)
            blocks.append(Block(f'<h2>Errors</h2><ul class="notes">{items}</ul>', 1, "error list"))
        return blocks

    def _node(self, n: Node, blocks: list[Block], depth: int) -> None:
        """One block per differing node: flat, indented by depth, so a dropped block leaves valid HTML."""
        if n.status == "identical":
            return
        parts = [
            f'<div class="tree"><div class="node" style="margin-left:{1.2 * depth:.1f}em">'
            f'<span class="st {_e(n.status)}">{_e(n.status)}</span><code>{_e(node_title(n))}</code>'
        ]
        if n.error:
            parts.append(f'<p class="notes">error: {_e(n.error)}</p>')
        for c in n.causes:
            role = " (consequence)" if c.role != "root" else ""
            parts.append(
                f'<div><a class="id" href="{_e(cause_url(c.id))}">{_e(c.id)}</a>{_e(role)}: '
                f"{_e(c.summary)}</div>"
            )
        if n.content is not None and n.content.a_excerpt and n.content.b_excerpt:
            c = n.content
            parts.append(
                f'<div class="muted">at byte {c.offset:,}: <code class="a">{_e(repr(c.a_excerpt))}</code> '
                f'<code class="b">{_e(repr(c.b_excerpt))}</code></div>'
            )
        parts += [f'<div class="muted">note: {_e(x)}</div>' for x in n.notes]
        parts.append("</div></div>")
        blocks.append(Block("".join(parts), 1, "member"))
        if n.report is not None and self.inner is not None:
            doc = self.inner.render(n.report)
            m = re.search(r"<body[^>]*>(.*)</body>", doc, re.S)
            body = m.group(1) if m else f"<pre>{_e(doc)}</pre>"
            blocks.append(
                Block(
                    f'<details class="member" style="margin-left:{1.2 * depth + 1.8:.1f}em">'
                    f"<summary>Go binary diff: <code>{_e(node_title(n))}</code></summary>{body}</details>",
                    2,
                    "Go binary report",
                )
            )
        for c in n.children:
            self._node(c, blocks, depth + 1)
