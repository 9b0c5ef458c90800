"""A Go program whose buildinfo blob was removed after the link (``objcopy --remove-section
.go.buildinfo``, as some release scripts do): godet reads the runtime's copies of the Go version
and modinfo, and a diff against the intact build names the removal as the one root cause.

Oracles: ``go version -m`` refuses the edited file (the blob really is gone) and prints, for the
intact build, exactly what godet recovers from the edited one; ``objcopy`` does the editing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import gobuild
import oracles
from godet.explain.engine import diff_paths
from godet.read.binary import open_binaries

SCHEMAS = Path(__file__).resolve().parents[2] / "src" / "godet" / "schemas"
# with and without symbols, with a replaced dependency, a GOEXPERIMENT suffix, an older release
NAMES = ["default", "stripped", "replace_dep", "goexperiment", "go1.21"]

pytestmark = pytest.mark.skipif(shutil.which("objcopy") is None, reason="objcopy (binutils) is not installed")


def _removed(src: Path, dst: Path) -> Path:
    subprocess.run(["objcopy", "--remove-section", ".go.buildinfo", str(src), str(dst)], check=True)
    refused = subprocess.run(
        [str(gobuild.toolchain().go), "version", "-m", str(dst)], capture_output=True, text=True
    )
    assert refused.returncode != 0 and "go1" not in refused.stdout  # the oracle cannot read it now
    return dst


@pytest.mark.parametrize("name", NAMES)
def test_the_runtime_copies_say_what_go_version_m_said(name, gobin, tmp_path):
    intact = gobin(name)
    edited = _removed(intact, tmp_path / "edited")
    with open_binaries(str(edited)) as bins:
        bi = bins[0].buildinfo
        assert bi is not None and bi.format == "runtime"
        assert any("runtime's copies" in n for n in bins[0].notes)
        assert bi.to_go_json() == oracles.go_version_m_json(intact)
        data = edited.read_bytes()
        assert data[bi.version_range[0] : sum(bi.version_range)].decode() == bi.go_version


def test_inspect_json_says_where_the_facts_come_from(gobin, tmp_path):
    intact = gobin("replace_dep")
    edited = _removed(intact, tmp_path / "edited")
    out = subprocess.run(
        [sys.executable, "-m", "godet", "inspect", "--format", "json", str(edited)],
        capture_output=True,
        text=True,
        check=True,
    )
    doc = json.loads(out.stdout)
    jsonschema.validate(doc, json.loads((SCHEMAS / "inspect.schema.json").read_text()))
    (facts,) = doc  # one binary: a list of one
    assert facts["buildinfo_location"]["format"] == "runtime"
    assert facts["buildinfo"] == oracles.go_version_m_json(intact)


@pytest.mark.parametrize("name", ["default", "stripped"])
def test_diff_names_the_removal_and_nothing_else(name, gobin, tmp_path):
    intact = gobin(name)
    edited = _removed(intact, tmp_path / "edited")
    rep = diff_paths(str(intact), str(edited))
    assert [f.cause for f in rep.roots] == ["buildinfo-removed"]
    assert rep.unexplained_bytes == 0 and rep.differing_bytes > 0
    (root,) = rep.roots
    assert root.evidence[0].a.startswith("inline format at") and root.evidence[0].b.startswith("absent")
    # the other direction names the other build
    back = diff_paths(str(edited), str(intact))
    assert [f.cause for f in back.roots] == ["buildinfo-removed"] and back.unexplained_bytes == 0


def test_a_removed_blob_beside_another_version_keeps_both_roots(gopair, tmp_path):
    """The -X pair (main.version differs): removing B's blob adds a root, the -X value stays one."""
    a, b = gopair("x_version")
    edited = _removed(b, tmp_path / "edited")
    roots = {f.cause for f in diff_paths(str(a), str(edited)).roots}
    assert roots == {f.cause for f in diff_paths(str(a), str(b)).roots} | {"buildinfo-removed"}


def test_check_warns_about_the_removed_blob(gobin, tmp_path):
    intact = gobin("hardened")
    edited = _removed(intact, tmp_path / "edited")
    rules = {}
    for path in (intact, edited):
        cmd = [sys.executable, "-m", "godet", "check", "--format", "json", str(path)]
        out = subprocess.run(cmd, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr  # a warning is no failure under the default policy
        doc = json.loads(out.stdout)
        rules[path] = {f["rule"]: f for r in doc["results"] for f in r["findings"]}
    assert "GD306" not in rules[intact]
    found = rules[edited]["GD306"]
    assert found["level"] == "warning"
    assert found["evidence"]["go_version"] == oracles.go_version_m_json(intact)["GoVersion"]
