"""``godet rebuild --format markdown``: the verdict, a table of variations, the suggestion."""

from __future__ import annotations

from typing import Any

from godet.present.diff_markdown import md_code, md_escape
from godet.present.diff_text import percent
from godet.present.rebuild_text import command_line, pair_status
from godet.rebuild.report import PairResult, RebuildReport


def _causes(p: PairResult) -> str:
    if p.skipped:
        return md_escape(p.skipped)
    shown = p.roots if p.variation == "control" or not p.changes_output else p.new
    return "<br>".join(
        f"`{r.id}`" + (f" {md_code(r.key)}" if r.key else "") + f" {percent(r.share)}" for r in shown
    )


def _table(pairs: list[PairResult]) -> list[str]:
    rows = ["| variation | result | root causes | seconds |", "|---|---|---|---:|"]
    for p in pairs:
        word, _ = pair_status(p)
        secs = "" if p.skipped else f"{p.seconds:.1f}"
        rows.append(f"| `{p.variation}` | {word} | {_causes(p)} | {secs} |")
    return rows


class RebuildMarkdown:
    """GitHub-flavoured Markdown (``color`` is ignored)."""

    def __init__(self, color: bool = False, **_: Any) -> None:
        del color

    def render(self, report: RebuildReport) -> str:
        mark = "✅" if report.reproducible else "❌"
        out = [f"### {mark} godet rebuild: {md_escape(report.verdict)}", ""]
        out.append(
            f"{md_code(report.module, table=False)} with {md_escape(report.go_version)}, "
            f"{report.builds} builds in {report.seconds:.1f} s."
        )
        out.append("")
        pairs = [p for p in [report.control, *report.pairs] if p is not None]
        out += _table(pairs)
        s = report.suggestion
        if not report.reproducible:
            out += ["", "**Suggestion**", ""]
            if s.applicable:
                out.append(f"```sh\n{command_line((*report.flags, *s.flags), s.env, report.package)}\n```")
            for cause, tip in s.advice:
                out.append(f"- `{cause}`: {md_escape(tip)}")
        v = report.verification
        if v is not None:
            out.append("")
            if v.passed:
                out.append("**Verified**: reproducible under all variations with the suggestion.")
            else:
                out += ["**Verification failed**: still differs with the suggestion.", ""]
                out += _table([p for p in v.pairs if not p.identical and not p.skipped])
        return "\n".join(out) + "\n"
