"""A small deterministic writer of tars, OCI image layouts and `docker save` archives for the tests.

Same inputs give the same bytes (and so the same digests): entries are written in the given order
with the given metadata, gzip headers carry a fixed mtime, JSON is compact with sorted keys unless
a test asks otherwise. Only the standard library (and zstandard for zstd layers).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


@dataclass
class Entry:
    """One tar entry."""

    name: str
    data: bytes = b""
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    uname: str = ""
    gname: str = ""
    mtime: int = 0
    type: str = "file"  # file | dir | symlink | hardlink
    linkname: str = ""
    pax: dict[str, str] = field(default_factory=dict)


def tar_bytes(entries: list[Entry], fmt: int = tarfile.PAX_FORMAT) -> bytes:
    """A tar of ``entries`` in order (Python's tarfile: 1024-byte trailer, padded to 10240)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for e in entries:
            ti = tarfile.TarInfo(e.name)
            ti.mode, ti.uid, ti.gid, ti.uname, ti.gname, ti.mtime = (
                e.mode,
                e.uid,
                e.gid,
                e.uname,
                e.gname,
                e.mtime,
            )
            ti.pax_headers = dict(e.pax)
            if e.type == "dir":
                ti.type = tarfile.DIRTYPE
                tf.addfile(ti)
            elif e.type in ("symlink", "hardlink"):
                ti.type = tarfile.SYMTYPE if e.type == "symlink" else tarfile.LNKTYPE
                ti.linkname = e.linkname
                tf.addfile(ti)
            else:
                ti.size = len(e.data)
                tf.addfile(ti, io.BytesIO(e.data))
    return buf.getvalue()


def gz(data: bytes, mtime: int = 0, level: int = 9) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=mtime)


def zst(data: bytes, level: int = 3) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor(level=level).compress(data)


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def js(obj: Any, indent: int | None = None) -> bytes:
    if indent is None:
        return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
    return json.dumps(obj, indent=indent).encode()


@dataclass
class ImageSpec:
    """One platform image: its layer tars and config facts."""

    layers: list[bytes]
    compression: str = "gzip"  # gzip | zstd | none
    gzip_mtime: int = 0
    gzip_level: int = 9
    created: str = "1970-01-01T00:00:00Z"
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    platform: tuple[str, str] = ("linux", "amd64")
    docker_types: bool = False
    indent: int | None = None  # JSON serialisation of the config


@dataclass
class Written:
    """What the writer produced, for the tests' expectations."""

    index: str = ""
    manifests: list[str] = field(default_factory=list)
    configs: list[str] = field(default_factory=list)
    layers: list[list[str]] = field(default_factory=list)  # blob digests per image
    diff_ids: list[list[str]] = field(default_factory=list)


def _blob(root: Path, data: bytes) -> str:
    d = sha(data)
    p = root / "blobs" / "sha256" / d.split(":")[1]
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return d


def _compress(spec: ImageSpec, tar: bytes) -> bytes:
    if spec.compression == "gzip":
        return gz(tar, spec.gzip_mtime, spec.gzip_level)
    if spec.compression == "zstd":
        return zst(tar)
    return tar


def _layer_type(spec: ImageSpec) -> str:
    if spec.docker_types:
        return DOCKER_LAYER
    return OCI_LAYER + {"gzip": "+gzip", "zstd": "+zstd", "none": ""}[spec.compression]


