"""DWARF summary: which debug sections exist, and the facts in CU top DIEs and line-program headers.

Only the first DIE of each unit (producer, name, comp_dir, language) and each line-program header
(directory and file tables) are read: that is where Go binaries keep their paths and the compiler
identity. Walking every DIE or every line row costs seconds to minutes on large binaries and is
never done here. The parser is our own (small, bounded, tolerant of DWARF 2–5 and the GNU forms);
compressed sections (ELF ``SHF_COMPRESSED``, the ``zdebug-prefix`` sections with the ``ZLIB``
header) are inflated with a size cap so that a zip bomb cannot exhaust memory.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from godet.errors import FormatError
from godet.read.formats import section_keys
from godet.read.image import ExecutableFormat, Image, Section

# A decompressed section may be at most this many times its compressed size (DWARF inflates
# 3–10×; zlib's own maximum is ~1000×, which is what a bomb uses).
MAX_RATIO = 50
MAX_SECTION = 1 << 31  # and never more than 2 GiB for one section
# All sections decompressed for one summary together: at most the file's size plus this much.
INFLATE_SLACK = 128 << 20
INFLATE_CHUNK = 1 << 20  # compressed bytes fed to zlib at a time
MAX_STRING = 64 << 10  # bytes of one DWARF string (producers with all their flags are a few KiB)
MAX_UNITS = 200_000  # units read from .debug_info (Go has one per package; C adds one per file)
MAX_FORM_READS = 2_000_000  # attribute values read in all (forms of size 0 make bytes no bound)
MAX_LINE_ENTRIES = 4_000_000  # directory and file entries over all line-program headers
# Line-program header limits (a header is a few KiB; Go's biggest CU has a few hundred files).
MAX_HEADER_ENTRIES = 1_000_000
MAX_ABBREV_ATTRS = 1_000

DW_TAG_compile_unit, DW_TAG_partial_unit, DW_TAG_type_unit, DW_TAG_skeleton_unit = 0x11, 0x3C, 0x41, 0x4A
UNIT_TAGS = {DW_TAG_compile_unit, DW_TAG_partial_unit, DW_TAG_type_unit, DW_TAG_skeleton_unit}
DW_AT_name, DW_AT_stmt_list, DW_AT_language, DW_AT_comp_dir, DW_AT_producer = 0x03, 0x10, 0x13, 0x1B, 0x25
DW_AT_str_offsets_base = 0x72
DW_LANG_Go = 0x16
DW_LNCT_path, DW_LNCT_directory_index = 1, 2

# DWARF section names godet knows (without the "debug_" prefix); used to undo the truncation of
# names in formats with a section_name_limit (``__zdebug_line_st`` is ``line_str``).
KNOWN = (
    "info", "abbrev", "line", "str", "line_str", "str_offsets", "gdb_scripts", "frame", "loc", "ranges",
    "loclists", "rnglists", "addr", "aranges", "pubnames", "pubtypes", "types", "macro", "macinfo",
    "names", "sup", "cu_index", "tu_index",
)


@dataclass
class CompileUnit:
    """The top DIE of one compilation unit (a Go package, an assembly file, or a C file)."""

    name: str
    producer: str
    comp_dir: str
    language: int | None
    offset: int
    version: int = 0
    line_dirs: list[str] = field(default_factory=list)  # this unit's line-table include directories
    file_dirs: list[str] = field(default_factory=list)  # directories of absolute file names (Go <= 1.14)

    @property
    def is_go(self) -> bool:
        return self.language == DW_LANG_Go or self.producer.startswith("Go ")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "producer": self.producer,
            "comp_dir": self.comp_dir,
            "language": self.language,
            "offset": self.offset,
            "version": self.version,
            "line_dirs": list(self.line_dirs),
            "file_dirs": list(self.file_dirs),
        }


@dataclass
class DwarfSummary:
    """What a binary's DWARF says about how and where it was built."""

    present: bool = False
    sections: list[tuple[str, int, bool]] = field(default_factory=list)  # (name, file size, compressed)
    compressed: bool = False
    version: int | None = None  # CU version of the Go units (else of most units)
    line_version: int | None = None
    producers: dict[str, int] = field(default_factory=dict)  # producer -> number of CUs
    comp_dirs: list[str] = field(default_factory=list)
    line_dirs: list[str] = field(default_factory=list)
    file_dirs: list[str] = field(default_factory=list)  # dirs of absolute line-table file names
    cus: list[CompileUnit] = field(default_factory=list)
    gdb_script: str | None = None

    @classmethod
    def absent(cls) -> DwarfSummary:
        return cls()

    @property
    def c_producers(self) -> list[str]:
        """Producers of units that are not Go (gcc, clang, GNU AS), in first-seen order."""
        return [p for p in self.producers if p and not p.startswith("Go ")]

    def to_json(self) -> dict[str, Any]:
        return {
            "present": self.present,
            "sections": [{"name": n, "size": s, "compressed": c} for n, s, c in self.sections],
            "compressed": self.compressed,
            "version": self.version,
            "line_version": self.line_version,
            "producers": dict(self.producers),
            "comp_dirs": list(self.comp_dirs),
            "line_dirs": list(self.line_dirs),
            "file_dirs": list(self.file_dirs),
            "cus": [cu.to_json() for cu in self.cus],
            "gdb_script": self.gdb_script,
        }


