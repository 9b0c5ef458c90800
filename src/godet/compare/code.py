"""Disassembly of differing code, with address operands normalised (capstone, imported lazily).

A size change anywhere moves later code and data, so call targets, RIP-relative displacements
and ADRP pages change in functions whose instructions are the same. Before calling a function
"changed", both versions are disassembled and every operand that is an address is rewritten as
the function or symbol it points to (pclntab ``func_at``, the symbol table) or, when neither
names it, as a placeholder for its section. Two functions whose normalised listings are equal
only shifted; equal as multisets but in another order were reordered (generated code); otherwise
their instructions changed.

Supported: amd64, 386, arm64, arm (little-endian). Elsewhere the verdict is "unsupported".
"""

from __future__ import annotations

import bisect
import functools
import re
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from godet.arrays import unique
from godet.compare import arm64moves
from godet.read.addrnames import Namer

if TYPE_CHECKING:
    from godet.compare.layout import Comparison, FunctionDelta
    from godet.read.binary import Binary


class CodePair(Protocol):
    """What the code comparison needs of a diff: both builds, their comparison and --deep."""

    a: Binary
    b: Binary
    cmp: Comparison
    deep: bool


class CodeResidual(Protocol):
    """A residual in code to describe (explain's Residual): where it is, and what to fill in."""

    function: str | None
    a_range: tuple[int, int] | None
    b_range: tuple[int, int] | None
    note: str
    disassembly: list[tuple[str, str]]


DEEP_LIMIT = 20_000  # --deep: functions disassembled at most (the rest: exact-move test or unchecked)
DEEP_BYTE_BUDGET = 8 << 20  # code bytes per side --deep disassembles at most (about 15 s)
DEEP_SECONDS = 3.0  # and for at most this long (wall clock); the rest is reported as not disassembled
DEFAULT_LIMIT = 300  # functions changed_functions() disassembles at most
BYTE_BUDGET = 1 << 20  # code bytes (per side) changed_functions() disassembles at most
MAX_FUNC_BYTES = 256 << 10  # a longer range is cut (and the verdict says so)
MAX_PAIRS = 30  # (A line, B line) pairs kept for a residual
MAX_RESYNC = 2048  # undecodable spots skipped per range before giving up on the rest
PSEUDO_FUNCS = ("go:buildid", "go.buildid")  # (go.buildid until Go 1.19's linker renamed it)
MAX_LINES_DIFF = 20_000  # longer listings are compared without a line diff

_ARCHES = {
    "amd64": ("CS_ARCH_X86", "CS_MODE_64", 1),
    "386": ("CS_ARCH_X86", "CS_MODE_32", 1),
    "arm64": ("CS_ARCH_ARM64", "CS_MODE_ARM", 4),
    "arm": ("CS_ARCH_ARM", "CS_MODE_ARM", 4),
}
# Positive hex numbers >= 0x10000 (MIN_ADDR): smaller ones (and negative offsets) are never addresses.
_HEX = re.compile(r"(?<!- )(?<!-)(#?)(0x[0-9a-f]{5,})")
_RIP = re.compile(r"\[rip ([+-]) (0x[0-9a-f]+)\]")
_ARM64_MEM = re.compile(r"\[(x\d+), #(-?0x[0-9a-f]+|-?\d+)\]")


def supported(arch: str) -> bool:
    """Whether code of ``arch`` can be disassembled here."""
    return arch in _ARCHES


@functools.lru_cache(maxsize=8)
def _engine(arch: str) -> Any:
    import capstone  # lazily: only when code really has to be read

    name, mode, _ = _ARCHES[arch]
    return capstone.Cs(getattr(capstone, name), getattr(capstone, mode))


def pair_namers(a: Binary, b: Binary) -> tuple[Namer, Namer]:
    """The two builds' Namers, alike: by symbols only when both builds have a symbol table (a name
    on one side against a section placeholder on the other would make equal code differ)."""
    if a.symbols.names_go and b.symbols.names_go:
        return a.namer, b.namer
    return a.section_namer, b.section_namer


# ---------------------------------------------------------------------------------- disassembly


@dataclass(frozen=True, slots=True)
class Insn:
    """One decoded instruction (or data word): address, raw text, and the normalised text."""

    addr: int
    size: int
    text: str
    norm: str


@dataclass
class Listing:
    """A disassembled range; ``cut`` when it was longer than MAX_FUNC_BYTES."""

    insns: list[Insn]
    cut: bool = False
    resync_exhausted: bool = False


def disassemble(binary: Binary, start: int, end: int, names: Namer | None = None) -> Listing | None:
    """The instructions of file range [start, end) of ``binary``, normalised (operands named by
    ``names``, the binary's own Namer by default); None if unsupported."""
    arch = binary.image.arch
    if arch not in _ARCHES or binary.image.big_endian:
        return None
    image = binary.image
    sec = image.section_at(start)
    if sec is None or not sec.executable:
        return None
    end = min(end, sec.offset + sec.size, image.size)
    cut = end - start > MAX_FUNC_BYTES
    if cut:
        end = start + MAX_FUNC_BYTES
    if end <= start:
        return Listing([])
    code = bytes(image.data[start:end])
    base = sec.addr + (start - sec.offset)
    raw = _decode(arch, code, base)
    norm = _Normaliser(arch, names or binary.namer, code, base)
    items = raw.items
    while items and _padding(code, items[-1][0] - base, items[-1][1]):
        items = items[:-1]  # alignment padding after the last instruction
    insns = [Insn(a, s, f"{m} {o}".rstrip(), norm(a, s, m, o)) for a, s, m, o in items]
    return Listing(insns, cut, raw.exhausted)


