"""Content family: string data (string and []byte variables, string literals of read-only data)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

import numpy as np

from godet.compare import code as codecmp
from godet.compare.align import MIN_BLOCK, NO_SHIFT, align_blocks, true_runs, unaligned
from godet.compare.bytes import as_array
from godet.explain.causes import (
    APART_FROM_VERSIONS,
    BUMP_LITERALS,
    C_LITERALS,
    CAUSES,
    CGO_ONE_SIDE,
    GO_LITERALS,
    LISTED_VERSIONS,
    MOVED_LINES,
    OWN_LITERALS,
    REACHED_BY_VERSIONS,
    STD_LITERALS,
    STD_UNCHANGED,
    implied_by,
    implies,
    is_broad,
)
from godet.explain.detectors.base import (
    PATH_PREFIX,
    RANK,
    Claim,
    DiffContext,
    Evidence,
    Finding,
    cgo_one_side,
    merge_spans,
    merged_ranges,
    raw_bytes,
)
from godet.explain.detectors.content.common import (
    DATA_NAMES,
    MAX_HEADER_RUNS,
    MAX_RUNS,
    RUNTIME_STR,
    Run,
    State,
    as_text,
    clusters,
    code_explained,
    digest,
    from_first_diff,
    function_claims,
    looks_like,
    mostly_text,
    preview,
    read_at,
    section_index,
    section_name,
    section_starts,
    string_around,
    type_descriptors,
    va_at,
    va_claims,
    va_to_offsets,
    vas_at,
)
from godet.explain.detectors.content.embed import listed_versions
from godet.explain.detectors.content.source import std_compiled_alike
from godet.read.binary import Binary
from godet.read.coderefs import (
    BlobIndex,
    blob_index,
    functions_loading,
    literal_loaders,
    loaded_strings,
    own_literals,
    own_variables,
)
from godet.read.formats import section_names
from godet.read.image import Section
from godet.read.inltree import inlined_functions
from godet.read.owners import DEP, GENERATED, MAIN, ModuleIndex, in_modules, package_of
from godet.read.owners import STD as STD_KIND  # (strings.py has no other STD)
from godet.read.strdata import literal_origin
from godet.read.xflags import LINKER_STRINGS

EMITS: frozenset[str] = frozenset(["embedded-content", "ldflags-x", "string-literal"])
MAX_PLACES = 50  # functions a source-change finding names in its places (source.py: names[:50])


def detect(ctx: DiffContext) -> list[Finding]:
    """String and []byte variables whose data differs (found through their {ptr, len} header), then
    the string literals of read-only data, aligned so that strings moved by a length change follow it."""
    try:
        return _detect(ctx)
    finally:  # (what the loads of the blob derived for this detector need not outlive it)
        for binary in (ctx.a, ctx.b):
            loads = binary.image.memo.get("literal-loads")
            if loads is not None:
                loads.trim()


def _detect(ctx: DiffContext) -> list[Finding]:
    if ctx.cmp.coarse:  # the compiler's output differs throughout: variables by name, literals by blob
        found = _var_findings(ctx, string_vars(ctx, State.of(ctx), _named_vars(ctx), set()))
        return found + _blob_literals(ctx, found)
    st = State.of(ctx)
    seen: set[tuple[int, int]] = set()
    broad = code_explained(ctx, RANK["source-change"])
    lit = not broad  # (the literals' step runs)
    diffs = string_vars(ctx, st, vars_by_data(ctx, st), seen, lit)
    diffs += string_vars(ctx, st, _vars_by_header(ctx, st), seen, lit)
    # and by name: a variable whose data moved with other strings may not show in the runs
    diffs += string_vars(ctx, st, _named_vars(ctx), seen, lit)
    # and in place: a variable's header the same in both builds while its data differs (its data's
    # runs merged with other changed strings into clusters no one variable holds)
    diffs += string_vars(ctx, st, _vars_in_place(ctx), seen, lit)
    literals: list[VarDiff] = []
    out = _var_findings(ctx, diffs, None if broad else literals)
    if not broad:
        out += _literals(ctx, st, out)
        out += _join_literals(ctx, out, literals)
    else:  # another cause explains all code (the external linker, another toolchain): by blob
        out += _blob_literals(ctx, out)
    return out


def _join_literals(ctx: DiffContext, found: list[Finding], literals: list[VarDiff]) -> list[Finding]:
    """Each variable initialised with a source literal joins the finding that took its data as a
    changed literal (string-literal, or the code change the literals changed with), its header
    with it; variables whose data no finding took are embedded content after all."""
    rest = []
    for d in literals:
        owner = _literal_owner(ctx, found, d)
        if owner is None:
            rest.append(d)
            continue
        owner.claims.extend(d.claims)
        if len(owner.evidence) < 12:
            name = d.xa.name or d.xb.name or f"string variable at {d.xa.hdr_va:#x}"
            owner.evidence.append(Evidence(name, preview(d.da), preview(d.db)))
    return _var_findings(ctx, [replace(d, literal=False, claims=d.everything) for d in rest])


def _literal_owner(ctx: DiffContext, found: list[Finding], d: VarDiff) -> Finding | None:
    """The finding with a precise claim on the variable's data, this detector's first."""
    spans = [(c.side, c.start, c.end) for c in d.data]
    for f in [*found, *ctx.findings]:
        for c in f.claims:
            if c.fallback or c.side not in ("a", "b"):
                continue
            if any(side == c.side and c.start < e and s < c.end for side, s, e in spans):
                return f
    return None


@dataclass
class StringVar:
    hdr_va: int
    ptr: int
    length: int
    name: str | None
    hdr_size: int = 0


def vars_by_data(ctx: DiffContext, st: State) -> list[tuple[StringVar, StringVar]]:
    """Variables whose string data holds a cluster of differing runs (same-size data)."""
    pend = [r for r in st.pending() if r.a0 >= 0 and r.b0 >= 0 and r.a1 - r.a0 == r.b1 - r.b0]
    out = []
    memo: dict[tuple[int, int, int, int], tuple[StringVar, StringVar] | None] = ctx.memo.setdefault(
        "vars_by_data", {}
    )  # the variable around a cluster depends on the cluster only (several detectors ask)
    for cl in clusters(pend, 32)[:MAX_HEADER_RUNS]:
        key = (cl[0].a0, cl[-1].a1, cl[0].b0, cl[-1].b1)
        if key not in memo:
            memo[key] = _cluster_var(ctx, *key)
        if memo[key] is not None:
            out.append(memo[key])  # type: ignore[arg-type]
    return out


def _cluster_var(ctx: DiffContext, a0: int, a1: int, b0: int, b1: int) -> tuple[StringVar, StringVar] | None:
    """The string variable of each build whose data holds the file ranges [a0, a1) and [b0, b1)."""
    lo_a, hi_a = va_at(ctx.a, a0), va_at(ctx.a, a1 - 1)
    lo_b, hi_b = va_at(ctx.b, b0), va_at(ctx.b, b1 - 1)
    if lo_a is None or hi_a is None or lo_b is None or hi_b is None:
        return None
    xa = _string_var(ctx.a, lo_a, hi_a + 1)
    xb = _string_var(ctx.b, lo_b, hi_b + 1)
    return (xa, xb) if xa is not None and xb is not None else None


def _vars_by_header(ctx: DiffContext, st: State) -> list[tuple[StringVar, StringVar]]:
    """Variables whose {ptr, len} header differs (the string moved or changed length)."""
    h = ctx.a.string_headers
    ha, pa, la = h.addr, h.ptr, h.length
    if not len(ha):
        return []
    order = np.argsort(ha, kind="stable")
    hs = ha[order]
    ps = ctx.a.image.ptr_size
    both_named = ctx.a.symbols.names_go and ctx.b.symbols.names_go
    pend = [r for r in st.pending()[:MAX_RUNS] if r.a0 >= 0 and r.b0 >= 0]
    if not pend:
        return []
    a0 = np.array([r.a0 for r in pend], dtype=np.int64)
    a1 = np.array([r.a1 for r in pend], dtype=np.int64)
    b0 = np.array([r.b0 for r in pend], dtype=np.int64)
    va, vb = vas_at(ctx.a, a0), vas_at(ctx.b, b0)
    ok = (va >= 0) & (vb >= 0)
    if not both_named:  # without names on both sides a header is paired by place: in same-size data, or
        # where the comparison paired it at its own offset (data before the first variable that grew or
        # was added: an -X value beside C code that moved .data's end)
        ka, kb = section_index(ctx.a, a0), section_index(ctx.b, b0)
        secs_a, secs_b = ctx.a.image.sections, ctx.b.image.sections
        sizes_a = np.array([s.size for s in secs_a] + [-1], dtype=np.int64)
        sizes_b = np.array([s.size for s in secs_b] + [-2], dtype=np.int64)
        starts_a = np.array([s.offset for s in secs_a] + [0], dtype=np.int64)
        starts_b = np.array([s.offset for s in secs_b] + [0], dtype=np.int64)
        names_a, names_b = [s.name for s in secs_a] + [""], [s.name for s in secs_b] + [" "]
        pairs = zip(ka.tolist(), kb.tolist(), strict=True)
        same_name = np.array([names_a[x] == names_b[y] for x, y in pairs], dtype=bool)
        in_place = same_name & (a0 - starts_a[ka] == b0 - starts_b[kb])
        ok &= (sizes_a[ka] == sizes_b[kb]) | in_place
    lo = np.searchsorted(hs, va - 2 * ps + 1)
    hi = np.searchsorted(hs, va + (a1 - a0))
    out = []
    for j in np.flatnonzero(ok & (hi > lo)).tolist():
        if len(out) >= MAX_HEADER_RUNS:
            break
        for k in order[lo[j] : hi[j]].tolist():
            hdr = int(ha[k])
            xa = _named_var(ctx.a, hdr, int(pa[k]), int(la[k]))
            if xa is None:
                continue
            xb = _peer_var(ctx.b, xa, int(vb[j]) + (hdr - int(va[j])))
            if xb is not None:
                out.append((xa, xb))
    return out


VAR_KINDS = frozenset("DdRr")  # initialised data: a variable with a static value
MAX_VAR_LEN = 1 << 26


MAX_IN_PLACE = 256  # variables whose data is compared in place at most (writable data's headers)


def _vars_in_place(ctx: DiffContext) -> list[tuple[StringVar, StringVar]]:
    """String variables (headers in writable data) whose header is the same word for word in both
    builds, in sections at the same address and of the same size as their data's, while their data
    differs: the same variable with another value (a stripped -X value beside changed code)."""
    ha, hb = ctx.a.string_headers, ctx.b.string_headers
    same = _same_sections(ctx)
    if not len(ha) or not len(hb) or not any(s.writable for s in same):
        return []
    in_writable = np.zeros(len(ha), dtype=bool)
    data_same = np.zeros(len(ha), dtype=bool)
    for s in same:
        if s.writable:
            in_writable |= (ha.addr >= s.addr) & (ha.addr < s.addr + s.size)
        data_same |= (ha.ptr >= s.addr) & (ha.ptr + ha.length <= s.addr + s.size)
    ia = np.flatnonzero(in_writable & data_same)
    order = np.argsort(hb.addr, kind="stable")
    k = order[np.minimum(np.searchsorted(hb.addr[order], ha.addr[ia]), len(order) - 1)]
    ia = ia[(hb.addr[k] == ha.addr[ia]) & (hb.ptr[k] == ha.ptr[ia]) & (hb.length[k] == ha.length[ia])]
    out = []
    size = 2 * ctx.a.image.ptr_size
    blobs = blob_index(ctx.a), blob_index(ctx.b)
    for a, p, n in zip(ha.addr[ia].tolist(), ha.ptr[ia].tolist(), ha.length[ia].tolist(), strict=True):
        da, db = read_at(ctx.a, p, n), read_at(ctx.b, p, n)
        if da == db or da is None or db is None:
            continue
        if blobs[0] is not None and blobs[1] is not None and blobs[1].holds(da) and blobs[0].holds(db):
            continue  # each value is the other build's too: strings that swapped places (an order)
        out.append((StringVar(a, p, n, None, size), StringVar(a, p, n, None, size)))
        if len(out) >= MAX_IN_PLACE:
            break
    return out


def _same_sections(ctx: DiffContext) -> list[Section]:
    """A's allocated sections that B has at the same address with the same size."""
    b = {(s.name, s.addr, s.size) for s in ctx.b.image.sections if s.alloc}
    return [
        s
        for s in ctx.a.image.sections
        if s.alloc and s.size and (s.name, s.addr, s.size) in b and 0 <= s.addr < s.addr + s.size < 1 << 62
    ]


