"""Go's pclntab: the function table (name, entry, end) and the source file table.

Works on stripped binaries: the table is found by section name, by the ``runtime.pclntab``
symbols, or by a hard-validated scan for its header. The text base that 1.18+ entry offsets
are relative to comes from ``runtime.text``, else from ``moduledata`` (found in writable data
by its first two words, which point at the pclntab and its function-name table), else from the
header's ``textStart`` (non-zero up to Go 1.25), else from the text section.

Layouts (``src/internal/abi/symtab.go``, ``src/cmd/link/internal/ld/pcln.go``,
``src/debug/gosym/pclntab.go``) are declared once each below, as data (:data:`LAYOUTS`), and
looked up by the header's magic. Functions are kept as numpy arrays (entries, ends, name
offsets); names are decoded on demand. The parsed table is copied out of the mapping, so a
:class:`Pclntab` outlives the file it came from.
"""

from __future__ import annotations

import bisect
import itertools
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from godet.errors import FormatError
from godet.read.bytesview import ByteView, Struct
from godet.read.formats import section_names
from godet.read.image import Image, Section
from godet.read.symbols import SymbolTable

SECTION_NAMES = section_names("pclntab", "pclntab-relro")  # the table is found by section name first
MAX_FUNCS = 10_000_000
MAX_FILES = 10_000_000
MAX_PCVALUE_STEPS = 1_000_000
PCDATA_INLTREE = 2  # the runtime's _PCDATA_InlTreeIndex: the inlined call each pc belongs to (-1: none)
PCVALUE_BUDGET = 4_000_000  # pc-value steps decoded per table in all (a hostile table cannot stall godet)
SCAN_LIMIT = 512 << 20  # bytes searched for a header (or for moduledata) at most
MAX_CANDIDATES = 256  # plausible headers validated at most
MAX_TABLE = 1 << 30  # bytes of one pclntab (the biggest real ones are a few hundred MB)
MAX_NAME = 16 << 10  # bytes of one function or file name
NAME_SPAN_PER_FUNC = 256  # names are decoded in one go when they lie this densely (else one by one)
FINDFUNC_BUCKET, FINDFUNC_SUBBUCKET = 4096, 256  # abi.FuncTabBucketSize, SUBBUCKETSIZE

# fmt: off
# Headers, one table of fields per layout ("W" = pointer size).
PCHEADER_12 = Struct("pcHeader 1.2", [("magic", 4), ("pad1", 1), ("pad2", 1), ("minLC", 1), ("ptrSize", 1),
                                      ("nfunc", "W")])
PCHEADER_116 = Struct("pcHeader 1.16", [("magic", 4), ("pad1", 1), ("pad2", 1), ("minLC", 1), ("ptrSize", 1),
                                        ("nfunc", "W"), ("nfiles", "W"), ("funcnameOffset", "W"),
                                        ("cuOffset", "W"), ("filetabOffset", "W"), ("pctabOffset", "W"),
                                        ("pclnOffset", "W")])
PCHEADER_118 = Struct("pcHeader 1.18", [("magic", 4), ("pad1", 1), ("pad2", 1), ("minLC", 1), ("ptrSize", 1),
                                        ("nfunc", "W"), ("nfiles", "W"), ("textStart", "W"),
                                        ("funcnameOffset", "W"), ("cuOffset", "W"), ("filetabOffset", "W"),
                                        ("pctabOffset", "W"), ("pclnOffset", "W")])

# _func: the entry is a uintptr before 1.18 and a uint32 offset from the text base after. The 1.2
# layout's last word is an int32 nfuncdata in the early releases and {funcID, pad, pad, nfuncdata
# uint8} in the later ones up to 1.15 (one magic for both): its nfuncdata field reads only the
# first form; see _nfuncdata (go1.14's records, tests/read/test_pclntab.py).
FUNC_12 = Struct("_func 1.2", [("entry", "W"), ("nameOff", 4, True), ("args", 4, True), ("frame", 4, True),
                               ("pcsp", 4), ("pcfile", 4), ("pcln", 4), ("npcdata", 4), ("nfuncdata", 4)])
FUNC_116 = Struct("_func 1.16", [("entry", "W"), ("nameOff", 4, True), ("args", 4, True), ("deferreturn", 4),
                                 ("pcsp", 4), ("pcfile", 4), ("pcln", 4), ("npcdata", 4), ("cuOffset", 4),
                                 ("funcID", 1), ("pad", 2), ("nfuncdata", 1)])
FUNC_118 = Struct("_func 1.18", [("entryOff", 4), ("nameOff", 4, True), ("args", 4, True), ("deferreturn", 4),
                                 ("pcsp", 4), ("pcfile", 4), ("pcln", 4), ("npcdata", 4), ("cuOffset", 4),
                                 ("funcID", 1), ("flag", 1), ("pad", 1), ("nfuncdata", 1)])
# 1.20 added startLine (the line of the func keyword), before funcID.
FUNC_120 = Struct("_func 1.20", [("entryOff", 4), ("nameOff", 4, True), ("args", 4, True), ("deferreturn", 4),
                                 ("pcsp", 4), ("pcfile", 4), ("pcln", 4), ("npcdata", 4), ("cuOffset", 4),
                                 ("startLine", 4, True), ("funcID", 1), ("flag", 1), ("pad", 1),
                                 ("nfuncdata", 1)])
# fmt: on

# 1.16+: (name, word index of the slice's pointer) for the tables moduledata points into.
MODULEDATA_SLICES = (("funcnametab", 1), ("cutab", 4), ("filetab", 7), ("pctab", 10), ("pclntable", 13))


@dataclass(frozen=True, slots=True)
class Layout:
    """One pclntab layout: what differs between Go releases, declared once and looked up by magic."""

    version: str  # named after the release that introduced it (reported to users and in JSON)
    magic: int
    header: Struct
    func: Struct  # the _func record
    # The header holds the offsets of funcnametab, cutab, filetab, pctab and pclntable (1.16+);
    # before, one table: every offset counts from the header and the functab follows it.
    subtables: bool
    functab_u32: bool  # functab fields are uint32 (1.18+), else pointer-sized
    relative_entries: bool  # entries are offsets from the text base (1.18+), else addresses
    header_text_start: bool  # pcHeader.textStart exists (1.18+)
    funcdata_u32: bool  # funcdata entries are uint32 offsets (1.18+), else pointers
    moduledata_text_word: int  # index of moduledata.text in pointer-sized words
    moduledata_gcdata_word: int  # index of moduledata.gcdata (gcbss follows; .data is 9 words before)

    def functab_field(self, ptr_size: int) -> int:
        """Byte width of one functab field."""
        return 4 if self.functab_u32 else ptr_size

    def functab_offset(self, fields: dict[str, int], ptr_size: int) -> int:
        """Offset of the functab from the header."""
        return fields["pclnOffset"] if self.subtables else 8 + ptr_size