def _padding(code: bytes, off: int, size: int) -> bool:
    chunk = code[off : off + size]
    return bool(chunk) and (chunk.count(0xCC) == size or chunk.count(0) == size)


@dataclass
class _Raw:
    items: list[tuple[int, int, str, str]] = field(default_factory=list)
    exhausted: bool = False


def _decode(arch: str, code: bytes, base: int) -> _Raw:
    md = _engine(arch)
    step = _ARCHES[arch][2]
    out = _Raw()
    pos = 0
    n = len(code)
    view = memoryview(code)
    for _ in range(MAX_RESYNC):
        for a, s, m, o in md.disasm_lite(view[pos:], base + pos):
            out.items.append((a, s, m, o))
            pos = a + s - base
        if pos >= n:
            return out
        width = min(step, n - pos)
        word = code[pos : pos + width]
        out.items.append((base + pos, width, ".byte" if width == 1 else ".word", word[::-1].hex()))
        pos += width
        if pos >= n:
            return out
    out.exhausted = True
    rest = code[pos:]
    out.items.append((base + pos, len(rest), ".bytes", f"{len(rest)} undecoded"))
    return out


_X86_BRANCHES = ("j", "call", "loop")  # mnemonics whose operand is a pc-relative target


class _Normaliser:
    """Rewrites address operands of one range's instructions as names (state: ARM64 ADRP pages)."""

    def __init__(self, arch: str, namer: Namer, code: bytes, base: int) -> None:
        self.arch = arch
        self.namer = namer
        self.code = code
        self.base = base
        self.pages: dict[str, int] = {}

    def __call__(self, addr: int, size: int, mnem: str, ops: str) -> str:
        namer = self.namer
        if self.arch in ("arm64", "arm") and size == 4:
            off = addr - self.base
            word = int.from_bytes(self.code[off : off + 4], "little")
            if namer.is_addr(word):  # a literal-pool word holding an address
                return f".word <{namer.name(word)}>"
        if mnem.startswith("."):
            return f"{mnem} {ops}"
        if self.arch != "arm64" and "0x" not in ops:
            return f"{mnem} {ops}".rstrip()
        if self.arch == "arm64":
            ops = self._arm64(mnem, ops)
        elif self.arch == "amd64" and "rip" in ops:
            nxt = addr + size
            ops = _RIP.sub(lambda m: f"[<{namer.name(nxt + _signed(m.group(1), m.group(2)))}>]", ops)
        # (x86 code in a position-independent ELF holds no address as a plain number: only branch
        # targets, which capstone prints resolved, are addresses there)
        numbers = self.arch in ("amd64", "386") and not namer.absolute and not mnem.startswith(_X86_BRANCHES)
        ops = ops if numbers else _HEX.sub(lambda m: self._hex(m), ops)
        return f"{mnem} {ops}".rstrip()

    def _hex(self, m: re.Match[str]) -> str:
        v = int(m.group(2), 16)
        if v > 0 and self.namer.is_addr(v):
            return f"<{self.namer.name(v)}>"
        return m.group(0)

    def _arm64(self, mnem: str, ops: str) -> str:
        parts = ops.split(", ")
        dest = parts[0] if parts else ""
        if mnem == "adrp" and len(parts) == 2:
            try:
                self.pages[dest] = int(parts[1].lstrip("#"), 16)
            except ValueError:
                self.pages.pop(dest, None)
            return f"{dest}, <page>"
        if mnem == "add" and len(parts) == 3 and parts[1] in self.pages and parts[2].startswith("#"):
            target = self.pages[parts[1]] + _int(parts[2][1:])
            ops = f"{parts[0]}, {parts[1]}, <{self.namer.name(target)}>"
        else:
            m = _ARM64_MEM.search(ops)
            if m and m.group(1) in self.pages and mnem.startswith(("ld", "st")):
                target = self.pages[m.group(1)] + _int(m.group(2))
                ops = ops[: m.start()] + f"[{m.group(1)}, <{self.namer.name(target)}>]" + ops[m.end() :]
        if dest in self.pages and not mnem.startswith(("st", "cmp", "tst", "cb", "tb", "b")):
            del self.pages[dest]  # the register now holds something else
        return ops


def _signed(sign: str, hexnum: str) -> int:
    return int(hexnum, 16) * (1 if sign == "+" else -1)


def _int(s: str) -> int:
    return int(s, 16) if s.lstrip("-").startswith("0x") else int(s)


MAX_CONSTANT = 1 << 16  # larger immediates are addresses, masks and hashes: no constant of the source
_IMMEDIATE = re.compile(r"(?<![\[\w+-])(?:0x[0-9a-f]+|\d+)\b")
_MEMORY = re.compile(r"\[[^\]]*\]")


