"""``embed.FS`` file tables of one binary, found by their shape (so also in stripped binaries).

An ``embed.FS`` is a pointer to a ``[]file`` whose header the compiler emits just before its entries:
``{ptr = &entries, len = n, cap = n}`` then n entries of ``{name string, data string, hash [16]byte}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from godet.read.strdata import DATA_NAMES, section_name, word_dtype

if TYPE_CHECKING:
    from godet.read.binary import Binary

MAX_ENTRIES = 100_000  # entries per table
MAX_NAME = 4096


@dataclass(frozen=True)
class EmbedFile:
    name: str
    entry_va: int  # the file's entry in the table
    entry_size: int
    data_va: int
    data_len: int
    hash: bytes


@dataclass(frozen=True)
class EmbedTable:
    va: int
    files: tuple[EmbedFile, ...]
    symbol: str | None = None  # e.g. main.content.files, when the binary has symbols


def find_embed_tables(binary: Binary) -> list[EmbedTable]:
    """The ``embed.FS`` file tables: ``[]file`` headers pointing just past themselves, then the entries."""
    image = binary.image
    ps = image.ptr_size
    dt = word_dtype(binary)
    out: list[EmbedTable] = []
    for sec in image.sections:
        if not sec.alloc or sec.executable or sec.size < 3 * ps or section_name(sec.key) not in DATA_NAMES:
            continue
        raw = image.section_loaded(sec)
        n = len(raw) // ps
        if n < 3:
            continue
        words = np.frombuffer(raw[: n * ps], dtype=dt)
        headers = _headers(words, sec.addr, ps)
        del words
        image.release(sec.offset, sec.offset + sec.size)  # scanned whole: its pages need not stay
        for i, count in headers:
            files = _parse_table(binary, sec.addr + i * ps, count)
            if files is None:
                continue
            va = sec.addr + i * ps
            sym = binary.symbols.lookup(va) if binary.symbols.present else None
            out.append(EmbedTable(va, files, sym.name if sym is not None and sym.addr == va else None))
    return out


SCAN_WORDS = 1 << 18  # words of a data section tested at once (bounded temporaries)


def _headers(words: np.ndarray, addr: int, ps: int) -> list[tuple[int, int]]:
    """(word index, count) of every ``{ptr, len, cap}`` whose pointer is the address just past it and
    whose len equals its cap (0 < len < MAX_ENTRIES), scanned a block of words at a time."""
    out: list[tuple[int, int]] = []
    n = len(words)
    for lo in range(0, n - 2, SCAN_WORDS):
        w = words[lo : min(n, lo + SCAN_WORDS + 2)].astype(np.uint64)
        first = np.uint64((addr + (lo + 3) * ps) % (1 << 64))  # (a hostile address wraps, as in the file)
        at = first + np.arange(len(w) - 2, dtype=np.uint64) * np.uint64(ps)
        hit = np.flatnonzero((w[:-2] == at) & (w[1:-1] == w[2:]) & (w[1:-1] > 0) & (w[1:-1] < MAX_ENTRIES))
        out += [(lo + int(i), int(w[i + 1])) for i in hit.tolist()]
    return out


def _parse_table(binary: Binary, va: int, count: int) -> tuple[EmbedFile, ...] | None:
    im = binary.image
    ps = im.ptr_size
    esize = 4 * ps + 16
    raw = im.read_va(va + 3 * ps, count * esize) if count * esize <= 1 << 26 else None
    if raw is None:
        return None
    order = "big" if im.big_endian else "little"
    files = []
    for k in range(count):
        e = raw[k * esize : (k + 1) * esize]
        words = [int.from_bytes(e[j * ps : (j + 1) * ps], order) for j in range(4)]
        name_raw = im.read_va(words[0], words[1]) if 0 < words[1] < MAX_NAME else None
        if name_raw is None:
            return None
        try:
            name = name_raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if words[3] and im.read_va(words[2], 1) is None:
            return None
        files.append(EmbedFile(name, va + 3 * ps + k * esize, esize, words[2], words[3], e[4 * ps :]))
    return tuple(files)