def _named_vars(ctx: DiffContext) -> list[tuple[StringVar, StringVar]]:
    """String variables of the program (its main module and dependencies, not the standard library)
    paired by name, when both builds have symbols: what holds its value whatever the compiler did
    to the code (a go:embed file, a generated string)."""
    if not (ctx.a.symbols.names_go and ctx.b.symbols.names_go):
        return []
    ps = ctx.a.image.ptr_size
    index = ModuleIndex(ctx.a.buildinfo)
    out = []
    for s in ctx.a.symbols.symbols:
        if s.size not in (2 * ps, 3 * ps) or s.kind not in VAR_KINDS or s.name.startswith(LINKER_STRINGS):
            continue
        if index.owner(package_of(s.name))[0] not in (MAIN, DEP):
            continue
        t = ctx.b.symbols.by_name(s.name)
        if t is None or t.size != s.size:
            continue
        xa, xb = _header_var(ctx.a, s.addr, s.name, ps), _header_var(ctx.b, t.addr, s.name, ps)
        if xa is not None and xb is not None:
            out.append((xa, xb))
    return out


def _header_var(binary: Binary, h: int, name: str, ps: int) -> StringVar | None:
    """The string variable whose {ptr, len} header is at ``h``, if it points at string data."""
    raw = read_at(binary, h, 2 * ps)
    if raw is None:
        return None
    order = "big" if binary.image.big_endian else "little"
    ptr, n = int.from_bytes(raw[:ps], order), int.from_bytes(raw[ps:], order)
    if not 0 < n <= MAX_VAR_LEN or not binary.string_headers.holds(ptr, n):
        return None
    return StringVar(h, ptr, n, name, 2 * ps)


def _named_var(binary: Binary, h: int, ptr: int, length: int) -> StringVar | None:
    ps = binary.image.ptr_size
    sym = binary.symbols.lookup(h) if binary.symbols.names_go else None
    name = sym.name if sym is not None and sym.size else None
    if binary.symbols.names_go and (name is None or sym.addr != h or name.startswith(RUNTIME_STR)):  # type: ignore[union-attr]
        return None  # only whole, named variables when the binary has symbols
    cap = read_at(binary, h + 2 * ps, ps)
    order = "big" if binary.image.big_endian else "little"
    size = 3 * ps if cap is not None and int.from_bytes(cap, order) == length else 2 * ps
    return StringVar(h, ptr, length, name, size)


def _peer_var(binary: Binary, xa: StringVar, guess: int) -> StringVar | None:
    """B's header of A's variable: by symbol name, else at the same place in the same-size section."""
    h = guess
    if xa.name is not None and binary.symbols.names_go:
        s = binary.symbols.by_name(xa.name)
        if s is None:
            return None
        h = s.addr
    ps = binary.image.ptr_size
    raw = read_at(binary, h, 2 * ps)
    if raw is None:
        return None
    order = "big" if binary.image.big_endian else "little"
    ptr, n = int.from_bytes(raw[:ps], order), int.from_bytes(raw[ps:], order)
    if not binary.string_headers.holds(ptr, n):
        return None
    return StringVar(h, ptr, n, xa.name, xa.hdr_size)


def _string_var(binary: Binary, lo_va: int, hi_va: int) -> StringVar | None:
    """The smallest Go string whose data covers [lo_va, hi_va), found through its header."""
    h = binary.string_headers
    hdr, ptr, ln = h.addr, h.ptr, h.length
    if not len(hdr):
        return None
    m = np.flatnonzero((ptr <= lo_va) & (ptr + ln >= hi_va))
    for j in m[np.argsort(ln[m], kind="stable")][:16].tolist():
        h = int(hdr[j])
        sym = binary.symbols.lookup(h) if binary.symbols.names_go else None
        name = sym.name if sym is not None and sym.size else None
        if name is not None and name.startswith(RUNTIME_STR):
            continue  # runtime tables (moduledata, itabs, ...) hold slices, not variables' strings
        if name is not None and sym is not None and sym.addr != h:
            name = f"{name}+{h - sym.addr:#x}"
        return StringVar(h, int(ptr[j]), int(ln[j]), name, 2 * binary.image.ptr_size)
    return None


@dataclass
class VarDiff:
    xa: StringVar
    xb: StringVar
    da: bytes | None
    db: bytes | None
    claims: list[Claim]
    x_like: bool  # stripped, and the value looks like a -X value
    literal: bool = False  # initialised with a source literal: ``claims`` hold its header only
    data: list[Claim] = field(default_factory=list)  # its data's claims, whether taken or not

    @property
    def everything(self) -> list[Claim]:
        """Its header's and its data's claims."""
        return [*self.data, *self.claims] if self.literal else self.claims


def string_vars(
    ctx: DiffContext,
    st: State,
    pairs: list[tuple[StringVar, StringVar]],
    seen: set[tuple[int, int]],
    literals: bool = False,
) -> list[VarDiff]:
    """The variables of ``pairs`` whose values differ, their claims taken from ``st``. ``literals``:
    the data of a variable the source initialises with a literal is left to the literals' step
    (``_from_literal``), which tells a changed literal from one that moved or changed with code."""
    out: list[VarDiff] = []
    for xa, xb in pairs:
        if (xa.hdr_va, xb.hdr_va) in seen or (xa.name and xa.name.endswith(".files")):
            continue
        seen.add((xa.hdr_va, xb.hdr_va))
        da, db = read_at(ctx.a, xa.ptr, xa.length), read_at(ctx.b, xb.ptr, xb.length)
        if da == db:
            continue
        data = va_claims("a", ctx.a, xa.ptr, xa.length) + va_claims("b", ctx.b, xb.ptr, xb.length)
        header = va_claims("a", ctx.a, xa.hdr_va, xa.hdr_size) + va_claims("b", ctx.b, xb.hdr_va, xb.hdr_size)
        ta, tb = as_text(da), as_text(db)
        no_symbols = not ctx.a.symbols.names_go and xa.name is None
        literal = _from_literal(ctx, (xa, da), (xb, db))  # (an -X value lies past the literals)
        x_like = bool(
            no_symbols
            and not literal
            and looks_like(ta)
            and looks_like(tb)
            and max(xa.length, xb.length) <= 128
        )
        literal = literal and literals
        claims = header if literal else data + header
        st.take(claims)
        out.append(VarDiff(xa, xb, da, db, claims, x_like, literal, data))
    return out


MAX_LITERAL_VAR = 256  # bytes of a value initialised with a source literal at most (one short line)


def _from_literal(ctx: DiffContext, *sides: tuple[StringVar, bytes | None]) -> bool:
    """Whether the variable reads as one the source initialises with a string literal (``var
    Version = "1.2.3"``): on both sides its data lies among the string literals and is one short
    line of text. A go:embed file there (the compiler makes a file of at most 1 KiB a literal too)
    holds lines; an -X value lies past the literals, in a symbol of its own (``<var>.str``), also
    when the literals' extent is estimated (stripped builds)."""
    for binary, (x, raw) in zip((ctx.a, ctx.b), sides, strict=True):
        if raw is None or not binary.among_literals(x.ptr, x.ptr + x.length):
            return False
        if not one_line(raw):
            return False
    return True


def one_line(raw: bytes | None) -> bool:
    """Whether a string's bytes are one short line of text (what a literal in the source gives a
    variable; a file holds lines)."""
    return raw is not None and len(raw) <= MAX_LITERAL_VAR and b"\n" not in raw and mostly_text(raw)


def _var_findings(
    ctx: DiffContext, diffs: list[VarDiff], literals: list[VarDiff] | None = None
) -> list[Finding]:
    """-X variables go to their ldflags-x finding; one ldflags-x finding for -X-like values of a stripped
    binary; variables initialised with a source literal to ``literals`` (their data is the literals'
    step's: ``_join_literals``); one embedded-content finding for the rest."""
    out: list[Finding] = []
    rest = []
    for d in diffs:
        xf = _x_finding(ctx, d)
        if xf is not None:  # an -X value: its string data and header are the -X finding's, never content
            xf.claims.extend(d.everything)
        elif _pointer_like(ctx, d) or _paired_by_address_only(ctx, d) or _toolchains(d) or _swapped(ctx, d):
            continue  # pointers behind a {ptr, len}-shaped pair, another variable at that address, or
            # the standard library's (its data is the toolchain's, not the program's content)
        elif _is_modinfo(ctx, d):  # runtime.modinfo, the runtime's copy of buildinfo: not content
            owner = _modinfo_owner(ctx)
            if owner is not None:
                owner.claims.extend(d.everything)
        elif (shown := _shown_by(ctx, d)) is not None:  # runtime.godebugDefault, runtime.defaultGOROOT...
            shown.claims.extend(d.everything)
        elif d.literal and literals is not None:
            literals.append(d)
        else:
            rest.append(d)
    diffs = rest
    xs = [d for d in diffs if d.x_like]
    if xs:
        ev = [Evidence(f"string variable at {d.xa.hdr_va:#x}", as_text(d.da), as_text(d.db)) for d in xs[:10]]
        kinds = ", ".join(dict.fromkeys(looks_like(as_text(d.da)) or "a value" for d in xs))
        values = "; ".join(f"{as_text(d.da)!r} vs {as_text(d.db)!r}" for d in xs[:3])
        out.append(
            Finding(
                "ldflags-x",
                f"{len(xs)} string variable(s) differ ({values}) and look like {kinds}, the kind of value "
                "-ldflags -X stamps in; without symbols the variables cannot be named (-trimpath also keeps "
                "-ldflags out of buildinfo).",
                ev,
                [c for d in xs for c in d.claims],
                key=None,
            )
        )
    rest = [d for d in diffs if not d.x_like]
    if rest:
        ev, places = [], []
        for d in rest:
            name = d.xa.name or d.xb.name or f"the string variable at {d.xa.hdr_va:#x}"
            places.append(name)
            if len(ev) >= 12:
                continue
            ev.append(Evidence(name, digest(d.da), digest(d.db)))
            if d.da is not None and d.db is not None and mostly_text(d.da) and mostly_text(d.db):
                ev.append(
                    Evidence(
                        f"{name} (text)",
                        preview(from_first_diff(d.da, d.db)),
                        preview(from_first_diff(d.db, d.da)),
                    )
                )
        mods = _listed(ctx, rest)
        if mods:
            ev.append(Evidence(LISTED_VERSIONS, ", ".join(sorted(mods)), ", ".join(sorted(mods))))
        listed = ", ".join(places[:6]) + (" …" if len(places) > 6 else "")
        out.append(
            Finding(
                "embedded-content",
                f"The data of {listed} differs: string or []byte variable(s) initialised in the binary (a "
                "go:embed file, or a generated string).",
                ev,
                [c for d in rest for c in d.everything],
                places=places[:50],
            )
        )
    return out


