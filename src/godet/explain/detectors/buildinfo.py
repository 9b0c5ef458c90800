"""Causes named by buildinfo, compared field by field: toolchain, settings, VCS, dependencies.

Each differing modinfo line is located in both files (the ``.go.buildinfo`` blob and the
``runtime.modinfo`` copy in read-only data) and claimed by the cause it names. Settings that
change compilation (toolchain, GOAMD64, -tags, -gcflags, ...) also claim, as a fallback, every
differing byte no more specific cause explained.
"""

from __future__ import annotations

import re

from godet.explain import godebug
from godet.explain.causes import (
    ARCH_LEVELS,
    CGO_FLAGS,
    COMPILER_SETTINGS,
    GO_LINE_EVIDENCE,
    GOPATH_DEFAULTS,
    SOURCE_SETTINGS,
    is_broad,
)
from godet.explain.detectors.base import Claim, DiffContext, Evidence, Finding, raw_bytes, variable_claims
from godet.explain.detectors.paths import FILE_TABLES
from godet.read.buildinfo import BuildInfo
from godet.read.formats import in_debug_segment, is_debug_name
from godet.read.xflags import parse_x_flags, without_x

EMITS = frozenset(
    {
        "toolchain-version",
        "goexperiment",
        "arch-level",
        "build-setting",
        "trimpath",
        "gopath-mode",
        "vcs-revision",
        "vcs-time",
        "vcs-modified",
        "vcs-stamping",
        "ldflags-x",
        "default-godebug",
        "pgo-profile",
        "cgo-flags",
        "dependency-version",
        "command-line-files",
        "module-path",
        "source-change",
    }
)
MAJOR_SUFFIX = re.compile(r"/v[2-9][0-9]*$")  # a module path's major version (example.com/mod/v2)
MAJOR_ELEMENT = re.compile(r"v[2-9][0-9]*")  # that element of an import path
NAME_UNITS = frozenset({".strtab", ".symtab", ".dynstr", "__LINKEDIT"})  # symbol names and their table
MIN_COMMON_DEPS = 3  # dependencies two builds share before their overlap says "one program"

VCS_CAUSE = {"vcs.revision": "vcs-revision", "vcs.time": "vcs-time", "vcs.modified": "vcs-modified"}


def compiler_output_differs(a: BuildInfo | None, b: BuildInfo | None) -> bool:
    """Triage from buildinfo alone: did the compiler (or its configuration) differ between the builds?"""
    if a is None or b is None:
        return False
    if a.base_version != b.base_version or a.experiments != b.experiments:
        return True
    sa, sb = dict(a.settings), dict(b.settings)
    return any(sa.get(k) != sb.get(k) for k in COMPILER_SETTINGS)


class _Lines:
    """Where each modinfo line sits in the file (blob and rodata copy)."""

    def __init__(self, ctx: DiffContext, side: str, bi: BuildInfo) -> None:
        self.side = side
        self.bi = bi
        text = bi.modinfo.encode("utf-8", "surrogateescape")
        self.lines = text.split(b"\n")
        starts = []
        pos = 0
        for ln in self.lines:
            starts.append(pos)
            pos += len(ln) + 1
        self.starts = starts
        binary = ctx.a if side == "a" else ctx.b
        self.bases = binary.modinfo_copies if binary.buildinfo is bi else [bi.modinfo_range[0]]
        self.version_ranges = [bi.version_range]

    def claims(self, predicate) -> list[Claim]:  # type: ignore[no-untyped-def]
        out = []
        for i, ln in enumerate(self.lines):
            if predicate(ln.decode("utf-8", "replace")):
                for base in self.bases:
                    s = base + self.starts[i]
                    out.append(Claim.range(self.side, s, s + len(ln) + 1))
        return out


def _key_of(line: str) -> str | None:
    """The setting key of a ``build`` line (unquoted), else None."""
    if not line.startswith("build\t"):
        return None
    kv = line[6:]
    if kv.startswith('"'):
        end = kv.find('"=', 1)
        return kv[1:end] if end > 0 else kv
    return kv.split("=", 1)[0]


