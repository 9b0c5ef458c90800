"""One option vocabulary on every command (issue 11): --format, -o, -q, --color, --exit-zero,
every kind of source, full one-line summaries, --version, and text that follows the width."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from godet.cli import main

ANSI = "\x1b["
COMMANDS = ("inspect", "diff", "check", "rebuild")


def _godet(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "godet", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**base, **(env or {})},
        cwd=cwd,
    )


def test_every_command_has_the_shared_options() -> None:
    for name in COMMANDS:
        opts = {o for p in main.commands[name].params for o in getattr(p, "opts", [])}
        assert {"--format", "-o", "--output", "-q", "--quiet", "--color"} <= opts, name
        assert ("--exit-zero" in opts) == (name != "inspect"), name  # exit 1 means findings there only


def test_command_list_shows_full_summaries() -> None:
    r = _godet("--help")
    assert r.returncode == 0
    listed = r.stdout.split("Commands:")[1]
    assert "..." not in listed and "(exit" not in listed
    for name in (*COMMANDS, "explain"):
        assert re.search(rf"^\s+{name}\s+\S", listed, re.M), name


@pytest.mark.parametrize("name", ["inspect", "diff", "check"])
def test_help_names_every_source_kind(name: str) -> None:
    r = _godet(name, "--help", env={"COLUMNS": "200"})
    text = " ".join(r.stdout.split())
    for kind in ("directory", "tar", "zip", ".deb", ".rpm", "OCI image", "docker save"):
        assert kind in text, (name, kind)


def test_version_names_the_libraries_that_decide_results() -> None:
    from importlib import metadata

    r = _godet("--version")
    assert r.returncode == 0
    line = r.stdout.strip()
    assert line.startswith("godet 0.")
    assert f"capstone {metadata.version('capstone')}" in line
    assert f"numpy {metadata.version('numpy')}" in line
    assert f"python {sys.version.split()[0]}" in line


def test_inspect_format_json_and_the_json_alias_agree(gobin) -> None:  # type: ignore[no-untyped-def]
    path = str(gobin("default"))
    a = _godet("inspect", "--format", "json", path)
    b = _godet("inspect", "--json", path)
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    assert json.loads(a.stdout) == json.loads(b.stdout)
    assert json.loads(a.stdout)[0]["path"] == path


def test_inspect_walks_a_directory_like_go_version_m(gobin, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(gobin("default"), tmp_path / "app")
    (tmp_path / "sub").mkdir()
    shutil.copy(gobin("trimpath"), tmp_path / "sub" / "tool")
    (tmp_path / "README").write_text("not a binary\n")
    r = _godet("inspect", "--format", "json", str(tmp_path))
    assert r.returncode == 0, r.stderr
    paths = sorted(o["path"] for o in json.loads(r.stdout))
    assert paths == [f"{tmp_path}!app", f"{tmp_path}!sub/tool"]


def test_quiet_prints_nothing_but_keeps_exit_code_and_errors(gopair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("dirs")
    r = _godet("diff", "-q", str(a), str(b))
    assert (r.returncode, r.stdout) == (1, "")
    r = _godet("check", "-q", str(a), cwd=tmp_path)
    assert (r.returncode, r.stdout) == (1, "")
    missing = str(tmp_path / "gone")
    r = _godet("inspect", "-q", str(a), missing)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.strip() == f"godet: {missing}: no such file"
    out = tmp_path / "report.json"
    r = _godet("check", "-q", "--format", "json", "-o", str(out), str(a), cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == "" and json.loads(out.read_text())["failed"] is True


def test_exit_zero_turns_findings_into_zero_but_not_errors(gopair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("dirs")
    assert _godet("diff", "--exit-zero", str(a), str(b)).returncode == 0
    assert _godet("check", "--exit-zero", str(a), cwd=tmp_path).returncode == 0
    assert _godet("check", str(a), cwd=tmp_path).returncode == 1
    r = _godet("check", "--exit-zero", str(tmp_path / "gone"), cwd=tmp_path)
    assert r.returncode == 2


def test_color_modes_and_environment(gopair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("dirs")

    def colored(*opts: str, **env: str) -> bool:
        r = _godet("diff", *opts, str(a), str(b), env=env)
        assert r.returncode == 1, r.stderr
        return ANSI in r.stdout

    assert not colored()  # piped: auto means plain
    assert colored("--color", "always")
    assert colored("--color", "always", NO_COLOR="1")  # an explicit choice wins
    assert not colored("--color", "never", FORCE_COLOR="1")
    assert colored(FORCE_COLOR="1")
    assert colored(CLICOLOR_FORCE="1")
    assert not colored(FORCE_COLOR="0")
    assert not colored(NO_COLOR="1", FORCE_COLOR="1")


def test_bad_option_values_are_usage_errors(gobin, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = _godet("inspect", "--format", "html", str(gobin("default")))
    assert r.returncode == 2 and "html" in r.stderr
    r = _godet("diff", "--color", "sometimes", "a", "b")
    assert r.returncode == 2 and "sometimes" in r.stderr


# ------------------------------------------------------------------ the width of text output

NUMBER = re.compile(r"(?<![\w.,/:-])\d{1,3}(?:,\d{3})+(?![\w,])|\d+(?:\.\d+)?%")


def _numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


@pytest.mark.parametrize("columns", [60, 120])
def test_diff_text_follows_columns_without_splitting_numbers(gopair, columns: int) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("dirs")
    wide = _godet("diff", str(a), str(b), env={"COLUMNS": "400"}).stdout
    r = _godet("diff", str(a), str(b), env={"COLUMNS": str(columns)})
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    too_long = [ln for ln in lines if len(ln) > columns and " " in ln.strip()]
    assert not too_long, too_long
    # every number with thousands separators and every percentage reads the same as on a wide terminal
    assert _numbers(r.stdout) == _numbers(wide)
    assert _numbers(wide)  # the check is not vacuous
    for x, y in itertools.pairwise(lines):
        assert not (re.search(r"\d,?$", x) and re.match(r"\s*[\d,]+\d\b", y) and x.strip()), (x, y)


def test_diff_text_is_100_columns_when_piped_and_60_at_least(gopair) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("dirs")
    piped = _godet("diff", str(a), str(b)).stdout
    narrow = _godet("diff", str(a), str(b), env={"COLUMNS": "20"}).stdout
    assert max(len(ln) for ln in piped.splitlines()) == 100  # amounts are right-aligned at the width
    assert max(len(ln) for ln in narrow.splitlines() if " " in ln.strip()) <= 60
    assert narrow == _godet("diff", str(a), str(b), env={"COLUMNS": "60"}).stdout


@pytest.mark.parametrize("columns", [60, 120])
def test_check_text_follows_columns(gobin, tmp_path: Path, columns: int) -> None:  # type: ignore[no-untyped-def]
    path = str(gobin("default"))
    r = _godet("check", path, env={"COLUMNS": str(columns)}, cwd=tmp_path)
    wide = _godet("check", path, env={"COLUMNS": "1000"}, cwd=tmp_path)
    assert r.returncode == 1
    words = [w for ln in r.stdout.splitlines() for w in ln.split()]
    assert words == [w for ln in wide.stdout.splitlines() for w in ln.split()]  # only the line breaks moved
    long = [ln for ln in r.stdout.splitlines() if len(ln) > columns and len(ln.split()) > 1]
    # a line may overflow only by a word that is itself too long (a path, a URL)
    for ln in long:
        assert len(ln.split()[-1]) > columns // 3 or len(ln.split()[0]) > columns // 3, ln


def test_inspect_reads_archives_and_writes_output(gobin, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import tarfile

    archive = tmp_path / "release.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(gobin("default"), arcname="usr/bin/app")
        tar.add(gobin("trimpath"), arcname="usr/bin/tool")
    out = tmp_path / "facts.json"
    r = _godet("inspect", "--format", "json", "-o", str(out), str(archive))
    assert r.returncode == 0 and r.stdout == "", r.stderr
    paths = sorted(o["path"] for o in json.loads(out.read_text()))
    assert paths == [f"{archive}!usr/bin/app", f"{archive}!usr/bin/tool"]
    text = _godet("inspect", str(archive))
    assert f"{archive}!usr/bin/app" in text.stdout and "Go version" in text.stdout
