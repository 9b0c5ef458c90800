"""Builders of .deb, .rpm, wheel and hostile archives for the sources tests (standard library only)."""

from __future__ import annotations

import gzip
import io
import lzma
import zipfile
from pathlib import Path

from containers.ociwriter import Entry, tar_bytes


def ar(members: list[tuple[str, bytes]], mtime: int = 0) -> bytes:
    """A System V ar archive (what a .deb is)."""
    out = bytearray(b"!<arch>\n")
    for name, data in members:
        hdr = f"{name:<16}{mtime:<12}{0:<6}{0:<6}{0o100644:<8o}{len(data):<10}`\n".encode()
        assert len(hdr) == 60
        out += hdr + data + (b"\n" if len(data) % 2 else b"")
    return bytes(out)


def deb(path: Path, files: dict[str, bytes], version: str = "1.0-1", mtime: int = 0) -> Path:
    control = tar_bytes([Entry("./control", f"Package: app\nVersion: {version}\n".encode(), mtime=mtime)])
    data = tar_bytes([Entry(f"./{n}", d, mode=0o755, mtime=mtime) for n, d in files.items()])
    path.write_bytes(
        ar(
            [
                ("debian-binary", b"2.0\n"),
                ("control.tar.gz", gzip.compress(control, mtime=0)),
                ("data.tar.xz", lzma.compress(data)),
            ],
            mtime=mtime,
        )
    )
    return path


def cpio_newc(files: dict[str, bytes], mtime: int = 0) -> bytes:
    out = bytearray()
    for i, (name, data) in enumerate([*files.items(), ("TRAILER!!!", b"")]):
        mode = 0o100755 if name != "TRAILER!!!" else 0
        nb = name.encode() + b"\x00"
        fields = [i + 1, mode, 0, 0, 1, mtime, len(data), 0, 0, 0, 0, len(nb), 0]
        hdr = b"070701" + b"".join(f"{x:08x}".encode() for x in fields)
        out += hdr + nb + b"\x00" * ((4 - (len(hdr) + len(nb)) % 4) % 4)
        out += data + b"\x00" * ((4 - len(data) % 4) % 4)
    return bytes(out)


def rpm(path: Path, files: dict[str, bytes], mtime: int = 0) -> Path:
    """A minimal .rpm: lead, empty signature and main headers, gzip cpio payload."""
    lead = b"\xed\xab\xee\xdb" + b"\x03\x00" + b"\x00" * 90
    empty = b"\x8e\xad\xe8\x01" + b"\x00" * 4 + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
    path.write_bytes(lead + empty + empty + gzip.compress(cpio_newc(files, mtime), mtime=0))
    return path


def wheel(path: Path, files: dict[str, bytes], date: tuple[int, ...] = (1980, 1, 1, 0, 0, 0)) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zi = zipfile.ZipInfo(name, date_time=date)  # type: ignore[arg-type]
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, data)
    path.write_bytes(buf.getvalue())
    return path
