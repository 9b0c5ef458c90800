"""Content family: changed Go code (instructions that differ beyond their address operands)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from godet.compare import code as codecmp
from godet.compare.layout import FunctionDelta
from godet.explain import godebug
from godet.explain.causes import (
    APART_FROM_VERSIONS,
    HEADER_SHIFT,
    MOVED_LINES,
    OWN_CONSTANTS,
    OWN_PACKAGES,
    PINNED_FUNCTIONS,
    REACHED_BY_VERSIONS,
    SOURCE_SETTINGS,
    STD_UNCHANGED,
    is_broad,
)
from godet.explain.detectors.base import (
    RANK,
    Claim,
    DiffContext,
    Evidence,
    Finding,
    merged_ranges,
    variable_claims,
)
from godet.explain.detectors.content.common import (
    bumped_modules,
    claims_code,
    code_explained,
    externally_linked,
    follow_claims,
    function_claims,
    pinned_modules,
    relocating,
    relocation_only,
    va_to_offsets,
)
from godet.read.binary import Binary
from godet.read.buildinfo import DEBUG_INFO_EXPERIMENTS
from godet.read.coderefs import called_functions, race_instrumented, reached_by_calls
from godet.read.inltree import inlined_functions
from godet.read.owners import (
    DECLARED_NAME,
    DEP,
    MADE_NAME,
    MAIN,
    STD,
    ModuleIndex,
    in_modules,
    one_sided_functions,
    one_sided_packages,
    package_of,
    raw_package_of,
    repository_root,
)
from godet.read.pclntab import Pclntab
from godet.read.typedesc import package_names, types_loaded

PACKAGES_KEY = "packages"  # the key of the finding "packages compiled into one build only"
OWN_PACKAGES_KEY = OWN_PACKAGES  # ... the same, all of them the main module's
PACKAGE_KEYS = (PACKAGES_KEY, OWN_PACKAGES_KEY)
FUNCTIONS_KEY = "functions"  # ... "declared functions in one build only" (their packages in both)
PINNED_KEY = PINNED_FUNCTIONS  # ... the same, in modules of one version and checksum
ChangedCode = tuple[FunctionDelta, "codecmp.CodeCompare | None"]
FUNCTIONS_WHY = ": the program's source or its dependencies differ, which a toolchain does not explain."
PINNED_WHY = (
    ": their modules' source is the same (same version, same checksum), so the compiler inlined them "
    "away without a trace (a new release's inliner does) or the code calling them changed."
)

BROUGHT_WHY = (
    ": their modules' source is the same (same version, same checksum), and the code of a module "
    "whose version differs calls them: its new version brought them in."
)

EMITS: frozenset[str] = frozenset(["source-change"])


def detect(ctx: DiffContext) -> list[Finding]:
    """Go functions whose instructions differ once addresses are normalised (compare/code.py), claimed
    as a fallback with the debug info and pc tables that follow the code. Skipped when an earlier
    cause (toolchain, flags, linkage) claims all code; then only packages compiled into one build
    alone are told, which no such cause explains."""
    broad = code_explained(ctx, RANK["source-change"])
    lines = _lines_moved(ctx, follow=not broad)
    if broad:
        if ctx.deep:
            _tell_broad_cause(ctx, broad, codecmp.changed_functions(ctx))
        code = _beside_unchanged_std(ctx, broad) or _other_constants(ctx)
        functions = _functions(ctx)
        own = [f for f in functions if f.key != PINNED_KEY]
        pinned = [f for f in functions if f.key == PINNED_KEY]
        theirs, mine = _packages(ctx)
        own = _merged(mine, own)  # (the main module's own source, which no dependency explains)
        if own:
            return theirs + _merged(own, code) + pinned + lines
        return _merged(theirs, code) + pinned + lines
    return _source_change(ctx, codecmp.changed_functions(ctx)) + lines


def _merged(packages: list[Finding], functions: list[Finding]) -> list[Finding]:
    """One source-change finding: the packages one build lacks, with the changed functions beside them."""
    if not packages or not functions:
        return packages + functions
    p, f = packages[0], functions[0]
    if p.key not in PACKAGE_KEYS and f.key in PACKAGE_KEYS:
        p, f = f, p
    p.claims += f.claims
    p.evidence += f.evidence[:4]
    p.places += [x for x in f.places if x not in p.places][:25]
    p.summary += " " + f.summary.replace(FUNCTIONS_WHY, ".")  # the packages' summary gives the reason
    p.traits = p.traits | f.traits
    return [p]


# Causes that would change the standard library's code with the program's: when they left every
# standard-library function as it was, they did not change the compiler's output for this program.
CONTROLLED = frozenset({"toolchain-version", "goexperiment", "arch-level"})


MIN_SAMPLE = 100  # functions checked before the unchecked rest (at most a tenth) may be left out
CONTROL_LIMIT = 1000  # functions disassembled at most to tell whether the standard library compiled alike


def _control_limit(ctx: DiffContext) -> int:
    """The disassembly limit of the control group (more than the default: data that moved makes
    hundreds of functions differ in their address operands only), or --deep's."""
    return max(CONTROL_LIMIT, codecmp.DEEP_LIMIT if ctx.deep else 0)


