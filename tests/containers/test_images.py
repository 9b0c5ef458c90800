"""godet diff on OCI layouts and docker-save archives built by tests/containers/ociwriter.py.

Expectations come from how each test built its images (which layer, which field it changed),
never from godet's own output.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from containers.conftest import cause_ids, diff_json, godet, nodes
from containers.ociwriter import Entry, ImageSpec, tar_bytes, tar_dir, write_docker_save, write_oci

BASE = [Entry("etc/", type="dir", mode=0o755), Entry("etc/os-release", b"ID=debian\nVERSION_ID=12\n")]


def _base() -> bytes:
    return tar_bytes(BASE)


def _app(data: bytes, **kw) -> bytes:  # type: ignore[no-untyped-def]
    return tar_bytes([Entry("app/", type="dir", mode=0o755), Entry("app/server", data, mode=0o755, **kw)])


def test_writer_is_deterministic(tmp_path: Path) -> None:
    w1 = write_oci(tmp_path / "1", [ImageSpec([_base(), _app(b"x")])])
    w2 = write_oci(tmp_path / "2", [ImageSpec([_base(), _app(b"x")])])
    assert w1 == w2
    assert (tmp_path / "1" / "index.json").read_bytes() == (tmp_path / "2" / "index.json").read_bytes()


def test_identical_images_exit_zero(tmp_path: Path) -> None:
    for side in "AB":
        write_oci(tmp_path / side, [ImageSpec([_base(), _app(b"same")])])
    out = diff_json(tmp_path / "A", tmp_path / "B", expect=0)
    assert out["identical"] is True and out["rollup"] == []
    assert out["layers"]["identical"] == 2


def test_go_binary_built_in_two_directories(tmp_path: Path, gopair) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("dirs")  # the same program built in two directories
    wa = write_oci(tmp_path / "A", [ImageSpec([_base(), _app(a.read_bytes())])])
    wb = write_oci(tmp_path / "B", [ImageSpec([_base(), _app(b.read_bytes())])])
    assert wa.layers[0][0] == wb.layers[0][0] and wa.layers[0][1] != wb.layers[0][1]
    out = diff_json(tmp_path / "A", tmp_path / "B")
    n = nodes(out)
    binary = n["manifest linux/amd64/layer 2/app/server"]
    assert binary["kind"] == "binary" and binary["report"]["causes"][0]["id"] == "build-path"
    assert n["manifest linux/amd64/layer 1"]["status"] == "identical"
    # the digest cascade: config (DiffIDs), manifest, index, each a consequence
    for path in ("manifest linux/amd64/config", "manifest linux/amd64", "index"):
        causes = {c["id"]: c["role"] for c in n[path]["causes"]}
        assert causes.get("digest-cascade") == "consequence", (path, causes)
    assert out["rollup"][0]["id"] == "build-path" and out["rollup"][0]["binaries"] == 1
    text = godet("diff", str(tmp_path / "A"), str(tmp_path / "B")).stdout
    assert "build-path in 1 binary" in text and "layer 2/app/server" in text


def test_unclamped_mtimes_name_the_epoch(tmp_path: Path) -> None:
    epoch = 1_700_000_000
    write_oci(tmp_path / "A", [ImageSpec([_base(), _app(b"s", mtime=epoch)])])
    write_oci(tmp_path / "B", [ImageSpec([_base(), _app(b"s", mtime=epoch + 3600)])])
    out = diff_json(tmp_path / "A", tmp_path / "B", env={"SOURCE_DATE_EPOCH": str(epoch)})
    node = nodes(out)["manifest linux/amd64/layer 2/app/server"]
    mt = next(c for c in node["causes"] if c["id"] == "file-mtime")
    assert "B later than SOURCE_DATE_EPOCH 1700000000" in mt["summary"]
    assert node["content"] is None  # only the metadata differs


def test_uid_difference(tmp_path: Path) -> None:
    write_oci(tmp_path / "A", [ImageSpec([_base(), _app(b"s")])])
    write_oci(tmp_path / "B", [ImageSpec([_base(), _app(b"s", uid=1000, uname="dev")])])
    node = nodes(diff_json(tmp_path / "A", tmp_path / "B"))["manifest linux/amd64/layer 2/app/server"]
    owner = next(c for c in node["causes"] if c["id"] == "file-owner")
    ev = {e["label"]: (e["a"], e["b"]) for e in owner["evidence"]}
    assert ev["uid"] == ("0", "1000") and ev["uname"] == ("", "dev")
    assert owner["summary"] == "owner differs: uid 0 vs 1000, uname (empty) vs dev"


def test_recompressed_layer_is_compression_only(tmp_path: Path) -> None:
    write_oci(tmp_path / "A", [ImageSpec([_base(), _app(b"s")], gzip_mtime=0)])
    write_oci(tmp_path / "B", [ImageSpec([_base(), _app(b"s")], gzip_mtime=1234, gzip_level=1)])
    n = nodes(diff_json(tmp_path / "A", tmp_path / "B"))
    assert "compression-only" in cause_ids(n["manifest linux/amd64/layer 1"])
    ev = {
        e["label"]: (e["a"], e["b"])
        for c in n["manifest linux/amd64/layer 1"]["causes"]
        for e in c["evidence"]
    }
    assert ev["mtime"] == ("0", "1234")
    assert n["manifest linux/amd64/config"]["status"] == "identical"  # same DiffIDs: the cascade stops


def test_attestation_on_one_side(tmp_path: Path) -> None:
    write_oci(tmp_path / "A", [ImageSpec([_base()])])
    write_oci(tmp_path / "B", [ImageSpec([_base()])], attestation=True)
    out = diff_json(tmp_path / "A", tmp_path / "B")
    n = nodes(out)
    assert "attestation" in cause_ids(n["index"])
    assert n["manifest linux/amd64"]["status"] == "identical"
    assert n["attestation manifest unknown/unknown"]["status"] == "only-b"


def test_reordered_entries(tmp_path: Path) -> None:
    files = [Entry("a.txt", b"a"), Entry("b.txt", b"b")]
    write_oci(tmp_path / "A", [ImageSpec([tar_bytes(files)])])
    write_oci(tmp_path / "B", [ImageSpec([tar_bytes(files[::-1])])])
    n = nodes(diff_json(tmp_path / "A", tmp_path / "B"))
    assert "entry-order" in cause_ids(n["manifest linux/amd64/layer 1"])


def test_created_and_json_serialisation(tmp_path: Path) -> None:
    write_oci(tmp_path / "A", [ImageSpec([_base()], created="2024-01-01T00:00:00Z")])
    write_oci(tmp_path / "B", [ImageSpec([_base()], created="2025-06-01T12:00:00Z")])
    write_oci(tmp_path / "C", [ImageSpec([_base()], created="2024-01-01T00:00:00Z", indent=2)])
    n = nodes(diff_json(tmp_path / "A", tmp_path / "B"))
    created = next(c for c in n["manifest linux/amd64/config"]["causes"] if c["id"] == "image-created")
    assert created["evidence"][0]["a"] == "2024-01-01T00:00:00Z"
    n = nodes(diff_json(tmp_path / "A", tmp_path / "C"))
    assert cause_ids(n["manifest linux/amd64/config"]) == ["json-serialisation"]


def test_docker_save_archive(tmp_path: Path) -> None:
    a = write_docker_save(tmp_path / "a.tar", ImageSpec([_base(), _app(b"one\n")]))
    b = write_docker_save(tmp_path / "b.tar", ImageSpec([_base(), _app(b"two\n")]))
    out = diff_json(a, b)
    assert out["a"]["kind"] == "docker"
    node = nodes(out)["manifest linux/amd64/layer 2/app/server"]
    assert node["content"]["offset"] == 0 and cause_ids(node) == ["unexplained"]
    assert diff_json(
        a, write_docker_save(tmp_path / "c.tar", ImageSpec([_base(), _app(b"one\n")])), expect=0
    )["identical"]


def test_layout_as_tar_reads_like_the_directory(tmp_path: Path) -> None:
    write_oci(tmp_path / "A", [ImageSpec([_base(), _app(b"one\n")])])
    write_oci(tmp_path / "B", [ImageSpec([_base(), _app(b"two\n")])])
    d = diff_json(tmp_path / "A", tmp_path / "B")
    t = diff_json(tar_dir(tmp_path / "A", tmp_path / "a.tar"), tar_dir(tmp_path / "B", tmp_path / "b.tar"))
    assert t["a"]["kind"] == "oci"
    assert [x["id"] for x in d["rollup"]] == [x["id"] for x in t["rollup"]]
    # the same graph in a wrapper written differently: only the wrapper differs
    w = diff_json(
        tar_dir(tmp_path / "A", tmp_path / "a1.tar"),
        tar_dir(tmp_path / "A", tmp_path / "a2.tar", mtime=99, reverse=True),
    )
    assert [x["id"] for x in w["rollup"] if x["role"] == "root"] == ["outer-wrapper"]


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo is not installed")
def test_skopeo_archives_read_like_the_layout(tmp_path: Path) -> None:
    """skopeo converts the layout to docker-archive and oci-archive; godet reads all three the same."""
    write_oci(tmp_path / "A", [ImageSpec([_base(), _app(b"one\n")])])
    write_oci(tmp_path / "B", [ImageSpec([_base(), _app(b"two\n")])])
    ref = {}
    for side in "AB":
        for kind, dest in (("docker-archive", f"{side}.docker.tar"), ("oci-archive", f"{side}.oci.tar")):
            r = subprocess.run(
                [
                    "skopeo",
                    "--insecure-policy",
                    "copy",
                    f"oci:{tmp_path / side}",
                    f"{kind}:{tmp_path / dest}",
                ],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert r.returncode == 0, r.stderr
        ref[side] = tmp_path / side
    layout = diff_json(ref["A"], ref["B"])
    for suffix in ("docker.tar", "oci.tar"):
        out = diff_json(tmp_path / f"A.{suffix}", tmp_path / f"B.{suffix}")
        server = [n for p, n in nodes(out).items() if p.endswith("app/server")]
        assert len(server) == 1 and server[0]["content"]["offset"] == 0, suffix
        assert (
            server[0]["content"]["a_excerpt"]
            == nodes(layout)["manifest linux/amd64/layer 2/app/server"]["content"]["a_excerpt"]
        )
    same = tmp_path / "A2.oci.tar"
    subprocess.run(
        ["skopeo", "--insecure-policy", "copy", f"oci:{ref['A']}", f"oci-archive:{same}"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    # skopeo re-reads the same layout: the graph is the same, whatever the wrapper
    expect = 0 if _sha(same) == _sha(tmp_path / "A.oci.tar") else 1
    out = diff_json(tmp_path / "A.oci.tar", same, expect=expect)
    assert not [x for x in out["rollup"] if x["role"] == "root" and x["id"] != "outer-wrapper"]


@pytest.mark.skipif(shutil.which("umoci") is None, reason="umoci is not installed")
def test_umoci_layouts_without_tar_trailer(tmp_path: Path) -> None:
    """umoci 0.4's insert writes layers without the end-of-archive trailer (umoci#436): read, noted."""

    def umoci(*args: str) -> None:
        subprocess.run(["umoci", *args], check=True, capture_output=True, timeout=120)

    for side, text in (("A", "one\n"), ("B", "two\n")):
        layout = tmp_path / side
        umoci("init", "--layout", str(layout))
        umoci("new", "--image", f"{layout}:app")
        f = tmp_path / f"{side}.txt"
        f.write_text(text)
        umoci("insert", "--image", f"{layout}:app", str(f), "/app/x.txt")
    out = diff_json(tmp_path / "A", tmp_path / "B")
    server = next(n for p, n in nodes(out).items() if p.endswith("app/x.txt"))
    assert server["content"]["offset"] == 0 and server["content"]["a_excerpt"] == "one\n"
    layer = next(n for n in nodes(out).values() if n["kind"] == "layer" and n["status"] == "different")
    trailer_notes = [x for x in layer["notes"] if "end-of-archive trailer" in x or "truncated" in x]
    assert trailer_notes or umoci_fixed(), layer["notes"]


def umoci_fixed() -> bool:
    """umoci releases after 0.4.7 write the trailer (PR #534)."""
    r = subprocess.run(["umoci", "--version"], capture_output=True, text=True, check=False)
    return "0.4." not in r.stdout
