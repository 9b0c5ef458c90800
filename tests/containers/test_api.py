"""The Python API takes any source: diff, inspect and check on images."""

from __future__ import annotations

from pathlib import Path

from containers.ociwriter import Entry, ImageSpec, tar_bytes, write_oci
from godet import api
from godet.explain.tree import TreeReport


def _layout(root: Path, binary: bytes) -> Path:
    write_oci(root, [ImageSpec([tar_bytes([Entry("usr/bin/app", binary, mode=0o755)])])])
    return root


def test_api_on_images(tmp_path: Path, gopair) -> None:  # type: ignore[no-untyped-def]
    a, b = gopair("dirs")
    la, lb = _layout(tmp_path / "A", a.read_bytes()), _layout(tmp_path / "B", b.read_bytes())
    rep = api.diff(str(la), str(lb))
    assert isinstance(rep, TreeReport) and not rep.identical
    assert rep.rollup[0].id == "build-path" and rep.rollup[0].binaries == 1
    facts = api.inspect(str(la))
    assert [f.path for f in facts] == [f"{la}!linux/amd64/layer 1/usr/bin/app"]
    assert facts[0].go_version == api.inspect(str(a))[0].go_version
    report = api.check([str(la)])
    assert {r.path for r in report.results} == {str(la), f"{la}!linux/amd64/layer 1/usr/bin/app"}
