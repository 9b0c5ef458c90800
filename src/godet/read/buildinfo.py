"""Buildinfo: the Go version and module/settings text that ``go version -m`` prints.

Reader: ``src/debug/buildinfo/buildinfo.go``; text format: ``src/runtime/debug/mod.go``;
printing: ``src/cmd/go/internal/version/version.go`` (go-binary-formats.md §2).

Strings read from the file are Go strings (arbitrary bytes): they are decoded as UTF-8 with
``surrogateescape``, so every byte survives; :meth:`BuildInfo.to_go_json` turns each invalid
byte into U+FFFD as Go's encoding/json does, :meth:`BuildInfo.to_go_text` keeps the bytes.
Offsets are positions in ``image.data`` (for a fat Mach-O slice, add ``image.slice_offset``).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from godet.errors import FormatError
from godet.read.buildid import go_unquote
from godet.read.bytesview import ByteView
from godet.read.image import Image

MAGIC = b"\xff Go buildinf:"
HEADER_SIZE = 32
ALIGN = 16
FLAG_BIG_ENDIAN = 0x1
FLAG_INLINE = 0x2
SENTINEL_LEN = 16
# cmd/go wraps the modinfo text in these (modload.ModInfoData), in the blob and in runtime.modinfo
MODINFO_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
MODINFO_END = bytes.fromhex("f932433186182072008242104116d8f2")
SCAN_LIMIT = 256 << 20  # bytes searched for the magic, in all
MAX_HITS = 64  # candidates tried per searched range
# Longest strings accepted (a Go version is ~50 bytes; the modinfo of a big program ~100 KiB).
MAX_STRING = {"Go version": 4096, "version": 4096, "modinfo": 64 << 20}
_MAGIC_RE = re.compile(re.escape(MAGIC))
_EXPERIMENT = re.compile(r"^(.*?)[ -]X:(.*)$", re.S)


def _dec(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def _enc(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _json_str(s: str) -> str:
    """A Go string as encoding/json writes it: every invalid UTF-8 byte becomes U+FFFD."""
    if not any("\udc80" <= c <= "\udcff" for c in s):
        return s
    return "".join("\ufffd" if "\udc80" <= c <= "\udcff" else c for c in s)


# --------------------------------------------------------------------------------------------
# data


@dataclass(frozen=True)
class Module:
    """A module line (``mod``/``dep``) and its ``=>`` replacement."""

    path: str
    version: str
    sum: str = ""
    replace: Module | None = None

    @property
    def is_zero(self) -> bool:
        return not (self.path or self.version or self.sum or self.replace)

    def to_go_json(self) -> dict:
        """runtime/debug.Module as encoding/json writes it (every field omitempty)."""
        out: dict = {}
        if self.path:
            out["Path"] = _json_str(self.path)
        if self.version:
            out["Version"] = _json_str(self.version)
        if self.sum:
            out["Sum"] = _json_str(self.sum)
        if self.replace is not None:
            out["Replace"] = self.replace.to_go_json()
        return out


# Experiments that change only the debug info, not the compiled code or data. Measured: a program
# using encoding/json and net/http, built by go1.27.3 with and without GOEXPERIMENT=nodwarf5, has a
# .text of the same size whose differing bytes are address operands (the version string, longer by
# " X:nodwarf5", moved the data after it); arenas, jsonv2 and cgocheck2 change the code.
DEBUG_INFO_EXPERIMENTS = frozenset({"dwarf5"})


@dataclass(frozen=True)
class BuildInfo:
    """The decoded ``.go.buildinfo`` blob and where its pieces are in the file.

    ``version_range``/``modinfo_range`` are (offset, length) of the two strings as stored,
    the modinfo including its two 16-byte sentinels ((0, 0) when there is no modinfo string).
    ``other_lines`` are modinfo lines ParseBuildInfo would not understand (kept, not dropped).
    """

    go_version: str
    path: str
    main: Module | None
    deps: tuple[Module, ...]
    settings: tuple[tuple[str, str], ...]
    modinfo: str
    format: str  # "inline" (Go >= 1.18) | "pointer" (Go 1.13-1.17)
    offset: int
    version_range: tuple[int, int]
    modinfo_range: tuple[int, int]
    other_lines: tuple[str, ...] = ()

    def setting(self, key: str) -> str | None:
        """The value of the first ``build`` setting ``key``, or None."""
        for k, v in self.settings:
            if k == key:
                return v
        return None

    @property
    def base_version(self) -> str:
        """The Go version without its GOEXPERIMENT suffix ("go1.27.3")."""
        m = _EXPERIMENT.match(self.go_version)
        return m.group(1) if m else self.go_version

    @property
    def experiments(self) -> tuple[str, ...]:
        """The experiments of a `` X:a,b`` (to 1.25) or ``-X:a,b`` (1.26+) version suffix."""
        m = _EXPERIMENT.match(self.go_version)
        return tuple(e for e in m.group(2).split(",") if e) if m else ()

    def experiments_differing(self, other: BuildInfo) -> set[str]:
        """The experiments set in one build and not the other, by name (``nodwarf5`` is ``dwarf5``)."""
        return {e.removeprefix("no") for e in set(self.experiments) ^ set(other.experiments)}

    @property
    def end(self) -> int:
        """File offset just past the blob (inline format), or past the 32-byte header."""
        if self.format == "inline" and self.modinfo_range != (0, 0):
            return self.modinfo_range[0] + self.modinfo_range[1]
        return self.offset + HEADER_SIZE

    def to_go_json(self) -> dict:
        """Exactly what ``go version -m -json`` prints, as a dict (runtime/debug.BuildInfo)."""
        out: dict = {}
        if self.go_version:
            out["GoVersion"] = _json_str(self.go_version)
        if self.path:
            out["Path"] = _json_str(self.path)
        out["Main"] = self.main.to_go_json() if self.main is not None else {}
        if self.deps:
            out["Deps"] = [d.to_go_json() for d in self.deps]
        if self.settings:
            settings = []
            for k, v in self.settings:
                s = {}
                if k:
                    s["Key"] = _json_str(k)
                if v:
                    s["Value"] = _json_str(v)
                settings.append(s)
            out["Settings"] = settings
        return out

    def modinfo_string(self) -> str:
        """runtime/debug.BuildInfo.String without the ``go`` line (what ``go version -m`` indents)."""
        lines: list[str] = []
        if self.path:
            lines.append(f"path\t{self.path}")

        def fmt(word: str, m: Module) -> None:
            if m.replace is None:
                lines.append(f"{word}\t{m.path}\t{m.version}\t{m.sum}")
            else:
                # Go writes the replacement's line and then its own newline: an empty line follows.
                lines.append(f"{word}\t{m.path}\t{m.version}")
                fmt("=>", m.replace)
                lines.append("")

        if self.main is not None and not self.main.is_zero:
            fmt("mod", self.main)
        for d in self.deps:
            fmt("dep", d)
        for k, v in self.settings:
            key = go_quote(k) if _quote_key(k) else k
            value = go_quote(v) if _quote_value(v) else v
            lines.append(f"build\t{key}={value}")
        return "".join(line + "\n" for line in lines)

    def to_go_text(self, path: str) -> str:
        """Exactly what ``go version -m PATH`` prints (with the final newline)."""
        out = f"{path}: {self.go_version}\n"
        mod = self.modinfo_string()
        if mod:
            out += "\t" + mod[:-1].replace("\n", "\n\t") + "\n"
        return out

    def to_json(self) -> dict:
        """godet's view: :meth:`to_go_json` plus where the blob and its strings are."""
        out = self.to_go_json()
        out.update(
            {
                "format": self.format,
                "offset": self.offset,
                "version_range": list(self.version_range),
                "modinfo_range": list(self.modinfo_range),
                "base_version": _json_str(self.base_version),
                "experiments": [_json_str(e) for e in self.experiments],
            }
        )
        if self.other_lines:
            out["other_lines"] = [_json_str(x) for x in self.other_lines]
        return out


