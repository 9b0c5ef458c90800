"""Content family: C code compiled by cgo (the C compiler, the cgo flags, the C sources)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from godet.compare import code as codecmp
from godet.explain.detectors.base import RANK, Claim, DiffContext, Evidence, Finding
from godet.explain.detectors.content.common import (
    C_SUPPORT_UNITS,
    claims_code,
    follow_claims,
    relocating,
    relocation_only,
    section_name,
)
from godet.explain.detectors.structure import build_tools_evidence, in_words, is_dwarf_unit
from godet.read.addrnames import CGO_PREFIX, canonical_name
from godet.read.binary import Binary

EMITS: frozenset[str] = frozenset(["c-source-change", "c-toolchain", "cgo-flags", "layout-shift"])


@dataclass
class _CFunc:
    name: str
    addr: int
    size: int


def _c_functions(binary: Binary) -> dict[str, _CFunc]:
    """Code symbols outside the Go functions (C, assembly start-up), by name."""
    if not binary.symbols.present:
        return {}
    p = binary.pclntab
    code = [s for s in binary.symbols.symbols if s.kind in ("T", "t") and s.size > 0]
    if p is not None:
        addrs = np.fromiter((s.addr if 0 <= s.addr < 1 << 64 else 0 for s in code), np.uint64, len(code))
        in_go = p.indexes_at(addrs) >= 0
        code = [s for s, go in zip(code, in_go.tolist(), strict=True) if not go]
    out: dict[str, _CFunc] = {}
    for s in code:
        out.setdefault(canonical_name(s.name), _CFunc(s.name, s.addr, s.size))
    return out


def detect(ctx: DiffContext) -> list[Finding]:
    """C code (outside the Go functions) that really differs: the C compiler, the cgo flags or the C
    sources (the cgo preamble, .c files)."""
    # (beside -race, the linkage and C toolchain that differ are its runtime's)
    runtime = ("linkage", "c-toolchain") if _adds_c(ctx) else ()
    early = [f for f in ctx.findings if f.rank < RANK["source-change"] and f.cause not in runtime]
    blocking = [f for f in early if _compiles_c(f) and claims_code(ctx, f)]
    if blocking and not (all(_same_cgo_or_relocating(ctx, f) for f in blocking) and _runtime_cgo_alike(ctx)):
        return []  # a cause that explains all code (toolchain, flags, linkage) explains the C code too
    return _c_code(ctx)


def _same_cgo_or_relocating(ctx: DiffContext, f: Finding) -> bool:
    """_same_cgo, or a setting that only changes how the program is relocated and linked (-buildmode
    exe against pie: the C code loads its addresses relative to the instruction instead of as
    immediates), which _runtime_cgo_alike then sees through."""
    return _same_cgo(f) or (relocation_only(ctx) and relocating(f))


# Causes that recompile all Go code but hand gcc the same C: they do not explain C code that differs.
GO_ONLY = frozenset({"arch-level", "pgo-profile"})
GO_ONLY_SETTINGS = frozenset({"-gcflags", "-asmflags", "-cover", "-covermode", "GOFIPS140", "-pgo"})


# Settings that link C objects of their own (the race runtime's) but hand gcc the program's C as
# before: C functions in both builds still compare; those in one build only are that runtime's.
ADDS_C_SETTINGS = frozenset({"-race"})


def _compiles_c(f: Finding) -> bool:
    """Whether the cause may change the C code cgo compiles or links."""
    if f.cause == "build-setting" and f.key in GO_ONLY_SETTINGS | ADDS_C_SETTINGS:
        return False
    return f.cause not in GO_ONLY


def _same_cgo(f: Finding) -> bool:
    """A patch release or an experiment: the same cmd/cgo and runtime/cgo sources, unless its own
    C functions say otherwise (see _runtime_cgo_alike)."""
    if f.cause == "goexperiment":
        return True
    ev = f.evidence[0] if f.cause == "toolchain-version" and f.evidence else None
    minor = [re.match(r"go(\d+\.\d+)", v or "") for v in ((ev.a, ev.b) if ev else ())]
    return len(minor) == 2 and all(minor) and minor[0].group(1) == minor[1].group(1)  # type: ignore[union-attr]


RUNTIME_CGO = re.compile(r"x_cgo_|crosscall|_cgo_(?!C|export)")  # runtime/cgo's own C (not cgo's wrappers)
MIN_RUNTIME_CGO = 5  # of its functions compared before they vouch for the C compiler's output


def _runtime_cgo_alike(ctx: DiffContext) -> bool:
    """runtime/cgo's C functions (a control group, like the standard library for Go code) are the same
    in both builds but for their addresses: the C compiler and its flags did not change, so the
    program's C functions that differ changed by their source."""
    ca, cb = _c_functions(ctx.a), _c_functions(ctx.b)
    names = [n for n in ca if n in cb and RUNTIME_CGO.match(n)]
    if len(names) < MIN_RUNTIME_CGO:
        return False
    for n in names:
        ra, rb = _sym_range(ctx.a, ca[n]), _sym_range(ctx.b, cb[n])
        if ra is None or rb is None:
            return False
        if not _c_alike(ctx, ra, rb):
            return False
    return True


