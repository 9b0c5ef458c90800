"""Path causes: the build directory, GOROOT, module cache or a temporary directory differ.

Source paths of both builds (pclntab file table, DWARF line directories) are paired by their
common tail: ``/home/dev/src/app/main.go`` and ``/ci/work/app/main.go`` share ``app/main.go``,
so the builds differ by the prefix pair (``/home/dev/src``, ``/ci/work``). Every occurrence of
each prefix is then located in its file and claimed, whatever the two lengths.
"""

from __future__ import annotations

import re
from collections import Counter

from godet.explain.detectors.base import PATH_PREFIX, Claim, DiffContext, Evidence, Finding, raw_bytes
from godet.read.binary import Binary
from godet.read.formats import is_debug_name
from godet.read.paths import EmbeddedPath

EMITS = frozenset({"build-path", "goroot-path", "module-cache-path", "cgo-work-path"})

_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_VERSION = re.compile(r"@v[^/\\]+")
CGO_WORK = re.compile(r"(^|/)(go-build\d+|go-link-\d+)(/|$)")
SUMMARY = {
    "build-path": "The build directory differs; its absolute path is embedded in the pclntab file table, the "
    "DWARF line tables and the build ID inputs.",
    "goroot-path": "The Go installation (GOROOT) is in a different place; standard-library source paths and "
    "runtime.defaultGOROOT embed it.",
    "module-cache-path": "The module cache (GOMODCACHE/GOPATH) is in a different place; dependency source "
    "paths embed it.",
    "cgo-work-path": "A temporary build directory (go-build/go-link) is embedded; it differs on every build.",
}


def is_absolute(p: str) -> bool:
    """A path of the build machine (POSIX or Windows), as opposed to -trimpath's import paths."""
    return p.startswith("/") or bool(_DRIVE.match(p))


def tail_pairs(files_a: set[str], files_b: set[str]) -> Counter[tuple[str, str, str]]:
    """(prefix in A, prefix in B, an example tail) for absolute files that differ only by a prefix.

    Import-path file names (-trimpath, module@version/...) are left out: a change there is a
    different module version or a moved file, not a different build machine.
    """
    only_a = sorted(f for f in files_a - files_b if is_absolute(f))  # sorted: the same example every run
    only_b = sorted(f for f in files_b - files_a if is_absolute(f))
    parts = {f: _split(f) for f in (*only_a, *only_b)}  # each path split once
    index: dict[str, list[str]] = {}
    for f in only_b:
        index.setdefault(parts[f][-1], []).append(f)
    pairs: Counter[tuple[str, str, str]] = Counter()
    for x in only_a:
        xs = parts[x]
        cands = index.get(xs[-1])
        if not cands:
            continue
        best = max(cands, key=lambda y: _common_parts(xs, parts[y]))
        ys = parts[best]
        n = _common_parts(xs, ys)
        if n == 0:
            continue
        pa, pb = _join(xs[: len(xs) - n]), _join(ys[: len(ys) - n])
        if pa != pb:
            pairs[(pa, pb, _join(xs[len(xs) - n :]))] += 1
    return pairs


def _split(p: str) -> list[str]:
    return re.split(r"[/\\]", p)


def _join(parts: list[str]) -> str:
    return "/".join(parts)


def _common_parts(xs: list[str], ys: list[str]) -> int:
    """How many trailing path elements two split paths share."""
    n = 0
    while n < min(len(xs), len(ys)) - 0 and xs[-1 - n] == ys[-1 - n]:
        n += 1
        if n == min(len(xs), len(ys)):
            break
    return n


MAX_SUBSTITUTION = 256 << 20  # decompressed bytes a prefix substitution is tried on
KIND_CAUSE = {
    "build-dir": "build-path",
    "goroot": "goroot-path",
    "module-cache": "module-cache-path",
    "gopath": "module-cache-path",
    "cgo-work": "cgo-work-path",
    "link-work": "cgo-work-path",
}


OWN_FILES = {"goroot", "module-cache"}  # trees that hold no other tree's files


