"""Structural causes: DWARF and the symbol table present on one side only, linkage and C toolchain.

These are visible in the facts alone (no byte search): ``-s``/``-w``, stripping after the link,
static vs dynamic linking, a different interpreter or libraries, a different host C compiler.
"""

from __future__ import annotations

from collections.abc import Sequence

from godet.explain.causes import CGO_ONE_SIDE
from godet.explain.detectors.base import Claim, DiffContext, Evidence, Finding, cgo_one_side
from godet.read.formats import in_debug_segment, is_debug_name
from godet.read.linkage import Linkage

EMITS = frozenset({"dwarf", "symbol-table", "buildinfo-removed", "linkage", "c-toolchain"})

SYMTAB_UNITS = (".symtab", ".strtab", "__LINKEDIT", ".gosymtab")
# What ld64 writes for dynamic linking (stubs, lazy and non-lazy pointers, unwind tables), and the
# segments whose pointers it encodes for dyld (chained fixups keep the chain in each pointer's bits).
MACHO_LINKER_UNITS = (
    "__TEXT,__stubs",
    "__TEXT,__stub_helper",
    "__TEXT,__unwind_info",
    "__DATA,__la_symbol_ptr",
    "__DATA,__nl_symbol_ptr",
    "__DATA_CONST,__got",
    "__DATA,__got",
)
MACHO_FIXED_UP = ("__DATA,", "__DATA_CONST,", "__LINKEDIT", "[headers]")

DYNAMIC_UNITS = (
    ".interp",
    ".dynamic",
    ".dynsym",
    ".dynstr",
    ".gnu.version",
    ".gnu.version_r",
    ".rela.dyn",
    ".rela.plt",
    ".plt",
    ".got",
    ".got.plt",
    ".hash",
    ".gnu.hash",
    ".note.ABI-tag",
    ".note.gnu.property",
    ".init",
    ".fini",
    ".init_array",
    ".fini_array",
    ".eh_frame",
    ".eh_frame_hdr",
    ".data.rel.ro",
    ".tbss",
    ".comment",
    ".idata",
)


def is_dwarf_unit(key: str) -> bool:
    name = key.split("/", 1)[0].split(",")[-1]
    return is_debug_name(name) or in_debug_segment(key)


def detect(ctx: DiffContext) -> list[Finding]:
    out: list[Finding] = []
    units = dict.fromkeys(u.split("/", 1)[0] for u in ctx.cmp.runs.units)
    out.extend(_dwarf(ctx, units))
    out.extend(_symbols(ctx, units))
    out.extend(_buildinfo_removed(ctx, units))
    out.extend(_linkage(ctx, units))
    out.extend(_c_toolchain(ctx, units))
    out.extend(_macho_linker(ctx, units))
    return out


def _dwarf(ctx: DiffContext, units: dict[str, None]) -> list[Finding]:
    claims = [Claim.unit(u) for u in units if is_dwarf_unit(u)]
    if not claims:  # no DWARF byte differs (a section in one build only would be a differing unit)
        return []
    a, b = ctx.a.dwarf, ctx.b.dwarf
    if a.present != b.present:
        return [
            Finding(
                "dwarf",
                "DWARF debug information is present in one build only (-ldflags=-w or -s, or "
                "stripped after the link).",
                [Evidence("DWARF", _yn(a.present), _yn(b.present))],
                claims,
            )
        ]
    if not a.present:
        return []
    ev = []
    if a.version != b.version:
        ev.append(Evidence("DWARF version", str(a.version), str(b.version)))
    if a.compressed != b.compressed:
        ev.append(Evidence("compressed", _yn(a.compressed), _yn(b.compressed)))
    if not ev:
        return []
    return [
        Finding("dwarf", "The DWARF format differs (" + ", ".join(e.label for e in ev) + ").", ev, claims)
    ]


def _symbols(ctx: DiffContext, units: dict[str, None]) -> list[Finding]:
    a, b = ctx.a.symbols, ctx.b.symbols
    if a.present == b.present:
        return []
    claims = [Claim.unit(u) for u in units if u in SYMTAB_UNITS or u.endswith(",__LINKEDIT")]
    # PE keeps COFF symbols in a .symtab section; Mach-O in __LINKEDIT (a gap unit in our layout).
    claims += [Claim.unit(u, fallback=True) for u in units if "LINKEDIT" in u or u.startswith("[after")]
    return [
        Finding(
            "symbol-table",
            "The symbol table is present in one build only (-ldflags=-s, or strip after the link).",
            [Evidence("symbol table", _count(a), _count(b))],
            claims,
        )
    ]


