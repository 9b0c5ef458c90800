"""Content causes: -X strings, build times, go:embed data, reordered generated data, changed code, C code.

The detector works on the differing runs of data sections and on the differing functions, in
this order (each step skips bytes an earlier step or an earlier detector already claimed):

1. ``ldflags-x``: ``<pkg>.<name>.str`` symbols (the linker's -X strings) whose values differ,
   when buildinfo did not already name the -X value (-trimpath hides -ldflags); a value equal to
   the Go build ID (cmd/go stamps tools' own ID this way) is handed to the go-build-id finding;
2. ``embedded-content`` of ``embed.FS`` file tables (``<var>.files``, found by their shape, so
   also in stripped binaries): the files whose data differs, by name;
3. ``embedded-timestamp``: a date or time (C ``__DATE__``/``__TIME__``, ISO 8601, ...) inside a
   differing printable string;
4. ``embedded-content`` of string and []byte variables (go:embed of one file, or an initialised
   string) whose data holds differing runs, found through the {ptr, len} header pointing at it;
   without symbols, values that look like a timestamp, version or host are called -X values;
5. ``generated-order``: data tables holding the same entries in another order (pointers compared
   by what they point to) and functions holding the same instructions in another order;
6. then variables whose {ptr, len} header itself differs (a string that moved or changed length);
7. ``cgo-flags`` / ``c-toolchain``: C code (outside the Go functions) that really differs;
8. ``source-change``: Go functions whose instructions differ once addresses are normalised
   (:mod:`godet.compare.code`), claimed as a fallback with the debug info and pc tables that
   follow the code. Skipped when an earlier cause (toolchain, flags, linkage) claims all code.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from godet.compare import code as codecmp
from godet.compare.bytes import as_array
from godet.explain.detectors.base import RANK, Claim, DiffContext, Evidence, Finding
from godet.read.binary import Binary

EMITS = frozenset(
    {
        "ldflags-x",
        "embedded-content",
        "embedded-timestamp",
        "generated-order",
        "source-change",
        "cgo-flags",
        "c-toolchain",
    }
)

DATA_NAMES = {
    ".rodata",
    ".rdata",
    ".data",
    ".noptrdata",
    ".data.rel.ro",
    ".go.type",
    ".go.func",
    "__rodata",
    "__data",
    "__noptrdata",
    "__const",
    "__cstring",
    "__go_type",
    "__go_func",
}
WRITABLE_DATA = {".data", ".noptrdata", "__data", "__noptrdata", ".data.rel.ro", "__const"}
RUNTIME_STR = ("runtime.", "internal/", "go:", "type:")
PCLNTAB_UNITS = (".gopclntab", ".data.rel.ro.gopclntab", "__TEXT,__gopclntab", "__DATA_CONST,__gopclntab")
C_SUPPORT_UNITS = (
    ".eh_frame",
    ".eh_frame_hdr",
    ".gcc_except_table",
    ".symtab",
    ".strtab",
    "__LINKEDIT",
    "__TEXT,__eh_frame",
    "__TEXT,__unwind_info",
)
FOLLOW_CODE = (".symtab", ".strtab", ".gosymtab")
MAX_STRING = 256  # bytes scanned either side of a run for its printable string
MAX_RUNS = 20_000  # data runs looked at (per comparison)
MAX_HEADER_RUNS = 2_000  # clusters checked against string headers
MAX_ENTRIES = 100_000  # embed.FS entries per table
GAPS = (16, 256, 4096)  # cluster gaps tried by the reorder test
MAX_TABLE = 64 << 10  # largest differing span tested as a table of entries
MAX_ORDER_BYTES = 16 << 20  # differing spans (in all) the reorder test looks at
MAX_ORDER_CLUSTERS = 1000  # clusters of differing runs the reorder test looks at
PREVIEW = 72

MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
TIMESTAMP = re.compile(
    "|".join(
        [
            rf"(?P<cdate>{MONTH} [ \d]\d \d{{4}})",  # C __DATE__
            rf"(?P<rfc>{DAY},? (?:\d{{1,2}} {MONTH}|{MONTH} [ \d]?\d) )",  # date(1) / RFC 1123 lead-in
            r"(?P<iso>\d{4}-\d{2}-\d{2}(?:[T _]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)",
            r"(?P<time>(?<!\d)\d{2}:\d{2}:\d{2}(?!\d)(?:\.\d+)?(?: ?(?:UTC|GMT|[A-Z]{3,4}|[+-]\d{4}))?)",
            r"(?P<year>(?<=[ T])\d{4}(?!\d))",
            r"(?P<compact>(?<!\d)20\d{2}[01]\d[0-3]\d(?:[T.-]?\d{4,6})?(?!\d))",
        ]
    )
)
EPOCH = re.compile(r"^1[5-9]\d{8}$")
VERSION = re.compile(r"^v?\d+(?:\.\d+){1,3}(?:[-+.][0-9A-Za-z.-]+)?$")
HOSTLIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}$")
HOSTMARK = re.compile(r"[.@-]|[A-Za-z]\d|\d[A-Za-z]")  # a host or user has a dot, dash, @ or digits


# ------------------------------------------------------------------------------------ shared state


@dataclass
class _Run:
    i: int  # index in the run table
    unit: str
    a0: int
    a1: int
    b0: int
    b1: int


class _State:
    """The data runs still to explain and what this detector has claimed so far."""

    def __init__(self, ctx: DiffContext, runs: list[_Run]) -> None:
        self.ctx = ctx
        self.runs = runs
        self.done: set[int] = set()
        self._sides = {side: self._index(side) for side in ("a", "b")}

    def _index(self, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lo = np.array([r.a0 if side == "a" else r.b0 for r in self.runs], dtype=np.int64)
        hi = np.array([r.a1 if side == "a" else r.b1 for r in self.runs], dtype=np.int64)
        keep = np.flatnonzero(lo >= 0)
        order = keep[np.argsort(lo[keep], kind="stable")]
        return lo[order], hi[order], order

    def pending(self, unit: str | None = None) -> list[_Run]:
        return [r for r in self.runs if r.i not in self.done and (unit is None or r.unit == unit)]

    def take(self, claims: Iterable[Claim]) -> None:
        """Mark the runs the range claims overlap as explained (for later steps); vectorised."""
        spans: dict[str, list[tuple[int, int]]] = {"a": [], "b": []}
        for c in claims:
            if c.side in spans and c.end > c.start:
                spans[c.side].append((c.start, c.end))
        for side, sp in spans.items():
            starts, ends, order = self._sides[side]
            if not sp or not len(order):
                continue
            arr = np.array(sp, dtype=np.int64)
            # runs of one side do not overlap each other, so their ends are sorted like their starts
            lo = np.searchsorted(np.maximum.accumulate(ends), arr[:, 0], side="right")
            hi = np.searchsorted(starts, arr[:, 1], side="left")
            mark = np.zeros(len(order) + 1, dtype=np.int64)
            ok = hi > lo
            np.add.at(mark, lo[ok], 1)
            np.add.at(mark, hi[ok], -1)
            for k in np.flatnonzero(np.cumsum(mark)[:-1] > 0).tolist():
                self.done.add(self.runs[int(order[k])].i)


def detect(ctx: DiffContext) -> list[Finding]:
    st = _State(ctx, _data_runs(ctx))
    for f in ctx.findings:  # bytes earlier detectors explain precisely are not ours to explain again
        st.take(c for c in f.claims if not c.fallback)
    out: list[Finding] = []
    out += _ldflags_x(ctx, st)
    out += _embed_fs(ctx, st)
    out += _timestamps(ctx, st)
    seen: set[tuple[int, int]] = set()
    # Coarse runs (the compiler's output differs throughout): no string-variable walk over them;
    # -X values still come from their .str symbols above.
    var_diffs = [] if ctx.cmp.coarse else _string_vars(ctx, st, _vars_by_data(ctx, st), seen)
    # A cause that already explains all code (toolchain, flags, linkage): no function-level verdicts,
    # no C-code or data-order analysis (another compiler orders and encodes things its own way).
    broad = _code_explained(ctx, RANK["source-change"])
    # before the header walk: a reordered table's entries are not variables
    tables = [] if broad else _data_order(ctx, st)
    if not ctx.cmp.coarse:
        var_diffs += _string_vars(ctx, st, _vars_by_header(ctx, st), seen)
    out += _var_findings(var_diffs)
    verdicts = codecmp.FunctionVerdicts() if broad else codecmp.changed_functions(ctx)
    if broad and ctx.deep:
        _tell_broad_cause(ctx, broad, codecmp.changed_functions(ctx))
    out += _generated_order(ctx, tables, verdicts)
    if not broad:
        out += _c_code(ctx)
    out += _source_change(ctx, verdicts)
    return out


# ------------------------------------------------------------------------------------ helpers


def _section_name(key: str) -> str:
    return key.split("/", 1)[0].split(",")[-1].split("#", 1)[0]


def _data_runs(ctx: DiffContext) -> list[_Run]:
    runs = ctx.cmp.runs
    out: list[_Run] = []
    data_units = {i for i, u in enumerate(runs.units) if _section_name(u) in DATA_NAMES}
    if not data_units:
        return out
    idx = np.flatnonzero(np.isin(runs.unit, list(data_units)))[:MAX_RUNS]
    for i in idx.tolist():
        out.append(
            _Run(
                i,
                runs.units[runs.unit[i]],
                int(runs.a0[i]),
                int(runs.a1[i]),
                int(runs.b0[i]),
                int(runs.b1[i]),
            )
        )
    return out


def _va(binary: Binary, off: int) -> int | None:
    sec = binary.image.section_at(off)
    return None if sec is None or not sec.alloc else sec.addr + off - sec.offset


def _va_claims(side: str, binary: Binary, va: int, size: int) -> list[Claim]:
    off = binary.image.va_to_offset(va)
    if off is None or size <= 0:
        return []
    return [Claim.range(side, off, off + size)]


def _read(binary: Binary, va: int, size: int) -> bytes | None:
    if size < 0 or size > 1 << 26:
        return None
    return binary.image.read_va(va, size)


def _preview(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    text = raw.decode("utf-8", "backslashreplace")
    shown = text[:PREVIEW].encode("unicode_escape").decode("ascii")
    return shown + ("…" if len(text) > PREVIEW else "")


def _digest(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    return f"{len(raw):,} bytes, sha256 {hashlib.sha256(raw).hexdigest()[:16]}"


def _printable(b: int) -> bool:
    return 0x20 <= b < 0x7F or b in (0x09, 0x0A, 0x0D)


NON_PRINTABLE = re.compile(rb"[^\x20-\x7e\t\n\r]")


def _string_around(binary: Binary, start: int, end: int) -> tuple[int, int]:
    """The printable string (file offsets) that contains [start, end), bounded by MAX_STRING."""
    data = binary.image.data
    sec = binary.image.section_at(start)
    lo_lim = max(sec.offset if sec else 0, start - MAX_STRING)
    hi_lim = min(sec.offset + sec.size if sec else binary.image.size, end + MAX_STRING)
    before = bytes(data[lo_lim:start])
    hits = [m.end() for m in NON_PRINTABLE.finditer(before)]
    s = lo_lim + (hits[-1] if hits else 0)
    m = NON_PRINTABLE.search(bytes(data[end:hi_lim]))
    e = end + (m.start() if m else hi_lim - end)
    return s, e


def _symbol_at(binary: Binary, va: int):  # type: ignore[no-untyped-def]
    if not binary.symbols.present:
        return None
    s = binary.symbols.lookup(va)
    return s if s is not None and s.size > 0 else None


def _claimed_keys(ctx: DiffContext, cause: str) -> set[str]:
    return {f.key for f in ctx.findings if f.cause == cause and f.key}


# ------------------------------------------------------------------------------------ 1. -X strings


def _x_symbols(binary: Binary) -> dict[str, object]:
    if not binary.symbols.present:
        return {}
    out = {}
    for s in binary.symbols.symbols:
        if s.name.endswith(".str") and s.size > 0 and not s.name.startswith(RUNTIME_STR) and s.kind in "Rr":
            out[s.name] = s
    return out


def _ldflags_x(ctx: DiffContext, st: _State) -> list[Finding]:
    xa, xb = _x_symbols(ctx.a), _x_symbols(ctx.b)
    known = _claimed_keys(ctx, "ldflags-x")
    out = []
    for name in dict.fromkeys([*xa, *xb]):
        var = name[: -len(".str")]
        if var in known:
            continue
        sa, sb = xa.get(name), xb.get(name)
        va, vb = _x_value(ctx.a, sa, var), _x_value(ctx.b, sb, var)
        if va == vb:
            continue
        claims: list[Claim] = []
        for side, binary, s in (("a", ctx.a, sa), ("b", ctx.b, sb)):
            if s is None:
                continue
            claims += _va_claims(side, binary, s.addr, s.size)  # type: ignore[attr-defined]
            hdr = binary.symbols.by_name(var)
            if hdr is not None and hdr.size:
                claims += _va_claims(side, binary, hdr.addr, min(hdr.size, 2 * binary.image.ptr_size))
        st.take(claims)
        if _is_build_id(ctx, va, vb):  # cmd/go stamps tools' own build ID this way: a copy, not an input
            bid = next((f for f in ctx.findings if f.cause == "go-build-id"), None)
            if bid is not None:
                bid.claims.extend(claims)
                bid.places.append(name)
            continue
        da, db = _text(va), _text(vb)
        hidden = ctx.a.buildinfo is not None and ctx.a.buildinfo.setting("-ldflags") is None
        summary = (
            f"The -X value of {var} differs ({da!r} vs {db!r})"
            + (looks_like_suffix(da, db))
            + "; recovered from the linker's "
            f"{name} symbol" + (" (-trimpath keeps -ldflags out of buildinfo)." if hidden else ".")
        )
        out.append(
            Finding("ldflags-x", summary, [Evidence(f"-X {var}", da, db)], claims, key=var, places=[name])
        )
    return out


def _is_build_id(ctx: DiffContext, va: bytes | None, vb: bytes | None) -> bool:
    ia, ib = ctx.a.go_build_id, ctx.b.go_build_id
    return bool(va and ia is not None and va.decode("ascii", "replace") == ia.value) or bool(
        vb and ib is not None and vb.decode("ascii", "replace") == ib.value
    )


def _x_value(binary: Binary, sym, var: str) -> bytes | None:  # type: ignore[no-untyped-def]
    """The -X string: the .str symbol's bytes, cut to the length its variable's header records."""
    if sym is None:
        return None
    raw = _read(binary, sym.addr, sym.size)
    hdr = binary.symbols.by_name(var)
    ps = binary.image.ptr_size
    if raw is not None and hdr is not None and hdr.size >= 2 * ps:
        h = _read(binary, hdr.addr, 2 * ps)
        order = "big" if binary.image.big_endian else "little"
        if h is not None and int.from_bytes(h[:ps], order) == sym.addr:
            n = int.from_bytes(h[ps:], order)
            if 0 <= n <= len(raw):
                return raw[:n]
    return raw.rstrip(b"\0") if raw is not None else None


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", "backslashreplace")


def looks_like(value: str | None) -> str | None:
    """What kind of build-specific value a string looks like: timestamp, version, host, or None."""
    if not value:
        return None
    v = value.strip()
    if EPOCH.match(v):
        return "a Unix timestamp"
    m = TIMESTAMP.search(v)
    if m and (m.lastgroup in ("cdate", "iso", "time", "compact", "rfc")):
        return "a timestamp"
    if VERSION.match(v):
        return "a version"
    if HOSTLIKE.match(v) and HOSTMARK.search(v) and not v.isdigit():
        return "a host, user or identifier"
    return None


def looks_like_suffix(a: str | None, b: str | None) -> str:
    kind = looks_like(a) or looks_like(b)
    return f", {kind}" if kind else ""


# ------------------------------------------------------------------------------------ 2. embed.FS


@dataclass
class _EmbedFile:
    name: str
    entry_va: int  # the file's entry in the table
    entry_size: int
    data_va: int
    data_len: int
    hash: bytes


@dataclass
class _EmbedTable:
    va: int
    files: list[_EmbedFile]
    symbol: str | None = None


def embed_tables(binary: Binary) -> list[_EmbedTable]:
    """``embed.FS`` file tables: ``[]file`` headers pointing just past themselves, then the entries."""
    cached = binary.__dict__.get("_godet_embed_tables")
    if cached is not None:
        return cached
    image = binary.image
    ps = image.ptr_size
    dt = np.dtype("u8" if ps == 8 else "u4").newbyteorder(">" if image.big_endian else "<")
    out: list[_EmbedTable] = []
    for sec in image.sections:
        if not sec.alloc or sec.executable or sec.size < 3 * ps or _section_name(sec.key) not in DATA_NAMES:
            continue
        raw = image.section_bytes(sec)
        n = len(raw) // ps
        if n < 3:
            continue
        w = np.frombuffer(raw[: n * ps], dtype=dt).astype(np.uint64)
        addrs = np.uint64(sec.addr) + np.arange(n, dtype=np.uint64) * np.uint64(ps)
        cand = np.flatnonzero(
            (w[:-2] == addrs[:-2] + np.uint64(3 * ps))
            & (w[1:-1] == w[2:])
            & (w[1:-1] > 0)
            & (w[1:-1] < MAX_ENTRIES)
        )
        for i in cand.tolist():
            t = _parse_table(binary, int(addrs[i]), int(w[i + 1]))
            if t is not None:
                sym = binary.symbols.lookup(t.va) if binary.symbols.present else None
                t.symbol = sym.name if sym is not None and sym.addr == t.va else None
                out.append(t)
    binary.__dict__["_godet_embed_tables"] = out
    return out


def _parse_table(binary: Binary, va: int, count: int) -> _EmbedTable | None:
    ps = binary.image.ptr_size
    esize = 4 * ps + 16
    raw = _read(binary, va + 3 * ps, count * esize)
    if raw is None:
        return None
    order = "big" if binary.image.big_endian else "little"
    files = []
    for k in range(count):
        e = raw[k * esize : (k + 1) * esize]
        words = [int.from_bytes(e[j * ps : (j + 1) * ps], order) for j in range(4)]
        name_raw = _read(binary, words[0], words[1]) if 0 < words[1] < 4096 else None
        if name_raw is None:
            return None
        try:
            name = name_raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if words[3] and _read(binary, words[2], min(words[3], 1)) is None:
            return None
        files.append(_EmbedFile(name, va + 3 * ps + k * esize, esize, words[2], words[3], e[4 * ps :]))
    return _EmbedTable(va, files)


def _embed_fs(ctx: DiffContext, st: _State) -> list[Finding]:
    ta, tb = embed_tables(ctx.a), embed_tables(ctx.b)
    if not ta or not tb:
        return []
    out = []
    for i, t in enumerate(ta):
        u = next((x for x in tb if t.symbol and x.symbol == t.symbol), tb[i] if i < len(tb) else None)
        if u is None:
            continue
        fa = {f.name: f for f in t.files}
        fb = {f.name: f for f in u.files}
        ev, claims, places = [], [], []
        for name in dict.fromkeys([*fa, *fb]):
            x, y = fa.get(name), fb.get(name)
            da = _read(ctx.a, x.data_va, x.data_len) if x else None
            db = _read(ctx.b, y.data_va, y.data_len) if y else None
            if x is not None and y is not None and da == db and x.hash == y.hash:
                continue
            c: list[Claim] = []
            for side, binary, f in (("a", ctx.a, x), ("b", ctx.b, y)):
                if f is not None:
                    c += _va_claims(side, binary, f.data_va, f.data_len)
                    c += _va_claims(side, binary, f.entry_va, f.entry_size)
            claims += c
            places.append(name)
            ev.append(Evidence(f"embedded file {name}", _digest(da), _digest(db)))
            if da is not None and db is not None and _mostly_text(da) and _mostly_text(db):
                ev.append(
                    Evidence(
                        f"{name} (start)",
                        _preview(_from_first_diff(da, db)),
                        _preview(_from_first_diff(db, da)),
                    )
                )
        if not claims:
            continue
        st.take(claims)
        var = (t.symbol or "").removesuffix(".files") or "an embed.FS"
        out.append(
            Finding(
                "embedded-content",
                f"Files embedded with go:embed in {var} differ: "
                + ", ".join(places[:8])
                + (" …" if len(places) > 8 else "")
                + ".",
                ev[:16],
                claims,
                places=places[:50],
            )
        )
    return out


def _mostly_text(raw: bytes) -> bool:
    if not raw:
        return True
    sample = raw[:4096]
    return sum(_printable(b) for b in sample) >= 0.9 * len(sample)


def _from_first_diff(x: bytes, y: bytes) -> bytes:
    """``x`` from a little before its first difference with ``y``."""
    n = min(len(x), len(y))
    i = next((k for k in range(n) if x[k] != y[k]), n)
    return x[max(0, i - 16) :]


# ------------------------------------------------------------------------------------ 3. timestamps


def _timestamps(ctx: DiffContext, st: _State) -> list[Finding]:
    found: dict[tuple[str | None, str | None], tuple[list[Claim], str, str | None]] = {}
    data_a, data_b = ctx.a.image.data, ctx.b.image.data
    for r in st.pending():
        if r.a0 < 0 or r.b0 < 0 or r.i in st.done or r.a1 - r.a0 > 64 or r.b1 - r.b0 > 64:
            continue
        ra, rb = bytes(data_a[r.a0 : r.a1]), bytes(data_b[r.b0 : r.b1])
        if NON_PRINTABLE.search(ra) or NON_PRINTABLE.search(rb):
            continue  # a date or time differs in printable characters
        sa, ea = _string_around(ctx.a, r.a0, r.a1)
        sb, eb = _string_around(ctx.b, r.b0, r.b1)
        text_a = bytes(ctx.a.image.data[sa:ea]).decode("ascii", "replace")
        text_b = bytes(ctx.b.image.data[sb:eb]).decode("ascii", "replace")
        span_a = _stamp_span(text_a, r.a0 - sa, r.a1 - sa)
        span_b = _stamp_span(text_b, r.b0 - sb, r.b1 - sb)
        if span_a is None or span_b is None:
            continue
        whole_a = _go_string(ctx.a, sa + span_a[0], sa + span_a[1])
        whole_b = _go_string(ctx.b, sb + span_b[0], sb + span_b[1])
        if whole_a and whole_b and not ctx.a.symbols.present and not ctx.b.symbols.present:
            continue  # a whole Go string variable: step 4 names it (a -X value without symbols)
        claims = [
            Claim.range("a", sa + span_a[0], sa + span_a[1]),
            Claim.range("b", sb + span_b[0], sb + span_b[1]),
        ]
        st.take(claims)
        ev_a, ev_b = _clip(text_a, span_a), _clip(text_b, span_b)
        kind = "C __DATE__/__TIME__" if re.search(MONTH + r" [ \d]\d \d{4}", ev_a + ev_b) else "timestamp"
        sym = _symbol_at(ctx.a, _va(ctx.a, r.a0) or 0)
        where = sym.name if sym is not None else _section_name(r.unit)
        key = (ev_a, ev_b)
        prev = found.get(key)
        found[key] = ((prev[0] if prev else []) + claims, kind, where)
    out = []
    for (ev_a, ev_b), (claims, kind, where) in found.items():
        c_code = kind.startswith("C ")
        summary = f"A build time is baked into {where}: {ev_a!r} vs {ev_b!r}" + (
            " (C __DATE__/__TIME__ in cgo code, compiled at different times)." if c_code else "."
        )
        ev = [Evidence(f"{kind} in {where}", ev_a, ev_b)]
        out.append(Finding("embedded-timestamp", summary, ev, claims, places=[where]))
    return out


STAMP_REACH = 64


def _stamp_span(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """The merged timestamp match of ``text`` that overlaps [lo, hi), or None."""
    # Only the neighbourhood of the run matters: a stamp is a few dozen characters long.
    base = max(0, lo - STAMP_REACH)
    near = text[base : hi + STAMP_REACH]
    spans = [(m.start() + base, m.end() + base) for m in TIMESTAMP.finditer(near)]
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    for s, e in merged:
        if s < hi and lo < e and e - s >= 6 and any(c.isdigit() for c in text[s:e]):
            return s, e
    return None


def _clip(text: str, span: tuple[int, int]) -> str:
    """The string around a match, cut to a readable length (C strings are short anyway)."""
    s, e = span
    lo = max(0, s - 40)
    hi = min(len(text), e + 20)
    return ("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else "")


def _go_string(binary: Binary, start: int, end: int) -> bool:
    """Whether exactly [start, end) is the value of a Go string header in writable data."""
    va = _va(binary, start)
    if va is None:
        return False
    _hdr, ptr, ln = _string_headers(binary)
    return bool(np.any((ptr == va) & (ln == end - start)))


# ------------------------------------------------------------------------------------ 4. string variables


def _string_headers(binary: Binary) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(header address, data pointer, length) of every plausible {ptr, len} pair in writable data."""
    cached = binary.__dict__.get("_godet_string_headers")
    if cached is not None:
        return cached
    image = binary.image
    ps = image.ptr_size
    dt = np.dtype("u8" if ps == 8 else "u4").newbyteorder(">" if image.big_endian else "<")
    targets = _string_targets(binary)
    p = binary.pclntab
    pcln = (p.addr, p.addr + p.size) if p is not None and p.addr else (0, 0)
    hv, pv, lv = [], [], []
    for sec in image.sections:
        if not sec.alloc or sec.executable or sec.size < 2 * ps:
            continue
        if _section_name(sec.key) not in WRITABLE_DATA:
            continue
        raw = image.section_bytes(sec)
        n = len(raw) // ps
        w = np.frombuffer(raw[: n * ps], dtype=dt).astype(np.int64)
        ptr, ln = w[:-1], w[1:]
        ok = np.zeros(len(ptr), dtype=bool)
        for lo, hi in targets:
            ok |= (ptr >= lo) & (ptr < hi) & (ln > 0) & (ptr + ln <= hi)
        ok &= (ptr < pcln[0]) | (ptr >= pcln[1])  # moduledata's slices of the pclntab are not strings
        idx = np.flatnonzero(ok)
        if sec.addr + len(raw) >= 1 << 63:
            continue  # a hostile address beyond int64: no Go string headers here
        hv.append(sec.addr + idx * ps)
        pv.append(ptr[idx])
        lv.append(ln[idx])
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0, dtype=np.int64)  # noqa: E731
    out = (cat(hv), cat(pv), cat(lv))
    binary.__dict__["_godet_string_headers"] = out
    return out


