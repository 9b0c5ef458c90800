"""How the members of two sources pair up: by path, except under a top-level directory renamed by a
version (a release tarball's single root `app-1.0/` vs `app-1.1/`, a wheel's
`NAME-VERSION.dist-info` and `NAME-VERSION.data`), whose members pair as if it had A's name, and
files left unpaired whose names differ only in a version number (release artifacts)."""

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


VERSION_TOKEN = re.compile(  # 1.2.3, v0.168.0, 1.1.1-1+b3, 2.6.2-12+deb13u1, 1.0~rc1 (not "-linux")
    r"v?\d+(?:\.\d+)+(?:[-+~](?:\d|rc|beta|alpha|pre|dev|b\d|deb\d|dfsg|ds\d|git)[0-9A-Za-z]*(?:\.\d+)*)*"
)


def version_blind(path: str) -> str:
    """A path with its version numbers (1.2, v0.168.0, 2.6.2-12+deb13u1) replaced by one marker."""
    return VERSION_TOKEN.sub("{version}", path)


def _renamed_files(only_a: list[str], only_b: list[str]) -> dict[str, str]:
    """B path → A path for unpaired files whose names differ only in a version number (release
    artifacts such as app_1.0.0_linux_amd64.tar.gz), when the match is unique on both sides."""
    blind_a: dict[str, list[str]] = {}
    for p in only_a:
        blind_a.setdefault(version_blind(p), []).append(p)
    blind_b: dict[str, list[str]] = {}
    for p in only_b:
        blind_b.setdefault(version_blind(p), []).append(p)
    return {
        bs[0]: blind_a[k][0]
        for k, bs in blind_b.items()
        if "{version}" in k and len(bs) == 1 and len(blind_a.get(k, ())) == 1
    }


def pairs(a: Source, b: Source) -> list[tuple[str, str | None, str | None]]:
    """(key, A path, B path) for every member of either side, sorted by key (A's naming)."""
    key = renamer(renamed_roots(a, b))
    b_by_key = {key(n): n for n in b.members}
    only_a = [n for n in a.members if n not in b_by_key]
    only_b = [k for k in b_by_key if k not in a.members]
    for kb, ka in _renamed_files(only_a, only_b).items():
        b_by_key[ka] = b_by_key.pop(kb)
    keys = sorted(set(a.members) | set(b_by_key))
    return [(k, k if k in a.members else None, b_by_key.get(k)) for k in keys]
