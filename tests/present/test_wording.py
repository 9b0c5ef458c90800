"""Issue 11's wording: plurals, "(empty)" values, GD301's whole sentence, a check of unreadable files only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import build_demo
from godet import api
from godet.check.rules import _plural
from godet.cli import main
from godet.explain.detectors.base import Evidence
from godet.present.base import renderer
from godet.present.diff_text import shown
from godet.present.tree_text import _value

TESTDATA = Path(__file__).resolve().parents[2] / "testdata"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The demo pair (real Go 1.27.3 builds, rebuilt byte for byte by tests/test_demo.py)."""
    base = tmp_path_factory.mktemp("pair")
    for name, data in build_demo.unpack(build_demo.SHIPPED.read_bytes()).items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_bytes(data)
    return str(base / "laptop/demo"), str(base / "ci/demo")


def test_empty_and_absent_values() -> None:
    assert shown("") == "(empty)" and _value("") == "(empty)"
    assert shown(None) == "(absent)" and _value(None) == "(absent)"
    assert shown("-O2") == "-O2" and _value("-O2") == "-O2"


def test_empty_evidence_reads_empty_in_the_diff_text(pair: tuple[str, str]) -> None:
    report = api.diff(*pair)
    root = report.roots[0]
    root.evidence.insert(0, Evidence("CGO_CFLAGS", "", "-O2"))
    out = renderer("diff", "text").render(report)
    assert re.search(r"CGO_CFLAGS +A: \(empty\) +B: -O2", out), out


def test_plural_of_one_file(pair: tuple[str, str]) -> None:
    # the oracle: testdata/demo holds exactly one Go file, so one path differs
    assert len(list((TESTDATA / "demo").glob("*.go"))) == 1
    out = renderer("diff", "text").render(api.diff(*pair))
    assert "example (1 file)" in out and "(1 files)" not in out


def test_plurals_in_check_messages() -> None:
    assert _plural(1, "section") == "1 section" and _plural(8, "section") == "8 sections"
    assert _plural(1, "defined symbol") == "1 defined symbol"
    assert _plural(2522, "defined symbol") == "2,522 defined symbols"


def test_gd301_message_is_a_whole_sentence(pair: tuple[str, str]) -> None:
    report = api.check([pair[0]])
    (gd301,) = [f for r in report.results for f in r.findings if f.rule == "GD301"]
    assert not gd301.message.endswith("changes with any")
    assert gd301.message.endswith("(source, flags, dependencies, toolchain, build directory)")


def test_check_of_only_unreadable_files_says_so(tmp_path: Path, pair: tuple[str, str]) -> None:
    junk = tmp_path / "junk"
    junk.write_bytes(b"\x00not an executable\n" * 4)
    result = CliRunner().invoke(main, ["check", str(junk)])
    assert result.exit_code == 2
    out = result.stdout
    assert "0 binaries" not in out and "0 errors" not in out
    assert "Could not be checked" in out and f"{junk}: not an executable" in out
    assert "nothing checked; 1 input could not be checked" in out
    assert out.rstrip().splitlines()[-1].startswith("ERROR (1 input could not be checked)")
    both = CliRunner().invoke(main, ["check", str(junk), pair[0]])
    assert both.exit_code == 2
    assert "in 1 binary; 1 input could not be checked" in both.stdout
    assert "Could not be checked" in both.stdout