def _string_targets(binary: Binary) -> list[tuple[int, int]]:
    """Where string and []byte data can live: read-only data and pointer-free data.

    Not ``.data``: arrays with pointers ([]string, tables of structs) live there, and a slice header
    pointing at one would pass for a string of ``len`` bytes.
    """
    out = []
    for s in binary.image.sections:
        name = _section_name(s.key)
        if not s.alloc or s.executable or not s.size or name not in DATA_NAMES:
            continue
        if not s.writable or name in (".noptrdata", "__noptrdata"):
            out.append((s.addr, s.addr + s.size))
        elif binary.symbols.present:  # PE merges noptrdata into .data: its bounds are symbols
            lo, hi = binary.symbols.by_name("runtime.noptrdata"), binary.symbols.by_name("runtime.enoptrdata")
            if lo is not None and hi is not None and s.addr <= lo.addr < hi.addr <= s.addr + s.size:
                out.append((lo.addr, hi.addr))
    return out


@dataclass
class _StringVar:
    hdr_va: int
    ptr: int
    length: int
    name: str | None
    hdr_size: int = 0


def _vars_by_data(ctx: DiffContext, st: _State) -> list[tuple[_StringVar, _StringVar]]:
    """Variables whose string data holds a cluster of differing runs (same-size data)."""
    pend = [r for r in st.pending() if r.a0 >= 0 and r.b0 >= 0 and r.a1 - r.a0 == r.b1 - r.b0]
    out = []
    for cl in _clusters(pend, 32)[:MAX_HEADER_RUNS]:
        lo_a, hi_a = _va(ctx.a, cl[0].a0), _va(ctx.a, cl[-1].a1 - 1)
        lo_b, hi_b = _va(ctx.b, cl[0].b0), _va(ctx.b, cl[-1].b1 - 1)
        if lo_a is None or hi_a is None or lo_b is None or hi_b is None:
            continue
        xa = _string_var(ctx.a, lo_a, hi_a + 1)
        xb = _string_var(ctx.b, lo_b, hi_b + 1)
        if xa is not None and xb is not None:
            out.append((xa, xb))
    return out


