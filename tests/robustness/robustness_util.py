"""Helpers for the robustness tests: run godet isolated (fork, timeout, peak memory) or as the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the harness lives in fuzz/ at the repository root
    sys.path.insert(0, str(ROOT))

from fuzz import executor, landmarks, mutate, seeds  # noqa: E402

__all__ = ["executor", "landmarks", "mutate", "seed_fixture", "seeds"]

ERROR_LINE = re.compile(r"^godet: .+: \S.*$")
TIME_LIMIT = 10.0  # the hang bound


def cli(*args: str, timeout: float = 60, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m godet ARGS``; checks the error contract (one line per error, no traceback)."""
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run(
        [sys.executable, "-m", "godet", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
    )
    assert "Traceback" not in p.stderr, p.stderr
    assert "internal error" not in p.stderr, p.stderr
    assert p.returncode in (0, 1, 2), (p.returncode, p.stderr)
    for line in p.stderr.splitlines():
        assert ERROR_LINE.match(line), f"stderr line is not 'godet: PATH: problem': {line!r}"
    return p


def isolated(
    path: str | Path,
    seed: str | Path | None = None,
    steps: tuple[str, ...] = ("inspect", "check", "diff"),
    timeout: float = TIME_LIMIT,
    **params: Any,
) -> executor.Outcome:
    """Run inspect/check/diff on ``path`` (diffed against ``seed``) in a forked child."""
    seed = seed or path
    workdir = Path(os.environ.get("PYTEST_TMPDIR", seeds.work_dir())) / f"iso-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    return executor.run_one(str(path), str(seed), {"steps": list(steps), **params}, str(workdir), timeout)


def assert_clean(o: executor.Outcome, masked_ok: bool = False) -> None:
    """No defect (exception, hang, crash, memory, changed input) and, unless allowed, nothing masked."""
    assert not o.defects, "\n".join(
        f"{d['kind']} in {d['step']}: {d.get('type')} at {d.get('where')}: "
        f"{d.get('message')}\n{d.get('traceback', '')}"
        for d in o.defects
    )
    if not masked_ok:
        assert not o.masked, "\n".join(
            f"masked {d['type']} at {d['where']}: {d['message']}\n{d['traceback']}" for d in o.masked
        )


def mutant(seed: Path, ops: list[list[Any]], out: Path) -> Path:
    out.write_bytes(mutate.apply(seed.read_bytes(), ops))
    return out


def field(data: bytes, name: str) -> landmarks.Field:
    """The landmark field called ``name`` in ``data`` (see fuzz/landmarks.py)."""
    found = [f for f in landmarks.find(data).fields if f.name == name]
    assert found, f"no field {name!r}"
    return found[0]


def region(data: bytes, name: str) -> landmarks.Region:
    found = [r for r in landmarks.find(data).regions if r.name == name]
    assert found, f"no region {name!r}"
    return found[0]


def set_field(data: bytes, name: str, value: int | Callable[[int], int]) -> list[Any]:
    """The op that sets field ``name`` to ``value`` (or to ``value(original)``)."""
    f = field(data, name)
    orig = int.from_bytes(data[f.offset : f.offset + f.width], "big" if f.big else "little")
    v = value(orig) if callable(value) else value
    return ["int", f.offset, f.width, f.big, v]


@pytest.fixture(scope="session", name="seed")
def seed_fixture(gobin: Callable[[str], Path], old_go_binary: Callable[[str], Path]) -> Callable[[str], Path]:
    """``seed(name)``: the file of a fuzz seed (fixture, old-format binary, extra build or synthetic).

    (A fixture defined here, not in a conftest.py: a second ``conftest`` module would shadow
    tests/conftest.py for the tests that import it by name.)
    """

    def resolve(name: str) -> Path:
        if name in seeds.OLD_SEEDS:
            return old_go_binary(name)
        if name in seeds.EXTRA_BUILDS:
            return seeds.fixture_path(name)
        return gobin(name)

    return lambda name: seeds.seed_path(name, resolve)
