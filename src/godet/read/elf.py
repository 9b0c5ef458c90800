"""ELF container: header, section table and program headers, declared as structures and read by hand.

Every count, size and offset in the headers is checked against the file before it is used: a
table that does not fit (a truncated file), an entry size smaller than the structure, a string
table index out of range, or an absurd count raises FormatError (the container becomes a
CorruptBinary). Reading the tables ourselves keeps hostile files away from third-party parsers
(pyelftools loops on some, and raises a dozen exception types on others).
"""

from __future__ import annotations

import mmap

from godet.errors import FormatError
from godet.read.bytesview import ByteView, Struct
from godet.read.image import Image, Section, Segment

SHF_WRITE = 0x1
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4
SHF_COMPRESSED = 0x800
PF_X, PF_W, PF_R = 1, 2, 4
SHT_NULL, SHT_NOBITS = 0, 8
SHN_UNDEF, SHN_LORESERVE, SHN_XINDEX = 0, 0xFF00, 0xFFFF
PN_XNUM = 0xFFFF
MAX_SECTIONS = 1 << 18  # far above any executable; bounds the work on a hostile count
MAX_SEGMENTS = 1 << 16
MAX_NAME = 1024

EHDR = {
    4: Struct(
        "Elf32_Ehdr",
        [
            ("e_type", 2),
            ("e_machine", 2),
            ("e_version", 4),
            ("e_entry", 4),
            ("e_phoff", 4),
            ("e_shoff", 4),
            ("e_flags", 4),
            ("e_ehsize", 2),
            ("e_phentsize", 2),
            ("e_phnum", 2),
            ("e_shentsize", 2),
            ("e_shnum", 2),
            ("e_shstrndx", 2),
        ],
    ),
    8: Struct(
        "Elf64_Ehdr",
        [
            ("e_type", 2),
            ("e_machine", 2),
            ("e_version", 4),
            ("e_entry", 8),
            ("e_phoff", 8),
            ("e_shoff", 8),
            ("e_flags", 4),
            ("e_ehsize", 2),
            ("e_phentsize", 2),
            ("e_phnum", 2),
            ("e_shentsize", 2),
            ("e_shnum", 2),
            ("e_shstrndx", 2),
        ],
    ),
}
SHDR = {
    4: Struct(
        "Elf32_Shdr",
        [
            ("sh_name", 4),
            ("sh_type", 4),
            ("sh_flags", 4),
            ("sh_addr", 4),
            ("sh_offset", 4),
            ("sh_size", 4),
            ("sh_link", 4),
            ("sh_info", 4),
            ("sh_addralign", 4),
            ("sh_entsize", 4),
        ],
    ),
    8: Struct(
        "Elf64_Shdr",
        [
            ("sh_name", 4),
            ("sh_type", 4),
            ("sh_flags", 8),
            ("sh_addr", 8),
            ("sh_offset", 8),
            ("sh_size", 8),
            ("sh_link", 4),
            ("sh_info", 4),
            ("sh_addralign", 8),
            ("sh_entsize", 8),
        ],
    ),
}
PHDR = {
    4: Struct(
        "Elf32_Phdr",
        [
            ("p_type", 4),
            ("p_offset", 4),
            ("p_vaddr", 4),
            ("p_paddr", 4),
            ("p_filesz", 4),
            ("p_memsz", 4),
            ("p_flags", 4),
            ("p_align", 4),
        ],
    ),
    8: Struct(
        "Elf64_Phdr",
        [
            ("p_type", 4),
            ("p_flags", 4),
            ("p_offset", 8),
            ("p_vaddr", 8),
            ("p_paddr", 8),
            ("p_filesz", 8),
            ("p_memsz", 8),
            ("p_align", 8),
        ],
    ),
}
IDENT_SIZE = 16