def _c_alike(ctx: DiffContext, ra: tuple[int, int], rb: tuple[int, int]) -> bool:
    """Whether C code at file ranges ``ra`` (A) and ``rb`` (B) is the same instructions: the same
    bytes, only other addresses, or (where only the relocation model differs) what that changes."""
    if bytes(ctx.a.image.data[ra[0] : ra[1]]) == bytes(ctx.b.image.data[rb[0] : rb[1]]):
        return True
    if codecmp.compare_ranges(ctx, ra, rb, pairs=False).verdict in ("same", "shifted"):
        return True
    return relocation_only(ctx) and codecmp.relocated_alike(ctx, ra, rb)


def _adds_c(ctx: DiffContext) -> bool:
    return any(f.cause == "build-setting" and f.key in ADDS_C_SETTINGS for f in ctx.findings)


def _c_moved(moved: dict[str, int]) -> list[Finding]:
    """C code that only moved with the Go code before it (``moved``: unit -> its bytes in A): the
    same instructions, other addresses and other alignment padding (code that grew by a non-multiple
    of a C function's alignment). A consequence of what moved it, claimed as a fallback."""
    if not moved:
        return []
    units = ", ".join(moved)
    found = Finding(
        "layout-shift",
        "The C code linked beside the Go functions moved with them: the same instructions, with other "
        "addresses and other alignment padding between its functions.",
        [Evidence("C code that moved", units, units)],
        [Claim.unit(u, fallback=True) for u in moved],
        places=[f"{u} ({n:,} bytes)" for u, n in moved.items()],
    )
    return [found]