def _listed(ctx: DiffContext, diffs: list[VarDiff]) -> set[str] | None:
    """The modules whose versions are all that changed in the variables' values (embed.listed_versions),
    or None."""
    out: set[str] = set()
    for d in diffs:
        got = listed_versions(ctx, d.da, d.db)
        if got is None:
            return None
        out |= got
    return out


def _swapped(ctx: DiffContext, d: VarDiff) -> bool:
    """Without symbols on both sides, variables are paired by place: when one is inserted before
    them, each is paired with its neighbour. Then each value is some variable's value in the other
    build too: they moved, nothing changed."""
    if ctx.a.symbols.names_go and ctx.b.symbols.names_go:
        return False
    return _held(ctx.b, d.da) and _held(ctx.a, d.db)


def _held(binary: Binary, value: bytes | None) -> bool:
    """Whether some string header of ``binary`` points at exactly ``value``."""
    if not value:
        return False
    h = binary.string_headers
    for ptr in h.ptr[h.length == len(value)][:MAX_SAME_LENGTH].tolist():
        if binary.image.read_va(int(ptr), len(value)) == value:
            return True
    return False


MAX_SAME_LENGTH = 4096  # headers of a value's length compared with it at most


def _shown_by(ctx: DiffContext, d: VarDiff) -> Finding | None:
    """An earlier finding whose evidence holds the variable's value on one side (a buildinfo value
    such as DefaultGODEBUG, which the runtime keeps in a string variable), or, for a path prefix, a
    value under it (runtime.defaultGOROOT): the variable is that finding's, not content. Unnamed
    variables of stripped builds need it; named ones are the standard library's anyway."""
    va, vb = as_text(d.da), as_text(d.db)
    for f in ctx.findings:
        for ev in f.evidence:
            for value, shown in ((va, ev.a), (vb, ev.b)):
                if not value or not isinstance(shown, str) or len(shown) < MIN_SHOWN:
                    continue
                under = ev.label == PATH_PREFIX and value.startswith(shown.rstrip("/") + "/")
                if value == shown or under:
                    return f
    return None


MIN_SHOWN = 4  # shorter evidence values match by chance


def _toolchains(d: VarDiff) -> bool:
    """A variable of the standard library or a compiler-made static (``io..stmp_0``): never the
    program's embedded content (the same toolchain writes the same data; another one is its cause)."""
    for name in (d.xa.name, d.xb.name):
        if name and ("..stmp_" in name or ModuleIndex(None).owner(package_of(name))[0] == STD_KIND):
            return True
    return False


def _pointer_like(ctx: DiffContext, d: VarDiff) -> bool:
    """An unnamed "variable" that is not text: words that happen to look like a {ptr, len} header
    (a stripped binary's data) over a table of addresses or offsets, more likely a moved pointer or
    table than content (an embedded binary file of a stripped build goes unnamed too, and is told
    by its embed.FS table when it has one)."""
    if d.xa.name is not None or d.xb.name is not None:
        return False
    return not (d.da is not None and d.db is not None and mostly_text(d.da) and mostly_text(d.db))


def _paired_by_address_only(ctx: DiffContext, d: VarDiff) -> bool:
    """A variable that only one build names (the other has no symbol table of its own), while a cause
    changed the compiled code: what sits at its address in the other build may be another variable."""
    own_names = ctx.a.symbols.names_go and ctx.b.symbols.names_go  # else one side's names are borrowed
    if own_names and (d.xa.name is None) == (d.xb.name is None):
        return False
    return any(is_broad(f.cause, f.key) for f in ctx.findings)


def _is_modinfo(ctx: DiffContext, d: VarDiff) -> bool:
    """The variable is its build's modinfo text (runtime.modinfo: buildinfo between two 16-byte
    sentinels), not a larger range that holds it."""
    for binary, raw in ((ctx.a, d.da), (ctx.b, d.db)):
        bi = binary.buildinfo
        text = raw_bytes(bi.modinfo) if bi is not None and bi.modinfo else b""
        if raw and text and len(raw) <= len(text) + 32 and text in raw:
            return True
    return False


def _in_modinfo(ctx: DiffContext, side: str, piece: tuple[int, int]) -> bool:
    """Whether a piece of read-only data lies in that build's copy of its modinfo text."""
    binary = ctx.a if side == "a" else ctx.b
    bi = binary.buildinfo
    if bi is None or not bi.modinfo:
        return False
    text = raw_bytes(bi.modinfo)
    lo = max(0, piece[0] - len(text))
    hit = binary.image.find(text, lo, piece[1] + len(text))
    return hit >= 0 and hit < piece[1] and piece[0] < hit + len(text)


def _modinfo_owner(ctx: DiffContext) -> Finding | None:
    """The finding that explains the difference in buildinfo's modinfo (it explains the copy too)."""
    for f in ctx.findings:
        for side, binary in (("a", ctx.a), ("b", ctx.b)):
            bi = binary.buildinfo
            lo, size = bi.modinfo_range if bi is not None else (0, 0)
            hi = lo + size  # modinfo_range is (file offset, size)
            if hi > lo and any(c.side == side and c.start < hi and lo < c.end for c in f.claims):
                return f
    return None


def _x_finding(ctx: DiffContext, d: VarDiff) -> Finding | None:
    """The ldflags-x finding of the variable, by name or by an -X value (from -ldflags) it holds."""
    xs = [f for f in ctx.findings if f.cause == "ldflags-x"]
    if not xs:
        return None
    for name in (d.xa.name, d.xb.name):
        hit = next((f for f in xs if name and f.key == name), None)
        if hit is not None:
            return hit
    for binary, raw in ((ctx.a, d.da), (ctx.b, d.db)):
        if raw is None:
            continue
        values, _source = binary.x_values
        var = next((x.name for x in values if raw_bytes(x.value) == raw), None)
        hit = next((f for f in xs if var and f.key == var), None)
        if hit is not None:
            return hit
    return None


# ------------------------------------------------------------------------------------ string literals

# Go's linker lays string data out sorted by length: a string whose length changes leaves its place
# and the strings between its old and new place slide by its length. Aligning the differing span of
# read-only data by blocks that occur in both builds (at another offset) separates the moved strings
# from the changed ones.
# Causes that change source other than a literal: the changed strings are theirs.
SOURCE_CAUSES = ("source-change", "dependency-version")
LITERAL_SECTIONS = section_names("rodata", "cstring")
MAX_SPAN = 8 << 20  # differing span of one section aligned at most (a large program's blob of literals: 5 MB)


Pieces = dict[str, list[tuple[int, int]]]  # file ranges per side


@dataclass
class _Aligned:
    """A section's differing span in both builds, split into moved blocks and changed pieces."""

    unit: str
    claims: list[Claim]  # the span, less the pieces nothing explains
    a_pieces: list[tuple[int, int]]  # file ranges of A found nowhere in B's span
    b_pieces: list[tuple[int, int]]
    moved: int  # differing bytes of A explained as moved
    owners: list[Finding]  # the findings of changed pieces another cause explains
    growth: dict[int, int] = field(default_factory=dict)  # id(owner) -> its pieces' B bytes less A's
    owned: dict[int, Pieces] = field(default_factory=dict)  # id(owner) -> its pieces
    a0: int = 0  # the span: A's file offset, B's, and each byte's offset to its place in B
    b0: int = 0
    shifts: np.ndarray | None = None
    a1: int = 0  # the span's ends
    b1: int = 0
    steps: list[tuple[int, str, int, int]] = field(default_factory=list)  # owners' changes (_align_span)
    _known: np.ndarray | None = None  # indexes of ``shifts`` that are known (computed on first use)

    def maps(self, oa: np.ndarray, ob: np.ndarray) -> np.ndarray:
        """For each pair of file offsets: whether A's byte at ``oa`` is B's byte at ``ob`` (moved with its
        string), or both lie in changed strings."""
        out = np.zeros(len(oa), dtype=bool)
        if self.shifts is None or not len(oa):
            return out
        sh = self.shifts
        i = oa - self.a0
        inside = (i >= 0) & (i < len(sh))
        i = np.clip(i, 0, len(sh) - 1)
        d = sh[i].astype(np.int64)
        # a changed first byte: the block that follows (within MAP_REACH) tells where it went
        if self._known is None:
            self._known = np.flatnonzero(sh != NO_SHIFT)
        known = self._known
        if len(known):
            pos = np.minimum(np.searchsorted(known, i), len(known) - 1)
            j = known[pos]
            near = (j >= i) & (j - i < MAP_REACH)
            d = np.where((d == NO_SHIFT) & near, sh[j], d)
        moved = d != NO_SHIFT
        out[moved] = ob[moved] == i[moved] + d[moved] + self.b0
        rest = ~moved
        if rest.any():
            out[rest] = _in_pieces(self.a_pieces, oa[rest]) & _in_pieces(self.b_pieces, ob[rest])
        return out & inside


def _in_pieces(pieces: list[tuple[int, int]], x: np.ndarray) -> np.ndarray:
    """Whether each offset lies in one of the sorted, disjoint pieces."""
    if not pieces:
        return np.zeros(len(x), dtype=bool)
    st = np.array([p[0] for p in pieces], dtype=np.int64)
    en = np.array([p[1] for p in pieces], dtype=np.int64)
    k = np.searchsorted(st, x, side="right") - 1
    return (k >= 0) & (x < en[np.maximum(k, 0)])


