"""Policy files: discovery, parsing, and errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from godet.check.policy import ANY, Policy, find_policy_file, load_policy
from godet.errors import GodetError


def write(p: Path, text: str) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def error_of(policy_file: str | None = None, start: Path | None = None) -> GodetError:
    with pytest.raises(GodetError) as exc:
        load_policy(policy_file, start=start)
    return exc.value


def test_default_policy(tmp_path: Path) -> None:
    p = load_policy(None, start=tmp_path)
    assert p.source is None and p.fail_on == "error" and p.levels == {} and not p.require and not p.forbid


def test_godet_toml_found_upward(tmp_path: Path) -> None:
    f = write(tmp_path / ".godet.toml", 'fail-on = "warning"\n[rules]\nGD301 = "off"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    p = load_policy(None, start=sub)
    assert p.source == str(f.resolve())
    assert p.fail_on == "warning" and p.levels == {"GD301": "off"}


def test_pyproject_tool_godet(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.godet]\nfail-on = "info"\n'
          '[tool.godet.rules]\ndwarf = "info"\n')
    p = load_policy(None, start=tmp_path)
    assert p.fail_on == "info" and p.levels == {"GD304": "info"}


def test_godet_toml_wins_and_plain_pyproject_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.godet]\nfail-on = "info"\n')
    inner = tmp_path / "inner"
    write(inner / "pyproject.toml", '[project]\nname = "no-godet-here"\n')
    assert load_policy(None, start=inner).fail_on == "info"  # the inner pyproject has no [tool.godet]
    write(inner / ".godet.toml", 'fail-on = "warning"\n')
    write(inner / "pyproject.toml", '[tool.godet]\nfail-on = "never"\n')
    found = find_policy_file(inner)
    assert found is not None and found[0].name == ".godet.toml"
    assert load_policy(None, start=inner).fail_on == "warning"


def test_explicit_policy_file(tmp_path: Path) -> None:
    write(tmp_path / ".godet.toml", 'fail-on = "info"\n')  # ignored: --policy wins
    f = write(tmp_path / "ci" / "strict.toml", 'fail-on = "warning"\n')
    assert load_policy(str(f), start=tmp_path).fail_on == "warning"
    pp = write(tmp_path / "other" / "pyproject.toml", '[tool.godet.rules]\nGD101 = "warning"\n')
    assert load_policy(str(pp)).levels == {"GD101": "warning"}


def test_rules_require_forbid(tmp_path: Path) -> None:
    f = write(tmp_path / "p.toml", """
x-allow = ["main.date"]
[rules]
gd101 = "warning"
symbol-table = false
GD304 = "off"
[require]
"-trimpath" = true
CGO_ENABLED = 0
"-buildmode" = ["exe", "pie"]
GOAMD64 = "*"
[forbid]
"-race" = "*"
"-buildmode" = "plugin"
""")
    p = load_policy(str(f))
    assert p.levels == {"GD101": "warning", "GD305": "off", "GD304": "off"}
    assert p.require == {"-trimpath": ("true",), "CGO_ENABLED": ("0",), "-buildmode": ("exe", "pie"),
                         "GOAMD64": (ANY,)}
    assert p.forbid == {"-race": (ANY,), "-buildmode": ("plugin",)}
    assert p.x_allow == ("main.date",)
    assert p.level_of("GD101", "error") == "warning" and p.level_of("GD304", "warning") is None
    assert p.level_of("GD201", "warning") == "warning"


def test_forbid_as_list(tmp_path: Path) -> None:
    f = write(tmp_path / "p.toml", 'forbid = ["-race", "GOEXPERIMENT"]\n')
    assert load_policy(str(f)).forbid == {"-race": (ANY,), "GOEXPERIMENT": (ANY,)}


def test_with_fail_on() -> None:
    p = Policy()
    assert p.with_fail_on("warning").fail_on == "warning"
    assert p.with_fail_on("never").fails("error") is False
    assert p.with_fail_on("warning").fails("error") and not p.with_fail_on("warning").fails("info")
    with pytest.raises(ValueError):
        p.with_fail_on("fatal")


# --------------------------------------------------------------------------------------------
# errors name the file and the line


@pytest.mark.parametrize(("text", "line", "problem"), [
    ('fail-on = "error"\n\n[rules]\nGD101 = "off"\nGD999 = "off"\n', 5, 'unknown rule "GD999"'),
    ('[rules]\nbuild-path = "fatal"\n', 2, "rule GD101: level must be one of error, warning, info, off"),
    ('fail-on = "error"\nfali-on = "warning"\n', 2, 'unknown key "fali-on" (did you mean "fail-on"?)'),
    ('\n\nfail-on = "sometimes"\n', 3, "fail-on must be one of error, warning, info, never"),
    ('rules = { GD101 = "off", nope = "off" }\n', 1, 'unknown rule "nope"'),
    ('[require]\nCGO_ENABLED = "0"\n"-buildmode" = { a = 1 }\n', 3, 'require "-buildmode"'),
    ('x-allow = "main.date"\n', 1, "x-allow must be a list"),
    ('[rules]\nGD101 = "off"\nGD101 "warning"\n', 3, "invalid TOML: Expected '=' after a key"),
])
def test_policy_errors_name_the_line(tmp_path: Path, text: str, line: int, problem: str) -> None:
    f = write(tmp_path / "policy.toml", text)
    e = error_of(str(f))
    assert e.path == f"{f}:{line}"
    assert e.problem.startswith(problem), e.problem


def test_pyproject_error_line(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.godet.rules]\nGD301 = "off"\n'
          'GD998 = "info"\n')
    e = error_of(None, start=tmp_path)
    assert e.path == f"{(tmp_path / 'pyproject.toml').resolve()}:6"
    assert e.problem == 'unknown rule "GD998"'


def test_missing_and_unusable_policy_files(tmp_path: Path) -> None:
    assert error_of(str(tmp_path / "nope.toml")).problem == "no such policy file"
    pp = write(tmp_path / "x" / "pyproject.toml", '[project]\nname = "x"\n')
    assert error_of(str(pp)).problem == "has no [tool.godet] table"
    assert error_of(str(tmp_path)).problem == "policy is not a file"
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'fail-on = "\xe9"\n')
    assert error_of(str(bad)).problem == "policy file is not UTF-8 text"
