"""Run the check rules over files and directories and collect a :class:`CheckReport`.

Inputs named on the command line must be Go executables (anything else is an error, exit 2).
Directories are walked without following symlinks out of the tree; files whose first bytes are not
an executable header are skipped and counted, and so are executables that turn out not to be Go.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from godet.check.policy import LEVELS, Policy, level_rank
from godet.check.rules import CONTAINER_CODES, RULES, Finding, Rule
from godet.errors import GodetError, NotAnExecutable, NotGoBinary
from godet.sources.directory import (
    SKIP_NOT_EXECUTABLE,
    SKIP_SYMLINK_OUT,
    SKIP_UNREADABLE,
    sniff_file,
    walk_executables,
)

SCHEMA_VERSION = 1
PROGRESS_THRESHOLD = 20  # show a progress bar (on a TTY) from this many files on

SKIP_NOT_GO = "not a Go executable"
__all__ = ["SKIP_NOT_EXECUTABLE", "SKIP_NOT_GO", "SKIP_SYMLINK_OUT", "SKIP_UNREADABLE"]


@dataclass
class BinaryResult:
    """The findings for one executable (one slice of a fat Mach-O file)."""

    path: str
    slice: str = ""
    go_version: str | None = None
    target: str = ""  # e.g. "linux/amd64 ELF"
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.path}[{self.slice}]" if self.slice else self.path

    def worst(self) -> str | None:
        """The highest level among the findings, or None."""
        if not self.findings:
            return None
        return max((f.level for f in self.findings), key=level_rank)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "slice": self.slice or None,
            "go_version": self.go_version,
            "target": self.target,
            "findings": [f.to_json() for f in self.findings],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class RuleInfo:
    """A rule as the report shows it: the registry entry and its effective level under the policy."""

    rule: Rule
    level: str

    def to_json(self) -> dict[str, Any]:
        return self.rule.to_json(self.level)


def _kind_of(target: str) -> str:
    """What a result's target names: an OCI image, a package, or a binary."""
    if target.startswith("OCI image"):
        return "image"
    return "package" if " package " in target else "binary"


@dataclass
class CheckReport:
    """Everything ``godet check`` shows: per-binary findings, errors, skipped files, the rules run."""

    results: list[BinaryResult] = field(default_factory=list)
    errors: list[GodetError] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> number of files
    fail_on: str = "error"
    rules: list[RuleInfo] = field(default_factory=list)  # the enabled rules, registry order
    policy: Policy = field(default_factory=Policy)

    def checked(self) -> str:
        """What was checked, in words: "2 binaries", "1 binary and 1 package", "1 image"."""
        kinds = Counter(_kind_of(r.target) for r in self.results)
        said = [
            f"{kinds[k]} {k if kinds[k] == 1 else plural}"
            for k, plural in (("binary", "binaries"), ("image", "images"), ("package", "packages"))
            if kinds[k]
        ]
        return " and ".join(said) if said else "0 binaries"

    def counts(self) -> dict[str, int]:
        """Number of findings per level (every level present, 0 when none)."""
        c = Counter(f.level for r in self.results for f in r.findings)
        return {lvl: c.get(lvl, 0) for lvl in reversed(LEVELS)}

    def failing(self, f: Finding) -> bool:
        """Whether finding ``f`` is at or above the fail level."""
        return self.fail_on != "never" and level_rank(f.level) >= level_rank(self.fail_on)

    @property
    def failed(self) -> bool:
        return any(self.failing(f) for r in self.results for f in r.findings)

    def exit_code(self) -> int:
        """2 on any error (unreadable or non-Go input), else 1 when a finding fails the job, else 0."""
        if self.errors:
            return 2
        return 1 if self.failed else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "fail_on": self.fail_on,
            "failed": self.failed,
            "exit_code": self.exit_code(),
            "counts": self.counts(),
            "checked": len(self.results),
            "skipped": dict(self.skipped),
            "errors": [{"path": e.path, "problem": e.problem} for e in self.errors],
            "policy": self.policy.to_json(),
            "rules": [ri.to_json() for ri in self.rules],
            "results": [r.to_json() for r in self.results],
        }


# --------------------------------------------------------------------------------------------
# finding the files


def sniff_executable(path: str) -> bool:
    """Whether the file starts like an executable: ELF EXEC/DYN, PE (MZ), Mach-O MH_EXECUTE or fat."""
    return sniff_file(path)


def walk(root: str, skipped: Counter[str]) -> Iterator[str]:
    """Candidate executables under ``root`` (the walker lives in the sources stage)."""
    return walk_executables(root, skipped)


