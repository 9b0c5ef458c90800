"""Archives and packages as sources: .deb, .rpm, wheels, nested archives, and hostile input."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest

from containers.conftest import cause_ids, diff_json, godet, nodes
from containers.ociwriter import Entry, tar_bytes
from godet.errors import GodetError
from godet.sources import Limits, Opener, open_source
from sources.archives import deb, rpm, wheel


def test_deb_pair_differs_in_one_file(tmp_path: Path) -> None:
    a = deb(tmp_path / "a.deb", {"usr/share/app/conf": b"one\n"})
    b = deb(tmp_path / "b.deb", {"usr/share/app/conf": b"two\n"})
    out = diff_json(a, b)
    assert out["a"]["kind"] == "deb"
    node = nodes(out)["data.tar.xz/usr/share/app/conf"]
    assert node["status"] == "different" and node["content"]["offset"] == 0
    assert nodes(out)["control.tar.gz"]["status"] == "identical"
    assert diff_json(a, deb(tmp_path / "c.deb", {"usr/share/app/conf": b"one\n"}), expect=0)["identical"]


def test_deb_with_a_go_binary(tmp_path: Path, gopair) -> None:  # type: ignore[no-untyped-def]
    x, y = gopair("dirs")
    out = diff_json(
        deb(tmp_path / "a.deb", {"usr/bin/app": x.read_bytes()}),
        deb(tmp_path / "b.deb", {"usr/bin/app": y.read_bytes()}),
    )
    node = nodes(out)["data.tar.xz/usr/bin/app"]
    assert node["kind"] == "binary" and node["report"]["causes"][0]["id"] == "build-path"


def test_rpm_pair(tmp_path: Path) -> None:
    a = rpm(tmp_path / "a.rpm", {"./usr/bin/tool": b"#!/bin/sh\necho 1\n"})
    b = rpm(tmp_path / "b.rpm", {"./usr/bin/tool": b"#!/bin/sh\necho 2\n"}, mtime=5)
    n = nodes(diff_json(a, b))
    node = n["usr/bin/tool"]
    assert node["content"]["offset"] == len("#!/bin/sh\necho ")
    assert "file-mtime" in cause_ids(node)


def test_wheel_pair(tmp_path: Path) -> None:
    a = wheel(tmp_path / "a.whl", {"pkg/__init__.py": b"X = 1\n", "pkg/data.txt": b"d"})
    b = wheel(
        tmp_path / "b.whl", {"pkg/__init__.py": b"X = 2\n", "pkg/data.txt": b"d"}, date=(2024, 5, 1, 12, 0, 0)
    )
    out = diff_json(a, b)
    assert out["a"]["kind"] == "zip"
    n = nodes(out)
    assert n["pkg/__init__.py"]["content"]["offset"] == 4
    assert "file-mtime" in cause_ids(n["pkg/data.txt"])  # the zip date only


def test_nested_tarball_holding_a_deb_holding_a_go_binary(tmp_path: Path, gopair) -> None:  # type: ignore[no-untyped-def]
    x, y = gopair("dirs")
    for side, binary in (("a", x), ("b", y)):
        d = deb(tmp_path / f"{side}.deb", {"usr/bin/app": binary.read_bytes()})
        (tmp_path / f"{side}.tar.gz").write_bytes(
            gzip.compress(tar_bytes([Entry("dist/app.deb", d.read_bytes())]), mtime=0)
        )
    out = diff_json(tmp_path / "a.tar.gz", tmp_path / "b.tar.gz")
    node = nodes(out)["dist/app.deb/data.tar.xz/usr/bin/app"]
    assert node["report"]["causes"][0]["id"] == "build-path"
    assert out["rollup"][0]["id"] == "build-path"
    # the binary pairs by its path inside both packages: compared once, not also as "the single
    # executable of each side" (which counted every cause twice)
    assert [n["path"] for n in nodes(out).values() if n["report"] is not None] == [node["path"]]


def test_deb_against_tarball_pairs_the_single_executables(tmp_path: Path, gopair) -> None:  # type: ignore[no-untyped-def]
    x, y = gopair("dirs")
    d = deb(tmp_path / "app.deb", {"usr/bin/app": x.read_bytes()})
    t = tmp_path / "app.tgz"
    t.write_bytes(gzip.compress(tar_bytes([Entry("package/bin/app", y.read_bytes(), mode=0o755)]), mtime=0))
    out = diff_json(d, t)
    binaries = [n for n in nodes(out).values() if n["report"] is not None]
    assert len(binaries) == 1 and binaries[0]["report"]["causes"][0]["id"] == "build-path"


# ---------------------------------------------------------------- hostile input


def _one_line_error(r, path: Path) -> None:  # type: ignore[no-untyped-def]
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.startswith(f"godet: {path}") and r.stderr.count("\n") == 1, (
        r.stderr
    )  # PATH or PATH!member
    assert "Traceback" not in r.stderr


def _raw_tar(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/passwd", "a/../../b"])
def test_traversal_is_an_error_and_nothing_is_written(tmp_path: Path, name: str) -> None:
    bad = tmp_path / "bad.tar"
    bad.write_bytes(_raw_tar(name, b"x"))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    r = godet("diff", str(bad), str(bad) + ".missing", env={"TMPDIR": str(tmp)})
    assert r.returncode == 2
    good = tmp_path / "good.tar"
    good.write_bytes(_raw_tar("ok.txt", b"y"))
    r = godet("diff", str(good), str(bad), env={"TMPDIR": str(tmp)})
    _one_line_error(r, bad)
    assert "escapes the archive" in r.stderr
    assert list(tmp.iterdir()) == []  # the private temp dir was removed
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path.parent / "escape.txt").exists()


def test_decompression_bomb_hits_the_cap(tmp_path: Path) -> None:
    data = tar_bytes([Entry("zeros", b"\x00" * (300 << 20))])
    bomb = tmp_path / "bomb.tar.gz"
    bomb.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    other = tmp_path / "other.tar.gz"
    other.write_bytes(gzip.compress(tar_bytes([Entry("x", b"x")]), mtime=0))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    r = godet("diff", str(other), str(bomb), env={"TMPDIR": str(tmp)})
    _one_line_error(r, bomb)
    assert "decompression bomb" in r.stderr and "cap" in r.stderr
    assert list(tmp.iterdir()) == []


def test_size_cap_from_the_environment(tmp_path: Path) -> None:
    big = tmp_path / "big.tar"
    big.write_bytes(tar_bytes([Entry("f", b"y" * 100_000)]))
    r = godet("diff", str(big), str(big) + "x", env={"GODET_MAX_UNPACKED": "50000"})
    assert r.returncode == 2
    small = tmp_path / "small.tar"
    small.write_bytes(tar_bytes([Entry("f", b"z")]))
    r = godet("diff", str(small), str(big), env={"GODET_MAX_UNPACKED": "50000"})
    _one_line_error(r, big)
    assert "50,000 bytes (the size cap)" in r.stderr


def test_truncated_tar_without_trailer_is_a_located_note(tmp_path: Path) -> None:
    full = tar_bytes([Entry("a.txt", b"a" * 600), Entry("b.txt", b"b" * 10)])
    whole = tmp_path / "whole.tar"
    whole.write_bytes(full)
    cut = tmp_path / "cut.tar"
    cut.write_bytes(full[: 512 + 1024 + 512 + 512])  # both entries, no end-of-archive blocks
    out = diff_json(whole, cut)
    assert any("no end-of-archive trailer" in n for n in out["root"]["notes"])
    assert "tar-encoding" in cause_ids(out["root"])  # trailer length differs: the bytes differ
    torn = tmp_path / "torn.tar"
    torn.write_bytes(full[: 512 + 300])  # cut inside a.txt
    out = diff_json(whole, torn)
    assert any("truncated" in n for n in out["root"]["notes"]), out["root"]["notes"]


def test_opener_removes_its_temp_dir_and_never_writes_to_inputs(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.tar"
    src.write_bytes(tar_bytes([Entry("bin/app", gobin("trimpath").read_bytes(), mode=0o755)]))
    before = (src.stat().st_mtime_ns, src.read_bytes())
    with Opener() as op:
        s = open_source(op, str(src))
        spill = s.members["bin/app"].spill
        assert spill and spill.startswith(op.tmp) and os.path.isfile(spill)
    assert not os.path.exists(op.tmp)
    assert (src.stat().st_mtime_ns, src.read_bytes()) == before


def test_member_cap(tmp_path: Path) -> None:
    many = tmp_path / "many.tar"
    many.write_bytes(tar_bytes([Entry(f"f{i}", b"") for i in range(20)]))
    with Opener(Limits(max_members=10)) as op, pytest.raises(GodetError, match="member cap"):
        open_source(op, str(many))


def test_many_binaries_roll_up_and_run_in_a_pool(tmp_path: Path, gopair) -> None:  # type: ignore[no-untyped-def]
    """Three differing binaries (a process pool runs their diffs): one rolled-up cause, three reports."""
    x, y = gopair("dirs")
    for side, binary in (("A", x), ("B", y)):
        for name in ("one", "two", "three"):
            p = tmp_path / side / "bin" / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(binary.read_bytes())
    out = diff_json(tmp_path / "A", tmp_path / "B")
    reports = {p: n["report"] for p, n in nodes(out).items() if n["report"] is not None}
    assert set(reports) == {"bin/one", "bin/two", "bin/three"}
    assert all(r["causes"][0]["id"] == "build-path" for r in reports.values())
    top = out["rollup"][0]
    assert (top["id"], top["binaries"]) == ("build-path", 3)
    assert "build-path in 3 binaries" in godet("diff", str(tmp_path / "A"), str(tmp_path / "B")).stdout


@pytest.mark.parametrize("suffix", ["tar", "tar.gz", "tar.xz", "tar.bz2", "tar.zst"])
def test_every_tar_compression(tmp_path: Path, suffix: str) -> None:
    import bz2
    import lzma

    import zstandard

    pack = {
        "tar": lambda d: d,
        "tar.gz": lambda d: gzip.compress(d, mtime=0),
        "tar.xz": lzma.compress,
        "tar.bz2": bz2.compress,
        "tar.zst": lambda d: zstandard.ZstdCompressor().compress(d),
    }[suffix]
    for side, text in (("a", b"alpha\n"), ("b", b"alpHa\n")):
        (tmp_path / f"{side}.{suffix}").write_bytes(pack(tar_bytes([Entry("etc/conf", text)])))
    out = diff_json(tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}")
    assert out["a"]["kind"] == (
        "tar"
        if suffix == "tar"
        else "tar+" + {"gz": "gzip", "xz": "xz", "bz2": "bzip2", "zst": "zstd"}[suffix.split(".")[1]]
    )
    assert nodes(out)["etc/conf"]["content"]["offset"] == 3


def test_zstd_layers(tmp_path: Path) -> None:
    from containers.ociwriter import ImageSpec, write_oci

    write_oci(tmp_path / "A", [ImageSpec([tar_bytes([Entry("f", b"one")])], compression="zstd")])
    write_oci(tmp_path / "B", [ImageSpec([tar_bytes([Entry("f", b"two")])], compression="zstd")])
    assert (
        nodes(diff_json(tmp_path / "A", tmp_path / "B"))["manifest linux/amd64/layer 1/f"]["content"][
            "offset"
        ]
        == 0
    )


def test_tree_renderers(tmp_path: Path) -> None:
    a = deb(tmp_path / "a.deb", {"usr/share/app/conf": b"one\n"})
    b = deb(tmp_path / "b.deb", {"usr/share/app/conf": b"two\n"})
    md = godet("diff", "--format", "markdown", str(a), str(b))
    assert md.returncode == 1 and "## godet diff: DIFFERENT" in md.stdout and "`unexplained`" in md.stdout
    page = godet("diff", "--format", "html", str(a), str(b))
    assert (
        page.returncode == 1
        and page.stdout.startswith("<!DOCTYPE html>")
        and "usr/share/app/conf" in page.stdout
    )


def test_small_members_beyond_the_memory_budget_are_still_located(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from godet.sources import base

    monkeypatch.setattr(base, "KEEP_BUDGET", 10)
    for side, text in (("a", b"x" * 100), ("b", b"x" * 50 + b"y" * 50)):
        (tmp_path / f"{side}.tar").write_bytes(tar_bytes([Entry("f", text)]))
    with Opener() as op:
        sa, sb = open_source(op, str(tmp_path / "a.tar")), open_source(op, str(tmp_path / "b.tar"))
        ma, mb = sa.members["f"], sb.members["f"]
        assert ma.data is None and ma.blocks and ma.sha256 != mb.sha256  # not kept, still hashed
        from godet.explain.containers.members import locate

        loc = locate(ma, mb)
        assert loc is not None and loc.offset == 0 and loc.exact is False  # the first (only) block


def test_locate_when_one_content_extends_the_other() -> None:
    from godet.explain.containers.members import locate
    from godet.sources import Member

    a = Member("f", size=5000, data=b"x" * 5000)
    b = Member("f", size=6000, data=b"x" * 6000)
    loc = locate(a, b)
    assert loc is not None and (loc.offset, loc.exact) == (5000, True)


def test_archives_differing_outside_their_members_are_different(tmp_path: Path) -> None:
    """Same members, same metadata, different archive comment: still DIFFERENT, located."""
    import zipfile

    for side, comment in (("a", b"built by A"), ("b", b"built by B")):
        with zipfile.ZipFile(tmp_path / f"{side}.zip", "w") as zf:
            zf.comment = comment
            zi = zipfile.ZipInfo("f.txt", date_time=(1980, 1, 1, 0, 0, 0))
            zf.writestr(zi, b"same")
    data = (tmp_path / "a.zip").read_bytes()
    out = diff_json(tmp_path / "a.zip", tmp_path / "b.zip")
    root = out["root"]
    assert root["content"]["offset"] == data.index(b"built by A") + len("built by ")
    assert cause_ids(root) == ["unexplained"]
