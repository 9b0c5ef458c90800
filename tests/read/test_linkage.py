"""Dynamic linkage and cgo evidence against readelf, lief and ``go tool nm``."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

import oracles
from godet.errors import FormatError
from godet.read.binary import open_binaries
from godet.read.dwarf import read_dwarf
from godet.read.image import MappedFile, open_images
from godet.read.linkage import CgoEvidence, Linkage, read_linkage

ELF_FIXTURES = ["default", "cgo_net", "extlink", "pie", "cgo_c", "trimpath", "stripped"]


def _linkage(path: Path) -> Linkage:
    mapped = MappedFile(str(path))
    try:
        return read_linkage(open_images(mapped)[0])
    finally:
        mapped.close()


def _readelf(path: Path, *args: str) -> str:
    return subprocess.run(["readelf", "-W", *args, str(path)], capture_output=True, text=True, check=True,
                          env={**os.environ, "LC_ALL": "C"}).stdout


def readelf_version_needs(path: Path) -> list[str]:
    """Version names of ``.gnu.version_r`` in table order, first occurrence only."""
    names = re.findall(r"^\s+0x[0-9a-f]+:\s+Name: (\S+)", _readelf(path, "-V"), re.M)
    return list(dict.fromkeys(names))


def readelf_paths(path: Path, tag: str) -> list[str]:
    m = re.findall(rf"\({tag}\)\s+Library \w+: \[([^\]]*)\]", _readelf(path, "-d"))
    return [p for v in m for p in v.split(":") if p]


def readelf_comment(path: Path) -> list[str]:
    out = _readelf(path, "-p", ".comment") if ".comment" in _readelf(path, "-S") else ""
    return list(dict.fromkeys(re.findall(r"^\s+\[\s*[0-9a-f]+\]\s+(.*)$", out, re.M)))


def nm_has_cgo(path: Path) -> bool:
    """``go tool nm``: runtime/cgo's C entry points are defined only when runtime/cgo is linked."""
    names = ("crosscall2", "x_cgo_init")
    return any(kind in "Tt" and name in names for _, kind, name in oracles.go_tool_nm(path))


# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ELF_FIXTURES)
def test_elf_linkage_matches_readelf(gobin, name):
    path = gobin(name)
    lk = _linkage(path)
    assert lk.format == "elf"
    assert lk.interpreter == oracles.readelf_interp(path)
    assert lk.needed == oracles.readelf_needed(path)
    assert lk.rpath == readelf_paths(path, "RPATH")
    assert lk.runpath == readelf_paths(path, "RUNPATH")
    assert lk.version_needs == readelf_version_needs(path)
    assert lk.static == (oracles.readelf_interp(path) is None and not oracles.readelf_needed(path))


def test_pure_go_is_static_and_cgo_is_not(gobin):
    assert _linkage(gobin("default")).static
    for name in ("cgo_net", "cgo_c", "extlink"):
        lk = _linkage(gobin(name))
        assert not lk.static and lk.dynamic
        assert "libc.so.6" in lk.needed
        assert any(v.startswith("GLIBC_") for v in lk.version_needs)


def test_pe_imports_match_lief(gobin):
    import lief

    path = gobin("windows_amd64")
    lk = _linkage(path)
    assert lk.format == "pe"
    pe = lief.parse(str(path))  # keep a reference: iterating a freed lief binary crashes
    assert lk.pe_imports == [imp.name for imp in pe.imports]
    assert "kernel32.dll" in [d.lower() for d in lk.pe_imports]


def test_pe_export_directory_as_lief_reads_it(gobin, tmp_path):
    """Go's own linker writes no export directory (lief: no exports); a header cut short says nothing."""
    import lief

    from godet.read.pe import export_timestamp_offset

    path = gobin("windows_amd64")
    assert not lief.parse(str(path)).has_exports
    with open_binaries(str(path)) as bins:
        image = bins[0].image
        assert export_timestamp_offset(image) is None
        cut = image.data[:0x40]  # the DOS header only: e_lfanew points past the end
        assert export_timestamp_offset(type(image)(**{**image.__dict__, "data": cut})) is None


@pytest.mark.parametrize("name", ["darwin_arm64", "darwin_amd64", "darwin_arm64_stripped"])
def test_macho_dylibs_match_lief(gobin, name):
    import lief

    path = gobin(name)
    macho = lief.parse(str(path))
    lk = _linkage(path)
    assert lk.format == "macho"
    assert lk.dylibs == [lib.name for lib in macho.libraries]
    dylinker = next((c.name for c in macho.commands if isinstance(c, lief.MachO.DylinkerCommand)), None)
    assert lk.dylinker == dylinker
    assert lk.rpath == [c.path for c in macho.commands if isinstance(c, lief.MachO.RPathCommand)]