def _vars_by_header(ctx: DiffContext, st: _State) -> list[tuple[_StringVar, _StringVar]]:
    """Variables whose {ptr, len} header differs (the string moved or changed length)."""
    ha, pa, la = _string_headers(ctx.a)
    if not len(ha):
        return []
    order = np.argsort(ha, kind="stable")
    hs = ha[order]
    ps = ctx.a.image.ptr_size
    out = []
    for r in st.pending()[:MAX_RUNS]:
        if r.a0 < 0 or r.b0 < 0 or len(out) >= MAX_HEADER_RUNS:
            continue
        va, vb = _va(ctx.a, r.a0), _va(ctx.b, r.b0)
        if va is None or vb is None:
            continue
        lo = int(np.searchsorted(hs, va - 2 * ps + 1))
        hi = int(np.searchsorted(hs, va + (r.a1 - r.a0)))
        for k in order[lo:hi].tolist():
            h = int(ha[k])
            xa = _named_var(ctx.a, h, int(pa[k]), int(la[k]))
            if xa is None:
                continue
            xb = _peer_var(ctx.b, xa, vb + (h - va))
            if xb is not None:
                out.append((xa, xb))
    return out


def _named_var(binary: Binary, h: int, ptr: int, length: int) -> _StringVar | None:
    ps = binary.image.ptr_size
    sym = binary.symbols.lookup(h) if binary.symbols.present else None
    name = sym.name if sym is not None and sym.size else None
    if binary.symbols.present and (name is None or sym.addr != h or name.startswith(RUNTIME_STR)):  # type: ignore[union-attr]
        return None  # only whole, named variables when the binary has symbols
    cap = _read(binary, h + 2 * ps, ps)
    order = "big" if binary.image.big_endian else "little"
    size = 3 * ps if cap is not None and int.from_bytes(cap, order) == length else 2 * ps
    return _StringVar(h, ptr, length, name, size)


