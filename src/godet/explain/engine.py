"""Stage 3: run the detectors over a Comparison, settle their claims, and build the DiffReport.

Triage is cheap first: equal bytes end the work at once; otherwise units are compared (stage 2),
every detector names the causes it recognises and claims bytes, the claims are settled in rank
order (specific before broad, roots before consequences), and what nobody claimed is reported
as located residual.
"""

from __future__ import annotations

import copy
import gc
import importlib
import os
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from godet.arrays import apportion
from godet.compare.bytes import images_equal
from godet.compare.layout import compare
from godet.errors import GodetError, NotGoBinary
from godet.explain import model
from godet.explain.causes import CAUSES, LIBRARY_CODE, SAME_CODE, SAME_UPSTREAM
from godet.explain.detectors.base import EXTRA_DETECTOR_ERRORS, DiffContext, Evidence, Finding
from godet.explain.owners import attribute_owners, code_runs, library_code
from godet.explain.report import DiffReport, Residual, SectionSummary, Side
from godet.explain.settle import Settlement, settle
from godet.read.binary import Binary, open_binaries
from godet.sources.base import is_tree_input

if TYPE_CHECKING:
    from godet.explain.tree import TreeReport

# One module per cause family; each exposes detect(ctx) -> list[Finding].
DETECTORS = (
    "godet.explain.detectors.buildinfo",
    "godet.explain.detectors.paths",
    "godet.explain.detectors.identity",
    "godet.explain.detectors.structure",
    "godet.explain.detectors.content.xflags",
    "godet.explain.detectors.content.embed",
    "godet.explain.detectors.content.stamps",
    "godet.explain.detectors.content.order",
    "godet.explain.detectors.content.source",
    "godet.explain.detectors.content.strings",
    "godet.explain.detectors.content.cgo",
    "godet.explain.detectors.layout",
)
MAX_RESIDUALS = 40


def diff_paths(a: str, b: str, deep: bool = False, progress: bool = False) -> DiffReport | TreeReport:
    """Two files: explain their differences as Go binaries. Directories, archives, packages and
    images: the report tree of :mod:`godet.explain.tree`."""
    if is_tree_input(a) or is_tree_input(b):
        from godet.explain.tree import diff_trees

        plain = [p for p in (a, b) if not is_tree_input(p)]
        for p in plain:
            if not os.path.lexists(p):
                raise GodetError(p, "no such file")
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


def diff_binaries(a: Binary, b: Binary, deep: bool = False, given: Sequence[Finding] = ()) -> DiffReport:
    """Compare two opened binaries and explain every differing byte. ``given``: findings about the
    pair from where the binaries were found (their package), without claims, that join the causal
    model (a root they imply becomes their consequence)."""
    ha, hb = _Hasher(a), _Hasher(b)
    ha.start()
    hb.start()
    collecting = gc.isenabled()
    gc.disable()  # a diff makes ~10^5 acyclic objects: reference counting frees them, cycle scans only cost
    try:
        return _diff_binaries(a, b, deep, ha, hb, given)
    finally:  # every path, errors too: the hashers read the files, which close after this returns
        if collecting:
            gc.enable()
        ha.join()
        hb.join()


def _diff_binaries(
    a: Binary, b: Binary, deep: bool, ha: _Hasher, hb: _Hasher, given: Sequence[Finding] = ()
) -> DiffReport:
    if images_equal(a.image, b.image):  # (a sparse file's holes are not read)
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
    _release(a, b)
    ctx = DiffContext(a, b, cmp, deep=deep)
    for name in DETECTORS:
        module = importlib.import_module(name)
        ctx.findings.extend(_declared(_run(module.detect, ctx, name), module, name))
        _release(a, b)
    ctx.findings.extend(copy.copy(f) for f in given if SAME_CODE not in f.traits)
    if any(SAME_UPSTREAM in f.traits for f in given):  # one upstream source: what changed in libraries only
        for f in ctx.findings:
            if f.cause in ("source-change", "embedded-content") and library_code(ctx, f):
                f.traits = f.traits | {LIBRARY_CODE}
    if any(SAME_CODE in f.traits for f in given):  # a fact for the model, not a cause to report
        for f in ctx.findings:
            if f.cause in ("source-change", "string-literal"):
                f.traits = f.traits | {SAME_CODE}
    model.assign_roles(ctx.findings)
    model.fold_roots(ctx.findings)
    settlement = settle(ctx.findings, cmp.runs, log=code_runs(ctx))
    attribute_owners(ctx, settlement)
    model.settle_roles(ctx.findings)
    ha.join()
    hb.join()
    return _report(a, b, ha.digest, hb.digest, ctx, settlement, deep)


def _release(*binaries: Binary) -> None:
    """After a pass over the files: their pages leave godet's resident set (re-read from the page
    cache when needed), so peak memory is one pass's working set, not both files."""
    for b in binaries:
        b.image.release()


def _run(fn: Callable[[DiffContext], list[Finding]], ctx: DiffContext, name: str) -> list[Finding]:
    """One detector's findings; a detector that trips on odd inputs leaves a note instead."""
    try:
        return list(fn(ctx))
    except EXTRA_DETECTOR_ERRORS as e:
        ctx.a.notes.append(
            f"detector {name.rsplit('.', 1)[-1]} failed on these inputs ({e}); its causes are "
            "missing and their bytes stay unexplained"
        )
        return []


