"""The short fuzzing run of the test suite (hypothesis, fixed seed, bounded count) and the harness's
self-test. The long run is ``python -m fuzz.run --minutes N`` (docs/robustness.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from robustness_util import (
    assert_clean,
    executor,
    landmarks,
    mutate,
    seed_fixture,  # noqa: F401  (the ``seed`` fixture)
    seeds,
)

SHORT_RUN = int(os.environ.get("GODET_FUZZ_EXAMPLES", "120"))


class _Corpus(tuple):
    """(name -> (path, bytes, landmarks), scratch directory); a short repr for hypothesis's reports."""

    def __repr__(self) -> str:
        return f"<corpus of {len(self[0])} seeds>"


@pytest.fixture(scope="module")
def corpus(seed, tmp_path_factory):
    executor.preload()
    out = {}
    for name in seeds.QUICK_SEEDS:
        path = seed(name)
        data = path.read_bytes()
        out[name] = (path, data, landmarks.find(data))
    return _Corpus((out, tmp_path_factory.mktemp("fuzz")))


def _run(corpus, name: str, ops: list, params: dict, timeout: float = executor.TIMEOUT) -> executor.Outcome:
    seeds_, work = corpus
    path, data, _ = seeds_[name]
    mutant = Path(work) / "input.bin"
    mutant.write_bytes(mutate.apply(data, ops))
    return executor.run_one(str(mutant), str(path), params, str(work), timeout)


@pytest.mark.parametrize(
    "fault,kind",
    [
        ("exception", "exception"),
        ("hang", "hang"),
        ("memory", "memory"),
        ("crash", "crash"),
        ("masked", None),
    ],
)
def test_harness_reports_planted_faults(corpus, fault, kind):
    """Each kind of defect the issue forbids is seen by the harness (else a clean run proves nothing)."""
    o = _run(corpus, "stripped", [], {"steps": ["inspect"], "inject": fault}, timeout=3)
    if kind is None:
        assert [m["type"] for m in o.masked] == ["IndexError"], o.masked
    else:
        assert kind in {d["kind"] for d in o.defects}, o.defects


def test_harness_accepts_a_clean_input(corpus):
    o = _run(corpus, "stripped", [], {})
    assert_clean(o)
    assert o.elapsed < executor.TIMEOUT


@settings(
    max_examples=SHORT_RUN,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
)
@given(data=st.data())
def test_short_fuzz_run(corpus, data):
    """Structure-aware mutations of the quick seeds (hostile strings among them): no defect, no
    unsafe output, and no reader or detector failure hidden as a note."""
    name = data.draw(st.sampled_from(seeds.QUICK_SEEDS), label="seed")
    rng = data.draw(st.randoms(use_true_random=False), label="rng")
    _, raw, lm = corpus[0][name]
    ops, params = mutate.generate(rng, raw, lm)
    note(f"seed={name} ops={ops} params={params}")
    o = _run(corpus, name, ops, params)
    assert_clean(o)
