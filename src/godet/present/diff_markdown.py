"""``godet diff --format markdown``: a report that fits a pull-request comment.

A summary line, the two files, a table of causes with their share of the differing bytes,
then one ``<details>`` block per cause (summary, evidence A/B, where, fix) and one for the
unexplained residual. Values are shown as code spans; every text is escaped for GitHub Markdown.
"""

from __future__ import annotations

from typing import Any

from godet.explain.detectors.base import Evidence, Finding
from godet.explain.docs import cause_url
from godet.explain.report import DiffReport, Residual
from godet.present import safe
from godet.present.budget import MARKDOWN_LIMIT, Block, fit
from godet.present.diff_text import (
    abbreviate,
    cause_name,
    consequence_bytes,
    headline,
    nbytes,
    percent,
    residual_where,
)
from godet.read.formats import display_name

MAX_VALUE = 200  # characters of an evidence value in a details block
MAX_RESIDUAL_ROWS = 25
MAX_DISASSEMBLY = 20
MAX_SECTION_ROWS = 40


def md_escape(text: str) -> str:
    """Text shown literally in Markdown prose or a table cell (see :func:`godet.present.safe.md_text`)."""
    return safe.md_text(text)


def md_code(value: str | None, limit: int = MAX_VALUE, table: bool = True) -> str:
    """A value as inline code (safe in a table cell); None reads as *absent*."""
    if value is None:
        return "*absent*"
    if value == "":
        return "*empty*"
    return safe.md_code(abbreviate(value, limit), table=table)


