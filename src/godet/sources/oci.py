"""OCI image layouts (directory or tar) and `docker save` archives (legacy and OCI-in-tar) as an
image graph: index → manifests (per platform) → config → layers, each blob verified against its
digest. Layers are opened lazily (:meth:`Layer.load`): a diff skips layers whose blobs are equal.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from godet.errors import GodetError
from godet.sources.base import CHUNK, Member, Opener, Source, safe_name, sniff_archive
from godet.sources.reader import CountingReader

MAX_JSON = 16 << 20  # an index, manifest or config larger than this is refused
ATTESTATION = "attestation-manifest"
INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)


# ------------------------------------------------------------------ blob stores


class DirStore:
    """Files of an OCI layout directory."""

    def __init__(self, root: str) -> None:
        self.root = root

    def exists(self, name: str) -> bool:
        return os.path.isfile(os.path.join(self.root, name))

    def open(self, name: str) -> BinaryIO:
        return open(os.path.join(self.root, name), "rb")

    def names(self) -> list[str]:
        out = []
        for dirpath, dirnames, files in os.walk(self.root):
            dirnames.sort()
            for f in sorted(files):
                out.append(os.path.relpath(os.path.join(dirpath, f), self.root).replace(os.sep, "/"))
        return out

    def close(self) -> None:
        pass


class TarStore:
    """Members of an uncompressed tar holding an image (random access; symlinks resolved in the tar)."""

    def __init__(self, path: str, label: str) -> None:
        try:
            self.tf = tarfile.open(path, "r:")  # noqa: SIM115
        except (tarfile.TarError, OSError) as e:
            raise GodetError(label, f"not a readable tar archive ({e})") from None
        self.label = label
        self.by_name: dict[str, tarfile.TarInfo] = {}
        for ti in self.tf.getmembers():
            name = safe_name(ti.name)
            if name is None:
                raise GodetError(label, f"entry {ti.name!r} escapes the archive (absolute or '..' path)")
            if name:
                self.by_name[name] = ti

    def exists(self, name: str) -> bool:
        return name in self.by_name

    def open(self, name: str) -> BinaryIO:
        try:
            f = self.tf.extractfile(self.by_name[name])
        except (KeyError, tarfile.TarError) as e:
            raise GodetError(self.label, f"{name}: cannot be read ({e})") from None
        if f is None:
            raise GodetError(self.label, f"{name}: not a file")
        return f  # type: ignore[return-value]

    def names(self) -> list[str]:
        return [n for n, ti in self.by_name.items() if not ti.isdir()]

    def close(self) -> None:
        self.tf.close()


def looks_like_image(names: set[str]) -> str | None:
    """ "oci" for an OCI layout, "docker" for a legacy docker-save archive, else None."""
    if "oci-layout" in names and "index.json" in names:
        return "oci"
    if "manifest.json" in names and any(n.endswith("/layer.tar") or n.startswith("blobs/") for n in names):
        return "docker"
    return None


# ------------------------------------------------------------------ the graph


@dataclass
class Blob:
    """A JSON blob (index, manifest, config) with its bytes and parsed value."""

    name: str  # path in the layout
    digest: str  # as referenced ("sha256:…")
    raw: bytes
    parsed: Any
    media_type: str = ""


@dataclass
class Layer:
    """One layer of a manifest; its members are read on :meth:`load`."""

    position: int
    name: str  # path of the blob in the layout
    digest: str  # blob digest as referenced (compressed)
    media_type: str
    size: int
    diff_id: str = ""  # from the config's rootfs.diff_ids
    source: Source | None = None
    actual_digest: str = ""  # computed while reading
    actual_diff_id: str = ""
    error: str = ""

    def load(self, opener: Opener, store: Any, label: str) -> Source | None:
        """Read the layer's tar (decompressing it) into a Source; verifies both digests."""
        if self.source is not None or self.error:
            return self.source
        from godet.sources.tar import read_tar

        where = f"{label}!{self.name}"
        try:
            with store.open(self.name) as f:
                raw = CountingReader(f)
                buffered = io.BufferedReader(raw, CHUNK)  # type: ignore[arg-type]
                head = buffered.peek(512)[:512]
                comp = sniff_archive(head)
                kind = "tar" if comp in (None, "tar") else f"tar+{comp}"
                self.source, self.actual_diff_id = read_tar(
                    opener, where, buffered, kind, head, packed=lambda: raw.count
                )
                raw.drain()
                self.actual_digest = "sha256:" + raw.digest()
                self.actual_diff_id = "sha256:" + self.actual_diff_id
        except GodetError as e:
            self.error = e.problem
            return None
        if self.actual_digest != self.digest and self.digest.startswith("sha256:"):
            self.source.notes.append(
                f"blob digest mismatch: referenced {self.digest}, content {self.actual_digest}"
            )
        if self.diff_id and self.actual_diff_id != self.diff_id:
            self.source.notes.append(
                f"DiffID mismatch: config says {self.diff_id}, content {self.actual_diff_id}"
            )
        return self.source