def _dep_path(line: str) -> str | None:
    parts = line.split("\t")
    return parts[1] if len(parts) > 1 and parts[0] in ("dep", "=>") else None


def detect(ctx: DiffContext) -> list[Finding]:
    a, b = ctx.a.buildinfo, ctx.b.buildinfo
    if a is None or b is None:
        return []
    la, lb = _Lines(ctx, "a", a), _Lines(ctx, "b", b)

    def line_claims(pred) -> list[Claim]:  # type: ignore[no-untyped-def]
        return la.claims(pred) + lb.claims(pred)

    out: list[Finding] = []
    out.extend(_toolchain(ctx, a, b))
    sa, sb = dict(a.settings), dict(b.settings)
    keys = list(dict.fromkeys([k for k, _ in a.settings] + [k for k, _ in b.settings]))
    keys.sort(key=lambda k: k != "-trimpath")  # first: it decides how -ldflags reads (stable otherwise)
    vcs_a = any(k.startswith("vcs") for k in sa)
    vcs_b = any(k.startswith("vcs") for k in sb)
    main_version_claims = _main_version_claims(la, lb, a, b)
    if vcs_a != vcs_b:
        ev = [Evidence(k, sa.get(k), sb.get(k)) for k in keys if k.startswith("vcs")]
        claims = line_claims(lambda ln: (_key_of(ln) or "").startswith("vcs")) + main_version_claims
        out.append(
            Finding(
                "vcs-stamping",
                "VCS stamping is present in one build only (vcs.* settings): "
                "-buildvcs differs, or one build ran outside the repository or without git.",
                ev,
                claims,
            )
        )
    for k in keys:
        va, vb = sa.get(k), sb.get(k)
        if va == vb:
            continue
        claims = line_claims(lambda ln, k=k: _key_of(ln) == k)
        if k.startswith("vcs"):
            if vcs_a != vcs_b or k == "vcs":
                continue
            cause = VCS_CAUSE.get(k, "vcs-revision")
            claims += main_version_claims if cause in ("vcs-revision", "vcs-modified") else []
            words = {
                "vcs-revision": "The builds are from different commits",
                "vcs-time": "The stamped commit times differ",
                "vcs-modified": "One build was made from a modified (dirty) work tree",
            }
            ev = [Evidence(k, va, vb)]
            summary = f"{words[cause]} ({k})."
            if main_version_claims and cause in ("vcs-revision", "vcs-modified"):
                ev.append(Evidence("main module version", _main_version(a), _main_version(b)))
                summary += (
                    " The main module's version, which Go derives from the commit (its tag, a "
                    "pseudo-version, +dirty), differs with it."
                )
            out.append(Finding(cause, summary, ev, claims))
        elif k in ARCH_LEVELS:
            out.append(
                Finding(
                    "arch-level",
                    f"The architecture level differs ({k}={va} vs {k}={vb}): the "
                    "compiler selected different instructions.",
                    [Evidence(k, va, vb)],
                    claims + _everything(ctx),
                    key=k,
                )
            )
        elif k == "GOEXPERIMENT":
            if a.experiments == b.experiments:
                out.append(
                    Finding(
                        "goexperiment",
                        "GOEXPERIMENT differs.",
                        [Evidence(k, va, vb)],
                        claims + _everything(ctx),
                        key=k,
                    )
                )
        elif k == "DefaultGODEBUG":
            gopath = not any(x.main is not None and not x.main.is_zero for x in (a, b))
            summary, lines = _godebug_summary(va, vb, a.go_version, b.go_version)
            if gopath:
                summary, lines = (
                    "The default GODEBUG settings differ: in GOPATH mode there is no go.mod, and each Go "
                    "release writes the defaults of the go line it assumes (or a //go:debug directive "
                    "differs).",
                    [],
                )
            out.append(
                Finding(
                    "default-godebug",
                    summary,
                    [Evidence(k, va, vb), *lines, *_godebug_settings(va, vb)],
                    claims + _string_claims(ctx, va, vb),
                    key=k,
                    traits=_godebug_traits(a, b, va, vb),
                )
            )
        elif k == "-pgo":
            out.append(
                Finding(
                    "pgo-profile",
                    "A different profile-guided-optimisation profile was used.",
                    [Evidence(k, va, vb)],
                    claims + _everything(ctx),
                    key=k,
                )
            )
        elif k in CGO_FLAGS:
            out.append(Finding("cgo-flags", f"{k} differs.", [Evidence(k, va, vb)], claims, key=k))
        elif k == "-trimpath":
            out.append(_trimpath(va, vb, claims))
        elif k == "-ldflags":
            out.extend(_ldflags(ctx, va, vb, claims, hidden=_trimmed_one_side(sa, sb), out_so_far=tuple(out)))
        else:
            broad = _everything(ctx) if is_broad("build-setting", k) else []
            out.append(
                Finding(
                    "build-setting",
                    f"The build setting {k} differs.",
                    [Evidence(k, va, vb)],
                    claims + broad,
                    key=k,
                )
            )
    if renamed_module(a, b):
        out.append(_module_path(ctx, a, b, line_claims(lambda ln: ln.startswith(("path\t", "mod\t")))))
    elif main_moved_to_cmd(a, b):
        out.append(
            Finding(
                "source-change",
                f"The command's main package moved inside its repository ({a.path} vs {b.path}): the "
                "program's source differs.",
                [Evidence("main package", a.path, b.path)],
                line_claims(lambda ln: ln.startswith("path\t")),
                key="main package",
            )
        )
    out.extend(_deps(ctx, a, b, line_claims))
    gopath = _gopath_mode(a, b, main_version_claims + _source_file_names(ctx))
    out.extend(gopath or _main_module(a, b, main_version_claims, vcs_a or vcs_b))
    if "command-line-arguments" in (a.path, b.path):
        out.append(
            Finding(
                "command-line-files",
                "The program was built from a list of .go files "
                "(path command-line-arguments): no module is recorded and the build ID depends on "
                "the files' absolute paths.",
                [Evidence("path", a.path, b.path)],
                [],
            )
        )
    return out