def std_compiled_alike(ctx: DiffContext) -> bool:
    """Whether the standard library compiled to the same code in both builds (its functions at most
    moved: none resized, added or dropped; all checked, or a large sample) while the only causes
    that recompile code are CONTROLLED ones: then they did not change the compiler's output, nor the
    standard library's strings, for this program. Computed once per pair."""
    if "std_alike" not in ctx.memo:
        ctx.memo["std_alike"] = _std_alike(ctx)
    return bool(ctx.memo["std_alike"])


def _std_alike(ctx: DiffContext) -> bool:
    relocated = relocation_only(ctx)
    released = any(f.cause in CONTROLLED for f in ctx.findings)  # (with no code differing, none claims it)
    others = any(
        is_broad(f.cause, f.key) and f.cause not in CONTROLLED and not (relocated and relocating(f))
        for f in ctx.findings
    )
    if not (released or relocated) or others:
        return False
    # position-independent code grows; another linker keeps other C code (named like the standard
    # library's functions when Go's linker lists them in the pclntab: x_cgo_munmap.cold)
    linked_only = relocated and externally_linked(ctx.a) != externally_linked(ctx.b)
    allowed = {"differs", "resized"} if relocated else {"differs"}
    if any(
        _kind(ctx, fd) == STD and fd.how not in allowed for fd in _two_sided(ctx.cmp.functions, linked_only)
    ):
        return False  # a standard-library function was resized, added or dropped: recompiled
    v = codecmp.changed_functions(ctx, _control_limit(ctx))
    changed = _past_relocation(ctx, [*v.changed, *v.reordered])
    std_changed = any(_kind(ctx, fd) == STD for fd in _two_sided([fd for fd, _ in changed], linked_only))
    # a sample is enough when it is large: a compiler that emits other code does so in many functions
    sampled = v.checked >= MIN_SAMPLE and len(v.unchecked) <= v.checked // 10
    return v.supported and (not v.unchecked or sampled) and not std_changed


def _named(ctx: DiffContext, cause: str) -> str:
    """How a summary names a cause: a setting by its flag (-buildmode, GOAMD64), others by their ID."""
    f = next((f for f in ctx.findings if f.cause == cause), None)
    return f.key if f is not None and cause in ("build-setting", "arch-level") and f.key else cause


def _two_sided(functions: list[FunctionDelta], only: bool) -> list[FunctionDelta]:
    """``functions``, or (``only``) those both builds hold."""
    return [fd for fd in functions if fd.a_range and fd.b_range] if only else functions


def _past_relocation(ctx: DiffContext, changed: list[ChangedCode]) -> list[ChangedCode]:
    """The changed functions, less those that differ only as the relocation model and the linker
    make them (when those differ: relocation_only). Each function is disassembled once per pair
    (the control group and the program's own functions ask about the same ones)."""
    if not relocation_only(ctx):
        return changed
    beyond: dict[str, bool] = ctx.memo.setdefault("past_relocation", {})  # function -> differs beyond
    todo = [(fd, cc) for fd, cc in changed if fd.name not in beyond]
    still = {fd.name for fd, _ in codecmp.beyond_relocation(ctx, todo)}
    beyond.update((fd.name, fd.name in still) for fd, _ in todo)
    return [(fd, cc) for fd, cc in changed if beyond[fd.name]]


def _modules(ctx: DiffContext, side: str = "a") -> ModuleIndex:
    """The module index of one build, built once per pair."""
    key = f"modules-{side}"
    if key not in ctx.memo:
        ctx.memo[key] = ModuleIndex((ctx.a if side == "a" else ctx.b).buildinfo)
    return ctx.memo[key]


def _kind(ctx: DiffContext, fd: FunctionDelta) -> str:
    """Owner kind of a differing function (std, main, dep, generated)."""
    return _modules(ctx).owner(package_of(fd.name.split("#", 1)[0]))[0]


def _beside_unchanged_std(ctx: DiffContext, broad: str) -> list[Finding]:
    """The program's changed functions, when the standard library compiled alike (std_compiled_alike):
    the standard library is the control group (a patch release that changes no code of this program,
    and a function whose source changed). Beside a dependency version, the functions that hold its
    code are its consequence (_source_change splits them off)."""
    if not std_compiled_alike(ctx):
        return []
    v = codecmp.changed_functions(ctx, _control_limit(ctx))
    mine = _past_relocation(ctx, [(fd, cc) for fd, cc in v.changed if _kind(ctx, fd) in (MAIN, DEP)])
    if not mine:
        return []
    found = _source_change(ctx, codecmp.FunctionVerdicts(changed=mine), own_code=True)
    for f in found:
        f.traits = f.traits | {STD_UNCHANGED}
        but = " but for how it was linked" if relocation_only(ctx) else ""
        f.summary += (
            f" The standard library compiled to the same code{but} ({_std_count(ctx):,} functions"
            f" at most moved), so the {_named(ctx, broad)} difference did not change these."
        )
    return found


