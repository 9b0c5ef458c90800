"""Mutated archives never crash the sources stage: a Source or a GodetError, nothing else, no hang."""

from __future__ import annotations

import contextlib
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
        mutated = _mutate(rng, sample)
        p.write_bytes(mutated)
        try:
            with Opener() as op:
                open_source(op, str(p))
            rep = diff_trees(str(original), str(p))
        except GodetError:
            continue
        assert not (mutated != sample and rep.identical), p  # a changed byte is never IDENTICAL


def _poke(rng: random.Random, obj: object) -> object:
    """The JSON value with one member replaced by a value of another type."""
    junk = [None, 0, -1, "x", [], {}, [1, "a"], {"digest": "sha256:../../etc"}, "sha256:zz", 10**30]
    if isinstance(obj, dict) and obj:
        k = rng.choice(list(obj))
        obj = dict(obj)
        obj[k] = _poke(rng, obj[k]) if rng.random() < 0.6 else rng.choice(junk)
        return obj
    if isinstance(obj, list) and obj:
        i = rng.randrange(len(obj))
        obj = list(obj)
        obj[i] = _poke(rng, obj[i]) if rng.random() < 0.6 else rng.choice(junk)
        return obj
    return rng.choice(junk)


def test_mutated_image_json_fails_cleanly(tmp_path: Path) -> None:
    import json
    import shutil

    files = [Entry("etc/conf", b"k=v\n")]
    write_oci(tmp_path / "A", [ImageSpec([tar_bytes(files)])], attestation=True)
    jsons = [p for p in (tmp_path / "A").rglob("*") if p.is_file() and p.read_bytes()[:1] == b"{"]
    rng = random.Random("godet-json")
    for i in range(N):
        b = tmp_path / f"B{i}"
        shutil.copytree(tmp_path / "A", b)
        target = b / rng.choice(jsons).relative_to(tmp_path / "A")
        before = target.read_bytes()
        target.write_text(json.dumps(_poke(rng, json.loads(before))))
        changed = target.read_bytes() != before
        with contextlib.suppress(GodetError):
            rep = diff_trees(str(tmp_path / "A"), str(b))
            assert not (changed and rep.identical), target  # a changed byte is never IDENTICAL
        shutil.rmtree(b)