# --------------------------------------------------------------------------------------------
# sections


def canonical_name(section: Section, fmt: ExecutableFormat) -> tuple[str, bool] | None:
    """``("info", zlib_header)`` for a DWARF section name in any container, else None."""
    name = section.name
    n = None
    for prefix in section_keys("debug-prefix", "zdebug-prefix"):
        if name.startswith(prefix):
            n, z = name[len(prefix) :], prefix in section_keys("zdebug-prefix")
            break
    if n is None:
        return None
    if len(name) == fmt.section_name_limit and n not in KNOWN:  # cut short: ``__zdebug_line_st``
        matches = [k for k in KNOWN if k.startswith(n)]
        if len(matches) == 1:
            n = matches[0]
    return n, z


def debug_sections(image: Image) -> dict[str, tuple[Section, bool]]:
    """Canonical name -> (section, has a ZLIB header) for every DWARF section of the image."""
    out: dict[str, tuple[Section, bool]] = {}
    fmt = image.fmt
    segments = fmt.names("debug-segment")
    for s in image.sections:
        if segments and s.segment not in (*segments, ""):
            continue
        c = canonical_name(s, fmt)
        if c is not None and c[0] not in out:
            out[c[0]] = (s, c[1])
    return out


def _inflate(raw: memoryview, claimed: int, skip: int, what: str, limit: int | None = None) -> bytes:
    """Decompress the zlib stream at ``raw[skip:]`` into at most ``claimed`` bytes.

    The input is fed in chunks (a section claiming gigabytes is never copied), and the output may
    never outgrow MAX_RATIO times the input consumed so far (a zip bomb stops early).
    """
    if claimed > MAX_RATIO * max(len(raw), 1) + 4096 or claimed > MAX_SECTION:
        raise FormatError(f"{what} claims {claimed} bytes decompressed from {len(raw)} (over {MAX_RATIO}×)")
    if limit is not None and claimed > limit:
        raise FormatError(f"{what} claims {claimed} bytes decompressed: more than the DWARF sections of this "
                          "file may take together")
    if claimed <= 0:
        return b""  # (max_length=0 would mean "no limit" to zlib)
    d = zlib.decompressobj()
    out: list[bytes] = []
    produced = consumed = 0
    pos = skip
    try:
        while produced < claimed and not d.eof:
            if d.unconsumed_tail:
                chunk = d.unconsumed_tail
            else:
                if pos >= len(raw):
                    break
                chunk = raw[pos : pos + INFLATE_CHUNK]
                pos += len(chunk)
                consumed += len(chunk)
            piece = d.decompress(chunk, claimed - produced)
            out.append(piece)
            produced += len(piece)
            if produced > MAX_RATIO * consumed + 4096:
                raise FormatError(f"{what} inflates more than {MAX_RATIO}× (a zip bomb?)")
            if not piece and not d.unconsumed_tail and pos >= len(raw):
                break
    except zlib.error as e:
        raise FormatError(f"{what}: bad zlib stream ({e})") from None
    return b"".join(out)