def _root(binary: Binary, full: str) -> EmbeddedPath | None:
    """The embedded root (GOROOT, build directory, module cache...) that holds a file, or None."""
    roots = [p for p in binary.paths if full == p.path or full.startswith(p.path.rstrip("/\\") + "/")]
    return max(roots, key=lambda p: len(p.path)) if roots else None


def _trees(x: str, y: str, ra: str, rb: str) -> tuple[str, str]:
    """A prefix pair whose parts inside the two roots differ (strconv/ in GOROOT/src against
    GOROOT/src/internal: a release moved the file) is the roots' pair: the tree moved, and the file
    moved inside it, which is not another prefix."""
    ra, rb = ra.rstrip("/\\"), rb.rstrip("/\\")
    if not (x.startswith(ra) and y.startswith(rb) and x[len(ra) :] != y[len(rb) :]):
        return x, y
    ea, eb = ra.split("/"), rb.split("/")
    n = _common_parts(ea, eb)  # (…/go-1.26/go and …/go-1.24/go: the pair the other files give)
    return (
        ("/".join(ea[: len(ea) - n]), "/".join(eb[: len(eb) - n])) if n < min(len(ea), len(eb)) else (ra, rb)
    )


def classify(ctx: DiffContext, pa: str, pb: str, tail: str) -> str:
    """Which path cause a prefix pair is: the kind the reader gave the root holding A's file.

    The inspect stage already classified every embedded root (GOROOT, build directory, module
    cache, temporary directories); the same classification decides the cause here.
    """
    if CGO_WORK.search(pa) or CGO_WORK.search(pb) or "$WORK" in pa + pb:
        return "cgo-work-path"
    for binary, full in ((ctx.a, f"{pa}/{tail}"), (ctx.b, f"{pb}/{tail}")):
        root = _root(binary, full)
        if root is not None:
            return KIND_CAUSE.get(root.kind, "build-path")
    return "module-cache-path" if "/pkg/mod" in pa + pb else "build-path"


def detect(ctx: DiffContext) -> list[Finding]:
    trimmed = ctx.has("trimpath")
    if trimmed is not None:
        _trimpath_claims(ctx, trimmed)
    pa, pb = ctx.a.pclntab, ctx.b.pclntab
    files_a = set(pa.files) if pa else set()
    files_b = set(pb.files) if pb else set()
    if not files_a and not files_b:
        return []
    pairs = tail_pairs(files_a, files_b)
    # Fold pairs that name the same prefixes (different tails) together.
    by_prefix: dict[tuple[str, str], tuple[int, str]] = {}
    for (x, y, tail), n in pairs.items():
        if _VERSION.sub("@", x) == _VERSION.sub("@", y):
            continue  # module@v1 vs module@v2: a dependency version, not a path (see buildinfo)
        ra, rb = _root(ctx.a, f"{x}/{tail}"), _root(ctx.b, f"{y}/{tail}")
        if ra is not None and rb is not None and ra.kind != rb.kind and {ra.kind, rb.kind} & OWN_FILES:
            continue  # a file of the standard library is no module's, and the other way round: a
            # package one build takes from a module and the other from GOROOT (x/crypto/pbkdf2 and
            # crypto/internal/fips140/pbkdf2) has files of the same names, not a moved tree
        if ra is not None and rb is not None and ra.path == rb.path:
            continue  # the same GOROOT (build directory...) in both: a file moved inside it (a release
            # moved a package of the standard library), not the tree
        if ra is not None and rb is not None and ra.kind == rb.kind:
            x, y = _trees(x, y, ra.path, rb.path)
        c, t = by_prefix.get((x, y), (0, tail))
        by_prefix[(x, y)] = (c + n, t)
    findings: dict[str, Finding] = {}
    for (x, y), (n, tail) in sorted(by_prefix.items(), key=lambda kv: -kv[1][0]):
        cause = classify(ctx, x, y, tail)
        claims = ctx.string_claims(raw_bytes(x), raw_bytes(y), limit=200_000)
        ev = Evidence(PATH_PREFIX, x, y)
        f = findings.get(cause)
        if f is None:
            f = Finding(
                cause, SUMMARY[cause], [ev], claims, places=["pclntab file table", "DWARF line tables"]
            )
            findings[cause] = f
        else:
            f.evidence.append(ev)
            f.claims.extend(claims)
        label = f"example ({n:,} file{'' if n == 1 else 's'})"
        f.evidence.append(Evidence(label, f"{x}/{tail}", f"{y}/{tail}"))
    _dependency_dwarf(ctx)
    if not findings:
        return []
    top = min(findings.values(), key=lambda f: f.rank)
    prefixes = sorted(by_prefix, key=lambda xy: -len(xy[0]))
    # with several prefixes (GOROOT and the module cache moved) each finding's own paths settle first;
    # the first one takes the rest of the tables (offsets the longer paths moved) as a fallback
    shared = len(findings) > 1
    for unit in ctx.cmp.runs.units:
        base = unit.split("/", 1)[0]
        if (
            unit.split("/", 1)[-1] in ("header", "pclntab header", "cutab", "filetab")
            and ctx.a.pclntab is not None
        ):
            top.claims.append(Claim.unit(unit, fallback=shared))
        elif _is_dwarf(base):
            # Decompressed, with A's prefixes replaced by B's, does the section become B's?
            explained = _substitution_explains(ctx, base, prefixes, require_hit=True)
            top.claims.append(Claim.unit(unit, fallback=shared or not explained))
    return list(findings.values())


