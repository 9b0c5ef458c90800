"""Rule selection on the command line (--select, --ignore, --severity) and per-path ignores in the
policy file (issue 11)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from godet.check.policy import default_policy, load_policy
from godet.check.rules import RULES
from godet.errors import GodetError


def godet(*args: str, cwd: Path) -> dict:  # type: ignore[type-arg]
    """``godet check --format json ARGS`` run in ``cwd``: the report plus ``_rc`` and ``_stderr``."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    r = subprocess.run(
        [sys.executable, "-m", "godet", "check", "--format", "json", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    out = json.loads(r.stdout) if r.stdout.strip() else {}
    out["_rc"], out["_stderr"] = r.returncode, r.stderr
    return out


def fired(report: dict) -> set[str]:  # type: ignore[type-arg]
    return {f["rule"] for r in report["results"] for f in r["findings"]}


def levels(report: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {f["rule"]: f["level"] for r in report["results"] for f in r["findings"]}


# ------------------------------------------------------------------ Policy.with_rules


def test_select_keeps_only_the_named_rules_by_code_or_name() -> None:
    p = default_policy().with_rules(select=["GD101", "dwarf"])
    on = {r.code for r in RULES if p.level_of(r.code, r.level) is not None}
    assert on == {"GD101", "GD304"}


def test_ignore_and_severity_by_code_or_name() -> None:
    p = default_policy().with_rules(ignore=["build-path"], severity=["GD304=error", "symbol-table=off"])
    assert p.level_of("GD101", "error") is None
    assert p.level_of("GD304", "warning") == "error"
    assert p.level_of("GD305", "warning") is None
    assert p.level_of("GD102", "error") == "error"  # untouched


def test_select_turns_back_on_a_rule_the_policy_switched_off(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text('[rules]\nGD101 = "off"\nGD304 = "info"\n')
    p = load_policy(str(f)).with_rules(select=["GD101", "GD304"])
    assert p.level_of("GD101", "error") == "error"
    assert p.level_of("GD304", "warning") == "info"  # the file's level stays


@pytest.mark.parametrize(
    ("kwargs", "option", "needle"),
    [
        ({"select": ["GD999"]}, "--select", 'unknown rule "GD999"'),
        ({"ignore": ["buildpath"]}, "--ignore", 'did you mean "build-path"'),
        ({"severity": ["GD101"]}, "--severity", "RULE=LEVEL"),
        ({"severity": ["GD101=fatal"]}, "--severity", "RULE=LEVEL"),
        ({"severity": ["nope=error"]}, "--severity", 'unknown rule "nope"'),
    ],
)
def test_bad_selection_names_the_option(kwargs: dict, option: str, needle: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(GodetError) as exc:
        default_policy().with_rules(**kwargs)
    assert exc.value.path == option and needle in exc.value.problem


# ------------------------------------------------------------------ per-path-ignores


def test_per_path_ignores_parse_and_match(tmp_path: Path) -> None:
    f = tmp_path / ".godet.toml"
    f.write_text('[per-path-ignores]\n"dist/debug/*" = ["dwarf", "GD305"]\n"*!usr/bin/*" = "GD101"\n')
    p = load_policy(str(f))
    assert p.path_ignores == (("dist/debug/*", ("GD304", "GD305")), ("*!usr/bin/*", ("GD101",)))
    assert p.ignored_at("dist/debug/app") == {"GD304", "GD305"}
    assert p.ignored_at(str(tmp_path / "dist" / "debug" / "app")) == {
        "GD304",
        "GD305",
    }  # relative to the file
    assert p.ignored_at("dist/release/app") == frozenset()
    assert p.ignored_at("image.tar!usr/bin/app") == {"GD101"}
    assert p.to_json()["per_path_ignores"] == {"dist/debug/*": ["GD304", "GD305"], "*!usr/bin/*": ["GD101"]}


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ('per-path-ignores = ["x"]\n', 1, "must be a table"),
        ('\n[per-path-ignores]\n"a/*" = ["GD999"]\n', 3, 'unknown rule "GD999"'),
        ('[per-path-ignores]\n"a/*" = [1]\n', 2, "list of rule codes or names"),
    ],
)
def test_per_path_ignores_mistakes_name_the_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    f = tmp_path / "p.toml"
    f.write_text(text)
    with pytest.raises(GodetError) as exc:
        load_policy(str(f))
    assert exc.value.path == f"{f}:{line}" and needle in exc.value.problem


# ------------------------------------------------------------------ end to end


def test_cli_select_ignore_severity(gobin: Callable[[str], Path], tmp_path: Path) -> None:
    path = str(gobin("default"))
    base = godet(path, cwd=tmp_path)
    assert base["_rc"] == 1 and {"GD101", "GD102", "GD304"} <= fired(base)
    only = godet("--select", "GD304,GD305", path, cwd=tmp_path)
    assert fired(only) == {"GD304", "GD305"} & fired(base) and only["_rc"] == 0  # warnings only
    rest = godet("--ignore", "GD101", "--ignore", "goroot-path", path, cwd=tmp_path)
    assert fired(rest) == fired(base) - {"GD101", "GD102"}
    assert levels(base)["GD304"] == "warning"
    severe = godet("--select", "dwarf", "--severity", "GD304=error", path, cwd=tmp_path)
    assert levels(severe) == {"GD304": "error"} and severe["_rc"] == 1
    bad = godet("--ignore", "GD999", path, cwd=tmp_path)
    assert bad["_rc"] == 2 and bad["_stderr"].startswith('godet: --ignore: unknown rule "GD999"')
    assert bad["_stderr"].count("\n") == 1


def test_cli_per_path_ignores_only_touch_matching_paths(gobin: Callable[[str], Path], tmp_path: Path) -> None:
    (tmp_path / "dist" / "debug").mkdir(parents=True)
    (tmp_path / "dist" / "release").mkdir(parents=True)
    shutil.copy(gobin("default"), tmp_path / "dist" / "debug" / "app")
    shutil.copy(gobin("default"), tmp_path / "dist" / "release" / "app")
    (tmp_path / ".godet.toml").write_text('[per-path-ignores]\n"dist/debug/*" = ["build-path", "GD102"]\n')
    report = godet("dist", cwd=tmp_path)
    by_path = {r["path"]: {f["rule"] for f in r["findings"]} for r in report["results"]}
    debug, release = by_path["dist/debug/app"], by_path["dist/release/app"]
    assert {"GD101", "GD102"} <= release
    assert not {"GD101", "GD102"} & debug
    assert debug == release - {"GD101", "GD102"}
    assert report["_rc"] == 1  # the release binary still fails
