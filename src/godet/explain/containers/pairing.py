"""How the members of two sources pair up: by path, except under a top-level directory renamed by a
version (a release tarball's single root `app-1.0/` vs `app-1.1/`, a wheel's
`NAME-VERSION.dist-info` and `NAME-VERSION.data`), whose members pair as if it had A's name."""

from __future__ import annotations

import re
from collections.abc import Callable

from godet.sources.base import Source

VERSIONED_DIR = re.compile(r"^(?P<name>.+?)-(?P<version>v?[0-9][^/]*?)(?P<suffix>\.dist-info|\.data)?$")


def _roots(src: Source) -> set[str]:
    return {p.split("/", 1)[0] for p in src.members}


def renamed_roots(a: Source, b: Source) -> dict[str, str]:
    """B's top-level directory → A's, for the directories that differ only by their version (or the
    single root of each side, when those differ)."""
    ra, rb = _roots(a), _roots(b)
    one_root = len(ra) == 1 and len(rb) == 1 and ra != rb  # one root directory each, named differently
    if one_root and any("/" in p for p in a.members) and any("/" in p for p in b.members):
        return {rb.pop(): ra.pop()}
    out: dict[str, str] = {}
    only_a = [(y, VERSIONED_DIR.match(y)) for y in ra - rb]
    for x in rb - ra:
        m = VERSIONED_DIR.match(x)
        if m is None:
            continue
        same = [y for y, n in only_a if n and (n["name"], n["suffix"]) == (m["name"], m["suffix"])]
        if len(same) == 1:
            out[x] = same[0]
    return out


def renamer(renames: dict[str, str]) -> Callable[[str], str]:
    """A function mapping a B path to the path its A twin would have."""

    def key(path: str) -> str:
        root, sep, rest = path.partition("/")
        return renames[root] + sep + rest if root in renames else path

    return key


def pairs(a: Source, b: Source) -> list[tuple[str, str | None, str | None]]:
    """(key, A path, B path) for every member of either side, sorted by key (A's naming)."""
    key = renamer(renamed_roots(a, b))
    b_by_key = {key(n): n for n in b.members}
    keys = sorted(set(a.members) | set(b_by_key))
    return [(k, k if k in a.members else None, b_by_key.get(k)) for k in keys]