FILE_TABLES = ("header", "pclntab header", "cutab", "filetab")


def _dependency_dwarf(ctx: DiffContext) -> None:
    """DWARF whose only change is ``module@v1`` → ``module@v2`` belongs to the dependency versions.

    Module-cache paths name the version (``…/pkg/mod/example.com/dep@v1.1.0/dep.go``): a compressed
    DWARF section that becomes B's once every changed dependency's ``path@version`` is substituted
    is claimed by the first dependency-version finding.
    """
    deps = [f for f in ctx.findings if f.cause == "dependency-version"]
    ba, bb = ctx.a.buildinfo, ctx.b.buildinfo
    if not deps or ba is None or bb is None:
        return
    va = {d.path: d.version for d in ba.deps}
    vb = {d.path: d.version for d in bb.deps}
    pairs = [(f"{p}@{va[p]}", f"{p}@{vb[p]}") for p in va if p in vb and va[p] != vb[p] and va[p] and vb[p]]
    if not pairs:
        return
    for unit in dict.fromkeys(u.split("/", 1)[0] for u in ctx.cmp.runs.units):
        if _is_dwarf(unit) and _substitution_explains(ctx, unit, pairs, require_hit=True):
            deps[0].claims.append(Claim.unit(unit))


def _trimpath_claims(ctx: DiffContext, f: Finding) -> None:
    """What -trimpath on one side changed: the untrimmed side's absolute paths, the file tables, DWARF.

    The evidence shows one source file as each build names it, and the roots only one side embeds.
    """
    untrimmed = "a" if (f.evidence and f.evidence[0].b == "true") else "b"
    binary = ctx.a if untrimmed == "a" else ctx.b
    roots = sorted({p.path for p in binary.paths if p.kind not in ("relative", "placeholder")}, key=len)
    for root in roots[:64]:
        needle = raw_bytes(root)
        pos, n = 0, 0
        while n < 200_000:
            hit = binary.image.find(needle, pos)
            if hit < 0:
                break
            f.claims.append(Claim.range(untrimmed, hit, hit + len(needle)))
            pos, n = hit + 1, n + 1
    variables = _path_variables(binary, untrimmed, roots[:64])
    # the trimmed build keeps defaultGOROOT in .bss: its header is a gap in .data
    f.claims += variables + [g for c in variables for g in ctx.gap_beside(untrimmed, c.start, c.end)]
    dwarf_both = ctx.a.dwarf.present and ctx.b.dwarf.present  # else DWARF is -w's, not -trimpath's
    for unit in ctx.cmp.runs.units:
        base, _, piece = unit.partition("/")
        if piece in FILE_TABLES or (dwarf_both and (_is_dwarf(base) or base.endswith("debug_gdb_scripts"))):
            f.claims.append(Claim.unit(unit))
    example = _example_pair(ctx, untrimmed)
    if example is not None:
        f.evidence.append(Evidence("a source file", *example))
    for p in sorted(binary.paths, key=lambda p: p.kind)[:4]:
        if p.kind in ("relative", "placeholder"):
            continue
        a, b = (p.path, None) if untrimmed == "a" else (None, p.path)
        f.evidence.append(Evidence(f"{p.kind} embedded", a, b))
    f.places = list(dict.fromkeys([*f.places, "pclntab file table", "DWARF line tables"]))


