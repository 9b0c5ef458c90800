"""Content family: changed Go code (instructions that differ beyond their address operands)."""

from __future__ import annotations

from godet.compare import code as codecmp
from godet.explain.detectors.base import RANK, Claim, DiffContext, Evidence, Finding
from godet.explain.detectors.content.common import (
    code_explained,
    follow_claims,
    function_claims,
)

EMITS: frozenset[str] = frozenset(["source-change"])


def detect(ctx: DiffContext) -> list[Finding]:
    """Go functions whose instructions differ once addresses are normalised (compare/code.py), claimed
    as a fallback with the debug info and pc tables that follow the code. Skipped when an earlier
    cause (toolchain, flags, linkage) claims all code."""
    broad = code_explained(ctx, RANK["source-change"])
    if broad:
        if ctx.deep:
            _tell_broad_cause(ctx, broad, codecmp.changed_functions(ctx))
        return []
    return _source_change(ctx, codecmp.changed_functions(ctx))


def _tell_broad_cause(ctx: DiffContext, cause: str, v: codecmp.FunctionVerdicts) -> None:
    """--deep with a cause that explains all code: say how much of the code really changed."""
    f = next((f for f in ctx.findings if f.cause == cause), None)
    if f is None or not v.supported:
        return
    n = len(v.changed) + len(v.shifted) + len(v.reordered)
    f.summary += (
        f" Of {n + len(v.unchecked):,} differing functions, {n:,} were compared with address operands "
        f"normalised: {len(v.changed):,} have other instructions, {len(v.shifted):,} only moved"
        + (f", {len(v.reordered):,} were reordered" if v.reordered else "")
        + (f"; {len(v.unchecked):,} were not checked (--deep budget)" if v.unchecked else "")
        + "."
    )
    f.places.extend(fd.name for fd, _ in v.changed[:50])


def _source_change(ctx: DiffContext, verdicts: codecmp.FunctionVerdicts) -> list[Finding]:
    if not verdicts.changed:
        return []
    names = [fd.name for fd, _ in verdicts.changed]
    claims: list[Claim] = []
    ev: list[Evidence] = []
    for fd, cc in verdicts.changed:
        claims += function_claims(fd, fallback=True)
        for side, r in (("a", fd.a_range), ("b", fd.b_range)):
            if r:
                unit = _unit_of(ctx, side, r[0])
                if unit:
                    claims.append(Claim.unit(f"{unit}/{fd.name}", fallback=True))
        if len(ev) < 10:
            if cc is None:
                ev.append(
                    Evidence(
                        f"func {fd.name}",
                        "present" if fd.a_range else None,
                        "present" if fd.b_range else None,
                    )
                )
            else:
                ev.append(Evidence(f"func {fd.name}", cc.a_text, cc.b_text))
    claims += follow_claims(ctx)
    shifted = len(verdicts.shifted)
    note = f"; {shifted} other function(s) only moved (same instructions, other addresses)" if shifted else ""
    if verdicts.unchecked:
        note += (
            f"; {len(verdicts.unchecked)} differing function(s) were not disassembled "
            f"(limit {verdicts.limit})"
        )
    listed = ", ".join(names[:6]) + (" …" if len(names) > 6 else "")
    summary = f"The code of {len(names)} function(s) changed: {listed}{note}."
    return [Finding("source-change", summary, ev, claims, places=names[:50])]


def _unit_of(ctx: DiffContext, side: str, off: int) -> str | None:
    binary = ctx.a if side == "a" else ctx.b
    sec = binary.image.section_at(off)
    return sec.key if sec is not None else None
