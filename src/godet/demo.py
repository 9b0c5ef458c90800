"""``godet demo``: a first run that needs nothing but godet.

Two builds of one tiny Go program ship inside the package (``demodata/pair.tar.xz``, built by
``tests/build_demo.py`` and checked byte for byte by ``tests/test_demo.py``). The demo unpacks them
into a private temporary directory, always removed, and runs ``godet diff`` and ``godet check`` on
them as a user would (the same command line, in this process: godet starts no program), printing
each command before its output.
"""

from __future__ import annotations

import contextlib
import io
import lzma
import tarfile
import tempfile
from importlib.resources import files
from pathlib import Path

#: Member names in the archive, A then B; the demo runs from the directory they are unpacked in.
SIDE_A, SIDE_B = "laptop/demo", "ci/demo"
INTRO = (
    "godet demo: two builds of the same hello-world program, shipped inside godet. Both were built\n"
    "with Go 1.27.3 and the same flags, one in /tmp/godet-demo/work/laptop/demo and one in\n"
    "/tmp/godet-demo/work/ci/demo (tests/build_demo.py in the repository rebuilds them).\n"
)
OUTRO = (
    "That was the demo (it exits 0 whatever diff and check found). On your own builds:\n"
    "  godet diff A B        why two builds differ (exit 1 when they do)\n"
    "  godet check BIN|DIR   reproducibility hazards in one build (exit 1 on errors)\n"
)


def archive() -> bytes:
    """The shipped pair, xz-compressed tar."""
    return files("godet").joinpath("demodata", "pair.tar.xz").read_bytes()


def unpack(into: Path) -> list[Path]:
    """Unpack the pair's regular files under ``into``; return their paths, A first."""
    out: list[Path] = []
    with tarfile.open(fileobj=io.BytesIO(lzma.decompress(archive())), mode="r:") as tar:
        for name in (SIDE_A, SIDE_B):
            fh = tar.extractfile(tar.getmember(name))
            if fh is None:
                raise ValueError(f"{name} is not a regular file in the demo archive")
            path = into / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(fh.read())
            out.append(path)
    return out


def _run(args: list[str], cwd: Path) -> int:
    """Print ``$ godet ARGS`` and run that command line from ``cwd``; return its exit code."""
    from godet.cli import main

    print("$ godet " + " ".join(args), flush=True)
    with contextlib.chdir(cwd):
        code = main.main(args=args, prog_name="godet", standalone_mode=False)
    print(flush=True)
    return code if isinstance(code, int) else 0


def run() -> int:
    """Show diff and check on the shipped pair; return 0 (a demo), 2 if the pair cannot be unpacked."""
    print(INTRO, flush=True)
    with tempfile.TemporaryDirectory(prefix="godet-demo-") as tmp:
        where = Path(tmp)
        unpack(where)
        _run(["diff", SIDE_A, SIDE_B], where)
        _run(["check", SIDE_A], where)
    print(OUTRO, end="", flush=True)
    return 0
