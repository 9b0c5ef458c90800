"""Mach-O (thin and fat): header, segments, sections and the load commands godet needs, and what is
read the Mach-O way (``LC_SYMTAB``, linkage from the load commands, the build ID in ``__text``).

Declared structures, read by hand: they are small, and reading them ourselves keeps hostile
files away from native code on the default path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NotRequired, TypedDict

from godet.errors import FormatError, NotAnExecutable
from godet.read.bytesview import ByteView, Struct
from godet.read.image import ExecutableFormat, Image, Mapped, Section, Segment
from godet.sources.base import FAT_MAGICS, MACHO_MAGICS

if TYPE_CHECKING:
    import numpy as np

    from godet.read.buildid import GoBuildID
    from godet.read.fixups import Rebases
    from godet.read.linkage import Linkage
    from godet.read.symbols import Symbol, SymbolTable

CPU_TYPES = {7: "386", 0x01000007: "amd64", 12: "arm", 0x0100000C: "arm64", 18: "ppc", 0x01000012: "ppc64"}
FILETYPES = {1: "OBJECT", 2: "EXECUTE", 6: "DYLIB", 8: "BUNDLE"}
LC_SEGMENT, LC_SEGMENT_64 = 0x1, 0x19
LC_SYMTAB = 0x2
LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB = 0xC, 0x80000018, 0x8000001F
LC_LOAD_DYLINKER = 0xE
LC_UUID = 0x1B
LC_RPATH = 0x8000001C
LC_CODE_SIGNATURE = 0x1D
LC_BUILD_VERSION = 0x32
LC_DYLD_CHAINED_FIXUPS = 0x80000034
# how the linker tells dyld to bind and rebase: opcodes (ld64 before Xcode 13) or chained fixups
FIXUP_FORMATS = {0x22: "opcodes", 0x80000022: "opcodes", 0x80000034: "chained"}
ZEROFILL_TYPES = {0x1, 0xC, 0x12}
# smallest valid cmdsize of the commands read here (the fields read must lie inside the command)
MIN_CMDSIZE = {
    LC_SEGMENT: 56,
    LC_SEGMENT_64: 72,
    LC_SYMTAB: 24,
    LC_UUID: 24,
    LC_CODE_SIGNATURE: 16,
    LC_LOAD_DYLIB: 12,
    LC_LOAD_WEAK_DYLIB: 12,
    LC_REEXPORT_DYLIB: 12,
    LC_LOAD_DYLINKER: 12,
    LC_RPATH: 12,
    LC_BUILD_VERSION: 24,
}
MAX_SLICES = 64
JAVA_MIN_VERSION = 30
MAX_LOAD_COMMANDS = 10_000

SEGMENT_64 = Struct(
    "segment_command_64",
    [
        ("vmaddr", 8),
        ("vmsize", 8),
        ("fileoff", 8),
        ("filesize", 8),
        ("maxprot", 4),
        ("initprot", 4),
        ("nsects", 4),
        ("flags", 4),
    ],
)
SEGMENT_32 = Struct(
    "segment_command",
    [
        ("vmaddr", 4),
        ("vmsize", 4),
        ("fileoff", 4),
        ("filesize", 4),
        ("maxprot", 4),
        ("initprot", 4),
        ("nsects", 4),
        ("flags", 4),
    ],
)
SECTION_64 = Struct(
    "section_64",
    [
        ("addr", 8),
        ("size", 8),
        ("offset", 4),
        ("align", 4),
        ("reloff", 4),
        ("nreloc", 4),
        ("flags", 4),
        ("reserved1", 4),
        ("reserved2", 4),
        ("reserved3", 4),
    ],
)
SECTION_32 = Struct(
    "section",
    [
        ("addr", 4),
        ("size", 4),
        ("offset", 4),
        ("align", 4),
        ("reloff", 4),
        ("nreloc", 4),
        ("flags", 4),
        ("reserved1", 4),
        ("reserved2", 4),
    ],
)


class MachoHeader(TypedDict):
    """``Image.header`` of a Mach-O image (the load commands godet reads)."""

    cputype: int
    filetype: int
    dylibs: list[str]  # LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB
    rpaths: list[str]  # LC_RPATH
    dylinker: NotRequired[str]  # LC_LOAD_DYLINKER
    uuid: NotRequired[str]  # LC_UUID as hex, and where its 16 bytes are
    uuid_offset: NotRequired[int]
    code_signature: NotRequired[dict[str, int]]  # LC_CODE_SIGNATURE: offset, size
    symtab: NotRequired[dict[str, int]]  # LC_SYMTAB: symoff, nsyms, stroff, strsize
    platform: NotRequired[int]  # LC_BUILD_VERSION
    minos: NotRequired[int]
    sdk: NotRequired[int]
    tools: NotRequired[list[tuple[int, int]]]  # LC_BUILD_VERSION's build tools: (tool, version)
    fixups: NotRequired[str]  # "opcodes" (LC_DYLD_INFO[_ONLY]) or "chained" (LC_DYLD_CHAINED_FIXUPS)
    chained_fixups: NotRequired[tuple[int, int]]  # LC_DYLD_CHAINED_FIXUPS: (dataoff, datasize)


BUILD_TOOLS = {1: "clang", 2: "swift", 3: "ld", 4: "lld"}  # <mach-o/loader.h> TOOL_*


def version_text(v: int) -> str:
    """A Mach-O version (xxxx.yy.zz in nibbles: major << 16 | minor << 8 | patch) as text."""
    major, minor, patch = v >> 16, (v >> 8) & 0xFF, v & 0xFF
    return f"{major}.{minor}" + (f".{patch}" if patch else "")


def build_toolchain(header: MachoHeader) -> dict[str, str]:
    """What LC_BUILD_VERSION says built the file: the SDK, the minimum OS, each build tool's version."""
    out = {}
    if "sdk" in header:
        out["SDK"] = version_text(header["sdk"])
    if "minos" in header:
        out["minimum OS"] = version_text(header["minos"])
    for tool, version in header.get("tools", []):
        out[BUILD_TOOLS.get(tool, f"tool {tool}")] = version_text(version)
    return out