def _literals(ctx: DiffContext, st: State, variables: list[Finding]) -> list[Finding]:
    """Changed string literals of read-only data, and the strings their length change moved.

    ``variables``: this detector's findings of string variables, which own their data when it moved."""
    ev: list[Evidence] = []
    places: list[str] = []
    claims: list[Claim] = []
    n = moved = 0
    changed: list[_Aligned] = []  # the spans with changed strings of their own
    spans = _aligned_spans(ctx, st, variables)
    if spans:  # code that only moved (addresses of moved strings): a fallback, after layout-shift's claims
        moved_code = codecmp.changed_functions(ctx).shifted
        spans[0].claims += [c for fd in moved_code for c in function_claims(fd, True)]
    for al in spans:
        al.claims += _pointer_claims(ctx, st, al)
        st.take(al.claims)
        mine_a, mine_b = al.a_pieces, al.b_pieces
        order = next((f for f in ctx.findings if f.cause == "generated-order"), None)
        if _reordered(ctx, al):  # the same strings in another order: generated order, if it was seen
            if order is not None and not al.owners:
                order.claims.extend(al.claims)
            elif al.owners:  # and strings another cause changed: they moved the rest
                pieces = {"a": mine_a, "b": mine_b}
                if order is not None:
                    order.claims.extend(Claim.range(side, s, e) for side, ps in pieces.items() for s, e in ps)
                _mover(al).claims.extend(_for_mover(ctx, al, pieces))
            continue
        if not mine_a and not mine_b:  # an -X value, a path...: its finding explains the strings it moved
            if any(al.growth.get(id(f), 0) for f in al.owners):
                _share_moves(ctx, al, id(_mover(al)))
            else:  # values of the same length move nothing: each keeps its own pieces
                for f in {id(f): f for f in al.owners}.values():
                    owned = _with_runs(ctx, al.owned.get(id(f), {}))
                    f.claims.extend(Claim.range(side, lo, hi) for side, ps in owned.items() for lo, hi in ps)
            continue
        own_growth = sum(e - s for s, e in mine_b) - sum(e - s for s, e in mine_a)
        mover = _mover(al) if al.owners else None
        if mover is not None:
            # each string goes to whose changes before it moved it (see _places); the literals keep
            # their pieces (with the runs they are in, on both sides: a run goes to whichever side's
            # claim settles first)
            lead = abs(al.growth.get(id(mover), 0)) > abs(own_growth)
            claims += _share_moves(ctx, al, id(mover) if lead else OWN)
        else:
            claims += al.claims
        changed.append(al)
        moved += al.moved
        n += max(len(mine_a), len(mine_b))
        places.append(section_name(al.unit))
        for pa, pb in _pairs(mine_a, mine_b)[: max(0, 8 - len(ev))]:
            where = f"string in {section_name(al.unit)}"
            ev.append(Evidence(where, _show_piece(ctx.a, pa), _show_piece(ctx.b, pb)))
    if not claims:
        return []
    also = f" {moved:,} bytes of other strings only moved (Go sorts string data by length)." if moved else ""
    # (not a module version recorded in one build only: GOPATH mode records none, whatever it compiled)
    # (a source change apart from the bumped modules first: the program's own edit, beside a bump)
    # (not functions that only start on other lines: no code changed with them)
    code = next((f for f in ctx.findings if APART_FROM_VERSIONS in f.traits), None) or next(
        (f for c in SOURCE_CAUSES for f in ctx.findings if f.cause == c and _versioned(f) and _edits_code(f)),
        None,
    )
    bump = any(f.cause == "dependency-version" and _versioned(f) for f in ctx.findings)
    # (beside a bump: when the changed code has nothing of the bumped modules, _source_change)
    alone = code is not None and code.cause == "source-change"
    alone = alone and (not bump or APART_FROM_VERSIONS in code.traits)  # type: ignore[union-attr]
    # (beside a bump, the functions it changed are not the edit: only the source change's own are)
    edited = set(code.places) if alone and bump and len(code.places) < MAX_PLACES else None  # type: ignore[union-attr]
    bumped = _bumped(ctx)[0] if bump else frozenset()
    loaders = _loaded_by_moved_code(ctx, changed, bumped, edited) if alone or bump else False
    if alone and loaders is not False:
        # the functions that load the changed literals only moved (True), or only the bumped
        # modules' code loads them (None): they did not change with the edited code
        code = None
    # (the program's own code loads a changed literal: no -X value, C code or bumped module made it)
    own = (code is None or bump) and _own_beside_bump(ctx, changed)
    # (code that changed only where the bumped modules reach it is the bump's, as the bump itself is)
    bumps = code is not None and (code.cause == "dependency-version" or REACHED_BY_VERSIONS in code.traits)
    if code is not None and own and code.cause == "source-change" and not bumps:
        code.traits = code.traits | {OWN_LITERALS}  # the program's own source changed, not only the bump
    if code is not None and not (own and bumps):
        # the code changed too (Go code, a dependency): the strings changed with it
        code.claims.extend(claims)
        code.evidence.extend(ev[:4])
        code.summary += f" {n} string(s) of read-only data changed with it." + also
        return []
    same = "the code that loads them only moved" if alone else "the code is the same"
    summary = f"{n} string literal(s) of read-only data differ while {same}." + also
    found = Finding("string-literal", summary, ev, claims, places=list(dict.fromkeys(places)))
    found.traits = _origins(ctx, changed) | ({OWN_LITERALS} if own else set())
    if loaders is None:  # only the bumped modules' code loads them: the bump's before an -X value's
        found.traits = found.traits | {BUMP_LITERALS}
    return [found]


def _edits_code(f: Finding) -> bool:
    """Not a source change of functions that only start on other lines (MOVED_LINES)."""
    return f.key != MOVED_LINES


def _own_beside_bump(ctx: DiffContext, changed: list[_Aligned]) -> bool:
    """Whether the main module's own code loads a changed literal that no code of a module whose
    version differs loads (which could be its exported constant): the program's source changed."""
    pieces: dict[str, list[tuple[int, int]]] = {"a": [], "b": []}
    for al in changed:
        pieces["a"] += al.a_pieces
        pieces["b"] += al.b_pieces
    blobs = [blob_index(b) for b in (ctx.a, ctx.b)]
    if blobs[0] is None or blobs[1] is None:
        return False
    bumped, versions = _bumped(ctx)
    flags = _own_flags(ctx, pieces, (blobs[0], blobs[1]), bumped, versions)
    return any(any(f) for f in flags.values())


def _loaded_by_moved_code(
    ctx: DiffContext, changed: list[_Aligned], bumped: frozenset[str], edited: set[str] | None = None
) -> bool | None:
    """Whether every changed literal is loaded, and only by functions of the main module's own code
    (outside inlined calls) whose code did not change (it only moved, or is the same; ``edited``:
    the functions that count as changed, when not all the changed ones): the literals changed
    beside other edited code, not with it. A literal that only code of a ``bumped`` module loads is
    that module's (left out); None when every changed literal is. False when a loader is not known."""
    verdicts = codecmp.changed_functions(ctx)
    if not verdicts.supported:
        return False
    touched = {fd.name for fd, _ in (*verdicts.changed, *verdicts.reordered)} if edited is None else edited
    touched = touched | {fd.name for fd in verdicts.unchecked}
    seen = bumps_only = False
    for side, binary in (("a", ctx.a), ("b", ctx.b)):
        pieces = [p for al in changed for p in (al.a_pieces if side == "a" else al.b_pieces)]
        if len(pieces) > MAX_FOUND:
            return False
        vas, spans = _va_spans(binary, pieces)
        if len(spans) < len(vas):
            return False
        found = literal_loaders(binary, spans) if spans else []
        if found is None:
            return False
        for names, (lo, hi) in zip(found, spans, strict=True):
            if bumped and _bumped_modules_load(binary, names, lo, hi, bumped):
                bumps_only = True
                continue  # the bumped module's own string
            if not names or any(kind != MAIN or name in touched for name, kind in names):
                return False
            seen = True
    return True if seen else (None if bumps_only else False)


def _bumped_modules_load(
    binary: Binary, names: set[tuple[str, str]], lo: int, hi: int, bumped: frozenset[str]
) -> bool:
    """Whether only code of the ``bumped`` modules loads the changed piece [lo, hi): the known
    loaders, else any code that loads an address there (a module's own literal has no length test)."""
    found = names or functions_loading(binary, lo, hi) or set()
    # (a load inside a call inlined from a bumped module is the module's)
    return bool(found) and all(
        in_modules(n, bumped) or (k == "inlined" and _inlines(binary, n, bumped)) for n, k in found
    )


def _inlines(binary: Binary, name: str, modules: frozenset[str]) -> bool:
    """Whether function ``name`` inlines a function of ``modules`` (its inline tree)."""
    i = binary.pclntab.index_of(name) if binary.pclntab is not None else None
    tree = inlined_functions(binary, i) if i is not None else None
    return bool(tree) and any(in_modules(n, modules) for n in tree)


def _bumped(ctx: DiffContext) -> tuple[frozenset[str], tuple[bytes, ...]]:
    """Module paths whose version (or replacement) differs between the builds, and their versions
    without the "v" (a module's exported Version constant holds them)."""
    ba, bb = ctx.a.buildinfo, ctx.b.buildinfo
    if ba is None or bb is None:
        return frozenset(), ()
    va = {m.path: m for m in ba.deps}
    vb = {m.path: m for m in bb.deps}
    paths = frozenset(p for p in {*va, *vb} if va.get(p) != vb.get(p))
    versions = {
        m.version.removeprefix("v").split("+", 1)[0].encode()
        for p in paths
        for m in (va.get(p), vb.get(p))
        if m is not None and len(m.version) > 2
    }
    return paths, tuple(sorted(versions))


def _origins(ctx: DiffContext, spans: list[_Aligned]) -> frozenset[str]:
    """Whose literals the changed strings are, where the symbol tables tell (read/strdata.py)."""
    out = set()
    for al in spans:
        for binary, pieces in ((ctx.a, al.a_pieces), (ctx.b, al.b_pieces)):
            for s, _ in pieces[:MAX_FOUND]:
                va = va_at(binary, s)
                origin = literal_origin(binary, va) if va is not None else None
                if origin is not None:
                    out.add(GO_LITERALS if origin == "go" else C_LITERALS)
    return frozenset(out)


def _for_mover(ctx: DiffContext, al: _Aligned, mine: Pieces | None = None) -> list[Claim]:
    """The span's claims for the owner that moved its strings: less ``mine`` and the pieces of the
    other owners (with the runs they are in), which are theirs (a same-length embedded file beside a
    longer GODEBUG string: the mover ranks first and would take them)."""
    mover = _mover(al)
    rest: Pieces = {"a": list((mine or {}).get("a", [])), "b": list((mine or {}).get("b", []))}
    for key, pieces in al.owned.items():
        if key != id(mover):
            for side in ("a", "b"):
                rest[side] += pieces.get(side, [])
    if not rest["a"] and not rest["b"]:
        return al.claims
    return _less(al.claims, _with_runs(ctx, rest))


CLEAR_LEAD = 2  # how many times the literals' move another cause's must be to take what both moved
OWN = 0  # the key of the span's own changed literals in _places