def renamed_module(a: BuildInfo, b: BuildInfo) -> bool:
    """Whether main packages of other paths are one program whose module was renamed or moved to
    another major version: the same package inside modules of the same name (the last element,
    without /vN), beside mostly the same dependencies when both have some; with GOPATH mode on a
    side (no module recorded), a repository that moved to another owner or major version
    (renamed_prefixes)."""
    ma, mb = a.main, b.main
    if renamed_prefixes(a, b) is not None:
        return True
    if ma is None or mb is None or not ma.path or not mb.path or ma.path == mb.path:
        return False
    inside = _inside(a.path, ma.path)
    if inside is None or inside != _inside(b.path, mb.path) or _base(ma.path) != _base(mb.path):
        return False
    da, db = {d.path for d in a.deps}, {d.path for d in b.deps}
    if min(len(da), len(db)) < MIN_COMMON_DEPS:
        return True
    return 2 * len(da & db) >= len(da | db)


def renamed_prefixes(a: BuildInfo, b: BuildInfo) -> tuple[str, str] | None:
    """In GOPATH mode on one side at least (no main module recorded), main packages whose import paths
    differ in exactly one element that is not the last (github.com/peteheist/irtt/cmd/irtt and
    github.com/heistp/irtt/cmd/irtt: the repository moved to another owner), or by a major version
    element (github.com/go-git/go-git/cli/go-git and .../go-git/v5/cli/go-git): the two paths up to
    that element, which every package of the program is renamed by. Else None."""
    if all(x.main is not None and not x.main.is_zero for x in (a, b)):
        return None  # (module mode on both sides: the modules tell, see renamed_module)
    pa, pb = a.path.split("/"), b.path.split("/")
    if min(len(pa), len(pb)) < 2 or "." not in pa[0]:
        return None
    if abs(len(pa) - len(pb)) == 1:  # moved to another major version: .../go-git/v5/cli/go-git
        short, long_ = (pa, pb) if len(pa) < len(pb) else (pb, pa)
        k = next((i for i, (x, y) in enumerate(zip(short, long_, strict=False)) if x != y), len(short))
        if k == 0 or not MAJOR_ELEMENT.fullmatch(long_[k]) or short[k:] != long_[k + 1 :]:
            return None
        ends = "/".join(short[:k]), "/".join(long_[: k + 1])
        return ends if short is pa else (ends[1], ends[0])
    if len(pa) != len(pb) or len(pa) < 3:
        return None
    differ = [i for i, (x, y) in enumerate(zip(pa, pb, strict=True)) if x != y]
    if len(differ) != 1 or differ[0] == len(pa) - 1:
        return None
    k = differ[0] + 1
    return "/".join(pa[:k]), "/".join(pb[:k])


