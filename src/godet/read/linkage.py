"""Dynamic linkage (interpreter, needed libraries, imports, dylibs) and the evidence that cgo is used.

Each format reads its own linkage (``read_linkage`` of its :class:`ExecutableFormat`). ELF:
``PT_INTERP``, the ``PT_DYNAMIC`` table (DT_NEEDED / DT_RPATH / DT_RUNPATH, strings from
DT_STRTAB) and the version needs (DT_VERNEED, ``.gnu.version_r``), read by hand from the program
headers so that a binary without section headers still answers. PE: the import directory, read by
hand. Mach-O: the load commands our Mach-O reader already collected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from godet.read.image import Image

if TYPE_CHECKING:
    from godet.read.binary import Binary

MAX_PCLNTAB_SCAN = 256 << 20


@dataclass
class Linkage:
    """How the executable is linked against the system: nothing (static) or which libraries."""

    static: bool = False
    interpreter: str | None = None
    needed: list[str] = field(default_factory=list)
    rpath: list[str] = field(default_factory=list)
    runpath: list[str] = field(default_factory=list)
    pe_imports: list[str] = field(default_factory=list)
    dylibs: list[str] = field(default_factory=list)
    dylinker: str | None = None
    version_needs: list[str] = field(default_factory=list)
    format: str = ""  # "" when unknown (the reader failed)

    @classmethod
    def unknown(cls) -> Linkage:
        return cls()

    @property
    def dynamic(self) -> bool:
        return bool(self.format) and not self.static

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "static": self.static,
            "interpreter": self.interpreter,
            "needed": list(self.needed),
            "rpath": list(self.rpath),
            "runpath": list(self.runpath),
            "pe_imports": list(self.pe_imports),
            "dylibs": list(self.dylibs),
            "dylinker": self.dylinker,
            "version_needs": list(self.version_needs),
        }


def read_linkage(image: Image) -> Linkage:
    """The dynamic-linkage facts of one image (FormatError on malformed tables)."""
    return image.fmt.read_linkage(image)


# --------------------------------------------------------------------------------------------
# cgo


@dataclass
class CgoEvidence:
    """Whether the program really uses cgo (runtime/cgo is linked in), and what shows it."""

    uses_cgo: bool = False
    evidence: list[str] = field(default_factory=list)
    comment: list[str] = field(default_factory=list)  # ELF .comment strings (C toolchain identity)
    c_producers: list[str] = field(default_factory=list)  # DWARF producers that are not Go
    build_tools: dict[str, str] = field(default_factory=dict)  # Mach-O LC_BUILD_VERSION: SDK, ld…

    @classmethod
    def none(cls) -> CgoEvidence:
        return cls()

    def to_json(self) -> dict[str, Any]:
        return {
            "uses_cgo": self.uses_cgo,
            "evidence": list(self.evidence),
            "comment": list(self.comment),
            "c_producers": list(self.c_producers),
            "build_tools": dict(self.build_tools),
        }


# C functions that exist only when runtime/cgo is linked in (besides runtime/cgo.* Go functions).
# Not ``_cgo_init``: the runtime declares that variable in every program.
CGO_FUNCS = ("x_cgo_init", "crosscall2", "_cgo_topofstack")


def read_comment(image: Image) -> list[str]:
    """The distinct strings of the ``.comment`` section (ELF: compiler and linker versions)."""
    sec = image.section_for("comment")
    if sec is None or not sec.size:
        return []
    raw = bytes(image.section_bytes(sec)[:65536])
    return list(dict.fromkeys(s.decode("utf-8", "replace") for s in raw.split(b"\0") if s.strip()))


def _cgo_function_names(binary: Binary) -> list[str]:
    """Names from pclntab (or the symbol table) that prove runtime/cgo is linked."""
    names: list[str] = []
    pcln = binary.pclntab
    if pcln is not None:
        exact = [i for c in CGO_FUNCS for i in pcln.with_prefix(c).tolist() if pcln.name(i) == c]
        for i in sorted({*pcln.with_prefix("runtime/cgo.").tolist(), *exact}):
            name = pcln.name(i)
            if name not in names:
                names.append(name)
                if len(names) >= 3:
                    break
    if names:
        return names
    syms = binary.symbols
    by_name = getattr(syms, "by_name", None)
    if callable(by_name) and getattr(syms, "present", False):
        names = [s for s in CGO_FUNCS if by_name(s) is not None]
    return names


def _cgo_in_pclntab_bytes(binary: Binary) -> bool:
    """Fallback when neither pclntab nor symbols answered: a runtime/cgo name in the pclntab bytes."""
    im = binary.image
    for name in im.fmt.names("pclntab", "pclntab-relro"):
        sec = im.section(name)
        if sec is not None and sec.size:
            start = min(sec.offset, im.size)
            end = min(sec.offset + sec.size, im.size, start + MAX_PCLNTAB_SCAN)
            return im.find(b"\0runtime/cgo.", start, end) >= 0  # on the mapping: no copy
    return False


def read_cgo(binary: Binary) -> CgoEvidence:
    """Evidence of cgo: runtime/cgo functions, C DWARF units, ``.comment``, libc linkage, buildinfo."""
    ev = CgoEvidence()
    bi = binary.buildinfo
    if bi is not None:
        setting = bi.setting("CGO_ENABLED")
        if setting is not None:
            ev.evidence.append(f"buildinfo: CGO_ENABLED={setting}")
    funcs = _cgo_function_names(binary)
    if funcs:
        ev.uses_cgo = True
        ev.evidence.append("runtime/cgo linked: " + ", ".join(funcs))
    elif _cgo_in_pclntab_bytes(binary):
        ev.uses_cgo = True
        ev.evidence.append("runtime/cgo linked: runtime/cgo.* function names in pclntab")
    ev.comment = read_comment(binary.image)
    if ev.comment:
        ev.evidence.append(".comment: " + "; ".join(ev.comment))
    ev.c_producers = binary.dwarf.c_producers
    if binary.image.format == "macho":
        from godet.read.macho import build_toolchain

        ev.build_tools = build_toolchain(binary.image.header)  # type: ignore[arg-type]
    if ev.c_producers:
        ev.evidence.append("DWARF C units: " + "; ".join(ev.c_producers))
    lk = binary.linkage
    if lk.needed:
        ev.evidence.append("dynamically linked: " + ", ".join(filter(None, [lk.interpreter, *lk.needed])))
    extra_dlls = [d for d in lk.pe_imports if d.lower() != "kernel32.dll"]
    if extra_dlls:  # pure Go imports kernel32.dll only (everything else is loaded at run time)
        ev.evidence.append("PE imports: " + ", ".join(extra_dlls))
    return ev