@dataclass
class Manifest:
    """One image manifest of the index (or of a docker-save manifest.json entry)."""

    digest: str
    media_type: str
    platform: str  # "linux/amd64", "unknown/unknown" for attestations
    blob: Blob | None  # None for legacy docker-save (no manifest blob)
    config: Blob | None
    layers: list[Layer] = field(default_factory=list)
    annotations: dict[str, str] = field(default_factory=dict)  # the index descriptor's and the manifest's
    role: str = "image"  # image | attestation
    tags: list[str] = field(default_factory=list)


@dataclass
class Image:
    """An image: its format, top-level index, manifests, and every file of the layout."""

    format: str  # oci | docker
    store: Any
    index: Blob | None
    manifests: list[Manifest] = field(default_factory=list)
    files: dict[str, Member] = field(default_factory=dict)  # every stored file, hashed lazily
    referenced: set[str] = field(default_factory=set)  # layout paths the graph reaches
    notes: list[str] = field(default_factory=list)

    def verify(self, name: str) -> str:
        """sha256 of one stored file (cached), streamed."""
        m = self.files[name]
        if not m.sha256:
            h = hashlib.sha256()
            n = 0
            with self.store.open(name) as f:
                while chunk := f.read(CHUNK):
                    h.update(chunk)
                    n += len(chunk)
            m.sha256, m.size = h.hexdigest(), n
        return m.sha256


def _blob_path(digest: str) -> str:
    alg, _, hexd = digest.partition(":")
    if not alg or not hexd or "/" in hexd or ".." in hexd or "/" in alg:
        raise ValueError(f"bad digest {digest!r}")
    return f"blobs/{alg}/{hexd}"


def _read_json(store: Any, name: str, label: str) -> tuple[bytes, Any]:
    with store.open(name) as f:
        raw = f.read(MAX_JSON + 1)
    if len(raw) > MAX_JSON:
        raise GodetError(label, f"{name}: JSON larger than {MAX_JSON:,} bytes")
    try:
        return raw, json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise GodetError(label, f"{name}: not valid JSON ({e})") from None


def _diff_ids(config: Any) -> list[str]:
    """The config's rootfs.diff_ids, each a string ("" for anything else)."""
    rootfs = config.get("rootfs") if isinstance(config, dict) else None
    ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    return [x if isinstance(x, str) else "" for x in ids] if isinstance(ids, list) else []


def _platform(p: Any, config: Any = None) -> str:
    if isinstance(p, dict) and p.get("os"):
        s = f"{p.get('os')}/{p.get('architecture', '?')}"
        return s + (f"/{p['variant']}" if p.get("variant") else "")
    if isinstance(config, dict) and config.get("os"):
        s = f"{config.get('os')}/{config.get('architecture', '?')}"
        return s + (f"/{config['variant']}" if config.get("variant") else "")
    return "unknown/unknown"


def _strs(d: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in d.items()} if isinstance(d, dict) else {}


def read_image(store: Any, fmt: str, label: str) -> Image:
    """The image graph of a layout (``fmt`` "oci") or a legacy docker-save archive ("docker")."""
    img = Image(fmt, store, None)
    for name in store.names():
        img.files[name] = Member(name, raw_name=name)
    try:
        if fmt == "oci":
            raw, parsed = _read_json(store, "index.json", label)
            img.index = Blob("index.json", "", raw, parsed)
            img.referenced.add("index.json")
            _walk_index(img, parsed, label, {}, depth=0)
        else:
            _read_docker(img, label)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise GodetError(label, f"malformed image: {e}") from None
    return img


