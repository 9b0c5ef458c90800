"""The RebuildReport: everything the rebuild renderers show, computed by the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class RootCause:
    """One root cause of a pair's diff, summarised."""

    id: str
    title: str
    key: str | None
    summary: str
    a: str | None
    b: str | None
    share: float

    @property
    def ident(self) -> tuple[str, str | None]:
        return (self.id, self.key)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "key": self.key,
            "summary": self.summary,
            "a": self.a,
            "b": self.b,
            "share": round(self.share, 6),
        }


@dataclass
class PairResult:
    """The control build against one varied build (or the two control builds)."""

    variation: str  # "control" for the control pair
    title: str
    what: str
    identical: bool = True
    roots: list[RootCause] = field(default_factory=list)  # every root of the pair's diff
    new: list[RootCause] = field(default_factory=list)  # roots the control pair does not show
    differing_bytes: int = 0
    seconds: float = 0.0  # wall time of the varied build
    skipped: str | None = None  # why the variation could not run
    a: str = ""  # file names of the two builds (under --keep, else gone)
    b: str = ""

    @property
    def changes_output(self) -> bool:
        """True when the variation itself changes the output (beyond the control's own differences)."""
        if self.skipped or self.identical:
            return False
        return bool(self.new) or self.variation == "control" or not self.roots

    def to_json(self) -> dict[str, Any]:
        return {
            "variation": self.variation,
            "title": self.title,
            "what": self.what,
            "skipped": self.skipped,
            "identical": self.identical,
            "changes_output": self.changes_output,
            "differing_bytes": self.differing_bytes,
            "roots": [r.to_json() for r in self.roots],
            "new_roots": [r.to_json() for r in self.new],
            "seconds": round(self.seconds, 3),
            "a": self.a,
            "b": self.b,
        }


@dataclass
class Suggestion:
    """The minimal flags and settings that remove the root causes found, and advice for the rest."""

    flags: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    advice: list[tuple[str, str]] = field(default_factory=list)  # (cause id, what to do)

    @property
    def applicable(self) -> bool:
        return bool(self.flags or self.env)

    def to_json(self) -> dict[str, Any]:
        return {
            "flags": list(self.flags),
            "env": dict(self.env),
            "advice": [{"cause": c, "advice": a} for c, a in self.advice],
        }


@dataclass
class Verification:
    """The rebuild of every variation with the suggestion applied."""

    flags: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    pairs: list[PairResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(p.identical for p in self.pairs if not p.skipped)

    def to_json(self) -> dict[str, Any]:
        return {
            "flags": list(self.flags),
            "env": dict(self.env),
            "passed": self.passed,
            "pairs": [p.to_json() for p in self.pairs],
        }


@dataclass
class RebuildReport:
    """The answer to ``godet rebuild``."""

    module: str  # the module root directory
    package: str
    go: str  # the go command
    go_version: str
    flags: tuple[str, ...] = ()
    script: str | None = None
    control: PairResult | None = None
    pairs: list[PairResult] = field(default_factory=list)  # one per variation (tried or skipped)
    suggestion: Suggestion = field(default_factory=Suggestion)
    verification: Verification | None = None
    builds: int = 0
    seconds: float = 0.0
    jobs: int = 1
    kept: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def reproducible(self) -> bool:
        """True when the control pair and every variation tried gave identical files."""
        pairs = [self.control] if self.control else []
        return all(p.identical for p in [*pairs, *self.pairs] if not p.skipped)

    @property
    def changing(self) -> list[PairResult]:
        """The variations that change the output (the control pair first when it differs)."""
        out = [self.control] if self.control and not self.control.identical else []
        return out + [p for p in self.pairs if p.changes_output]

    @property
    def verdict(self) -> str:
        if self.reproducible:
            return "reproducible under every variation tried"
        names = ", ".join(p.variation for p in self.changing) or "none"
        return f"not reproducible: the output changes with {names}"

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "module": self.module,
            "package": self.package,
            "go": self.go,
            "go_version": self.go_version,
            "flags": list(self.flags),
            "script": self.script,
            "reproducible": self.reproducible,
            "verdict": self.verdict,
            "control": self.control.to_json() if self.control else None,
            "variations": [p.to_json() for p in self.pairs],
            "changing": [p.variation for p in self.changing],
            "suggestion": self.suggestion.to_json(),
            "verification": self.verification.to_json() if self.verification else None,
            "builds": self.builds,
            "seconds": round(self.seconds, 3),
            "jobs": self.jobs,
            "kept": self.kept,
            "notes": list(self.notes),
        }
