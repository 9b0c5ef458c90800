"""Bounds-checked reads over mapped bytes: every length and offset from a file goes through here."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from godet.errors import FormatError

_FMT = {1: "B", 2: "H", 4: "I", 8: "Q"}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a declared structure: name and width in bytes (signed if ``signed``)."""

    name: str
    size: int
    signed: bool = False


class Struct:
    """A binary structure declared once as a table of fields, pyelftools-style.

    ``Struct("pcHeader", [Field("magic", 4), ...]).parse(view, offset, "little")`` returns a dict.
    ``"W"`` as a size means the target's pointer size, resolved by ``resolve(ptr_size)``.
    """

    def __init__(self, name: str, fields: list[tuple[str, int | str] | tuple[str, int | str, bool]]) -> None:
        self.name = name
        self._raw = fields

    def resolve(self, ptr_size: int) -> list[Field]:
        out = []
        for f in self._raw:
            size = ptr_size if f[1] == "W" else int(f[1])
            out.append(Field(f[0], size, bool(f[2]) if len(f) > 2 else False))
        return out

    def size(self, ptr_size: int = 8) -> int:
        return sum(f.size for f in self.resolve(ptr_size))

    def parse(self, view: ByteView, offset: int, ptr_size: int = 8) -> dict[str, int]:
        out: dict[str, int] = {}
        pos = offset
        for f in self.resolve(ptr_size):
            out[f.name] = view.int(pos, f.size, signed=f.signed)
            pos += f.size
        return out


class ByteView:
    """A read-only window on mapped bytes with a byte order; all reads are bounds-checked.

    Out-of-range reads raise FormatError, never IndexError or struct.error.
    """

    __slots__ = ("big", "buf", "order", "size")

    def __init__(self, buf: memoryview | bytes, big_endian: bool = False) -> None:
        self.buf = buf if isinstance(buf, memoryview) else memoryview(buf)
        self.size = len(self.buf)
        self.big = big_endian
        self.order = ">" if big_endian else "<"

    def check(self, offset: int, length: int) -> None:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise FormatError(
                f"read of {length} bytes at {offset:#x} is outside the {self.size:#x}-byte range"
            )

    def bytes(self, offset: int, length: int) -> bytes:
        self.check(offset, length)
        return bytes(self.buf[offset : offset + length])

    def view(self, offset: int, length: int) -> memoryview:
        self.check(offset, length)
        return self.buf[offset : offset + length]

    def int(self, offset: int, size: int, signed: bool = False) -> int:
        self.check(offset, size)
        fmt = _FMT[size]
        if signed:
            fmt = fmt.lower()
        return struct.unpack_from(self.order + fmt, self.buf, offset)[0]

    def u8(self, offset: int) -> int:
        self.check(offset, 1)
        return self.buf[offset]

    def u16(self, offset: int) -> int:
        return self.int(offset, 2)

    def u32(self, offset: int) -> int:
        return self.int(offset, 4)

    def u64(self, offset: int) -> int:
        return self.int(offset, 8)

    def uvarint(self, offset: int) -> tuple[int, int]:
        """Go's binary.Uvarint: returns (value, bytes consumed); at most 10 bytes."""
        value = 0
        shift = 0
        for i in range(10):
            b = self.u8(offset + i)
            value |= (b & 0x7F) << shift
            if b < 0x80:
                return value, i + 1
            shift += 7
        raise FormatError(f"varint at {offset:#x} is longer than 10 bytes")

    def cstring(self, offset: int, limit: int = 4096) -> bytes:
        """A NUL-terminated string starting at offset, at most ``limit`` bytes long."""
        self.check(offset, 0)
        end = min(self.size, offset + limit)
        chunk = bytes(self.buf[offset:end])
        nul = chunk.find(b"\0")
        if nul < 0:
            raise FormatError(f"unterminated string at {offset:#x}")
        return chunk[:nul]