# --------------------------------------------------------------------------------------------
# modinfo text (runtime/debug/mod.go)


def _quote_key(key: str) -> bool:
    return not key or any(c in key for c in '= \t\r\n"`')


def _quote_value(value: str) -> bool:
    return any(c in value for c in ' \t\r\n"`')


_HEX = "0123456789abcdef"
_ESC = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}


def _is_print(r: str) -> bool:
    """unicode.IsPrint: letters, marks, numbers, punctuation, symbols and U+0020."""
    o = ord(r)
    if o <= 0xFF:
        return 0x20 <= o <= 0x7E or (0xA1 <= o <= 0xFF and o != 0xAD)
    return r.isprintable()


def go_quote(s: str) -> str:
    """Go's ``strconv.Quote`` (a surrogate-escaped byte is written ``\\xNN``, as Go does)."""
    b = _enc(s)
    out = ['"']
    i = 0
    n = len(b)
    while i < n:
        c = b[i]
        if c < 0x80:
            r, width = chr(c), 1
        else:
            r, width = "", 1
            for size in (2, 3, 4):
                try:
                    r, width = b[i : i + size].decode("utf-8"), size
                    break
                except UnicodeDecodeError:
                    continue
            if not r:
                out.append("\\x" + _HEX[c >> 4] + _HEX[c & 0xF])
                i += 1
                continue
        i += width
        o = ord(r)
        if r in ('"', "\\"):
            out.append("\\" + r)
        elif _is_print(r):
            out.append(r)
        elif o in _ESC:
            out.append(_ESC[o])
        elif o < 0x20 or o == 0x7F:
            out.append("\\x" + _HEX[o >> 4] + _HEX[o & 0xF])
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def _unquote(s: str) -> str | None:
    try:
        return _dec(go_unquote(_enc(s)))
    except ValueError:
        return None


