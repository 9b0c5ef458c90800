"""Independent oracles: what the Go toolchain's own tools (and binutils' readelf) say about a file.

The go-based oracles use the pinned 1.27.3 toolchain with the same private GOCACHE as the builds
(``go tool nm``/``buildid`` are built on first use and then come from that cache) and are cached on
disk by the file's SHA-256. A tool that exits non-zero raises :class:`OracleError` with its stderr.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import gobuild


class OracleError(RuntimeError):
    """An oracle tool failed (non-zero exit); the message carries its stderr."""


def _run(cmd: list[str], *, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        cmd,
        env=env,
        capture_output=True,
        check=False,
        cwd=gobuild.CACHE_ROOT if gobuild.CACHE_ROOT.is_dir() else None,
    )
    if proc.returncode != 0:
        raise OracleError(
            f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode(errors='replace').strip()}"
        )
    # non-UTF-8 output exists: `go tool buildid` on a non-Go ELF prints the raw GNU build ID bytes
    return proc.stdout.decode("utf-8", errors="surrogateescape")


@functools.cache
def _go() -> tuple[gobuild.Toolchain, tuple[tuple[str, str], ...]]:
    tc = gobuild.toolchain()
    return tc, tuple(sorted(gobuild.go_env(tc).items()))


def _go_cached(name: str, path: Path, args: list[str]) -> str:
    """stdout of ``go ARGS PATH``, cached by (oracle name, toolchain, file SHA-256, path).

    The path is part of the key: ``go version -m`` prints it, and the same bytes may sit at two paths.
    """
    tc, env = _go()
    digest = gobuild.sha256_file(Path(path))
    digest = hashlib.sha256(f"{digest}\0{Path(path).resolve()}".encode()).hexdigest()
    cache = gobuild.CACHE_ROOT / "oracles" / name / f"go{tc.version}-{digest}.txt"
    if cache.is_file():
        return cache.read_bytes().decode("utf-8", errors="surrogateescape")
    out = _run([str(tc.go), *args, str(Path(path).resolve())], env=dict(env))
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}")
    tmp.write_bytes(out.encode("utf-8", errors="surrogateescape"))
    os.replace(tmp, cache)
    return out


def go_version_m(path: Path) -> str:
    """stdout of ``go version -m PATH`` (raises OracleError for a file that is not a Go executable)."""
    return _go_cached("version-m", path, ["version", "-m"])


def go_version_m_json(path: Path) -> dict:
    """``go version -m -json PATH`` parsed (GoVersion, Path, Main, Deps, Settings, as Go omits them)."""
    return json.loads(_go_cached("version-m-json", path, ["version", "-m", "-json"]))


def go_tool_buildid(path: Path) -> str:
    """Stripped stdout of ``go tool buildid PATH``.

    "" when the file has no Go build ID (``-ldflags=-buildid=``, or any non-Go file without a GNU
    note): the tool then prints an empty line and exits 0. On a non-Go ELF with a GNU build-id note
    it prints that note's raw bytes (kept here via surrogateescape). It exits non-zero only when the
    file cannot be read, which raises OracleError.
    """
    return _go_cached("buildid", path, ["tool", "buildid"]).strip()


_NM_LINE = re.compile(r"^\s*([0-9a-f]*) (\S) (.*)$")


def go_tool_nm(path: Path) -> list[tuple[int, str, str]]:
    """``go tool nm PATH`` as (address, type letter, name); undefined symbols have address 0.

    Names may contain spaces (``type:struct { ... }``). The first call builds nm (~40 s cold).
    """
    out: list[tuple[int, str, str]] = []
    for line in _go_cached("nm", path, ["tool", "nm"]).splitlines():
        if not line.strip():
            continue
        m = _NM_LINE.match(line)
        if m is None:
            raise OracleError(f"unparsed go tool nm line: {line!r}")
        out.append((int(m.group(1) or "0", 16), m.group(2), m.group(3)))
    return out


def go_tool_nm_size_listing(path: Path) -> str:
    """stdout of ``go tool nm -size PATH`` (address, size, type letter, name per line)."""
    return _go_cached("nm-size", path, ["tool", "nm", "-size"])


_NM_SIZE_LINE = re.compile(r"^\s*([0-9a-f]+)\s+(\d+) \S (.*)$")


def go_tool_nm_sizes(path: Path) -> dict[str, tuple[int, int]]:
    """Each defined symbol's (address, size) per ``go tool nm -size``, the first of a name."""
    found: dict[str, tuple[int, int]] = {}
    for line in go_tool_nm_size_listing(path).splitlines():
        m = _NM_SIZE_LINE.match(line)
        if m:
            found.setdefault(m.group(3), (int(m.group(1), 16), int(m.group(2))))
    return found


# --------------------------------------------------------------------------------------------
# readelf (binutils): ELF only, fast, not cached


def _readelf(path: Path, *args: str) -> str:
    return _run(["readelf", "-W", *args, str(path)], env={**os.environ, "LC_ALL": "C"})


