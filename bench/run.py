#!/usr/bin/env python3
"""godet benchmark: build or fetch the pairs, time godet against the floor and the peers, print a table.

    python bench/run.py                    # pairs S, M2, M, L; diffoscope on S and M2 only
    python bench/run.py --quick            # M2 and S, no diffoscope (under a minute once pairs are cached)
    python bench/run.py --with-diffoscope  # diffoscope on every pair (M: ~9 min, L: ~5 min and 2.7 GB)
    python bench/run.py --pairs M,L --runs 7

Run it with the godet venv's Python (``godet`` and ``go`` are taken from next to it, else from PATH).
Pairs are cached under ~/.cache/godet-bench/ (GODET_BENCH_CACHE); the Markdown table goes to stdout
and to bench/results/<date>-<time>.md, the raw samples to the .json beside it. See docs/benchmark.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Sample, Series, run
from pairs import CACHE, PAIR_NAMES, Pair, get_pair, go_binary, log

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
MB = 1_000_000

# Targets (docs/benchmark.md; round 2, issue "Performance round 2").
T_DIFF_L_VS_SHA = 1.5  # godet diff on L, in sha256sum's of the same pair measured in the same rounds
T_DIFF_M_VS_SHA = 2.0
T_DIFFOSCOPE_SPEEDUP = 100.0
T_RSS_L = 300 * MB  # peak RSS of godet diff on L
T_DEEP_L_WALL = 8.0
T_INSPECT_L = 0.3
T_DIFF_S = 0.25
# diffoscope on the reference machine (performance.md), used when it is not measured here.
REF_DIFFOSCOPE = {"M": 548.0, "L": 320.0}
LAZY_FORBIDDEN = ("lief", "capstone", "numpy")


@dataclass
class Tool:
    key: str
    label: str
    argv: list[str]
    save_output: bool = False


@dataclass
class PairResult:
    pair: Pair
    series: dict[str, Series] = field(default_factory=dict)
    diffoscope: Sample | None = None
    diffoscope_report_bytes: int | None = None
    diffoscope_cached: str = ""  # date of the earlier run the diffoscope sample was taken from
    verdict: str = ""
    causes: list[str] = field(default_factory=list)
    diff_rc: int | None = None


# ---------------------------------------------------------------- helpers


def find_exe(name: str) -> str:
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    if not found:
        sys.exit(f"bench: {name} not found next to {sys.executable} nor on PATH (activate the godet venv)")
    return found


def loadavg() -> tuple[float, float, float]:
    with open("/proc/loadavg") as f:
        a, b, c = f.read().split()[:3]
    return float(a), float(b), float(c)


def machine() -> dict[str, str]:
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / (1 << 20):.1f} GiB"
                break
    return {
        "cpus": str(os.cpu_count()),
        "nproc": _out(["nproc"]),
        "model": model,
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def _out(argv: list[str], **kw) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, **kw).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def godet_version(godet: str) -> str:
    v = _out([godet, "--version"]).splitlines()
    rev = _out(["git", "-C", str(HERE.parent), "describe", "--always", "--dirty"])
    ver = v[0].split()[1] if v and len(v[0].split()) > 1 else "?"  # "godet 0.1.0 (capstone …)"
    return f"{ver} (git {rev or '?'})"


def src_digest() -> str:
    """SHA-256 (12 hex digits) of godet's source files, to tell apart runs of a changing, uncommitted tree."""
    h = hashlib.sha256()
    src = HERE.parent / "src" / "godet"
    for f in sorted(src.rglob("*.py")):
        h.update(str(f.relative_to(src)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


def compile_godet() -> None:
    """Byte-compile godet's modules, as installing a package does, and let the timed runs write bytecode:
    with PYTHONDONTWRITEBYTECODE set (some CI images set it) every run would recompile what changed."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(HERE.parent / "src" / "godet")],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def fmt_s(x: float) -> str:
    return f"{x:.2f} s" if x < 10 else f"{x:.1f} s" if x < 100 else f"{x:.0f} s"


def fmt_mb(kib: int) -> str:
    return f"{kib * 1024 / MB:.0f} MB"


def cell(s: Series | None, rss: bool = False) -> str:
    if s is None or not s.samples:
        return "–"
    if s.timed_out:
        return f"> {fmt_s(s.samples[0].wall)} (limit)"
    txt = fmt_s(s.wall) + (f" / {fmt_mb(s.rss_kib)}" if rss else "")
    bad = {rc for rc in s.rcs if rc not in (0, 1)}
    if bad:
        txt += f" **exit {','.join(map(str, sorted(bad)))}**"
    if len(s.samples) == 1:
        txt += " (n=1)"
    return txt


# ---------------------------------------------------------------- measuring


def measure_pair(
    pair: Pair, tools: list[Tool], runs: int, timeout: float, slow: float, outdir: Path
) -> dict[str, Series]:
    """Round-robin: one warm-up round (fills the page cache), then ``runs`` rounds of every tool.

    A tool whose warm-up takes longer than ``slow`` seconds keeps the warm-up as its only sample.
    """
    series = {t.key: Series() for t in tools}
    single: set[str] = set()
    for rnd in range(runs + 1):
        for t in tools:
            if rnd > 0 and t.key in single:
                continue
            out = str(outdir / f"{pair.name}-{t.key}.out") if t.save_output else None
            s = run(t.argv, timeout, out)
            if rnd == 0:
                log(f"  {pair.name} {t.label}: warm-up {s.wall:.2f} s, {fmt_mb(s.rss_kib)}, exit {s.rc}")
                if s.timed_out or s.wall > slow:
                    single.add(t.key)
                    series[t.key].samples.append(s)
            else:
                series[t.key].samples.append(s)
    return series


def run_diffoscope(diffoscope: str, pair: Pair, timeout: float, outdir: Path) -> tuple[Sample, int | None]:
    with tempfile.TemporaryDirectory(prefix="godet-bench-") as tmp:
        report = Path(tmp) / "report.txt"
        log(f"  {pair.name} diffoscope (limit {timeout:.0f} s) ...")
        s = run([diffoscope, "--text", str(report), str(pair.a), str(pair.b)], timeout)
        size = report.stat().st_size if report.exists() else None
        if size is not None:  # keep the start of the report (on L it is ~700 MB)
            with open(report, "rb") as src, open(outdir / f"{pair.name}-diffoscope.head.txt", "wb") as dst:
                dst.write(src.read(256 * 1024))
    log(f"  {pair.name} diffoscope: {s.wall:.1f} s, {fmt_mb(s.rss_kib)}, exit {s.rc}")
    return s, size


DIFFOSCOPE_CACHE = CACHE / "diffoscope-results.json"


def _diffoscope_key(version: str, pair: Pair) -> str:
    a, b = pair.a.stat(), pair.b.stat()
    return f"{version}|{pair.a}|{a.st_size}|{a.st_mtime_ns}|{pair.b}|{b.st_size}|{b.st_mtime_ns}"


def diffoscope_cached(version: str, pair: Pair, timeout: float) -> tuple[Sample, int | None, str] | None:
    """An earlier diffoscope run on the very same files (same version, no smaller time limit), if any."""
    if not DIFFOSCOPE_CACHE.exists():
        return None
    e = json.loads(DIFFOSCOPE_CACHE.read_text()).get(_diffoscope_key(version, pair))
    if not e or (e["sample"]["timed_out"] and e["timeout"] < timeout):
        return None
    return Sample.from_json(e["sample"]), e["report_bytes"], e["date"]


def diffoscope_store(
    version: str, pair: Pair, s: Sample, size: int | None, timeout: float, date: str
) -> None:
    data = json.loads(DIFFOSCOPE_CACHE.read_text()) if DIFFOSCOPE_CACHE.exists() else {}
    data[_diffoscope_key(version, pair)] = {
        "sample": s.to_json(),
        "report_bytes": size,
        "timeout": timeout,
        "date": date,
        "load": loadavg()[0],
    }
    DIFFOSCOPE_CACHE.write_text(json.dumps(data, indent=1))


def godet_verdict(godet: str, pair: Pair) -> tuple[int | None, str, list[str]]:
    p = subprocess.run(
        [godet, "diff", "--format", "json", str(pair.a), str(pair.b)], capture_output=True, text=True
    )
    try:
        d = json.loads(p.stdout)
        v = d.get("verdict", "")
        v = v.get("sentence", "") if isinstance(v, dict) else v  # (JSON schema 2: {kind, sentence})
        roots = [c for c in d.get("causes", []) if c.get("role", "root") == "root"]
        return p.returncode, v, [c.get("id", "?") for c in roots]
    except json.JSONDecodeError:
        err = (p.stderr.strip().splitlines() or ["no output"])[-1]
        return p.returncode, f"(no JSON: {err[:200]})", []


def lazy_import_check(python: str) -> tuple[list[str], Series]:
    """Modules among lief/capstone/numpy that ``godet --help`` imports, and its start-up time."""
    p = subprocess.run([python, "-X", "importtime", "-m", "godet", "--help"], capture_output=True, text=True)
    bad = sorted(
        {
            m
            for line in p.stderr.splitlines()
            for m in LAZY_FORBIDDEN
            if line.startswith("import time:") and line.rsplit("|", 1)[-1].strip().split(".")[0] == m
        }
    )
    s = Series()
    run([python, "-m", "godet", "--help"], 60)
    for _ in range(5):
        s.samples.append(run([python, "-m", "godet", "--help"], 60))
    return bad, s


# ---------------------------------------------------------------- report


def render(results: list[PairResult], meta: dict, help_bad: list[str], help_series: Series) -> str:
    L = []
    L.append(f"# godet benchmark, {meta['date']}\n")
    m = meta["machine"]
    L.append(
        f"- Machine: {m['nproc']} CPUs ({m['model']}), {m['memory']} RAM, Linux {m['kernel']}, "
        f"Python {m['python']}"
    )
    la0, la1 = meta["load_start"], meta["load_end"]
    L.append(
        f"- Load average (1/5/15 min): {la0[0]:.2f}/{la0[1]:.2f}/{la0[2]:.2f} at start, "
        f"{la1[0]:.2f}/{la1[1]:.2f}/{la1[2]:.2f} at end; 1-min samples between rounds "
        f"{min(meta['load_samples']):.2f}–{max(meta['load_samples']):.2f}"
    )
    L.append(f"- godet {meta['godet']}; {meta['go']}; diffoscope {meta['diffoscope'] or 'not run'}")
    d0, d1 = meta["src_digest_start"], meta["src_digest_end"]
    L.append(
        f"- godet source digest {d0}"
        + ("" if d0 == d1 else f" at start, {d1} at end: **godet's source changed during the run**")
    )
    L.append(
        f"- Command: `{meta['command']}`; median of {meta['runs']} runs after one warm-up round, tools "
        f"interleaved round by round (a tool slower than {meta['slow']:.0f} s in the warm-up: that one run, "
        f"n=1); time limit {meta['timeout']:.0f} s, diffoscope {meta['diffoscope_timeout']:.0f} s; "
        f"total {meta['elapsed']:.0f} s\n"
    )

    L.append("## Pairs\n")
    L.append("| pair | what | A | B |")
    L.append("|---|---|---|---|")
    for r in results:
        a, b = r.pair.sizes
        what = r.pair.what.replace("|", "\\|")
        L.append(f"| {r.pair.name} | {what} | {a / MB:.1f} MB | {b / MB:.1f} MB |")
    L.append("")

    L.append("## Wall time (median) and peak RSS\n")
    L.append(
        "| pair | sha256sum A B | go version -m A B | godet inspect A | godet diff | diff ÷ sha256sum "
        "| godet diff --deep | diffoscope --text | diffoscope ÷ godet diff |"
    )
    L.append("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        sv = r.series
        sha, diff = sv.get("sha256sum"), sv.get("diff")
        ratio = f"{diff.wall / sha.wall:.2f} ×" if diff and sha and diff.ok and sha.ok else "–"
        if r.diffoscope is None:
            dcell, dratio = "not run", "–"
            if r.pair.name in REF_DIFFOSCOPE and diff and diff.ok:
                ref = REF_DIFFOSCOPE[r.pair.name]
                dratio = f"({ref / diff.wall:.0f} × vs reference {ref:.0f} s)"
        else:
            d = r.diffoscope
            dcell = (
                f"> {fmt_s(d.wall)} (limit), ≥ {fmt_mb(d.rss_kib)}"
                if d.timed_out
                else f"{fmt_s(d.wall)} / {fmt_mb(d.rss_kib)}"
            )
            if r.diffoscope_cached:
                dcell += f" (run of {r.diffoscope_cached})"
            if r.diffoscope_report_bytes is not None:
                n = r.diffoscope_report_bytes
                dcell += f", report {n / MB:.1f} MB" if n >= MB else f", report {n / 1000:.0f} kB"
            dratio = (
                (("≥ " if d.timed_out else "") + f"{d.wall / diff.wall:.0f} ×") if diff and diff.ok else "–"
            )
        L.append(
            f"| {r.pair.name} | {cell(sha)} | {cell(sv.get('gov'))} | {cell(sv.get('inspect'), True)} "
            f"| {cell(diff, True)} | {ratio} | {cell(sv.get('deep'), True)} | {dcell} | {dratio} |"
        )
    L.append("")

    L.append("## What godet said (`godet diff --format json`, one extra run)\n")
    L.append("| pair | exit | verdict | root causes |")
    L.append("|---|---|---|---|")
    for r in results:
        verdict = r.verdict.replace("|", "\\|")
        L.append(f"| {r.pair.name} | {r.diff_rc} | {verdict} | {', '.join(r.causes) or '–'} |")
    L.append("")

    fails = [
        (r.pair.name, k, smp)
        for r in results
        for k, se in r.series.items()
        for smp in se.samples
        if smp.rc not in (0, 1) and not smp.timed_out
    ]
    if fails:
        L.append("## Failed runs (exit status other than 0 or 1)\n")
        for name, k, smp in fails:
            last = smp.err.splitlines()[-1] if smp.err else "(no stderr)"
            L.append(f"- {name} `{k}`: exit {smp.rc}: `{last[:300]}`")
        L.append("")

    L.extend(render_scaling(results))
    L.extend(render_targets(results, help_bad, help_series))
    return "\n".join(L) + "\n"


def render_scaling(results: list[PairResult]) -> list[str]:
    rows = [r for r in results if r.series.get("diff") and r.series["diff"].ok and r.series.get("sha256sum")]
    if len(rows) < 2:
        return []
    L = [
        "## Scaling (milliseconds per MB of A + B)\n",
        "Start-up is taken out with the hello-world pair S when it was measured "
        "(marginal = (t − t_S) / (size − size_S)).\n",
        "| pair | A + B | sha256sum | godet diff | godet diff, marginal | godet diff --deep, marginal |",
        "|---|---|---|---|---|---|",
    ]
    s_res = next((r for r in results if r.pair.name == "S"), None)

    def marginal(r: PairResult, key: str) -> str:
        se = r.series.get(key)
        if not se or not se.ok or s_res is None or r is s_res or key not in s_res.series:
            return "–"
        base = s_res.series[key]
        if not base.ok:
            return "–"
        size = sum(r.pair.sizes) - sum(s_res.pair.sizes)
        return f"{(se.wall - base.wall) / size * 1000 * MB:.1f} ms"

    for r in sorted(rows, key=lambda r: sum(r.pair.sizes)):
        size = sum(r.pair.sizes)
        per = 1000 * MB / size
        L.append(
            f"| {r.pair.name} | {size / MB:.0f} MB | {r.series['sha256sum'].wall * per:.1f} ms "
            f"| {r.series['diff'].wall * per:.1f} ms | {marginal(r, 'diff')} | {marginal(r, 'deep')} |"
        )
    L.append("")
    return L


def render_targets(results: list[PairResult], help_bad: list[str], help_series: Series) -> list[str]:
    by = {r.pair.name: r for r in results}
    rows: list[tuple[str, str, str, str]] = []

    def verdict(ok: bool | None, aim: bool | None = None) -> str:
        if ok is None:
            return "not measured"
        if not ok:
            return "**MISS**"
        return "pass" + ("" if aim is None else (", aim met" if aim else ", aim not met"))

    def get(pair: str, key: str) -> Series | None:
        r = by.get(pair)
        s = r.series.get(key) if r else None
        return s if s and s.samples else None

    diff_l = get("L", "diff")
    for pair, bound in (("L", T_DIFF_L_VS_SHA), ("M", T_DIFF_M_VS_SHA)):
        d, sha = get(pair, "diff"), get(pair, "sha256sum")
        label = f"`godet diff` on {pair} ÷ `sha256sum` (same rounds)"
        if d and sha and d.ok:
            x = d.wall / sha.wall
            rows.append(
                (
                    label,
                    f"≤ {bound:g} ×",
                    f"{x:.2f} × ({fmt_s(d.wall)} vs {fmt_s(sha.wall)})",
                    verdict(x <= bound),
                )
            )
        else:
            rows.append((label, f"≤ {bound:g} ×", cell(d), verdict(None)))
    if diff_l and diff_l.ok:
        r = by["L"]
        if r.diffoscope is not None:
            x, src = (
                r.diffoscope.wall / diff_l.wall,
                "measured" + (" (diffoscope timed out)" if r.diffoscope.timed_out else ""),
            )
        else:
            x, src = REF_DIFFOSCOPE["L"] / diff_l.wall, f"vs the reference {REF_DIFFOSCOPE['L']:.0f} s"
        rows.append(
            (
                "`godet diff` on L vs diffoscope",
                f"≥ {T_DIFFOSCOPE_SPEEDUP:g} × faster",
                f"{x:.0f} × ({src})",
                verdict(x >= T_DIFFOSCOPE_SPEEDUP),
            )
        )
        rss = diff_l.rss_kib * 1024
        rows.append(
            (
                "`godet diff` on L, peak RSS",
                f"≤ {T_RSS_L / MB:.0f} MB",
                f"{rss / MB:.0f} MB",
                verdict(rss <= T_RSS_L),
            )
        )
    deep_l = get("L", "deep")
    rows.append(
        (
            "`godet diff --deep` on L",
            f"≤ {T_DEEP_L_WALL:g} s",
            cell(deep_l, True) if deep_l else "–",
            verdict(deep_l.ok and deep_l.wall <= T_DEEP_L_WALL if deep_l else None),
        )
    )
    insp = get("L", "inspect")
    rows.append(
        (
            "`godet inspect` on L",
            f"≤ {T_INSPECT_L:g} s",
            cell(insp, True),
            verdict(insp.ok and insp.wall <= T_INSPECT_L if insp else None),
        )
    )
    diff_s = get("S", "diff")
    rows.append(
        (
            "`godet diff` on S",
            f"≤ {T_DIFF_S:g} s",
            cell(diff_s, True),
            verdict(diff_s.ok and diff_s.wall <= T_DIFF_S if diff_s else None),
        )
    )
    rows.append(
        (
            "`godet --help` imports none of lief, capstone, numpy",
            "none",
            ", ".join(help_bad) or f"none ({fmt_s(help_series.wall)} to print --help)",
            verdict(not help_bad),
        )
    )
    diff_m, diff_s = get("M", "diff"), get("S", "diff")
    if diff_l and diff_m and diff_l.ok and diff_m.ok and "M" in by:
        # Marginal cost per byte: the hello-world pair's time (start-up) taken out when it was measured.
        t0, s0 = (diff_s.wall, sum(by["S"].pair.sizes)) if diff_s and diff_s.ok else (0.0, 0)
        pm = (diff_m.wall - t0) / (sum(by["M"].pair.sizes) - s0)
        pl = (diff_l.wall - t0) / (sum(by["L"].pair.sizes) - s0)
        rows.append(
            (
                "Linear in size: `godet diff` marginal s/MB, L ÷ M",
                "≤ 1.5 (no worse than linear)",
                f"{pl / pm:.2f}",
                verdict(pl / pm <= 1.5),
            )
        )
    L = ["## Targets\n", "| target | bound | measured | status |", "|---|---|---|---|"]
    L += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    L.append("")
    return L


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="pairs M2 and S, no diffoscope (under a minute)")
    ap.add_argument("--pairs", help=f"comma-separated subset of {','.join(PAIR_NAMES)}")
    ap.add_argument(
        "--with-diffoscope", action="store_true", help="run diffoscope on every pair, not just S, M2"
    )
    ap.add_argument("--no-diffoscope", action="store_true", help="never run diffoscope")
    ap.add_argument("--no-deep", action="store_true", help="skip godet diff --deep")
    ap.add_argument(
        "--reuse-diffoscope",
        action="store_true",
        help="take diffoscope's numbers from an earlier run on the same files (marked in the table)",
    )
    ap.add_argument("--runs", type=int, default=5, help="timed runs per tool (median; default 5)")
    ap.add_argument("--timeout", type=float, default=600, help="limit per godet/floor run, s (default 600)")
    ap.add_argument(
        "--slow",
        type=float,
        default=30,
        help="a tool slower than this in the warm-up is run once (default 30 s)",
    )
    ap.add_argument("--diffoscope-timeout", type=float, default=1200, help="default 1200 s (20 min)")
    ap.add_argument("--format", default="text", help="godet diff --format for the timed runs (default text)")
    ap.add_argument("--out", type=Path, help="results file (default bench/results/<date>-<time>.md)")
    args = ap.parse_args(argv)

    names = args.pairs.split(",") if args.pairs else (["M2", "S"] if args.quick else ["S", "M2", "M", "L"])
    if args.quick:
        args.no_diffoscope = True
    for n in names:
        if n not in PAIR_NAMES:
            ap.error(f"unknown pair {n!r}")

    t_start = time.monotonic()
    compile_godet()
    digest_start = src_digest()
    stamp = dt.datetime.now().astimezone()
    godet, python = find_exe("godet"), sys.executable
    go = go_binary()
    RESULTS.mkdir(exist_ok=True)
    out_md = args.out or RESULTS / f"{stamp:%Y-%m-%d-%H%M}.md"
    outdir = out_md.with_suffix("")  # godet's text output of the last timed runs
    outdir.mkdir(parents=True, exist_ok=True)

    diffoscope = None
    if not args.no_diffoscope:
        diffoscope = shutil.which("diffoscope") or str(CACHE / "diffoscope-venv" / "bin" / "diffoscope")
        if not Path(diffoscope).exists():
            log(
                "diffoscope not found: install it with "
                f"python3 -m venv {CACHE}/diffoscope-venv && "
                f"{CACHE}/diffoscope-venv/bin/pip install diffoscope"
            )
            diffoscope = None
    diff_on = set(names) if args.with_diffoscope else {"S", "M2"}
    dversion = _out([diffoscope, "--version"]) if diffoscope else ""

    pairs = [get_pair(n, go) for n in names]
    load_start = loadavg()
    load_samples = [load_start[0]]
    results: list[PairResult] = []
    for pair in pairs:
        a, b = str(pair.a), str(pair.b)
        tools = [
            Tool("sha256sum", "sha256sum A B", ["sha256sum", a, b]),
            Tool("gov", "go version -m A B", [str(go), "version", "-m", a, b]),
            Tool("inspect", "godet inspect A", [godet, "inspect", a]),
            Tool("diff", "godet diff A B", [godet, "diff", "--format", args.format, a, b], save_output=True),
        ]
        if not args.no_deep:
            tools.append(
                Tool(
                    "deep",
                    "godet diff --deep A B",
                    [godet, "diff", "--deep", "--format", args.format, a, b],
                    save_output=True,
                )
            )
        log(f"pair {pair.name}: {pair.a} vs {pair.b}")
        res = PairResult(pair, measure_pair(pair, tools, args.runs, args.timeout, args.slow, outdir))
        load_samples.append(loadavg()[0])
        res.diff_rc, res.verdict, res.causes = godet_verdict(godet, pair)
        if diffoscope and pair.name in diff_on:
            cached = (
                diffoscope_cached(dversion, pair, args.diffoscope_timeout) if args.reuse_diffoscope else None
            )
            if cached:
                res.diffoscope, res.diffoscope_report_bytes, res.diffoscope_cached = cached
                log(f"  {pair.name} diffoscope: taken from the run of {res.diffoscope_cached}")
            else:
                res.diffoscope, res.diffoscope_report_bytes = run_diffoscope(
                    diffoscope, pair, args.diffoscope_timeout, outdir
                )
                diffoscope_store(
                    dversion,
                    pair,
                    res.diffoscope,
                    res.diffoscope_report_bytes,
                    args.diffoscope_timeout,
                    f"{stamp:%Y-%m-%d %H:%M}",
                )
                load_samples.append(loadavg()[0])
        results.append(res)

    help_bad, help_series = lazy_import_check(python)
    meta = {
        "date": f"{stamp:%Y-%m-%d %H:%M %Z}",
        "machine": machine(),
        "load_start": load_start,
        "load_end": loadavg(),
        "load_samples": load_samples,
        "godet": godet_version(godet),
        "go": _out([str(go), "version"]),
        "diffoscope": dversion,
        "src_digest_start": digest_start,
        "src_digest_end": src_digest(),
        "command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "runs": args.runs,
        "slow": args.slow,
        "timeout": args.timeout,
        "diffoscope_timeout": args.diffoscope_timeout,
        "elapsed": time.monotonic() - t_start,
    }
    md = render(results, meta, help_bad, help_series)
    out_md.write_text(md)
    raw = {
        "meta": meta,
        "help_imports": help_bad,
        "help": help_series.to_json(),
        "pairs": [
            {
                "name": r.pair.name,
                "a": str(r.pair.a),
                "b": str(r.pair.b),
                "sizes": r.pair.sizes,
                "what": r.pair.what,
                "series": {k: v.to_json() for k, v in r.series.items()},
                "diffoscope": r.diffoscope.to_json() if r.diffoscope else None,
                "diffoscope_report_bytes": r.diffoscope_report_bytes,
                "diffoscope_cached": r.diffoscope_cached,
                "verdict": r.verdict,
                "causes": r.causes,
                "diff_rc": r.diff_rc,
            }
            for r in results
        ],
    }
    out_md.with_suffix(".json").write_text(json.dumps(raw, indent=1))
    print(md)
    log(f"wrote {out_md} (+ .json, and godet's output in {outdir}/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
