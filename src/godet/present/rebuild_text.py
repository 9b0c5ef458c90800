"""``godet rebuild`` (default format): the verdict, each variation tried, the suggestion and its check."""

from __future__ import annotations

import shlex
from typing import Any

from godet.present import safe
from godet.present.diff_text import BAD, DIM, GOOD, ID, WARN, abbreviate, nbytes, percent
from godet.present.safe import Console, Text
from godet.rebuild.report import PairResult, RebuildReport, RootCause

MAX_VALUE = 60


def command_line(flags: tuple[str, ...], env: tuple[tuple[str, str], ...], package: str) -> str:
    """The suggested build command, shell-quoted."""
    pre = " ".join(f"{k}={shlex.quote(v)}" for k, v in env)
    return " ".join(x for x in (pre, "go build", *(shlex.quote(f) for f in flags), package) if x)


def root_line(r: RootCause) -> str:
    """``build-path · Build directory differs (100%)  A: … B: …``."""
    key = f" {r.key}" if r.key else ""
    text = f"{r.id}{key} · {r.title} ({percent(r.share)})"
    if r.a is not None or r.b is not None:
        a = abbreviate(r.a or "absent", MAX_VALUE)
        b = abbreviate(r.b or "absent", MAX_VALUE)
        text += f"  A: {a}  B: {b}"
    return text


def pair_status(p: PairResult) -> tuple[str, str]:
    """A short status word and its style."""
    if p.skipped:
        return "skipped", DIM
    if p.identical:
        return "same", GOOD
    if p.changes_output:
        return "DIFFERS", BAD
    return "differs as the control", WARN


class RebuildText:
    """Plain or coloured text for a terminal or a log."""

    def __init__(self, color: bool = False, **_: Any) -> None:
        self.color = color

    def render(self, report: RebuildReport) -> str:
        con = safe.console(self.color)
        head = Text("godet rebuild: ", style="bold")
        if report.reproducible:
            head.append("REPRODUCIBLE", style=GOOD)
            head.append(" under every variation tried")
        else:
            names = ", ".join(p.variation for p in report.changing) or "none"
            head.append("NOT REPRODUCIBLE", style=BAD)
            head.append(f": the output changes with {names}")
        con.print(head)
        how = f"script {report.script}" if report.script else command_line(report.flags, (), report.package)
        con.print(Text(f"  {report.module}  ({report.go_version}; {how})", style=DIM))
        con.print()
        con.print(Text("Variations", style="bold"))
        for p in [report.control, *report.pairs]:
            if p is not None:
                self._pair(con, p)
        self._suggestion(con, report)
        self._verification(con, report)
        con.print()
        con.print(
            Text(
                f"{report.builds} builds in {report.seconds:.1f} s, up to {report.jobs} at a time"
                + (f"; binaries kept in {report.kept}" if report.kept else ""),
                style=DIM,
            )
        )
        for note in report.notes:
            con.print(Text(f"note: {note}", style=DIM))
        return con.output()

    def _pair(self, con: Console, p: PairResult) -> None:
        word, style = pair_status(p)
        line = Text(f"  {p.variation:<12} ", style=ID)
        line.append(f"{word:<8}", style=style)
        line.append(f" {p.what}")
        if not p.skipped:
            line.append(f"  [{p.seconds:.1f} s]", style=DIM)
        con.print(line)
        if p.skipped:
            con.print(Text(f"               skipped: {p.skipped}", style=DIM))
            return
        if p.identical:
            return
        con.print(Text(f"               {nbytes(p.differing_bytes)} differ", style=DIM))
        shown = p.roots if p.variation == "control" or not p.changes_output else p.new
        for r in shown:
            con.print(Text(f"               {root_line(r)}"))
        if not p.roots:
            con.print(Text("               no cause named: run godet diff on the kept binaries (--keep)"))

    def _suggestion(self, con: Console, report: RebuildReport) -> None:
        s = report.suggestion
        if report.reproducible:
            return
        con.print()
        con.print(Text("Suggestion", style="bold"))
        if s.applicable:
            flags = (*report.flags, *s.flags)
            con.print(Text(f"  {command_line(flags, s.env, report.package)}"))
        else:
            con.print(Text("  no go flag or setting removes these causes; see below"))
        for cause, tip in s.advice:
            con.print(Text(f"  {cause}: {tip}"))

    def _verification(self, con: Console, report: RebuildReport) -> None:
        v = report.verification
        if v is None:
            return
        con.print()
        if v.passed:
            con.print(Text("Verified: reproducible under all variations with the suggestion", style=GOOD))
            return
        con.print(Text("Verification: still differs with the suggestion", style=BAD))
        for p in v.pairs:
            if not p.skipped and not p.identical:
                self._pair(con, p)
