"""Changed code by owner: each finding's bytes in code, per module (main, a dependency, std).

After settlement every run of code a finding took is placed in its Go function (pclntab of
the side that has it), the function in its package and the package in its module, so a
multi-cause pair says "dependency golang.org/x/sys: 310 functions, 1.2 MB; toolchain: std,
3.1 MB" instead of one undivided share.
"""

from __future__ import annotations

import re

import numpy as np

from godet.arrays import unique_inverse
from godet.explain.causes import EMBED_USERS
from godet.explain.detectors.base import DiffContext, Finding
from godet.explain.settle import Settlement
from godet.read.binary import Binary
from godet.read.owners import STD, ModuleIndex, package_of

MAX_OWNERS = 12
MAX_CLAIMS_READ = 200_000  # claims of one finding placed in their functions (library_code) at most


def own_repository(binary: Binary) -> str | None:
    """The import path of the repository the main package lives in, by Go's layout convention:
    the main package's path up to its cmd/ directory (github.com/cli/cli/v2/cmd/gh gives
    github.com/cli/cli/v2), else that path itself; None without buildinfo."""
    bi = binary.buildinfo
    path = bi.path if bi is not None else ""
    if not path:
        return None
    head, sep, _ = path.partition("/cmd/")
    return head if sep else path.removesuffix("/cmd")


_PROMOTED = re.compile(r"^(.*?/[^/]*?)\.(\(\*?[A-Za-z_]\w*\)|[A-Za-z_]\w*)\.(.+/.+)$")


def _code_owner(name: str) -> str | None:
    """The package whose code a function is: its own, except for the wrapper the compiler writes
    for another package's unexported method promoted through an embedded field
    (``pkg.T.github.com/quic-go/quic-go.destroy``: quic-go's method set made it)."""
    m = _PROMOTED.match(name)
    if m is not None:
        return package_of(m.group(3)) or m.group(1)
    return package_of(name)


def library_code(ctx: DiffContext, finding: Finding) -> bool:
    """Whether all the code a finding names lies outside the main package's repository: the
    packages of the functions it claims (the comparison's units of code named after them;
    compiler-generated ones aside), and the packages that use a changed embed.FS. False when it
    names no package outside the standard library, or the main package is unknown."""
    root = own_repository(ctx.a) or own_repository(ctx.b)
    if root is None or len(finding.claims) > MAX_CLAIMS_READ:
        return False  # (unknown, or too much to read: it stays what it is)
    code = {s.key for b in (ctx.a, ctx.b) for s in b.image.sections if s.executable}
    pkgs: set[str] = set()
    for c in finding.claims:
        top, sep, func = c.unit_key.partition("/")
        if sep and top in code and not func.startswith("["):
            name: str | None = func  # a unit of code named after its function
        elif c.side and not c.unit_key and not c.fallback:  # (a fallback: code that may only have moved)
            binary = ctx.a if c.side == "a" else ctx.b
            sec, tab = binary.image.section_at(c.start), binary.pclntab
            i = tab.index_at(sec.addr + c.start - sec.offset) if sec and sec.executable and tab else None
            name = tab.name(i) if tab is not None and i is not None else None
        else:
            name = None
        pkg = _code_owner(name) if name else None
        if pkg is not None:
            pkgs.add(pkg)
    for e in finding.evidence:
        if e.label == EMBED_USERS:
            pkgs |= {p for v in (e.a, e.b) if isinstance(v, str) for p in v.split(", ") if p}
    # the standard library's functions come and go with whoever calls them: they decide nothing
    std = ModuleIndex(None)
    named = {p for p in pkgs if std.owner(p)[0] != STD}
    return bool(named) and not any(p == "main" or p == root or p.startswith(root + "/") for p in pkgs)


def code_runs(ctx: DiffContext) -> np.ndarray:
    """Mask of the runs that lie in executable sections (the ones worth attributing to owners)."""
    runs = ctx.cmp.runs
    code = {s.key for b in (ctx.a, ctx.b) for s in b.image.sections if s.executable}
    code |= {s.name for b in (ctx.a, ctx.b) for s in b.image.sections if s.executable}
    per_unit = np.fromiter(
        (u.split("/", 1)[0] in code for u in runs.units), dtype=bool, count=len(runs.units)
    )
    return per_unit[runs.unit] if len(runs) else np.zeros(0, dtype=bool)


def attribute_owners(ctx: DiffContext, settlement: Settlement) -> None:
    """Fill ``owners`` on every finding that took bytes of Go code."""
    runs = ctx.cmp.runs
    if len(runs) == 0:
        return
    sides = [_CodeMap(ctx.a), _CodeMap(ctx.b)]
    if not any(s.ok for s in sides):
        return
    unit_top = np.array([u.split("/", 1)[0] for u in runs.units], dtype=object)
    for f in ctx.findings:
        sel, got = settlement.run_bytes(f)
        if not len(sel):
            continue
        owner_bytes: dict[tuple[str, str], float] = {}
        owner_funcs: dict[tuple[str, str], int] = {}
        for n, (side, offsets) in enumerate(((sides[0], runs.a0[sel]), (sides[1], runs.b0[sel]))):
            if not side.ok:
                continue
            todo = offsets >= 0 if n == 0 else (offsets >= 0) & (runs.a0[sel] < 0)  # B where A has none
            idx = np.flatnonzero(todo)
            if not len(idx):
                continue
            fn = side.functions(offsets[idx], unit_top[runs.unit[sel[idx]]])
            ok = fn >= 0
            funcs, inverse = unique_inverse(fn[ok])
            per_func = np.bincount(inverse, weights=got[idx][ok].astype(np.float64), minlength=len(funcs))
            for k, b in zip(funcs.tolist(), per_func.tolist(), strict=True):
                owner = side.owner(k)
                owner_bytes[owner] = owner_bytes.get(owner, 0.0) + b
                owner_funcs[owner] = owner_funcs.get(owner, 0) + 1
        ranked = sorted(owner_bytes.items(), key=lambda kv: -kv[1])[:MAX_OWNERS]
        f.owners = [
            {"kind": kind, "owner": name or kind, "functions": owner_funcs[(kind, name)], "bytes": round(b)}
            for (kind, name), b in ranked
            if round(b) > 0
        ]


class _CodeMap:
    """File offset → Go function index → owning module, for one binary."""

    def __init__(self, binary: Binary) -> None:
        self.binary = binary
        tab = binary.pclntab
        self.ok = tab is not None and len(tab) > 0
        if not self.ok:
            return
        assert tab is not None
        self.tab = tab
        self._owner: dict[int, tuple[str, str]] = {}
        self._modules = ModuleIndex(binary.buildinfo)
        self._sections = {s.key: s for s in binary.image.sections if s.executable}
        for s in binary.image.sections:
            if s.executable:
                self._sections.setdefault(s.name, s)

    def functions(self, offsets: np.ndarray, units: np.ndarray) -> np.ndarray:
        """The function index at each file offset (-1 outside Go code); ``units``: each offset's section."""
        out = np.full(len(offsets), -1, dtype=np.int64)
        for name in set(units.tolist()):
            sec = self._sections.get(name)
            if sec is None:
                continue
            mask = units == name
            addr = (offsets[mask] - sec.offset + sec.addr).astype(np.uint64)
            out[np.flatnonzero(mask)] = self.tab.indexes_at(addr)
        return out

    def owner(self, k: int) -> tuple[str, str]:
        """(kind, module) owning function ``k``."""
        got = self._owner.get(k)
        if got is None:
            got = self._modules.owner(package_of(self.tab.name(k)))
            self._owner[k] = got
        return got
