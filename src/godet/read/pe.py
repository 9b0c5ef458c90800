"""PE/COFF: headers and section table, declared as structures and read by hand, and what is read
the PE way (the COFF symbol table, the import directory, where the buildinfo lives).

Long section names (``/4``) are resolved through the COFF string table, which is where Go's
linker puts the DWARF section names. Imports are read by hand too: no native parser ever sees a
hostile file on the default path.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, ClassVar, TypedDict

from godet.errors import FormatError
from godet.read.bytesview import ByteView, Struct
from godet.read.image import ExecutableFormat, Image, Mapped, Section, Segment

if TYPE_CHECKING:
    import numpy as np

    from godet.read.linkage import Linkage
    from godet.read.symbols import Symbol, SymbolTable

MAGIC = b"MZ"

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


class PeHeader(TypedDict):
    """``Image.header`` of a PE image."""

    machine: int
    timestamp: int  # TimeDateStamp (Go's linker writes 0)
    timestamp_offset: int  # where TimeDateStamp is in the file
    checksum: int
    image_base: int
    characteristics: int
    symtab_offset: int  # PointerToSymbolTable (COFF symbols; 0 when stripped)
    nsymbols: int


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
        header=PeHeader(
            machine=fh["Machine"],
            timestamp=fh["TimeDateStamp"],
            timestamp_offset=pe_off + 8,  # in the COFF header, after the "PE\0\0" signature
            checksum=checksum,
            image_base=image_base,
            characteristics=fh["Characteristics"],
            symtab_offset=fh["PointerToSymbolTable"],
            nsymbols=fh["NumberOfSymbols"],
        ),
    )


class PeFormat(ExecutableFormat):
    """PE/COFF: Windows."""

    key = "pe"
    name = "PE"
    roles: ClassVar[dict[str, tuple[str, ...]]] = {
        "text": (".text",),
        "rodata": (".rdata",),  # (the pclntab and module data live inside it)
        "data": (".data",),  # (noptrdata and bss too)
        "moduledata": (".data",),
        "debug-prefix": (".debug_",),
        "zdebug-prefix": (".zdebug_",),
    }

    def recognise(self, head: bytes) -> bool:
        return head.startswith(MAGIC)

    def open(self, mapped: Mapped) -> list[Image]:
        return [open_pe(mapped.path, mapped.data)]

    def read_symbols(self, image: Image) -> SymbolTable:
        return read_symbols(image)

    def read_linkage(self, image: Image) -> Linkage:
        from godet.read.linkage import Linkage

        imports = read_imports(image)
        return Linkage(format="pe", static=not imports, pe_imports=imports)

    def buildinfo_section(self, image: Image) -> Section | None:
        """The first INITIALIZED_DATA|READ|WRITE section: the first writable, non-executable one with
        bytes (debug/buildinfo)."""
        for s in image.sections:
            if s.writable and not s.executable and s.size and s.alloc:
                return s
        return None

    def section_contents(self, image: Image, section: Section) -> memoryview:
        """Without the file-alignment padding (SizeOfRawData is rounded up; VirtualSize is not)."""
        raw = image.section_bytes(section)
        if section.mem_size and not section.compressed:
            raw = raw[: section.mem_size]
        return raw


PE = PeFormat()


# ---------------------------------------------------------------------------------- symbol table

SCN_CNT_INITIALIZED_DATA, SCN_CNT_UNINITIALIZED_DATA = 0x40, 0x80  # (as objfile/pe.go tests them)
COFF_SYMBOL_SIZE = 18


def read_symbols(image: Image) -> SymbolTable:
    """The COFF symbol table as ``go tool nm`` lists it: values made virtual addresses, sizes the gap
    to the next symbol."""
    import numpy as np

    from godet.read.symbols import (
        MAX_TABLE_BYTES,
        SymbolTable,
        assemble,
        bounded,
        decode,
        gap_sizes,
        string_offsets,
    )

    coff_dtype = np.dtype(
        [("name", "V8"), ("value", "<u4"), ("sect", "<i2"), ("type", "<u2"), ("sclass", "u1"), ("naux", "u1")]
    )
    ptr = image.header.get("symtab_offset", 0)
    nsyms = image.header.get("nsymbols", 0)
    if not ptr or not nsyms:
        return SymbolTable.absent()
    nsyms = min(nsyms, max(0, (image.size - ptr) // COFF_SYMBOL_SIZE))
    bounded(nsyms * COFF_SYMBOL_SIZE, "COFF")
    if nsyms == 0:
        raise FormatError(f"COFF symbol table at {ptr:#x} lies past the end of the file")
    strtab_off = ptr + COFF_SYMBOL_SIZE * nsyms
    strtab = b""
    if strtab_off + 4 <= image.size:
        strsize = image.view.u32(strtab_off)
        end = min(image.size, strtab_off + max(strsize, 4), strtab_off + MAX_TABLE_BYTES)
        strtab = bytes(image.data[strtab_off:end])
    raw = bytes(image.data[ptr : ptr + COFF_SYMBOL_SIZE * nsyms])
    allrec = np.frombuffer(raw, dtype=coff_dtype, count=nsyms)
    # Auxiliary records follow their symbol; walk the (normally all-zero) aux counts to skip them.
    naux = allrec["naux"]
    if naux.any():
        keep = []
        i = 0
        while i < nsyms:
            keep.append(i)
            i += 1 + int(naux[i])
        recs = allrec[np.array(keep, dtype=np.int64)]
    else:
        recs = allrec
    name_words = np.frombuffer(recs["name"].tobytes(), dtype="<u4").reshape(-1, 2)
    long_name = name_words[:, 0] == 0
    chars = _characteristics(image)
    sections = image.sections[: len(chars)]
    sect = recs["sect"].astype(np.int64)
    value = recs["value"].astype(np.uint64)
    in_sect = (sect >= 1) & (sect <= len(chars))
    bases = np.array([0] + [s.addr for s in sections], dtype=np.uint64)
    # COFF values are section-relative; nm reports virtual addresses
    addrs = np.where(in_sect, value + bases[np.where(in_sect, sect, 0)], value)

    def name_of(raw8: bytes) -> str:
        if raw8[:4] == b"\0\0\0\0":  # long name: offset into the string table
            off = int.from_bytes(raw8[4:8], "little")
            if off < len(strtab):
                end = strtab.find(b"\0", off)
                return decode(strtab[off : end if end >= 0 else len(strtab)])
            return ""
        return decode(raw8.split(b"\0", 1)[0])

    def find(name: str) -> np.ndarray:
        """Indexes of the records called ``name``."""
        enc = name.encode("utf-8")
        if len(enc) <= 8:
            return np.nonzero(~long_name & (recs["name"] == np.void(enc.ljust(8, b"\0"))))[0]
        offs = np.array(string_offsets(strtab, name), dtype=np.uint32)
        return np.nonzero(long_name & np.isin(name_words[:, 1], offs))[0]

    bss = find("runtime.bss")
    bss_sect, bss_value = (int(sect[bss[0]]), int(value[bss[0]])) if len(bss) else (0, 0)

    def kind_of(sn: int, val: int) -> tuple[str, str]:
        """nm letter and section name (objfile/pe.go)."""
        if sn == 0:
            return "U", ""
        if sn == -1:
            return "C", ""
        if sn < 0 or sn > len(chars):
            return "?", ""
        s, ch = sections[sn - 1], chars[sn - 1]
        if ch & SCN_CNT_CODE:
            return "T", s.name
        if ch & SCN_CNT_INITIALIZED_DATA:
            if not ch & SCN_MEM_WRITE:
                return "R", s.name
            if (bss_sect == sn and bss_value > 0 and val >= bss_value) or val >= s.size:
                return "B", s.name  # Go puts bss in .data: past runtime.bss (or the raw data) is bss
            return "D", s.name
        if ch & SCN_CNT_UNINITIALIZED_DATA:
            return "B", s.name
        return "?", s.name

    def make(idx: np.ndarray) -> list[Symbol]:
        names = [name_of(r) for r in recs["name"][idx].tolist()]
        ks = [kind_of(sn, val) for sn, val in zip(sect[idx].tolist(), value[idx].tolist(), strict=True)]
        sub = addrs[idx]
        return assemble(names, sub, gap_sizes(addrs, sub), [k for k, _ in ks], [n for _, n in ks])

    def quick(name: str) -> Symbol | None:
        syms = make(find(name))
        return syms[0] if syms else None

    return SymbolTable(True, "coff", len(recs), 0, lambda: make(np.arange(len(recs))), quick)


def _characteristics(image: Image) -> list[int]:
    """Characteristics of each PE section (re-read from the header; the Image keeps only flags)."""
    view = image.view
    pe_off = view.u32(0x3C)
    nsec = view.u16(pe_off + 6)
    opt_size = view.u16(pe_off + 20)
    base = pe_off + 24 + opt_size
    return [view.u32(base + 40 * i + 36) for i in range(min(nsec, len(image.sections)))]


# --------------------------------------------------------------------------------------- imports

MAX_IMPORTS = 10_000


def _directory(image: Image, index: int) -> tuple[int, int] | None:
    """(RVA, size) of the optional header's data directory ``index`` (0 exports, 1 imports); None
    when the header has fewer directories or the entry is empty."""
    v = ByteView(image.data)
    opt_off = v.u32(0x3C) + 24
    dirs = opt_off + (112 if v.u16(opt_off) == 0x20B else 96)
    if v.u32(dirs - 4) <= index:
        return None
    rva, size = v.u32(dirs + 8 * index), v.u32(dirs + 8 * index + 4)
    return (rva, size) if rva else None


def export_timestamp_offset(image: Image) -> int | None:
    """Where the export directory's TimeDateStamp is in the file (the external linker stamps it with
    the header's time when the program exports symbols, as a -buildmode=c-shared or cgo //export
    does); None without an export directory, or when the headers cannot say."""
    try:
        found = _directory(image, 0)
    except FormatError:
        return None
    if found is None or found[1] < 8:
        return None
    off = image.va_to_offset(image.header.get("image_base", 0) + found[0])
    return None if off is None or off + 8 > image.size else off + 4


def read_imports(image: Image) -> list[str]:
    """The DLL names of the PE import directory, in table order."""
    v = ByteView(image.data)
    found = _directory(image, 1)
    if found is None:
        return []
    rva, size = found
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