def _declared(found: list[Finding], module: ModuleType, name: str) -> list[Finding]:
    """``found``, after checking that each names a cause its module declares in ``EMITS``."""
    undeclared = {f.cause for f in found} - module.EMITS
    if undeclared:
        raise RuntimeError(f"detector {name} emitted undeclared causes {sorted(undeclared)}")
    return found


def _identical(a: Binary, b: Binary, ha: str, hb: str) -> DiffReport:
    rep = DiffReport(
        _side(a, ha),
        _side(b, hb),
        identical=True,
        verdict="Identical: the files are byte-for-byte equal.",
        verdict_kind="identical",
    )
    for s, x in ((rep.a, a), (rep.b, b)):
        s.go_version = x.go_version
    return rep


def _unrelated(a: Binary, b: Binary) -> list[Evidence] | None:
    """Evidence that A and B are not two builds of one program, or None if they may be."""
    from godet.explain.detectors.buildinfo import local_directories, main_moved_to_cmd, renamed_module

    ev = []
    if a.image.format != b.image.format:
        ev.append(Evidence("container", a.image.format, b.image.format))
    if a.image.arch != b.image.arch:
        ev.append(Evidence("architecture", a.image.arch, b.image.arch))
    if a.is_go != b.is_go:
        ev.append(Evidence("Go executable", str(a.is_go).lower(), str(b.is_go).lower()))
    ba, bb = a.buildinfo, b.buildinfo
    cla = "command-line-arguments"
    if (
        ba
        and bb
        and ba.path != bb.path
        and cla not in (ba.path, bb.path)
        and not renamed_module(ba, bb)
        and not local_directories(ba, bb)
        and not main_moved_to_cmd(ba, bb)
    ):
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
        verdict="Different programs: these are not two builds of the same source ("
        + "; ".join(f"{e.label} {e.a} vs {e.b}" for e in ev)
        + ").",
        verdict_kind="program",
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


# ---------------------------------------------------------------- the report


def _shown(f: Finding, explained: bool) -> bool:
    """Whether a finding belongs in the report: it took bytes, stands without claims, is a cause
    another one implies (vcs.time beside a new commit) whose evidence differs though its bytes went
    to a neighbour's claims, or a recorded setting that differs. A claimless cause whose evidence is
    the same in both builds (both built from a list of .go files) explains the differences only
    when no root that took bytes (``explained``) does."""
    entry = CAUSES[f.cause]
    if entry.claimless and explained and f.evidence and all(e.a == e.b for e in f.evidence):
        return False
    return (
        f.bytes > 0
        or entry.claimless
        or (f.role == "consequence" and not entry.consequence and bool(f.evidence))
        or (f.role == "root" and model.recorded_difference(f))
    )


def _report(
    a: Binary, b: Binary, ha: str, hb: str, ctx: DiffContext, settlement: Settlement, deep: bool
) -> DiffReport:
    cmp = ctx.cmp
    total = cmp.differing_bytes
    grouped = model.group(ctx.findings)
    explained = any(f.role == "root" and f.bytes > 0 for f in grouped)
    findings = [f for f in grouped if _shown(f, explained)]
    for f in findings:
        f.share = f.bytes / total if total else 0.0
    findings.sort(key=lambda f: (f.role != "root", -f.bytes, f.rank))
    residuals, unexplained_bytes = _residuals(ctx, settlement, deep)
    units = [
        SectionSummary(
            p.key,
            p.a.size if p.a else None,
            p.b.size if p.b else None,
            p.differing,
            p.how,
            p.a.offset if p.a else None,
            p.b.offset if p.b else None,
        )
        for p in cmp.pairs
    ]
    explained = total - unexplained_bytes
    verdict = model.verdict(findings, total, explained)
    rep = DiffReport(
        _side(a, ha),
        _side(b, hb),
        identical=False,
        verdict=verdict.sentence,
        verdict_kind=verdict.kind,
        differing_bytes=total,
        explained_bytes=explained,
        causes=findings,
        unexplained=residuals,
        unexplained_bytes=unexplained_bytes,
        sections=[u for u in units if u.differing or (u.a_size is None) != (u.b_size is None)],
        changed_functions=len(cmp.functions),
        notes=list(dict.fromkeys(a.notes + b.notes)),
        units=units,
    )
    _versions(rep, a, b)
    return rep


def _residuals(ctx: DiffContext, settlement: Settlement, deep: bool) -> tuple[list[Residual], int]:
    runs = ctx.cmp.runs
    remaining = settlement.remaining
    left = np.flatnonzero(remaining > 0.5)
    total = settlement.unexplained
    if not len(left):
        return [], 0
    groups: dict[str, list[int]] = {}
    for i in left:
        groups.setdefault(runs.units[runs.unit[i]], []).append(int(i))
    out: list[Residual] = []
    weights: list[float] = []  # bytes left in each residual's runs
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
                    bytes=0,  # whole bytes below
                    a_range=a_range,
                    b_range=b_range,
                    section=section,
                    function=fn,
                    symbol=_symbol_at(ctx.a, a_range[0]) if a_range and fn is None else None,
                )
            )
            weights.append(float(remaining[sel].sum()))
    for r, n in zip(out, apportion(np.array(weights), total).tolist(), strict=True):
        r.bytes = n  # whole bytes that add up to the unexplained total
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
    i = b.function_at(off)
    return b.pclntab.name(i) if i is not None and b.pclntab is not None else None


def _symbol_at(b: Binary, off: int) -> str | None:
    sec = b.image.section_at(off)
    if sec is None or not b.symbols.present:
        return None
    s = b.symbols.lookup(sec.addr + off - sec.offset)
    return s.name if s else None
