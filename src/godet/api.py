"""The Python API: ``inspect(path)``, ``diff(a, b)``, ``check(paths, policy)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from godet.errors import GodetError

if TYPE_CHECKING:
    from godet.check.engine import CheckReport
    from godet.explain.report import DiffReport
    from godet.read.facts import BinaryFacts


def inspect(path: str) -> list[BinaryFacts]:
    """Every fact of the executable at ``path`` (one entry per fat Mach-O slice)."""
    from godet.read.binary import open_binaries

    with open_binaries(path) as binaries:
        return [b.facts() for b in binaries]


def inspect_many(paths: list[str]) -> tuple[list[BinaryFacts], list[GodetError]]:
    """Inspect several files; an unreadable file becomes an error and the others still run."""
    facts: list[BinaryFacts] = []
    errors: list[GodetError] = []
    for p in paths:
        try:
            facts.extend(inspect(p))
        except GodetError as e:
            errors.append(e)
    return facts, errors


def diff(a: str, b: str, deep: bool = False) -> DiffReport:
    """Compare two builds and explain every difference."""
    from godet.explain.engine import diff_paths

    return diff_paths(a, b, deep=deep)


def check(paths: list[str], policy_file: str | None = None) -> CheckReport:
    """Audit executables against a policy (the default one, or ``policy_file``)."""
    from godet.check.engine import run_check
    from godet.check.policy import load_policy

    return run_check(paths, load_policy(policy_file))
