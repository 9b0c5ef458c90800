"""Image benchmark: two ~1 GB OCI layouts that differ in one Go binary (issue 10's target).

Builds the pair under ``~/.cache/godet-bench/images/`` (deterministic pseudo-random file content in
four 256 MB layers, plus a layer holding the hello-world binary built in two directories), then
times, on the same machine and cache state:

- ``sha256sum`` of every file of both layouts (the reference),
- ``godet diff`` of the two binaries alone,
- ``godet diff`` of the two images (wall time and peak RSS),

and checks the target: image diff ≤ 2 × (sha256sum + binary diff), RSS ≤ largest member + 300 MB.

    python bench/images.py [--size-mb 1024] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
CACHE = Path(os.environ.get("GODET_BENCH_CACHE", Path.home() / ".cache" / "godet-bench")) / "images"


def _random_tar(seed: int, size: int) -> bytes:
    from containers.ociwriter import Entry, tar_bytes

    rng = random.Random(seed)
    files = [Entry(f"data/blob-{seed}-{i}.bin", rng.randbytes(size // 8), mtime=0) for i in range(8)]
    return tar_bytes(files)


def build(size_mb: int) -> tuple[Path, Path, Path, Path]:
    """The two layouts and the two binaries (reused when present)."""
    import conftest  # the tests' fixture catalog (PAIRS)
    import gobuild
    from containers.ociwriter import Entry, ImageSpec, tar_bytes, write_oci

    bin_a, bin_b = gobuild.build_pair(*conftest.PAIRS["dirs"])
    root = CACHE / f"{size_mb}mb"
    a, b = root / "A", root / "B"
    if not (b / "index.json").exists():
        layer_size = size_mb * (1 << 20) // 4
        base = [_random_tar(i, layer_size) for i in range(4)]
        for side, binary in ((a, bin_a), (b, bin_b)):
            app = tar_bytes([Entry("usr/local/bin/app", Path(binary).read_bytes(), mode=0o755)])
            write_oci(side, [ImageSpec([*base, app], compression="none")])
        del base
    return a, b, Path(bin_a), Path(bin_b)


def timed(argv: list[str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in KiB, exit code), measured by GNU time (the child's own peak: a
    getrusage of children would count the pages a fork shares with this large parent)."""
    p = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall, rss = p.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss), p.returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    a, b, xa, xb = build(args.size_mb)
    files = [str(p) for side in (a, b) for p in sorted(side.rglob("*")) if p.is_file()]
    godet = [sys.executable, "-m", "godet"]
    subprocess.run(["cat", *files], stdout=subprocess.DEVNULL, check=True)  # same page-cache state for all
    sha = timed(["sha256sum", *files])
    binary = timed([*godet, "diff", str(xa), str(xb)])
    image = timed([*godet, "diff", str(a), str(b)])
    largest = max(os.path.getsize(f) for f in files)
    budget = 2 * (sha[0] + binary[0])
    out = {
        "image_bytes": sum(os.path.getsize(f) for f in files) // 2,
        "sha256sum_s": round(sha[0], 2),
        "binary_diff_s": round(binary[0], 2),
        "image_diff_s": round(image[0], 2),
        "image_diff_exit": image[2],
        "image_diff_rss_mb": round(image[1] / 1024),
        "largest_member_mb": round(largest / 2**20),
        "time_target_s": round(budget, 2),
        "time_ok": image[0] <= budget,
        "rss_ok": image[1] * 1024 <= largest + 300 * 2**20,
    }
    print(json.dumps(out, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0 if out["time_ok"] and out["rss_ok"] and image[2] == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
