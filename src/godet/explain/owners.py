"""Changed code by owner: each finding's bytes in code, per module (main, a dependency, std).

After settlement every run of code a finding took is placed in its Go function (pclntab of
the side that has it), the function in its package and the package in its module, so a
multi-cause pair says "dependency golang.org/x/sys: 310 functions, 1.2 MB; toolchain: std,
3.1 MB" instead of one undivided share.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from godet.explain.detectors.base import DiffContext
from godet.explain.settle import Settlement
from godet.read.binary import Binary
from godet.read.owners import module_of, package_of

MAX_OWNERS = 12


def attribute_owners(ctx: DiffContext, settlement: Settlement) -> None:
    """Fill ``owners`` on every finding that took bytes of Go code."""
    runs = ctx.cmp.runs
    if len(runs) == 0:
        return
    sides = [_CodeMap(ctx.a), _CodeMap(ctx.b)]
    if not any(s.ok for s in sides):
        return
    unit_top = [u.split("/", 1)[0] for u in runs.units]
    for f in ctx.findings:
        sel, got = settlement.run_bytes(f)
        if not len(sel):
            continue
        per: dict[tuple[str, str], list[Any]] = {}
        for side, offsets in ((sides[0], runs.a0[sel]), (sides[1], runs.b0[sel])):
            if not side.ok:
                continue
            todo = offsets >= 0
            if side is sides[1]:
                todo &= runs.a0[sel] < 0  # B only where A has nothing
            idx = np.flatnonzero(todo)
            if not len(idx):
                continue
            fn = side.functions(offsets[idx], [unit_top[u] for u in runs.unit[sel[idx]]])
            for i, k in zip(idx.tolist(), fn.tolist(), strict=True):
                if k < 0:
                    continue
                owner = side.owner(k)
                cur = per.setdefault(owner, [set(), 0.0])
                cur[0].add((side is sides[1], k))
                cur[1] += float(got[i])
        f.owners = [
            {"kind": kind, "owner": name or kind, "functions": len(v[0]), "bytes": round(v[1])}
            for (kind, name), v in sorted(per.items(), key=lambda kv: -kv[1][1])[:MAX_OWNERS]
            if round(v[1]) > 0
        ]


class _CodeMap:
    """File offset → Go function index → owning module, for one binary."""

    def __init__(self, binary: Binary) -> None:
        self.binary = binary
        tab = binary.pclntab
        self.ok = tab is not None and bool(tab.funcs)
        if not self.ok:
            return
        assert tab is not None
        self.funcs = tab.funcs
        self.entries = np.fromiter((f.entry for f in tab.funcs), dtype=np.uint64, count=len(tab.funcs))
        self.ends = np.fromiter((f.end for f in tab.funcs), dtype=np.uint64, count=len(tab.funcs))
        self._owner: dict[int, tuple[str, str]] = {}
        self._sections = {s.key: s for s in binary.image.sections if s.executable}
        for s in binary.image.sections:
            if s.executable:
                self._sections.setdefault(s.name, s)

    def functions(self, offsets: np.ndarray, units: list[str]) -> np.ndarray:
        """The function index at each file offset (-1 outside Go code)."""
        out = np.full(len(offsets), -1, dtype=np.int64)
        for name in set(units):
            sec = self._sections.get(name)
            if sec is None:
                continue
            mask = np.fromiter((u == name for u in units), dtype=bool, count=len(units))
            addr = (offsets[mask] - sec.offset + sec.addr).astype(np.uint64)
            k = np.searchsorted(self.entries, addr, side="right").astype(np.int64) - 1
            ok = (k >= 0) & (addr < self.ends[np.maximum(k, 0)])
            out[np.flatnonzero(mask)] = np.where(ok, k, -1)
        return out

    def owner(self, k: int) -> tuple[str, str]:
        """(kind, module) owning function ``k``."""
        got = self._owner.get(k)
        if got is None:
            got = module_of(package_of(self.funcs[k].name), self.binary.buildinfo)
            self._owner[k] = got
        return got
