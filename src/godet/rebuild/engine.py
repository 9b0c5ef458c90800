"""Put the rebuild together: control pair, one pair per variation, diffs, suggestion, verification."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from godet.errors import GodetError
from godet.rebuild.remedies import advice, merge_flags, pinned_value, remedy
from godet.rebuild.report import PairResult, RebuildReport, RootCause, Suggestion, Verification
from godet.rebuild.runner import Built, Job, Runner
from godet.rebuild.variations import Host, Setup, Variation, select
from godet.rebuild.workspace import Source, find_source, make_pristine, outside_vcs

TOOLS = ("git", "faketime")
TIME_VALUE = ("a timestamp", "a Unix timestamp")


@dataclass
class Options:
    """What ``godet rebuild`` was asked to do."""

    target: str = "."
    flags: tuple[str, ...] = ()
    vary: list[str] | None = None
    go: str | None = None
    keep: str | None = None
    script: str | None = None
    seed_std: bool = False
    jobs: int = 0  # 0: the number of cores
    verify: bool = True
    env: dict[str, str] | None = None  # the user's environment (os.environ when None)
    progress: Callable[[int], Callable[[str], None]] | None = field(default=None, repr=False)


def find_go(go: str | None, env: dict[str, str]) -> str:
    """The go command: ``--go PATH``, else the one on PATH."""
    found = shutil.which(go or "go", path=env.get("PATH"))
    if found is None:
        raise GodetError(go or "go", "no such go command" if go else "no go command on PATH (pass --go PATH)")
    return found


def user_goenv_file(env: dict[str, str]) -> str:
    """Where the user's ``go env -w`` settings live: $GOENV, else <config dir>/go/env."""
    if env.get("GOENV"):
        return env["GOENV"]
    home = env.get("HOME", "")
    config = env.get("XDG_CONFIG_HOME") or (os.path.join(home, ".config") if home else "")
    return os.path.join(config, "go", "env") if config else "off"


def go_env(go: str, env: dict[str, str], home: Path) -> dict[str, str]:
    """GOVERSION, GOMODCACHE and GOENV as the user's go sees them.

    Asked with a private HOME and no XDG dirs (any go command writes telemetry counters under the
    config directory), the user's settings file named explicitly, and GOPATH's default spelled out.
    """
    goenv = user_goenv_file(env)
    query = {k: v for k, v in env.items() if not k.startswith("XDG_")}
    query.update({"GOTOOLCHAIN": "local", "HOME": str(home), "GOENV": goenv})
    if not env.get("GOPATH") and env.get("HOME") and not _sets_gopath(goenv):
        query["GOPATH"] = os.path.join(env["HOME"], "go")
    r = subprocess.run(
        [go, "env", "GOVERSION", "GOMODCACHE"], env=query, capture_output=True, text=True, check=False
    )
    if r.returncode != 0:
        raise GodetError(go, f"go env failed: {r.stderr.strip()[:200]}")
    lines = [*r.stdout.splitlines(), "", ""][:2]
    return {"GOVERSION": lines[0], "GOMODCACHE": lines[1], "GOENV": goenv}


def _sets_gopath(goenv: str) -> bool:
    try:
        with open(goenv, encoding="utf-8") as f:
            return any(line.startswith(("GOPATH=", "GOMODCACHE=")) for line in f)
    except OSError:
        return False


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def roots_of(a: Path, b: Path) -> tuple[bool, list[RootCause], int]:
    """Diff two builds with godet's engine: identical?, the root causes, the differing bytes."""
    from godet.api import diff

    rep = diff(str(a), str(b))
    if rep.identical:
        return True, [], 0
    roots = []
    for f in getattr(rep, "roots", []):
        ev = f.evidence[0] if f.evidence else None
        roots.append(
            RootCause(f.cause, f.title, f.key, f.summary, ev.a if ev else None, ev.b if ev else None, f.share)
        )
    return False, roots, getattr(rep, "differing_bytes", 0)


def pair(variation: str, title: str, what: str, a: Built, b: Built, control: PairResult | None) -> PairResult:
    """Compare build ``a`` (the control) with ``b`` and name what ``b``'s variation adds."""
    same, roots, nbytes = roots_of(a.path, b.path)
    known = {r.ident for r in control.roots} if control else set()
    new = [r for r in roots if r.ident not in known]
    return PairResult(variation, title, what, same, roots, new, nbytes, b.seconds, a=a.label, b=b.label)


def suggest(report: RebuildReport, user_env: dict[str, str]) -> Suggestion:
    """The flags and settings that remove the root causes of every changing variation."""
    flags: list[str] = []
    env: dict[str, str] = {}
    tips: dict[str, str] = {}
    for p in report.changing:
        for r in p.new if p.variation != "control" else p.roots:
            rem = remedy(r.id)
            flags += [f for f in rem.flags if f not in flags]
            for name in rem.env:
                env[name] = pinned_value(name, user_env)
            if r.id == "ldflags-x" and _time_like(r):
                tips[r.id] = advice(r.id) + f" ({r.key} looks like a build time.)"
            elif (not rem.flags and not rem.env) or rem.advice:
                tips.setdefault(r.id, advice(r.id))
    return Suggestion(merge_flags((), tuple(flags)), tuple(env.items()), sorted(tips.items()))


