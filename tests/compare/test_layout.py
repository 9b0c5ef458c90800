"""Function pairing of the code compare: repeated names are numbered as one loop over names would."""

from __future__ import annotations

import random

from godet.compare.layout import numbered


def _numbered_reference(names: list[str]) -> list[str]:
    """The plain loop: a repeat takes the first free ``name#k``, k = 2, 3, ..."""
    out: dict[str, None] = {}
    for name in names:
        if name in out:
            i = 2
            while f"{name}#{i}" in out:
                i += 1
            name = f"{name}#{i}"
        out[name] = None
    return list(out)


def test_numbered_as_the_plain_loop() -> None:
    rng = random.Random(7)
    pools = (["a", "b", "c", "d"], ["a", "b", "a#2", "b#3", "a#2#2", "x"])
    for trial in range(2000):
        names = [rng.choice(pools[trial % 2]) for _ in range(rng.randint(0, 14))]
        got, index = numbered(names)
        assert got == _numbered_reference(names), names
        assert index == {name: i for i, name in enumerate(got)}, names


def test_numbered_unique_names_unchanged() -> None:
    names = ["main.main", "runtime.main", "main.init"]
    got, index = numbered(names)
    assert got == names and index == {"main.main": 0, "runtime.main": 1, "main.init": 2}