# Causes that recompile every function and yet leave some functions' own constants alone
# (own_constants), each with the functions it leaves: an edit in one of those is the source's.
# - GOAMD64 selects other instructions for the same source and keeps every constant: cmd/go built
#   with GOAMD64=v1 and v3, 3,040 functions of its module, not one computes with other constants.
# - The linkage (libraries, symbol versions, the linker) lays the compiled code out; it keeps all.
# - -race changes only the functions it instruments (race_instrumented): cmd/go with and without it,
#   113 of 3,016 functions of module cmd uninstrumented, 112 the same code but for addresses, none
#   with other constants (the one left swaps two registers in an address).
# -pgo (cmd/compile with and without its default.pgo: 316 of 13,553 with other constants), -gcflags,
# -tags (a file the tag selects may hold the constant), CGO_ENABLED and releases may change any.
Kept = Callable[[int, int], bool]  # (pclntab index in A, in B) -> whether the cause keeps its constants


def _keeps_constants(ctx: DiffContext, f: Finding) -> tuple[Kept, str] | None:
    """Which of the program's functions cause ``f`` leaves the own constants of, and why (to tell in
    the summary); None: it may change any."""
    if f.cause == "arch-level":
        return (lambda ia, ib: True), f"{_named(ctx, f.cause)} selects other instructions for the same source"
    if f.cause == "linkage":
        return (lambda ia, ib: True), "the linker does not compile Go code"
    ba, bb = ctx.a.buildinfo, ctx.b.buildinfo
    if f.cause == "goexperiment" and ba is not None and bb is not None:
        changed = ba.experiments_differing(bb)
        if changed and changed <= DEBUG_INFO_EXPERIMENTS:
            return (lambda ia, ib: True), f"GOEXPERIMENT {', '.join(sorted(changed))} changes only debug info"
    if f.cause == "build-setting" and f.key == "-race":
        ra, rb = race_instrumented(ctx.a), race_instrumented(ctx.b)
        if ra is None or rb is None:
            return None
        why = "-race did not instrument them (they do not call the race detector)"
        return (lambda ia, ib: not (_holds(ra, ia) or _holds(rb, ib))), why
    return None


def _holds(sorted_indexes: np.ndarray, i: int) -> bool:
    k = int(np.searchsorted(sorted_indexes, i))
    return k < len(sorted_indexes) and int(sorted_indexes[k]) == i


MAX_CONSTANT_CHECKS = 2000  # the program's differing functions whose constants are read at most


def _other_constants(ctx: DiffContext) -> list[Finding]:
    """The program's own functions (main module) that compute with other constants, where every
    cause that claims all code keeps their constants (_keeps_constants): their source changed."""
    code_causes = [f for f in ctx.findings if f.rank < RANK["source-change"] and claims_code(ctx, f)]
    footprints = [_keeps_constants(ctx, f) for f in code_causes]
    if not footprints or any(fp is None for fp in footprints):
        return []
    kept = [fp[0] for fp in footprints if fp is not None]
    changed: Changed = []
    mine = [fd for fd in ctx.cmp.functions if fd.a_range and fd.b_range and _kind(ctx, fd) == MAIN]
    for fd in mine[:MAX_CONSTANT_CHECKS]:
        ia, ib = _index_on(ctx, "a", fd), _index_on(ctx, "b", fd)
        if ia is None or ib is None or not all(k(ia, ib) for k in kept):
            continue
        ca, cb = codecmp.own_constants(ctx.a, ia), codecmp.own_constants(ctx.b, ib)
        if ca is None or cb is None or ca == cb:
            continue
        shown = [", ".join(map(str, sorted(x - y)[:8])) or "none other" for x, y in ((ca, cb), (cb, ca))]
        cc = codecmp.CodeCompare("changed", a_text=f"constants {shown[0]}", b_text=f"constants {shown[1]}")
        changed.append((fd, cc))
    if not changed:
        return []
    found = _source_change(ctx, codecmp.FunctionVerdicts(changed=changed), own_code=True)
    for f in found:
        f.traits = f.traits | {OWN_CONSTANTS}
        whys = "; ".join(fp[1] for fp in footprints if fp is not None)
        f.summary += f" They compute with other constants, which no build difference changes there ({whys})."
    return found


MIN_FUNCTIONS = 1  # one-sided declared functions needed (none on the same source, go1.21 to 1.27)