@pytest.mark.parametrize("name", ["default", "pie", "stripped", "cgo_net", "cgo_c", "extlink",
                                  "windows_amd64", "darwin_arm64"])
def test_uses_cgo_matches_go_tool_nm(gobin, name):
    path = gobin(name)
    with open_binaries(str(path)) as bins:
        cgo = bins[0].cgo
    if name == "stripped":  # no symbols for nm: its unstripped twin says what was linked
        assert cgo.uses_cgo == nm_has_cgo(gobin("default"))
    else:
        assert cgo.uses_cgo == nm_has_cgo(path)


def test_cgo_enabled_alone_is_not_cgo(gobin):
    """The default build records CGO_ENABLED=1 but links no runtime/cgo."""
    with open_binaries(str(gobin("default"))) as bins:
        cgo = bins[0].cgo
        assert bins[0].buildinfo.setting("CGO_ENABLED") == "1"
    assert not cgo.uses_cgo
    assert any("CGO_ENABLED=1" in e for e in cgo.evidence)


@pytest.mark.parametrize("name", ["default", "cgo_net", "cgo_c", "extlink"])
def test_comment_and_c_producers(gobin, name):
    path = gobin(name)
    with open_binaries(str(path)) as bins:
        cgo = bins[0].cgo
    assert cgo.comment == readelf_comment(path)
    dw = read_dwarf(open_images(MappedFile(str(path)))[0])
    assert cgo.c_producers == [p for p in dw.producers if not p.startswith("Go ")]
    out = subprocess.run(["readelf", "--debug-dump=info", "--dwarf-depth=1", str(path)], capture_output=True,
                         text=True, check=True).stdout
    c_units = [p for p in re.findall(r"DW_AT_producer\s*:.*?: (GNU [^\n]*)$", out, re.M)]
    assert set(cgo.c_producers) == set(c_units)


def test_json(gobin):
    lk = _linkage(gobin("cgo_net"))
    assert json.loads(json.dumps(lk.to_json())) == lk.to_json()
    assert Linkage.unknown().to_json()["format"] == ""
    none = CgoEvidence.none().to_json()
    assert none == {"uses_cgo": False, "evidence": [], "comment": [], "c_producers": [], "build_tools": {}}


def test_bad_dynamic_string_is_a_note(gobin, tmp_path):
    """DT_NEEDED pointing outside the string table: FormatError, shown as a note by the facade."""
    path = gobin("cgo_net")
    data = bytearray(path.read_bytes())
    m = re.search(r"DYNAMIC\s+0x([0-9a-f]+)\s+\S+\s+\S+\s+0x([0-9a-f]+)", _readelf(path, "-l"))
    assert m
    off, size = int(m.group(1), 16), int(m.group(2), 16)
    for pos in range(off, off + size, 16):
        if int.from_bytes(data[pos : pos + 8], "little") == 1:  # DT_NEEDED
            data[pos + 8 : pos + 16] = (0x7FFFFFFF).to_bytes(8, "little")
    bad = tmp_path / "bad"
    bad.write_bytes(data)
    mapped = MappedFile(str(bad))
    with pytest.raises(FormatError):
        read_linkage(open_images(mapped)[0])
    mapped.close()
    with open_binaries(str(bad)) as bins:
        assert bins[0].linkage.format == ""
        assert any(n.startswith("linkage") for n in bins[0].notes)


@pytest.mark.parametrize("name", ["cgo_c", "extlink", "cgo_net"])
def test_plt_imports_match_objdump(gobin, name):
    """Each PLT entry's imported function, read through its GOT slot's .rela.plt entry, is the
    one binutils objdump labels it with."""
    from godet.read.elf import plt_imports

    path = gobin(name)
    want = oracles.objdump_plt(path)
    assert want  # cgo programs call libc through the PLT
    with open_binaries(str(path)) as (b,):
        assert plt_imports(b.image) == want


def test_macho_build_tools_match_lief(gobin):
    """LC_BUILD_VERSION as lief reads it: SDK, minimum OS and each build tool with its version."""
    import lief

    path = gobin("darwin_arm64")
    with open_binaries(str(path)) as bins:
        tools = bins[0].cgo.build_tools
    macho = lief.parse(str(path))
    (bv,) = [c for c in macho.commands if isinstance(c, lief.MachO.BuildVersion)]

    def text(v: list[int]) -> str:
        return f"{v[0]}.{v[1]}" + (f".{v[2]}" if v[2] else "")

    want = {"SDK": text(list(bv.sdk)), "minimum OS": text(list(bv.minos))}
    names = {1: "clang", 2: "swift", 3: "ld", 4: "lld"}
    for t in bv.tools:
        v = t.version
        parts = list(v) if not isinstance(v, int) else [v >> 16, (v >> 8) & 255, v & 255]
        want[names[int(t.tool)]] = text(parts)
    assert "SDK" in tools and tools == want