def own_constants(binary: Binary, i: int) -> frozenset[int] | None:
    """The small immediate operands (< MAX_CONSTANT) of function ``i``'s own amd64 instructions
    (pclntab index): what its source computes with (``a*31`` as ``shl 5``, a size, a count), less
    the calls inlined into it (their code is their functions'), branches, memory displacements and
    stack adjustments. None when the function's code cannot be read here (another architecture)."""
    tab = binary.pclntab
    image = binary.image
    if image.arch != "amd64" or tab is None or not 0 <= i < len(tab):
        return None
    lo, hi = int(tab.entries[i]), int(tab.ends[i])
    off = image.va_to_offset(lo)
    if off is None or hi <= lo or off + hi - lo > image.size or hi - lo > MAX_FUNC_BYTES:
        return None
    inlined = tab.inlined_ranges(i)
    out: set[int] = set()
    for addr, _size, mnem, ops in _engine("amd64").disasm_lite(bytes(image.data[off : off + hi - lo]), lo):
        if mnem.startswith(_X86_BRANCHES) or any(s <= addr < e for s, e in inlined):
            continue
        dest, _, source = _MEMORY.sub("", ops).partition(",")
        if not source or "sp" in dest or "bp" in dest:  # (no immediate, or the frame's size)
            continue
        out.update(v for m in _IMMEDIATE.findall(source) if (v := int(m, 0)) < MAX_CONSTANT)
    return frozenset(out)


# ---------------------------------------------------------------------------------- comparing


@dataclass
class CodeCompare:
    """How two versions of a piece of code compare once addresses are normalised.

    ``verdict``: "same" (bytes equal), "shifted" (only address operands differ), "reordered"
    (the same instructions in another order), "changed", or "unsupported". ``a_text``/``b_text``
    summarise the first difference (normalised instructions joined by "; ").
    """

    verdict: str
    pairs: list[tuple[str, str]] = field(default_factory=list)
    a_insns: int = 0
    b_insns: int = 0
    cut: bool = False
    a_text: str = ""
    b_text: str = ""

    @property
    def note(self) -> str:
        return {
            "same": "same bytes at the same function or symbol (the code only moved)",
            "shifted": "same instructions, only addresses differ",
            "reordered": "same instructions in a different order",
            "changed": "instructions changed",
        }.get(self.verdict, "not disassembled (architecture not supported)")


def compare_ranges(
    ctx: CodePair, a_range: tuple[int, int] | None, b_range: tuple[int, int] | None, pairs: bool = True
) -> CodeCompare:
    """Compare code at file range ``a_range`` of A with ``b_range`` of B (either may be None)."""
    na_, nb_ = pair_namers(ctx.a, ctx.b)
    la = disassemble(ctx.a, *a_range, na_) if a_range else None
    lb = disassemble(ctx.b, *b_range, nb_) if b_range else None
    if (a_range and la is None) or (b_range and lb is None):
        return CodeCompare("unsupported")
    xa = la.insns if la else []
    xb = lb.insns if lb else []
    cut = bool((la and (la.cut or la.resync_exhausted)) or (lb and (lb.cut or lb.resync_exhausted)))
    na, nb = [i.norm for i in xa], [i.norm for i in xb]
    for k, (x, y) in enumerate(zip(xa, xb, strict=False)):
        if x.text == y.text and na[k] != nb[k] and "rip" not in x.text:
            nb[k] = na[k]  # the same absolute operand: a number one build's larger layout reads as an address
    if a_range and b_range and [i.text for i in xa] == [i.text for i in xb]:
        verdict = "same"
    elif na == nb and a_range and b_range:
        verdict = "shifted"
    elif a_range and b_range and _alike_but_padding(xa, xb, cut):
        verdict = "shifted"  # code that moved by a non-multiple of its alignment: other padding between
    elif a_range and b_range and sorted(na) == sorted(nb):
        verdict = "reordered"
    else:
        verdict = "changed"
    out = CodeCompare(verdict, a_insns=len(xa), b_insns=len(xb), cut=cut)
    if pairs:
        out.pairs, hunk = _pairs(xa, xb, verdict)
        out.a_text, out.b_text = _summary(na, nb, hunk)
    return out


PADDING = ("nop", "int3", "xchg ax, ax", "data16 ", "cs nop")  # instructions that only fill alignment gaps
CUT_SLACK = 16  # instructions left out at the end of two cut listings (the cut splits them unevenly)


def _alike_but_padding(xa: list[Insn], xb: list[Insn], cut: bool) -> bool:
    """Whether two listings are the same instructions once the padding between them is left out (a
    C function after code that grew starts at another distance from its alignment, so the compiler's
    nops before it differ), address operands normalised; cut listings are compared as far as both go."""
    fa = [i for i in xa if not i.text.startswith(PADDING)]
    fb = [i for i in xb if not i.text.startswith(PADDING)]
    if len(fa) == len(xa) and len(fb) == len(xb):
        return False  # no padding: the normalised listings already differ
    if cut:
        k = min(len(fa), len(fb)) - CUT_SLACK
        if k <= 0:
            return False
        fa, fb = fa[:k], fb[:k]
    if len(fa) != len(fb):
        return False
    return all(
        x.norm == y.norm or (x.text == y.text and "rip" not in x.text) for x, y in zip(fa, fb, strict=True)
    )


