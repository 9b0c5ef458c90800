"""Run builds: each in a fresh copy, with its own GOCACHE, GOTMPDIR and output directory.

Builds in the control's directory (``Setup.dir == "src"``) take turns, since that path is what
they must share; builds elsewhere run alongside them, up to ``jobs`` at a time.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from godet.errors import GodetError
from godet.rebuild.remedies import merge_flags
from godet.rebuild.variations import Setup
from godet.rebuild.workspace import Source, build_env, place_copy

MAX_ERROR_LINES = 4


@dataclass(frozen=True)
class Job:
    """One build to make: a label (unique in the run), its setup, and the flags and env added to all."""

    label: str
    setup: Setup
    flags: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    not_in_second: float | None = None  # start in a later wall-clock second than this time


@dataclass(frozen=True)
class Built:
    """A finished build: where its executable is, when it started and how long it took."""

    label: str
    path: Path
    started: float
    seconds: float
    cache: Path


def shorten(stderr: str) -> str:
    """The compiler's message, shortened to a few lines."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and not ln.startswith("#")]
    text = "; ".join(ln[:200] for ln in lines[:MAX_ERROR_LINES])
    if len(lines) > MAX_ERROR_LINES:
        text += f"; … ({len(lines) - MAX_ERROR_LINES} more lines)"
    return text or "no message"


class Runner:
    """Makes builds of one source under one run root."""

    def __init__(
        self,
        source: Source,
        root: Path,
        pristine: Path,
        go: str,
        user_env: dict[str, str],
        flags: tuple[str, ...],
        user_modcache: str | None = None,
    ) -> None:
        self.source, self.root, self.pristine, self.go = source, root, pristine, go
        self.user_env, self.flags, self.user_modcache = user_env, flags, user_modcache
        self.seed: Path | None = None
        self._dir_lock = threading.Lock()
        (root / "home").mkdir(parents=True, exist_ok=True)

    def command(self, job: Job, out: Path) -> tuple[list[str], dict[str, str]]:
        """The command line and environment of ``job``'s build."""
        go = job.setup.go or self.go
        flags = merge_flags(self.flags, (*job.flags, *job.setup.flags))
        private = self.root / "b" / job.label
        env = build_env(self.user_env, job.setup, self.root, private, go, self.user_modcache)
        for k, v in job.env:
            env[k] = v
        if self.source.script:
            env["GO"], env["OUT"] = go, str(out)
            if flags:
                env["GOFLAGS"] = " ".join([env.get("GOFLAGS", ""), *(_goflag(f) for f in flags)]).strip()
            return [*job.setup.wrapper, "sh", self.source.script], env
        return [*job.setup.wrapper, go, "build", "-o", str(out), *flags, self.source.package], env

    def build(self, job: Job, warm: Path | None = None) -> Built:
        """Make one build (``warm``: the cache a warm build starts from)."""
        private = self.root / "b" / job.label
        if private.exists():
            shutil.rmtree(private)
        (private / "tmp").mkdir(parents=True)
        start_cache = warm if job.setup.cache == "warm" else self.seed
        if start_cache is not None:
            shutil.copytree(start_cache, private / "cache", symlinks=True)
        else:
            (private / "cache").mkdir()
        out = self.root / "out" / job.label / self.source.name
        out.parent.mkdir(parents=True, exist_ok=True)
        cmd, env = self.command(job, out)
        work = self.root / job.setup.dir / self.source.name
        lock = self._dir_lock if job.setup.shares_dir() else threading.Lock()
        with lock:
            place_copy(self.pristine, work, job.setup.vcs)
            if job.not_in_second is not None:
                while int(time.time()) == int(job.not_in_second):
                    time.sleep(0.02)
            started = time.time()
            t0 = time.monotonic()
            try:
                proc = subprocess.run(
                    cmd, cwd=work, env=env, capture_output=True, text=True, check=False, umask=_umask(job)
                )
            except OSError as e:
                raise GodetError(cmd[0], f"cannot run it: {e.strerror or e}") from None
            seconds = time.monotonic() - t0
        if proc.returncode != 0 or not out.is_file():
            what = "build script" if self.source.script else "go build"
            raise GodetError(job.label, f"{what} failed: {shorten(proc.stderr or proc.stdout)}")
        return Built(job.label, out, started, seconds, private / "cache")

    def prepare_seed(self, flags: tuple[str, ...], env: tuple[tuple[str, str], ...]) -> None:
        """Compile the package's standard-library dependencies once, into the cache builds start from."""
        job = Job("seed", Setup(), flags, env)
        private = self.root / "b" / "seed"
        (private / "tmp").mkdir(parents=True, exist_ok=True)
        (private / "cache").mkdir(exist_ok=True)
        go = self.go
        benv = build_env(self.user_env, Setup(), self.root, private, go, self.user_modcache)
        benv.update(dict(env))
        work = self.root / "seedsrc" / self.source.name
        place_copy(self.pristine, work, "absent")
        fl = [f for f in merge_flags(self.flags, job.flags) if not f.startswith(("-o", "-ldflags"))]
        lst = subprocess.run(
            [go, "list", "-deps", "-f", "{{if .Standard}}{{.ImportPath}}{{end}}", *fl, self.source.package],
            cwd=work,
            env=benv,
            capture_output=True,
            text=True,
            check=False,
        )
        pkgs = [p for p in lst.stdout.split() if p]
        if lst.returncode == 0 and pkgs:
            subprocess.run([go, "build", *fl, *pkgs], cwd=work, env=benv, capture_output=True, check=False)
        self.seed = private / "cache"

    def run_all(
        self, jobs: list[Job], parallel: int, done: Callable[[str], None] | None = None
    ) -> dict[str, Built]:
        """Build the first job alone, then the others ``parallel`` at a time; labels → builds.

        A job labelled ``*control-2`` starts in a later second than the first job ended (so a clock
        with one-second resolution, read anywhere during a build, differs between the two control builds).
        """
        first = self.build(jobs[0])
        if done:
            done(first.label)
        results = {first.label: first}

        def one(job: Job) -> Built:
            if job.label.endswith("control-2"):
                # after the second the first build *ended* in: its compile steps (a C __TIME__) ran
                # anywhere between its start and its end
                job = Job(
                    job.label, job.setup, job.flags, job.env, not_in_second=first.started + first.seconds
                )
            b = self.build(job, warm=first.cache)
            shutil.rmtree(b.cache.parent, ignore_errors=True)  # only the first build's cache is reused
            if done:
                done(b.label)
            return b

        with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
            for b in pool.map(one, jobs[1:]):
                results[b.label] = b
        return results


def _goflag(flag: str) -> str:
    """One go build flag as a GOFLAGS entry (quoted when it holds a space)."""
    return f"'{flag}'" if " " in flag else flag


def _umask(job: Job) -> int:
    return job.setup.umask if job.setup.umask is not None else -1