def main_moved_to_cmd(a: BuildInfo, b: BuildInfo) -> bool:
    """Whether one main package is the other's path plus ``/cmd/`` and its last element: the command
    moved into a cmd/ directory of its repository (Debian's gitbatch 0.5.0 to 0.6.1:
    github.com/isacikgoz/gitbatch became github.com/isacikgoz/gitbatch/cmd/gitbatch)."""
    short, long_ = sorted((a.path, b.path), key=len)
    return "." in short.split("/", 1)[0] and long_ == f"{short}/cmd/{short.rsplit('/', 1)[-1]}"


LOCAL_VERSION = re.compile(r"[-_.]v?\d[\w.~+-]*\Z")  # a version a source directory's name ends in


def local_directories(a: BuildInfo, b: BuildInfo) -> bool:
    """Main packages built in GOPATH mode from directories outside GOPATH (cmd/go names them
    "_/" and the absolute directory) whose last elements are the same name, perhaps followed by
    another version (_/build/reproducible-path/govarnam-1.9.0 and -1.9.1): one program built in
    two directories, whose difference the paths detector tells."""
    if not (a.path.startswith("_/") and b.path.startswith("_/")):
        return False
    na, nb = (LOCAL_VERSION.sub("", x.path.rsplit("/", 1)[-1]) for x in (a, b))
    return bool(na) and na == nb


def _inside(package: str, module: str) -> str | None:
    """The package's path inside its module ("" for the module's root), or None."""
    if package == module:
        return ""
    return package[len(module) + 1 :] if package.startswith(module + "/") else None


def _base(module: str) -> str:
    """A module path's last element without its major version suffix."""
    return MAJOR_SUFFIX.sub("", module).rsplit("/", 1)[-1]


def _module_path(ctx: DiffContext, a: BuildInfo, b: BuildInfo, claims: list[Claim]) -> Finding:
    """The renamed module: its buildinfo lines, and as a fallback the module's path wherever a name
    holds it, and the tables of names (symbol names, the pclntab's function names, DWARF)."""
    moved = renamed_prefixes(a, b)
    if moved is None:
        assert a.main is not None and b.main is not None
        moved = a.main.path, b.main.path
    pa, pb = moved
    names = ctx.string_claims(pa.encode(), pb.encode(), limit=4096)
    claims = claims + [Claim.range(c.side, c.start, c.end, fallback=True) for c in names]
    for u in ctx.cmp.runs.units:
        top, _, piece = u.partition("/")
        name = top.rsplit(",", 1)[-1]
        if name in NAME_UNITS or piece == "funcnametab" or is_debug_name(name) or in_debug_segment(u):
            claims.append(Claim.unit(u, fallback=True))
    if all(x.main is not None and not x.main.is_zero for x in (a, b)):
        summary = f"The main module's path differs ({pa} vs {pb}): the module was renamed or moved to "
        label = "main module"
    else:
        summary = f"The program's import path differs ({pa} vs {pb}; no module recorded): it was moved to "
        label = "import path prefix"
    return Finding(
        "module-path",
        summary + "another owner or major version, which renames every package, function and type it "
        "declares.",
        [Evidence(label, pa, pb), Evidence("main package", a.path, b.path)],
        claims,
        key="main module",
    )


