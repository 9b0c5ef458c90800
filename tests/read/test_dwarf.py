"""DWARF summary against binutils (readelf / objdump) and pyelftools, on real Go executables."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest

import gobuild
from conftest import FIXTURES
from godet.errors import FormatError
from godet.read.binary import open_binaries
from godet.read.dwarf import MAX_RATIO, DwarfSummary, read_dwarf, section_data
from godet.read.image import Image, MappedFile, Section, open_images

GO_PRODUCER = f"Go cmd/compile go{gobuild.DEFAULT_GO}"


def _summary(path: Path, lines: bool = True) -> DwarfSummary:
    mapped = MappedFile(str(path))
    try:
        return read_dwarf(open_images(mapped)[0], lines=lines)
    finally:
        mapped.close()


def _tool(*cmd: str) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, env={**os.environ, "LC_ALL": "C"})
    return proc.stdout


def _dump(path: Path, what: str) -> str:
    """``readelf`` for ELF; ``objdump`` (which also reads PE) otherwise."""
    if path.read_bytes()[:4] == b"\x7fELF":
        return _tool("readelf", f"--debug-dump={what}", "--dwarf-depth=1", str(path))
    return _tool("objdump", f"--dwarf={what}", "--dwarf-depth=1", str(path))


# how binutils prefixes a string by its form: "(string) ", "(indirect line string, offset: 0x63): "
_FORM_PREFIX = re.compile(r"^\((?:indirect )?(?:line )?string(?:, offset: (?:0x)?[0-9a-f]+)?\):? ")


def oracle_units(path: Path) -> tuple[list[int], Counter]:
    """(CU versions, producer counts) from the top DIEs as binutils prints them."""
    out = _dump(path, "info")
    versions = [int(v) for v in re.findall(r"^\s+Version:\s+(\d+)", out, re.M)]
    producers = Counter(
        _FORM_PREFIX.sub("", p.strip())
        for p in re.findall(r"DW_AT_producer\s*:(.*)$", out, re.M)
    )
    return versions, producers


_DIR_TABLE = re.compile(r"The Directory Table[^\n]*\n(.*?)\n\s*\n", re.S)


def oracle_line_dirs(path: Path) -> tuple[set[int], list[str]]:
    """(line-program versions, include directories in first-seen order) from the rawline dump."""
    out = _dump(path, "rawline")
    versions = {int(v) for v in re.findall(r"DWARF Version:\s+(\d+)", out)}
    dirs: dict[str, None] = {}
    for table in _DIR_TABLE.findall(out):
        for line in table.splitlines():
            m = re.match(r"^\s+(\d+)\s+(.*)$", line)
            if not m:
                continue
            name = _FORM_PREFIX.sub("", m.group(2).strip())
            dirs.setdefault(name, None)
    return versions, list(dirs)


def oracle_compressed(path: Path) -> dict[str, bool]:
    """DWARF section name -> compressed (flag C), from ``readelf -S``."""
    out: dict[str, bool] = {}
    for line in _tool("readelf", "-SW", str(path)).splitlines():
        m = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+(?:\s+[0-9a-f]+){4}\s+(\S*)", line)
        if m and m.group(1).startswith((".debug_", ".zdebug_")):
            out[m.group(1)] = "C" in m.group(2) or m.group(1).startswith(".zdebug_")
    return out


def build_dir(fixture: str) -> str:
    """The absolute directory the fixture was built in (tests/gobuild.py prepare_source)."""
    spec = FIXTURES[fixture]
    return str(gobuild.CACHE_ROOT / "work" / spec.workdir / spec.src)


# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["default", "cgo_c", "extlink", "pie", "goexperiment", "windows_amd64"])
def test_units_match_binutils(gobin, name):
    path = gobin(name)
    d = _summary(path)
    versions, producers = oracle_units(path)
    assert d.present
    assert len(d.cus) == len(versions)
    assert [cu.version for cu in d.cus] == versions
    assert Counter(d.producers) == producers
    assert any(p.startswith(GO_PRODUCER) for p in d.producers)


@pytest.mark.parametrize("name", ["default", "trimpath", "cgo_c", "extlink", "goexperiment", "windows_amd64"])
def test_line_dirs_match_binutils(gobin, name):
    path = gobin(name)
    d = _summary(path)
    versions, dirs = oracle_line_dirs(path)
    assert d.line_dirs == dirs
    assert d.line_version in versions


def test_units_match_pyelftools(gobin):
    """Every unit's top DIE (Go and C units mixed) as pyelftools reads it."""
    from elftools.elf.elffile import ELFFile

    path = gobin("cgo_c")
    with open(path, "rb") as fh:
        info = ELFFile(fh).get_dwarf_info()
        expected = []
        for cu in info.iter_CUs():
            attrs = cu.get_top_DIE().attributes

            def text(key, attrs=attrs):
                v = attrs[key].value if key in attrs else b""
                return v.decode() if isinstance(v, bytes) else str(v)

            names = (text("DW_AT_name"), text("DW_AT_producer"), text("DW_AT_comp_dir"))
            expected.append((cu.cu_offset, *names))
    d = _summary(path)
    assert [(u.offset, u.name, u.producer, u.comp_dir) for u in d.cus] == expected