# fmt: off
LAYOUTS = (
    # version, magic, header, _func; subtables, functab_u32, relative_entries, header_text_start,
    # funcdata_u32; moduledata_text_word, moduledata_gcdata_word (the fields of Layout, in order;
    # 1.20 added covctrs/ecovctrs before end, gcdata, gcbss)
    Layout("1.2",  0xFFFFFFFB, PCHEADER_12,  FUNC_12,  False, False, False, False, False, 12, 23),
    Layout("1.16", 0xFFFFFFFA, PCHEADER_116, FUNC_116, True,  False, False, False, False, 22, 33),
    Layout("1.18", 0xFFFFFFF0, PCHEADER_118, FUNC_118, True,  True,  True,  True,  True,  22, 33),
    Layout("1.20", 0xFFFFFFF1, PCHEADER_118, FUNC_120, True,  True,  True,  True,  True,  22, 35),
)
# fmt: on
BY_MAGIC = {lay.magic: lay for lay in LAYOUTS}


def field_offset(st: Struct, name: str, ptr_size: int) -> int:
    """Byte offset of field ``name`` inside ``st``."""
    pos = 0
    for f in st.resolve(ptr_size):
        if f.name == name:
            return pos
        pos += f.size
    raise KeyError(name)


@dataclass(frozen=True, slots=True)
class Func:
    """One function of the pclntab: its name and [entry, end) virtual addresses."""

    name: str
    entry: int
    end: int


@dataclass(frozen=True, slots=True)
class _Header:
    layout: Layout
    magic: int
    big_endian: bool
    quantum: int
    ptr_size: int
    fields: dict[str, int]

    @property
    def version(self) -> str:
        return self.layout.version

    @property
    def size(self) -> int:
        return self.layout.header.size(self.ptr_size)

    @property
    def functab_field(self) -> int:
        return self.layout.functab_field(self.ptr_size)

    @property
    def functab_offset(self) -> int:
        return self.layout.functab_offset(self.fields, self.ptr_size)


