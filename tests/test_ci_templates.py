"""The GitHub Action (action.yml) and the GitLab CI template (ci/godet.gitlab-ci.yml), run locally.

Each file is parsed with PyYAML and its shell steps run with bash as the CI would run them: inputs and
variables substituted, godet installed by the file's own install command from a copy of this
checkout (into a private ``--target`` directory, dependencies taken from the running environment),
then run on real Go binaries built by tests/gobuild.py. The exit codes and the files written are
checked with parsers nobody here wrote (json, junitparser).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from junitparser import JUnitXml

ROOT = Path(__file__).resolve().parent.parent
INPUT_EXPR = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def _checkout(tmp: Path) -> Path:
    """A copy of what a checkout of godet holds that pip needs (the action's own directory)."""
    dest = tmp / "godet"
    dest.mkdir()
    for name in ("pyproject.toml", "README.md", "action.yml"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "src", dest / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return dest


def _install_env(site: Path) -> dict[str, str]:
    """pip installs into ``site`` (no dependencies: the running environment has them); run from there."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GITHUB_ACTIONS")}
    env.update(
        PIP_TARGET=str(site),
        PIP_NO_DEPS="1",
        PIP_NO_INPUT="1",
        NO_COLOR="1",
        PYTHONPATH=str(site),
        PATH=f"{site / 'bin'}:{os.environ['PATH']}",
    )
    return env


def _bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # what GitHub runs for `shell: bash`: bash --noprofile --norc -eo pipefail {0}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _installed(env: dict[str, str], site: Path) -> None:
    assert (site / "godet" / "demodata" / "pair.tar.xz").is_file(), "package data not installed"
    proc = subprocess.run(["godet", "--help"], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "demo" in proc.stdout, proc.stderr
    where = subprocess.run(
        [sys.executable, "-c", "import godet; print(godet.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(site)), where


@pytest.fixture(scope="module")
def binaries(gobin: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """dist/ with one binary with findings, clean/ with a hardened one, and the demo pair."""
    import build_demo

    base = tmp_path_factory.mktemp("bins")
    (base / "dist").mkdir()
    (base / "clean").mkdir()
    shutil.copy2(gobin("default"), base / "dist" / "app")
    shutil.copy2(gobin("hardened"), base / "clean" / "app")
    for name, data in build_demo.unpack(build_demo.SHIPPED.read_bytes()).items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_bytes(data)
    shutil.copy2(base / "laptop/demo", base / "laptop/demo-copy")
    return {"base": base}


# --------------------------------------------------------------------------------------------
# GitHub Action


ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def _condition(cond: str | None, inputs: dict[str, str], failed: bool) -> bool:
    """Evaluate the small subset of GitHub expressions action.yml uses (==, !=, &&, always())."""
    if not cond:
        return not failed
    py = cond.replace("&&", " and ").replace("||", " or ").replace("always()", "True")
    py = re.sub(r"inputs\.([\w-]+)", lambda m: repr(inputs[m.group(1)]), py)
    assert re.fullmatch(r"[\w\s'=!/.()-]*", py), py  # nothing but comparisons of literals
    return bool(eval(py, {"__builtins__": {}})) and ("always()" in cond or not failed)


def _inputs(**given: str) -> dict[str, str]:
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    inputs.update(given)
    return inputs


def _step_env(step: dict[str, Any], inputs: dict[str, str], base: dict[str, str]) -> dict[str, str]:
    env = dict(base)
    for key, value in (step.get("env") or {}).items():
        env[key] = INPUT_EXPR.sub(lambda m: inputs[m.group(1)], str(value))
    assert "${{" not in "".join(env.values())
    return env


@pytest.fixture(scope="module")
def action_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Run the action's install step (its first) against a copy of this checkout."""
    tmp = tmp_path_factory.mktemp("action")
    site = tmp / "site"
    checkout = _checkout(tmp)
    install = ACTION["runs"]["steps"][0]
    assert install["name"] == "Install godet" and "pip install" in install["run"]
    env = _install_env(site) | {"GITHUB_ACTION_PATH": str(checkout)}
    proc = _bash(install["run"], _step_env(install, _inputs(python=sys.executable), env), tmp)
    assert proc.returncode == 0, proc.stderr
    _installed(env, site)
    return env


def run_action(env: dict[str, str], cwd: Path, **given: str) -> list[tuple[str, int | str]]:
    """Run the steps after the install; return (step name, exit code or 'skipped'/'would run')."""
    inputs = _inputs(**given)
    assert ACTION["runs"]["using"] == "composite"
    results: list[tuple[str, int | str]] = []
    failed = False
    for step in ACTION["runs"]["steps"][1:]:
        name = INPUT_EXPR.sub(lambda m: inputs[m.group(1)], step["name"])
        if not _condition(step.get("if"), inputs, failed):
            results.append((name, "skipped"))
        elif "uses" in step:
            assert step["uses"] == "github/codeql-action/upload-sarif@v3"
            assert INPUT_EXPR.sub(lambda m: inputs[m.group(1)], step["with"]["sarif_file"]) == inputs["sarif"]
            results.append((name, "would run"))
        else:
            assert step["shell"] == "bash"
            proc = _bash(step["run"], _step_env(step, inputs, env), cwd)
            results.append((name, proc.returncode))
            results.append(("stdout", proc.stdout))
            failed = failed or proc.returncode != 0
    return results


def _codes(results: list[tuple[str, int | str]]) -> list[tuple[str, int | str]]:
    return [r for r in results if r[0] != "stdout"]


def test_action_check_with_findings_writes_sarif_fails_and_uploads(
    action_env: dict[str, str], binaries: dict[str, Path]
) -> None:
    cwd = binaries["base"]
    results = run_action(action_env, cwd, paths="dist/", sarif="godet.sarif", **{"upload-sarif": "true"})
    assert _codes(results) == [("godet check (SARIF)", 0), ("godet check", 1), ("Upload SARIF", "would run")]
    log = results[3][1]
    assert isinstance(log, str) and "::error " in log and "GD101" in log
    sarif = json.loads((cwd / "godet.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert "GD101" in {r["ruleId"] for r in sarif["runs"][0]["results"]}


def test_action_check_clean_binary_passes(action_env: dict[str, str], binaries: dict[str, Path]) -> None:
    cwd = binaries["base"]
    results = run_action(action_env, cwd, paths="clean/app", format="text", output="check.txt")
    assert _codes(results) == [
        ("godet check (SARIF)", "skipped"),
        ("godet check", 0),
        ("Upload SARIF", "skipped"),
    ]
    assert "0 errors" in (cwd / "check.txt").read_text()


def test_action_diff(action_env: dict[str, str], binaries: dict[str, Path]) -> None:
    cwd = binaries["base"]
    results = run_action(
        action_env, cwd, command="diff", a="laptop/demo", b="ci/demo", format="markdown", output="diff.md"
    )
    assert _codes(results) == [
        ("godet check (SARIF)", "skipped"),
        ("godet diff", 1),
        ("Upload SARIF", "skipped"),
    ]
    assert "build-path" in (cwd / "diff.md").read_text()
    same = run_action(action_env, cwd, command="diff", a="laptop/demo", b="laptop/demo-copy")
    assert _codes(same)[1] == ("godet diff", 0)
    bad = run_action(action_env, cwd, command="diff", a="laptop/demo")
    assert _codes(bad)[1] == ("godet diff", 2)
    wrong = run_action(action_env, cwd, command="inspect")
    assert _codes(wrong)[1] == ("godet inspect", 2)


# --------------------------------------------------------------------------------------------
# GitLab CI template


GITLAB = yaml.safe_load((ROOT / "ci" / "godet.gitlab-ci.yml").read_text())


def _job(name: str) -> dict[str, Any]:
    """A job with its `extends` resolved (GitLab merges hashes deeply, later keys win)."""
    job = GITLAB[name]
    if "extends" not in job:
        return dict(job)
    parent = _job(job["extends"])
    merged = {**parent, **{k: v for k, v in job.items() if k != "extends"}}
    merged["variables"] = {**parent.get("variables", {}), **job.get("variables", {})}
    return merged


@pytest.fixture(scope="module")
def gitlab_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Run the template's before_script (the install) with GODET_SOURCE at a copy of this checkout."""
    tmp = tmp_path_factory.mktemp("gitlab")
    site = tmp / "site"
    checkout = _checkout(tmp)
    job = _job(".godet")
    env = _install_env(site) | {k: str(v) for k, v in job["variables"].items()}
    env["GODET_SOURCE"] = str(checkout)
    # the image's `python` is the Python godet installs into
    (tmp / "bin").mkdir()
    (tmp / "bin" / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (tmp / "bin" / "python").chmod(0o755)
    env["PATH"] = f"{tmp / 'bin'}:{env['PATH']}"
    proc = _bash("\n".join(job["before_script"]), env, tmp)
    assert proc.returncode == 0, proc.stderr
    _installed(env, site)
    return env


def run_job(env: dict[str, str], cwd: Path, name: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run a job's script lines in one shell that stops at the first failing line, as the runner does."""
    job = _job(name)
    assert set(variables) <= set(job["variables"]), variables
    env = env | {k: str(v) for k, v in job["variables"].items()} | variables
    return _bash("\n".join(job["script"]), env, cwd)


def test_gitlab_check_writes_junit_then_fails_on_findings(
    gitlab_env: dict[str, str], binaries: dict[str, Path]
) -> None:
    cwd = binaries["base"]
    proc = run_job(gitlab_env, cwd, ".godet-check", GODET_PATHS="dist/")
    assert proc.returncode == 1, proc.stderr
    assert "GD101" in proc.stdout
    report = JUnitXml.fromfile(str(cwd / "godet-junit.xml"))
    assert report.failures + report.errors > 0
    assert GITLAB[".godet-check"]["artifacts"]["reports"]["junit"] == "godet-junit.xml"
    missing = run_job(gitlab_env, cwd, ".godet-check", GODET_PATHS="no-such-dir/")
    assert missing.returncode == 2, missing.stderr  # an error stops the job at the first line
    assert "no-such-dir" in missing.stderr and "GD101" not in missing.stdout


def test_gitlab_check_clean_passes(gitlab_env: dict[str, str], binaries: dict[str, Path]) -> None:
    cwd = binaries["base"]
    proc = run_job(gitlab_env, cwd, ".godet-check", GODET_PATHS="clean/")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = JUnitXml.fromfile(str(cwd / "godet-junit.xml"))
    assert report.failures == 0 and report.errors == 0


def test_gitlab_diff(gitlab_env: dict[str, str], binaries: dict[str, Path]) -> None:
    cwd = binaries["base"]
    proc = run_job(gitlab_env, cwd, ".godet-diff", GODET_A="laptop/demo", GODET_B="ci/demo")
    assert proc.returncode == 1, proc.stderr
    assert "build-path" in proc.stdout and "build-path" in (cwd / "godet-diff.md").read_text()
    same = run_job(gitlab_env, cwd, ".godet-diff", GODET_A="laptop/demo", GODET_B="laptop/demo-copy")
    assert same.returncode == 0, same.stderr


def test_docs_examples_use_the_real_inputs_and_templates() -> None:
    """docs/ci.md's examples parse, name only inputs of action.yml and extend templates that exist."""
    text = (ROOT / "docs" / "ci.md").read_text()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "godet" in b]
    uses = [
        step
        for b in blocks
        if isinstance(b, dict) and "jobs" in b
        for job in b["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("godet-dev/godet@")
    ]
    assert uses, "docs/ci.md shows the action"
    for step in uses:
        assert set(step["with"]) <= set(ACTION["inputs"])
    jobs = [job for b in blocks if isinstance(b, dict) for job in b.values() if isinstance(job, dict)]
    extended = [job for job in jobs if "extends" in job]
    assert {job["extends"] for job in extended} == {".godet-check", ".godet-diff"}
    for job in extended:
        assert set(job.get("variables", {})) <= set(_job(job["extends"])["variables"])
    assert "pip install godet" not in text  # installs from a checkout, as the README does