def _quoted_prefix(s: str) -> int | None:
    """Length of the quoted literal at the start of ``s`` (strconv.QuotedPrefix), or None."""
    q = s[0]
    if q == "`":
        j = s.find("`", 1)
        end = j + 1 if j > 0 else None
    else:
        end = None
        i = 1
        while i < len(s):
            c = s[i]
            if c == q:
                end = i + 1
                break
            if c == "\n":
                break
            i += 2 if c == "\\" else 1
    if end is None or _unquote(s[:end]) is None:
        return None
    return end


def _build_line(kv: str) -> tuple[str, str] | None:
    """The (key, value) of a ``build`` line's text, or None where ParseBuildInfo fails."""
    if not kv or kv[0] == "=":
        return None
    if kv[0] in '`"':
        n = _quoted_prefix(kv)
        if n is None or len(kv) == n or kv[n] != "=":
            return None
        key = _unquote(kv[:n])
        raw = kv[n + 1 :]
    else:
        key, sep, raw = kv.partition("=")
        if not sep:
            return None
    assert key is not None
    value = raw
    if raw and raw[0] in '`"':
        value = _unquote(raw)
        if value is None:
            return None
    return key, value


@dataclass
class _Mod:
    path: str
    version: str
    sum: str = ""
    replace: Module | None = None

    def freeze(self) -> Module:
        return Module(self.path, self.version, self.sum, self.replace)


def _module_line(rest: str) -> _Mod | None:
    elem = rest.split("\t")
    if len(elem) not in (2, 3):
        return None
    return _Mod(elem[0], elem[1], elem[2] if len(elem) == 3 else "")


_Parsed = tuple[str, Module | None, tuple[Module, ...], tuple[tuple[str, str], ...], tuple[str, ...]]