def _functions(ctx: DiffContext) -> list[Finding]:
    """Functions the program declares (``pkg.F``, ``pkg.(*T).m``: no closure, wrapper, generic
    instance or exported method, see owners.declared) in packages both builds compile, which one
    build holds and the other does not even inline. A toolchain, experiment or architecture level
    recompiles the same functions, so these are the program's source (or its dependencies)
    differing. Modules whose version differs are left to their dependency-version finding; a
    compiler setting (-gcflags=-N keeps dead branches and what only they call) or a profile still
    explains them (the edges' conditions)."""
    ta, tb = ctx.a.pclntab, ctx.b.pclntab
    if ta is None or tb is None or not len(ta) or not len(tb):
        return []
    lone: dict[str, dict[str, FunctionDelta]] = {"a": {}, "b": {}}
    for fd in ctx.cmp.functions:
        if fd.how in ("only-a", "only-b"):
            lone[fd.how[-1]].setdefault(fd.name.split("#", 1)[0], fd)
    if not lone["a"] and not lone["b"]:
        return []
    skip = {f.key for f in ctx.findings if f.cause == "dependency-version" and f.key}
    index = {"a": _modules(ctx, "a"), "b": _modules(ctx, "b")}
    only = {
        "a": one_sided_functions(list(lone["a"]), tb.name_table(), index["a"], skip),
        "b": one_sided_functions(list(lone["b"]), ta.name_table(), index["b"], skip),
    }
    only = {side: _written(ctx, side, [lone[side][n] for n in names]) for side, names in only.items()}
    packages = _lone_packages(ctx)  # (their functions are the packages' finding's: "packages both compile")
    only = {
        side: [fd for fd in fds if raw_package_of(fd.name.split("#", 1)[0]) not in packages[side]]
        for side, fds in only.items()
    }
    module = {side: {id(fd): _module_of(index[side], fd) for fd in fds} for side, fds in only.items()}
    pinned = pinned_modules(ctx)
    held = {side: [fd for fd in fds if module[side][id(fd)] in pinned] for side, fds in only.items()}
    only = {side: [fd for fd in fds if fd not in held[side]] for side, fds in only.items()}
    brought: dict[str, list[FunctionDelta]] = {"a": [], "b": []}
    modules = bumped_modules(ctx)
    if modules and (held["a"] or held["b"]):
        # the called ones, and with them the others of their modules (reached through methods and
        # tables the call graph does not follow: the module's source is the same, its use is new)
        calls = _brought_by_versions(ctx, modules)
        called = [(side, fd) for side in held for fd in held[side] if _one_sided_index(ctx, fd) in calls]
        reached = {module[side][id(fd)] for side, fd in called}
        brought = {side: [fd for fd in fds if module[side][id(fd)] in reached] for side, fds in held.items()}
        held = {side: [fd for fd in fds if fd not in brought[side]] for side, fds in held.items()}
    found = [
        _one_sided_finding(only, FUNCTIONS_KEY, FUNCTIONS_WHY),
        _one_sided_finding(held, PINNED_KEY, PINNED_WHY),
        _one_sided_finding(brought, PINNED_KEY, BROUGHT_WHY),
    ]
    if found[2] is not None:
        found[2].traits = found[2].traits | {REACHED_BY_VERSIONS}
    return [f for f in found if f is not None]


def _module_of(index: ModuleIndex, fd: FunctionDelta) -> str:
    """The module (path) a function's package belongs to."""
    return index.owner(package_of(fd.name.split("#", 1)[0]))[1]


def _one_sided_finding(only: dict[str, list[FunctionDelta]], key: str, why: str) -> Finding | None:
    total = len(only["a"]) + len(only["b"])
    if total < MIN_FUNCTIONS:
        return None
    claims = [Claim.range("a", *fd.a_range) for fd in only["a"] if fd.a_range] + [
        Claim.range("b", *fd.b_range) for fd in only["b"] if fd.b_range
    ]
    only_names = {side: sorted(fd.name.split("#", 1)[0] for fd in fds) for side, fds in only.items()}
    ev = [Evidence("functions in one build only", _listed(only_names["a"]), _listed(only_names["b"]))]
    what = "the program declares" if key == FUNCTIONS_KEY else "of modules at the same version in both builds"
    summary = (
        f"{total:,} function(s) {what} are in one build only (A: {len(only['a']):,}, "
        f"B: {len(only['b']):,}), in packages both builds compile, and the other build does not even "
        "inline them" + why
    )
    places = only_names["a"][:25] + only_names["b"][:25]
    return Finding("source-change", summary, ev, claims, key=key, places=places)


MAX_FILES_CHECKED = 256  # moved functions whose source file is read (a pcfile table each)


def _lines_moved(ctx: DiffContext, follow: bool = True) -> list[Finding]:
    """Functions the main module declares that both builds hold, in the same source file, whose
    ``func`` keyword stands on another line (pclntab startLine, Go 1.20+): lines were added to or
    removed from that file above them. The source alone decides a start line (no toolchain, flag,
    directory or dependency moves it), so this tells a source edit even when a new toolchain
    recompiled every function, or when the edit left the code alike (a comment). Claims the
    startLine fields and, with ``follow`` (no cause claims all code), as a fallback what follows the
    code (line tables, DWARF)."""
    sides = [_own_start_lines(ctx.a), _own_start_lines(ctx.b)]
    if sides[0] is None or sides[1] is None:
        return []
    (la, tab_a, own_a), (lb, tab_b, own_b) = sides[0], sides[1]
    both = la.keys() & lb.keys()
    moved = sorted(
        (n for n in both if la[n][0] != lb[n][0] and la[n][0] > 0 and lb[n][0] > 0 and own_a(n) and own_b(n)),
        key=la.get,
    )
    # each in a file of one name in both (not one a build tag, GOOS or cgo chose instead of another,
    # nor code the compiler wrote); each file read once (a pc table each)
    files = {n: _file_name(tab_a, la[n][1]) for n in moved[:MAX_FILES_CHECKED]}
    confirmed = [n for n, f in files.items() if f and f != AUTOGENERATED and f == _file_name(tab_b, lb[n][1])]
    if not confirmed:
        return []
    first = confirmed[0]
    where = f"{first} at {files[first]}:"
    pos = [(s, off) for n in confirmed for s, off in (("a", la[n][2]), ("b", lb[n][2]))]
    claims = [Claim.range(s, off, off + 4) for s, off in pos]
    ev = [Evidence(MOVED_LINES, f"{where}{la[first][0]}", f"{where}{lb[first][0]}")]
    mine = "function(s) the program declares"
    if len(moved) > MAX_FILES_CHECKED:  # (each file check decodes a pc table: a sample is enough)
        head = (
            f"{len(moved):,} {mine} start on another line ({len(confirmed):,} of the first "
            f"{MAX_FILES_CHECKED:,} checked in a source file of the same name; e.g. "
        )
    else:
        head = f"{len(confirmed):,} {mine} start on another line of the same source file (e.g. "
    summary = (
        f"{head}{first}: line {la[first][0]} in A, {lb[first][0]} in B): lines were added "
        "to or removed from the program's source above them, which no toolchain, build setting or "
        "directory changes."
    )
    directive = any(f.cause == "default-godebug" and SOURCE_SETTINGS in f.traits for f in ctx.findings)
    moved_files = {n: files[n] for n in confirmed}
    shift = (
        directive
        and len(moved) <= MAX_FILES_CHECKED
        and _header_shift(tab_a, la, lb, moved_files, own_a, _directive_lines(ctx))
    )
    finding = Finding(
        "source-change",
        summary,
        ev,
        claims + (follow_claims(ctx) if follow else []),
        key=MOVED_LINES,
        places=sorted(confirmed)[:50],
        traits=frozenset({HEADER_SHIFT}) if shift else frozenset(),
    )
    return [finding]