# e_machine → name (the spelling pyelftools and readelf use) and GOARCH
MACHINE_NAMES = {
    2: "EM_SPARC",
    43: "EM_SPARCV9",
    3: "EM_386",
    8: "EM_MIPS",
    20: "EM_PPC",
    21: "EM_PPC64",
    22: "EM_S390",
    40: "EM_ARM",
    62: "EM_X86_64",
    183: "EM_AARCH64",
    243: "EM_RISCV",
    258: "EM_LOONGARCH",
}
_MACHINES = {
    "EM_X86_64": "amd64",
    "EM_386": "386",
    "EM_AARCH64": "arm64",
    "EM_ARM": "arm",
    "EM_RISCV": "riscv64",
    "EM_PPC64": "ppc64",
    "EM_S390": "s390x",
    "EM_MIPS": "mips",
    "EM_LOONGARCH": "loong64",
    "EM_PPC": "ppc",
}
OSABI_NAMES = {
    0: "ELFOSABI_SYSV",
    2: "ELFOSABI_NETBSD",
    3: "ELFOSABI_LINUX",
    6: "ELFOSABI_SOLARIS",
    9: "ELFOSABI_FREEBSD",
    12: "ELFOSABI_OPENBSD",
}
_OSABI = {
    "ELFOSABI_FREEBSD": "freebsd",
    "ELFOSABI_NETBSD": "netbsd",
    "ELFOSABI_OPENBSD": "openbsd",
    "ELFOSABI_SOLARIS": "solaris",
}
TYPE_NAMES = {0: "NONE", 1: "REL", 2: "EXEC", 3: "DYN", 4: "CORE"}
PT_NAMES = {
    0: "PT_NULL",
    1: "PT_LOAD",
    2: "PT_DYNAMIC",
    3: "PT_INTERP",
    4: "PT_NOTE",
    5: "PT_SHLIB",
    6: "PT_PHDR",
    7: "PT_TLS",
    0x6474E550: "PT_GNU_EH_FRAME",
    0x6474E551: "PT_GNU_STACK",
    0x6474E552: "PT_GNU_RELRO",
    0x6474E553: "PT_GNU_PROPERTY",
}


def _goarch(machine: str, elfclass: int, big: bool) -> str:
    arch = _MACHINES.get(machine, machine.removeprefix("EM_").lower())
    if arch == "ppc64" and not big:
        return "ppc64le"
    if arch == "mips":
        base = "mips64" if elfclass == 64 else "mips"
        return base if big else base + "le"
    return arch


def _table(v: ByteView, what: str, off: int, count: int, entsize: int, need: int, limit: int) -> None:
    """Check that a header table of ``count`` entries of ``entsize`` bytes at ``off`` fits the file."""
    if count == 0:
        return
    if entsize < need:
        raise FormatError(f"{what} entry size {entsize} is smaller than the {need}-byte structure")
    if count > limit:
        raise FormatError(f"{what} claims {count} entries")
    if off <= 0 or off + count * entsize > v.size:
        raise FormatError(
            f"{what} ({count} entries of {entsize} bytes at {off:#x}) lies past the end of the "
            f"{v.size:#x}-byte file (truncated?)"
        )


def _name(v: ByteView, strtab: tuple[int, int] | None, off: int) -> str:
    """A section name from the section-header string table ("" when it cannot be read)."""
    if strtab is None:
        return ""
    base, size = strtab
    if not 0 <= off < size:
        return ""
    end = min(base + size, v.size, base + off + MAX_NAME)
    raw = bytes(v.buf[base + off : end])
    nul = raw.find(b"\0")
    return (raw[:nul] if nul >= 0 else raw).decode("utf-8", "replace")


