"""ELF: the container (header, section table, program headers) and what is read the ELF way.

Every count, size and offset in the headers is checked against the file before it is used: a
table that does not fit (a truncated file), an entry size smaller than the structure, a string
table index out of range, or an absurd count raises FormatError (the container becomes a
CorruptBinary). Reading the tables ourselves keeps hostile files away from third-party parsers
(pyelftools loops on some, and raises a dozen exception types on others).

Read here too, because only ELF has them: the static symbol table (``.symtab``, with numpy, as
``go tool nm`` prints it), the dynamic linkage (``PT_INTERP``, ``PT_DYNAMIC``, version needs, read
from the program headers so that a file without section headers still answers), the notes (Go and
GNU build IDs) and ``SHF_COMPRESSED`` sections.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from godet.errors import FormatError
from godet.read.bytesview import ByteView, Struct
from godet.read.image import ExecutableFormat, Image, Mapped, Section, Segment

if TYPE_CHECKING:
    import numpy as np

    from godet.read.buildid import GnuBuildID, GoBuildID
    from godet.read.linkage import Linkage
    from godet.read.symbols import Symbol, SymbolTable

MAGIC = b"\x7fELF"

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


class ElfHeader(TypedDict):
    """``Image.header`` of an ELF image."""

    machine: str  # EM_X86_64, ...
    osabi: str  # ELFOSABI_SYSV, ...
    entry: int
    phdrs: list[dict[str, Any]]  # type (PT_LOAD, ...), offset, filesz, vaddr
    section_table: list[tuple[str, int, int, int]]  # (name, sh_flags, sh_type, sh_link) per index


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
        header=ElfHeader(
            machine=machine, osabi=osabi_name, entry=h["e_entry"], phdrs=phdrs, section_table=table
        ),
    )


class ElfFormat(ExecutableFormat):
    """ELF: Linux and the BSDs."""

    key = "elf"
    name = "ELF"
    roles: ClassVar[dict[str, tuple[str, ...]]] = {
        "text": (".text",),
        "rodata": (".rodata",),
        "relro": (".data.rel.ro",),
        "data": (".data",),
        "noptrdata": (".noptrdata",),
        "bss": (".bss", ".noptrbss"),
        "go-type": (".go.type", ".data.rel.ro.go.type"),  # (the second: Go 1.27's PIE)
        "go-func": (".go.func", ".data.rel.ro.go.func"),
        "go-module": (".go.module",),
        "moduledata": (".go.module", ".noptrdata", ".data", ".data.rel.ro"),
        "pclntab": (".gopclntab",),
        "pclntab-relro": (".data.rel.ro.gopclntab",),
        "buildinfo": (".go.buildinfo",),
        "fipsinfo": (".go.fipsinfo",),
        "go-buildid-note": (".note.go.buildid",),
        "gnu-buildid-note": (".note.gnu.build-id",),
        "symtab": (".symtab",),
        "link-tables": (  # (the second three: in a PIE's relro data)
            ".typelink",
            ".itablink",
            ".gosymtab",
            ".data.rel.ro.typelink",
            ".data.rel.ro.itablink",
            ".data.rel.ro.gosymtab",
        ),
        "comment": (".comment",),
        "debug-prefix": (".debug_",),
        "zdebug-prefix": (".zdebug_",),
    }
    static_by_default = True

    def recognise(self, head: bytes) -> bool:
        return head.startswith(MAGIC)

    def open(self, mapped: Mapped) -> list[Image]:
        return [open_elf(mapped.path, mapped.data, mapped.mm)]

    def read_symbols(self, image: Image) -> SymbolTable:
        return read_symbols(image)

    def read_linkage(self, image: Image) -> Linkage:
        return read_linkage(image)

    def read_go_build_id(self, image: Image) -> GoBuildID | None:
        """From the ``Go\\0\\0`` note (type 4), as ``go tool buildid`` reads it.

        Unlike the tool, a file with no Go note but a GNU note in a PT_NOTE gives None here: the
        tool would print the raw GNU descriptor bytes as if they were a Go build ID.
        """
        from godet.read.buildid import GoBuildID

        note = _find_note(image, self.names("go-buildid-note"), GO_NOTE_NAME, GO_NOTE_TYPE)
        if note is None:
            return None
        _plausible_id(note, "Go build ID")
        raw = image.view.bytes(note.desc_offset, note.desc_size)
        return GoBuildID(raw.decode("utf-8", "surrogateescape"), note.desc_offset, note.desc_size, "note")

    def read_gnu_build_id(self, image: Image) -> GnuBuildID | None:
        """``.note.gnu.build-id``, else any note section or PT_NOTE.

        The Go linker's PT_NOTE covers only the Go note (go-binary-formats.md §1), so the section
        is the main source; note sections and segments cover files whose section is renamed.
        """
        from godet.read.buildid import GnuBuildID

        note = _find_note(image, self.names("gnu-buildid-note"), GNU_NOTE_NAME, GNU_BUILD_ID_TYPE)
        if note is None:
            return None
        _plausible_id(note, "GNU build ID")
        return GnuBuildID(note.desc(image.view).hex(), note.desc_offset, note.desc_size)

    def compression_header(self, image: Image, raw: memoryview, section: Section) -> tuple[int, int] | None:
        """The ``Elf_Chdr`` of an ``SHF_COMPRESSED`` section: (decompressed size, header size)."""
        if not section.compressed:
            return None
        v = ByteView(raw, image.big_endian)
        if image.ptr_size == 8:
            ch_type, claimed, skip = v.u32(0), v.u64(8), 24
        else:
            ch_type, claimed, skip = v.u32(0), v.u32(4), 12
        if ch_type != 1:
            raise FormatError(f"{section.name}: unsupported compression type {ch_type} (only zlib)")
        return claimed, skip


ELF = ElfFormat()


# ---------------------------------------------------------------------------------- symbol table

STB_LOCAL = 0
SHN_COMMON = 0xFFF2


def _sym_dtype(is64: bool, big: bool) -> np.dtype:
    import numpy as np

    o = ">" if big else "<"
    if is64:
        return np.dtype(
            [
                ("name", o + "u4"),
                ("info", "u1"),
                ("other", "u1"),
                ("shndx", o + "u2"),
                ("value", o + "u8"),
                ("size", o + "u8"),
            ]
        )
    return np.dtype(
        [
            ("name", o + "u4"),
            ("value", o + "u4"),
            ("size", o + "u4"),
            ("info", "u1"),
            ("other", "u1"),
            ("shndx", o + "u2"),
        ]
    )


def _sym_kind(flags: int, sh_type: int) -> str:
    """nm letter for a symbol in a section with these flags (objfile/elf.go)."""
    f = flags & 0x7  # WRITE | ALLOC | EXECINSTR
    if f == 0x6:
        return "T"
    if f == 0x2:
        return "R"
    if f == 0x3:
        return "B" if sh_type == SHT_NOBITS else "D"
    return "?"


def _sym_entries(
    image: Image, sec_name: str, shdrs: list[tuple[str, int, int, int]]
) -> tuple[np.ndarray, bytes] | None:
    """The symbol records (minus the null entry) and linked string table of an ELF symbol section."""
    import numpy as np

    from godet.read.symbols import MAX_TABLE_BYTES, bounded

    sec = image.section(sec_name)
    if sec is None or sec.size == 0:
        return None
    link = next((lk for name, _f, _t, lk in shdrs if name == sec_name), 0)
    strsec = image.section(shdrs[link][0]) if 0 < link < len(shdrs) else None
    if strsec is None:
        strsec = image.section(".strtab" if sec_name == ".symtab" else ".dynstr")
    dtype = _sym_dtype(image.ptr_size == 8, image.big_endian)
    raw = image.section_bytes(sec)
    bounded(len(raw), f"ELF {sec_name}")
    n = len(raw) // dtype.itemsize
    if n == 0:
        return None
    # Copied: the table must not pin the mapping (it would keep the file from being unmapped).
    arr = np.frombuffer(bytes(raw[: n * dtype.itemsize]), dtype=dtype, count=n)[1:]
    strtab = bytes(image.section_bytes(strsec)[:MAX_TABLE_BYTES]) if strsec is not None else b""
    return arr, strtab


def _sym_count(image: Image, sec_name: str) -> int:
    sec = image.section(sec_name)
    if sec is None or sec.size == 0:
        return 0
    item = 24 if image.ptr_size == 8 else 16
    return max(0, min(sec.size, image.size - sec.offset) // item - 1)


def read_symbols(image: Image) -> SymbolTable:
    """``.symtab`` as ``go tool nm`` lists it (``SymbolTable.absent()`` when stripped)."""
    import numpy as np

    from godet.read.symbols import SymbolTable, assemble, names_at, string_offsets

    dyn = _sym_count(image, ".dynsym")
    shdrs: list[tuple[str, int, int, int]] = list(image.header.get("section_table", ()))
    found = _sym_entries(image, ".symtab", shdrs)
    if found is None:
        return SymbolTable.absent(dyn)
    arr, strtab = found
    # Per section index: (kind, section name); the special indexes follow objfile/elf.go.
    by_index = [(_sym_kind(flags, typ), name) for name, flags, typ, _link in shdrs]

    def sec_info(shndx: int) -> tuple[str, str]:
        if shndx == SHN_UNDEF:
            return "U", ""
        if shndx == SHN_COMMON:
            return "B", ""
        if shndx < len(by_index) and shndx < SHN_LORESERVE:
            return by_index[shndx]
        return "?", ""

    def make(sub: np.ndarray) -> list[Symbol]:
        names = names_at(strtab, sub["name"])
        info = {k: sec_info(k) for k in set(sub["shndx"].tolist())}
        kinds, secs = [], []
        locals_ = ((sub["info"] >> 4) == STB_LOCAL).tolist()
        for shndx, local in zip(sub["shndx"].tolist(), locals_, strict=True):
            kind, sec = info[shndx]
            kinds.append(chr(ord(kind) + 32) if local else kind)  # nm lower-cases locals ('?' -> '_')
            secs.append(sec)
        return assemble(names, sub["value"].astype(np.uint64), sub["size"].astype(np.uint64), kinds, secs)

    def quick(name: str) -> Symbol | None:
        offs = string_offsets(strtab, name)
        if not offs:
            return None
        sub = arr[np.isin(arr["name"], np.array(offs, dtype=np.uint32))]
        syms = make(sub)
        return syms[0] if syms else None

    return SymbolTable(True, "elf .symtab", len(arr), dyn, lambda: make(arr), quick)


# -------------------------------------------------------------------------------------- PLT

PLT_ENTRY = 16  # bytes per PLT entry on amd64 and arm64 (.plt after its 16/32-byte header, .plt.sec)
MAX_PLT = 1 << 16  # entries read at most


def plt_imports(image: Image) -> dict[int, str]:
    """PLT entry address -> the imported function it jumps to (amd64 ``jmp *slot(%rip)``, arm64
    ``adrp x16; ldr x17, [x16, #off]``), by the GOT slot's ``.rela.plt`` entry and ``.dynsym``:
    a name that stays when other imports move the entries around. Empty when not readable."""
    import numpy as np

    if image.arch not in ("amd64", "arm64") or image.ptr_size != 8 or image.big_endian:
        return {}
    shdrs: list[tuple[str, int, int, int]] = list(image.header.get("section_table", ()))
    rela, dyn = image.section(".rela.plt"), _sym_entries(image, ".dynsym", shdrs)
    if rela is None or dyn is None:
        return {}
    syms, strtab = dyn
    raw = image.section_bytes(rela)
    n = min(len(raw) // 24, MAX_PLT)
    rela_t = np.dtype([("off", "<u8"), ("info", "<u8"), ("add", "<i8")])
    rel = np.frombuffer(bytes(raw[: n * 24]), dtype=rela_t)
    index = (rel["info"] >> np.uint64(32)).astype(np.int64) - 1  # (the null symbol is not in syms)
    ok = (index >= 0) & (index < len(syms))
    from godet.read.symbols import names_at

    names = names_at(strtab, syms["name"][index[ok]])
    by_slot = dict(zip(rel["off"][ok].tolist(), names, strict=True))
    out: dict[int, str] = {}
    for sec in image.iter_sections(alloc_only=True):
        if not sec.executable or not sec.name.startswith(".plt") or not sec.in_file:
            continue
        data = bytes(image.section_bytes(sec)[: MAX_PLT * PLT_ENTRY])
        for at in range(0, len(data) - PLT_ENTRY + 1, PLT_ENTRY):
            slot = _plt_slot(data, at, sec.addr + at, image.arch)
            if slot in by_slot:
                out[sec.addr + at] = by_slot[slot]
    return out


def _plt_slot(data: bytes, at: int, va: int, arch: str) -> int | None:
    """The GOT slot the PLT entry at ``data[at:]`` (loaded at ``va``) jumps through."""
    entry = data[at : at + PLT_ENTRY]
    if arch == "amd64":
        k = entry.find(b"\xff\x25")  # jmp *disp32(%rip), maybe after endbr64 and a bnd prefix
        if k < 0 or k + 6 > len(entry):
            return None
        return va + k + 6 + int.from_bytes(entry[k + 2 : k + 6], "little", signed=True)
    adrp, ldr = (int.from_bytes(entry[i : i + 4], "little") for i in (0, 4))
    if adrp & 0x9F000000 != 0x90000000 or ldr & 0xFFC00000 != 0xF9400000:
        return None
    imm = ((adrp >> 5) & 0x7FFFF) << 2 | (adrp >> 29) & 3
    imm = (imm - (1 << 21) if imm >= 1 << 20 else imm) << 12
    return (va & ~0xFFF) + imm + ((ldr >> 10) & 0xFFF) * 8


# -------------------------------------------------------------------------------------- linkage

DT_NULL, DT_NEEDED, DT_STRTAB, DT_STRSZ, DT_RPATH, DT_RUNPATH = 0, 1, 5, 10, 15, 29
DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFFFE, 0x6FFFFFFF
MAX_DYNAMIC = 100_000
MAX_VERNEED = 10_000


def _interp(image: Image) -> str | None:
    for ph in image.header.get("phdrs", []):
        if ph["type"] == "PT_INTERP":
            size = min(ph["filesz"], 4096)
            raw = image.view.bytes(ph["offset"], size)
            return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
    return None


def _dynamic_range(image: Image) -> tuple[int, int] | None:
    for ph in image.header.get("phdrs", []):
        if ph["type"] == "PT_DYNAMIC":
            return ph["offset"], ph["filesz"]
    sec = image.section(".dynamic")
    if sec is not None and sec.size:
        return sec.offset, sec.size
    return None


def _dynamic(image: Image) -> list[tuple[int, int]]:
    """(tag, value) pairs of the dynamic table, up to DT_NULL."""
    rng = _dynamic_range(image)
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


def _dynstr_range(image: Image, dyn: list[tuple[int, int]]) -> tuple[int, int] | None:
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


def _version_needs(image: Image, dyn: list[tuple[int, int]], strtab: tuple[int, int] | None) -> list[str]:
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


def read_linkage(image: Image) -> Linkage:
    """Interpreter, DT_NEEDED, DT_RPATH / DT_RUNPATH and version needs (DT_VERNEED)."""
    from godet.read.linkage import Linkage

    interp = _interp(image)
    dyn = _dynamic(image)
    strtab = _dynstr_range(image, dyn) if dyn else None
    lk = Linkage(format="elf", interpreter=interp)
    for tag, val in dyn:
        if tag == DT_NEEDED:
            lk.needed.append(_dynstr(image, strtab, val))
        elif tag == DT_RPATH:
            lk.rpath.extend(p for p in _dynstr(image, strtab, val).split(":") if p)
        elif tag == DT_RUNPATH:
            lk.runpath.extend(p for p in _dynstr(image, strtab, val).split(":") if p)
    if dyn:
        lk.version_needs = _version_needs(image, dyn, strtab)
    lk.static = interp is None and not lk.needed
    return lk


# ---------------------------------------------------------------------------------------- notes

NOTE_HEADER = Struct("Elf_Nhdr", [("namesz", 4), ("descsz", 4), ("type", 4)])
GO_NOTE_NAME = b"Go\0\0"
GO_NOTE_TYPE = 4  # ELF_NOTE_GOBUILDID_TAG
GNU_NOTE_NAME = b"GNU\0"
GNU_BUILD_ID_TYPE = 3  # NT_GNU_BUILD_ID
MAX_NOTES = 4096
MAX_NOTE_NAME = 256
MAX_ID_SIZE = 4096  # a Go build ID is ~90 bytes, a GNU build ID 20 (at most 64)


@dataclass(frozen=True, slots=True)
class Note:
    """One ELF note: raw name (``namesz`` bytes, NULs included), type, and where its descriptor is."""

    offset: int  # of the note header
    name: bytes
    type: int
    desc_offset: int
    desc_size: int

    @property
    def owner(self) -> str:
        """The name without its NUL padding ("GNU", "Go")."""
        return self.name.rstrip(b"\0").decode("latin-1")

    def desc(self, view: ByteView) -> bytes:
        return view.bytes(self.desc_offset, self.desc_size)


def _align(n: int, a: int) -> int:
    return (n + a - 1) & ~(a - 1)


def iter_notes(view: ByteView, offset: int, size: int, align: int = 4) -> Iterator[Note]:
    """The notes in ``view[offset:offset+size]`` (a note section or PT_NOTE segment).

    Name and descriptor are each padded to ``align`` (4 for every note Go or GNU ld writes;
    8 for ``.note.gnu.property`` on 64-bit). A note that does not fit raises FormatError;
    the notes before it have been yielded already. A trailing run shorter than a header is ignored.
    """
    if align not in (4, 8):
        align = 4
    view.check(offset, size)
    end = offset + size
    pos = offset
    for _ in range(MAX_NOTES):
        if end - pos < NOTE_HEADER.size():
            return
        h = NOTE_HEADER.parse(view, pos)
        name_off = pos + 12
        # padding is counted from the start of the range (which the linker aligned)
        desc_off = offset + _align(name_off + h["namesz"] - offset, align)
        nxt = offset + _align(desc_off + h["descsz"] - offset, align)
        if desc_off + h["descsz"] > end:
            raise FormatError(
                f"note at {pos:#x} (namesz {h['namesz']}, descsz {h['descsz']}) runs past {end:#x}"
            )
        # (a name longer than any owner is kept out of memory: it cannot match one)
        name = view.bytes(name_off, h["namesz"]) if h["namesz"] <= MAX_NOTE_NAME else b""
        yield Note(pos, name, h["type"], desc_off, h["descsz"])
        pos = nxt
    raise FormatError(f"more than {MAX_NOTES} notes at {offset:#x}")


def _note_ranges(image: Image) -> Iterator[tuple[int, int, int]]:
    """(offset, size, align) of every note container: ``.note*`` sections, then PT_NOTE segments."""
    for s in image.sections:
        if s.name.startswith(".note") and s.size:
            yield s.offset, s.size, _section_note_align(image, s.name)
    for ph in image.header.get("phdrs", ()):
        if ph.get("type") == "PT_NOTE" and ph.get("filesz"):
            yield ph["offset"], ph["filesz"], 4


def _section_note_align(image: Image, name: str) -> int:
    # .note.gnu.property is the one note section with 8-byte alignment (64-bit targets)
    return 8 if name == ".note.gnu.property" and image.ptr_size == 8 else 4


def _find_note(image: Image, section_names: tuple[str, ...], name: bytes, ntype: int) -> Note | None:
    """The first note ``name``/``ntype``: in the named section, else in any note section or PT_NOTE.

    A malformed named section raises FormatError unless the note is found elsewhere;
    malformed other containers are skipped.
    """
    view = image.view
    sec = image.section(*section_names)
    ranges: list[tuple[int, int, int]] = []
    if sec is not None and sec.size:
        ranges.append((sec.offset, sec.size, 4))
    seen = {(o, n) for o, n, _ in ranges}
    for r in _note_ranges(image):
        if r[:2] not in seen:
            seen.add(r[:2])
            ranges.append(r)
    error: FormatError | None = None
    for i, (off, size, align) in enumerate(ranges):
        try:
            for note in iter_notes(view, off, size, align):
                if note.name == name and note.type == ntype:
                    return note
        except FormatError as e:
            if i == 0 and sec is not None:
                error = e
    if error is not None:
        raise error
    return None


def _plausible_id(note: Note, what: str) -> None:
    if note.desc_size > MAX_ID_SIZE:
        raise FormatError(f"{what} note at {note.offset:#x} claims a {note.desc_size}-byte descriptor")