def _trimmed_one_side(sa: dict[str, str], sb: dict[str, str]) -> bool:
    """Exactly one build used -trimpath (which leaves -ldflags and CGO_* flags unrecorded)."""
    return (sa.get("-trimpath") == "true") != (sb.get("-trimpath") == "true")


def _trimpath(va: str | None, vb: str | None, claims: list[Claim]) -> Finding:
    """-trimpath on one side only; the path detector adds the paths it removed to this finding."""
    trimmed = "B" if vb == "true" else "A"
    return Finding(
        "trimpath",
        f"Only {trimmed} was built with -trimpath: the other embeds absolute paths of the build machine "
        "where it has import paths, and records -ldflags and the CGO_* flags in its buildinfo.",
        [Evidence("-trimpath", va, vb)],
        claims,
        places=["buildinfo"],
    )


def _source_file_names(ctx: DiffContext) -> list[Claim]:
    """Fallback claims on what names the source files (the pclntab file tables, DWARF line tables):
    GOPATH mode compiles a dependency from GOPATH/src, module mode from module@version, so its
    files' names differ even when both builds are trimmed."""
    out = []
    for unit in ctx.cmp.runs.units:
        base, _, piece = unit.partition("/")
        if piece in FILE_TABLES or base.endswith("debug_line"):
            out.append(Claim.unit(unit, fallback=True))
    return out


def _gopath_mode(a: BuildInfo, b: BuildInfo, claims: list[Claim]) -> list[Finding]:
    """One build in GOPATH mode (no main module recorded), the other in module mode."""
    if "command-line-arguments" in (a.path, b.path):
        return []
    ma = a.main is not None and not a.main.is_zero
    mb = b.main is not None and not b.main.is_zero
    if ma == mb:
        return []
    mod = a.main if ma else b.main
    desc = f"{mod.path} {mod.version}" if mod is not None else None
    return [
        Finding(
            "gopath-mode",
            f"{'B' if ma else 'A'} was built in GOPATH mode (no main module recorded: GO111MODULE=off or "
            f"no go.mod), {'A' if ma else 'B'} in module mode.",
            [Evidence("main module", desc if ma else None, desc if mb else None)],
            claims,
        )
    ]


def _godebug_traits(a: BuildInfo, b: BuildInfo, va: str | None, vb: str | None) -> frozenset[str]:
    """GOPATH_DEFAULTS when neither build has a go.mod; SOURCE_SETTINGS when both do and a setting
    differs that both releases write alike (the go line or a //go:debug directive of the source)."""
    modules = [x.main is not None and not x.main.is_zero for x in (a, b)]
    if not any(modules):
        return frozenset({GOPATH_DEFAULTS})
    if all(modules) and godebug.not_from_releases(va, vb, a.go_version, b.go_version):
        return frozenset({SOURCE_SETTINGS})
    return frozenset()


def _godebug_summary(
    va: str | None, vb: str | None, version_a: str, version_b: str
) -> tuple[str, list[Evidence]]:
    """The summary of a DefaultGODEBUG difference, naming the go.mod go lines when each release's
    table dates both values (explain/godebug.py) and they differ."""
    la, lb = godebug.go_lines(va, version_a), godebug.go_lines(vb, version_b)
    if la is None or lb is None or la == lb:
        return "The default GODEBUG settings differ (go.mod go line or //go:debug directives).", []
    ta, tb = godebug.go_line_text(la), godebug.go_line_text(lb)
    return (
        f"The default GODEBUG settings differ: the go.mod go line differs ({ta} vs {tb}, the lines for "
        "which each release writes these defaults).",
        [Evidence(GO_LINE_EVIDENCE, ta, tb)],
    )


MAX_GODEBUG_SETTINGS = 8  # settings named one by one under a DefaultGODEBUG difference


def _godebug_settings(va: str | None, vb: str | None) -> list[Evidence]:
    """One line per GODEBUG setting that differs (the whole values are long and differ in places),
    when both builds record one (else the whole value says it all)."""
    if va is None or vb is None:
        return []
    return [Evidence(k, a, b) for k, a, b in godebug.differing(va, vb)[:MAX_GODEBUG_SETTINGS]]