def open_elf(path: str, data: memoryview, mm: mmap.mmap | None = None) -> Image:
    """Read the ELF header, section table and program headers into an :class:`Image`."""
    if len(data) < IDENT_SIZE:
        raise FormatError(f"file is {len(data)} bytes, shorter than the ELF identification")
    ei_class, ei_data, osabi = data[4], data[5], data[7]
    if ei_class not in (1, 2):
        raise FormatError(f"unknown ELF class {ei_class}")
    if ei_data not in (1, 2):
        raise FormatError(f"unknown ELF data encoding {ei_data}")
    big = ei_data == 2
    w = 8 if ei_class == 2 else 4
    v = ByteView(data, big)
    ehdr = EHDR[w]
    if v.size < IDENT_SIZE + ehdr.size(w):
        raise FormatError(f"file is {v.size} bytes, shorter than the ELF header (truncated?)")
    h = ehdr.parse(v, IDENT_SIZE, w)

    # program headers (PN_XNUM: the real count is in section 0's sh_info)
    shdr, phdr = SHDR[w], PHDR[w]
    shoff, shnum, shentsize = h["e_shoff"], h["e_shnum"], h["e_shentsize"]
    sec0: dict[str, int] | None = None
    if shoff:
        if shentsize < shdr.size(w):
            raise FormatError(
                f"section header size {shentsize} is smaller than the {shdr.size(w)}-byte structure"
            )
        if shoff + shdr.size(w) > v.size:
            raise FormatError(
                f"section header table at {shoff:#x} lies past the end of the {v.size:#x}-byte file "
                "(truncated?)"
            )
        sec0 = shdr.parse(v, shoff, w)
    phnum = h["e_phnum"]
    if phnum == PN_XNUM and sec0 is not None:
        phnum = sec0["sh_info"]
    _table(v, "program header table", h["e_phoff"], phnum, h["e_phentsize"], phdr.size(w), MAX_SEGMENTS)
    if shoff and shnum == 0 and sec0 is not None:
        shnum = sec0["sh_size"]  # extended numbering
    if not shoff:
        shnum = 0
    _table(v, "section header table", shoff, shnum, shentsize, shdr.size(w), MAX_SECTIONS)

    headers = [shdr.parse(v, shoff + i * shentsize, w) for i in range(shnum)]
    strndx = h["e_shstrndx"]
    if strndx == SHN_XINDEX and sec0 is not None:
        strndx = sec0["sh_link"]
    strtab: tuple[int, int] | None = None
    if headers and strndx != SHN_UNDEF:
        if strndx >= len(headers):
            raise FormatError(f"section name table index {strndx} is not one of the {len(headers)} sections")
        st = headers[strndx]
        if st["sh_type"] == SHT_NOBITS:
            raise FormatError(f"section name table (section {strndx}) has no bytes in the file")
        if st["sh_offset"] >= v.size:
            raise FormatError(
                f"section name table (section {strndx} at {st['sh_offset']:#x}) lies past the end of "
                f"the {v.size:#x}-byte file (truncated?)"
            )
        strtab = (st["sh_offset"], min(st["sh_size"], v.size - st["sh_offset"]))

    sections = []
    table = []
    for sh in headers:
        name = _name(v, strtab, sh["sh_name"])
        table.append((name, sh["sh_flags"], sh["sh_type"], sh["sh_link"]))
        if sh["sh_type"] == SHT_NULL:
            continue
        flags = sh["sh_flags"]
        nobits = sh["sh_type"] == SHT_NOBITS
        sections.append(
            Section(
                name=name,
                offset=sh["sh_offset"],
                size=0 if nobits else sh["sh_size"],
                addr=sh["sh_addr"],
                mem_size=sh["sh_size"],
                alloc=bool(flags & SHF_ALLOC),
                writable=bool(flags & SHF_WRITE),
                executable=bool(flags & SHF_EXECINSTR),
                compressed=bool(flags & SHF_COMPRESSED) or name.startswith(".zdebug"),
            )
        )
    segments = []
    phdrs = []
    for i in range(phnum):
        ph = phdr.parse(v, h["e_phoff"] + i * h["e_phentsize"], w)
        ptype = PT_NAMES.get(ph["p_type"], f"PT_{ph['p_type']:#x}")
        phdrs.append(
            {"type": ptype, "offset": ph["p_offset"], "filesz": ph["p_filesz"], "vaddr": ph["p_vaddr"]}
        )
        if ptype == "PT_LOAD":
            fl = ph["p_flags"]
            segments.append(
                Segment(
                    name=f"LOAD@{ph['p_vaddr']:#x}",
                    offset=ph["p_offset"],
                    file_size=ph["p_filesz"],
                    addr=ph["p_vaddr"],
                    mem_size=ph["p_memsz"],
                    readable=bool(fl & PF_R),
                    writable=bool(fl & PF_W),
                    executable=bool(fl & PF_X),
                )
            )
    machine = MACHINE_NAMES.get(h["e_machine"], f"EM_{h['e_machine']}")
    osabi_name = OSABI_NAMES.get(osabi, f"ELFOSABI_{osabi}")
    return Image(
        path=path,
        data=data,
        format="elf",
        arch=_goarch(machine, 64 if w == 8 else 32, big),
        os=_OSABI.get(osabi_name, "linux"),
        big_endian=big,
        ptr_size=w,
        sections=tuple(sections),
        segments=tuple(segments),
        kind=TYPE_NAMES.get(h["e_type"], str(h["e_type"])),
        header={
            "machine": machine,
            "osabi": osabi_name,
            "entry": h["e_entry"],
            "phdrs": phdrs,
            "section_table": table,
        },
    )
