"""Settling claims: each differing byte goes to the first finding (in catalog rank order) that claims it.

Primary claims of every finding settle before any fallback claim, so a broad explanation (a
different toolchain explains all code) never takes bytes from a specific one. A range claim
takes the covered fraction of each run it overlaps; a unit or mask claim takes what is left
of its runs. The result is the bytes left per run (the residual) and, on each finding, the
bytes it took and where.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from godet.arrays import apportion, unique
from godet.explain.detectors.base import Finding, merged_ranges, settlement_order

if TYPE_CHECKING:
    from godet.compare.bytes import Runs


@dataclass
class Settlement:
    """What settling left: bytes per run nobody claimed, and each finding's bytes per unit."""

    remaining: np.ndarray
    taken: dict[int, np.ndarray] = field(default_factory=dict)  # id(finding) -> bytes per unit
    runs_taken: dict[int, list[tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)

    @property
    def unexplained(self) -> int:
        """The bytes left in runs with more than half a byte left (a claim that covers a fraction of
        a run leaves crumbs; they count as explained)."""
        left = self.remaining[self.remaining > 0.5]
        return round(float(left.sum())) if len(left) else 0

    def run_bytes(self, f: Finding) -> tuple[np.ndarray, np.ndarray]:
        """(run indices, bytes taken from each) by ``f``'s claims (a run may appear more than once)."""
        parts = self.runs_taken.get(id(f), [])
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate([s for s, _ in parts]), np.concatenate([g for _, g in parts])

    def unit_bytes(self, f: Finding) -> np.ndarray | None:
        """Bytes per unit (index into ``runs.units``) that ``f``'s claims took, or None."""
        return self.taken.get(id(f))


def settle(findings: list[Finding], runs: Runs, log: np.ndarray | None = None) -> Settlement:
    """Give each run's bytes to the claims in rank order (catalog rank, primary before fallback;
    fallback claims of broad causes before the others).

    Sets ``bytes`` (what its own claims took) and ``regions`` (per top section) on each finding.
    ``log`` (a mask over the runs) says which runs to remember per finding (``run_bytes``).
    """
    remaining = runs.weight.astype(np.float64)
    if len(runs) == 0:
        return Settlement(remaining)
    sides = {"a": _SideIndex(runs.a0, runs.a1), "b": _SideIndex(runs.b0, runs.b1)}
    unit_runs = _unit_index(runs.units, runs.unit)
    ordered = settlement_order(findings, fallback=False)
    ordered_fallback = settlement_order(findings, fallback=True)
    per_unit: dict[int, np.ndarray] = {}
    per_run: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    for fallback in (False, True):
        for f in ordered_fallback if fallback else ordered:
            claims = [c for c in f.claims if c.fallback == fallback]
            if not claims:
                continue
            acc = per_unit.setdefault(id(f), np.zeros(len(runs.units), dtype=np.float64))
            taken = per_run.setdefault(id(f), [])
            for side, spans in merged_ranges(claims).items():
                sel, frac = sides[side].overlap(spans)
                _take(remaining, sel, runs.weight[sel] * frac, runs.unit, acc, taken, log)
            for c in claims:
                if c.unit_key:
                    sel = unit_runs(c.unit_key)
                    _take(remaining, sel, remaining[sel].copy(), runs.unit, acc, taken, log)
                elif c.mask is not None:
                    sel = np.flatnonzero(c.mask)
                    _take(remaining, sel, remaining[sel].copy(), runs.unit, acc, taken, log)
    done = Settlement(remaining, per_unit, per_run)
    took = [f for f in findings if id(f) in per_unit]
    whole = apportion(np.array([per_unit[id(f)].sum() for f in took]), runs.total - done.unexplained)
    tops = _Tops(runs.units)
    for f, n in zip(took, whole.tolist(), strict=True):
        f.bytes = n
        f.regions = tops.regions(per_unit[id(f)], n)
    return done


def _take(
    remaining: np.ndarray,
    sel: np.ndarray,
    amount: np.ndarray,
    unit: np.ndarray,
    acc: np.ndarray,
    taken: list[tuple[np.ndarray, np.ndarray]],
    log: np.ndarray | None,
) -> None:
    if len(sel) == 0:
        return
    got = np.minimum(remaining[sel], amount)
    remaining[sel] -= got
    acc += np.bincount(unit[sel], weights=got, minlength=len(acc))
    if log is None:
        return
    keep = (got > 0) & log[sel]
    if keep.any():
        taken.append((sel[keep].astype(np.int32), got[keep].astype(np.float32)))


class _SideIndex:
    """One side's runs sorted by offset, to find the runs a set of claimed spans overlaps."""

    def __init__(self, r0: np.ndarray, r1: np.ndarray) -> None:
        present = np.flatnonzero(r0 >= 0)
        starts = r0[present]
        # the run table is built in file order, so this is usually sorted already
        order = present if np.all(starts[1:] >= starts[:-1]) else present[np.argsort(starts, kind="stable")]
        self.order = order
        self.s = r0[order]
        self.e = r1[order]

    def overlap(self, spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """Run indices touched by the (sorted, disjoint) spans and the covered fraction of each."""
        st = np.fromiter((a for a, _ in spans), dtype=np.int64, count=len(spans))
        en = np.fromiter((b for _, b in spans), dtype=np.int64, count=len(spans))
        lo = np.searchsorted(self.e, st, side="right")
        hi = np.searchsorted(self.s, en, side="left")
        n = np.maximum(hi - lo, 0)
        if not n.sum():
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        pos = unique(np.repeat(lo, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)))
        s, e = self.s[pos], self.e[pos]
        ov = _covered(spans, e) - _covered(spans, s)
        keep = ov > 0
        return self.order[pos[keep]], ov[keep] / np.maximum(e - s, 1)[keep]


def _covered(spans: list[tuple[int, int]], x: np.ndarray) -> np.ndarray:
    """For each x, how many bytes of the (sorted, disjoint) spans lie below x."""
    st = np.fromiter((a for a, _ in spans), dtype=np.int64, count=len(spans))
    en = np.fromiter((b for _, b in spans), dtype=np.int64, count=len(spans))
    cum = np.concatenate(([0], np.cumsum(en - st)))
    k = np.searchsorted(st, x, side="right") - 1
    inside = np.clip(np.minimum(x, en[np.maximum(k, 0)]) - st[np.maximum(k, 0)], 0, None)
    return np.where(k >= 0, cum[np.maximum(k, 0)] + inside, 0)


def _unit_index(units: list[str], unit: np.ndarray) -> Callable[[str], np.ndarray]:
    cache: dict[str, np.ndarray] = {}
    order = np.argsort(unit, kind="stable")
    bounds = np.searchsorted(unit[order], np.arange(len(units) + 1))

    # a unit key names itself and, for a section, all of its pieces ("sec/piece")
    members: dict[str, list[int]] = {}
    for i, u in enumerate(units):
        members.setdefault(u, []).append(i)
        top, sep, _ = u.partition("/")
        if sep:
            members.setdefault(top, []).append(i)

    def runs_of(key: str) -> np.ndarray:
        if key not in cache:
            parts = [order[bounds[i] : bounds[i + 1]] for i in members.get(key, ())]
            cache[key] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return cache[key]

    return runs_of


class _Tops:
    """The top section of every unit ("sec" of "sec/piece"), to sum bytes per section at once."""

    def __init__(self, units: list[str]) -> None:
        index: dict[str, int] = {}
        self.top = np.fromiter(
            (index.setdefault(u.partition("/")[0], len(index)) for u in units),
            dtype=np.int64,
            count=len(units),
        )
        self.names = list(index)

    def regions(self, acc: np.ndarray, whole: int) -> list[dict]:
        """Bytes per top section, largest first, in whole bytes that add up to ``whole``."""
        per = apportion(np.bincount(self.top, weights=acc, minlength=len(self.names)), whole)
        keep = np.flatnonzero(per > 0).tolist()
        keep.sort(key=lambda k: -per[k])
        return [{"section": self.names[k], "bytes": int(per[k])} for k in keep]
