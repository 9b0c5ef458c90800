"""arm64: whether a function's differing instructions are only PC-relative address operands whose
targets moved as the layout says, without disassembling it.

Every arm64 instruction is one little-endian 32-bit word. The ones that hold an address relative to
their own PC are declared below as data (match mask, match value, immediate field). A differing
word passes when both builds hold the same instruction (all bits outside the immediate equal) and
its target moved by a known move (a function's or a section's), as on x86 (compare/code.py). An
address the linker builds in two words, ADRP (the 4 KiB page) and then ADD or a load/store with the
low 12 bits, is checked as one address.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Form:
    """A PC-relative instruction form: ``word & mask == match``; its immediate is ``width`` bits at
    ``shift`` (in units of ``scale`` bytes), plus ``lo_bits`` at bit 29 for ADR/ADRP."""

    name: str
    mask: int
    match: int
    shift: int
    width: int
    scale: int
    lo_bits: bool = False


FORMS = (
    Form("b/bl", 0x7C000000, 0x14000000, 0, 26, 4),
    Form("b.cond", 0xFF000010, 0x54000000, 5, 19, 4),
    Form("cbz/cbnz", 0x7E000000, 0x34000000, 5, 19, 4),
    Form("ldr literal", 0x3B000000, 0x18000000, 5, 19, 4),
    Form("adr", 0x9F000000, 0x10000000, 5, 19, 1, lo_bits=True),
)
ADRP = Form("adrp", 0x9F000000, 0x90000000, 5, 19, 4096, lo_bits=True)
ADD_IMM = (0xFF800000, 0x91000000)  # ADD Xd, Xn, #imm12 (unshifted): an address's low 12 bits
LDST_UIMM = (0x3F000000, 0x39000000)  # LDR/STR (unsigned offset, integer): imm12 << size


def _imm(w: np.ndarray, f: Form) -> np.ndarray:
    """The signed immediate of form ``f`` (in bytes) of each word."""
    v = (w >> np.uint32(f.shift)) & np.uint32((1 << f.width) - 1)
    v = v.astype(np.int64)
    bits = f.width
    if f.lo_bits:
        v = (v << 2) | ((w >> np.uint32(29)) & np.uint32(3)).astype(np.int64)
        bits += 2
    v = np.where(v >= 1 << (bits - 1), v - (1 << bits), v)
    return v * f.scale


def _imm_bits(f: Form) -> int:
    bits = ((1 << f.width) - 1) << f.shift
    return bits | (0x3 << 29 if f.lo_bits else 0)


def _low12(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(is an ADD-immediate or integer load/store with an unsigned offset, its low 12 address bits)."""
    add = (w & np.uint32(ADD_IMM[0])) == np.uint32(ADD_IMM[1])
    ldst = (w & np.uint32(LDST_UIMM[0])) == np.uint32(LDST_UIMM[1])
    imm = ((w >> np.uint32(10)) & np.uint32(0xFFF)).astype(np.int64)
    size = (w >> np.uint32(30)).astype(np.int64)
    return add | ldst, np.where(ldst, imm << size, imm)


def moved_only(
    wa: np.ndarray, wb: np.ndarray, pc_a: np.ndarray, pc_b: np.ndarray, last: np.ndarray, moves: np.ndarray
) -> np.ndarray:
    """For each word (``wa``/``wb`` the two builds' words, ``pc_*`` their addresses, ``last`` True
    for a function's last word): whether it is equal, or an address operand whose target moved by
    one of ``moves`` (sorted)."""
    ok = wa == wb
    todo = np.flatnonzero(~ok)
    if not len(todo) or not len(moves):
        return ok
    xa, xb = wa[todo], wb[todo]

    def known(move: np.ndarray) -> np.ndarray:
        pos = np.minimum(np.searchsorted(moves, move), len(moves) - 1)
        return moves[pos] == move

    for f in FORMS:
        same = ((xa & np.uint32(f.mask)) == np.uint32(f.match)) & (
            ((xa ^ xb) & np.uint32(~_imm_bits(f) & 0xFFFFFFFF)) == 0
        )
        if same.any():
            k = np.flatnonzero(same)
            target_move = (pc_b[todo[k]] + _imm(xb[k], f)) - (pc_a[todo[k]] + _imm(xa[k], f))
            ok[todo[k[known(target_move)]]] = True
    # ADRP + low 12 bits: check the pair at every differing word that is either half of one
    adrp_a = (wa & np.uint32(ADRP.mask)) == np.uint32(ADRP.match)
    low_a, _ = _low12(wa)
    first = np.concatenate((todo[adrp_a[todo] & ~last[todo]], todo[low_a[todo] & (todo > 0)] - 1))
    first = np.unique(first)
    if len(first):
        second = first + 1
        pa, pb = wa[first], wb[first]
        qa, qb = wa[second], wb[second]
        is_a, lo_a = _low12(qa)
        is_b, lo_b = _low12(qb)
        pair = (
            ((pa & np.uint32(ADRP.mask)) == np.uint32(ADRP.match))
            & (((pa ^ pb) & np.uint32(~_imm_bits(ADRP) & 0xFFFFFFFF)) == 0)
            & is_a
            & is_b
            & (((qa ^ qb) & np.uint32(~(0xFFF << 10) & 0xFFFFFFFF)) == 0)
            & ((pa & np.uint32(0x1F)) == ((qa >> np.uint32(5)) & np.uint32(0x1F)))  # ADRP's Rd is Rn
            & ~last[first]
        )
        addr_a = (pc_a[first] & ~0xFFF) + _imm(pa, ADRP) + lo_a
        addr_b = (pc_b[first] & ~0xFFF) + _imm(pb, ADRP) + lo_b
        good = pair & known(addr_b - addr_a)
        ok[first[good]] = True
        ok[second[good]] = True
    return ok