class DiffMarkdown:
    """GitHub-flavoured Markdown for a PR comment (``color`` is ignored), at most ``max_report_size``
    characters (65,536 by default; None for no limit): the least important blocks are left out first
    (see :mod:`godet.present.budget`)."""

    def __init__(self, color: bool = False, max_report_size: int | None = MARKDOWN_LIMIT, **_: Any) -> None:
        del color
        self.max_report_size = max_report_size

    def render(self, report: DiffReport) -> str:
        return fit(self.blocks(report), self.max_report_size, left_out_line).rstrip("\n") + "\n"

    def blocks(self, report: DiffReport) -> list[Block]:
        """The report in blocks: verdict, files and cause table (0), roots (1), notes (1),
        consequences (2), the residual (3), the sections (4), notes (1)."""
        out: list[str] = []
        word, text = headline(report)
        out.append(f"### godet diff: {word.lower()}")
        out.append("")
        if report.identical:
            out.append(f"**Identical**: {md_escape(text)} (sha256 {md_code(report.a.sha256, table=False)}).")
        elif not report.related:
            out.append(
                f"**Not the same program**: {md_escape(text)}; godet does not explain their "
                "differences byte by byte."
            )
        else:
            out.append(f"**Different**: {md_escape(text)}.")
        out.append("")
        out += self._files(report)
        if report.causes:
            out += self._table(report)
        blocks = [Block(_join(out), 0, "summary")]
        for f in report.causes:
            root = f.role != "consequence"
            blocks.append(
                Block(_join(self._details(f)), 1 if root else 2, "root cause" if root else "consequence")
            )
        residual = self._residual(report)
        if residual:
            blocks.append(Block(_join(residual), 3, "unexplained-bytes table"))
        sections = self._sections(report)
        if sections:
            blocks.append(Block(_join(sections), 4, "section table"))
        if report.notes:
            notes = ["**Notes**", ""] + [f"- {md_escape(n)}" for n in report.notes] + [""]
            blocks.append(Block(_join(notes), 1, "note list"))
        return blocks

    def _files(self, report: DiffReport) -> list[str]:
        rows = ["| | File | Size | Target | Go | sha256 |", "|---|---|---:|---|---|---|"]
        for name, s in (("A", report.a), ("B", report.b)):
            target = " ".join(x for x in (display_name(s.format), s.arch) if x)
            rows.append(
                f"| {name} | {md_code(s.path)} | {s.size:,} | {md_escape(target)} | "
                f"{md_code(s.go_version)} | {md_code(s.sha256[:16])} |"
            )
        return [*rows, ""]

    def _table(self, report: DiffReport) -> list[str]:
        rows = ["| # | Cause | Role | Bytes | Share |", "|---:|---|---|---:|---:|"]
        n = 0
        for f in report.causes:
            if f.role == "root":
                n += 1
                num, role = str(n), "root cause"
            else:
                num = ""
                role = f"consequence of {md_code(f.because)}" if f.because else "consequence"
            cause = f"[{md_code(cause_name(f))}]({cause_url(f.cause)}) {md_escape(f.title)}"
            rows.append(f"| {num} | {cause} | {role} | {f.bytes:,} | {percent(f.share)} |")
        if any(consequence_bytes(f) for f in report.causes):
            rows += ["", "A root cause's bytes include those of its consequences."]
        return [*rows, ""]

    def _details(self, f: Finding) -> list[str]:
        role = "" if f.role == "root" else (f", because of {f.because}" if f.because else ", a consequence")
        # The <summary> line is raw HTML to GitHub (no Markdown inside): escape it as HTML.
        out = [
            "<details>",
            f"<summary><code>{safe.html(cause_name(f))}</code> {safe.html(f.title)}{safe.html(role)} "
            f"({safe.html(percent(f.share))})</summary>",
            "",
            md_escape(f.summary),
            "",
        ]
        out += self._evidence(f.evidence)
        if f.regions:
            where = ", ".join(f"{md_code(r['section'], table=False)} {r['bytes']:,}" for r in f.regions[:10])
            if len(f.regions) > 10:
                where += f", and {len(f.regions) - 10} more sections"
            own = f.direct_bytes if consequence_bytes(f) else f.bytes
            out += [f"**Where** ({nbytes(own)}): {where}", ""]
        if f.places:
            out += ["**In**: " + ", ".join(md_escape(p) for p in f.places), ""]
        if f.fix:
            out += [f"**Fix**: {md_escape(f.fix)}", ""]
        out += [f"[About `{f.cause}`]({cause_url(f.cause)})", "", "</details>", ""]
        return out

    def _evidence(self, items: list[Evidence]) -> list[str]:
        if not items:
            return []
        rows = ["| Evidence | A | B |", "|---|---|---|"]
        rows += [f"| {md_escape(e.label)} | {md_code(e.a)} | {md_code(e.b)} |" for e in items]
        return [*rows, ""]

    def _residual(self, report: DiffReport) -> list[str]:
        if report.identical or not report.related:
            return []
        if not report.unexplained:
            return ["Every differing byte is explained.", ""]
        n = len(report.unexplained)
        share = safe.html(percent(report.unexplained_bytes, report.differing_bytes))
        out = [
            "<details>",
            f"<summary>Unexplained: {nbytes(report.unexplained_bytes)} ({share}) in {n} place{'s' * (n != 1)}"
            "</summary>",
            "",
            "| Where | Bytes | A (offset +size) | B (offset +size) |",
            "|---|---:|---|---|",
        ]
        for r in report.unexplained[:MAX_RESIDUAL_ROWS]:
            where = md_escape(residual_where(r))
            out.append(f"| {where} | {r.bytes:,} | {_range(r.a_range)} | {_range(r.b_range)} |")
        rest = report.unexplained[MAX_RESIDUAL_ROWS:]
        if rest:
            out.append(f"| {len(rest)} more places | {sum(r.bytes for r in rest):,} | | |")
        out.append("")
        for r in report.unexplained[:MAX_RESIDUAL_ROWS]:
            out += self._disassembly(r)
        out += ["</details>", ""]
        return out

    def _disassembly(self, r: Residual) -> list[str]:
        if not r.disassembly and not r.note:
            return []
        out = [f"**{md_escape(residual_where(r))}**", ""]
        if r.note:
            out += [md_escape(r.note), ""]
        if r.disassembly:
            width = max(len(x or "") for x, _ in r.disassembly[:MAX_DISASSEMBLY])
            width = min(width, 60)
            lines = [
                f"{abbreviate(x or '', 60):<{width}} | {abbreviate(y or '', 60)}"
                for x, y in r.disassembly[:MAX_DISASSEMBLY]
            ]
            if len(r.disassembly) > MAX_DISASSEMBLY:
                lines.append(f"... and {len(r.disassembly) - MAX_DISASSEMBLY} more instruction pairs")
            fence = "````" if any("```" in ln for ln in lines) else "```"
            out += [fence + "text", f"{'A':<{width}} | B", *lines, fence, ""]
        return out

    def _sections(self, report: DiffReport) -> list[str]:
        if not report.sections:
            return []
        out = [
            "<details>",
            f"<summary>Sections that differ ({len(report.sections)})</summary>",
            "",
            "| Section | A size | B size | Differing bytes | How |",
            "|---|---:|---:|---:|---|",
        ]
        for s in report.sections[:MAX_SECTION_ROWS]:
            out.append(
                f"| {md_code(s.name)} | {_size(s.a_size)} | {_size(s.b_size)} | {s.differing:,} | "
                f"{md_escape(s.how)} |"
            )
        if len(report.sections) > MAX_SECTION_ROWS:
            out.append(f"| {len(report.sections) - MAX_SECTION_ROWS} more | | | | |")
        return [*out, "", "</details>", ""]


def _join(lines: list[str]) -> str:
    return "\n".join(lines).rstrip("\n") + "\n"


def left_out_line(what: str, limit: int) -> str:
    """The last line of a cut Markdown report: what was left out, and where to find it."""
    return (
        f"\n*Left out to stay under {limit:,} characters: {safe.md_text(what)}; "
        "`godet diff --format json` has the full report.*"
    )


def _range(r: tuple[int, int] | None) -> str:
    return "" if r is None else f"`{r[0]:#x}` +{r[1] - r[0]:,}"


def _size(n: int | None) -> str:
    return "" if n is None else f"{n:,}"
