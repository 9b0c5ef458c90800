"""Helpers for the image and archive tests: run godet, walk its JSON tree, validate against the schemas."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

SCHEMAS = Path(__file__).resolve().parents[2] / "src" / "godet" / "schemas"


def godet(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "godet", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for c in node["children"]:
        yield from walk(c)


def nodes(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["path"]: n for n in walk(out["root"])}


def cause_ids(node: dict[str, Any]) -> list[str]:
    return [c["id"] for c in node["causes"]]


def validate(out: dict[str, Any]) -> None:
    """The tree validates against tree.schema.json, and every binary report against diff.schema.json."""
    jsonschema.validate(out, json.loads((SCHEMAS / "tree.schema.json").read_text()))
    diff_schema = json.loads((SCHEMAS / "diff.schema.json").read_text())
    for n in walk(out["root"]):
        if n["report"] is not None:
            jsonschema.validate(n["report"], diff_schema)


def diff_json(a: Path, b: Path, expect: int = 1, env: dict[str, str] | None = None) -> dict[str, Any]:
    r = godet("diff", "--format", "json", str(a), str(b), env=env)
    assert r.returncode == expect, r.stdout[-2000:] + r.stderr
    out = json.loads(r.stdout)
    validate(out)
    return out


@pytest.fixture
def run_godet():  # type: ignore[no-untyped-def]
    return godet
