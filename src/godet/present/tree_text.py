"""Text rendering of a report tree: the summary, the causes rolled up, then the differing nodes."""

from __future__ import annotations

import textwrap
from typing import Any

from godet.explain.tree import Node, NodeCause, TreeReport
from godet.present import safe

MARK = {"different": "✗", "only-a": "-", "only-b": "+", "error": "!", "identical": "="}
MAX_CAUSE_EVIDENCE = 4


def status_line(r: TreeReport) -> str:
    c, la = r.counts(), r.layer_counts()
    line = (
        f"members: {c['identical']:,} identical, {c['different']:,} different, {c['only-a']:,} only in A, "
        f"{c['only-b']:,} only in B"
    )
    if c["error"]:
        line += f", {c['error']:,} unreadable"
    if sum(la.values()):
        line += f" · layers: {la['identical']} identical, {la['different']} different"
        if la["only-a"] or la["only-b"]:
            line += f", {la['only-a']} only in A, {la['only-b']} only in B"
    return line


def node_title(n: Node) -> str:
    what = {"binary": "Go binary" if n.report is not None else "executable", "archive": "archive"}.get(
        n.kind, ""
    )
    label = n.path or n.name
    if n.status in ("only-a", "only-b"):
        return f"only in {'A' if n.status == 'only-a' else 'B'}: {label}" + (f"  ({what})" if what else "")
    return label + (f"  ({what})" if what else "")


def _value(value: str | None) -> str:
    """An evidence value: ``(absent)`` for None, ``(empty)`` for an empty string."""
    if value is None:
        return "(absent)"
    return value or "(empty)"


class _Rendered(str):
    """Text another renderer already made safe (a binary's report): not escaped again."""


class TreeText:
    """Plain text (the binary reports inside are rendered by the single-pair text renderer); every
    line of ours goes through :func:`godet.present.safe.text` (member names and evidence are the
    builder's strings)."""

    def __init__(self, inner: Any = None, heading: str = "") -> None:
        self.inner = inner

    def render(self, r: TreeReport) -> str:
        out = [
            f"godet diff: {'IDENTICAL' if r.identical else 'DIFFERENT'}",
            f"  A  {r.a}  ({r.a_kind})",
            f"  B  {r.b}  ({r.b_kind})",
            "",
            "  " + status_line(r),
        ]
        out += [f"  note: {n}" for n in r.notes]
        roots = [x for x in r.rollup if x.role == "root"]
        cons = [x for x in r.rollup if x.role != "root"]
        if roots or cons:
            out += ["", f"Causes across the tree ({len(roots)})"]
            for x in roots:
                extra = f" · {x.bytes:,} bytes in binaries" if x.bytes else ""
                out.append(f"  {x.sentence()}{extra}")
            if cons:
                out.append("  consequences: " + "; ".join(x.sentence() for x in cons))
        if not r.identical:
            out += ["", "Differences"]
            for child in r.root.children if r.root.children else [r.root]:
                self._node(child, out, 1)
            if r.root.children:
                for c in r.root.causes:
                    self._cause(c, out, 2)
                out += [f"    note: {x}" for x in r.root.notes]
        if r.errors:
            out += ["", "Errors"] + [f"  {p or '.'}: {e}" for p, e in r.errors]
        return "\n".join(x if isinstance(x, _Rendered) else safe.text(x) for x in out) + "\n"

    def _node(self, n: Node, out: list[str], depth: int) -> None:
        if n.status == "identical":
            return
        pad = "  " * depth
        out.append(f"{pad}{MARK[n.status]} {node_title(n)}")
        if n.error:
            out.append(f"{pad}    error: {n.error}")
        for c in n.causes:
            self._cause(c, out, depth + 2)
        if n.content is not None and n.content.a_excerpt and n.content.b_excerpt:
            c = n.content
            out.append(f"{pad}    at byte {c.offset:,}  A: {c.a_excerpt!r}  B: {c.b_excerpt!r}")
        for note in n.notes:
            out.append(f"{pad}    note: {note}")
        if n.report is not None and self.inner is not None:
            body = self.inner.render(n.report)
            out.append(_Rendered(textwrap.indent(body.rstrip("\n"), pad + "    ")))
        for c in n.children:
            self._node(c, out, depth + 1)

    def _cause(self, c: NodeCause, out: list[str], depth: int) -> None:
        pad = "  " * depth
        role = f" (consequence{', because of ' + c.because if c.because else ''})" if c.role != "root" else ""
        out.append(f"{pad}{c.id}{role} · {c.summary}")
        for e in c.evidence[:MAX_CAUSE_EVIDENCE]:
            if e.a is None and e.b is None:
                continue
            out.append(f"{pad}  {e.label}  A: {_value(e.a)}   B: {_value(e.b)}")
        if len(c.evidence) > MAX_CAUSE_EVIDENCE:
            out.append(f"{pad}  … and {len(c.evidence) - MAX_CAUSE_EVIDENCE} more")
        if c.role == "root":
            out.append(f"{pad}  fix  {c.fix}")
