"""Build the pair that ``godet demo`` ships (``src/godet/demodata/pair.tar.xz``).

``python tests/build_demo.py`` rebuilds it with the pinned toolchain and writes the file;
``--check`` only compares the rebuild with the shipped file (exit 1 when they differ). The test
``tests/test_demo.py`` asserts the shipped file is byte-identical to a rebuild.

The pair: ``testdata/demo`` (a println hello world) built twice by the same Go 1.27.3, with the same
flags, in two build directories (``/tmp/godet-demo/work/laptop/demo`` and ``.../ci/demo``), so the
diff shows one root cause (build-path) and its consequences. Nothing is stripped;
``-ldflags=-compressdwarf=false`` leaves DWARF uncompressed so that xz, compressing both builds in one
stream, stores the second as little more than the few hundred bytes it differs by (about 875 kB for
both instead of 2.5 MB as two files).
"""

from __future__ import annotations

import argparse
import io
import lzma
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gobuild import BuildSpec, build

SHIPPED = Path(__file__).resolve().parent.parent / "src" / "godet" / "demodata" / "pair.tar.xz"
#: Every path the binaries embed lives under this directory (work directory, GOROOT).
PLACE = "/tmp/godet-demo"
BASE = BuildSpec(
    "demo",
    flags=("-ldflags=-compressdwarf=false",),
    env=(("CGO_ENABLED", "0"),),
    place=PLACE,
    goroot="demo",
)
#: Member name in the archive -> the spec that builds it.
MEMBERS = {"laptop/demo": BASE.with_(workdir="laptop"), "ci/demo": BASE.with_(workdir="ci")}
XZ_PRESET = 9


def pack(files: dict[str, bytes]) -> bytes:
    """A deterministic tar (fixed owner, mode and time) of ``files``, xz-compressed with XZ_PRESET."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o755, 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return lzma.compress(raw.getvalue(), format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=XZ_PRESET)


def unpack(blob: bytes) -> dict[str, bytes]:
    """The members of a pair archive, by name."""
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(lzma.decompress(blob)), mode="r:") as tar:
        for info in tar.getmembers():
            fh = tar.extractfile(info)
            if fh is not None:
                out[info.name] = fh.read()
    return out


def rebuild() -> dict[str, bytes]:
    """Build both sides (cached by gobuild) and return their bytes, by member name."""
    return {name: build(spec).read_bytes() for name, spec in MEMBERS.items()}


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) the shipped archive."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the shipped file, write nothing")
    args = ap.parse_args(argv)
    blob = pack(rebuild())
    if args.check:
        same = SHIPPED.is_file() and SHIPPED.read_bytes() == blob
        print(f"{SHIPPED}: {'identical to the rebuild' if same else 'DIFFERS from the rebuild'}")
        return 0 if same else 1
    SHIPPED.parent.mkdir(parents=True, exist_ok=True)
    SHIPPED.write_bytes(blob)
    print(f"wrote {SHIPPED} ({len(blob):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