def _time_like(r: RootCause) -> bool:
    """True when either -X value looks like a time (the content detectors' own classifier)."""
    import importlib

    for module in ("godet.explain.detectors.content", "godet.explain.detectors.content.common"):
        try:
            looks_like = importlib.import_module(module).looks_like
        except (ImportError, AttributeError):
            continue
        return looks_like(r.a) in TIME_VALUE or looks_like(r.b) in TIME_VALUE
    return False


def _phase(
    runner: Runner,
    variations: list[Variation],
    host: Host,
    prefix: str,
    flags: tuple[str, ...],
    env: tuple[tuple[str, str], ...],
    parallel: int,
    done: Callable[[str], None] | None,
) -> tuple[PairResult, list[PairResult], int]:
    """Build the control pair and one varied build per variation; compare each with control-1."""
    c1, c2 = f"{prefix}control-1", f"{prefix}control-2"
    jobs = [Job(c1, Setup(), flags, env), Job(c2, Setup(), flags, env)]
    jobs += [Job(prefix + v.name, v.setup(host), flags, env) for v in variations]
    built = runner.run_all(jobs, parallel, done)
    control = pair("control", "Control pair", "two builds with everything pinned", built[c1], built[c2], None)
    control.seconds = built[c1].seconds
    pairs = [pair(v.name, v.title, v.what, built[c1], built[prefix + v.name], control) for v in variations]
    return control, pairs, len(jobs)


def _keep(built_dir: Path, keep: str) -> str:
    dest = Path(keep)
    dest.mkdir(parents=True, exist_ok=True)
    for d in sorted(built_dir.iterdir()):
        for f in d.iterdir():
            shutil.copy2(f, dest / d.name)
    return str(dest)


def rebuild(opts: Options) -> RebuildReport:
    """Run ``godet rebuild`` and return its report (GodetError when a build or the setup fails)."""
    t0 = time.monotonic()
    user_env = dict(os.environ if opts.env is None else opts.env)
    go = find_go(opts.go, user_env)
    src: Source = find_source(opts.target, opts.script)
    variations = select(opts.vary)  # ValueError → the CLI's usage error
    host = Host(
        env=user_env,
        umask=_current_umask(),
        in_git=src.in_git,
        tools=frozenset(t for t in TOOLS if shutil.which(t, path=user_env.get("PATH"))),
    )
    runnable = [v for v in variations if v.skip_reason(host) is None]
    skipped = [
        PairResult(v.name, v.title, v.what, skipped=v.skip_reason(host))
        for v in variations
        if v not in runnable
    ]
    parallel = opts.jobs or os.cpu_count() or 1
    root = Path(tempfile.mkdtemp(prefix="godet-rebuild-"))
    try:
        if outside_vcs(root) is not None:
            raise GodetError(
                str(root), "the temporary directory is inside a repository; set TMPDIR elsewhere"
            )
        (root / "home").mkdir()
        genv = go_env(go, user_env, root / "home")
        base_env = {**user_env, "GOENV": genv["GOENV"]}  # the user's go env -w settings; HOME is private
        pristine = root / "pristine" / src.name
        make_pristine(src, pristine)
        runner = Runner(src, root, pristine, go, base_env, opts.flags, genv["GOMODCACHE"] or None)
        report = RebuildReport(
            str(src.module_root), src.package, go, genv["GOVERSION"], opts.flags, src.script, jobs=parallel
        )
        nbuilds = 2 + len(runnable)
        done = opts.progress(nbuilds * (2 if opts.verify else 1)) if opts.progress else None
        if opts.seed_std:
            runner.prepare_seed((), ())
            report.notes.append("builds start from a cache holding the standard library (--seed-std)")
        report.control, pairs, report.builds = _phase(runner, runnable, host, "", (), (), parallel, done)
        report.pairs = _ordered(variations, pairs + skipped)
        report.suggestion = suggest(report, user_env)
        sug = report.suggestion
        if opts.verify and not report.reproducible and sug.applicable:
            if opts.seed_std and sug.flags:  # other flags, other cache keys: compile the seed again
                runner.prepare_seed(sug.flags, sug.env)
            control, vpairs, n = _phase(runner, runnable, host, "verify-", sug.flags, sug.env, parallel, done)
            report.verification = Verification(sug.flags, sug.env, [control, *vpairs])
            report.builds += n
        if opts.keep:
            report.kept = _keep(root / "out", opts.keep)
        report.seconds = time.monotonic() - t0
        return report
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _ordered(variations: list[Variation], pairs: list[PairResult]) -> list[PairResult]:
    by = {p.variation: p for p in pairs}
    return [by[v.name] for v in variations if v.name in by]