def _walk_index(img: Image, index: Any, label: str, ann: dict[str, str], depth: int) -> None:
    if depth > 4:
        raise GodetError(label, "image indexes nested more than 4 deep")
    for desc in index.get("manifests") or []:
        digest = desc["digest"]
        name = _blob_path(digest)
        if not img.store.exists(name):
            img.notes.append(f"{name}: referenced by the index but missing")
            continue
        img.referenced.add(name)
        raw, parsed = _read_json(img.store, name, label)
        mt = str(desc.get("mediaType") or parsed.get("mediaType") or "")
        annotations = {**ann, **_strs(desc.get("annotations"))}
        if mt in INDEX_TYPES or "manifests" in parsed:
            _walk_index(img, parsed, label, annotations, depth + 1)
            continue
        blob = Blob(name, digest, raw, parsed, mt)
        img.manifests.append(_manifest(img, blob, desc, annotations, label))


def _manifest(img: Image, blob: Blob, desc: dict, annotations: dict[str, str], label: str) -> Manifest:
    parsed = blob.parsed
    config = None
    cdesc = parsed.get("config") or {}
    if cdesc.get("digest"):
        cname = _blob_path(cdesc["digest"])
        if img.store.exists(cname):
            img.referenced.add(cname)
            craw, cparsed = _read_json(img.store, cname, label)
            config = Blob(cname, cdesc["digest"], craw, cparsed, str(cdesc.get("mediaType") or ""))
    diff_ids = _diff_ids(config.parsed if config is not None else None)
    layers = []
    for i, ld in enumerate(parsed.get("layers") or []):
        lname = _blob_path(ld["digest"])
        img.referenced.add(lname)
        layers.append(
            Layer(
                i,
                lname,
                ld["digest"],
                str(ld.get("mediaType") or ""),
                int(ld.get("size", 0)),
                diff_ids[i] if i < len(diff_ids) else "",
            )
        )
        if not img.store.exists(lname):
            layers[-1].error = "blob missing from the layout"
    role = "attestation" if annotations.get("vnd.docker.reference.type") == ATTESTATION else "image"
    return Manifest(
        blob.digest,
        blob.media_type,
        _platform(desc.get("platform"), config.parsed if config else None),
        blob,
        config,
        layers,
        {**annotations, **_strs(parsed.get("annotations"))},
        role,
        [annotations["org.opencontainers.image.ref.name"]]
        if "org.opencontainers.image.ref.name" in annotations
        else [],
    )


def _read_docker(img: Image, label: str) -> None:
    raw, parsed = _read_json(img.store, "manifest.json", label)
    img.index = Blob("manifest.json", "", raw, parsed)
    img.referenced.add("manifest.json")
    if not isinstance(parsed, list):
        raise GodetError(label, "manifest.json: not a list")
    for i, entry in enumerate(parsed):
        cname = safe_name(entry["Config"])
        if cname is None:
            raise GodetError(label, f"manifest.json: config path {entry['Config']!r} escapes the archive")
        img.referenced.add(cname)
        craw, cparsed = _read_json(img.store, cname, label)
        config = Blob(
            cname,
            "sha256:" + hashlib.sha256(craw).hexdigest(),
            craw,
            cparsed,
            "application/vnd.docker.container.image.v1+json",
        )
        diff_ids = _diff_ids(cparsed)
        m = Manifest(
            f"manifest.json[{i}]",
            "docker-save",
            _platform(None, cparsed),
            None,
            config,
            tags=list(entry.get("RepoTags") or []),
        )
        for j, lpath in enumerate(entry.get("Layers") or []):
            lname = safe_name(lpath)
            if lname is None:
                raise GodetError(label, f"manifest.json: layer path {lpath!r} escapes the archive")
            img.referenced.add(lname)
            layer = Layer(
                j,
                lname,
                diff_ids[j] if j < len(diff_ids) else "",
                "docker-save layer",
                0,
                diff_ids[j] if j < len(diff_ids) else "",
            )
            m.layers.append(layer)
        img.manifests.append(m)


def open_image_dir(root: str, label: str) -> Source:
    store = DirStore(root)
    return _image_source(store, looks_like_image(set(store.names())) or "oci", label)


def open_image_tar(path: str, label: str, fmt: str) -> Source:
    return _image_source(TarStore(path, label), fmt, label)


def _image_source(store: Any, fmt: str, label: str) -> Source:
    img = read_image(store, fmt, label)
    src = Source(label, "oci" if fmt == "oci" else "docker")
    src.image = img
    src.notes.extend(img.notes)
    return src