def _name16(v: ByteView, off: int) -> str:
    return v.bytes(off, 16).split(b"\0", 1)[0].decode("latin-1")


def open_macho(path: str, data: memoryview, fat: bool = False) -> list[Image]:
    """One Image for a thin file, one per slice for a fat (universal) file."""
    if not fat:
        return [_thin(path, data, 0)]
    v = ByteView(data, big_endian=True)
    magic = v.u32(0)
    nfat = v.u32(4)
    if magic == 0xCAFEBABE and nfat >= JAVA_MIN_VERSION:
        # 0xcafebabe is also the Java class-file magic, followed by (minor, major) version numbers:
        # the "slice count" of a class file is its major version, 45 or more (file(1) draws the line at 30).
        version = nfat & 0xFFFF
        raise NotAnExecutable(path, f"not an executable: a Java class file (0xcafebabe, version {version})")
    if nfat == 0 or nfat > MAX_SLICES:
        raise FormatError(f"fat header claims {nfat} slices")
    wide = magic == 0xCAFEBABF
    images = []
    for i in range(nfat):
        if wide:
            off = 8 + 32 * i
            offset, size = v.u64(off + 8), v.u64(off + 16)
        else:
            off = 8 + 20 * i
            offset, size = v.u32(off + 8), v.u32(off + 12)
        v.check(offset, size)
        images.append(_thin(path, data[offset : offset + size], offset))
    return images


