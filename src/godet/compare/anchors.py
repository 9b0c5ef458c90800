"""Anchors: named structures at known offsets, used to align two builds inside a section.

When a section changes size, comparing it byte for byte after the first change is
meaningless. Anchors found in both builds (pclntab tables, buildinfo modinfo lines, Go
functions) cut it into pieces that are compared piece against same-named piece, so a longer
path or one more modinfo line costs its own bytes, not everything after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from godet.read.binary import Binary


@dataclass(frozen=True, slots=True)
class Anchor:
    """A named byte range of one file."""

    key: str
    start: int
    end: int


def structure_anchors(b: Binary) -> list[Anchor]:
    """pclntab tables and buildinfo strings (blob and read-only-data copies), sorted by offset."""
    out: list[Anchor] = []
    p = b.pclntab
    if p is not None:
        first = min((off for off, _ in p.tables.values()), default=p.offset)
        if first > p.offset:
            out.append(Anchor("pclntab header", p.offset, first))
        for name, (off, ln) in p.tables.items():
            out.append(Anchor(name, off, off + ln))
    bi = b.buildinfo
    if bi is not None:
        out.extend(_modinfo_anchors(b))
    out.sort(key=lambda a: (a.start, a.end))
    return _non_overlapping(out)


def _modinfo_anchors(b: Binary) -> list[Anchor]:
    bi = b.buildinfo
    assert bi is not None
    text = bi.modinfo.encode("utf-8", "surrogateescape")
    if not text:
        return []
    out = []
    for n, base in enumerate(sorted(b.modinfo_copies)):
        if bytes(b.image.data[base : base + len(text)]) != text:
            continue  # (buildinfo's own range starts at the 16-byte marker before the text in some releases)
        pos = 0
        seen: dict[str, int] = {}
        for line in text.split(b"\n"):
            if not line:  # the blank line after a replaced module's "=>" line, or the end: no name
                pos += 1
                continue
            key = _line_key(line)
            k = seen.get(key, 0)
            seen[key] = k + 1
            name = f"modinfo#{n} {key}" + (f"#{k + 1}" if k else "")
            out.append(Anchor(name, base + pos, base + pos + len(line) + 1))
            pos += len(line) + 1
        end = base + len(text)  # what follows the text (buildinfo's end marker) lines up too
        out.append(Anchor(f"modinfo#{n} end", end, end + 1))
    vo, vl = bi.version_range
    out.append(Anchor("go version string", vo, vo + vl))
    return out


def _line_key(line: bytes) -> str:
    """A modinfo line's identity: its kind and its key (dep path, setting name), not its value."""
    parts = line.decode("utf-8", "replace").split("\t")
    if parts[0] == "build" and len(parts) > 1:
        return "build " + parts[1].split("=", 1)[0]
    if parts[0] in ("dep", "=>", "mod", "path") and len(parts) > 1:
        return f"{parts[0]} {parts[1]}"
    return parts[0]


def _non_overlapping(anchors: list[Anchor]) -> list[Anchor]:
    out: list[Anchor] = []
    end = -1
    for a in anchors:
        if a.start >= end and a.end > a.start:
            out.append(a)
            end = a.end
    return out


def split(
    a_anchors: list[Anchor],
    b_anchors: list[Anchor],
    a_span: tuple[int, int],
    b_span: tuple[int, int],
    gaps: bool = True,
    first: str = "[start]",
    last: str = "[end]",
) -> list[tuple[str, tuple[int, int], tuple[int, int]]]:
    """Cut two spans into same-named pieces at the anchors both sides have, in a common order."""
    ia = {a.key: a for a in a_anchors if a_span[0] <= a.start and a.end <= a_span[1]}
    ib = {a.key: a for a in b_anchors if b_span[0] <= a.start and a.end <= b_span[1]}
    common = []
    last_b = -1
    for key, x in sorted(ia.items(), key=lambda kv: kv[1].start):
        y = ib.get(key)
        if y is not None and y.start >= last_b:
            common.append((key, x, y))
            last_b = y.end
    pieces: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
    pa, pb = a_span[0], b_span[0]
    for i, (key, x, y) in enumerate(common):
        if gaps or i == 0:
            pieces.append((first if i == 0 else f"[before {key}]", (pa, x.start), (pb, y.start)))
        pieces.append((key, (x.start, x.end), (y.start, y.end)))
        pa, pb = x.end, y.end
    pieces.append((last if common else first, (pa, a_span[1]), (pb, b_span[1])))
    return pieces
