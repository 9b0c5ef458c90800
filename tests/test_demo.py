"""``godet demo``: the shipped pair is reproducible from the repository, and the demo runs without Go."""

from __future__ import annotations

import lzma
import os
import subprocess
import sys
from pathlib import Path

import build_demo
import gobuild

SRC = Path(__file__).resolve().parent.parent / "src"


def test_shipped_pair_is_byte_identical_to_a_rebuild(gobuild_available: gobuild.Toolchain) -> None:
    shipped = build_demo.SHIPPED.read_bytes()
    assert len(shipped) < 1_000_000
    built = build_demo.rebuild()
    # the binaries first (what matters), then the compressed bytes themselves
    assert build_demo.unpack(shipped) == built
    assert set(built) == {"laptop/demo", "ci/demo"} and built["laptop/demo"] != built["ci/demo"]
    assert build_demo.pack(built) == shipped
    assert build_demo.pack(built) == build_demo.pack(dict(built))  # deterministic compression
    assert lzma.decompress(shipped)[257:262] == b"ustar"


def test_shipped_pair_was_built_as_the_script_says(gobuild_available: gobuild.Toolchain) -> None:
    """The go tool itself (an oracle) reads the build directory and flags out of the shipped files."""
    members = build_demo.unpack(build_demo.SHIPPED.read_bytes())
    env = gobuild.go_env(gobuild_available)
    for name, data in members.items():
        path = Path(os.environ.get("TMPDIR", "/tmp")) / f"godet-test-demo-{os.getpid()}"
        path.write_bytes(data)
        try:
            out = subprocess.run(
                [str(gobuild_available.go), "version", "-m", str(path)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        finally:
            path.unlink()
        assert "\tpath\texample.com/hello\n" in out
        assert "-ldflags=-compressdwarf=false" in out and "-trimpath" not in out
        side = name.split("/")[0]
        assert f"/tmp/godet-demo/work/{side}/demo/main.go".encode() in data


def test_godet_demo_runs_diff_and_check_exits_0_and_cleans_up(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(PYTHONPATH=str(SRC), TMPDIR=str(tmp), PATH="/usr/bin:/bin", NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "godet", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "$ godet diff laptop/demo ci/demo\ngodet diff: DIFFERENT" in out
    assert " 1. build-path · Build directory differs" in out
    assert "Unexplained: nothing" in out
    assert "$ godet check laptop/demo\n" in out and "GD101 build-path" in out
    assert out.index("$ godet diff") < out.index("$ godet check") < out.index("That was the demo")
    assert list(tmp.iterdir()) == []  # the private directory is gone
    assert proc.stderr == ""


def test_demo_help_says_it_is_a_demo() -> None:
    from click.testing import CliRunner

    from godet.cli import main

    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0 and "always exit 0" in result.output


def test_demo_intro_names_the_pinned_toolchain() -> None:
    from godet import demo

    assert f"Go {gobuild.DEFAULT_GO}" in demo.INTRO  # rerun tests/build_demo.py when the pin moves
    assert tuple(build_demo.MEMBERS) == (demo.SIDE_A, demo.SIDE_B)
