"""Mach-O container (thin and fat): header, segments, sections and the load commands godet needs.

Declared structures, read by hand: they are small, and reading them ourselves keeps hostile
files away from native code on the default path.
"""

from __future__ import annotations

from godet.errors import FormatError, NotAnExecutable
from godet.read.bytesview import ByteView, Struct
from godet.read.image import Image, Section, Segment

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
ZEROFILL_TYPES = {0x1, 0xC, 0x12}
# smallest valid cmdsize of the commands read here (the fields read must lie inside the command)
MIN_CMDSIZE = {LC_SEGMENT: 56, LC_SEGMENT_64: 72, LC_SYMTAB: 24, LC_UUID: 24, LC_CODE_SIGNATURE: 16,
               LC_LOAD_DYLIB: 12, LC_LOAD_WEAK_DYLIB: 12, LC_REEXPORT_DYLIB: 12, LC_LOAD_DYLINKER: 12,
               LC_RPATH: 12, LC_BUILD_VERSION: 24}
MAX_SLICES = 64
JAVA_MIN_VERSION = 30
MAX_LOAD_COMMANDS = 10_000

SEGMENT_64 = Struct(
    "segment_command_64",
    [("vmaddr", 8), ("vmsize", 8), ("fileoff", 8), ("filesize", 8), ("maxprot", 4), ("initprot", 4),
     ("nsects", 4), ("flags", 4)],
)
SEGMENT_32 = Struct(
    "segment_command",
    [("vmaddr", 4), ("vmsize", 4), ("fileoff", 4), ("filesize", 4), ("maxprot", 4), ("initprot", 4),
     ("nsects", 4), ("flags", 4)],
)
SECTION_64 = Struct(
    "section_64",
    [("addr", 8), ("size", 8), ("offset", 4), ("align", 4), ("reloff", 4), ("nreloc", 4), ("flags", 4),
     ("reserved1", 4), ("reserved2", 4), ("reserved3", 4)],
)
SECTION_32 = Struct(
    "section",
    [("addr", 4), ("size", 4), ("offset", 4), ("align", 4), ("reloff", 4), ("nreloc", 4), ("flags", 4),
     ("reserved1", 4), ("reserved2", 4)],
)


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
    header: dict = {"cputype": cputype, "filetype": filetype, "dylibs": [], "rpaths": []}
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
            header["symtab"] = {"symoff": v.u32(pos + 8), "nsyms": v.u32(pos + 12),
                                "stroff": v.u32(pos + 16), "strsize": v.u32(pos + 20)}
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
        elif cmd == LC_BUILD_VERSION:
            header["platform"] = v.u32(pos + 8)
            header["minos"] = v.u32(pos + 12)
            header["sdk"] = v.u32(pos + 16)
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