@pytest.mark.parametrize("name", ["default", "goexperiment", "cgo_net"])
def test_version_and_compression_match_readelf(gobin, name):
    path = gobin(name)
    d = _summary(path)
    versions, _ = oracle_units(path)
    go_versions = Counter(versions).most_common(1)[0][0]
    assert d.version == go_versions
    comp = oracle_compressed(path)
    assert {n: c for n, _, c in d.sections} == comp
    assert d.compressed == any(comp.values())


def test_dwarf5_and_dwarf4(gobin):
    v5 = _summary(gobin("default"))
    v4 = _summary(gobin("goexperiment"))  # GOEXPERIMENT=nodwarf5
    assert (v5.version, oracle_units(gobin("default"))[0][0]) == (5, 5)
    assert (v4.version, oracle_units(gobin("goexperiment"))[0][0]) == (4, 4)
    assert v4.line_version in oracle_line_dirs(gobin("goexperiment"))[0]


def test_build_dir_in_line_dirs_only_without_trimpath(gobin):
    plain = _summary(gobin("default"))
    trimmed = _summary(gobin("trimpath"))
    where = build_dir("default")
    assert where in oracle_line_dirs(gobin("default"))[1]
    assert where in plain.line_dirs
    assert where not in oracle_line_dirs(gobin("trimpath"))[1]
    assert not any(d.startswith(str(gobuild.CACHE_ROOT)) for d in trimmed.line_dirs)
    assert not any(d.startswith("/") for d in trimmed.line_dirs)
    main = [cu for cu in plain.cus if cu.name == "main"]
    assert main and where in main[0].line_dirs


def test_gdb_script_matches_section(gobin):
    for name in ("default", "trimpath"):
        path = gobin(name)
        raw = _tool("readelf", "-p", ".debug_gdb_scripts", str(path))
        d = _summary(path)
        assert d.gdb_script and d.gdb_script in raw
    assert _summary(gobin("trimpath")).gdb_script == "runtime/runtime-gdb.py"


def test_stripped_has_no_dwarf(gobin):
    path = gobin("stripped")
    assert not any(n.startswith((".debug", ".zdebug")) for n in oracle_compressed(path))
    d = _summary(path)
    assert not d.present and d.cus == [] and d.sections == []


@pytest.mark.parametrize("name", ["windows_amd64", "darwin_arm64", "darwin_amd64"])
def test_pe_and_macho_are_zlib_compressed(gobin, name):
    d = _summary(gobin(name))
    assert d.present and d.compressed
    names = {n for n, _, c in d.sections if c}
    assert any("zdebug_info" in n for n in names)
    assert any(p.startswith(GO_PRODUCER) for p in d.producers)


