"""The static symbol table: ELF ``.symtab``, PE COFF symbols, Mach-O ``LC_SYMTAB``.

Read with numpy over a copy of the raw table (pyelftools' ``iter_symbols`` is ~40x slower; the
copy keeps the mapping free to close). The summary (count, source) costs that copy only; the
list of :class:`Symbol` objects is built on first use, and ``by_name`` before that searches the
string table instead. Names, addresses, sizes and letters are what ``go tool nm`` prints
(``src/cmd/internal/objfile/{elf,pe,macho}.go``): ``T`` text, ``R`` read-only data, ``D`` data,
``B`` bss, ``U`` undefined, ``C`` absolute (PE), ``?`` anything else; ELF locals are lower case
(so a local ``?`` is ``_``); PE values are made virtual addresses; PE and Mach-O sizes are the gap
to the next symbol; Mach-O names lose Go's ``_`` prefix when they contain a dot (debug/macho).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from godet.arrays import unique
from godet.errors import FormatError
from godet.read.image import Image, Section

# ELF
SHN_UNDEF, SHN_LORESERVE, SHN_ABS, SHN_COMMON, SHN_XINDEX = 0, 0xFF00, 0xFFF1, 0xFFF2, 0xFFFF
STB_LOCAL = 0
SHT_NOBITS = 8
# PE section characteristics (as objfile/pe.go tests them)
IMAGE_SCN_CNT_CODE, IMAGE_SCN_CNT_INITIALIZED_DATA, IMAGE_SCN_CNT_UNINITIALIZED_DATA = 0x20, 0x40, 0x80
IMAGE_SCN_MEM_WRITE = 0x80000000
COFF_SYMBOL_SIZE = 18
# Mach-O
N_STAB = 0xE0
LOOKUP_BACKTRACK = 64  # symbols examined below an address in lookup()
# A symbol table (or its string table) bigger than this is refused: the largest real ones are tens
# of MB, and a hostile header must not make godet copy and decode gigabytes.
MAX_TABLE_BYTES = 256 << 20


def _bounded(nbytes: int, what: str) -> None:
    if nbytes > MAX_TABLE_BYTES:
        raise FormatError(f"{what} symbol table claims {nbytes} bytes (over {MAX_TABLE_BYTES >> 20} MiB)")


def _elf_dtype(is64: bool, big: bool) -> np.dtype:
    o = ">" if big else "<"
    if is64:
        return np.dtype([("name", o + "u4"), ("info", "u1"), ("other", "u1"), ("shndx", o + "u2"),
                         ("value", o + "u8"), ("size", o + "u8")])
    return np.dtype([("name", o + "u4"), ("value", o + "u4"), ("size", o + "u4"), ("info", "u1"),
                     ("other", "u1"), ("shndx", o + "u2")])


def _macho_dtype(is64: bool, big: bool) -> np.dtype:
    o = ">" if big else "<"
    return np.dtype([("strx", o + "u4"), ("type", "u1"), ("sect", "u1"), ("desc", o + "u2"),
                     ("value", o + ("u8" if is64 else "u4"))])


@dataclass(frozen=True, slots=True)
class Symbol:
    """One symbol: name, virtual address, size (ELF's, or the gap to the next symbol), nm kind, section."""

    name: str
    addr: int
    size: int
    kind: str
    section: str


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _names_at(strtab: bytes, offsets: np.ndarray) -> list[str]:
    """The NUL-terminated strings of ``strtab`` starting at each offset (out of range: "")."""
    find = strtab.find
    n = len(strtab)
    out = []
    cache: dict[int, str] = {}
    for off in offsets.tolist():
        s = cache.get(off)
        if s is None:
            if off >= n:
                s = ""
            else:
                end = find(b"\0", off)
                s = _decode(strtab[off : end if end >= 0 else n])
            cache[off] = s
        out.append(s)
    return out


def _string_offsets(strtab: bytes, name: str) -> list[int]:
    """Every offset in ``strtab`` where the string ``name`` starts (suffix-merged tables included)."""
    needle = name.encode("utf-8") + b"\0"
    out: list[int] = []
    pos = strtab.find(needle)
    while pos >= 0 and len(out) < 64:
        out.append(pos)
        pos = strtab.find(needle, pos + 1)
    return out


class SymbolTable:
    """A binary's static symbol table: a summary always, the symbols themselves on demand."""

    def __init__(
        self,
        present: bool,
        source: str,
        count: int,
        dynamic_count: int = 0,
        build: Callable[[], list[Symbol]] | None = None,
        quick_lookup: Callable[[str], Symbol | None] | None = None,
    ) -> None:
        self.present = present
        self.source = source
        self.count = count
        self.dynamic_count = dynamic_count
        self._build = build
        self._quick_lookup = quick_lookup
        self._symbols: list[Symbol] | None = None
        self._addrs: list[int] | None = None
        self._by_name: dict[str, Symbol] | None = None

    @classmethod
    def absent(cls, dynamic_count: int = 0) -> SymbolTable:
        return cls(False, "none", 0, dynamic_count)

    @property
    def symbols(self) -> list[Symbol]:
        """All symbols, sorted by address (file order among equal addresses)."""
        if self._symbols is None:
            self._symbols = self._build() if self._build is not None else []
        return self._symbols

    def by_name(self, name: str) -> Symbol | None:
        """The symbol called ``name`` (the lowest-addressed when there are several), or None.

        Before the full list is built, a name is found by searching the string table, so a few
        lookups (``runtime.text``, ``runtime.pclntab``) do not cost a full decode.
        """
        if self._by_name is None:
            if self._quick_lookup is not None and self._symbols is None:
                return self._quick_lookup(name)
            index: dict[str, Symbol] = {}
            for s in self.symbols:
                index.setdefault(s.name, s)
            self._by_name = index
        return self._by_name.get(name)

    def lookup(self, addr: int) -> Symbol | None:
        """The defined symbol of non-zero size whose [addr, addr+size) contains ``addr``, or None."""
        syms = self.symbols
        if self._addrs is None:
            self._addrs = [s.addr for s in syms]
        i = bisect.bisect_right(self._addrs, addr) - 1
        for j in range(i, max(-1, i - LOOKUP_BACKTRACK), -1):
            s = syms[j]
            if s.size and s.kind not in ("U", "u") and addr < s.addr + s.size:
                return s
        return None

    def to_json(self) -> dict[str, Any]:
        return {"present": self.present, "source": self.source, "count": self.count,
                "dynamic_count": self.dynamic_count}

    def __repr__(self) -> str:
        return f"SymbolTable(present={self.present}, source={self.source!r}, count={self.count})"


def read_symbols(image: Image) -> SymbolTable:
    """The static symbol table of ``image``; ``SymbolTable.absent()`` when it has none."""
    if image.format == "elf":
        return _elf(image)
    if image.format == "pe":
        return _pe(image)
    if image.format == "macho":
        return _macho(image)
    return SymbolTable.absent()


def _assemble(names: list[str], addrs: np.ndarray, sizes: np.ndarray, kinds: list[str],
              sections: list[str]) -> list[Symbol]:
    """Symbol objects, sorted by address (stable: file order among equal addresses)."""
    order = np.argsort(addrs, kind="stable").tolist()
    a, z = addrs.tolist(), sizes.tolist()
    return [Symbol(names[i], a[i], z[i], kinds[i], sections[i]) for i in order]


def _gap_sizes(all_addrs: np.ndarray, addrs: np.ndarray) -> np.ndarray:
    """nm's size for PE and Mach-O: the distance to the next higher address of any symbol (0 for the last)."""
    uniq = unique(all_addrs)
    nxt = np.searchsorted(uniq, addrs, side="right")
    has_next = nxt < len(uniq)
    sizes = np.zeros(len(addrs), dtype=np.uint64)
    sizes[has_next] = uniq[nxt[has_next]] - addrs[has_next]
    return sizes


# --------------------------------------------------------------------------------------------- ELF


def _elf_section_table(image: Image) -> list[tuple[str, int, int, int]]:
    """(name, sh_flags, sh_type, sh_link) per ELF section index, as the container read them."""
    return list(image.header.get("section_table", ()))


def _elf_kind(flags: int, sh_type: int) -> str:
    """nm letter for a symbol in a section with these flags (objfile/elf.go)."""
    f = flags & 0x7  # WRITE | ALLOC | EXECINSTR
    if f == 0x6:
        return "T"
    if f == 0x2:
        return "R"
    if f == 0x3:
        return "B" if sh_type == SHT_NOBITS else "D"
    return "?"


def _elf_entries(
    image: Image, sec_name: str, shdrs: list[tuple[str, int, int, int]]
) -> tuple[np.ndarray, bytes] | None:
    """The symbol records (minus the null entry) and linked string table of an ELF symbol section."""
    sec = image.section(sec_name)
    if sec is None or sec.size == 0:
        return None
    link = next((lk for name, _f, _t, lk in shdrs if name == sec_name), 0)
    strsec = image.section(shdrs[link][0]) if 0 < link < len(shdrs) else None
    if strsec is None:
        strsec = image.section(".strtab" if sec_name == ".symtab" else ".dynstr")
    dtype = _elf_dtype(image.ptr_size == 8, image.big_endian)
    raw = image.section_bytes(sec)
    _bounded(len(raw), f"ELF {sec_name}")
    n = len(raw) // dtype.itemsize
    if n == 0:
        return None
    # Copied: the table must not pin the mapping (it would keep the file from being unmapped).
    arr = np.frombuffer(bytes(raw[: n * dtype.itemsize]), dtype=dtype, count=n)[1:]
    strtab = bytes(image.section_bytes(strsec)[:MAX_TABLE_BYTES]) if strsec is not None else b""
    return arr, strtab


def _elf_count(image: Image, sec_name: str) -> int:
    sec = image.section(sec_name)
    if sec is None or sec.size == 0:
        return 0
    item = 24 if image.ptr_size == 8 else 16
    return max(0, min(sec.size, image.size - sec.offset) // item - 1)


def _elf(image: Image) -> SymbolTable:
    dyn = _elf_count(image, ".dynsym")
    shdrs = _elf_section_table(image)
    found = _elf_entries(image, ".symtab", shdrs)
    if found is None:
        return SymbolTable.absent(dyn)
    arr, strtab = found
    # Per section index: (kind, section name); the special indexes follow objfile/elf.go.
    by_index = [(_elf_kind(flags, typ), name) for name, flags, typ, _link in shdrs]

    def sec_info(shndx: int) -> tuple[str, str]:
        if shndx == SHN_UNDEF:
            return "U", ""
        if shndx == SHN_COMMON:
            return "B", ""
        if shndx < len(by_index) and shndx < SHN_LORESERVE:
            return by_index[shndx]
        return "?", ""

    def make(sub: np.ndarray) -> list[Symbol]:
        names = _names_at(strtab, sub["name"])
        info = {k: sec_info(k) for k in set(sub["shndx"].tolist())}
        kinds, secs = [], []
        locals_ = ((sub["info"] >> 4) == STB_LOCAL).tolist()
        for shndx, local in zip(sub["shndx"].tolist(), locals_, strict=True):
            kind, sec = info[shndx]
            kinds.append(chr(ord(kind) + 32) if local else kind)  # nm lower-cases locals ('?' -> '_')
            secs.append(sec)
        return _assemble(names, sub["value"].astype(np.uint64), sub["size"].astype(np.uint64), kinds, secs)

    def quick(name: str) -> Symbol | None:
        offs = _string_offsets(strtab, name)
        if not offs:
            return None
        sub = arr[np.isin(arr["name"], np.array(offs, dtype=np.uint32))]
        syms = make(sub)
        return syms[0] if syms else None

    return SymbolTable(True, "elf .symtab", len(arr), dyn, lambda: make(arr), quick)


# ---------------------------------------------------------------------------------------------- PE

COFF_DTYPE = np.dtype([("name", "V8"), ("value", "<u4"), ("sect", "<i2"), ("type", "<u2"),
                       ("sclass", "u1"), ("naux", "u1")])


def _pe(image: Image) -> SymbolTable:
    ptr = image.header.get("symtab_offset", 0)
    nsyms = image.header.get("nsymbols", 0)
    if not ptr or not nsyms:
        return SymbolTable.absent()
    nsyms = min(nsyms, max(0, (image.size - ptr) // COFF_SYMBOL_SIZE))
    _bounded(nsyms * COFF_SYMBOL_SIZE, "COFF")
    if nsyms == 0:
        raise FormatError(f"COFF symbol table at {ptr:#x} lies past the end of the file")
    strtab_off = ptr + COFF_SYMBOL_SIZE * nsyms
    strtab = b""
    if strtab_off + 4 <= image.size:
        strsize = image.view.u32(strtab_off)
        end = min(image.size, strtab_off + max(strsize, 4), strtab_off + MAX_TABLE_BYTES)
        strtab = bytes(image.data[strtab_off:end])
    raw = bytes(image.data[ptr : ptr + COFF_SYMBOL_SIZE * nsyms])
    allrec = np.frombuffer(raw, dtype=COFF_DTYPE, count=nsyms)
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
    chars = _pe_characteristics(image)
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
                return _decode(strtab[off : end if end >= 0 else len(strtab)])
            return ""
        return _decode(raw8.split(b"\0", 1)[0])

    def find(name: str) -> np.ndarray:
        """Indexes of the records called ``name``."""
        enc = name.encode("utf-8")
        if len(enc) <= 8:
            return np.nonzero(~long_name & (recs["name"] == np.void(enc.ljust(8, b"\0"))))[0]
        offs = np.array(_string_offsets(strtab, name), dtype=np.uint32)
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
        if ch & IMAGE_SCN_CNT_CODE:
            return "T", s.name
        if ch & IMAGE_SCN_CNT_INITIALIZED_DATA:
            if not ch & IMAGE_SCN_MEM_WRITE:
                return "R", s.name
            if (bss_sect == sn and bss_value > 0 and val >= bss_value) or val >= s.size:
                return "B", s.name  # Go puts bss in .data: past runtime.bss (or the raw data) is bss
            return "D", s.name
        if ch & IMAGE_SCN_CNT_UNINITIALIZED_DATA:
            return "B", s.name
        return "?", s.name

    def make(idx: np.ndarray) -> list[Symbol]:
        names = [name_of(r) for r in recs["name"][idx].tolist()]
        ks = [kind_of(sn, val) for sn, val in zip(sect[idx].tolist(), value[idx].tolist(), strict=True)]
        sub = addrs[idx]
        return _assemble(names, sub, _gap_sizes(addrs, sub), [k for k, _ in ks], [n for _, n in ks])

    def quick(name: str) -> Symbol | None:
        syms = make(find(name))
        return syms[0] if syms else None

    return SymbolTable(True, "coff", len(recs), 0, lambda: make(np.arange(len(recs))), quick)


def _pe_characteristics(image: Image) -> list[int]:
    """Characteristics of each PE section (re-read from the header; the Image keeps only flags)."""
    view = image.view
    pe_off = view.u32(0x3C)
    nsec = view.u16(pe_off + 6)
    opt_size = view.u16(pe_off + 20)
    base = pe_off + 24 + opt_size
    return [view.u32(base + 40 * i + 36) for i in range(min(nsec, len(image.sections)))]


# ----------------------------------------------------------------------------------------- Mach-O


def _macho(image: Image) -> SymbolTable:
    st = image.header.get("symtab")
    if not st or not st.get("nsyms"):
        return SymbolTable.absent()
    dtype = _macho_dtype(image.ptr_size == 8, image.big_endian)
    symoff, nsyms = st["symoff"], st["nsyms"]
    if symoff > image.size:
        raise FormatError(f"LC_SYMTAB symbols at {symoff:#x} lie past the end of the file")
    nsyms = min(nsyms, (image.size - symoff) // dtype.itemsize)
    _bounded(nsyms * dtype.itemsize, "LC_SYMTAB")
    raw = bytes(image.data[symoff : symoff + nsyms * dtype.itemsize])
    allrec = np.frombuffer(raw, dtype=dtype, count=nsyms)
    recs = allrec[(allrec["type"] & N_STAB) == 0]  # nm skips stabs
    stroff = min(st["stroff"], image.size)
    strtab = bytes(image.data[stroff : min(image.size, stroff + st["strsize"], stroff + MAX_TABLE_BYTES)])
    by_sect = [("U", "")] + [_macho_kind(s) for s in image.sections]
    addrs = recs["value"].astype(np.uint64)

    def make(idx: np.ndarray) -> list[Symbol]:
        sub = recs[idx]
        names = [n[1:] if n.startswith("_") and "." in n else n  # debug/macho strips Go's "_" prefix
                 for n in _names_at(strtab, sub["strx"])]
        kinds, secs = [], []
        for sect in sub["sect"].tolist():
            kind, sec = by_sect[sect] if sect < len(by_sect) else ("?", "")
            kinds.append(kind)
            secs.append(sec)
        return _assemble(names, addrs[idx], _gap_sizes(addrs, addrs[idx]), kinds, secs)

    def quick(name: str) -> Symbol | None:
        offs = _string_offsets(strtab, name) + _string_offsets(strtab, "_" + name)
        if not offs:
            return None
        found = [s for s in make(np.nonzero(np.isin(recs["strx"], np.array(offs, dtype=np.uint32)))[0])
                 if s.name == name]
        return found[0] if found else None

    return SymbolTable(True, "mach-o LC_SYMTAB", len(recs), 0, lambda: make(np.arange(len(recs))), quick)


def _macho_kind(s: Section) -> tuple[str, str]:
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