def _peer_var(binary: Binary, xa: _StringVar, guess: int) -> _StringVar | None:
    """B's header of A's variable: by symbol name, else at the same place in the same-size section."""
    h = guess
    if xa.name is not None and binary.symbols.present:
        s = binary.symbols.by_name(xa.name)
        if s is None:
            return None
        h = s.addr
    ps = binary.image.ptr_size
    raw = _read(binary, h, 2 * ps)
    if raw is None:
        return None
    order = "big" if binary.image.big_endian else "little"
    ptr, n = int.from_bytes(raw[:ps], order), int.from_bytes(raw[ps:], order)
    _hdr, hp, hl = _string_headers(binary)
    if not np.any((hp == ptr) & (hl == n)):
        return None
    return _StringVar(h, ptr, n, xa.name, xa.hdr_size)


def _string_var(binary: Binary, lo_va: int, hi_va: int) -> _StringVar | None:
    """The smallest Go string whose data covers [lo_va, hi_va), found through its header."""
    hdr, ptr, ln = _string_headers(binary)
    if not len(hdr):
        return None
    m = np.flatnonzero((ptr <= lo_va) & (ptr + ln >= hi_va))
    for j in m[np.argsort(ln[m], kind="stable")][:16].tolist():
        h = int(hdr[j])
        sym = binary.symbols.lookup(h) if binary.symbols.present else None
        name = sym.name if sym is not None and sym.size else None
        if name is not None and name.startswith(RUNTIME_STR):
            continue  # runtime tables (moduledata, itabs, ...) hold slices, not variables' strings
        if name is not None and sym is not None and sym.addr != h:
            name = f"{name}+{h - sym.addr:#x}"
        return _StringVar(h, int(ptr[j]), int(ln[j]), name, 2 * binary.image.ptr_size)
    return None


