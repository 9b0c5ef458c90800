"""Go build ID, GNU build ID, Mach-O UUID and PE timestamp against go tool buildid, readelf and lief."""

from __future__ import annotations

import re
import struct
import subprocess
import time
from pathlib import Path

import pytest

import gobuild
import oracles
from conftest import FIXTURES, OLD_TOOLCHAIN_BUILDS
from godet.errors import FormatError
from godet.read.binary import open_binaries
from godet.read.buildid import (
    GoBuildID,
    derive_gnu_build_id,
    derive_macho_uuid,
    macho_uuid,
    pe_timestamp,
    read_gnu_build_id,
    read_go_build_id,
)
from godet.read.buildinfo import read_buildinfo
from godet.read.bytesview import ByteView
from godet.read.elf import iter_notes

CATALOG = sorted(FIXTURES)
OLD = sorted([*gobuild.NPM_BINARIES, *OLD_TOOLCHAIN_BUILDS])


@pytest.fixture(params=[f"fixture:{n}" for n in CATALOG] + [f"old:{n}" for n in OLD])
def any_binary(request, gobin, old_go_binary) -> Path:
    kind, name = request.param.split(":", 1)
    return gobin(name) if kind == "fixture" else old_go_binary(name)


def _facts(path: Path):  # type: ignore[no-untyped-def]
    """(format, Go build ID, GNU build ID, Mach-O UUID, PE timestamp, Go version) of the first image."""
    with open_binaries(str(path)) as bins:
        im = bins[0].image
        bi = read_buildinfo(im)
        return (
            im.format,
            read_go_build_id(im),
            read_gnu_build_id(im),
            macho_uuid(im),
            pe_timestamp(im),
            bi.go_version if bi else None,
        )


def test_go_build_id_matches_go_tool_buildid(any_binary: Path) -> None:
    fmt, gid, *_ = _facts(any_binary)
    assert (gid.value if gid else "") == oracles.go_tool_buildid(any_binary)
    if gid is not None:
        data = any_binary.read_bytes()
        assert data[gid.offset : gid.offset + gid.size].decode() == gid.value
        assert gid.source == ("note" if fmt == "elf" else "text")
        assert "/".join(gid.parts) == gid.value
        j = gid.to_json()
        assert j["value"] == gid.value and j["offset"] == gid.offset and j["size"] == gid.size


