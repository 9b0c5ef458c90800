"""Content family: -ldflags -X string values, read back from the linker's ``NAME.str`` symbols."""

from __future__ import annotations

from godet.explain.detectors.base import Claim, DiffContext, Evidence, Finding
from godet.explain.detectors.content.common import (
    State,
    as_text,
    claimed_keys,
    looks_like_suffix,
    va_claims,
)
from godet.read.binary import Binary
from godet.read.xflags import MAX_X_VALUE, XString

EMITS: frozenset[str] = frozenset(["ldflags-x"])


def detect(ctx: DiffContext) -> list[Finding]:
    """``<pkg>.<name>.str`` symbols (the linker's -X strings) whose values differ, when buildinfo did
    not already name the -X value (-trimpath hides -ldflags); a value equal to the Go build ID (cmd/go
    stamps tools' own ID this way) is handed to the go-build-id finding."""
    st = State.of(ctx)
    xa, xb = ctx.a.x_strings, ctx.b.x_strings
    known = claimed_keys(ctx, "ldflags-x")
    out = []
    for var in dict.fromkeys([*xa, *xb]):
        sa, sb = xa.get(var), xb.get(var)
        va, vb = (sa.value if sa else None), (sb.value if sb else None)
        if va == vb:
            continue
        claims = x_claims(ctx, sa, sb)
        if var in known:  # buildinfo named it: its finding also explains the string data
            found = next(f for f in ctx.findings if f.cause == "ldflags-x" and f.key == var)
            found.claims.extend(claims)
            st.take(claims)
            continue
        st.take(claims)
        name = (sa or sb).symbol  # type: ignore[union-attr]
        if _is_build_id(ctx, va, vb):  # cmd/go stamps tools' own build ID this way: a copy, not an input
            bid = next((f for f in ctx.findings if f.cause == "go-build-id"), None)
            if bid is not None:
                bid.claims.extend(claims)
                bid.places.append(name)
            continue
        da, db = as_text(va), as_text(vb)
        hidden = ctx.a.buildinfo is not None and ctx.a.buildinfo.setting("-ldflags") is None
        summary = (
            f"The -X value of {var} differs ({_shown(da)} vs {_shown(db)})"
            + (looks_like_suffix(da, db))
            + "; recovered from the linker's "
            f"{name} symbol" + (" (-trimpath keeps -ldflags out of buildinfo)." if hidden else ".")
        )
        ev = [Evidence(f"-X {var}", da, db)]
        if sa is None or sb is None:  # the other side keeps the value its source gives (or "")
            ia, ib = _initial(ctx.a, var) if sa is None else da, _initial(ctx.b, var) if sb is None else db
            ev.append(Evidence(f"{var} (value)", ia, ib))
            claims += _header_claims(ctx, var, sa, sb)
        out.append(Finding("ldflags-x", summary, ev, claims, key=var, places=[name]))
    return out


def x_claims(ctx: DiffContext, sa: XString | None, sb: XString | None) -> list[Claim]:
    """The string data and the variable's {ptr, len} header of an -X string, on each side."""
    claims: list[Claim] = []
    for side, binary, s in (("a", ctx.a, sa), ("b", ctx.b, sb)):
        if s is None:
            continue
        claims += va_claims(side, binary, s.addr, s.size)
        if s.header_addr is not None:
            claims += va_claims(side, binary, s.header_addr, s.header_size)
    return claims


def _is_build_id(ctx: DiffContext, va: bytes | None, vb: bytes | None) -> bool:
    ia, ib = ctx.a.go_build_id, ctx.b.go_build_id
    return bool(va and ia is not None and va.decode("ascii", "replace") == ia.value) or bool(
        vb and ib is not None and vb.decode("ascii", "replace") == ib.value
    )


def _shown(value: str | None) -> str:
    return "(absent)" if value is None else repr(value)


def _initial(binary: Binary, var: str) -> str | None:
    """The value a string variable has without -X (its initialiser), read through its {ptr, len} header."""
    hdr = binary.symbols.by_name(var) if binary.symbols.present else None
    ps = binary.image.ptr_size
    if hdr is None or hdr.size < 2 * ps:
        return None
    raw = binary.image.read_va(hdr.addr, 2 * ps)
    if raw is None:
        return None
    order = "big" if binary.image.big_endian else "little"
    ptr, n = int.from_bytes(raw[:ps], order), int.from_bytes(raw[ps:], order)
    if n == 0:
        return ""
    value = binary.image.read_va(ptr, n) if 0 < n <= MAX_X_VALUE else None
    return as_text(value)


def _header_claims(ctx: DiffContext, var: str, sa: XString | None, sb: XString | None) -> list[Claim]:
    """The variable's header on the side without an -X string (it points at the initialiser instead)."""
    out: list[Claim] = []
    for side, binary, s in (("a", ctx.a, sa), ("b", ctx.b, sb)):
        hdr = binary.symbols.by_name(var) if s is None and binary.symbols.present else None
        if hdr is not None and hdr.size:
            out += va_claims(side, binary, hdr.addr, min(hdr.size, 2 * binary.image.ptr_size))
    return out