def readelf_needed(path: Path) -> list[str]:
    """DT_NEEDED libraries in dynamic-section order ([] for a static executable)."""
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", _readelf(path, "-d"))


def readelf_version_needs(path: Path) -> list[str]:
    """The symbol versions the file needs (.gnu.version_r, ``readelf -V``), sorted."""
    sec = _readelf(path, "-V").partition("'.gnu.version_r'")[2]
    return sorted(set(re.findall(r"Name: (\S+)\s+Flags", sec)))


def readelf_interp(path: Path) -> str | None:
    """The PT_INTERP program interpreter, or None when there is none."""
    m = re.search(r"\[Requesting program interpreter: ([^\]]+)\]", _readelf(path, "-l"))
    return m.group(1) if m else None


_SECTION = re.compile(r"^\s*\[\s*(\d+)\]\s(.*)$")
_HEX = re.compile(r"^[0-9a-f]+$")


def readelf_sections(path: Path) -> list[tuple[str, str, int, int, int, str]]:
    """Section headers as (name, type, addr, offset, size, flags), index 0 included (name "")."""
    result: list[tuple[str, str, int, int, int, str]] = []
    for line in _readelf(path, "-S").splitlines():
        m = _SECTION.match(line)
        if m is None:
            continue
        tokens = m.group(2).split()
        # name type addr off size es [flg] lk inf al; the name is empty for section 0
        has_name = not (len(tokens) >= 2 and _HEX.match(tokens[1]) and len(tokens[1]) in (8, 16))
        if not has_name:
            tokens = ["", *tokens]
        if len(tokens) == 9:  # no flags
            tokens = [*tokens[:6], "", *tokens[6:]]
        if len(tokens) != 10:
            raise OracleError(f"unparsed readelf -S line: {line!r}")
        name, typ, addr, off, size = tokens[0], tokens[1], tokens[2], tokens[3], tokens[4]
        result.append((name, typ, int(addr, 16), int(off, 16), int(size, 16), tokens[6]))
    return result


_DW_NAME = re.compile(r"DW_AT_name\s*:\s*(?:\((?:indirect|indexed)[^)]*\):\s*|\(string\)\s*)?(.*)$")


def readelf_decl_lines(path: Path) -> dict[str, int]:
    """DW_AT_decl_line of each named DW_TAG_subprogram (the line of its ``func`` keyword), by name
    (the first one of a name)."""
    out: dict[str, int] = {}
    name, line, inside = None, None, False
    for row in _readelf(path, "--debug-dump=info").splitlines():
        if "Abbrev Number" in row:
            if inside and name is not None and line is not None:
                out.setdefault(name, line)
            inside, name, line = "DW_TAG_subprogram" in row, None, None
        elif inside and "DW_AT_name" in row:
            name = _DW_NAME.search(row).group(1).strip()  # type: ignore[union-attr]
        elif inside and "DW_AT_decl_line" in row:
            line = int(row.split(":", 1)[1].split()[-1])
    if inside and name is not None and line is not None:
        out.setdefault(name, line)
    return out


def readelf_hex(path: Path, section: str) -> bytes:
    """The bytes of ``section`` as ``readelf -x`` dumps them."""
    out = bytearray()
    for line in _readelf(path, "-x", section).splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("0x"):
            for word in parts[1:5]:  # up to four groups of 8 hex digits, then the ASCII column
                if not _HEX.match(word):
                    break
                out += bytes.fromhex(word)
    if not out:
        raise OracleError(f"readelf -x {section}: nothing dumped for {path}")
    return bytes(out)


_OBJDUMP_LINE = re.compile(r"^\s+(\S+):(\d+)\s+0x([0-9a-f]+)\s+([0-9a-f]+)\s+(.*?)\s*$")


def go_tool_objdump(path: Path, symbol_regexp: str = "") -> list[tuple[str, int, int, bytes, str]]:
    """``go tool objdump [-s REGEXP] PATH`` as (file, line, address, instruction bytes, assembly),
    one per instruction; the file and line of inlined code are the inlined function's."""
    args = ["tool", "objdump"] + (["-s", symbol_regexp] if symbol_regexp else [])
    name = "objdump-" + hashlib.sha256(symbol_regexp.encode()).hexdigest()[:12]
    out = []
    for line in _go_cached(name, path, args).splitlines():
        m = _OBJDUMP_LINE.match(line)
        if m is not None:
            file, line_no, addr, raw, asm = m.groups()
            out.append((file, int(line_no), int(addr, 16), bytes.fromhex(raw), asm))
    return out


def objdump_plt(path: Path) -> dict[int, str]:
    """binutils ``objdump -d`` of the PLT sections: entry address -> imported function (``free@plt``)."""
    out: dict[int, str] = {}
    for sec in (".plt", ".plt.sec"):
        try:
            text = _run(["objdump", "-d", "-j", sec, str(path)], env={**os.environ, "LC_ALL": "C"})
        except OracleError:  # no such section
            continue
        for m in re.finditer(r"^([0-9a-f]+) <([^>@]+)@plt>:$", text, re.M):
            out[int(m.group(1), 16)] = m.group(2)
    return out
