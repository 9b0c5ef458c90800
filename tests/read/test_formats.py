"""The format registry: every format recognises its own files only, names its sections by role, and
a new format needs nothing but its class in the registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest

from godet.errors import CorruptBinary, FormatError, NotAnExecutable
from godet.read import formats
from godet.read.binary import open_binaries
from godet.read.bytesview import ByteView
from godet.read.image import ROLES, ExecutableFormat, Image, Mapped, MappedFile, Section, open_images


def test_registry_is_consistent() -> None:
    keys = [f.key for f in formats.FORMATS]
    assert len(set(keys)) == len(keys)
    assert [f.name for f in formats.FORMATS] == ["ELF", "PE", "Mach-O"]  # as reports and JSON show them
    for f in formats.FORMATS:
        assert formats.by_key(f.key) is f
        assert set(f.roles) <= set(ROLES), f
        assert all(isinstance(n, tuple) and n for n in f.roles.values()), f
    with pytest.raises(KeyError):
        formats.ELF.names("no-such-role")
    assert formats.display_name("oci") == "oci"


@pytest.mark.parametrize(
    ("name", "key", "text"),
    [
        ("default", "elf", ".text"),
        ("windows_amd64", "pe", ".text"),
        ("darwin_arm64", "macho", "__TEXT,__text"),
    ],
)
def test_each_format_recognises_its_files(
    gobin: Callable[[str], Path], name: str, key: str, text: str
) -> None:
    path = gobin(name)
    head = path.read_bytes()[:8]
    assert [f.key for f in formats.FORMATS if f.recognise(head)] == [key]
    with open_binaries(str(path)) as bins:
        im = bins[0].image
        assert im.fmt is formats.by_key(key)
        sec = im.section_for("text")
        assert sec is not None and sec.key == text
        assert im.section_for("pclntab", "pclntab-relro") is not None or key == "pe"  # (PE: inside .rdata)


def test_unknown_head() -> None:
    assert formats.recognise(b"\0" * 8) is None
    assert formats.recognise(b"") is None


# ------------------------------------------------------------------------------------------------
# a new format: one class, one registry entry

TOY_MAGIC = b"GOTOY\0\0\0"


class ToyFormat(ExecutableFormat):
    """An 8-byte magic, then one text section to the end of the file."""

    key = "toy"
    name = "Toy"
    roles: ClassVar[dict[str, tuple[str, ...]]] = {"text": ("code",)}

    def recognise(self, head: bytes) -> bool:
        return head.startswith(TOY_MAGIC)

    def open(self, mapped: Mapped) -> list[Image]:
        size = ByteView(mapped.data).size - len(TOY_MAGIC)
        if size <= 0:
            raise FormatError("no code")
        code = Section("code", len(TOY_MAGIC), size, 0x1000, size, executable=True)
        return [
            Image(
                mapped.path, mapped.data, self.key, "amd64", "toyos", False, 8, sections=(code,), kind="EXEC"
            )
        ]


def test_a_new_format_is_one_class_in_the_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    toy = ToyFormat()
    monkeypatch.setattr(formats, "FORMATS", (*formats.FORMATS, toy))
    monkeypatch.setitem(formats._BY_KEY, toy.key, toy)
    build_id = "aaaa/bbbb/cccc/dddd"
    path = tmp_path / "prog.toy"
    path.write_bytes(TOY_MAGIC + b'\xff Go build ID: "' + build_id.encode() + b'"\n \xff' + b"\0" * 64)
    with open_binaries(str(path)) as bins:
        (b,) = bins
        assert b.image.fmt is toy and b.image.section_for("text").name == "code"
        assert b.go_build_id is not None and b.go_build_id.value == build_id  # the default: text header
        assert b.is_go and not b.symbols.present and b.linkage.format == "" and b.gnu_build_id is None
        assert b.image.section_for("pclntab") is None
        assert formats.display_name("toy") == "Toy"

    empty = tmp_path / "empty.toy"
    empty.write_bytes(TOY_MAGIC)
    with pytest.raises(CorruptBinary, match="malformed Toy file: no code"), MappedFile(str(empty)) as m:
        open_images(m)


def test_no_format_names_all_formats(tmp_path: Path) -> None:
    path = tmp_path / "junk"
    path.write_bytes(b"\0" * 64)
    with pytest.raises(NotAnExecutable, match=r"no ELF, PE or Mach-O header"), MappedFile(str(path)) as m:
        open_images(m)


def test_the_stage0_sniffer_picks_only_what_a_format_opens(gobin: Callable[[str], Path]) -> None:
    """``sniff_executable`` (sources, stage 0) cannot iterate the registry: what it takes for an
    executable must be a file some registered format recognises."""
    from godet.sources.base import sniff_executable

    heads = [gobin(n).read_bytes()[:64] for n in ("default", "windows_amd64", "darwin_arm64")]
    heads += [
        b"\xca\xfe\xba\xbe\0\0\0\x02\x01\0\0\x0c" + b"\0" * 52,  # fat, two slices, arm64 first
        b"\xca\xfe\xba\xbe\0\0\0\x34" + b"\0" * 56,  # a Java class file (version 52)
        b"\x7fELF\x02\x01\x01" + b"\0" * 9 + b"\x01\0" + b"\0" * 46,  # ELF relocatable object
    ]
    for head in heads:
        if sniff_executable(head):
            assert formats.recognise(head) is not None, head[:16]
    assert sum(map(sniff_executable, heads)) == 4