def section_data(
    image: Image, section: Section, zheader: bool, limit: int | None = None
) -> bytes | memoryview:
    """The section's DWARF bytes: decompressed when needed (at most ``limit`` bytes; once per image, the
    reader and the detectors share it), a view of the file otherwise."""
    key = ("inflated", section.offset, section.size, zheader)
    got = image.memo.get(key)
    if got is not None:
        return got
    raw = image.fmt.section_contents(image, section)
    if zheader:
        if bytes(raw[:4]) != b"ZLIB" or len(raw) < 12:
            raise FormatError(f"{section.name} lacks the ZLIB header")
        claimed = int.from_bytes(raw[4:12], "big")
        got = image.memo[key] = _inflate(raw, claimed, 12, section.name, limit)
        return got
    chdr = image.fmt.compression_header(image, raw, section)  # ELF SHF_COMPRESSED
    if chdr is not None:
        claimed, skip = chdr
        got = image.memo[key] = _inflate(raw, claimed, skip, section.name, limit)
        return got
    return raw


class _Sections:
    """Lazily decompressed DWARF sections of one image."""

    def __init__(self, image: Image) -> None:
        self.image = image
        self.found = debug_sections(image)
        self._cache: dict[str, bytes | memoryview] = {}
        self.inflate_left = image.size + INFLATE_SLACK  # decompressed bytes all sections may take

    def get(self, name: str) -> bytes | memoryview | None:
        if name not in self._cache:
            hit = self.found.get(name)
            if hit is None or not hit[0].size:
                return None
            data = section_data(self.image, hit[0], hit[1], self.inflate_left)
            if isinstance(data, bytes):
                self.inflate_left -= len(data)
            self._cache[name] = data
        return self._cache[name]


# --------------------------------------------------------------------------------------------
# a bounded cursor


