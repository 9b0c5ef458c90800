"""PE/COFF container: headers and section table, declared as structures and read by hand.

Long section names (``/4``) are resolved through the COFF string table, which is where Go's
linker puts the DWARF section names. Imports are read by hand too (see linkage): no native parser
ever sees a hostile file on the default path.
"""

from __future__ import annotations

import contextlib

from godet.errors import FormatError
from godet.read.bytesview import ByteView, Struct
from godet.read.image import Image, Section, Segment

FILE_HEADER = Struct(
    "IMAGE_FILE_HEADER",
    [
        ("Machine", 2),
        ("NumberOfSections", 2),
        ("TimeDateStamp", 4),
        ("PointerToSymbolTable", 4),
        ("NumberOfSymbols", 4),
        ("SizeOfOptionalHeader", 2),
        ("Characteristics", 2),
    ],
)
SECTION_HEADER = Struct(
    "IMAGE_SECTION_HEADER",
    [
        ("VirtualSize", 4),
        ("VirtualAddress", 4),
        ("SizeOfRawData", 4),
        ("PointerToRawData", 4),
        ("PointerToRelocations", 4),
        ("PointerToLinenumbers", 4),
        ("NumberOfRelocations", 2),
        ("NumberOfLinenumbers", 2),
        ("Characteristics", 4),
    ],
)
MACHINES = {0x8664: "amd64", 0x14C: "386", 0xAA64: "arm64", 0x1C4: "arm", 0x1C0: "arm"}
SCN_CNT_CODE = 0x20
SCN_MEM_EXECUTE = 0x20000000
SCN_MEM_READ = 0x40000000
SCN_MEM_WRITE = 0x80000000
SCN_MEM_DISCARDABLE = 0x02000000
MAX_SECTIONS = 96  # the PE loader's own limit


def open_pe(path: str, data: memoryview) -> Image:
    """Parse the DOS stub, COFF header, optional header and section table into an Image."""
    v = ByteView(data)
    pe_off = v.u32(0x3C)
    if v.bytes(pe_off, 4) != b"PE\0\0":
        raise FormatError("MZ header without a PE signature")
    fh = FILE_HEADER.parse(v, pe_off + 4)
    opt_off = pe_off + 24
    magic = v.u16(opt_off)
    if magic == 0x20B:
        ptr_size, image_base = 8, v.u64(opt_off + 24)
    elif magic == 0x10B:
        ptr_size, image_base = 4, v.u32(opt_off + 28)
    else:
        raise FormatError(f"unknown optional header magic {magic:#x}")
    subsystem = v.u16(opt_off + 68)
    checksum = v.u32(opt_off + 64)
    nsec = fh["NumberOfSections"]
    if nsec > MAX_SECTIONS:
        raise FormatError(f"{nsec} sections (more than the loader's {MAX_SECTIONS})")
    strtab = fh["PointerToSymbolTable"] + 18 * fh["NumberOfSymbols"] if fh["PointerToSymbolTable"] else 0
    sec_off = opt_off + fh["SizeOfOptionalHeader"]
    sections, segments = [], []
    for i in range(nsec):
        off = sec_off + 40 * i
        raw_name = v.bytes(off, 8).rstrip(b"\0")
        sh = SECTION_HEADER.parse(v, off + 8)
        name = raw_name.decode("latin-1")
        if name.startswith("/") and name[1:].isdigit() and strtab:
            with contextlib.suppress(FormatError):  # (an unreadable long name keeps its /N form)
                name = v.cstring(strtab + int(name[1:]), 256).decode("latin-1")
        ch = sh["Characteristics"]
        sec = Section(
            name=name,
            offset=sh["PointerToRawData"],
            size=sh["SizeOfRawData"] if sh["PointerToRawData"] else 0,
            addr=image_base + sh["VirtualAddress"],
            mem_size=sh["VirtualSize"],
            alloc=not (ch & SCN_MEM_DISCARDABLE),
            writable=bool(ch & SCN_MEM_WRITE),
            executable=bool(ch & SCN_MEM_EXECUTE),
            compressed=name.startswith(".zdebug"),
        )
        sections.append(sec)
        segments.append(
            Segment(
                name=name,
                offset=sec.offset,
                file_size=min(sec.size, sec.mem_size) if sec.mem_size else sec.size,
                addr=sec.addr,
                mem_size=sec.mem_size,
                readable=bool(ch & SCN_MEM_READ),
                writable=sec.writable,
                executable=sec.executable,
            )
        )
    return Image(
        path=path,
        data=data,
        format="pe",
        arch=MACHINES.get(fh["Machine"], f"pe-machine-{fh['Machine']:#x}"),
        os="windows",
        big_endian=False,
        ptr_size=ptr_size,
        sections=tuple(sections),
        segments=tuple(segments),
        kind={2: "GUI", 3: "CONSOLE"}.get(subsystem, f"subsystem {subsystem}"),
        header={
            "machine": fh["Machine"],
            "timestamp": fh["TimeDateStamp"],
            "checksum": checksum,
            "image_base": image_base,
            "characteristics": fh["Characteristics"],
            "symtab_offset": fh["PointerToSymbolTable"],
            "nsymbols": fh["NumberOfSymbols"],
        },
    )
