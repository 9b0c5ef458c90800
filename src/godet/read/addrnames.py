"""Names for virtual addresses that do not move with layout: the function (pclntab), the symbol,
or a placeholder for the section. Code and data comparisons use them to tell a moved target from
a changed one.
"""

from __future__ import annotations

import bisect
import re
from functools import cached_property
from typing import TYPE_CHECKING

from godet.read.formats import section_names

if TYPE_CHECKING:
    from godet.read.binary import Binary

# Linker-defined boundary symbols: what follows them is not theirs (Mach-O/PE sizes are gaps).
MARKERS = frozenset(
    f"runtime.{n}"
    for n in (
        "text",
        "etext",
        "rodata",
        "erodata",
        "noptrdata",
        "enoptrdata",
        "data",
        "edata",
        "bss",
        "ebss",
        "noptrbss",
        "enoptrbss",
        "end",
        "types",
        "etypes",
        "gcdata",
        "gcbss",
        "covctrs",
        "ecovctrs",
        "epclntab",
        "pclntab",
        "findfunctab",
    )
)
MIN_ADDR = 0x10000  # smaller numbers are never treated as addresses
BOUNDARY_GAP = 64  # bytes after a section's end still named after it (its end symbols, alignment)


class Namer:
    """Virtual address -> a name that does not move with layout (function, symbol, or section)."""

    def __init__(self, binary: Binary, symbols: bool = True) -> None:
        """``symbols``: name data and C code by the symbol table, when the binary has one (a pair
        where one build is stripped names both without it, so that equal code reads the same)."""
        self.binary = binary
        secs = sorted(
            (s.addr, s.addr + max(s.mem_size, s.size), s.name)
            for s in binary.image.sections
            if s.alloc and s.addr and max(s.mem_size, s.size) > 0
        )
        self._starts = [s[0] for s in secs]
        self._secs = secs
        self.pclntab = binary.pclntab
        self.symbols = binary.symbols if symbols and binary.symbols.present else None
        self._cache: dict[int, str] = {}
        self._plt: dict[int, str] | None = None
        self._plt_entry = 16
        self._code = [(s.addr, s.addr + s.size) for s in binary.image.sections if s.alloc and s.executable]
        go_lo = int(self.pclntab.entries[0]) if self.pclntab is not None and len(self.pclntab) else -1
        self._go_code = {
            s.name for s in binary.image.sections if s.executable and s.addr <= go_lo < s.addr + s.size
        }

    @cached_property
    def absolute(self) -> bool:
        """Whether code may hold an address as a plain number: not in a position-independent ELF
        (PIE or shared object, e_type DYN), which addresses everything relative to the pc; there a
        constant that falls inside its sections (loaded near 0) is a number, not an address."""
        image = self.binary.image
        return not (image.format == "elf" and image.kind == "DYN")

    def section(self, va: int) -> str | None:
        sec = self._sec(va)
        return sec[2] if sec else None

    def _sec(self, va: int) -> tuple[int, int, str] | None:
        """The section holding ``va``, or the one ending just before it (a boundary symbol in the
        alignment gap after it, such as ``__TMC_END__`` or ``_edata``, which C start-up code
        compares against)."""
        i = bisect.bisect_right(self._starts, va) - 1
        if i >= 0 and va < self._secs[i][1] + BOUNDARY_GAP:
            return self._secs[i]
        return None

    def _plt_import(self, va: int, sec: tuple[int, int, str]) -> str | None:
        """``name@plt`` for an ELF PLT entry: the slot order follows the set of imports."""
        if not sec[2].startswith(".plt") or self.binary.image.format != "elf":
            return None
        if self._plt is None:
            from godet.read.elf import PLT_ENTRY, plt_imports

            self._plt = plt_imports(self.binary.image)
            self._plt_entry = PLT_ENTRY
        entry = va - (va - sec[0]) % self._plt_entry
        name = self._plt.get(entry)
        return None if name is None else f"{name}@plt" + (f"+{va - entry:#x}" if va != entry else "")

    def is_addr(self, va: int) -> bool:
        return va >= MIN_ADDR and self.section(va) is not None

    def is_code(self, va: int) -> bool:
        return any(lo <= va < hi for lo, hi in self._code)

    def name(self, va: int) -> str:
        """``func+0x10``, ``sym+0x8``, or ``.rodata+?`` (a section placeholder: no stable name)."""
        hit = self._cache.get(va)
        if hit is None:
            hit = canonical_name(self._name(va))
            if len(self._cache) < 1 << 20:
                self._cache[va] = hit
        return hit

    def _name(self, va: int) -> str:
        if self.pclntab is not None:
            i = self.pclntab.index_at(va)
            if i is not None:
                name, entry = self.pclntab.name(i), int(self.pclntab.entries[i])
                return name if va == entry else f"{name}+{va - entry:#x}"
        sec = self._sec(va)
        if self.symbols is not None:
            s = self.symbols.lookup(va)
            if s is not None and s.size > 0 and (not s.section or sec is None or s.section == sec[2]):
                if s.name.endswith("*") or s.name in MARKERS:  # containers and markers: offsets move
                    return f"{s.name}+?"
                return s.name if va == s.addr else f"{s.name}+{va - s.addr:#x}"
        if sec is None:
            return f"{va:#x}"
        if self.is_code(va) and sec[2] not in self._go_code:  # stubs, PLT: offsets inside are stable
            imported = self._plt_import(va, sec)
            return imported or f"{sec[2]}+{va - sec[0]:#x}"
        if sec[2].split(",")[-1] in VARIABLE_SECTIONS:
            return "[variables]+?"  # a variable with a value and one without live in different sections
        if sec[2].split(",")[-1] in READ_ONLY_SECTIONS:
            return "[read-only data]+?"  # PIE moves what holds pointers (types, jump tables) to relro
        return f"{sec[2]}+?"


# Where Go's package variables live: initialised or zero, with or without pointers. A variable set by
# the linker (runtime.defaultGOROOT, unset under -trimpath) or initialised in one build only moves
# between them while the code that reads it stays the same, so section placeholders do not tell them apart.
VARIABLE_SECTIONS = section_names("data", "noptrdata", "bss")
# Where read-only data lives: an executable keeps the type descriptors, func values and jump tables
# in .rodata (Go 1.27: .go.type, .go.func), a position-independent build in .data.rel.ro (the
# dynamic loader relocates their pointers), so the same code reads the same object elsewhere.
READ_ONLY_SECTIONS = section_names("rodata", "relro", "go-type", "go-func")

CGO_PREFIX = re.compile(r"_cgo_[0-9a-f]{12}_")


def canonical_name(name: str) -> str:
    """A symbol name without cgo's per-package hash (``_cgo_7a134ecf3ecd_Cfunc_add`` -> ``_cgo_Cfunc_add``):
    the hash follows the package's source, so it changes with any edit to the cgo file."""
    return CGO_PREFIX.sub("_cgo_", name)
