"""The static symbol table: ELF ``.symtab``, PE COFF symbols, Mach-O ``LC_SYMTAB``.

Each format reads its own table (``read_symbols`` in :mod:`godet.read.elf`, :mod:`godet.read.pe`,
:mod:`godet.read.macho`) with the helpers here. Read with numpy over a copy of the raw table
(pyelftools' ``iter_symbols`` is ~40x slower; the copy keeps the mapping free to close). The
summary (count, source) costs that copy only; the list of :class:`Symbol` objects is built on first
use, and ``by_name`` before that searches the string table instead. Names, addresses, sizes and
letters are what ``go tool nm`` prints (``src/cmd/internal/objfile/{elf,pe,macho}.go``): ``T``
text, ``R`` read-only data, ``D`` data, ``B`` bss, ``U`` undefined, ``C`` absolute (PE), ``?``
anything else; ELF locals are lower case (so a local ``?`` is ``_``); PE values are made virtual
addresses; PE and Mach-O sizes are the gap to the next symbol; Mach-O names lose Go's ``_`` prefix
when they contain a dot (debug/macho).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from godet.arrays import unique
from godet.errors import FormatError
from godet.read.image import Image

LOOKUP_BACKTRACK = 64  # symbols examined below an address in lookup()
# A symbol table (or its string table) bigger than this is refused: the largest real ones are tens
# of MB, and a hostile header must not make godet copy and decode gigabytes.
MAX_TABLE_BYTES = 256 << 20


def bounded(nbytes: int, what: str) -> None:
    """Refuse a symbol or string table of more than MAX_TABLE_BYTES."""
    if nbytes > MAX_TABLE_BYTES:
        raise FormatError(f"{what} symbol table claims {nbytes} bytes (over {MAX_TABLE_BYTES >> 20} MiB)")


@dataclass(frozen=True, slots=True)
class Symbol:
    """One symbol: name, virtual address, size (ELF's, or the gap to the next symbol), nm kind, section."""

    name: str
    addr: int
    size: int
    kind: str
    section: str


def decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def names_at(strtab: bytes, offsets: np.ndarray) -> list[str]:
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
                s = decode(strtab[off : end if end >= 0 else n])
            cache[off] = s
        out.append(s)
    return out


def string_offsets(strtab: bytes, name: str) -> list[int]:
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
        self._addrs: list[int] | None = None  # of _sized: the defined symbols of non-zero size
        self._sized: list[Symbol] = []
        self._reach: list[int] = []
        self._by_name: dict[str, Symbol] | None = None
        self._names_go: bool | None = None

    @property
    def names_go(self) -> bool:
        """Whether the table names Go's symbols (runtime.text, runtime.main), not only the C and
        dynamic-link symbols a stripped, externally linked Mach-O keeps for dyld."""
        if self._names_go is None:
            self._names_go = self.present and any(
                self.by_name(n) is not None for n in ("runtime.text", "runtime.main")
            )
        return self._names_go

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
        """The defined symbol of non-zero size whose [addr, addr+size) contains ``addr``, or None
        (the nearest below it of those that do, when symbols overlap)."""
        if self._addrs is None:
            self._sized = [s for s in self.symbols if s.size and s.kind not in ("U", "u")]
            self._addrs = [s.addr for s in self._sized]
            reach, top = [], -1
            for s in self._sized:  # the highest end of any symbol so far: nothing earlier reaches past it
                top = max(top, s.addr + s.size)
                reach.append(top)
            self._reach = reach
        sized, reach = self._sized, self._reach
        i = bisect.bisect_right(self._addrs, addr) - 1
        for j in range(i, max(-1, i - LOOKUP_BACKTRACK), -1):
            if reach[j] <= addr:
                return None  # no symbol at or below j ends past addr
            s = sized[j]
            if addr < s.addr + s.size:
                return s
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "present": self.present,
            "source": self.source,
            "count": self.count,
            "dynamic_count": self.dynamic_count,
        }

    def __repr__(self) -> str:
        return f"SymbolTable(present={self.present}, source={self.source!r}, count={self.count})"


def read_symbols(image: Image) -> SymbolTable:
    """The static symbol table of ``image``; ``SymbolTable.absent()`` when it has none."""
    return image.fmt.read_symbols(image)


def assemble(
    names: list[str], addrs: np.ndarray, sizes: np.ndarray, kinds: list[str], sections: list[str]
) -> list[Symbol]:
    """Symbol objects, sorted by address (stable: file order among equal addresses)."""
    order = np.argsort(addrs, kind="stable").tolist()
    a, z = addrs.tolist(), sizes.tolist()
    return [Symbol(names[i], a[i], z[i], kinds[i], sections[i]) for i in order]


def gap_sizes(all_addrs: np.ndarray, addrs: np.ndarray) -> np.ndarray:
    """nm's size for PE and Mach-O: the distance to the next higher address of any symbol (0 for the last)."""
    uniq = unique(all_addrs)
    nxt = np.searchsorted(uniq, addrs, side="right")
    has_next = nxt < len(uniq)
    sizes = np.zeros(len(addrs), dtype=np.uint64)
    sizes[has_next] = uniq[nxt[has_next]] - addrs[has_next]
    return sizes