def _readelf_build_id(path: Path) -> str | None:
    out = subprocess.run(["readelf", "-n", str(path)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"Build ID: ([0-9a-f]+)", out)
    return m.group(1) if m else None


def test_gnu_build_id_matches_readelf(any_binary: Path) -> None:
    fmt, _, gnu, *_ = _facts(any_binary)
    if fmt != "elf":
        assert gnu is None
        return
    want = _readelf_build_id(any_binary)
    assert (gnu.hex if gnu else None) == want
    if gnu is not None:
        data = any_binary.read_bytes()
        assert data[gnu.offset : gnu.offset + gnu.size].hex() == gnu.hex
        assert gnu.to_json() == {"hex": gnu.hex, "offset": gnu.offset, "size": gnu.size}


def test_macho_uuid_matches_lief(any_binary: Path) -> None:
    import lief

    fmt, _, _, uuid, *_ = _facts(any_binary)
    if fmt != "macho":
        assert uuid is None
        return
    b = lief.MachO.parse(str(any_binary)).at(0)
    if not b.has_uuid:
        assert uuid is None
        return
    assert uuid is not None
    assert uuid.replace("-", "") == bytes(b.uuid.uuid).hex().upper()
    assert [len(x) for x in uuid.split("-")] == [8, 4, 4, 4, 12]


def test_pe_timestamp_matches_lief(any_binary: Path) -> None:
    import lief

    fmt, *_, ts, _ = _facts(any_binary)
    if fmt != "pe":
        assert ts is None
        return
    assert ts == lief.PE.parse(str(any_binary)).header.time_date_stamps


def test_build_id_parts(gobin, gopair) -> None:
    gid = _facts(gobin("default"))[1]
    assert isinstance(gid, GoBuildID)
    p = gid.parts
    assert len(p) == 4
    assert (gid.link_action, gid.main_action, gid.main_content, gid.content) == p
    assert gid.placeholder == "/".join((p[0], p[1], p[2], p[0]))
    # VCS stamping changes only the link step: the main package's content ID stays the same
    a, b = gopair("buildvcs")
    ga, gb = _facts(a)[1], _facts(b)[1]
    assert ga.main_content == gb.main_content
    assert ga.link_action != gb.link_action and ga.content != gb.content


def test_odd_build_id_shapes() -> None:
    g = GoBuildID("abc/def", 0, 7, "note")
    assert g.parts == ("abc", "def")
    assert g.link_action is None and g.content is None and g.placeholder is None


def test_hand_set_build_id(gobuild_available, tmp_path) -> None:
    """``-ldflags=-buildid=X`` on ELF and PE: any string, read back as the tool reads it."""
    import shutil

    src = tmp_path / "hello"
    shutil.copytree(gobuild.TESTDATA / "hello", src)
    env = gobuild.go_env(gobuild_available, extra={"CGO_ENABLED": "0", "GOARCH": "amd64"})
    for goos in ("linux", "windows"):
        out = tmp_path / f"h-{goos}"
        subprocess.run(
            [
                str(gobuild_available.go),
                "build",
                "-trimpath",
                "-buildvcs=false",
                "-o",
                str(out),
                "-ldflags=-buildid 'hand set \"id\"\\x'",
                ".",
            ],
            cwd=src,
            env={**env, "GOOS": goos},
            check=True,
            capture_output=True,
        )
        gid = _facts(out)[1]
        assert gid is not None and gid.value == oracles.go_tool_buildid(out)
        assert gid.value == 'hand set "id"\\x' and gid.link_action is None


# --------------------------------------------------------------------------------------------
# derivations (go-binary-formats.md §3.5), checked on real binaries


def _derivation_binaries(gobin, gopair, old_go_binary) -> list[Path]:  # type: ignore[no-untyped-def]
    return [
        gobin("default"),
        gobin("extlink"),
        gobin("pie"),
        gobin("linux_386"),
        gobin("linux_arm64"),
        old_go_binary("linux-1.24"),  # 1.24.11: hash.Sum32 with byte 0 ^ 0x01
        gopair("toolchain_minor")[0],  # 1.26.6
        gopair("toolchain_patch")[0],  # 1.27.2
    ]


def test_derive_gnu_build_id(gobin, gopair, old_go_binary) -> None:
    for path in _derivation_binaries(gobin, gopair, old_go_binary):
        _, gid, gnu, _, _, version = _facts(path)
        assert gid is not None and gnu is not None, path
        assert gnu.hex == _readelf_build_id(path)
        assert derive_gnu_build_id(gid.placeholder, version) == gnu.hex, (path, version)
        # the final ID (content part filled in) is not what the linker hashed
        assert derive_gnu_build_id(gid.value, version) != gnu.hex


def test_no_derivation_before_1_22(old_go_binary) -> None:
    _, gid, gnu, _, _, version = _facts(old_go_binary("linux-1.21"))
    assert gnu is None and gid is not None
    assert derive_gnu_build_id(gid.placeholder, version) is None


def test_derive_macho_uuid(gobin, gopair) -> None:
    import lief

    paths = [
        gobin("darwin_arm64"),
        gobin("darwin_amd64"),
        gobin("darwin_arm64_stripped"),
        *gopair("darwin_dirs"),
    ]
    for path in paths:
        _, gid, _, uuid, _, version = _facts(path)
        assert uuid is not None and gid is not None
        assert uuid.replace("-", "") == bytes(lief.MachO.parse(str(path)).at(0).uuid.uuid).hex().upper()
        assert derive_macho_uuid(gid.placeholder, version) == uuid, path


def test_no_gnu_note_without_build_id(gobin) -> None:
    for name in ("buildid_empty", "hardened"):
        _, gid, gnu, *_ = _facts(gobin(name))
        assert gid is None and gnu is None
        assert oracles.go_tool_buildid(gobin(name)) == ""


# --------------------------------------------------------------------------------------------
# notes and malformed input


def test_iter_notes_walks_the_note_sections(gobin) -> None:
    """Every note readelf lists, with owner, size and type, found by walking the sections."""
    path = gobin("extlink")  # host ld adds .note.gnu.property / .note.ABI-tag
    out = subprocess.run(["readelf", "-nW", str(path)], capture_output=True, text=True, check=True).stdout
    want = [
        (m.group(1), int(m.group(2), 16))
        for m in re.finditer(r"^\s+(\S+)\s+0x([0-9a-f]+)\s", out, re.M)
        if m.group(1) != "Owner"
    ]
    got = []
    with open_binaries(str(path)) as bins:
        im = bins[0].image
        for s in im.sections:
            if s.name.startswith(".note"):
                align = 8 if s.name == ".note.gnu.property" and im.ptr_size == 8 else 4
                got += [(n.owner, n.desc_size) for n in iter_notes(im.view, s.offset, s.size, align)]
    assert got == want


def _corrupt(src: Path, dst: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    data = bytearray(src.read_bytes())
    with open_binaries(str(src)) as bins:
        gid = read_go_build_id(bins[0].image)
        assert gid is not None
        edit(data, gid)
    dst.write_bytes(data)
    return dst


def test_corrupt_go_note(gobin, tmp_path) -> None:
    def huge_descsz(data: bytearray, gid: GoBuildID) -> None:
        struct.pack_into("<I", data, gid.offset - 12, 0x7FFFFFF0)  # descsz of the note header

    bad = _corrupt(gobin("default"), tmp_path / "bad", huge_descsz)
    t = time.perf_counter()
    with pytest.raises(FormatError), open_binaries(str(bad)) as bins:
        read_go_build_id(bins[0].image)
    assert time.perf_counter() - t < 1.0
    with open_binaries(str(bad)) as bins:
        assert bins[0].go_build_id is None and any("Go build ID" in n for n in bins[0].notes)


def test_unterminated_text_header(gobin, tmp_path) -> None:
    def cut_end(data: bytearray, gid: GoBuildID) -> None:
        end = gid.offset + gid.size
        assert data[end : end + 4] == b'"\n \xff'
        data[end : end + 4] = b"xxxx"

    for name in ("windows_amd64", "darwin_arm64"):
        bad = _corrupt(gobin(name), tmp_path / name, cut_end)
        with pytest.raises(FormatError), open_binaries(str(bad)) as bins:
            read_go_build_id(bins[0].image)


def test_iter_notes_bounds() -> None:
    # one good note, then a header whose descsz runs past the range
    good = struct.pack("<III", 4, 4, 3) + b"GNU\0" + b"\x01\x02\x03\x04"
    bad = struct.pack("<III", 4, 0xFFFFFFFF, 3) + b"GNU\0"
    view = ByteView(good + bad)
    it = iter_notes(view, 0, view.size)
    first = next(it)
    assert (first.owner, first.type, first.desc(view)) == ("GNU", 3, b"\x01\x02\x03\x04")
    with pytest.raises(FormatError):
        next(it)
    with pytest.raises(FormatError):
        list(iter_notes(view, 0, view.size + 1))  # range past the data
    assert list(iter_notes(view, 0, 8)) == []  # shorter than a header


def test_not_go(tmp_path) -> None:
    import shutil

    exe = shutil.which("ls") or shutil.which("sh")
    assert exe is not None
    _, gid, gnu, *_ = _facts(Path(exe))
    assert gid is None
    assert (gnu.hex if gnu else None) == _readelf_build_id(Path(exe))


def test_fat_macho_slices(gobin, tmp_path) -> None:
    from test_buildinfo import _make_fat

    thin = [gobin("darwin_amd64"), gobin("darwin_arm64")]
    fat = _make_fat(thin, tmp_path / "fat")
    with open_binaries(str(fat)) as bins:
        got = [read_go_build_id(b.image) for b in bins]
        uuids = [macho_uuid(b.image) for b in bins]
    assert [g.value if g else "" for g in got] == [oracles.go_tool_buildid(p) for p in thin]
    assert got[0] is not None and got[0].value == oracles.go_tool_buildid(fat)  # first slice in 32 KiB
    assert uuids == [_facts(p)[3] for p in thin]