def _clusters(runs: list[_Run], gap: int) -> list[list[_Run]]:
    out: list[list[_Run]] = []
    for r in sorted(runs, key=lambda r: (r.unit, r.a0)):
        if out and out[-1][-1].unit == r.unit and r.a0 - out[-1][-1].a1 <= gap:
            out[-1].append(r)
        else:
            out.append([r])
    return out


@dataclass
class _VarDiff:
    xa: _StringVar
    xb: _StringVar
    da: bytes | None
    db: bytes | None
    claims: list[Claim]
    x_like: bool  # stripped, and the value looks like a -X value


def _string_vars(
    ctx: DiffContext, st: _State, pairs: list[tuple[_StringVar, _StringVar]], seen: set[tuple[int, int]]
) -> list[_VarDiff]:
    out: list[_VarDiff] = []
    for xa, xb in pairs:
        if (xa.hdr_va, xb.hdr_va) in seen or (xa.name and xa.name.endswith(".files")):
            continue
        seen.add((xa.hdr_va, xb.hdr_va))
        da, db = _read(ctx.a, xa.ptr, xa.length), _read(ctx.b, xb.ptr, xb.length)
        if da == db:
            continue
        claims = (
            _va_claims("a", ctx.a, xa.ptr, xa.length)
            + _va_claims("b", ctx.b, xb.ptr, xb.length)
            + _va_claims("a", ctx.a, xa.hdr_va, xa.hdr_size)
            + _va_claims("b", ctx.b, xb.hdr_va, xb.hdr_size)
        )
        st.take(claims)
        ta, tb = _text(da), _text(db)
        no_symbols = not ctx.a.symbols.present and xa.name is None
        x_like = bool(no_symbols and looks_like(ta) and looks_like(tb) and max(xa.length, xb.length) <= 128)
        out.append(_VarDiff(xa, xb, da, db, claims, x_like))
    return out