MAX_HEADER_CHECK = 5000  # functions whose file is read to tell that every function of a file moved


def _directive_lines(ctx: DiffContext) -> int:
    """How many lines the //go:debug directives that differ can take: one each, and a blank line
    after them (the DefaultGODEBUG settings no release accounts for)."""
    ba, bb = ctx.a.buildinfo, ctx.b.buildinfo
    if ba is None or bb is None:
        return 0
    va, vb = (dict(bi.settings).get("DefaultGODEBUG") for bi in (ba, bb))
    return len(godebug.not_from_releases(va, vb, ba.go_version, bb.go_version)) + 1


def _header_shift(
    tab: Pclntab, la: Starts, lb: Starts, moved: dict[str, str], own: Callable[[str], bool], most: int
) -> bool:
    """Whether every function of each file that holds a moved function (``moved``: name -> file)
    moved, and by the same lines, at most ``most``: what lines added above all of a file's
    functions give (a //go:debug directive), unlike an edit between them (or more lines than the
    directives take: an edit above the first function beside them)."""
    deltas: dict[str, set[int]] = {}
    for n, f in moved.items():
        deltas.setdefault(f, set()).add(lb[n][0] - la[n][0])
    if any(len(d) > 1 or abs(next(iter(d))) > most for d in deltas.values()):
        return False
    rest = [n for n in la.keys() & lb.keys() if n not in moved]
    if len(rest) > MAX_HEADER_CHECK:
        return False
    return not any(own(n) and _file_name(tab, la[n][1]) in deltas for n in rest)


Starts = dict[str, tuple[int, int, int]]  # name -> (start line, function index, startLine field offset)


def _own_start_lines(binary: Binary) -> tuple[Starts, Pclntab, Callable[[str], bool]] | None:
    """name -> (start line, function index, file offset of its startLine field) for the functions
    whose names start with the main module's path (or package main's), with the pclntab and the
    test of a name the program's own source declares (_own_declared: asked of the few functions
    that moved, not of every one); None without start lines."""
    tab = binary.pclntab
    if tab is None or not len(tab):
        return None
    bi = binary.buildinfo
    modules = ModuleIndex(bi)
    gopath = bi is not None and (bi.main is None or bi.main.is_zero)
    own = repository_root(bi.path) if gopath and bi is not None else modules.main
    prefixes = ["main."] + ([own + ".", own + "/"] if own and own != "main" else [])
    idx = np.unique(np.concatenate([tab.with_prefix(p) for p in prefixes]))
    got = tab.start_lines(idx)
    if got is None:
        return None

    def mine(pkg: str | None) -> bool:
        if not gopath:
            return modules.owner(pkg)[0] == MAIN
        return pkg == "main" or (bool(own) and pkg is not None and (pkg == own or pkg.startswith(own + "/")))

    out: Starts = {}
    for i, line, off in zip(idx.tolist(), got[0].tolist(), got[1].tolist(), strict=True):
        out.setdefault(tab.name(i), (line, i, off))
    return out, tab, lambda name: _own_declared(name, mine)


def _own_declared(name: str, mine: Callable[[str | None], bool]) -> bool:
    """A function the main module's source declares by that name: a function or method, not a
    closure, wrapper, generic instance, package initialiser or cgo stub. ``mine(package)``: whether
    a package is the program's own."""
    raw = raw_package_of(name)
    if raw is None or "[" in name or not mine(package_of(name)):
        return False
    tail = name[len(raw) + 1 :]
    if not DECLARED_NAME.match(tail) or tail == "init" or tail.startswith(("init.", "glob.", "_C", "_cgo")):
        return False
    return not MADE_NAME.match(tail.rsplit(".", 1)[-1])


def _file_name(tab: Pclntab, i: int) -> str:
    """The name (without its directory) of function ``i``'s source file (its first), or ""."""
    files = tab.files_of(i)
    return files[0].rsplit("/", 1)[-1] if files else ""


AUTOGENERATED = "<autogenerated>"  # the file of a wrapper the compiler writes (a promoted method)


