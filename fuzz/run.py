"""The long fuzzing run: ``python -m fuzz.run --minutes 30`` (see docs/robustness.md).

Every input ``i`` is derived from ``random.Random(f"{seed}:{i}")``: a seed file of the corpus, a few
structure-aware mutations, and how to run it (diff order and depth, output formats). Inputs run in
forked children (:mod:`fuzz.executor`), ``--workers`` at a time. Defects are written as JSON lines
(replayable: seed, ops, params) and one input per distinct defect is minimised at the end.

Replay a stored input: ``python -m fuzz.run --replay out/defects.jsonl --index 3``.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import select
import sys
import time
from pathlib import Path
from typing import Any

from fuzz import executor, landmarks, mutate, seeds


class Corpus:
    """Seed bytes and landmarks, loaded once in the parent."""

    def __init__(self, names: list[str], sweep: bool = False) -> None:
        self.names = names
        self.paths = {n: str(seeds.seed_path(n)) for n in names}
        self.data = {n: Path(p).read_bytes() for n, p in self.paths.items()}
        self.marks = {n: landmarks.find(d) for n, d in self.data.items()}
        # --sweep: every single-field corruption first, then random inputs
        self.sweep = (
            [(n, op) for n in names for op in mutate.sweep(self.data[n], self.marks[n])] if sweep else []
        )

    def make(self, master: int, i: int) -> tuple[str, list[mutate.Op], dict[str, Any]]:
        if i < len(self.sweep):
            name, op = self.sweep[i]
            return (
                name,
                [op],
                {
                    "mutant_first": bool(i % 2),
                    "diff_format": mutate.DIFF_FORMATS[i % 4],
                    "check_format": mutate.CHECK_FORMATS[i % 5],
                    "deep": i % 8 == 0,
                },
            )
        rng = random.Random(f"{master}:{i}")
        name = rng.choice(self.names)
        ops, params = mutate.generate(rng, self.data[name], self.marks[name])
        return name, ops, params


def write_input(corpus: Corpus, name: str, ops: list[mutate.Op], path: str) -> None:
    with open(path, "wb") as f:
        f.write(mutate.apply(corpus.data[name], ops))


def run_input(
    corpus: Corpus, name: str, ops: list[mutate.Op], params: dict[str, Any], workdir: str, timeout: float
) -> executor.Outcome:
    path = os.path.join(workdir, "input.bin")
    write_input(corpus, name, ops, path)
    return executor.run_one(path, corpus.paths[name], params, workdir, timeout)


def minimise(corpus: Corpus, rec: dict[str, Any], sig: str, workdir: str, timeout: float) -> dict[str, Any]:
    """Drop ops and simplify the run while the same defect signature still shows."""
    name, ops, params = rec["seed"], list(rec["ops"]), dict(rec["params"])

    def still(o: list[mutate.Op], p: dict[str, Any]) -> bool:
        return sig in run_input(corpus, name, o, p, workdir, timeout).signatures

    step = next((d["step"] for d in rec["defects"] + rec["masked"] if executor.signature(d) == sig), "")
    base = step.split(":")[0]
    if base in executor_steps():
        trial = dict(params, steps=[base])
        if still(ops, trial):
            params = trial
    for key, simple in (
        ("deep", False),
        ("functions", False),
        ("diff_format", "json"),
        ("check_format", "json"),
    ):
        if params.get(key) != simple:
            trial = dict(params, **{key: simple})
            if still(ops, trial):
                params = trial
    changed = True
    while changed and len(ops) > 1:
        changed = False
        for k in range(len(ops)):
            trial_ops = ops[:k] + ops[k + 1 :]
            if still(trial_ops, params):
                ops, changed = trial_ops, True
                break
    return {"seed": name, "ops": ops, "params": params, "signature": sig}


def executor_steps() -> tuple[str, ...]:
    from fuzz.target import STEPS

    return STEPS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fuzz.run", description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=None, help="run this long (default: until --count)")
    ap.add_argument("--count", type=int, default=None, help="run this many inputs")
    ap.add_argument("--start", type=int, default=0, help="first input index")
    ap.add_argument("--seed", type=int, default=1, help="master seed (input i is derived from seed:i)")
    ap.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 0))
    ap.add_argument("--seeds", default="all", help="comma-separated seed names, 'all' or 'quick'")
    ap.add_argument("--timeout", type=float, default=executor.TIMEOUT)
    ap.add_argument("--out", default=None, help="output directory (default: $GODET_FUZZ_DIR/runs/<time>)")
    ap.add_argument("--no-minimise", action="store_true")
    ap.add_argument("--sweep", action="store_true", help="first every single-field corruption of every seed")
    ap.add_argument("--replay", default=None, help="a defects.jsonl or minimised.json file")
    ap.add_argument("--index", type=int, default=0, help="which record of --replay")
    args = ap.parse_args(argv)

    executor.preload()
    if args.replay:
        return replay(args)
    if args.minutes is None and args.count is None:
        ap.error("give --minutes or --count")
    names = {"all": list(seeds.ALL_SEEDS), "quick": list(seeds.QUICK_SEEDS)}.get(
        args.seeds
    ) or args.seeds.split(",")
    corpus = Corpus(names, sweep=args.sweep)
    if args.sweep:
        print(f"sweep: {len(corpus.sweep)} single-field inputs first", flush=True)
    out = Path(args.out or seeds.work_dir() / "runs" / time.strftime("%Y%m%d-%H%M%S"))
    out.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + 60 * args.minutes if args.minutes is not None else float("inf")
    end = args.start + args.count if args.count is not None else sys.maxsize

    stats: collections.Counter[str] = collections.Counter()
    first: dict[str, dict[str, Any]] = {}  # signature -> first record
    masked_first: dict[str, dict[str, Any]] = {}
    sig_counts: collections.Counter[str] = collections.Counter()
    masked_counts: collections.Counter[str] = collections.Counter()
    max_elapsed = 0.0
    max_growth = (0, 0)
    running: dict[int, tuple[executor.Running, int, str, list, dict, str]] = {}
    slots = [str(out / f"w{k}") for k in range(args.workers)]
    for s in slots:
        os.makedirs(s, exist_ok=True)
    free = list(slots)
    i = args.start
    t0 = time.monotonic()
    defects_f = open(out / "defects.jsonl", "w")  # noqa: SIM115
    masked_f = open(out / "masked.jsonl", "w")  # noqa: SIM115
    last_report = t0
    while True:
        while free and i < end and time.monotonic() < deadline:
            slot = free.pop()
            name, ops, params = corpus.make(args.seed, i)
            path = os.path.join(slot, "input.bin")
            write_input(corpus, name, ops, path)
            r = executor.start(path, corpus.paths[name], params, slot)
            running[r.fd] = (r, i, name, ops, params, slot)
            i += 1
        if not running:
            break
        now = time.monotonic()
        wait = max(0.0, min(r.started + args.timeout for r, *_ in running.values()) - now)
        ready, _, _ = select.select(list(running), [], [], wait)
        done: list[tuple[int, bool]] = [(fd, False) for fd in ready if executor._feed(running[fd][0])]
        now = time.monotonic()
        done += [
            (fd, True)
            for fd, (r, *_) in running.items()
            if now - r.started > args.timeout and fd not in dict(done)
        ]
        for fd, timed_out in done:
            r, idx, name, ops, params, slot = running.pop(fd)
            o = executor.finish(r, timed_out, args.timeout)
            free.append(slot)
            stats["inputs"] += 1
            stats["godet errors"] += bool(o.errors)
            max_elapsed = max(max_elapsed, o.elapsed)
            if o.peak_growth > max_growth[0]:
                max_growth = (o.peak_growth, o.input_bytes)
            rec = {
                "index": idx,
                "seed": name,
                "ops": ops,
                "params": params,
                "defects": o.defects,
                "masked": o.masked,
                "errors": o.errors[:3],
                "elapsed": round(o.elapsed, 3),
            }
            if o.defects:
                stats["inputs with a defect"] += 1
                for kind in {d["kind"] for d in o.defects}:
                    stats[f"defect: {kind}"] += 1
                for sig in {executor.signature(d) for d in o.defects}:
                    sig_counts[sig] += 1
                    first.setdefault(sig, rec)
                defects_f.write(json.dumps(rec) + "\n")
                defects_f.flush()
            if o.masked:
                stats["inputs with a masked failure"] += 1
                for m in o.masked:
                    s2 = executor.signature(m)
                    masked_counts[s2] += 1
                    masked_first.setdefault(s2, rec)
                masked_f.write(json.dumps(rec) + "\n")
        if time.monotonic() - last_report > 30:
            last_report = time.monotonic()
            print(
                f"[{last_report - t0:6.0f}s] {stats['inputs']} inputs, "
                f"{stats['inputs with a defect']} with a defect, "
                f"{len(first)} distinct; {len(masked_counts)} distinct masked",
                flush=True,
            )
    defects_f.close()
    masked_f.close()
    elapsed = time.monotonic() - t0
    minimised = []
    if not args.no_minimise:
        for sig, rec in [*first.items(), *masked_first.items()]:
            minimised.append(minimise(corpus, rec, sig, slots[0], args.timeout))
        (out / "minimised.json").write_text(json.dumps(minimised, indent=1))
    summary = {
        "master_seed": args.seed,
        "sweep_inputs": len(corpus.sweep),
        "first_index": args.start,
        "inputs": stats["inputs"],
        "seconds": round(elapsed, 1),
        "workers": args.workers,
        "inputs_with_defect": stats["inputs with a defect"],
        "by_kind": {k.removeprefix("defect: "): v for k, v in stats.items() if k.startswith("defect: ")},
        "distinct_defects": {s: sig_counts[s] for s in sorted(first)},
        "inputs_with_masked_failure": stats["inputs with a masked failure"],
        "distinct_masked": {s: masked_counts[s] for s in sorted(masked_counts)},
        "inputs_ending_in_godet_error": stats["godet errors"],
        "max_seconds_per_input": round(max_elapsed, 2),
        "max_peak_rss_growth_mib": round(max_growth[0] / (1 << 20), 1),
        "input_mib_at_max_growth": round(max_growth[1] / (1 << 20), 1),
        "seeds": names,
        "out": str(out),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))
    return 1 if first else 0


def replay(args: argparse.Namespace) -> int:
    text = Path(args.replay).read_text()
    recs = (
        json.loads(text) if text.lstrip().startswith("[") else [json.loads(x) for x in text.splitlines() if x]
    )
    rec = recs[args.index]
    corpus = Corpus([rec["seed"]])
    workdir = str(seeds.work_dir() / "replay")
    os.makedirs(workdir, exist_ok=True)
    o = run_input(corpus, rec["seed"], rec["ops"], rec["params"], workdir, args.timeout)
    print(
        json.dumps(
            {
                "input": os.path.join(workdir, "input.bin"),
                "defects": o.defects,
                "masked": o.masked,
                "errors": o.errors,
                "elapsed": round(o.elapsed, 3),
            },
            indent=1,
        )
    )
    return 1 if o.defects else 0


if __name__ == "__main__":
    sys.exit(main())
