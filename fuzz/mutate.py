"""Mutations: concrete, JSON-able operations on a seed's bytes, and a generator that picks them.

An input is ``(seed name, [op, ...], params)``. Ops are plain lists so that a defect can be stored,
replayed and minimised op by op:

``["xor", off, mask]``            flip bits of one byte
``["write", off, hex]``           overwrite bytes
``["int", off, width, big, v]``   overwrite an integer field (structure-aware: see landmarks)
``["zero", off, n]``              zero a range
``["trunc", n]``                  cut the file to ``n`` bytes
``["delete", off, n]``            remove a range (everything after shifts)
``["insert", off, hex]``          insert bytes (everything after shifts)

The ``hostile`` kind writes a hostile string (terminal escapes, markup, bidi, Markdown/HTML/CI
breakers, bytes that are not UTF-8) in place into a region that holds text; the target then checks
that the text outputs carry no raw control character.

The generator draws from a ``random.Random`` (``hypothesis`` supplies one in the test suite, a
seeded one in the long run), so both drivers explore the same space.
"""

from __future__ import annotations

import random
from typing import Any

from fuzz.landmarks import Field, Landmarks, Region

Op = list[Any]

# op kind -> weight
KINDS = {
    "field": 40,
    "region": 10,
    "xor_near": 14,
    "xor": 8,
    "zero": 8,
    "trunc": 10,
    "delete": 4,
    "insert": 3,
    "write": 3,
    "hostile": 8,
}

# Strings whoever builds a binary may put in it, for the regions that hold text (buildinfo version,
# module paths and settings, pclntab file names, build ID, section names): terminal escapes (OSC
# title, CSI colour), rich markup, a bidi override, Markdown/HTML/workflow-command breakers, a
# newline, DEL, C1 CSI and bytes that are not UTF-8.
HOSTILE_STRINGS = (
    b"\x1b]0;PWNED\x07",
    b"\x1b[31mRED\x1b[0m",
    b"[bold]x[/bold]",
    "\u202e`|<script>".encode(),
    b"%0A::error::x,y:z",
    b"\n::warning::nl",
    b"| a | b |\n|---|",
    b"[l](http://e.example) ![i](x)",
    b"\x7f\xc2\x9b\xff\xfe",
    b"&amp;<b>`x`</b>",
)
TEXT_REGIONS = ("buildinfo.", "pclntab.filetab", "go_buildid.text", "elf.shstrtab", "pe.section[", ".note[")


def apply(data: bytes, ops: list[Op]) -> bytes:
    """The seed with every op applied in order (out-of-range parts of an op are clamped away)."""
    b = bytearray(data)
    for op in ops:
        kind = op[0]
        if kind == "xor":
            if 0 <= op[1] < len(b):
                b[op[1]] ^= op[2]
        elif kind == "write":
            raw = bytes.fromhex(op[2])
            off = op[1]
            if 0 <= off < len(b):
                b[off : off + len(raw)] = raw[: max(0, len(b) - off)]
        elif kind == "int":
            _, off, width, big, value = op
            if off >= 0 and off + width <= len(b):
                b[off : off + width] = (value % (1 << (8 * width))).to_bytes(
                    width, "big" if big else "little"
                )
        elif kind == "zero":
            off, n = op[1], op[2]
            if 0 <= off < len(b):
                end = min(len(b), off + n)
                b[off:end] = bytes(end - off)
        elif kind == "trunc":
            del b[max(0, op[1]) :]
        elif kind == "delete":
            del b[op[1] : op[1] + op[2]]
        elif kind == "insert":
            b[op[1] : op[1]] = bytes.fromhex(op[2])
        else:
            raise ValueError(f"unknown op {kind!r}")
    return bytes(b)


def _interesting(rng: random.Random, f: Field, size: int, orig: int | None) -> int:
    top = (1 << (8 * f.width)) - 1
    choices = [
        0,
        1,
        2,
        top,
        top - 1,
        top >> 1,
        (top >> 1) + 1,
        size,
        size - 1,
        size + 1,
        size // 2,
        rng.randrange(0, max(1, size)),
        rng.randrange(0, top + 1),
        0x7FFFFFFF & top,
        0x80000000 & top,
        0x1000 & top,
        0xFFFF & top,
    ]
    if orig is not None:
        choices += [
            orig + 1,
            orig - 1,
            orig * 2,
            orig // 2,
            orig ^ (1 << rng.randrange(8 * f.width)),
            orig + rng.choice((16, 64, 4096, size)),
            orig - rng.choice((16, 64, 4096)),
        ]
    return rng.choice(choices) % (top + 1)