def _everything(ctx: DiffContext) -> list[Claim]:
    """Fallback claims on every differing unit: the cause plausibly changed all of them."""
    tops = dict.fromkeys(u.split("/", 1)[0] for u in ctx.cmp.runs.units)
    return [Claim.unit(u, fallback=True) for u in tops]


def _string_claims(ctx: DiffContext, va: str | None, vb: str | None) -> list[Claim]:
    """Every occurrence of each side's value in its file (the runtime keeps copies: godebugDefault),
    also when only one build records it (a go line that leaves no default on the other side)."""
    a = raw_bytes(va) if va and len(va) >= 4 else b""
    b = raw_bytes(vb) if vb and len(vb) >= 4 else b""
    return ctx.string_claims(a, b, limit=64) if a or b else []


def _toolchain(ctx: DiffContext, a: BuildInfo, b: BuildInfo) -> list[Finding]:
    out = []
    claims = [Claim.range("a", *_span(a.version_range)), Claim.range("b", *_span(b.version_range))]
    claims += ctx.string_claims(raw_bytes(a.go_version), raw_bytes(b.go_version), limit=16)
    if a.base_version != b.base_version:
        out.append(
            Finding(
                "toolchain-version",
                f"Different Go toolchains: {a.base_version} vs {b.base_version}; "
                "the runtime and the compiler's output differ throughout.",
                [Evidence("Go version", a.go_version, b.go_version)],
                claims + _everything(ctx),
            )
        )
    if a.experiments != b.experiments:  # the version string names only experiments set on purpose
        out.append(
            Finding(
                "goexperiment",
                "GOEXPERIMENT differs: "
                f"{','.join(a.experiments) or 'none'} vs {','.join(b.experiments) or 'none'}.",
                [
                    Evidence("Go version", a.go_version, b.go_version),
                    Evidence("GOEXPERIMENT", a.setting("GOEXPERIMENT"), b.setting("GOEXPERIMENT")),
                ],
                claims + _everything(ctx),
                key="GOEXPERIMENT",
            )
        )
    return out


def _span(r: tuple[int, int]) -> tuple[int, int]:
    return r[0], r[0] + r[1]


def _main_version_claims(la: _Lines, lb: _Lines, a: BuildInfo, b: BuildInfo) -> list[Claim]:
    if (a.main and a.main.version) == (b.main and b.main.version):
        return []
    return la.claims(lambda ln: ln.startswith("mod\t")) + lb.claims(lambda ln: ln.startswith("mod\t"))


def _main_version(info: BuildInfo) -> str | None:
    return info.main.version if info.main else None


def _main_module(a: BuildInfo, b: BuildInfo, claims: list[Claim], vcs: bool) -> list[Finding]:
    ma, mb = a.main, b.main
    if ((ma and ma.version) == (mb and mb.version) and (ma and ma.sum) == (mb and mb.sum)) or vcs:
        return []
    return [
        Finding(
            "build-setting",
            "The main module's version differs.",
            [Evidence("main module", ma and f"{ma.path} {ma.version}", mb and f"{mb.path} {mb.version}")],
            claims,
            key="main module",
        )
    ]