@pytest.mark.parametrize("name", ["darwin_arm64", "darwin_amd64"])
def test_macho_units_match_pyelftools(gobin, name):
    """Mach-O: lief gives the sections, zlib + pyelftools are the independent DWARF reader."""
    import io

    import lief
    from elftools.dwarf.dwarfinfo import DebugSectionDescriptor, DwarfConfig, DWARFInfo

    path = gobin(name)
    macho = lief.parse(str(path))
    raw = {s.name: bytes(s.content) for s in macho.sections if s.segment_name == "__DWARF"}

    def sect(short: str) -> DebugSectionDescriptor | None:
        for n, data in raw.items():
            if n in (f"__zdebug_{short}", f"__debug_{short}"):
                if data[:4] == b"ZLIB":
                    data = zlib.decompress(data[12:])
                return DebugSectionDescriptor(io.BytesIO(data), n, None, len(data), 0)
        return None

    info = DWARFInfo(
        config=DwarfConfig(little_endian=True, machine_arch="AArch64", default_address_size=8),
        debug_info_sec=sect("info"), debug_aranges_sec=None, debug_abbrev_sec=sect("abbrev"),
        debug_frame_sec=None, eh_frame_sec=None, debug_str_sec=sect("str"), debug_loc_sec=None,
        debug_ranges_sec=None, debug_line_sec=sect("line"), debug_pubtypes_sec=None,
        debug_pubnames_sec=None, debug_addr_sec=None, debug_str_offsets_sec=None,
        debug_line_str_sec=None, debug_loclists_sec=None, debug_rnglists_sec=None,
        debug_sup_sec=None, gnu_debugaltlink_sec=None, debug_types_sec=None,
    )
    cus = list(info.iter_CUs())
    d = _summary(path)
    assert [cu.cu_offset for cu in cus] == [u.offset for u in d.cus]
    assert [cu["version"] for cu in cus] == [u.version for u in d.cus]
    dirs: dict[str, None] = {}
    for cu in cus:
        prog = info.line_program_for_CU(cu)
        if prog is None:  # a unit without DW_AT_stmt_list
            continue
        for x in prog.header["include_directory"]:
            dirs.setdefault(x.decode() if isinstance(x, bytes) else x, None)
    assert d.line_dirs == list(dirs)


def test_lines_false_skips_line_tables(gobin):
    d = _summary(gobin("default"), lines=False)
    assert d.present and d.cus and d.line_dirs == [] and d.line_version is None


def test_json_round_trip(gobin):
    import json

    j = _summary(gobin("cgo_c")).to_json()
    assert json.loads(json.dumps(j)) == j
    assert DwarfSummary.absent().to_json()["present"] is False


# --------------------------------------------------------------------------------------------
# hostile input


def _fake_image(payload: bytes, name: str = ".zdebug_info", fmt: str = "pe") -> tuple[Image, Section]:
    sec = Section(name=name, offset=0, size=len(payload), addr=0, mem_size=len(payload), alloc=False,
                  compressed=name.startswith((".zdebug", "__zdebug")))
    image = Image(path="<mem>", data=memoryview(payload), format=fmt, arch="amd64", os="windows",
                  big_endian=False, ptr_size=8, sections=(sec,))
    return image, sec


def test_zip_bomb_is_refused():
    bomb = zlib.compress(b"\0" * (64 << 20), 9)  # 64 MiB of zeros in ~64 KiB: ratio ~1000
    payload = b"ZLIB" + (64 << 20).to_bytes(8, "big") + bomb
    image, sec = _fake_image(payload)
    assert len(payload) * MAX_RATIO < (64 << 20)
    with pytest.raises(FormatError):
        section_data(image, sec, True)


def test_lying_size_claim_is_refused():
    stream = zlib.compress(b"x" * 1000)
    payload = b"ZLIB" + (1 << 40).to_bytes(8, "big") + stream
    image, sec = _fake_image(payload)
    with pytest.raises(FormatError):
        section_data(image, sec, True)


def test_corrupt_zlib_is_a_format_error():
    payload = b"ZLIB" + (100).to_bytes(8, "big") + b"\x78\x9c not a zlib stream at all"
    image, sec = _fake_image(payload)
    with pytest.raises(FormatError):
        section_data(image, sec, True)


@pytest.fixture(scope="module")
def uncompressed(gobuild_available, tmp_path_factory) -> Path:
    """hello built with -ldflags=-compressdwarf=false, copied so that tests may corrupt it."""
    spec = FIXTURES["trimpath"].with_(flags=("-trimpath", "-ldflags=-compressdwarf=false"))
    src = gobuild.build(spec)
    dst = tmp_path_factory.mktemp("dwarf") / "hello"
    shutil.copy(src, dst)
    return dst