def _var_findings(diffs: list[_VarDiff]) -> list[Finding]:
    """One ldflags-x finding for -X-like values of a stripped binary, one embedded-content for the rest."""
    out: list[Finding] = []
    xs = [d for d in diffs if d.x_like]
    if xs:
        ev = [Evidence(f"string variable at {d.xa.hdr_va:#x}", _text(d.da), _text(d.db)) for d in xs[:10]]
        kinds = ", ".join(dict.fromkeys(looks_like(_text(d.da)) or "a value" for d in xs))
        values = "; ".join(f"{_text(d.da)!r} vs {_text(d.db)!r}" for d in xs[:3])
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
            ev.append(Evidence(name, _digest(d.da), _digest(d.db)))
            if d.da is not None and d.db is not None and _mostly_text(d.da) and _mostly_text(d.db):
                ev.append(
                    Evidence(
                        f"{name} (text)",
                        _preview(_from_first_diff(d.da, d.db)),
                        _preview(_from_first_diff(d.db, d.da)),
                    )
                )
        listed = ", ".join(places[:6]) + (" …" if len(places) > 6 else "")
        out.append(
            Finding(
                "embedded-content",
                f"The data of {listed} differs: string or []byte variable(s) initialised in the binary (a "
                "go:embed file, or a generated string).",
                ev,
                [c for d in rest for c in d.claims],
                places=places[:50],
            )
        )
    return out


# ------------------------------------------------------------------------------------ 5. order


@dataclass
class _Reorder:
    where: str
    count: int
    size: int  # element size (0: characters of a text blob)
    a_items: list[str]
    b_items: list[str]
    claims: list[Claim]


def _data_order(ctx: DiffContext, st: _State) -> list[_Reorder]:
    """Tables in data whose entries are the same in another order."""
    found: list[_Reorder] = []
    budget = MAX_ORDER_BYTES
    tries = MAX_ORDER_CLUSTERS
    for gap in GAPS:
        pend = [r for r in st.pending() if r.a0 >= 0 and r.b0 >= 0 and r.a1 - r.a0 == r.b1 - r.b0]
        if not pend:
            break
        for cl in _clusters(pend, gap):
            if len({r.b0 - r.a0 for r in cl}) != 1 or budget <= 0 or tries <= 0:
                continue
            budget -= cl[-1].a1 - cl[0].a0
            tries -= 1
            ro = _reorder(ctx, cl)
            if ro is not None:
                st.take(ro.claims)
                found.append(ro)
    return found


def _generated_order(
    ctx: DiffContext, tables: list[_Reorder], verdicts: codecmp.FunctionVerdicts
) -> list[Finding]:
    """One finding for reordered data tables and functions whose instructions were reordered."""
    funcs = verdicts.reordered
    if not tables and not funcs:
        return []
    claims = [c for ro in tables for c in ro.claims]
    ev = []
    for fd, cc in funcs:
        claims += _function_claims(fd)
        if len(ev) < 6:
            ev.append(Evidence(f"func {fd.name} (first difference)", cc.a_text, cc.b_text))
    for ro in tables[:8]:
        what = f"{ro.count} entries of {ro.size} bytes" if ro.size else f"{ro.count} bytes of strings"
        ev.append(
            Evidence(
                f"{what} in {ro.where}",
                ", ".join(ro.a_items)[: PREVIEW * 2],
                ", ".join(ro.b_items)[: PREVIEW * 2],
            )
        )
    parts = []
    if funcs:
        parts.append(
            f"{len(funcs)} function(s) hold the same instructions in a different order ("
            + ", ".join(fd.name for fd, _ in funcs[:6])
            + ")"
        )
    if tables:
        parts.append(f"{len(tables)} data table(s) hold the same entries in a different order")
    places = [fd.name for fd, _ in funcs[:30]] + list(dict.fromkeys(ro.where for ro in tables))[:20]
    summary = "; ".join(parts) + ": generated code or data emitted in map-iteration order."
    return [Finding("generated-order", summary[0].upper() + summary[1:], ev, claims, places=places)]


def _reorder(ctx: DiffContext, cl: list[_Run]) -> _Reorder | None:
    """The cluster's data as a permutation: of k-byte entries (pointers compared by target), or of text."""
    a0, a1 = cl[0].a0, cl[-1].a1
    d = cl[0].b0 - cl[0].a0
    if a1 - a0 < 4 or a1 - a0 > 1 << 20:
        return None
    va = _va(ctx.a, a0)
    sec = ctx.a.image.section_at(a0)
    if va is None or sec is None:
        return None
    ps = ctx.a.image.ptr_size
    kmax = 8 * ps
    # Words of the widest window any element size needs, aligned (in memory) to the pointer size.
    lo_w = a0 - (va % ps) - kmax
    if lo_w < sec.offset:
        lo_w = sec.offset + (-(va + sec.offset - a0)) % ps
    hi_w = min(sec.offset + sec.size, a1 + kmax + ps)
    if hi_w - lo_w < 2 * ps or a0 < lo_w:
        return None
    wa, wb = _Words(ctx.a, lo_w, hi_w), _Words(ctx.b, lo_w + d, hi_w + d)
    first, last = (a0 - lo_w) // ps, (a1 - 1 - lo_w) // ps
    if last >= len(wa.words) or wa.same_targets(wb, first, last + 1):
        return None  # every differing word points at the same thing: an address shift, not an order
    if a1 - a0 <= MAX_TABLE and sorted(map(wa.shape, range(first, last + 1))) == sorted(
        map(wb.shape, range(first, last + 1))
    ):
        found = _entries(wa, wb, first, last, lo_w, d, ctx, cl, va)
        if found is not None:
            return found
    xa = as_array(ctx.a.image.data)[a0:a1]
    xb = as_array(ctx.b.image.data)[a0 + d : a1 + d]
    where = _where(ctx, cl, va)
    if (
        a1 - a0 >= 8
        and np.array_equal(np.sort(xa), np.sort(xb))
        and _mostly_text(bytes(xa))
        and _mostly_text(bytes(xb))
    ):
        return _Reorder(
            where,
            a1 - a0,
            0,
            [_preview(bytes(xa)) or ""],
            [_preview(bytes(xb)) or ""],
            [Claim.range("a", a0, a1), Claim.range("b", a0 + d, a1 + d)],
        )
    return None