def normalised_equal(
    ctx: CodePair, fa_range: tuple[int, int], fb_range: tuple[int, int], arch: str | None = None
) -> bool:
    """True when the code at the two file ranges differs at most in address operands."""
    if arch is not None and not supported(arch):
        return False
    return compare_ranges(ctx, fa_range, fb_range, pairs=False).verdict in ("same", "shifted")


def _line(i: Insn, norm: bool) -> str:
    return f"{i.addr:#x}  {i.norm if norm else i.text}"


Hunk = tuple[int, int, int, int]


def _summary(na: list[str], nb: list[str], hunk: Hunk | None) -> tuple[str, str]:
    """The whole of two short listings, or the first differing hunk of longer ones."""
    if min(len(na), len(nb)) <= 8:  # a short function: show both from the start

        def head(xs: list[str]) -> str:
            return ("; ".join(xs[:8]) + (" …" if len(xs) > 8 else "")) or "(nothing)"

        return head(na), head(nb)
    if hunk is None:
        return "", ""
    i1, i2, j1, j2 = hunk

    def part(xs: list[str], lo: int, hi: int) -> str:
        if hi <= lo:
            return "(nothing)"
        more = " …" if hi - lo > 4 else ""
        return "; ".join(xs[lo : min(hi, lo + 4)]) + more

    return part(na, i1, i2), part(nb, j1, j2)


def _pairs(xa: list[Insn], xb: list[Insn], verdict: str) -> tuple[list[tuple[str, str]], Hunk | None]:
    """Up to MAX_PAIRS (A line, B line) pairs that differ, and the first differing hunk."""
    out: list[tuple[str, str]] = []
    if verdict in ("same", "shifted"):
        for x, y in zip(xa, xb, strict=False):
            if x.text != y.text:
                out.append((_line(x, False), _line(y, False)))
                if len(out) >= MAX_PAIRS:
                    break
        return out, None
    na, nb = [i.norm for i in xa], [i.norm for i in xb]
    if len(na) > MAX_LINES_DIFF or len(nb) > MAX_LINES_DIFF:
        first = None
        for k, (x, y) in enumerate(zip(xa, xb, strict=False)):
            if x.norm != y.norm:
                first = first or (k, k + 1, k, k + 1)
                out.append((_line(x, True), _line(y, True)))
                if len(out) >= MAX_PAIRS:
                    break
        return out, first
    hunk: Hunk | None = None
    for i1, i2, j1, j2 in _hunks(na, nb):
        hunk = hunk or (i1, i2, j1, j2)
        for k in range(max(i2 - i1, j2 - j1)):
            a = _line(xa[i1 + k], True) if i1 + k < i2 else ""
            b = _line(xb[j1 + k], True) if j1 + k < j2 else ""
            out.append((a, b))
            if len(out) >= MAX_PAIRS:
                return out, hunk
    return out, hunk


RESYNC_WINDOW = 64  # lines looked ahead on each side for the end of a differing hunk
RESYNC_RUN = 3  # equal lines in a row that end a hunk (fewer at the very end)


def _hunks(na: list[str], nb: list[str]) -> Iterator[Hunk]:
    """Differing hunks ``(i1, i2, j1, j2)`` of two listings, in order, in linear time.

    Equal lines are skipped in step; at a difference, the hunk ends at the nearest point (smallest
    ``i + j``) within RESYNC_WINDOW lines of both sides where RESYNC_RUN lines agree again. When no
    such point is in the window, the rest of both listings is one hunk (not aligned further): a
    quadratic alignment (difflib) took minutes on shifted code.
    """
    i = j = 0
    n, m = len(na), len(nb)
    while i < n and j < m:
        if na[i] == nb[j]:
            i += 1
            j += 1
            continue
        end = _resync(na, nb, i, j)
        if end is None:
            yield i, n, j, m
            return
        yield i, end[0], j, end[1]
        i, j = end
    if i < n or j < m:
        yield i, n, j, m


def _resync(na: list[str], nb: list[str], i: int, j: int) -> tuple[int, int] | None:
    """The nearest ``(i', j')`` past a difference at ``(i, j)`` where the listings agree again."""
    where: dict[str, list[int]] = {}
    for y in range(j, min(len(nb), j + RESYNC_WINDOW)):
        where.setdefault(nb[y], []).append(y)
    best: tuple[int, int] | None = None
    for x in range(i, min(len(na), i + RESYNC_WINDOW)):
        if best is not None and x + j >= best[0] + best[1]:
            break
        for y in where.get(na[x], ()):
            if (x, y) == (i, j):
                continue
            run = 0
            while run < RESYNC_RUN and x + run < len(na) and y + run < len(nb) and na[x + run] == nb[y + run]:
                run += 1
            if run == RESYNC_RUN or (x + run == len(na) and y + run == len(nb)):
                if best is None or x + y < best[0] + best[1]:
                    best = (x, y)
                break
    return best