def _parse(text: str) -> _Parsed:
    path = ""
    main: _Mod | None = None
    deps: list[_Mod] = []
    settings: list[tuple[str, str]] = []
    other: list[str] = []
    last: _Mod | None = None
    lines = text.split("\n")
    # Go drops a final line without its newline (strings.Cut finds no separator).
    for line in lines[:-1]:
        if line.startswith("path\t"):
            path = line[5:]
            continue
        if line.startswith(("mod\t", "dep\t")):
            m = _module_line(line[4:])
            if m is not None:
                if line[0] == "m":
                    main = m
                else:
                    deps.append(m)
                last = m
                continue
        elif line.startswith("=>\t"):
            elem = line[3:].split("\t")
            if len(elem) == 3 and last is not None:
                last.replace = Module(elem[0], elem[1], elem[2])
                last = None
                continue
        elif line.startswith("build\t"):
            kv = _build_line(line[6:])
            if kv is not None:
                settings.append(kv)
                continue
        if line:  # String() leaves an empty line after every replacement
            other.append(line)
    return (
        path,
        main.freeze() if main is not None else None,
        tuple(d.freeze() for d in deps),
        tuple(settings),
        tuple(other),
    )


def parse_modinfo(text: str) -> tuple[str, Module | None, tuple[Module, ...], tuple[tuple[str, str], ...]]:
    """The inverse of runtime/debug's BuildInfo.String: (path, main, deps, settings).

    Quoted keys and values are unquoted with strconv.Unquote semantics. Lines ParseBuildInfo
    rejects or does not know are skipped here (``BuildInfo.other_lines`` keeps them).
    """
    path, main, deps, settings, _ = _parse(text)
    return path, main, deps, settings


def strip_sentinels(mod: bytes) -> bytes:
    """The modinfo text inside its 16-byte sentinels, or b"" where debug/buildinfo gives up."""
    if len(mod) >= 2 * SENTINEL_LEN + 1 and mod[-SENTINEL_LEN - 1] == 0x0A:
        return mod[SENTINEL_LEN:-SENTINEL_LEN]
    return b""


# --------------------------------------------------------------------------------------------
# locating and decoding the blob


def _segment_end(image: Image, off: int) -> int:
    """End (file offset) of the loadable range holding ``off``: strings may not run past it."""
    for seg in image.segments:
        if seg.file_size and seg.offset <= off < seg.offset + seg.file_size:
            return min(seg.offset + seg.file_size, image.size)
    return image.size


def _va_of(image: Image, off: int) -> int | None:
    for seg in image.segments:
        if seg.file_size and seg.offset <= off < seg.offset + seg.file_size:
            return seg.addr + (off - seg.offset)
    sec = image.section_at(off)
    if sec is not None and sec.alloc:
        return sec.addr + (off - sec.offset)
    return None


