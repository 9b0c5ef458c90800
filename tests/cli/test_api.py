"""The Python API (issue 11): each function called twice, exactly the policy given, render()."""

from __future__ import annotations

import inspect as pyinspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import godet
from godet.check.engine import CheckReport
from godet.check.policy import Policy, default_policy
from godet.explain.report import DiffReport


def test_functions_survive_their_subpackages_being_imported(gobin, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = str(gobin("default"))
    code = (
        "import godet\n"
        f"a = godet.check([{path!r}]); b = godet.check([{path!r}])\n"
        "import godet.check.engine, godet.check.policy\n"
        f"c = godet.check([{path!r}])\n"
        "from godet import check, diff, inspect\n"
        "from godet.check.policy import Policy\n"
        "print(callable(godet.check), check is godet.check, a.exit_code(), b.exit_code(), c.exit_code())\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["True", "True", "1", "1", "1"]


def test_each_function_twice(gopair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    a, b = (str(p) for p in gopair("dirs"))
    for _ in range(2):
        facts = godet.inspect(a)
        assert [f.path for f in facts] == [a]
        report = godet.diff(a, b)
        assert isinstance(report, DiffReport) and not report.identical
        assert "build-path" in {f.cause for f in report.causes}
        checked = godet.check([a])
        assert isinstance(checked, CheckReport) and checked.exit_code() == 1
        assert json.loads(godet.render(checked, "json"))["exit_code"] == 1
        assert godet.render(report).startswith("godet diff: DIFFERENT")
        assert json.loads(godet.render(facts, "json"))[0]["path"] == a


def test_check_ignores_a_policy_file_in_the_working_directory(
    gobin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    path = str(gobin("default"))
    (tmp_path / ".godet.toml").write_text('fail-on = "never"\n[rules]\nGD101 = "off"\n')
    monkeypatch.chdir(tmp_path)
    report = godet.check([path])
    assert report.exit_code() == 1 and report.policy.source is None
    assert "GD101" in {f.rule for r in report.results for f in r.findings}
    # the file is used when it is given, as a path or as a Policy
    given = godet.check([path], str(tmp_path / ".godet.toml"))
    assert given.exit_code() == 0 and given.policy.fail_on == "never"
    strict = godet.check([path], default_policy().with_fail_on("never"))
    assert strict.exit_code() == 0 and isinstance(strict.policy, Policy)


def test_render_rejects_a_format_the_report_has_not() -> None:
    report = CheckReport()
    with pytest.raises(ValueError, match="html"):
        godet.render(report, "html")
    with pytest.raises(TypeError):
        godet.render(object())


@pytest.mark.parametrize("name", godet.__all__)
def test_docstrings_name_every_parameter(name: str) -> None:
    fn = getattr(godet, name)
    doc = pyinspect.getdoc(fn) or ""
    for param in pyinspect.signature(fn).parameters:
        assert f"``{param}``" in doc, (name, param)


def test_module_docstring_lists_the_api() -> None:
    doc = godet.__doc__ or ""
    for name in godet.__all__:
        assert f"godet.{name}(" in doc
    assert os.path.basename(godet.__file__ or "") == "__init__.py"
