"""godet check on images and archives: the Go rules on the binaries inside, the image rules GD6xx."""

from __future__ import annotations

import json
from pathlib import Path

from containers.conftest import godet
from containers.ociwriter import Entry, ImageSpec, tar_bytes, write_oci
from sources.archives import deb

EPOCH = 1_700_000_000


def _image(tmp: Path, binary: bytes, **kw) -> Path:  # type: ignore[no-untyped-def]
    layer = tar_bytes([Entry("app/server", binary, mode=0o755, mtime=kw.pop("mtime", EPOCH))])
    write_oci(tmp, [ImageSpec([layer], **kw)])
    return tmp


def _check(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict]:
    r = godet("check", "--format", "json", "--fail-on", "never", *args, env=env)
    return r.returncode, json.loads(r.stdout) if r.stdout else {"stderr": r.stderr}


def _codes(result: dict) -> set[str]:
    return {f["rule"] for f in result["findings"]}


def test_clean_image_with_a_trimmed_binary(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    img = _image(tmp_path / "img", gobin("trimpath").read_bytes(), created="2023-11-14T22:13:20Z")
    rc, out = _check(str(img), env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    assert rc == 0, out
    paths = [r["path"] for r in out["results"]]
    assert f"{img}!linux/amd64/layer 1/app/server" in paths  # the Go binary, checked by the Go rules
    image = next(r for r in out["results"] if r["path"] == str(img))
    assert not _codes(image) & {"GD601", "GD602", "GD603"}  # created == the epoch, times clamped


def test_image_rules_fire(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "img"
    layer = tar_bytes([Entry("app/server", gobin("trimpath").read_bytes(), mode=0o755, mtime=EPOCH + 60)])
    write_oci(
        root,
        [
            ImageSpec(
                [layer],
                created="2025-03-03T10:00:00Z",
                annotations={"org.opencontainers.image.base.name": "debian:12"},
            )
        ],
        attestation=True,
    )
    rc, out = _check(str(root), env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    assert rc == 0  # --fail-on never
    image = next(r for r in out["results"] if r["path"] == str(root))
    assert _codes(image) == {"GD601", "GD602", "GD603", "GD604"}
    late = next(f for f in image["findings"] if f["rule"] == "GD601")
    assert late["evidence"]["files"] == ["linux/amd64/layer 1/app/server"]
    assert late["evidence"]["epoch"] == EPOCH


def test_check_a_deb(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    d = deb(tmp_path / "app.deb", {"usr/bin/app": gobin("default").read_bytes(), "usr/share/doc/x": b"x"})
    rc, out = _check(str(d))
    assert rc == 0, out
    res, pkg = out["results"]
    assert res["path"] == f"{d}!data.tar.xz/usr/bin/app"
    # the package itself, checked by the package rules (silent: it has no changelog)
    assert (pkg["path"], pkg["target"], pkg["findings"]) == (str(d), "deb package app 1.0-1", [])
    assert "GD101" in _codes(res)  # built without -trimpath: the build directory is embedded
    assert out["skipped"].get("not an executable", 0) >= 2  # debian-binary, the doc file, control


def test_sarif_of_an_image_check_validates(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    import jsonschema

    img = _image(tmp_path / "img", gobin("default").read_bytes(), created="2025-03-03T10:00:00Z")
    r = godet("check", "--format", "sarif", "--fail-on", "never", str(img))
    assert r.returncode == 0, r.stderr
    data = Path(__file__).parents[1] / "check" / "data"
    schema = json.loads((data / "sarif-schema-2.1.0.json").read_text())
    sarif = json.loads(r.stdout)
    jsonschema.validate(sarif, schema)
    rules = {res["ruleId"] for run in sarif["runs"] for res in run["results"]}
    assert {"GD101", "GD602"} <= rules