# ---------------------------------------------------------------------------------- functions


@dataclass
class FunctionVerdicts:
    """Go functions of ``ctx.cmp.functions`` sorted by what disassembly says about them."""

    # (function, comparison); None for a function present in one build only
    changed: list[tuple[FunctionDelta, CodeCompare | None]] = field(default_factory=list)
    reordered: list[tuple[FunctionDelta, CodeCompare]] = field(default_factory=list)
    shifted: list[FunctionDelta] = field(default_factory=list)
    unchecked: list[FunctionDelta] = field(default_factory=list)
    supported: bool = True
    limit: int = DEFAULT_LIMIT
    disassembled: int = 0  # functions compare_ranges() ran on (the others: numeric test or unchecked)

    @property
    def checked(self) -> int:
        return len(self.changed) + len(self.reordered) + len(self.shifted)


def _known_moves(ctx: CodePair) -> tuple[np.ndarray, dict[str, int]]:
    """How far every function and every section moved from A to B (sorted unique), and per function."""
    pa, pb = ctx.a.pclntab, ctx.b.pclntab
    if pa is None or pb is None:
        return np.zeros(0, dtype=np.int64), {}
    entries_b = dict(zip(pb.names, pb.entries.tolist(), strict=True))
    per_func = {
        n: entries_b[n] - e for n, e in zip(pa.names, pa.entries.tolist(), strict=True) if n in entries_b
    }
    secs_b = {s.key: s.addr for s in ctx.b.image.sections if s.alloc}
    sec_moves = [secs_b[s.key] - s.addr for s in ctx.a.image.sections if s.alloc and s.key in secs_b]
    moves = [m for m in (*per_func.values(), *sec_moves) if -(1 << 62) < m < 1 << 62]  # hostile addresses
    allm = unique(np.fromiter(moves, dtype=np.int64, count=len(moves)))
    return allm, per_func


BATCH_BYTES = 16 << 20  # code bytes per side gathered at once by the displacement test


def _displacements_only(
    ctx: CodePair, fds: list[FunctionDelta], moves: tuple[np.ndarray, dict[str, int]]
) -> np.ndarray:
    """x86, for each function: whether it has the same size in both builds and every differing run is
    a 32-bit displacement whose change equals (its target's move − the function's own move) for some
    known function or section move. Vectorised over all the functions, a batch of code at a time."""
    allm, per_func = moves
    ok = np.zeros(len(fds), dtype=bool)
    if not len(allm):
        return ok
    todo: list[tuple[int, int, int, int, int]] = []  # (index, A start, B start, length, own move)
    for k, fd in enumerate(fds):
        own = per_func.get(fd.name)
        if own is None or fd.a_range is None or fd.b_range is None:
            continue
        (a0, a1), (b0, b1) = fd.a_range, fd.b_range
        if a1 - a0 == b1 - b0:
            todo.append((k, a0, b0, a1 - a0, own))
    da = np.frombuffer(ctx.a.image.data, dtype=np.uint8)
    db = np.frombuffer(ctx.b.image.data, dtype=np.uint8)
    for batch in _batches(todo):
        idx = np.array([t[0] for t in batch], dtype=np.int64)
        ok[idx] = _displacement_batch(da, db, batch, allm)
    return ok


def _batches(items: list[Any]) -> Iterator[list[Any]]:
    """``items`` (each ``(index, A start, B start, length, ...)``) in consecutive batches of at most
    BATCH_BYTES of code per side (a longer item alone)."""
    batch: list[Any] = []
    size = 0
    for item in items:
        if batch and size + item[3] > BATCH_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item[3]
    if batch:
        yield batch