def _c_code(ctx: DiffContext) -> list[Finding]:
    units = [u for u in ctx.cmp.runs.units if u.endswith(("/[before Go code]", "/[after Go code]"))]
    same_size_text = [u for u in ctx.cmp.runs.units if "/" not in u and _is_code(ctx, u)]
    if not units and not same_size_text:
        return []
    ca, cb = _c_functions(ctx.a), _c_functions(ctx.b)
    adds_c = _adds_c(ctx)
    # an added runtime brings its own C (and linkage); another relocation model other start files
    # (crt1.o's _dl_relocate_static_pie against Scrt1.o's): C functions in both builds still compare
    if adds_c or relocation_only(ctx):
        ca, cb = {k: v for k, v in ca.items() if k in cb}, {k: v for k, v in cb.items() if k in ca}
    if (ctx.a.symbols.present and ctx.b.symbols.present and (not ca or not cb)) or (
        not adds_c and any(f.cause == "linkage" for f in ctx.findings)
    ):
        return []  # C code in one build only: the linkage or CGO_ENABLED differs, not the C code
    changed: list[tuple[str, str, str]] = []  # (name, A, B)
    claims: list[Claim] = []
    moved: dict[str, int] = {}  # C units whose instructions are the same (only addresses and padding differ)
    if adds_c and not (ca and cb):
        return []  # the added runtime's C moved the rest: only names tell the program's C apart
    shifted = 0  # C functions (by name) whose instructions are the same at other addresses
    if ca and cb:  # by name; with one build stripped, names on one side only would pair nothing
        for key in dict.fromkeys([*ca, *cb]):
            x, y = ca.get(key), cb.get(key)
            name = x.name if x is not None else y.name  # type: ignore[union-attr]
            ra = _sym_range(ctx.a, x) if x else None
            rb = _sym_range(ctx.b, y) if y else None
            if ra and rb and bytes(ctx.a.image.data[ra[0] : ra[1]]) == bytes(ctx.b.image.data[rb[0] : rb[1]]):
                continue
            if ra and rb:
                cc = codecmp.compare_ranges(ctx, ra, rb)
                if cc.verdict in ("same", "shifted", "unsupported"):
                    shifted += cc.verdict == "shifted"
                    continue
                if relocation_only(ctx) and codecmp.relocated_alike(ctx, ra, rb):
                    shifted += 1
                    continue
                changed.append(
                    (
                        name,
                        f"{x.size} bytes: {cc.a_text}",  # type: ignore[union-attr]
                        f"{y.size} bytes: {cc.b_text}",
                    )
                )  # type: ignore[union-attr]
            else:
                changed.append((name, f"{x.size} bytes" if x else None, f"{y.size} bytes" if y else None))
            for side, r in (("a", ra), ("b", rb)):
                if r:
                    claims.append(Claim.range(side, r[0], r[1]))
    else:  # names on one side at most: the C code before and after the Go functions, each as one piece
        edges = [*units, *(f"{t}/[{w} Go code]" for t in same_size_text for w in ("before", "after"))]
        for u in dict.fromkeys(edges):
            ra, rb = _edge_range(ctx.a, u), _edge_range(ctx.b, u)
            cc = codecmp.compare_ranges(ctx, ra, rb) if ra or rb else None
            if cc is not None and cc.verdict == "shifted" and u in units and ra:
                moved[u] = ra[1] - ra[0]
            if cc is not None and cc.verdict not in ("same", "shifted", "unsupported"):
                where = f"C code {'before' if '[before' in u else 'after'} the Go functions"
                changed.append(
                    (
                        where,
                        f"{(ra[1] - ra[0]) if ra else 0} bytes: {cc.a_text}",
                        f"{(rb[1] - rb[0]) if rb else 0} bytes: {cc.b_text}",
                    )
                )
                if u not in units:  # a same-size section has no unit of its own for that piece
                    claims += [Claim.range(side, *r) for side, r in (("a", ra), ("b", rb)) if r]
    if not changed:
        if shifted:  # every C function the same, some at other addresses: the units moved with the Go code
            moved = {u: r[1] - r[0] for u in units if (r := _edge_range(ctx.a, u))}
        return _c_moved(moved)
    # beside a cause that recompiles only the Go code (GO_ONLY), the C units are this finding's first:
    # that cause's fallback claims would take them all (in coarse runs a function's share is tiny)
    go_only = any(f.rank < RANK["source-change"] and claims_code(ctx, f) for f in ctx.findings)
    for u in units:
        claims.append(Claim.unit(u, fallback=not go_only))
    tops = dict.fromkeys(u.split("/", 1)[0] for u in ctx.cmp.runs.units)
    claims += [
        Claim.unit(u, fallback=True)
        for u in tops
        if section_name(u) in C_SUPPORT_UNITS or u in C_SUPPORT_UNITS
    ]
    go_too = bool(codecmp.changed_functions(ctx).changed)
    if not go_too:  # the Go code is the same: DWARF changed with the C units it describes, and moved
        claims += [Claim.unit(u, fallback=True) for u in tops if is_dwarf_unit(u)]
    names = [c[0] for c in changed]
    listed = ", ".join(names[:6]) + (" …" if len(names) > 6 else "")
    ev = [Evidence(n if n.startswith("C code ") else f"C function {n}", a, b) for n, a, b in changed[:10]]
    cga, cgb = ctx.a.cgo, ctx.b.cgo
    same_cc = (cga.comment and cga.comment == cgb.comment) or (
        cga.c_producers and cga.c_producers == cgb.c_producers
    )
    if adds_c and not same_cc:  # the added runtime names the compiler that built it beside the program's
        shared = set(cga.comment or ()) & set(cgb.comment or ())
        same_cc = bool(shared) and shared in (set(cga.comment or ()), set(cgb.comment or ()))
    # (beside -race, a C toolchain differing only by the runtime's compiler is not the program's)
    runtime = ("c-toolchain",) if adds_c and same_cc else ()
    recorded = [
        f
        for f in ctx.findings
        if f.cause in ("c-toolchain", "cgo-flags") and f.in_both() and f.cause not in runtime
    ]
    existing = recorded[0] if recorded else None
    if existing is not None:  # the compiler or the recorded flags differ: their finding explains the code
        existing.claims.extend(_as_fallback(c) for c in claims)
        existing.evidence.extend(ev[:6])
        existing.places.extend(names[:20])
        existing.summary += f" The C code cgo compiled differs with it ({len(names)} C functions: {listed})."
        return []
    ba, bb = ctx.a.buildinfo, ctx.b.buildinfo
    flags_a = {k: v for k, v in (ba.settings if ba else []) if k.startswith("CGO_") and k != "CGO_ENABLED"}
    flags_b = {k: v for k, v in (bb.settings if bb else []) if k.startswith("CGO_") and k != "CGO_ENABLED"}
    also = " The Go code differs too." if go_too else " The Go code is the same."
    if same_cc:
        ev.append(
            Evidence(
                "C compiler",
                "; ".join(cga.comment or cga.c_producers[:1]),
                "; ".join(cgb.comment or cgb.c_producers[:1]),
            )
        )
    if flags_a or flags_b:
        ev += [Evidence(k, flags_a.get(k), flags_b.get(k)) for k in dict.fromkeys([*flags_a, *flags_b])]
    else:
        ev.append(Evidence("CGO_CFLAGS", "not recorded (-trimpath)", "not recorded (-trimpath)"))
    pa, pb = _cgo_prefixes(ctx.a), _cgo_prefixes(ctx.b)
    hashes_differ = bool(pa and pb and pa != pb)  # a stripped build has no names to compare
    if same_cc and (hashes_differ or ((flags_a or flags_b) and flags_a == flags_b)):
        # the compiler is the same, and either the cgo files' hash differs or the recorded flags are equal
        if hashes_differ:
            ev.append(Evidence("cgo file hash", ", ".join(sorted(pa)), ", ".join(sorted(pb))))
        claims += [_as_fallback(c) for c in follow_claims(ctx)]
        why = (
            "cmd/cgo's hash of the package's cgo files differs"
            if hashes_differ
            else "the recorded cgo flags are equal"
        )
        summary = (
            f"The C code compiled by cgo differs ({len(names)} C function(s): {listed}) while the C "
            f"compiler is the same and {why}: the C sources differ." + also
        )
        return [Finding("c-source-change", summary, ev, claims, places=names[:20])]
    if same_cc and not (flags_a and flags_b):  # one build or both do not record them (-trimpath)
        summary = (
            f"The C code compiled by cgo differs ({len(names)} C function(s): {listed}) while the C "
            "compiler is the same: the C compiler flags (CGO_CFLAGS, CGO_CPPFLAGS; -trimpath keeps "
            "them out of buildinfo) or the C sources differ." + also
        )
        return [Finding("cgo-flags", summary, ev, claims, places=names[:20])]
    tools = build_tools_evidence(cga.build_tools, cgb.build_tools)
    ev = tools + ev  # (what names the toolchain first, then the code it compiled otherwise)
    why = (
        "the recorded cgo flags are equal, so the C compiler, its headers or the C sources differ"
        if flags_a or flags_b
        else "the C compiler or its flags differ (neither is recorded here)"
    )
    if tools:
        why = f"the C toolchain differs: the linker recorded another build environment ({in_words(tools)})"
    summary = f"The C code compiled by cgo differs ({len(names)} C function(s): {listed}); {why}." + also
    return [Finding("c-toolchain", summary, ev, claims, places=names[:20])]


