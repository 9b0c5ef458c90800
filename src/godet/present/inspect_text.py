"""``godet inspect``: facts grouped for reading at a glance, notable ones highlighted.

The buildinfo block is printed exactly as ``go version -m`` prints it, so it can be compared
line for line. Colour only on a terminal; plain text when piped or with NO_COLOR.
"""

from __future__ import annotations

import time
from typing import Any

from godet.present import safe
from godet.present.safe import Console, Text
from godet.read.facts import BinaryFacts
from godet.read.formats import by_key

WARN = "bold yellow"
BAD = "bold red"
OK = "green"
DIM = "dim"
LABEL_WIDTH = 14


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


class InspectText:
    """Rich text, one block per file."""

    def __init__(self, color: bool = False, functions: bool = False, **_: Any) -> None:
        self.color = color
        self.functions = functions

    def render(self, report: list[BinaryFacts]) -> str:
        con = safe.console(self.color)
        for i, f in enumerate(report):
            if i:
                con.print()
            self._one(con, f)
        return con.output()

    def _row(self, con: Console, label: str, value: Text | str, style: str = "") -> None:
        line = Text(f"  {label:<{LABEL_WIDTH}}", style="bold")
        line.append(Text(value, style=style) if isinstance(value, str) else value)
        con.print(line)

    def _one(self, con: Console, f: BinaryFacts) -> None:
        title = Text(f.path + (f"[{f.slice}]" if f.slice else ""), style="bold underline")
        con.print(title)
        endian = "big-endian" if f.big_endian else "little-endian"
        self._row(
            con,
            "container",
            f"{by_key(f.format).name} {f.os}/{f.arch} "
            f"({f.kind}, {endian}, {f.ptr_size * 8}-bit), {_size(f.size)}",
        )
        self._row(con, "sha256", f.sha256, DIM)
        if f.package is not None:
            self._package(con, f.package)
        if not f.is_go:
            self._row(con, "Go", "not a Go executable (no buildinfo, Go build ID or pclntab)", BAD)
        else:
            problem = getattr(f, "buildinfo_problem", None)
            if problem:
                version = f"{f.go_version} (from runtime.buildVersion)" if f.go_version else "unknown"
                self._row(con, "Go version", version, WARN)
                self._row(con, "buildinfo", problem, BAD)
            else:
                self._row(con, "Go version", f.go_version or "unknown (no buildinfo)")
        self._ids(con, f)
        if f.buildinfo is not None:
            self._buildinfo(con, f)
        self._symbols(con, f)
        self._dwarf(con, f)
        self._pclntab(con, f)
        self._paths(con, f)
        self._linkage(con, f)
        for note in f.notes:
            self._row(con, "note", note, WARN)

    def _package(self, con: Console, p: dict[str, Any]) -> None:
        """The package the binary came in: its version, changelog epoch and recorded environment."""
        source = f" (source {p['source_version']})" if p["source_version"] != p["version"] else ""
        self._row(con, "package", f"{p['format']} {p['name']} {p['version']}{source}")
        log = p["latest_changelog"]
        if log is not None:
            when = (
                time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(log["time"]))
                if log["time"] < 2**33
                else log["time"]
            )
            self._row(con, "changelog", f"latest entry {log['version']}, {when} (its SOURCE_DATE_EPOCH)")
        for key, value in {**p["build_environment"], **p["build_stamp"]}.items():
            self._row(con, key, value if len(value) <= 200 else value[:197] + "…", DIM)

    def _ids(self, con: Console, f: BinaryFacts) -> None:
        if f.go_build_id is not None:
            src = "ELF note" if f.go_build_id.source == "note" else "text header"
            self._row(con, "Go build ID", Text(f.go_build_id.value).append(f"  ({src})", style=DIM))
        elif f.is_go:
            self._row(con, "Go build ID", "absent (-ldflags=-buildid=)", WARN if f.os == "darwin" else "")
        if f.gnu_build_id is not None:
            self._row(con, "GNU build ID", f.gnu_build_id.hex)
        if f.macho_uuid:
            self._row(con, "Mach-O UUID", f.macho_uuid)
        if f.pe_timestamp is not None:  # (a PE file)
            ts = f.pe_timestamp or 0
            self._row(con, "PE timestamp", str(ts) if ts else "0 (reproducible)", WARN if ts else OK)
        if f.code_signature:
            self._row(
                con, "code sig.", f"{f.code_signature['size']:,} bytes at {f.code_signature['offset']:#x}"
            )

    def _buildinfo(self, con: Console, f: BinaryFacts) -> None:
        bi = f.buildinfo
        where = (
            f"the runtime's copies (runtime.buildVersion's header at {bi.offset:#x}; the linker's blob is "
            "absent); as go version -m would print them:"
            if bi.format == "runtime"
            else f"{bi.format} format at {bi.offset:#x}; as go version -m:"
        )
        self._row(con, "buildinfo", Text(where, style=DIM))
        for line in bi.to_go_text(safe.text(f.path)).rstrip("\n").split("\n"):
            if not self.color:
                # byte for byte what go version -m prints (tabs kept), so the two can be diffed
                con.raw_line(line, keep="\t")
                continue
            style = ""
            if "\tvcs" in line:
                style = BAD if "vcs.modified=true" in line else WARN
            elif "\t-ldflags=" in line and "-X" in line:
                style = WARN
            con.print(Text(line, style=style))

    def _symbols(self, con: Console, f: BinaryFacts) -> None:
        s = f.symbols
        if s.present:
            self._row(con, "symbols", f"present: {s.count:,} in {s.source}", WARN)
        elif s.count:  # (a stripped Mach-O keeps the symbols it imports)
            self._row(con, "symbols", f"stripped ({s.count:,} imported only, in {s.source})", OK)
        else:
            self._row(con, "symbols", "stripped (no symbol table)", OK)

    def _dwarf(self, con: Console, f: BinaryFacts) -> None:
        d = f.dwarf
        if not d.present:
            self._row(con, "DWARF", "absent", OK)
            return
        bits = [
            f"v{d.version}" if d.version else "version ?",
            "compressed" if d.compressed else "uncompressed",
        ]
        bits.append(f"{len(d.cus)} CUs")
        self._row(con, "DWARF", "present: " + ", ".join(bits), WARN)
        for prod, n in sorted(d.producers.items(), key=lambda kv: -kv[1])[:6]:
            self._row(con, "", Text(f"producer  {prod}  ({n} CUs)", style=DIM))

    def _pclntab(self, con: Console, f: BinaryFacts) -> None:
        p = f.pclntab
        if p is None:
            if f.is_go:
                self._row(con, "pclntab", "not found", WARN)
            return
        self._row(
            con,
            "pclntab",
            f"Go {p.version} layout at {p.offset:#x}: {len(p):,} functions, {len(p.files):,} source files",
        )
        if self.functions:
            for fn in p.funcs:
                con.print(Text(f"    {fn.entry:#x}-{fn.end:#x}  {fn.name}", style=DIM))

    def _paths(self, con: Console, f: BinaryFacts) -> None:
        if not f.paths:
            if f.is_go:
                self._row(con, "paths", "no build-machine paths embedded", OK)
            return
        for i, p in enumerate(f.paths):
            style = WARN if p.kind in ("build-dir", "goroot", "module-cache", "gopath", "home") else ""
            if p.kind in ("cgo-work", "link-work"):
                style = BAD
            line = Text(f"{p.kind:<13}", style=style)
            line.append(p.path, style=style)
            line.append(f"  ({', '.join(p.where)}; {p.count:,}×)", style=DIM)
            self._row(con, "paths" if i == 0 else "", line)

    def _linkage(self, con: Console, f: BinaryFacts) -> None:
        lk = f.linkage
        if lk.static:
            self._row(con, "linkage", "static", OK)
        else:
            parts = []
            if lk.interpreter:
                parts.append(f"interpreter {lk.interpreter}")
            libs = lk.needed or lk.pe_imports or lk.dylibs
            if libs:
                parts.append("needs " + ", ".join(libs))
            # worth a warning where Go links statically unless told otherwise (not macOS, Windows)
            warn = WARN if by_key(f.format).static_by_default else ""
            self._row(con, "linkage", "dynamic: " + "; ".join(parts), warn)
        if lk.rpath or lk.runpath:
            self._row(con, "", f"rpath {lk.rpath} runpath {lk.runpath}", WARN)
        c = f.cgo
        if c.uses_cgo:
            self._row(con, "cgo", "yes: " + "; ".join(c.evidence[:4]), WARN)
            for cm in c.comment:
                self._row(con, "", Text(f".comment  {cm}", style=DIM))
        elif f.is_go:
            self._row(con, "cgo", "no", OK)
