"""BinaryFacts: every reproducibility fact of one executable, materialised for inspect."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from godet.read.image import Section

if TYPE_CHECKING:
    from godet.read.binary import Binary

SCHEMA_VERSION = 1


@dataclass
class BinaryFacts:
    """A snapshot of a Binary's facts that no longer needs the mapped file."""

    path: str
    slice: str
    size: int
    sha256: str
    format: str
    os: str
    arch: str
    big_endian: bool
    ptr_size: int
    kind: str
    is_go: bool
    sections: list[Section]
    go_version: str | None
    buildinfo: Any
    go_build_id: Any
    gnu_build_id: Any
    macho_uuid: str | None
    pe_timestamp: int | None
    code_signature: dict | None
    symbols: Any
    dwarf: Any
    pclntab: Any
    paths: list[Any]
    linkage: Any
    cgo: Any
    notes: list[str] = field(default_factory=list)
    buildinfo_problem: str | None = None  # the buildinfo is there but broken: where and what
    package: dict[str, Any] | None = None  # the .deb/.rpm/wheel it was found in (inspect of a package)

    def to_json(self, functions: bool = False, files: bool = True) -> dict[str, Any]:
        """The documented JSON object (docs/json-schema.md); buildinfo as ``go version -m -json``."""
        return {
            "path": self.path,
            "slice": self.slice or None,
            "size": self.size,
            "sha256": self.sha256,
            "container": {
                "format": self.format,
                "os": self.os,
                "arch": self.arch,
                "endianness": "big" if self.big_endian else "little",
                "pointer_size": self.ptr_size,
                "kind": self.kind,
            },
            "is_go": self.is_go,
            "go_version": self.go_version,
            "buildinfo": self.buildinfo.to_go_json() if self.buildinfo else None,
            "buildinfo_location": (
                {"format": self.buildinfo.format, "offset": self.buildinfo.offset} if self.buildinfo else None
            ),
            "go_build_id": self.go_build_id.value if self.go_build_id else "",
            "go_build_id_parts": list(self.go_build_id.parts) if self.go_build_id else [],
            "gnu_build_id": self.gnu_build_id.hex if self.gnu_build_id else None,
            "macho_uuid": self.macho_uuid,
            "pe_timestamp": self.pe_timestamp,
            "code_signature": self.code_signature,
            "symbols": self.symbols.to_json(),
            "dwarf": self.dwarf.to_json(),
            "pclntab": self.pclntab.to_json(functions=functions) if self.pclntab else None,
            "paths": [p.to_json() for p in self.paths],
            "linkage": self.linkage.to_json(),
            "cgo": self.cgo.to_json(),
            "sections": [
                {
                    "name": s.key,
                    "offset": s.offset,
                    "size": s.size,
                    "addr": s.addr,
                    "mem_size": s.mem_size,
                    "flags": _flags(s),
                }
                for s in self.sections
            ],
            "notes": list(self.notes),
        } | ({"package": self.package} if self.package is not None else {})


def _flags(s: Section) -> str:
    flags = (("A", s.alloc), ("W", s.writable), ("X", s.executable), ("C", s.compressed))
    return "".join(c for c, on in flags if on)


def collect_facts(b: Binary) -> BinaryFacts:
    """Extract every fact of ``b`` (each extractor guarded by the facade)."""
    from godet.read.buildid import macho_uuid, pe_timestamp

    im = b.image
    facts = BinaryFacts(
        path=b.path,
        slice=b.slice_label,
        size=im.size,
        sha256="",  # last (below): a hash running in the background finishes while the rest is read
        format=im.format,
        os=(b.buildinfo.setting("GOOS") if b.buildinfo and b.buildinfo.setting("GOOS") else im.os),
        arch=im.arch,
        big_endian=im.big_endian,
        ptr_size=im.ptr_size,
        kind=im.kind,
        is_go=b.is_go,
        sections=list(im.sections),
        go_version=b.go_version,
        buildinfo=b.buildinfo,
        go_build_id=b.go_build_id,
        gnu_build_id=b.gnu_build_id,
        macho_uuid=macho_uuid(im),
        pe_timestamp=pe_timestamp(im),
        code_signature=im.header.get("code_signature"),
        symbols=b.symbols,
        dwarf=b.dwarf,
        pclntab=b.pclntab,
        paths=b.paths,
        linkage=b.linkage,
        cgo=b.cgo,
        notes=b.notes,
        buildinfo_problem=b.buildinfo_problem,
    )
    facts.sha256 = b.sha256
    return facts