def _where(ctx: DiffContext, cl: list[_Run], va: int) -> str:
    sym = _symbol_at(ctx.a, va)
    return sym.name if sym is not None else f"{_section_name(cl[0].unit)} at {va:#x}"


def _entries(
    wa: _Words,
    wb: _Words,
    first: int,
    last: int,
    lo_w: int,
    d: int,
    ctx: DiffContext,
    cl: list[_Run],
    va: int,
) -> _Reorder | None:
    """The largest entry size (in words) under which the two word ranges are a permutation."""
    ps = ctx.a.image.ptr_size
    for n in range(8, 0, -1):
        for phase in range(n):
            # entry boundaries at word indexes ≡ phase (mod n), covering words first..last
            i0 = first - ((first - phase) % n)
            i1 = last + 1 + (-(last + 1 - i0) % n)
            if i0 < 0 or i1 > min(len(wa.words), len(wb.words)) or (i1 - i0) // n < 2:
                continue
            ea, eb = wa.elements(i0, i1, n), wb.elements(i0, i1, n)
            if ea == eb or sorted(ea) != sorted(eb):
                continue
            moved = [i for i in range(len(ea)) if ea[i] != eb[i]]
            if len(moved) < 3 or all(_code_only(e) for e in ea):
                continue  # a swap of two, or a jump table (code pointers): not a generated order
            vague = not all(_informative(ea[i]) and _informative(eb[i]) for i in moved)
            if vague or _is_shift(ea, eb, moved):
                continue  # anonymous pointers or zeros, or the same sequence slid along: moved data
            lo, hi = lo_w + i0 * ps, lo_w + i1 * ps
            return _Reorder(
                _where(ctx, cl, va),
                len(moved),
                n * ps,
                [_show(ea[i]) for i in moved[:6]],
                [_show(eb[i]) for i in moved[:6]],
                [Claim.range("a", lo, hi), Claim.range("b", lo + d, hi + d)],
            )
    return None


class _Words:
    """Pointer-sized words of a file range; pointers compared by what they point to (cached)."""

    def __init__(self, binary: Binary, lo: int, hi: int) -> None:
        self.binary = binary
        ps = binary.image.ptr_size
        order = "big" if binary.image.big_endian else "little"
        raw = bytes(binary.image.data[lo:hi])
        self.words = [int.from_bytes(raw[j : j + ps], order) for j in range(0, len(raw) - ps + 1, ps)]
        self.namer = codecmp.namer(binary)
        self._single: dict[int, tuple] = {}
        self._pair: dict[int, tuple | None] = {}

    def single(self, i: int) -> tuple:
        got = self._single.get(i)
        if got is None:
            w = self.words[i]
            if self.namer.is_addr(w):
                got = ("c" if self.namer.is_code(w) else "p", self.namer.name(w))
            else:
                got = ("w", w)
            self._single[i] = got
        return got

    def shape(self, i: int) -> tuple:
        """The word's value, or only "a pointer" (a quick necessary test for a permutation)."""
        t = self.single(i)
        return t if t[0] == "w" else (t[0], "")

    def pair(self, i: int) -> tuple | None:
        """("s", bytes) when words i, i+1 are a {ptr, len} string header."""
        if i in self._pair:
            return self._pair[i]
        got = None
        if i + 1 < len(self.words):
            w, n = self.words[i], self.words[i + 1]
            if 0 < n <= 4096 and self.namer.is_addr(w) and not self.namer.is_code(w):
                s = _read(self.binary, w, n)
                got = ("s", s) if s is not None else None
        self._pair[i] = got
        return got

    def tokens(self, i0: int, i1: int) -> list[tuple]:
        out = []
        i = i0
        while i < i1:
            p = self.pair(i) if i + 1 < i1 else None
            if p is not None:
                out.append(p)
                i += 2
            else:
                out.append(self.single(i))
                i += 1
        return out

    def same_targets(self, other: _Words, i0: int, i1: int) -> bool:
        return self.tokens(i0, i1) == other.tokens(i0, i1)

    def elements(self, i0: int, i1: int, n: int) -> list[tuple]:
        return [tuple(self.tokens(e, e + n)) for e in range(i0, i1, n)]


def _informative(elem: tuple) -> bool:
    """An entry that says what it is: not all zeros, no pointer known only by its section."""
    if all(kind == "w" and v == 0 for kind, v in elem):
        return False
    return not any(kind in ("p", "c") and str(v).endswith("+?") for kind, v in elem)


def _is_shift(ea: list[tuple], eb: list[tuple], moved: list[int]) -> bool:
    """B's entries are A's slid by a few places (data moved), not reordered."""
    n = len(ea)
    for s in (-3, -2, -1, 1, 2, 3):
        hits = sum(1 for i in moved if 0 <= i + s < n and eb[i] == ea[i + s])
        if hits >= 0.6 * len(moved):
            return True
    return False


def _code_only(elem: tuple) -> bool:
    return all(kind == "c" or (kind == "w" and v == 0) for kind, v in elem)


def _show(elem: tuple) -> str:
    parts = []
    for kind, v in elem:
        if kind == "s":
            parts.append(repr(v.decode("utf-8", "backslashreplace")))
        elif kind in ("p", "c"):
            parts.append(str(v))
        else:
            parts.append(f"{v:#x}")
    return "{" + " ".join(parts) + "}" if len(parts) > 1 else parts[0]


def _function_claims(fd, fallback: bool = False) -> list[Claim]:  # type: ignore[no-untyped-def]
    out = []
    for side, r in (("a", fd.a_range), ("b", fd.b_range)):
        if r:
            out.append(Claim.range(side, r[0], r[1], fallback=fallback))
    return out


# ------------------------------------------------------------------------------------ 6. C code


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
    out: dict[str, _CFunc] = {}
    for s in binary.symbols.symbols:
        if s.kind not in ("T", "t") or s.size <= 0:
            continue
        if p is not None and p.func_at(s.addr) is not None:
            continue
        out.setdefault(codecmp.canonical_name(s.name), _CFunc(s.name, s.addr, s.size))
    return out


