"""The check output formats: SARIF validated against the OASIS 2.1.0 schema, JUnit read by junitparser,
GitHub workflow commands, JSON and text."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, TestSuite

from godet.check.engine import CheckReport, run_check
from godet.check.policy import Policy
from godet.present.base import formats, renderer
from godet.present.github import escape_data, escape_property
from godet.present.sarif import artifact_location

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
POLICY = Policy(local_identities=())


@pytest.fixture(scope="module")
def report(gobin: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> CheckReport:
    """Three Go binaries (one clean), a Mach-O, and one input that is not an executable (an error)."""
    text = tmp_path_factory.mktemp("inputs") / "notes.txt"
    text.write_text("not a binary\n")
    paths = [gobin("default"), gobin("hardened"), gobin("vcs_dirty"), gobin("darwin_arm64"), text]
    return run_check([str(p) for p in paths], POLICY)


def render(report: CheckReport, fmt: str) -> str:
    return renderer("check", fmt, color=False).render(report)


def test_every_format_is_registered() -> None:
    assert formats("check") == ["text", "json", "sarif", "junit", "github"]


# --------------------------------------------------------------------------------------------
# SARIF


def test_sarif_validates_against_the_schema(report: CheckReport) -> None:
    schema = json.loads(SCHEMA.read_text())
    log = json.loads(render(report, "sarif"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(log), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_sarif_content_for_github_code_scanning(report: CheckReport) -> None:
    log = json.loads(render(report, "sarif"))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [ri.rule.code for ri in report.rules]
    for r in rules:
        assert r["helpUri"].startswith("https://") and r["helpUri"].endswith(f"/{r['id']}.md")
        assert r["help"]["text"] and r["help"]["markdown"] and r["shortDescription"]["text"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
    n_findings = sum(len(r.findings) for r in report.results)
    assert len(run["results"]) == n_findings > 0
    ids = {r["id"] for r in rules}
    prints = set()
    for res in run["results"]:
        assert res["ruleId"] in ids and rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["region"]["startLine"] >= 1 and loc["artifactLocation"]["uri"]
        prints.add(res["partialFingerprints"]["godet/v1"])
    assert len(prints) == n_findings  # one identity per finding
    levels = {res["ruleId"]: res["level"] for res in run["results"]}
    assert levels["GD101"] == "error" and levels["GD304"] == "warning" and levels["GD301"] == "note"
    (inv,) = run["invocations"]
    assert inv["executionSuccessful"] is False and inv["exitCode"] == 2
    assert "notes.txt" in inv["toolExecutionNotifications"][0]["message"]["text"]


def test_sarif_artifact_locations() -> None:
    assert artifact_location("dist/app") == {"uri": "dist/app", "uriBaseId": "%SRCROOT%"}
    assert artifact_location("./dist/my app") == {"uri": "dist/my%20app", "uriBaseId": "%SRCROOT%"}
    assert artifact_location("/abs/app") == {"uri": "file:///abs/app"}
    assert artifact_location("C:\\out\\app.exe") == {"uri": "file:///C%3A/out/app.exe"}


# --------------------------------------------------------------------------------------------
# JUnit


def _suites(xml: str) -> list[TestSuite]:
    doc = JUnitXml.fromstring(xml)
    return list(doc) if isinstance(doc, JUnitXml) else [doc]


def test_junit_parses_one_case_per_binary_and_rule(report: CheckReport) -> None:
    suites = _suites(render(report, "junit"))
    by_name = {s.name: s for s in suites}
    assert len(suites) == len(report.results) + len(report.errors)
    for res in report.results:
        suite = by_name[res.label]
        cases = list(suite)
        assert len(cases) == len(report.rules) == suite.tests
        failing_rules = {f.rule for f in res.findings if report.failing(f)}
        failed = {c.name.split()[0] for c in cases if any(isinstance(r, Failure) for r in c.result)}
        assert failed == failing_rules
        assert suite.failures == len(failing_rules)
        # findings below the fail level pass, with their text in system-out
        for c in cases:
            code = c.name.split()[0]
            below = [f for f in res.findings if f.rule == code and not report.failing(f)]
            if below and code not in failing_rules:
                assert c.is_passed and below[0].message in (c.system_out or "")
    hardened = next(r for r in report.results if not any(f.level != "info" for f in r.findings))
    assert by_name[hardened.label].failures == 0
    (err_suite,) = [s for s in suites if s.name.endswith("notes.txt")]
    (case,) = list(err_suite)
    assert isinstance(case.result[0], Error)


# --------------------------------------------------------------------------------------------
# GitHub workflow commands


_COMMAND = re.compile(r"^::(error|warning|notice) file=([^,:]+),title=([^:]+)::(.+)$")


def test_github_annotations(report: CheckReport) -> None:
    lines = render(report, "github").splitlines()
    commands = [ln for ln in lines if ln.startswith("::")]
    n = sum(len(r.findings) for r in report.results) + len(report.errors)
    assert len(commands) == n
    for ln in commands:
        assert _COMMAND.match(ln), ln
    first = next(r for r in report.results if r.findings)
    f = first.findings[0]
    expected_level = {"error": "error", "warning": "warning", "info": "notice"}[f.level]
    head = f"::{expected_level} file={first.path},title={f.rule} {f.name}::"
    assert any(ln.startswith(head) for ln in commands)
    assert lines[-1].startswith("godet check failed:")


def test_github_escaping() -> None:
    assert escape_data("50%\nnext\r") == "50%25%0Anext%0D"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


# --------------------------------------------------------------------------------------------
# JSON and text


def test_json_report(report: CheckReport) -> None:
    data = json.loads(render(report, "json"))
    assert data["schema_version"] == 1
    assert data["exit_code"] == 2 and data["failed"] is True
    assert data["counts"] == report.counts()
    assert [r["path"] for r in data["results"]] == [r.path for r in report.results]
    assert data["errors"][0]["path"].endswith("notes.txt")
    assert {r["code"] for r in data["rules"]} == {ri.rule.code for ri in report.rules}
    f = data["results"][0]["findings"][0]
    assert set(f) == {"rule", "name", "level", "message", "evidence", "where"}


def test_text_report(report: CheckReport) -> None:
    out = render(report, "text")
    assert "\x1b[" not in out  # no colour when not asked
    for r in report.results:
        assert r.label in out
    assert "ok: no findings" in out
    assert "GD101 build-path" in out and "How to fix" in out
    assert out.rstrip().splitlines()[-1].startswith("ERROR")
    coloured = renderer("check", "text", color=True).render(report)
    assert "\x1b[" in coloured