def _ldflags(
    ctx: DiffContext,
    va: str | None,
    vb: str | None,
    claims: list[Claim],
    hidden: bool = False,
    out_so_far: tuple[Finding, ...] = (),
) -> list[Finding]:
    """-X values and the other linker flags; ``hidden``: one side's -ldflags went unrecorded (-trimpath)."""
    if hidden and (va is None or vb is None):
        # -trimpath left one side's flags out of buildinfo: absence says nothing about its -X values
        # or other flags (the content and structure detectors read what they did from the binary);
        # the missing line itself is -trimpath's doing, so its bytes go to the trimpath finding.
        trim = next((f for f in out_so_far if f.cause == "trimpath"), None)
        if trim is not None:
            trim.claims.extend(claims)
            trim.evidence.append(Evidence("-ldflags", va, vb))
        return []
    xa, xb = _x_values(va or ""), _x_values(vb or "")
    out = []
    rest_a = _without_x(va or "")
    rest_b = _without_x(vb or "")
    # the -ldflags line of buildinfo: the other flags' when they differ too (the -X values keep their
    # own bytes), else the -X values' (a line claimed by both would leave the flags a root of no bytes)
    line = [] if rest_a != rest_b else claims
    for name in dict.fromkeys(list(xa) + list(xb)):
        if xa.get(name) == xb.get(name):
            continue
        sc = []
        va_x, vb_x = xa.get(name) or "", xb.get(name) or ""
        if (va_x and vb_x) or len(va_x or vb_x) >= MIN_ONE_SIDED:  # a short value alone may be anywhere
            sc = ctx.string_claims(raw_bytes(va_x), raw_bytes(vb_x), limit=64)
        out.append(
            Finding(
                "ldflags-x",
                f"The -X value of {name} differs.",
                [Evidence(f"-X {name}", xa.get(name), xb.get(name))],
                line + sc,
                key=name,
            )
        )
    if rest_a != rest_b:
        out.append(
            Finding(
                "build-setting",
                "The linker flags (-ldflags) differ.",
                [Evidence("-ldflags", va, vb)],
                claims,
                key="-ldflags",
            )
        )
    return out


MIN_ONE_SIDED = 4  # an -X value set in one build only is looked for when at least this long


def _x_values(flags: str) -> dict[str, str]:
    """``-X importpath.name=value`` pairs of an -ldflags string (split like cmd/go: godet.read.xflags)."""
    return dict(parse_x_flags(flags))


def _without_x(flags: str) -> list[str]:
    return without_x(flags)


def _deps(ctx: DiffContext, a: BuildInfo, b: BuildInfo, line_claims) -> list[Finding]:  # type: ignore[no-untyped-def]
    da = {d.path: d for d in a.deps}
    db = {d.path: d for d in b.deps}
    out = []
    for path in dict.fromkeys(list(da) + list(db)):
        x, y = da.get(path), db.get(path)
        if x == y:
            continue

        def desc(m) -> str | None:  # type: ignore[no-untyped-def]
            # the evidence's label is the module path: the values are what differs, its version
            if m is None:
                return None
            s = m.version or "(no version)"
            if m.replace is not None:
                s += f" => {m.replace.path} {m.replace.version}"
            return s

        def is_dep_line(ln: str, path: str = path, x=x, y=y) -> bool:  # type: ignore[no-untyped-def]
            if _dep_path(ln) == path:
                return True
            return ln.startswith("=>\t") and any(
                m is not None and m.replace is not None and ln.split("\t")[1] == m.replace.path
                for m in (x, y)
            )

        claims = line_claims(is_dep_line) + _package_claims(ctx, path)
        if x is not None and y is not None and x.version != y.version:
            # file paths under -trimpath (and module cache paths) read module@version/...
            claims += ctx.string_claims(
                raw_bytes(f"{path}@{x.version}"), raw_bytes(f"{path}@{y.version}"), table="filetab"
            )
        out.append(
            Finding(
                "dependency-version",
                f"The dependency {path} differs.",
                [Evidence(path, desc(x), desc(y))],
                claims,
                key=path,
            )
        )
    one_sided = [f for f in out if f.evidence[0].a is None or f.evidence[0].b is None]
    if one_sided:
        one_sided[0].claims += variable_claims(ctx)
    return out


def _package_claims(ctx: DiffContext, module: str) -> list[Claim]:
    """The differing code of the module's functions (their names start with its import path), and
    what the pclntab holds for them (their names, records and pc-value tables changed with them)."""
    out = []
    starts: dict[str, list[int]] = {"a": [], "b": []}
    for fd in ctx.cmp.functions_of(module):
        for side, r in (("a", fd.a_range), ("b", fd.b_range)):
            if r:
                out.append(Claim.range(side, r[0], r[1]))
                starts[side].append(r[0])
    return out + [c for side, at in starts.items() for c in ctx.record_claims(side, at)]