def _buildinfo_removed(ctx: DiffContext, units: dict[str, None]) -> list[Finding]:
    """One build has the linker's buildinfo blob, the other only the runtime's copies (format
    "runtime": the blob was removed after the link, e.g. ``objcopy --remove-section .go.buildinfo``).
    Claims the blob and its section, and, as a fallback, the symbol tables the removing tool
    rewrote."""
    a, b = ctx.a.buildinfo, ctx.b.buildinfo
    if a is None or b is None or (a.format == "runtime") == (b.format == "runtime"):
        return []
    side, kept = ("a", ctx.a) if b.format == "runtime" else ("b", ctx.b)
    blob = kept.buildinfo
    claims = [Claim.range(side, blob.offset, blob.end)]
    roles = kept.image.fmt.names("buildinfo")  # a section of its own (ELF, Mach-O; not PE's .data)
    sec = kept.image.fmt.buildinfo_section(kept.image)
    if sec is not None and sec.key in units and (sec.key in roles or sec.name in roles):
        claims.append(Claim.unit(sec.key))
    claims += [Claim.unit(u, fallback=True) for u in units if u in SYMTAB_UNITS]
    return [
        Finding(
            "buildinfo-removed",
            f"Build {side.upper()} has the linker's buildinfo blob; the other has none (removed after the "
            "link), so go version -m cannot read it. Its Go version and modinfo come from the runtime's "
            "copies and are compared as usual.",
            [Evidence("buildinfo blob", _blob(a), _blob(b))],
            claims,
        )
    ]


def _blob(bi) -> str:  # type: ignore[no-untyped-def]
    if bi.format == "runtime":
        return "absent (the runtime's copies remain)"
    return f"{bi.format} format at {bi.offset:#x}"


def _count(s) -> str:  # type: ignore[no-untyped-def]
    return f"{s.count:,} symbols" if s.present else "absent"


def _yn(v: bool) -> str:
    return "present" if v else "absent"


def _linkage(ctx: DiffContext, units: dict[str, None]) -> list[Finding]:
    ev = linkage_evidence(ctx.a.linkage, ctx.b.linkage)
    if not ev:
        return []
    claims = [Claim.unit(u) for u in units if u in DYNAMIC_UNITS]
    # Changing the link mode (internal/external, static/dynamic) re-lays out the whole file.
    claims += [Claim.unit(u, fallback=True) for u in units]
    traits = frozenset({CGO_ONE_SIDE}) if cgo_one_side(ctx) else frozenset()
    summary = "The linkage differs: " + ", ".join(e.label for e in ev) + "."
    return [Finding("linkage", summary, ev, claims, traits=traits)]


def linkage_evidence(a: Linkage, b: Linkage) -> list[Evidence]:
    """How two builds' linkage differs: link mode, interpreter, libraries, symbol versions."""
    ev = []
    if a.static != b.static:
        ev.append(
            Evidence("linking", "static" if a.static else "dynamic", "static" if b.static else "dynamic")
        )
    if a.interpreter != b.interpreter:
        ev.append(Evidence("interpreter", a.interpreter, b.interpreter))
    if a.needed != b.needed:
        ev.append(_list_evidence("needed libraries", a.needed, b.needed))
    if a.dylibs != b.dylibs:
        ev.append(_list_evidence("dylibs", a.dylibs, b.dylibs))
    if set(a.version_needs) != set(b.version_needs):
        ev.append(
            Evidence(
                "symbol versions", ", ".join(a.version_needs) or None, ", ".join(b.version_needs) or None
            )
        )
    elif a.version_needs != b.version_needs:
        # the same versions in another order: the linker met the imported symbols in another order
        # (another linker, as with -linkmode=external, or another symbol table), not other libraries
        ev.append(Evidence("symbol version order", ", ".join(a.version_needs), ", ".join(b.version_needs)))
    return ev


