"""Stage 3: run the detectors over a Comparison, settle their claims, and build the DiffReport.

Triage is cheap first: equal bytes end the work at once; otherwise units are compared (stage 2),
every detector names the causes it recognises and claims bytes, the claims are settled in rank
order (specific before broad, roots before consequences), and what nobody claimed is reported
as located residual.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from godet.compare.bytes import as_array, bytes_equal
from godet.compare.layout import Comparison, compare
from godet.errors import GodetError, NotGoBinary
from godet.explain.detectors.base import EXTRA_DETECTOR_ERRORS, Claim, DiffContext, Evidence, Finding
from godet.explain.report import DiffReport, Residual, SectionSummary, Side
from godet.read.binary import Binary, open_binaries

if TYPE_CHECKING:
    from godet.explain.tree import TreeReport

# One module per cause family; each exposes detect(ctx) -> list[Finding].
DETECTORS = (
    "godet.explain.detectors.buildinfo",
    "godet.explain.detectors.paths",
    "godet.explain.detectors.identity",
    "godet.explain.detectors.structure",
    "godet.explain.detectors.content",
    "godet.explain.detectors.layout",
)
MAX_RESIDUALS = 40


def diff_paths(a: str, b: str, deep: bool = False, progress: bool = False) -> DiffReport | TreeReport:
    """Two files: explain their differences as Go binaries. Directories, archives, packages and
    images: the report tree of :mod:`godet.explain.tree`."""
    from godet.explain.tree import diff_trees, is_tree_input

    if is_tree_input(a) or is_tree_input(b):
        plain = [p for p in (a, b) if not is_tree_input(p)]
        if plain and (os.path.isdir(a) or os.path.isdir(b)):
            d = a if os.path.isdir(a) else b
            raise GodetError(d, f"is a directory and {plain[0]} is not a directory, archive or image")
        return diff_trees(a, b, deep=deep, progress=progress)
    with open_binaries(a) as xs, open_binaries(b) as ys:
        x, y = _pick_slices(xs, ys)
        return diff_binaries(x, y, deep=deep)


def _pick_slices(xs: list[Binary], ys: list[Binary]) -> tuple[Binary, Binary]:
    """The pair of images to compare: the only ones, or the fat slices of the same architecture."""
    if len(xs) == 1 and len(ys) == 1:
        return xs[0], ys[0]
    for x in xs:
        for y in ys:
            if x.image.arch == y.image.arch:
                return x, y
    return xs[0], ys[0]


class _Hasher(threading.Thread):
    """SHA-256 of a mapped file in the background (hashlib releases the GIL)."""

    def __init__(self, binary: Binary) -> None:
        super().__init__(daemon=True)
        self.binary = binary
        self.digest = ""

    def run(self) -> None:
        self.digest = self.binary.sha256  # streamed and capped by the reader (never the whole map)


def _side(b: Binary, digest: str) -> Side:
    return Side(path=b.label, size=b.image.size, sha256=digest, format=b.image.format, arch=b.image.arch)


def diff_binaries(a: Binary, b: Binary, deep: bool = False) -> DiffReport:
    """Compare two opened binaries and explain every differing byte."""
    ha, hb = _Hasher(a), _Hasher(b)
    ha.start()
    hb.start()
    da, db = as_array(a.image.data), as_array(b.image.data)
    if len(da) == len(db) and bytes_equal(da, db):
        ha.join()
        hb.join()
        return _identical(a, b, ha.digest, hb.digest)
    if not a.is_go and not b.is_go:
        raise NotGoBinary(a.path, "not a Go executable (and neither is the other file): nothing to explain")
    unrelated = _unrelated(a, b)
    if unrelated is not None:
        ha.join()
        hb.join()
        return _unrelated_report(a, b, ha.digest, hb.digest, unrelated)
    from godet.explain.detectors.buildinfo import compiler_output_differs

    cmp = compare(a, b, coarse=compiler_output_differs(a.buildinfo, b.buildinfo))
    ctx = DiffContext(a, b, cmp, deep=deep)
    for name in DETECTORS:
        module = importlib.import_module(name)
        ctx.findings.extend(_run(module.detect, ctx, name))
    _implied(ctx.findings)
    remaining = settle(ctx.findings, cmp)
    _label_roles(ctx.findings, cmp)
    ha.join()
    hb.join()
    report = _report(a, b, ha.digest, hb.digest, ctx, remaining, deep)
    return report


def _run(fn: Callable[[DiffContext], list[Finding]], ctx: DiffContext, name: str) -> list[Finding]:
    try:
        return list(fn(ctx))
    except EXTRA_DETECTOR_ERRORS as e:
        ctx.a.notes.append(
            f"detector {name.rsplit('.', 1)[-1]} failed on these inputs ({e}); its causes are "
            "missing and their bytes stay unexplained"
        )
        return []


def _identical(a: Binary, b: Binary, ha: str, hb: str) -> DiffReport:
    rep = DiffReport(
        _side(a, ha), _side(b, hb), identical=True, verdict="identical: the files are byte-for-byte equal"
    )
    for s, x in ((rep.a, a), (rep.b, b)):
        s.go_version = x.go_version
    return rep


def _unrelated(a: Binary, b: Binary) -> list[Evidence] | None:
    """Evidence that A and B are not two builds of one program, or None if they may be."""
    ev = []
    if a.image.format != b.image.format:
        ev.append(Evidence("container", a.image.format, b.image.format))
    if a.image.arch != b.image.arch:
        ev.append(Evidence("architecture", a.image.arch, b.image.arch))
    if a.is_go != b.is_go:
        ev.append(Evidence("Go executable", str(a.is_go).lower(), str(b.is_go).lower()))
    ba, bb = a.buildinfo, b.buildinfo
    if ba and bb and ba.path != bb.path and "command-line-arguments" not in (ba.path, bb.path):
        ev.append(Evidence("main package", ba.path, bb.path))
    if ba and bb:
        for key in ("GOOS", "GOARCH"):
            if ba.setting(key) != bb.setting(key):
                ev.append(Evidence(key, ba.setting(key), bb.setting(key)))
    return ev or None


def _unrelated_report(a: Binary, b: Binary, ha: str, hb: str, ev: list[Evidence]) -> DiffReport:
    f = Finding(
        "unrelated-programs",
        "These are not two builds of the same program: " + "; ".join(f"{e.label} {e.a} vs {e.b}" for e in ev),
        evidence=ev,
    )
    total = max(a.image.size, b.image.size)
    f.bytes, f.share = total, 1.0
    rep = DiffReport(
        _side(a, ha),
        _side(b, hb),
        identical=False,
        related=False,
        verdict="different programs: not two builds of the same source",
        differing_bytes=total,
        explained_bytes=total,
        causes=[f],
    )
    _versions(rep, a, b)
    return rep


def _versions(rep: DiffReport, a: Binary, b: Binary) -> None:
    rep.a.go_version, rep.b.go_version = a.go_version, b.go_version
    rep.a.go_build_id = a.go_build_id.value if a.go_build_id else ""
    rep.b.go_build_id = b.go_build_id.value if b.go_build_id else ""


# A finding that another one implies is its consequence: (cause, evidence label or None) → causers.
IMPLIED: dict[str, tuple[tuple[str, str | None], ...]] = {
    "default-godebug": (("toolchain-version", None),),
    "dwarf": (("toolchain-version", None), ("goexperiment", None)),
    "linkage": (("build-setting", "CGO_ENABLED"), ("build-setting", "-ldflags"), ("toolchain-version", None)),
    "c-toolchain": (("build-setting", "CGO_ENABLED"),),
    "symbol-table": (("build-setting", "-ldflags"),),
}


def _implied(findings: list[Finding]) -> None:
    """Mark findings that follow from another finding as its consequences (DWARF 5 from the toolchain...)."""
    present = {(f.cause, f.key) for f in findings} | {(f.cause, None) for f in findings}
    for f in findings:
        if f.role != "root":
            continue
        if f.cause == "dwarf" and f.evidence and f.evidence[0].label == "DWARF":
            continue  # present vs absent: a root cause of its own (-w, -s, strip)
        for cause, key in IMPLIED.get(f.cause, ()):
            if (cause, key) in present:
                f.role = "consequence"
                f.because = cause
                break


# ---------------------------------------------------------------- settling claims


def settle(findings: list[Finding], cmp: Comparison) -> np.ndarray:
    """Give each run's bytes to the claims in rank order; returns the bytes left per run."""
    runs = cmp.runs
    remaining = runs.weight.astype(np.float64)
    if len(runs) == 0:
        return remaining
    sides = {"a": _SideIndex(runs.a0, runs.a1), "b": _SideIndex(runs.b0, runs.b1)}
    unit_runs = _unit_index(runs.units, runs.unit)
    ordered = sorted(findings, key=lambda f: f.rank)
    per_unit: dict[int, np.ndarray] = {}
    for fallback in (False, True):
        for f in ordered:
            claims = [c for c in f.claims if c.fallback == fallback]
            if not claims:
                continue
            acc = per_unit.setdefault(id(f), np.zeros(len(runs.units), dtype=np.float64))
            for side, spans in _merged_ranges(claims).items():
                sel, frac = sides[side].overlap(spans)
                _take(remaining, sel, runs.weight[sel] * frac, runs.unit, acc)
            for c in claims:
                if c.unit_key:
                    sel = unit_runs(c.unit_key)
                    _take(remaining, sel, remaining[sel].copy(), runs.unit, acc)
                elif c.mask is not None:
                    sel = np.flatnonzero(c.mask)
                    _take(remaining, sel, remaining[sel].copy(), runs.unit, acc)
    for f in findings:
        acc = per_unit.get(id(f))
        if acc is None:
            continue
        f.bytes = round(acc.sum())
        f.regions = _regions(runs.units, acc)
    return remaining


