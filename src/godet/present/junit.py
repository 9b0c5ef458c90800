"""``godet check --format junit``: JUnit XML, one test suite per binary and one test case per rule.

A rule's test case fails when it found something at or above the fail level; findings below it
pass, with their text in ``system-out``. An input that could not be checked is a test case with
an ``error``. Readable by Jenkins, GitLab (``artifacts:reports:junit``) and junitparser.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from godet.check.engine import CheckReport
from godet.present import safe

SUITES_NAME = "godet check"


def _text(findings: list[Any]) -> str:
    return "\n".join(
        f"[{f.level}] {f.message}" + (f" (in {', '.join(f.where)})" if f.where else "") for f in findings
    )


class CheckJUnit:
    """JUnit XML (the common Jenkins/GitLab dialect: testsuites > testsuite > testcase)."""

    def __init__(self, **_: Any) -> None:
        pass

    def render(self, report: CheckReport) -> str:
        root = ET.Element("testsuites", name=SUITES_NAME)
        total = failures = errors = 0
        for r in report.results:
            suite = ET.SubElement(root, "testsuite", name=r.label)
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="go_version", value=r.go_version or "")
            ET.SubElement(props, "property", name="target", value=r.target)
            ET.SubElement(props, "property", name="fail_on", value=report.fail_on)
            n_fail = 0
            for ri in report.rules:
                rule = ri.rule
                case = ET.SubElement(suite, "testcase", classname=r.label, name=f"{rule.code} {rule.name}")
                found = [f for f in r.findings if f.rule == rule.code]
                failing = [f for f in found if report.failing(f)]
                if failing:
                    n_fail += 1
                    worst = failing[0]
                    fail = ET.SubElement(case, "failure", message=worst.message, type=worst.level)
                    fail.text = _text(found) + f"\n\nFix: {rule.fix}\nDocs: {rule.help_uri}"
                elif found:
                    out = ET.SubElement(case, "system-out")
                    out.text = _text(found)
            suite.set("tests", str(len(report.rules)))
            suite.set("failures", str(n_fail))
            suite.set("errors", "0")
            suite.set("skipped", "0")
            total += len(report.rules)
            failures += n_fail
        for e in report.errors:
            suite = ET.SubElement(
                root, "testsuite", name=e.path, tests="1", failures="0", errors="1", skipped="0"
            )
            case = ET.SubElement(suite, "testcase", classname=e.path, name="open")
            err = ET.SubElement(case, "error", message=e.problem, type=type(e).__name__)
            err.text = f"{e.path}: {e.problem}"
            total += 1
            errors += 1
        root.set("tests", str(total))
        root.set("failures", str(failures))
        root.set("errors", str(errors))
        return safe.xml_document(root)