def _places(al: _Aligned, default: int) -> dict[int, Pieces]:
    """Per key (an owner's id, or OWN for the span's own changed literals), the parts of the span
    whose move that key's changes made: at each byte, the changes before it (B's bytes less A's,
    the other side's pieces placed at the same distance from the span's start) of each owner and of
    the literals. The owner whose changes add up to the largest move takes it, unless the literals'
    move is of the same order (CLEAR_LEAD); where nothing moved it yet, ``default`` does."""
    out: dict[int, Pieces] = {}
    mine = {"a": al.a_pieces, "b": al.b_pieces}
    starts, ends = {"a": al.a0, "b": al.b0}, {"a": al.a1, "b": al.b1}
    for side in ("a", "b"):
        events: list[tuple[int, int, int]] = []  # (place on this side, key, growth)
        for other, sign in (("a", -1), ("b", 1)):
            off = starts[side] - starts[other]
            events += [(s + off, OWN, sign * (e - s)) for s, e in mine[other]]
            events += [(at + off, key, sign * size) for key, sd, at, size in al.steps if sd == other]
        events.sort()
        moves: dict[int, int] = {}
        pos = starts[side]
        for place, key, growth in [*events, (ends[side], OWN, 0)]:
            place = min(place, ends[side])
            if place > pos:
                out.setdefault(_mover_at(moves, default), {"a": [], "b": []})[side].append((pos, place))
                pos = place
            moves[key] = moves.get(key, 0) + growth
    return {k: {side: merge_spans(v) for side, v in ps.items()} for k, ps in out.items()}


def _mover_at(moves: dict[int, int], default: int) -> int:
    """Whose changes moved a string, by the moves (key -> bytes) of the changes before it."""
    own = abs(moves.get(OWN, 0))
    others = [(abs(m), k == default, k) for k, m in moves.items() if k != OWN and m]
    if not others:
        return OWN if own else default
    size, _, key = max(others)
    return OWN if own and size <= CLEAR_LEAD * own else key


def _share_moves(ctx: DiffContext, al: _Aligned, default: int) -> list[Claim]:
    """The span's claims shared by place (_places): each owner's are added to it, the literals' are
    returned. An owner keeps the runs its pieces are in, and the literals theirs; the claims outside
    the span (code that only moved, words pointing at moved strings) go to ``default``."""
    places = _places(al, default)
    owners = {id(f): f for f in al.owners}
    pieces = {key: _with_runs(ctx, owned) for key, owned in al.owned.items()}
    pieces[OWN] = _with_runs(ctx, {"a": al.a_pieces, "b": al.b_pieces})
    spans = {"a": (al.a0, al.a1), "b": (al.b0, al.b1)}

    def in_span(c: Claim) -> bool:
        ranged = bool(c.side) and not c.unit_key and c.mask is None
        return ranged and spans[c.side][0] <= c.start < spans[c.side][1]

    inside = [c for c in al.claims if in_span(c)]
    rest = [c for c in al.claims if not in_span(c)]
    out: list[Claim] = []
    for key in {*places, default, *pieces}:
        if key != OWN and key not in owners:
            continue
        within = places.get(key, {"a": [], "b": []})
        others: Pieces = {"a": [], "b": []}
        for k, ps in pieces.items():
            if k != key:
                for side in ("a", "b"):
                    others[side] += ps.get(side, [])
        outside = {side: _gaps(-1, 1 << 62, merge_spans(within.get(side, []))) for side in ("a", "b")}
        others = {side: merge_spans(ps) for side, ps in others.items()}
        got = [c for c in _less(_less(inside, outside), others) if c.end > c.start]
        if key == default:
            got += rest
        own = pieces.get(key, {"a": [], "b": []})
        got += [Claim.range(side, a, b) for side, ps in own.items() for a, b in ps]
        if key == OWN:
            out += got
        else:
            owners[key].claims.extend(got)
    return out


def _mover(al: _Aligned) -> Finding:
    """The owner whose strings changed length the most (what moved the others); then the most pieces.
    A same-length change (an embedded file's letter) moves nothing, whatever its piece count."""
    return max(al.owners, key=lambda f: (abs(al.growth.get(id(f), 0)), al.owners.count(f)))


# owners whose direct loads of a string are sought beside its header's: the standard library's
# are left out (most loads of a release's blob, and what is not the others' is its anyway)
NOT_STD = frozenset({MAIN, DEP, GENERATED, "inlined"})
MAX_BLOB = 16 << 20  # largest blob of Go string literals aligned when the code differs throughout


def _blob_literals(ctx: DiffContext, variables: list[Finding]) -> list[Finding]:
    """When the compiler's output differs throughout: the blobs of Go string literals (go:string.*,
    by the symbol tables), aligned. Many settings that recompile everything (-pgo, GOAMD64,
    -buildmode, -linkmode) leave the blob byte for byte the same; the causes that select other code
    (a toolchain, -tags, -race, -gcflags, a dependency) explain changed literals by the model's
    edges. A changed piece inside a string variable already reported is that variable's."""
    spans = [ctx.a.literal_blob, ctx.b.literal_blob]  # (estimated without symbols)
    if spans[0] is None or spans[1] is None:
        return []
    (a_lo, a_hi), (b_lo, b_hi) = spans  # type: ignore[misc]
    oa, ob = ctx.a.image.va_to_offset(a_lo), ctx.b.image.va_to_offset(b_lo)
    if oa is None or ob is None or max(a_hi - a_lo, b_hi - b_lo) > MAX_BLOB:
        return []
    # estimates may end at other strings (the longest, that only code loads, have no header): both
    # blobs as long as the longer, in their sections, so that no string is missing from one of them
    size = max(a_hi - a_lo, b_hi - b_lo)
    a_hi, b_hi = a_lo + _room(ctx.a, oa, size), b_lo + _room(ctx.b, ob, size)
    x = as_array(ctx.a.image.data)[oa : oa + (a_hi - a_lo)]
    y = as_array(ctx.b.image.data)[ob : ob + (b_hi - b_lo)]
    if len(x) == len(y) and np.array_equal(x, y):
        return []
    ux, uy = unaligned(x, y)
    runs = {"a": true_runs(ux, MAX_PIECES), "b": true_runs(uy, MAX_PIECES)}
    del ux, uy
    ctx.a.image.release(oa, oa + len(x))
    ctx.b.image.release(ob, ob + len(y))
    held = _Owners(variables)
    pieces: dict[str, list[tuple[int, int]]] = {}
    for side, off, other in (("a", oa, y), ("b", ob, x)):
        found = [(off + s, off + e) for s, e in runs[side]]
        text = [p for p, owner in zip(found, held.of(side, found), strict=True) if owner is None]
        text = [p for p in text if _is_text(ctx, side, p)]
        if len(text) <= MAX_FOUND:  # a piece found verbatim in the other blob only moved
            rest = other.tobytes()
            text = [p for p in text if p[1] - p[0] < MIN_BLOCK or rest.find(_bytes(ctx, side, p)) < 0]
        pieces[side] = text
    if not pieces["a"] and not pieces["b"]:
        return []
    if sorted(b"".join(_bytes(ctx, "a", p) for p in pieces["a"])) == sorted(
        b"".join(_bytes(ctx, "b", p) for p in pieces["b"])
    ):
        return []  # the same characters in another order: not a changed literal
    out = []
    ia, ib = blob_index(ctx.a), blob_index(ctx.b)
    if ia is None or ib is None:  # (both blobs were read above)
        return []
    indexes = (ia, ib)
    if not (ctx.a.symbols.names_go and ctx.b.symbols.names_go):  # variables could not be named
        pieces, held_vars = _unnamed_variables(ctx, pieces, indexes)
        out += held_vars
        if not pieces["a"] and not pieces["b"]:
            return out
    pieces = _with_changed_code(ctx, pieces)
    if not pieces["a"] and not pieces["b"]:
        return out
    flags = _own_flags(ctx, pieces, indexes, *_bumped(ctx))
    own = {side: [p for p, f in zip(ps, flags[side], strict=True) if f] for side, ps in pieces.items()}
    rest = {side: [p for p, f in zip(ps, flags[side], strict=True) if not f] for side, ps in pieces.items()}
    own, shared = _own_parts(ctx, own, indexes)
    rest = {side: sorted(rest[side] + shared[side]) for side in rest}
    # the literals themselves, once each (a long one may overlap several changed pieces)
    texts = {side: list(dict.fromkeys(f for f in fs if f)) for side, fs in flags.items()}
    traits = {GO_LITERALS}
    if cgo_one_side(ctx):
        traits.add(CGO_ONE_SIDE)
    if std_compiled_alike(ctx):  # a release that compiled the standard library alike kept its strings
        traits.add(STD_UNCHANGED)
    # the literals the program's own code loads (not a bumped module's constant) apart from the rest,
    # and the rest by whose code loads it when a cause besides a release explains some of it: the
    # standard library's strings (a release's), and the others
    std, other = _split_std_loaded(ctx, rest) if _competing(ctx) else ({"a": [], "b": []}, rest)
    if (std["a"] or std["b"]) and not _another_cause(ctx, _blob_finding(ctx, other, frozenset(traits))):
        std, other = {"a": [], "b": []}, rest  # (one finding: the release's either way)
    groups = ((own, {OWN_LITERALS}, texts), (std, {STD_LITERALS}, None), (other, set(), None))
    for group, extra, shown in groups:
        if group["a"] or group["b"]:
            out.append(_blob_finding(ctx, group, frozenset(traits | extra), shown))
    return out


def _own_parts(ctx: DiffContext, own: Pieces, indexes: tuple[BlobIndex, BlobIndex]) -> tuple[Pieces, Pieces]:
    """Of the pieces that hold a literal the program's own code loads: the part that is the
    program's, and the part that is not. When a present cause other than the source also changes
    literals (a release, a bump, a setting that selects other code), a piece is the program's only
    where its own changed literals lie; the rest of it (other changed strings, and strings the
    other changes moved) goes with the other changed pieces. Otherwise the whole piece is the
    program's: the bytes between its literals moved with them."""
    probe = _blob_finding(ctx, {"a": [], "b": []}, frozenset({GO_LITERALS}))
    if not any(implies(f, probe) is not None for f in ctx.findings if not CAUSES[f.cause].consequence):
        return own, {"a": [], "b": []}
    mine: Pieces = {"a": [], "b": []}
    theirs: Pieces = {"a": [], "b": []}
    for side, binary, other in (("a", ctx.a, indexes[1]), ("b", ctx.b, indexes[0])):
        todo = own[side][:MAX_OWN]
        vas, spans = _va_spans(binary, todo)
        found = iter((loaded_strings(binary, spans, other) if spans else None) or [[]] * len(spans))
        for (s, e), va in zip(todo, vas, strict=True):
            strs = next(found) if va is not None else []
            ours = {(x0, x1) for x0, x1, names in strs if any(k == MAIN for _n, k in names)}
            held = [(s + max(0, x0 - va), s + min(e - s, x1 - va)) for x0, x1 in ours]  # type: ignore[operator]
            held = merge_spans([(x0, x1) for x0, x1 in held if x0 < x1]) or [(s, e)]
            mine[side] += held
            theirs[side] += _gaps(s, e, held)
        mine[side] += own[side][MAX_OWN:]
    return mine, theirs


