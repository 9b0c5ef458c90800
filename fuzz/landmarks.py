"""Where the structures godet parses lie in a pristine seed: named integer fields and byte ranges.

Self-contained on purpose (``struct`` only, no godet import): the harness must be able to fuzz any
version of godet, including one whose readers are broken. The structure-aware mutations of
:mod:`fuzz.mutate` corrupt exactly these fields: container headers, section and program header
tables, load commands, fat headers, the buildinfo header and its varints, ELF notes, the pclntab
header and its offsets, DWARF unit and line-program headers, symbol tables.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

BUILDINFO_MAGIC = b"\xff Go buildinf:"
PCLNTAB_MAGICS = (0xFFFFFFFB, 0xFFFFFFFA, 0xFFFFFFF0, 0xFFFFFFF1)
MAX_PER_TABLE = 48  # fields kept per repeated table (sections, load commands, functab entries)


@dataclass(frozen=True, slots=True)
class Field:
    """An integer field of the seed: ``width`` bytes at ``offset`` in the given byte order."""

    name: str
    offset: int
    width: int
    big: bool = False


@dataclass(frozen=True, slots=True)
class Region:
    """A byte range worth corrupting as a whole (a header, a table, a string)."""

    name: str
    offset: int
    size: int


@dataclass
class Landmarks:
    fields: list[Field]
    regions: list[Region]
    format: str

    @property
    def families(self) -> dict[str, list[Field]]:
        """Fields grouped by structure ("elf.shdr", "pclntab.functab", ...), so that the many entries of
        one big table do not crowd out the few fields of a small structure when picking at random."""
        out: dict[str, list[Field]] = {}
        for f in self.fields:
            out.setdefault(family(f.name), []).append(f)
        return out


def family(name: str) -> str:
    """``elf.shdr[3].sh_offset`` -> ``elf.shdr``; ``buildinfo.flags`` -> ``buildinfo``."""
    parts = re.sub(r"\[[^\]]*\]", "", name).split(".")
    return ".".join(parts[:-1]) or parts[0]


class _R:
    """Tolerant little reader over the seed bytes (returns None when out of range)."""

    def __init__(self, data: bytes, big: bool = False) -> None:
        self.d = data
        self.big = big

    def u(self, off: int, n: int) -> int | None:
        if off < 0 or off + n > len(self.d):
            return None
        return int.from_bytes(self.d[off : off + n], "big" if self.big else "little")


def find(data: bytes) -> Landmarks:
    """The landmarks of one seed (any format; unknown formats give only generic regions)."""
    lm = Landmarks([], [], "other")
    head = data[:4]
    if head == b"\x7fELF":
        lm.format = "elf"
        _elf(data, lm)
    elif head[:2] == b"MZ":
        lm.format = "pe"
        _pe(data, lm)
    elif head in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):
        lm.format = "fat"
        _fat(data, lm)
    elif head in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xfe\xed\xfa\xce"):
        lm.format = "macho"
        _macho(data, 0, lm, "")
    _buildinfo(data, lm)
    _pclntab(data, lm)
    _go_text_buildid(data, lm)
    lm.regions.append(Region("file.head", 0, min(len(data), 4096)))
    return lm


# ------------------------------------------------------------------------------------------- ELF


def _elf(d: bytes, lm: Landmarks) -> None:
    if len(d) < 52:
        return
    is64, big = d[4] == 2, d[5] == 2
    r = _R(d, big)
    w = 8 if is64 else 4
    F = lm.fields.append
    for name, off, n in (
        ("elf.ei_class", 4, 1),
        ("elf.ei_data", 5, 1),
        ("elf.ei_osabi", 7, 1),
        ("elf.e_type", 16, 2),
        ("elf.e_machine", 18, 2),
        ("elf.e_phoff", 24 + w, w),
        ("elf.e_shoff", 24 + 2 * w, w),
        ("elf.e_ehsize", 28 + 3 * w, 2),
        ("elf.e_phentsize", 30 + 3 * w, 2),
        ("elf.e_phnum", 32 + 3 * w, 2),
        ("elf.e_shentsize", 34 + 3 * w, 2),
        ("elf.e_shnum", 36 + 3 * w, 2),
        ("elf.e_shstrndx", 38 + 3 * w, 2),
    ):
        F(Field(name, off, n, big))
    phoff, phnum = r.u(24 + w, w) or 0, r.u(32 + 3 * w, 2) or 0
    shoff, shnum = r.u(24 + 2 * w, w) or 0, r.u(36 + 3 * w, 2) or 0
    shstrndx = r.u(38 + 3 * w, 2) or 0
    ph = (
        (("p_type", 0, 4), ("p_offset", 8, 8), ("p_vaddr", 16, 8), ("p_filesz", 32, 8), ("p_memsz", 40, 8))
        if is64
        else (
            ("p_type", 0, 4),
            ("p_offset", 4, 4),
            ("p_vaddr", 8, 4),
            ("p_filesz", 16, 4),
            ("p_memsz", 20, 4),
        )
    )
    phsize = 56 if is64 else 32
    for i in range(min(phnum, MAX_PER_TABLE)):
        base = phoff + i * phsize
        ptype = r.u(base, 4)
        for name, off, n in ph:
            F(Field(f"elf.phdr[{i}].{name}", base + off, n, big))
        lm.regions.append(Region(f"elf.phdr[{i}]", base, phsize))
        if ptype in (2, 3, 4):  # PT_DYNAMIC, PT_INTERP, PT_NOTE: the data too
            poff, psz = r.u(base + ph[1][1], ph[1][2]) or 0, r.u(base + ph[3][1], ph[3][2]) or 0
            if ptype == 2:
                for j in range(min(psz // (2 * w), 24)):
                    F(Field(f"elf.dynamic[{j}].tag", poff + 2 * w * j, w, big))
                    F(Field(f"elf.dynamic[{j}].val", poff + 2 * w * j + w, w, big))
            elif ptype == 4:
                _notes(d, poff, psz, lm, f"elf.pt_note[{i}]", big)
            lm.regions.append(Region(f"elf.phdr[{i}].data", poff, min(psz, 4096)))
    sh = (
        (
            ("sh_name", 0, 4),
            ("sh_type", 4, 4),
            ("sh_flags", 8, 8),
            ("sh_addr", 16, 8),
            ("sh_offset", 24, 8),
            ("sh_size", 32, 8),
            ("sh_link", 40, 4),
            ("sh_entsize", 56, 8),
        )
        if is64
        else (
            ("sh_name", 0, 4),
            ("sh_type", 4, 4),
            ("sh_flags", 8, 4),
            ("sh_addr", 12, 4),
            ("sh_offset", 16, 4),
            ("sh_size", 20, 4),
            ("sh_link", 24, 4),
            ("sh_entsize", 36, 4),
        )
    )
    shsize = 64 if is64 else 40
    if shnum == 0 or shoff + shnum * shsize > len(d):
        return
    lm.regions.append(Region("elf.shdrs", shoff, shnum * shsize))

    def shdr(i: int) -> tuple[int, int, int, int]:
        b = shoff + i * shsize
        return (
            r.u(b, 4) or 0,
            r.u(b + sh[1][1], 4) or 0,
            r.u(b + sh[4][1], sh[4][2]) or 0,
            r.u(b + sh[5][1], sh[5][2]) or 0,
        )

    stroff = shdr(shstrndx)[2] if shstrndx < shnum else 0
    lm.regions.append(Region("elf.shstrtab", stroff, min(shdr(shstrndx)[3] if shstrndx < shnum else 0, 4096)))
    for i in range(min(shnum, MAX_PER_TABLE)):
        base = shoff + i * shsize
        for name, off, n in sh:
            F(Field(f"elf.shdr[{i}].{name}", base + off, n, big))
        nameoff, stype, off, size = shdr(i)
        end = d.find(b"\0", stroff + nameoff) if stroff else -1
        sname = d[stroff + nameoff : end].decode("latin-1") if end > 0 else f"#{i}"
        if size and stype != 8:  # not NOBITS
            lm.regions.append(Region(f"elf.section[{sname}]", off, min(size, 1 << 16)))
        if sname.startswith(".note"):
            _notes(d, off, size, lm, f"elf.notes[{sname}]", big)
        elif sname in (".debug_info", ".zdebug_info"):
            _dwarf_info(d, off, size, lm, big)
        elif sname in (".debug_line", ".zdebug_line"):
            _dwarf_line(d, off, size, lm, big)
        elif sname == ".symtab":
            ent = 24 if is64 else 16
            for j in range(1, min(size // ent, 16)):
                F(Field(f"elf.symtab[{j}].st_name", off + ent * j, 4, big))
                F(Field(f"elf.symtab[{j}].st_shndx", off + ent * j + (6 if is64 else 14), 2, big))
        flags = r.u(base + sh[2][1], sh[2][2]) or 0
        if sname.startswith(".zdebug") or (sname.startswith(".debug") and flags & 0x800):
            # SHF_COMPRESSED header (ch_type, ch_size) or the "ZLIB" + size header
            F(Field(f"elf.chdr[{sname}].ch_type", off, 4, big))
            F(Field(f"elf.chdr[{sname}].ch_size", off + (8 if is64 else 4), w, big))


def _notes(d: bytes, off: int, size: int, lm: Landmarks, where: str, big: bool) -> None:
    r = _R(d, big)
    pos, end = off, off + size
    for k in range(8):
        if pos + 12 > end:
            return
        namesz, descsz = r.u(pos, 4), r.u(pos + 4, 4)
        if namesz is None or descsz is None:
            return
        for name, o in (("namesz", 0), ("descsz", 4), ("type", 8)):
            lm.fields.append(Field(f"{where}.note[{k}].{name}", pos + o, 4, big))
        lm.regions.append(Region(f"{where}.note[{k}].desc", pos + 12 + ((namesz + 3) & ~3), descsz))
        pos += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)


def _dwarf_info(d: bytes, off: int, size: int, lm: Landmarks, big: bool) -> None:
    if d[off : off + 4] == b"ZLIB" or (size >= 4 and _R(d, big).u(off, 4) == 1):
        return  # compressed: the ch_size / ZLIB fields are the landmarks
    r = _R(d, big)
    pos = off
    for k in range(4):
        length = r.u(pos, 4)
        if length is None or length == 0 or length >= 0xFFFFFFF0:
            return
        for name, o, n in (
            ("unit_length", 0, 4),
            ("version", 4, 2),
            ("abbrev_offset", 6, 4),
            ("addr_size", 10, 1),
        ):
            lm.fields.append(Field(f"dwarf.info[{k}].{name}", pos + o, n, big))
        pos += 4 + length


def _dwarf_line(d: bytes, off: int, size: int, lm: Landmarks, big: bool) -> None:
    if d[off : off + 4] == b"ZLIB" or _R(d, big).u(off, 4) == 1:
        return
    for name, o, n in (
        ("unit_length", 0, 4),
        ("version", 4, 2),
        ("header_length", 6, 4),
        ("opcode_base", 14, 1),
    ):
        lm.fields.append(Field(f"dwarf.line[0].{name}", off + o, n, big))


# -------------------------------------------------------------------------------------------- PE


def _pe(d: bytes, lm: Landmarks) -> None:
    r = _R(d)
    F = lm.fields.append
    F(Field("pe.e_lfanew", 0x3C, 4))
    pe = r.u(0x3C, 4)
    if pe is None or d[pe : pe + 4] != b"PE\0\0":
        return
    for name, o, n in (
        ("Machine", 4, 2),
        ("NumberOfSections", 6, 2),
        ("TimeDateStamp", 8, 4),
        ("PointerToSymbolTable", 12, 4),
        ("NumberOfSymbols", 16, 4),
        ("SizeOfOptionalHeader", 20, 2),
    ):
        F(Field(f"pe.{name}", pe + o, n))
    opt = pe + 24
    magic = r.u(opt, 2)
    F(Field("pe.opt.Magic", opt, 2))
    dirs = opt + (112 if magic == 0x20B else 96)
    F(Field("pe.opt.NumberOfRvaAndSizes", dirs - 4, 4))
    F(Field("pe.opt.ImportDirectory.rva", dirs + 8, 4))
    F(Field("pe.opt.ImportDirectory.size", dirs + 12, 4))
    nsec = r.u(pe + 6, 2) or 0
    sec = opt + (r.u(pe + 20, 2) or 0)
    lm.regions.append(Region("pe.section_table", sec, 40 * nsec))
    for i in range(min(nsec, MAX_PER_TABLE)):
        b = sec + 40 * i
        lm.regions.append(Region(f"pe.section[{i}].name", b, 8))
        for name, o in (
            ("VirtualSize", 8),
            ("VirtualAddress", 12),
            ("SizeOfRawData", 16),
            ("PointerToRawData", 20),
            ("Characteristics", 36),
        ):
            F(Field(f"pe.section[{i}].{name}", b + o, 4))
    symoff, nsyms = r.u(pe + 12, 4) or 0, r.u(pe + 16, 4) or 0
    if symoff and symoff + 18 * nsyms + 4 <= len(d):
        F(Field("pe.strtab.size", symoff + 18 * nsyms, 4))
        for j in range(min(nsyms, 16)):
            F(Field(f"pe.sym[{j}].name_offset", symoff + 18 * j + 4, 4))
            F(Field(f"pe.sym[{j}].section", symoff + 18 * j + 12, 2))
            F(Field(f"pe.sym[{j}].naux", symoff + 18 * j + 17, 1))


# ---------------------------------------------------------------------------------------- Mach-O


def _fat(d: bytes, lm: Landmarks) -> None:
    r = _R(d, True)
    wide = d[3] == 0xBF
    F = lm.fields.append
    F(Field("fat.nfat_arch", 4, 4, True))
    n = r.u(4, 4) or 0
    for i in range(min(n, 8)):
        if wide:
            b = 8 + 32 * i
            fields = (("cputype", 0, 4), ("offset", 8, 8), ("size", 16, 8))
        else:
            b = 8 + 20 * i
            fields = (("cputype", 0, 4), ("offset", 8, 4), ("size", 12, 4))
        for name, o, w in fields:
            F(Field(f"fat.arch[{i}].{name}", b + o, w, True))
        off = r.u(b + fields[1][1], fields[1][2])
        if off is not None and off < len(d):
            _macho(d, off, lm, f"slice[{i}].")


def _macho(d: bytes, base: int, lm: Landmarks, prefix: str) -> None:
    head = d[base : base + 4]
    big = head in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf")
    is64 = head in (b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf")
    r = _R(d, big)
    F = lm.fields.append
    p = f"macho.{prefix}"
    for name, o in (("cputype", 4), ("filetype", 12), ("ncmds", 16), ("sizeofcmds", 20)):
        F(Field(p + name, base + o, 4, big))
    ncmds = r.u(base + 16, 4) or 0
    pos = base + (32 if is64 else 28)
    for i in range(min(ncmds, 64)):
        cmd, size = r.u(pos, 4), r.u(pos + 4, 4)
        if cmd is None or not size:
            return
        F(Field(f"{p}lc[{i}].cmd", pos, 4, big))
        F(Field(f"{p}lc[{i}].cmdsize", pos + 4, 4, big))
        if cmd in (0x1, 0x19):
            w = 8 if cmd == 0x19 else 4
            for name, o in (
                ("vmaddr", 24),
                ("vmsize", 24 + w),
                ("fileoff", 24 + 2 * w),
                ("filesize", 24 + 3 * w),
            ):
                F(Field(f"{p}lc[{i}].{name}", pos + o, w, big))
            nsects_off = 24 + 4 * w + 8
            F(Field(f"{p}lc[{i}].nsects", pos + nsects_off, 4, big))
            nsects = r.u(pos + nsects_off, 4) or 0
            spos = pos + nsects_off + 8
            step = 80 if w == 8 else 68
            for _j in range(min(nsects, 16)):
                sname = d[spos : spos + 16].split(b"\0")[0].decode("latin-1")
                for name, o, n in (("addr", 32, w), ("size", 32 + w, w), ("offset", 32 + 2 * w, 4)):
                    F(Field(f"{p}sect[{sname}].{name}", spos + o, n, big))
                soff = r.u(spos + 32 + 2 * w, 4) or 0
                ssize = r.u(spos + 32 + w, w) or 0
                if soff and ssize:
                    lm.regions.append(Region(f"{p}section[{sname}]", base + soff, min(ssize, 1 << 16)))
                    if sname in ("__zdebug_info", "__zdebug_line", "__zdebug_abbrev"):
                        F(Field(f"{p}zlib[{sname}].size", base + soff + 4, 8, True))
                spos += step
        elif cmd == 0x2:  # LC_SYMTAB
            for name, o in (("symoff", 8), ("nsyms", 12), ("stroff", 16), ("strsize", 20)):
                F(Field(f"{p}symtab.{name}", pos + o, 4, big))
        elif cmd in (0xC, 0xE, 0x80000018, 0x8000001C):
            F(Field(f"{p}lc[{i}].name_offset", pos + 8, 4, big))
        elif cmd == 0x1D:
            F(Field(f"{p}codesig.dataoff", pos + 8, 4, big))
            F(Field(f"{p}codesig.datasize", pos + 12, 4, big))
        lm.regions.append(Region(f"{p}lc[{i}]", pos, size))
        pos += size


# ------------------------------------------------------------------------------------ Go structures


def _buildinfo(d: bytes, lm: Landmarks) -> None:
    pos = d.find(BUILDINFO_MAGIC)
    while pos >= 0 and pos % 16:
        pos = d.find(BUILDINFO_MAGIC, pos + 1)
    if pos < 0:
        return
    F = lm.fields.append
    lm.regions.append(Region("buildinfo.header", pos, 32))
    F(Field("buildinfo.ptrsize", pos + 14, 1))
    F(Field("buildinfo.flags", pos + 15, 1))
    if d[pos + 15] & 2:  # inline: two varint-prefixed strings
        p = pos + 32
        for what in ("version", "modinfo"):
            n, k = _uvarint(d, p)
            F(Field(f"buildinfo.{what}.len0", p, 1))
            F(Field(f"buildinfo.{what}.len", p, k))
            lm.regions.append(Region(f"buildinfo.{what}.varint", p, k))
            lm.regions.append(Region(f"buildinfo.{what}", p + k, min(n, 4096)))
            p += k + n
    else:
        w = d[pos + 14]
        big = bool(d[pos + 15] & 1)
        F(Field("buildinfo.version_ptr", pos + 16, w, big))
        F(Field("buildinfo.modinfo_ptr", pos + 16 + w, w, big))


def _uvarint(d: bytes, p: int) -> tuple[int, int]:
    v = s = 0
    for i in range(10):
        if p + i >= len(d):
            return v, max(i, 1)
        b = d[p + i]
        v |= (b & 0x7F) << s
        if b < 0x80:
            return v, i + 1
        s += 7
    return v, 10


def _pclntab(d: bytes, lm: Landmarks) -> None:
    for magic in PCLNTAB_MAGICS:
        for big in (False, True):
            needle = struct.pack(">I" if big else "<I", magic) + b"\0\0"
            pos = d.find(needle)
            while pos >= 0:
                if d[pos + 6] in (1, 2, 4) and d[pos + 7] in (4, 8):
                    _pclntab_at(d, pos, magic, big, lm)
                    return
                pos = d.find(needle, pos + 1)


def _pclntab_at(d: bytes, pos: int, magic: int, big: bool, lm: Landmarks) -> None:
    w = d[pos + 7]
    F = lm.fields.append
    F(Field("pclntab.magic", pos, 4, big))
    F(Field("pclntab.minLC", pos + 6, 1))
    F(Field("pclntab.ptrSize", pos + 7, 1))
    names = ["nfunc"]
    if magic == 0xFFFFFFFA:
        names += ["nfiles", "funcnameOffset", "cuOffset", "filetabOffset", "pctabOffset", "pclnOffset"]
    elif magic in (0xFFFFFFF0, 0xFFFFFFF1):
        names += [
            "nfiles",
            "textStart",
            "funcnameOffset",
            "cuOffset",
            "filetabOffset",
            "pctabOffset",
            "pclnOffset",
        ]
    vals = {}
    for i, n in enumerate(names):
        F(Field(f"pclntab.{n}", pos + 8 + w * i, w, big))
        vals[n] = _R(d, big).u(pos + 8 + w * i, w) or 0
    lm.regions.append(Region("pclntab.header", pos, 8 + w * len(names)))
    fw = 4 if magic in (0xFFFFFFF0, 0xFFFFFFF1) else w
    ft = pos + (vals.get("pclnOffset") or 8 + w)
    nfunc = vals.get("nfunc", 0)
    for i in sorted({0, 1, 2, nfunc // 2, max(0, nfunc - 1), nfunc}):
        if i <= nfunc:
            F(Field(f"pclntab.functab[{i}].entry", ft + 2 * fw * i, fw, big))
            if i < nfunc:
                F(Field(f"pclntab.functab[{i}].funcoff", ft + 2 * fw * i + fw, fw, big))
                off = _R(d, big).u(ft + 2 * fw * i + fw, fw)
                if off is not None:
                    rec = ft + off if magic != 0xFFFFFFFB else pos + off
                    F(Field(f"pclntab.func[{i}].nameOff", rec + fw, 4, big))
                    F(Field(f"pclntab.func[{i}].pcfile", rec + fw + 16, 4, big))
                    F(Field(f"pclntab.func[{i}].pcln", rec + fw + 20, 4, big))
                    F(Field(f"pclntab.func[{i}].npcdata", rec + fw + 24, 4, big))
    lm.regions.append(Region("pclntab.functab", ft, min(2 * fw * nfunc, 4096)))
    if "filetabOffset" in vals:
        lm.regions.append(Region("pclntab.filetab", pos + vals["filetabOffset"], 4096))
        lm.regions.append(Region("pclntab.cutab", pos + vals["cuOffset"], 1024))


def _go_text_buildid(d: bytes, lm: Landmarks) -> None:
    pos = d.find(b'\xff Go build ID: "', 0, 1 << 20)
    if pos >= 0:
        lm.regions.append(Region("go_buildid.text", pos, 100))
        lm.regions.append(Region("go_buildid.text.end", pos + 90, 16))