class _Cur:
    """A read position in one section; every read is bounds-checked (FormatError past the end)."""

    __slots__ = ("buf", "end", "order", "pos")

    def __init__(
        self, buf: bytes | memoryview, pos: int = 0, end: int | None = None, big: bool = False
    ) -> None:
        self.buf = buf
        self.pos = pos
        self.end = len(buf) if end is None else min(end, len(buf))
        self.order = "big" if big else "little"

    def need(self, n: int) -> None:
        if n < 0 or self.pos + n > self.end:
            raise FormatError(f"DWARF read of {n} bytes at {self.pos:#x} runs past {self.end:#x}")

    def u(self, n: int) -> int:
        self.need(n)
        v = int.from_bytes(self.buf[self.pos : self.pos + n], self.order)
        self.pos += n
        return v

    def u8(self) -> int:
        self.need(1)
        v = self.buf[self.pos]
        self.pos += 1
        return v

    def uleb(self) -> int:
        result = shift = 0
        buf, pos, end = self.buf, self.pos, self.end
        while True:
            if pos >= end:
                raise FormatError("LEB128 runs past the end of the section")
            b = buf[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if b < 0x80:
                break
            shift += 7
            if shift > 70:
                raise FormatError("LEB128 longer than 10 bytes")
        self.pos = pos
        return result

    def sleb(self) -> int:
        result = shift = 0
        while True:
            b = self.u8()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
            if shift > 70:
                raise FormatError("LEB128 longer than 10 bytes")
        if b & 0x40:
            result -= 1 << shift
        return result

    def cstr(self) -> str:
        s, self.pos = _cstring(self.buf, self.pos, self.end)
        return s

    def skip(self, n: int) -> None:
        self.need(n)
        self.pos += n


def _cstring(buf: bytes | memoryview, pos: int, end: int) -> tuple[str, int]:
    """The NUL-terminated string at ``pos`` (before ``end``, at most MAX_STRING long) and the position
    after its NUL."""
    end = min(end, pos + MAX_STRING + 1)
    if isinstance(buf, bytes):
        nul = buf.find(b"\0", pos, end)
        if nul < 0:
            raise FormatError(f"unterminated DWARF string at {pos:#x}")
        return buf[pos:nul].decode("utf-8", "replace"), nul + 1
    start = pos
    while pos < end:
        chunk = bytes(buf[pos : min(end, pos + 256)])
        nul = chunk.find(b"\0")
        if nul >= 0:
            return bytes(buf[start : pos + nul]).decode("utf-8", "replace"), pos + nul + 1
        pos += len(chunk)
    raise FormatError(f"unterminated DWARF string at {start:#x}")


def _str_at(buf: bytes | memoryview | None, off: int, what: str) -> str:
    if buf is None:
        raise FormatError(f"string form refers to a missing {what} section")
    if not 0 <= off < len(buf):
        raise FormatError(f"{what} offset {off:#x} is outside the section")
    return _cstring(buf, off, len(buf))[0]


# --------------------------------------------------------------------------------------------
# forms


# Fixed-size forms: form -> size (None = depends on offset/address size, handled in _form).
_FIXED = {
    0x0B: 1, 0x05: 2, 0x06: 4, 0x07: 8, 0x0C: 1, 0x11: 1, 0x12: 2, 0x13: 4, 0x14: 8, 0x1C: 4, 0x1E: 16,
    0x20: 8, 0x24: 8, 0x19: 0, 0x21: 0, 0x25: 1, 0x26: 2, 0x27: 3, 0x28: 4, 0x29: 1, 0x2A: 2, 0x2B: 3,
    0x2C: 4,
}
_STRX = {0x1A, 0x25, 0x26, 0x27, 0x28, 0x1F02}
_OFFSET_FORMS = {0x0E, 0x17, 0x1D, 0x1F, 0x1F20, 0x1F21}  # strp, sec_offset, strp_sup, line_strp, GNU alt
_ULEB_FORMS = {0x0F, 0x15, 0x1A, 0x1B, 0x22, 0x23, 0x1F01, 0x1F02}


@dataclass
class _Ctx:
    """Unit parameters needed to size and resolve forms."""

    offset_size: int
    addr_size: int
    version: int
    strs: _Sections


def _form(cur: _Cur, form: int, ctx: _Ctx, implicit: int | None = None) -> Any:
    """Read one attribute value; strings come back as str, string indexes as ("strx", n)."""
    if form == 0x08:  # string
        return cur.cstr()
    if form == 0x0E:  # strp
        return _str_at(ctx.strs.get("str"), cur.u(ctx.offset_size), ".debug_str")
    if form == 0x1F:  # line_strp
        return _str_at(ctx.strs.get("line_str"), cur.u(ctx.offset_size), ".debug_line_str")
    if form in _STRX:
        n = cur.uleb() if form in (0x1A, 0x1F02) else cur.u(_FIXED[form])
        return ("strx", n)
    if form == 0x21:
        return implicit
    if form in _ULEB_FORMS:
        return cur.uleb()
    if form == 0x0D:
        return cur.sleb()
    if form in _OFFSET_FORMS:
        return cur.u(ctx.offset_size)
    if form == 0x01:  # addr
        return cur.u(ctx.addr_size)
    if form == 0x10:  # ref_addr
        return cur.u(ctx.addr_size if ctx.version <= 2 else ctx.offset_size)
    size = _FIXED.get(form)
    if size is not None:
        if size == 0:
            return 1 if form == 0x19 else None
        if size > 8:  # data16 (an MD5)
            cur.skip(size)
            return None
        return cur.u(size)
    if form in (0x0A, 0x03, 0x04, 0x09, 0x18):  # block1, block2, block4, block, exprloc
        n = {0x0A: 1, 0x03: 2, 0x04: 4}.get(form)
        length = cur.u(n) if n else cur.uleb()
        cur.skip(length)
        return None
    if form == 0x16:  # indirect
        inner = cur.uleb()
        if inner == 0x16:
            raise FormatError("DW_FORM_indirect pointing at DW_FORM_indirect")
        return _form(cur, inner, ctx)
    raise FormatError(f"unknown DWARF form {form:#x}")


# --------------------------------------------------------------------------------------------
# abbreviations and unit headers


Abbrev = dict[int, tuple[int, list[tuple[int, int, int | None]]]]


def _abbrev_table(abbrev: bytes | memoryview, off: int) -> tuple[Abbrev, int]:
    """code -> (tag, [(attr, form, implicit_const)]) for the table at ``off``, and its size in bytes."""
    cur = _Cur(abbrev, off)
    table: Abbrev = {}
    while True:
        code = cur.uleb()
        if code == 0:
            return table, cur.pos - off
        tag = cur.uleb()
        cur.u8()  # has_children
        attrs = []
        while True:
            at, form = cur.uleb(), cur.uleb()
            if at == 0 and form == 0:
                break
            attrs.append((at, form, cur.sleb() if form == 0x21 else None))
            if len(attrs) > MAX_ABBREV_ATTRS:
                raise FormatError("abbreviation with too many attributes")
        table[code] = (tag, attrs)
        if len(table) > 1_000_000:
            raise FormatError("abbreviation table too long")


def _resolve_strx(value: Any, strs: _Sections, base: int | None, offset_size: int) -> Any:
    if not (isinstance(value, tuple) and value and value[0] == "strx"):
        return value
    offs = strs.get("str_offsets")
    if offs is None:
        return ""
    if base is None:
        base = 8 if offset_size == 4 else 16  # the first contribution's header
    cur = _Cur(offs, base + value[1] * offset_size)
    return _str_at(strs.get("str"), cur.u(offset_size), ".debug_str")


def _read_units(secs: _Sections, big: bool) -> list[tuple[CompileUnit, int | None, int]]:
    """(unit, stmt_list offset or None, offset size) for every unit in .debug_info."""
    info = secs.get("info")
    if info is None:
        return []
    abbrev = secs.get("abbrev")
    if abbrev is None:
        raise FormatError(".debug_info without .debug_abbrev")
    tables: dict[int, Abbrev] = {}
    # Units normally share one table (Go) or have disjoint ones (gcc); a hostile file could point
    # thousands of units at overlapping long tables, so bound the total work.
    abbrev_budget = 2 * len(abbrev) + (1 << 20)
    units = []
    pos = 0
    size = len(info)
    forms_left = MAX_FORM_READS
    count = 0
    while pos + 11 <= size:
        count += 1
        if count > MAX_UNITS:
            raise FormatError(f".debug_info holds more than {MAX_UNITS} units")
        cur = _Cur(info, pos, big=big)
        unit_off = pos
        length = cur.u(4)
        offset_size = 4
        if length == 0xFFFFFFFF:
            length, offset_size = cur.u(8), 8
        elif length >= 0xFFFFFFF0:
            raise FormatError(f"reserved unit length {length:#x} at {pos:#x}")
        end = cur.pos + length
        if end > size:
            raise FormatError(f"unit at {pos:#x} runs past the end of .debug_info")
        cur.end = end
        version = cur.u(2)
        if not 2 <= version <= 5:
            raise FormatError(f"unit at {pos:#x} has DWARF version {version}")
        if version >= 5:
            unit_type = cur.u8()
            addr_size = cur.u8()
            abbrev_off = cur.u(offset_size)
            if unit_type in (4, 5):  # skeleton, split_compile: dwo_id
                cur.skip(8)
            elif unit_type in (2, 6):  # type units: signature + type offset
                cur.skip(8 + offset_size)
        else:
            abbrev_off = cur.u(offset_size)
            addr_size = cur.u8()
        pos = end
        if abbrev_off not in tables:
            table, used = _abbrev_table(abbrev, abbrev_off)
            abbrev_budget -= used
            if abbrev_budget < 0:
                raise FormatError("units refer to too many overlapping abbreviation tables")
            tables[abbrev_off] = table
        code = cur.uleb()
        if code == 0:
            continue
        entry = tables[abbrev_off].get(code)
        if entry is None:
            raise FormatError(f"unit at {unit_off:#x} uses undefined abbreviation {code}")
        tag, attrs = entry
        if tag not in UNIT_TAGS:
            continue
        ctx = _Ctx(offset_size, addr_size, version, secs)
        vals: dict[int, Any] = {}
        forms_left -= len(attrs)
        if forms_left < 0:
            raise FormatError(f"the units of .debug_info have over {MAX_FORM_READS} top-level attributes")
        for at, form, implicit in attrs:
            v = _form(cur, form, ctx, implicit)
            if at in (DW_AT_name, DW_AT_producer, DW_AT_comp_dir, DW_AT_language, DW_AT_stmt_list,
                      DW_AT_str_offsets_base):
                vals[at] = v
        base = vals.get(DW_AT_str_offsets_base)
        for at in (DW_AT_name, DW_AT_producer, DW_AT_comp_dir):
            vals[at] = _resolve_strx(vals.get(at), secs, base if isinstance(base, int) else None, offset_size)
        lang = vals.get(DW_AT_language)
        stmt = vals.get(DW_AT_stmt_list)
        unit = CompileUnit(
            name=_text(vals.get(DW_AT_name)),
            producer=_text(vals.get(DW_AT_producer)),
            comp_dir=_text(vals.get(DW_AT_comp_dir)),
            language=lang if isinstance(lang, int) else None,
            offset=unit_off,
            version=version,
        )
        units.append((unit, stmt if isinstance(stmt, int) else None, offset_size))
    return units


def _text(v: Any) -> str:
    return v if isinstance(v, str) else ""


# --------------------------------------------------------------------------------------------
# line-program headers


def read_line_header(secs: _Sections, off: int, big: bool) -> tuple[int, list[str], list[tuple[str, int]]]:
    """(version, include directories, [(file name, directory index)]) of the program at ``off``."""
    line = secs.get("line")
    if line is None:
        raise FormatError("DW_AT_stmt_list without a .debug_line section")
    cur = _Cur(line, off, big=big)
    length = cur.u(4)
    offset_size = 4
    if length == 0xFFFFFFFF:
        length, offset_size = cur.u(8), 8
    cur.end = min(cur.end, cur.pos + length)
    version = cur.u(2)
    if not 2 <= version <= 5:
        raise FormatError(f"line program at {off:#x} has version {version}")
    addr_size = 8
    if version >= 5:
        addr_size = cur.u8()
        cur.u8()  # segment selector size
    header_length = cur.u(offset_size)
    cur.end = min(cur.end, cur.pos + header_length)
    cur.u8()  # minimum_instruction_length
    if version >= 4:
        cur.u8()  # maximum_operations_per_instruction
    cur.skip(3)  # default_is_stmt, line_base, line_range
    opcode_base = cur.u8()
    cur.skip(max(opcode_base - 1, 0))
    dirs: list[str] = []
    files: list[tuple[str, int]] = []
    if version < 5:
        while True:
            d = cur.cstr()
            if not d:
                break
            dirs.append(d)
            if len(dirs) > MAX_HEADER_ENTRIES:
                raise FormatError("too many line-table directories")
        while True:
            name = cur.cstr()
            if not name:
                break
            idx = cur.uleb()
            cur.uleb()
            cur.uleb()
            files.append((name, idx))
            if len(files) > MAX_HEADER_ENTRIES:
                raise FormatError("too many line-table files")
        return version, dirs, files
    ctx = _Ctx(offset_size, addr_size, version, secs)
    for kind in ("dir", "file"):
        nfmt = cur.u8()
        fmt = [(cur.uleb(), cur.uleb()) for _ in range(nfmt)]
        count = cur.uleb()
        if count > MAX_HEADER_ENTRIES or count > cur.end - cur.pos:
            raise FormatError(f"line program at {off:#x} claims {count} {kind} entries")
        if fmt in _INLINE_FORMATS and isinstance(cur.buf, bytes):  # Go's: inline strings, udata index
            entries = _inline_entries(cur, count, len(fmt) == 2)
            if kind == "dir":
                dirs += [path for path, _ in entries]
            else:
                files += entries
            continue
        for _ in range(count):
            path, idx = "", 0
            for lnct, form in fmt:
                v = _form(cur, form, ctx)
                if lnct == DW_LNCT_path:
                    path = _text(_resolve_strx(v, secs, None, offset_size))
                elif lnct == DW_LNCT_directory_index and isinstance(v, int):
                    idx = v
            if kind == "dir":
                dirs.append(path)
            else:
                files.append((path, idx))
    return version, dirs, files


_INLINE_FORMATS = (
    [(DW_LNCT_path, 0x08)],  # DW_FORM_string
    [(DW_LNCT_path, 0x08), (DW_LNCT_directory_index, 0x0F)],  # and DW_FORM_udata
)


def _inline_entries(cur: _Cur, count: int, indexed: bool) -> list[tuple[str, int]]:
    """``count`` entries of one of _INLINE_FORMATS read in one loop (what _form reads, without its
    dispatch per field): (path, directory index; 0 unless ``indexed``)."""
    buf, pos, end = cur.buf, cur.pos, cur.end
    assert isinstance(buf, bytes)
    out: list[tuple[str, int]] = []
    for _ in range(count):
        nul = buf.find(b"\0", pos, min(end, pos + MAX_STRING + 1))
        if nul < 0:
            raise FormatError(f"unterminated DWARF string at {pos:#x}")
        path = buf[pos:nul].decode("utf-8", "replace")
        pos = nul + 1
        if not indexed:
            out.append((path, 0))
            continue
        if pos < end and buf[pos] < 0x80:  # (a one-byte index: nearly all of them)
            idx, pos = buf[pos], pos + 1
        else:
            cur.pos = pos
            idx = cur.uleb()
            pos = cur.pos
        out.append((path, idx))
    cur.pos = pos
    return out


# --------------------------------------------------------------------------------------------


def _gdb_script(secs: _Sections) -> str | None:
    data = secs.get("gdb_scripts")
    if data is None:
        return None
    raw = bytes(data[:4096])
    # entries: a kind byte (1 = file name, 4 = inline script) then a NUL-terminated string
    if raw[:1] == b"\x01":
        return raw[1:].split(b"\0", 1)[0].decode("utf-8", "replace") or None
    text = raw.split(b"\0", 1)[0].lstrip(b"\x01\x04").decode("utf-8", "replace")
    return text or None


def _abs_dir(name: str) -> str:
    """The directory of an absolute file name ("" for a relative one)."""
    if not (name.startswith(("/", "\\")) or (len(name) > 2 and name[1] == ":" and name[2] in "/\\")):
        return ""
    cut = max(name.rfind("/"), name.rfind("\\"))
    return name[:cut] if cut > 0 else name[:1]


def _majority(values: list[int]) -> int | None:
    return Counter(values).most_common(1)[0][0] if values else None


def read_dwarf(image: Image, lines: bool = True) -> DwarfSummary:
    """Summarise the image's DWARF: sections, unit top DIEs and (if ``lines``) line-program headers.

    Raises FormatError when the DWARF present is malformed or claims implausible sizes.
    """
    secs = _Sections(image)
    if not secs.found:
        return DwarfSummary.absent()
    sections = [(s.name, s.size, bool(s.compressed)) for s, _ in secs.found.values()]
    info_hit = secs.found.get("info")
    summary = DwarfSummary(
        present=bool(info_hit and info_hit[0].size),
        sections=sections,
        compressed=any(c for _, _, c in sections),
    )
    try:
        summary.gdb_script = _gdb_script(secs)
        units = _read_units(secs, image.big_endian) if summary.present else []
        line_versions: dict[int, int] = {}
        line_dirs: dict[str, None] = {}
        file_dirs: dict[str, None] = {}
        headers: dict[int, tuple[int, list[str], list[tuple[str, int]]]] = {}
        line_sec = secs.get("line") if lines and units else None
        budget = min(8 * len(line_sec or b"") + (1 << 20), MAX_LINE_ENTRIES)  # overlapping headers must not
        # multiply the work
        for unit, stmt, _ in units:
            if line_sec is None or stmt is None:  # no line tables asked for, or none present
                continue
            if stmt not in headers:
                headers[stmt] = read_line_header(secs, stmt, image.big_endian)
                budget -= 1 + len(headers[stmt][1]) + len(headers[stmt][2])
                if budget < 0:
                    raise FormatError("line-program headers list more entries than .debug_line can hold")
            version, dirs, files = headers[stmt]
            line_versions[stmt] = version
            unit.line_dirs = list(dict.fromkeys(dirs))
            unit.file_dirs = list(dict.fromkeys(_abs_dir(name) for name, _ in files if _abs_dir(name)))
            for d in unit.line_dirs:
                line_dirs.setdefault(d, None)
            for d in unit.file_dirs:
                file_dirs.setdefault(d, None)
    except (IndexError, ValueError, OverflowError, UnicodeError, RecursionError) as e:
        if isinstance(e, FormatError):
            raise
        raise FormatError(f"malformed DWARF: {type(e).__name__}: {e}") from None
    summary.cus = [u for u, _, _ in units]
    go_units = [(u, s) for u, s, _ in units if u.is_go] or [(u, s) for u, s, _ in units]
    summary.version = _majority([u.version for u, _ in go_units])
    summary.line_version = _majority([line_versions[s] for _, s in go_units if s in line_versions])
    summary.producers = dict(Counter(u.producer for u in summary.cus))
    summary.comp_dirs = list(dict.fromkeys(u.comp_dir for u in summary.cus if u.comp_dir))
    summary.line_dirs = list(line_dirs)
    summary.file_dirs = list(file_dirs)
    return summary
