"""Cut an image into comparable units: its sections, plus the bytes no section covers.

Two builds are compared unit against same-named unit, never file offset against file offset,
so that a size change in one section does not make every later byte "differ".
"""

from __future__ import annotations

from dataclasses import dataclass

from godet.read.image import Image

HEADERS = "[headers]"


@dataclass(frozen=True, slots=True)
class Unit:
    """A named byte range of one file (a section, a header area, or a gap between sections)."""

    key: str
    offset: int
    size: int
    compressed: bool = False
    executable: bool = False
    addr: int = 0
    writable: bool = False


def file_units(image: Image) -> list[Unit]:
    """Every byte of the image, in file order, in named units (sections first, gaps named after them)."""
    size = image.size
    secs = sorted(
        (s for s in image.sections if s.size > 0 and s.offset < size),
        key=lambda s: (s.offset, s.size),
    )
    units: list[Unit] = []
    seen: dict[str, int] = {}
    pos = 0
    prev = HEADERS
    for s in secs:
        end = min(s.offset + s.size, size)
        if s.offset > pos:
            units.append(Unit(_gap_name(prev, pos == 0), pos, s.offset - pos))
        elif s.offset < pos and end <= pos:
            # Overlapping sections (rare, hostile or odd linkers): keep only the part not yet covered.
            continue
        start = max(s.offset, pos)
        key = s.key
        n = seen.get(key, 0)
        seen[key] = n + 1
        if n:
            key = f"{key}#{n + 1}"
        addr = s.addr + (start - s.offset)
        units.append(Unit(key, start, end - start, s.compressed, s.executable, addr, s.writable))
        pos = end
        prev = key
    if pos < size:
        units.append(Unit(_gap_name(prev, pos == 0), pos, size - pos))
    return units


def _gap_name(prev: str, first: bool) -> str:
    return HEADERS if first else f"[after {prev}]"