def _c_code(ctx: DiffContext) -> list[Finding]:
    units = [u for u in ctx.cmp.runs.units if u.endswith(("/[before Go code]", "/[after Go code]"))]
    same_size_text = [u for u in ctx.cmp.runs.units if "/" not in u and _is_code(ctx, u)]
    if not units and not same_size_text:
        return []
    ca, cb = _c_functions(ctx.a), _c_functions(ctx.b)
    if (ctx.a.symbols.present and ctx.b.symbols.present and (not ca or not cb)) or any(
        f.cause == "linkage" for f in ctx.findings
    ):
        return []  # C code in one build only: the linkage or CGO_ENABLED differs, not the C code
    changed: list[tuple[str, str, str]] = []  # (name, A, B)
    claims: list[Claim] = []
    if ca or cb:
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
    else:  # no symbols: the C code before and after the Go functions, each as one piece
        for u in dict.fromkeys(units):
            ra, rb = _edge_range(ctx.a, u), _edge_range(ctx.b, u)
            cc = codecmp.compare_ranges(ctx, ra, rb) if ra or rb else None
            if cc is not None and cc.verdict not in ("same", "shifted", "unsupported"):
                where = f"C code {'before' if '[before' in u else 'after'} the Go functions"
                changed.append(
                    (
                        where,
                        f"{(ra[1] - ra[0]) if ra else 0} bytes: {cc.a_text}",
                        f"{(rb[1] - rb[0]) if rb else 0} bytes: {cc.b_text}",
                    )
                )
    if not changed:
        return []
    for u in units:
        claims.append(Claim.unit(u, fallback=True))
    tops = dict.fromkeys(u.split("/", 1)[0] for u in ctx.cmp.runs.units)
    claims += [
        Claim.unit(u, fallback=True)
        for u in tops
        if _section_name(u) in C_SUPPORT_UNITS or u in C_SUPPORT_UNITS
    ]
    names = [c[0] for c in changed]
    ev = [Evidence(n if n.startswith("C code ") else f"C function {n}", a, b) for n, a, b in changed[:10]]
    existing = next((f for f in ctx.findings if f.cause in ("c-toolchain", "cgo-flags")), None)
    if existing is not None:  # the compiler or the recorded flags differ: their finding explains the code
        existing.claims.extend(_as_fallback(c) for c in claims)
        existing.evidence.extend(ev[:6])
        existing.places.extend(names[:20])
        return []
    cga, cgb = ctx.a.cgo, ctx.b.cgo
    same_cc = (cga.comment and cga.comment == cgb.comment) or (
        cga.c_producers and cga.c_producers == cgb.c_producers
    )
    ba, bb = ctx.a.buildinfo, ctx.b.buildinfo
    flags_a = {k: v for k, v in (ba.settings if ba else []) if k.startswith("CGO_") and k != "CGO_ENABLED"}
    flags_b = {k: v for k, v in (bb.settings if bb else []) if k.startswith("CGO_") and k != "CGO_ENABLED"}
    go_too = not _code_explained(ctx, RANK["source-change"]) and bool(codecmp.changed_functions(ctx).changed)
    also = " The Go code differs too." if go_too else " The Go code is the same."
    listed = ", ".join(names[:6]) + (" …" if len(names) > 6 else "")
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
    if same_cc and not (flags_a or flags_b):
        summary = (
            f"The C code compiled by cgo differs ({len(names)} C function(s): {listed}) while the C "
            "compiler is the same: the C compiler flags (CGO_CFLAGS, CGO_CPPFLAGS; -trimpath keeps "
            "them out of buildinfo) or the C sources differ." + also
        )
        return [Finding("cgo-flags", summary, ev, claims, places=names[:20])]
    why = (
        "the recorded cgo flags are equal, so the C compiler, its headers or the C sources differ"
        if flags_a or flags_b
        else "the C compiler or its flags differ (neither is recorded here)"
    )
    summary = f"The C code compiled by cgo differs ({len(names)} C function(s): {listed}); {why}." + also
    return [Finding("c-toolchain", summary, ev, claims, places=names[:20])]


def _as_fallback(c: Claim) -> Claim:
    if c.side:
        return Claim.range(c.side, c.start, c.end, fallback=True)
    return Claim.unit(c.unit_key, fallback=True) if c.unit_key else c


def _edge_range(binary: Binary, unit: str) -> tuple[int, int] | None:
    """File range of the code before the first / after the last Go function of the unit's section."""
    sec = binary.image.section(unit.split("/", 1)[0])
    p = binary.pclntab
    if sec is None or p is None or not p.funcs:
        return None
    inside = [f for f in p.funcs if sec.addr <= f.entry < sec.addr + sec.size]
    if not inside:
        return None
    if unit.endswith("[before Go code]"):
        lo, hi = sec.addr, inside[0].entry
    else:
        lo, hi = max(f.end for f in inside), sec.addr + sec.size
    if hi <= lo:
        return None
    return sec.offset + lo - sec.addr, sec.offset + hi - sec.addr


def _is_code(ctx: DiffContext, key: str) -> bool:
    sec = ctx.a.image.section(key)
    return sec is not None and sec.executable


def _sym_range(binary: Binary, f: _CFunc) -> tuple[int, int] | None:
    off = binary.image.va_to_offset(f.addr)
    return (off, off + f.size) if off is not None else None


# ------------------------------------------------------------------------------------ 7. source change


def _code_explained(ctx: DiffContext, rank: int) -> str | None:
    """The cause of an earlier finding that already claims all code (e.g. a toolchain), or None."""
    code = {s.key for s in ctx.a.image.sections if s.executable} | {
        s.key for s in ctx.b.image.sections if s.executable
    }
    for f in ctx.findings:
        if f.rank < rank and any(c.unit_key in code for c in f.claims):
            return f.cause
    return None


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
        claims += _function_claims(fd, fallback=True)
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
    claims += _follow_claims(ctx)
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


def _follow_claims(ctx: DiffContext) -> list[Claim]:
    """Debug info, pc tables and symbol sizes follow the code: fallback claims on those units."""
    out = []
    tables = _pclntab_pieces(ctx)
    for u in ctx.cmp.runs.units:
        top = u.split("/", 1)[0]
        name = _section_name(u)
        if (
            name.startswith((".debug_", ".zdebug_", "__debug_", "__zdebug_"))
            or u.startswith("__DWARF,")
            or top in PCLNTAB_UNITS
            or name in FOLLOW_CODE
            or u in tables
        ):
            out.append(Claim.unit(u, fallback=True))
    return out


def _pclntab_pieces(ctx: DiffContext) -> set[str]:
    """Unit keys of pclntab tables that sit inside another section (PE .rdata, some Mach-O layouts)."""
    out: set[str] = set()
    for binary in (ctx.a, ctx.b):
        p = binary.pclntab
        sec = binary.image.section_at(p.offset) if p is not None else None
        if p is None or sec is None:
            continue
        names = {*p.tables, "header"}
        for u in ctx.cmp.runs.units:
            top, _, sub = u.partition("/")
            if top == sec.key and (sub in names or sub.removeprefix("[before ").rstrip("]") in names):
                out.add(u)
    return out
