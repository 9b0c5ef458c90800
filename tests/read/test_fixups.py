"""Mach-O chained fixups read as dyld applies them (read/fixups.py), and the readers of pointers
that see the loaded words through them.

turbo-darwin-arm64 1.6.2 (npm, go1.18, cgo, linked by ld64 819 with chained fixups) and 1.6.1 (ld64
711: dyld info opcodes, the file's words are the addresses). Oracles: lief (each fixup's address
and target, the binds), ``go tool nm -size`` (runtime.firstmoduledata, runtime.findfunctab,
runtime.types).
"""

from __future__ import annotations

import lief
import numpy as np

import gobuild
from godet.read.binary import open_binaries
from godet.read.pclntab import moduledata_types
from oracles import go_tool_nm_sizes

CHAINED = ("turbo-darwin-arm64", "1.6.2", ("turbo",))
OPCODES = ("turbo-darwin-arm64", "1.6.1", ("turbo",))


def test_rebases_match_lief(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    path = gobuild.npm_binary(*CHAINED)
    macho = lief.parse(str(path))
    fixups = [(r.address, r.target) for r in macho.relocations]
    binds = len(list(macho.dyld_chained_fixups.bindings))
    assert fixups and binds
    with open_binaries(str(path)) as (b,):
        image = b.image
        assert image.header.get("fixups") == "chained"
        rb = image.rebases
        assert rb is not None
        mine = dict(zip(rb.offsets.tolist(), rb.values.tolist(), strict=True))
        assert len(mine) == len(fixups) + binds
        assert {image.va_to_offset(a): t for a, t in fixups}.items() <= mine.items()
        assert sum(1 for v in mine.values() if v == 0) == binds


def test_loaded_bytes_differ_only_at_fixups(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    path = gobuild.npm_binary(*CHAINED)
    with open_binaries(str(path)) as (b,):
        image = b.image
        rb = image.rebases
        assert rb is not None
        off = int(rb.offsets[len(rb) // 2])
        whole = bytes(image.loaded(off - 64, off + 64))
        raw = bytes(image.data[off - 64 : off + 64])
        diff = [i for i in range(len(raw)) if raw[i] != whole[i]]
        inside = rb.offsets[(rb.offsets >= off - 64) & (rb.offsets < off + 64)] - (off - 64)
        assert diff and all(any(p <= i < p + 8 for p in inside.tolist()) for i in diff)
        assert int.from_bytes(whole[64:72], "little") == int(rb.values[len(rb) // 2])
        # a range that cuts a rebased word gets its part of the loaded word
        assert bytes(image.loaded(off + 3, off + 13)) == whole[67:77]


def test_moduledata_behind_chained_fixups_matches_go_tool_nm(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    for spec in (CHAINED, OPCODES):
        path = gobuild.npm_binary(*spec)
        nm = go_tool_nm_sizes(path)
        with open_binaries(str(path)) as (b,):
            p = b.pclntab
            assert p is not None
            assert p.moduledata == nm["runtime.firstmoduledata"][0]
            addr, size = nm["runtime.findfunctab"]
            assert p.findfunctab == (b.image.va_to_offset(addr), size)
            assert moduledata_types(b.image, p) == (nm["runtime.types"][0], nm["runtime.etypes"][0])
            # string headers point at string data once loaded: runtime.buildVersion's among them
            h = b.string_headers
            version = nm["runtime.buildVersion"][0]
            assert version in set(h.addr.tolist())
            if spec is OPCODES:
                assert b.image.rebases is None


def test_no_copy_without_rebases(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    path = gobuild.npm_binary(*OPCODES)
    with open_binaries(str(path)) as (b,):
        got = b.image.loaded(0, 4096)
        assert isinstance(got, memoryview) and np.array_equal(
            np.frombuffer(got, np.uint8), np.frombuffer(b.image.data[:4096], np.uint8)
        )


def test_corrupt_chains_read_as_the_files_bytes(gobuild_available, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A chained-fixups table cut or scribbled over is no error: the file's own bytes stand."""
    import random

    src = gobuild.npm_binary(*CHAINED)
    with open_binaries(str(src)) as (b,):
        dataoff, datasize = b.image.header["chained_fixups"]
    data = bytearray(src.read_bytes())
    rng = random.Random(7)
    for k in range(8):
        bad = bytearray(data)
        for _ in range(16):
            bad[dataoff + rng.randrange(min(datasize, 256))] = rng.randrange(256)
        path = tmp_path / f"turbo{k}"
        path.write_bytes(bytes(bad))
        with open_binaries(str(path)) as (b,):
            rb = b.image.rebases  # (whatever the scribbles say, no exception)
            assert rb is None or (rb.offsets >= 0).all()
            assert b.pclntab is not None
