"""Random combinations of the matrix's factors beyond PAIRS: build each, diff it, judge it.

    PYTHONPATH=src:tests python -m matrix.explore --seed 1 --count 40 --size 2

Prints one line per combination (OK, BAD with the problems, ORC when the toolchain's tools say the
build does not differ as its factors say: a combination the factor data cannot express). A BAD
line that stands for a mechanism belongs in factors.EXPLORED once it is fixed.
"""

from __future__ import annotations

import argparse
import random
import time

from matrix import evaluate, factors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--size", type=int, default=2, help="factors per combination")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    names = sorted(n for n, f in factors.FACTORS.items() if f.native)
    tried = set(factors.PAIRS.values())
    done = 0
    while done < args.count:
        combo = tuple(sorted(rng.sample(names, args.size)))
        if combo in tried:
            continue
        tried.add(combo)
        try:
            factors.pair_specs(combo)
        except ValueError:
            continue  # the factors need different program variants, or edit the same lines
        name = "+".join(combo)
        factors.PAIRS[name] = combo
        t = time.monotonic()
        done += 1
        try:
            res = evaluate.evaluate(name)
        except Exception as e:  # a build the factors cannot combine (e.g. cgo off with C sources)
            print(f"ERR {name}: {type(e).__name__}: {str(e)[:200]}", flush=True)
            continue
        status = "ORC" if res.oracle_problems else ("BAD" if res.problems else "OK ")
        print(
            f"{status} {name} [{time.monotonic() - t:.0f}s] expected {evaluate.fmt_roots(res.expected)}; "
            f"godet {evaluate.fmt_roots(res.roots)}; {res.share:.2%} "
            + "; ".join(res.problems + res.oracle_problems),
            flush=True,
        )


if __name__ == "__main__":
    main()
