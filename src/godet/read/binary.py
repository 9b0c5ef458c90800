"""One opened executable: the mapped image plus its facts, each extracted on first use.

A command that needs only the build ID never touches DWARF: every fact is a cached property
that calls one extractor module. An extractor that fails on malformed bytes does not take the
others down: the failure becomes a note on the binary and the fact reads as absent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from godet.errors import FormatError, GodetError
from godet.read.image import Image, MappedFile, open_images

if TYPE_CHECKING:
    from godet.read.addrnames import Namer
    from godet.read.buildid import GnuBuildID, GoBuildID
    from godet.read.buildinfo import BuildInfo
    from godet.read.dwarf import DwarfSummary
    from godet.read.embed import EmbedTable
    from godet.read.fipsinfo import FipsInfo
    from godet.read.gcprog import GcProgram
    from godet.read.linkage import CgoEvidence, Linkage
    from godet.read.paths import EmbeddedPath
    from godet.read.pclntab import Pclntab
    from godet.read.strdata import StringHeaders
    from godet.read.symbols import SymbolTable
    from godet.read.xflags import XString, XValue

T = TypeVar("T")

# What an extractor may raise on hostile bytes; anything else is a bug and propagates.
EXTRACTOR_ERRORS = (FormatError, ValueError, KeyError, IndexError, EOFError, OverflowError, UnicodeError)


class Binary:
    """A Go (or not) executable image with lazily extracted facts."""

    def __init__(
        self, path: str, image: Image, file_sha256: Callable[[], str], slice_label: str = ""
    ) -> None:
        self.path = path
        self.image = image
        self.slice_label = slice_label  # e.g. "arm64" for a fat Mach-O slice
        self.notes: list[str] = []
        self._file_sha256 = file_sha256
        self.buildinfo_problem: str | None = None  # "present at 0x… but corrupt: …"

    @property
    def label(self) -> str:
        return f"{self.path}[{self.slice_label}]" if self.slice_label else self.path

    def _guard(self, what: str, fn: Callable[[], T], default: T) -> T:
        try:
            return fn()
        except EXTRACTOR_ERRORS as e:
            self.notes.append(f"{what}: unreadable ({e}); shown as absent")
            return default

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of the file; "" (with a note) when the file is too large to hash (MAX_HASH_SIZE)."""
        digest = self._file_sha256()
        if not digest:
            from godet.read.image import MAX_HASH_SIZE

            self.notes.append(
                f"sha256: not computed, the file is larger than {_gib(MAX_HASH_SIZE)} "
                "(godet never reads such a file whole)"
            )
        return digest

    @cached_property
    def buildinfo(self) -> BuildInfo | None:
        """The buildinfo blob; None when absent, or when corrupt (then ``buildinfo_problem`` says
        where it is and what is wrong, and a note says so). A Go program whose blob was removed
        after the build gets the runtime's copies instead (format "runtime", with a note)."""
        from godet.read.buildinfo import CorruptBuildInfo, read_buildinfo, recover_buildinfo

        def read() -> BuildInfo | None:
            try:
                found = read_buildinfo(self.image)
                if found is None and self.pclntab is not None:
                    found = recover_buildinfo(self.image)
                    if found is not None:
                        self.notes.append(
                            "buildinfo: the linker's blob is absent (go version -m cannot read this file); "
                            "the Go version and modinfo are the runtime's copies "
                            "(runtime.buildVersion, runtime.modinfo)"
                        )
                return found
            except CorruptBuildInfo as e:
                self.buildinfo_problem = str(e)
                self.notes.append(f"buildinfo: {e}; its facts are shown as absent")
                return None
            except EXTRACTOR_ERRORS as e:
                self.buildinfo_problem = f"unreadable: {e}"
                raise  # (the guard notes it)

        return self._guard("buildinfo", read, None)

    @cached_property
    def go_version(self) -> str | None:
        """The Go version from buildinfo; when the buildinfo is corrupt, from the runtime.buildVersion
        string (through the symbol table; a stripped binary has no such symbol)."""
        if self.buildinfo is not None:
            return self.buildinfo.go_version
        if self.buildinfo_problem is None:
            return None
        from godet.read.buildinfo import build_version

        version = self._guard("runtime.buildVersion", lambda: build_version(self.image, self.symbols), None)
        if version is not None:
            self.notes.append(
                f"Go version {version} read from runtime.buildVersion (the buildinfo is corrupt)"
            )
        return version

    @cached_property
    def go_build_id(self) -> GoBuildID | None:
        from godet.read.buildid import read_go_build_id

        return self._guard("Go build ID", lambda: read_go_build_id(self.image), None)

    @cached_property
    def gnu_build_id(self) -> GnuBuildID | None:
        from godet.read.buildid import read_gnu_build_id

        return self._guard("GNU build ID", lambda: read_gnu_build_id(self.image), None)

    @cached_property
    def fipsinfo(self) -> FipsInfo | None:
        """The linker's FIPS 140 record (go:fipsinfo, Go 1.24+), if the program has a FIPS module."""
        from godet.read.fipsinfo import read_fipsinfo

        return self._guard("go:fipsinfo", lambda: read_fipsinfo(self.image), None)

    @cached_property
    def symbols(self) -> SymbolTable:
        from godet.read.symbols import SymbolTable, read_symbols

        return self._guard("symbol table", lambda: read_symbols(self.image), SymbolTable.absent())

    @cached_property
    def pclntab(self) -> Pclntab | None:
        from godet.read.pclntab import read_pclntab

        return self._guard("pclntab", lambda: read_pclntab(self.image, self.symbols), None)

    @cached_property
    def dwarf(self) -> DwarfSummary:
        from godet.read.dwarf import DwarfSummary, read_dwarf

        return self._guard("DWARF", lambda: read_dwarf(self.image), DwarfSummary.absent())

    def function_at(self, off: int) -> int | None:
        """The pclntab index of the Go function whose code holds file offset ``off``, or None."""
        sec = self.image.section_at(off) if off >= 0 else None
        tab = self.pclntab
        if tab is None or sec is None or not sec.executable:
            return None
        return tab.index_at(sec.addr + off - sec.offset)

    @cached_property
    def gc_programs(self) -> list[GcProgram]:
        """The GC programs of .data and .bss that moduledata points at (read/gcprog.py)."""
        from godet.read.gcprog import gc_programs

        return self._guard("GC programs", lambda: gc_programs(self.image, self.pclntab), [])

    @cached_property
    def modinfo_copies(self) -> list[int]:
        """File offsets of the modinfo text: where buildinfo's own range starts (in some releases at
        the 16-byte marker before the text), then up to 3 more copies in file order (the runtime's
        modinfo variable holds one in read-only data), found by the text's first 256 bytes in the
        sections that are not code and confirmed whole."""
        bi = self.buildinfo
        text = bi.modinfo.encode("utf-8", "surrogateescape") if bi is not None else b""
        if bi is None or not text:
            return []
        bases = [bi.modinfo_range[0]]
        probe = text[:256]
        data = [(s.offset, s.end) for s in self.image.sections if s.in_file and not s.executable]
        for lo, hi in sorted(data) or [(0, self.image.size)]:  # (Go keeps no data in code)
            hit = self.image.find(probe, lo, hi)
            while hit >= 0 and len(bases) < 4:
                if hit not in bases:
                    bases.append(hit)
                hit = self.image.find(probe, hit + 1, hi)
        return [bases[0]] + [b for b in bases[1:] if bytes(self.image.data[b : b + len(text)]) == text]

    @cached_property
    def linkage(self) -> Linkage:
        from godet.read.linkage import Linkage, read_linkage

        return self._guard("linkage", lambda: read_linkage(self.image), Linkage.unknown())

    @cached_property
    def cgo(self) -> CgoEvidence:
        from godet.read.linkage import CgoEvidence, read_cgo

        return self._guard("cgo evidence", lambda: read_cgo(self), CgoEvidence.none())

    @cached_property
    def paths(self) -> list[EmbeddedPath]:
        from godet.read.paths import find_paths

        return self._guard("embedded paths", lambda: find_paths(self), [])

    # ---------------------------------------------------------------- data facts (issue 9: content)
    # Found by the shapes Go gives them; shared by diff's content detectors and check's rules.

    @cached_property
    def string_headers(self) -> StringHeaders:
        """Every plausible Go string header ({ptr, len}) in writable data (see read/strdata.py)."""
        from godet.read.strdata import StringHeaders, find_string_headers

        return self._guard("string headers", lambda: find_string_headers(self), StringHeaders.empty())

    @cached_property
    def go_strings(self) -> tuple[int, int] | None:
        """Address range of the Go string literals, by the symbol table (see read/strdata.py)."""
        from godet.read.strdata import go_string_span

        return self._guard("string literals", lambda: go_string_span(self), None)

    @cached_property
    def literal_blob(self) -> tuple[int, int] | None:
        """``go_strings``, or without symbols its estimate from static string headers (read/strdata.py)."""
        from godet.read.strdata import estimate_go_string_span

        if self.go_strings is not None:
            return self.go_strings
        return self._guard("string literals", lambda: estimate_go_string_span(self), None)

    def among_literals(self, lo: int, hi: int) -> bool:
        """Whether the virtual range [lo, hi) lies in the blob of Go string literals (literal_blob),
        where a literal in the source puts a string, and an -ldflags -X value never does (the linker
        writes it past them, in ``<var>.str``)."""
        blob = self.literal_blob
        return blob is not None and blob[0] <= lo <= hi <= blob[1]

    @cached_property
    def embed_tables(self) -> list[EmbedTable]:
        """The ``embed.FS`` file tables (see read/embed.py)."""
        from godet.read.embed import find_embed_tables

        return self._guard("embed.FS tables", lambda: find_embed_tables(self), [])

    @cached_property
    def x_strings(self) -> dict[str, XString]:
        """-X strings read back from the linker's ``NAME.str`` symbols, by variable (read/xflags.py)."""
        from godet.read.xflags import x_strings

        return self._guard("-X strings", lambda: x_strings(self), {})

    @cached_property
    def x_values(self) -> tuple[list[XValue], str]:
        """The -X assignments (from buildinfo's -ldflags, else from symbols) and their source."""
        from godet.read.xflags import x_values

        return self._guard("-X values", lambda: x_values(self), ([], "none"))

    @cached_property
    def namer(self) -> Namer:
        """Names of virtual addresses that do not move with layout (read/addrnames.py)."""
        from godet.read.addrnames import Namer

        return Namer(self)

    @cached_property
    def section_namer(self) -> Namer:
        """Names from pclntab and sections only: the symbol table is not read (see pair_namers)."""
        from godet.read.addrnames import Namer

        return Namer(self, symbols=False)

    # ---------------------------------------------------------------- end of data facts

    @property
    def is_go(self) -> bool:
        """A Go executable has buildinfo, a Go build ID or a pclntab."""
        return self.buildinfo is not None or self.go_build_id is not None or self.pclntab is not None

    def facts(self) -> BinaryFacts:
        """Materialise every fact (for inspect); the result outlives the mapping."""
        from godet.read.facts import collect_facts

        return collect_facts(self)


