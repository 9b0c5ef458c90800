"""Two byte spans of different sizes aligned in pieces, each at its own shift.

A variable added to (or dropped from) the middle of a data section moves what follows it by its
size, and a few such changes move the section's parts by a few different amounts: the head stays
where it was, the tail moves by the whole size difference, the middle by some amount in between.
One constant shift pairs one of those parts and mispairs the others, so their moved pointers look
like changed data. Here the span is cut into pieces, each paired at one of a few candidate shifts
(0, the size difference, and the shifts in between that pair the most words alike), choosing the
cuts that leave the fewest unlike words: a dynamic programme over the words of the shorter span,
in numpy, with the shift growing monotonically from the head to the tail (bytes of the longer
span between two pieces are its own).

Two words are alike when they are equal or differ by one of the span's common deltas: a pointer
to data that moved differs by how far its target moved, and the targets of a section's pointers
moved by a handful of amounts (one per section and piece of it). Bytes alone do not tell a moved
pointer from its neighbour in a table of pointers, which differs in as few low bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from godet.compare.align import GRAM, first_hits

WORD = 8  # bytes of the shorter span a cut falls between (a pointer's width)
SWITCH = 64  # cost of a cut, beyond the bytes it leaves unpaired (fewer, clearer pieces)
MAX_SHIFTS = 24  # candidate shifts (0 and the size difference among them)
MAX_SPAN = 1 << 20  # bytes of the shorter span at most (larger ones keep one shift)
MAX_CELLS = 1 << 21  # words x shifts the programme holds at most (two int64 tables)
SAMPLES = 512  # grams of the shorter span looked up in the longer one for candidate shifts
MAX_POOL = 128  # shifts tried as candidates at most
MAX_POOL_BYTES = 1 << 24  # bytes compared to choose the candidates at most
MIN_WON = 4  # words a candidate shift must pair alike and the head's and tail's shifts do not
MAX_DELTAS = 64  # common deltas of moved pointers
MAX_UNLIKE = 0.15  # share of words the pieces may pair unlike (more: changed data, which the
# layout detector's slides over one shift explain better; a dependency bump's .data: 0.33-0.40)
MIN_DELTA_SHARE = 0.002  # of the words, that differ by one delta for it to be common (at least 3)


@dataclass(frozen=True)
class Piece:
    """A[a0:a1] pairs with B[b0 : b0 + a1 - a0]."""

    a0: int
    a1: int
    b0: int


def piecewise(a: np.ndarray, b: np.ndarray) -> list[Piece] | None:
    """Pieces pairing ``a`` with ``b`` (sizes differing), ascending on both sides; None when the
    spans are too large for the programme or one shift pairs them best."""
    la, lb = len(a), len(b)
    if la == lb or not la or not lb:
        return None
    if la > lb:  # (indexed by the shorter span: every byte of it is in one piece)
        got = piecewise(b, a)
        return None if got is None else [Piece(p.b0, p.b0 + p.a1 - p.a0, p.a0) for p in got]
    n = -(-la // WORD)
    if la > MAX_SPAN or 2 * n > MAX_CELLS:
        return None
    words = _Words(a, b)
    shifts = _candidate_shifts(words, min(MAX_SHIFTS, MAX_CELLS // n))
    pieces = _programme(words, shifts)
    if len(pieces) < 2 or _unlike(words, pieces) > MAX_UNLIKE * n:
        return None  # one shift, or data that changed too much for pieces to tell its moves
    return pieces


class _Words:
    """The shorter span ``a`` as words, and the cost of pairing each with ``b`` at a shift."""

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        self.a, self.b = a, b
        self.la, self.d = len(a), len(b) - len(a)
        self.n = -(-self.la // WORD)
        self.wa = self._words(a)
        head, tail = self._words(b[: self.la]), self._words(b[self.d :])
        deltas = np.concatenate([(head - self.wa)[head != self.wa], (tail - self.wa)[tail != self.wa]])
        values, counts = np.unique(deltas, return_counts=True)
        floor = max(3, int(MIN_DELTA_SHARE * self.n))
        top = np.argsort(-counts, kind="stable")[:MAX_DELTAS]
        self.deltas = np.sort(values[top][counts[top] >= floor])

    def _words(self, x: np.ndarray) -> np.ndarray:
        buf = np.zeros(self.n * WORD, dtype=np.uint8)
        buf[: len(x)] = x
        return buf.view(np.int64)

    def unlike(self, s: int) -> np.ndarray:
        """Per word of ``a``: 1 when it is unlike ``b``'s word at shift ``s`` (neither equal nor
        one of the common deltas away), else 0."""
        wb = self._words(self.b[s : s + self.la])
        delta = wb - self.wa
        out = delta != 0
        if len(self.deltas) and out.any():
            k = np.minimum(np.searchsorted(self.deltas, delta), len(self.deltas) - 1)
            out &= self.deltas[k] != delta
        return out.astype(np.int64)


def _unlike(w: _Words, pieces: list[Piece]) -> int:
    """The words of ``a`` that ``pieces`` pair with unlike words of ``b``."""
    return sum(int(w.unlike(p.b0 - p.a0)[p.a0 // WORD : -(-p.a1 // WORD)].sum()) for p in pieces)


def _candidate_shifts(w: _Words, most: int) -> list[int]:
    """0, ``d`` and the shifts in between (``most`` in all) that pair the most words alike where
    neither 0 nor ``d`` does, from a pool of the offsets sampled grams moved by (the most frequent
    first: a string inserted need not be a word long) and the multiples of WORD in between (spread
    out when there are too many), as many as MAX_POOL_BYTES allows."""
    la, d = w.la, w.d
    room = max(0, min(MAX_POOL, MAX_POOL_BYTES // la))
    at = np.arange(0, la - GRAM + 1, max(GRAM, la // SAMPLES), dtype=np.int64)
    hits = first_hits(w.a, w.b, at)
    moved = (hits - at)[hits >= 0]
    values, counts = np.unique(moved[(moved > 0) & (moved < d)], return_counts=True)
    pool = values[np.argsort(-counts, kind="stable")][: room // 2].tolist()
    left = room - len(pool)
    if left > 0:
        step = max(WORD, -(-d // left) // WORD * WORD)  # (rounded up to a multiple of WORD)
        pool += [s for s in range(step, d, step) if s not in pool][:left]
    if not pool:
        return [0, d]
    ends = w.unlike(0) & w.unlike(d)  # words neither the head's nor the tail's shift pairs alike
    won = np.array([np.count_nonzero(ends & (w.unlike(s) == 0)) for s in pool])
    order = np.argsort(-won, kind="stable")[: most - 2]
    keep = [pool[i] for i in order.tolist() if won[i] >= MIN_WON]
    return sorted({0, d, *keep})


def _programme(w: _Words, shifts: list[int]) -> list[Piece]:
    """The cheapest monotone path through the shifts (ascending, from 0 to the size difference):
    an unlike word costs WORD, a byte of ``b`` between pieces 1, or 2 when it is not zero (of the
    cuts that cost as much, the one whose own bytes are padding), a cut SWITCH more."""
    la, d, n = w.la, w.d, w.n
    starts = np.arange(n, dtype=np.int64) * WORD
    nz = np.concatenate(([0], np.cumsum(w.b != 0, dtype=np.int64)))  # non-zero bytes of b before each place
    s_arr = np.array(shifts, dtype=np.int64)
    f = np.empty((len(shifts), n), dtype=np.int64)  # cheapest cost of a's words up to i, at shift j
    enter = np.empty((len(shifts), n), dtype=np.int64)  # the word where that path's last piece begins
    before = np.full(n - 1, np.int64(1 << 40))  # cheapest way to end a piece before word t (t >= 1)
    for j, s in enumerate(shifts):
        c = np.cumsum(WORD * w.unlike(s))
        e = np.empty(n, dtype=np.int64)  # the cost of beginning this shift's piece at word t, less c
        e[0] = s + nz[s]  # begun at the head: b's first s bytes are its own
        e[1:] = before + SWITCH + s + nz[starts[1:] + s] - c[:-1]
        run = np.minimum.accumulate(e)
        f[j] = c + run
        enter[j] = np.maximum.accumulate(np.where(e == run, np.arange(n), 0))
        before = np.minimum(before, f[j, :-1] - s - nz[starts[1:] + s])
    totals = f[:, -1] + (d - s_arr) + nz[len(w.b)] - nz[la + s_arr]  # b's bytes after the last piece
    j, i = int(np.argmin(totals)), n - 1
    pieces: list[Piece] = []
    while True:
        t = int(enter[j, i])
        a0, a1 = int(starts[t]), min(la, int(starts[i]) + WORD)
        pieces.append(Piece(a0, a1, a0 + shifts[j]))
        if t == 0:
            break
        j = int(np.argmin(f[:j, t - 1] - s_arr[:j] - nz[starts[t] + s_arr[:j]]))
        i = t - 1
    pieces.reverse()
    return pieces
