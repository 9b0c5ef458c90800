"""The seed corpus: the built test fixtures, old-format Go binaries, and a few synthetic files.

Fixtures come from ``tests/gobuild.py`` (built once, cached, byte-identical between runs), so a
stored defect ``(seed, ops)`` replays exactly. Synthetic seeds (a fat Mach-O made of the two
darwin fixtures, a Java class file, a non-Go ELF) are written under :func:`work_dir`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"

#: fixtures of tests/conftest.py FIXTURES used as seeds
FIXTURE_SEEDS = (
    "default",
    "stripped",
    "windows_amd64",
    "darwin_arm64",
    "darwin_amd64",
    "linux_386",
    "cgo_net",
    "extlink",
    "pie",
    "windows_amd64_stripped",
    "darwin_arm64_stripped",
    "linux_arm",
)
#: old-format binaries (tests/conftest.py old_go_path)
OLD_SEEDS = (
    "linux-1.14",
    "linux-1.16",
    "linux-1.17",
    "windows-1.16",
    "darwin-1.16",
    "linux-1.21",
    "linux-1.24",
)
SYNTHETIC_SEEDS = ("fat", "java_class", "non_go_elf")
#: extra builds (tests/gobuild.py BuildSpec arguments): uncompressed DWARF, so that mutations reach
#: the DWARF parser instead of the zlib stream
EXTRA_BUILDS: dict[str, dict] = {
    "dwarf_plain": {"src": "hello", "flags": ("-ldflags=-compressdwarf=false",)},
    "cgo_dwarf_plain": {
        "src": "cgoc",
        "flags": ("-ldflags=-compressdwarf=false",),
        "env": (("CGO_ENABLED", "1"),),
    },
}
ALL_SEEDS = FIXTURE_SEEDS + tuple(EXTRA_BUILDS) + OLD_SEEDS + SYNTHETIC_SEEDS
#: the quick subset the in-suite run uses (small, fast to inspect, every container and Go layout)
QUICK_SEEDS = (
    "stripped",
    "windows_amd64_stripped",
    "darwin_arm64_stripped",
    "linux_386",
    "fat",
    "java_class",
    "non_go_elf",
    "linux-1.16",
    "dwarf_plain",
)


def work_dir() -> Path:
    d = Path(os.environ.get("GODET_FUZZ_DIR", Path(tempfile.gettempdir()) / "godet-fuzz"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def _tests_on_path() -> None:
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))


def fixture_path(name: str) -> Path:
    """The built fixture or old-format binary ``name`` (builds it on first use)."""
    _tests_on_path()
    import conftest  # tests/conftest.py: the fixture catalog
    import gobuild

    if name in conftest.FIXTURES:
        return gobuild.build(conftest.FIXTURES[name])
    if name in EXTRA_BUILDS:
        return gobuild.build(gobuild.BuildSpec(**EXTRA_BUILDS[name]))
    return conftest.old_go_path(name)


def make_fat(slices: list[bytes]) -> bytes:
    """A universal (fat) Mach-O file holding ``slices`` (each a thin Mach-O), 16 KiB aligned."""
    align = 14
    header = struct.pack(">II", 0xCAFEBABE, len(slices))
    entries = b""
    body = b""
    pos = 1 << align
    for s in slices:
        cputype, subtype = struct.unpack_from("<ii", s, 4)
        entries += struct.pack(">iiIII", cputype, subtype & 0xFFFFFF, pos, len(s), align)
        pad = (-len(s)) % (1 << align)
        body += s + bytes(pad)
        pos += len(s) + pad
    head = header + entries
    return head + bytes((1 << align) - len(head)) + body


# A minimal class file: 0xcafebabe (the fat Mach-O magic too), version 52, a small constant pool.
JAVA_CLASS = (
    b"\xca\xfe\xba\xbe\x00\x00\x00\x34\x00\x0d\x0a\x00\x03\x00\x0a\x07\x00\x0b\x07\x00\x0c"
    b"\x01\x00\x06<init>\x01\x00\x03()V\x01\x00\x04Code\x01\x00\x0fLineNumberTable"
    b"\x01\x00\x0aSourceFile\x01\x00\x06A.java\x0c\x00\x04\x00\x05\x01\x00\x01A"
    b"\x01\x00\x10java/lang/Object\x00\x21\x00\x02\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00"
)


def _synthetic(name: str, resolve: Callable[[str], Path]) -> Path:
    parts = [resolve(n) for n in ("darwin_amd64", "darwin_arm64")] if name == "fat" else []
    tag = hashlib.sha256("".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in parts).encode())
    out = work_dir() / "seeds" / f"{name}-{tag.hexdigest()[:12]}"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    if name == "fat":
        tmp.write_bytes(make_fat([p.read_bytes() for p in parts]))
    elif name == "java_class":
        tmp.write_bytes(JAVA_CLASS)
    elif name == "non_go_elf":
        shutil.copyfile("/bin/true", tmp)
    else:
        raise KeyError(name)
    tmp.replace(out)
    return out


def seed_path(name: str, resolve: Callable[[str], Path] = fixture_path) -> Path:
    """The file of seed ``name`` (``resolve`` maps fixture names to built files)."""
    if name in SYNTHETIC_SEEDS:
        return _synthetic(name, resolve)
    return resolve(name)
