"""Mutated archives never crash the sources stage: a Source or a GodetError, nothing else, no hang."""

from __future__ import annotations

import gzip
import os
import random
from pathlib import Path

import pytest

from containers.ociwriter import Entry, ImageSpec, tar_bytes, tar_dir, write_oci
from godet.errors import GodetError
from godet.explain.tree import diff_trees
from godet.sources import Opener, open_source
from sources.archives import deb, rpm, wheel

N = int(os.environ.get("GODET_FUZZ_N", "60"))  # mutations per sample


def _samples(tmp: Path) -> dict[str, bytes]:
    files = {"usr/bin/tool": b"#!/bin/sh\necho hi\n" * 20, "etc/conf": b"k=v\n"}
    write_oci(tmp / "img", [ImageSpec([tar_bytes([Entry(n, d) for n, d in files.items()])])])
    return {
        "x.tar": tar_bytes([Entry(n, d) for n, d in files.items()]),
        "x.tar.gz": gzip.compress(tar_bytes([Entry(n, d) for n, d in files.items()]), mtime=0),
        "x.deb": deb(tmp / "s.deb", files).read_bytes(),
        "x.rpm": rpm(tmp / "s.rpm", files).read_bytes(),
        "x.whl": wheel(tmp / "s.whl", files).read_bytes(),
        "x.oci.tar": tar_dir(tmp / "img", tmp / "img.tar").read_bytes(),
    }


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.random()
        i = rng.randrange(len(b))
        if op < 0.6:
            b[i] = rng.randrange(256)
        elif op < 0.8:
            del b[i : i + rng.randint(1, 600)]
        else:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        if not b:
            b = bytearray(b"\x00")
    return bytes(b)


@pytest.mark.parametrize("name", ["x.tar", "x.tar.gz", "x.deb", "x.rpm", "x.whl", "x.oci.tar"])
def test_mutated_archives_open_or_fail_cleanly(tmp_path: Path, name: str) -> None:
    sample = _samples(tmp_path)[name]
    rng = random.Random(f"godet-{name}")
    original = tmp_path / f"orig-{name}"
    original.write_bytes(sample)
    for i in range(N):
        p = tmp_path / f"m{i}-{name}"
        p.write_bytes(_mutate(rng, sample))
        try:
            with Opener() as op:
                open_source(op, str(p))
            diff_trees(str(original), str(p))
        except GodetError:
            pass
