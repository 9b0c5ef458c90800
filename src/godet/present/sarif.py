"""``godet check --format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

One run; ``tool.driver.rules`` lists every enabled rule with its help text and a help URI to its
docs page; one result per finding, located at the binary (``region.startLine`` 1, which GitHub
requires), with a ``partialFingerprints`` entry so that alerts stay stable across uploads.
Unreadable inputs become ``toolExecutionNotifications`` of the invocation.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from godet.check.engine import CheckReport, RuleInfo
from godet.check.rules import Finding
from godet.links import PROJECT_URL
from godet.present import safe

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "godet/v1"
_BYTES = "surrogateescape"  # a file name's bytes that are not UTF-8 are percent-encoded (or hashed) as bytes


def _version() -> str:
    try:
        return metadata.version("godet")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


def artifact_location(path: str) -> dict[str, Any]:
    """A relative path stays relative to the checkout (``%SRCROOT%``); an absolute one becomes a file URI."""
    windows = (len(path) > 1 and path[1] == ":") or "\\" in path
    p: PurePath = PureWindowsPath(path) if windows else PurePosixPath(path)
    if p.is_absolute():
        if isinstance(p, PureWindowsPath):
            return {"uri": "file:///" + quote(p.as_posix(), errors=_BYTES)}
        return {"uri": "file://" + quote(p.as_posix(), errors=_BYTES)}
    rel = p.as_posix()
    rel = rel[2:] if rel.startswith("./") else rel
    return {"uri": quote(rel, errors=_BYTES), "uriBaseId": "%SRCROOT%"}


def _rule(ri: RuleInfo) -> dict[str, Any]:
    r = ri.rule
    text = f"{r.what}\n\nWhy it matters: {r.why}\n\nFix: {r.fix}"
    markdown = (
        f"**{r.title}** (`{r.code}` {r.name})\n\n{r.what}\n\n**Why it breaks reproducibility.** {r.why}\n\n"
        f'**How to fix.** {r.fix}\n\n**Switch it off:** `{r.code} = "off"` in the `[rules]` table of '
        f"`.godet.toml` (or `[tool.godet.rules]` in pyproject.toml).\n\n[Documentation]({r.help_uri})"
    )
    return {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.what},
        "help": {"text": text, "markdown": markdown},
        "helpUri": r.help_uri,
        "defaultConfiguration": {"level": LEVELS[ri.level]},
        "properties": {"tags": ["reproducibility", r.cause], "cause": r.cause, "precision": "high"},
    }


def fingerprint(f: Finding, label: str) -> str:
    """A stable identity for a finding across runs: rule, binary and what it is about (not the message)."""
    about = f.evidence.get("variable") or f.evidence.get("key") or ""
    return hashlib.sha256(f"{f.rule}\0{label}\0{about}".encode("utf-8", _BYTES)).hexdigest()


def _location(path: str, label: str, f: Finding | None = None) -> dict[str, Any]:
    loc: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": artifact_location(path), "region": {"startLine": 1}},
    }
    if f is not None and f.where:
        loc["message"] = {"text": "found in " + ", ".join(f.where)}
    if label != path:
        loc["logicalLocations"] = [{"name": label, "kind": "module"}]
    return loc


class CheckSARIF:
    """SARIF 2.1.0 JSON (validated against the OASIS schema in the tests)."""

    def __init__(self, **_: Any) -> None:
        pass

    def render(self, report: CheckReport) -> str:
        index = {ri.rule.code: i for i, ri in enumerate(report.rules)}
        results = []
        for r in report.results:
            for f in r.findings:
                result: dict[str, Any] = {
                    "ruleId": f.rule,
                    "level": LEVELS[f.level],
                    "message": {"text": f"{r.label}: {f.message}"},
                    "locations": [_location(r.path, r.label, f)],
                    "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f, r.label)},
                    "properties": {
                        "evidence": f.evidence,
                        "where": list(f.where),
                        "go_version": r.go_version,
                    },
                }
                if f.rule in index:
                    result["ruleIndex"] = index[f.rule]
                results.append(result)
        invocation: dict[str, Any] = {
            "executionSuccessful": not report.errors,
            "exitCode": report.exit_code(),
        }
        if report.errors:
            invocation["toolExecutionNotifications"] = [
                {
                    "level": "error",
                    "message": {"text": f"{e.path}: {e.problem}"},
                    "locations": [_location(e.path, e.path)],
                }
                for e in report.errors
            ]
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "godet",
                    "version": _version(),
                    "informationUri": PROJECT_URL,
                    "rules": [_rule(ri) for ri in report.rules],
                }
            },
            "invocations": [invocation],
            "results": results,
            "properties": {
                "fail_on": report.fail_on,
                "checked": len(report.results),
                "skipped": dict(report.skipped),
                "policy": report.policy.source,
            },
        }
        log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
        return safe.sarif_safe(log)