def _with_changed_code(ctx: DiffContext, pieces: Pieces) -> Pieces:
    """The pieces, less those whose changed literals only functions a source change names load:
    beside an unchanged standard library (STD_UNCHANGED: the release compiled it alike), a changed
    function is the source's, and the strings its code loads changed with it (as _literals gives them
    to the code that changed when the compiler's output is the same). Those go to that finding."""
    code = next((f for f in ctx.findings if f.cause == "source-change" and STD_UNCHANGED in f.traits), None)
    if code is None or len(code.places) >= MAX_PLACES:
        return pieces
    changed = set(code.places)
    rest: Pieces = {"a": [], "b": []}
    took = 0
    for side, binary, other in (("a", ctx.a, blob_index(ctx.b)), ("b", ctx.b, blob_index(ctx.a))):
        todo = pieces[side][:MAX_FOUND]
        vas, spans = _va_spans(binary, todo)
        found = iter((loaded_strings(binary, spans, other, None) if spans else None) or [[]] * len(spans))
        for piece, va in zip(todo, vas, strict=True):
            strs = next(found) if va is not None else []
            loaders = {name for *_, names in strs for name, _kind in names}
            if strs and all(names for *_, names in strs) and loaders <= changed:
                code.claims.append(Claim.range(side, *piece))
                took += 1
            else:
                rest[side].append(piece)
        rest[side] += pieces[side][MAX_FOUND:]
    if took:
        code.summary += f" {took} string literal(s) that only its changed code loads changed with it."
    return rest


def _room(binary: Binary, offset: int, size: int) -> int:
    """``size``, or less where the section holding file offset ``offset`` ends before."""
    sec = binary.image.section_at(offset)
    return size if sec is None else max(0, min(size, sec.offset + sec.size - offset))


RELEASES = ("toolchain-version", "goexperiment")  # causes that change the standard library's strings


def _competing(ctx: DiffContext) -> bool:
    """Whether a release and another present cause could both explain changed literals."""
    others = {e.cause for e in implied_by("string-literal") if e.cause not in RELEASES}
    present = {f.cause for f in ctx.findings}
    return bool(present & set(RELEASES)) and bool(present & others)


def _another_cause(ctx: DiffContext, found: Finding) -> bool:
    """Whether a present cause implies the finding (by the model's edges) that is neither a release
    nor a symptom, nor itself a present release's consequence (linkage follows a release too)."""
    releases = [f for f in ctx.findings if f.cause in RELEASES]
    return any(
        implies(f, found) is not None and not any(implies(r, f) is not None for r in releases)
        for f in ctx.findings
        if f.cause not in RELEASES and not CAUSES[f.cause].consequence
    )


def _split_std_loaded(ctx: DiffContext, pieces: Pieces) -> tuple[Pieces, Pieces]:
    """The parts of the pieces that are the standard library's changed strings, and the others: a
    changed string (one the other build's blob does not hold) that code besides the standard
    library's loads is the others' (its extent only); what else a piece holds is the standard
    library's when it loads some changed string there, and otherwise goes as most pieces do (a
    release changes many of its strings at once). The first MAX_FOUND pieces a side are looked at;
    the rest go as the majority does."""
    std: Pieces = {"a": [], "b": []}
    other: Pieces = {"a": [], "b": []}
    unknown: Pieces = {"a": [], "b": []}
    votes = [0, 0]  # pieces whose rest is the others' / the standard library's
    for side, binary, index in (("a", ctx.a, blob_index(ctx.b)), ("b", ctx.b, blob_index(ctx.a))):
        todo = pieces[side][:MAX_FOUND]
        vas, spans = _va_spans(binary, todo)
        found = iter((loaded_strings(binary, spans, index, NOT_STD) if spans else None) or [[]] * len(spans))
        for (s, e), va in zip(todo, vas, strict=True):
            strs = next(found) if va is not None else []
            theirs = [
                (lo, hi)
                for x0, x1, names in strs
                if any(kind != STD_KIND for _n, kind in names)
                and (lo := max(s, s + x0 - va)) < (hi := min(e, s + x1 - va))  # type: ignore[operator]
            ]
            other[side] += theirs
            rest = _gaps(s, e, theirs)
            if any(all(kind == STD_KIND for _n, kind in names) for *_, names in strs):
                std[side] += rest
                votes[1] += 1
            else:  # (a piece with only the others' changed strings tells nothing about its rest)
                unknown[side] += rest
                votes[0] += bool(theirs)
        unknown[side] += pieces[side][MAX_FOUND:]
    to = std if votes[1] > votes[0] else other
    for side in ("a", "b"):
        to[side] += unknown[side]
        std[side].sort()
        other[side].sort()
    return std, other


def _blob_finding(
    ctx: DiffContext, pieces: Pieces, traits: frozenset[str], texts: dict[str, list[bytes]] | None = None
) -> Finding:
    """A string-literal finding for changed pieces of the blob of Go string literals; ``texts``: the
    literals the program's own code loads, shown instead of the pieces' neighbourhood."""
    if texts is not None:
        label = "string the program's code loads"  # (each build's own: they need not pair up)
        ev = [Evidence(label, as_text(x), None) for x in texts["a"][:4]]
        ev += [Evidence(label, None, as_text(y)) for y in texts["b"][:4]]
    else:
        ev = [
            Evidence("string in the Go string literals", _show_piece(ctx.a, pa), _show_piece(ctx.b, pb))
            for pa, pb in _pairs(pieces["a"], pieces["b"])[:8]
        ]
    n = max(len(pieces["a"]), len(pieces["b"]))
    whose = " that the program's own code loads" if OWN_LITERALS in traits else ""
    what = f"{n} string literal(s){whose} differ"
    if texts is not None:  # the literals themselves, counted per side (they need not pair up)
        what = f"String literals{whose} differ ({len(texts['a'])} in A, {len(texts['b'])} in B)"
    found = Finding(
        "string-literal",
        f"{what} in the blob of Go string literals (go:string.*), which the compiler's other output "
        "(code, inlining) does not change.",
        ev,
        [Claim.range(side, s, e) for side, ps in pieces.items() for s, e in ps],
        places=["go:string.*"],
    )
    found.traits = traits
    return found


def _unnamed_variables(
    ctx: DiffContext, pieces: Pieces, blobs: tuple[BlobIndex, BlobIndex]
) -> tuple[Pieces, list[Finding]]:
    """Without a symbol table on both sides: the parts of the changed pieces of the blob that are the
    data of a string variable the program's own code loads (read/coderefs.py), as one
    embedded-content finding, and the rest of the pieces."""
    held: Pieces = {"a": [], "b": []}
    rest: Pieces = {"a": [], "b": []}
    for side, binary, other in (("a", ctx.a, blobs[1]), ("b", ctx.b, blobs[0])):
        for s, e in pieces[side]:
            va = va_at(binary, s)
            found = own_variables(binary, [(va, va + e - s)], other) if va is not None else None
            extents = found[0] if found else []
            # (a value of one short line is a literal the source gives the variable: the literals')
            extents = [(v0, v1) for v0, v1 in extents if not one_line(binary.image.read_va(v0, v1 - v0))]
            data = [(max(s, s + v0 - va), min(e, s + v1 - va)) for v0, v1 in extents]  # type: ignore[operator]
            held[side] += data
            rest[side] += _gaps(s, e, data)
    if not held["a"] and not held["b"]:
        return pieces, []
    ev = [
        Evidence("string variable's data", _show_piece(ctx.a, pa), _show_piece(ctx.b, pb))
        for pa, pb in _pairs(held["a"], held["b"])[:8]
    ]
    found = Finding(
        "embedded-content",
        "The data of string variable(s) the program's code reads differs: variables initialised in the "
        "binary (a go:embed file, or a generated string); without symbols they cannot be named.",
        ev,
        [Claim.range(side, s, e) for side, ps in held.items() for s, e in ps],
    )
    return rest, [found]


def _own_flags(
    ctx: DiffContext,
    pieces: dict[str, list[tuple[int, int]]],
    blobs: tuple[BlobIndex, BlobIndex],
    foreign: frozenset[str] = frozenset(),
    marks: tuple[bytes, ...] = (),
) -> dict[str, list[bytes | None]]:
    """Per side, for each piece (the first MAX_OWN): the changed literal in it that the main
    module's own code (outside inlined calls) loads, that the other build does not hold and that no
    code of the ``foreign`` modules loads, or None (read/coderefs.py)."""
    out: dict[str, list[bytes | None]] = {}
    for side, binary, other in (("a", ctx.a, blobs[1]), ("b", ctx.b, blobs[0])):
        vas, spans = _va_spans(binary, pieces[side][:MAX_OWN])
        found = iter(own_literals(binary, spans, other, foreign, marks) or [None] * len(spans))
        beyond: list[bytes | None] = [None] * max(0, len(pieces[side]) - MAX_OWN)
        out[side] = [next(found) if va is not None else None for va in vas] + beyond
    return out


def _va_spans(
    binary: Binary, pieces: list[tuple[int, int]]
) -> tuple[list[int | None], list[tuple[int, int]]]:
    """Each file range's virtual address (None: not mapped), and the mapped ranges as [va, va + n)."""
    vas = [va_at(binary, s) for s, _ in pieces]
    spans = [(va, va + e - s) for va, (s, e) in zip(vas, pieces, strict=True) if va is not None]
    return vas, spans


def _versioned(f: Finding) -> bool:
    """Not a dependency-version finding whose module version one build does not record."""
    return f.cause != "dependency-version" or not f.evidence or f.in_both()


def strings_changed(ctx: DiffContext, st: State) -> bool:
    """Whether some string of read-only data changed (not only moved)."""
    return any(
        al.owners or ((al.a_pieces or al.b_pieces) and not _reordered(ctx, al))
        for al in _aligned_spans(ctx, st)
    )


def _with_runs(ctx: DiffContext, pieces: Pieces) -> Pieces:
    """The pieces, and both sides' ranges of every differing run that overlaps one (sorted, merged)."""
    runs = ctx.cmp.runs
    out = {side: list(pieces.get(side, [])) for side in ("a", "b")}
    both = np.flatnonzero((runs.a0 >= 0) & (runs.b0 >= 0))
    for side, ps in pieces.items():
        if not ps or not len(both):
            continue
        lo, hi = (runs.a0, runs.a1) if side == "a" else (runs.b0, runs.b1)
        order = both[np.argsort(lo[both], kind="stable")]
        starts, reach = lo[order], np.maximum.accumulate(hi[order])
        merged = merge_spans(ps)
        s = np.array([p[0] for p in merged], dtype=np.int64)
        e = np.array([p[1] for p in merged], dtype=np.int64)
        first = np.searchsorted(reach, s, side="right")  # the first run that may end after s
        last = np.searchsorted(starts, e, side="left")  # the runs that start before e
        cand = np.concatenate(
            [order[f:t] for f, t in zip(first.tolist(), last.tolist(), strict=True) if f < t] or [[]]
        )
        cand = np.unique(cand.astype(np.int64))
        if not len(cand):
            continue
        k = np.searchsorted(s, lo[cand], side="right") - 1  # the last piece starting at or before the run
        hit = (k >= 0) & (e[np.maximum(k, 0)] > lo[cand])
        hit |= (k + 1 < len(s)) & (s[np.minimum(k + 1, len(s) - 1)] < hi[cand])  # or the next, inside it
        for i in cand[hit].tolist():
            out["a"].append((int(runs.a0[i]), int(runs.a1[i])))
            out["b"].append((int(runs.b0[i]), int(runs.b1[i])))
    return {side: merge_spans(ps) for side, ps in out.items()}