def _thin(path: str, data: memoryview, slice_offset: int) -> Image:
    head = bytes(data[:4])
    if head in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf"):
        big = True
    elif head in (b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"):
        big = False
    else:
        raise FormatError("fat slice without a Mach-O header")
    v = ByteView(data, big)
    magic = v.u32(0)
    is64 = magic == 0xFEEDFACF
    cputype, filetype, ncmds, sizeofcmds = v.u32(4), v.u32(12), v.u32(16), v.u32(20)
    if ncmds > MAX_LOAD_COMMANDS:
        raise FormatError(f"{ncmds} load commands")
    pos = 32 if is64 else 28
    end = pos + sizeofcmds
    v.check(pos, sizeofcmds)
    sections: list[Section] = []
    segments: list[Segment] = []
    header = MachoHeader(cputype=cputype, filetype=filetype, dylibs=[], rpaths=[])
    for _ in range(ncmds):
        cmd, cmdsize = v.u32(pos), v.u32(pos + 4)
        if cmdsize < MIN_CMDSIZE.get(cmd, 8) or pos + cmdsize > end:
            raise FormatError(f"load command {cmd:#x} at {pos:#x} has size {cmdsize}")
        if cmd in (LC_SEGMENT, LC_SEGMENT_64):
            _segment(v, pos, cmd == LC_SEGMENT_64, sections, segments)
        elif cmd == LC_UUID:
            header["uuid"] = v.bytes(pos + 8, 16).hex()
            header["uuid_offset"] = pos + 8
        elif cmd == LC_CODE_SIGNATURE:
            header["code_signature"] = {"offset": v.u32(pos + 8), "size": v.u32(pos + 12)}
        elif cmd == LC_SYMTAB:
            header["symtab"] = {
                "symoff": v.u32(pos + 8),
                "nsyms": v.u32(pos + 12),
                "stroff": v.u32(pos + 16),
                "strsize": v.u32(pos + 20),
            }
        elif cmd in (LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LOAD_DYLINKER, LC_RPATH):
            name_off = v.u32(pos + 8)
            if name_off < cmdsize:
                name = v.cstring(pos + name_off, cmdsize - name_off + 1).decode("utf-8", "replace")
                if cmd == LC_LOAD_DYLINKER:
                    header["dylinker"] = name
                elif cmd == LC_RPATH:
                    header["rpaths"].append(name)
                else:
                    header["dylibs"].append(name)
        elif cmd in FIXUP_FORMATS:
            header["fixups"] = FIXUP_FORMATS[cmd]
            if cmd == LC_DYLD_CHAINED_FIXUPS and cmdsize >= 16:
                header["chained_fixups"] = (v.u32(pos + 8), v.u32(pos + 12))
        elif cmd == LC_BUILD_VERSION:
            header["platform"] = v.u32(pos + 8)
            header["minos"] = v.u32(pos + 12)
            header["sdk"] = v.u32(pos + 16)
            ntools = min(v.u32(pos + 20), max(0, (cmdsize - 24) // 8))
            header["tools"] = [(v.u32(pos + 24 + 8 * i), v.u32(pos + 28 + 8 * i)) for i in range(ntools)]
        pos += cmdsize
    return Image(
        path=path,
        data=data,
        format="macho",
        arch=CPU_TYPES.get(cputype, f"cpu-{cputype:#x}"),
        os="darwin",
        big_endian=big,
        ptr_size=8 if is64 else 4,
        sections=tuple(sections),
        segments=tuple(segments),
        kind=FILETYPES.get(filetype, str(filetype)),
        header=header,
        slice_offset=slice_offset,
    )


def _segment(v: ByteView, pos: int, is64: bool, sections: list[Section], segments: list[Segment]) -> None:
    segname = _name16(v, pos + 8)
    seg = (SEGMENT_64 if is64 else SEGMENT_32).parse(v, pos + 24)
    prot = seg["initprot"]
    segments.append(
        Segment(
            name=segname,
            offset=seg["fileoff"],
            file_size=seg["filesize"],
            addr=seg["vmaddr"],
            mem_size=seg["vmsize"],
            readable=bool(prot & 1),
            writable=bool(prot & 2),
            executable=bool(prot & 4),
        )
    )
    sec_struct = SECTION_64 if is64 else SECTION_32
    step = 80 if is64 else 68
    spos = pos + (72 if is64 else 56)
    cmdsize = v.u32(pos + 4)
    if seg["nsects"] > 1000 or (spos - pos) + seg["nsects"] * step > cmdsize:
        raise FormatError(f"segment {segname} claims {seg['nsects']} sections in a {cmdsize}-byte command")
    for _ in range(seg["nsects"]):
        name = _name16(v, spos)
        s = sec_struct.parse(v, spos + 32)
        zerofill = (s["flags"] & 0xFF) in ZEROFILL_TYPES
        sections.append(
            Section(
                name=name,
                offset=s["offset"],
                size=0 if zerofill else s["size"],
                addr=s["addr"],
                mem_size=s["size"],
                alloc=segname != "__DWARF",
                writable=bool(prot & 2),
                executable=bool(s["flags"] & 0x80000400),
                compressed=name.startswith("__zdebug"),
                segment=segname,
            )
        )
        spos += step


class MachoFormat(ExecutableFormat):
    """Mach-O: macOS and iOS, thin or fat (universal)."""

    key = "macho"
    name = "Mach-O"
    roles: ClassVar[dict[str, tuple[str, ...]]] = {
        "text": ("__TEXT,__text", "__text"),
        "rodata": ("__rodata", "__TEXT,__rodata"),
        "cstring": ("__cstring",),
        "relro": ("__const",),
        "data": ("__data",),
        "noptrdata": ("__noptrdata",),
        "bss": ("__bss", "__noptrbss"),
        "go-type": ("__go_type",),
        "go-func": ("__go_func",),
        "go-module": ("__go_module",),
        "moduledata": ("__go_module", "__noptrdata", "__data", "__DATA_CONST,__rodata"),
        "pclntab": ("__TEXT,__gopclntab", "__DATA_CONST,__gopclntab"),
        "link-tables": ("__typelink", "__itablink", "__gosymtab"),
        "buildinfo": ("__DATA,__go_buildinfo", "__go_buildinfo"),
        "fipsinfo": ("__DATA,__go_fipsinfo", "__go_fipsinfo"),
        "debug-prefix": ("__debug_",),
        "zdebug-prefix": ("__zdebug_",),
        "debug-segment": ("__DWARF",),
    }
    section_name_limit = 16  # section names are 16-byte fields (``__zdebug_line_st``)
    uuid_required = True  # dyld refuses an executable without LC_UUID (recent SDKs)

    def recognise(self, head: bytes) -> bool:
        return head[:4] in MACHO_MAGICS or head[:4] in FAT_MAGICS

    def label(self, head: bytes) -> str:
        return "fat Mach-O" if head[:4] in FAT_MAGICS else self.name

    def open(self, mapped: Mapped) -> list[Image]:
        return open_macho(mapped.path, mapped.data, fat=bytes(mapped.data[:4]) in FAT_MAGICS)

    def read_symbols(self, image: Image) -> SymbolTable:
        return read_symbols(image)

    def read_linkage(self, image: Image) -> Linkage:
        """The dylibs, dynamic linker and rpaths the load commands name."""
        from godet.read.linkage import Linkage

        h = image.header
        dylibs = list(h.get("dylibs", []))
        return Linkage(
            format="macho",
            static=not dylibs and not h.get("dylinker"),
            dylibs=dylibs,
            dylinker=h.get("dylinker"),
            rpath=list(h.get("rpaths", [])),
        )

    def read_rebases(self, image: Image) -> Rebases | None:
        """The chained fixups' pointers as dyld writes them (read/fixups.py)."""
        from godet.read.fixups import read_rebases

        return read_rebases(image)

    def read_go_build_id(self, image: Image) -> GoBuildID | None:
        """The text header near the start of the file, else at the start of ``__text``."""
        from godet.read.buildid import read_text_build_id

        found = read_text_build_id(image, 0)
        if found is None:
            text = image.section_for("text")
            if text is not None and text.size:
                found = read_text_build_id(image, text.offset, text.size)
        return found


MACHO = MachoFormat()


# ---------------------------------------------------------------------------------- symbol table

N_STAB = 0xE0
N_TYPE = 0x0E  # of an nlist's type: N_UNDF (0) is an import, the others are defined here


def read_symbols(image: Image) -> SymbolTable:
    """``LC_SYMTAB`` as ``go tool nm`` lists it: stabs skipped, Go's ``_`` prefix stripped from names
    with a dot (debug/macho), sizes the gap to the next symbol."""
    import numpy as np

    from godet.read.symbols import (
        MAX_TABLE_BYTES,
        SymbolTable,
        assemble,
        bounded,
        gap_sizes,
        names_at,
        string_offsets,
    )

    st = image.header.get("symtab")
    if not st or not st.get("nsyms"):
        return SymbolTable.absent()
    o = ">" if image.big_endian else "<"
    dtype = np.dtype(
        [
            ("strx", o + "u4"),
            ("type", "u1"),
            ("sect", "u1"),
            ("desc", o + "u2"),
            ("value", o + ("u8" if image.ptr_size == 8 else "u4")),
        ]
    )
    symoff, nsyms = st["symoff"], st["nsyms"]
    if symoff > image.size:
        raise FormatError(f"LC_SYMTAB symbols at {symoff:#x} lie past the end of the file")
    nsyms = min(nsyms, (image.size - symoff) // dtype.itemsize)
    bounded(nsyms * dtype.itemsize, "LC_SYMTAB")
    raw = bytes(image.data[symoff : symoff + nsyms * dtype.itemsize])
    allrec = np.frombuffer(raw, dtype=dtype, count=nsyms)
    recs = allrec[(allrec["type"] & N_STAB) == 0]  # nm skips stabs
    stroff = min(st["stroff"], image.size)
    strtab = bytes(image.data[stroff : min(image.size, stroff + st["strsize"], stroff + MAX_TABLE_BYTES)])
    by_sect = [("U", "")] + [_sym_kind(s) for s in image.sections]
    addrs = recs["value"].astype(np.uint64)

    def make(idx: np.ndarray) -> list[Symbol]:
        sub = recs[idx]
        names = [
            n[1:] if n.startswith("_") and "." in n else n  # debug/macho strips Go's "_" prefix
            for n in names_at(strtab, sub["strx"])
        ]
        kinds, secs = [], []
        for sect in sub["sect"].tolist():
            kind, sec = by_sect[sect] if sect < len(by_sect) else ("?", "")
            kinds.append(kind)
            secs.append(sec)
        return assemble(names, addrs[idx], gap_sizes(addrs, addrs[idx]), kinds, secs)

    def quick(name: str) -> Symbol | None:
        offs = string_offsets(strtab, name) + string_offsets(strtab, "_" + name)
        if not offs:
            return None
        found = [
            s
            for s in make(np.nonzero(np.isin(recs["strx"], np.array(offs, dtype=np.uint32)))[0])
            if s.name == name
        ]
        return found[0] if found else None

    # a stripped Go binary (-ldflags=-s) keeps only its imports (libSystem's functions): no symbols
    defined = bool(((recs["type"] & N_TYPE) != 0).any())
    return SymbolTable(defined, "mach-o LC_SYMTAB", len(recs), 0, lambda: make(np.arange(len(recs))), quick)


def _sym_kind(s: Section) -> tuple[str, str]:
    """nm letter for a symbol in Mach-O section ``s`` (objfile/macho.go)."""
    kind = "?"
    if s.segment in ("__TEXT", "__DATA_CONST"):
        kind = "R"
    elif s.segment == "__DATA":
        kind = "D"
    if (s.segment, s.name) == ("__TEXT", "__text"):
        kind = "T"
    elif s.segment == "__DATA" and s.name in ("__bss", "__noptrbss"):
        kind = "B"
    return kind, s.name