def _list_evidence(label: str, a: Sequence[str], b: Sequence[str]) -> Evidence:
    """Two lists of libraries: what each build alone names when they share some (a shared long
    prefix would hide the difference), else both lists whole."""
    shared = set(a) & set(b)
    if set(a) == set(b):
        # the same libraries in another order (the linker met their symbols in another order):
        # their file names show the order where whole paths would be cut in the middle
        return Evidence(f"{label} order", ", ".join(map(_file_name, a)), ", ".join(map(_file_name, b)))
    if not shared:
        return Evidence(label, ", ".join(a) or None, ", ".join(b) or None)
    mine, theirs = [x for x in a if x not in shared], [x for x in b if x not in shared]
    return Evidence(f"{label} in one build only", ", ".join(mine) or "none", ", ".join(theirs) or "none")


def _file_name(path: str) -> str:
    return path.rsplit("/", 1)[-1] or path


def _c_toolchain(ctx: DiffContext, units: dict[str, None]) -> list[Finding]:
    if ".comment" not in units and not any(is_dwarf_unit(u) for u in units):
        return []  # the compiler notes and the DWARF producers are the same bytes in both builds
    a, b = ctx.a.cgo, ctx.b.cgo
    ev = []
    if a.comment != b.comment and a.comment and b.comment:
        ev.append(Evidence(".comment", "; ".join(a.comment), "; ".join(b.comment)))
    if a.c_producers != b.c_producers and a.c_producers and b.c_producers:
        ev.append(Evidence("C producers", "; ".join(a.c_producers[:3]), "; ".join(b.c_producers[:3])))
    if not ev:
        return []
    claims = [Claim.unit(".comment")] + [
        Claim.unit(u, fallback=True) for u in units if "[before Go code]" in u
    ]
    return [Finding("c-toolchain", "The host C toolchain used for cgo differs.", ev, claims)]


def _macho_linker(ctx: DiffContext, units: dict[str, None]) -> list[Finding]:
    """Two Mach-O files both linked by ld64 (LC_BUILD_VERSION names it) from other Xcode releases:
    another SDK or linker version, and with it maybe another way to tell dyld about pointers (dyld
    info opcodes before Xcode 13, chained fixups since, which encode every rebased pointer in data)."""
    ia, ib = ctx.a.image, ctx.b.image
    if ia.format != "macho" or ib.format != "macho":
        return []
    ta, tb = ctx.a.cgo.build_tools, ctx.b.cgo.build_tools
    if "ld" not in ta or "ld" not in tb:
        return []  # Go's own linker on a side: the link mode differs (linkage's business)
    ev = build_tools_evidence(ta, tb, ("SDK", "ld"))
    fa, fb = ia.header.get("fixups"), ib.header.get("fixups")
    if fa != fb:
        ev.append(Evidence("dyld fixups", fa, fb))
    if not ev:
        return []
    # (by range: the stubs are code, and this finding explains no Go or C function's instructions)
    claims = [
        Claim.range(side, sec.offset, sec.offset + sec.size)
        for side, image in (("a", ia), ("b", ib))
        for sec in image.sections
        if sec.key in MACHO_LINKER_UNITS and sec.in_file
    ]
    claims += [Claim.unit(u, fallback=True) for u in units if u.startswith(MACHO_FIXED_UP)]
    summary = f"The external linker (ld64) and its SDK differ ({in_words(ev)}): the C toolchain differs."
    return [Finding("c-toolchain", summary, ev, claims)]


def build_tools_evidence(
    a: dict[str, str], b: dict[str, str], keys: tuple[str, ...] | None = None
) -> list[Evidence]:
    """What two Mach-O files' LC_BUILD_VERSION records differently (``keys``, or all of it: the SDK,
    the minimum OS a flag sets, each build tool's version); nothing when a side records none."""
    if not a or not b:
        return []
    return [
        Evidence(f"{k} (LC_BUILD_VERSION)", a.get(k), b.get(k))
        for k in (keys or dict.fromkeys([*a, *b]))
        if a.get(k) != b.get(k)
    ]


def in_words(ev: list[Evidence]) -> str:
    """Evidence rows as a phrase: ``SDK 12.1 vs 12.3, ld 711.0 vs 819.6``."""
    return ", ".join(f"{e.label.split(' (')[0]} {e.a} vs {e.b}" for e in ev)