def write_oci(
    root: Path,
    images: list[ImageSpec],
    attestation: bool = False,
    index_annotations: dict[str, str] | None = None,
    index_indent: int | None = None,
) -> Written:
    """Write an OCI layout at ``root`` holding ``images`` (one per platform) and return the digests."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "oci-layout").write_bytes(js({"imageLayoutVersion": "1.0.0"}))
    out = Written()
    descs = []
    for spec in images:
        diff_ids = [sha(t) for t in spec.layers]
        blobs = [_compress(spec, t) for t in spec.layers]
        config = {
            "architecture": spec.platform[1],
            "os": spec.platform[0],
            "created": spec.created,
            "config": {"Labels": spec.labels} if spec.labels else {},
            "history": [{"created": spec.created, "created_by": f"layer {i}"} for i in range(len(blobs))],
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }
        craw = js(config, spec.indent)
        cdig = _blob(root, craw)
        ldigs = [_blob(root, b) for b in blobs]
        manifest = {
            "schemaVersion": 2,
            "mediaType": DOCKER_MANIFEST if spec.docker_types else OCI_MANIFEST,
            "config": {
                "mediaType": DOCKER_CONFIG if spec.docker_types else OCI_CONFIG,
                "digest": cdig,
                "size": len(craw),
            },
            "layers": [
                {"mediaType": _layer_type(spec), "digest": d, "size": len(b)}
                for d, b in zip(ldigs, blobs, strict=True)
            ],
        }
        if spec.annotations:
            manifest["annotations"] = spec.annotations
        mraw = js(manifest)
        mdig = _blob(root, mraw)
        descs.append(
            {
                "mediaType": manifest["mediaType"],
                "digest": mdig,
                "size": len(mraw),
                "platform": {"architecture": spec.platform[1], "os": spec.platform[0]},
            }
        )
        out.manifests.append(mdig)
        out.configs.append(cdig)
        out.layers.append(ldigs)
        out.diff_ids.append(diff_ids)
    if attestation:
        for d in list(descs):
            statement = js(
                {"_type": "https://in-toto.io/Statement/v0.1", "subject": [{"digest": d["digest"]}]}
            )
            sdig = _blob(root, statement)
            acfg = js(
                {"architecture": "unknown", "os": "unknown", "rootfs": {"type": "layers", "diff_ids": []}}
            )
            adig = _blob(root, acfg)
            am = js(
                {
                    "schemaVersion": 2,
                    "mediaType": OCI_MANIFEST,
                    "config": {"mediaType": OCI_CONFIG, "digest": adig, "size": len(acfg)},
                    "layers": [
                        {"mediaType": "application/vnd.in-toto+json", "digest": sdig, "size": len(statement)}
                    ],
                }
            )
            amdig = _blob(root, am)
            descs.append(
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": amdig,
                    "size": len(am),
                    "platform": {"architecture": "unknown", "os": "unknown"},
                    "annotations": {
                        "vnd.docker.reference.digest": d["digest"],
                        "vnd.docker.reference.type": "attestation-manifest",
                    },
                }
            )
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descs}
    if index_annotations:
        index["annotations"] = index_annotations
    iraw = js(index, index_indent)
    (root / "index.json").write_bytes(iraw)
    out.index = sha(iraw)
    return out


def tar_dir(root: Path, dest: Path, mtime: int = 0, reverse: bool = False) -> Path:
    """Tar a directory deterministically (sorted names, fixed metadata): an oci-archive."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    if reverse:
        files.reverse()
    entries = [Entry(p.relative_to(root).as_posix(), p.read_bytes(), mtime=mtime) for p in files]
    dest.write_bytes(tar_bytes(entries))
    return dest


def write_docker_save(dest: Path, spec: ImageSpec, tag: str = "example.com/app:latest") -> Path:
    """A legacy `docker save` archive: manifest.json, <config>.json, <id>/layer.tar (uncompressed)."""
    diff_ids = [sha(t) for t in spec.layers]
    config = {
        "architecture": spec.platform[1],
        "os": spec.platform[0],
        "created": spec.created,
        "config": {"Labels": spec.labels} if spec.labels else {},
        "history": [{"created": spec.created} for _ in spec.layers],
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    craw = js(config)
    cname = sha(craw).split(":")[1] + ".json"
    entries = [Entry(cname, craw)]
    layer_paths = []
    for t, d in zip(spec.layers, diff_ids, strict=True):
        lid = d.split(":")[1]
        entries += [Entry(f"{lid}/VERSION", b"1.0"), Entry(f"{lid}/layer.tar", t)]
        layer_paths.append(f"{lid}/layer.tar")
    entries.append(Entry("manifest.json", js([{"Config": cname, "RepoTags": [tag], "Layers": layer_paths}])))
    dest.write_bytes(tar_bytes(entries))
    return dest
