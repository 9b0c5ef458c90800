"""Build identifiers: the Go build ID, the GNU build ID, the Mach-O UUID and the PE timestamp.

The Go build ID is read the way ``go tool buildid`` reads it (``src/cmd/internal/buildid``), by
the image's format: on ELF from the ``Go\\0\\0`` note (type 4, :mod:`godet.read.elf`), elsewhere
from the ``"\\xff Go build ID: \\"...\\"\\n \\xff"`` text header that the linker puts first in the
text section (:func:`read_text_build_id`). Offsets are positions in ``image.data`` (for a fat
Mach-O slice, add ``image.slice_offset`` for the file position).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from godet.errors import FormatError
from godet.read.image import Image

READ_SIZE = 32 * 1024  # cmd/internal/buildid reads this much of the file head
TEXT_PREFIX = b'\xff Go build ID: "'
TEXT_END = b'"\n \xff'


# --------------------------------------------------------------------------------------------
# Go build ID


@dataclass(frozen=True)
class GoBuildID:
    """The Go build ID as ``go tool buildid`` prints it, and the file range of its bytes.

    Executables carry ``linkActionID/mainActionID/mainContentID/contentID``; packages and
    hand-set IDs (``-ldflags=-buildid=X``) have other shapes, so the named parts are None then.
    """

    value: str
    offset: int
    size: int
    source: str  # "note" (ELF .note.go.buildid) | "text" (PE/Mach-O text header)

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.value.split("/"))

    def _part(self, i: int) -> str | None:
        p = self.parts
        return p[i] if len(p) == 4 else None

    @property
    def link_action(self) -> str | None:
        return self._part(0)

    @property
    def main_action(self) -> str | None:
        return self._part(1)

    @property
    def main_content(self) -> str | None:
        return self._part(2)

    @property
    def content(self) -> str | None:
        return self._part(3)

    @property
    def placeholder(self) -> str | None:
        """The ID the linker saw (``A/B/C/A``): the link action ID stands in for the content ID."""
        p = self.parts
        return "/".join((p[0], p[1], p[2], p[0])) if len(p) == 4 else None

    def to_json(self) -> dict:
        return {
            "value": self.value,
            "parts": list(self.parts),
            "offset": self.offset,
            "size": self.size,
            "source": self.source,
        }


def read_go_build_id(image: Image) -> GoBuildID | None:
    """The Go build ID, or None when the binary has none (``-ldflags=-buildid=``, not Go)."""
    return image.fmt.read_go_build_id(image)


def read_text_build_id(image: Image, start: int, limit: int = READ_SIZE) -> GoBuildID | None:
    """The text-header build ID in the first ``limit`` bytes (at most READ_SIZE) from ``start``."""
    start = min(start, image.size)
    return _read_raw(image.data, start, min(limit, READ_SIZE, image.size - start))


def _read_raw(data: memoryview, start: int, length: int) -> GoBuildID | None:
    """The text-header build ID in ``data[start:start+length]`` (cmd/internal/buildid readRaw)."""
    chunk = bytes(data[start : start + length])
    i = chunk.find(TEXT_PREFIX)
    if i < 0:
        return None
    q0 = i + len(TEXT_PREFIX)  # first byte inside the quotes
    j = chunk.find(TEXT_END, q0)
    if j < 0:
        raise FormatError(f"Go build ID header at {start + i:#x} has no end within {length:#x} bytes")
    try:
        value = go_unquote(chunk[q0 - 1 : j + 1])
    except ValueError as e:
        raise FormatError(f"Go build ID at {start + q0:#x} is not a valid quoted string: {e}") from None
    return GoBuildID(value.decode("utf-8", "surrogateescape"), start + q0, j - q0, "text")


_SIMPLE_ESCAPES = {
    ord("a"): 7,
    ord("b"): 8,
    ord("f"): 12,
    ord("n"): 10,
    ord("r"): 13,
    ord("t"): 9,
    ord("v"): 11,
    ord("\\"): 92,
}


def go_unquote(s: bytes) -> bytes:
    """Go's ``strconv.Unquote`` for a double-, single- or back-quoted literal, on bytes.

    Raises ValueError (Go's ErrSyntax) for anything Go rejects. The result is the bytes a Go
    string would hold (``\\x`` escapes may make them invalid UTF-8).
    """
    if len(s) < 2 or s[0] != s[-1] or s[0] not in b"\"'`":
        raise ValueError("not a quoted string")
    quote = s[0]
    body = s[1:-1]
    if quote == ord("`"):
        if b"`" in body:
            raise ValueError("backquote inside raw string")
        return body.replace(b"\r", b"")
    if quote == ord('"') and b"\\" not in body and b"\n" not in body and b'"' not in body:
        try:
            body.decode("utf-8")
            return body
        except UnicodeDecodeError:
            pass  # Go takes the slow path: invalid bytes become U+FFFD
    out = bytearray()
    i = 0
    n = len(body)
    count = 0
    while i < n:
        c = body[i]
        if c == quote or c == 10:
            raise ValueError("unescaped quote or newline")
        if c >= 0x80:
            r, size = _decode_rune(body, i)
            out += r.encode("utf-8")
            i += size
        elif c != 0x5C:
            out.append(c)
            i += 1
        else:
            if i + 1 >= n:
                raise ValueError("trailing backslash")
            e = body[i + 1]
            i += 2
            if e in _SIMPLE_ESCAPES:
                out.append(_SIMPLE_ESCAPES[e])
            elif e in b"xuU":
                width = {ord("x"): 2, ord("u"): 4, ord("U"): 8}[e]
                digits = body[i : i + width]
                if len(digits) < width or not all(d in b"0123456789abcdefABCDEF" for d in digits):
                    raise ValueError("bad hex escape")
                v = int(digits, 16)
                i += width
                if e == ord("x"):
                    out.append(v)
                else:
                    if v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
                        raise ValueError("escape is not a valid rune")
                    out += chr(v).encode("utf-8")
            elif 0x30 <= e <= 0x37:
                digits = body[i : i + 2]
                if len(digits) < 2 or not all(0x30 <= d <= 0x37 for d in digits):
                    raise ValueError("bad octal escape")
                v = ((e - 0x30) << 6) | ((digits[0] - 0x30) << 3) | (digits[1] - 0x30)
                if v > 255:
                    raise ValueError("octal escape above 255")
                out.append(v)
                i += 2
            elif e in b"'\"":
                if e != quote:
                    raise ValueError("escaped quote of the other kind")
                out.append(e)
            else:
                raise ValueError(f"unknown escape \\{chr(e)}")
        count += 1
        if quote == ord("'") and i < n:
            raise ValueError("more than one character in a rune literal")
    if quote == ord("'") and count != 1 and body:
        raise ValueError("bad rune literal")  # (Go accepts '' as the empty string)
    return bytes(out)


def _decode_rune(b: bytes, i: int) -> tuple[str, int]:
    """Go's utf8.DecodeRune at ``b[i]``: (rune, size); an invalid byte gives (U+FFFD, 1)."""
    for size in (2, 3, 4):
        try:
            return b[i : i + size].decode("utf-8"), size
        except UnicodeDecodeError:
            continue
    return "\ufffd", 1


# --------------------------------------------------------------------------------------------
# GNU build ID, Mach-O UUID, PE timestamp


@dataclass(frozen=True)
class GnuBuildID:
    """The ``NT_GNU_BUILD_ID`` descriptor as lowercase hex, and the file range of its bytes."""

    hex: str
    offset: int
    size: int

    def to_json(self) -> dict:
        return {"hex": self.hex, "offset": self.offset, "size": self.size}


def read_gnu_build_id(image: Image) -> GnuBuildID | None:
    """The GNU build ID (``NT_GNU_BUILD_ID`` note; ELF only), or None."""
    return image.fmt.read_gnu_build_id(image)


def format_uuid(raw: bytes) -> str:
    """16 bytes as ``8-4-4-4-12`` uppercase hex, the spelling of ``dwarfdump --uuid`` and ``otool -l``."""
    h = raw.hex().upper()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def macho_uuid(image: Image) -> str | None:
    """The Mach-O ``LC_UUID`` as ``8-4-4-4-12`` uppercase hex (see :func:`format_uuid`), or None
    (no other format's header has a ``uuid``)."""
    raw = image.header.get("uuid")
    if not raw or len(raw) != 32:
        return None
    return format_uuid(bytes.fromhex(raw))


def pe_timestamp(image: Image) -> int | None:
    """The PE/COFF ``TimeDateStamp`` (Go's linker writes 0), or None for other formats (no other
    format's header has a ``timestamp``)."""
    ts = image.header.get("timestamp")
    return int(ts) if ts is not None else None


# --------------------------------------------------------------------------------------------
# derivations (go-binary-formats.md §3.5)

_VERSION = re.compile(r"(?:go)?(\d+)\.(\d+)")


def _minor(go_version: str) -> int | None:
    m = _VERSION.search(go_version or "")
    if m is None or m.group(1) != "1":
        return None
    return int(m.group(2))


def _gobuildid_hash(placeholder: str, go_version: str) -> bytes | None:
    """The linker's hash of the build ID for ``-B gobuildid``, per toolchain version (checked in
    each release's cmd/link: 1.22-1.23 cmd/internal/notsha256, 1.24 hash.Sum32 with ``^= 1``,
    1.25+ hash.Sum32 with ``^= 0xff``)."""
    minor = _minor(go_version)
    if minor is None or minor < 22:
        return None  # -B gobuildid does not exist before Go 1.22
    digest = bytearray(hashlib.sha256(placeholder.encode("utf-8", "surrogateescape")).digest())
    if minor <= 23:
        return bytes(b ^ 0xFF for b in digest)  # notsha256: SHA-256 with every bit complemented
    digest[0] ^= 0x01 if minor == 24 else 0xFF
    return bytes(digest)


def derive_gnu_build_id(go_build_id_placeholder: str, go_version: str) -> str | None:
    """The GNU build ID (hex) ``-B gobuildid`` derives from the placeholder ID ``A/B/C/A``.

    The first 20 bytes of: NOT(SHA-256(id)) in Go 1.22-1.23; SHA-256(id) with byte 0 XOR 0x01
    in 1.24 and XOR 0xff from 1.25 on. None before 1.22 (no derivation) or for an unparsable
    version. A GNU ID equal to this was made by the Go linker (the 1.24+ default, or
    ``-B gobuildid``); another one came from ``-B 0x...`` or an external linker's ``--build-id``.
    """
    h = _gobuildid_hash(go_build_id_placeholder, go_version)
    return h[:20].hex() if h is not None else None


def derive_macho_uuid(go_build_id_placeholder: str, go_version: str) -> str | None:
    """The Mach-O UUID ``-B gobuildid`` derives (the 1.24+ default), formatted like :func:`macho_uuid`.

    The hash's first 16 bytes with the version nibble set to 3 and the variant bits set to
    ``11`` (up to 1.26, ``uuidFromGoBuildId``) or ``10`` (1.27, ``uuidFromHash``).
    """
    h = _gobuildid_hash(go_build_id_placeholder, go_version)
    if h is None:
        return None
    b = bytearray(h[:16])
    b[6] = (b[6] & 0x0F) | 0x30
    b[8] = (b[8] & 0x3F) | (0x80 if (_minor(go_version) or 0) >= 27 else 0xC0)
    return format_uuid(bytes(b))