def _near(rng: random.Random, lm: Landmarks, size: int) -> int:
    """An offset inside or right around a landmark (where parsers look)."""
    if lm.fields and rng.random() < 0.6:
        f = rng.choice(lm.fields)
        return min(size - 1, max(0, f.offset + rng.randrange(-8, 16)))
    if lm.regions:
        r = rng.choice(lm.regions)
        return min(size - 1, max(0, r.offset + rng.randrange(0, max(1, r.size))))
    return rng.randrange(size)


def _length(rng: random.Random) -> int:
    return int(2 ** rng.uniform(0, 16))


def one_op(rng: random.Random, data: bytes, lm: Landmarks) -> Op:
    """One random op, mostly structure-aware."""
    size = len(data)
    kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
    if kind == "field" and lm.fields:
        f = rng.choice(lm.families[rng.choice(sorted(lm.families))])
        orig = (
            int.from_bytes(data[f.offset : f.offset + f.width], "big" if f.big else "little")
            if f.offset + f.width <= size
            else None
        )
        return ["int", f.offset, f.width, f.big, _interesting(rng, f, size, orig)]
    if kind == "region" and lm.regions:
        r: Region = rng.choice(lm.regions)
        what = rng.random()
        if what < 0.4:
            return ["zero", r.offset, max(1, min(r.size, _length(rng)))]
        if what < 0.7:
            cut = r.offset + rng.randrange(0, max(1, r.size + 1))
            return ["trunc", min(size, cut)]
        n = max(1, min(r.size, rng.randrange(1, 64)))
        return ["write", r.offset + rng.randrange(0, max(1, r.size)), rng.randbytes(n).hex()]
    if kind == "hostile":
        texts = [r for r in lm.regions if r.name.startswith(TEXT_REGIONS) and r.size > 0]
        if texts:
            r = rng.choice(texts)
            payload = rng.choice(HOSTILE_STRINGS)[: r.size]
            off = r.offset + rng.randrange(0, max(1, r.size - len(payload) + 1))
            return ["write", off, payload.hex()]  # in place: lengths and offsets stay valid
    if kind == "xor_near":
        return [
            "xor",
            _near(rng, lm, size),
            1 << rng.randrange(8) if rng.random() < 0.7 else rng.randrange(1, 256),
        ]
    if kind == "zero":
        off = _near(rng, lm, size) if rng.random() < 0.5 else rng.randrange(size)
        return ["zero", off, _length(rng)]
    if kind == "trunc":
        r2 = rng.random()
        if r2 < 0.3:
            return ["trunc", rng.randrange(0, min(size, 4096))]
        if r2 < 0.6:
            return ["trunc", _near(rng, lm, size)]
        return ["trunc", rng.randrange(0, size)]
    if kind == "delete":
        return ["delete", _near(rng, lm, size), _length(rng)]
    if kind == "insert":
        return ["insert", _near(rng, lm, size), rng.randbytes(rng.choice((1, 4, 8, 16, 100))).hex()]
    if kind == "write":
        return ["write", _near(rng, lm, size), rng.randbytes(rng.randrange(1, 32)).hex()]
    return ["xor", rng.randrange(size), 1 << rng.randrange(8)]


DIFF_FORMATS = ("text", "json", "markdown", "html")
CHECK_FORMATS = ("text", "json", "sarif", "junit", "github")


def generate(rng: random.Random, data: bytes, lm: Landmarks) -> tuple[list[Op], dict[str, Any]]:
    """The ops of one input (1 to 6, mostly few) and how to run it (diff order/depth, formats)."""
    n = rng.choice((1, 1, 1, 2, 2, 3, 4, 6))
    ops = [one_op(rng, data, lm) for _ in range(n)]
    params = {
        "mutant_first": rng.random() < 0.5,
        "deep": rng.random() < 0.25,
        "functions": rng.random() < 0.2,
        "diff_format": rng.choice(DIFF_FORMATS),
        "check_format": rng.choice(CHECK_FORMATS),
    }
    return ops, params


def sweep(data: bytes, lm: Landmarks, per_family: int = 4) -> list[Op]:
    """Deterministic single-field corruptions: the first ``per_family`` fields of every structure,
    each set to 0, its maximum, the file size + 1 and its own value + 1."""
    ops: list[Op] = []
    for fam in sorted(lm.families):
        for f in lm.families[fam][:per_family]:
            if f.offset + f.width > len(data):
                continue
            orig = int.from_bytes(data[f.offset : f.offset + f.width], "big" if f.big else "little")
            top = (1 << (8 * f.width)) - 1
            for v in dict.fromkeys((0, top, (len(data) + 1) & top, (orig + 1) & top)):
                if v != orig:
                    ops.append(["int", f.offset, f.width, f.big, v])
    return ops