def _arm64_displacements_only(
    ctx: CodePair, fds: list[FunctionDelta], moves: tuple[np.ndarray, dict[str, int]]
) -> np.ndarray:
    """arm64, for each function: whether it has the same size in both builds and every differing
    word is a PC-relative address operand whose target moved by a known move (compare/arm64moves.py)."""
    allm, per_func = moves
    ok = np.zeros(len(fds), dtype=bool)
    if not len(allm):
        return ok
    todo: list[tuple[int, int, int, int, int, int]] = []  # (index, A/B start, length, A address, move)
    for k, fd in enumerate(fds):
        own = per_func.get(fd.name)
        if own is None or fd.a_range is None or fd.b_range is None:
            continue
        (a0, a1), (b0, b1) = fd.a_range, fd.b_range
        n = a1 - a0
        sec = ctx.a.image.section_at(a0)
        if n > 0 and n == b1 - b0 and not (n | a0 | b0) % 4 and sec is not None:
            todo.append((k, a0, b0, n, sec.addr + a0 - sec.offset, own))
    da = np.frombuffer(ctx.a.image.data, dtype=np.uint8)
    db = np.frombuffer(ctx.b.image.data, dtype=np.uint8)
    for batch in _batches(todo):
        words = np.array([t[3] // 4 for t in batch], dtype=np.int64)
        fid = np.repeat(np.arange(len(batch)), words)
        local = np.arange(len(fid)) - np.repeat(np.cumsum(words) - words, words)
        wa = np.concatenate([da[t[1] : t[1] + t[3]] for t in batch]).view("<u4")
        wb = np.concatenate([db[t[2] : t[2] + t[3]] for t in batch]).view("<u4")
        pc_a = np.array([t[4] for t in batch], dtype=np.int64)[fid] + 4 * local
        pc_b = pc_a + np.array([t[5] for t in batch], dtype=np.int64)[fid]
        good = arm64moves.moved_only(wa, wb, pc_a, pc_b, local == words[fid] - 1, allm)
        bad = np.bincount(fid[~good], minlength=len(batch))
        ok[np.array([t[0] for t in batch], dtype=np.int64)] = bad == 0
    return ok


def _displacement_batch(
    da: np.ndarray, db: np.ndarray, batch: list[tuple[int, int, int, int, int]], allm: np.ndarray
) -> np.ndarray:
    """The displacement test on a batch of equal-size function pairs, their bytes laid end to end."""
    lens = np.array([t[3] for t in batch], dtype=np.int64)
    own = np.array([t[4] for t in batch], dtype=np.int64)
    base = np.concatenate(([0], np.cumsum(lens)[:-1]))
    xa = np.concatenate([da[t[1] : t[1] + t[3]] for t in batch])
    xb = np.concatenate([db[t[2] : t[2] + t[3]] for t in batch])
    diff = np.flatnonzero(xa != xb)
    if not len(diff):
        return np.ones(len(batch), dtype=bool)
    fid = np.searchsorted(base, diff, side="right") - 1
    local = diff - base[fid]
    # group differing bytes of one function into 4-byte windows ending at the last byte of each run
    new = np.ones(len(diff), dtype=bool)
    new[1:] = (np.diff(local) > 3) | (np.diff(fid) != 0)
    starts = np.flatnonzero(new)
    ends = np.concatenate((starts[1:], [len(diff)])) - 1
    last, first, f = local[ends], local[starts], fid[starts]
    win_ok = np.zeros(len(starts), dtype=bool)
    weights = 1 << (8 * np.arange(4, dtype=np.int64))
    for k in range(4):  # the displacement's last byte may follow the run's last differing byte
        w0 = last - 3 + k
        fits = np.flatnonzero((w0 >= 0) & (w0 <= first) & (w0 + 4 <= lens[f]))
        if not len(fits):
            continue
        at = (base[f[fits]] + w0[fits])[:, None] + np.arange(4)
        va = xa[at].astype(np.int64) @ weights
        vb = xb[at].astype(np.int64) @ weights
        va = np.where(va >= 1 << 31, va - (1 << 32), va)
        vb = np.where(vb >= 1 << 31, vb - (1 << 32), vb)
        target_move = vb - va + own[f[fits]]
        pos = np.searchsorted(allm, target_move)
        hit = allm[np.minimum(pos, len(allm) - 1)] == target_move
        win_ok[fits[hit]] = True
    bad = np.bincount(f[~win_ok], minlength=len(batch))
    return bad == 0


def changed_functions(ctx: CodePair, limit: int | None = None) -> FunctionVerdicts:
    """Classify the differing Go functions (at most ``limit`` disassembled; cached per context).

    The default limit is DEFAULT_LIMIT functions and BYTE_BUDGET bytes, or DEEP_LIMIT,
    DEEP_BYTE_BUDGET and DEEP_SECONDS when the diff runs with ``--deep``; functions past the
    budget are ``unchecked`` (reported as not disassembled).
    """
    if limit is None:
        limit = DEEP_LIMIT if ctx.deep else DEFAULT_LIMIT
    cache = _verdict_cache(ctx.cmp)
    if limit in cache:
        return cache[limit]
    out = FunctionVerdicts(limit=limit)
    arch = ctx.a.image.arch
    out.supported = supported(arch) and not ctx.a.image.big_endian and arch == ctx.b.image.arch
    budget = DEEP_BYTE_BUDGET if ctx.deep else BYTE_BUDGET
    deadline = time.monotonic() + DEEP_SECONDS if ctx.deep else float("inf")
    moves = _known_moves(ctx) if arch in ("amd64", "386", "arm64") and out.supported else None
    # (PSEUDO_FUNCS are not code: the build ID string at the start of text, which identity explains)
    todo = [fd for fd in _priority(ctx, ctx.cmp.functions) if not fd.name.startswith(PSEUDO_FUNCS)]
    if moves is None:
        numeric = np.zeros(len(todo), dtype=bool)
    elif arch == "arm64":
        numeric = _arm64_displacements_only(ctx, todo, moves)
    else:
        numeric = _displacements_only(ctx, todo, moves)
    for fd, only_moved in zip(todo, numeric.tolist(), strict=True):
        if fd.a_range is None or fd.b_range is None:
            out.changed.append((fd, None))
            continue
        size = max(fd.a_range[1] - fd.a_range[0], fd.b_range[1] - fd.b_range[0])
        if only_moved:
            out.shifted.append(fd)  # every changed rel32 is a known move: no disassembly needed
            continue
        if not out.supported and _resized(fd):
            out.changed.append((fd, None))  # Go's linker never resizes a function: its code changed
            continue
        if not out.supported or out.disassembled >= limit or size > budget or time.monotonic() > deadline:
            out.unchecked.append(fd)
            continue
        out.disassembled += 1
        budget -= min(size, MAX_FUNC_BYTES)
        cc = compare_ranges(ctx, fd.a_range, fd.b_range)
        if cc.verdict in ("same", "shifted"):
            out.shifted.append(fd)
        elif cc.verdict == "reordered":
            out.reordered.append((fd, cc))
        elif cc.verdict == "changed":
            out.changed.append((fd, cc))
        else:
            out.unchecked.append(fd)
    cache[limit] = out
    return out


def _resized(fd: FunctionDelta) -> bool:
    """Whether a function both builds hold has another size in each: the compiler (or assembler)
    emitted other instructions, since Go's linker relocates code in place, whatever the
    architecture (no relaxation; trampolines are functions of their own). What tells a changed
    function on an architecture that cannot be disassembled here."""
    return (
        fd.a_range is not None
        and fd.b_range is not None
        and fd.a_range[1] - fd.a_range[0] != fd.b_range[1] - fd.b_range[0]
    )


# ------------------------------------------------------------- across relocation models

# What the relocation model and the linker change in amd64 code the compiler emitted alike: the
# thread's g is reached through an offset loaded into a register first (``mov r, -8`` or, from the
# external linker, a load from the GOT, then ``mov r14, fs:[r]``, for ``mov r14, fs:[-8]``), so code
# grows and its branches reach other offsets; static data a pointer needs relocating moves from
# .rodata to .data.rel.ro; another linker names other local data symbols.
RELOCATION_ARCHES = frozenset({"amd64"})
_LOAD = re.compile(r"^mov (\w+), (?!.*fs:)")  # a register set (to a TLS offset, when fs: then uses it)
_TLS_FIXED = re.compile(r"fs:\[(-?0x[0-9a-f]+|-?\d+)\]")  # a thread-local access at a fixed offset
_BRANCH = re.compile(r"^(j\w+|call) (0x[0-9a-f]+)$")
# an address set as an immediate (``mov edi, <sym>``: position-dependent C), where position-
# independent code loads it relative to the instruction (``lea rdi, [rip + …]``)
_ABSOLUTE = re.compile(r"^mov (\w+), <[^>]+>$")
TLS_REACH = 64  # instructions after loading a TLS offset into a register that may use it


def relocation_view(insns: list[Insn]) -> list[str]:
    """A listing as the relocation model leaves it: no padding, the thread-local offset as a
    placeholder however it is reached (an immediate in the access, or loaded into a register first,
    as an immediate or from the GOT), branches inside the listing as instruction numbers, and data
    addresses as one placeholder (another section or symbol may hold the data), also where
    position-dependent code sets one as an immediate (``mov edi, <sym>`` reads as the
    ``lea rdi, [<address>]`` position-independent code has there)."""
    texts = [_TLS_FIXED.sub("fs:[<tls>]", x.text) for x in insns]
    norms = [_TLS_FIXED.sub("fs:[<tls>]", x.norm) for x in insns]
    dropped = [t.startswith(PADDING) for t in texts]
    for i, t in enumerate(texts):  # (hand-written assembly loads the offset a few lines earlier)
        m = _LOAD.match(t)
        if m is None:
            continue
        reg = m.group(1)
        for j in range(i + 1, min(i + 1 + TLS_REACH, len(texts))):
            if f"fs:[{reg}]" in texts[j]:
                texts[j] = norms[j] = texts[j].replace(f"fs:[{reg}]", "fs:[<tls>]")
                dropped[i] = True
            elif texts[j].split(" ", 1)[-1].startswith(reg + ","):
                break  # the register is set to something else
    kept = [(x.addr, t, n) for x, t, n, d in zip(insns, texts, norms, dropped, strict=True) if not d]
    starts = [a for a, _, _ in kept]
    lo, hi = (insns[0].addr, insns[-1].addr) if insns else (0, -1)
    out = []
    for _, text, norm in kept:
        m = _BRANCH.match(text)
        target = int(m.group(2), 16) if m is not None else -1
        if m is not None and lo <= target <= hi:
            out.append(f"{m.group(1)} @{bisect.bisect_left(starts, target)}")
        elif a := _ABSOLUTE.match(norm):
            out.append(f"lea {_REG64.get(a.group(1), a.group(1))}, [<address>]")
        else:
            out.append(norm if text.startswith(("call", "j")) else _RIP.sub("[<address>]", text))
    return out


_REG64 = {f"e{r}": f"r{r}" for r in ("ax", "bx", "cx", "dx", "si", "di", "bp", "sp")} | {
    f"r{n}d": f"r{n}" for n in range(8, 16)
}  # a 32-bit register set to an address (zero-extended) as the 64-bit register a lea sets


def relocated_alike(ctx: CodePair, a_range: tuple[int, int], b_range: tuple[int, int]) -> bool:
    """Whether code at file range ``a_range`` of A and ``b_range`` of B differs only as the relocation
    model makes it (relocation_view) on an architecture that view knows."""
    if ctx.a.image.arch not in RELOCATION_ARCHES or ctx.b.image.arch != ctx.a.image.arch:
        return False
    na, nb = pair_namers(ctx.a, ctx.b)
    la, lb = disassemble(ctx.a, *a_range, na), disassemble(ctx.b, *b_range, nb)
    if la is None or lb is None or la.cut or lb.cut:
        return False
    return relocation_view(la.insns) == relocation_view(lb.insns)


def beyond_relocation(
    ctx: CodePair, changed: list[tuple[FunctionDelta, CodeCompare | None]]
) -> list[tuple[FunctionDelta, CodeCompare | None]]:
    """The changed functions whose code differs by more than the relocation model changes
    (relocation_view); all of them where the architecture is not one that view knows."""
    if ctx.a.image.arch not in RELOCATION_ARCHES or ctx.b.image.arch != ctx.a.image.arch:
        return changed
    return [
        (fd, cc)
        for fd, cc in changed
        if not (fd.a_range and fd.b_range and relocated_alike(ctx, fd.a_range, fd.b_range))
    ]


_VERDICTS: dict[int, dict[int, FunctionVerdicts]] = {}


def _verdict_cache(cmp: Comparison) -> dict[int, FunctionVerdicts]:
    """The verdicts computed for one comparison, by limit (dropped with the comparison)."""
    key = id(cmp)
    if key not in _VERDICTS:
        _VERDICTS[key] = {}
        weakref.finalize(cmp, _VERDICTS.pop, key, None)
    return _VERDICTS[key]


def _priority(ctx: CodePair, functions: list[FunctionDelta]) -> list[FunctionDelta]:
    """Resized functions first, then the main module's, then the smallest (most checked per budget)."""
    bi = ctx.a.buildinfo or ctx.b.buildinfo
    mod = bi.path if bi is not None and bi.path else "main"

    def key(fd: FunctionDelta) -> tuple[bool, bool, int]:
        own = fd.name.startswith(("main.", mod + ".", mod + "/"))
        size = max(r[1] - r[0] for r in (fd.a_range, fd.b_range) if r) if fd.a_range or fd.b_range else 0
        return (fd.how == "differs", not own, size)

    return sorted(functions, key=key)


# ---------------------------------------------------------------------------------- residuals


def disassemble_residual(ctx: CodePair, residual: CodeResidual) -> None:
    """Fill ``residual.disassembly`` and ``residual.note`` for a residual in code (others untouched)."""
    ra, rb = _code_ranges(ctx, residual)
    if ra is None and rb is None:
        return
    cc = compare_ranges(ctx, ra, rb)
    if cc.verdict == "unsupported":
        residual.note = cc.note
        return
    if ra is None or rb is None:
        residual.note = f"code only in {'B' if ra is None else 'A'}"
    else:
        residual.note = cc.note + (" (listing cut)" if cc.cut else "")
    residual.disassembly = cc.pairs


def _code_ranges(ctx: CodePair, r: CodeResidual) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """File ranges to disassemble for a residual: the same function (or symbol) on each side, by name."""
    name = r.function.split("#", 1)[0] if r.function else None
    found: list[tuple[str | None, tuple[int, int] | None]] = []
    for binary, rng in ((ctx.a, r.a_range), (ctx.b, r.b_range)):
        sec = binary.image.section_at(rng[0]) if rng else None
        if rng is None or sec is None or not sec.executable:
            found.append((None, None))
            continue
        found.append(_enclosing(binary, sec, rng))
    (na, ra), (nb, rb) = found
    # Pair by name: the bytes at the same place in B may belong to another (moved) function.
    name = name or na or nb
    if name:
        ra = _named_range(ctx.a, name) or ra
        rb = _named_range(ctx.b, name) or rb
    return ra, rb


def _named_range(binary: Binary, name: str) -> tuple[int, int] | None:
    p = binary.pclntab
    if p is not None:
        i = p.index_of(name)
        f = p.func(i) if i is not None else None
        if f is not None:
            start = binary.image.va_to_offset(f.entry)
            if start is not None:
                return start, start + (f.end - f.entry)
    s = binary.symbols.by_name(name) if binary.symbols.present else None
    if s is not None and s.size > 0 and s.kind in ("T", "t"):
        start = binary.image.va_to_offset(s.addr)
        if start is not None:
            return start, start + s.size
    return None


def _enclosing(binary: Binary, sec: Any, rng: tuple[int, int]) -> tuple[str | None, tuple[int, int]]:
    """(name, file range) of the function or code symbol around ``rng`` (else the range itself, capped)."""
    va = sec.addr + rng[0] - sec.offset
    p = binary.pclntab
    if p is not None:
        f = p.func_at(va)
        if f is not None:
            start = binary.image.va_to_offset(f.entry)
            if start is not None:
                return f.name, (start, start + (f.end - f.entry))
    if binary.symbols.present:
        s = binary.symbols.lookup(va)
        if s is not None and s.size > 0 and s.kind in ("T", "t"):
            return s.name, (sec.offset + s.addr - sec.addr, sec.offset + s.addr - sec.addr + s.size)
    return None, (rng[0], min(rng[1], rng[0] + 4096))
