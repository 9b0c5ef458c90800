"""Content family: build times baked into strings (C __DATE__/__TIME__, a date in a string)."""

from __future__ import annotations

from godet.explain.detectors.base import Claim, DiffContext, Evidence, Finding
from godet.explain.detectors.content.common import (
    NON_PRINTABLE,
    State,
    section_name,
    string_around,
    symbol_at,
    va_at,
)
from godet.read.binary import Binary
from godet.read.timestamps import find_timestamps

EMITS: frozenset[str] = frozenset(["embedded-timestamp"])


def detect(ctx: DiffContext) -> list[Finding]:
    """A date or time (C ``__DATE__``/``__TIME__``, RFC 3339, date(1)...) inside a differing printable
    string; Go's own time layouts are not build times (read/timestamps.py)."""
    st = State.of(ctx)
    found: dict[tuple[str | None, str | None], tuple[list[Claim], str, str | None]] = {}
    data_a, data_b = ctx.a.image.data, ctx.b.image.data
    for r in st.pending():
        if r.a0 < 0 or r.b0 < 0 or r.i in st.done or r.a1 - r.a0 > 64 or r.b1 - r.b0 > 64:
            continue
        ra, rb = bytes(data_a[r.a0 : r.a1]), bytes(data_b[r.b0 : r.b1])
        if NON_PRINTABLE.search(ra) or NON_PRINTABLE.search(rb):
            continue  # a date or time differs in printable characters
        sa, ea = string_around(ctx.a, r.a0, r.a1)
        sb, eb = string_around(ctx.b, r.b0, r.b1)
        text_a = bytes(ctx.a.image.data[sa:ea]).decode("ascii", "replace")
        text_b = bytes(ctx.b.image.data[sb:eb]).decode("ascii", "replace")
        span_a = _stamp_span(text_a, r.a0 - sa, r.a1 - sa)
        span_b = _stamp_span(text_b, r.b0 - sb, r.b1 - sb)
        if span_a is None or span_b is None:
            continue
        whole_a = _go_string(ctx.a, sa + span_a[0], sa + span_a[1])
        whole_b = _go_string(ctx.b, sb + span_b[0], sb + span_b[1])
        if whole_a and whole_b and not ctx.a.symbols.names_go and not ctx.b.symbols.names_go:
            continue  # a whole Go string variable: step 4 names it (a -X value without symbols)
        claims = [
            Claim.range("a", sa + span_a[0], sa + span_a[1]),
            Claim.range("b", sb + span_b[0], sb + span_b[1]),
        ]
        st.take(claims)
        ev_a, ev_b = _clip(text_a, span_a[:2]), _clip(text_b, span_b[:2])
        c_date = "C __DATE__" in (span_a[2], span_b[2])
        kind = "C __DATE__/__TIME__" if c_date else "timestamp"
        sym = symbol_at(ctx.a, va_at(ctx.a, r.a0) or 0)
        where = sym.name if sym is not None else section_name(r.unit)
        key = (ev_a, ev_b)
        prev = found.get(key)
        found[key] = ((prev[0] if prev else []) + claims, kind, where)
    if not found:  # the runs are merged (another compiler output), or the C data moved (a Go
        found = _c_stamps(ctx)  # literal of another length before it, Go 1.26 and earlier)
    out = []
    for (ev_a, ev_b), (claims, kind, where) in found.items():
        c_code = kind.startswith("C ")
        summary = f"A build time is baked into {where}: {ev_a!r} vs {ev_b!r}" + (
            " (C __DATE__/__TIME__ in cgo code, compiled at different times)." if c_code else "."
        )
        ev = [Evidence(f"{kind} in {where}", ev_a, ev_b)]
        out.append(Finding("embedded-timestamp", summary, ev, claims, places=[where]))
    return out


MAX_C_DATA = 1 << 20  # bytes of C objects' read-only data scanned per build