def _written(ctx: DiffContext, side: str, functions: list[FunctionDelta]) -> list[FunctionDelta]:
    """The functions whose code comes from a source file: not a wrapper the compiler wrote (a method
    a type gets from an embedded field of the standard library, such as bytes.Buffer.Peek of Go 1.26,
    follows the toolchain)."""
    binary = ctx.a if side == "a" else ctx.b
    tab = binary.pclntab
    out = []
    for fd in functions:
        r = fd.a_range if side == "a" else fd.b_range
        i = binary.function_at(r[0]) if r else None
        if i is not None and tab.files_of(i)[:1] != [AUTOGENERATED]:  # type: ignore[union-attr]
            out.append(fd)
    return out


def _std_count(ctx: DiffContext) -> int:
    index = _modules(ctx)
    tab = ctx.a.pclntab
    if tab is None:
        return 0
    return sum(1 for n in tab.names if index.owner(package_of(n))[0] == STD)


def _lone_packages(ctx: DiffContext) -> dict[str, dict[str, str]]:
    """Per build, the packages outside the standard library it alone compiles (raw prefix -> import
    path): no name of the other build's function name table, compiled or inlined, is theirs."""
    memo = ctx.memo.setdefault("lone-packages", {})
    if "found" in memo:
        return memo["found"]
    ta, tb = ctx.a.pclntab, ctx.b.pclntab
    only: dict[str, dict[str, str]] = {"a": {}, "b": {}}
    if ta is not None and tb is not None and len(ta) and len(tb):
        # only a function that one build lacks can belong to a package that build lacks
        lone: dict[str, set[str]] = {"a": set(), "b": set()}
        for fd in ctx.cmp.functions:
            if fd.how in ("only-a", "only-b"):
                raw = raw_package_of(fd.name.split("#", 1)[0])
                if raw is not None:
                    lone[fd.how[-1]].add(raw)
        if lone["a"]:
            only["a"] = one_sided_packages(lone["a"], tb.name_table(), _modules(ctx, "a"))
        if lone["b"]:
            only["b"] = one_sided_packages(lone["b"], ta.name_table(), _modules(ctx, "b"))
    memo["found"] = only
    return only


def _packages(ctx: DiffContext) -> tuple[list[Finding], list[Finding]]:
    """Packages outside the standard library whose code one build holds and the other does not even
    inline: a toolchain, compiler flag or experiment recompiles the same packages, so this is the
    program's source (or its dependencies) differing. Claims those packages' functions. Two lists:
    the dependencies' packages (a bumped module may import them), and the main module's (key
    OWN_PACKAGES_KEY: its own source imports them, whatever the dependencies' versions)."""
    only = _lone_packages(ctx)
    if not only["a"] and not only["b"]:
        return [], []
    index = {"a": _modules(ctx, "a"), "b": _modules(ctx, "b")}
    mine = {
        side: {raw: pkg for raw, pkg in pkgs.items() if index[side].owner(pkg)[0] == MAIN}
        for side, pkgs in only.items()
    }
    theirs = {
        side: {raw: pkg for raw, pkg in pkgs.items() if raw not in mine[side]} for side, pkgs in only.items()
    }
    return _packages_finding(ctx, theirs, PACKAGES_KEY), _packages_finding(ctx, mine, OWN_PACKAGES_KEY)


def _packages_finding(ctx: DiffContext, only: dict[str, dict[str, str]], key: str) -> list[Finding]:
    """The finding for packages one build only compiles (side -> raw prefix -> import path)."""
    if not only["a"] and not only["b"]:
        return []
    claims: list[Claim] = []
    counts = {}
    for side, binary in (("a", ctx.a), ("b", ctx.b)):
        spans, n = _package_spans(binary, side, list(only[side]))
        counts[side] = n
        claims += [Claim.range(side, lo, hi) for lo, hi in spans]
    ev = [
        Evidence(
            "packages in one build only",
            _listed(sorted(only["a"].values())),
            _listed(sorted(only["b"].values())),
        ),
        Evidence("their functions", f"{counts['a']:,}", f"{counts['b']:,}"),
    ]
    total = len(only["a"]) + len(only["b"])
    whose, why = (
        ("", "the program's source or its dependencies differ")
        if key == PACKAGES_KEY
        else (" of the main module", "the program's own source imports them")
    )
    summary = (
        f"{total:,} package(s){whose} are compiled into one build only (A: {len(only['a']):,}, "
        f"B: {len(only['b']):,}): {why}, which a toolchain or compiler setting does not explain."
    )
    places = sorted(only["a"].values())[:25] + sorted(only["b"].values())[:25]
    return [Finding("source-change", summary, ev, claims, key=key, places=places)]


def _package_spans(binary: Binary, side: str, raws: list[str]) -> tuple[list[tuple[int, int]], int]:
    """File ranges of the functions of packages ``raws`` (merged), and how many functions."""
    tab = binary.pclntab
    if tab is None or not raws:
        return [], 0
    prefixes = tuple(raw + "." for raw in raws)
    idx = np.flatnonzero(np.fromiter((n.startswith(prefixes) for n in tab.names), bool, len(tab)))
    lo = va_to_offsets(binary, tab.entries[idx])
    hi = lo + (tab.ends[idx] - tab.entries[idx]).astype(np.int64)
    per_func = [Claim.range(side, int(x), int(y)) for x, y in zip(lo, hi, strict=True) if x >= 0]
    return merged_ranges(per_func).get(side, []), len(idx)


