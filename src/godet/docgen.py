"""The command line shared by the generated documentation pages (causes and check rules)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def docs_main(
    argv: list[str] | None,
    prog: str,
    description: str,
    default_dir: Path,
    stale: Callable[[Path], list[str]],
    write: Callable[[Path], list[str]],
) -> int:
    """``PROG [DIR] [--check]``: write the pages, or only list those that are out of date (exit 1)."""
    ap = argparse.ArgumentParser(prog=prog, description=description)
    ap.add_argument("docs_dir", nargs="?", type=Path, default=default_dir)
    ap.add_argument("--check", action="store_true", help="only report pages that are out of date (exit 1)")
    args = ap.parse_args(argv)
    if args.check:
        bad = stale(args.docs_dir)
        for name in bad:
            print(f"out of date: {name} (run {prog})", file=sys.stderr)
        return 1 if bad else 0
    for name in write(args.docs_dir):
        print(f"wrote {name}")
    return 0
