"""embed.FS tables of two stripped builds are paired by the files they hold, not by their order."""

from __future__ import annotations

from godet.explain.detectors.content.embed import pair_tables
from godet.read.embed import EmbedFile, EmbedTable


def _table(va: int, *names: str, symbol: str | None = None) -> EmbedTable:
    files = tuple(
        EmbedFile(n, va + 16 * i, 16, va + 0x1000 + 64 * i, 64, b"\0" * 16) for i, n in enumerate(names)
    )
    return EmbedTable(va, files, symbol)


def test_stripped_tables_pair_by_shared_names() -> None:
    lexers_a = _table(0x1000, "embedded/", "embedded/bash.xml", "embedded/c.xml")
    styles_a = _table(0x2000, "monokai.xml", "nord.xml")
    # B lays its tables out in another order and has one more (templates), first
    templates_b = _table(0x3000, "embedded/templates/alias.html")
    styles_b = _table(0x4000, "nord.xml", "onedark.xml")
    lexers_b = _table(0x5000, "embedded/", "embedded/bash.xml", "embedded/go.xml")
    got = pair_tables([lexers_a, styles_a], [templates_b, styles_b, lexers_b])
    assert got == [(lexers_a, lexers_b), (styles_a, styles_b)]


def test_symbols_win_and_index_is_the_last_resort() -> None:
    a0 = _table(0x1000, "x.txt", symbol="main.assets.files")
    a1 = _table(0x2000, "old.txt")
    b0 = _table(0x3000, "other.txt")
    b1 = _table(0x4000, "x.txt", symbol="main.assets.files")
    got = pair_tables([a0, a1], [b0, b1])
    # a0 by its symbol (b1, not b0 at its index); a1 shares no name with what is left: it takes the
    # first unused table (its own index is taken)
    assert got == [(a0, b1), (a1, b0)]
    assert pair_tables([a1, a0], [b1]) == [(a0, b1)]  # the symbol first, whatever the order
