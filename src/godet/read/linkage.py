"""Dynamic linkage (interpreter, needed libraries, imports, dylibs) and the evidence that cgo is used.

ELF: ``PT_INTERP``, the ``PT_DYNAMIC`` table (DT_NEEDED / DT_RPATH / DT_RUNPATH, strings from
DT_STRTAB) and the version needs (DT_VERNEED, ``.gnu.version_r``), read by hand from the program
headers so that a binary without section headers still answers. PE: the import directory, read by
hand. Mach-O: the load commands our Mach-O reader already collected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from godet.errors import FormatError
from godet.read.bytesview import ByteView
from godet.read.image import Image

if TYPE_CHECKING:
    from godet.read.binary import Binary

DT_NULL, DT_NEEDED, DT_STRTAB, DT_STRSZ, DT_RPATH, DT_RUNPATH = 0, 1, 5, 10, 15, 29
DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFFFE, 0x6FFFFFFF
MAX_DYNAMIC = 100_000
MAX_IMPORTS = 10_000
MAX_VERNEED = 10_000
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


# --------------------------------------------------------------------------------------------
# ELF


def _elf_interp(image: Image) -> str | None:
    for ph in image.header.get("phdrs", []):
        if ph["type"] == "PT_INTERP":
            size = min(ph["filesz"], 4096)
            raw = image.view.bytes(ph["offset"], size)
            return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
    return None


def _elf_dynamic_range(image: Image) -> tuple[int, int] | None:
    for ph in image.header.get("phdrs", []):
        if ph["type"] == "PT_DYNAMIC":
            return ph["offset"], ph["filesz"]
    sec = image.section(".dynamic")
    if sec is not None and sec.size:
        return sec.offset, sec.size
    return None


def _elf_dynamic(image: Image) -> list[tuple[int, int]]:
    """(tag, value) pairs of the dynamic table, up to DT_NULL."""
    rng = _elf_dynamic_range(image)
    if rng is None:
        return []
    off, size = rng
    w = image.ptr_size
    v = image.view
    v.check(off, min(size, image.size - off) if off <= image.size else size)
    out = []
    for i in range(min(size // (2 * w), MAX_DYNAMIC)):
        tag, val = v.int(off + 2 * w * i, w), v.int(off + 2 * w * i + w, w)
        if tag == DT_NULL:
            break
        out.append((tag, val))
    return out


def _elf_strtab(image: Image, dyn: list[tuple[int, int]]) -> tuple[int, int] | None:
    """(file offset, size) of the dynamic string table."""
    tags = dict(dyn)
    if DT_STRTAB in tags:
        off = image.va_to_offset(tags[DT_STRTAB])
        if off is not None:
            return off, tags.get(DT_STRSZ, image.size - off)
    sec = image.section(".dynstr")
    if sec is not None and sec.size:
        return sec.offset, sec.size
    return None


def _dynstr(image: Image, strtab: tuple[int, int] | None, idx: int) -> str:
    if strtab is None:
        raise FormatError("dynamic table without a string table")
    off, size = strtab
    if not 0 <= idx < size:
        raise FormatError(f"dynamic string index {idx:#x} outside the {size:#x}-byte table")
    return image.view.cstring(off + idx, min(4096, size - idx)).decode("utf-8", "replace")


def _elf_version_needs(image: Image, dyn: list[tuple[int, int]], strtab: tuple[int, int] | None) -> list[str]:
    tags = dict(dyn)
    off: int | None = None
    count = tags.get(DT_VERNEEDNUM, 0)
    if DT_VERNEED in tags:
        off = image.va_to_offset(tags[DT_VERNEED])
    if off is None:
        sec = image.section(".gnu.version_r")
        if sec is None or not sec.size:
            return []
        off = sec.offset
        count = count or MAX_VERNEED
    v = image.view
    names: list[str] = []
    pos = off
    for _ in range(min(count, MAX_VERNEED)):
        vn_cnt, vn_aux, vn_next = v.u16(pos + 2), v.u32(pos + 8), v.u32(pos + 12)
        apos = pos + vn_aux
        for _ in range(min(vn_cnt, MAX_VERNEED)):
            name = _dynstr(image, strtab, v.u32(apos + 8))
            if name not in names:
                names.append(name)
            nxt = v.u32(apos + 12)
            if nxt == 0:
                break
            apos += nxt
        if vn_next == 0:
            break
        pos += vn_next
    return names


def _read_elf(image: Image) -> Linkage:
    interp = _elf_interp(image)
    dyn = _elf_dynamic(image)
    strtab = _elf_strtab(image, dyn) if dyn else None
    lk = Linkage(format="elf", interpreter=interp)
    for tag, val in dyn:
        if tag == DT_NEEDED:
            lk.needed.append(_dynstr(image, strtab, val))
        elif tag == DT_RPATH:
            lk.rpath.extend(p for p in _dynstr(image, strtab, val).split(":") if p)
        elif tag == DT_RUNPATH:
            lk.runpath.extend(p for p in _dynstr(image, strtab, val).split(":") if p)
    if dyn:
        lk.version_needs = _elf_version_needs(image, dyn, strtab)
    lk.static = interp is None and not lk.needed
    return lk


# --------------------------------------------------------------------------------------------
# PE


def pe_imports(image: Image) -> list[str]:
    """The DLL names of the PE import directory, in table order."""
    v = ByteView(image.data)
    pe_off = v.u32(0x3C)
    opt_off = pe_off + 24
    magic = v.u16(opt_off)
    dirs = opt_off + (112 if magic == 0x20B else 96)
    ndirs = v.u32(dirs - 4)
    if ndirs < 2:
        return []
    rva, size = v.u32(dirs + 8), v.u32(dirs + 12)
    if rva == 0:
        return []
    base = image.header.get("image_base", 0)
    off = image.va_to_offset(base + rva)
    if off is None:
        raise FormatError(f"import directory RVA {rva:#x} is not in the file")
    names: list[str] = []
    limit = min(MAX_IMPORTS, max(size // 20, 1) + 1) if size else MAX_IMPORTS
    for i in range(limit):
        desc = off + 20 * i
        name_rva, first_thunk = v.u32(desc + 12), v.u32(desc + 16)
        if name_rva == 0 and first_thunk == 0 and v.u32(desc) == 0:
            break
        noff = image.va_to_offset(base + name_rva)
        if noff is None:
            raise FormatError(f"import name RVA {name_rva:#x} is not in the file")
        names.append(v.cstring(noff, 512).decode("latin-1"))
    return names


# --------------------------------------------------------------------------------------------


def read_linkage(image: Image) -> Linkage:
    """The dynamic-linkage facts of one image (FormatError on malformed tables)."""
    if image.format == "elf":
        return _read_elf(image)
    if image.format == "pe":
        imports = pe_imports(image)
        return Linkage(format="pe", static=not imports, pe_imports=imports)
    if image.format == "macho":
        h = image.header
        dylibs = list(h.get("dylibs", []))
        return Linkage(
            format="macho",
            static=not dylibs and not h.get("dylinker"),
            dylibs=dylibs,
            dylinker=h.get("dylinker"),
            rpath=list(h.get("rpaths", [])),
        )
    return Linkage.unknown()


# --------------------------------------------------------------------------------------------
# cgo


@dataclass
class CgoEvidence:
    """Whether the program really uses cgo (runtime/cgo is linked in), and what shows it."""

    uses_cgo: bool = False
    evidence: list[str] = field(default_factory=list)
    comment: list[str] = field(default_factory=list)  # ELF .comment strings (C toolchain identity)
    c_producers: list[str] = field(default_factory=list)  # DWARF producers that are not Go

    @classmethod
    def none(cls) -> CgoEvidence:
        return cls()

    def to_json(self) -> dict[str, Any]:
        return {
            "uses_cgo": self.uses_cgo,
            "evidence": list(self.evidence),
            "comment": list(self.comment),
            "c_producers": list(self.c_producers),
        }


# C functions that exist only when runtime/cgo is linked in (besides runtime/cgo.* Go functions).
# Not ``_cgo_init``: the runtime declares that variable in every program.
CGO_FUNCS = ("x_cgo_init", "crosscall2", "_cgo_topofstack")


def read_comment(image: Image) -> list[str]:
    """The distinct strings of the ELF ``.comment`` section (compiler and linker versions)."""
    sec = image.section(".comment")
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
    for name in (".gopclntab", "__gopclntab", ".data.rel.ro.gopclntab"):
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
    if binary.image.format == "elf":
        ev.comment = read_comment(binary.image)
        if ev.comment:
            ev.evidence.append(".comment: " + "; ".join(ev.comment))
    ev.c_producers = binary.dwarf.c_producers
    if ev.c_producers:
        ev.evidence.append("DWARF C units: " + "; ".join(ev.c_producers))
    lk = binary.linkage
    if lk.needed:
        ev.evidence.append("dynamically linked: " + ", ".join(filter(None, [lk.interpreter, *lk.needed])))
    extra_dlls = [d for d in lk.pe_imports if d.lower() != "kernel32.dll"]
    if extra_dlls:  # pure Go imports kernel32.dll only (everything else is loaded at run time)
        ev.evidence.append("PE imports: " + ", ".join(extra_dlls))
    return ev