def _listed(pkgs: list[str]) -> str:
    """A few packages, short enough for one line: the shortest paths as examples when there are many
    (the full list is in the finding's places)."""
    if not pkgs:
        return "none"
    if len(pkgs) <= 2:
        return ", ".join(pkgs)
    return f"{len(pkgs)}, e.g. " + ", ".join(sorted(pkgs, key=lambda p: (len(p), p))[:2])


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


def _source_change(
    ctx: DiffContext, verdicts: codecmp.FunctionVerdicts, own_code: bool = False
) -> list[Finding]:
    """``own_code``: the changed functions' bytes are this finding's before any broad cause's.
    Beside a module whose version differs, the changed functions it cannot have changed (see
    _split_by_versions) are a finding of their own (trait APART_FROM_VERSIONS): the program's
    source changed there; the others' finding has the trait REACHED_BY_VERSIONS."""
    if not verdicts.changed:
        return []
    reached, apart = _split_by_versions(ctx, verdicts.changed)
    versions = bumped_modules(ctx)
    if not apart or not reached:
        found = _changed_code(ctx, verdicts, own_code)
        if versions:
            found[0].traits = found[0].traits | {APART_FROM_VERSIONS if apart else REACHED_BY_VERSIONS}
        return found
    out = _changed_code(ctx, replace(verdicts, changed=reached), own_code)
    out[0].traits = out[0].traits | {REACHED_BY_VERSIONS}
    out += _changed_code(ctx, codecmp.FunctionVerdicts(changed=apart), own_code, follow=False)
    out[-1].traits = out[-1].traits | {APART_FROM_VERSIONS}
    return out


Changed = list[tuple[FunctionDelta, "codecmp.CodeCompare | None"]]


def _split_by_versions(ctx: DiffContext, changed: Changed) -> tuple[Changed, Changed]:
    """The changed functions a module whose version differs may have changed, and the others (all
    of them the first when no version differs). A module may have changed a function that belongs
    to it, inlines, calls or jumps to one of its functions, loads a descriptor of one of its types
    (in either build), differs only where data layout shows (_layout_only), or that the compiler
    generated; so may it one whose inline tree cannot be read."""
    modules = bumped_modules(ctx)
    if not modules:
        return changed, []
    packages = _package_names(ctx, modules)
    reached, apart = [], []
    for item in changed:
        if package_of(item[0].name.split("#", 1)[0]) is None or _layout_only(item[1]):
            reached.append(item)  # compiler-generated (any module's types), or a data layout moved
            continue
        names = _related_names(ctx, item[0])
        if names is None or any(
            package_names(n[len(TYPE) :]) & packages if n.startswith(TYPE) else in_modules(n, modules)
            for n in names
        ):
            reached.append(item)
        else:
            apart.append(item)
    if apart:  # and a function one build only holds, that only the bumped modules' code calls into it
        brought = _brought_by_versions(ctx, modules)
        moved = [item for item in apart if _one_sided_index(ctx, item[0]) in brought]
        reached += moved
        apart = [item for item in apart if item not in moved]
    return reached, apart


def _index_on(ctx: DiffContext, side: str, fd: FunctionDelta) -> int | None:
    """The pclntab index of ``fd`` in build ``side`` (None: that build does not hold it)."""
    binary, r = (ctx.a, fd.a_range) if side == "a" else (ctx.b, fd.b_range)
    return None if r is None else binary.function_at(r[0])


def _one_sided_index(ctx: DiffContext, fd: FunctionDelta) -> tuple[str, int] | None:
    """(side, pclntab index) of a function one build only holds; None for one both hold."""
    if (fd.a_range is None) == (fd.b_range is None):
        return None
    side = "a" if fd.b_range is None else "b"
    i = _index_on(ctx, side, fd)
    return None if i is None else (side, i)


def _brought_by_versions(ctx: DiffContext, modules: list[str]) -> set[tuple[str, int]]:
    """Per build, the functions it alone holds that the bumped modules' functions call, directly or
    through other such functions (read/coderefs.py's call graph), and every function of a package
    that build alone holds once one of them is so called (its methods and init run through tables,
    not calls): a new version that calls into a package the other did not use brings that package's
    code (another module's, the standard library's), which no edit of the program's source did."""
    memo = ctx.memo.setdefault("brought-by-versions", {})
    key = tuple(modules)
    if key in memo:
        return memo[key]
    out: set[tuple[str, int]] = set()
    funcs = ctx.cmp.functions
    bumped = [fd for m in modules for fd in ctx.cmp.functions_of(m)]  # what calls the new code
    for side, binary, other, how in (("a", ctx.a, ctx.b, "only-a"), ("b", ctx.b, ctx.a, "only-b")):
        tab, theirs = binary.pclntab, other.pclntab
        if tab is None:
            continue
        found = [i for fd in funcs if fd.how == how if (i := _index_on(ctx, side, fd)) is not None]
        through = np.unique(np.array(found, dtype=np.int64))
        if not len(through):
            continue
        package = {i: package_of(tab.name(i)) for i in through.tolist()}
        alone = {
            p for p in set(package.values()) if p and (theirs is None or not theirs.holds_prefix(p + "."))
        }
        roots = np.array([i for fd in bumped if (i := _index_on(ctx, side, fd)) is not None], dtype=np.int64)
        roots = np.unique(roots)
        brought: set[int] = set()
        for _ in range(16):  # (each round: the packages the last one's functions call into)
            got = set(reached_by_calls(binary, roots, through).tolist()) - brought
            pkgs = {package[i] for i in got} & alone
            got |= {i for i, p in package.items() if p in pkgs} - brought
            if not got:
                break
            brought |= got
            alone -= pkgs
            roots = np.array(sorted(got), dtype=np.int64)
        out |= {(side, i) for i in brought}
    memo[key] = out
    return out


