"""The DiffReport: everything the diff renderers show, computed by the engine (stage 3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from godet.explain.detectors.base import Finding

SCHEMA_VERSION = 2  # 2: verdict is {kind, sentence}; causes carry because_key, keys, owners


@dataclass
class Side:
    """One of the two files, summarised."""

    path: str
    size: int
    sha256: str
    format: str = ""
    arch: str = ""
    go_version: str | None = None
    go_build_id: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "size": self.size,
            "sha256": self.sha256,
            "format": self.format,
            "arch": self.arch,
            "go_version": self.go_version,
            "go_build_id": self.go_build_id,
        }


@dataclass
class Residual:
    """Differing bytes no cause claimed, located as precisely as the binaries allow."""

    unit: str  # section (and sub-unit: function or pclntab table) key
    bytes: int
    a_range: tuple[int, int] | None
    b_range: tuple[int, int] | None
    section: str
    function: str | None = None
    symbol: str | None = None
    note: str = ""
    disassembly: list[tuple[str, str]] = field(default_factory=list)  # (A line, B line)

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "unit": self.unit,
            "function": self.function,
            "symbol": self.symbol,
            "bytes": self.bytes,
            "a": {"offset": self.a_range[0], "size": self.a_range[1] - self.a_range[0]}
            if self.a_range
            else None,
            "b": {"offset": self.b_range[0], "size": self.b_range[1] - self.b_range[0]}
            if self.b_range
            else None,
            "note": self.note,
            "disassembly": [{"a": x, "b": y} for x, y in self.disassembly],
        }


@dataclass
class SectionSummary:
    """How one section (unit) compares."""

    name: str
    a_size: int | None
    b_size: int | None
    differing: int
    how: str
    a_offset: int | None = None  # file offset of the unit in A (None: absent there)
    b_offset: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "a_size": self.a_size,
            "b_size": self.b_size,
            "differing_bytes": self.differing,
            "how": self.how,
        }


@dataclass
class DiffReport:
    """The answer to ``godet diff A B``."""

    a: Side
    b: Side
    identical: bool
    verdict: str  # the sentence
    related: bool = True
    verdict_kind: str = "unknown"  # identical | program | source | toolchain | environment | unknown
    differing_bytes: int = 0
    explained_bytes: int = 0
    causes: list[Finding] = field(default_factory=list)
    unexplained: list[Residual] = field(default_factory=list)
    unexplained_bytes: int = 0
    sections: list[SectionSummary] = field(default_factory=list)
    changed_functions: int = 0
    notes: list[str] = field(default_factory=list)
    units: list[SectionSummary] = field(default_factory=list)  # every unit, in file order (the HTML map)

    @property
    def roots(self) -> list[Finding]:
        return [c for c in self.causes if c.role == "root"]

    @property
    def consequences(self) -> list[Finding]:
        return [c for c in self.causes if c.role == "consequence"]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "identical": self.identical,
            "related": self.related,
            "verdict": {"kind": self.verdict_kind, "sentence": self.verdict},
            "differing_bytes": self.differing_bytes,
            "explained_bytes": self.explained_bytes,
            "unexplained_bytes": self.unexplained_bytes,
            "causes": [_finding_json(c) for c in self.causes],
            "unexplained": [r.to_json() for r in self.unexplained],
            "sections": [s.to_json() for s in self.sections],
            "notes": list(self.notes),
        }


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "id": f.cause,
        "title": f.title,
        "role": f.role,
        "key": f.key,
        "because": f.because,
        "because_key": f.because_key,
        "keys": list(f.keys),
        "owners": list(f.owners),
        "summary": f.summary,
        "evidence": _evidence_json(f),
        "bytes": f.bytes,
        "share": round(f.share, 6),
        "direct_bytes": f.direct_bytes,
        "regions": f.regions,
        "places": f.places,
        "fix": f.fix,
    }


def _evidence_json(f: Finding) -> dict[str, Any]:
    """``a``/``b`` of the main evidence, plus every item under ``items``."""
    first = f.evidence[0] if f.evidence else None
    return {
        "label": first.label if first else None,
        "a": first.a if first else None,
        "b": first.b if first else None,
        "items": [e.to_json() for e in f.evidence],
    }