def _c_stamps(ctx: DiffContext) -> dict[tuple[str | None, str | None], tuple[list[Claim], str, str | None]]:
    """When no stamp differs in place (the compiler's output differs throughout and the runs are
    merged, or the C data moved behind a Go literal of another length): the build-time stamps of
    the C objects' read-only data (symbols named ``pkg(.rodata…)``), paired in order where their
    texts differ."""
    per = []
    for binary in (ctx.a, ctx.b):
        stamps = []
        budget = MAX_C_DATA
        for name, off, size in _c_data(binary):
            size = min(size, budget)
            budget -= size
            text = bytes(binary.image.data[off : off + size]).decode("ascii", "replace")
            merged: list[list] = []
            for st in find_timestamps(text):
                if merged and st.start <= merged[-1][1] + 1:  # "Nov 20 2026" " " "10:00:00": one stamp
                    merged[-1][1] = max(merged[-1][1], st.end)
                    if st.label == "C __DATE__":
                        merged[-1][2] = st.label
                else:
                    merged.append([st.start, st.end, st.label])
            for s0, e0, label in merged:
                stamps.append((off + s0, off + e0, text[s0:e0], label, name))
        per.append(stamps)
    out: dict[tuple[str | None, str | None], tuple[list[Claim], str, str | None]] = {}
    for (a0, a1, ta, la, where), (b0, b1, tb, lb, _) in zip(per[0], per[1], strict=False):
        if ta == tb or la != lb:
            continue
        kind = "C __DATE__/__TIME__" if "C __DATE__" in (la, lb) else "timestamp"
        prev = out.get((ta, tb))
        claims = [Claim.range("a", a0, a1), Claim.range("b", b0, b1)]
        out[(ta, tb)] = ((prev[0] if prev else []) + claims, kind, where)
    return out


def _c_data(binary: Binary) -> list[tuple[str, int, int]]:
    """(where, file offset, size) of the C objects' read-only data, by the symbol table: what follows
    runtime.erodata in its section (unnamed host-object data), and symbols named ``pkg(.rodata…)``."""
    if not binary.symbols.present:
        return []
    out = []
    end = binary.symbols.by_name("runtime.erodata")
    off = binary.image.va_to_offset(end.addr) if end is not None else None
    sec = binary.image.section_at(off) if off is not None else None
    if sec is not None and off is not None:
        out.append((sec.name, off, sec.offset + sec.size - off))
    for sym in binary.symbols.symbols:
        if "(.rodata" in sym.name and sym.size > 0:
            off = binary.image.va_to_offset(sym.addr)
            if off is not None:
                out.append((sym.name, off, sym.size))
    return out


STAMP_REACH = 64


def _stamp_span(text: str, lo: int, hi: int) -> tuple[int, int, str] | None:
    """The date-and-time span of ``text`` (adjacent stamps merged) that overlaps [lo, hi), and its shape."""
    # Only the neighbourhood of the run matters: a stamp is a few dozen characters long.
    base = max(0, lo - STAMP_REACH)
    near = text[base : hi + STAMP_REACH]
    merged: list[tuple[int, int, str]] = []
    for s in find_timestamps(near):
        start, end = s.start + base, s.end + base
        if merged and start <= merged[-1][1] + 1:  # "Nov 20 2026" " " "10:00:00": one stamp
            prev = merged[-1]
            merged[-1] = (prev[0], max(prev[1], end), prev[2] if prev[2] == "C __DATE__" else s.label)
        else:
            merged.append((start, end, s.label))
    for s, e, label in merged:
        if s < hi and lo < e and e - s >= 6:
            return s, e, label
    return None


def _clip(text: str, span: tuple[int, int]) -> str:
    """The string around a match, cut to a readable length (C strings are short anyway)."""
    s, e = span
    lo = max(0, s - 40)
    hi = min(len(text), e + 20)
    return ("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else "")


def _go_string(binary: Binary, start: int, end: int) -> bool:
    """Whether exactly [start, end) is the value of a Go string header in writable data."""
    va = va_at(binary, start)
    if va is None:
        return False
    return binary.string_headers.holds(va, end - start)
