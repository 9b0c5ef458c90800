"""ELF container: headers, sections and segments through pyelftools, over the mapped file."""

from __future__ import annotations

import io
import mmap

from godet.errors import FormatError
from godet.read.image import Image, Section, Segment

SHF_WRITE = 0x1
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4
SHF_COMPRESSED = 0x800
PF_X, PF_W, PF_R = 1, 2, 4

# e_machine → GOARCH (ppc64 / mips pick their endian variant below)
_MACHINES = {
    "EM_X86_64": "amd64",
    "EM_386": "386",
    "EM_AARCH64": "arm64",
    "EM_ARM": "arm",
    "EM_RISCV": "riscv64",
    "EM_PPC64": "ppc64",
    "EM_S390": "s390x",
    "EM_MIPS": "mips",
    "EM_LOONGARCH": "loong64",
    "EM_PPC": "ppc",
}
_OSABI = {
    "ELFOSABI_FREEBSD": "freebsd",
    "ELFOSABI_NETBSD": "netbsd",
    "ELFOSABI_OPENBSD": "openbsd",
    "ELFOSABI_SOLARIS": "solaris",
}


def _goarch(machine: str, elfclass: int, big: bool) -> str:
    arch = _MACHINES.get(machine, machine.removeprefix("EM_").lower() if isinstance(machine, str) else str(machine))
    if arch == "ppc64" and not big:
        return "ppc64le"
    if arch == "mips":
        base = "mips64" if elfclass == 64 else "mips"
        return base if big else base + "le"
    return arch


class _MapStream(io.RawIOBase):
    """A seekable read-only stream over a memoryview, for pyelftools (no copy of the file)."""

    def __init__(self, data: memoryview) -> None:
        self._data = data
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, pos: int, whence: int = 0) -> int:
        if whence == 1:
            pos += self._pos
        elif whence == 2:
            pos += len(self._data)
        self._pos = max(0, pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def read(self, n: int = -1) -> bytes:
        end = len(self._data) if n is None or n < 0 else min(len(self._data), self._pos + n)
        out = bytes(self._data[self._pos : end]) if self._pos < end else b""
        self._pos = max(self._pos, end)
        return out

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        chunk = self.read(len(b))
        b[: len(chunk)] = chunk
        return len(chunk)


def open_elf(path: str, data: memoryview, mm: mmap.mmap | None = None) -> Image:
    """Read the ELF header, section table and program headers into an :class:`Image`."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        ef = ELFFile(_MapStream(data))
        hdr = ef.header
        big = not ef.little_endian
        elfclass = ef.elfclass
        size = len(data)
        sections = []
        if hdr["e_shoff"] + hdr["e_shnum"] * hdr["e_shentsize"] > size:
            raise FormatError("section header table lies past the end of the file (truncated?)")
        for sec in ef.iter_sections():
            h = sec.header
            if h["sh_type"] == "SHT_NULL":
                continue
            flags = h["sh_flags"]
            nobits = h["sh_type"] == "SHT_NOBITS"
            sections.append(
                Section(
                    name=sec.name,
                    offset=h["sh_offset"],
                    size=0 if nobits else h["sh_size"],
                    addr=h["sh_addr"],
                    mem_size=h["sh_size"],
                    alloc=bool(flags & SHF_ALLOC),
                    writable=bool(flags & SHF_WRITE),
                    executable=bool(flags & SHF_EXECINSTR),
                    compressed=bool(flags & SHF_COMPRESSED) or sec.name.startswith(".zdebug"),
                )
            )
        segments = []
        phdrs = []
        for seg in ef.iter_segments():
            h = seg.header
            phdrs.append(
                {"type": h["p_type"], "offset": h["p_offset"], "filesz": h["p_filesz"], "vaddr": h["p_vaddr"]}
            )
            if h["p_type"] == "PT_LOAD":
                fl = h["p_flags"]
                segments.append(
                    Segment(
                        name=f"LOAD@{h['p_vaddr']:#x}",
                        offset=h["p_offset"],
                        file_size=h["p_filesz"],
                        addr=h["p_vaddr"],
                        mem_size=h["p_memsz"],
                        readable=bool(fl & PF_R),
                        writable=bool(fl & PF_W),
                        executable=bool(fl & PF_X),
                    )
                )
    except ELFError as e:
        raise FormatError(str(e)) from None
    except FormatError:
        raise
    except Exception as e:  # pyelftools/construct raise many types on malformed input
        raise FormatError(f"{type(e).__name__}: {e}") from None
    osabi = hdr["e_ident"]["EI_OSABI"]
    return Image(
        path=path,
        data=data,
        format="elf",
        arch=_goarch(hdr["e_machine"], elfclass, big),
        os=_OSABI.get(osabi, "linux"),
        big_endian=big,
        ptr_size=8 if elfclass == 64 else 4,
        sections=tuple(sections),
        segments=tuple(segments),
        kind=str(hdr["e_type"]).removeprefix("ET_"),
        header={"machine": hdr["e_machine"], "osabi": osabi, "entry": hdr["e_entry"], "phdrs": phdrs},
        native=ef,
    )