def test_uncompressed_matches_compressed(uncompressed, gobin):
    plain = _summary(uncompressed)
    packed = _summary(gobin("trimpath"))
    assert not plain.compressed and packed.compressed
    assert [(u.name, u.producer) for u in plain.cus] == [(u.name, u.producer) for u in packed.cus]
    assert plain.line_dirs == packed.line_dirs == oracle_line_dirs(uncompressed)[1]


def _section_range(path: Path, name: str) -> tuple[int, int]:
    for line in _tool("readelf", "-SW", str(path)).splitlines():
        parts = line.replace("[ ", "[").split()
        if name in parts:
            i = parts.index(name)
            return int(parts[i + 3], 16), int(parts[i + 4], 16)
    raise AssertionError(f"{name} not in {path}")


@pytest.mark.parametrize("section", [".debug_info", ".debug_abbrev", ".debug_line"])
def test_corrupted_dwarf_raises_only_format_error(uncompressed, tmp_path, section):
    """Random byte damage to a DWARF section: read_dwarf raises FormatError or returns a summary
    whose undamaged part is what binutils reads in the pristine file: with .debug_line damaged, the
    units (from .debug_info); with the units damaged, no include directory binutils does not list."""
    off, size = _section_range(uncompressed, section)
    original = uncompressed.read_bytes()
    versions, producers = oracle_units(uncompressed)
    _, dirs = oracle_line_dirs(uncompressed)
    rng = random.Random(section)
    outcomes = Counter()
    for trial in range(40):
        data = bytearray(original)
        for _ in range(1 + trial % 8):
            data[off + rng.randrange(min(size, 4096) if trial % 2 else size)] = rng.randrange(256)
        bad = tmp_path / f"bad{trial}"
        bad.write_bytes(data)
        try:
            d = _summary(bad)
        except FormatError:
            outcomes["FormatError"] += 1
            continue
        outcomes["summary"] += 1
        if section == ".debug_line":
            assert [cu.version for cu in d.cus] == versions and Counter(d.producers) == producers, trial
        else:
            assert set(d.line_dirs) <= set(dirs), (trial, set(d.line_dirs) - set(dirs))
    assert sum(outcomes.values()) == 40 and outcomes["summary"], outcomes


def test_truncated_unit_is_a_note_through_the_facade(uncompressed, tmp_path):
    off, _ = _section_range(uncompressed, ".debug_info")
    data = bytearray(uncompressed.read_bytes())
    data[off : off + 4] = (0xFFFFFFF0).to_bytes(4, "little")  # a reserved unit length
    bad = tmp_path / "bad"
    bad.write_bytes(data)
    with pytest.raises(FormatError):
        _summary(bad)
    with open_binaries(str(bad)) as bins:
        assert bins[0].dwarf.present is False
        assert any(n.startswith("DWARF") for n in bins[0].notes)


@pytest.mark.parametrize("name", ["default", "goexperiment", "cgo_c"])
def test_line_header_file_tables_match_pyelftools(gobin, name):
    """Each line program's directory and file tables (Go's inline strings, read in one loop, and gcc's
    string-section forms) as pyelftools reads them."""
    from elftools.elf.elffile import ELFFile

    from godet.read.dwarf import _Sections, read_line_header

    path = gobin(name)
    with open(path, "rb") as fh:
        info = ELFFile(fh).get_dwarf_info()
        expected = {}
        for cu in info.iter_CUs():
            prog = info.line_program_for_CU(cu)
            if prog is None:
                continue
            files = [(f.name.decode(), f.dir_index) for f in prog.header["file_entry"]]
            dirs = [d.decode() for d in prog.header["include_directory"]]
            stmt = cu.get_top_DIE().attributes["DW_AT_stmt_list"].value
            expected[stmt] = (prog.header["version"], dirs, files)
    assert len(expected) > 10
    mapped = MappedFile(str(path))
    try:
        secs = _Sections(open_images(mapped)[0])
        got = {off: read_line_header(secs, off, False) for off in expected}
    finally:
        mapped.close()
    assert got == expected