def collect(
    paths: list[str], skipped: Counter[str], errors: list[GodetError]
) -> list[tuple[str, str | None]]:
    """(path, the directory argument it was found in, or None when named) for every file to check.

    The same real file is listed once.
    """
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()

    def add(p: str, origin: str | None) -> None:
        key = os.path.realpath(p)
        if key not in seen:
            seen.add(key)
            out.append((p, origin))

    for p in paths:
        if os.path.isdir(p):
            for f in walk(p, skipped):
                add(f, p)
        elif not os.path.lexists(p):
            errors.append(GodetError(p, "no such file"))
        else:
            add(p, None)
    return out


# --------------------------------------------------------------------------------------------
# running the rules


def enabled_rules(policy: Policy) -> list[RuleInfo]:
    """The rules the policy leaves on, with their effective levels, in registry order."""
    out = []
    for r in RULES:
        level = policy.level_of(r.code, r.level)
        if level is not None:
            out.append(RuleInfo(r, level))
    return out


def check_binary(binary: Any, rules: list[RuleInfo], policy: Policy) -> BinaryResult:
    """Run ``rules`` over one opened binary."""
    im = binary.image
    result = BinaryResult(
        path=binary.path,
        slice=getattr(binary, "slice_label", ""),
        go_version=binary.go_version,
        target=f"{im.os}/{im.arch} {im.fmt.name}",
    )
    for ri in rules:
        if ri.rule.code in CONTAINER_CODES:
            continue  # image and package rules read images and packages, not binaries
        for f in ri.rule.detect(binary, policy):
            result.findings.append(Finding(f.rule, f.name, ri.level, f.message, f.evidence, f.where))
    result.findings.sort(key=lambda f: (-level_rank(f.level), f.rule))
    result.notes = list(binary.notes)
    return result


def check_file(path: str, rules: list[RuleInfo], policy: Policy) -> list[BinaryResult]:
    """Open ``path`` and check every Go image in it; NotGoBinary when none is Go."""
    from godet.read.binary import open_binaries

    with open_binaries(path) as binaries:
        results = [check_binary(b, rules, policy) for b in binaries if b.is_go]
        if not results:
            raise NotGoBinary(path, "not a Go executable (no buildinfo, Go build ID or pclntab)")
        return results


def run_check(paths: list[str], policy: Policy, progress: bool = False) -> CheckReport:
    """Check every executable in ``paths`` (files and directories) against ``policy``.

    A file named explicitly must be a Go executable (else an error); inside a directory, other
    files are skipped and counted. A directory without any Go executable is an error, so that a
    CI gate never passes on an empty or wrong build output.
    """
    skipped: Counter[str] = Counter()
    report = CheckReport(fail_on=policy.fail_on, rules=enabled_rules(policy), policy=policy)
    from godet.check.images import check_container, is_container

    containers = [p for p in paths if is_container(p)]
    files = collect([p for p in paths if p not in containers], skipped, report.errors)
    found_in: Counter[str] = Counter()
    with _progress(progress and len(files) >= PROGRESS_THRESHOLD, len(files)) as advance:
        for path, origin in files:
            try:
                results = check_file(path, report.rules, policy)
                report.results.extend(results)
                if origin is not None:
                    found_in[os.path.realpath(origin)] += len(results)
            except (NotGoBinary, NotAnExecutable) as e:
                if origin is None:
                    report.errors.append(e)
                else:
                    skipped[SKIP_NOT_GO if isinstance(e, NotGoBinary) else SKIP_NOT_EXECUTABLE] += 1
            except GodetError as e:
                report.errors.append(e)
            advance(path)
    for p in containers:
        try:
            check_container(p, report, policy, skipped)
        except GodetError as e:
            report.errors.append(e)
    for p in paths:
        if os.path.isdir(p) and p not in containers and not found_in[os.path.realpath(p)]:
            report.errors.append(GodetError(p, "no Go executable found in this directory"))
    for result in report.results:
        ignored = policy.ignored_at(result.path)
        if ignored:
            result.findings = [f for f in result.findings if f.rule not in ignored]
    report.skipped = dict(sorted(skipped.items()))
    return report


class _progress:
    """A rich progress bar on stderr while checking many files; a no-op otherwise."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Any:
        if not self.enabled:
            return lambda _path: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn("checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.description}", markup=False),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("", total=self.total)

        def advance(path: str) -> None:
            from godet.present.safe import text  # a file name is untrusted

            self._bar.update(self._task, advance=1, description=text(os.path.basename(path)))

        return advance

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