def _decode_inline(view: ByteView, off: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """((offset, len) of the version, (offset, len) of the modinfo) after the header at ``off``."""
    pos = off + HEADER_SIZE
    ranges = []
    for what in ("Go version", "modinfo"):
        length, n = view.uvarint(pos)
        if length >= 1 << 64:
            raise FormatError(f"buildinfo {what} length at {pos:#x} overflows")
        pos += n
        if length > MAX_STRING[what]:
            raise FormatError(f"buildinfo {what} length {length} at {pos - n:#x} is implausible")
        if pos + length > view.size:
            raise FormatError(
                f"buildinfo {what} ({length} bytes at {pos:#x}) runs past the data end {view.size:#x}"
            )
        ranges.append((pos, length))
        pos += length
    return ranges[0], ranges[1]


def _read_go_string(image: Image, hdr_addr: int, ptr_size: int, big: bool, what: str) -> tuple[int, int]:
    """Follow a Go string header {data, len} at ``hdr_addr`` to (file offset, length) of its bytes."""
    hdr = image.read_va(hdr_addr, 2 * ptr_size)
    if hdr is None and image.zero_filled(hdr_addr, 2 * ptr_size):
        return 0, 0  # a string variable left at its zero value (Bazel's rules_go sets no modinfo)
    if hdr is None:
        raise FormatError(f"buildinfo {what} pointer {hdr_addr:#x} is not mapped in the file")
    fmt = (">" if big else "<") + ("Q" if ptr_size == 8 else "I") * 2
    data, length = struct.unpack(fmt, hdr)
    if length == 0:
        return 0, 0
    if length > MAX_STRING[what]:
        raise FormatError(f"buildinfo {what} length {length} is implausible")
    off = image.va_to_offset(data)
    if off is None or off + length > image.size:
        raise FormatError(f"buildinfo {what} string ({length} bytes at {data:#x}) is not in the file")
    return off, length


def _decode_at(image: Image, off: int) -> BuildInfo:
    """Decode the blob whose 32-byte header is at file offset ``off``; FormatError if it is corrupt."""
    view = ByteView(image.data[: _segment_end(image, off)], image.big_endian)
    view.check(off, HEADER_SIZE)
    header = view.bytes(off, HEADER_SIZE)
    flags = header[15]
    if flags & FLAG_INLINE:
        fmt = "inline"
        vr, mr = _decode_inline(view, off)
    else:
        fmt = "pointer"
        ptr_size = header[14]
        if ptr_size not in (4, 8):
            raise FormatError(f"buildinfo header at {off:#x} has pointer size {ptr_size}")
        big = bool(flags & FLAG_BIG_ENDIAN)
        p = struct.unpack_from((">" if big else "<") + ("Q" if ptr_size == 8 else "I") * 2, header, 16)
        vr = _read_go_string(image, p[0], ptr_size, big, "version")
        mr = _read_go_string(image, p[1], ptr_size, big, "modinfo")
    if not image.data[vr[0] : vr[0] + vr[1]]:
        raise FormatError(f"buildinfo at {off:#x} has an empty Go version")
    return _assemble(image, fmt, off, vr, mr)


def _assemble(image: Image, fmt: str, off: int, vr: tuple[int, int], mr: tuple[int, int]) -> BuildInfo:
    """The BuildInfo of a Go version and a modinfo string (with its sentinels) at file ranges
    ``vr`` and ``mr`` ((offset, length))."""
    vers = bytes(image.data[vr[0] : vr[0] + vr[1]])
    modinfo = _dec(strip_sentinels(bytes(image.data[mr[0] : mr[0] + mr[1]])))
    path, main, deps, settings, other = _parse(modinfo)
    return BuildInfo(
        go_version=_dec(vers),
        path=path,
        main=main,
        deps=deps,
        settings=settings,
        modinfo=modinfo,
        format=fmt,
        offset=off,
        version_range=vr,
        modinfo_range=mr,
        other_lines=other,
    )


def _plausible(bi: BuildInfo) -> bool:
    return bi.go_version.startswith(("go", "devel"))


def _magic_offsets(image: Image, start: int, end: int) -> Iterator[int]:
    """Every offset of the magic in ``[start, end)``: mmap.find when the image has the map (3x faster)."""
    if getattr(image, "mm", None) is None:
        yield from (m.start() for m in _MAGIC_RE.finditer(image.data, start, end))
        return
    pos = start
    while pos < end:
        hit = image.find(MAGIC, pos, end)
        if hit < 0:
            return
        yield hit
        pos = hit + 1


def _hits(image: Image, start: int, end: int, va: int | None) -> Iterator[int]:
    """File offsets of the magic in ``[start, end)`` at 16-byte-aligned addresses (at most MAX_HITS).

    ``va`` is the address of ``start``; None: look the address up per hit (file offset if unmapped).
    """
    aligned = 0
    for seen, off in enumerate(_magic_offsets(image, start, end), 1):
        addr = va + (off - start) if va is not None else _va_of(image, off)
        if (addr if addr is not None else off) % ALIGN == 0:
            yield off
            aligned += 1
        if aligned >= MAX_HITS or seen >= 16 * MAX_HITS:
            return


class CorruptBuildInfo(FormatError):
    """The buildinfo header is there (its magic at ``offset`` in the buildinfo section) but broken."""

    def __init__(self, offset: int, problem: str) -> None:
        super().__init__(f"present at {offset:#x} but corrupt: {problem}")
        self.offset = offset
        self.problem = problem


class _Budget:
    """Bytes still to be searched for the magic in one read_buildinfo call (a hostile file may
    claim a multi-GB data section, or be a sparse multi-GB file: godet never scans it whole)."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def span(self, start: int, end: int) -> tuple[int, int]:
        n = max(0, min(end - start, self.left))
        self.left -= n
        return start, start + n


def read_buildinfo(image: Image) -> BuildInfo | None:
    """The buildinfo blob of a Go executable, or None when there is none (not Go, or pre-1.13).

    Search order (§2.7): the format's buildinfo section (ELF ``.go.buildinfo``, the first data
    section of a PE file: ``ExecutableFormat.buildinfo_section``),
    where a corrupt blob raises :class:`CorruptBuildInfo` (with the header's offset); then every
    writable segment, then the whole file,
    where a hit that does not decode to a plausible blob is taken for a false hit and skipped.
    At most SCAN_LIMIT bytes are searched in all, and MAX_HITS candidates tried per range.
    """
    size = image.size
    budget = _Budget(SCAN_LIMIT)
    sec = image.fmt.buildinfo_section(image)
    if sec is not None and sec.size:
        start, end = budget.span(min(sec.offset, size), min(sec.offset + sec.size, size))
        for off in _hits(image, start, end, sec.addr if sec.alloc else None):
            try:
                return _decode_at(image, off)
            except FormatError as e:
                raise CorruptBuildInfo(off, str(e)) from None
    for seg in image.segments:
        if not (seg.writable and seg.file_size) or seg.executable:
            continue
        start, end = budget.span(min(seg.offset, size), min(seg.offset + seg.file_size, size))
        found = _first_valid(image, _hits(image, start, end, seg.addr))
        if found is not None:
            return found
    start, end = budget.span(0, size)
    return _first_valid(image, _hits(image, start, end, None))


def _first_valid(image: Image, offsets: Iterable[int]) -> BuildInfo | None:
    for off in offsets:
        try:
            bi = _decode_at(image, off)
        except FormatError:
            continue
        if _plausible(bi):
            return bi
    return None


# --------------------------------------------------------------------------------------------
# the fallback: runtime.buildVersion

MAX_VERSION = 256


def build_version(image: Image, symbols: Any) -> str | None:
    """The Go version in the ``runtime.buildVersion`` string variable, found through the symbol
    table (a Go string header {data, len} at the symbol's address); None when the symbol is absent
    (stripped binary) or its header or bytes are not a plausible Go version in the file."""
    sym = symbols.by_name("runtime.buildVersion") if symbols is not None else None
    if sym is None:
        return None
    ptr = image.ptr_size
    hdr = image.read_va(sym.addr, 2 * ptr)
    if hdr is None or ptr not in (4, 8):
        return None
    data, length = struct.unpack((">" if image.big_endian else "<") + ("Q" if ptr == 8 else "I") * 2, hdr)
    if not 0 < length <= MAX_VERSION:
        return None
    raw = image.read_va(data, length)
    if raw is None:
        return None
    version = _dec(raw)
    return version if version.startswith(("go1", "devel")) and version.isprintable() else None


# --------------------------------------------------------------------------------------------
# the runtime's copies, when the linker's blob is gone

# what the linker stores in runtime.buildVersion: a release, a pre-release or a development
# version, with the GOEXPERIMENT suffix it adds (" X:a,b" to 1.25, "-X:a,b" from 1.26)
_RUNTIME_VERSION = re.compile(
    rb"(?:go1\.\d+(?:\.\d+)?(?:rc\d+|beta\d+)?|devel [\x21-\x7e][\x20-\x7e]{0,120})(?:[ -]X:[\w,-]+)?"
)
_VERSION_STARTS = (b"go1.", b"devel ")
MAX_RUNTIME_CANDIDATES = 1 << 16  # version-looking strings tried (a hostile file may hold millions)
END_SENTINEL_SEARCH = 1 << 24  # bytes after modinfo's first sentinel searched for its last


def _version_candidates(image: Image, readonly: list[Any]) -> dict[int, int]:
    """Address -> file offset of each string in read-only data that starts like a Go version."""
    out: dict[int, int] = {}
    for sec in readonly:
        end = min(sec.offset + sec.size, image.size)
        for needle in _VERSION_STARTS:
            pos = sec.offset
            while len(out) < MAX_RUNTIME_CANDIDATES and (hit := image.find(needle, pos, end)) >= 0:
                out[sec.addr + hit - sec.offset] = hit
                pos = hit + 1
    return out


def _headers_to(image: Image, targets: dict[int, int], writable: list[Any]) -> Iterator[tuple[int, int, int]]:
    """(header offset, data offset, length) of each aligned Go string header {data, length} in
    ``writable`` sections whose data address is one of ``targets``."""
    import numpy as np

    ps = image.ptr_size
    if ps not in (4, 8) or not targets:
        return
    dt = np.dtype((">" if image.big_endian else "<") + ("u8" if ps == 8 else "u4"))
    wanted = np.fromiter(targets, dtype=np.uint64, count=len(targets))
    for sec in writable:
        skip = (-sec.addr) % ps
        count = (min(sec.offset + sec.size, image.size) - sec.offset - skip) // ps
        if count < 2:
            continue
        start = sec.offset + skip
        words = np.frombuffer(image.loaded(start, start + count * ps), dtype=dt, count=count)
        for i in np.flatnonzero(np.isin(words[:-1], wanted)).tolist():
            yield sec.offset + skip + i * ps, targets[int(words[i])], int(words[i + 1])


def recover_buildinfo(image: Image) -> BuildInfo | None:
    """The build information the runtime keeps when the ``.go.buildinfo`` blob is gone (a section
    removed after the build): the linker also writes the Go version into ``runtime.buildVersion``
    and the modinfo into ``runtime.modinfo``, two string variables whose headers {data, length}
    sit in writable data and point into read-only data. Found without symbols: the one version
    string such a header points at with its exact length, and the modinfo between its sentinels.
    None when there is no such version string, or two different ones."""
    readonly = [s for s in image.iter_sections(alloc_only=True) if s.in_file and not s.writable]
    writable = [s for s in image.iter_sections(alloc_only=True) if s.in_file and s.writable]
    found: dict[bytes, tuple[int, int, int]] = {}  # version -> (header offset, data offset, length)
    for hdr, off, length in _headers_to(image, _version_candidates(image, readonly), writable):
        raw = bytes(image.data[off : off + length]) if 0 < length <= MAX_VERSION else b""
        if raw and off + length <= image.size and _RUNTIME_VERSION.fullmatch(raw):
            found.setdefault(raw, (hdr, off, length))
    if len(found) != 1:
        return None
    _, (hdr, v_off, v_len) = next(iter(found.items()))
    return _assemble(image, "runtime", hdr, (v_off, v_len), _runtime_modinfo(image, readonly))


def _runtime_modinfo(image: Image, readonly: list[Any]) -> tuple[int, int]:
    """(file offset, length) of the modinfo string with its sentinels in read-only data, or (0, 0)."""
    for sec in readonly:
        end = min(sec.offset + sec.size, image.size)
        start = image.find(MODINFO_START, sec.offset, end)
        if start < 0:
            continue
        stop = image.find(MODINFO_END, start + SENTINEL_LEN, min(end, start + END_SENTINEL_SEARCH))
        if stop >= 0:
            return start, stop + SENTINEL_LEN - start
    return 0, 0
