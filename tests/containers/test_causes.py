"""One image pair per container cause: each test changes one thing and expects that cause there."""

from __future__ import annotations

from pathlib import Path

from containers.conftest import cause_ids, diff_json, nodes
from containers.ociwriter import Entry, ImageSpec, tar_bytes, write_oci

L1 = "manifest linux/amd64/layer 1"


def _pair(tmp: Path, a: ImageSpec, b: ImageSpec) -> dict:
    write_oci(tmp / "A", [a])
    write_oci(tmp / "B", [b])
    return nodes(diff_json(tmp / "A", tmp / "B"))


def _status(libc: str) -> bytes:
    return (
        "Package: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\n\n"
        f"Package: libc6\nStatus: install ok installed\nVersion: {libc}\n"
    ).encode()


def test_os_package_versions(tmp_path: Path) -> None:
    app = tar_bytes([Entry("app/x", b"x")])
    n = _pair(
        tmp_path,
        ImageSpec([tar_bytes([Entry("var/lib/dpkg/status", _status("2.36-9+deb12u3"))]), app]),
        ImageSpec([tar_bytes([Entry("var/lib/dpkg/status", _status("2.36-9+deb12u4"))]), app]),
    )
    node = n[f"{L1}/var/lib/dpkg/status"]
    [cause] = node["causes"]
    assert cause["id"] == "os-package-versions"
    assert cause["evidence"][0] == {"label": "libc6", "a": "2.36-9+deb12u3", "b": "2.36-9+deb12u4"}
    # the first layer differs, the second does not: the base image moved
    assert "base-image-drift" in cause_ids(n["manifest linux/amd64"])


def test_mode_pax_hardlink_whiteout(tmp_path: Path) -> None:
    a = [
        Entry("f", b"data", mode=0o644),
        Entry("g", b"data"),
        Entry("x", b"1", pax={"SCHILY.xattr.user.k": "v"}),
    ]
    b = [
        Entry("f", b"data", mode=0o666),
        Entry("g", type="hardlink", linkname="f"),
        Entry("x", b"1"),
        Entry(".wh.old", b""),
    ]
    n = _pair(tmp_path, ImageSpec([tar_bytes(a)]), ImageSpec([tar_bytes(b)]))
    assert cause_ids(n[f"{L1}/f"]) == ["file-mode"]
    assert "group/other write bits" in n[f"{L1}/f"]["causes"][0]["summary"]
    assert cause_ids(n[f"{L1}/g"]) == ["hardlink"]
    assert cause_ids(n[f"{L1}/x"]) == ["pax-records"] and "xattrs" in n[f"{L1}/x"]["causes"][0]["summary"]
    assert n[f"{L1}/.wh.old"]["status"] == "only-b" and cause_ids(n[f"{L1}/.wh.old"]) == ["whiteout"]


def test_media_types_and_layer_count(tmp_path: Path) -> None:
    layer = tar_bytes([Entry("a", b"a")])
    n = _pair(tmp_path, ImageSpec([layer]), ImageSpec([layer], docker_types=True))
    assert "media-types" in cause_ids(n["manifest linux/amd64"])
    n = _pair(tmp_path / "2", ImageSpec([layer]), ImageSpec([layer, tar_bytes([Entry("b", b"b")])]))
    assert "layer-structure" in cause_ids(n["manifest linux/amd64"])
    assert n[L1]["status"] == "identical" and n["manifest linux/amd64/layer 2"]["status"] == "only-b"


def test_labels_and_generated_files(tmp_path: Path) -> None:
    pyc_a = b"\xcb\r\r\n" + b"\x00" * 4 + (100).to_bytes(4, "little") + (7).to_bytes(4, "little") + b"code"
    pyc_b = pyc_a[:8] + (200).to_bytes(4, "little") + pyc_a[12:]
    n = _pair(
        tmp_path,
        ImageSpec(
            [tar_bytes([Entry("m.pyc", pyc_a), Entry("var/log/dpkg.log", b"2024 install")])],
            labels={"io.buildah.version": "1.28.2"},
        ),
        ImageSpec(
            [tar_bytes([Entry("m.pyc", pyc_b), Entry("var/log/dpkg.log", b"2025 install")])],
            labels={"io.buildah.version": "1.33.0"},
        ),
    )
    assert "labels-annotations" in cause_ids(n["manifest linux/amd64/config"])
    pyc = n[f"{L1}/m.pyc"]["causes"][0]
    assert pyc["id"] == "generated-files" and "code object is equal" in pyc["summary"]
    assert cause_ids(n[f"{L1}/var/log/dpkg.log"]) == ["generated-files"]


def test_clamped_side_names_the_epoch(tmp_path: Path) -> None:
    """Without SOURCE_DATE_EPOCH in the environment: A has every time at one value, B has later ones."""
    epoch = 1_600_000_000
    a = [Entry(f"f{i}", b"x", mtime=epoch) for i in range(4)]
    b = [Entry(f"f{i}", b"x", mtime=epoch + 10 * i) for i in range(4)]
    n = _pair(tmp_path, ImageSpec([tar_bytes(a)]), ImageSpec([tar_bytes(b)]))
    clamp = [c for c in n[L1]["causes"] if c["id"] == "file-mtime"]
    assert len(clamp) == 1 and f"SOURCE_DATE_EPOCH={epoch}" in clamp[0]["summary"]
    assert "3 of B's entries are later" in clamp[0]["summary"]


def test_extra_layer_is_not_a_media_type_change(tmp_path: Path) -> None:
    layer = tar_bytes([Entry("a", b"a")])
    n = _pair(tmp_path, ImageSpec([layer]), ImageSpec([layer, tar_bytes([Entry("b", b"b")])]))
    assert "media-types" not in cause_ids(n["manifest linux/amd64"])


def test_reordered_layers_pair_by_diff_id(tmp_path: Path) -> None:
    one, two = tar_bytes([Entry("a", b"a")]), tar_bytes([Entry("b", b"b")])
    n = _pair(tmp_path, ImageSpec([one, two]), ImageSpec([two, one]))
    assert "layer-structure" in cause_ids(n["manifest linux/amd64"])
    layers = [v for k, v in n.items() if k.startswith("manifest linux/amd64/layer ")]
    assert layers and all(x["status"] == "identical" for x in layers)  # each met its twin