def _less(claims: list[Claim], pieces: dict[str, list[tuple[int, int]]]) -> list[Claim]:
    """Range claims less the sorted, disjoint pieces of their side; other claims as they are."""
    out = []
    starts = {side: [s for s, _e in ps] for side, ps in pieces.items()}
    for c in claims:
        if c.unit_key or c.mask is not None or c.side not in pieces:
            out.append(c)
            continue
        ps = pieces[c.side]
        i = max(0, bisect.bisect_right(starts[c.side], c.start) - 1)
        j = bisect.bisect_left(starts[c.side], c.end)
        inside = [(max(s, c.start), min(e, c.end)) for s, e in ps[i:j] if s < c.end and c.start < e]
        out += [Claim.range(c.side, s, e, c.fallback) for s, e in _gaps(c.start, c.end, inside)]
    return out


def _gaps(lo: int, hi: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """[lo, hi) less sorted holes."""
    out, pos = [], lo
    for s, e in sorted(holes):
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if hi > pos:
        out.append((pos, hi))
    return out


def _reordered(ctx: DiffContext, al: _Aligned) -> bool:
    """The changed pieces nobody else explains hold the same bytes in both builds: strings in
    another order, not changed."""
    if not al.a_pieces:
        return False
    xa = b"".join(_bytes(ctx, "a", p) for p in al.a_pieces)
    xb = b"".join(_bytes(ctx, "b", p) for p in al.b_pieces)
    return sorted(xa) == sorted(xb)


def _aligned_spans(ctx: DiffContext, st: State, also: list[Finding] | None = None) -> list[_Aligned]:
    """The differing spans of read-only data, aligned; changed pieces inside the precise claims of
    an earlier finding (or of ``also``) are that finding's."""
    by_unit: dict[tuple[str, int], list[Run]] = {}
    table = _pclntab_span(ctx)
    for r in st.runs:  # also runs an earlier finding explains: its string may be the one that moved others
        if r.a0 >= 0 and r.b0 >= 0 and section_name(r.unit) in LITERAL_SECTIONS:
            part = _part(r.a0, r.a1, table)
            if part >= 0:
                by_unit.setdefault((r.unit.split("/", 1)[0], part), []).append(r)
    out = []
    held = _Owners([*ctx.findings, *(also or [])])
    for (unit, part), runs in by_unit.items():
        if all(r.i in st.done for r in runs):
            continue
        # all its runs (the state holds at most MAX_RUNS)
        a0, a1, b0, b1 = _table_span(ctx, unit, table, part)
        sa, sb = ctx.a.image.section(unit), ctx.b.image.section(unit)
        if sa is not None and sb is not None:  # the same span of the section on both sides (it may move)
            lo = min(a0 - sa.offset, b0 - sb.offset)
            hi = max(a1 - sa.offset, b1 - sb.offset)
            a0, a1 = sa.offset + lo, min(sa.offset + hi, sa.offset + sa.size)
            b0, b1 = sb.offset + lo, min(sb.offset + hi, sb.offset + sb.size)
        found = _align_span(ctx, unit, runs, held, (a0, a1, b0, b1))
        # the type descriptors that open .rodata before Go 1.27 hold no literals (they follow the
        # code) and move by shifts of their own: when the span holding them aligns no strings, the
        # literals are aligned again from the descriptors' end, where the shifts are the strings'
        if found is None:
            (ta, tb) = type_descriptors(ctx.a), type_descriptors(ctx.b)
            if ta[0] <= a0 < ta[1] and tb[0] <= b0 < tb[1]:
                found = _align_span(ctx, unit, runs, held, (ta[1], a1, tb[1], b1))
        # a span too large to align (a section that differs throughout: many modules bumped) is
        # aligned where the literals are, in the blob of Go string literals
        if found is None and max(a1 - a0, b1 - b0) > MAX_SPAN:
            blob = _blob_part(ctx, (a0, a1, b0, b1))
            if blob is not None:
                inside = [r for r in runs if r.a0 < blob[1] and r.a1 > blob[0]]
                found = _align_span(ctx, unit, inside, held, blob)
        if found is not None:
            out.append(found)
    return out


def _differing(ctx: DiffContext, lo: int, hi: int) -> int:
    """A's differing bytes (of runs both builds have) in the file range [lo, hi)."""
    runs = ctx.cmp.runs
    both = (runs.a0 >= 0) & (runs.b0 >= 0)
    return int((np.minimum(runs.a1, hi) - np.maximum(runs.a0, lo)).clip(0)[both].sum())


def _blob_part(ctx: DiffContext, span: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The part of a span (file offsets: A start, end, B start, end) in each build's blob of Go string
    literals (by the symbol table, or estimated); None without both blobs."""
    out = []
    for (lo, hi), binary in zip((span[:2], span[2:]), (ctx.a, ctx.b), strict=True):
        blob = binary.literal_blob
        start = binary.image.va_to_offset(blob[0]) if blob is not None else None
        if blob is None or start is None:
            return None
        out += [max(lo, start), min(hi, start + blob[1] - blob[0])]
    return out[0], out[1], out[2], out[3]


def _align_span(
    ctx: DiffContext, unit: str, runs: list[Run], held: _Owners, span: tuple[int, int, int, int]
) -> _Aligned | None:
    """The strings of one differing span of a read-only data section, aligned: the changed ones
    (text), other cause's, and the rest only moved; None when it holds no few changed strings."""
    a0, a1, b0, b1 = span
    if a1 - a0 > MAX_SPAN or b1 - b0 > MAX_SPAN or a1 <= a0 or b1 <= b0:
        return None
    x = as_array(ctx.a.image.data)[a0:a1]
    y = as_array(ctx.b.image.data)[b0:b1]
    sx, sy = align_blocks(x, y)
    text: dict[str, list[tuple[int, int]]] = {"a": [], "b": []}
    unknown: dict[str, list[tuple[int, int]]] = {"a": [], "b": []}
    owners: list[Finding] = []
    growth: dict[int, int] = {}
    owned: dict[int, Pieces] = {}
    steps: list[tuple[int, str, int, int]] = []  # (owner's id, side, where, bytes of its change)
    for side, off, shifts, other_off in (("a", a0, sx, b0), ("b", b0, sy, a0)):
        pieces = [(off + s, off + e) for s, e in true_runs(shifts == NO_SHIFT, MAX_PIECES)]
        for p, owner in zip(pieces, held.of(side, pieces), strict=True):
            if owner is None and _in_modinfo(ctx, side, p):  # the runtime's copy of buildinfo
                owner = _modinfo_owner(ctx)
            if owner is not None:  # an -X value, a path, a buildinfo line: another cause's string
                owners.append(owner)
                size = held.overlap(owner, side, p) if owner in held.findings else p[1] - p[0]
                growth[id(owner)] = growth.get(id(owner), 0) + (size if side == "b" else -size)
                owned.setdefault(id(owner), {}).setdefault(side, []).append(p)
                steps.append((id(owner), side, p[0], size))
            elif _moved_pointer(ctx, side, p, off, shifts, other_off):
                continue  # a pointer to a moved string, or a length: explained by the move
            else:
                (text if _is_text(ctx, side, p) else unknown)[side].append(p)
    if len(text["a"]) + len(text["b"]) <= MAX_FOUND:  # a piece found verbatim on the other side only moved
        xs, ys = x.tobytes(), y.tobytes()
        text["a"] = [p for p in text["a"] if p[1] - p[0] < MIN_BLOCK or ys.find(_bytes(ctx, "a", p)) < 0]
        text["b"] = [p for p in text["b"] if p[1] - p[0] < MIN_BLOCK or xs.find(_bytes(ctx, "b", p)) < 0]
    changed = sum(e - s for ps in text.values() for s, e in ps)
    if not (text["a"] or text["b"] or owners) or changed > 0.5 * ((a1 - a0) + (b1 - b0)) + 64:
        return None  # no changed string, or not a few changed strings among moved ones
    differing = _differing(ctx, a0, a1)
    moved = max(0, differing - changed)
    if moved:  # strings moved inside the section (its size may not show it: padding absorbs it)
        ctx.memo["data_moved"] = True
    claims = _span_claims("a", a0, a1, unknown["a"]) + _span_claims("b", b0, b1, unknown["b"])
    return _Aligned(
        unit, claims, text["a"], text["b"], moved, owners, growth, owned, a0, b0, sx, a1, b1, steps
    )


def _pclntab_span(ctx: DiffContext) -> tuple[int, int] | None:
    """A's pclntab as a file range, when it may lie inside a read-only data section (PE's .rdata holds
    it after the literals): its tables are no string data, and they differ wherever code moved."""
    tab = ctx.a.pclntab
    if tab is None or tab.size <= 0:
        return None
    return tab.offset, tab.offset + tab.size


def _part(a0: int, a1: int, table: tuple[int, int] | None) -> int:
    """Which part of its section an A range is in: 0 before A's pclntab, 1 after, -1 inside it."""
    if table is None or a1 <= table[0]:
        return 0
    return 1 if a0 >= table[1] else -1


def _table_span(
    ctx: DiffContext, top: str, table: tuple[int, int] | None = None, part: int = 0
) -> tuple[int, int, int, int]:
    """(A start, A end, B start, B end) of the differing runs of a section and its sub-units (of one
    part of it: before or after A's pclntab, see _part)."""
    runs = ctx.cmp.runs
    units = [i for i, u in enumerate(runs.units) if u.split("/", 1)[0] == top]
    keep = np.isin(runs.unit, units) & (runs.a0 >= 0) & (runs.b0 >= 0)
    if table is not None:
        before, after = runs.a1 <= table[0], runs.a0 >= table[1]
        keep &= before if part == 0 else after
    idx = np.flatnonzero(keep)
    return (
        int(runs.a0[idx].min()),
        int(runs.a1[idx].max()),
        int(runs.b0[idx].min()),
        int(runs.b1[idx].max()),
    )


def _span_claims(side: str, lo: int, hi: int, holes: list[tuple[int, int]]) -> list[Claim]:
    """[lo, hi) less the pieces nothing explains."""
    return [Claim.range(side, s, e) for s, e in _gaps(lo, hi, holes)]


POINTER_UNITS = DATA_NAMES | section_names("symtab", "pclntab", "go-module")
MAP_REACH = 64  # bytes looked ahead for the block a changed byte moved with


def _pointer_claims(ctx: DiffContext, st: State, al: _Aligned) -> list[Claim]:
    """Differing words elsewhere (string headers, type names, symbol values) that point at strings of
    the span in both builds, at the places the alignment maps to each other: they moved with them."""
    runs = ctx.cmp.runs
    units = [
        i
        for i, u in enumerate(runs.units)
        if section_name(u) in POINTER_UNITS and section_name(u) not in LITERAL_SECTIONS
    ]
    done = np.array(sorted(r.i for r in st.runs if r.i in st.done), dtype=np.int64)
    idx = np.flatnonzero(np.isin(runs.unit, units))[:MAX_RUNS]
    idx = idx[(runs.a0[idx] >= 0) & (runs.b0[idx] >= 0) & ~np.isin(idx, done)]
    a0, a1, b0 = runs.a0[idx], runs.a1[idx], runs.b0[idx]
    base = section_starts(ctx.a, a0)
    keep = base >= 0
    idx, a0, a1, b0, base = idx[keep], a0[keep], a1[keep], b0[keep], base[keep]
    ok = _words_follow(ctx, al, base, a0, a1, b0, ctx.a.image.ptr_size, None)
    pcl = np.array(
        [section_name(runs.units[u]) in PCLNTAB_NAMES for u in runs.unit[idx].tolist()], dtype=bool
    )
    pcl &= ~ok
    if pcl.any():
        ok[pcl] = _words_follow(ctx, al, base[pcl], a0[pcl], a1[pcl], b0[pcl], 4, al.unit)
    out: list[Claim] = []
    for k in np.flatnonzero(ok).tolist():
        i = int(idx[k])
        out += [
            Claim.range("a", int(runs.a0[i]), int(runs.a1[i])),
            Claim.range("b", int(runs.b0[i]), int(runs.b1[i])),
        ]
    return out


PCLNTAB_NAMES = section_names("pclntab")
MAX_WORDS = 1 << 22  # words of pointer runs checked at once


def _words_follow(
    ctx: DiffContext,
    al: _Aligned,
    base: np.ndarray,
    a0: np.ndarray,
    a1: np.ndarray,
    b0: np.ndarray,
    width: int,
    rel: str | None,
) -> np.ndarray:
    """For each run [a0, a1) of A (at b0 in B; ``base``: its section's start): whether every ``width``-byte
    word is equal in both builds or points (an address, or with ``rel`` an offset from that section's
    start: funcdata's gcdata offsets) at bytes the alignment maps."""
    a, b = ctx.a, ctx.b
    ok = np.ones(len(a0), dtype=bool)
    ra = a.image.section(rel) if rel else None
    rb = b.image.section(rel) if rel else None
    if rel and (ra is None or rb is None):
        return ~ok
    start = a0 - (a0 - base) % width
    n = np.maximum((a1 - start + width - 1) // width, 0)
    lo = 0
    while lo < len(a0):  # batches of at most MAX_WORDS words (a single longer run is one batch)
        hi = lo + max(1, int(np.searchsorted(np.cumsum(n[lo:]), MAX_WORDS, side="right")))
        ok[lo:hi] = _words_batch(ctx, al, start[lo:hi], n[lo:hi], (b0 - a0)[lo:hi], width, ra, rb)
        lo = hi
    return ok


def _words_batch(
    ctx: DiffContext,
    al: _Aligned,
    start: np.ndarray,
    n: np.ndarray,
    d: np.ndarray,
    width: int,
    ra: Section | None,
    rb: Section | None,
) -> np.ndarray:
    a, b = ctx.a, ctx.b
    total = int(n.sum())
    rid = np.repeat(np.arange(len(n)), n)
    w = np.repeat(start, n) + (np.arange(total) - np.repeat(np.cumsum(n) - n, n)) * width
    wb = w + d[rid]
    da, db = as_array(a.image.data), as_array(b.image.data)
    fits = (w >= 0) & (w + width <= len(da)) & (wb >= 0) & (wb + width <= len(db))
    px, py = _words(da, np.where(fits, w, 0), width, a), _words(db, np.where(fits, wb, 0), width, b)
    good = fits & (px == py)
    todo = np.flatnonzero(fits & ~good)
    if len(todo):
        x, y = px[todo], py[todo]
        if ra is not None and rb is not None:
            inside = (x < ra.size) & (y < rb.size)
            oa = ra.offset + x.astype(np.int64)
            ob = rb.offset + y.astype(np.int64)
        else:
            oa = va_to_offsets(a, x)
            ob = va_to_offsets(b, y)
            inside = (x >= 1 << 12) & (y >= 1 << 12) & (oa >= 0) & (ob >= 0)
        good[todo] = inside & al.maps(np.where(inside, oa, -1), np.where(inside, ob, -1))
    bad = np.bincount(rid[~good], minlength=len(n))
    return bad == 0


def _words(arr: np.ndarray, at: np.ndarray, width: int, binary: Binary) -> np.ndarray:
    """The unsigned ``width``-byte words at offsets ``at`` (the binary's byte order), as uint64."""
    rows = arr[at[:, None] + np.arange(width)]
    dt = np.dtype("u8" if width == 8 else "u4").newbyteorder(">" if binary.image.big_endian else "<")
    return np.ascontiguousarray(rows).view(dt).ravel().astype(np.uint64)


def _is_text(ctx: DiffContext, side: str, piece: tuple[int, int]) -> bool:
    """Printable, and inside a printable run of a few characters (a pointer's byte may be printable)."""
    binary = ctx.a if side == "a" else ctx.b
    lo, hi = string_around(binary, *piece)
    return mostly_text(_bytes(ctx, side, piece)) and hi - lo >= MIN_TEXT


def _bytes(ctx: DiffContext, side: str, piece: tuple[int, int]) -> bytes:
    binary = ctx.a if side == "a" else ctx.b
    return bytes(binary.image.data[piece[0] : piece[1]])


def _moved_pointer(
    ctx: DiffContext, side: str, piece: tuple[int, int], off: int, shifts: np.ndarray, other_off: int
) -> bool:
    """Whether the piece lies in words that point at the same bytes in both builds (a pointer to a
    moved string), hold small numbers (a changed string's length), or is a byte or two where the
    alignment changes offset: consequences of a moved string."""
    this, that = (ctx.a, ctx.b) if side == "a" else (ctx.b, ctx.a)
    s, e = piece
    near = [int(shifts[i]) for i in (s - off - 1, e - off) if 0 <= i < len(shifts) and shifts[i] != NO_SHIFT]
    if not near:
        return False
    if e - s <= 2 and len(set(near)) == 2:
        return True  # between blocks that moved by different offsets
    ps = this.image.ptr_size
    order = "big" if this.image.big_endian else "little"
    va = va_at(this, s)
    if va is None:
        return False
    for w in range(s - (va % ps), e, ps):
        if not any(_same_target(this, that, w, w - off + d + other_off, ps, order) for d in set(near)):
            return False
    return True


def _same_target(this: Binary, that: Binary, w: int, u: int, ps: int, order: str) -> bool:
    """Word ``w`` of one build and word ``u`` of the other: equal, both small, or pointers at equal bytes."""
    x, y = bytes(this.image.data[w : w + ps]), bytes(that.image.data[u : u + ps])
    if len(x) < ps or len(y) < ps:
        return False
    px, py = int.from_bytes(x, order), int.from_bytes(y, order)
    if px == py or (0 < px < 1 << 16 and 0 < py < 1 << 16):
        return True
    if not (this.namer.is_addr(px) and that.namer.is_addr(py)):
        return False
    tx, ty = read_at(this, px, 8), read_at(that, py, 8)
    return tx is not None and tx == ty


PIECE_CONTEXT = 16  # characters shown either side of a changed string
MAX_FOUND = 64  # changed pieces looked up verbatim in the other build
MIN_TEXT = 4  # characters of the printable run around a changed piece
MAX_PIECES = 4096  # unaligned pieces of a span looked at
MAX_OWN = 256  # changed pieces a side looked through for literals the program's own code loads


class _Owners:
    """Which finding's precise claims hold a changed piece (an -X value, a path...): the first finding
    with a claim overlapping it (the rest of the piece is the same string, a path's common tail...).

    Built once over the findings so far: per finding and side, its claims merged into sorted
    disjoint spans, so that all the pieces of a side are looked up at once."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        self.spans: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"a": [], "b": []}
        for f in findings:
            merged = merged_ranges([c for c in f.claims if not c.fallback])
            for side, per in self.spans.items():
                sp = merged.get(side, [])
                per.append(
                    (
                        np.array([s for s, _ in sp], dtype=np.int64),
                        np.array([e for _, e in sp], dtype=np.int64),
                    )
                )

    def overlap(self, finding: Finding, side: str, piece: tuple[int, int]) -> int:
        """Bytes of the piece that the finding's precise claims hold (what its string changed by: a
        piece may hold changed strings beside it)."""
        k = next(i for i, f in enumerate(self.findings) if f is finding)
        starts, ends = self.spans[side][k]
        i, j = np.searchsorted(ends, piece[0], side="right"), np.searchsorted(starts, piece[1], side="left")
        return int((np.minimum(ends[i:j], piece[1]) - np.maximum(starts[i:j], piece[0])).clip(0).sum())

    def of(self, side: str, pieces: list[tuple[int, int]]) -> list[Finding | None]:
        """The owning finding of each piece (None: no finding's claims overlap it)."""
        out: list[Finding | None] = [None] * len(pieces)
        if not pieces:
            return out
        p = np.array(pieces, dtype=np.int64).reshape(-1, 2)
        left = np.ones(len(pieces), dtype=bool)
        for f, (starts, ends) in zip(self.findings, self.spans[side], strict=True):
            if not len(starts) or not left.any():
                continue
            k = np.searchsorted(starts, p[:, 1], side="left") - 1  # the last span starting before the end
            hit = left & (k >= 0) & (ends[np.maximum(k, 0)] > p[:, 0])
            for i in np.flatnonzero(hit).tolist():
                out[i] = f
            left &= ~hit
        return out


def _pairs(
    pa: list[tuple[int, int]], pb: list[tuple[int, int]]
) -> list[tuple[tuple[int, int] | None, tuple[int, int] | None]]:
    """Changed pieces of A and B side by side (same-length changes pair by position)."""
    n = max(len(pa), len(pb))
    return [(pa[i] if i < len(pa) else None, pb[i] if i < len(pb) else None) for i in range(n)]


def _show_piece(binary: Binary, piece: tuple[int, int] | None) -> str | None:
    """The changed bytes with a little printable context either side (Go strings are not delimited)."""
    if piece is None:
        return None
    s, e = piece
    lo, hi = string_around(binary, s, e)
    lo, hi = max(lo, s - PIECE_CONTEXT), min(hi, e + PIECE_CONTEXT)
    raw = bytes(binary.image.data[lo:hi])
    return ("…" if lo < s else "") + (as_text(raw) or "") + ("…" if hi > e else "")
