"""``godet check``: findings per binary, most severe first, then how to fix each rule that fired.

Colour only on a terminal; plain text when piped or with NO_COLOR.
"""

from __future__ import annotations

import textwrap
from typing import Any

from godet.check.engine import CheckReport
from godet.present import safe
from godet.present.safe import Console, Text

STYLES = {"error": "bold red", "warning": "bold yellow", "info": "cyan"}
OK = "green"
DIM = "dim"
WIDTH, MIN_WIDTH = 100, 60  # default columns (piped output) and the narrowest the layout supports


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


class CheckText:
    """Plain or coloured text for people reading a CI log or a terminal."""

    def __init__(self, color: bool = False, width: int = WIDTH, **_: Any) -> None:
        self.color = color
        self.width = max(MIN_WIDTH, width)

    def _hanging(self, con: Console, head: Text, body: str, indent: int | None = None) -> None:
        """``head`` then ``body`` wrapped at the width (never inside a word or number); later lines
        are indented to ``indent`` (default: under the body's start)."""
        pad = head.cell_len if indent is None else indent
        room = max(20, self.width - head.cell_len)
        lines = textwrap.wrap(body, room, break_on_hyphens=False, break_long_words=False) or [""]
        head.append(lines[0])
        con.print(head)
        rest = textwrap.wrap(
            " ".join(lines[1:]), max(20, self.width - pad), break_on_hyphens=False, break_long_words=False
        )
        for ln in rest:
            con.print(Text(" " * pad + ln))

    def render(self, report: CheckReport) -> str:
        con = safe.console(self.color)
        for i, r in enumerate(report.results):
            if i:
                con.print()
            self._result(con, report, r)
        self._unreadable(con, report)
        self._fixes(con, report)
        self._summary(con, report)
        return con.output()

    def _result(self, con: Console, report: CheckReport, r: Any) -> None:
        head = Text(r.label, style="bold underline")
        details = ", ".join(x for x in (r.go_version, r.target) if x)
        if details:
            head.append(f"  ({details})", style=DIM)
        con.print(head)
        if not r.findings:
            con.print(Text("  ok: no findings", style=OK))
        width = max((len(f.name) for f in r.findings), default=0)
        for f in r.findings:
            line = Text("  ")
            mark = "✗" if report.failing(f) else "·"
            line.append(f"{mark} {f.level:<7}", style=STYLES.get(f.level, ""))
            line.append(f" {f.rule} {f.name:<{width}}  ", style="bold")
            self._hanging(con, line, f.message, indent=min(line.cell_len, 12))
        for note in r.notes:
            con.print(Text(f"  note: {note}", style=DIM))

    def _unreadable(self, con: Console, report: CheckReport) -> None:
        """The inputs that could not be checked, with why (they are also on stderr, one line each)."""
        if not report.errors:
            return
        if report.results:
            con.print()
        con.print(Text("Could not be checked", style=STYLES["error"]))
        for e in report.errors:
            con.print(Text(f"  {e.path}: {e.problem}"))

    def _fixes(self, con: Console, report: CheckReport) -> None:
        fired = {f.rule for r in report.results for f in r.findings}
        infos = [ri for ri in report.rules if ri.rule.code in fired and ri.level != "info"]
        if not infos:
            return
        con.print()
        con.print(Text("How to fix", style="bold"))
        for ri in infos:
            rule = ri.rule
            line = Text(f"  {rule.code} {rule.name}: ", style=STYLES.get(ri.level, ""))
            self._hanging(con, line, rule.fix, indent=4)
            con.print(Text(f"    {rule.help_uri}", style=DIM))

    def _summary(self, con: Console, report: CheckReport) -> None:
        counts = report.counts()
        parts = [
            _plural(counts["error"], "error"),
            _plural(counts["warning"], "warning"),
            f"{counts['info']} info",
        ]
        line = Text()
        if report.results or report.errors or report.skipped:
            con.print()
        if report.results or not report.errors:
            line.append(f"{', '.join(parts)} in {report.checked()}")
        else:  # the only problem is an unreadable input: say that, not "0 errors in 0 binaries"
            line.append("nothing checked")
        skipped = sum(report.skipped.values())
        if skipped:
            why = ", ".join(f"{n} {reason}" for reason, n in report.skipped.items())
            line.append(f"; {_plural(skipped, 'file')} skipped ({why})")
        if report.errors:
            failed = _plural(len(report.errors), "input")
            line.append(f"; {failed} could not be checked", style=STYLES["error"])
        if line.cell_len > self.width:
            self._hanging(con, Text(), line.plain, indent=2)  # plain: the counts wrap at word boundaries
        else:
            con.print(line)
        policy = report.policy.source or "default policy"
        if report.fail_on == "never":
            verdict, style = "not failing (fail-on never)", DIM
        elif report.errors:
            failed = _plural(len(report.errors), "input")
            verdict, style = f"ERROR ({failed} could not be checked)", STYLES["error"]
        elif report.failed:
            verdict, style = f"FAILED (findings at or above {report.fail_on})", STYLES["error"]
        else:
            verdict, style = f"passed (nothing at or above {report.fail_on})", OK
        out = Text(verdict, style=style)
        tail = f"[policy: {policy}]"
        if out.cell_len + 2 + len(tail) <= self.width:
            out.append("  " + tail, style=DIM)
            con.print(out)
        else:
            con.print(out)
            con.print(Text(tail, style=DIM))