def _take(
    remaining: np.ndarray, sel: np.ndarray, amount: np.ndarray, unit: np.ndarray, acc: np.ndarray
) -> None:
    if len(sel) == 0:
        return
    got = np.minimum(remaining[sel], amount)
    remaining[sel] -= got
    acc += np.bincount(unit[sel], weights=got, minlength=len(acc))


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
        pos = np.unique(np.repeat(lo, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)))
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


def _merged_ranges(claims: list[Claim]) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for side in ("a", "b"):
        spans = sorted((c.start, c.end) for c in claims if c.side == side and c.end > c.start)
        merged: list[tuple[int, int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        if merged:
            out[side] = merged
    return out


def _unit_index(units: list[str], unit: np.ndarray) -> Callable[[str], np.ndarray]:
    cache: dict[str, np.ndarray] = {}
    order = np.argsort(unit, kind="stable")
    bounds = np.searchsorted(unit[order], np.arange(len(units) + 1))

    # a unit key names itself and, for a section, all of its pieces ("sec/piece")
    members: dict[str, list[int]] = {}
    for i, u in enumerate(units):
        members.setdefault(u, []).append(i)
        if "/" in u:
            members.setdefault(u.split("/", 1)[0], []).append(i)

    def runs_of(key: str) -> np.ndarray:
        if key not in cache:
            parts = [order[bounds[i] : bounds[i + 1]] for i in members.get(key, ())]
            cache[key] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return cache[key]

    return runs_of


def _regions(units: list[str], acc: np.ndarray) -> list[dict]:
    per: dict[str, float] = {}
    for i in np.flatnonzero(acc > 0.5):
        top = units[i].split("/", 1)[0]
        per[top] = per.get(top, 0.0) + float(acc[i])
    return [{"section": k, "bytes": round(v)} for k, v in sorted(per.items(), key=lambda kv: -kv[1])]


# Causes whose evidence stands without byte claims (they say how the build was run).
CLAIMLESS = {"command-line-files"}
STAMPS = ["go-build-id", "gnu-build-id", "macho-uuid", "code-signature"]


def _label_roles(findings: list[Finding], cmp: Comparison) -> None:
    """Consequences stay consequences only when a root cause exists; name what they follow from."""
    for f in findings:
        f.direct_bytes = f.bytes
    roots = [f for f in findings if f.role == "root"]
    if not roots:
        # Only identity stamps differ: the most fundamental one (the Go build ID, from which the GNU
        # ID and the Mach-O UUID derive) is the root cause, the others follow from it.
        stamps = sorted(
            (f for f in findings if f.cause in STAMPS and f.bytes), key=lambda f: STAMPS.index(f.cause)
        )
        if not stamps:
            return
        stamps[0].role = "root"
        stamps[0].summary += " Nothing else differs."
        roots = [stamps[0]]
    top = max(roots, key=lambda f: (f.bytes, -f.rank))
    by_cause = {f.cause: f for f in sorted(roots, key=lambda f: -f.bytes)}
    for f in findings:
        if f.role == "consequence":
            if not f.because or f.because not in by_cause:
                f.because = top.cause
            by_cause[f.because].bytes += f.direct_bytes


# ---------------------------------------------------------------- the report


def _report(
    a: Binary, b: Binary, ha: str, hb: str, ctx: DiffContext, remaining: np.ndarray, deep: bool
) -> DiffReport:
    cmp = ctx.cmp
    total = cmp.differing_bytes
    findings = [f for f in ctx.findings if f.bytes > 0 or f.cause in CLAIMLESS]
    for f in findings:
        f.share = f.bytes / total if total else 0.0
    findings.sort(key=lambda f: (f.role != "root", -f.bytes, f.rank))
    explained = round(float(cmp.runs.weight.sum() - remaining.sum()))
    residuals, unexplained_bytes = _residuals(ctx, remaining, deep)
    rep = DiffReport(
        _side(a, ha),
        _side(b, hb),
        identical=False,
        verdict=_verdict(findings, total, explained),
        differing_bytes=total,
        explained_bytes=explained,
        causes=findings,
        unexplained=residuals,
        unexplained_bytes=unexplained_bytes,
        sections=[
            SectionSummary(p.key, p.a.size if p.a else None, p.b.size if p.b else None, p.differing, p.how)
            for p in cmp.pairs
            if p.differing or (p.a is None) != (p.b is None)
        ],
        changed_functions=len(cmp.functions),
        notes=list(dict.fromkeys(a.notes + b.notes)),
    )
    _versions(rep, a, b)
    return rep


def _verdict(findings: list[Finding], total: int, explained: int) -> str:
    roots = [f for f in findings if f.role == "root" and f.bytes]
    pct = 100.0 * explained / total if total else 100.0
    if not roots:
        return f"different: {total:,} bytes differ, no known cause found"
    names = ", ".join(dict.fromkeys(f.title.lower() for f in roots[:3]))
    return f"different: {total:,} bytes differ; {pct:.1f}% explained by: {names}"


def _residuals(ctx: DiffContext, remaining: np.ndarray, deep: bool) -> tuple[list[Residual], int]:
    runs = ctx.cmp.runs
    left = np.flatnonzero(remaining > 0.5)
    total = round(float(remaining[left].sum())) if len(left) else 0
    if not len(left):
        return [], 0
    groups: dict[str, list[int]] = {}
    for i in left:
        groups.setdefault(runs.units[runs.unit[i]], []).append(int(i))
    out: list[Residual] = []
    for unit, ids in groups.items():
        section = unit.split("/", 1)[0]
        func = unit.split("/", 1)[1] if "/" in unit and not unit.split("/", 1)[1].startswith("[") else None
        byfunc: dict[str | None, list[int]] = {}
        if func is None and ctx.a.pclntab is not None:
            for i in ids:
                fn = _func_at_offset(ctx.a, int(runs.a0[i]))
                byfunc.setdefault(fn, []).append(i)
        else:
            byfunc[func] = ids
        for fn, members in byfunc.items():
            sel = np.array(members)
            a0 = runs.a0[sel]
            b0 = runs.b0[sel]
            a_range = (int(a0[a0 >= 0].min()), int(runs.a1[sel][a0 >= 0].max())) if (a0 >= 0).any() else None
            b_range = (int(b0[b0 >= 0].min()), int(runs.b1[sel][b0 >= 0].max())) if (b0 >= 0).any() else None
            out.append(
                Residual(
                    unit=unit,
                    bytes=round(float(remaining[sel].sum())),
                    a_range=a_range,
                    b_range=b_range,
                    section=section,
                    function=fn,
                    symbol=_symbol_at(ctx.a, a_range[0]) if a_range and fn is None else None,
                )
            )
    out.sort(key=lambda r: -r.bytes)
    out = [r for r in out if r.bytes > 0]
    if deep:
        from godet.compare.code import disassemble_residual

        for r in out[:MAX_RESIDUALS]:
            disassemble_residual(ctx, r)
    if len(out) > MAX_RESIDUALS:
        rest = out[MAX_RESIDUALS:]
        out = out[:MAX_RESIDUALS]
        out.append(
            Residual(
                unit="(more)",
                bytes=sum(r.bytes for r in rest),
                a_range=None,
                b_range=None,
                section="(several)",
                note=f"{len(rest)} more places",
            )
        )
    return out, total


def _func_at_offset(b: Binary, off: int) -> str | None:
    if off < 0 or b.pclntab is None:
        return None
    sec = b.image.section_at(off)
    if sec is None or not sec.executable:
        return None
    fn = b.pclntab.func_at(sec.addr + off - sec.offset)
    return fn.name if fn else None


def _symbol_at(b: Binary, off: int) -> str | None:
    sec = b.image.section_at(off)
    if sec is None or not b.symbols.present:
        return None
    s = b.symbols.lookup(sec.addr + off - sec.offset)
    return s.name if s else None
