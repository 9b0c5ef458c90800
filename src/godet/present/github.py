"""``godet check --format github``: GitHub Actions workflow commands (annotations), one per finding.

``::error file=PATH,title=GD101 build-path::message`` lines show up on the run's summary page and,
when PATH is a file of the repository, on the pull request. Levels map error → error,
warning → warning, info → notice. A closing plain line summarises the run.
"""

from __future__ import annotations

from typing import Any

from godet.check.engine import CheckReport
from godet.present import safe

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


escape_data = safe.gh_data  # a message: %, CR, LF encoded (after safe.text)
escape_property = safe.gh_property  # a property value: also : and ,


def annotation(level: str, message: str, file: str | None = None, title: str | None = None) -> str:
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = COMMANDS.get(level, "notice") + (" " + ",".join(props) if props else "")
    return f"::{head}::{escape_data(message)}"


class CheckGitHub:
    """Workflow-command annotations plus one summary line."""

    def __init__(self, **_: Any) -> None:
        pass

    def render(self, report: CheckReport) -> str:
        rules = {ri.rule.code: ri.rule for ri in report.rules}
        lines = []
        for r in report.results:
            for f in r.findings:
                rule = rules.get(f.rule)
                fix = f" Fix: {rule.fix} ({rule.help_uri})" if rule is not None else ""
                message = f"{r.label}: {f.message}.{fix}"
                lines.append(annotation(f.level, message, r.path, f"{f.rule} {f.name}"))
        for e in report.errors:
            lines.append(annotation("error", f"{e.path}: {e.problem}", e.path, "godet: cannot check"))
        c = report.counts()
        skipped = sum(report.skipped.values())
        verdict = "failed" if report.failed or report.errors else "passed"
        lines.append(
            safe.text(
                f"godet check {verdict}: {c['error']} error(s), {c['warning']} warning(s), {c['info']} info "
                f"in {report.checked()} ({skipped} files skipped); fail on {report.fail_on}"
            )
        )
        return "\n".join(lines) + "\n"
