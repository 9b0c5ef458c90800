"""Build one pair of the matrix, diff it with godet, and list every way godet's answer falls short.

Shared by the tests (test_matrix.py), the terminal summary (conftest.py) and the report script
(report.py), so the three always show the same thing.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import gobuild
from godet.api import diff
from godet.explain.report import DiffReport
from matrix.factors import (
    FACTORS,
    MASKING,
    PAIRS,
    Root,
    Sides,
    expected_roots,
    masked_by,
    min_share,
    pair_specs,
)
from oracles import OracleError, go_tool_buildid, go_version_m_json, readelf_hex

#: pair -> result of the pairs evaluated in this process (read by the terminal summary)
RESULTS: dict[str, Result] = {}


@dataclass
class Result:
    """What a pair was built as, what godet said, and the problems (empty: the pair passes)."""

    name: str
    expected: set[Root]
    roots: list[Root] = field(default_factory=list)
    differing: int = 0
    explained: int = 0
    unexplained: int = 0
    problems: list[str] = field(default_factory=list)
    oracle_problems: list[str] = field(default_factory=list)
    masking: list[str] = field(default_factory=list)
    build_seconds: float = 0.0
    diff_seconds: float = 0.0

    @property
    def share(self) -> float:
        return self.explained / self.differing if self.differing else 1.0


def fmt_roots(roots: set[Root] | list[Root]) -> str:
    return ", ".join(sorted(f"{c}[{k}]" if k else c for c, k in roots)) or "-"


def _matches(root: Root, want: Root) -> bool:
    return root[0] == want[0] and (want[1] is None or root[1] == want[1])


def _gnu_build_id(path: str) -> str | None:
    m = re.search(r"Build ID: ([0-9a-f]+)", readelf_notes(path))
    return m.group(1) if m else None


def _fips_sum(path: str) -> bytes | None:
    """The checksum of go:fipsinfo (bytes 16..48 of ``.go.fipsinfo``), from ``readelf -x``."""
    try:
        return readelf_hex(Path(path), ".go.fipsinfo")[16:48]
    except OracleError:
        return None


def readelf_notes(path: str) -> str:
    """``readelf -n`` (binutils) of an ELF file."""
    return subprocess.run(
        ["readelf", "-nW", path],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    ).stdout


def expected_consequences(names: tuple[str, ...], sides: Sides) -> dict[str, str]:
    """Causes the toolchain's tools show differ and no factor names as a root: cause id -> evidence.

    godet must list each of them as a consequence (because one of the roots).
    """
    if not all(FACTORS[n].native for n in names):
        return {}  # two different programs: the verdict is the answer
    root_ids = {c for c, _ in expected_roots(names)}
    out: dict[str, str] = {}
    ids = go_tool_buildid(Path(sides.path_a)), go_tool_buildid(Path(sides.path_b))
    if ids[0] != ids[1]:
        out["go-build-id"] = f"go tool buildid: {ids[0] or '(none)'} vs {ids[1] or '(none)'}"
    gnu = _gnu_build_id(sides.path_a), _gnu_build_id(sides.path_b)
    if gnu[0] and gnu[1] and gnu[0] != gnu[1]:
        out["gnu-build-id"] = f"readelf -n: {gnu[0]} vs {gnu[1]}"
    fips = _fips_sum(sides.path_a), _fips_sum(sides.path_b)
    if fips[0] and fips[1] and fips[0] != fips[1]:
        out["fips-checksum"] = "readelf -x .go.fipsinfo: the checksums differ"
    for key, cause in (("DefaultGODEBUG", "default-godebug"), ("vcs.time", "vcs-time")):
        va, vb = sides.setting("a", key), sides.setting("b", key)
        if va is not None and vb is not None and va != vb:
            out[cause] = f"go version -m: {key} differs"
    return {c: why for c, why in out.items() if c not in root_ids}


def judge(name: str, rep: DiffReport, consequences: dict[str, str] | None = None) -> list[str]:
    """Every way ``rep`` misses what the pair's factors (and the toolchain's tools) say it should be."""
    names = PAIRS[name]
    expected = expected_roots(names)
    problems: list[str] = []
    roots = [(f.cause, f.key) for f in rep.roots]
    extra = [r for r in roots if not any(_matches(r, w) for w in expected)]
    missing = [w for w in expected if not any(_matches(r, w) for r in roots)]
    if extra:
        problems.append(f"false roots {fmt_roots(extra)}")
    if missing:
        problems.append(f"missing roots {fmt_roots(missing)}")
    root_ids = {c for c, _ in roots}
    for f in rep.causes:
        if f.role == "root":
            continue
        if f.role != "consequence":
            problems.append(f"{f.cause} has role {f.role!r}")
        elif f.because not in root_ids:
            problems.append(f"consequence {f.cause} because {f.because!r}, not a root")
    if rep.explained_bytes + rep.unexplained_bytes != rep.differing_bytes:
        problems.append(
            f"explained {rep.explained_bytes} + unexplained {rep.unexplained_bytes} "
            f"!= differing {rep.differing_bytes}"
        )
    if rep.explained_bytes > rep.differing_bytes:
        problems.append(f"explained {rep.explained_bytes} > differing {rep.differing_bytes}")
    if rep.identical or rep.differing_bytes == 0:
        if expected:  # (factors that -trimpath on both sides hides entirely build identical files)
            problems.append("godet says the files are identical")
    elif rep.explained_bytes / rep.differing_bytes < min_share(names):
        problems.append(
            f"{rep.explained_bytes / rep.differing_bytes:.2%} explained "
            f"(< {min_share(names):.1%}; {rep.unexplained_bytes:,} bytes unexplained)"
        )
    problems += [f"note: {n}" for n in rep.notes if "failed" in n]
    different_programs = not all(FACTORS[n].native for n in names)
    if rep.related == different_programs:
        problems.append(f"verdict {rep.verdict!r} (related={rep.related})")
    named = {f.cause for f in rep.causes if f.role == "consequence"}
    missing_c = sorted(c for c in (consequences or {}) if c not in named)
    if missing_c:
        problems.append("consequences not named: " + ", ".join(missing_c))
    return problems


def oracle_problems(names: tuple[str, ...], sides: Sides) -> list[str]:
    """What the toolchain's tools say against the build spec (a broken spec cannot pass silently)."""
    fs = tuple(FACTORS[n] for n in names)
    runnable = all(f.native for f in fs)
    out = []
    for f in fs:
        check = f.masked_check if any(m.applies(fs, f) for m in MASKING) else f.check
        if check is None:
            continue
        if check.__name__ == "_output_differs" and not runnable:
            continue  # a cross-compiled side cannot be run here
        problem = check(sides)
        if problem:
            out.append(f"{f.name}: {problem}")
    return out


def evaluate(name: str) -> Result:
    """Build the pair ``name`` and judge godet's diff of it."""
    names = PAIRS[name]
    res = Result(name, expected_roots(names), masking=masked_by(names))
    a, b = pair_specs(names)
    t = time.monotonic()
    pa, pb = gobuild.build_pair(a, b)
    res.build_seconds = time.monotonic() - t
    sides = Sides(a, b, str(pa), str(pb), go_version_m_json(pa), go_version_m_json(pb))
    res.oracle_problems = oracle_problems(names, sides)
    t = time.monotonic()
    rep = diff(str(pa), str(pb))
    res.diff_seconds = time.monotonic() - t
    res.roots = [(f.cause, f.key) for f in rep.roots]
    res.differing, res.explained, res.unexplained = (
        rep.differing_bytes,
        rep.explained_bytes,
        rep.unexplained_bytes,
    )
    res.problems = judge(name, rep, expected_consequences(names, sides))
    return res


def evaluated(name: str) -> Result:
    """``evaluate(name)`` once per process (kept in RESULTS, which the terminal summary prints)."""
    if name not in RESULTS:
        RESULTS[name] = evaluate(name)
    return RESULTS[name]
