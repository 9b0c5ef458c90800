"""The Python API: ``inspect(path)``, ``diff(a, b)``, ``check(paths, policy)``, ``render(report, format)``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from godet.errors import GodetError

if TYPE_CHECKING:
    from godet.check.engine import CheckReport
    from godet.check.policy import Policy
    from godet.explain.report import DiffReport
    from godet.explain.tree import TreeReport
    from godet.read.facts import BinaryFacts


def inspect(path: str) -> list[BinaryFacts]:
    """Every fact of the executable at ``path`` (one entry per fat Mach-O slice); for a directory,
    archive, package or image, of every Go executable inside it (paths as ``PATH!member``)."""
    from godet.read.binary import hash_in_background, open_binaries
    from godet.sources.base import is_tree_input

    if is_tree_input(path):
        return _inspect_source(path)
    with open_binaries(path) as binaries:
        hashing = [hash_in_background(b) for b in binaries[:1]]  # slices share one file
        try:
            return [b.facts() for b in binaries]
        finally:
            for t in hashing:
                t.join()  # before the file closes


def _inspect_source(path: str) -> list[BinaryFacts]:
    from godet.check.images import source_executables
    from godet.read.binary import open_binaries
    from godet.sources import Opener

    out: list[BinaryFacts] = []
    with Opener() as opener:
        found, package = source_executables(opener, path)
        for label, spill in found:
            try:
                with open_binaries(spill) as binaries:
                    for b in binaries:
                        if b.is_go:
                            f = b.facts()
                            f.path = f"{path}!{label}"
                            f.package = package.to_json() if package is not None else None
                            out.append(f)
            except GodetError:
                continue  # not a Go executable (or not one godet can read): inspect lists Go binaries
    if not out:
        what = "a directory" if os.path.isdir(path) else "an archive"
        raise GodetError(path, f"{what} with no Go executable inside")
    return out


def inspect_many(paths: list[str]) -> tuple[list[BinaryFacts], list[GodetError]]:
    """:func:`inspect` each of ``paths``; an unreadable one becomes an error and the others still run."""
    facts: list[BinaryFacts] = []
    errors: list[GodetError] = []
    for p in paths:
        try:
            facts.extend(inspect(p))
        except GodetError as e:
            errors.append(e)
    return facts, errors


def diff(a: str, b: str, deep: bool = False, progress: bool = False) -> DiffReport | TreeReport:
    """Compare build ``a`` with build ``b`` and explain every difference: two executables give a
    DiffReport; two directories, archives, packages or images give a TreeReport (the Go binaries
    inside as DiffReports). ``deep`` disassembles changed functions and compares DWARF line tables;
    ``progress`` draws a progress bar on stderr for trees."""
    from godet.explain.engine import diff_paths

    return diff_paths(a, b, deep=deep, progress=progress)


def check(paths: list[str], policy: Policy | str | os.PathLike[str] | None = None) -> CheckReport:
    """Audit the executables, directories, archives or images in ``paths`` against ``policy``: a
    :class:`~godet.check.policy.Policy`, the path of a policy file, or None for the default policy
    (every rule at its default level, failing on error). No policy file is looked up implicitly."""
    from godet.check.engine import run_check
    from godet.check.policy import Policy, default_policy, load_policy

    if policy is None:
        chosen = default_policy()
    elif isinstance(policy, Policy):
        chosen = policy
    else:
        chosen = load_policy(os.fspath(policy))
    return run_check(list(paths), chosen)


def render(report: Any, format: str = "text", **options: Any) -> str:
    """``report`` (from :func:`inspect`, :func:`diff`, :func:`check` or a rebuild) as text in
    ``format``: the names ``--format`` accepts for the command that made it (text, json, markdown,
    html, sarif, junit, github). ``options`` go to the renderer (``color``, ``width``)."""
    from godet.present.base import REGISTRY, renderer

    command = _command_of(report)
    if format not in REGISTRY[command]:
        raise ValueError(f"{command} reports render as {', '.join(REGISTRY[command])}, not {format!r}")
    return renderer(command, format, **options).render(report)


def _command_of(report: Any) -> str:
    """The command whose renderers take ``report``."""
    from godet.check.engine import CheckReport
    from godet.explain.report import DiffReport
    from godet.explain.tree import TreeReport

    if isinstance(report, CheckReport):
        return "check"
    if isinstance(report, DiffReport | TreeReport):
        return "diff"
    from godet.rebuild.report import RebuildReport

    if isinstance(report, RebuildReport):
        return "rebuild"
    if isinstance(report, list):
        return "inspect"
    raise TypeError(f"not a godet report: {type(report).__name__}")