_NUMBER = re.compile(r"-?(?:0x[0-9a-f]+|\d+)")
_ADDRESS = re.compile(r"^0x[0-9a-f]+\s+")
_BRACKETS = re.compile(r"\[[^\]]*\]")


def _layout_only(cc: codecmp.CodeCompare | None) -> bool:
    """Whether two listings differ only in the numbers of memory operands and stack adjustments
    (``[rax + 0x10]`` vs ``[rax + 0x20]``, ``sub rsp, 0x28``): the layout of the data the code
    reads moved (a module's struct gained a field), not its logic."""
    pairs = getattr(cc, "pairs", None)
    if not pairs or getattr(cc, "a_insns", 0) != getattr(cc, "b_insns", -1):
        return False
    return all(_masked(a) == _masked(b) and a and b for a, b in pairs)


def _masked(line: str) -> str:
    text = _ADDRESS.sub("", line)
    text = _BRACKETS.sub(lambda m: _NUMBER.sub("N", m.group(0)), text)
    head, _, ops = text.partition(" ")
    if "sp" in ops.split(",", 1)[0]:  # (rsp, esp, sp: the frame's size)
        ops = _NUMBER.sub("N", ops)
    return f"{head} {ops}"


TYPE = "type:"  # a related name that is a type's (as its descriptor names it: packages by name)


def _package_names(ctx: DiffContext, modules: list[str]) -> set[str]:
    """The names (last path elements) of the packages of ``modules`` that either build compiles."""
    out = {m.rsplit("/", 1)[-1] for m in modules}
    for binary in (ctx.a, ctx.b):
        tab = binary.pclntab
        if tab is None:
            continue
        for m in modules:
            for i in tab.with_prefix(m).tolist():
                pkg = package_of(tab.name(i))
                if pkg and (pkg == m or pkg.startswith(m + "/")):
                    out.add(pkg.rsplit("/", 1)[-1])
    return out


def _related_names(ctx: DiffContext, fd: FunctionDelta) -> set[str] | None:
    """A changed function's name, with the functions inlined into it, those it calls and the types
    whose descriptors it loads (TYPE + the type's name), in both builds; None when a build's inline
    tree cannot be read."""
    out = {fd.name.split("#", 1)[0]}
    for binary, r in ((ctx.a, fd.a_range), (ctx.b, fd.b_range)):
        tab = binary.pclntab
        if tab is None or r is None:
            continue
        i = binary.function_at(r[0])
        if i is None:
            return None
        inlined = inlined_functions(binary, i)
        if inlined is None:
            return None
        out.update(inlined)
        out.update(tab.name(k) for k in called_functions(binary, i))
        out.update(TYPE + t for t in types_loaded(binary, i))
    return out


def _changed_code(
    ctx: DiffContext, verdicts: codecmp.FunctionVerdicts, own_code: bool, follow: bool = True
) -> list[Finding]:
    """One source-change finding for changed functions; ``follow``: with the debug info and pc
    tables that follow the code, and the functions past the disassembly limit."""
    names = [fd.name for fd, _ in verdicts.changed]
    claims: list[Claim] = []
    ev: list[Evidence] = []
    for fd, cc in verdicts.changed:
        claims += function_claims(fd, fallback=not own_code)
        for side, r in (("a", fd.a_range), ("b", fd.b_range)):
            if r:
                unit = _unit_of(ctx, side, r[0])
                if unit:
                    claims.append(Claim.unit(f"{unit}/{fd.name}", fallback=not own_code))
        if len(ev) < 10:
            if cc is None:
                ev.append(Evidence(f"func {fd.name}", _presence(fd.a_range, fd), _presence(fd.b_range, fd)))
            else:
                ev.append(Evidence(f"func {fd.name}", cc.a_text, cc.b_text))
    claims += follow_claims(ctx) if follow else []
    if follow and any(fd.a_range is None or fd.b_range is None for fd, _ in verdicts.changed):
        claims += variable_claims(ctx)  # functions in one build only bring their packages' variables
    # functions past the disassembly limit changed or only moved: beside changed code, either way
    # this finding's (its own or through the shift it made), unless a finding claims them directly
    for fd in verdicts.unchecked:
        claims += function_claims(fd, fallback=True)
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


def _presence(r: tuple[int, int] | None, fd: FunctionDelta) -> str | None:
    """How a function with no listing shows on one side: absent, present, or (both builds hold it,
    in other sizes: code that could not be disassembled) its size."""
    if r is None:
        return None
    return f"{r[1] - r[0]:,} bytes" if fd.a_range and fd.b_range else "present"


def _unit_of(ctx: DiffContext, side: str, off: int) -> str | None:
    binary = ctx.a if side == "a" else ctx.b
    sec = binary.image.section_at(off)
    return sec.key if sec is not None else None
