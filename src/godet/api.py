"""The Python API: ``inspect(path)``, ``diff(a, b)``, ``check(paths, policy)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from godet.errors import GodetError

if TYPE_CHECKING:
    from godet.check.engine import CheckReport
    from godet.explain.report import DiffReport
    from godet.explain.tree import TreeReport
    from godet.read.facts import BinaryFacts


def inspect(path: str) -> list[BinaryFacts]:
    """Every fact of the executable at ``path`` (one entry per fat Mach-O slice); for a directory,
    archive, package or image, of every Go executable inside it (paths as ``PATH!member``)."""
    from godet.explain.tree import is_tree_input
    from godet.read.binary import open_binaries

    if is_tree_input(path):
        return _inspect_source(path)
    with open_binaries(path) as binaries:
        return [b.facts() for b in binaries]


def _inspect_source(path: str) -> list[BinaryFacts]:
    from godet.check.images import source_executables
    from godet.read.binary import open_binaries
    from godet.sources import Opener

    out: list[BinaryFacts] = []
    with Opener() as opener:
        for label, spill in source_executables(opener, path):
            try:
                with open_binaries(spill) as binaries:
                    for b in binaries:
                        if b.is_go:
                            f = b.facts()
                            f.path = f"{path}!{label}"
                            out.append(f)
            except GodetError:
                continue  # not a Go executable (or not one godet can read): inspect lists Go binaries
    if not out:
        import os

        what = "a directory" if os.path.isdir(path) else "an archive"
        raise GodetError(path, f"{what} with no Go executable inside")
    return out


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


def diff(a: str, b: str, deep: bool = False, progress: bool = False) -> DiffReport | TreeReport:
    """Compare two builds and explain every difference: two executables give a DiffReport; two
    directories, archives, packages or images give a TreeReport (Go binaries inside as DiffReports)."""
    from godet.explain.engine import diff_paths

    return diff_paths(a, b, deep=deep, progress=progress)


def check(paths: list[str], policy_file: str | None = None) -> CheckReport:
    """Audit executables against a policy (the default one, or ``policy_file``)."""
    from godet.check.engine import run_check
    from godet.check.policy import load_policy

    return run_check(paths, load_policy(policy_file))