def _path_variables(binary: Binary, side: str, roots: list[str]) -> list[Claim]:
    """The string headers in writable data whose value is one of ``roots`` (the runtime's
    ``defaultGOROOT``, which -trimpath leaves empty, so that the other build keeps it in .bss),
    found among the binary's string headers (read/strdata.py)."""
    h = binary.string_headers
    out = []
    for root in roots:
        needle = raw_bytes(root)
        for addr, ptr in zip(*(x[h.length == len(needle)].tolist() for x in (h.addr, h.ptr)), strict=True):
            off = binary.image.va_to_offset(addr)
            if off is not None and binary.image.read_va(ptr, len(needle)) == needle:
                out.append(Claim.range(side, off, off + 2 * binary.image.ptr_size))
    return out


def _example_pair(ctx: DiffContext, untrimmed: str) -> tuple[str, str] | None:
    """One source file of the main module as A and B name it (absolute vs import path)."""
    pa, pb = ctx.a.pclntab, ctx.b.pclntab
    if pa is None or pb is None:
        return None
    full, short = (pa.files, pb.files) if untrimmed == "a" else (pb.files, pa.files)
    shorts = {s for s in short if not is_absolute(s)}
    binary = ctx.a if untrimmed == "a" else ctx.b
    build_dirs = tuple(p.path.rstrip("/") + "/" for p in binary.paths if p.kind == "build-dir")
    bi = binary.buildinfo
    module = bi.main.path if bi is not None and bi.main is not None else ""
    for x in sorted(full, key=len):  # a file of the main module: build directory -> module path
        root = next((d for d in build_dirs if x.startswith(d)), None)
        if root is not None and module and f"{module}/{x[len(root) :]}" in shorts:
            y = f"{module}/{x[len(root) :]}"
            return (x, y) if untrimmed == "a" else (y, x)
    for x in sorted(full, key=lambda x: (x.endswith(".s"), len(x))):
        if not is_absolute(x):
            continue
        parts = _split(x)
        for i in range(1, len(parts)):
            tail = "/".join(parts[i:])
            if tail in shorts and "/" in tail:
                return (x, tail) if untrimmed == "a" else (tail, x)
    return None


def _substitution_explains(
    ctx: DiffContext, key: str, prefixes: list[tuple[str, str]], require_hit: bool = False
) -> bool:
    """Whether replacing the path prefixes turns A's (decompressed) unit into B's, up to shifted offsets.

    ``require_hit``: only if some prefix occurs in the unit (else the unit differs for another reason).
    """
    from godet.explain.detectors.layout import inflated_shift_share

    pair = ctx.inflated(key) if ctx.a.image.section(key) and ctx.a.image.section(key).compressed else None
    if pair is None:
        return False
    a_buf = pair[0]
    if len(a_buf) > MAX_SUBSTITUTION:
        return False
    if require_hit and not any(raw_bytes(x) in a_buf for x, _ in prefixes):
        return False
    for x, y in prefixes:
        a_buf = a_buf.replace(raw_bytes(x), raw_bytes(y))
    if a_buf == pair[1]:
        return True
    return inflated_shift_share(ctx, key, 1 << 24, a_buf=a_buf) >= 0.99


def _is_dwarf(key: str) -> bool:
    return is_debug_name(key.split(",")[-1])