@dataclass(eq=False)  # (numpy fields: compared by identity)
class Pclntab:
    """The parsed pclntab: header facts, functions (as arrays), file table and where its sub-tables lie.

    Function ``i`` covers ``[entries[i], ends[i])``; its name is ``name(i)`` (``names`` decodes
    all of them at once). ``funcs`` builds :class:`Func` objects for the callers that want them.
    """

    version: str  # "1.2" | "1.16" | "1.18" | "1.20" (the layout, named after the release that introduced it)
    magic: int
    offset: int  # file offset of the header
    # Bytes from the header: the section (or runtime.pclntab..epclntab) when one bounds the table,
    # which includes the findfunctab and inline trees the linker appends from 1.26; else the end
    # of the last sub-table per moduledata (else per the last _func record; 1.2: the section's rest).
    size: int
    quantum: int
    ptr_size: int
    big_endian: bool
    nfunc: int
    nfiles: int
    text_start: int  # the text base used for 1.18+ entry offsets (informative before 1.18)
    text_source: str  # where text_start came from
    entries: np.ndarray = field(repr=False)  # uint64 virtual addresses, sorted (table order)
    ends: np.ndarray = field(repr=False)  # uint64: the next entry (the last: the table's end)
    name_offsets: np.ndarray = field(repr=False)  # int64: each name's offset in the table's bytes
    files: list[str] = field(repr=False)
    # name -> (file offset, length): header, funcnametab, cutab, filetab, pctab, pclntable (the
    # functab, _func records and funcdata offsets), functab (inside pclntable), findfunctab (when it
    # lies inside the table); the 1.2 layout has header, functab and filetab only. Lengths are
    # moduledata's slice lengths when it was found, else the gaps between header offsets.
    tables: dict[str, tuple[int, int]]
    layout: Layout = field(default=LAYOUTS[-1], repr=False)
    addr: int = 0  # virtual address of the header (0 when unknown)
    located_by: str = ""  # "section NAME", "symbols", "scan"
    moduledata: int = 0  # virtual address of runtime.firstmoduledata (0 when not found)
    # (file offset, length) of the findfunctab (the pc -> function index), inside or outside the
    # table; (0, 0) when moduledata was not found
    findfunctab: tuple[int, int] = (0, 0)
    _data: bytes = field(default=b"", repr=False)  # the table's bytes, copied out of the mapping
    _funcoffs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    _names: list[str] | None = field(default=None, repr=False)
    _funcs: list[Func] | None = field(default=None, repr=False)
    _by_name: dict[str, int] | None = field(default=None, repr=False)
    _sorted_names: list[str] | None = field(default=None, repr=False)
    _steps_left: int = field(default=PCVALUE_BUDGET, repr=False)
    _record_cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ functions

    def __len__(self) -> int:
        """The number of functions."""
        return len(self.entries)

    def name(self, i: int) -> str:
        """The name of function ``i``."""
        if self._names is not None:
            return self._names[i]
        return _cstr(self._data, int(self.name_offsets[i]))

    @property
    def names(self) -> list[str]:
        """Every function's name, in table order (decoded once, in one go)."""
        if self._names is None:
            self._names = decode_names(self._data, self.name_offsets)
        return self._names

    def name_table(self) -> bytes:
        """Every name the table holds, NUL-separated: the functions' and, from 1.16, the names of the
        functions inlined into them (funcnametab)."""
        span = self.tables.get("funcnametab")
        if span is None or not self._data:
            return b"\0".join(n.encode() for n in self.names)
        lo = span[0] - self.offset
        return self._data[lo : lo + span[1]]

    def with_prefix(self, prefix: str) -> np.ndarray:
        """Indexes (table order) of the functions whose name starts with ``prefix``.

        An ASCII prefix is matched on the name bytes, column by column, without decoding names.
        """
        raw = prefix.encode()
        if not prefix.isascii() or not self._data:
            return np.flatnonzero(np.fromiter((n.startswith(prefix) for n in self.names), bool, len(self)))
        u8 = np.frombuffer(self._data, dtype=np.uint8)
        offs = self.name_offsets
        hit = offs + len(raw) <= len(u8)
        last = len(u8) - 1
        for k, byte in enumerate(raw):
            hit &= u8[np.minimum(offs + k, last)] == byte
        return np.flatnonzero(hit)

    def holds_prefix(self, prefix: str) -> bool:
        """Whether some function's name starts with ``prefix`` (the names sorted once, then bisected)."""
        if self._sorted_names is None:
            self._sorted_names = sorted(self.names)
        k = bisect.bisect_left(self._sorted_names, prefix)
        return k < len(self._sorted_names) and self._sorted_names[k].startswith(prefix)

    def index_of(self, name: str) -> int | None:
        """The index of the (first) function called ``name``, or None (a name index built once)."""
        if self._by_name is None:
            self._by_name = {}
            for i, n in enumerate(self.names):
                self._by_name.setdefault(n, i)
        return self._by_name.get(name)

    def func(self, i: int) -> Func:
        """Function ``i`` as an object."""
        return Func(self.name(i), int(self.entries[i]), int(self.ends[i]))

    @property
    def funcs(self) -> list[Func]:
        """Every function as an object (built once; hot paths use the arrays)."""
        if self._funcs is None:
            self._funcs = list(map(Func, self.names, self.entries.tolist(), self.ends.tolist()))
        return self._funcs

    # ------------------------------------------------------------------ lookups

    def index_at(self, addr: int) -> int | None:
        """The index of the function whose [entry, end) contains ``addr``, or None."""
        if not 0 <= addr < 1 << 64 or not len(self.entries):
            return None
        # (np.uint64: given a Python int, numpy converts the whole array first, ~40 µs a lookup)
        i = int(self.entries.searchsorted(np.uint64(addr), side="right")) - 1
        return i if i >= 0 and addr < int(self.ends[i]) else None

    def indexes_at(self, addrs: np.ndarray) -> np.ndarray:
        """``index_at`` for an array of (uint64) addresses: int64 indexes, -1 outside every function."""
        addrs = np.asarray(addrs, dtype=np.uint64)
        k = np.searchsorted(self.entries, addrs, side="right").astype(np.int64) - 1
        ok = (k >= 0) & (addrs < self.ends[np.maximum(k, 0)]) if len(self.entries) else k >= 0
        return np.where(ok, k, -1)

    def func_at(self, addr: int) -> Func | None:
        """The function whose [entry, end) contains ``addr``, or None."""
        i = self.index_at(addr)
        return self.func(i) if i is not None else None

    def _func_record(self, index: int) -> dict[str, int]:
        base = self.tables["pclntable"][0] - self.offset if self.layout.subtables else 0
        return self.layout.func.parse(
            ByteView(self._data, self.big_endian), base + int(self._funcoffs[index]), self.ptr_size
        )

    def record_spans(self, indexes: np.ndarray) -> np.ndarray:
        """File ranges ``[start, end)`` (an (n, 2) int64 array) of what the table holds for functions
        ``indexes`` besides their entries: each one's name (funcnametab), its _func record with the
        pcdata and funcdata offsets after it (pclntable: up to the next record), and its pc-value
        tables (pctab: each from its start to the next start any function's tables have; the linker
        writes one function's new tables together, so pcln's reaches over the pcdata tables after
        it). Empty for the 1.2 layout (one table, no per-function spans declared here)."""
        idx = np.asarray(indexes, dtype=np.int64)
        if not self.layout.subtables or not len(idx) or not len(self._funcoffs) or not self._data:
            return np.zeros((0, 2), dtype=np.int64)
        rec = self._records()
        starts = self.name_offsets[idx]
        ends = np.array([max(s, self._data.find(b"\0", s) + 1) for s in starts.tolist()], dtype=np.int64)
        out = [np.stack([starts, ends], axis=1) + self.offset]
        ptab_off = self.tables["pclntable"][0]
        k = np.searchsorted(rec["recs"], self._funcoffs[idx])
        out.append(np.stack([self._funcoffs[idx], rec["rec_end"][k]], axis=1) + ptab_off)
        if "tables" in rec:
            mine = rec["tables"][idx].ravel()
            mine = np.unique(mine[mine > 0])
            j = np.searchsorted(rec["table_starts"], mine)
            out.append(np.stack([mine, rec["table_ends"][j]], axis=1) + self.tables["pctab"][0])
        spans = np.concatenate(out)
        return spans[spans[:, 1] > spans[:, 0]]

    def _records(self) -> dict[str, np.ndarray]:
        """What record_spans needs of the whole table, computed once: the _func records' offsets in
        order and where each ends, and every function's pcsp, pcfile and pcln offsets into pctab with
        the sorted table starts and where each ends."""
        if self._record_cache:
            return self._record_cache
        data = self._data
        ptab_len = self.tables["pclntable"][1]
        offs = self._funcoffs
        recs = offs if bool((np.diff(offs) > 0).all()) else np.unique(offs)  # (in table order already)
        out = {"recs": recs, "rec_end": np.append(recs[1:], ptab_len)}
        pctab = self.tables.get("pctab")
        if pctab is not None:
            base = self.tables["pclntable"][0] - self.offset
            fields = [field_offset(self.layout.func, f, self.ptr_size) for f in ("pcsp", "pcfile", "pcln")]
            pos = (base + offs)[:, None] + np.array(fields, dtype=np.int64)[None, :]
            ok = pos + 4 <= len(data)
            vals = np.zeros(pos.shape, dtype=np.int64)
            if bool((pos % 4 == 0).all()):  # (the records' u32 fields are aligned: one view reads them)
                words = np.frombuffer(data, dtype=(">u4" if self.big_endian else "<u4"), count=len(data) // 4)
                vals[ok] = words[pos[ok] // 4]
            else:
                vals[ok] = _u32_at(data, pos[ok], self.big_endian).astype(np.int64)
            table_starts = np.unique(vals[vals > 0])
            out |= {
                "tables": vals,
                "table_starts": table_starts,
                "table_ends": np.append(table_starts[1:], pctab[1]),
            }
        self._record_cache.update(out)
        return self._record_cache

    def inlined_ranges(self, i: int) -> list[tuple[int, int]]:
        """The [start, end) pc ranges of function ``i`` whose instructions come from inlined calls
        (its PCDATA_InlTreeIndex table: an inline-tree index there, -1 for the function's own code)."""
        if self._data == b"":
            return []
        base = self.tables["pclntable"][0] - self.offset if self.layout.subtables else 0
        pos = base + int(self._funcoffs[i])
        rec = self.layout.func.parse(ByteView(self._data, self.big_endian), pos, self.ptr_size)
        if rec["npcdata"] <= PCDATA_INLTREE:
            return []  # no inlining in this function
        at = pos + self.layout.func.size(self.ptr_size) + 4 * PCDATA_INLTREE
        if at + 4 > len(self._data):
            raise FormatError(f"function {i}'s pcdata table lies past the end of the pclntab")
        off = ByteView(self._data, self.big_endian).u32(at)
        out: list[tuple[int, int]] = []
        start = int(self.entries[i])
        for end, value in self._pcvalues(off, i):
            if value >= 0:
                if out and out[-1][1] == start:
                    out[-1] = (out[-1][0], end)
                else:
                    out.append((start, end))
            start = end
        return out

    def inline_index_at(self, i: int, pc: int) -> int | None:
        """The PCDATA_InlTreeIndex value of function ``i`` at ``pc``: the inline-tree entry whose
        inlined call the instruction belongs to (None for the function's own code, or no table)."""
        if self._data == b"":
            return None
        base = self.tables["pclntable"][0] - self.offset if self.layout.subtables else 0
        pos = base + int(self._funcoffs[i])
        rec = self.layout.func.parse(ByteView(self._data, self.big_endian), pos, self.ptr_size)
        if rec["npcdata"] <= PCDATA_INLTREE:
            return None
        at = pos + self.layout.func.size(self.ptr_size) + 4 * PCDATA_INLTREE
        if at + 4 > len(self._data):
            return None
        off = ByteView(self._data, self.big_endian).u32(at)
        for end, value in self._pcvalues(off, i):
            if pc < end:
                return value if value >= 0 else None
        return None

    def inline_tree_size(self, i: int) -> int:
        """Entries of function ``i``'s inline tree that its instructions name (the largest
        PCDATA_InlTreeIndex value + 1; 0 when nothing was inlined into it)."""
        rec, pos = self._record(i)
        if rec is None or rec["npcdata"] <= PCDATA_INLTREE:
            return 0
        at = pos + self.layout.func.size(self.ptr_size) + 4 * PCDATA_INLTREE
        if at + 4 > len(self._data):
            raise FormatError(f"function {i}'s pcdata table lies past the end of the pclntab")
        values = [v for _end, v in self._pcvalues(ByteView(self._data, self.big_endian).u32(at), i)]
        return max(values, default=-1) + 1

    def funcdata_start(self) -> int | None:
        """The lowest funcdata address any function's record holds (go.func.*, the stack maps the
        compiler writes with the code), for the layouts whose funcdata are addresses (before 1.18;
        from 1.18 moduledata.gofunc says it); None without any."""
        if self.layout.funcdata_u32 or not len(self._funcoffs) or not self._data:
            return None
        if "funcdata_start" in self._record_cache:
            return int(self._record_cache["funcdata_start"][0]) or None
        data, ps = self._data, self.ptr_size
        base = self.tables["pclntable"][0] - self.offset if self.layout.subtables else 0
        pos = base + self._funcoffs
        npc_at = pos + field_offset(self.layout.func, "npcdata", ps)
        npc = _u32_at(data, npc_at, self.big_endian).astype(np.int64)
        nfd = _nfuncdata(data, pos + self.layout.func.size(ps))
        at = pos + self.layout.func.size(ps) + 4 * npc
        if ps == 8:
            at += ((self.offset + at) % 8 != 0) * 4  # (pointers are aligned)
        lowest = 0
        dt = np.dtype((">" if self.big_endian else "<") + ("u8" if ps == 8 else "u4"))
        raw = np.frombuffer(data, dtype=np.uint8)
        for k in range(int(min(nfd.max(initial=0), 16))):
            where = at + ps * k
            sel = (nfd > k) & (where + ps <= len(data))
            if not sel.any():
                continue
            cols = where[sel][:, None] + np.arange(ps)[None, :]
            words = np.ascontiguousarray(raw[cols]).view(dt).ravel()
            words = words[words > 0]
            if len(words):
                low = int(words.min())
                lowest = low if not lowest else min(lowest, low)
        self._record_cache["funcdata_start"] = np.array([lowest], dtype=np.uint64)
        return lowest or None

    def funcdata(self, i: int, k: int) -> int | None:
        """Function ``i``'s funcdata ``k`` (FUNCDATA_InlTree = 3, ...): from 1.18 an offset from
        moduledata.gofunc, before an address; None when the function has none."""
        rec, pos = self._record(i)
        if rec is None or rec["nfuncdata"] <= k:
            return None
        at = pos + self.layout.func.size(self.ptr_size) + 4 * rec["npcdata"]
        view = ByteView(self._data, self.big_endian)
        if self.layout.funcdata_u32:
            value = view.u32(at + 4 * k) if at + 4 * k + 4 <= len(self._data) else None
            return None if value is None or value == 0xFFFFFFFF else value
        if self.ptr_size == 8 and (self.offset + at) % 8:
            at += 4  # pointers are aligned
        end = at + self.ptr_size * (k + 1)
        if end > len(self._data):
            return None
        raw = self._data[end - self.ptr_size : end]
        return int.from_bytes(raw, "big" if self.big_endian else "little") or None

    def name_at(self, name_off: int) -> str | None:
        """The function name at offset ``name_off`` of funcnametab (an inline tree's nameOff), or
        None when the offset is not the start of a name there."""
        span = self.tables.get("funcnametab")
        if span is None or not 0 <= name_off < span[1]:
            return None
        at = span[0] - self.offset + name_off
        if name_off and self._data[at - 1] != 0:
            return None
        return _cstr(self._data, at)

    def _record(self, i: int) -> tuple[dict[str, int] | None, int]:
        """Function ``i``'s _func record and its position in the table's bytes."""
        if self._data == b"":
            return None, 0
        base = self.tables["pclntable"][0] - self.offset if self.layout.subtables else 0
        pos = base + int(self._funcoffs[i])
        return self.layout.func.parse(ByteView(self._data, self.big_endian), pos, self.ptr_size), pos

    def _pcvalues(self, off: int, i: int) -> list[tuple[int, int]]:
        if off == 0:
            return []
        base = self.tables["pctab"][0] - self.offset if self.layout.subtables else 0
        if self._steps_left <= 0:
            raise FormatError("pc-value tables: decoding budget exhausted (a hostile table?)")
        out = decode_pcvalue(
            self._data, base + off, int(self.entries[i]), self.quantum, int(self.ends[i]), self._steps_left
        )
        self._steps_left -= len(out) + 1
        return out

    def _file_name(self, rec: dict[str, int], value: int) -> str | None:
        """The file name a pcfile value stands for in function record ``rec``."""
        view = ByteView(self._data, self.big_endian)
        if not self.layout.subtables:
            ft = self.tables["filetab"][0] - self.offset
            if value <= 0 or value >= view.u32(ft):
                return None
            return _cstr(self._data, view.u32(ft + 4 * value))
        if value < 0:
            return None
        cu_base = self.tables["cutab"][0] - self.offset
        fnoff = view.u32(cu_base + 4 * (rec["cuOffset"] + value))
        if fnoff == 0xFFFFFFFF:
            return None
        return _cstr(self._data, self.tables["filetab"][0] - self.offset + fnoff)

    def start_lines(self, indexes: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(startLine, file offset of that field) of the functions ``indexes``: the line of each one's
        ``func`` keyword (or function literal), which the source alone decides. None before the 1.20
        layout (no such field) or when a record lies outside the table."""
        if "startLine" not in {f.name for f in self.layout.func.resolve(self.ptr_size)} or not self._data:
            return None
        idx = np.asarray(indexes, dtype=np.int64)
        base = self.tables["pclntable"][0] - self.offset
        pos = self._funcoffs[idx] + (base + field_offset(self.layout.func, "startLine", self.ptr_size))
        if len(pos) and (pos.min() < 0 or pos.max() + 4 > len(self._data)):
            return None
        lines = _u32_at(self._data, pos, self.big_endian) if len(pos) else np.zeros(0, np.int64)
        return np.where(lines >= 0x80000000, lines - (1 << 32), lines), pos + self.offset

    def func_files(self, func: Func) -> list[str]:
        """The source files of ``func`` (from its pcfile table), in order of first appearance."""
        i = self.index_at(func.entry)
        return self.files_of(i) if i is not None else []

    def files_of(self, i: int) -> list[str]:
        """The source files of function ``i`` (from its pcfile table), in order of first appearance."""
        if self._data == b"":
            return []
        rec = self._func_record(i)
        out: list[str] = []
        seen: set[int] = set()
        for _pc, value in self._pcvalues(rec["pcfile"], i):
            if value in seen:
                continue
            seen.add(value)
            name = self._file_name(rec, value)
            if name is not None and name not in out:
                out.append(name)
        return out

    def source_at(self, addr: int) -> tuple[str, int] | None:
        """(file, line) of the instruction at ``addr``; None when no function covers it.

        As in debug/gosym, an unknown file is "" and an unknown line -1 (C code linked internally,
        assembly without positions). The outermost function's position: inlining is not expanded.
        """
        i = self.index_at(addr)
        if i is None or self._data == b"":
            return None
        rec = self._func_record(i)
        file, line = "", -1
        for end, value in self._pcvalues(rec["pcfile"], i):
            if addr < end:
                file = self._file_name(rec, value) or ""
                break
        for end, value in self._pcvalues(rec["pcln"], i):
            if addr < end:
                line = value
                break
        return file, line

    def to_json(self, functions: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "version": self.version,
            "magic": f"{self.magic:#x}",
            "offset": self.offset,
            "size": self.size,
            "addr": self.addr,
            "located_by": self.located_by,
            "quantum": self.quantum,
            "ptr_size": self.ptr_size,
            "big_endian": self.big_endian,
            "nfunc": self.nfunc,
            "nfiles": self.nfiles,
            "text_start": self.text_start,
            "text_source": self.text_source,
            "tables": {k: {"offset": o, "size": n} for k, (o, n) in self.tables.items()},
            "files": list(self.files),
        }
        if functions:
            out["functions"] = [
                {"name": n, "entry": e, "end": x}
                for n, e, x in zip(self.names, self.entries.tolist(), self.ends.tolist(), strict=True)
            ]
        return out


# --------------------------------------------------------------------------------------- decoding


def _cstr(data: bytes, off: int) -> str:
    if off < 0 or off >= len(data):
        raise FormatError(f"string offset {off:#x} outside the pclntab")
    stop = min(len(data), off + MAX_NAME)
    end = data.find(b"\0", off, stop)
    return data[off : end if end >= 0 else stop].decode("utf-8", "replace")


def decode_names(data: bytes, offsets: np.ndarray) -> list[str]:
    """The NUL-terminated names at ``offsets`` of ``data`` (each as ``_cstr`` reads it), in one go.

    The span holding them is decoded once and split at its NULs; each offset is mapped to its
    piece with searchsorted. Offsets inside a piece, pieces longer than MAX_NAME and spans too
    sparse in names (1.2 interleaves them with records) fall back to ``_cstr`` one by one.
    """
    if not len(offsets):
        return []
    lo, hi = int(offsets.min()), int(offsets.max())
    stop = min(len(data), hi + MAX_NAME)
    nul = data.find(b"\0", hi, stop)
    end = nul if nul >= 0 else stop
    if lo < 0 or end - lo > NAME_SPAN_PER_FUNC * len(offsets) + MAX_NAME:
        cache: dict[int, str] = {}
        return [cache[o] if o in cache else cache.setdefault(o, _cstr(data, o)) for o in offsets.tolist()]
    span = data[lo:end]
    nuls = np.flatnonzero(np.frombuffer(span, dtype=np.uint8) == 0)
    starts = np.concatenate(([0], nuls + 1))
    lengths = np.append(nuls, len(span)) - starts
    pieces = span.decode("utf-8", "replace").split("\0")  # a NUL byte always decodes to one "\0"
    rel = offsets - lo
    k = np.searchsorted(starts, rel, side="right") - 1
    out = list(map(pieces.__getitem__, k.tolist()))
    for i in np.flatnonzero((starts[k] != rel) | (lengths[k] > MAX_NAME)).tolist():
        out[i] = _cstr(data, int(offsets[i]))
    return out


def _uvarint(data: bytes, pos: int, n: int, off: int) -> tuple[int, int]:
    """One unsigned varint of a pc-value table at ``pos``: (value, next position)."""
    value = shift = 0
    while True:
        if pos >= n or shift > 63:
            raise FormatError(f"pc-value table at {off:#x} runs past the end of the pclntab")
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, pos


def decode_pcvalue(
    data: bytes,
    off: int,
    entry: int,
    quantum: int,
    end: int | None = None,
    max_steps: int = MAX_PCVALUE_STEPS,
) -> list[tuple[int, int]]:
    """Decode one pc-value program (``step`` in debug/gosym and runtime) starting at ``data[off]``.

    Returns ``[(end_pc, value), ...]``: ``value`` holds from the previous ``end_pc`` (or ``entry``)
    up to, not including, ``end_pc``. Decoding stops at the terminating zero or, when the
    function's ``end`` is given, once the pc reaches it. Raises FormatError when the program runs
    off ``data`` or does not terminate.
    """
    out: list[tuple[int, int]] = []
    n = len(data)
    pos = off
    val = -1
    pc = entry
    limit = min(MAX_PCVALUE_STEPS, max_steps)
    steps = limit if end is None else min(limit, max(0, end - entry) + 2)
    for i in range(steps):
        uv, pos = _uvarint(data, pos, n, off)
        if uv == 0 and i:
            return out
        uv &= 0xFFFFFFFF
        val += -((uv + 1) >> 1) if uv & 1 else uv >> 1
        val = (val + 0x80000000) % 0x100000000 - 0x80000000  # int32 arithmetic, as Go does
        pd, pos = _uvarint(data, pos, n, off)
        pc += pd * quantum
        out.append((pc, val))
        if end is not None and pc >= end:
            return out
    raise FormatError(f"pc-value table at {off:#x} does not terminate")


def _parse_header(view: ByteView, off: int, ptr_size: int | None = None) -> _Header | None:
    """The validated header at ``off`` of ``view`` (a window ending where the table must end), or None."""
    if off < 0 or off + 16 > view.size:
        return None
    head = view.bytes(off, 8)
    if head[4] != 0 or head[5] != 0 or head[6] not in (1, 2, 4) or head[7] not in (4, 8):
        return None
    le, be = struct.unpack_from("<I", head)[0], struct.unpack_from(">I", head)[0]
    if le in BY_MAGIC:
        magic, big = le, False
    elif be in BY_MAGIC:
        magic, big = be, True
    else:
        return None
    layout = BY_MAGIC[magic]
    w = head[7]
    if ptr_size is not None and w != ptr_size:
        return None
    hv = ByteView(view.buf, big)
    hs = layout.header
    if off + hs.size(w) > view.size:
        return None
    fields = hs.parse(hv, off, w)
    hdr = _Header(layout, magic, big, head[6], w, fields)
    limit = view.size - off
    nfunc = fields["nfunc"]
    if not 0 < nfunc < MAX_FUNCS:
        return None
    if layout.subtables:
        if not 0 < fields["nfiles"] < MAX_FILES:
            return None
        for k in ("funcnameOffset", "cuOffset", "filetabOffset", "pctabOffset", "pclnOffset"):
            if not hdr.size <= fields[k] < limit:
                return None
    if hdr.functab_offset + (2 * nfunc + 1) * hdr.functab_field > limit:
        return None
    return hdr


def _read_functab(view: ByteView, off: int, hdr: _Header) -> tuple[np.ndarray, np.ndarray]:
    """(entries[nfunc+1], funcoffs[nfunc]) as int64 arrays, copied out of the mapping."""
    n = hdr.fields["nfunc"]
    width = hdr.functab_field
    start = off + hdr.functab_offset
    count = 2 * n + 1
    view.check(start, count * width)
    dt = np.dtype((">" if hdr.big_endian else "<") + ("u4" if width == 4 else "u8"))
    raw = np.frombuffer(view.buf, dtype=dt, count=count, offset=start).astype(np.int64)
    return raw[0::2].copy(), raw[1::2].copy()


def _valid_functab(entries: np.ndarray, funcoffs: np.ndarray, limit: int) -> bool:
    if len(entries) < 2 or entries.min() < 0 or (np.diff(entries) < 0).any():
        return False
    return bool(len(funcoffs) == 0 or (funcoffs.min() >= 0 and funcoffs.max() < limit))


def _u32_at(buf: bytes, positions: np.ndarray, big: bool) -> np.ndarray:
    """uint32 values at arbitrary byte positions of ``buf`` (positions already bounds-checked)."""
    u8 = np.frombuffer(buf, dtype=np.uint8)
    b = u8[positions[:, None] + np.arange(4)].astype(np.int64)
    if big:
        return (b[:, 0] << 24) | (b[:, 1] << 16) | (b[:, 2] << 8) | b[:, 3]
    return b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16) | (b[:, 3] << 24)


# --------------------------------------------------------------------------------------- location


def _offset_to_va(image: Image, off: int) -> int:
    for s in image.sections:
        if s.size and s.alloc and s.offset <= off < s.offset + s.size:
            return s.addr + (off - s.offset)
    for seg in image.segments:
        if seg.file_size and seg.offset <= off < seg.offset + seg.file_size:
            return seg.addr + (off - seg.offset)
    return 0


def _bounded(image: Image, off: int) -> int:
    """The end of the section (else segment, else file) holding file offset ``off``."""
    sec = image.section_at(off)
    if sec is not None:
        return min(image.size, sec.offset + sec.size)
    for seg in image.segments:
        if seg.file_size and seg.offset <= off < seg.offset + seg.file_size:
            return min(image.size, seg.offset + seg.file_size)
    return image.size


@dataclass
class _Location:
    offset: int
    end: int  # exclusive upper bound for the table's bytes
    addr: int
    how: str
    exact_end: bool  # end is the table's true end (section or epclntab symbol)


def _locate(image: Image, symbols: SymbolTable | None) -> tuple[_Location, _Header] | None:
    view = image.view
    for sec in _pclntab_sections(image):
        end = min(image.size, sec.offset + sec.size)
        hdr = _parse_header(ByteView(view.buf[:end]), sec.offset)
        if hdr is not None:
            return _Location(sec.offset, end, sec.addr, f"section {sec.name}", True), hdr
    if symbols is not None and symbols.present:
        start, stop = symbols.by_name("runtime.pclntab"), symbols.by_name("runtime.epclntab")
        if start is not None:
            off = image.va_to_offset(start.addr)
            if off is not None:
                exact = stop is not None and stop.addr > start.addr
                end = min(image.size, off + (stop.addr - start.addr)) if exact else _bounded(image, off)
                hdr = _parse_header(ByteView(view.buf[:end]), off)
                if hdr is not None:
                    return _Location(off, end, start.addr, "symbols", exact), hdr
    return _scan(image)


def _pclntab_sections(image: Image) -> list[Section]:
    return [s for s in image.sections if s.name in SECTION_NAMES and s.size]


# Both patterns start with a literal, which lets `re` use its fast prefix search (~0.5 ms/MB); the
# little-endian magic's first byte is checked after the match.
_SCAN_LE = re.compile(rb"\xff\xff\xff\x00\x00[\x01\x02\x04][\x04\x08]")
_SCAN_BE = re.compile(rb"\xff\xff\xff[\xfb\xfa\xf0\xf1]\x00\x00[\x01\x02\x04][\x04\x08]")
_LE_FIRST = frozenset((0xFB, 0xFA, 0xF0, 0xF1))


def _scan_ranges(image: Image) -> list[tuple[int, int]]:
    """Read-only data sections first (where every linker puts the table), then the rest of the file."""
    first = sorted(
        (s.offset, min(image.size, s.offset + s.size))
        for s in image.sections
        if s.size and s.alloc and not s.executable and not s.writable and s.offset < image.size
    )
    rest = []
    pos = 0
    for start, end in first:
        if start > pos:
            rest.append((pos, start))
        pos = max(pos, end)
    if pos < image.size:
        rest.append((pos, image.size))
    return first + rest


def _scan(image: Image) -> tuple[_Location, _Header] | None:
    """Search the file for a pclntab header and validate every hit hard (false hits exist, §11).

    At most SCAN_LIMIT bytes are searched and MAX_CANDIDATES plausible headers validated: a hostile
    or sparse multi-GB file is never scanned whole.
    """
    big = image.big_endian
    pattern = _SCAN_BE if big else _SCAN_LE
    data = image.data
    budget = SCAN_LIMIT
    candidates = 0
    for start, end in _scan_ranges(image):
        end = min(end, start + budget)
        budget -= max(0, end - start)
        if end <= start:
            break
        window = ByteView(data[:end])
        for m in pattern.finditer(data, max(0, start - 1 if not big else start), end):
            off = m.start()
            if not big:
                off -= 1
                if off < start or data[off] not in _LE_FIRST:
                    continue
            hdr = _parse_header(window, off, image.ptr_size)
            if hdr is None:
                continue
            candidates += 1
            if candidates > MAX_CANDIDATES:
                return None
            if not _functab_looks_sorted(window, off, hdr):
                continue
            try:
                entries, funcoffs = _read_functab(window, off, hdr)
            except FormatError:
                continue
            if not _valid_functab(entries, funcoffs, end - off):
                continue
            return _Location(off, end, _offset_to_va(image, off), "scan", False), hdr
    return None


def _functab_looks_sorted(view: ByteView, off: int, hdr: _Header) -> bool:
    """A cheap look at the first entries before the whole function table is read."""
    n = min(hdr.fields["nfunc"], 16)
    w = hdr.functab_field
    start = off + hdr.functab_offset
    hv = ByteView(view.buf, hdr.big_endian)
    try:
        entries = [hv.int(start + 2 * w * i, w) for i in range(n + 1)]
    except FormatError:
        return False
    return all(a <= b for a, b in itertools.pairwise(entries))


# ------------------------------------------------------------------------------------ moduledata


def moduledata_words(image: Image, tab: Pclntab, first: int, count: int) -> list[int] | None:
    """``count`` pointer-sized words of moduledata from word ``first`` (a layout's word index), or
    None when moduledata was not found or the words are not in the file."""
    if not tab.moduledata:
        return None
    ps = image.ptr_size
    raw = image.read_va(tab.moduledata + ps * first, ps * count)
    if raw is None:
        return None
    order = "big" if image.big_endian else "little"
    return [int.from_bytes(raw[k : k + ps], order) for k in range(0, len(raw), ps)]


def moduledata_types(image: Image, tab: Pclntab) -> tuple[int, int] | None:
    """moduledata's [types, etypes): where the type descriptors lie, or None when not found or not
    a range of the file's addresses. types follows gcdata and gcbss in every layout; etypes follows
    it, or (1.27+, same pclntab magic) typedesclen, a length, comes between them."""
    words = moduledata_words(image, tab, tab.layout.moduledata_gcdata_word + 2, 3)
    if words is None:
        return None
    types, etypes = words[0], words[1] if words[1] > words[0] else words[2]
    if not 0 < types < etypes:
        return None
    lo, hi = image.va_to_offset(types), image.va_to_offset(etypes - 1)
    return (types, etypes) if lo is not None and hi is not None else None


@dataclass
class _Moduledata:
    words: list[int]
    addr: int


def _find_moduledata(image: Image, hdr: _Header, pcln_addr: int) -> _Moduledata | None:
    """moduledata: an aligned word equal to the pclntab address, confirmed by the words after it."""
    if pcln_addr == 0:
        return None
    w = hdr.ptr_size
    order = ">" if hdr.big_endian else "<"
    fmt = order + ("Q" if w == 8 else "I")
    needle = struct.pack(fmt, pcln_addr)
    nwords = hdr.layout.moduledata_text_word + 2
    tried: set[str] = set()
    places = image.fmt.names("moduledata")
    candidates = [s for name in places for s in image.sections if name in (s.key, s.name)]
    candidates += [s for s in image.sections if s.writable]
    budget = SCAN_LIMIT
    hits = 0
    rebased = image.rebases is not None  # (pointers are found in the loaded bytes, then)
    for sec in candidates:
        if sec.key in tried or not sec.size or not sec.alloc:
            continue
        tried.add(sec.key)
        start = min(sec.offset, image.size)
        end = min(sec.offset + sec.size, image.size, start + budget)
        budget -= end - start
        if rebased:  # the section as loaded (a copy), searched in memory
            buf, base = bytes(image.loaded(start, end)), start
            view = ByteView(buf, hdr.big_endian)
        else:
            buf, base = None, 0
            view = ByteView(image.data, hdr.big_endian)

        def find(at: int, buf: bytes | None = buf, base: int = base, end: int = end) -> int:
            if buf is None:
                return image.find(needle, at, end)
            hit = buf.find(needle, at - base)
            return hit + base if hit >= 0 else -1

        pos = find(start)
        while pos >= 0:
            hits += 1
            if hits > MAX_CANDIDATES:
                return None
            addr = sec.addr + (pos - sec.offset)
            if addr % w == 0 and pos + nwords * w <= end:
                words = [view.int(pos - base + k * w, w) for k in range(nwords)]
                if _moduledata_matches(hdr, words, pcln_addr):
                    return _Moduledata(words, addr)
            pos = find(pos + 1)
        if budget <= 0:
            break
    return None


def _moduledata_matches(hdr: _Header, words: list[int], pcln_addr: int) -> bool:
    if not hdr.layout.subtables:
        # pclntable slice {pclntab, len, cap}, then ftab {pclntab + 8 + W, nfunc+1, nfunc+1}
        return (
            words[1] == words[2]
            and 0 < words[1] < 1 << 32
            and words[3] == pcln_addr + 8 + hdr.ptr_size
            and words[4] == hdr.fields["nfunc"] + 1
        )
    # funcnametab slice {pclntab + funcnameOffset, len, cap}
    return words[1] == pcln_addr + hdr.fields["funcnameOffset"] and words[2] == words[3]


# ------------------------------------------------------------------------------------------ read


def read_pclntab(image: Image, symbols: SymbolTable | None = None) -> Pclntab | None:
    """Find and parse the pclntab of ``image``; None when it has none. Malformed: FormatError."""
    found = _locate(image, symbols)
    if found is None:
        return None
    loc, hdr = found
    view = ByteView(image.data[: loc.end], hdr.big_endian)
    entries, funcoffs = _read_functab(view, loc.offset, hdr)
    limit = loc.end - loc.offset
    if not _valid_functab(entries, funcoffs, limit):
        raise FormatError("pclntab function table is not sorted or points outside the table")

    md = None
    if loc.addr:
        md = _find_moduledata(image, hdr, loc.addr)
    relative = hdr.layout.relative_entries
    span = int(entries[-1]) if relative else 0
    text_start, text_source = _text_base(image, hdr, symbols, md, span)

    # The table's extent: section / symbols, else moduledata, else the last _func record's end.
    size = limit if loc.exact_end else _estimate_size(view, loc, hdr, funcoffs, md)
    size = min(size, limit)
    if size > MAX_TABLE:
        raise FormatError(f"pclntab at {loc.offset:#x} claims {size} bytes (more than {MAX_TABLE >> 20} MiB)")
    data = bytes(image.data[loc.offset : loc.offset + size])
    tables = _tables(hdr, loc, size, md, data)

    nfunc = hdr.fields["nfunc"]
    abs_entries = entries.astype(np.uint64)  # (unsigned: a base above 2**63 must not overflow int64)
    if relative:
        abs_entries += np.uint64(text_start)
    name_offsets = _name_offsets(data, hdr, tables, loc.offset, funcoffs)
    files = _files(data, hdr, tables, loc.offset)
    return Pclntab(
        version=hdr.version,
        magic=hdr.magic,
        offset=loc.offset,
        size=size,
        quantum=hdr.quantum,
        ptr_size=hdr.ptr_size,
        big_endian=hdr.big_endian,
        nfunc=nfunc,
        nfiles=hdr.fields.get("nfiles", len(files)),
        text_start=text_start,
        text_source=text_source,
        entries=abs_entries[:nfunc],
        ends=abs_entries[1:],
        name_offsets=name_offsets,
        files=files,
        tables=tables,
        layout=hdr.layout,
        addr=loc.addr,
        located_by=loc.how,
        moduledata=md.addr if md is not None else 0,
        findfunctab=_findfunctab(image, hdr, md),
        _data=data,
        _funcoffs=funcoffs,
    )


def _nfuncdata(data: bytes, ends: np.ndarray) -> np.ndarray:
    """Each record's funcdata count, from the last four bytes of records that end at ``ends``. The
    1.2 layout (magic 0xFFFFFFFB) serves Go 1.2 to 1.15, and its last word changed meaning on the
    way: an int32 nfuncdata, then {funcID uint8, pad, pad, nfuncdata uint8} ("must be last"), in
    records of one size. The byte that varies from record to record is the count: the word's
    lowest byte in the old little-endian form, its last byte otherwise (big-endian both ways)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    ok = (ends >= 4) & (ends <= len(data))
    last = np.zeros(len(ends), dtype=np.int64)
    first = np.zeros(len(ends), dtype=np.int64)
    last[ok] = raw[ends[ok] - 1]
    first[ok] = raw[ends[ok] - 4]
    return last if np.count_nonzero(last) >= np.count_nonzero(first) else first


def _text_base(
    image: Image, hdr: _Header, symbols: SymbolTable | None, md: _Moduledata | None, span: int = 0
) -> tuple[int, str]:
    """The text base for 1.18+ entry offsets and where it came from: the first source whose value
    leaves room for the table's ``span`` of offsets in the address space (a hostile value near the
    top of memory is passed over, not added)."""
    top = 1 << (8 * hdr.ptr_size)
    code = [(s.addr, s.addr + s.mem_size) for s in image.sections if s.executable and s.mem_size]
    code += [(g.addr, g.addr + g.mem_size) for g in image.segments if g.executable and g.mem_size]
    for base, source in _text_bases(image, hdr, symbols, md):
        if not (base >= 0 and base + span < top):
            continue
        if code and not any(lo <= base < hi for lo, hi in code):
            continue  # the code of a Go program starts inside its executable section or segment
        return base, source
    return 0, "none"


def _text_bases(
    image: Image, hdr: _Header, symbols: SymbolTable | None, md: _Moduledata | None
) -> Iterator[tuple[int, str]]:
    if symbols is not None and symbols.present:
        sym = symbols.by_name("runtime.text")
        if sym is not None and sym.addr:
            yield sym.addr, "runtime.text symbol"
    if md is not None:
        w = hdr.layout.moduledata_text_word
        text, etext = md.words[w], md.words[w + 1]
        if 0 < text <= etext:
            yield text, "moduledata"
    ts = hdr.fields["textStart"] if hdr.layout.header_text_start else 0
    if ts:
        yield ts, "pcHeader.textStart"
    sec = image.section_for("text")
    if sec is not None:
        yield sec.addr, f"section {sec.name}"


def _func_struct_size(hdr: _Header) -> int:
    return hdr.layout.func.size(hdr.ptr_size)


def _estimate_size(
    view: ByteView, loc: _Location, hdr: _Header, funcoffs: np.ndarray, md: _Moduledata | None
) -> int:
    """Bytes from the header to the end of the table, when no section or symbol says so."""
    subtables = hdr.layout.subtables
    if md is not None:
        if not subtables:
            return md.words[1]
        ptr, length = md.words[13], md.words[14]
        if ptr >= loc.addr:
            return ptr - loc.addr + length
    if not subtables:
        return loc.end - loc.offset  # names and files may lie anywhere after the records: keep it all
    # End of the _func record that lies last, plus its pcdata and funcdata arrays.
    last = loc.offset + hdr.fields["pclnOffset"] + int(funcoffs.max())
    rec = hdr.layout.func.parse(view, last, hdr.ptr_size)
    end = last + _func_struct_size(hdr) + 4 * rec["npcdata"]
    fd = 4 if hdr.layout.funcdata_u32 else hdr.ptr_size
    if fd == 8:
        end = (end + 7) & ~7
    end += fd * rec["nfuncdata"]
    return end - loc.offset


def _tables(
    hdr: _Header, loc: _Location, size: int, md: _Moduledata | None, data: bytes
) -> dict[str, tuple[int, int]]:
    """File offset and length of each sub-table (functab lies inside pclntable)."""
    off = loc.offset
    f = hdr.fields
    n = f["nfunc"]
    functab_len = (2 * n + 1) * hdr.functab_field
    tables: dict[str, tuple[int, int]] = {"header": (off, hdr.size)}
    if not hdr.layout.subtables:
        ft = hdr.functab_offset
        tables["functab"] = (off + ft, functab_len)
        view = ByteView(data, hdr.big_endian)
        fileoff = view.u32(ft + functab_len)
        count = view.u32(fileoff)
        view.check(fileoff, 4 * count)
        tables["filetab"] = (off + fileoff, 4 * count)
        return tables
    starts = {
        "funcnametab": f["funcnameOffset"],
        "cutab": f["cuOffset"],
        "filetab": f["filetabOffset"],
        "pctab": f["pctabOffset"],
        "pclntable": f["pclnOffset"],
    }
    exact: dict[str, int] = {}
    ordered = sorted(starts.items(), key=lambda kv: kv[1])
    following = {
        name: (ordered[i + 1][1] if i + 1 < len(ordered) else size) for i, (name, _) in enumerate(ordered)
    }
    if md is not None:
        for name, word in MODULEDATA_SLICES:
            ptr, length = md.words[word], md.words[word + 1]
            if name == "cutab":
                # the linker gives cutab ([]uint32) its size in bytes as its length up to Go 1.25
                # (sliceSym) and its entries from 1.26 (cmd/link symtab.go): the longer reading
                # that still ends before the next table is the one
                gap = following[name] - starts[name]
                length = next((n for n in (4 * length, length) if n <= gap), length)
            if ptr == loc.addr + starts[name] and starts[name] + length <= size:
                exact[name] = length
    for name, start in ordered:
        length = exact.get(name, max(0, min(following[name], size) - start))
        tables[name] = (off + start, length)
    tables["functab"] = (off + f["pclnOffset"], functab_len)
    if md is not None:
        span = _findfunctab_span(hdr, md)
        if span is not None and loc.addr <= span[0] and span[0] - loc.addr + span[1] <= size:
            tables["findfunctab"] = (off + span[0] - loc.addr, span[1])
    return tables


def _findfunctab_span(hdr: _Header, md: _Moduledata) -> tuple[int, int] | None:
    """(virtual address, length) of the findfunctab per moduledata: a u32 per 4096-byte bucket of
    text, then a byte per 256-byte sub-bucket (the size the linker gives it, pcln.go). The three
    words before moduledata.text are findfunctab, minpc and maxpc in every layout."""
    word = hdr.layout.moduledata_text_word - 3
    ptr, minpc, maxpc = md.words[word : word + 3]
    span = maxpc - minpc
    if not ptr or span <= 0:
        return None
    return ptr, 4 * -(-span // FINDFUNC_BUCKET) + -(-span // FINDFUNC_SUBBUCKET)


def _findfunctab(image: Image, hdr: _Header, md: _Moduledata | None) -> tuple[int, int]:
    """(file offset, length) of the findfunctab wherever it lies (.rodata before Go 1.26, inside
    the pclntab from then on); (0, 0) when moduledata was not found or the table is not in the file."""
    span = _findfunctab_span(hdr, md) if md is not None else None
    if span is None:
        return 0, 0
    off = image.va_to_offset(span[0])
    if off is None or image.va_to_offset(span[0] + span[1] - 1) != off + span[1] - 1:
        return 0, 0
    return off, span[1]


def _name_offsets(
    data: bytes, hdr: _Header, tables: dict[str, tuple[int, int]], off: int, funcoffs: np.ndarray
) -> np.ndarray:
    """Each function's name offset in ``data``, via its _func.nameOff (one vectorised gather), checked."""
    if len(funcoffs) == 0:
        return np.zeros(0, dtype=np.int64)
    w0 = field_offset(hdr.layout.func, "nameOff", hdr.ptr_size)
    if hdr.layout.subtables:
        base, names_base = tables["pclntable"][0] - off, tables["funcnametab"][0] - off
    else:
        base, names_base = 0, 0
    pos = funcoffs + (base + w0)
    if pos.min() < 0 or pos.max() + 4 > len(data):
        raise FormatError("a pclntab function record lies outside the table")
    name_offs = _u32_at(data, pos, hdr.big_endian)
    name_offs = np.where(name_offs >= 0x80000000, name_offs - (1 << 32), name_offs) + names_base
    if name_offs.min() < 0 or name_offs.max() >= len(data):
        raise FormatError("a pclntab function name offset lies outside the table")
    return name_offs


def _files(data: bytes, hdr: _Header, tables: dict[str, tuple[int, int]], off: int) -> list[str]:
    """The file table in table order, each name once."""
    if not hdr.layout.subtables:
        ft, length = tables["filetab"]
        ft -= off
        view = ByteView(data, hdr.big_endian)
        count = length // 4
        out = []
        seen = set()
        for i in range(1, count):
            name = _cstr(data, view.u32(ft + 4 * i))
            if name not in seen:
                seen.add(name)
                out.append(name)
        return out
    start, length = tables["filetab"]
    raw = data[start - off : start - off + length]
    parts = raw.split(b"\0")
    nfiles = hdr.fields["nfiles"]
    out, seen = [], set()
    for p in parts[:nfiles]:
        s = p.decode("utf-8", "replace")
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out
