"""HTML rendering of a report tree: one self-contained page with collapsible nodes."""

from __future__ import annotations

import re
from typing import Any

from godet.explain.docs import cause_url
from godet.explain.tree import Node, TreeReport
from godet.present import safe
from godet.present.tree_text import node_title, status_line

STYLE = (
    "body{font:14px system-ui,sans-serif;margin:2em}details{margin-left:1.2em}"
    ".different>summary{color:#b00}.only-a>summary,.only-b>summary{color:#a60}"
    ".cause{margin:.2em 0 .2em 1.2em}code{background:#f4f4f4}"
)


class TreeHTML:
    def __init__(self, inner: Any = None) -> None:
        self.inner = inner

    def render(self, r: TreeReport) -> str:
        e = safe.html
        body = [
            f"<h1>godet diff: {'IDENTICAL' if r.identical else 'DIFFERENT'}</h1>",
            f"<p>A: <code>{e(r.a)}</code> ({e(r.a_kind)})<br>B: <code>{e(r.b)}</code> ({e(r.b_kind)})</p>",
            f"<p>{e(status_line(r))}</p>",
        ]
        if r.rollup:
            body.append(
                "<ul>"
                + "".join(
                    f"<li><a href='{e(cause_url(x.id))}'>{e(x.id)}</a> ({e(x.role)}): {e(x.sentence())}</li>"
                    for x in r.rollup
                )
                + "</ul>"
            )
        for c in r.root.children or [r.root]:
            body.append(self._node(c))
        if r.errors:
            body.append(
                "<h2>Errors</h2><ul>" + "".join(f"<li>{e(p)}: {e(m)}</li>" for p, m in r.errors) + "</ul>"
            )
        return (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>godet diff</title><style>{STYLE}"
            "</style></head><body>" + "".join(body) + "</body></html>\n"
        )

    def _node(self, n: Node) -> str:
        if n.status == "identical":
            return ""
        e = safe.html
        parts = [
            f"<details class='{n.status}' open><summary>{e(n.status)} · <code>{e(node_title(n))}</code>"
            "</summary>"
        ]
        for c in n.causes:
            parts.append(
                f"<div class='cause'><a href='{e(cause_url(c.id))}'>{e(c.id)}</a>"
                f"{' (consequence)' if c.role != 'root' else ''}: {e(c.summary)}</div>"
            )
        if n.report is not None and self.inner is not None:
            doc = self.inner.render(n.report)
            m = re.search(r"<body[^>]*>(.*)</body>", doc, re.S)
            parts.append(m.group(1) if m else f"<pre>{e(doc)}</pre>")
        parts += [self._node(c) for c in n.children]
        parts.append("</details>")
        return "".join(parts)