if TYPE_CHECKING:
    from godet.read.facts import BinaryFacts


def _gib(n: int) -> str:
    return f"{n / (1 << 30):.1f} GiB"


def _hasher(mapped: MappedFile) -> Callable[[], str]:
    """The file's SHA-256, computed once on first use (streamed: see MappedFile.sha256); callers in
    other threads wait for the first one instead of hashing again."""
    memo: list[str] = []
    lock = threading.Lock()

    def digest() -> str:
        with lock:
            if not memo:
                memo.append(mapped.sha256())
            return memo[0]

    return digest


def hash_in_background(binary: Binary) -> threading.Thread:
    """Start hashing the binary's file in a thread (hashlib and preadv release the GIL, so the hash
    costs no wall time on a second core while the binary is parsed); ``binary.sha256`` waits for it."""
    t = threading.Thread(target=binary._file_sha256, daemon=True)
    t.start()
    return t


@contextmanager
def open_binaries(path: str) -> Iterator[list[Binary]]:
    """Open ``path`` read-only and yield its Binary objects (one per fat Mach-O slice).

    Raises GodetError subclasses for unreadable input; the mapping is released on exit.
    """
    mapped = MappedFile(path)
    try:
        images = open_images(mapped)
        digest = _hasher(mapped)
        multi = len(images) > 1
        binaries = [Binary(path, im, digest, slice_label=im.arch if multi else "") for im in images]
        yield binaries
    finally:
        for b in locals().get("binaries", []) or []:
            b.__dict__.clear()
        mapped.close()


def open_one(path: str) -> Any:  # pragma: no cover - convenience for interactive use
    """Open a single-image file and return its Binary (the mapping stays open)."""
    mapped = MappedFile(path)
    images = open_images(mapped)
    if len(images) != 1:
        raise GodetError(path, f"has {len(images)} slices; use open_binaries")
    return Binary(path, images[0], _hasher(mapped))