def _cgo_prefixes(binary: Binary) -> set[str]:
    """cmd/cgo's per-package prefixes (``_cgo_<hash of the package's cgo files>_``) in symbol names."""
    if not binary.symbols.present:
        return set()
    return {
        m.group()
        for s in binary.symbols.symbols
        if s.name.startswith("_cgo_") and (m := CGO_PREFIX.match(s.name)) is not None
    }


def _as_fallback(c: Claim) -> Claim:
    if c.side:
        return Claim.range(c.side, c.start, c.end, fallback=True)
    return Claim.unit(c.unit_key, fallback=True) if c.unit_key else c


def _edge_range(binary: Binary, unit: str) -> tuple[int, int] | None:
    """File range of the code before the first / after the last Go function of the unit's section."""
    sec = binary.image.section(unit.split("/", 1)[0])
    p = binary.pclntab
    if sec is None or p is None or not len(p):
        return None
    inside = np.flatnonzero((p.entries >= sec.addr) & (p.entries < sec.addr + sec.size))
    if not len(inside):
        return None
    if unit.endswith("[before Go code]"):
        lo, hi = sec.addr, int(p.entries[inside[0]])
    else:
        lo, hi = int(p.ends[inside].max()), sec.addr + sec.size
    if hi <= lo:
        return None
    return sec.offset + lo - sec.addr, sec.offset + hi - sec.addr


def _is_code(ctx: DiffContext, key: str) -> bool:
    sec = ctx.a.image.section(key)
    return sec is not None and sec.executable


def _sym_range(binary: Binary, f: _CFunc) -> tuple[int, int] | None:
    off = binary.image.va_to_offset(f.addr)
    return (off, off + f.size) if off is not None else None

